/*
 * Read requests (lines, bytes, anything) and the growable buffer they fill.
 *
 * A stream read drains what the socket has (so TLS never keeps decrypted
 * bytes the descriptor no longer announces) and completes once its
 * condition holds; it may hold more than asked for, as nsock's do. A
 * datagram read takes exactly one datagram.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ev_internal.h"

#define READ_CHUNK 8192

int st_ev__buf_reserve(struct st_ev_buf *b, size_t extra)
{
    /* +1 keeps room for the NUL that st_ev_event_readbuf() promises */
    if (extra > SIZE_MAX / 2 - b->len)
        return -ENOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d)
        return -ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

int st_ev__buf_append(struct st_ev_buf *b, const void *data, size_t len)
{
    int rc = st_ev__buf_reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

void st_ev__buf_free(struct st_ev_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static bool satisfied(const st_ev_event *ev)
{
    switch (ev->read_kind) {
    case ST_EV_READ_ANY:
        return ev->buf.len > 0;
    case ST_EV_READ_BYTES:
        return ev->buf.len >= (size_t)ev->read_num && ev->buf.len > 0;
    case ST_EV_READ_LINES: {
        int lines = 0;
        for (size_t i = 0; i < ev->buf.len; i++)
            if (ev->buf.data[i] == '\n' && ++lines >= ev->read_num)
                return true;
        return ev->read_num <= 0 && ev->buf.len > 0;
    }
    }
    return false;
}

void st_ev__read_ready(st_ev_pool *pool, st_ev_event *ev)
{
    st_ev_iod *iod = ev->iod;
    bool dgram = iod->sock_type == SOCK_DGRAM;
    for (;;) {
        if (st_ev__buf_reserve(&ev->buf, READ_CHUNK) < 0) {
            st_ev__complete(pool, ev, ST_EV_ERROR, ENOMEM);
            return;
        }
        void *at = ev->buf.data + ev->buf.len;
        long n;
        if (iod->ssl) {
            n = st_ev__ssl_read(iod, at, READ_CHUNK);
        } else {
            n = recv(iod->fd, at, READ_CHUNK, 0);
            if (n < 0)
                n = -errno;
        }
        if (n == -EINTR)
            continue;
        if (n == -EAGAIN || n == -EWOULDBLOCK)
            break;
        if (n < 0) {
            st_ev__complete(pool, ev, ST_EV_ERROR, (int)-n);
            return;
        }
        ev->buf.len += (size_t)n;
        ev->buf.data[ev->buf.len] = '\0';
        iod->read_count += (unsigned long)n;
        if (dgram) {
            st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
            return;
        }
        if (n == 0) {
            ev->eof = true;
            break;
        }
        if (satisfied(ev))
            break;
    }
    if (ev->eof)
        st_ev__complete(pool, ev, ev->buf.len ? ST_EV_SUCCESS : ST_EV_EOF, 0);
    else if (satisfied(ev))
        st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
}

static st_ev_id read_request(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                             void *userdata, enum st_ev_read_kind kind, int num)
{
    if (!iod || iod->deleted || iod->state == ST_EV_IOD_PCAP)
        return -EINVAL;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_READ, iod, timeout_ms, h, userdata);
    if (!ev)
        return -errno;
    ev->read_kind = kind;
    ev->read_num = num;
    char peer[80];
    st_ev__peer_str(iod, peer, sizeof peer);
    if (kind == ST_EV_READ_LINES)
        st_ev__trace(pool, "nsock_readlines",
                     "Read request for %d lines from IOD #%lu [%s] (timeout: %dms) EID %li", num,
                     iod->id, peer, timeout_ms, ev->id);
    else if (kind == ST_EV_READ_BYTES)
        st_ev__trace(pool, "nsock_readbytes",
                     "Read request for %d bytes from IOD #%lu [%s] (timeout: %dms) EID %li", num,
                     iod->id, peer, timeout_ms, ev->id);
    else
        st_ev__trace(pool, "nsock_read", "Read request from IOD #%lu [%s] (timeout: %dms) EID %li",
                     iod->id, peer, timeout_ms, ev->id);
    if (iod->fd < 0)
        st_ev__complete(pool, ev, ST_EV_ERROR, ENOTCONN);
    else
        st_ev__event_add(pool, ev);
    return ev->id;
}

st_ev_id st_ev_readlines(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata, int nlines)
{
    return read_request(pool, iod, h, timeout_ms, userdata, ST_EV_READ_LINES, nlines);
}

st_ev_id st_ev_readbytes(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata, int nbytes)
{
    return read_request(pool, iod, h, timeout_ms, userdata, ST_EV_READ_BYTES, nbytes);
}

st_ev_id st_ev_read(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                    void *userdata)
{
    return read_request(pool, iod, h, timeout_ms, userdata, ST_EV_READ_ANY, 0);
}

/* ---- the event as its handler sees it */

enum st_ev_type st_ev_event_type(const st_ev_event *ev)
{
    return ev->type;
}

enum st_ev_status st_ev_event_status(const st_ev_event *ev)
{
    return ev->status;
}

int st_ev_event_errno(const st_ev_event *ev)
{
    return ev->err;
}

st_ev_id st_ev_event_id(const st_ev_event *ev)
{
    return ev->id;
}

st_ev_iod *st_ev_event_iod(const st_ev_event *ev)
{
    return ev->iod;
}

bool st_ev_event_eof(const st_ev_event *ev)
{
    return ev->eof;
}

const char *st_ev_event_readbuf(const st_ev_event *ev, size_t *len)
{
    if (len)
        *len = ev->buf.len;
    return ev->buf.data ? (const char *)ev->buf.data : "";
}
