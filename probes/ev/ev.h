/*
 * The event engine: an nsock-shaped event loop for the probes that need
 * sockets (unprivileged connect pings, reverse DNS, TLS) and capture handles.
 *
 * A pool holds every pending event; an IOD wraps one socket or pcap handle;
 * a request (connect, read, write, timer, pcap read) creates an event and
 * returns its id. The handler of an event is called exactly once, always from
 * st_ev_loop() (or from st_ev_pool_delete() with KILL), never from inside the
 * call that created it: completions that are known at once are queued.
 *
 * Errors: requests that cannot even be queued (bad state, bad argument, no
 * memory) return a negative errno and call nothing; failures of the system
 * calls behind a request (socket, connect, send) complete the event with
 * ST_EV_ERROR and the errno, delivered by the loop like any other result.
 *
 * Event ids are (serial << 3) | type with serials from 1, as nsock's are, so
 * the first CONNECT is EID 8, a READ after it 18, a WRITE after that 27.
 */
#ifndef ST_EV_H
#define ST_EV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

struct pcap;
struct pcap_pkthdr;

typedef struct st_ev_pool st_ev_pool;
typedef struct st_ev_iod st_ev_iod;
typedef struct st_ev_event st_ev_event;
typedef long st_ev_id; /* > 0: an event id; < 0: -errno of a refused request */

typedef void (*st_ev_handler)(st_ev_pool *pool, st_ev_event *ev, void *userdata);

enum st_ev_type {
    ST_EV_CONNECT = 0,
    ST_EV_CONNECT_SSL = 1,
    ST_EV_READ = 2,
    ST_EV_WRITE = 3,
    ST_EV_TIMER = 4,
    ST_EV_PCAP_READ = 5,
    ST_EV_TYPE_MAX = 6,
};
#define ST_EV_TYPE_BITS 3

enum st_ev_status {
    ST_EV_NONE = 0, /* still pending */
    ST_EV_SUCCESS,
    ST_EV_ERROR,     /* st_ev_event_errno() says which */
    ST_EV_TIMEOUT,   /* the request's timeout passed first */
    ST_EV_CANCELLED, /* st_ev_cancel() with notify, or an IOD deleted with ST_EV_PENDING_CANCEL */
    ST_EV_KILL,      /* the IOD or the pool was deleted while the event was pending */
    ST_EV_EOF,       /* the peer closed before any data came */
};

enum st_ev_iod_state {
    ST_EV_IOD_DELETED = 0,
    ST_EV_IOD_INITIAL,       /* no socket yet */
    ST_EV_IOD_UNKNOWN,       /* a socket handed in by the caller, or a connect under way */
    ST_EV_IOD_CONNECTED_TCP, /* (also after a TLS handshake) */
    ST_EV_IOD_CONNECTED_UDP,
    ST_EV_IOD_PCAP,
};

/* What st_ev_iod_delete() does with the IOD's pending events. */
enum st_ev_pending {
    ST_EV_PENDING_KILL,   /* each handler gets ST_EV_KILL (from the loop) */
    ST_EV_PENDING_CANCEL, /* each handler gets ST_EV_CANCELLED (from the loop) */
    ST_EV_PENDING_SILENT, /* dropped; no handler is called */
};

enum st_ev_loop_result {
    ST_EV_LOOP_NOEVENTS = 2, /* nothing pending any more (nsock's value) */
    ST_EV_LOOP_TIMEOUT,
    ST_EV_LOOP_ERROR, /* the back end failed; st_ev_pool_errno() */
    ST_EV_LOOP_QUIT,  /* a handler called st_ev_loop_quit() */
};

/* ---- engines (back ends) */

/* The engine new pools use when st_ev_pool_new() gets NULL: "epoll" unless
 * changed. Returns 0, or -EINVAL for an unknown name. */
int st_ev_set_default_engine(const char *name);
const char *st_ev_default_engine(void);
/* "epoll,poll": the names --event-engine accepts. */
const char *st_ev_engine_list(void);

