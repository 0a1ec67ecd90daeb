/*
 * The pcapng writer (see pcapng.h). Every block is assembled as a small
 * header, the caller's bytes, padding and an option list, and handed to
 * stdio in one go per part; nothing is written until its length is known.
 */
#include "pcapng.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "pcapng_format.h"

/* Room for the options of an SHB, IDB or ISB (names are bounded below). */
#define OPTBUF_SIZE 1024
#define MAX_NAME    256

struct st_pcapng {
    FILE *f;
    uint32_t n_ifs;
    int err; /* first errno of a failed write; sticky */
};

/* An option list under construction. */
struct optbuf {
    uint8_t b[OPTBUF_SIZE];
    size_t len;
    bool overflow;
};

static size_t pad4(size_t n)
{
    return (4 - (n & 3)) & 3;
}

static void opt_add(struct optbuf *o, uint16_t code, const void *val, size_t len)
{
    size_t need = 4 + len + pad4(len);
    if (len > UINT16_MAX || need > sizeof o->b - o->len - 4 /* keep room for OPT_END */) {
        o->overflow = true;
        return;
    }
    uint16_t hdr[2] = {code, (uint16_t)len};
    memcpy(o->b + o->len, hdr, 4);
    memcpy(o->b + o->len + 4, val, len);
    memset(o->b + o->len + 4 + len, 0, pad4(len));
    o->len += need;
}

static void opt_add_u64(struct optbuf *o, uint16_t code, uint64_t v)
{
    opt_add(o, code, &v, sizeof v);
}

/* pcapng timestamps: the high 32 bits, then the low 32 bits, each a u32. */
static void opt_add_ts(struct optbuf *o, uint16_t code, int64_t ns)
{
    uint64_t t = ns > 0 ? (uint64_t)ns : 0;
    uint32_t v[2] = {(uint32_t)(t >> 32), (uint32_t)t};
    opt_add(o, code, v, sizeof v);
}

/* Close the list with opt_endofopt, if it holds anything. */
static void opt_end(struct optbuf *o)
{
    if (o->len == 0)
        return;
    memset(o->b + o->len, 0, 4);
    o->len += 4;
}

static void put(struct st_pcapng *w, const void *p, size_t n)
{
    if (w->err || n == 0)
        return;
    if (fwrite(p, 1, n, w->f) != n)
        w->err = errno ? errno : EIO;
}

static void put_u32(struct st_pcapng *w, uint32_t v)
{
    put(w, &v, 4);
}

static void put_pad(struct st_pcapng *w, size_t n)
{
    static const uint8_t zero[4];
    put(w, zero, pad4(n));
}

static int result(struct st_pcapng *w)
{
    if (!w->err)
        return 0;
    errno = w->err;
    return -1;
}

/* A block of `type` whose body is `body` (padded to 4) and then `opts`. */
static int put_block(struct st_pcapng *w, uint32_t type, const void *body, size_t body_len,
                     const struct optbuf *opts)
{
    if (opts->overflow) {
        errno = EINVAL;
        return -1;
    }
    uint32_t total = (uint32_t)(12 + body_len + pad4(body_len) + opts->len);
    put_u32(w, type);
    put_u32(w, total);
    put(w, body, body_len);
    put_pad(w, body_len);
    put(w, opts->b, opts->len);
    put_u32(w, total);
    return result(w);
}

static size_t bounded_len(const char *s)
{
    return s ? strnlen(s, MAX_NAME) : 0;
}

struct st_pcapng *st_pcapng_open(const char *path, const char *userappl)
{
    struct st_pcapng *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->f = fopen(path, "wbe"); /* e: O_CLOEXEC, the scanner's children must not hold it */
    if (!w->f) {
        free(w);
        return NULL;
    }
    /* Fewer, larger writes during a fast sweep; flushes still come often. */
    setvbuf(w->f, NULL, _IOFBF, 256 * 1024);

    struct optbuf o = {0};
    struct utsname u;
    if (uname(&u) == 0) {
        char os[2 * sizeof u.sysname + 2];
        int n = snprintf(os, sizeof os, "%s %s", u.sysname, u.release);
        if (n > 0)
            opt_add(&o, SHB_OS, os, strnlen(os, sizeof os));
    }
    if (userappl)
        opt_add(&o, SHB_USERAPPL, userappl, bounded_len(userappl));
    opt_end(&o);

    uint8_t body[16];
    uint32_t magic = BYTE_ORDER_MAGIC;
    uint16_t version[2] = {1, 0};
    int64_t section_len = -1; /* unknown: written as a stream */
    memcpy(body, &magic, 4);
    memcpy(body + 4, version, 4);
    memcpy(body + 8, &section_len, 8);
    if (put_block(w, BT_SHB, body, sizeof body, &o) < 0) {
        int e = errno;
        st_pcapng_close(w);
        errno = e;
        return NULL;
    }
    return w;
}

