/* The route lookups targets share (see route_share.h). */
#include "route_share.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

void st_route_share_init(struct st_route_share *c, int family)
{
    memset(c, 0, sizeof *c);
    /* unread (-1): splits stays incomplete, and nothing is kept */
    (void)st_route_splits_read(&c->splits, family);
}

/* Whether the kept answer k is for a target of block and split. */
static bool fits(const struct st_route_share *c, const struct st_route_kept *k, uint64_t block,
                 long split, const uint8_t *addr)
{
    if (!k->valid || k->block != block || k->split != split)
        return false;
    if (!k->gateway)
        return true;
    /* the kernel's answer for a route's gateway itself is on-link */
    return c->splits.family == AF_INET ? memcmp(addr, k->via, 4) != 0
                                       : memcmp(addr, k->via, 16) != 0;
}

int st_route_share_find(struct st_route_share *c, const uint8_t *addr, long *split)
{
    uint64_t block = st_route_splits_block(&c->splits, addr);
    if (!c->seen || block != c->block) {
        c->seen = true;
        c->block = block;
        c->plain = !st_route_splits_inside(&c->splits, addr);
    }
    *split = c->plain ? -1 : st_route_splits_find(&c->splits, addr);
    for (unsigned n = 0; n < ST_ROUTE_SHARE_KEPT; n++) {
        unsigned i = (c->last + n) % ST_ROUTE_SHARE_KEPT;
        if (fits(c, &c->kept[i], block, *split, addr)) {
            c->last = i;
            return c->kept[i].slot;
        }
    }
    return -1;
}

void st_route_share_keep(struct st_route_share *c, const struct st_route *r, const uint8_t *addr,
                         long split, int slot)
{
    const struct st_route_splits *sp = &c->splits;
    unsigned most = split >= 0 ? sp->p[split].len : sp->block_len;
    if (!sp->complete || r->multipath || r->via_self || r->prefix_len > most)
        return;
    size_t alen = sp->family == AF_INET ? 4 : 16;
    uint32_t via = htonl(r->via);
    struct st_route_kept *k = &c->kept[c->next];
    c->next = (c->next + 1) % ST_ROUTE_SHARE_KEPT;
    k->valid = true;
    k->block = st_route_splits_block(sp, addr);
    k->split = split;
    k->gateway = r->gateway;
    memcpy(k->via, sp->family == AF_INET ? (const uint8_t *)&via : r->via6, alen);
    k->slot = slot;
}

void st_route_share_free(struct st_route_share *c)
{
    st_route_splits_free(&c->splits);
}
