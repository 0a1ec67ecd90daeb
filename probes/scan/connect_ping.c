/*
 * The unprivileged connect ping over the event engine (connect_ping.h).
 *
 * Each probe is one IOD with one CONNECT event and one TIMER for its
 * timeout. The timer, not the engine's connect timeout, ends a silent
 * probe, because nmap judges a probe against the timeout in force when it
 * checks, and answers from other hosts shrink that timeout: when it
 * changes, the timers of the probes in flight are set again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "connect_ping.h"
#include "ev.h"
#include "packet.h"
#include "util.h"

struct cping;

struct probe {
    struct cping *cp;
    size_t host;
    unsigned short port;
    st_ev_iod *iod;
    st_ev_id timer;
    struct timespec sent;
    bool immediate;            /* connect() itself gave the result; its line is printed */
    struct probe *next, *prev; /* queue, then the in-flight list */
};

struct host_state {
    int pending; /* probes of the current try not finished */
    bool done;
};

struct cping {
    const struct st_cping_opts *o;
    struct st_cping_host *hosts;
    struct host_state *st;
    size_t n;
    const unsigned short *ports;
    size_t nports;
    st_ev_pool *pool;
    struct timespec origin;
    struct probe *q_head, *q_tail; /* waiting for a socket */
    struct probe *flying;          /* sent */
    size_t nflying, max_parallel;
    /* nmap's congestion window (timing.cc): probes in flight at most; it
     * starts at 10, grows by one per answer (by 1/cwnd past ssthresh) and
     * shrinks by a third when a probe times out */
    double cwnd, ssthresh;
    /* nmap's RTT estimate, in microseconds (timing.cc's adjust_timeouts2) */
    long long srtt, rttvar, timeout_us, min_us, max_us;
    int retry_delay_ms, max_tries;
    int err;
};

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void conn_line(struct cping *cp, const struct probe *p, const char *text)
{
    if (!cp->o->trace)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char ip[INET6_ADDRSTRLEN];
    const struct st_cping_host *h = &cp->hosts[p->host];
    /* nmap -6 glues the port to the bare IPv6 address too */
    if (h->v6)
        inet_ntop(AF_INET6, &h->addr6, ip, sizeof ip);
    else
        inet_ntop(AF_INET, &h->addr, ip, sizeof ip);
    fprintf(cp->o->trace, "CONN (%.4fs) TCP localhost > %s:%u => %s\n", since(&cp->origin, &now),
            ip, p->port, text);
    fflush(cp->o->trace);
}

/* ---- lists */

static void enqueue(struct cping *cp, struct probe *p)
{
    ST_DLIST_APPEND(cp->q_head, cp->q_tail, p, prev, next);
}

static struct probe *dequeue(struct cping *cp)
{
    struct probe *p = cp->q_head;
    if (!p)
        return NULL;
    cp->q_head = p->next;
    if (!cp->q_head)
        cp->q_tail = NULL;
    p->next = p->prev = NULL;
    return p;
}

static void fly(struct cping *cp, struct probe *p)
{
    p->prev = NULL;
    p->next = cp->flying;
    if (cp->flying)
        cp->flying->prev = p;
    cp->flying = p;
    cp->nflying++;
}

static void land(struct cping *cp, struct probe *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        cp->flying = p->next;
    if (p->next)
        p->next->prev = p->prev;
    cp->nflying--;
}

/* ---- timing */

static void on_timeout(st_ev_pool *pool, st_ev_event *ev, void *userdata);

static void arm_timer(struct cping *cp, struct probe *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long left_us = cp->timeout_us - (long long)(since(&p->sent, &now) * 1e6);
    int ms = left_us <= 0 ? 0 : (int)((left_us + 999) / 1000);
    p->timer = st_ev_timer_create(cp->pool, on_timeout, ms, p);
}

/* One answer took DELTA_US: nmap's estimator, then the timers in flight
 * follow the new timeout. */
static void rtt_sample(struct cping *cp, long long delta_us)
{
    if (cp->srtt < 0) {
        cp->srtt = delta_us;
        cp->rttvar = delta_us < 5000 ? 5000 : delta_us > 2000000 ? 2000000 : delta_us;
    } else {
        long long d = delta_us - cp->srtt;
        if (d > 1500000 && d > 3 * cp->srtt + 2 * cp->rttvar)
            return; /* an outlier nmap ignores */
        cp->srtt += d / 8;
        cp->rttvar += ((d < 0 ? -d : d) - cp->rttvar) / 4;
    }
    long long t = cp->srtt + 4 * cp->rttvar;
    t = t < cp->min_us ? cp->min_us : t > cp->max_us ? cp->max_us : t;
    if (t == cp->timeout_us)
        return;
    cp->timeout_us = t;
    for (struct probe *p = cp->flying; p; p = p->next) {
        st_ev_cancel(cp->pool, p->timer, false);
        arm_timer(cp, p);
    }
}