int st_pcapng_add_if(struct st_pcapng *w, const struct st_pcapng_if *ifc)
{
    if (w->n_ifs >= INT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    struct optbuf o = {0};
    if (ifc->name && *ifc->name)
        opt_add(&o, IF_NAME, ifc->name, bounded_len(ifc->name));
    if (ifc->mac)
        opt_add(&o, IF_MACADDR, ifc->mac, 6);
    uint8_t tsresol = 9; /* 10^-9 s */
    opt_add(&o, IF_TSRESOL, &tsresol, 1);
    opt_end(&o);

    uint8_t body[8];
    uint16_t lt[2] = {ifc->linktype, 0};
    memcpy(body, lt, 4);
    memcpy(body + 4, &ifc->snaplen, 4);
    if (put_block(w, BT_IDB, body, sizeof body, &o) < 0)
        return -1;
    return (int)w->n_ifs++;
}

int st_pcapng_write_epb(struct st_pcapng *w, uint32_t if_id, int64_t ts_ns, const uint8_t *data,
                        uint32_t caplen, uint32_t origlen, enum st_pcapng_dir dir,
                        const char *comment)
{
    size_t clen = comment ? strnlen(comment, ST_PCAPNG_MAX_COMMENT + 1) : 0;
    if (if_id >= w->n_ifs || caplen > origlen || caplen > ST_PCAPNG_MAX_FRAME ||
        clen > ST_PCAPNG_MAX_COMMENT || (caplen && !data)) {
        errno = EINVAL;
        return -1;
    }
    /* The comment can be far larger than the other options: it is written
     * straight from the caller's string, not through an optbuf. */
    uint32_t flags = (uint32_t)dir & 3;
    size_t opts_len = (clen ? 4 + clen + pad4(clen) : 0) + (flags ? 8 : 0);
    if (opts_len)
        opts_len += 4; /* opt_endofopt */
    uint32_t total = (uint32_t)(32 + caplen + pad4(caplen) + opts_len);

    uint64_t t = ts_ns > 0 ? (uint64_t)ts_ns : 0;
    uint32_t hdr[7] = {BT_EPB, total, if_id, (uint32_t)(t >> 32), (uint32_t)t, caplen, origlen};
    put(w, hdr, sizeof hdr);
    put(w, data, caplen);
    put_pad(w, caplen);
    if (clen) {
        uint16_t oh[2] = {OPT_COMMENT, (uint16_t)clen};
        put(w, oh, 4);
        put(w, comment, clen);
        put_pad(w, clen);
    }
    if (flags) {
        uint16_t oh[2] = {EPB_FLAGS, 4};
        put(w, oh, 4);
        put_u32(w, flags);
    }
    if (opts_len)
        put_u32(w, 0); /* opt_endofopt */
    put_u32(w, total);
    return result(w);
}

int st_pcapng_write_isb(struct st_pcapng *w, uint32_t if_id, int64_t ts_ns,
                        const struct st_pcapng_stats *s)
{
    if (if_id >= w->n_ifs) {
        errno = EINVAL;
        return -1;
    }
    struct optbuf o = {0};
    if (s->start_ns > 0)
        opt_add_ts(&o, ISB_STARTTIME, s->start_ns);
    if (s->end_ns > 0)
        opt_add_ts(&o, ISB_ENDTIME, s->end_ns);
    if (s->ifrecv != ST_PCAPNG_NONE)
        opt_add_u64(&o, ISB_IFRECV, s->ifrecv);
    if (s->ifdrop != ST_PCAPNG_NONE)
        opt_add_u64(&o, ISB_IFDROP, s->ifdrop);
    if (s->osdrop != ST_PCAPNG_NONE)
        opt_add_u64(&o, ISB_OSDROP, s->osdrop);
    if (s->usrdeliv != ST_PCAPNG_NONE)
        opt_add_u64(&o, ISB_USRDELIV, s->usrdeliv);
    opt_end(&o);

    uint64_t t = ts_ns > 0 ? (uint64_t)ts_ns : 0;
    uint32_t body[3] = {if_id, (uint32_t)(t >> 32), (uint32_t)t};
    return put_block(w, BT_ISB, body, sizeof body, &o);
}

int st_pcapng_flush(struct st_pcapng *w)
{
    if (!w->err && fflush(w->f) != 0)
        w->err = errno ? errno : EIO;
    return result(w);
}

int st_pcapng_close(struct st_pcapng *w)
{
    if (!w)
        return 0;
    st_pcapng_flush(w);
    if (fclose(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    int rc = result(w);
    int e = errno;
    free(w);
    errno = e;
    return rc;
}
