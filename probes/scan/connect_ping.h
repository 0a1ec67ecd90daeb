/*
 * The unprivileged ping (nmap -sn --unprivileged): a TCP connect() to each
 * port of each target through the event engine, with nmap 7.93's timing
 * shape, printing nmap's CONN lines:
 *
 *   CONN (0.0007s) TCP localhost > 198.18.3.4:80 => Operation now in progress
 *   CONN (0.0007s) TCP localhost > 198.18.3.2:80 => Connection refused
 *
 * A host is up when a connect succeeds or is refused (either proves a live
 * TCP stack), down when a router says it is unreachable or when every
 * probe of the last try times out. The timing follows nmap (doc/nmap-notes.md,
 * "The connect ping"): probes go out port by port across the hosts, a probe times
 * out after the group's current RTT timeout (1 s at first; srtt + 4 rttvar
 * once answers come, kept within 100 ms .. 10 s), a silent host gets a
 * second try after that timeout plus 1 s with the ports in reverse order,
 * and is down one timeout later: 2.0 s and 3.0 s for a lone silent host.
 * At most 10 probes are in flight at first (nmap's initial congestion
 * window), so with many targets a host that answers early never gets the
 * probes still queued for it, as in nmap.
 */
#ifndef ST_CONNECT_PING_H
#define ST_CONNECT_PING_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct st_cping_host {
    struct in_addr addr; /* in: the target */
    bool v6;             /* in: the target is addr6 (scan -6) */
    struct in6_addr addr6;
    bool up;             /* out: the verdict */
    const char *reason;  /* out: nmap's reason (st_nmap_connect_verdict) */
    unsigned short port; /* the port that answered */
    double latency_s;    /* connect() to its result, for the answer that decided */
    int tries;           /* how many rounds of probes went out */
};

struct st_cping_opts {
    const unsigned short *ports; /* NULL: st_nmap_connect_ports */
    size_t nports;
    int initial_rtt_ms;            /* 0: 1000 */
    int min_rtt_ms;                /* 0: 100 */
    int max_rtt_ms;                /* 0: 10000 */
    int retry_delay_ms;            /* extra wait before a retry; 0: 1000, -1: none */
    int max_tries;                 /* 0: 2 */
    size_t max_parallel;           /* sockets at once; 0: 300 */
    const char *engine;            /* NULL: the default event engine */
    FILE *trace;                   /* CONN lines; NULL: none */
    FILE *event_trace;             /* --event-trace lines; NULL: none */
    const struct timespec *origin; /* CLOCK_MONOTONIC time 0 of the traces; NULL: now */
};

/* Pings HOSTS[0..N) and fills in their verdicts. 0, or a negative errno
 * when the engine could not run (no pool, no memory). */
int st_connect_ping(struct st_cping_host *hosts, size_t n, const struct st_cping_opts *opts);

#endif
