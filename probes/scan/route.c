/*
 * Route lookup: the kernel's own route for the target (route_nl.h), as
 * nmap reads it: the route's output interface is where probes leave and
 * replies are read, a route without a gateway puts the target on that
 * link (ARP, ND), and the source is the one the kernel picks for it.
 */
#include "route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "packet.h"
#include "route_nl.h"
#include "util.h"

/* The link's type, MAC and flags. */
static int link_facts(struct st_route *r)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", r->ifname);
    int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
    if (rc == 0) {
        r->ethernet = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
        memcpy(r->mac, ifr.ifr_hwaddr.sa_data, 6);
        rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    }
    if (rc == 0)
        r->loopback = ifr.ifr_flags & IFF_LOOPBACK;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* The source the kernel picks, when the route did not name it: a
 * connected UDP socket (no packet leaves). */
static int connected_source(int family, const uint8_t *dst, int oif, uint8_t *src)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(9);
        memcpy(&sin->sin_addr, dst, 4);
        len = sizeof *sin;
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(9);
        memcpy(&sin6->sin6_addr, dst, 16);
        sin6->sin6_scope_id = (uint32_t)oif;
        len = sizeof *sin6;
    }
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&ss, len);
    if (rc == 0)
        rc = getsockname(fd, (struct sockaddr *)&ss, &len);
    if (rc == 0)
        memcpy(src,
               family == AF_INET ? (void *)&((struct sockaddr_in *)(void *)&ss)->sin_addr
                                 : (void *)&((struct sockaddr_in6 *)(void *)&ss)->sin6_addr,
               family == AF_INET ? 4 : 16);
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return rc;
}

/* The interface the caller forced (-e, a zone): its index, or 0 with err said. */
static int forced_oif(const char *ifname, char *err, size_t errsz)
{
    if (!ifname)
        return -1;
    int oif = (int)if_nametoindex(ifname);
    if (!oif)
        snprintf(err, errsz, "%s: no such interface", ifname);
    return oif;
}

/* Both families: dst is 4 or 16 bytes in network order, a its text. */
static int lookup(int family, const uint8_t *dst, const char *a, const char *ifname,
                  struct st_route *r, char *err, size_t errsz)
{
    int oif = forced_oif(ifname, err, errsz);
    if (!oif)
        return -1;
    struct st_kroute k;
    if (st_route_kernel(family, dst, oif > 0 ? oif : 0, true, &k)) {
        snprintf(err, errsz, "no route to %s: %s", a, strerror(errno));
        return -1;
    }
    /* -e names the interface, whatever the route says (as nmap) */
    char name[IF_NAMESIZE];
    if (ifname)
        snprintf(r->ifname, sizeof r->ifname, "%s", ifname);
    else if (if_indextoname((unsigned)k.oif, name))
        snprintf(r->ifname, sizeof r->ifname, "%s", name);
    else {
        snprintf(err, errsz, "no route to %s: no output interface (%s)", a, strerror(errno));
        return -1;
    }
    r->ifindex = oif > 0 ? oif : k.oif;
    r->direct = !k.gateway;
    r->gateway = k.gateway;
    r->prefix_len = k.dst_len;
    r->multipath = k.multipath;
    r->via_self = k.via_self;
    uint8_t src[16];
    if (k.have_src)
        memcpy(src, k.src, 16);
    else if (connected_source(family, dst, r->ifindex, src)) {
        snprintf(err, errsz, "no source address for %s: %s", a, strerror(errno));
        return -1;
    }
    if (family == AF_INET) {
        uint32_t s, g;
        memcpy(&s, src, 4);
        memcpy(&g, k.via, 4);
        r->src = ntohl(s);
        r->via = ntohl(g);
    } else {
        memcpy(r->src6, src, 16);
        memcpy(r->via6, k.via, 16);
    }
    if (link_facts(r)) {
        snprintf(err, errsz, "%s: %s", r->ifname, strerror(errno));
        return -1;
    }
    return 0;
}

int st_route_lookup(uint32_t dst, const char *ifname, struct st_route *r, char *err, size_t errsz)
{
    char a[16];
    uint32_t d = htonl(dst);
    memset(r, 0, sizeof *r);
    return lookup(AF_INET, (const uint8_t *)&d, st_ip4_str(dst, a), ifname, r, err, errsz);
}

int st_route_lookup6(const uint8_t dst[16], const char *ifname, struct st_route *r, char *err,
                     size_t errsz)
{
    char a[INET6_ADDRSTRLEN];
    memset(r, 0, sizeof *r);
    r->v6 = true;
    inet_ntop(AF_INET6, dst, a, sizeof a);
    /* fe80::/10 is on every link: only its interface says which */
    if (st_addr6_link_local(dst) && !ifname) {
        snprintf(err, errsz, "%s is link-local: name its interface (%s%%eth0, or -e eth0)", a, a);
        return -1;
    }
    return lookup(AF_INET6, dst, a, ifname, r, err, errsz);
}

void st_local_addrs_read(struct st_local_addrs *l)
{
    memset(l, 0, sizeof *l);
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) < 0)
        return;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET && l->n4 < 64)
            l->v4[l->n4++] = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr);
        else if (i->ifa_addr->sa_family == AF_INET6 && l->n6 < 64)
            memcpy(l->v6[l->n6++], ((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr.s6_addr,
                   16);
    }
    freeifaddrs(ifs);
}

bool st_local_addr4(const struct st_local_addrs *l, uint32_t dst)
{
    if (st_nmap_loopback4(dst))
        return true;
    for (size_t i = 0; i < l->n4; i++)
        if (l->v4[i] == dst)
            return true;
    return false;
}

bool st_local_addr6(const struct st_local_addrs *l, const uint8_t dst[16])
{
    if (st_nmap_loopback6(dst))
        return true;
    for (size_t i = 0; i < l->n6; i++)
        if (!memcmp(l->v6[i], dst, 16))
            return true;
    return false;
}
