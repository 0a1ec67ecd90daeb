/*
 * Fragment trains: a datagram is on the wire as several fragments, of IPv4
 * or of IPv6's Fragment header (nmap -f, -ff, --mtu; a reply cut for a
 * narrower link on its way). Only its
 * first fragment (offset 0, more to come) holds the transport header: the
 * later ones hold none (ST_PKT_FRAGMENT) and are no packet of their own.
 * A trace line is the whole datagram (a probe nmap traces once) or its first
 * fragment (a reply nmap read as it came); either way its frame is the first
 * fragment (same addresses, protocol and IP id, or IPv6's Fragment
 * header's: an IPv6 line names none, its frame does), and every later fragment of
 * that id belongs to it: not wire-only, but listed with the line (c->fnext
 * chains them from the first). A train no line took (a late reply's) follows
 * its first frame: the same cause, the same probe (st_fragments_follow).
 *
 * Only fragments are indexed (sorted by identity), so a capture without any
 * costs one pass over its frames.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "comparison.h"
#include "hosts.h"

struct frag {
    uint32_t src, dst; /* IPv6: the addresses' host ids (hosts.h) */
    uint32_t id;       /* IPv4's IP id, IPv6's Fragment header's */
    uint8_t net, proto;
    bool first; /* offset 0 (with more fragments to come) */
    long f;
};

static int cmp_key(const struct frag *x, const struct frag *y)
{
    if (x->net != y->net)
        return x->net < y->net ? -1 : 1;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    if (x->dst != y->dst)
        return x->dst < y->dst ? -1 : 1;
    if (x->proto != y->proto)
        return x->proto < y->proto ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return 0;
}

static int cmp_frag(const void *a, const void *b)
{
    const struct frag *x = a, *y = b;
    int k = cmp_key(x, y);
    return k ? k : (x->f > y->f) - (x->f < y->f);
}

static bool is_fragment(const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        return p->ip6.frag && (p->ip6.frag_off || p->ip6.frag_more);
    return p->net == ST_NET_IPV4 && (p->ip.frag & 0x3fff) != 0;
}

/* A fragment past the first: no transport header. */
static bool is_later(const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        return p->ip6.frag && p->ip6.frag_off;
    return p->net == ST_NET_IPV4 && (p->ip.frag & 0x1fff) != 0;
}

/* p's datagram: addresses, protocol, id (the first fragment's flag unset). */
static struct frag key_of(const struct st_pkt *p, long f)
{
    if (p->net == ST_NET_IPV6)
        return (struct frag){st_pkt_src_host(p),
                             st_pkt_dst_host(p),
                             p->ip6.frag_id,
                             ST_NET_IPV6,
                             p->proto,
                             false,
                             f};
    return (struct frag){p->ip.src, p->ip.dst, p->ip.id, ST_NET_IPV4, p->ip.proto, false, f};
}

/* The fragments of the capture, sorted by identity then frame; *n of them. */
static struct frag *collect(const struct st_comparison *c, size_t *n)
{
    struct frag *v = NULL;
    size_t k = 0, alloc = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < c->cap->n; i++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, i, &tmp);
        if (!is_fragment(p))
            continue;
        if (k == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            v = realloc(v, alloc * sizeof *v);
            if (!v)
                abort();
        }
        v[k] = key_of(p, (long)i);
        v[k++].first = !is_later(p);
    }
    if (k)
        qsort(v, k, sizeof *v, cmp_frag);
    *n = k;
    return v;
}

/* The first fragment of the train [from, to) the trace packet takes: the
 * frame it already matched, or the first free one. -1 if none. */
static long train_head(struct st_comparison *c, const struct frag *v, size_t from, size_t to,
                       size_t t)
{
    long have = c->t2f[t];
    for (size_t k = from; k < to; k++)
        if (v[k].first && (have < 0 ? c->f2t[v[k].f] < 0 : v[k].f == have))
            return v[k].f;
    return -1;
}

/* Chain the free later fragments of [from, to) after frame head; they map
 * to trace packet t (-1: none, the train is wire-only). */
static void chain(struct st_comparison *c, const struct frag *v, size_t from, size_t to, long head,
                  long t)
{
    long prev = head;
    for (size_t k = from; k < to; k++) {
        if (v[k].first || c->f2t[v[k].f] >= 0 || v[k].f == head)
            continue;
        if (t < 0 && v[k].f < head) /* before its first: the first of another datagram? */
            continue;
        if (!c->fnext) { /* the capture's first train */
            c->fnext = malloc(c->cap->n * sizeof *c->fnext);
            if (!c->fnext)
                abort();
            for (size_t i = 0; i < c->cap->n; i++)
                c->fnext[i] = -1;
        }
        if (t >= 0)
            c->f2t[v[k].f] = (int32_t)t;
        c->fnext[prev] = (int32_t)v[k].f;
        prev = v[k].f;
    }
}

