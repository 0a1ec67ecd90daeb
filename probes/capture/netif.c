/*
 * Interface facts through ioctl(2) on a datagram socket and getifaddrs(3):
 * both answer for the network namespace the process is in, and need neither
 * /sys nor /proc to be mounted for that namespace.
 */
#include "netif.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static enum st_netif_kind kind_of(int arphrd)
{
    switch (arphrd) {
    case ARPHRD_ETHER:
        return ST_NETIF_ETHERNET;
    case ARPHRD_NONE:
    case ARPHRD_RAWIP:
        return ST_NETIF_RAW_IP;
    case ARPHRD_LOOPBACK:
        return ST_NETIF_LOOPBACK;
    default:
        return ST_NETIF_OTHER;
    }
}

static void read_addrs(struct st_netif *n)
{
    struct ifaddrs *list, *a;
    if (getifaddrs(&list) != 0)
        return; /* addresses only refine the direction of raw-IP frames */
    for (a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, n->name))
            continue;
        if (n->n_addrs >= ST_NETIF_MAX_ADDRS)
            break;
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)a->ifa_addr;
        n->addrs[n->n_addrs++] = ntohl(sin->sin_addr.s_addr);
    }
    freeifaddrs(list);
}

int st_netif_get(const char *name, struct st_netif *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strnlen(name, IF_NAMESIZE);
    if (len == 0 || len >= IF_NAMESIZE) {
        errno = ENODEV;
        return -1;
    }
    memcpy(out->name, name, len);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct ifreq r;
    memset(&r, 0, sizeof r);
    memcpy(r.ifr_name, name, len);
    int rc = -1;
    if (ioctl(fd, SIOCGIFFLAGS, &r) < 0)
        goto out;
    out->up = (r.ifr_flags & IFF_UP) != 0;
    bool loopback = (r.ifr_flags & IFF_LOOPBACK) != 0;
    if (ioctl(fd, SIOCGIFINDEX, &r) < 0)
        goto out;
    out->index = (unsigned)r.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &r) < 0)
        goto out;
    out->kind = loopback ? ST_NETIF_LOOPBACK : kind_of(r.ifr_hwaddr.sa_family);
    if (out->kind == ST_NETIF_ETHERNET) {
        static const uint8_t zero[6];
        memcpy(out->mac, r.ifr_hwaddr.sa_data, 6);
        out->has_mac = memcmp(out->mac, zero, 6) != 0;
    }
    read_addrs(out);
    rc = 0;
out:
    if (rc < 0 && errno == ENXIO)
        errno = ENODEV;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int st_netif_default(struct st_netif *out, size_t max)
{
    struct if_nameindex *all = if_nameindex();
    if (!all)
        return -1;
    int count = 0;
    for (struct if_nameindex *i = all; i->if_index != 0 && i->if_name; i++) {
        struct st_netif n;
        if (st_netif_get(i->if_name, &n) < 0)
            continue; /* vanished since the listing */
        if (!n.up || (n.kind != ST_NETIF_ETHERNET && n.kind != ST_NETIF_RAW_IP))
            continue;
        if ((size_t)count < max)
            out[count] = n;
        count++;
    }
    if_freenameindex(all);
    return count;
}
