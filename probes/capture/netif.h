/*
 * The network interfaces of the current network namespace, as the capture
 * needs them: whether one is up, its link kind, its own MAC address (to tell
 * the frames it sent from those it received) and its IPv4 addresses (the
 * same for links without MAC addresses).
 */
#ifndef ST_NETIF_H
#define ST_NETIF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum st_netif_kind {
    ST_NETIF_OTHER = 0,
    ST_NETIF_ETHERNET, /* ARPHRD_ETHER: veth, bridges, NICs */
    ST_NETIF_RAW_IP,   /* ARPHRD_NONE / ARPHRD_RAWIP: tun, some modems */
    ST_NETIF_LOOPBACK,
};

#define ST_NETIF_MAX_ADDRS 8

struct st_netif {
    char name[IF_NAMESIZE];
    unsigned index;
    bool up;
    enum st_netif_kind kind;
    uint8_t mac[6];
    bool has_mac;                       /* a non-zero hardware address */
    uint32_t addrs[ST_NETIF_MAX_ADDRS]; /* IPv4, host order */
    size_t n_addrs;
};

/* Fill `out` for interface `name`; 0, or -1 with errno (ENODEV: no such interface). */
int st_netif_get(const char *name, struct st_netif *out);

/*
 * The interfaces a capture takes by default: up, not loopback, Ethernet or
 * raw IP, in ifindex order. Stores at most `max`; returns how many exist
 * (which may exceed `max`), or -1 with errno.
 */
int st_netif_default(struct st_netif *out, size_t max);

#endif
