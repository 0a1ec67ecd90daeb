/*
 * Sets of 32-bit keys (addresses, host keys) and the comparators the
 * comparison sorts its keys with: filled by pushes, sorted and made unique
 * once, then looked up by binary search. Each reader of the comparison
 * (causes, background, the other scanners' sides, claims) had its own copy
 * of these few lines.
 */
#ifndef ST_U32SET_H
#define ST_U32SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* qsort/bsearch comparators of unsigned and signed integers. */
int st_cmp_u32(const void *a, const void *b);
int st_cmp_u64(const void *a, const void *b);
int st_cmp_i64(const void *a, const void *b);

/* Sort `n` items of `size` bytes at `base` by `cmp` (st_sort: no memory
 * taken) and keep one of each run of equal bytes, in place; the new count. */
size_t st_sort_unique(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Whether sorted `v` (n keys) holds `key`. */
bool st_u32_has(const uint32_t *v, size_t n, uint32_t key);

/* The first index of sorted `v` (n keys) whose key is not below `key` (n:
 * none): where a run of equal keys, or the keys of one prefix, begin. */
size_t st_u64_lower(const uint64_t *v, size_t n, uint64_t key);

struct st_u32set {
    uint32_t *v;
    size_t n, cap;
};

/* Append a key (aborts when out of memory, as the comparison's tables do). */
void st_u32set_push(struct st_u32set *s, uint32_t key);

/* Sorted and unique: st_u32set_has may be asked from here on. */
void st_u32set_seal(struct st_u32set *s);

/* Whether sealed s holds key. */
bool st_u32set_has(const struct st_u32set *s, uint32_t key);

void st_u32set_free(struct st_u32set *s);

#endif
