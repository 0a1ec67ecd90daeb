/*
 * -PU[ports]: an empty UDP datagram (default port 40125, iplen 28, as nmap
 * 7.93 sends it). A closed port answers ICMP port unreachable: up
 * (port-unreach); an open one may answer in UDP: up (udp-response).
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    memset(t->bytes, 0, sizeof t->bytes);
    st_ipv4_write(t->bytes, 28, 0, 64, ST_IPPROTO_UDP, ctx->src, 0);
    st_put16(t->bytes + 22, port);
    st_put16(t->bytes + 24, 8);
    t->port = port;
    t->len = 28;
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    if (size < t->len)
        return 0;
    st_probe_patch_ip(ctx, t, out, dst, st_probe_ipid(ctx, dst, ST_IPPROTO_UDP, t->port, tryno));
    st_put16(out + 20, (uint16_t)(ctx->sport_base + 2 * tryno));
    st_l4_checksum(out, t->len);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    if (r->net != ST_NET_IPV4 || r->ip.dst != ctx->src)
        return false;
    if (r->proto == ST_IPPROTO_UDP && !(r->flags & ST_PKT_L4_SHORT)) {
        int tr = st_probe_sport_try(ctx, r->l4.udp.dport, max_tryno);
        if (tr < 0)
            return false;
        return st_probe_answer(out, r, r->ip.src, r->l4.udp.sport, (uint8_t)tr);
    }
    const struct st_quote *q = &r->l4.icmp.quote;
    return r->proto == ST_IPPROTO_ICMP && q->present && q->ip.proto == ST_IPPROTO_UDP &&
           st_probe_sport_try(ctx, q->sport, max_tryno) >= 0 &&
           st_probe_match_error(ctx, r, ST_IPPROTO_UDP, max_tryno, out);
}

const struct st_probe_module st_probe_udp = {
    .name = "udp",
    .flag = "-PU",
    .default_ports = ST_NMAP_UDP_PROBE_PORTS,
    .ethernet = false,
    .prepare = prepare,
    .make = make,
    .match = match,
};
