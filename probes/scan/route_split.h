/*
 * Which targets may share one route lookup. A sweep asks the kernel once per
 * block (IPv4 /24, IPv6 /64), not once per address, but a route or a policy
 * rule more specific than the block (a /32 host route to another interface,
 * a /25 via another gateway, a "to" rule, a redirect's cached gateway) sends
 * part of the block elsewhere, and the route the kernel matched for one
 * address does not show it. So every prefix longer than the block that any
 * routing table, any rule or the route cache names is read once (rtnetlink
 * dumps): two targets of a block whose longest such prefix is the same one
 * (or none) are matched by exactly the same routes and rules of every table,
 * hence get the same answer (but under a multipath route, whose next hop
 * the kernel picks by a hash of the addresses, and for a route's gateway
 * itself, on-link: route_share.h asks for those apart).
 */
#ifndef ST_ROUTE_SPLIT_H
#define ST_ROUTE_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the sharing block, in bits (whole bytes) */
#define ST_ROUTE_BLOCK4 24
#define ST_ROUTE_BLOCK6 64

struct st_route_prefix {
    uint8_t addr[16]; /* network order, the bits past len zero */
    unsigned len;
};

struct st_route_splits {
    int family;         /* AF_INET or AF_INET6 */
    unsigned block_len; /* ST_ROUTE_BLOCK4 or ST_ROUTE_BLOCK6 */
    bool complete;      /* every table, rule and cached route was read: else nothing shares */
    struct st_route_prefix *p; /* sorted by address, then length; no two alike */
    size_t n, cap;
    /* the last block st_route_splits_find looked in, and its prefixes */
    bool run_valid;
    uint64_t run_key;
    size_t run_lo, run_end;
};

void st_route_splits_init(struct st_route_splits *s, int family);

/* Note a prefix (addr: 4 or 16 bytes); one no longer than the block is
 * left out (it covers whole blocks). 0, or -1 when out of memory. */
int st_route_splits_add(struct st_route_splits *s, const uint8_t *addr, unsigned len);

/* After the last add: sorted, duplicates dropped, complete set. */
void st_route_splits_seal(struct st_route_splits *s);

/* init, then every table's routes, the route cache's and the policy rules'
 * "to" prefixes from the kernel, sealed. 0, or -1 with errno (then
 * complete is false). */
int st_route_splits_read(struct st_route_splits *s, int family);

/* addr's block as a number (its first 3 or 8 bytes): quick to compare. */
uint64_t st_route_splits_block(const struct st_route_splits *s, const uint8_t *addr);

/* Whether any noted prefix lies in addr's block (none: every target of
 * the block has the same, none). */
bool st_route_splits_inside(struct st_route_splits *s, const uint8_t *addr);

/* The longest noted prefix that holds addr (its index), or -1: none does.
 * Quickest when addresses come block by block (it keeps the last block's). */
long st_route_splits_find(struct st_route_splits *s, const uint8_t *addr);

void st_route_splits_free(struct st_route_splits *s);

#endif
