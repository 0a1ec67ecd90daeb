/*
 * The route lookups a sweep's targets share (route_split.h says which may):
 * the few last answers that hold for a whole block and split are kept, and
 * a target of the same block under the same longest more specific prefix
 * (or none) takes the kept answer's slot instead of asking the kernel. A
 * /16 sweep without such prefixes asks 256 times, not 65,536; one with a
 * /32 host route in every /24 asks 512 times.
 */
#ifndef ST_ROUTE_SHARE_H
#define ST_ROUTE_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "route.h"
#include "route_split.h"

/* answers kept: a block's own, and its splits' (a /25 and a /32 in it) */
#define ST_ROUTE_SHARE_KEPT 4

struct st_route_kept {
    bool valid;
    uint64_t block; /* the target looked up: its block (st_route_splits_block) */
    long split;     /* its longest more specific prefix, -1 none */
    bool gateway;   /* its route's next hop: that address is asked apart */
    uint8_t via[16];
    int slot;
};

struct st_route_share {
    struct st_route_splits splits;
    struct st_route_kept kept[ST_ROUTE_SHARE_KEPT];
    unsigned next; /* the kept answer replaced next */
    unsigned last; /* the one shared last: looked at first */
    /* the last target's block, and whether no noted prefix lies in it: a
     * sweep's next target is most often of the same block, without */
    bool seen;
    uint64_t block;
    bool plain;
};

/* family AF_INET or AF_INET6; the splits read from the kernel (when they
 * cannot be, nothing is shared: every target is looked up). */
void st_route_share_init(struct st_route_share *c, int family);

/* The slot a target (4 or 16 bytes, network order) shares, or -1: look it
 * up, then st_route_share_keep with the same split (*split is set). */
int st_route_share_find(struct st_route_share *c, const uint8_t *addr, long *split);

/* Keep a lookup's answer (r, its slot) for the targets after it, if it
 * holds for all of its block and split: no route more specific than the
 * split (or the block) matched (else the dumps missed one), one next hop,
 * its gateway not the target itself. */
void st_route_share_keep(struct st_route_share *c, const struct st_route *r, const uint8_t *addr,
                         long split, int slot);

void st_route_share_free(struct st_route_share *c);

#endif
