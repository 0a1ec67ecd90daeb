/*
 * Reverse DNS over the event engine (rdns.h).
 *
 * Queries carry consecutive ids from a random base, so an answer finds its
 * query by subtraction and a stale or foreign answer (an id not in flight)
 * is dropped. A query's read timeout is a TIMER event armed when its write
 * is issued; when it fires the query goes to the next server, until the
 * tries run out.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "ev.h"
#include "rdns.h"

#define CAPACITY_MIN  10
#define CAPACITY_MAX  200
#define CAPACITY_UP   2
#define WRITE_TIMEOUT 100
#define MAX_QUERIES   65536

static const int timeouts_1[] = {4000, 4000, 5000};
static const int timeouts_2[] = {2500, 4000};
static const int timeouts_3[] = {2500, 3000};

struct rdns;

struct server {
    struct rdns *r;
    st_ev_iod *iod;
    size_t in_flight;
    double capacity;
};

struct req {
    struct rdns *r;
    size_t server; /* where its current try went */
    st_ev_id timer;
    bool flying;
    struct req *next; /* the queue of queries waiting for a slot */
};

struct rdns {
    struct st_rdns_query *q;
    struct req *req;
    size_t n, left;
    struct server *servers;
    size_t nservers;
    const int *timeouts;
    size_t ntimeouts;
    uint16_t id_base;
    st_ev_pool *pool;
    struct req *wait_head, *wait_tail;
    int err;
};

const char *st_rdns_status_str(enum st_rdns_status status)
{
    static const char *const names[] = {"pending", "ok", "nxdomain", "noname", "timeout"};
    return (unsigned)status <= ST_RDNS_TIMEOUT ? names[status] : "?";
}

static size_t index_of(const struct rdns *r, const struct req *rq)
{
    return (size_t)(rq - r->req);
}

static void wait_push(struct rdns *r, struct req *rq)
{
    rq->next = NULL;
    if (r->wait_tail)
        r->wait_tail->next = rq;
    else
        r->wait_head = rq;
    r->wait_tail = rq;
}

static struct req *wait_pop(struct rdns *r)
{
    struct req *rq = r->wait_head;
    if (rq) {
        r->wait_head = rq->next;
        if (!r->wait_head)
            r->wait_tail = NULL;
    }
    return rq;
}

static void on_timeout(st_ev_pool *pool, st_ev_event *ev, void *userdata);
static void pump(struct rdns *r);

/* The server for try T of query I: spread the first tries, then move on. */
static size_t server_for(const struct rdns *r, size_t i, int t)
{
    return (i + (size_t)t) % r->nservers;
}

/* The name a query asks: in-addr.arpa, or ip6.arpa for an IPv6 address. */
static void query_name(const struct st_rdns_query *q, char out[ST_DNS_NAME_MAX])
{
    if (q->v6)
        st_dns_ptr_name6(&q->addr6, out);
    else
        st_dns_ptr_name(q->addr, out);
}

static void send_query(struct rdns *r, struct req *rq)
{
    size_t i = index_of(r, rq);
    struct st_rdns_query *q = &r->q[i];
    struct server *s = &r->servers[rq->server];
    uint8_t msg[ST_DNS_MAX_MSG];
    char name[ST_DNS_NAME_MAX];
    query_name(q, name);
    int len = st_dns_build_ptr_query_name((uint16_t)(r->id_base + i), name, msg, sizeof msg);
    q->tries++;
    rq->flying = true;
    s->in_flight++;
    /* the write's own result matters little: a lost query simply times out */
    if (len < 0 || st_ev_write(r->pool, s->iod, NULL, WRITE_TIMEOUT, NULL, msg, len) < 0 ||
        (rq->timer = st_ev_timer_create(r->pool, on_timeout, r->timeouts[q->tries - 1], rq)) < 0)
        r->err = -ENOMEM;
}

/* Query I is over with STATUS. */
static void settle(struct rdns *r, struct req *rq, enum st_rdns_status status)
{
    struct st_rdns_query *q = &r->q[index_of(r, rq)];
    q->status = status;
    if (rq->flying) {
        r->servers[rq->server].in_flight--;
        rq->flying = false;
    }
    r->left--;
}

static void pump(struct rdns *r)
{
    size_t tries = r->nservers;
    while (r->wait_head && !r->err && tries) {
        struct req *rq = r->wait_head;
        struct server *s = &r->servers[rq->server];
        if ((double)s->in_flight >= s->capacity) {
            /* full: rotate to the next server with room, if any */
            size_t k;
            for (k = 1; k < r->nservers; k++) {
                struct server *o = &r->servers[(rq->server + k) % r->nservers];
                if ((double)o->in_flight < o->capacity)
                    break;
            }
            if (k == r->nservers)
                return; /* every server is full: wait for answers or timeouts */
            rq->server = (rq->server + k) % r->nservers;
            tries--;
            continue;
        }
        wait_pop(r);
        send_query(r, rq);
        tries = r->nservers;
    }
    if (r->left == 0) {
        for (size_t k = 0; k < r->nservers; k++) {
            st_ev_iod_delete(r->servers[k].iod, ST_EV_PENDING_SILENT);
            r->servers[k].iod = NULL;
        }
    }
}

