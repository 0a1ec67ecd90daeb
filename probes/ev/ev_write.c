/*
 * Write requests: the whole buffer goes out (as many send()s as the socket
 * takes) or the event fails; a datagram socket sends it as one datagram.
 * Nothing is sent from inside the request: the socket's first writable
 * moment in the loop does it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ev_internal.h"

void st_ev__write_ready(st_ev_pool *pool, st_ev_event *ev)
{
    st_ev_iod *iod = ev->iod;
    struct st_ev_buf *b = &ev->buf;
    while (b->pos < b->len) {
        long n;
        if (iod->ssl) {
            n = st_ev__ssl_write(iod, b->data + b->pos, b->len - b->pos);
        } else {
            n = send(iod->fd, b->data + b->pos, b->len - b->pos, MSG_NOSIGNAL);
            if (n < 0)
                n = -errno;
        }
        if (n == -EINTR)
            continue;
        if (n == -EAGAIN || n == -EWOULDBLOCK)
            return; /* the rest when the socket is writable again */
        if (n < 0) {
            st_ev__complete(pool, ev, ST_EV_ERROR, (int)-n);
            return;
        }
        b->pos += (size_t)n;
        iod->write_count += (unsigned long)n;
        if (iod->sock_type == SOCK_DGRAM)
            break;
    }
    st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
}

/* Queues a write of the bytes already in EV's buffer. */
static st_ev_id write_queue(st_ev_pool *pool, st_ev_event *ev, const char *func)
{
    st_ev_iod *iod = ev->iod;
    char peer[80];
    st_ev__peer_str(iod, peer, sizeof peer);
    /* nsock appends ": <data>" here only at its most verbose level */
    st_ev__trace(pool, func, "Write request for %zu bytes to IOD #%lu EID %li [%s]", ev->buf.len,
                 iod->id, ev->id, peer);
    if (iod->fd < 0)
        st_ev__complete(pool, ev, ST_EV_ERROR, ENOTCONN);
    else if (ev->buf.len == 0)
        st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
    else
        st_ev__event_add(pool, ev);
    return ev->id;
}

st_ev_id st_ev_write(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                     void *userdata, const void *data, int len)
{
    if (!iod || iod->deleted || iod->state == ST_EV_IOD_PCAP || (!data && len != 0))
        return -EINVAL;
    size_t n = len < 0 ? strlen(data) : (size_t)len;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_WRITE, iod, timeout_ms, h, userdata);
    if (!ev)
        return -errno;
    if (st_ev__buf_append(&ev->buf, data, n) < 0) {
        st_ev__event_free(pool, ev);
        return -ENOMEM;
    }
    return write_queue(pool, ev, "nsock_write");
}

st_ev_id st_ev_printf(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                      void *userdata, const char *fmt, ...)
{
    if (!iod || iod->deleted || iod->state == ST_EV_IOD_PCAP || !fmt)
        return -EINVAL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_WRITE, iod, timeout_ms, h, userdata);
    if (!ev)
        return -errno;
    if (st_ev__buf_reserve(&ev->buf, (size_t)n) < 0) {
        st_ev__event_free(pool, ev);
        return -ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf((char *)ev->buf.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ev->buf.len = (size_t)n;
    return write_queue(pool, ev, "nsock_printf");
}
