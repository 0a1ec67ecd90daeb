/*
 * -PO[protocols]: IP packets of the given protocols (default 1,2,4): an
 * ICMP echo for 1, an IGMP membership query for 2, an empty IP-in-IP for 4
 * (iplen 20), nmap's TCP ACK, UDP datagram and SCTP INIT for 6, 17 and 132
 * (nmap_rules.h), and an empty payload for the others. A reply of the same
 * protocol, an echo reply, or a protocol (port) unreachable makes the host
 * up.
 */
#include <string.h>

#include "packet.h"
#include "probe.h"
#include "probe_tcp.h"

/* -PO's cookies are keyed apart from -PE's, -PA's and -PY's, so a reply
 * names the mode it answers. */
#define PROTO_ECHO_KEY 0x208u
#define PROTO_SEQ_KEY  0x2090000u /* TCP seq (random in nmap: traced, never answered) */
#define PROTO_ACK_KEY  0x20a0000u /* TCP ack: the RST's seq */
#define PROTO_SCTP_KEY 0x20b0000u /* SCTP initiate tag and TSN: the answer's vtag */

/* -PO's protocols that nmap gives a transport header, and its port. */
static bool has_ports(uint8_t proto)
{
    return proto == ST_IPPROTO_TCP || proto == ST_IPPROTO_UDP || proto == ST_IPPROTO_SCTP;
}

static uint16_t l4_port(uint8_t proto)
{
    return proto == ST_IPPROTO_UDP    ? ST_NMAP_PO_UDP_PORT
           : proto == ST_IPPROTO_SCTP ? ST_NMAP_PO_SCTP_PORT
                                      : ST_NMAP_PO_TCP_PORT;
}

static uint32_t l4_cookie(const struct st_probe_ctx *ctx, uint32_t dst, uint32_t key, uint8_t tryno)
{
    return st_cookie32(ctx, dst, key, tryno);
}

/* The template of a probe with a header (IPv4 or IPv6 by ctx); `port` is
 * left the protocol, as for every -PO template. */
static void prepare_l4(const struct st_probe_ctx *ctx, uint8_t proto, struct st_probe_tmpl *t)
{
    uint16_t port = l4_port(proto);
    if (proto == ST_IPPROTO_TCP) {
        st_tcp_prepare(ctx, port, ST_TCP_ACK, t);
    } else if (proto == ST_IPPROTO_SCTP) {
        st_sctp_init_tmpl(ctx, port, t);
    } else {
        st_probe_tmpl_ip(ctx, t, ST_IPPROTO_UDP, 28, port);
        st_put16(t->bytes + t->l3 + 2, port);
        st_put16(t->bytes + t->l3 + 4, 8);
    }
    t->port = proto;
}

/* The try's source port, the IP id (IPv6: the flow label, where nmap puts
 * the random id; hop limit 255, its o.ttl cast to u8) keyed on the
 * protocol as every -PO probe's, apart from the port probes', and the
 * cookies. */
static size_t make_l4(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                      uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t proto = (uint8_t)t->port;
    if (size < t->len)
        return 0;
    uint16_t id = st_probe_ipid(ctx, dst, proto, proto, tryno);
    if (ctx->v6)
        st_probe_patch_ip6(ctx, t, out, dst,
                           ctx->fixed_ttl >= 0 ? (uint8_t)ctx->fixed_ttl : ST_NMAP_HOPLIMIT6, id);
    else
        st_probe_patch_ip(ctx, t, out, dst, id);
    uint8_t *l4 = out + t->l3;
    st_put16(l4, st_probe_sport(ctx, tryno));
    if (proto == ST_IPPROTO_TCP) {
        st_put32(l4 + 4, l4_cookie(ctx, dst, PROTO_SEQ_KEY, tryno));
        st_put32(l4 + 8, l4_cookie(ctx, dst, PROTO_ACK_KEY, tryno));
    } else if (proto == ST_IPPROTO_SCTP) {
        uint32_t c = l4_cookie(ctx, dst, PROTO_SCTP_KEY, tryno);
        st_put32(l4 + 12 + 4, c);  /* initiate tag */
        st_put32(l4 + 12 + 16, c); /* initial TSN */
    }
    st_probe_checksum(ctx, out, t->len);
    return t->len;
}

/* Whether try tr's probe is the one a TCP (RST: its seq is our ack), UDP
 * (no cookie) or SCTP (vtag: our initiate tag) answer from src answers. */
