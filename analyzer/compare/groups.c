/* Probes of a group and their members' answers (groups.h). */
#include "groups.h"

#include <stdlib.h>
#include <string.h>

#include "comparison.h"
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
    return p->link == ST_LINK_ETHERNET && (p->eth_dst[0] & 1);
}

static bool echo(const struct st_pkt *p, bool is_reply)
{
    if (p->net == ST_NET_IPV4 && p->proto == ST_IPPROTO_ICMP)
        return p->l4.icmp.type == (is_reply ? ST_ICMP_ECHO_REPLY : ST_ICMP_ECHO_REQUEST);
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6)
        return p->l4.icmp.type == (is_reply ? ST_ICMP6_ECHO_REPLY : ST_ICMP6_ECHO_REQUEST);
    return false;
}

bool st_group_probe(const struct st_pkt *p)
{
    return echo(p, false) && st_pkt_to_group(p);
}

uint64_t st_group_key(const struct st_pkt *p, bool is_reply)
{
    if (!echo(p, is_reply))
        return 0;
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
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_SENT || !echo(p, false))
            continue;
        /* a traced line has no link layer: its frame tells a directed broadcast */
        const struct st_pkt *w =
            c->t2f[i] >= 0 ? st_store_get(&c->cap->frames, (size_t)c->t2f[i], &ftmp) : p;
        if (st_group_probe(w))
            push(c, st_group_key(p, false), i, st_pkt_dst_host(p));
    }
    if (!c->ngroups)
        return;
    st_sort(c->groups, c->ngroups, sizeof *c->groups, cmp_group_probe);
    c->ngroup_hosts =
        st_sort_unique(c->group_hosts, c->ngroups, sizeof *c->group_hosts, st_cmp_u32);
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
