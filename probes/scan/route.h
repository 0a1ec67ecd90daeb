/*
 * Which interface and source address the kernel uses for a target, and
 * whether the target is on that interface's own segment (then nmap ARPs
 * for it instead of pinging it, when the link is Ethernet).
 */
#ifndef ST_ROUTE_H
#define ST_ROUTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_route {
    uint32_t src;
    uint32_t netmask; /* of the interface's address */
    char ifname[IF_NAMESIZE];
    int ifindex;
    bool direct;   /* the target is on the interface's own subnet */
    bool ethernet; /* the link is Ethernet (ARP possible) */
    bool loopback;
    uint8_t mac[6];
    /* IPv6 (st_route_lookup6): src is 0, the source is src6, and direct
     * says the target is inside the prefix of the interface's address */
    bool v6;
    uint8_t src6[16];
    unsigned prefix6;
};

/*
 * Ask the kernel (a connected UDP socket: nothing is sent) for the route to
 * dst, optionally forced onto interface `ifname`. Returns 0, or -1 with a
 * one-line reason ("no route to 203.0.113.9", "no such interface: eth9").
 */
int st_route_lookup(uint32_t dst, const char *ifname, struct st_route *r, char *err, size_t errsz);

/* Only the source address the kernel picks for dst: none of the interface
 * facts a full lookup reads, so cheap enough for sweeps that ask for many
 * /24s. */
int st_route_source(uint32_t dst, const char *ifname, uint32_t *src, char *err, size_t errsz);

/* The same for an IPv6 target: the source the kernel picks, the interface
 * holding it and whether the target is on its prefix (then nmap -6 sends
 * neighbour solicitations to it). */
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
