/*
 * st-cping: the test driver of the unprivileged connect ping.
 *
 *   st-cping [--ports P,P...] [--event-engine epoll|poll] [--event-trace] TARGET...
 *
 * Prints nmap's CONN lines on stdout while it runs, then one line per
 * target: "HOST <ip> up|down <reason> port=<p> tries=<n>". --event-trace
 * sends the engine's EVENT lines to stderr. Exit 0, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "ev.h"
#include "evtool.h"

static int usage(void)
{
    fprintf(stderr,
            "usage: st-cping [--ports P,P...] [--event-engine %s] [--event-trace] "
            "TARGET...\n",
            st_ev_engine_list());
    return 2;
}

static size_t parse_ports(char *list, unsigned short *ports, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ",")) {
        char *end;
        long v = strtol(tok, &end, 10);
        if (*end || v < 1 || v > 65535)
            return 0;
        ports[n++] = (unsigned short)v;
    }
    return n;
}

int main(int argc, char **argv)
{
    unsigned short ports[64];
    struct st_cping_opts o = {0};
    struct timespec origin;
    clock_gettime(CLOCK_MONOTONIC, &origin);
    o.origin = &origin;
    o.trace = stdout;
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strcmp(argv[i], "--ports") && i + 1 < argc) {
            o.nports = parse_ports(argv[++i], ports, 64);
            if (!o.nports)
                return usage();
            o.ports = ports;
        } else if (st_evtool_option(argc, argv, &i, &o.event_trace) <= 0) {
            return usage();
        }
    }
    size_t n = (size_t)(argc - i);
    if (n == 0)
        return usage();
    struct st_cping_host *hosts = st_evtool_records("st-cping", argv + i, n, sizeof *hosts,
                                                    offsetof(struct st_cping_host, addr));
    if (!hosts)
        return 2;
    int rc = st_connect_ping(hosts, n, &o);
    for (size_t h = 0; h < n; h++) {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &hosts[h].addr, ip, sizeof ip);
        printf("HOST %s %s %s port=%u tries=%d\n", ip, hosts[h].up ? "up" : "down", hosts[h].reason,
               hosts[h].port, hosts[h].tries);
    }
    free(hosts);
    return rc < 0 ? 3 : 0;
}
