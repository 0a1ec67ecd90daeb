/*
 * A chained hash table behind one mutex. Entries of the same identity stay in
 * the order they were added, so a probe sent twice (a retry with the same
 * id) marks its first frame first.
 */
#include "capture_marks.h"

#include <errno.h>
#include <pthread.h>
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
    pthread_mutex_t lock;
    struct mark **buckets;
    size_t n_buckets; /* a power of two */
    size_t count;
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
    /* adaptive: both sides hold it for a hash insert or lookup, and a sweep
     * takes it twice per probe from two threads; sleeping in the kernel on
     * every collision was a tenth of the sender's time */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&m->lock, &a);
    pthread_mutexattr_destroy(&a);
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
    if (m->count <= 2 * m->n_buckets || m->n_buckets > SIZE_MAX / 4 / sizeof *m->buckets)
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
    struct mark *e = malloc(sizeof *e);
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
    pthread_mutex_lock(&m->lock);
    link_tail(m->buckets, m->n_buckets, e);
    __atomic_store_n(&m->count, m->count + 1, __ATOMIC_RELEASE);
    maybe_grow(m);
    pthread_mutex_unlock(&m->lock);
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

/* Without the lock: the capture thread asks for every outgoing frame, and
 * taking the lock each time made it fight the sender for it. */
size_t st_marks_pending(struct st_marks *m)
{
    return __atomic_load_n(&m->count, __ATOMIC_ACQUIRE);
}

char *st_marks_take(struct st_marks *m, const struct st_pkt *p)
{
    uint64_t h = st_pkt_hash(p);
    char *comment = NULL;
    pthread_mutex_lock(&m->lock);
    for (struct mark **pp = &m->buckets[h & (m->n_buckets - 1)]; *pp; pp = &(*pp)->next) {
        struct mark *e = *pp;
        if (e->hash == h && st_pkt_same(&e->pkt, p)) {
            *pp = e->next;
            __atomic_store_n(&m->count, m->count - 1, __ATOMIC_RELEASE);
            comment = e->comment;
            if (!comment) {
                char buf[160];
                snprintf(buf, sizeof buf, "scantrace probe=%lu mode=%s", e->probe, e->mode);
                comment = strdup(buf);
            }
            free(e);
            break;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return comment;
}

void st_marks_free(struct st_marks *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct mark *e = m->buckets[i];
        while (e) {
            struct mark *next = e->next;
            free(e->comment);
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
