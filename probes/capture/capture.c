/*
 * The capture thread (see capture.h).
 *
 * Every handle is activated in the caller's thread, so errors come back from
 * st_capture_start() and "live" means the kernel is already queueing frames.
 * The thread then owns the handles and the writer: it polls the handles'
 * descriptors and an eventfd (the stop request), reads whatever is there,
 * writes it, and flushes on a clock. At the stop it keeps reading until
 * pcap_stats() says it has every frame the kernel kept (TPACKET_V3 hands
 * over a block only when it is full or its retire timeout passed), so the
 * ISB counters agree with the frames in the file.
 */
#include "capture_thread.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "capture_marks.h"
#include "util.h"
#include "netif.h"
#include "pcapng.h"
#include "packet.h"
#include "version.h"

#define POLL_MS   100 /* the longest the thread sleeps without looking at the clock */
#define NS_PER_MS 1000000LL

struct capif {
    struct st_capture *cap;
    pcap_t *pc;
    int fd;
    uint32_t id; /* pcapng interface id */
    enum st_link link;
    struct st_netif nif;
    struct st_capture_ifstats st;
    uint64_t delivered; /* frames libpcap handed us (written or not) */
    uint64_t osdrop;    /* ps_drop alone: the kernel's ring was full */
};

struct st_capture {
    struct capif *ifs;
    size_t n_ifs;
    struct pollfd *pfds; /* one per interface, then the eventfd */
    struct st_pcapng *w;
    struct st_marks *marks;
    const char *prefix;
    char *path; /* the pcapng file, for messages */
    unsigned timeout_ms;
    int wake_fd;
    pthread_t thread;
    bool thread_started;
    atomic_bool stopping;
    atomic_llong stop_at; /* CLOCK_MONOTONIC ns */
    atomic_llong idle_ns; /* stopping: end the linger once no frame came for this long */
    int64_t last_frame;   /* CLOCK_MONOTONIC ns of the last read that gave frames */
    int64_t start_ns;     /* CLOCK_REALTIME ns, for the ISBs */
    int write_errno;      /* first failed write of the thread */
    bool stopped;
    bool stop_begun;
    int stop_rc;
    unsigned long unmatched;
};

static void set_msg(char *msg, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (msg && len)
        vsnprintf(msg, len, fmt, ap);
    va_end(ap);
}

/* pcapng wants LINKTYPE_ values; libpcap on Linux reports DLT_RAW as 12. */
static uint16_t linktype_of(int dlt)
{
    switch (dlt) {
    case DLT_RAW:
#ifdef DLT_RAW_LINUX
    case DLT_RAW_LINUX:
#endif
        return 101;
    default:
        return (uint16_t)dlt;
    }
}

static bool has_addr(const struct st_netif *n, const uint8_t *a)
{
    uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    for (size_t i = 0; i < n->n_addrs; i++)
        if (n->addrs[i] == v)
            return true;
    return false;
}

/*
 * libpcap does not say whether a frame went out or came in (the kernel's
 * PACKET_OUTGOING is not exposed), so: on Ethernet, a frame whose source is
 * the interface's own MAC went out; on raw IP, one from its own address.
 */