static void cwnd_answer(struct cping *cp)
{
    cp->cwnd += cp->cwnd < cp->ssthresh ? 1.0 : 1.0 / cp->cwnd;
    if (cp->cwnd > (double)cp->max_parallel)
        cp->cwnd = (double)cp->max_parallel;
}

static void cwnd_drop(struct cping *cp)
{
    cp->ssthresh = (double)cp->nflying * 2.0 / 3.0;
    cp->cwnd = cp->cwnd * 2.0 / 3.0 < 1.0 ? 1.0 : cp->cwnd * 2.0 / 3.0;
}

/* ---- probes */

static void pump(struct cping *cp);
static void on_connect(st_ev_pool *pool, st_ev_event *ev, void *userdata);

static int queue_try(struct cping *cp, size_t h, bool reverse)
{
    for (size_t i = 0; i < cp->nports; i++) {
        struct probe *p = calloc(1, sizeof *p);
        if (!p)
            return -ENOMEM;
        p->cp = cp;
        p->host = h;
        p->port = cp->ports[reverse ? cp->nports - 1 - i : i];
        enqueue(cp, p);
        cp->st[h].pending++;
    }
    cp->hosts[h].tries++;
    return 0;
}

/* A probe is over: its socket closes, its timer goes, no handler of it runs again. */
static void finish(struct cping *cp, struct probe *p)
{
    land(cp, p);
    st_ev_cancel(cp->pool, p->timer, false);
    st_ev_iod_delete(p->iod, ST_EV_PENDING_SILENT);
    free(p);
}

static void decide(struct cping *cp, size_t h, struct st_nmap_verdict v, unsigned short port,
                   double latency)
{
    struct st_cping_host *host = &cp->hosts[h];
    cp->st[h].done = true;
    host->up = v.host == ST_NMAP_UP;
    host->reason = v.reason;
    host->port = port;
    host->latency_s = latency;
    /* nmap stops listening to a host once it is decided */
    struct probe *p, *next;
    for (p = cp->flying; p; p = next) {
        next = p->next;
        if (p->host == h)
            finish(cp, p);
    }
}

static void next_try(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    struct probe *marker = userdata; /* carries the host and the cping */
    struct cping *cp = marker->cp;
    if (st_ev_event_status(ev) == ST_EV_SUCCESS) {
        if (queue_try(cp, marker->host, cp->hosts[marker->host].tries % 2 == 1) < 0)
            cp->err = -ENOMEM;
        pump(cp);
    }
    free(marker);
}

/* One probe of host H ended without deciding it. */
static void probe_over(struct cping *cp, size_t h)
{
    struct host_state *s = &cp->st[h];
    if (--s->pending > 0 || s->done)
        return;
    if (cp->hosts[h].tries >= cp->max_tries) {
        decide(cp, h, (struct st_nmap_verdict){ST_NMAP_DOWN, ST_NMAP_NO_RESPONSE}, 0, 0);
        return;
    }
    struct probe *marker = calloc(1, sizeof *marker);
    if (!marker) {
        cp->err = -ENOMEM;
        return;
    }
    marker->cp = cp;
    marker->host = h;
    if (st_ev_timer_create(cp->pool, next_try, cp->retry_delay_ms, marker) < 0) {
        free(marker);
        cp->err = -ENOMEM;
    }
}

static void send_probe(struct cping *cp, struct probe *p)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    memset(&ss, 0, sizeof ss);
    if (cp->hosts[p->host].v6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_addr = cp->hosts[p->host].addr6;
        sslen = sizeof *sin6;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_addr = cp->hosts[p->host].addr;
        sslen = sizeof *sin;
    }
    p->iod = st_ev_iod_new(cp->pool, p);
    clock_gettime(CLOCK_MONOTONIC, &p->sent);
    st_ev_id id = p->iod ? st_ev_connect_tcp(cp->pool, p->iod, on_connect, -1, p,
                                             (struct sockaddr *)&ss, sslen, p->port)
                         : -ENOMEM;
    if (id < 0) {
        cp->err = (int)id;
        st_ev_iod_delete(p->iod, ST_EV_PENDING_SILENT);
        cp->st[p->host].pending--;
        free(p);
        return;
    }
    int e = st_ev_iod_connect_errno(p->iod);
    p->immediate = e != EINPROGRESS;
    conn_line(cp, p, e == 0 ? "Connected" : strerror(e));
    fly(cp, p);
    arm_timer(cp, p);
}

