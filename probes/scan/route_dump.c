/*
 * st_route_splits_read (route_split.h): the prefixes longer than a sharing
 * block, from three rtnetlink dumps (rtnetlink(7)): the routes of every
 * table (local's /32 and /128 too: the host's own and broadcast addresses),
 * the route cache (a redirect's gateway, for one address), and the policy
 * rules (a rule "to" a prefix inside a block picks another table for it;
 * the rules' other selectors do not depend on the destination, so they
 * pick alike for every target of a block).
 */
#include "route_split.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* A dump's messages come in datagrams of at most 32 KiB (the kernel's cap);
 * a larger buffer never truncates one. */
#define DUMP_BUF (64 * 1024)

/* A route's or a rule's destination prefix (type RTA_DST or FRA_DST, the
 * same attribute number), noted when longer than the block. */
static int take_dst(struct st_route_splits *s, struct rtattr *a, unsigned len, unsigned dst_len)
{
    size_t alen = s->family == AF_INET ? 4 : 16;
    if (dst_len <= s->block_len)
        return 0;
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) >= alen)
            return st_route_splits_add(s, RTA_DATA(a), dst_len);
    return 0;
}

/* One message of a dump (not const: the kernel's NLMSG_DATA and RTA_*
 * macros cast the qualifier away). 0, or -1 with errno. */
static int take(struct st_route_splits *s, struct nlmsghdr *h)
{
    if (h->nlmsg_type == RTM_NEWROUTE && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg))) {
        struct rtmsg *r = NLMSG_DATA(h);
        if (r->rtm_family != s->family)
            return 0;
        return take_dst(s, RTM_RTA(r), (unsigned)RTM_PAYLOAD(h), r->rtm_dst_len);
    }
    if (h->nlmsg_type == RTM_NEWRULE && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct fib_rule_hdr))) {
        struct fib_rule_hdr *r = NLMSG_DATA(h);
        if (r->family != s->family)
            return 0;
        struct rtattr *a = (struct rtattr *)(void *)((char *)r + NLMSG_ALIGN(sizeof *r));
        return take_dst(s, a, (unsigned)(h->nlmsg_len - NLMSG_LENGTH(sizeof *r)), r->dst_len);
    }
    return 0;
}

/* Read a dump's answer to its end. 1 at its end, 0 for more, -1 with errno
 * (EAGAIN: the tables changed while it was read). */
static int take_all(struct st_route_splits *s, char *buf, ssize_t n)
{
    unsigned left = (unsigned)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf; NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
            errno = EAGAIN;
            return -1;
        }
        if (h->nlmsg_type == NLMSG_DONE)
            return 1;
        if (h->nlmsg_type == NLMSG_ERROR) {
            struct nlmsgerr *e = NLMSG_DATA(h);
            errno = e->error ? -e->error : EPROTO;
            return -1;
        }
        if (take(s, h))
            return -1;
    }
    return 0;
}

/* One dump: type RTM_GETROUTE (flags 0: the tables, RTM_F_CLONED: the
 * cache) or RTM_GETRULE. 0, or -1 with errno. */
static int dump(struct st_route_splits *s, int fd, unsigned short type, unsigned flags, char *buf)
{
    /* a route's header and a rule's are alike in size, family first */
    struct {
        struct nlmsghdr h;
        struct rtmsg r;
    } q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r);
    q.h.nlmsg_type = type;
    q.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    q.r.rtm_family = (unsigned char)s->family;
    q.r.rtm_flags = flags;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &q, q.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return -1;
    for (;;) {
        ssize_t n = recv(fd, buf, DUMP_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        int rc = n < 0 ? -1 : take_all(s, buf, n);
        if (rc)
            return rc < 0 ? -1 : 0;
    }
}

/* The three dumps on one socket, each whole before the next is asked. */
static int dump_all(struct st_route_splits *s, char *buf)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    /* strict checking reads RTM_F_CLONED for IPv6 too (Linux 4.20); an older
     * kernel's IPv6 answers the tables again, only the cache goes unread */
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
    int rc = dump(s, fd, RTM_GETROUTE, 0, buf);
    if (!rc)
        rc = dump(s, fd, RTM_GETRULE, 0, buf);
    /* a kernel that cannot dump its cache (EINVAL) keeps the tables' answer */
    if (!rc && dump(s, fd, RTM_GETROUTE, RTM_F_CLONED, buf) && errno != EINVAL)
        rc = -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

int st_route_splits_read(struct st_route_splits *s, int family)
{
    st_route_splits_init(s, family);
    char *buf = malloc(DUMP_BUF);
    if (!buf)
        return -1;
    int rc = -1;
    /* a table changed while read is read again; a few tries, then no sharing */
    for (int tries = 0; tries < 4 && rc; tries++) {
        st_route_splits_free(s);
        st_route_splits_init(s, family);
        rc = dump_all(s, buf);
        if (rc && errno != EAGAIN)
            break;
    }
    free(buf);
    if (rc) {
        int saved = errno;
        st_route_splits_free(s);
        st_route_splits_init(s, family);
        errno = saved;
        return -1;
    }
    /* the limited broadcast is none of a route's: the kernel takes it apart */
    static const uint8_t all_ones[4] = {255, 255, 255, 255};
    if (family == AF_INET && st_route_splits_add(s, all_ones, 32))
        return -1;
    st_route_splits_seal(s);
    return 0;
}