static bool l4_answers(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint32_t src,
                       uint8_t tr)
{
    if (r->proto == ST_IPPROTO_TCP)
        return (r->l4.tcp.flags & ST_TCP_RST) &&
               r->l4.tcp.seq == l4_cookie(ctx, src, PROTO_ACK_KEY, tr);
    if (r->proto == ST_IPPROTO_SCTP)
        return r->l4.sctp.vtag == l4_cookie(ctx, src, PROTO_SCTP_KEY, tr);
    return true;
}

/* A reply in the protocol of a probe with a header: from its port to the
 * try's source port; up, nmap's reason proto-response. An ICMP error
 * quoting one (its IP id or flow label, a TCP quote's seq ours): nmap's
 * verdict on the error. */
static bool match_l4(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                     struct st_probe_reply *out)
{
    uint8_t qp, first, last;
    if (st_probe_quoted(ctx, r, &qp)) {
        const struct st_quote *q = &r->l4.icmp.quote;
        uint32_t dst = ctx->v6 ? st_targets6_key(ctx->t6, q->ip6.dst) : q->ip.dst;
        if (!dst || q->dport != l4_port(qp) ||
            !st_probe_sport_tries(ctx, q->sport, max_tryno, &first, &last))
            return false;
        for (unsigned tr = first; tr <= last; tr++) {
            uint16_t id = st_probe_ipid(ctx, dst, qp, qp, (uint8_t)tr);
            if ((ctx->v6 ? q->ip6.flow : q->ip.id) != id ||
                (qp == ST_IPPROTO_TCP &&
                 (q->l4len < 8 || q->seq != l4_cookie(ctx, dst, PROTO_SEQ_KEY, (uint8_t)tr))))
                continue;
            return st_probe_answer(out, r, dst, qp, (uint8_t)tr);
        }
        return false;
    }
    uint32_t src = st_probe_src(ctx, r);
    uint16_t sport = r->proto == ST_IPPROTO_TCP   ? r->l4.tcp.sport
                     : r->proto == ST_IPPROTO_UDP ? r->l4.udp.sport
                                                  : r->l4.sctp.sport;
    uint16_t dport = r->proto == ST_IPPROTO_TCP   ? r->l4.tcp.dport
                     : r->proto == ST_IPPROTO_UDP ? r->l4.udp.dport
                                                  : r->l4.sctp.dport;
    if (!src || (r->flags & (ST_PKT_L4_SHORT | ST_PKT_FRAGMENT)) || sport != l4_port(r->proto) ||
        !st_probe_sport_tries(ctx, dport, max_tryno, &first, &last))
        return false;
    for (unsigned tr = first; tr <= last; tr++) {
        if (!l4_answers(ctx, r, src, (uint8_t)tr))
            continue;
        st_probe_answer(out, r, src, r->proto, (uint8_t)tr);
        out->reason = ST_NMAP_PROTO_RESPONSE; /* nmap's protocol-reply path */
        return true;
    }
    return false;
}

/* Whether r is for match_l4: a TCP, UDP or SCTP reply, or an ICMP error
 * quoting such a datagram of ours. */
static bool l4_matter(const struct st_probe_ctx *ctx, const struct st_pkt *r)
{
    uint8_t qp;
    return has_ports(r->proto) || (st_probe_quoted(ctx, r, &qp) && has_ports(qp));
}

/* IPv6 (nmap's build_protoscan_packet): an ICMPv6 echo (code 129) for 58,
 * no payload for the others without ports (1, 2 and 4 included: nmap builds
 * no ICMP, IGMP or inner header for IPv6); the flow label carries the cookie, where nmap puts the
 * random id an IPv4 probe would have had. */
static void prepare6(const struct st_probe_ctx *ctx, uint16_t proto, struct st_probe_tmpl *t)
{
    st_probe_tmpl_ip(ctx, t, (uint8_t)proto, proto == ST_IPPROTO_ICMPV6 ? 28 : 20, proto);
    if (proto == ST_IPPROTO_ICMPV6) {
        t->bytes[40] = ST_ICMP6_ECHO_REQUEST;
        t->bytes[41] = ST_NMAP_PO_ICMP6_CODE;
    }
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
    if (has_ports((uint8_t)proto)) {
        prepare_l4(ctx, (uint8_t)proto, t);
        return;
    }
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
    if (has_ports((uint8_t)t->port))
        return make_l4(ctx, t, dst, tryno, out, size);
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
    if (l4_matter(ctx, r))
        return match_l4(ctx, r, max_tryno, out);
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
