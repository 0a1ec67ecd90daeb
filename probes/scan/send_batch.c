/*
 * The send batch (see send_batch.h). sendmmsg(2) stops at the first message
 * it cannot send: it returns how many went before it, or -1 and the errno
 * when that message was the first. The failed message is reported and the
 * call resumes after it, so one refused probe does not take the rest of the
 * batch with it (sendto(2) one at a time would have sent them).
 */
#include "send_batch.h"

#include <errno.h>
#include <string.h>

#include "util.h"

void st_batch_init(struct st_batch *b, int fd, bool v6)
{
    b->fd = fd;
    b->v6 = v6;
    b->scope6 = 0;
    b->n = 0;
}

uint8_t *st_batch_slot(struct st_batch *b)
{
    return b->msg[b->n].buf;
}

bool st_batch_full(const struct st_batch *b)
{
    return b->n == ST_BATCH_MAX;
}

const struct st_pkt *st_batch_add(struct st_batch *b, size_t n, uint32_t dst)
{
    struct st_batch_msg *m = &b->msg[b->n];
    struct msghdr *h = &b->hdr[b->n].msg_hdr;
    memset(h, 0, sizeof *h);
    b->iov[b->n] = (struct iovec){.iov_base = m->buf, .iov_len = n};
    h->msg_iov = &b->iov[b->n];
    h->msg_iovlen = 1;
    if (b->v6) {
        /* IPPROTO_RAW: the header is ours (flow label, hop limit); the
         * kernel routes and resolves the next hop */
        m->to.v6 = (struct sockaddr_in6){.sin6_family = AF_INET6};
        memcpy(m->to.v6.sin6_addr.s6_addr, m->buf + 24, 16);
        if (st_addr6_link_local(m->to.v6.sin6_addr.s6_addr))
            m->to.v6.sin6_scope_id = b->scope6;
        h->msg_namelen = sizeof m->to.v6;
    } else {
        m->to.v4 = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst)};
        h->msg_namelen = sizeof m->to.v4;
    }
    h->msg_name = &m->to;
    st_decode(m->buf, n, ST_LINK_RAW_IP, &m->pkt);
    m->len = n;
    m->tag = 0;
    b->n++;
    return &m->pkt;
}

void st_batch_flush(struct st_batch *b, st_batch_done_fn done, void *ud)
{
    size_t i = 0;
    while (i < b->n) {
        int r = sendmmsg(b->fd, &b->hdr[i], (unsigned)(b->n - i), 0);
        if (r < 0 && errno == EINTR)
            continue;
        int err = r < 0 ? errno : 0;
        size_t sent = r < 0 ? 0 : (size_t)r;
        for (size_t k = i; k < i + sent; k++)
            done(ud, &b->msg[k], b->hdr[k].msg_len == b->iov[k].iov_len ? 0 : EMSGSIZE);
        i += sent;
        if (r < 0 || sent == 0) {
            /* the message at i failed: say so and go on after it */
            done(ud, &b->msg[i], err ? err : EIO);
            i++;
        }
    }
    b->n = 0;
}
