/*
 * The scanner hands marks over without a lock: each is pushed onto an
 * incoming list (one compare-and-swap), which the capture thread takes whole
 * (one exchange) and files, in the order they were pushed, into a chained
 * hash table only it touches. Entries of the same identity stay in the
 * order they were added, so a probe sent twice (a retry with the same id)
 * marks its first frame first. (Behind one mutex, the sender and the
 * capture thread met on it twice per probe: a tenth of a sweep's sending
 * thread went to sleeping and waking on it.) Taken entries go back the same
 * way, to be reused by the adder.
 */
#include "capture_marks.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_BUCKETS 1024u

struct mark {
    struct mark *next;
    uint64_t hash;
    struct st_pkt pkt;
    char *comment; /* or NULL: "scantrace probe=<probe> mode=<mode>", made at take */
    unsigned long probe;
    const char *mode;
};

struct st_marks {
    struct mark *_Atomic incoming; /* pushed, newest first */
    struct mark *_Atomic recycled; /* taken entries, for the adder to reuse */
    struct mark *spare;            /* the adder's own: recycled ones it took */
    atomic_size_t count;           /* pushed and not taken */
    struct mark **buckets;         /* the taker's own */
    size_t n_buckets;              /* a power of two */
    size_t filed;                  /* entries in the buckets */
};

struct st_marks *st_marks_new(void)
{
    struct st_marks *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->buckets = calloc(INITIAL_BUCKETS, sizeof *m->buckets);
    if (!m->buckets) {
        free(m);
        return NULL;
    }
    m->n_buckets = INITIAL_BUCKETS;
    atomic_init(&m->incoming, NULL);
    atomic_init(&m->recycled, NULL);
    atomic_init(&m->count, 0);
    return m;
}

/* Append at the tail of its chain, keeping the order of addition. */
static void link_tail(struct mark **buckets, size_t n_buckets, struct mark *e)
{
    struct mark **pp = &buckets[e->hash & (n_buckets - 1)];
    while (*pp)
        pp = &(*pp)->next;
    e->next = NULL;
    *pp = e;
}

/* Double the table when chains grow past two entries on average. */
static void maybe_grow(struct st_marks *m)
{
    if (m->filed <= 2 * m->n_buckets || m->n_buckets > SIZE_MAX / 4 / sizeof *m->buckets)
        return;
    size_t n = m->n_buckets * 2;
    struct mark **b = calloc(n, sizeof *b);
    if (!b)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct mark *e = m->buckets[i];
        while (e) {
            struct mark *next = e->next;
            link_tail(b, n, e);
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = n;
}

static int add(struct st_marks *m, const struct st_pkt *p, char *comment, unsigned long probe,
               const char *mode)
{
    /* entries go round between the two threads: malloc here and free there
     * made every free take the adder's arena lock (they met on it per probe) */
    if (!m->spare)
        m->spare = atomic_exchange_explicit(&m->recycled, NULL, memory_order_acquire);
    struct mark *e = m->spare;
    if (e)
        m->spare = e->next;
    else
        e = malloc(sizeof *e);
    if (!e) {
        free(comment);
        errno = ENOMEM;
        return -1;
    }
    e->pkt = *p;
    e->hash = st_pkt_hash(p);
    e->comment = comment;
    e->probe = probe;
    e->mode = mode;
    /* counted first: the taker never sees a pending count below what it finds */
    atomic_fetch_add(&m->count, 1);
    struct mark *head = atomic_load_explicit(&m->incoming, memory_order_relaxed);
    do
        e->next = head;
    while (!atomic_compare_exchange_weak_explicit(&m->incoming, &head, e, memory_order_release,
                                                  memory_order_relaxed));
    return 0;
}

int st_marks_add(struct st_marks *m, const struct st_pkt *p, const char *comment)
{
    char *c = strdup(comment);
    if (!c) {
        errno = ENOMEM;
        return -1;
    }
    return add(m, p, c, 0, NULL);
}

int st_marks_add_probe(struct st_marks *m, const struct st_pkt *p, unsigned long probe,
                       const char *mode)
{
    return add(m, p, NULL, probe, mode);
}

size_t st_marks_pending(struct st_marks *m)
{
    return atomic_load(&m->count);
}

/* The taker: file what was pushed since the last time, oldest first. */
static void file_incoming(struct st_marks *m)
{
    struct mark *e = atomic_exchange_explicit(&m->incoming, NULL, memory_order_acquire);
    struct mark *fifo = NULL;
    while (e) {
        struct mark *next = e->next;
        e->next = fifo;
        fifo = e;
        e = next;
    }
    while (fifo) {
        struct mark *next = fifo->next;
        link_tail(m->buckets, m->n_buckets, fifo);
        m->filed++;
        fifo = next;
    }
    maybe_grow(m);
}

static void recycle(struct st_marks *m, struct mark *e)
{
    struct mark *head = atomic_load_explicit(&m->recycled, memory_order_relaxed);
    do
        e->next = head;
    while (!atomic_compare_exchange_weak_explicit(&m->recycled, &head, e, memory_order_release,
                                                  memory_order_relaxed));
}

static void free_list(struct mark *e)
{
    while (e) {
        struct mark *next = e->next;
        free(e);
        e = next;
    }
}

char *st_marks_take(struct st_marks *m, const struct st_pkt *p)
{
    uint64_t h = st_pkt_hash(p);
    char *comment = NULL;
    if (atomic_load_explicit(&m->incoming, memory_order_relaxed))
        file_incoming(m);
    for (struct mark **pp = &m->buckets[h & (m->n_buckets - 1)]; *pp; pp = &(*pp)->next) {
        struct mark *e = *pp;
        if (e->hash == h && st_pkt_same(&e->pkt, p)) {
            *pp = e->next;
            m->filed--;
            atomic_fetch_sub(&m->count, 1);
            comment = e->comment;
            if (!comment) {
                char buf[160];
                snprintf(buf, sizeof buf, "scantrace probe=%lu mode=%s", e->probe, e->mode);
                comment = strdup(buf);
            }
            recycle(m, e);
            break;
        }
    }
    return comment;
}

void st_marks_free(struct st_marks *m)
{
    if (!m)
        return;
    file_incoming(m);
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct mark *e = m->buckets[i];
        while (e) {
            struct mark *next = e->next;
            free(e->comment);
            free(e);
            e = next;
        }
    }
    free_list(atomic_exchange(&m->recycled, NULL));
    free_list(m->spare);
    free(m->buckets);
    free(m);
}
