/*
 * The pool: event bookkeeping, the loop, delivery, cancellation, deletion.
 *
 * The loop waits in the back end until the nearest deadline (the top of the
 * heap), lets the I/O files complete what became ready, expires what timed
 * out, and then delivers the done queue in completion order. Requests only
 * ever queue completions, so a handler never runs inside the call that
 * created its event.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev_internal.h"
#include "util.h"

static const struct st_ev_engine *const engines[] = {&st_ev_engine_epoll, &st_ev_engine_poll};
#define N_ENGINES (sizeof engines / sizeof engines[0])
static const struct st_ev_engine *default_engine = &st_ev_engine_epoll;

static const struct st_ev_engine *find_engine(const char *name)
{
    for (size_t i = 0; i < N_ENGINES; i++)
        if (!strcmp(engines[i]->name, name))
            return engines[i];
    return NULL;
}

int st_ev_set_default_engine(const char *name)
{
    const struct st_ev_engine *e = name ? find_engine(name) : NULL;
    if (!e)
        return -EINVAL;
    default_engine = e;
    return 0;
}

const char *st_ev_default_engine(void)
{
    return default_engine->name;
}

const char *st_ev_engine_list(void)
{
    return "epoll,poll";
}

/* Deadlines are kept in nanoseconds so that a wait rounded up to whole
 * milliseconds always ends at or after the deadline (no spinning). */
static long long clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void st_ev__refresh(st_ev_pool *pool)
{
    pool->now_ns = clock_ns();
}

long long st_ev_now_ms(const st_ev_pool *pool)
{
    return pool->now_ns / 1000000;
}

st_ev_pool *st_ev_pool_new(const char *engine, void *userdata)
{
    const struct st_ev_engine *e = engine ? find_engine(engine) : default_engine;
    if (!e) {
        errno = EINVAL;
        return NULL;
    }
    st_ev_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->engine = e;
    pool->userdata = userdata;
    pool->next_event_serial = 1;
    pool->next_iod_serial = 1;
    st_ev__refresh(pool);
    pool->trace_origin_ns = pool->now_ns;
    if (e->init(pool) < 0) {
        int saved = errno;
        free(pool);
        errno = saved;
        return NULL;
    }
    return pool;
}

const char *st_ev_pool_engine(const st_ev_pool *pool)
{
    return pool->engine->name;
}

void *st_ev_pool_userdata(const st_ev_pool *pool)
{
    return pool->userdata;
}

int st_ev_pool_errno(const st_ev_pool *pool)
{
    return pool->err;
}

void st_ev_pool_set_trace(st_ev_pool *pool, FILE *out, const struct timespec *origin)
{
    pool->trace = out;
    if (origin)
        pool->trace_origin_ns = (long long)origin->tv_sec * 1000000000LL + origin->tv_nsec;
}

/* ------------------------------------------------------------------ lists */

static void list_append(struct st_ev_list *l, st_ev_event *ev)
{
    ST_DLIST_APPEND(l->head, l->tail, ev, prev, next);
    l->count++;
}

static void list_remove(struct st_ev_list *l, st_ev_event *ev)
{
    ST_DLIST_UNLINK(l->head, l->tail, ev, prev, next);
    l->count--;
}

static void iod_list_remove(st_ev_iod *iod, st_ev_event *ev)
{
    ST_DLIST_UNLINK(iod->ev_head, iod->ev_tail, ev, iod_prev, iod_next);
}

unsigned long st_ev_pool_waits(const st_ev_pool *pool)
{
    return pool->waits;
}

size_t st_ev_pool_pending(const st_ev_pool *pool)
{
    size_t n = pool->done.count;
    for (int t = 0; t < ST_EV_TYPE_MAX; t++)
        n += pool->pending[t].count;
    return n;
}

/* ------------------------------------------------------------------ events */

void *st_ev__alloc(st_ev_pool *pool, size_t size)
{
    if (pool->deleting) {
        errno = ESHUTDOWN;
        return NULL;
    }
    return calloc(1, size);
}

