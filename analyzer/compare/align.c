/*
 * Alignment: trace packets to frames, one to one, by protocol identity
 * (st_pkt_same: ARP op and addresses; IP addresses, id and protocol; ports,
 * flags and seq; ICMP type, code, id and seq). Frames are indexed by
 * st_pkt_hash, so each lookup is O(1) whatever the capture's size.
 *
 * The two clocks differ: trace times count from the scanner's start, frame
 * times from the epoch. The offset between them is the median of
 * (frame time - trace time) over the packets whose identity has exactly one
 * frame; a packet with several candidate frames (ARP retries, say) then
 * takes the unused one nearest its expected time.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "comparison.h"
#include "groups.h"
#include "util.h"

/*
 * Frames by hash: every frame under its identity hash, and TCP frames also
 * under the peer hash of each end, where connect records look for them.
 * Buckets list their frames in capture order. Each entry keeps the hash's
 * high half (the bucket is its low bits), so a lookup decodes (frames are
 * stored packed) only the frames whose hash is very likely the packet's, not
 * every frame that shares its bucket; st_pkt_same then decides. 12 bytes an
 * entry: the index is align's largest table (10M frames: 120 MB).
 */
struct entry {
    uint32_t hash; /* the hash's high 32 bits */
    int32_t next;  /* next entry in the bucket, -1 */
    int32_t frame;
};

struct index {
    int32_t *head; /* bucket -> first entry, -1 */
    struct entry *e;
    size_t mask, n, cap;
    /* TCP frames under their peer hashes too: only when the trace has
     * connect records, the only packets looked up that way (a sweep's
     * capture would otherwise take three entries a frame for nothing) */
    bool peers;
    /* IPv4 frames also under their hash with the IP id taken as 0: the
     * trace has probes sent with id 0, which the kernel replaces on a raw
     * socket (nmap's traceroute probes; any random id that came out 0).
     * Only frames whose id-0 hash is one of those probes' (zero_hash,
     * sorted) get that entry: one random id of 0 among a sweep's millions
     * of probes would otherwise double the index. */
    bool zero_ids;
    uint64_t *zero_hash;
    size_t nzero;
};

/* A trace packet sent with IP id 0: its frame carries the id the kernel
 * gave it. */
static bool kernel_filled_id(const struct st_pkt *p)
{
    return p->dir == ST_DIR_SENT && p->net == ST_NET_IPV4 && !p->ip.id &&
           !(p->flags & ST_PKT_CONNECT);
}

static void zero_ids_find(struct index *ix, const struct st_trace *t)
{
    struct st_pkt tmp;
    size_t cap = 0;
    ix->zero_hash = NULL;
    ix->nzero = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (!kernel_filled_id(p))
            continue;
        if (ix->nzero == cap) {
            cap = cap ? cap * 2 : 16;
            uint64_t *z = realloc(ix->zero_hash, cap * sizeof *z);
            if (!z)
                abort();
            ix->zero_hash = z;
        }
        ix->zero_hash[ix->nzero++] = st_pkt_hash(p);
    }
    ix->zero_ids = ix->nzero > 0;
    if (ix->nzero)
        st_sort(ix->zero_hash, ix->nzero, sizeof *ix->zero_hash, st_cmp_u64);
}

static bool zero_id_probed(const struct index *ix, uint64_t h)
{
    return ix->nzero && bsearch(&h, ix->zero_hash, ix->nzero, sizeof h, st_cmp_u64);
}

static void ix_add(struct index *ix, uint64_t h, long f)
{
    if (ix->n == ix->cap) {
        /* only the id-0 entries are not counted in advance: a few */
        ix->cap += ix->cap / 8 + 1024;
        struct entry *e = realloc(ix->e, ix->cap * sizeof *e);
        if (!e)
            abort();
        ix->e = e;
    }
    size_t b = h & ix->mask;
    ix->e[ix->n] = (struct entry){(uint32_t)(h >> 32), ix->head[b], (int32_t)f};
    ix->head[b] = (int32_t)ix->n++;
}

/* A frame's captured direction (cdir), and whether it is IPv6 neighbour
 * discovery (what find_scanner looks for) */
#define CDIR_ND 0x10

/* Also what frame_dir needs: the direction the capture recorded and the
 * source address (one decoding per frame). */
