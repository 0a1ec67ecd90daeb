/*
 * The discovery engine: the passes of a scan on the wire. Probes leave
 * through a raw IP socket (the kernel routes them and resolves the next hop,
 * as nmap's default on Linux) or, for ARP, a packet socket on the target's
 * interface; replies come back through a pcap handle per interface, read by
 * the event engine, and are recognized by the probe modules' cookies.
 * Every probe is traced (SENT) after it left and registered with the capture
 * first, so its frame gets its comment; the first reply per host is traced
 * (RCVD, at its capture time, as nmap does).
 */
#ifndef ST_SCAN_ENGINE_H
#define ST_SCAN_ENGINE_H

#include <signal.h>
#include <stdio.h>

#include "capture.h"
#include "scan_config.h"
#include "scan_polite.h"
#include "scan_sched.h"

struct st_scan_hooks {
    FILE *trace;                        /* trace.log */
    FILE *echo;                         /* also print trace lines here (--packet-trace), or NULL */
    struct st_capture *capture;         /* probe comments; NULL: none */
    int64_t start_ns;                   /* the scan's time zero (CLOCK_REALTIME ns) */
    volatile sig_atomic_t *interrupted; /* set by SIGINT/SIGTERM: stop sending, finish */
    FILE *progress;                     /* a progress line on long passes, or NULL */
    int64_t progress_every_ns;          /* how often (0: every second) */
    bool progress_lines;                /* a line each time (a log), not one line redrawn (a tty) */
    /* every decided host of every pass (up, or down after its last try) */
    void (*on_host)(void *ud, const char *mode, const struct st_sched_host *h);
    void *ud;
    /* out, or NULL: srtt + 4 rttvar of the last pass that had a reply, -1 if
     * none had (how long late replies can still take; the capture's linger) */
    int64_t *rtt_bound_ns;
    /* once every socket and pcap handle is open, before the first probe:
     * where the caller gives up root. 0, or -1 with a reason in err */
    int (*opened)(void *opened_ud, char *err, size_t errsz);
    void *opened_ud;
    /* if set: frames the engine's reply handles lost (pcap_stats), at the end */
    uint64_t *rx_dropped;
    /* if set: probes the kernel refused, and the errno of the last (both
     * set together; send_errno then points too) */
    unsigned long *send_errors;
    int *send_errno;
};

/* The interfaces the scan will use (for the capture), from the targets'
 * routes; returns how many (at most max) or -1 with a reason in err. */
int st_scan_interfaces(const struct st_scan_config *cfg, char names[][IF_NAMESIZE], size_t max,
                       char *err, size_t errsz);

/* A host's address as text: the IPv4 address, or for -6 the IPv6 address
 * whose key it is. buf holds INET6_ADDRSTRLEN (46) bytes. */
const char *st_scan_addr_str(const struct st_scan_config *cfg, uint32_t addr, char *buf);

/* Run every pass. 0, or -1 with a one-line reason (no raw socket, no route). */
int st_scan_engine_run(const struct st_scan_config *cfg, const struct st_scan_hooks *hooks,
                       char *err, size_t errsz);

#endif
