/*
 * The record store (see pkt_store.h). Encoding of one record: pairs of
 * (zeros to skip, literal bytes that follow) as two bytes, then the
 * literals, until the record's size is reached. A zero run shorter than 4
 * bytes stays inside the literals: a pair costs two bytes.
 */
#include "pkt_store.h"

#include <stdlib.h>
#include <string.h>

#define REC      sizeof(struct st_pkt)
#define MIN_ZERO 4

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

/* Zero bytes from b[i] on: eight at a time while they last. */
static size_t zeros_at(const uint8_t *b, size_t i)
{
    size_t z = 0;
    while (i + z + 8 <= REC) {
        uint64_t w;
        memcpy(&w, b + i + z, 8);
        if (w)
            break;
        z += 8;
    }
    while (i + z < REC && b[i + z] == 0)
        z++;
    return z;
}

void st_store_add(struct st_pkt_store *s, const struct st_pkt *p)
{
    const uint8_t *b = (const uint8_t *)p;
    uint8_t enc[REC * 2];
    size_t n = 0, i = 0;

    while (i < REC) {
        size_t z = zeros_at(b, i);
        if (z > 255)
            z = 255;
        i += z;
        /* literals up to the next run of MIN_ZERO zeros (or 255 bytes) */
        size_t start = i, lit = 0;
        while (i < REC && lit < 255) {
            size_t zz = zeros_at(b, i);
            if (zz >= MIN_ZERO || i + zz == REC)
                break;
            size_t step = zz ? zz : 1;
            if (lit + step > 255)
                break;
            i += step;
            lit += step;
        }
        enc[n++] = (uint8_t)z;
        enc[n++] = (uint8_t)lit;
        memcpy(enc + n, b + start, lit);
        n += lit;
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
    size_t at = 0;

    memset(tmp, 0, REC);
    while (at < REC) {
        at += e[0];
        size_t lit = e[1];
        memcpy(b + at, e + 2, lit);
        at += lit;
        e += 2 + lit;
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