static void index_build(struct index *ix, const struct st_dissection *cap, uint8_t *cdir,
                        uint32_t *src)
{
    /* one per frame, two more with peers (and a few id-0 ones) */
    size_t entries = (1 + (ix->peers ? 2 : 0)) * cap->n, nb = 16;
    struct st_pkt tmp;
    /* a bucket per one to two frames: chains of two or three entries,
     * skipped on their stored hash without decoding (4 bytes a bucket:
     * 32 MB at 10M frames) */
    while (2 * nb < cap->n)
        nb *= 2;
    ix->mask = nb - 1;
    ix->n = 0;
    ix->cap = entries ? entries : 1;
    ix->head = malloc(nb * sizeof *ix->head);
    ix->e = malloc(ix->cap * sizeof *ix->e);
    if (!ix->head || !ix->e)
        abort();
    for (size_t i = 0; i < nb; i++)
        ix->head[i] = -1;
    for (size_t i = cap->n; i-- > 0;) {
        const struct st_pkt *f = st_store_get(&cap->frames, i, &tmp);
        cdir[i] = (uint8_t)f->dir;
        if (f->net == ST_NET_IPV6 && f->proto == ST_IPPROTO_ICMPV6 &&
            (f->l4.icmp.type == ST_ICMP6_NEIGHBOR_SOLICIT ||
             f->l4.icmp.type == ST_ICMP6_NEIGHBOR_ADVERT))
            cdir[i] |= CDIR_ND;
        src[i] = st_pkt_src_host(f);
        ix_add(ix, st_pkt_hash(f), (long)i);
        if (ix->zero_ids && f->net == ST_NET_IPV4 && f->ip.id) {
            struct st_pkt g = *f;
            g.ip.id = 0;
            uint64_t h = st_pkt_hash(&g);
            if (zero_id_probed(ix, h))
                ix_add(ix, h, (long)i);
        }
        if (ix->peers && f->proto == ST_IPPROTO_TCP &&
            (f->net == ST_NET_IPV4 || f->net == ST_NET_IPV6)) {
            ix_add(ix, st_pkt_peer_hash(st_pkt_dst_host(f), f->l4.tcp.dport), (long)i);
            ix_add(ix, st_pkt_peer_hash(src[i], f->l4.tcp.sport), (long)i);
        }
    }
}

static void index_free(struct index *ix)
{
    free(ix->head);
    free(ix->e);
    free(ix->zero_hash);
}

/* The frames that can be trace packet p, in capture order; returns how many
 * (at most max). */
static size_t candidates(const struct index *ix, const struct st_dissection *cap,
                         const struct st_pkt *p, long *out, size_t max)
{
    uint64_t h = (p->flags & ST_PKT_CONNECT) ? st_pkt_peer_hash(st_pkt_dst_host(p), p->l4.tcp.dport)
                                             : st_pkt_hash(p);
    size_t n = 0;
    struct st_pkt tmp;
    bool any_id = ix->zero_ids && kernel_filled_id(p);
    for (int32_t e = ix->head[h & ix->mask]; e >= 0 && n < max; e = ix->e[e].next) {
        long f = ix->e[e].frame;
        if (ix->e[e].hash != (uint32_t)(h >> 32) || (n && out[n - 1] == f))
            continue;
        st_store_get(&cap->frames, (size_t)f, &tmp);
        if (any_id)
            tmp.ip.id = 0;
        if (!st_pkt_same(p, &tmp))
            continue;
        out[n++] = f;
    }
    return n;
}

static void add_scanner(struct st_comparison *c, uint32_t a)
{
    if (!a || st_is_scanner(c, a))
        return;
    uint32_t *s = realloc(c->scanner, (c->nscanner + 1) * sizeof *s);
    if (!s)
        abort();
    c->scanner = s;
    c->scanner[c->nscanner++] = a;
}

bool st_is_scanner(const struct st_comparison *c, uint32_t a)
{
    for (size_t i = 0; i < c->nscanner; i++)
        if (c->scanner[i] == a)
            return true;
    return false;
}

bool st_is_own_host(const struct st_comparison *c, uint32_t a)
{
    return st_is_scanner(c, a) || st_host_loopback(a);
}

/* The scanner's addresses: its host's (run.json), the sources of its SENT
 * lines; failing those, of the frames the capture marked outbound (cdir and
 * src: each frame's, from index_build). */
static void find_scanner(struct st_comparison *c, const uint8_t *cdir, const uint32_t *src)
{
    const struct st_trace *t = c->trace;
    for (size_t i = 0; i < t->nlocal; i++)
        add_scanner(c, t->local[i]);
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_SENT || (p->flags & ST_PKT_CONNECT))
            continue;
        add_scanner(c, st_pkt_src_host(p));
    }
    /* IPv6: the scanner's other addresses (its link-local, another
     * interface's) show where its kernel does neighbour discovery from, in
     * frames the capture recorded as sent */
    for (size_t i = 0; i < c->cap->n; i++)
        if (cdir[i] == (ST_DIR_SENT | CDIR_ND))
            add_scanner(c, src[i]);
    if (c->nscanner)
        return;
    for (size_t i = 0; i < c->cap->n; i++)
        if ((cdir[i] & ~CDIR_ND) == ST_DIR_SENT)
            add_scanner(c, src[i]);
}

/* A capture without directions (pcap, dumpcap -P) and no run.json: the
 * scanner's link-local address is in none of its lines, yet its kernel
 * does neighbour discovery from it. It is the source of IPv6 frames from
 * the MAC its matched IPv6 probes left from, seen before any router (at
 * most a few: the first 4). */