static enum st_pcapng_dir direction(const struct capif *ci, const uint8_t *b, uint32_t len)
{
    if (ci->link == ST_LINK_ETHERNET) {
        if (!ci->nif.has_mac || len < 12)
            return ST_PCAPNG_DIR_UNKNOWN;
        return memcmp(b + 6, ci->nif.mac, 6) ? ST_PCAPNG_DIR_IN : ST_PCAPNG_DIR_OUT;
    }
    if (len < 20 || b[0] >> 4 != 4)
        return ST_PCAPNG_DIR_UNKNOWN;
    if (has_addr(&ci->nif, b + 12))
        return ST_PCAPNG_DIR_OUT;
    if (has_addr(&ci->nif, b + 16))
        return ST_PCAPNG_DIR_IN;
    return ST_PCAPNG_DIR_UNKNOWN;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct capif *ci = (struct capif *)(void *)user;
    struct st_capture *c = ci->cap;
    uint32_t caplen = h->caplen < ST_PCAPNG_MAX_FRAME ? h->caplen : ST_PCAPNG_MAX_FRAME;
    uint32_t origlen = h->len > caplen ? h->len : caplen;
    /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
    int64_t ts = (int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec;
    enum st_pcapng_dir dir = direction(ci, bytes, caplen);
    char *comment = NULL;

    ci->delivered++;
    if (dir != ST_PCAPNG_DIR_IN && st_marks_pending(c->marks) > 0) {
        struct st_pkt p;
        if (st_decode(bytes, caplen, ci->link, &p) == 0 && p.net != ST_NET_NONE)
            comment = st_marks_take(c->marks, &p);
    }
    if (st_pcapng_write_epb(c->w, ci->id, ts, bytes, caplen, origlen, dir, comment) == 0)
        ci->st.frames++;
    else if (!c->write_errno)
        c->write_errno = errno;
    free(comment);
}

/* Read everything every live handle has ready (non-blocking). */
static void read_all(struct st_capture *c)
{
    for (size_t i = 0; i < c->n_ifs; i++) {
        struct capif *ci = &c->ifs[i];
        if (ci->st.failed)
            continue;
        int n = pcap_dispatch(ci->pc, -1, on_frame, (u_char *)ci);
        if (n > 0)
            c->last_frame = st_clock_ns(CLOCK_MONOTONIC);
        if (n == PCAP_ERROR) {
            fprintf(stderr, "%s: capture on %s stopped: %s\n", c->prefix, ci->st.name,
                    pcap_geterr(ci->pc));
            ci->st.failed = true;
        }
    }
}

/* Poll the live handles and the eventfd for at most `ms`. */
static void wait_ready(struct st_capture *c, int ms)
{
    for (size_t i = 0; i < c->n_ifs; i++) {
        c->pfds[i].fd = c->ifs[i].st.failed ? -1 : c->ifs[i].fd;
        c->pfds[i].events = POLLIN;
    }
    c->pfds[c->n_ifs].fd = c->wake_fd;
    c->pfds[c->n_ifs].events = POLLIN;
    if (poll(c->pfds, c->n_ifs + 1, ms) > 0 && (c->pfds[c->n_ifs].revents & POLLIN)) {
        uint64_t v;
        if (read(c->wake_fd, &v, sizeof v) < 0) {
            /* EAGAIN: someone else drained it; nothing to do */
        }
    }
}

/* Take pcap_stats(); true when every frame the kernel kept was read. */
static bool update_stats(struct st_capture *c)
{
    bool all = true;
    for (size_t i = 0; i < c->n_ifs; i++) {
        struct capif *ci = &c->ifs[i];
        struct pcap_stat ps;
        if (pcap_stats(ci->pc, &ps) != 0)
            continue; /* keep the last counts of a handle that failed */
        ci->st.received = ps.ps_recv;
        ci->st.dropped = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
        ci->osdrop = ps.ps_drop;
        if (!ci->st.failed && ci->delivered + ps.ps_drop < ps.ps_recv)
            all = false;
    }
    return all;
}

/*
 * After the stop: frames still in a block the kernel has not retired show up
 * within the retire timeout; wait for them (bounded: libpcap skips some
 * frames it counted, e.g. the outgoing copy on loopback).
 */
static void drain(struct st_capture *c)
{
    int64_t limit = st_clock_ns(CLOCK_MONOTONIC) + (4 * (int64_t)c->timeout_ms + 50) * NS_PER_MS;
    for (;;) {
        read_all(c);
        if (update_stats(c) || st_clock_ns(CLOCK_MONOTONIC) >= limit)
            break;
        wait_ready(c, (int)c->timeout_ms);
    }
}

static void write_isbs(struct st_capture *c)
{
    int64_t end = st_clock_ns(CLOCK_REALTIME);
    for (size_t i = 0; i < c->n_ifs; i++) {
        struct capif *ci = &c->ifs[i];
        struct st_pcapng_stats s = {
            .start_ns = c->start_ns,
            .end_ns = end,
            .ifrecv = ci->st.received,
            .ifdrop = ci->st.dropped,
            .osdrop = ci->osdrop,
            .usrdeliv = ci->st.frames,
        };
        if (st_pcapng_write_isb(c->w, ci->id, end, &s) < 0 && !c->write_errno)
            c->write_errno = errno;
    }
}

static void *capture_main(void *arg)
{
    struct st_capture *c = arg;
    int64_t last_flush = st_clock_ns(CLOCK_MONOTONIC);

    for (;;) {
        int ms = POLL_MS;
        if (atomic_load(&c->stopping)) {
            int64_t now = st_clock_ns(CLOCK_MONOTONIC);
            int64_t left = atomic_load(&c->stop_at) - now;
            int64_t idle = atomic_load(&c->idle_ns);
            if (left <= 0 || (idle > 0 && now - c->last_frame >= idle))
                break;
            if (idle > 0 && c->last_frame + idle - now < left)
                left = c->last_frame + idle - now;
            if (left / NS_PER_MS < ms)
                ms = (int)(left / NS_PER_MS) + 1;
        }
        wait_ready(c, ms);
        read_all(c);
        int64_t now = st_clock_ns(CLOCK_MONOTONIC);
        if (now - last_flush >= ST_CAPTURE_FLUSH_MS * NS_PER_MS) {
            if (st_pcapng_flush(c->w) < 0 && !c->write_errno)
                c->write_errno = errno;
            last_flush = now;
        }
    }
    drain(c);
    write_isbs(c);
    if (st_pcapng_flush(c->w) < 0 && !c->write_errno)
        c->write_errno = errno;
    /* the statistics are taken: close the handles now, on threads, so the
     * kernel's wait (closer.h) runs while the caller finishes its files */
    for (size_t i = 0; i < c->n_ifs; i++) {
        st_closer_pcap(c->ifs[i].pc);
        c->ifs[i].pc = NULL;
    }
    return NULL;
}

/* Open and activate one interface; on error fill msg and return the kind. */
static enum st_capture_err open_if(struct capif *ci, const char *name,
                                   const struct st_capture_opts *o, char *msg, size_t msglen)
{
    char eb[PCAP_ERRBUF_SIZE] = "";

    if (st_netif_get(name, &ci->nif) < 0) {
        if (errno == ENODEV) {
            set_msg(msg, msglen, "no such interface: %s", name);
            return ST_CAPTURE_ENOIF;
        }
        set_msg(msg, msglen, "interface %s: %s", name, strerror(errno));
        return ST_CAPTURE_ESYS;
    }
    memcpy(ci->st.name, ci->nif.name, sizeof ci->st.name);
    ci->pc = pcap_create(name, eb);
    if (!ci->pc) {
        set_msg(msg, msglen, "cannot capture on %s: %s", name, eb);
        return ST_CAPTURE_ESYS;
    }
    /* Not immediate mode: that falls back to TPACKET_V2, whose ring of
     * snaplen-sized slots overflows in a burst of replies. */
    pcap_set_snaplen(ci->pc, (int)(o->snaplen ? o->snaplen : ST_CAPTURE_SNAPLEN));
    pcap_set_buffer_size(ci->pc, (int)(o->buffer_bytes ? o->buffer_bytes : ST_CAPTURE_BUFFER));
    pcap_set_timeout(ci->pc, (int)(o->timeout_ms ? o->timeout_ms : ST_CAPTURE_TIMEOUT_MS));
    pcap_set_promisc(ci->pc, 0);
    if (pcap_set_tstamp_precision(ci->pc, PCAP_TSTAMP_PRECISION_NANO) != 0) {
        set_msg(msg, msglen, "cannot capture on %s: no nanosecond timestamps", name);
        return ST_CAPTURE_ESYS;
    }
    int rc = pcap_activate(ci->pc);
    if (rc < 0) {
        const char *why = rc == PCAP_ERROR ? pcap_geterr(ci->pc) : pcap_statustostr(rc);
        if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
            set_msg(msg, msglen, "no such interface: %s", name);
            return ST_CAPTURE_ENOIF;
        }
        if (rc == PCAP_ERROR_PERM_DENIED) {
            set_msg(msg, msglen, "not allowed to capture on %s (needs root or CAP_NET_RAW)", name);
            return ST_CAPTURE_EPERM;
        }
        set_msg(msg, msglen, "cannot capture on %s: %s", name, why);
        return ST_CAPTURE_ESYS;
    }
    if (rc > 0)
        fprintf(stderr, "%s: warning: %s: %s\n", o->log_prefix ? o->log_prefix : "scantrace", name,
                rc == PCAP_WARNING ? pcap_geterr(ci->pc) : pcap_statustostr(rc));

