/*
 * ARP who-has, the probe of targets on the scanner's own Ethernet segment
 * (nmap's default there, and -PR): broadcast, target hardware address zero,
 * 42 bytes. A reply to our address and MAC makes its sender up.
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    (void)port;
    uint8_t *f = t->bytes;
    memset(f, 0, sizeof t->bytes);
    memset(f, 0xff, 6);
    memcpy(f + 6, ctx->src_mac, 6);
    st_put16(f + 12, 0x0806);
    st_put16(f + 14, 1);      /* Ethernet */
    st_put16(f + 16, 0x0800); /* IPv4 */
    f[18] = 6;
    f[19] = 4;
    st_put16(f + 20, 1); /* request */
    memcpy(f + 22, ctx->src_mac, 6);
    st_put32(f + 28, ctx->src);
    t->port = 0;
    t->len = 42;
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    (void)ctx;
    (void)tryno;
    if (size < t->len)
        return 0;
    memcpy(out, t->bytes, t->len);
    st_put32(out + 38, dst);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    (void)max_tryno;
    if (r->net != ST_NET_ARP || (r->arp.op & 0xff) != 2 || r->arp.tpa != ctx->src ||
        memcmp(r->arp.tha, ctx->src_mac, 6) != 0)
        return false;
    return st_probe_answer(out, r, r->arp.spa, 0, 0);
}

const struct st_probe_module st_probe_arp = {.name = "arp",
                                             .flag = "-PR",
                                             .ethernet = true,
                                             .prepare = prepare,
                                             .make = make,
                                             .match = match};
