/*
 * What the probe modules share: TTLs, cookies, source ports, the IP header
 * patch, recognizing ICMP errors that quote one of our probes, and reading
 * nmap's verdict on a reply (nmap_rules.h decides it).
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

uint8_t st_probe_ttl(struct st_probe_ctx *ctx)
{
    if (ctx->fixed_ttl >= 0)
        return (uint8_t)ctx->fixed_ttl;
    /* xorshift64: fast and good enough for TTLs */
    uint64_t x = ctx->rng ? ctx->rng : 0x9e3779b97f4a7c15ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    ctx->rng = x;
    return (uint8_t)(37 + x % 23);
}

uint16_t st_cookie16(const struct st_probe_ctx *ctx, uint32_t dst, uint32_t what, uint8_t tryno)
{
    /* 1..65535, as nmap's random ICMP ids */
    return (uint16_t)(st_siphash_words(&ctx->key, dst, what, tryno, 16) % 65535 + 1);
}

uint32_t st_cookie32(const struct st_probe_ctx *ctx, uint32_t dst, uint32_t what, uint8_t tryno)
{
    return (uint32_t)st_siphash_words(&ctx->key, dst, what, tryno, 32);
}

uint16_t st_probe_ipid(const struct st_probe_ctx *ctx, uint32_t dst, uint8_t proto, uint16_t port,
                       uint8_t tryno)
{
    uint16_t id = st_cookie16(ctx, dst, 0x10000u * proto + port + 0x1000000u, tryno);
    /* a raw socket's kernel replaces an IP id of 0 with its own: the trace
     * would name another packet than the wire's (IPv6: a flow label of 0
     * is the kernel's to set) */
    return id ? id : 0x8000;
}

uint16_t st_probe_sport(const struct st_probe_ctx *ctx, uint8_t tryno)
{
    /* nmap's sport_encode(): base + 2 * try, but -g's port for every try */
    return ctx->fixed_sport ? ctx->sport_base : (uint16_t)(ctx->sport_base + 2 * tryno);
}

bool st_probe_sport_tries(const struct st_probe_ctx *ctx, uint16_t sport, uint8_t max_tryno,
                          uint8_t *first, uint8_t *last)
{
    if (ctx->fixed_sport) {
        *first = 0;
        *last = max_tryno;
        return sport == ctx->sport_base;
    }
    uint16_t d = (uint16_t)(sport - ctx->sport_base);
    if (d % 2 || d / 2 > max_tryno)
        return false;
    *first = *last = (uint8_t)(d / 2);
    return true;
}

bool st_probe_answer(struct st_probe_reply *out, const struct st_pkt *r, uint32_t target,
                     uint16_t port, uint8_t tryno)
{
    struct st_nmap_verdict v = st_nmap_reply_verdict(r);
    memset(out, 0, sizeof *out);
    out->target = target;
    out->port = port;
    out->tryno = tryno;
    out->up = v.host == ST_NMAP_UP;
    out->decides = v.host != ST_NMAP_NOTHING;
    out->reason = v.reason;
    return true; /* an answer to a probe of ours, even one that decides nothing */
}

void st_probe_patch_ip(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint8_t *out,
                       uint32_t dst, uint16_t id)
{
    if (ctx->v6) {
        /* nmap -6: hop limit 255 unless --ttl, flow label 0 (nmap_rules.h) */
        uint8_t hopl = ctx->fixed_ttl >= 0 ? (uint8_t)ctx->fixed_ttl : ST_NMAP_HOPLIMIT6;
        st_probe_patch_ip6(ctx, t, out, dst, hopl, 0);
        return;
    }
    memcpy(out, t->bytes, t->len);
    out[8] = st_probe_ttl(ctx);
    st_put16(out + 4, id);
    st_put32(out + 16, dst);
    st_ipv4_checksum(out);
}

void st_probe_patch_ip6(const struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint8_t *out,
                        uint32_t key, uint8_t hopl, uint32_t flow)
{
    static const uint8_t none[16];
    const uint8_t *a = st_targets6_addr(ctx->t6, key);
    memcpy(out, t->bytes, t->len);
    st_put32(out, 6u << 28 | (flow & 0xfffff));
    out[7] = hopl;
    memcpy(out + 24, a ? a : none, 16);
}

void st_probe_checksum(const struct st_probe_ctx *ctx, uint8_t *ip, size_t len)
{
    if (ctx->v6)
        st_l4_checksum6(ip, len);
    else
        st_l4_checksum(ip, len);
}

uint8_t st_probe_echo_type(const struct st_probe_ctx *ctx)
{
    return ctx->v6 ? ST_ICMP6_ECHO_REQUEST : ST_ICMP_ECHO_REQUEST;
}

uint32_t st_probe_src(const struct st_probe_ctx *ctx, const struct st_pkt *r)
{
    return ctx->v6 ? st_targets6_key(ctx->t6, r->ip6.src) : r->ip.src;
}