    int dlt = pcap_datalink(ci->pc);
    ci->link = st_link_from_dlt(dlt);
    const char *dlt_name = pcap_datalink_val_to_name(dlt);
    ci->st.linktype = dlt_name ? dlt_name : "unknown";
    if (ci->link == ST_LINK_NONE) {
        set_msg(
            msg, msglen,
            "cannot capture on %s: link type %s is not Ethernet, raw IP or Linux cooked (-i any)",
            name, ci->st.linktype);
        return ST_CAPTURE_ELINK;
    }
    if (pcap_setnonblock(ci->pc, 1, eb) != 0) {
        set_msg(msg, msglen, "cannot capture on %s: %s", name, eb);
        return ST_CAPTURE_ESYS;
    }
    ci->fd = pcap_get_selectable_fd(ci->pc);
    if (ci->fd < 0) {
        set_msg(msg, msglen, "cannot capture on %s: no descriptor to poll", name);
        return ST_CAPTURE_ESYS;
    }
    /* The scanner's children (the recorded command) must not hold the ring. */
    fcntl(ci->fd, F_SETFD, FD_CLOEXEC);
    return ST_CAPTURE_OK;
}

/* The capture thread takes no signals: the caller's thread handles them. */
static int start_thread(struct st_capture *c)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&c->thread, NULL, capture_main, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static enum st_capture_err start(struct st_capture *c, const struct st_capture_opts *o, char *msg,
                                 size_t msglen)
{
    for (size_t i = 0; i < o->n_ifs; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(o->ifnames[i], o->ifnames[j])) {
                set_msg(msg, msglen, "interface %s given twice", o->ifnames[i]);
                return ST_CAPTURE_EUSAGE;
            }
        c->ifs[i].cap = c;
        c->ifs[i].fd = -1;
        enum st_capture_err e = open_if(&c->ifs[i], o->ifnames[i], o, msg, msglen);
        if (e != ST_CAPTURE_OK)
            return e;
    }
    c->start_ns = st_clock_ns(CLOCK_REALTIME);

    c->w = st_pcapng_open(o->path, "scantrace " ST_VERSION);
    if (!c->w) {
        set_msg(msg, msglen, "%s: %s", o->path, strerror(errno));
        return ST_CAPTURE_EFILE;
    }
    for (size_t i = 0; i < c->n_ifs; i++) {
        struct capif *ci = &c->ifs[i];
        struct st_pcapng_if d = {
            .name = ci->nif.name,
            .linktype = linktype_of(pcap_datalink(ci->pc)),
            .snaplen = (uint32_t)pcap_snapshot(ci->pc),
            .mac = ci->nif.has_mac ? ci->nif.mac : NULL,
        };
        int id = st_pcapng_add_if(c->w, &d);
        if (id < 0) {
            set_msg(msg, msglen, "%s: %s", o->path, strerror(errno));
            return ST_CAPTURE_EFILE;
        }
        ci->id = (uint32_t)id;
    }
    if (st_pcapng_flush(c->w) < 0) {
        set_msg(msg, msglen, "%s: %s", o->path, strerror(errno));
        return ST_CAPTURE_EFILE;
    }
    c->last_frame = st_clock_ns(CLOCK_MONOTONIC);
    if (start_thread(c) != 0) {
        set_msg(msg, msglen, "cannot start the capture thread");
        return ST_CAPTURE_ESYS;
    }
    c->thread_started = true;
    return ST_CAPTURE_OK;
}

