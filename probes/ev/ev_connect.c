/*
 * Connect requests: TCP (non-blocking connect() with a timeout), UDP (a
 * connected datagram socket, done at once) and TLS (a TCP connect, then the
 * handshake of ev_ssl.c). Whatever connect() says at once is only queued;
 * the loop delivers it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ev_internal.h"

/* Checks a connect request and records the peer (with PORT) in the IOD. */
static int check_and_set_peer(st_ev_iod *iod, const struct sockaddr *sa, socklen_t len,
                              unsigned short port)
{
    if (!iod || iod->deleted || iod->state != ST_EV_IOD_INITIAL || iod->fd >= 0)
        return -EINVAL;
    if (!sa || len > sizeof iod->peer)
        return -EINVAL;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        memcpy(&iod->peer, sa, len);
        ((struct sockaddr_in *)&iod->peer)->sin_port = htons(port);
    } else if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        memcpy(&iod->peer, sa, len);
        ((struct sockaddr_in6 *)&iod->peer)->sin6_port = htons(port);
    } else {
        return -EAFNOSUPPORT;
    }
    iod->peer_len = len;
    return 0;
}

static void note_local(st_ev_iod *iod)
{
    iod->local_len = sizeof iod->local;
    if (getsockname(iod->fd, (struct sockaddr *)&iod->local, &iod->local_len) < 0)
        iod->local_len = 0;
}

/* The TCP connect of EV finished with ERR (0: connected). */
static void tcp_connected(st_ev_pool *pool, st_ev_event *ev, int err)
{
    st_ev_iod *iod = ev->iod;
    if (err) {
        st_ev__complete(pool, ev, ST_EV_ERROR, err);
        return;
    }
    iod->state = ST_EV_IOD_CONNECTED_TCP;
    note_local(iod);
    if (ev->type == ST_EV_CONNECT) {
        st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
        return;
    }
    err = st_ev__ssl_start(pool, ev);
    if (err)
        st_ev__complete(pool, ev, ST_EV_ERROR, -err);
    else
        st_ev__ssl_handshake_step(pool, ev);
}

static st_ev_id connect_stream(st_ev_pool *pool, st_ev_iod *iod, enum st_ev_type type,
                               st_ev_handler h, int timeout_ms, void *userdata,
                               const struct sockaddr *sa, socklen_t len, unsigned short port)
{
    int rc = check_and_set_peer(iod, sa, len, port);
    if (rc < 0)
        return rc;
    st_ev_event *ev = st_ev__event_new(pool, type, iod, timeout_ms, h, userdata);
    if (!ev)
        return -errno;
    char addr[64];
    st_ev__addr_str((struct sockaddr *)&iod->peer, addr, sizeof addr);
    if (type == ST_EV_CONNECT)
        st_ev__trace(pool, "nsock_connect_tcp",
                     "TCP connection requested to %s (IOD #%lu) (timeout: %dms) EID %li", addr,
                     iod->id, timeout_ms, ev->id);
    else
        st_ev__trace(pool, "nsock_connect_ssl",
                     "SSL connection requested to %s/tcp (IOD #%lu) EID %li", addr, iod->id,
                     ev->id);

    rc = st_ev__socket_open(iod, iod->peer.ss_family, SOCK_STREAM);
    if (rc < 0) {
        st_ev__complete(pool, ev, ST_EV_ERROR, -rc);
        return ev->id;
    }
    iod->state = ST_EV_IOD_UNKNOWN;
    st_ev__event_add(pool, ev);
    if (connect(iod->fd, (struct sockaddr *)&iod->peer, iod->peer_len) == 0) {
        iod->connect_errno = 0;
        tcp_connected(pool, ev, 0);
    } else {
        iod->connect_errno = errno;
        if (errno != EINPROGRESS)
            tcp_connected(pool, ev, errno);
    }
    return ev->id;
}

st_ev_id st_ev_connect_tcp(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                           void *userdata, const struct sockaddr *sa, socklen_t len,
                           unsigned short port)
{
    return connect_stream(pool, iod, ST_EV_CONNECT, h, timeout_ms, userdata, sa, len, port);
}

st_ev_id st_ev_connect_ssl(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                           void *userdata, const struct sockaddr *sa, socklen_t len,
                           unsigned short port)
{
    return connect_stream(pool, iod, ST_EV_CONNECT_SSL, h, timeout_ms, userdata, sa, len, port);
}

st_ev_id st_ev_connect_udp(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, void *userdata,
                           const struct sockaddr *sa, socklen_t len, unsigned short port)
{
    int rc = check_and_set_peer(iod, sa, len, port);
    if (rc < 0)
        return rc;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_CONNECT, iod, -1, h, userdata);
    if (!ev)
        return -errno;
    char addr[64];
    st_ev__addr_str((struct sockaddr *)&iod->peer, addr, sizeof addr);
    st_ev__trace(pool, "nsock_connect_udp", "UDP connection requested to %s (IOD #%lu) EID %li",
                 addr, iod->id, ev->id);
    rc = st_ev__socket_open(iod, iod->peer.ss_family, SOCK_DGRAM);
    if (rc == 0 && connect(iod->fd, (struct sockaddr *)&iod->peer, iod->peer_len) < 0)
        rc = -errno;
    iod->connect_errno = rc < 0 ? -rc : 0;
    if (rc < 0) {
        st_ev__complete(pool, ev, ST_EV_ERROR, -rc);
        return ev->id;
    }
    iod->state = ST_EV_IOD_CONNECTED_UDP;
    note_local(iod);
    st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
    return ev->id;
}

void st_ev__connect_ready(st_ev_pool *pool, st_ev_event *ev, unsigned mask)
{
    st_ev_iod *iod = ev->iod;
    if (ev->type == ST_EV_CONNECT_SSL && iod->ssl_handshaking) {
        if (mask & iod->ssl_want)
            st_ev__ssl_handshake_step(pool, ev);
        return;
    }
    if (!(mask & ST_EV_WANT_WRITE))
        return;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(iod->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
        err = errno;
    tcp_connected(pool, ev, err);
}
