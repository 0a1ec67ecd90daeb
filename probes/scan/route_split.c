/*
 * The prefixes that split a sharing block (see route_split.h): kept sorted,
 * so a target's are found by a binary search to its block's first one.
 */
#include "route_split.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static size_t addr_len(const struct st_route_splits *s)
{
    return s->family == AF_INET ? 4 : 16;
}

/* addr's first len bits, the rest zero */
static void masked(uint8_t *out, const uint8_t *addr, size_t alen, unsigned len)
{
    size_t whole = len / 8;
    memset(out, 0, 16);
    memcpy(out, addr, whole < alen ? whole : alen);
    if (len % 8 && whole < alen)
        out[whole] = (uint8_t)(addr[whole] & (0xff00u >> (len % 8)));
}

void st_route_splits_init(struct st_route_splits *s, int family)
{
    memset(s, 0, sizeof *s);
    s->family = family;
    s->block_len = family == AF_INET ? ST_ROUTE_BLOCK4 : ST_ROUTE_BLOCK6;
}

int st_route_splits_add(struct st_route_splits *s, const uint8_t *addr, unsigned len)
{
    size_t alen = addr_len(s);
    if (len <= s->block_len || len > alen * 8)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        struct st_route_prefix *p = realloc(s->p, cap * sizeof *p);
        if (!p)
            return -1;
        s->p = p;
        s->cap = cap;
    }
    struct st_route_prefix *p = &s->p[s->n++];
    masked(p->addr, addr, alen, len);
    p->len = len;
    return 0;
}

static int by_addr(const void *a, const void *b)
{
    const struct st_route_prefix *x = a, *y = b;
    int c = memcmp(x->addr, y->addr, 16);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

void st_route_splits_seal(struct st_route_splits *s)
{
    if (s->n)
        qsort(s->p, s->n, sizeof *s->p, by_addr);
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!kept || by_addr(&s->p[kept - 1], &s->p[i]))
            s->p[kept++] = s->p[i];
    s->n = kept;
    s->complete = true;
    s->run_valid = false;
}

uint64_t st_route_splits_block(const struct st_route_splits *s, const uint8_t *addr)
{
    uint64_t k = 0;
    if (s->family == AF_INET)
        k = (uint64_t)addr[0] << 16 | (uint64_t)addr[1] << 8 | addr[2];
    else
        memcpy(&k, addr, 8);
    return k;
}

/* The run of prefixes inside addr's block: from the first not below the
 * block's own address, as long as they start inside it (a prefix longer
 * than the block starts inside it). */
static void block_run(struct st_route_splits *s, const uint8_t *addr, size_t alen)
{
    uint8_t block[16];
    masked(block, addr, alen, s->block_len);
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(s->p[mid].addr, block, 16) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    for (uint8_t head[16]; end < s->n; end++) {
        masked(head, s->p[end].addr, alen, s->block_len);
        if (memcmp(head, block, 16))
            break;
    }
    s->run_key = st_route_splits_block(s, addr);
    s->run_lo = lo;
    s->run_end = end;
    s->run_valid = true;
}

bool st_route_splits_inside(struct st_route_splits *s, const uint8_t *addr)
{
    if (!s->run_valid || s->run_key != st_route_splits_block(s, addr))
        block_run(s, addr, addr_len(s));
    return s->run_lo < s->run_end;
}

long st_route_splits_find(struct st_route_splits *s, const uint8_t *addr)
{
    size_t alen = addr_len(s);
    if (!st_route_splits_inside(s, addr))
        return -1;
    uint8_t a[16];
    masked(a, addr, alen, (unsigned)alen * 8);
    /* the prefixes of the block starting at addr or before it... */
    size_t lo = s->run_lo, hi = s->run_end;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(s->p[mid].addr, a, 16) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* ...walked back: those that hold addr are nested, the longer starting
     * later (or, at the same start, sorted later), so the first that holds
     * it is the longest */
    while (lo > s->run_lo) {
        lo--;
        uint8_t net[16];
        masked(net, a, alen, s->p[lo].len);
        if (!memcmp(net, s->p[lo].addr, 16))
            return (long)lo;
    }
    return -1;
}

void st_route_splits_free(struct st_route_splits *s)
{
    free(s->p);
    s->p = NULL;
    s->n = s->cap = 0;
    s->complete = s->run_valid = false;
}
