/*
 * Trace packets of an interface the capture did not record: `tcpdump -i
 * lan0` (or `scantrace record -i lan0`) while the routed targets' probes
 * left by wan0. The capture then shows no frame from or to the address
 * those packets left from (a probe's source, a reply's destination): it
 * cannot tell whether they were on the wire. Without this they were
 * `unknown`, DISCREPANCIES of the scanner's for a capture taken elsewhere;
 * other-interface is not a discrepancy, the result is UNJUDGED and the
 * claims of their hosts are not held (claims.c), as for outside-capture.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "hosts.h"
#include "util.h"

/* Whether host is no address of anyone's (0.0.0.0, ::): a packet traced
 * from it never left (nping -6 tracing a SYN from :: it did not send). */
static bool unspecified(uint32_t host)
{
    static const uint8_t zero[16];
    const uint8_t *a = st_host_is6(host) ? st_host6_addr(host) : NULL;
    return !host || (a && !memcmp(a, zero, sizeof zero));
}

/* ARP requests the trace shows, (target << 32 | asker) sorted: nmap's
 * "RCVD ARP reply X is-at M" names no destination, the request it answers
 * does ("tell Y"). Built on the first reply that needs it. */
struct askers {
    bool built;
    uint64_t *v;
    size_t n;
};

static uint32_t asker_of(const struct st_trace *t, struct askers *a, uint32_t target)
{
    struct st_pkt tmp;
    if (!a->built) {
        a->built = true;
        if (!(a->v = malloc((t->npkts + 1) * sizeof *a->v)))
            abort();
        for (size_t i = 0; i < t->npkts; i++) {
            const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
            if (p->net == ST_NET_ARP && p->dir == ST_DIR_SENT && p->arp.tpa && p->arp.spa)
                a->v[a->n++] = (uint64_t)p->arp.tpa << 32 | p->arp.spa;
        }
        a->n = st_sort_unique(a->v, a->n, sizeof *a->v, st_cmp_u64);
    }
    size_t lo = 0, hi = a->n;
    uint64_t key = (uint64_t)target << 32;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->v[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && a->v[lo] >> 32 == target ? (uint32_t)a->v[lo] : 0;
}

/* The scanner's end of trace packet p, or 0 for a line that says none (a
 * connect(): the kernel's, from whichever address it picks; an unspecified
 * address: no interface's). */
static uint32_t scanner_end(const struct st_trace *t, struct askers *a, const struct st_pkt *p)
{
    if (p->flags & ST_PKT_CONNECT)
        return 0;
    uint32_t end = p->dir == ST_DIR_SENT ? st_pkt_src_host(p) : st_pkt_dst_host(p);
    if (!end && p->net == ST_NET_ARP && p->dir == ST_DIR_RCVD)
        end = asker_of(t, a, p->arp.spa);
    return unspecified(end) ? 0 : end;
}

/* Which of ends (sealed) some frame shows, as source or destination. */
static bool *ends_seen(const struct st_comparison *c, const struct st_u32set *ends)
{
    bool *seen = calloc(ends->n + 1, 1);
    if (!seen)
        abort();
    struct st_pkt tmp;
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        uint32_t both[2] = {st_pkt_src_host(p), st_pkt_dst_host(p)};
        for (size_t e = 0; e < 2; e++) {
            const uint32_t *at = bsearch(&both[e], ends->v, ends->n, sizeof *ends->v, st_cmp_u32);
            if (at)
                seen[at - ends->v] = true;
        }
    }
    return seen;
}

void st_other_interface(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    struct st_u32set ends = {0};
    struct askers ask = {false, NULL, 0};
    struct st_pkt tmp;
    c->other_if = 0;
    c->other_if_addr = 0;
    c->other_if_addrs = 1;
    /* (a side built from the wire: its packets are the capture's own; a
     * frame cut before its addresses may show any: truncated, snaplen.c;
     * a capture without frames shows no time either: outside-capture) */
    if (c->from_wire || st_snaplen_blind(c) || !c->cap->n)
        return;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        uint32_t end = c->t2f[i] < 0 && !st_to_itself(c, p) ? scanner_end(t, &ask, p) : 0;
        if (end)
            st_u32set_push(&ends, end);
    }
    st_u32set_seal(&ends);
    bool *seen = ends.n ? ends_seen(c, &ends) : NULL;
    for (size_t i = 0; i < t->npkts && ends.n; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        uint32_t end = c->t2f[i] < 0 && !st_to_itself(c, p) ? scanner_end(t, &ask, p) : 0;
        const uint32_t *at = end ? bsearch(&end, ends.v, ends.n, sizeof *ends.v, st_cmp_u32) : NULL;
        if (at && !seen[at - ends.v]) {
            c->tcause[i] = ST_CAUSE_OTHER_INTERFACE;
            c->other_if++;
            if (!c->other_if_addr)
                c->other_if_addr = end;
            c->other_if_addrs += end != c->other_if_addr && c->other_if_addrs < 2;
        }
    }
    free(seen);
    free(ask.v);
    st_u32set_free(&ends);
}
