/*
 * ND ping, nmap -6's probe of targets on the scanner's own Ethernet segment
 * (its default there, and -PR): a neighbour solicitation for the target to
 * its solicited-node multicast address ff02::1:ffXX:XXXX, in an Ethernet
 * frame to 33:33:ff:XX:XX:XX (sendNDScanProbe): hop limit 255, flow label
 * 0, our MAC in the source link-layer address option; 86 bytes. A
 * neighbour advertisement to our address for a target makes it up
 * (nd-response); like ARP it carries no cookie.
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

#define ETH_LEN 14
#define IP6     ETH_LEN
#define ICMP6   (ETH_LEN + 40)

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    static const uint8_t none[16];
    (void)port;
    uint8_t *f = t->bytes;
    memset(f, 0, sizeof t->bytes);
    f[0] = f[1] = 0x33;
    f[2] = 0xff;
    memcpy(f + 6, ctx->src_mac, 6);
    st_put16(f + 12, 0x86dd);
    st_ipv6_write(f + IP6, 32, 0, ST_NMAP_HOPLIMIT6, ST_IPPROTO_ICMPV6, ctx->src6, none);
    f[ICMP6] = ST_ICMP6_NEIGHBOR_SOLICIT;
    f[ICMP6 + 24] = 1; /* source link-layer address, 8 bytes */
    f[ICMP6 + 25] = 1;
    memcpy(f + ICMP6 + 26, ctx->src_mac, 6);
    t->port = 0;
    t->l3 = 40;
    t->len = ICMP6 + 32;
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    (void)tryno;
    const uint8_t *a = st_targets6_addr(ctx->t6, dst);
    if (size < t->len || !a)
        return 0;
    memcpy(out, t->bytes, t->len);
    memcpy(out + 3, a + 13, 3);
    if (ctx->fixed_ttl >= 0)
        out[IP6 + 7] = (uint8_t)ctx->fixed_ttl;
    static const uint8_t solicited[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
    memcpy(out + IP6 + 24, solicited, 13);
    memcpy(out + IP6 + 24 + 13, a + 13, 3);
    memcpy(out + ICMP6 + 8, a, 16);
    st_l4_checksum6(out + IP6, t->len - ETH_LEN);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    (void)max_tryno;
    if (!ctx->v6 || !st_probe_for_us(ctx, r) || r->proto != ST_IPPROTO_ICMPV6 ||
        r->l4.icmp.type != ST_ICMP6_NEIGHBOR_ADVERT || (r->flags & ST_PKT_L4_SHORT))
        return false;
    uint32_t key = st_targets6_key(ctx->t6, r->l4.icmp.nd_target);
    return key && st_probe_answer(out, r, key, 0, 0);
}

const struct st_probe_module st_probe_nd = {.name = "nd",
                                            .flag = "-PR",
                                            .ethernet = true,
                                            .prepare = prepare,
                                            .make = make,
                                            .match = match};
