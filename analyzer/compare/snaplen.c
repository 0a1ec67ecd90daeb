/*
 * Frames the capture's snap length cut before a header compare reads
 * (tcpdump -s 64 on IPv6: a neighbour advertisement without its target;
 * -s 34: an ICMP message without its type). The dissection marks them
 * (ST_PKT_TRUNCATED): their missing fields read as 0, so they match no
 * trace line and say nothing of their host. What they leave one-sided is
 * not checked (cause truncated, the result UNJUDGED), never a discrepancy
 * of the scanner's. A cut that took a frame's host with it (ARP's
 * addresses, ND's target) leaves every claim unheld: any host may have
 * answered in it.
 */
#include <stdlib.h>

#include "align_internal.h"
#include "util.h"

/* A frame cut short while the scan may have been running: one from before
 * its run started (tcpdump -s 64 catching a router's late errors about an
 * earlier run's probes, their quote cut) answers nothing of it, whatever
 * the cut took: its cause stays (background, unrelated), and it hides no
 * host of the run. */
static bool cut(const struct st_comparison *c, size_t f)
{
    struct st_pkt tmp;
    return (st_store_get(&c->cap->frames, f, &tmp)->flags & ST_PKT_TRUNCATED) &&
           !st_before_runs(c, f);
}

/* Whether a cut frame's host is in what was cut: ARP's addresses, a
 * neighbour solicitation's or advertisement's target, the network header. */
static bool host_lost(const struct st_pkt *p)
{
    if (p->net == ST_NET_OTHER || st_pkt_resolution(p))
        return true;
    /* an ICMPv6 message cut before its type (read as 0) may have been one */
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6 &&
        !(p->l4.icmp.type | p->l4.icmp.code))
        return true;
    /* an error cut inside the header it quotes: whose datagram, and so
     * which host it is about, was cut */
    const struct st_quote *q = &p->l4.icmp.quote;
    return (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6) &&
           st_icmp_is_error(p->proto, p->l4.icmp.type) && !q->present && !q->present6;
}

/* The hosts the cut frames are from or to, but the scanner's own. */
static uint32_t *cut_hosts(const struct st_comparison *c, size_t *n)
{
    size_t k = 0;
    uint32_t *h = malloc((2 * c->cap->n + 1) * sizeof *h);
    if (!h)
        abort();
    struct st_pkt tmp;
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        if (!cut(c, f))
            continue;
        uint32_t ends[2] = {st_pkt_src_host(p), st_pkt_dst_host(p)};
        for (size_t e = 0; e < 2; e++)
            if (ends[e] && !st_is_scanner(c, ends[e]))
                h[k++] = ends[e];
    }
    *n = st_sort_unique(h, k, sizeof *h, st_cmp_u32);
    return h;
}

bool st_snaplen_blind(const struct st_comparison *c)
{
    struct st_pkt tmp;
    for (size_t f = 0; f < c->cap->n; f++)
        if (cut(c, f) && host_lost(st_store_get(&c->cap->frames, f, &tmp)))
            return true;
    return false;
}

void st_snaplen(struct st_comparison *c)
{
    c->cut_frames = c->cut_unchecked = 0;
    c->cut_blind = false;
    struct st_pkt tmp;
    for (size_t f = 0; f < c->cap->n; f++)
        if (cut(c, f)) {
            c->cut_frames++;
            c->cut_blind |= host_lost(st_store_get(&c->cap->frames, f, &tmp));
        }
    if (!c->cut_frames)
        return;
    /* whatever its cause said: read from fields that were cut, it is a guess */
    for (size_t f = 0; f < c->cap->n; f++)
        if (c->f2t[f] < 0 && cut(c, f)) {
            c->fcause[f] = ST_CAUSE_TRUNCATED;
            c->cut_unchecked++;
        }
    size_t n;
    uint32_t *hosts = cut_hosts(c, &n);
    const struct st_trace *t = c->trace;
    for (size_t i = 0; i < t->npkts; i++) {
        uint32_t h = st_trace_pkt_host(c, i);
        /* (a cut that took its frames' hosts may have taken any line's frame) */
        if (c->t2f[i] < 0 && c->tcause[i] == ST_CAUSE_UNKNOWN &&
            (c->cut_blind || st_u32_has(hosts, n, h))) {
            c->tcause[i] = ST_CAUSE_TRUNCATED;
            c->cut_unchecked++;
        }
    }
    free(hosts);
}
