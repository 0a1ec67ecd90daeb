/*
 * Reverse DNS of the hosts found up, the way nmap's nmap_dns.cc does it over
 * nsock (doc/nmap-notes.md, "Reverse DNS"): one connected UDP socket per server with
 * a standing read, each PTR query written with a 100 ms write timeout, a
 * read timeout per try that depends on how many servers there are
 * (1: 4000, 4000, 5000 ms; 2: 2500, 4000; 3 or more: 2500, 3000), each
 * retry going to the next server, and a per-server window of queries in
 * flight (10 at first, +2 per answer up to 200, x0.9 on a timeout).
 */
#ifndef ST_RDNS_H
#define ST_RDNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "dns_msg.h"

enum st_rdns_status {
    ST_RDNS_PENDING = 0,
    ST_RDNS_OK,       /* name holds the PTR target */
    ST_RDNS_NXDOMAIN, /* the server says there is no such name */
    ST_RDNS_NONAME,   /* an answer without a PTR record (or another rcode) */
    ST_RDNS_TIMEOUT,  /* every try timed out */
};

struct st_rdns_query {
    struct in_addr addr; /* in */
    bool v6;             /* in: ask for addr6 (ip6.arpa) instead */
    struct in6_addr addr6;
    enum st_rdns_status status;
    char name[ST_DNS_NAME_MAX];
    int tries; /* queries sent */
    int rcode; /* of the answer, when one came */
};

struct st_rdns_opts {
    const struct sockaddr_in *servers; /* port 0 means 53 */
    size_t nservers;
    const int *timeouts_ms; /* read timeout of each try; NULL: nmap's for nservers */
    size_t ntimeouts;
    const char *engine;            /* NULL: the default event engine */
    FILE *event_trace;             /* --event-trace lines; NULL: none */
    const struct timespec *origin; /* CLOCK_MONOTONIC time 0 of the trace; NULL: now */
};

/* Resolves Q[0..N) (at most 65536) and fills in their statuses and names.
 * 0, or a negative errno when it could not run. */
int st_rdns_resolve(struct st_rdns_query *q, size_t n, const struct st_rdns_opts *opts);

const char *st_rdns_status_str(enum st_rdns_status status);

#endif