static void link_local_by_mac(struct st_comparison *c)
{
    uint8_t mac[4][6];
    size_t n = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < c->trace->npkts && n < 4; i++) {
        struct st_pkt ptmp;
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &ptmp);
        if (c->t2f[i] < 0 || p->dir != ST_DIR_SENT || p->net != ST_NET_IPV6)
            continue;
        const struct st_pkt *f = st_store_get(&c->cap->frames, (size_t)c->t2f[i], &tmp);
        /* (a hop limit other than the line's: seen past a router, from its MAC) */
        static const uint8_t none[6];
        bool seen = f->link != ST_LINK_ETHERNET || f->ip6.hopl != p->ip6.hopl ||
                    !memcmp(f->eth_src, none, 6); /* (frames built without a link layer) */
        for (size_t k = 0; k < n && !seen; k++)
            seen = !memcmp(mac[k], f->eth_src, 6);
        if (!seen)
            memcpy(mac[n++], f->eth_src, 6);
    }
    for (size_t i = 0; n && i < c->cap->n; i++) {
        const struct st_pkt *f = st_store_get(&c->cap->frames, i, &tmp);
        if (f->link != ST_LINK_ETHERNET || f->net != ST_NET_IPV6 || f->ip6.src[0] != 0xfe ||
            (f->ip6.src[1] & 0xc0) != 0x80)
            continue;
        for (size_t k = 0; k < n; k++)
            if (!memcmp(mac[k], f->eth_src, 6))
                add_scanner(c, st_pkt_src_host(f));
    }
}

static enum st_dir frame_dir(const struct st_comparison *c, enum st_dir captured, uint32_t src)
{
    if (captured != ST_DIR_NONE)
        return captured;
    return st_is_scanner(c, src) ? ST_DIR_SENT : ST_DIR_RCVD;
}

/* More frames of one identity than this are not considered (retries of one
 * ARP request, connects to one port: a handful in practice). */
#define MAX_CANDIDATES 256

/*
 * Every trace packet's candidate frames, looked up once (the offset and the
 * matching both need them): packet i's are cand[first[i] .. first[i + 1]).
 * nclaim counts, per frame, the packets that list it (saturating).
 */
struct cands {
    uint32_t *first; /* into cand: 4 bytes do (16 GB of candidates before they would not) */
    int32_t *cand;
    uint8_t *nclaim;
};

static void cands_build(struct cands *cs, const struct st_comparison *c, const struct index *ix)
{
    const struct st_trace *t = c->trace;
    size_t n = 0, alloc = t->npkts + 16;
    cs->first = malloc((t->npkts + 1) * sizeof *cs->first);
    cs->cand = malloc(alloc * sizeof *cs->cand);
    cs->nclaim = calloc(c->cap->n ? c->cap->n : 1, 1);
    if (!cs->first || !cs->cand || !cs->nclaim)
        abort();
    for (size_t i = 0; i < t->npkts; i++) {
        long cand[MAX_CANDIDATES];
        struct st_pkt tmp;
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        size_t nc = candidates(ix, c->cap, p, cand, MAX_CANDIDATES);
        cs->first[i] = (uint32_t)n;
        if (n + nc > alloc) {
            while (n + nc > alloc)
                alloc *= 2;
            int32_t *g = realloc(cs->cand, alloc * sizeof *g);
            if (!g)
                abort();
            cs->cand = g;
        }
        for (size_t k = 0; k < nc; k++) {
            cs->cand[n++] = (int32_t)cand[k];
            if (cs->nclaim[cand[k]] < UINT8_MAX)
                cs->nclaim[cand[k]]++;
        }
    }
    cs->first[t->npkts] = (uint32_t)n;
}

static void cands_free(struct cands *cs)
{
    free(cs->first);
    free(cs->cand);
    free(cs->nclaim);
}

/* Trace packet i's time (decoded again: a table of them would be 8 bytes a
 * packet at align's peak, beside the frame index). */
static int64_t trace_time(const struct st_trace *t, size_t i)
{
    struct st_pkt tmp;
    return st_trace_pkt(t, i, &tmp)->time_ns;
}

/* Packet i's earliest candidate frame after capture time `after`
 * (candidates are in capture order), else its earliest. */
static int32_t first_cand_from(const struct st_comparison *c, const struct cands *cs, size_t i,
                               int64_t after)
{
    for (uint32_t k = cs->first[i]; k < cs->first[i + 1]; k++)
        if (st_frame_time(c, cs->cand[k]) > after)
            return cs->cand[k];
    return cs->cand[cs->first[i]];
}

/* Packet i's latest candidate frame before capture time `before`, else its
 * latest. */
static int32_t last_cand_before(const struct st_comparison *c, const struct cands *cs, size_t i,
                                int64_t before)
{
    for (uint32_t k = cs->first[i + 1]; k > cs->first[i]; k--)
        if (st_frame_time(c, cs->cand[k - 1]) < before)
            return cs->cand[k - 1];
    return cs->cand[cs->first[i + 1] - 1];
}

/*
 * Where a run of packets that all look alike sits on the capture's clock:
 * a bound on one side of it (the frames of the run before it, or of the run
 * after it), or an offset already known (the runs of a log, joined). From
 * the side of the run before, the first packet's earliest frame after it (a
 * packet's first copy on the wire is its first send); from the side of the
 * run after, the last packet's latest frame before it (its last copy is its
 * last send).
 */
