/*
 * The epoll back end (level-triggered). An IOD is in the epoll set only
 * while it waits for something: errors and hangups are reported even with
 * no interest, so a watched idle socket would wake the loop for nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ev_internal.h"

struct ep_state {
    int epfd;
    size_t registered;
    struct epoll_event *evs;
    size_t cap;
};

static int ep_init(st_ev_pool *pool)
{
    struct ep_state *d = calloc(1, sizeof *d);
    if (!d)
        return -1;
    d->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (d->epfd < 0) {
        free(d);
        return -1;
    }
    pool->engine_data = d;
    return 0;
}

static void ep_destroy(st_ev_pool *pool)
{
    struct ep_state *d = pool->engine_data;
    if (!d)
        return;
    close(d->epfd);
    free(d->evs);
    free(d);
    pool->engine_data = NULL;
}

static int ep_set(st_ev_pool *pool, st_ev_iod *iod, unsigned mask)
{
    struct ep_state *d = pool->engine_data;
    struct epoll_event e = {0};
    e.data.ptr = iod;
    if (mask & ST_EV_WANT_READ)
        e.events |= EPOLLIN | EPOLLPRI;
    if (mask & ST_EV_WANT_WRITE)
        e.events |= EPOLLOUT;
    int op = mask == 0 ? EPOLL_CTL_DEL : iod->watched == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(d->epfd, op, iod->fd, &e) < 0)
        return -errno;
    if (op == EPOLL_CTL_ADD)
        d->registered++;
    else if (op == EPOLL_CTL_DEL)
        d->registered--;
    return 0;
}

static int ep_wait(st_ev_pool *pool, int timeout_ms)
{
    struct ep_state *d = pool->engine_data;
    size_t want = d->registered < 64 ? 64 : d->registered;
    if (want > d->cap) {
        struct epoll_event *evs = realloc(d->evs, want * sizeof *evs);
        if (!evs)
            return -1;
        d->evs = evs;
        d->cap = want;
    }
    if (st_ev__ensure_ready(pool, d->cap) < 0) {
        errno = ENOMEM;
        return -1;
    }
    int n = epoll_wait(d->epfd, d->evs, (int)d->cap, timeout_ms);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        unsigned m = 0, ev = d->evs[i].events;
        if (ev & (EPOLLIN | EPOLLPRI))
            m |= ST_EV_WANT_READ;
        if (ev & EPOLLOUT)
            m |= ST_EV_WANT_WRITE;
        if (ev & (EPOLLERR | EPOLLHUP))
            m |= ST_EV_WANT_READ | ST_EV_WANT_WRITE;
        pool->ready[i].iod = d->evs[i].data.ptr;
        pool->ready[i].mask = m;
    }
    return n;
}

const struct st_ev_engine st_ev_engine_epoll = {
    .name = "epoll",
    .init = ep_init,
    .destroy = ep_destroy,
    .set = ep_set,
    .wait = ep_wait,
};
