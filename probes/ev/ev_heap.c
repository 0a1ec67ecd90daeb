/*
 * The deadline heap: a binary min-heap of events on (deadline, id). The id
 * breaks ties, so timers due at the same time fire in creation order. Each
 * event remembers its index, so removal (completion, cancel) is O(log n).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "ev_internal.h"

static bool before(const st_ev_event *a, const st_ev_event *b)
{
    if (a->deadline_ns != b->deadline_ns)
        return a->deadline_ns < b->deadline_ns;
    return a->id < b->id;
}

static void place(st_ev_pool *pool, size_t i, st_ev_event *ev)
{
    pool->heap[i] = ev;
    ev->heap_index = i;
}

static void sift_up(st_ev_pool *pool, size_t i)
{
    st_ev_event *ev = pool->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(ev, pool->heap[parent]))
            break;
        place(pool, i, pool->heap[parent]);
        i = parent;
    }
    place(pool, i, ev);
}

static void sift_down(st_ev_pool *pool, size_t i)
{
    st_ev_event *ev = pool->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const st_ev_event *best = ev;
        if (l < pool->heap_len && before(pool->heap[l], best)) {
            m = l;
            best = pool->heap[l];
        }
        if (r < pool->heap_len && before(pool->heap[r], best))
            m = r;
        if (m == i)
            break;
        place(pool, i, pool->heap[m]);
        i = m;
    }
    place(pool, i, ev);
}

int st_ev__heap_push(st_ev_pool *pool, st_ev_event *ev)
{
    if (pool->heap_len == pool->heap_cap) {
        size_t cap = pool->heap_cap ? pool->heap_cap * 2 : 64;
        st_ev_event **h = realloc(pool->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        pool->heap = h;
        pool->heap_cap = cap;
    }
    pool->heap[pool->heap_len++] = ev;
    sift_up(pool, pool->heap_len - 1);
    return 0;
}

void st_ev__heap_remove(st_ev_pool *pool, st_ev_event *ev)
{
    size_t i = ev->heap_index;
    ev->heap_index = SIZE_MAX;
    st_ev_event *last = pool->heap[--pool->heap_len];
    if (i == pool->heap_len)
        return;
    place(pool, i, last);
    if (i > 0 && before(last, pool->heap[(i - 1) / 2]))
        sift_up(pool, i);
    else
        sift_down(pool, i);
}

st_ev_event *st_ev__heap_top(const st_ev_pool *pool)
{
    return pool->heap_len ? pool->heap[0] : NULL;
}