enum bound_side { BOUND_AFTER, BOUND_BEFORE, BOUND_OFFSET };
struct bound {
    int64_t t;
    enum bound_side side;
};

static bool guess_offset(const struct st_comparison *c, const struct cands *cs, size_t from,
                         size_t to, struct bound b, int64_t *guess)
{
    if (b.side == BOUND_OFFSET) {
        *guess = b.t;
        return true;
    }
    if (b.side == BOUND_AFTER) {
        for (size_t i = from; i < to; i++)
            if (cs->first[i + 1] > cs->first[i]) {
                *guess = st_frame_time(c, first_cand_from(c, cs, i, b.t)) - trace_time(c->trace, i);
                return true;
            }
        return false;
    }
    for (size_t i = to; i > from; i--)
        if (cs->first[i] > cs->first[i - 1]) {
            *guess =
                st_frame_time(c, last_cand_before(c, cs, i - 1, b.t)) - trace_time(c->trace, i - 1);
            return true;
        }
    return false;
}

/*
 * When no packet has a frame of its own (nmap's ICMPv6 lines name no id or
 * sequence: an echo-only -6 run's tries all look alike), each packet's
 * candidate nearest to a first guess (guess_offset, from bound b). Packets
 * from .. to - 1, into d; their count.
 */
static size_t offset_of_ambiguous(const struct st_comparison *c, const struct cands *cs,
                                  size_t from, size_t to, struct bound b, int64_t *d)
{
    const struct st_trace *t = c->trace;
    size_t n = 0;
    int64_t guess;
    if (!guess_offset(c, cs, from, to, b, &guess))
        return 0;
    for (size_t i = from; i < to; i++) {
        int64_t tt = trace_time(t, i), best = 0, gap = INT64_MAX;
        for (uint32_t k = cs->first[i]; k < cs->first[i + 1]; k++) {
            int64_t dk = st_frame_time(c, cs->cand[k]) - tt;
            int64_t g = dk > guess ? dk - guess : guess - dk;
            if (g < gap)
                gap = g, best = dk;
        }
        if (gap != INT64_MAX)
            d[n++] = best;
    }
    return n;
}

/* (frame time - trace time) of the packets from .. to - 1 that have one
 * candidate frame, into d; their count. */
static size_t offsets_of_unique(const struct st_comparison *c, const struct cands *cs, size_t from,
                                size_t to, int64_t *d)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (cs->first[i + 1] - cs->first[i] == 1)
            d[n++] = st_frame_time(c, cs->cand[cs->first[i]]) - trace_time(c->trace, i);
    return n;
}

/* The packets' offsets (offsets_of_unique; failing those,
 * offset_of_ambiguous's guesses from bound b); their count. */
static size_t offsets_of(const struct st_comparison *c, const struct cands *cs, size_t from,
                         size_t to, struct bound b, int64_t *d)
{
    size_t n = offsets_of_unique(c, cs, from, to, d);
    return n ? n : offset_of_ambiguous(c, cs, from, to, b, d);
}

/* A packet's identity as its candidate frames show it: the first and their
 * number (packets of one identity share their list). */
struct ident {
    int32_t f0;
    uint32_t nc;
    uint32_t i;
};

static int cmp_ident(const void *a, const void *b)
{
    const struct ident *x = a, *y = b;
    if (x->f0 != y->f0)
        return (x->f0 > y->f0) - (x->f0 < y->f0);
    if (x->nc != y->nc)
        return (x->nc > y->nc) - (x->nc < y->nc);
    return (x->i > y->i) - (x->i < y->i);
}

/*
 * In a log of runs, the packets of an identity with as many frames as
 * packets, each run's and all (nmap's four alike ICMPv6 unreachables, their
 * four frames): the k-th in the trace is the k-th on the wire. Each
 * packet's k, or -1 (one frame: the packet's own; or more or fewer frames
 * than packets). Freed by the caller.
 */
static int32_t *paired_ranks(const struct st_comparison *c, const struct cands *cs)
{
    size_t np = c->trace->npkts, n = 0;
    int32_t *rank = malloc((np ? np : 1) * sizeof *rank);
    struct ident *id = malloc((np ? np : 1) * sizeof *id);
    if (!rank || !id)
        abort();
    for (size_t i = 0; i < np; i++) {
        rank[i] = -1;
        uint32_t nc = cs->first[i + 1] - cs->first[i];
        if (nc >= 2)
            id[n++] = (struct ident){cs->cand[cs->first[i]], nc, (uint32_t)i};
    }
    st_sort(id, n, sizeof *id, cmp_ident);
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a; b < n && id[b].f0 == id[a].f0 && id[b].nc == id[a].nc;)
            b++;
        if (b - a == id[a].nc)
            for (size_t k = a; k < b; k++)
                rank[id[k].i] = (int32_t)(k - a);
    }
    free(id);
    return rank;
}

