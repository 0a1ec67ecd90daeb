#include "sort.h"

#include <stdlib.h>
#include <string.h>

/* Runs this short are finished by insertion sort. */
#define SHORT_RUN 16

struct arr {
    unsigned char *b;
    size_t size;
    int (*cmp)(const void *, const void *);
};

static inline unsigned char *at(const struct arr *a, size_t i)
{
    return a->b + i * a->size;
}

static inline int less(const struct arr *a, size_t i, size_t j)
{
    return a->cmp(at(a, i), at(a, j)) < 0;
}

static void swap(const struct arr *a, size_t i, size_t j)
{
    unsigned char t[ST_SORT_MAX_SIZE];
    memcpy(t, at(a, i), a->size);
    memcpy(at(a, i), at(a, j), a->size);
    memcpy(at(a, j), t, a->size);
}

static void insertion(const struct arr *a, size_t lo, size_t hi)
{
    unsigned char t[ST_SORT_MAX_SIZE];
    for (size_t i = lo + 1; i < hi; i++) {
        if (a->cmp(at(a, i - 1), at(a, i)) <= 0)
            continue;
        memcpy(t, at(a, i), a->size);
        size_t j = i;
        for (; j > lo && a->cmp(at(a, j - 1), t) > 0; j--)
            memcpy(at(a, j), at(a, j - 1), a->size);
        memcpy(at(a, j), t, a->size);
    }
}

/* The heap of the n elements from lo: the element at root sinks to its place. */
static void sift_down(const struct arr *a, size_t lo, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && less(a, lo + child, lo + child + 1))
            child++;
        if (!less(a, lo + root, lo + child))
            return;
        swap(a, lo + root, lo + child);
        root = child;
    }
}

static void heap_sort(const struct arr *a, size_t lo, size_t hi)
{
    size_t n = hi - lo;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, lo, i, n);
    for (size_t end = n; end-- > 1;) {
        swap(a, lo, lo + end);
        sift_down(a, lo, 0, end);
    }
}

/*
 * Hoare's partition of [lo, hi) around the median of its first, middle and
 * last elements, which also stand guard at both ends so neither scan runs
 * off. Returns j: [lo, j] are <= the pivot, (j, hi) are >= it, both parts
 * non-empty. Equal elements stop both scans, so runs of equal keys (a
 * host's many replies) split evenly instead of going quadratic.
 */
static size_t partition(const struct arr *a, size_t lo, size_t hi)
{
    size_t mid = lo + (hi - lo) / 2, last = hi - 1;
    if (less(a, mid, lo))
        swap(a, mid, lo);
    if (less(a, last, mid)) {
        swap(a, last, mid);
        if (less(a, mid, lo))
            swap(a, mid, lo);
    }
    unsigned char pivot[ST_SORT_MAX_SIZE];
    memcpy(pivot, at(a, mid), a->size);
    size_t i = lo, j = last;
    for (;;) {
        do
            i++;
        while (a->cmp(at(a, i), pivot) < 0);
        do
            j--;
        while (a->cmp(at(a, j), pivot) > 0);
        if (i >= j)
            return j;
        swap(a, i, j);
    }
}

static void introsort(const struct arr *a, size_t lo, size_t hi, unsigned depth)
{
    while (hi - lo > SHORT_RUN) {
        if (depth-- == 0) {
            heap_sort(a, lo, hi);
            return;
        }
        size_t j = partition(a, lo, hi);
        /* recurse into the smaller part: the stack stays logarithmic */
        if (j + 1 - lo < hi - (j + 1)) {
            introsort(a, lo, j + 1, depth);
            lo = j + 1;
        } else {
            introsort(a, j + 1, hi, depth);
            hi = j + 1;
        }
    }
    insertion(a, lo, hi);
}

void st_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (size > ST_SORT_MAX_SIZE)
        abort(); /* a caller's mistake, not an input's */
    if (n < 2 || size == 0)
        return;
    struct arr a = {base, size, cmp};
    unsigned depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    introsort(&a, 0, n, depth);
}
