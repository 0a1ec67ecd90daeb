/*
 * IODs: one per socket or capture handle. An IOD starts INITIAL (no socket);
 * a connect gives it one. Deleting it closes the socket at once and settles
 * its pending events; its memory stays until the last event naming it has
 * been delivered.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "ev_internal.h"

static st_ev_iod *iod_alloc(st_ev_pool *pool, void *userdata)
{
    st_ev_iod *iod = st_ev__alloc(pool, sizeof *iod);
    if (!iod)
        return NULL;
    iod->pool = pool;
    iod->id = pool->next_iod_serial++;
    iod->state = ST_EV_IOD_INITIAL;
    iod->fd = -1;
    iod->userdata = userdata;
    iod->connect_errno = -1;
    ST_DLIST_APPEND(pool->iods, pool->iods_tail, iod, all_prev, all_next);
    return iod;
}

/* nsock's nsock_iod_new() is nsock_iod_new2() on no descriptor, so its
 * trace line names nsock_iod_new2 either way; ours do the same. */
st_ev_iod *st_ev_iod_new(st_ev_pool *pool, void *userdata)
{
    st_ev_iod *iod = iod_alloc(pool, userdata);
    if (iod)
        st_ev__trace(pool, "nsock_iod_new2", "nsock_iod_new (IOD #%lu)", iod->id);
    return iod;
}

st_ev_iod *st_ev_iod_new2(st_ev_pool *pool, int fd, void *userdata)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return NULL;
    int fl = fcntl(copy, F_GETFL);
    st_ev_iod *iod =
        fl < 0 || fcntl(copy, F_SETFL, fl | O_NONBLOCK) < 0 ? NULL : iod_alloc(pool, userdata);
    if (!iod) {
        int saved = errno;
        close(copy);
        errno = saved;
        return NULL;
    }
    iod->fd = copy;
    iod->state = ST_EV_IOD_UNKNOWN;
    int type = 0;
    socklen_t tl = sizeof type;
    if (getsockopt(copy, SOL_SOCKET, SO_TYPE, &type, &tl) == 0)
        iod->sock_type = type;
    iod->peer_len = sizeof iod->peer;
    if (getpeername(copy, (struct sockaddr *)&iod->peer, &iod->peer_len) < 0)
        iod->peer_len = 0;
    iod->local_len = sizeof iod->local;
    if (getsockname(copy, (struct sockaddr *)&iod->local, &iod->local_len) < 0)
        iod->local_len = 0;
    st_ev__trace(pool, "nsock_iod_new2", "nsock_iod_new (IOD #%lu)", iod->id);
    return iod;
}

/* A new non-blocking, close-on-exec socket for the IOD, bound if asked. */
int st_ev__socket_open(st_ev_iod *iod, int family, int type)
{
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (iod->has_bind && bind(fd, (struct sockaddr *)&iod->bind, iod->bind_len) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    iod->fd = fd;
    iod->sock_type = type;
    return 0;
}

static void iod_free(st_ev_iod *iod)
{
    st_ev_pool *pool = iod->pool;
    ST_DLIST_UNLINK(pool->iods, pool->iods_tail, iod, all_prev, all_next);
    free(iod->hostname);
    free(iod);
}

void st_ev__iod_unref(st_ev_iod *iod)
{
    if (iod->nrefs > 0)
        iod->nrefs--;
    if (iod->deleted && iod->nrefs == 0)
        iod_free(iod);
}

void st_ev_iod_delete(st_ev_iod *iod, enum st_ev_pending pending)
{
    if (!iod || iod->deleted)
        return;
    st_ev_pool *pool = iod->pool;
    st_ev__trace(pool, "nsock_iod_delete", "nsock_iod_delete (IOD #%lu)", iod->id);
    iod->deleted = true;
    iod->state = ST_EV_IOD_DELETED;
    iod->nrefs++; /* hold it while its events go */
    st_ev_event *e, *next;
    for (e = iod->ev_head; e; e = next) {
        next = e->iod_next;
        st_ev__trace(pool, "nevent_delete", "nevent_delete on event #%li (type %s)", e->id,
                     st_ev_type_str(e->type));
        if (pending == ST_EV_PENDING_SILENT)
            st_ev__event_drop(pool, e);
        else
            st_ev__complete(pool, e, pending == ST_EV_PENDING_CANCEL ? ST_EV_CANCELLED : ST_EV_KILL,
                            0);
    }
    /* Silent means silent: results queued before the delete go too. */
    if (pending == ST_EV_PENDING_SILENT) {
        for (e = pool->done.head; e; e = next) {
            next = e->next;
            if (e->iod == iod)
                st_ev__event_drop(pool, e);
        }
    }
    if (iod->watched) {
        pool->engine->set(pool, iod, 0);
        iod->watched = 0;
    }
    st_ev__ssl_free_iod(iod);
    if (iod->pcap) {
        /* closes the descriptor too; on a thread: a packet socket's close
         * waits for the kernel (closer.h) */
        st_closer_pcap(iod->pcap);
        iod->pcap = NULL;
    } else if (iod->fd >= 0) {
        close(iod->fd);
    }
    iod->fd = -1;
    st_ev__iod_unref(iod);
}

unsigned long st_ev_iod_id(const st_ev_iod *iod)
{
    return iod->id;
}

enum st_ev_iod_state st_ev_iod_state(const st_ev_iod *iod)
{
    return iod->state;
}

int st_ev_iod_fd(const st_ev_iod *iod)
{
    return iod->fd;
}

void *st_ev_iod_userdata(const st_ev_iod *iod)
{
    return iod->userdata;
}

void st_ev_iod_set_userdata(st_ev_iod *iod, void *userdata)
{
    iod->userdata = userdata;
}

unsigned long st_ev_iod_read_count(const st_ev_iod *iod)
{
    return iod->read_count;
}

unsigned long st_ev_iod_write_count(const st_ev_iod *iod)
{
    return iod->write_count;
}

const struct sockaddr *st_ev_iod_peer(const st_ev_iod *iod, socklen_t *len)
{
    if (len)
        *len = iod->peer_len;
    return iod->peer_len ? (const struct sockaddr *)&iod->peer : NULL;
}

const struct sockaddr *st_ev_iod_local(const st_ev_iod *iod, socklen_t *len)
{
    if (len)
        *len = iod->local_len;
    return iod->local_len ? (const struct sockaddr *)&iod->local : NULL;
}

int st_ev_iod_set_localaddr(st_ev_iod *iod, const struct sockaddr *sa, socklen_t len)
{
    if (!sa || len == 0 || len > sizeof iod->bind)
        return -EINVAL;
    memcpy(&iod->bind, sa, len);
    iod->bind_len = len;
    iod->has_bind = true;
    return 0;
}

int st_ev_iod_set_hostname(st_ev_iod *iod, const char *hostname)
{
    char *copy = hostname ? strdup(hostname) : NULL;
    if (hostname && !copy)
        return -ENOMEM;
    free(iod->hostname);
    iod->hostname = copy;
    return 0;
}

int st_ev_iod_connect_errno(const st_ev_iod *iod)
{
    return iod->connect_errno;
}

void *st_ev_iod_ssl(const st_ev_iod *iod)
{
    return iod->ssl_handshaking ? NULL : iod->ssl;
}

struct pcap *st_ev_iod_pcap(const st_ev_iod *iod)
{
    return iod->pcap;
}
