/*
 * The pcapng reader (pcapng_read.h): a block at a time into one growing
 * buffer; numbers swapped when the section header says the other byte order.
 */
#include "pcapng_read.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_format.h"

/* Larger blocks are not frames of any capture scantrace reads: refused. */
#define MAX_BLOCK (ST_PCAPNG_MAX_FRAME + ST_PCAPNG_MAX_COMMENT + 4096)
#define MAX_IFS   4096

struct st_pcapng_reader {
    FILE *f;
    char *path;
    bool swap;
    uint8_t *buf;
    size_t cap;
    uint64_t offset;
    uint32_t n_ifs;
    int8_t tsresol[MAX_IFS]; /* per interface: 10^-n (n >= 0) or 2^-(n & 127) (< 0) */
};

static uint16_t rd16(const struct st_pcapng_reader *r, const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return r->swap ? (uint16_t)(v >> 8 | v << 8) : v;
}

static uint32_t rd32(const struct st_pcapng_reader *r, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return r->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct st_pcapng_reader *r, const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return r->swap ? __builtin_bswap64(v) : v;
}

static int fail(const struct st_pcapng_reader *r, char *err, size_t errsz, const char *why)
{
    snprintf(err, errsz, "%s: block at byte %llu: %s", r->path, (unsigned long long)r->offset, why);
    return -1;
}

/* Read one whole block (header, body, trailer) into r->buf. 1, 0 at EOF, -1. */
static int read_block(struct st_pcapng_reader *r, uint32_t *type, uint32_t *len, char *err,
                      size_t errsz)
{
    uint8_t hdr[8];
    size_t got = fread(hdr, 1, 8, r->f);
    if (got == 0 && feof(r->f))
        return 0;
    if (got != 8)
        return fail(r, err, errsz, "cut short (a capture still being written?)");
    *type = rd32(r, hdr);
    *len = rd32(r, hdr + 4);
    if (*len < 12 || *len % 4 || *len > MAX_BLOCK)
        return fail(r, err, errsz, "bad block length");
    if (*len > r->cap) {
        uint8_t *b = realloc(r->buf, *len);
        if (!b)
            return fail(r, err, errsz, "out of memory");
        r->buf = b;
        r->cap = *len;
    }
    memcpy(r->buf, hdr, 8);
    if (fread(r->buf + 8, 1, *len - 8, r->f) != *len - 8)
        return fail(r, err, errsz, "cut short (a capture still being written?)");
    if (rd32(r, r->buf + *len - 4) != *len)
        return fail(r, err, errsz, "trailing length differs from the leading one");
    return 1;
}

/* Walk the options from `at` to the block's trailer: cb(code, value, length). */
static bool options(struct st_pcapng_reader *r, size_t at, size_t end,
                    void (*cb)(struct st_pcapng_reader *, struct st_pcapng_block *, uint16_t,
                               const uint8_t *, uint16_t),
                    struct st_pcapng_block *b)
{
    while (at + 4 <= end) {
        uint16_t code = rd16(r, r->buf + at), len = rd16(r, r->buf + at + 2);
        if (code == OPT_END)
            return true;
        if (at + 4 + len > end)
            return false;
        cb(r, b, code, r->buf + at + 4, len);
        at += 4 + ((len + 3u) & ~3u);
    }
    return at == end;
}

static int64_t to_ns(const struct st_pcapng_reader *r, uint32_t if_id, uint64_t t)
{
    int8_t res = r->tsresol[if_id];
    if (res >= 0) {
        uint64_t div = 1;
        for (int i = 9; i < res; i++)
            div *= 10;
        uint64_t mul = 1;
        for (int i = res; i < 9; i++)
            mul *= 10;
        return (int64_t)(t / div * mul);
    }
    unsigned bits = (unsigned)(res & 127) & 63;
    uint64_t frac = t & ((1ull << bits) - 1);
    return (int64_t)((t >> bits) * 1000000000ull +
                     (uint64_t)((double)frac * 1e9 / (double)(1ull << bits)));
}

static void if_option(struct st_pcapng_reader *r, struct st_pcapng_block *b, uint16_t code,
                      const uint8_t *v, uint16_t len)
{
    if (code == IF_NAME && len < sizeof b->comment) {
        memcpy(b->comment, v, len); /* the name is kept in the comment's room */
        b->comment[len] = 0;
        b->ifc.name = b->comment;
    } else if (code == IF_MACADDR && len == 6) {
        b->ifc.mac = v;
    } else if (code == IF_TSRESOL && len >= 1 && r->n_ifs < MAX_IFS) {
        uint8_t res = v[0];
        r->tsresol[r->n_ifs] = res & 0x80 ? (int8_t)(res | 0x80) : (int8_t)(res > 18 ? 18 : res);
    }
}

static void epb_option(struct st_pcapng_reader *r, struct st_pcapng_block *b, uint16_t code,
                       const uint8_t *v, uint16_t len)
{
    if (code == OPT_COMMENT && !b->comment[0] && len <= ST_PCAPNG_MAX_COMMENT) {
        memcpy(b->comment, v, len);
        b->comment[len] = 0;
    } else if (code == EPB_FLAGS && len == 4) {
        b->dir = (enum st_pcapng_dir)(rd32(r, v) & 3);
    }
}

