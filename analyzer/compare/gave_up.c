/*
 * When the trace proves nmap was not reading a reply's kind of packet. nmap
 * traces every packet it reads while a host group is scanned, whatever host
 * it is about (its sniffer takes all ICMP to the scanner, and the TCP, UDP
 * and SCTP of the group's targets), so a reply on the wire it did not trace
 * is a missed reply unless it came while no sniffer of nmap's could take it:
 *
 * - during an ARP ping group (on-link IPv4 targets): nmap scans its groups
 *   one after the other, a host on the segment never shares a group with a
 *   routed one, and that group's filter is "arp and ..." (scan_engine_raw.c,
 *   begin_sniffer): a reply that is no ARP, arriving after the group's first
 *   ARP ping and before nmap traced anything else, was read by nobody (a
 *   router's host unreachable 3 s after a routed probe, while nmap
 *   ARP-pings the segment). IPv6's ND ping group reads only neighbour
 *   advertisements, the same way.
 * - past the end of the scan: "Nmap done: ... scanned in 3.98 seconds" is
 *   rounded to 10 ms, so past nmap's last traced line an answer within 5 ms
 *   before that time may have come after nmap stopped (a router's burst of
 *   host unreachables for absent hosts lands there). Only for a host nmap
 *   did not report up: one it did had its reply read, and a reply of it not
 *   traced is missed, however close to the end.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"

/* Half the 10 ms "scanned in %.2f seconds" is rounded to. */
#define DONE_ROUNDING_NS 5000000LL

struct host_last {
    uint32_t host;
    uint32_t line; /* the host's last traced packet's line */
    bool resolves; /* that packet is ARP or ND: the host is on the segment */
};

static int cmp_host_last(const void *a, const void *b)
{
    const struct host_last *x = a, *y = b;
    if (x->host != y->host)
        return (x->host > y->host) - (x->host < y->host);
    return (x->line > y->line) - (x->line < y->line);
}

void st_gave_up_free(struct st_gave_up *g)
{
    free(g->last);
    free(g->up);
    memset(g, 0, sizeof *g);
}

/* Made on the first reply that asks: most comparisons never do. */
static void build(struct st_gave_up *g, const struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    g->built = true;
    if (!t->npkts || strncmp(t->dialect, "nmap", 4))
        return;
    g->last = malloc(t->npkts * sizeof *g->last);
    g->up = malloc((t->nhosts ? t->nhosts : 1) * sizeof *g->up);
    if (!g->last || !g->up)
        abort();
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        g->last[i] = (struct host_last){st_trace_pkt_host(c, i), p->line, st_pkt_resolution(p)};
    }
    qsort(g->last, t->npkts, sizeof *g->last, cmp_host_last);
    size_t n = 0; /* each host once: its last packet */
    for (size_t i = 0; i < t->npkts; i++) {
        if (n && g->last[n - 1].host == g->last[i].host)
            n--;
        g->last[n++] = g->last[i];
    }
    g->nlast = n;
    for (size_t i = 0; i < t->nhosts; i++)
        if (t->hosts[i].up)
            g->up[g->nup++] = t->hosts[i].addr;
    g->nup = st_sort_unique(g->up, g->nup, sizeof *g->up, st_cmp_u32);
}

/* The first trace packet after line no (t->npkts when none). */
static size_t first_pkt_after(const struct st_trace *t, uint32_t no)
{
    size_t lo = 0, hi = t->npkts;
    struct st_pkt tmp;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st_trace_pkt(t, mid, &tmp)->line <= no)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct host_last *last_of(const struct st_gave_up *g, uint32_t host)
{
    size_t lo = 0, hi = g->nlast;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->last[mid].host < host)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->nlast && g->last[lo].host == host ? &g->last[lo] : NULL;
}

/* Whether `when` falls in a segment ping group nmap began after packet
 * `from` (a SENT ARP who-has or ND solicitation), before it traced anything
 * else, and the reply f is nothing that group reads. */
static bool in_segment_group(const struct st_comparison *c, size_t from, const struct st_pkt *f,
                             int64_t when)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    size_t i = from;
    while (i < t->npkts) { /* the group's first ping */
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir == ST_DIR_SENT && st_pkt_resolution(p))
            break;
        if (p->time_ns + c->offset_ns >= when)
            return false; /* something else traced first: a group that reads it */
        i++;
    }
    if (i == t->npkts || st_trace_pkt(t, i, &tmp)->time_ns + c->offset_ns >= when)
        return false;
    bool v6 = tmp.net == ST_NET_IPV6;
    if (st_pkt_resolution(f) || (v6 && f->net != ST_NET_IPV6) || (!v6 && f->net == ST_NET_IPV6))
        return false;           /* (what that group's filter lets through, or another family's) */
    for (; i < t->npkts; i++) { /* nothing but its pings until the reply */
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->time_ns + c->offset_ns >= when)
            return true;
        if (!st_pkt_resolution(p))
            return false;
    }
    return t->end_ns >= 0; /* the last group: it lasts until the scan's end */
}

bool st_gave_up_before(struct st_gave_up *g, const struct st_comparison *c, uint32_t host,
                       const struct st_pkt *f)
{
    const struct st_trace *t = c->trace;
    if (!g->built)
        build(g, c);
    const struct host_last *h = last_of(g, host);
    if (!h)
        return false;
    struct st_pkt tmp;
    int64_t when = f->time_ns;
    size_t next = first_pkt_after(t, h->line);
    if (!h->resolves && next < t->npkts && in_segment_group(c, next, f, when))
        return true;
    /* nothing traced after it: the end of the scan, within its rounding */
    if (st_u32_has(g->up, g->nup, host))
        return false;
    int64_t last = st_trace_pkt(t, t->npkts - 1, &tmp)->time_ns + c->offset_ns;
    return t->end_ns >= 0 && when > last && when > t->end_ns + c->offset_ns - DONE_ROUNDING_NS;
}
