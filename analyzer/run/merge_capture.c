/*
 * Merging the captures of a sharded sweep (merge.h): every shard's
 * interface descriptions first, renumbered; then the frames of all shards
 * in time order, a k-way merge over one open reader per shard (a binary
 * heap keyed by each reader's next frame), so memory holds one frame per
 * shard whatever the captures' sizes; then each interface's statistics.
 *
 * Shards swept at once from one host (for its cores) capture each other's
 * frames too: the same frame, the same bytes, the same kernel timestamp in
 * two shards' captures. It is written once, the copy with a comment (the
 * shard that sent it) first; frames are only ever one another's copies
 * across shards, never within one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "merge.h"
#include "util.h"

struct shard_in {
    struct st_pcapng_reader *r;
    struct st_pcapng_block b; /* its next frame, when has_frame */
    bool has_frame;
    uint32_t if_base; /* its interface 0 in the merged file */
    uint32_t n_ifs;
};

struct stats_out {
    uint32_t if_id;
    int64_t ts_ns;
    struct st_pcapng_stats s;
};

/* The frames written lately, to know a copy: a ring of the last SEEN_N
 * (key, shard) and an open-addressing table over it, rebuilt each lap. */
#define SEEN_N     8192u
#define SEEN_SLOTS (4 * SEEN_N)

struct seen {
    uint64_t ring[SEEN_N];
    uint32_t ring_shard[SEEN_N];
    size_t n;                  /* frames recorded so far */
    uint32_t slot[SEEN_SLOTS]; /* ring index + 1; 0 empty */
};

struct merge {
    struct shard_in *in;
    size_t n;
    size_t *heap, nheap; /* shard indexes, the earliest next frame on top */
    struct st_pcapng *w;
    struct stats_out *stats;
    size_t nstats;
    struct seen *seen;
    size_t copies; /* frames dropped as another shard's copy */
    char *err;
    size_t errsz;
};

static bool earlier(const struct merge *m, size_t a, size_t b)
{
    const struct st_pcapng_block *x = &m->in[a].b, *y = &m->in[b].b;
    if (x->ts_ns != y->ts_ns)
        return x->ts_ns < y->ts_ns;
    /* ties: a commented frame first (the copy to keep), then the lower shard */
    if (!x->comment[0] != !y->comment[0])
        return x->comment[0] != 0;
    return a < b;
}

static uint64_t frame_key(const struct st_pcapng_block *b)
{
    static const struct st_sipkey key = {0x6d65726765206b65ull, 0x7920666f72206672ull};
    return st_siphash(&key, b->data, b->caplen) ^ (uint64_t)b->ts_ns * 0x9e3779b97f4a7c15ull ^
           b->origlen;
}

static void seen_rebuild(struct seen *s)
{
    memset(s->slot, 0, sizeof s->slot);
    size_t live = s->n < SEEN_N ? s->n : SEEN_N;
    for (size_t i = 0; i < live; i++) {
        size_t k = (size_t)(s->ring[i] % SEEN_SLOTS);
        while (s->slot[k])
            k = (k + 1) % SEEN_SLOTS;
        s->slot[k] = (uint32_t)i + 1;
    }
}

/* Whether a frame with `key` from another shard was written lately; records it if not. */
static bool seen_copy(struct seen *s, uint64_t key, uint32_t shard)
{
    size_t k = (size_t)(key % SEEN_SLOTS);
    for (; s->slot[k]; k = (k + 1) % SEEN_SLOTS) {
        size_t i = s->slot[k] - 1;
        if (s->ring[i] == key && s->ring_shard[i] != shard)
            return true;
    }
    size_t i = s->n % SEEN_N;
    s->ring[i] = key;
    s->ring_shard[i] = shard;
    if (++s->n % SEEN_N == 0)
        seen_rebuild(s); /* a lap: the oldest entries leave the table */
    else
        s->slot[k] = (uint32_t)i + 1;
    return false;
}

static void sift_down(struct merge *m, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < m->nheap && earlier(m, m->heap[l], m->heap[s]))
            s = l;
        if (r < m->nheap && earlier(m, m->heap[r], m->heap[s]))
            s = r;
        if (s == i)
            return;
        size_t t = m->heap[i];
        m->heap[i] = m->heap[s];
        m->heap[s] = t;
        i = s;
    }
}

static int keep_stats(struct merge *m, size_t k)
{
    const struct st_pcapng_block *b = &m->in[k].b;
    struct stats_out *s = realloc(m->stats, (m->nstats + 1) * sizeof *s);
    if (!s) {
        snprintf(m->err, m->errsz, "out of memory");
        return -1;
    }
    m->stats = s;
    s[m->nstats++] = (struct stats_out){m->in[k].if_base + b->if_id, b->ts_ns, b->stats};
    return 0;
}