/* The offsets of the packets from .. to - 1 that tell their frame: one
 * candidate no other packet has (a later run's alike packet may), or
 * paired (rank); their count. */
static size_t offsets_of_own(const struct st_comparison *c, const struct cands *cs,
                             const int32_t *rank, size_t from, size_t to, int64_t *d)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        uint32_t nc = cs->first[i + 1] - cs->first[i];
        if ((nc == 1 && cs->nclaim[cs->cand[cs->first[i]]] == 1) || (nc > 1 && rank[i] >= 0))
            d[n++] = st_frame_time(c, cs->cand[cs->first[i] + (nc == 1 ? 0 : (uint32_t)rank[i])]) -
                     trace_time(c->trace, i);
    }
    return n;
}

static int64_t median(int64_t *d, size_t n)
{
    st_sort(d, n, sizeof *d, st_cmp_i64); /* in place: no copy of a trace-long array */
    return d[n / 2];
}

/* How a run of a log was placed on the capture's clock. */
enum run_place {
    RUN_OWN = 0, /* by packets that tell their frame (or the log's only run) */
    RUN_ALIKE,   /* by packets that all look alike: near the frames they take */
    RUN_OFF,     /* no frame of its own: its packets are matched to none */
};

/* The runs of a log, each with its offset once known. */
struct run_offsets {
    int64_t *o;
    bool *known, *late; /* late: placed from the run after it */
    bool *own;          /* placed by packets that tell their frame */
    uint8_t *place;     /* enum run_place */
};

/* Run k's first (last) packet on the capture's clock. */
static int64_t run_edge(const struct st_trace *t, const struct run_offsets *r, size_t k, bool last)
{
    size_t from, to;
    st_trace_run_range(t, k, &from, &to);
    return trace_time(t, last ? to - 1 : from) + r->o[k];
}

static void run_offset(struct st_comparison *c, const struct cands *cs, struct run_offsets *r,
                       size_t k, struct bound b, int64_t *d)
{
    size_t from, to;
    st_trace_run_range(c->trace, k, &from, &to);
    size_t n = offsets_of(c, cs, from, to, b, d);
    if (n)
        r->o[k] = median(d, n), r->known[k] = true;
}

/* How far a frame may be from where a run placed by alike packets puts
 * its line: the jitter between nmap's clock and the capture's is a
 * millisecond or so; the kernel's ARP for a neighbour a later run asks for
 * again, hundreds (a ping between two runs, the second never captured: its
 * lines took the ping's ARP requests, consistent). */
#define ALIKE_SLACK_NS 50000000LL

/* Whether every packet of run k that has a frame of its identity has one
 * within ALIKE_SLACK_NS of where the run's offset puts it: a run placed by
 * alike packets fits its frames' times, not only its first packet's. */
static bool run_fits(const struct st_comparison *c, const struct cands *cs,
                     const struct run_offsets *r, size_t k)
{
    size_t from, to;
    st_trace_run_range(c->trace, k, &from, &to);
    for (size_t i = from; i < to; i++) {
        int64_t want = trace_time(c->trace, i) + r->o[k];
        bool near = cs->first[i] == cs->first[i + 1];
        for (uint32_t j = cs->first[i]; j < cs->first[i + 1] && !near; j++) {
            int64_t d = st_frame_time(c, cs->cand[j]) - want;
            near = (d < 0 ? -d : d) <= ALIKE_SLACK_NS;
        }
        if (!near)
            return false;
    }
    return true;
}

/* The first (last) packet, on the capture's clock, of the next (previous)
 * run placed by its own packets; INT64_MAX (INT64_MIN) when none. */
static int64_t own_edge(const struct st_trace *t, const struct run_offsets *r, size_t k, bool next)
{
    for (size_t j = k; next ? ++j < t->nruns : j-- > 0;) {
        size_t from, to;
        st_trace_run_range(t, j, &from, &to);
        if (r->own[j] && from < to)
            return run_edge(t, r, j, !next);
    }
    return next ? INT64_MAX : INT64_MIN;
}

/* Runs place themselves when some of their packets tell their frame (one
 * candidate, or paired: paired_ranks, but not beside an untraced run, whose
 * frames of the identity would be counted as the traced runs'). */
static void place_own(struct st_comparison *c, const struct cands *cs, struct run_offsets *r,
                      bool untraced, int64_t *d)
{
    const struct st_trace *t = c->trace;
    int32_t *rank = paired_ranks(c, cs);
    for (size_t i = 0; untraced && i < t->npkts; i++)
        rank[i] = -1;
    for (size_t k = 0; k < t->nruns; k++) {
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        size_t n = offsets_of_own(c, cs, rank, from, to, d);
        if (n)
            r->o[k] = median(d, n), r->known[k] = r->own[k] = true;
    }
    free(rank);
}

/* The untraced runs of a log (the first and last) and their frames' times
 * (st_untraced_span): the runs before the first end before them, the runs
 * after the last begin after them. */
struct untraced {
    bool any, have; /* any untraced run; its frames' times known */
    size_t u0, u1;
    int64_t lo, hi;
};