st_ev_event *st_ev__event_new(st_ev_pool *pool, enum st_ev_type type, st_ev_iod *iod,
                              int timeout_ms, st_ev_handler h, void *userdata)
{
    st_ev_event *ev = st_ev__alloc(pool, sizeof *ev);
    if (!ev)
        return NULL;
    st_ev__refresh(pool);
    ev->id = (st_ev_id)((pool->next_event_serial++ << ST_EV_TYPE_BITS) | (unsigned long)type);
    ev->type = type;
    ev->handler = h;
    ev->userdata = userdata;
    ev->iod = iod;
    ev->heap_index = SIZE_MAX;
    ev->deadline_ns = timeout_ms >= 0 ? pool->now_ns + (long long)timeout_ms * 1000000 : -1;
    if (iod)
        iod->nrefs++;
    return ev;
}

void st_ev__event_free(st_ev_pool *pool, st_ev_event *ev)
{
    (void)pool;
    st_ev__buf_free(&ev->buf);
    if (ev->iod)
        st_ev__iod_unref(ev->iod);
    free(ev);
}

void st_ev__event_add(st_ev_pool *pool, st_ev_event *ev)
{
    list_append(&pool->pending[ev->type], ev);
    if (ev->iod) {
        st_ev_iod *iod = ev->iod;
        ST_DLIST_APPEND(iod->ev_head, iod->ev_tail, ev, iod_prev, iod_next);
    }
    if (ev->deadline_ns >= 0 && st_ev__heap_push(pool, ev) < 0)
        ev->deadline_ns = -1; /* out of memory: the event waits without a timeout */
    if (ev->iod)
        st_ev__iod_update(ev->iod);
}

/* Off the pending list, the IOD's list and the heap (if it is on them). */
static void event_unlink(st_ev_pool *pool, st_ev_event *ev)
{
    if (ev->done) {
        list_remove(&pool->done, ev);
        ev->done = false;
        return;
    }
    bool listed = pool->pending[ev->type].head == ev || ev->prev;
    if (listed)
        list_remove(&pool->pending[ev->type], ev);
    if (ev->iod && (ev->iod->ev_head == ev || ev->iod_prev))
        iod_list_remove(ev->iod, ev);
    if (ev->heap_index != SIZE_MAX)
        st_ev__heap_remove(pool, ev);
}

void st_ev__complete(st_ev_pool *pool, st_ev_event *ev, enum st_ev_status status, int err)
{
    event_unlink(pool, ev);
    ev->status = status;
    ev->err = status == ST_EV_ERROR ? err : 0;
    ev->done = true;
    list_append(&pool->done, ev);
    if (ev->iod && !ev->iod->deleted)
        st_ev__iod_update(ev->iod);
}

/* ------------------------------------------------------------------ interest */

static bool iod_ssl_connect_pending(const st_ev_iod *iod)
{
    for (const st_ev_event *e = iod->ev_head; e; e = e->iod_next)
        if (e->type == ST_EV_CONNECT_SSL)
            return true;
    return false;
}

void st_ev__iod_update(st_ev_iod *iod)
{
    unsigned want = 0;
    if (iod->deleted || iod->fd < 0)
        return;
    bool ssl_connecting = iod_ssl_connect_pending(iod);
    for (const st_ev_event *e = iod->ev_head; e; e = e->iod_next) {
        switch (e->type) {
        case ST_EV_CONNECT:
            want |= ST_EV_WANT_WRITE;
            break;
        case ST_EV_CONNECT_SSL:
            want |= iod->ssl_handshaking ? iod->ssl_want : ST_EV_WANT_WRITE;
            break;
        case ST_EV_READ:
        case ST_EV_PCAP_READ:
            if (!ssl_connecting)
                want |= ST_EV_WANT_READ;
            break;
        case ST_EV_WRITE:
            if (!ssl_connecting)
                want |= ST_EV_WANT_WRITE;
            break;
        default:
            break;
        }
    }
    if (want != iod->watched && iod->pool->engine->set(iod->pool, iod, want) == 0)
        iod->watched = want;
}

