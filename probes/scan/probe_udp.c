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
    st_probe_tmpl_ip(ctx, t, ST_IPPROTO_UDP, 28, port);
    st_put16(t->bytes + t->l3 + 2, port);
    st_put16(t->bytes + t->l3 + 4, 8);
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    if (!st_probe_port_make(ctx, t, dst, tryno, ST_IPPROTO_UDP, out, size))
        return 0;
    st_probe_checksum(ctx, out, t->len);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    if (!st_probe_for_us(ctx, r))
        return false;
    if (r->proto == ST_IPPROTO_UDP && !(r->flags & ST_PKT_L4_SHORT)) {
        uint8_t first, last;
        uint32_t src = st_probe_src(ctx, r);
        if (!st_probe_sport_tries(ctx, r->l4.udp.dport, max_tryno, &first, &last) || !src)
            return false;
        /* nothing in a UDP answer names the try: with -g, the first */
        return st_probe_answer(out, r, src, r->l4.udp.sport, first);
    }
    return st_probe_match_port_error(ctx, r, ST_IPPROTO_UDP, max_tryno, out);
}

const struct st_probe_module st_probe_udp =
    ST_PROBE_MODULE("udp", "-PU", ST_NMAP_UDP_PROBE_PORTS, prepare, make, match);
