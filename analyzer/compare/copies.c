/*
 * Copies: one packet seen twice in one capture, at two capture points (a
 * capture on a router's two interfaces, `-i any` on a host that forwards
 * the scanner's traffic). The later copy is neither a retransmission nor a
 * reply the scanner missed. A copy has the identity of a frame close to it
 * in time (addresses, IP id or flow label, length, transport header) and
 * another TTL or hop limit (a router forwarded it), other link-layer
 * addresses (another segment) or another capture point (the pcapng
 * interface; -i any's packet type and interface index), or the very same
 * time (a capture merged with itself): a scanner that sends one packet
 * twice sends both alike, at two times, and that stays a discrepancy.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "copies.h"

#define COPY_WINDOW_NS ST_COPY_WINDOW_NS

static bool same_identity(const struct st_pkt *a, const struct st_pkt *b)
{
    if (a->net != b->net || !st_pkt_same(a, b))
        return false;
    if (a->net == ST_NET_IPV4)
        return a->ip.len == b->ip.len;
    if (a->net != ST_NET_IPV6)
        return false;
    /* (an ICMPv6 echo's id and seq: st_pkt_same, which the dissection fills) */
    return a->ip6.plen == b->ip6.plen && a->ip6.flow == b->ip6.flow;
}

/* Seen elsewhere: another hop count, link-layer pair or capture point (the
 * pcapng interface; -i any's packet type or interface index, which tell a
 * bridge's port from the bridge). */
static bool elsewhere(const struct st_pkt *a, const struct st_pkt *b)
{
    bool hops = a->net == ST_NET_IPV4 ? a->ip.ttl != b->ip.ttl : a->ip6.hopl != b->ip6.hopl;
    bool point = a->iface != b->iface || a->pkttype != b->pkttype || a->ifindex != b->ifindex;
    return hops || point || memcmp(a->eth_src, b->eth_src, 6) || memcmp(a->eth_dst, b->eth_dst, 6);
}

/*
 * Trace packet i's frame m and its candidates (the frames of its identity):
 * those unmatched within the window are copies when one of them was seen
 * elsewhere than m (a capture on a router's two sides: another TTL; `-i
 * any` there sees a packet on a bridge and its port alike, and past the
 * router with another TTL).
 */
static void copies_of(struct st_comparison *c, size_t i, const int32_t *cand, uint32_t from,
                      uint32_t to)
{
    long m = c->t2f[i];
    struct st_pkt mt, ft;
    const struct st_pkt *mp = st_store_get(&c->cap->frames, (size_t)m, &mt);
    if (mp->net != ST_NET_IPV4 && mp->net != ST_NET_IPV6)
        return;
    bool apart = false;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t k = from; k < to; k++) {
            int32_t f = cand[k];
            int64_t dt = st_frame_time(c, f) - mp->time_ns;
            if (f == m || c->f2t[f] >= 0 || dt > COPY_WINDOW_NS || dt < -COPY_WINDOW_NS)
                continue;
            const struct st_pkt *fp = st_store_get(&c->cap->frames, (size_t)f, &ft);
            if (!same_identity(mp, fp))
                continue;
            if (!pass) {
                /* (the same instant to the nanosecond: one frame twice, as
                 * a capture merged with itself has it; no sender repeats a
                 * packet within no time) */
                apart = apart || elsewhere(mp, fp) || dt == 0;
            } else if (apart) {
                c->fcause[f] = ST_CAUSE_COPY;
                c->f2t[f] = (int32_t)(-2 - (long)i); /* its packet is its relative */
            }
        }
}

bool st_pkt_copy(const struct st_pkt *a, const struct st_pkt *b)
{
    int64_t dt = a->time_ns - b->time_ns;
    return dt <= COPY_WINDOW_NS && dt >= -COPY_WINDOW_NS && same_identity(a, b) && elsewhere(a, b);
}

void st_copies(struct st_comparison *c, const uint32_t *first, const int32_t *cand)
{
    for (size_t i = 0; i < c->trace->npkts; i++)
        if (c->t2f[i] >= 0 && first[i + 1] - first[i] > 1)
            copies_of(c, i, cand, first[i], first[i + 1]);
}
