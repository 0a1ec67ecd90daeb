/*
 * The record store (see pkt_store.h). A record is read as 4-byte words;
 * encoded, it is its template's number, a mask of the words in which it
 * differs from the template (a bit per word) and those words XORed with the
 * template's, in order. Decoding is a copy of the template and an XOR per
 * set bit: compare reads records several times each, so reading is what
 * must be fast (a byte-level run-length code took 8% of a /16 sweep's
 * compare).
 *
 * Two forms of the mask. Handed to another process (st_store_pack), it is
 * whole: MASK_BYTES bytes, so a reader knows the head's length. In the
 * store it is the 16-bit map of its non-zero bytes, then those bytes only:
 * a sweep's record differs in a few words, in three to five of the mask's
 * sixteen bytes, so the head is about 8 bytes, not 17 (10M frames: about
 * 90 MB).
 */
#include "pkt_store.h"

#include <endian.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define REC        sizeof(struct st_pkt)
#define WORD       4
#define WORDS      (REC / WORD)
#define HEAD       ST_STORE_PACKED_HEAD
#define MASK_BYTES (HEAD - 1)
/* the stored form's longest: the map, then every mask byte */
#define STORED_MAX (ST_STORE_PACKED_MAX + 2)
/* A chunk holds many records (a 10M-frame capture: about a thousand chunks)
 * and is big enough for malloc to map it on its own. */
#define CHUNK (1u << 20)
#define GROUP 8 /* records per remembered start */
#define SLOTS (sizeof(((struct st_pkt_store *)0)->tslot))
/* The words a group's first record predicts in the others (base_lead):
 * time_ns's two, line, frame; all in the mask's first byte. */
#define LEAD       (offsetof(struct st_pkt, time_ns) / WORD)
#define LEAD_WORDS 4u

_Static_assert(offsetof(struct st_pkt, time_ns) % WORD == 0, "time_ns is whole words");
_Static_assert(offsetof(struct st_pkt, line) == WORD * (LEAD + 2), "line follows time_ns");
_Static_assert(offsetof(struct st_pkt, frame) == WORD * (LEAD + 3), "frame follows line");
_Static_assert(LEAD + LEAD_WORDS <= 8, "the lead words are in the mask's first byte");

_Static_assert(REC % WORD == 0, "a record is whole words");
_Static_assert(WORDS > 64 && WORDS <= 128, "the mask of non-zero words fills two 64-bit halves");
_Static_assert(MASK_BYTES <= 16, "the stored form's map of mask bytes is 16 bits");
_Static_assert(GROUP *STORED_MAX <= CHUNK, "a group fits in a chunk");
_Static_assert(GROUP *STORED_MAX <= UINT16_MAX, "offsets in a group fit 16 bits");
_Static_assert(SLOTS >= 2 * ST_STORE_TEMPLATES, "the template table is at most half full");

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * elem);
    if (!q)
        abort();
    *cap = c;
    return q;
}

/* The mask's two 64-bit halves (bit w: word w), as two loads. */
static inline void mask_of(const uint8_t *mask, uint64_t m[2])
{
    uint64_t lo, hi = 0;
    memcpy(&lo, mask, 8);
    memcpy(&hi, mask + 8, MASK_BYTES - 8);
    m[0] = le64toh(lo);
    m[1] = le64toh(hi);
}

/* Set bits, inline: x86-64's baseline has no popcnt instruction, and
 * __builtin_popcountll there is a call into libgcc. */