enum st_capture_err st_capture_start(const struct st_capture_opts *o, struct st_capture **out,
                                     char *msg, size_t msglen)
{
    *out = NULL;
    /* no interface is a capture of nothing (an empty shard of a sweep): a
     * pcapng of its section header alone */
    if ((o->n_ifs && !o->ifnames) || !o->path) {
        set_msg(msg, msglen, "nothing to capture");
        return ST_CAPTURE_EUSAGE;
    }
    struct st_capture *c = calloc(1, sizeof *c);
    if (!c) {
        set_msg(msg, msglen, "out of memory");
        return ST_CAPTURE_ESYS;
    }
    c->wake_fd = -1;
    c->prefix = o->log_prefix ? o->log_prefix : "scantrace";
    c->path = strdup(o->path);
    c->timeout_ms = o->timeout_ms ? o->timeout_ms : ST_CAPTURE_TIMEOUT_MS;
    atomic_init(&c->stopping, false);
    atomic_init(&c->stop_at, 0);
    atomic_init(&c->idle_ns, 0);
    c->n_ifs = o->n_ifs;
    c->ifs = calloc(o->n_ifs ? o->n_ifs : 1, sizeof *c->ifs);
    c->pfds = calloc(o->n_ifs + 1, sizeof *c->pfds);
    c->marks = st_marks_new();
    c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    enum st_capture_err e = ST_CAPTURE_ESYS;
    if (!c->ifs || !c->pfds || !c->marks || c->wake_fd < 0 || !c->path)
        set_msg(msg, msglen, "out of memory or descriptors");
    else
        e = start(c, o, msg, msglen);
    if (e != ST_CAPTURE_OK) {
        st_capture_free(c);
        return e;
    }
    *out = c;
    return ST_CAPTURE_OK;
}