static struct untraced untraced_find(const struct st_comparison *c, const struct cands *cs)
{
    const struct st_trace *t = c->trace;
    struct untraced u = {false, false, SIZE_MAX, 0, 0, 0};
    for (size_t k = 0; k < t->nruns; k++)
        if (st_trace_run_untraced(t, k))
            u.u0 = u.u0 == SIZE_MAX ? k : u.u0, u.u1 = k, u.any = true;
    u.have = u.any && st_untraced_span(c, cs->nclaim, &u.lo, &u.hi);
    return u;
}

/* Whether run k, placed, crosses the untraced runs' frames. */
static bool crosses_untraced(const struct st_trace *t, const struct run_offsets *r,
                             const struct untraced *u, size_t k)
{
    return u->have && ((k < u->u0 && run_edge(t, r, k, true) >= u->lo) ||
                       (k > u->u1 && run_edge(t, r, k, false) <= u->hi));
}

/* The runs placed from the run before them, forwards (see place_runs). */
static void place_forwards(struct st_comparison *c, const struct cands *cs, struct run_offsets *r,
                           const struct untraced *u, int64_t *d)
{
    const struct st_trace *t = c->trace;
    int64_t after = INT64_MIN;
    bool blind = false; /* an untraced run since the last placed one */
    for (size_t k = 0; k < t->nruns; k++) {
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        if (st_trace_run_untraced(t, k))
            blind = true;
        if (u->have && k == u->u1) /* past the last untraced run's frames */
            after = after > u->hi ? after : u->hi, blind = false;
        if (from == to)
            continue;
        if (!r->known[k] && (blind || (u->have && k < u->u0)))
            r->late[k] = true;
        else if (!r->known[k])
            run_offset(c, cs, r, k, (struct bound){after, BOUND_AFTER}, d);
        if (r->known[k])
            after = run_edge(t, r, k, true), blind = false;
    }
}

/* The runs placed from the run after them, backwards (see place_runs). */
static void place_backwards(struct st_comparison *c, const struct cands *cs, struct run_offsets *r,
                            const struct untraced *u, int64_t *d)
{
    const struct st_trace *t = c->trace;
    int64_t before = INT64_MAX;
    for (size_t k = c->trace->nruns; k-- > 0;) {
        if (u->have && k == u->u0) /* before the first untraced run's frames */
            before = before < u->lo ? before : u->lo;
        if (r->late[k])
            run_offset(c, cs, r, k, (struct bound){before, BOUND_BEFORE}, d);
        if (r->known[k])
            before = run_edge(t, r, k, false);
    }
}

/*
 * The other runs, whose packets all look alike, are placed from the first
 * on, each after the run before it; but past a run that traced no packet
 * (nmap without --packet-trace), whose frames are on the wire between, the
 * runs that follow until one places itself are placed from the end instead,
 * before the run after them (the last, before the capture's end). When the
 * untraced runs' frames show (untraced_find), the runs before them are
 * placed from their first frame back, the runs after from their last on.
 * Runs happen one after the other: one placed onto frames of a run that
 * placed itself (a capture begun after it, whose frames are a later run's
 * alike: ARP to the same absent neighbour, nmap -6's echoes), or across the
 * untraced runs' frames, or with no frame left, or whose packets do not all
 * fit frames' times (run_fits: the kernel's ARP of a ping between two runs,
 * the second never captured), has none of its own: off.
 */
static void place_runs(struct st_comparison *c, const struct cands *cs, struct run_offsets *r,
                       int64_t *d)
{
    const struct st_trace *t = c->trace;
    struct untraced u = untraced_find(c, cs);
    place_own(c, cs, r, u.any, d);
    place_forwards(c, cs, r, &u, d);
    place_backwards(c, cs, r, &u, d);
    int64_t prev_last = INT64_MIN; /* the last packet of the runs kept so far */
    bool prev_alike = false;
    for (size_t k = 0; k < t->nruns; k++) {
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        if (from == to)
            continue;
        if (!r->own[k]) {
            /* (an earlier run placed by alike packets keeps the frames a later
             * one would take too: which of them the capture holds, nothing tells) */
            bool over = r->known[k] && run_edge(t, r, k, false) <= prev_last;
            bool off = !r->known[k] || run_edge(t, r, k, true) >= own_edge(t, r, k, true) ||
                       run_edge(t, r, k, false) <= own_edge(t, r, k, false) || over ||
                       crosses_untraced(t, r, &u, k) || !run_fits(c, cs, r, k);
            c->runs_alike |= over && prev_alike;
            r->place[k] = off ? RUN_OFF : RUN_ALIKE;
            r->known[k] = !off;
        }
        if (r->known[k])
            prev_last = run_edge(t, r, k, true), prev_alike = !r->own[k];
    }
}

/*
 * A log of several runs: each counts its times from its own start, so each
 * gets its own offset (place_runs), and its times are moved by its
 * difference from the first placed run's (a run with no frame keeps the
 * shift of the run before it). Then one offset holds for the whole trace:
 * the first placed run's, into *ref (false: no run placed).
 */