static inline unsigned bits(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

static inline size_t packed_len(const uint8_t *head)
{
    uint64_t m[2];
    mask_of(head + 1, m);
    return HEAD + WORD * (size_t)(bits(m[0]) + bits(m[1]));
}

size_t st_store_packed_len(const uint8_t *head)
{
    return packed_len(head);
}

/* The flat form at `flat` (st_store_pack's) rewritten in the stored form
 * at `out`, with template number t; returns its length. */
static size_t compact(const uint8_t *flat, size_t len, uint8_t t, uint8_t *out)
{
    unsigned map = 0;
    size_t n = 3;
    out[0] = t;
    for (unsigned j = 0; j < MASK_BYTES; j++)
        if (flat[1 + j]) {
            map |= 1u << j;
            out[n++] = flat[1 + j];
        }
    out[1] = (uint8_t)map;
    out[2] = (uint8_t)(map >> 8);
    memcpy(out + n, flat + HEAD, len - HEAD);
    return n + len - HEAD;
}

/* p's words XOR base's (NULL: zeros) after template number t. */
static size_t encode(const struct st_pkt *p, const struct st_pkt *base, uint8_t t, uint8_t *out)
{
    const uint8_t *b = (const uint8_t *)p, *z = (const uint8_t *)base;
    size_t n = HEAD;
    out[0] = t;
    memset(out + 1, 0, MASK_BYTES);
    for (size_t w = 0; w < WORDS; w++) {
        uint32_t v, x = 0;
        memcpy(&v, b + WORD * w, WORD);
        if (z)
            memcpy(&x, z + WORD * w, WORD);
        if (!(v ^= x))
            continue;
        out[1 + w / 8] |= (uint8_t)(1u << (w % 8));
        memcpy(out + n, &v, WORD);
        n += WORD;
    }
    return n;
}

/* The XORed words of stored record e, applied to *tmp (its base). */
static void xor_values(const uint8_t *e, struct st_pkt *tmp)
{
    unsigned map = (unsigned)e[1] | (unsigned)e[2] << 8;
    const uint8_t *mask = e + 3;
    const uint8_t *v = mask + bits(map);
    uint8_t *b = (uint8_t *)tmp;

    for (; map; map &= map - 1) {
        size_t j = (size_t)__builtin_ctz(map);
        for (unsigned m = *mask++; m; m &= m - 1) {
            size_t w = j * 8 + (size_t)__builtin_ctz(m);
            uint32_t x, y;
            memcpy(&x, b + WORD * w, WORD);
            memcpy(&y, v, WORD);
            x ^= y;
            memcpy(b + WORD * w, &x, WORD);
            v += WORD;
        }
    }
}

/* A stored record at e, over `base` (NULL: zeros). */
static void decode_stored(const uint8_t *e, const struct st_pkt *base, struct st_pkt *tmp)
{
    if (base)
        memcpy(tmp, base, REC);
    else
        memset(tmp, 0, REC);
    xor_values(e, tmp);
}

size_t st_store_pack(const struct st_pkt *p, uint8_t *out)
{
    return encode(p, NULL, 0, out);
}

/* What makes records alike: those of one shape differ in a few words
 * (times, numbers, an address, ids, checksums). */
static uint64_t shape(const struct st_pkt *p)
{
    unsigned kind = p->proto == ST_IPPROTO_TCP                                     ? p->l4.tcp.flags
                    : p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6 ? p->l4.icmp.type
                    : p->net == ST_NET_ARP                                         ? p->arp.op
                                                                                   : 0;
    return (uint64_t)p->dir | (uint64_t)p->link << 2 | (uint64_t)p->net << 4 |
           (uint64_t)(p->flags & 0xff) << 8 | (uint64_t)p->proto << 16 |
           (uint64_t)(kind & 0xff) << 24 | (uint64_t)(p->caplen & 0xffff) << 32 |
           (uint64_t)p->ethertype << 48;
}

/* p's template number: the one of its shape, p itself the first time a
 * shape is seen while there is room, 0 (none) past that. */
static uint8_t template_for(struct st_pkt_store *s, const struct st_pkt *p)
{
    uint64_t k = shape(p);
    size_t i = (size_t)((k * 0x9e3779b97f4a7c15ull) >> 55) % SLOTS;
    for (;; i = (i + 1) % SLOTS) {
        uint8_t t = s->tslot[i];
        if (t && s->tshape[t - 1] == k)
            return t;
        if (t)
            continue;
        if (s->ntmpl == ST_STORE_TEMPLATES)
            return 0;
        if (!s->tmpl) {
            s->tmpl = malloc(ST_STORE_TEMPLATES * REC);
            s->tshape = malloc(ST_STORE_TEMPLATES * sizeof *s->tshape);
            if (!s->tmpl || !s->tshape)
                abort();
        }
        s->tmpl[s->ntmpl] = *p;
        s->tshape[s->ntmpl] = k;
        s->tslot[i] = (uint8_t)++s->ntmpl;
        return s->tslot[i];
    }
}

/* Room for one more record at the end of the last chunk; returns where.
 * A group's records share a chunk (a new group starts where all eight
 * would fit), so each is found by its offset in the group, no walk. */
static uint8_t *room(struct st_pkt_store *s)
{
    struct st_store_chunk *c = s->nchunks ? &s->chunks[s->nchunks - 1] : NULL;
    if (s->n % GROUP == 0) {
        if (!c || c->cap - c->len < GROUP * STORED_MAX) {
            s->chunks = grow(s->chunks, &s->chunkcap, s->nchunks + 1, sizeof *s->chunks);
            c = &s->chunks[s->nchunks++];
            c->data = malloc(CHUNK);
            if (!c->data)
                abort();
            c->len = 0;
            c->cap = CHUNK;
        }
        s->group = grow(s->group, &s->groupcap, s->ngroups + 1, sizeof *s->group);
        s->group[s->ngroups++] = (uint64_t)(s->nchunks - 1) << 32 | c->len;
    }
    s->rel = grow(s->rel, &s->relcap, s->n + 1, sizeof *s->rel);
    s->rel[s->n] = (uint16_t)(c->len - (uint32_t)s->group[s->ngroups - 1]);
    return c->data + c->len;
}

/* Where record i starts. */
static const uint8_t *record_at(const struct st_pkt_store *s, size_t i)
{
    uint64_t g = s->group[i / GROUP];
    return s->chunks[g >> 32].data + (uint32_t)g + s->rel[i];
}

static const struct st_pkt *template_of(const struct st_pkt_store *s, const uint8_t *e)
{
    return e[0] ? &s->tmpl[e[0] - 1] : NULL;
}

/* Stored record e's lead words over the base's `b`: the mask's first byte,
 * if any, comes first among the values, whose words are in word order. */
static void lead_of(const uint8_t *e, const uint32_t b[LEAD_WORDS], uint32_t out[LEAD_WORDS])
{
    memcpy(out, b, LEAD_WORDS * WORD);
    unsigned map = (unsigned)e[1] | (unsigned)e[2] << 8;
    if (!(map & 1))
        return;
    unsigned m = e[3];
    const uint8_t *v = e + 3 + bits(map) + WORD * bits(m & ((1u << LEAD) - 1));
    for (unsigned k = 0; k < LEAD_WORDS; k++)
        if (m & (1u << (LEAD + k))) {
            uint32_t y;
            memcpy(&y, v, WORD);
            out[k] ^= y;
            v += WORD;
        }
}

static void template_lead(const struct st_pkt *t, uint32_t b[LEAD_WORDS])
{
    if (t)
        memcpy(b, (const uint8_t *)t + WORD * LEAD, LEAD_WORDS * WORD);
    else
        memset(b, 0, LEAD_WORDS * WORD);
}

/*
 * The lead words record i is stored against: its template's for the first
 * of a group; for the k-th after it, the first's time, and its line and
 * frame numbers plus k (0 stays 0: a trace packet has no frame, a frame no
 * line). A capture's frames are numbered one after another and a group's
 * times are close, so a frame's number and the high word of its time
 * (which a template's differs in after 4.3 s) cost nothing: 8 bytes a
 * frame less.
 */
static void base_lead(const struct st_pkt_store *s, size_t i, const uint8_t *e,
                      uint32_t b[LEAD_WORDS])
{
    size_t k = i % GROUP;
    if (!k) {
        template_lead(template_of(s, e), b);
        return;
    }
    const uint8_t *f = record_at(s, i - k);
    uint32_t tb[LEAD_WORDS], first[LEAD_WORDS];
    template_lead(template_of(s, f), tb);
    lead_of(f, tb, first);
    b[0] = first[0];
    b[1] = first[1];
    b[2] = first[2] ? first[2] + (uint32_t)k : 0;
    b[3] = first[3] ? first[3] + (uint32_t)k : 0;
}

void st_store_add(struct st_pkt_store *s, const struct st_pkt *p)
{
    uint8_t flat[ST_STORE_PACKED_MAX];
    uint8_t t = template_for(s, p);
    const struct st_pkt *base = t ? &s->tmpl[t - 1] : NULL;
    struct st_pkt predicted;
    if (s->n % GROUP) {
        /* the group's first record is stored: the others are read against it */
        uint32_t b[LEAD_WORDS];
        base_lead(s, s->n, NULL, b);
        if (base)
            predicted = *base;
        else
            memset(&predicted, 0, REC);
        memcpy((uint8_t *)&predicted + WORD * LEAD, b, sizeof b);
        base = &predicted;
    }
    size_t len = encode(p, base, t, flat);
    size_t n = compact(flat, len, t, room(s));
    s->chunks[s->nchunks - 1].len += (uint32_t)n;
    s->n++;
}

void st_store_add_packed(struct st_pkt_store *s, const uint8_t *rec)
{
    uint8_t stored[STORED_MAX];
    struct st_pkt p;
    compact(rec, packed_len(rec), 0, stored);
    decode_stored(stored, NULL, &p);
    st_store_add(s, &p);
}

const struct st_pkt *st_store_get(const struct st_pkt_store *s, size_t i, struct st_pkt *tmp)
{
    const uint8_t *e = record_at(s, i);
    const struct st_pkt *t = template_of(s, e);
    if (t)
        memcpy(tmp, t, REC);
    else
        memset(tmp, 0, REC);
    if (i % GROUP) {
        uint32_t b[LEAD_WORDS];
        base_lead(s, i, e, b);
        memcpy((uint8_t *)tmp + WORD * LEAD, b, sizeof b);
    }
    xor_values(e, tmp);
    return tmp;
}

int64_t st_store_time(const struct st_pkt_store *s, size_t i)
{
    const uint8_t *e = record_at(s, i);
    uint32_t b[LEAD_WORDS], w[LEAD_WORDS];
    base_lead(s, i, e, b);
    lead_of(e, b, w);
    int64_t t;
    memcpy(&t, w, sizeof t);
    return t;
}

/* Copied over record by record (the two stores' templates and groups
 * differ), each of `from`'s chunks freed once read: only a chunk is ever
 * held twice (a group, whose first record the others are read against,
 * never spans two chunks). */
void st_store_take(struct st_pkt_store *s, struct st_pkt_store *from)
{
    size_t c = 0;
    struct st_pkt p;
    for (size_t j = 0; j < from->n; j++) {
        for (size_t now = (size_t)(from->group[j / GROUP] >> 32); c < now; c++) {
            free(from->chunks[c].data);
            from->chunks[c].data = NULL;
        }
        st_store_add(s, st_store_get(from, j, &p));
    }
    st_store_free(from);
}

void st_store_trim(struct st_pkt_store *s)
{
    struct st_store_chunk *c = s->nchunks ? &s->chunks[s->nchunks - 1] : NULL;
    /* the rest of the last group still fits after its records */
    uint32_t keep = c ? c->len + (uint32_t)((GROUP - s->n % GROUP) % GROUP * STORED_MAX) : 0;
    if (c && keep < c->cap) {
        uint8_t *d = realloc(c->data, keep);
        if (d) {
            c->data = d;
            c->cap = keep;
        }
    }
    if (s->n && s->n < s->relcap) {
        uint16_t *r = realloc(s->rel, s->n * sizeof *s->rel);
        if (r) {
            s->rel = r;
            s->relcap = s->n;
        }
    }
    if (s->ngroups && s->ngroups < s->groupcap) {
        uint64_t *g = realloc(s->group, s->ngroups * sizeof *s->group);
        if (g) {
            s->group = g;
            s->groupcap = s->ngroups;
        }
    }
}

void st_store_free(struct st_pkt_store *s)
{
    for (size_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i].data);
    free(s->chunks);
    free(s->group);
    free(s->rel);
    free(s->tmpl);
    free(s->tshape);
    memset(s, 0, sizeof *s);
}
