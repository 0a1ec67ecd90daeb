#include "u32set.h"

#include <stdlib.h>
#include <string.h>

#include "sort.h"

int st_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int st_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

size_t st_u64_lower(const uint64_t *v, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int st_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t st_sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    unsigned char *b = base;
    size_t k = 0;
    st_sort(base, n, size, cmp);
    for (size_t i = 0; i < n; i++)
        if (!k || memcmp(b + (k - 1) * size, b + i * size, size))
            memmove(b + k++ * size, b + i * size, size);
    return k;
}

bool st_u32_has(const uint32_t *v, size_t n, uint32_t key)
{
    return n && bsearch(&key, v, n, sizeof *v, st_cmp_u32) != NULL;
}

void st_u32set_push(struct st_u32set *s, uint32_t key)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        uint32_t *g = realloc(s->v, s->cap * sizeof *g);
        if (!g)
            abort();
        s->v = g;
    }
    s->v[s->n++] = key;
}

void st_u32set_seal(struct st_u32set *s)
{
    s->n = st_sort_unique(s->v, s->n, sizeof *s->v, st_cmp_u32);
}

bool st_u32set_has(const struct st_u32set *s, uint32_t key)
{
    return st_u32_has(s->v, s->n, key);
}

void st_u32set_free(struct st_u32set *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
