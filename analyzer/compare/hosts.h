/*
 * A host of a comparison as one uint32_t, whichever its address family: an
 * IPv4 address is itself; an IPv6 address is interned for the process and
 * stands as an id in 0.0.0.0/8 ("this network", RFC 791/1122: never a
 * source or destination on the wire, so never a host of its own). Every
 * table of hosts (modes, verdicts, claims, diff) keeps its uint32_t, and the
 * same IPv6 address is the same id in both runs of a diff.
 */
#ifndef ST_HOSTS_H
#define ST_HOSTS_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/* Room for any host's text (an IPv6 address and its NUL). */
#define ST_HOST_STRLEN 46

/* The id of an IPv6 address (interned on first use; aborts on OOM). An
 * IPv4-mapped address (::ffff:a.b.c.d) is its IPv4 address. */
uint32_t st_host6(const uint8_t addr[16]);

/* Whether a host is an IPv6 id, and its address (NULL for IPv4 hosts). */
bool st_host_is6(uint32_t host);
const uint8_t *st_host6_addr(uint32_t host);

/* Whether a host is a loopback address as nmap's islocalhost() takes it:
 * all of 127.0.0.0/8, and ::1. */
bool st_host_loopback(uint32_t host);

/* Its text: dotted quad or RFC 5952 IPv6 (inet_ntop). */
const char *st_host_str(uint32_t host, char buf[ST_HOST_STRLEN]);

/* Parse either family; false on anything else. */
bool st_host_parse(const char *s, uint32_t *host);

/* Order of hosts in reports: IPv4 by address, then IPv6 by address. */
int st_host_cmp(uint32_t a, uint32_t b);

/* A packet's source and destination as hosts (0 for what has no address:
 * ARP gives its sender and target). */
uint32_t st_pkt_src_host(const struct st_pkt *p);
uint32_t st_pkt_dst_host(const struct st_pkt *p);

/* Whether p is ICMPv6 of type `type` (a neighbour solicitation or
 * advertisement: ST_ICMP6_NEIGHBOR_SOLICIT, _ADVERT). */
bool st_pkt_is_nd(const struct st_pkt *p, uint8_t type);

/*
 * Neighbour solicitations that show only their solicited-node group
 * (ff02::1:ffXX:XXXX: nmap's trace lines, frames cut before the target;
 * nd_group.c). A table of hosts by their last 24 bits: made from `n` hosts
 * (the IPv6 ones kept) into out (room for n), sorted; its length.
 */
size_t st_nd_groups_make(const uint32_t *hosts, size_t n, uint64_t *out);

/* The host of the table solicitation p's group stands for: the one with
 * those 24 bits on the /64 of p's source (any, from a link-local source);
 * 0 when there is none or more than one, or p is no solicitation to a
 * solicited-node group. */
uint32_t st_nd_groups_find(const uint64_t *groups, size_t n, const struct st_pkt *p);

#endif