int st_capture_expect_probe(struct st_capture *c, const struct st_pkt *probe, unsigned long n,
                            const char *mode)
{
    /* the comment is made when its frame is found: a sweep registers a
     * probe every few microseconds */
    if (probe->net == ST_NET_NONE || !*mode || strlen(mode) > 96 || strpbrk(mode, " \t\r\n")) {
        errno = EINVAL;
        return -1;
    }
    return st_marks_add_probe(c->marks, probe, n, mode);
}

int st_capture_expect_comment(struct st_capture *c, const struct st_pkt *probe, const char *comment)
{
    if (probe->net == ST_NET_NONE) {
        errno = EINVAL;
        return -1;
    }
    return st_marks_add(c->marks, probe, comment);
}

int st_capture_stop(struct st_capture *c, int64_t linger_ns)
{
    return st_capture_stop_idle(c, linger_ns, 0);
}

void st_capture_stop_begin(struct st_capture *c, int64_t linger_ns, int64_t idle_ns)
{
    if (c->stopped || c->stop_begun || !c->thread_started)
        return;
    c->stop_begun = true;
    atomic_store(&c->idle_ns, idle_ns > 0 ? idle_ns : 0);
    atomic_store(&c->stop_at, st_clock_ns(CLOCK_MONOTONIC) + (linger_ns > 0 ? linger_ns : 0));
    atomic_store(&c->stopping, true);
    uint64_t one = 1;
    if (write(c->wake_fd, &one, sizeof one) < 0) {
        /* the thread still wakes within POLL_MS */
    }
}

int st_capture_stop_idle(struct st_capture *c, int64_t linger_ns, int64_t idle_ns)
{
    if (c->stopped)
        return c->stop_rc;
    st_capture_stop_begin(c, linger_ns, idle_ns);
    c->stopped = true;
    if (!c->thread_started)
        return c->stop_rc = -1;
    pthread_join(c->thread, NULL);
    c->thread_started = false;

    int rc = st_pcapng_close(c->w);
    if (rc < 0 && !c->write_errno)
        c->write_errno = errno;
    c->w = NULL;
    c->unmatched = st_marks_pending(c->marks);
    for (size_t i = 0; i < c->n_ifs; i++) {
        const struct st_capture_ifstats *s = &c->ifs[i].st;
        if (s->dropped)
            fprintf(stderr,
                    "%s: capture on %s dropped %llu of %llu frames (kernel ring full; a larger "
                    "buffer helps)\n",
                    c->prefix, s->name, (unsigned long long)s->dropped,
                    (unsigned long long)s->received);
    }
    if (c->write_errno) {
        fprintf(stderr, "%s: %s: %s\n", c->prefix, c->path, strerror(c->write_errno));
        return c->stop_rc = -1;
    }
    return c->stop_rc = 0;
}

bool st_capture_running(const struct st_capture *c)
{
    return c->thread_started; /* cleared once the thread is joined */
}

size_t st_capture_n_ifs(const struct st_capture *c)
{
    return c->n_ifs;
}

const struct st_capture_ifstats *st_capture_ifstats(const struct st_capture *c, size_t i)
{
    return i < c->n_ifs ? &c->ifs[i].st : NULL;
}

unsigned long st_capture_unmatched(const struct st_capture *c)
{
    return c->unmatched;
}

void st_capture_free(struct st_capture *c)
{
    if (!c)
        return;
    if (c->thread_started)
        st_capture_stop(c, 0);
    st_pcapng_close(c->w);
    for (size_t i = 0; c->ifs && i < c->n_ifs; i++)
        st_closer_pcap(c->ifs[i].pc); /* see closer.h */
    if (c->wake_fd >= 0)
        close(c->wake_fd);
    st_marks_free(c->marks);
    free(c->pfds);
    free(c->ifs);
    free(c->path);
    free(c);
}