static bool join_runs(struct st_comparison *c, struct st_trace *t, const struct cands *cs,
                      int64_t *d, int64_t *ref, uint8_t *place)
{
    size_t nr = t->nruns;
    struct run_offsets r = {calloc(nr, sizeof *r.o), calloc(nr, sizeof *r.known),
                            calloc(nr, sizeof *r.late), calloc(nr, sizeof *r.own), place};
    int64_t *shift = calloc(nr, sizeof *shift);
    bool have_ref = false;
    if (!r.o || !r.known || !r.late || !r.own || !shift)
        abort();
    place_runs(c, cs, &r, d);
    for (size_t k = 0; k < nr; k++) {
        if (!r.known[k]) {
            shift[k] = k ? shift[k - 1] : 0;
            continue;
        }
        if (!have_ref)
            *ref = r.o[k], have_ref = true;
        shift[k] = r.o[k] - *ref;
    }
    st_trace_join_runs(t, shift);
    free(shift);
    free(r.o);
    free(r.known);
    free(r.late);
    free(r.own);
    return have_ref;
}

/* The offset; in a log of runs, how each run was placed into *place
 * (enum run_place; NULL with one run; freed by the caller). */
static void estimate_offset(struct st_comparison *c, struct st_trace *t, const struct cands *cs,
                            uint8_t **place)
{
    const struct st_dissection *cap = c->cap;
    int64_t *d = malloc((t->npkts ? t->npkts : 1) * sizeof *d);

    if (!d)
        abort();
    /* a log of runs: its packets that all look alike are placed as their
     * runs were (a later run's first packet's earliest frame may be an
     * untraced run's) */
    struct bound b = {INT64_MIN, BOUND_AFTER};
    *place = NULL;
    if (t->nruns > 1) {
        *place = calloc(t->nruns, sizeof **place);
        if (!*place)
            abort();
        if (join_runs(c, t, cs, d, &b.t, *place))
            b.side = BOUND_OFFSET;
    }
    size_t n = offsets_of(c, cs, 0, t->npkts, b, d);
    c->offset_pairs = n;
    c->offset_ns = n ? median(d, n) : cap->n ? st_frame_time(c, 0) : 0;
    free(d);
}

struct pair {
    long t, f;
    int64_t d;  /* |frame time - expected time| */
    bool other; /* the frame shows other header values than the line (altered.c) */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->other != y->other) /* alike identities (ICMPv6 errors): the frame that fits first */
        return x->other - y->other;
    if (x->d != y->d)
        return (x->d > y->d) - (x->d < y->d);
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->f > y->f) - (x->f < y->f);
}

/* Whether frame f shows other header values than trace packet i (a
 * length, a window: altered.c). Not the TTL: which capture point of two
 * (copies.c) holds the frame nearest in time is no alteration. */
static bool fits_not(const struct st_comparison *c, size_t i, long f)
{
    struct st_pkt tp, fp;
    char why[192];
    return st_pkt_altered(st_trace_pkt(c->trace, i, &tp),
                          st_store_get(&c->cap->frames, (size_t)f, &fp), ST_ANY_HOPS, why,
                          sizeof why);
}

/*
 * Every (trace packet, frame) pair of the same identity, nearest in time
 * first, taken while both are free: a packet with a lost frame then stays
 * unmatched instead of taking its retry's frame (ARP who-has repeats itself
 * byte for byte). A packet with one candidate that no other packet lists
 * competes with nobody: it is matched without entering the sort (nearly
 * every packet of a sweep). A frame whose header values fit the line goes
 * before one whose do not (two ICMPv6 errors of one flow, their quotes of
 * other lengths).
 */
static void match(struct st_comparison *c, const struct cands *cs, const uint8_t *place)
{
    const struct st_trace *t = c->trace;
    struct pair *pairs = NULL;
    size_t n = 0, alloc = 0;

    for (size_t i = 0; i < t->npkts; i++) {
        size_t from = cs->first[i], to = cs->first[i + 1];
        uint8_t how = place ? place[st_trace_pkt_run(t, i)] : RUN_OWN;
        if (how == RUN_OFF)
            continue;
        if (to - from == 1 && cs->nclaim[cs->cand[from]] == 1 && how != RUN_ALIKE) {
            c->t2f[i] = cs->cand[from];
            c->f2t[cs->cand[from]] = (long)i;
            continue;
        }
        int64_t want = trace_time(t, i) + c->offset_ns;
        for (size_t k = from; k < to; k++) {
            long f = cs->cand[k];
            if (n == alloc) {
                alloc = alloc ? alloc * 2 : 1024;
                pairs = realloc(pairs, alloc * sizeof *pairs);
                if (!pairs)
                    abort();
            }
            int64_t d = st_frame_time(c, f) - want;
            d = d < 0 ? -d : d;
            if (how == RUN_ALIKE && d > ALIKE_SLACK_NS)
                continue;
            pairs[n++] = (struct pair){(long)i, f, d, fits_not(c, i, f)};
        }
    }
    if (n)
        st_sort(pairs, n, sizeof *pairs, cmp_pair);
    for (size_t k = 0; k < n; k++) {
        if (c->t2f[pairs[k].t] >= 0 || c->f2t[pairs[k].f] >= 0)
            continue;
        c->t2f[pairs[k].t] = pairs[k].f;
        c->f2t[pairs[k].f] = pairs[k].t;
    }
    free(pairs);
}

