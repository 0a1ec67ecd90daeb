/*
 * The host of a neighbour solicitation that shows only its group. nmap's
 * trace line of its ND ping names the solicited-node multicast address
 * (ff02::1:ffXX:XXXX), not the target; so does a frame cut before the
 * target (a snap length of 64 on `-i any`). The group carries the target's
 * last 24 bits: among the run's IPv6 targets (the recorded command line's,
 * the hosts the trace reports), the one with those bits on the /64 of the
 * solicitation's source is the host (::9 of two subnets; from a link-local
 * source, the one with those bits). Without a capture (diff of run
 * directories) this is all there is.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "hosts.h"
#include "util.h"

static uint32_t low24(const uint8_t a[16])
{
    return (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
}

static bool solicited_group(const uint8_t a[16])
{
    static const uint8_t prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
    return !memcmp(a, prefix, sizeof prefix);
}

size_t st_nd_groups_make(const uint32_t *hosts, size_t n, uint64_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (st_host_is6(hosts[i]))
            out[k++] = (uint64_t)low24(st_host6_addr(hosts[i])) << 32 | hosts[i];
    return st_sort_unique(out, k, sizeof *out, st_cmp_u64);
}

/* The first entry whose last 24 bits are `bits`, or n. */
static size_t first_of(const uint64_t *g, size_t n, uint32_t bits)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g[mid] >> 32 < bits)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t st_nd_groups_find(const uint64_t *g, size_t n, const struct st_pkt *p)
{
    if (!n || p->net != ST_NET_IPV6 || !solicited_group(p->ip6.dst))
        return 0;
    /* from a global address the target is on its /64 (nmap's solicitation
     * leaves from the scanner's address on the target's link): a lone target
     * elsewhere is another link's host, whose own solicitation this is not */
    bool link_local = p->ip6.src[0] == 0xfe && (p->ip6.src[1] & 0xc0) == 0x80;
    uint32_t bits = low24(p->ip6.dst), found = 0;
    size_t candidates = 0;
    for (size_t i = first_of(g, n, bits); i < n && g[i] >> 32 == bits; i++) {
        uint32_t h = (uint32_t)g[i];
        if (link_local || !memcmp(st_host6_addr(h), p->ip6.src, 8)) {
            found = h;
            candidates++;
        }
    }
    return candidates == 1 ? found : 0;
}

void st_nd_groups_build(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    size_t n = t->ntargets6 + t->nhosts;
    uint32_t *hosts = malloc((n + 1) * sizeof *hosts);
    free(c->nd_groups);
    c->nd_groups = malloc((n + 1) * sizeof *c->nd_groups);
    if (!hosts || !c->nd_groups)
        abort();
    if (t->ntargets6)
        memcpy(hosts, t->targets6, t->ntargets6 * sizeof *hosts);
    for (size_t i = 0; i < t->nhosts; i++)
        hosts[t->ntargets6 + i] = t->hosts[i].addr;
    c->nnd_groups = st_nd_groups_make(hosts, n, c->nd_groups);
    free(hosts);
}

uint32_t st_nd_group_host(const struct st_comparison *c, const struct st_pkt *p)
{
    return st_nd_groups_find(c->nd_groups, c->nnd_groups, p);
}