static void on_timeout(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    if (st_ev_event_status(ev) != ST_EV_SUCCESS)
        return;
    struct req *rq = userdata;
    struct rdns *r = rq->r;
    struct st_rdns_query *q = &r->q[index_of(r, rq)];
    struct server *s = &r->servers[rq->server];
    rq->timer = 0;
    s->in_flight--;
    rq->flying = false;
    s->capacity = s->capacity * 0.9 < CAPACITY_MIN ? CAPACITY_MIN : s->capacity * 0.9;
    if ((size_t)q->tries >= r->ntimeouts) {
        q->status = ST_RDNS_TIMEOUT;
        r->left--;
    } else {
        rq->server = server_for(r, index_of(r, rq), q->tries);
        wait_push(r, rq);
    }
    pump(r);
}

static void on_read(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    struct server *s = userdata;
    struct rdns *r = s->r;
    enum st_ev_status status = st_ev_event_status(ev);
    if (status == ST_EV_SUCCESS) {
        size_t len;
        const uint8_t *msg = (const uint8_t *)st_ev_event_readbuf(ev, &len);
        struct st_dns_reply reply;
        size_t i;
        if (st_dns_parse_reply(msg, len, &reply) == 0 &&
            (i = (uint16_t)(reply.id - r->id_base)) < r->n && r->req[i].flying) {
            struct req *rq = &r->req[i];
            struct st_rdns_query *q = &r->q[i];
            char want[ST_DNS_NAME_MAX];
            query_name(q, want);
            if (!strcasecmp(want, reply.qname)) {
                st_ev_cancel(pool, rq->timer, false);
                struct server *from = &r->servers[rq->server];
                from->capacity += CAPACITY_UP;
                if (from->capacity > CAPACITY_MAX)
                    from->capacity = CAPACITY_MAX;
                q->rcode = reply.rcode;
                if (reply.has_ptr) {
                    memcpy(q->name, reply.ptr, sizeof q->name);
                    settle(r, rq, ST_RDNS_OK);
                } else {
                    settle(r, rq,
                           reply.rcode == ST_DNS_RCODE_NXDOMAIN ? ST_RDNS_NXDOMAIN
                                                                : ST_RDNS_NONAME);
                }
            }
        }
    }
    /* Always read on, as nmap_dns does (so its last read is the one the
     * IOD's deletion drops). A refused port (ICMP) or a foreign datagram
     * ends only this read: the queries on the socket time out and move on. */
    if ((status == ST_EV_SUCCESS || status == ST_EV_ERROR) && s->iod)
        st_ev_read(pool, s->iod, on_read, -1, s);
    pump(r);
}

static int start(struct rdns *r, const struct st_rdns_opts *o)
{
    for (size_t k = 0; k < r->nservers; k++) {
        struct server *s = &r->servers[k];
        struct sockaddr_in sin = o->servers[k];
        unsigned short port = ntohs(sin.sin_port) ? ntohs(sin.sin_port) : 53;
        s->r = r;
        s->capacity = CAPACITY_MIN;
        s->iod = st_ev_iod_new(r->pool, s);
        if (!s->iod)
            return -ENOMEM;
        /* as nmap_dns does: the connect, then a standing read, then the writes */
        if (st_ev_connect_udp(r->pool, s->iod, NULL, NULL, (struct sockaddr *)&sin, sizeof sin,
                              port) < 0 ||
            st_ev_read(r->pool, s->iod, on_read, -1, s) < 0)
            return -ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        r->req[i].r = r;
        r->req[i].server = server_for(r, i, 0);
        wait_push(r, &r->req[i]);
    }
    pump(r);
    return r->err;
}

int st_rdns_resolve(struct st_rdns_query *q, size_t n, const struct st_rdns_opts *opts)
{
    if (!opts || !opts->servers || opts->nservers == 0 || n > MAX_QUERIES)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        q[i].status = ST_RDNS_PENDING;
        q[i].name[0] = '\0';
        q[i].tries = 0;
        q[i].rcode = -1;
    }
    if (n == 0)
        return 0;
    struct rdns r = {0};
    r.q = q;
    r.n = r.left = n;
    r.nservers = opts->nservers;
    if (opts->timeouts_ms && opts->ntimeouts) {
        r.timeouts = opts->timeouts_ms;
        r.ntimeouts = opts->ntimeouts;
    } else if (r.nservers == 1) {
        r.timeouts = timeouts_1;
        r.ntimeouts = 3;
    } else {
        r.timeouts = r.nservers == 2 ? timeouts_2 : timeouts_3;
        r.ntimeouts = 2;
    }
    if (getrandom(&r.id_base, sizeof r.id_base, 0) != sizeof r.id_base)
        r.id_base = (uint16_t)(uintptr_t)&r;
    r.req = calloc(n, sizeof *r.req);
    r.servers = calloc(r.nservers, sizeof *r.servers);
    r.pool = r.req && r.servers ? st_ev_pool_new(opts->engine, &r) : NULL;
    int rc = -ENOMEM;
    if (r.pool) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (opts->event_trace)
            st_ev_pool_set_trace(r.pool, opts->event_trace, opts->origin ? opts->origin : &now);
        rc = start(&r, opts);
        if (rc == 0 && st_ev_loop(r.pool, -1) == ST_EV_LOOP_ERROR)
            rc = -st_ev_pool_errno(r.pool);
        if (rc == 0)
            rc = r.err;
        st_ev_pool_delete(r.pool);
    }
    free(r.req);
    free(r.servers);
    return rc;
}
