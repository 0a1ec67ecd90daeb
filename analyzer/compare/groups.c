/* Probes of a group and their members' answers (groups.h). */
#include "groups.h"

#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "hosts.h"
#include "util.h"

bool st_pkt_to_group(const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        return p->ip6.dst[0] == 0xff;
    if (p->net != ST_NET_IPV4)
        return false;
    if (p->ip.dst == 0xffffffffu || p->ip.dst >> 28 == 0xe)
        return true;
    /* the group bit of the destination MAC: broadcast or multicast */
    if (p->link == ST_LINK_ETHERNET)
        return p->eth_dst[0] & 1;
    /* a cooked capture's packet type (1 +): to us as a broadcast (1) or a
     * multicast (2), as a host of the group receives it */
    bool cooked = p->link == ST_LINK_SLL || p->link == ST_LINK_SLL2;
    return cooked && (p->pkttype == 1 + 1 || p->pkttype == 1 + 2);
}

static bool echo(const struct st_pkt *p, bool is_reply)
{
    if (p->net == ST_NET_IPV4 && p->proto == ST_IPPROTO_ICMP)
        return p->l4.icmp.type == (is_reply ? ST_ICMP_ECHO_REPLY : ST_ICMP_ECHO_REQUEST);
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6)
        return p->l4.icmp.type == (is_reply ? ST_ICMP6_ECHO_REPLY : ST_ICMP6_ECHO_REQUEST);
    return false;
}

bool st_group_probe(const struct st_pkt *p, const uint32_t *bcast, size_t n)
{
    if (!echo(p, false))
        return false;
    return st_pkt_to_group(p) || (p->net == ST_NET_IPV4 && n && st_u32_has(bcast, n, p->ip.dst));
}

uint64_t st_group_key(const struct st_pkt *p, bool is_reply)
{
    if (!echo(p, is_reply))
        return 0;
    /* an ICMPv6 echo without its id and seq (nmap's line, a frame cut
     * short) has a key of its own: of all such packets, equal to no
     * other's (0 is a legal id) */
    if (p->net == ST_NET_IPV6 && (p->flags & ST_PKT_NO_ECHO_ID))
        return (uint64_t)p->net << 32 | 1ULL << 40;
    return (uint64_t)p->net << 32 | (uint64_t)p->l4.icmp.id << 16 | p->l4.icmp.seq;
}

static int cmp_group_probe(const void *a, const void *b)
{
    const struct st_group_probe *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->probe > y->probe) - (x->probe < y->probe);
}

static void push(struct st_comparison *c, uint64_t key, size_t probe, uint32_t group)
{
    struct st_group_probe *g = realloc(c->groups, (c->ngroups + 1) * sizeof *g);
    uint32_t *h = realloc(c->group_hosts, (c->ngroups + 1) * sizeof *h);
    if (!g || !h)
        abort();
    c->groups = g, c->group_hosts = h;
    c->group_hosts[c->ngroups] = group;
    c->groups[c->ngroups++] = (struct st_group_probe){key, (int32_t)probe};
}

void st_groups_find(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp, ftmp;
    bool answers_read = false;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_SENT || !echo(p, false))
            continue;
        /* a traced line has no link layer: its frame tells a directed
         * broadcast, or else (a cooked capture) its answers do */
        const struct st_pkt *w =
            c->t2f[i] >= 0 ? st_store_get(&c->cap->frames, (size_t)c->t2f[i], &ftmp) : p;
        if (!answers_read && p->net == ST_NET_IPV4 && st_broadcast_of(p->ip.dst, p->ip.src) &&
            !st_pkt_to_group(w)) {
            c->bcast = st_groups_by_answers(c->cap, &c->nbcast);
            answers_read = true;
        }
        /* the frame's key: it has the id and seq an ICMPv6 line lacks */
        if (st_group_probe(w, c->bcast, c->nbcast))
            push(c, st_group_key(w, false), i, st_pkt_dst_host(p));
    }
    if (!c->ngroups)
        return;
    st_sort(c->groups, c->ngroups, sizeof *c->groups, cmp_group_probe);
    c->ngroup_hosts =
        st_sort_unique(c->group_hosts, c->ngroups, sizeof *c->group_hosts, st_cmp_u32);
}

static int cmp_host_order(const void *a, const void *b)
{
    return st_host_cmp(*(const uint32_t *)a, *(const uint32_t *)b);
}

static int cmp_key(const void *key, const void *e)
{
    uint64_t a = *(const uint64_t *)key, b = ((const struct st_group_probe *)e)->key;
    return (a > b) - (a < b);
}

long st_group_answered(const struct st_comparison *c, const struct st_pkt *f)
{
    uint64_t key = c->ngroups ? st_group_key(f, true) : 0;
    /* the group itself answers nothing: its members do, from their own addresses */
    if (!key || st_group_host(c, st_pkt_src_host(f)))
        return -1;
    const struct st_group_probe *g =
        bsearch(&key, c->groups, c->ngroups, sizeof *c->groups, cmp_key);
    while (g && g > c->groups && g[-1].key == key)
        g--;
    return g ? g->probe : -1;
}

bool st_group_host(const struct st_comparison *c, uint32_t host)
{
    return c->ngroup_hosts && st_u32_has(c->group_hosts, c->ngroup_hosts, host);
}

bool st_scanner_prints_members(const char *scanner)
{
    return !strcmp(scanner, "ping") || !strcmp(scanner, "hping3");
}

bool st_scanner_counts_members(const char *scanner)
{
    return st_scanner_prints_members(scanner) || !strcmp(scanner, "fping");
}

bool st_host_member_of(const struct st_comparison *c, const struct st_mode_host *h, uint32_t group)
{
    for (size_t i = 0; h->addr != group && i < h->nprobes; i++)
        if (st_trace_pkt_host(c, (size_t)h->probes[i]) == group)
            return true;
    return false;
}

size_t st_host_groups(const struct st_comparison *c, const struct st_mode_host *h, uint32_t *out)
{
    size_t n = 0;
    for (size_t i = 0; c->ngroups && i < h->nprobes; i++) {
        uint32_t g = st_trace_pkt_host(c, (size_t)h->probes[i]);
        if (g != h->addr && st_group_host(c, g))
            out[n++] = g;
    }
    n = st_sort_unique(out, n, sizeof *out, st_cmp_u32);
    if (n > 1) /* as reports list hosts: IPv4, then IPv6 */
        qsort(out, n, sizeof *out, cmp_host_order);
    return n;
}
