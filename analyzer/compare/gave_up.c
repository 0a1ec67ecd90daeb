/*
 * When nmap had stopped listening for a host's answers, as far as its trace
 * proves it. nmap traces every packet it reads while it scans a host group;
 * a reply on the wire it did not trace is a missed reply only if it came
 * while nmap was still reading for that host. Two bounds prove it was not:
 *
 * - nmap prints a host group's report lines once the group is done, and
 *   scans its groups one after the other: the first report line after the
 *   host's last traced packet was printed after nmap stopped reading for it,
 *   so the first packet nmap traced after that line is later than that.
 *   (-v prints the hosts found down too; without it a group's up hosts.)
 * - "Nmap done: ... scanned in 3.98 seconds" is rounded to 10 ms: once
 *   nmap has traced its last packet, an answer after 3.975 s may have come
 *   after nmap stopped (a router's burst of host unreachables, queued while
 *   it resolved absent addresses, often lands there).
 * - nmap sends a probe again only once it timed out, and gives up a host
 *   once its last try did: the longest wait between two tries of one probe
 *   of the host bounds its timeout, so an answer more than twice that after
 *   the host's last probe came after nmap gave up on it (-sn of a routed
 *   absent host: the router's unreachable comes 3 s after the probe, nmap
 *   gave up after two tries a second apart).
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"

/* Half the 10 ms "scanned in %.2f seconds" is rounded to. */
#define DONE_ROUNDING_NS 5000000LL

struct host_last {
    uint32_t host;
    uint32_t line;   /* the host's last traced packet's line */
    uint32_t kind;   /* a probe's kind (sent_kind), 0 for what is no probe */
    int64_t sent;    /* its time; then the host's last probe's, -1 none */
    int64_t max_gap; /* the longest wait between two tries of one probe, -1 none */
};

static int cmp_host_last(const void *a, const void *b)
{
    const struct host_last *x = a, *y = b;
    if (x->host != y->host)
        return (x->host > y->host) - (x->host < y->host);
    if (x->kind != y->kind)
        return (x->kind > y->kind) - (x->kind < y->kind);
    return (x->line > y->line) - (x->line < y->line);
}

/* What makes tries of one probe: protocol, ICMP type or TCP flags and
 * destination port (an ARP request is kind 1). 0 for a reply. */
static uint32_t sent_kind(const struct st_pkt *p)
{
    if (p->dir != ST_DIR_SENT)
        return 0;
    if (p->net == ST_NET_ARP)
        return 1;
    uint32_t k = (uint32_t)p->proto << 24;
    if (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6)
        return k | (uint32_t)p->l4.icmp.type << 16 | 2;
    if (p->proto == ST_IPPROTO_TCP)
        return k | (uint32_t)p->l4.tcp.flags << 16 | p->l4.tcp.dport;
    if (p->proto == ST_IPPROTO_UDP)
        return k | p->l4.udp.dport;
    return k | 3;
}

void st_gave_up_free(struct st_gave_up *g)
{
    free(g->last);
    free(g->report);
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
    g->report = malloc((t->nhosts ? t->nhosts : 1) * sizeof *g->report);
    if (!g->last || !g->report)
        abort();
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        uint32_t kind = sent_kind(p);
        g->last[i] =
            (struct host_last){st_trace_pkt_host(c, i), p->line, kind, kind ? p->time_ns : -1, -1};
    }
    qsort(g->last, t->npkts, sizeof *g->last, cmp_host_last);
    size_t n = 0; /* each host once: its last line, last probe, longest wait */
    uint32_t prev_kind = 0;
    int64_t prev_sent = -1;
    for (size_t i = 0; i < t->npkts; i++) {
        struct host_last x = g->last[i]; /* (compacted over below) */
        if (!n || g->last[n - 1].host != x.host) {
            g->last[n++] = x;
        } else {
            struct host_last *h = &g->last[n - 1];
            /* the tries of one probe are next to each other, in line order */
            if (x.kind && prev_kind == x.kind && x.sent - prev_sent > h->max_gap)
                h->max_gap = x.sent - prev_sent;
            if (x.line > h->line)
                h->line = x.line;
            if (x.sent > h->sent)
                h->sent = x.sent;
        }
        prev_kind = x.kind;
        prev_sent = x.sent;
    }
    g->nlast = n;
    for (size_t i = 0; i < t->nhosts; i++) /* in line order, as read */
        if (t->hosts[i].line)
            g->report[g->nreport++] = t->hosts[i].line;
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

bool st_gave_up_before(struct st_gave_up *g, const struct st_comparison *c, uint32_t host,
                       int64_t when)
{
    const struct st_trace *t = c->trace;
    if (!g->built)
        build(g, c);
    const struct host_last *h = last_of(g, host);
    if (!h)
        return false;
    struct st_pkt tmp;
    if (h->max_gap > 0 && when > h->sent + 2 * h->max_gap + c->offset_ns)
        return true;
    size_t r = 0; /* the first report line after the host's last packet */
    while (r < g->nreport && g->report[r] <= h->line)
        r++;
    size_t next = r < g->nreport ? first_pkt_after(t, g->report[r]) : t->npkts;
    if (next < t->npkts)
        return when > st_trace_pkt(t, next, &tmp)->time_ns + c->offset_ns;
    /* nothing traced after it: the end of the scan, within its rounding */
    int64_t last = st_trace_pkt(t, t->npkts - 1, &tmp)->time_ns + c->offset_ns;
    return t->end_ns >= 0 && when > last && when > t->end_ns + c->offset_ns - DONE_ROUNDING_NS;
}