int st_ev__ensure_ready(st_ev_pool *pool, size_t n)
{
    if (n <= pool->ready_cap)
        return 0;
    size_t cap = pool->ready_cap ? pool->ready_cap : 64;
    while (cap < n)
        cap *= 2;
    struct st_ev_ready *r = realloc(pool->ready, cap * sizeof *r);
    if (!r)
        return -ENOMEM;
    pool->ready = r;
    pool->ready_cap = cap;
    return 0;
}

/* ------------------------------------------------------------------ the loop */

/* The first pending event of TYPE on the IOD (only the oldest read or write
 * of an IOD is worked on, so data arrives in request order). */
static st_ev_event *first_of(st_ev_iod *iod, enum st_ev_type type)
{
    for (st_ev_event *e = iod->ev_head; e; e = e->iod_next)
        if (e->type == type)
            return e;
    return NULL;
}

static void iod_ready(st_ev_pool *pool, st_ev_iod *iod, unsigned mask)
{
    st_ev_event *e, *next;
    for (e = iod->ev_head; e; e = next) {
        next = e->iod_next;
        if (e->type == ST_EV_CONNECT || e->type == ST_EV_CONNECT_SSL)
            st_ev__connect_ready(pool, e, mask);
    }
    if (iod->deleted || iod_ssl_connect_pending(iod))
        goto out;
    if ((mask & ST_EV_WANT_READ) && (e = first_of(iod, ST_EV_READ)))
        st_ev__read_ready(pool, e);
    if ((mask & ST_EV_WANT_WRITE) && (e = first_of(iod, ST_EV_WRITE)))
        st_ev__write_ready(pool, e);
    if ((mask & ST_EV_WANT_READ) && (e = first_of(iod, ST_EV_PCAP_READ)))
        st_ev__pcap_try(pool, e);
out:
    st_ev__iod_update(iod);
}

/* libpcap can hold frames in its own buffer that no longer make the
 * descriptor readable, so pending captures are polled before each wait.
 * Returns whether one completed. */
static bool pcap_prepoll(st_ev_pool *pool)
{
    bool any = false;
    st_ev_event *e, *next;
    for (e = pool->pending[ST_EV_PCAP_READ].head; e; e = next) {
        next = e->next;
        if (first_of(e->iod, ST_EV_PCAP_READ) == e && st_ev__pcap_try(pool, e) == 1)
            any = true;
    }
    return any;
}

static void expire(st_ev_pool *pool)
{
    st_ev_event *ev;
    while ((ev = st_ev__heap_top(pool)) && ev->deadline_ns <= pool->now_ns) {
        if (ev->type == ST_EV_TIMER || (ev->type == ST_EV_READ && ev->buf.len > 0))
            st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
        else
            st_ev__complete(pool, ev, ST_EV_TIMEOUT, 0);
    }
}

static void deliver(st_ev_pool *pool)
{
    st_ev_event *ev;
    while (!pool->quit && (ev = pool->done.head)) {
        list_remove(&pool->done, ev);
        ev->done = false;
        st_ev__trace_callback(pool, ev);
        pool->dispatch_depth++;
        if (ev->handler)
            ev->handler(pool, ev, ev->userdata);
        pool->dispatch_depth--;
        st_ev__event_free(pool, ev);
    }
}

static int wait_ms(const st_ev_pool *pool, long long end)
{
    long long until = -1;
    st_ev_event *top = st_ev__heap_top(pool);
    if (top)
        until = top->deadline_ns;
    if (end >= 0 && (until < 0 || end < until))
        until = end;
    if (until < 0)
        return -1;
    long long ns = until - pool->now_ns;
    if (ns <= 0)
        return 0;
    long long ms = (ns + 999999) / 1000000;
    return ms > 1000000 ? 1000000 : (int)ms;
}