void st_compare_run(struct st_comparison *c, struct st_trace *t, const struct st_dissection *cap)
{
    size_t nt = t->npkts ? t->npkts : 1, nf = cap->n ? cap->n : 1;
    struct index ix;

    c->trace = t;
    c->cap = cap;
    c->t2f = malloc(nt * sizeof *c->t2f);
    c->thost = malloc(nt * sizeof *c->thost);
    c->f2t = malloc(nf * sizeof *c->f2t);
    c->tcause = calloc(nt, sizeof *c->tcause);
    c->fcause = calloc(nf, sizeof *c->fcause);
    c->fdir = calloc(nf, sizeof *c->fdir);
    uint8_t *cdir = malloc(nf);
    uint32_t *src = malloc(nf * sizeof *src);
    if (!c->t2f || !c->thost || !c->f2t || !c->tcause || !c->fcause || !c->fdir || !cdir || !src)
        abort();
    for (size_t i = 0; i < t->npkts; i++)
        c->t2f[i] = -1;
    for (size_t i = 0; i < cap->n; i++)
        c->f2t[i] = -1;

    zero_ids_find(&ix, t);
    ix.peers = t->nconns > 0;
    index_build(&ix, cap, cdir, src);
    find_scanner(c, cdir, src);
    /* each frame's direction now, and the sources freed before the
     * candidates are built (10M frames: 40 MB off align's peak) */
    for (size_t i = 0; i < cap->n; i++)
        c->fdir[i] = frame_dir(c, (enum st_dir)(cdir[i] & ~CDIR_ND), src[i]);
    free(src);
    size_t nscanner = c->nscanner;
    struct cands cs;
    cands_build(&cs, c, &ix);
    index_free(&ix);
    uint8_t *place;
    estimate_offset(c, t, &cs, &place);
    match(c, &cs, place);
    free(place);
    st_align_fragments(c);
    st_copies(c, cs.first, cs.cand); /* before the causes: a copy is no retransmission */
    cands_free(&cs);
    /* a trace of connect() lines names no source: the kernel's SYNs do */
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        if (c->t2f[i] < 0 || !t->nconns)
            continue;
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if ((p->flags & ST_PKT_CONNECT) && p->dir == ST_DIR_SENT)
            add_scanner(c, st_pkt_src_host(st_store_get(&cap->frames, (size_t)c->t2f[i], &tmp)));
    }
    link_local_by_mac(c);
    /* the kernel's SYNs (its link-local's ND) named more of the scanner's
     * addresses: the frames without a captured direction are judged again */
    for (size_t i = 0; nscanner != c->nscanner && i < cap->n; i++)
        if ((cdir[i] & ~CDIR_ND) == ST_DIR_NONE)
            c->fdir[i] =
                frame_dir(c, ST_DIR_NONE, st_pkt_src_host(st_store_get(&cap->frames, i, &tmp)));
    free(cdir);

    st_groups_find(c); /* matched: a traced line's frame shows its link layer */
    st_trace_hosts_fill(c);
    st_trace_mark_told_later(t, c->thost);
    st_classify(c);
    st_fragments_follow(c);
    st_altered_find(c);
    c->discrepancies += c->altered;
    for (size_t i = 0; i < t->npkts; i++) {
        if (c->t2f[i] >= 0)
            c->matched++;
        else
            c->trace_only++;
        if (c->t2f[i] < 0 && st_cause_is_discrepancy(c->tcause[i]))
            c->discrepancies++;
    }
    for (size_t i = 0; i < cap->n; i++)
        if (c->f2t[i] < 0) {
            c->wire_only++;
            if (st_cause_is_discrepancy(c->fcause[i]))
                c->discrepancies++;
        }
    /* a capture that lost frames cannot prove anything complete */
    if (c->dropped_known && c->capture_dropped > 0)
        c->discrepancies++;
    st_run_dates_check(c);
}

void st_compare_free(struct st_comparison *c)
{
    for (size_t m = 0; m < c->nmodes; m++) {
        free(c->modes[m].hosts);
        free(c->modes[m].name);
    }
    free(c->modes);
    free(c->lists);
    free(c->t2f);
    free(c->thost);
    free(c->nd_groups);
    free(c->f2t);
    free(c->tcause);
    free(c->taltered);
    free(c->tfilter_drops);
    free(c->fcause);
    free(c->fnext);
    free(c->fdir);
    free(c->fmode8);
    free(c->fmode32);
    free(c->scanner);
    free(c->groups);
    free(c->group_hosts);
    free(c->bcast);
    free(c->miscounts);
    memset(c, 0, sizeof *c);
}
