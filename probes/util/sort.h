/*
 * An in-place sort for the comparison's big tables. glibc's qsort is a
 * merge sort that mallocs a copy of the whole array when it can: on a
 * 10M-frame capture that copy of the reply-key table was a third of a GB
 * on top of the table itself. This one uses no memory beyond its stack
 * (introsort: quicksort, heapsort when a partition goes bad, insertion
 * sort for short runs), so a table costs its own size and no more.
 * Not stable: callers whose order matters break ties in `cmp`.
 */
#ifndef ST_SORT_H
#define ST_SORT_H

#include <stddef.h>

/* The largest element st_sort takes (it swaps through a stack buffer). */
#define ST_SORT_MAX_SIZE 64

/* Sort `n` elements of `size` bytes (at most ST_SORT_MAX_SIZE) at `base`
 * by `cmp`, as qsort would, without allocating. */
void st_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