/* Read shard k up to its next frame (statistics kept on the way). 1, 0 at its end, -1. */
static int advance(struct merge *m, size_t k)
{
    struct shard_in *in = &m->in[k];
    for (;;) {
        int rc = st_pcapng_reader_next(in->r, &in->b, m->err, m->errsz);
        if (rc <= 0)
            return rc;
        if (in->b.kind == ST_PCAPNG_FRAME)
            return 1;
        if (in->b.kind == ST_PCAPNG_STATS && keep_stats(m, k))
            return -1;
        if (in->b.kind == ST_PCAPNG_IF) {
            snprintf(m->err, m->errsz, "an interface described after the first frame: not merged");
            return -1;
        }
    }
}

/* Shard k's interface descriptions (they come before its frames), written renumbered. */
static int take_interfaces(struct merge *m, size_t k, uint32_t *next_if)
{
    struct shard_in *in = &m->in[k];
    in->if_base = *next_if;
    for (;;) {
        int rc = st_pcapng_reader_next(in->r, &in->b, m->err, m->errsz);
        if (rc <= 0)
            return rc;
        if (in->b.kind != ST_PCAPNG_IF)
            break;
        if (st_pcapng_add_if(m->w, &in->b.ifc) < 0) {
            snprintf(m->err, m->errsz, "writing the merged capture: %s", strerror(errno));
            return -1;
        }
        in->n_ifs++;
        (*next_if)++;
    }
    if (in->b.kind == ST_PCAPNG_STATS) {
        if (keep_stats(m, k))
            return -1;
        return advance(m, k);
    }
    return 1;
}

static int write_frames(struct merge *m)
{
    while (m->nheap) {
        size_t k = m->heap[0];
        struct shard_in *in = &m->in[k];
        if (seen_copy(m->seen, frame_key(&in->b), (uint32_t)k)) {
            m->copies++;
        } else if (st_pcapng_write_epb(m->w, in->if_base + in->b.if_id, in->b.ts_ns, in->b.data,
                                       in->b.caplen, in->b.origlen, in->b.dir, in->b.comment) < 0) {
            snprintf(m->err, m->errsz, "writing the merged capture: %s", strerror(errno));
            return -1;
        }
        int rc = advance(m, k);
        if (rc < 0)
            return -1;
        if (rc == 0)
            m->heap[0] = m->heap[--m->nheap];
        sift_down(m, 0);
    }
    for (size_t i = 0; i < m->nstats; i++)
        if (st_pcapng_write_isb(m->w, m->stats[i].if_id, m->stats[i].ts_ns, &m->stats[i].s) < 0) {
            snprintf(m->err, m->errsz, "writing the merged capture: %s", strerror(errno));
            return -1;
        }
    return 0;
}

static int run_merge(struct merge *m, const char *const *paths)
{
    uint32_t next_if = 0;
    for (size_t k = 0; k < m->n; k++) {
        m->in[k].r = st_pcapng_reader_open(paths[k], m->err, m->errsz);
        if (!m->in[k].r)
            return ST_EXIT_USAGE;
        int rc = take_interfaces(m, k, &next_if);
        if (rc < 0)
            return ST_EXIT_USAGE;
        m->in[k].has_frame = rc == 1;
        if (rc == 1)
            m->heap[m->nheap++] = k;
    }
    for (size_t i = m->nheap; i-- > 0;)
        sift_down(m, i);
    return write_frames(m) ? ST_EXIT_USAGE : ST_EXIT_OK;
}

int st_merge_captures(const char *const *paths, size_t n, const char *out_path, size_t *copies,
                      char *err, size_t errsz)
{
    struct merge m = {.n = n, .err = err, .errsz = errsz};
    m.in = calloc(n ? n : 1, sizeof *m.in);
    m.heap = calloc(n ? n : 1, sizeof *m.heap);
    m.seen = calloc(1, sizeof *m.seen);
    m.w = st_pcapng_open(out_path, "scantrace merge");
    int rc = ST_EXIT_ENVIRONMENT;
    if (!m.in || !m.heap || !m.seen || !m.w)
        snprintf(err, errsz, "%s: %s", out_path, strerror(errno ? errno : ENOMEM));
    else
        rc = run_merge(&m, paths);
    if (m.w && st_pcapng_close(m.w) < 0 && rc == ST_EXIT_OK) {
        snprintf(err, errsz, "%s: %s", out_path, strerror(errno));
        rc = ST_EXIT_ENVIRONMENT;
    }
    *copies = m.copies;
    for (size_t k = 0; m.in && k < n; k++)
        st_pcapng_reader_close(m.in[k].r);
    free(m.in);
    free(m.heap);
    free(m.stats);
    free(m.seen);
    return rc;
}