static void pump(struct cping *cp)
{
    while ((double)cp->nflying < cp->cwnd && cp->nflying < cp->max_parallel && cp->q_head &&
           !cp->err) {
        struct probe *p = dequeue(cp);
        if (cp->st[p->host].done)
            free(p);
        else
            send_probe(cp, p);
    }
}

static void on_connect(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    struct probe *p = userdata;
    struct cping *cp = p->cp;
    enum st_ev_status status = st_ev_event_status(ev);
    if (status != ST_EV_SUCCESS && status != ST_EV_ERROR)
        return; /* KILL at the end: the probe is freed by then */
    int err = status == ST_EV_SUCCESS ? 0 : st_ev_event_errno(ev);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double rtt = since(&p->sent, &now);
    if (!p->immediate)
        conn_line(cp, p, err == 0 ? "Connected" : strerror(err));
    rtt_sample(cp, (long long)(rtt * 1e6));
    cwnd_answer(cp);
    size_t h = p->host;
    unsigned short port = p->port;
    finish(cp, p);
    struct st_nmap_verdict v = st_nmap_connect_verdict(err);
    if (v.host != ST_NMAP_NOTHING)
        decide(cp, h, v, port, rtt);
    else
        probe_over(cp, h);
    pump(cp);
}

static void on_timeout(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    if (st_ev_event_status(ev) != ST_EV_SUCCESS)
        return;
    struct probe *p = userdata;
    struct cping *cp = p->cp;
    size_t h = p->host;
    p->timer = 0; /* it is being delivered: nothing to cancel */
    finish(cp, p);
    cwnd_drop(cp);
    probe_over(cp, h);
    pump(cp);
}

static int pick(int v, int dflt)
{
    return v ? v : dflt;
}

int st_connect_ping(struct st_cping_host *hosts, size_t n, const struct st_cping_opts *opts)
{
    static const struct st_cping_opts none;
    struct cping cp = {0};
    cp.o = opts ? opts : &none;
    cp.hosts = hosts;
    cp.n = n;
    cp.ports = cp.o->ports ? cp.o->ports : st_nmap_connect_ports;
    cp.nports = cp.o->ports ? cp.o->nports : ST_NMAP_CONNECT_PORTS_N;
    cp.max_parallel = cp.o->max_parallel ? cp.o->max_parallel : 300;
    cp.srtt = -1;
    cp.cwnd = 10;
    cp.ssthresh = 75;
    cp.timeout_us = (long long)pick(cp.o->initial_rtt_ms, 1000) * 1000;
    cp.min_us = (long long)pick(cp.o->min_rtt_ms, 100) * 1000;
    cp.max_us = (long long)pick(cp.o->max_rtt_ms, 10000) * 1000;
    cp.retry_delay_ms = cp.o->retry_delay_ms < 0 ? 0 : pick(cp.o->retry_delay_ms, 1000);
    cp.max_tries = pick(cp.o->max_tries, 2);
    if (cp.o->origin)
        cp.origin = *cp.o->origin;
    else
        clock_gettime(CLOCK_MONOTONIC, &cp.origin);
    if (n == 0 || cp.nports == 0)
        return 0;

    cp.st = calloc(n, sizeof *cp.st);
    cp.pool = cp.st ? st_ev_pool_new(cp.o->engine, &cp) : NULL;
    if (!cp.pool) {
        free(cp.st);
        return -ENOMEM;
    }
    if (cp.o->event_trace)
        st_ev_pool_set_trace(cp.pool, cp.o->event_trace, &cp.origin);
    for (size_t h = 0; h < n; h++) {
        hosts[h].up = false;
        hosts[h].reason = ST_NMAP_NO_RESPONSE;
        hosts[h].port = 0;
        hosts[h].latency_s = 0;
        hosts[h].tries = 1;
    }
    /* the first try goes out port by port across the hosts, as nmap's does */
    for (size_t i = 0; i < cp.nports && !cp.err; i++) {
        for (size_t h = 0; h < n; h++) {
            struct probe *p = calloc(1, sizeof *p);
            if (!p) {
                cp.err = -ENOMEM;
                break;
            }
            p->cp = &cp;
            p->host = h;
            p->port = cp.ports[i];
            enqueue(&cp, p);
            cp.st[h].pending++;
        }
    }
    pump(&cp);
    if (!cp.err && st_ev_loop(cp.pool, -1) == ST_EV_LOOP_ERROR)
        cp.err = -st_ev_pool_errno(cp.pool);

    while (cp.flying)
        finish(&cp, cp.flying);
    struct probe *p;
    while ((p = dequeue(&cp)))
        free(p);
    st_ev_pool_delete(cp.pool); /* frees what the timers of a next try carried */
    free(cp.st);
    return cp.err;
}
