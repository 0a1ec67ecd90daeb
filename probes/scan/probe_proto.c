/*
 * -PO[protocols]: IP packets of the given protocols (default 1,2,4): an
 * ICMP echo for 1, an IGMP membership query for 2, an empty IP-in-IP for 4
 * (iplen 20), and an empty payload for the others. A reply of the same
 * protocol, an echo reply, or a protocol unreachable makes the host up.
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

/* -PO's echo keys its id apart from -PE's, so the two modes are told apart. */
#define PROTO_ECHO_KEY 0x208u

/* IPv6 (nmap's build_protoscan_packet): an ICMPv6 echo for 58, no payload
 * for the others (1, 2 and 4 included: nmap builds no ICMP, IGMP or inner
 * header for IPv6); the flow label carries the cookie, where nmap puts the
 * random id an IPv4 probe would have had. */
static void prepare6(const struct st_probe_ctx *ctx, uint16_t proto, struct st_probe_tmpl *t)
{
    st_probe_tmpl_ip(ctx, t, (uint8_t)proto, proto == ST_IPPROTO_ICMPV6 ? 28 : 20, proto);
    if (proto == ST_IPPROTO_ICMPV6)
        t->bytes[40] = ST_ICMP6_ECHO_REQUEST;
}

static size_t make6(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                    uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t proto = (uint8_t)t->port;
    if (size < t->len)
        return 0;
    /* nmap's hop limit: -1 (random) for the generic packet, 255 (its u8
     * cast) for the ICMPv6 one */
    uint8_t hopl = proto != ST_IPPROTO_ICMPV6 ? st_probe_ttl(ctx)
                   : ctx->fixed_ttl >= 0      ? (uint8_t)ctx->fixed_ttl
                                              : ST_NMAP_HOPLIMIT6;
    st_probe_patch_ip6(ctx, t, out, dst, hopl, st_probe_ipid(ctx, dst, proto, proto, tryno));
    if (proto == ST_IPPROTO_ICMPV6) {
        st_put16(out + 44, st_cookie16(ctx, dst, PROTO_ECHO_KEY, tryno));
        st_l4_checksum6(out, t->len);
    }
    return t->len;
}

static bool match6(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                   struct st_probe_reply *out)
{
    uint32_t src = st_probe_src(ctx, r);
    if (r->proto == ST_IPPROTO_ICMPV6 && r->l4.icmp.type == ST_ICMP6_ECHO_REPLY) {
        for (uint8_t tr = 0; src && tr <= max_tryno; tr++)
            if (r->l4.icmp.id == st_cookie16(ctx, src, PROTO_ECHO_KEY, tr))
                return st_probe_answer(out, r, src, ST_IPPROTO_ICMPV6, tr);
        return false;
    }
    const struct st_quote *q = &r->l4.icmp.quote;
    uint8_t qp;
    if (st_probe_quoted(ctx, r, &qp)) {
        uint32_t key = st_targets6_key(ctx->t6, q->ip6.dst);
        for (uint8_t tr = 0; key && tr <= max_tryno; tr++)
            if (q->ip6.flow == st_probe_ipid(ctx, key, qp, qp, tr))
                return st_probe_answer(out, r, key, qp, tr);
        return false;
    }
    if (!src || r->proto == ST_IPPROTO_ICMPV6 || r->proto == ST_IPPROTO_TCP ||
        r->proto == ST_IPPROTO_UDP || r->proto == ST_IPPROTO_SCTP)
        return false;
    return st_probe_answer(out, r, src, r->proto, 0);
}

static void prepare(const struct st_probe_ctx *ctx, uint16_t proto, struct st_probe_tmpl *t)
{
    if (ctx->v6) {
        prepare6(ctx, proto, t);
        return;
    }
    uint16_t len = proto == ST_IPPROTO_ICMP || proto == ST_IPPROTO_IGMP ? 28 : 20;
    st_probe_tmpl_ip(ctx, t, (uint8_t)proto, len, proto);
    if (proto == ST_IPPROTO_ICMP)
        t->bytes[20] = ST_ICMP_ECHO_REQUEST;
    else if (proto == ST_IPPROTO_IGMP)
        t->bytes[20] = 0x11; /* membership query */
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    if (ctx->v6)
        return make6(ctx, t, dst, tryno, out, size);
    if (size < t->len)
        return 0;
    uint8_t proto = (uint8_t)t->port;
    /* an ICMP probe's IP id is keyed on its type, as the ICMP modules do */
    uint16_t key = proto == ST_IPPROTO_ICMP ? ST_ICMP_ECHO_REQUEST : proto;
    st_probe_patch_ip(ctx, t, out, dst, st_probe_ipid(ctx, dst, proto, key, tryno));
    if (proto == ST_IPPROTO_ICMP)
        st_put16(out + 24, st_cookie16(ctx, dst, PROTO_ECHO_KEY, tryno));
    st_l4_checksum(out, t->len);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    if (!st_probe_for_us(ctx, r))
        return false;
    memset(out, 0, sizeof *out);
    if (ctx->v6)
        return match6(ctx, r, max_tryno, out);
    if (r->proto == ST_IPPROTO_ICMP && r->l4.icmp.type == ST_ICMP_ECHO_REPLY) {
        for (uint8_t tr = 0; tr <= max_tryno; tr++)
            if (r->l4.icmp.id == st_cookie16(ctx, r->ip.src, PROTO_ECHO_KEY, tr))
                return st_probe_answer(out, r, r->ip.src, ST_IPPROTO_ICMP, tr);
        return false;
    }
    if (r->proto == ST_IPPROTO_ICMP) {
        const struct st_quote *q = &r->l4.icmp.quote;
        if (!q->present || q->ip.proto == ST_IPPROTO_TCP || q->ip.proto == ST_IPPROTO_UDP ||
            q->ip.proto == ST_IPPROTO_SCTP)
            return false;
        return st_probe_match_error(ctx, r, q->ip.proto, max_tryno, out);
    }
    if (r->proto == ST_IPPROTO_TCP || r->proto == ST_IPPROTO_UDP || r->proto == ST_IPPROTO_SCTP)
        return false;
    /* the same protocol coming back: nmap's proto-response (no cookie to check) */
    return st_probe_answer(out, r, r->ip.src, r->proto, 0);
}

const struct st_probe_module st_probe_proto =
    ST_PROBE_MODULE("proto", "-PO", ST_NMAP_PROTO_PROBE_PORTS, prepare, make, match);
