/*
 * st-rdns: the test driver of the reverse DNS resolver.
 *
 *   st-rdns --server IP[:PORT]... [--timeouts MS,MS...] [--event-engine epoll|poll]
 *           [--event-trace] ADDRESS...
 *
 * Prints one line per address: "PTR <ip> <status> <name|-> tries=<n>".
 * --event-trace sends the engine's EVENT lines to stderr. Exit 0, 2 on bad
 * usage, 3 when the resolver could not run.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "dns.h"
#include "evtool.h"

#define MAX_SERVERS  8
#define MAX_TIMEOUTS 8

static int usage(void)
{
    fprintf(stderr,
            "usage: st-rdns --server IP[:PORT]... [--timeouts MS,MS...] [--event-engine %s] "
            "[--event-trace] ADDRESS...\n",
            st_ev_engine_list());
    return 2;
}

static int parse_server(char *arg, struct sockaddr_in *sin)
{
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    char *colon = strchr(arg, ':');
    if (colon) {
        *colon = '\0';
        long port = strtol(colon + 1, NULL, 10);
        if (port < 1 || port > 65535)
            return -1;
        sin->sin_port = htons((unsigned short)port);
    }
    return inet_pton(AF_INET, arg, &sin->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct sockaddr_in servers[MAX_SERVERS];
    int timeouts[MAX_TIMEOUTS];
    struct st_rdns_opts o = {0};
    struct timespec origin;
    clock_gettime(CLOCK_MONOTONIC, &origin);
    o.origin = &origin;
    o.servers = servers;
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--server") && i + 1 < argc && o.nservers < MAX_SERVERS) {
            if (parse_server(argv[++i], &servers[o.nservers++]) < 0)
                return usage();
        } else if (!strcmp(argv[i], "--timeouts") && i + 1 < argc) {
            for (char *t = strtok(argv[++i], ","); t && o.ntimeouts < MAX_TIMEOUTS;
                 t = strtok(NULL, ","))
                timeouts[o.ntimeouts++] = atoi(t);
            o.timeouts_ms = timeouts;
        } else if (st_evtool_option(argc, argv, &i, &o.event_trace) <= 0) {
            return usage();
        }
    }
    size_t n = (size_t)(argc - i);
    if (n == 0 || o.nservers == 0)
        return usage();
    struct st_rdns_query *q =
        st_evtool_records("st-rdns", argv + i, n, sizeof *q, offsetof(struct st_rdns_query, addr));
    if (!q)
        return 2;
    int rc = st_rdns_resolve(q, n, &o);
    for (size_t k = 0; k < n; k++) {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &q[k].addr, ip, sizeof ip);
        printf("PTR %s %s %s tries=%d\n", ip, st_rdns_status_str(q[k].status),
               q[k].name[0] ? q[k].name : "-", q[k].tries);
    }
    free(q);
    return rc < 0 ? 3 : 0;
}
