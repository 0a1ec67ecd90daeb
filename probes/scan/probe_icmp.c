/*
 * ICMP queries as nmap sends them: id random-looking (here a cookie of the
 * target), seq 0, no payload; timestamps all zero; mask 0.0.0.0.
 * Lengths: echo 28, timestamp 40, mask 32 bytes of IP.
 */
#include "probe_icmp.h"

#include <string.h>

#include "packet.h"

static uint16_t icmp_len(uint8_t type)
{
    return type == ST_ICMP_TIMESTAMP_REQUEST ? 20 : type == ST_ICMP_MASK_REQUEST ? 12 : 8;
}

/* The type and protocol a module's query is over IPv6 (-6 has only echo). */
static uint8_t query_type(const struct st_probe_ctx *ctx, uint8_t type)
{
    return ctx->v6 && type == ST_ICMP_ECHO_REQUEST ? ST_ICMP6_ECHO_REQUEST : type;
}

static uint8_t query_proto(const struct st_probe_ctx *ctx)
{
    return ctx->v6 ? ST_IPPROTO_ICMPV6 : ST_IPPROTO_ICMP;
}

void st_icmp_prepare(const struct st_probe_ctx *ctx, uint8_t type, struct st_probe_tmpl *t)
{
    uint16_t len = (uint16_t)(20 + icmp_len(type));
    st_probe_tmpl_ip(ctx, t, query_proto(ctx), len, query_type(ctx, type));
    t->bytes[t->l3] = query_type(ctx, type);
}

size_t st_icmp_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                    uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t type = t->bytes[t->l3];
    if (size < t->len)
        return 0;
    st_probe_patch_ip(ctx, t, out, dst, st_probe_ipid(ctx, dst, ST_IPPROTO_ICMP, type, tryno));
    st_put16(out + t->l3 + 4, st_cookie16(ctx, dst, 0x100u | type, tryno));
    st_probe_checksum(ctx, out, t->len);
    return t->len;
}

bool st_icmp_match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t type,
                   uint8_t max_tryno, struct st_probe_reply *out)
{
    uint8_t proto = query_proto(ctx), qp;
    type = query_type(ctx, type);
    if (!st_probe_for_us(ctx, r) || r->proto != proto || (r->flags & ST_PKT_L4_SHORT))
        return false;
    const struct st_icmp *m = &r->l4.icmp;
    int reply = ctx->v6 ? (type == ST_ICMP6_ECHO_REQUEST ? ST_ICMP6_ECHO_REPLY : -1)
                        : st_icmp_reply_type(type);
    if (m->type == reply) {
        uint32_t src = st_probe_src(ctx, r);
        for (uint8_t tr = 0; src && tr <= max_tryno; tr++) {
            if (m->id != st_cookie16(ctx, src, 0x100u | type, tr))
                continue;
            return st_probe_answer(out, r, src, type, tr);
        }
        return false;
    }
    return st_probe_quoted(ctx, r, &qp) && qp == proto && m->quote.icmp_type == type &&
           st_probe_match_error(ctx, r, proto, max_tryno, out);
}
