/*
 * Everything `scan` was asked to do, as the discovery engine reads it.
 * Filled by the command line (analyzer/cmd_scan.c); nmap's defaults and -T
 * templates applied by st_scan_timing().
 */
#ifndef ST_SCAN_CONFIG_H
#define ST_SCAN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "evasion.h"
#include "scan_plan.h"
#include "util.h"

struct st_timing {
    int template_;          /* -T0..-T5, 3 by default */
    int64_t initial_rtt_ns; /* --initial-rtt-timeout */
    int64_t min_rtt_ns, max_rtt_ns;
    int max_retries;           /* --max-retries: tries = 1 + retries at most */
    double min_rate;           /* --min-rate probes/s, 0 none */
    double max_rate;           /* --max-rate probes/s, 0 none */
    int64_t deadline_ns;       /* hard wait for a reply per probe, 0: the RTT timeout */
    int64_t scan_delay_ns;     /* --scan-delay, -T0..-T2's: the wait between two probes to a host */
    int64_t max_scan_delay_ns; /* --max-scan-delay (nmap raises a delay up to it: not in a ping) */
    /* --min-parallelism, --max-parallelism: probes in flight (0: none;
     * max -1: the template's, 1 at -T0..-T2). Any of these, or a scan
     * delay, schedules probe by probe as nmap (scan_polite.h) */
    int min_parallelism, max_parallelism;
};

#define ST_SCAN_MAX_SPECS 256

struct st_scan_config {
    struct st_plan plan;
    struct st_targets targets; /* -6: the keys of targets6's addresses, in its order */
    bool v6;                   /* -6: IPv6 targets and probes */
    struct st_targets6 targets6;
    struct st_timing timing;
    const char *ifname;       /* -e/-i: force the interface */
    const char *rundir;       /* -o: where trace.log, capture.pcapng, run.json go */
    bool force;               /* --force: write into a non-empty rundir */
    bool dry_run;             /* print what would be sent, send nothing */
    bool unprivileged;        /* connect() pings (no root) */
    int ttl;                  /* --ttl, -1 random 37-59 */
    int source_port;          /* -g, -1 random base */
    int detail;               /* trace detail: 0 LOW, 1 MEDIUM (-d2), 2 HIGH (-d3) */
    const char *event_engine; /* "epoll" or "poll" */
    bool rdns;                /* -R: reverse DNS of the up hosts */
    const char *dns_servers;  /* --dns-servers a,b (else /etc/resolv.conf) */
    const char *user;         /* --user: who to become once the sockets are open (nobody) */
    bool event_trace;
    bool verbose;
    int64_t stats_every_ns; /* --stats-every: a progress line this often, terminal or not */
    /* -f, --mtu, --ip-options, -D, --badsum, --data... */
    struct st_evasion evasion;
    int shards, shard;             /* --shards N --shard I (0: not sharded; -1: no --shard) */
    struct st_targets_sweep sweep; /* a shard's: the whole sweep it is part of */
    const char *specs[ST_SCAN_MAX_SPECS]; /* the target specs as given (-iL: the file) */
    size_t nspecs;
    int argc; /* the command line, for run.json */
    char **argv;
};

/* Every timing field unset (-T3, nothing given): st_scan_timing() then
 * fills in the template's. */
void st_timing_unset(struct st_timing *t);

/* Fill the timing fields -T and the explicit options left at -1/0. */
void st_scan_timing(struct st_timing *t);

#endif
