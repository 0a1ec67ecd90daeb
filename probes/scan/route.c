/*
 * Route lookup without netlink parsing: connect() a UDP socket to the
 * target (no packet leaves) and read back the source address the kernel
 * chose; the interface holding that address gives the rest.
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
#include "util.h"

static int link_facts(int fd, struct st_route *r)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", r->ifname);
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
        return -1;
    r->ethernet = ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
    memcpy(r->mac, ifr.ifr_hwaddr.sa_data, 6);
    r->ifindex = (int)if_nametoindex(r->ifname);
    return r->ifindex > 0 ? 0 : -1;
}

/* The source address the kernel picks for dst: a connected UDP socket. */
static int source_of(uint32_t dst, const char *ifname, int *fdp, uint32_t *src, char *err,
                     size_t errsz)
{
    char a[16];
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
    socklen_t len = sizeof sin;

    snprintf(a, sizeof a, "%u.%u.%u.%u", dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsz, "socket: %s", strerror(errno));
        return -1;
    }
    if (ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname))) {
        snprintf(err, errsz, "%s: %s", ifname,
                 errno == ENODEV ? "no such interface" : strerror(errno));
        close(fd);
        return -1;
    }
    sin.sin_addr.s_addr = htonl(dst);
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        snprintf(err, errsz, "no route to %s: %s", a, strerror(errno));
        close(fd);
        return -1;
    }
    *src = ntohl(sin.sin_addr.s_addr);
    if (fdp)
        *fdp = fd;
    else
        close(fd);
    return 0;
}

int st_route_source(uint32_t dst, const char *ifname, uint32_t *src, char *err, size_t errsz)
{
    return source_of(dst, ifname, NULL, src, err, errsz);
}

int st_route_lookup(uint32_t dst, const char *ifname, struct st_route *r, char *err, size_t errsz)
{
    char a[16];
    struct sockaddr_in sin = {.sin_family = AF_INET};
    int fd;

    memset(r, 0, sizeof *r);
    snprintf(a, sizeof a, "%u.%u.%u.%u", dst >> 24, (dst >> 16) & 255, (dst >> 8) & 255, dst & 255);
    if (source_of(dst, ifname, &fd, &r->src, err, errsz))
        return -1;
    sin.sin_addr.s_addr = htonl(r->src);

    struct ifaddrs *ifs, *i;
    if (getifaddrs(&ifs) < 0) {
        snprintf(err, errsz, "getifaddrs: %s", strerror(errno));
        close(fd);
        return -1;
    }
    bool found = false;
    for (i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
            continue;
        uint32_t addr = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr);
        if (addr != r->src || (ifname && strcmp(i->ifa_name, ifname)))
            continue;
        found = true;
        r->netmask = ntohl(((struct sockaddr_in *)(void *)i->ifa_netmask)->sin_addr.s_addr);
        snprintf(r->ifname, sizeof r->ifname, "%s", i->ifa_name);
        r->loopback = i->ifa_flags & IFF_LOOPBACK;
        r->direct = (dst & r->netmask) == (r->src & r->netmask);
    }
    freeifaddrs(ifs);
    int rc = 0;
    if (!found) {
        snprintf(err, errsz, "no interface holds %s, the source for %s", inet_ntoa(sin.sin_addr),
                 a);
        rc = -1;
    } else if (link_facts(fd, r)) {
        snprintf(err, errsz, "%s: %s", r->ifname, strerror(errno));
        rc = -1;
    }
    close(fd);
    return rc;
}

static bool in_prefix6(const uint8_t a[16], const uint8_t b[16], unsigned bits)
{
    for (unsigned i = 0; i < bits && i < 128; i++)
        if ((a[i / 8] ^ b[i / 8]) & (0x80u >> (i % 8)))
            return false;
    return true;
}

static unsigned mask_bits6(const struct sockaddr *sa)
{
    const uint8_t *m = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
    unsigned n = 0;
    while (n < 128 && (m[n / 8] & (0x80u >> (n % 8))))
        n++;
    return n;
}

/* The interface holding r->src6 (and its prefix), as for IPv4. */
static bool holder6(const uint8_t dst[16], const char *ifname, struct st_route *r)
{
    struct ifaddrs *ifs, *i;
    bool found = false;
    if (getifaddrs(&ifs) < 0)
        return false;
    for (i = ifs; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || !i->ifa_netmask)
            continue;
        const uint8_t *a = ((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr.s6_addr;
        if (memcmp(a, r->src6, 16) || (ifname && strcmp(i->ifa_name, ifname)))
            continue;
        found = true;
        r->prefix6 = mask_bits6(i->ifa_netmask);
        snprintf(r->ifname, sizeof r->ifname, "%s", i->ifa_name);
        r->loopback = i->ifa_flags & IFF_LOOPBACK;
        r->direct = in_prefix6(dst, r->src6, r->prefix6);
    }
    freeifaddrs(ifs);
    return found;
}

int st_route_lookup6(const uint8_t dst[16], const char *ifname, struct st_route *r, char *err,
                     size_t errsz)
{
    char a[INET6_ADDRSTRLEN];
    struct sockaddr_in6 sin = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
    socklen_t len = sizeof sin;

    memset(r, 0, sizeof *r);
    r->v6 = true;
    inet_ntop(AF_INET6, dst, a, sizeof a);
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsz, "socket: %s", strerror(errno));
        return -1;
    }
    if (ifname && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname))) {
        snprintf(err, errsz, "%s: %s", ifname,
                 errno == ENODEV ? "no such interface" : strerror(errno));
        close(fd);
        return -1;
    }
    memcpy(sin.sin6_addr.s6_addr, dst, 16);
    if (st_addr6_link_local(dst)) {
        /* fe80::/10 is on every link: only its interface says which */
        sin.sin6_scope_id = ifname ? if_nametoindex(ifname) : 0;
        if (!sin.sin6_scope_id) {
            snprintf(err, errsz, "%s is link-local: name its interface (%s%%eth0, or -e eth0)", a,
                     a);
            close(fd);
            return -1;
        }
    }
    if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        snprintf(err, errsz, "no route to %s: %s", a, strerror(errno));
        close(fd);
        return -1;
    }
    memcpy(r->src6, sin.sin6_addr.s6_addr, 16);
    int rc = 0;
    if (!holder6(dst, ifname, r)) {
        char s[INET6_ADDRSTRLEN];
        snprintf(err, errsz, "no interface holds %s, the source for %s",
                 inet_ntop(AF_INET6, r->src6, s, sizeof s), a);
        rc = -1;
    } else if (link_facts(fd, r)) {
        snprintf(err, errsz, "%s: %s", r->ifname, strerror(errno));
        rc = -1;
    }
    close(fd);
    return rc;
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