/* ---- pool */

/* A new pool on ENGINE (NULL: the default). NULL with errno set on failure
 * (EINVAL: unknown engine). */
st_ev_pool *st_ev_pool_new(const char *engine, void *userdata);
/* Delivers ST_EV_KILL to every event still pending or queued, then frees the
 * pool, its IODs (closing their sockets: pcap handles on threads of their own,
 * st_closer_wait() waits for them) and their events. Not from a handler. */
void st_ev_pool_delete(st_ev_pool *pool);
const char *st_ev_pool_engine(const st_ev_pool *pool);
void *st_ev_pool_userdata(const st_ev_pool *pool);
int st_ev_pool_errno(const st_ev_pool *pool);
/* Number of events pending or completed but not yet delivered. */
size_t st_ev_pool_pending(const st_ev_pool *pool);
/* How many times the loop has waited in the back end (a busy loop would
 * show as a large count). */
unsigned long st_ev_pool_waits(const st_ev_pool *pool);

/* --event-trace: one line per request and per callback, nsock INFO format,
 * to OUT (NULL: off). Times are whole milliseconds since ORIGIN (a
 * CLOCK_MONOTONIC time; NULL: the pool's creation). */
void st_ev_pool_set_trace(st_ev_pool *pool, FILE *out, const struct timespec *origin);

/* Runs until nothing is pending, TIMEOUT_MS passes (-1: no limit, 0: one
 * pass that does not wait), st_ev_loop_quit() is called, or the back end
 * fails. The wait for I/O lasts until the nearest timer or timeout. */
enum st_ev_loop_result st_ev_loop(st_ev_pool *pool, int timeout_ms);
void st_ev_loop_quit(st_ev_pool *pool);

/* Cancels a pending event. NOTIFY: its handler gets ST_EV_CANCELLED from the
 * loop; otherwise it is dropped silently. -ENOENT when no such event is
 * pending (unknown, already completed or delivered). */
int st_ev_cancel(st_ev_pool *pool, st_ev_id id, bool notify);

/* Monotonic time (ms) as the pool last saw it. */
long long st_ev_now_ms(const st_ev_pool *pool);

/* ---- IODs */

st_ev_iod *st_ev_iod_new(st_ev_pool *pool, void *userdata);
/* An IOD over a dup() of FD (made non-blocking), state UNKNOWN. */
st_ev_iod *st_ev_iod_new2(st_ev_pool *pool, int fd, void *userdata);
/* Closes the socket now; pending events go as PENDING says. The IOD's memory
 * lives until its last event has been delivered, so handlers may still ask
 * it for its id. */
void st_ev_iod_delete(st_ev_iod *iod, enum st_ev_pending pending);

unsigned long st_ev_iod_id(const st_ev_iod *iod);
enum st_ev_iod_state st_ev_iod_state(const st_ev_iod *iod);
int st_ev_iod_fd(const st_ev_iod *iod);
void *st_ev_iod_userdata(const st_ev_iod *iod);
void st_ev_iod_set_userdata(st_ev_iod *iod, void *userdata);
unsigned long st_ev_iod_read_count(const st_ev_iod *iod);
unsigned long st_ev_iod_write_count(const st_ev_iod *iod);
/* The peer and local addresses (NULL / length 0 when not known yet). */
const struct sockaddr *st_ev_iod_peer(const st_ev_iod *iod, socklen_t *len);
const struct sockaddr *st_ev_iod_local(const st_ev_iod *iod, socklen_t *len);
/* Bind to this address before connecting. */
int st_ev_iod_set_localaddr(st_ev_iod *iod, const struct sockaddr *sa, socklen_t len);
/* The name sent as TLS SNI by st_ev_connect_ssl(). */
int st_ev_iod_set_hostname(st_ev_iod *iod, const char *hostname);
/* errno of the connect() call itself (0: connected at once; typically
 * EINPROGRESS), for traces that show it as nmap's CONN lines do; -1 before
 * any connect. */
