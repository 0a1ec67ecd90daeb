/*
 * Where a log's untraced runs (nmap without --packet-trace between runs
 * with it) sit on the capture's clock. Their frames are the ones no trace
 * packet could be: between the scanner and a host the traced runs probed
 * (another probe type, a port no traced run used), and not ARP or ND (the
 * kernel's own, at any time). Runs happen one after the other, so a traced
 * run before the first untraced one ended before the first of those
 * frames, and one after the last began after the last of them: without
 * that bound, a run placed by packets alike the next run's took that run's
 * frames across the untraced run between them (nmap -6 -PE, untraced nmap
 * -6, nmap -6 -PE again, captured from the second on).
 */
#include <stdlib.h>

#include "align_internal.h"
#include "hosts.h"
#include "util.h"

/* A frame the kernel may send or answer at any time. */
static bool neighbour_traffic(const struct st_pkt *p)
{
    return p->net == ST_NET_ARP ||
           (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.type >= 130);
}

/* The hosts the traced packets are to or from, other than the scanner's. */
static void traced_peers(const struct st_comparison *c, struct st_u32set *peers)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        uint32_t peer = p->dir == ST_DIR_SENT ? st_pkt_dst_host(p) : st_pkt_src_host(p);
        if (peer && !neighbour_traffic(p))
            st_u32set_push(peers, peer);
    }
    st_u32set_seal(peers);
}

bool st_untraced_span(const struct st_comparison *c, const uint8_t *nclaim, int64_t *lo,
                      int64_t *hi)
{
    const struct st_trace *t = c->trace;
    bool any = false;
    for (size_t k = 0; k < t->nruns && !any; k++)
        any = st_trace_run_untraced(t, k);
    if (!any)
        return false;
    struct st_u32set peers = {0};
    traced_peers(c, &peers);
    struct st_pkt tmp;
    *lo = INT64_MAX, *hi = INT64_MIN;
    for (size_t f = 0; f < c->cap->n && peers.n; f++) {
        if (nclaim[f])
            continue;
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        uint32_t s = st_pkt_src_host(p), d = st_pkt_dst_host(p);
        if (neighbour_traffic(p) || !((st_is_scanner(c, s) && st_u32set_has(&peers, d)) ||
                                      (st_is_scanner(c, d) && st_u32set_has(&peers, s))))
            continue;
        int64_t ft = st_frame_time(c, (long)f);
        *lo = ft < *lo ? ft : *lo;
        *hi = ft > *hi ? ft : *hi;
    }
    st_u32set_free(&peers);
    return *lo <= *hi;
}