enum st_ev_loop_result st_ev_loop(st_ev_pool *pool, int timeout_ms)
{
    st_ev__refresh(pool);
    long long end = timeout_ms >= 0 ? pool->now_ns + (long long)timeout_ms * 1000000 : -1;
    pool->quit = false;
    for (;;) {
        deliver(pool);
        if (pool->quit)
            return ST_EV_LOOP_QUIT;
        if (st_ev_pool_pending(pool) == 0)
            return ST_EV_LOOP_NOEVENTS;
        bool got = pcap_prepoll(pool);
        pool->waits++;
        int n = pool->engine->wait(pool, got ? 0 : wait_ms(pool, end));
        if (n < 0) {
            if (errno != EINTR) {
                pool->err = errno;
                return ST_EV_LOOP_ERROR;
            }
            n = 0;
        }
        st_ev__refresh(pool);
        for (int i = 0; i < n; i++)
            iod_ready(pool, pool->ready[i].iod, pool->ready[i].mask);
        expire(pool);
        deliver(pool);
        if (pool->quit)
            return ST_EV_LOOP_QUIT;
        if (end >= 0 && pool->now_ns >= end)
            return ST_EV_LOOP_TIMEOUT;
    }
}

void st_ev_loop_quit(st_ev_pool *pool)
{
    pool->quit = true;
}

/* ------------------------------------------------------------------ cancel, delete */

int st_ev_cancel(st_ev_pool *pool, st_ev_id id, bool notify)
{
    if (id <= 0)
        return -EINVAL;
    unsigned type = (unsigned)id & ((1u << ST_EV_TYPE_BITS) - 1);
    if (type >= ST_EV_TYPE_MAX)
        return -EINVAL;
    st_ev_event *ev;
    for (ev = pool->pending[type].head; ev; ev = ev->next)
        if (ev->id == id)
            break;
    if (!ev)
        return -ENOENT;
    st_ev__trace(pool, "nsock_event_cancel", "Event #%li (type %s) cancelled", ev->id,
                 st_ev_type_str(ev->type));
    if (notify) {
        st_ev__complete(pool, ev, ST_EV_CANCELLED, 0);
        return 0;
    }
    st_ev__event_drop(pool, ev);
    return 0;
}

void st_ev__event_drop(st_ev_pool *pool, st_ev_event *ev)
{
    st_ev_iod *iod = ev->iod;
    event_unlink(pool, ev);
    if (iod)
        iod->nrefs++; /* keep it while we update it */
    st_ev__event_free(pool, ev);
    if (iod) {
        st_ev__iod_update(iod);
        st_ev__iod_unref(iod);
    }
}

void st_ev_pool_delete(st_ev_pool *pool)
{
    if (!pool)
        return;
    pool->deleting = true;
    pool->quit = false;
    /* Everything undelivered ends as KILL, in id order per type. */
    for (int t = 0; t < ST_EV_TYPE_MAX; t++)
        while (pool->pending[t].head)
            st_ev__complete(pool, pool->pending[t].head, ST_EV_KILL, 0);
    for (st_ev_event *e = pool->done.head; e; e = e->next) {
        e->status = ST_EV_KILL;
        e->err = 0;
    }
    /* every one of them, even if a handler asks the loop to quit */
    while (pool->done.head) {
        pool->quit = false;
        deliver(pool);
    }
    while (pool->iods) {
        st_ev_iod *iod = pool->iods;
        iod->nrefs++;
        st_ev_iod_delete(iod, ST_EV_PENDING_SILENT);
        iod->nrefs = 1;
        st_ev__iod_unref(iod);
    }
    pool->engine->destroy(pool);
    st_ev__ssl_free_pool(pool);
    free(pool->heap);
    free(pool->ready);
    free(pool);
}

/* ------------------------------------------------------------------ strings */

const char *st_ev_type_str(enum st_ev_type type)
{
    static const char *const names[] = {"CONNECT", "SSL-CONNECT", "READ",
                                        "WRITE",   "TIMER",       "READ-PCAP"};
    return (unsigned)type < ST_EV_TYPE_MAX ? names[type] : "UNKNOWN!";
}

const char *st_ev_status_str(enum st_ev_status status)
{
    static const char *const names[] = {"NONE",      "SUCCESS", "ERROR", "TIMEOUT",
                                        "CANCELLED", "KILL",    "EOF"};
    return (unsigned)status <= ST_EV_EOF ? names[status] : "UNKNOWN!";
}
