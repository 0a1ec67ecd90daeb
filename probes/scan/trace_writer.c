#include "trace_writer.h"

#include <arpa/inet.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS   8192 /* a power of two: 2.7 MB, some 40 ms of a fast sweep */
#define IDLE_MS 1    /* how long the writer sleeps on an empty ring */

enum kind { K_SENT, K_RCVD, K_TEXT, K_ND };

struct slot {
    int64_t t;
    uint8_t kind;
    union {
        struct st_pkt p;
        char text[sizeof(struct st_pkt)];
    } u;
};

struct st_tw {
    FILE *trace, *echo;
    enum st_detail detail;
    int64_t start_ns;
    struct slot *ring;
    atomic_size_t head; /* written by the producer */
    atomic_size_t tail; /* written by the writer */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, flushed;
    unsigned long flush_req, flush_done; /* under lock */
    bool stop;                           /* under lock */
};

/* "SENT (12.3457s) ": the time rounded to 0.1 ms with integers (printf's
 * %.4f of a double was a tenth of the sending thread's time; the two differ
 * only on an exact tie, which this rounds up). */
static size_t line_head(char *b, const char *dir, int64_t ns)
{
    if (ns < 0)
        ns = 0;
    int64_t q = (ns + 50000) / 100000;
    char digits[24];
    int n = 0;
    for (int64_t s = q / 10000; n == 0 || s; s /= 10)
        digits[n++] = (char)('0' + s % 10);
    size_t k = strlen(dir);
    memcpy(b, dir, k);
    b[k++] = ' ';
    b[k++] = '(';
    while (n)
        b[k++] = digits[--n];
    b[k++] = '.';
    int64_t frac = q % 10000;
    for (int64_t d = 1000; d; d /= 10)
        b[k++] = (char)('0' + frac / d % 10);
    memcpy(b + k, "s) ", 3);
    return k + 3;
}

static void put(struct st_tw *w, const char *s, size_t n)
{
    fwrite(s, 1, n, w->trace);
    if (w->echo)
        fwrite(s, 1, n, w->echo);
}

/* nmap's PacketTrace::traceND text, at every detail level: "neighbor
 * advertisement SRC > DST TARGET is at MAC" ("no link-layer address"
 * without the option), "neighbor solicitation SRC > DST who has TARGET". */
