/*
 * Directed broadcasts told by their answers (groups.h): a capture with no
 * destination MAC of what the host sent (-i any's Linux cooked capture
 * marks it "outgoing", never "broadcast") still shows who answered. A
 * unicast address answers from itself; an echo request to a broadcast
 * address is answered by the hosts of its subnet, from their own addresses.
 */
#include <stdlib.h>

#include "groups.h"
#include "hosts.h"
#include "util.h"

struct request {
    uint64_t key; /* st_group_key */
    uint32_t src, dst;
};

static int cmp_request(const void *a, const void *b)
{
    const struct request *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->src > y->src) - (x->src < y->src);
}

bool st_broadcast_of(uint32_t d, uint32_t x)
{
    if (d == x)
        return false;
    int common = __builtin_clz(d ^ x);
    uint32_t host = 0xffffffffu >> common;
    return common <= 30 && (d & host) == host;
}

static bool ipv4_echo(const struct st_pkt *p, bool is_reply)
{
    return p->net == ST_NET_IPV4 && st_group_key(p, is_reply) && !st_pkt_to_group(p);
}

static struct request *requests(const struct st_dissection *cap, size_t *n)
{
    struct request *r = NULL;
    size_t cap_n = 0;
    struct st_pkt tmp;
    *n = 0;
    for (size_t i = 0; i < cap->n; i++) {
        const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
        /* its sender is a host of the subnet too: the rare requests of that
         * shape alone are kept (a sweep's are nearly all unicast) */
        if (!ipv4_echo(p, false) || !st_broadcast_of(p->ip.dst, p->ip.src))
            continue;
        if (*n == cap_n) {
            cap_n = cap_n ? 2 * cap_n : 64;
            if (!(r = realloc(r, cap_n * sizeof *r)))
                abort();
        }
        r[(*n)++] = (struct request){st_group_key(p, false), p->ip.src, p->ip.dst};
    }
    if (*n)
        qsort(r, *n, sizeof *r, cmp_request);
    return r;
}

/* The requests reply f answers (its key, to its destination), [*lo, *hi). */
static void answered(const struct request *r, size_t n, const struct st_pkt *f, size_t *lo,
                     size_t *hi)
{
    struct request want = {st_group_key(f, true), f->ip.dst, 0};
    size_t a = 0, b = n;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (cmp_request(&r[mid], &want) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = *hi = a;
    while (*hi < n && !cmp_request(&r[*hi], &want))
        (*hi)++;
}

uint32_t *st_groups_by_answers(const struct st_dissection *cap, size_t *n)
{
    size_t nr;
    struct request *r = requests(cap, &nr);
    struct st_u32set out = {0};
    struct st_pkt tmp;
    for (size_t i = 0; nr && i < cap->n; i++) {
        const struct st_pkt *f = st_store_get(&cap->frames, i, &tmp);
        size_t lo, hi;
        if (!ipv4_echo(f, true))
            continue;
        answered(r, nr, f, &lo, &hi);
        /* an address asked itself answers for itself (nping sends its
         * targets one id and sequence), never for a group */
        bool asked = false;
        for (size_t k = lo; k < hi && !asked; k++)
            asked = r[k].dst == f->ip.src;
        for (size_t k = lo; k < hi && !asked; k++)
            if (st_broadcast_of(r[k].dst, f->ip.src))
                st_u32set_push(&out, r[k].dst);
    }
    free(r);
    st_u32set_seal(&out);
    *n = out.n;
    if (!out.n) {
        st_u32set_free(&out);
        return NULL;
    }
    return out.v;
}
