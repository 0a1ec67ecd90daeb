/*
 * The kernel's route for one destination, asked over rtnetlink as
 * `ip route get` asks: the output interface, the gateway (none: the
 * destination is on that link), the source the kernel would pick, the
 * route's type. This, not the interface that holds the source address,
 * decides where a probe leaves and whether it is ARPed for (a source may
 * sit on lo or on another interface than the route's; a /32 address may
 * have an on-link route of a /24).
 */
#ifndef ST_ROUTE_NL_H
#define ST_ROUTE_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct st_kroute {
    int oif;          /* output interface index */
    bool gateway;     /* a next hop other than the destination itself */
    uint8_t via[16];  /* the gateway, when there is one */
    bool have_src;    /* the kernel named the source (RTA_PREFSRC) */
    uint8_t src[16];  /* 4 bytes for IPv4, network order */
    unsigned type;    /* RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, ... */
    unsigned dst_len; /* the matched route's prefix length (RTM_F_FIB_MATCH) */
    /* the matched route picks among several next hops by a hash of the
     * addresses (or the answer does not say it does not): per target */
    bool multipath;
    bool via_self; /* the gateway was the destination itself (then on-link) */
};

/*
 * family AF_INET (dst 4 bytes) or AF_INET6 (16), in network order; oif 0,
 * or the interface the route must go out of (-e, a zone). 0, or -1 with
 * errno (ENETUNREACH for an unreachable, blackhole or prohibit route).
 * fib_match: also ask which route matched, for its prefix length and
 * whether it is multipath (one more round trip; dst_len is the full length
 * otherwise).
 */
int st_route_kernel(int family, const uint8_t *dst, int oif, bool fib_match, struct st_kroute *k);

#endif
