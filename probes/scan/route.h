/*
 * Which interface and source address the kernel uses for a target, and
 * whether the target is on that interface's link (then nmap ARPs for it
 * instead of pinging it, when the link is Ethernet): all from the kernel's
 * route to it (route_nl.h), as nmap's route_dst reads it.
 */
#ifndef ST_ROUTE_H
#define ST_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_route {
    uint32_t src;             /* the source the kernel picks (the route's preferred source) */
    char ifname[IF_NAMESIZE]; /* the route's output interface (or -e's) */
    int ifindex;
    bool direct;  /* no gateway: the target is on the interface's link */
    bool gateway; /* routed: via (via6) is the next hop */
    uint32_t via;
    unsigned prefix_len; /* of the route that matched (route_split.h: who shares it) */
    bool multipath;      /* its next hop is picked per destination: shared by none */
    bool via_self;       /* its gateway was the target itself: on-link for it alone */
    bool ethernet;       /* the link is Ethernet (ARP possible) */
    bool loopback;
    uint8_t mac[6];
    /* IPv6 (st_route_lookup6): src is 0, the source is src6 */
    bool v6;
    uint8_t src6[16];
    uint8_t via6[16];
};

/*
 * Ask the kernel for its route to dst (rtnetlink, as `ip route get`; nothing
 * is sent), optionally forced onto interface `ifname` (-e: the route through
 * it, or the target taken to be on its link, as the kernel and nmap do).
 * Returns 0, or -1 with a one-line reason ("no route to 203.0.113.9: ...",
 * "eth9: no such interface").
 */
int st_route_lookup(uint32_t dst, const char *ifname, struct st_route *r, char *err, size_t errsz);

/* The same for an IPv6 target (a link-local one needs ifname, its zone). */
int st_route_lookup6(const uint8_t dst[16], const char *ifname, struct st_route *r, char *err,
                     size_t errsz);

/* This host's own addresses (every interface's, at the call): nmap
 * scans them through loopback, up without a packet. */
struct st_local_addrs {
    uint32_t v4[64];
    uint8_t v6[64][16];
    size_t n4, n6;
};
void st_local_addrs_read(struct st_local_addrs *l);
/* Whether dst is one of them (127.0.0.0/8 and ::1 always are). */
bool st_local_addr4(const struct st_local_addrs *l, uint32_t dst);
bool st_local_addr6(const struct st_local_addrs *l, const uint8_t dst[16]);

#endif
