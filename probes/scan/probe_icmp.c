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

void st_icmp_prepare(const struct st_probe_ctx *ctx, uint8_t type, struct st_probe_tmpl *t)
{
    uint16_t len = (uint16_t)(20 + icmp_len(type));
    st_probe_tmpl_ip(ctx, t, ST_IPPROTO_ICMP, len, type);
    t->bytes[20] = type;
}

size_t st_icmp_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                    uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t type = t->bytes[20];
    if (size < t->len)
        return 0;
    st_probe_patch_ip(ctx, t, out, dst, st_probe_ipid(ctx, dst, ST_IPPROTO_ICMP, type, tryno));
    st_put16(out + 24, st_cookie16(ctx, dst, 0x100u | type, tryno));
    st_l4_checksum(out, t->len);
    return t->len;
}

bool st_icmp_match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t type,
                   uint8_t max_tryno, struct st_probe_reply *out)
{
    if (r->net != ST_NET_IPV4 || r->proto != ST_IPPROTO_ICMP || r->ip.dst != ctx->src ||
        (r->flags & ST_PKT_L4_SHORT))
        return false;
    const struct st_icmp *m = &r->l4.icmp;
    if (m->type == st_icmp_reply_type(type)) {
        for (uint8_t tr = 0; tr <= max_tryno; tr++) {
            if (m->id != st_cookie16(ctx, r->ip.src, 0x100u | type, tr))
                continue;
            return st_probe_answer(out, r, r->ip.src, type, tr);
        }
        return false;
    }
    return m->quote.present && m->quote.ip.proto == ST_IPPROTO_ICMP && m->quote.icmp_type == type &&
           st_probe_match_error(ctx, r, ST_IPPROTO_ICMP, max_tryno, out);
}