static int nd_desc(const struct st_pkt *p, char *out, size_t size)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], tgt[INET6_ADDRSTRLEN];
    const struct st_icmp *m = &p->l4.icmp;
    inet_ntop(AF_INET6, p->ip6.src, src, sizeof src);
    inet_ntop(AF_INET6, p->ip6.dst, dst, sizeof dst);
    inet_ntop(AF_INET6, m->nd_target, tgt, sizeof tgt);
    if (m->type == ST_ICMP6_NEIGHBOR_SOLICIT)
        return snprintf(out, size, "neighbor solicitation %s > %s who has %s", src, dst, tgt);
    if (!m->nd_has_mac)
        return snprintf(out, size, "neighbor advertisement %s > %s no link-layer address", src,
                        dst);
    const uint8_t *a = m->nd_mac;
    return snprintf(out, size,
                    "neighbor advertisement %s > %s %s is at %02x:%02x:%02x:%02x:%02x:%02x", src,
                    dst, tgt, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void write_slot(struct st_tw *w, const struct slot *s)
{
    if (s->kind == K_TEXT) {
        put(w, s->u.text, strlen(s->u.text));
        return;
    }
    char line[ST_LINE_MAX + 48];
    size_t k = line_head(line, s->kind == K_SENT ? "SENT" : "RCVD", s->t - w->start_ns);
    int n = s->kind == K_ND ? nd_desc(&s->u.p, line + k, sizeof line - k - 1)
                            : st_format_desc_at(&s->u.p, w->detail, line + k, sizeof line - k - 1);
    if (n < 0)
        return;
    k += (size_t)n;
    line[k++] = '\n';
    put(w, line, k);
}

/* Write what is queued; true if there was anything. */
static bool drain(struct st_tw *w)
{
    size_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    if (t == h)
        return false;
    for (; t != h; t++) {
        write_slot(w, &w->ring[t & (SLOTS - 1)]);
        /* free the slot at once: a producer waiting for room goes on */
        atomic_store_explicit(&w->tail, t + 1, memory_order_release);
    }
    return true;
}

static void *writer_main(void *arg)
{
    struct st_tw *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        unsigned long req = w->flush_req;
        bool stop = w->stop;
        pthread_mutex_unlock(&w->lock);
        while (drain(w))
            ;
        if (req != w->flush_done || stop) {
            /* the producer waits: everything before its request is queued */
            fflush(w->trace);
            if (w->echo)
                fflush(w->echo);
        }
        pthread_mutex_lock(&w->lock);
        if (req != w->flush_done) {
            w->flush_done = req;
            pthread_cond_broadcast(&w->flushed);
        }
        if (stop)
            break;
        if (w->flush_req != req || w->stop)
            continue;
        if (atomic_load(&w->head) != atomic_load(&w->tail))
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += IDLE_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&w->wake, &w->lock, &ts);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct st_tw *st_tw_new(FILE *trace, FILE *echo, enum st_detail detail, int64_t start_ns)
{
    struct st_tw *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ring = malloc(SLOTS * sizeof *w->ring);
    if (!w->ring) {
        free(w);
        return NULL;
    }
    w->trace = trace;
    w->echo = echo;
    w->detail = detail;
    w->start_ns = start_ns;
    atomic_init(&w->head, 0);
    atomic_init(&w->tail, 0);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->flushed, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        pthread_cond_destroy(&w->flushed);
        free(w->ring);
        free(w);
        return NULL;
    }
    return w;
}

static void wake(struct st_tw *w)
{
    pthread_mutex_lock(&w->lock);
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

/* The next free slot; waits while the ring is full (the writer is behind). */
static struct slot *claim(struct st_tw *w)
{
    size_t h = atomic_load_explicit(&w->head, memory_order_relaxed);
    while (h - atomic_load_explicit(&w->tail, memory_order_acquire) >= SLOTS) {
        wake(w);
        struct timespec pause = {0, 20000};
        nanosleep(&pause, NULL);
    }
    return &w->ring[h & (SLOTS - 1)];
}

static void publish(struct st_tw *w)
{
    size_t h = atomic_load_explicit(&w->head, memory_order_relaxed) + 1;
    atomic_store_explicit(&w->head, h, memory_order_release);
    /* the writer wakes every millisecond anyway; half a ring is worth a call */
    if (h - atomic_load_explicit(&w->tail, memory_order_relaxed) == SLOTS / 2)
        wake(w);
}

void st_tw_packet(struct st_tw *w, const char *dir, int64_t t_ns, const struct st_pkt *p)
{
    struct slot *s = claim(w);
    s->t = t_ns;
    s->kind = dir[0] == 'S' ? K_SENT : K_RCVD;
    s->u.p = *p;
    publish(w);
}

void st_tw_nd(struct st_tw *w, int64_t t_ns, const struct st_pkt *p)
{
    struct slot *s = claim(w);
    s->t = t_ns;
    s->kind = K_ND;
    s->u.p = *p;
    publish(w);
}

void st_tw_text(struct st_tw *w, const char *line)
{
    struct slot *s = claim(w);
    s->kind = K_TEXT;
    snprintf(s->u.text, sizeof s->u.text, "%s", line);
    publish(w);
}

void st_tw_flush(struct st_tw *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned long req = ++w->flush_req;
    pthread_cond_signal(&w->wake);
    while (w->flush_done < req)
        pthread_cond_wait(&w->flushed, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void st_tw_free(struct st_tw *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->flushed);
    free(w->ring);
    free(w);
}
