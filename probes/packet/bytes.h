/*
 * Bounds-checked big-endian reads over a byte span.
 *
 * Every read of packet bytes goes through a cursor: a read past the end
 * returns zero and sets the sticky `short_read` flag instead of touching
 * memory beyond the span, so a decoder checks once per header, not per byte.
 */
#ifndef ST_BYTES_H
#define ST_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct st_cur {
    const uint8_t *base;
    size_t len;
    bool short_read;
};

static inline struct st_cur st_cur_make(const uint8_t *base, size_t len)
{
    struct st_cur c = {base, len, false};
    return c;
}

/* A sub-span [off, off+len) clipped to what exists. */
static inline struct st_cur st_cur_sub(const struct st_cur *c, size_t off, size_t len)
{
    if (off > c->len)
        off = c->len;
    if (len > c->len - off)
        len = c->len - off;
    return st_cur_make(c->base + off, len);
}

static inline bool st_cur_has(const struct st_cur *c, size_t off, size_t n)
{
    return off <= c->len && n <= c->len - off;
}

static inline uint8_t st_u8(struct st_cur *c, size_t off)
{
    if (!st_cur_has(c, off, 1)) {
        c->short_read = true;
        return 0;
    }
    return c->base[off];
}

static inline uint16_t st_be16(struct st_cur *c, size_t off)
{
    if (!st_cur_has(c, off, 2)) {
        c->short_read = true;
        return 0;
    }
    return (uint16_t)(c->base[off] << 8 | c->base[off + 1]);
}

static inline uint32_t st_be32(struct st_cur *c, size_t off)
{
    if (!st_cur_has(c, off, 4)) {
        c->short_read = true;
        return 0;
    }
    return (uint32_t)c->base[off] << 24 | (uint32_t)c->base[off + 1] << 16 |
           (uint32_t)c->base[off + 2] << 8 | c->base[off + 3];
}

/* Copy n bytes; on a short span, copies nothing, zero-fills and flags. */
static inline void st_copy(struct st_cur *c, size_t off, void *dst, size_t n)
{
    if (!st_cur_has(c, off, n)) {
        c->short_read = true;
        memset(dst, 0, n);
        return;
    }
    memcpy(dst, c->base + off, n);
}

#endif
