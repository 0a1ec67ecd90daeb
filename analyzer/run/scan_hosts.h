/*
 * The verdicts of a live scan, one compact record per host and pass, and the
 * two things made of them at the end: nmap's report on standard output and
 * run.json's "hosts" array. A sweep of a /16 has 65,536 of them: building a
 * json-c object per host cost more than the sweep's whole send phase, so the
 * array is written as a stream instead.
 */
#ifndef ST_SCAN_HOSTS_H
#define ST_SCAN_HOSTS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

struct st_host_verdict {
    uint32_t addr;
    bool up;
    bool decided;       /* false: the scan was interrupted before its last try */
    uint8_t tries;      /* tries sent */
    int64_t latency_ns; /* -1 unknown */
    const char *mode;   /* the pass's name: lives as long as the scan's configuration */
    const char *reason; /* a static string (nmap's reason words) */
    char *name;         /* -R: the PTR name, or NULL (owned) */
};

struct st_host_table {
    struct st_host_verdict *v;
    size_t n, cap, up;
    bool several_modes; /* "[mode M]" after each host in the report */
    /* scan -6: each addr is the key of an address of v6 (targets.h) */
    const struct st_targets6 *v6;
    char *json; /* st_hosts_prepare_json(): the "hosts" elements as text */
    size_t json_len;
};

/* Append one verdict (aborts on OOM, as the rest of the run bookkeeping). */
void st_hosts_add(struct st_host_table *t, const struct st_host_verdict *h);

void st_hosts_free(struct st_host_table *t);

/* nmap's report: "Nmap scan report for A" and "Host is up (Ns latency)." per up host. */
void st_hosts_print_report(const struct st_host_table *t, FILE *out);

/*
 * Write RUNDIR/run.json (atomically: a temporary file renamed over it) as
 * `run` with its "hosts" array replaced by the table's verdicts, each
 * {host, mode, verdict, reason, latency_s, name, tries}. 0, or -1 with errno.
 */
int st_hosts_write_runjson(int dirfd, json_object *run, const struct st_host_table *t);

/* Format the "hosts" array ahead (megabytes for a large sweep), while the
 * capture lingers; st_hosts_write_runjson() then only writes it. Adding a
 * verdict discards it. Out of memory: nothing prepared. */
void st_hosts_prepare_json(struct st_host_table *t);

#endif
