/*
 * What a scan sends: its passes (modes), each a set of probe kinds (module,
 * port), built from nmap's -P options. With no -P option the pass is nmap's
 * default: ICMP echo, SYN to 443, ACK to 80 and ICMP timestamp for routed
 * targets, ARP for targets on the scanner's own Ethernet segment. ARP
 * replaces every IP probe for such targets unless --send-ip or
 * --disable-arp-ping, as in nmap.
 */
#ifndef ST_SCAN_PLAN_H
#define ST_SCAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"
#include "route.h"

#define ST_PLAN_MAX_KINDS  128
#define ST_PLAN_MAX_PASSES 16

struct st_probe_kind {
    const struct st_probe_module *mod;
    uint16_t port; /* port, or protocol for -PO; 0 when none */
};

struct st_pass {
    char name[96];  /* nmap's words: "default", "-PE", "-PS22,443", "-PE -PA80" */
    char token[96]; /* the name as one word, '+' for its spaces ("-PE+-PA80"): PASS lines
                     * and pcapng comments, whose fields are space-separated */
    struct st_probe_kind kinds[ST_PLAN_MAX_KINDS];
    size_t nkinds;
};

struct st_plan {
    struct st_pass passes[ST_PLAN_MAX_PASSES];
    size_t npasses;
    bool arp_local; /* ARP for targets on our own Ethernet segment */
    bool each_mode; /* one pass per -P option */
    bool v6;        /* scan -6: ND instead of ARP, nmap -6's default ping */
};

/* Start a plan. */
void st_plan_init(struct st_plan *p);

/*
 * Add one nmap -P option ("-PE", "-PS22,443", "-PO", "-PR", "-PU" ...).
 * Returns 0, or -1 with a one-line reason. Options before st_plan_finish
 * go into one pass, or one pass each with each_mode.
 */
int st_plan_add_flag(struct st_plan *p, const char *flag, char *err, size_t errsz);

/* Close the plan: no -P option at all gives nmap's default pass. */
void st_plan_finish(struct st_plan *p);

/* 0, or -1 with nmap's reason for a probe IPv6 has not (-PP, -PM with -6). */
int st_plan_check(const struct st_plan *p, char *err, size_t errsz);

/*
 * The probe kinds of `pass` a target gets, given its route, into out (room
 * for ST_PLAN_MAX_KINDS); returns how many. ARP alone for a target on our
 * Ethernet segment when arp_local; the pass's IP probes otherwise, or
 * nmap's default probes when the pass had only -PR.
 */
size_t st_plan_kinds_for(const struct st_plan *p, const struct st_pass *pass,
                         const struct st_route *r, struct st_probe_kind *out);

#endif
