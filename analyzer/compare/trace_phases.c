/*
 * nmap's later phases in a trace. Host discovery is what compare judges,
 * but nmap without -sn goes on to scan the ports of every host it found up
 * (and --traceroute, -O, -sV, scripts send more), tracing all of it. Once a
 * reply decided a host up, nmap sends it no discovery probe again: a packet
 * about that host after the reply belongs to a later phase. Only in a run
 * whose report shows one (a port table, TRACEROUTE, an "Initiating SYN
 * Stealth Scan" line...): a ping scan's late lines stay its own. nmap -Pn
 * skips discovery: all it sends is a later phase's. A side built from the
 * capture (nmap without --packet-trace) is told the same way: its report
 * showed the later phase.
 */
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "packet.h"
#include "trace_read.h"
#include "util.h"

bool st_trace_later_line(const char *line)
{
    static const char *const starts[] = {
        "Not shown: ",
        "TRACEROUTE",
        "Host script results:",
        "NSE: Script scanning",
        "OS details:",
        "Device type:",
        "Aggressive OS guesses:",
        "No exact OS matches",
        "Service detection performed",
    };
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++)
        if (!strncmp(line, starts[i], strlen(starts[i])))
            return true;
    /* the port table's header ("PORT   STATE SERVICE"), "All 1000 scanned
     * ports on X are in ignored states." */
    if (!strncmp(line, "PORT ", 5) && strstr(line, " STATE"))
        return true;
    if (!strncmp(line, "All ", 4) && strstr(line, " scanned ports on "))
        return true;
    /* -v names each phase as it starts: all but discovery and DNS are later */
    return !strncmp(line, "Initiating ", 11) && !strstr(line, "Ping Scan") &&
           !strstr(line, "DNS resolution");
}

void st_trace_mark_later_phase(struct st_trace *t)
{
    if (t->nruns)
        t->run_later[t->nruns - 1] = true;
    else
        t->later_phase = true;
}

/* The packet's host for this purpose: a probe's destination, a reply's
 * source (the host that answered), a connect()'s target. */
static uint32_t host_of(const struct st_pkt *p)
{
    bool to = p->dir == ST_DIR_SENT || (p->flags & ST_PKT_CONNECT);
    return to ? st_pkt_dst_host(p) : st_pkt_src_host(p);
}

static bool decides_up(const struct st_pkt *p)
{
    if (p->dir != ST_DIR_RCVD && !(p->flags & ST_PKT_CONNECT))
        return false;
    return st_nmap_reply_verdict(p).host == ST_NMAP_UP;
}

/* (host, packet index) of each host's first reply that said it up; from
 * the start (always) for the scanner's own addresses and loopback, up to
 * nmap without a packet (its localhost group): all it sends them is later */
struct up_at {
    uint32_t host;
    bool always;
    size_t i;
};

static int cmp_up_at(const void *a, const void *b)
{
    const struct up_at *x = a, *y = b;
    if (x->host != y->host)
        return (x->host > y->host) - (x->host < y->host);
    if (x->always != y->always)
        return x->always ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Packets [from, to) of one run. */
static void mark_run(struct st_trace *t, size_t from, size_t to)
{
    struct up_at *up = malloc((2 * (to - from) + 1) * sizeof *up);
    if (!up)
        abort();
    size_t n = 0;
    struct st_pkt tmp;
    for (size_t i = from; i < to; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (decides_up(p))
            up[n++] = (struct up_at){host_of(p), false, i};
        if (p->dir == ST_DIR_SENT && !(p->flags & ST_PKT_CONNECT)) /* its source: the scanner */
            up[n++] = (struct up_at){st_pkt_src_host(p), true, 0};
        if (st_host_loopback(host_of(p)))
            up[n++] = (struct up_at){host_of(p), true, 0};
    }
    qsort(up, n, sizeof *up, cmp_up_at); /* each host's first reply first */
    for (size_t i = from; i < to && n; i++) {
        struct up_at key = {host_of(st_trace_pkt(t, i, &tmp)), false, 0};
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (up[mid].host < key.host)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && up[lo].host == key.host && (up[lo].always || up[lo].i < i)) {
            if (!t->later && !(t->later = calloc(t->npkts, 1)))
                abort();
            t->later[i] = 1;
            t->nlater++;
        }
    }
    free(up);
}

/* nmap -Pn discovers nothing, but still resolves on-link targets by ARP or
 * ND before scanning them (it needs their MAC addresses), and drops those
 * that never answer: every packet but those is the later phase's. */
static void mark_all(struct st_trace *t)
{
    if (!t->npkts)
        return;
    if (!(t->later = malloc(t->npkts)))
        abort();
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        t->later[i] = !st_pkt_resolution(st_trace_pkt(t, i, &tmp));
        t->nlater += t->later[i];
    }
}

void st_trace_find_later(struct st_trace *t)
{
    free(t->later);
    t->later = NULL;
    t->nlater = 0;
    if (t->no_ping) {
        mark_all(t);
        return;
    }
    if (!strcmp(t->dialect, "wire")) { /* built from the capture: no run holds its packets */
        bool later = t->later_phase;
        for (size_t k = 0; k < t->nruns; k++)
            later |= t->run_later[k];
        if (later)
            mark_run(t, 0, t->npkts);
        return;
    }
    if (!t->nruns) {
        if (t->later_phase)
            mark_run(t, 0, t->npkts);
        return;
    }
    for (size_t k = 0; k < t->nruns; k++) {
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        if (t->run_later[k] && !t->run_nping[k])
            mark_run(t, from, to);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void st_trace_infer_no_ping(struct st_trace *t)
{
    if (t->no_ping)
        return;
    uint32_t *bare = NULL;
    size_t n = 0;
    for (size_t i = 0; i < t->nhosts; i++) {
        const struct st_trace_host *h = &t->hosts[i];
        if (!h->bare_up || st_host_loopback(h->addr))
            continue;
        if (!(bare = realloc(bare, (n + 1) * sizeof *bare)))
            abort();
        bare[n++] = h->addr;
    }
    if (n)
        qsort(bare, n, sizeof *bare, cmp_u32);
    struct st_pkt tmp;
    for (size_t i = 0; n && i < t->npkts && !t->no_ping; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        uint32_t to = st_pkt_dst_host(p);
        if ((p->dir == ST_DIR_SENT || (p->flags & ST_PKT_CONNECT)) &&
            bsearch(&to, bare, n, sizeof *bare, cmp_u32))
            t->no_ping = true;
    }
    free(bare);
}

static int cmp_first(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

void st_trace_mark_told_later(struct st_trace *t, const uint32_t *told)
{
    if (!t->later || t->no_ping)
        return;
    /* (host << 32 | first later packet) of each host with one */
    uint64_t *first = malloc((t->nlater + 1) * sizeof *first);
    if (!first)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < t->npkts; i++)
        if (t->later[i])
            first[n++] = (uint64_t)told[i] << 32 | (uint32_t)i;
    qsort(first, n, sizeof *first, cmp_first);
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        if (t->later[i] || told[i] == host_of(st_trace_pkt(t, i, &tmp)))
            continue;
        /* an error its line names no target of (a router's time exceeded
         * to a traceroute probe): later when what it quotes was already in
         * its later phase */
        size_t lo = st_u64_lower(first, n, (uint64_t)told[i] << 32);
        if (lo < n && first[lo] >> 32 == told[i] && (uint32_t)first[lo] < i &&
            st_trace_pkt_run(t, (uint32_t)first[lo]) == st_trace_pkt_run(t, i)) {
            t->later[i] = 1;
            t->nlater++;
        }
    }
    free(first);
}
