/*
 * The poll(2) back end: a dense pollfd array of the IODs that wait for
 * something, each IOD remembering its slot so that removal is a swap with
 * the last entry.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "ev_internal.h"

struct poll_data {
    struct pollfd *fds;
    st_ev_iod **iods;
    size_t n, cap;
};

static int pl_init(st_ev_pool *pool)
{
    struct poll_data *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    pool->engine_data = d;
    return 0;
}

static void pl_destroy(st_ev_pool *pool)
{
    struct poll_data *d = pool->engine_data;
    if (!d)
        return;
    free(d->fds);
    free(d->iods);
    free(d);
    pool->engine_data = NULL;
}

static short poll_events(unsigned mask)
{
    short e = 0;
    if (mask & ST_EV_WANT_READ)
        e |= POLLIN | POLLPRI;
    if (mask & ST_EV_WANT_WRITE)
        e |= POLLOUT;
    return e;
}

static int pl_set(st_ev_pool *pool, st_ev_iod *iod, unsigned mask)
{
    struct poll_data *d = pool->engine_data;
    if (iod->watched == 0) {
        if (mask == 0)
            return 0;
        if (d->n == d->cap) {
            size_t cap = d->cap ? d->cap * 2 : 64;
            struct pollfd *fds = realloc(d->fds, cap * sizeof *fds);
            if (!fds)
                return -ENOMEM;
            d->fds = fds;
            st_ev_iod **iods = realloc(d->iods, cap * sizeof *iods);
            if (!iods)
                return -ENOMEM;
            d->iods = iods;
            d->cap = cap;
        }
        iod->engine_slot = d->n++;
    } else if (mask == 0) {
        size_t i = iod->engine_slot, last = --d->n;
        if (i != last) {
            d->fds[i] = d->fds[last];
            d->iods[i] = d->iods[last];
            d->iods[i]->engine_slot = i;
        }
        return 0;
    }
    struct pollfd *p = &d->fds[iod->engine_slot];
    p->fd = iod->fd;
    p->events = poll_events(mask);
    p->revents = 0;
    d->iods[iod->engine_slot] = iod;
    return 0;
}

static int pl_wait(st_ev_pool *pool, int timeout_ms)
{
    struct poll_data *d = pool->engine_data;
    if (st_ev__ensure_ready(pool, d->n ? d->n : 1) < 0) {
        errno = ENOMEM;
        return -1;
    }
    int rc = poll(d->fds, d->n, timeout_ms);
    if (rc <= 0)
        return rc;
    int k = 0;
    for (size_t i = 0; i < d->n; i++) {
        short re = d->fds[i].revents;
        if (!re)
            continue;
        unsigned m = 0;
        if (re & (POLLIN | POLLPRI))
            m |= ST_EV_WANT_READ;
        if (re & POLLOUT)
            m |= ST_EV_WANT_WRITE;
        if (re & (POLLERR | POLLHUP | POLLNVAL))
            m |= ST_EV_WANT_READ | ST_EV_WANT_WRITE;
        pool->ready[k].iod = d->iods[i];
        pool->ready[k].mask = m;
        k++;
    }
    return k;
}

const struct st_ev_engine st_ev_engine_poll = {
    .name = "poll",
    .init = pl_init,
    .destroy = pl_destroy,
    .set = pl_set,
    .wait = pl_wait,
};
