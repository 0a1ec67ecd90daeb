/*
 * The event engine's insides, shared by its files (ev_*.c) and nobody else.
 *
 * Where an event is: while pending, on its pool's list for its type, on its
 * IOD's list (I/O events) and in the deadline heap (if it has a timeout);
 * once completed, on the pool's done queue only, until the loop delivers it.
 * An IOD's memory outlives st_ev_iod_delete() until its last event is gone.
 */
#ifndef ST_EV_INTERNAL_H
#define ST_EV_INTERNAL_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ev.h"

/* Interest masks of an IOD in its back end. */
#define ST_EV_WANT_READ  1u
#define ST_EV_WANT_WRITE 2u

enum st_ev_read_kind { ST_EV_READ_LINES, ST_EV_READ_BYTES, ST_EV_READ_ANY };

/* A growable byte buffer: the data to write or the read accumulator. */
struct st_ev_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
    size_t pos; /* bytes already written */
};

struct st_ev_event {
    st_ev_id id;
    enum st_ev_type type;
    enum st_ev_status status;
    int err;
    bool eof;
    st_ev_handler handler;
    void *userdata;
    st_ev_iod *iod;

    long long deadline_ns; /* monotonic; -1: none */
    size_t heap_index;     /* SIZE_MAX: not in the heap */

    enum st_ev_read_kind read_kind;
    int read_num;
    struct st_ev_buf buf;
    struct pcap_pkthdr pcap_hdr;

    /* pool list (pending list of its type, or the done queue) */
    st_ev_event *prev, *next;
    /* the IOD's list of its pending events */
    st_ev_event *iod_prev, *iod_next;
    bool done; /* on the done queue */
};

struct st_ev_list {
    st_ev_event *head, *tail;
    size_t count;
};

struct st_ev_iod {
    st_ev_pool *pool;
    unsigned long id;
    enum st_ev_iod_state state;
    int fd;
    int sock_type; /* SOCK_STREAM / SOCK_DGRAM, 0 for pcap */
    void *userdata;
    unsigned long read_count, write_count;
    struct sockaddr_storage peer, local;
    socklen_t peer_len, local_len;
    bool has_bind;
    struct sockaddr_storage bind;
    socklen_t bind_len;
    char *hostname;
    int connect_errno;

    void *ssl; /* SSL *, during and after the handshake */
    bool ssl_handshaking;
    unsigned ssl_want; /* the back-end interest the handshake/IO needs */

    pcap_t *pcap;

    st_ev_event *ev_head, *ev_tail; /* pending events of this IOD */
    size_t nrefs;                   /* events (pending or queued) naming this IOD */
    bool deleted;

    unsigned watched; /* the interest the back end has now */
    size_t engine_slot;

    st_ev_iod *all_prev, *all_next; /* the pool's list of IODs */
};

/* A back end: epoll or poll. set() changes an IOD's interest (0: remove it
 * from the back end); wait() fills pool->ready and returns its length, or -1
 * with errno. */
struct st_ev_engine {
    const char *name;
    int (*init)(st_ev_pool *pool);
    void (*destroy)(st_ev_pool *pool);
    int (*set)(st_ev_pool *pool, st_ev_iod *iod, unsigned mask);
    int (*wait)(st_ev_pool *pool, int timeout_ms);
};

struct st_ev_ready {
    st_ev_iod *iod;
    unsigned mask; /* ST_EV_WANT_*; errors and hangups count as both */
};

struct st_ev_pool {
    const struct st_ev_engine *engine;
    void *engine_data;
    void *userdata;
    int err;
    bool quit;
    bool deleting;
    int dispatch_depth;

    struct st_ev_list pending[ST_EV_TYPE_MAX];
    struct st_ev_list done;
    st_ev_event **heap; /* min-heap on (deadline, id) */
    size_t heap_len, heap_cap;

    st_ev_iod *iods, *iods_tail; /* in creation order */
    unsigned long next_event_serial;
    unsigned long next_iod_serial;

