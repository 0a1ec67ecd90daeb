/*
 * One RTM_GETROUTE request and its answer (see route_nl.h): rtnetlink(7).
 */
#include "route_nl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct nl_req {
    struct nlmsghdr h;
    struct rtmsg r;
    char attrs[64];
};

static void add_attr(struct nl_req *q, unsigned short type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)(void *)((char *)q + NLMSG_ALIGN(q->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    q->h.nlmsg_len = NLMSG_ALIGN(q->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Send the request, read its one answer into buf. Its length, or -1 with errno. */
static ssize_t ask(struct nl_req *q, char *buf, size_t size)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return -1;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    ssize_t n = -1;
    if (sendto(fd, q, q->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) ==
        (ssize_t)q->h.nlmsg_len)
        n = recv(fd, buf, size, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return n;
}

/* The matched route's next hops: several (RTA_MULTIPATH), or a nexthop
 * object the answer does not expand (RTA_NH_ID without RTA_OIF: it may be a
 * group), and the kernel hashes each destination onto one of them. */
static void read_match(struct rtmsg *r, unsigned len, struct st_kroute *k)
{
    bool nh_id = false, oif = false;
    for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        k->multipath |= a->rta_type == RTA_MULTIPATH;
        nh_id |= a->rta_type == RTA_NH_ID;
        oif |= a->rta_type == RTA_OIF;
    }
    k->multipath |= nh_id && !oif;
}

/* The answer's attributes into k; 0, or -1 with errno. (Not const: the
 * kernel's NLMSG_DATA and RTA_* macros cast the qualifier away.) */
static int read_answer(char *buf, ssize_t n, size_t alen, bool fib_match, struct st_kroute *k)
{
    struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf;
    if (!NLMSG_OK(h, (unsigned)n)) {
        errno = EPROTO;
        return -1;
    }
    if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = NLMSG_DATA(h);
        errno = e->error ? -e->error : EPROTO;
        return -1;
    }
    struct rtmsg *r = NLMSG_DATA(h);
    /* what the kernel would refuse to send to anyway (as nmap reads it) */
    if (r->rtm_type == RTN_UNREACHABLE || r->rtm_type == RTN_BLACKHOLE ||
        r->rtm_type == RTN_PROHIBIT) {
        errno = ENETUNREACH;
        return -1;
    }
    if (fib_match) {
        k->dst_len = r->rtm_dst_len;
        read_match(r, (unsigned)RTM_PAYLOAD(h), k);
        return 0;
    }
    k->type = r->rtm_type;
    unsigned len = (unsigned)RTM_PAYLOAD(h);
    for (struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        size_t dl = RTA_PAYLOAD(a);
        if (a->rta_type == RTA_OIF && dl >= sizeof(int))
            memcpy(&k->oif, RTA_DATA(a), sizeof(int));
        else if (a->rta_type == RTA_GATEWAY && dl >= alen) {
            memcpy(k->via, RTA_DATA(a), alen);
            k->gateway = true;
        } else if (a->rta_type == RTA_PREFSRC && dl >= alen) {
            memcpy(k->src, RTA_DATA(a), alen);
            k->have_src = true;
        }
    }
    return 0;
}

static int query(int family, const uint8_t *dst, int oif, bool fib_match, struct st_kroute *k)
{
    size_t alen = family == AF_INET ? 4 : 16;
    struct nl_req q;
    memset(&q, 0, sizeof q);
    q.h.nlmsg_len = NLMSG_LENGTH(sizeof q.r);
    q.h.nlmsg_type = RTM_GETROUTE;
    q.h.nlmsg_flags = NLM_F_REQUEST;
    q.r.rtm_family = (unsigned char)family;
    q.r.rtm_dst_len = (unsigned char)(alen * 8);
    if (fib_match)
        q.r.rtm_flags = RTM_F_FIB_MATCH;
    add_attr(&q, RTA_DST, dst, alen);
    if (oif > 0)
        add_attr(&q, RTA_OIF, &oif, sizeof oif);
    union {
        struct nlmsghdr h;
        char b[4096];
    } buf;
    ssize_t n = ask(&q, buf.b, sizeof buf.b);
    return n < 0 ? -1 : read_answer(buf.b, n, alen, fib_match, k);
}

int st_route_kernel(int family, const uint8_t *dst, int oif, bool fib_match, struct st_kroute *k)
{
    memset(k, 0, sizeof *k);
    size_t alen = family == AF_INET ? 4 : 16;
    if (query(family, dst, oif, false, k))
        return -1;
    /* a gateway that is the destination itself is no hop: on the link */
    if (k->gateway && !memcmp(k->via, dst, alen)) {
        k->gateway = false;
        k->via_self = true;
    }
    k->dst_len = (unsigned)alen * 8;
    /* an old kernel without RTM_F_FIB_MATCH: the full length, no sharing */
    if (fib_match && query(family, dst, oif, true, k)) {
        k->dst_len = (unsigned)alen * 8;
        k->multipath = true;
    }
    return 0;
}