/* The trains no trace line took: the free later fragments after their
 * datagram's first (an IP id's first free one). */
static void chain_untaken(struct st_comparison *c, const struct frag *v, size_t n)
{
    for (size_t lo = 0, to; lo < n; lo = to) {
        for (to = lo + 1; to < n && cmp_key(&v[to], &v[lo]) == 0;)
            to++;
        for (size_t k = lo; k < to; k++)
            if (v[k].first && c->f2t[v[k].f] < 0) {
                chain(c, v, lo, to, v[k].f, -1);
                break;
            }
    }
}

/* Whether trace packet t is nmap -6's line of later fragment f: nmap's
 * IPv6 reader walks past the Fragment header whatever its offset and reads
 * the fragment's data as the next header (`ICMPv6 ... (type=25/code=200)
 * ... payloadlen=84`, the fragment's own payload length), a line of its own
 * right after its datagram's first. IPv4's reader prints none. */
static bool traced_later(const struct st_comparison *c, size_t t, long f)
{
    struct st_pkt tp, fp;
    const struct st_pkt *p = st_trace_pkt(c->trace, t, &tp);
    const struct st_pkt *q = st_store_get(&c->cap->frames, (size_t)f, &fp);
    if (c->t2f[t] >= 0 || p->net != ST_NET_IPV6 || q->net != ST_NET_IPV6 || p->proto != q->proto ||
        p->ip6.plen != q->ip6.plen || memcmp(p->ip6.src, q->ip6.src, 16) ||
        memcmp(p->ip6.dst, q->ip6.dst, 16))
        return false;
    int64_t d = q->time_ns - (p->time_ns + c->offset_ns);
    return d > -1000000000 && d < 1000000000;
}

/* Each later IPv6 fragment of a train a line took, given to the line nmap
 * printed of it when there is one (among the next few lines): taken out of
 * the train, matched to that line. */
static void split_traced_later(struct st_comparison *c)
{
    for (size_t t = 0; c->fnext && t < c->trace->npkts; t++) {
        long head = c->t2f[t], prev = head;
        if (head < 0 || c->fnext[head] < 0)
            continue;
        for (long f = c->fnext[head]; f >= 0;) {
            long next = c->fnext[f];
            size_t u = t + 1;
            while (u < c->trace->npkts && u <= t + 8 && !traced_later(c, u, f))
                u++;
            if (u < c->trace->npkts && u <= t + 8) {
                c->fnext[prev] = (int32_t)next;
                c->fnext[f] = -1;
                c->t2f[u] = (int32_t)f;
                c->f2t[f] = (int32_t)u;
            } else
                prev = f;
            f = next;
        }
    }
}

void st_align_fragments(struct st_comparison *c)
{
    size_t n;
    struct frag *v = collect(c, &n);
    for (size_t t = 0; n && t < c->trace->npkts; t++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, t, &(struct st_pkt){0});
        if ((p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) || (p->flags & ST_PKT_CONNECT) ||
            is_later(p))
            continue;
        /* an IPv6 line names no Fragment header (nmap prints none): its
         * frame's does, once matched */
        const struct st_pkt *q = p;
        struct st_pkt fr;
        if (p->net == ST_NET_IPV6) {
            if (c->t2f[t] < 0)
                continue;
            q = st_store_get(&c->cap->frames, (size_t)c->t2f[t], &fr);
            if (!q->ip6.frag)
                continue;
        }
        struct frag key = key_of(q, 0);
        size_t lo = 0, hi = n;
        while (lo < hi) { /* the first fragment not below the key */
            size_t mid = (lo + hi) / 2;
            if (cmp_key(&v[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t to = lo;
        while (to < n && cmp_key(&v[to], &key) == 0)
            to++;
        long head = lo < to ? train_head(c, v, lo, to, t) : -1;
        if (head < 0)
            continue;
        c->t2f[t] = head;
        c->f2t[head] = (long)t;
        chain(c, v, lo, to, head, (long)t);
    }
    split_traced_later(c);
    chain_untaken(c, v, n);
    free(v);
}

void st_fragments_follow(struct st_comparison *c)
{
    for (size_t f = 0; c->fnext && f < c->cap->n; f++) {
        if (c->f2t[f] >= 0)
            continue;
        for (long k = c->fnext[f]; k >= 0; k = c->fnext[k]) {
            c->f2t[k] = c->f2t[f];
            c->fcause[k] = c->fcause[f];
        }
    }
}