static void isb_option(struct st_pcapng_reader *r, struct st_pcapng_block *b, uint16_t code,
                       const uint8_t *v, uint16_t len)
{
    if (len != 8)
        return;
    uint64_t x = rd64(r, v);
    uint64_t ts = (uint64_t)rd32(r, v) << 32 | rd32(r, v + 4); /* timestamps: high word first */
    switch (code) {
    case ISB_STARTTIME:
        b->stats.start_ns = to_ns(r, b->if_id, ts);
        break;
    case ISB_ENDTIME:
        b->stats.end_ns = to_ns(r, b->if_id, ts);
        break;
    case ISB_IFRECV:
        b->stats.ifrecv = x;
        break;
    case ISB_IFDROP:
        b->stats.ifdrop = x;
        break;
    case ISB_OSDROP:
        b->stats.osdrop = x;
        break;
    case ISB_USRDELIV:
        b->stats.usrdeliv = x;
        break;
    default:
        break;
    }
}

static int read_shb(struct st_pcapng_reader *r, char *err, size_t errsz)
{
    uint32_t type, len;
    int rc = read_block(r, &type, &len, err, errsz);
    if (rc <= 0)
        return rc ? rc : fail(r, err, errsz, "empty file");
    if (type != BT_SHB || len < 28)
        return fail(r, err, errsz, "not a pcapng file (no section header)");
    uint32_t magic;
    memcpy(&magic, r->buf + 8, 4);
    if (magic != BYTE_ORDER_MAGIC) {
        if (__builtin_bswap32(magic) != BYTE_ORDER_MAGIC)
            return fail(r, err, errsz, "bad byte-order magic");
        r->swap = true;
    }
    if (rd16(r, r->buf + 12) != 1)
        return fail(r, err, errsz, "pcapng major version is not 1");
    return 1;
}

struct st_pcapng_reader *st_pcapng_reader_open(const char *path, char *err, size_t errsz)
{
    struct st_pcapng_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path))) {
        snprintf(err, errsz, "%s: out of memory", path);
        free(r);
        return NULL;
    }
    if (!(r->f = fopen(path, "rbe"))) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        st_pcapng_reader_close(r);
        return NULL;
    }
    /* the length is validated after the header is read: first with the file's own order */
    uint8_t head[12];
    if (fread(head, 1, 12, r->f) == 12) {
        uint32_t magic;
        memcpy(&magic, head + 8, 4);
        r->swap = magic != BYTE_ORDER_MAGIC && __builtin_bswap32(magic) == BYTE_ORDER_MAGIC;
    }
    rewind(r->f);
    if (read_shb(r, err, errsz) != 1) {
        st_pcapng_reader_close(r);
        return NULL;
    }
    r->offset = (uint64_t)ftello(r->f);
    return r;
}

static int take_block(struct st_pcapng_reader *r, uint32_t type, uint32_t len,
                      struct st_pcapng_block *b, char *err, size_t errsz)
{
    memset(b, 0, offsetof(struct st_pcapng_block, comment));
    b->comment[0] = 0;
    memset(&b->stats, 0xff, sizeof b->stats);
    b->stats.start_ns = b->stats.end_ns = 0;
    b->offset = r->offset;
    size_t end = len - 4;
    if (type == BT_IDB) {
        if (len < 20 || r->n_ifs >= MAX_IFS)
            return fail(r, err, errsz, len < 20 ? "short interface block" : "too many interfaces");
        r->tsresol[r->n_ifs] = 6; /* the default: microseconds */
        b->kind = ST_PCAPNG_IF;
        b->ifc.linktype = rd16(r, r->buf + 8);
        b->ifc.snaplen = rd32(r, r->buf + 12);
        bool ok = options(r, 16, end, if_option, b);
        r->n_ifs++;
        return ok ? 1 : fail(r, err, errsz, "bad interface options");
    }
    if (len < (type == BT_EPB ? 32u : 24u))
        return fail(r, err, errsz, "short block");
    b->if_id = rd32(r, r->buf + 8);
    if (b->if_id >= r->n_ifs)
        return fail(r, err, errsz, "names an interface not described before it");
    uint64_t t = (uint64_t)rd32(r, r->buf + 12) << 32 | rd32(r, r->buf + 16);
    b->ts_ns = to_ns(r, b->if_id, t);
    if (type == BT_ISB) {
        b->kind = ST_PCAPNG_STATS;
        return options(r, 20, end, isb_option, b) ? 1
                                                  : fail(r, err, errsz, "bad statistics options");
    }
    b->kind = ST_PCAPNG_FRAME;
    b->caplen = rd32(r, r->buf + 20);
    b->origlen = rd32(r, r->buf + 24);
    if (b->caplen > end - 28 || b->caplen > ST_PCAPNG_MAX_FRAME || b->caplen > b->origlen)
        return fail(r, err, errsz, "bad frame length");
    b->data = r->buf + 28;
    size_t at = 28 + ((b->caplen + 3u) & ~3u);
    return options(r, at, end, epb_option, b) ? 1 : fail(r, err, errsz, "bad frame options");
}

int st_pcapng_reader_next(struct st_pcapng_reader *r, struct st_pcapng_block *b, char *err,
                          size_t errsz)
{
    for (;;) {
        uint32_t type, len;
        r->offset = (uint64_t)ftello(r->f);
        int rc = read_block(r, &type, &len, err, errsz);
        if (rc <= 0)
            return rc;
        if (type == BT_SHB)
            return fail(r, err, errsz, "a second section (one section per capture is read)");
        if (type == BT_IDB || type == BT_EPB || type == BT_ISB)
            return take_block(r, type, len, b, err, errsz);
        /* name resolution, custom, decryption secrets...: not frames */
    }
}

void st_pcapng_reader_close(struct st_pcapng_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r->path);
    free(r);
}
