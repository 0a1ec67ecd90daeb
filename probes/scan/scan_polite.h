/*
 * nmap's scheduler probe by probe, for the timings where scan's own
 * scheduler (scan_sched.h, a host's whole try as one unit, its pace an
 * average rate) shows on the wire: a scan delay (-T0..-T2, --scan-delay)
 * and a parallelism given (-T0..-T2's 1, --max-parallelism,
 * --min-parallelism). doc/nmap-notes.md, "Polite timing", has the rules and
 * the nmap runs that show them; in short, as nmap 7.93's ultra_scan:
 *
 * - each probe kind of a host is a probe of its own, with its own tries and
 *   timeout; a host's next probe waits the scan delay after its last one;
 * - probes in flight are bounded by a window per host and one for the pass
 *   (10 at first, never under --min-parallelism nor over
 *   --max-parallelism: 1 at -T0..-T2); past a timeout, a probe is no
 *   longer in flight;
 * - a loop as nmap's: time the probes out, retransmit what timed out (the
 *   newest first, one per host per round), then new probes, host by host
 *   from where the last round left off (hosts in address order); the first
 *   retry of a host that sends more than one kind (or ARP/ND) waits a
 *   second first (nmap's rate-limit detection);
 * - the timeout: the host's RTT estimate, or the pass's before the host
 *   answered, clamped to the RTT limits and never under the scan delay;
 * - host groups, one after the other, as nmap's: a target on another
 *   route (interface, source, on-link or not) or a second copy of an
 *   address starts a new one (up to 64 such are set aside for the next
 *   while the group fills on), and 4096 targets at most.
 *
 * The hosts themselves (addresses, copies, verdicts, attempt numbers) stay
 * in the st_sched of the pass; replies still go through st_sched_reply(),
 * then st_polite_answered().
 */
#ifndef ST_SCAN_POLITE_H
#define ST_SCAN_POLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan_config.h"
#include "scan_sched.h"

/* What the scheduler needs of a host of the pass. */
struct st_polite_target {
    uint8_t key[16]; /* its address, as 16 bytes that sort as nmap sorts hosts */
    uint8_t nkinds;  /* its probe kinds */
    uint16_t route;  /* its route (interface, source, on-link): nmap's host group */
    uint16_t dev;    /* its interface: the RTT estimate carries over groups on it */
};

/* One try of one probe kind to a host. */
struct st_polite_probe {
    int64_t sent_ns;
    uint8_t kind, tryno;
    bool timedout;      /* its timeout passed: no longer in flight */
    bool retransmitted; /* its next try went out */
};

/* A round-trip estimate (nmap's timeout_info); srtt < 0: no sample yet. */
struct st_polite_rtt {
    int64_t srtt_ns, rttvar_ns, timeout_ns;
};

/* A congestion window (nmap's ultra_timing_vals). */
struct st_polite_cc {
    double cwnd, ssthresh;
    uint32_t expected, received, updates;
    int64_t last_drop_ns;
};

struct st_polite_host {
    struct st_polite_rtt to;
    struct st_polite_cc cc;
    int64_t last_sent_ns; /* the scan delay counts from here (the pass's start at first) */
    int64_t rld_until_ns; /* rate-limit detection: no probe before this */
    uint32_t next, prev;  /* the undecided hosts, in address order */
    uint32_t sent;        /* probes sent */
    uint8_t nkinds, next_kind;
    uint16_t nprobes, active, waiting; /* probes kept; in flight; timed out, not retried */
    uint16_t cursor;                   /* the retransmission walk's place in its probes */
    uint16_t dev;                      /* st_polite_target's */
    uint8_t rld_tryno;                 /* the highest retry its detection has waited for */
    bool rld_waiting, in_set;
};

/* Send try `tryno` of probe kind `kind` to host h; the probes the wire took. */
typedef size_t (*st_polite_send_fn)(void *userdata, const struct st_sched_host *h, uint8_t tryno,
                                    uint8_t kind);

struct st_polite {
    struct st_sched *s;
    struct st_polite_host *hosts;
    struct st_polite_probe *probes; /* per_host for each host */
    uint32_t *cache;                /* the retransmission walk's hosts */
    uint32_t *groups;               /* the hosts, host group after host group, each sorted */
    size_t *group_end;              /* where each group ends in groups */
    size_t ngroups, group;          /* groups; the one running */
    size_t per_host;
    uint32_t head, next_i; /* the undecided hosts; where the next round starts */
    size_t nset, active;
    struct st_polite_rtt to;
    struct st_polite_cc cc;
    double low_cwnd, max_cwnd;
    int64_t delay_ns;
    uint64_t sends, sends_at_wait;
    int64_t due_ns;        /* the next round */
    int64_t not_before_ns; /* --max-rate: the next probe's earliest time */
    int64_t not_after_ns;  /* --min-rate: its latest */
    bool replied;          /* an answer since the last round */
    st_polite_send_fn send;
    void *userdata;
};

/* Whether the timing asks for nmap's scheduler: a scan delay or a
 * parallelism (after st_scan_timing()). */
bool st_polite_wanted(const struct st_timing *t);

/* The pass of s, probe by probe: t[i] tells of host i. */
int st_polite_init(struct st_polite *p, struct st_sched *s, const struct st_polite_target *t,
                   int64_t now_ns);
void st_polite_free(struct st_polite *p);

/* Run a round of nmap's loop when one is due (a timeout, the scan delay's
 * end, an answer). */
void st_polite_tick(struct st_polite *p, int64_t now_ns, st_polite_send_fn send, void *userdata);

/* Every group run, every host decided and nothing owed (a host given up still sends the
 * kinds it has left, as nmap's does). */
bool st_polite_done(const struct st_polite *p);

/* Host i was just decided by st_sched_reply() from the answer to try
 * `tryno` of kind `kind` (-1: not known, an ARP or ND reply: its newest): the RTT, the
 * windows, its other probes forgotten. */
void st_polite_answered(struct st_polite *p, size_t i, int kind, uint8_t tryno, int64_t now_ns);

#endif