bool st_probe_quoted(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t *proto)
{
    const struct st_quote *q = &r->l4.icmp.quote;
    if (!st_probe_for_us(ctx, r))
        return false;
    if (ctx->v6) {
        if (r->proto != ST_IPPROTO_ICMPV6 || !q->present6 || memcmp(q->ip6.src, ctx->src6, 16))
            return false;
        *proto = q->ip6.nh;
        return true;
    }
    if (r->proto != ST_IPPROTO_ICMP || !q->present || q->ip.src != ctx->src)
        return false;
    *proto = q->ip.proto;
    return true;
}

/* An ICMPv6 error quoting one of our probes: no IP id to check, so the try
 * comes from what the probe carries (the source port, the echo id); the
 * other protocols' probes carry theirs in the flow label (probe_proto.c). */
static bool match_error6(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t proto,
                         uint8_t max_tryno, struct st_probe_reply *out)
{
    const struct st_quote *q = &r->l4.icmp.quote;
    uint8_t qp;
    if (!st_probe_quoted(ctx, r, &qp) || qp != proto)
        return false;
    uint32_t key = st_targets6_key(ctx->t6, q->ip6.dst);
    uint16_t port = proto;
    int tr = -1;
    if (!key)
        return false;
    if (proto == ST_IPPROTO_TCP || proto == ST_IPPROTO_UDP || proto == ST_IPPROTO_SCTP) {
        /* no IP id to tell a try by (-g: the first one it can be) */
        uint8_t first, last;
        port = q->dport;
        tr = st_probe_sport_tries(ctx, q->sport, max_tryno, &first, &last) ? first : -1;
    } else {
        if (proto == ST_IPPROTO_ICMPV6)
            port = q->icmp_type;
        for (uint8_t t = 0; t <= max_tryno && tr < 0; t++)
            if (proto == ST_IPPROTO_ICMPV6
                    ? q->icmp_id == st_cookie16(ctx, key, 0x100u | port, t)
                    : q->ip6.flow == st_probe_ipid(ctx, key, proto, proto, t))
                tr = t;
    }
    return tr >= 0 && st_probe_answer(out, r, key, port, (uint8_t)tr);
}

bool st_probe_match_error(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t proto,
                          uint8_t max_tryno, struct st_probe_reply *out)
{
    if (ctx->v6)
        return match_error6(ctx, r, proto, max_tryno, out);
    if (r->net != ST_NET_IPV4 || r->proto != ST_IPPROTO_ICMP || r->ip.dst != ctx->src)
        return false;
    const struct st_quote *q = &r->l4.icmp.quote;
    if (!q->present || q->ip.src != ctx->src || q->ip.proto != proto)
        return false;
    uint16_t port = proto;
    if (proto == ST_IPPROTO_TCP || proto == ST_IPPROTO_UDP || proto == ST_IPPROTO_SCTP)
        port = q->dport;
    else if (proto == ST_IPPROTO_ICMP)
        port = q->icmp_type; /* ICMP probes key their IP id on their type */
    for (uint8_t t = 0; t <= max_tryno; t++) {
        if (q->ip.id != st_probe_ipid(ctx, q->ip.dst, proto, port, t))
            continue;
        return st_probe_answer(out, r, q->ip.dst, port, t);
    }
    return false;
}

void st_probe_tmpl_ip(const struct st_probe_ctx *ctx, struct st_probe_tmpl *t, uint8_t proto,
                      uint16_t len, uint16_t port)
{
    static const uint8_t none[16];
    memset(t->bytes, 0, sizeof t->bytes);
    t->port = port;
    if (ctx->v6) { /* the same transport bytes behind a 40-byte header */
        st_ipv6_write(t->bytes, (uint16_t)(len - 20), 0, ST_NMAP_HOPLIMIT6, proto, ctx->src6, none);
        t->len = (uint16_t)(len + 20);
        t->l3 = 40;
        return;
    }
    st_ipv4_write(t->bytes, len, 0, 64, proto, ctx->src, 0);
    t->len = len;
    t->l3 = 20;
}

uint8_t *st_probe_port_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                            uint8_t tryno, uint8_t proto, uint8_t *out, size_t size)
{
    if (size < t->len)
        return NULL;
    st_probe_patch_ip(ctx, t, out, dst, st_probe_ipid(ctx, dst, proto, t->port, tryno));
    st_put16(out + t->l3, st_probe_sport(ctx, tryno));
    return out + t->l3;
}

bool st_probe_for_us(const struct st_probe_ctx *ctx, const struct st_pkt *r)
{
    if (ctx->v6)
        return r->net == ST_NET_IPV6 && !memcmp(r->ip6.dst, ctx->src6, 16);
    return r->net == ST_NET_IPV4 && r->ip.dst == ctx->src;
}

bool st_probe_match_port_error(const struct st_probe_ctx *ctx, const struct st_pkt *r,
                               uint8_t proto, uint8_t max_tryno, struct st_probe_reply *out)
{
    const struct st_quote *q = &r->l4.icmp.quote;
    uint8_t qp, first, last;
    return st_probe_quoted(ctx, r, &qp) && qp == proto &&
           st_probe_sport_tries(ctx, q->sport, max_tryno, &first, &last) &&
           st_probe_match_error(ctx, r, proto, max_tryno, out);
}