int st_ev_iod_connect_errno(const st_ev_iod *iod);
/* The OpenSSL SSL object after a TLS handshake, else NULL. */
void *st_ev_iod_ssl(const st_ev_iod *iod);
/* The capture handle of a pcap IOD, else NULL. */
struct pcap *st_ev_iod_pcap(const st_ev_iod *iod);

/* ---- requests (each returns the event id, or a negative errno) */

/* Non-blocking TCP connect to SA (its port is replaced by PORT), with a
 * timeout (-1: none). The IOD must be INITIAL. */
st_ev_id st_ev_connect_tcp(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                           void *userdata, const struct sockaddr *sa, socklen_t len,
                           unsigned short port);
/* A connected datagram socket; completes at once (delivered from the loop). */
st_ev_id st_ev_connect_udp(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, void *userdata,
                           const struct sockaddr *sa, socklen_t len, unsigned short port);
/* TCP connect then a TLS client handshake (no certificate check; SNI from
 * st_ev_iod_set_hostname()), both within TIMEOUT_MS. */
st_ev_id st_ev_connect_ssl(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                           void *userdata, const struct sockaddr *sa, socklen_t len,
                           unsigned short port);

/* Reads complete with SUCCESS once they hold at least NLINES newlines /
 * NBYTES bytes / anything; at EOF or timeout with some data they also
 * succeed (st_ev_event_eof() tells EOF); EOF only when nothing came. A
 * datagram socket reads one datagram per event. */
st_ev_id st_ev_readlines(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata, int nlines);
st_ev_id st_ev_readbytes(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata, int nbytes);
st_ev_id st_ev_read(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                    void *userdata);

/* Writes all of DATA (LEN < 0: strlen) within the timeout. */
st_ev_id st_ev_write(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                     void *userdata, const void *data, int len);
st_ev_id st_ev_printf(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                      void *userdata, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Fires MS milliseconds from now (with SUCCESS). Timers due at the same
 * time fire in the order they were created. */
st_ev_id st_ev_timer_create(st_ev_pool *pool, st_ev_handler h, int ms, void *userdata);

/* Opens DEVICE for capture (non-blocking, immediate mode, FILTER compiled if
 * not NULL) and attaches it to the INITIAL IOD. ERRBUF gets libpcap's
 * message (PCAP_ERRBUF_SIZE). 0 or a negative errno. */
int st_ev_pcap_open(st_ev_pool *pool, st_ev_iod *iod, const char *device, int snaplen, bool promisc,
                    const char *filter, char *errbuf);
/* Attaches an already activated handle (the IOD owns it from now on). */
int st_ev_pcap_attach(st_ev_pool *pool, st_ev_iod *iod, struct pcap *p);
/* One captured frame (SUCCESS) within the timeout. */
st_ev_id st_ev_pcap_read(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata);

/* ---- the event, inside its handler (it is freed when the handler returns) */

enum st_ev_type st_ev_event_type(const st_ev_event *ev);
enum st_ev_status st_ev_event_status(const st_ev_event *ev);
int st_ev_event_errno(const st_ev_event *ev);
st_ev_id st_ev_event_id(const st_ev_event *ev);
st_ev_iod *st_ev_event_iod(const st_ev_event *ev);
bool st_ev_event_eof(const st_ev_event *ev);
/* The bytes read (READ) or the frame captured (PCAP_READ); NUL-terminated
 * for convenience, *LEN excludes the NUL. */
const char *st_ev_event_readbuf(const st_ev_event *ev, size_t *len);
/* The capture header of a PCAP_READ, else NULL. */
const struct pcap_pkthdr *st_ev_event_pcap_header(const st_ev_event *ev);

const char *st_ev_type_str(enum st_ev_type type);
const char *st_ev_status_str(enum st_ev_status status);

#endif
