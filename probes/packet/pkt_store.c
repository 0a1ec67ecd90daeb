/*
 * The record store (see pkt_store.h). A record is read as 4-byte words;
 * encoded, it is a mask of its non-zero words (MASK_BYTES, a bit per word)
 * and those words in order. Decoding is one clear and a copy per set bit:
 * compare reads records several times each, so reading is what must be
 * fast (a byte-level run-length code took 8% of a /16 sweep's compare), and
 * most words of a probe's or a reply's record are zero.
 */
#include "pkt_store.h"

#include <stdlib.h>
#include <string.h>

#define REC        sizeof(struct st_pkt)
#define WORD       4
#define WORDS      (REC / WORD)
#define MASK_BYTES ((WORDS + 7) / 8)

_Static_assert(REC % WORD == 0, "a record is whole words");
_Static_assert(WORDS <= 128, "the mask of non-zero words fits two 64-bit halves");

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(p, c * elem);
    if (!q)
        abort();
    *cap = c;
    return q;
}

void st_store_add(struct st_pkt_store *s, const struct st_pkt *p)
{
    const uint8_t *b = (const uint8_t *)p;
    uint8_t enc[MASK_BYTES + REC] = {0};
    size_t n = MASK_BYTES;

    for (size_t w = 0; w < WORDS; w++) {
        uint32_t v;
        memcpy(&v, b + WORD * w, WORD);
        if (!v)
            continue;
        enc[w / 8] |= (uint8_t)(1u << (w % 8));
        memcpy(enc + n, &v, WORD);
        n += WORD;
    }
    s->data = grow(s->data, &s->cap, s->len + n, 1);
    s->off = grow(s->off, &s->ncap, s->n + 1, sizeof *s->off);
    memcpy(s->data + s->len, enc, n);
    s->off[s->n++] = s->len;
    s->len += n;
}

const struct st_pkt *st_store_get(const struct st_pkt_store *s, size_t i, struct st_pkt *tmp)
{
    uint8_t *b = (uint8_t *)tmp;
    const uint8_t *e = s->data + s->off[i];
    const uint8_t *v = e + MASK_BYTES;

    memset(tmp, 0, REC);
    for (size_t half = 0; half * 64 < WORDS; half++) {
        uint64_t mask = 0;
        for (size_t k = 0; k < 8 && half * 8 + k < MASK_BYTES; k++)
            mask |= (uint64_t)e[half * 8 + k] << (8 * k);
        while (mask) {
            size_t w = half * 64 + (size_t)__builtin_ctzll(mask);
            memcpy(b + WORD * w, v, WORD);
            v += WORD;
            mask &= mask - 1;
        }
    }
    return tmp;
}

void st_store_take(struct st_pkt_store *s, struct st_pkt_store *from)
{
    s->data = grow(s->data, &s->cap, s->len + from->len, 1);
    s->off = grow(s->off, &s->ncap, s->n + from->n, sizeof *s->off);
    if (from->len) /* an empty store may have no buffer at all */
        memcpy(s->data + s->len, from->data, from->len);
    for (size_t i = 0; i < from->n; i++)
        s->off[s->n + i] = from->off[i] + s->len;
    s->len += from->len;
    s->n += from->n;
    st_store_free(from);
}

void st_store_trim(struct st_pkt_store *s)
{
    if (s->len && s->len < s->cap) {
        void *d = realloc(s->data, s->len);
        if (d) {
            s->data = d;
            s->cap = s->len;
        }
    }
    if (s->n && s->n < s->ncap) {
        void *o = realloc(s->off, s->n * sizeof *s->off);
        if (o) {
            s->off = o;
            s->ncap = s->n;
        }
    }
}

void st_store_free(struct st_pkt_store *s)
{
    free(s->data);
    free(s->off);
    memset(s, 0, sizeof *s);
}