    struct st_ev_ready *ready;
    size_t ready_cap;

    long long now_ns;
    unsigned long waits;
    FILE *trace;
    long long trace_origin_ns;

    void *ssl_ctx; /* SSL_CTX *, made on the first TLS connect */
};

extern const struct st_ev_engine st_ev_engine_epoll;
extern const struct st_ev_engine st_ev_engine_poll;

/* A zeroed object of `size` bytes for the pool, or NULL: errno ESHUTDOWN
 * while the pool is being deleted (nothing new may start), else ENOMEM. */
void *st_ev__alloc(st_ev_pool *pool, size_t size);

/* ev_pool.c */
void st_ev__refresh(st_ev_pool *pool);
st_ev_event *st_ev__event_new(st_ev_pool *pool, enum st_ev_type type, st_ev_iod *iod,
                              int timeout_ms, st_ev_handler h, void *userdata);
void st_ev__event_free(st_ev_pool *pool, st_ev_event *ev);
/* Adds a new event to the pending lists (and the heap if it has a deadline). */
void st_ev__event_add(st_ev_pool *pool, st_ev_event *ev);
/* Completes a pending (or new) event: off the pending lists, onto the done queue. */
void st_ev__complete(st_ev_pool *pool, st_ev_event *ev, enum st_ev_status status, int err);
/* Unlinks the event from wherever it is and frees it; no handler runs. */
void st_ev__event_drop(st_ev_pool *pool, st_ev_event *ev);
/* Recomputes what the IOD waits for and tells the back end. */
void st_ev__iod_update(st_ev_iod *iod);
void st_ev__iod_unref(st_ev_iod *iod);
int st_ev__ensure_ready(st_ev_pool *pool, size_t n);

/* ev_heap.c */
int st_ev__heap_push(st_ev_pool *pool, st_ev_event *ev);
void st_ev__heap_remove(st_ev_pool *pool, st_ev_event *ev);
st_ev_event *st_ev__heap_top(const st_ev_pool *pool);

/* ev_buf (ev_read.c) */
int st_ev__buf_append(struct st_ev_buf *b, const void *data, size_t len);
int st_ev__buf_reserve(struct st_ev_buf *b, size_t extra);
void st_ev__buf_free(struct st_ev_buf *b);

/* I/O on a ready IOD (ev_connect.c, ev_read.c, ev_write.c, ev_pcap.c, ev_ssl.c) */
void st_ev__connect_ready(st_ev_pool *pool, st_ev_event *ev, unsigned mask);
void st_ev__read_ready(st_ev_pool *pool, st_ev_event *ev);
void st_ev__write_ready(st_ev_pool *pool, st_ev_event *ev);
/* 1 if a frame was read (event completed), 0 if none waits, negative on error. */
int st_ev__pcap_try(st_ev_pool *pool, st_ev_event *ev);
int st_ev__socket_open(st_ev_iod *iod, int family, int type);

int st_ev__ssl_start(st_ev_pool *pool, st_ev_event *ev);
void st_ev__ssl_handshake_step(st_ev_pool *pool, st_ev_event *ev);
/* SSL_read / SSL_write: >0 bytes, 0 EOF, -EAGAIN (sets iod->ssl_want), other -errno. */
long st_ev__ssl_read(st_ev_iod *iod, void *buf, size_t len);
long st_ev__ssl_write(st_ev_iod *iod, const void *buf, size_t len);
void st_ev__ssl_free_iod(st_ev_iod *iod);
void st_ev__ssl_free_pool(st_ev_pool *pool);

/* ev_trace.c: nsock's INFO lines; FUNC is the nsock function name shown. */
void st_ev__trace(st_ev_pool *pool, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void st_ev__trace_callback(st_ev_pool *pool, const st_ev_event *ev);
/* "<addr>:<port>" of the IOD's peer, or "peer unspecified" */
const char *st_ev__peer_str(const st_ev_iod *iod, char *buf, size_t size);
const char *st_ev__addr_str(const struct sockaddr *sa, char *buf, size_t size);

#endif
