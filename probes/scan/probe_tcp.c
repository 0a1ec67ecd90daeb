/*
 * TCP probe templates. nmap: source port base + 2 per retry, window 1024,
 * SYN with only MSS 1460 (iplen 44), ACK with seq 0 and no options (iplen
 * 40). Here the SYN's seq and the ACK's ack carry the cookie, so the
 * target's SYN/ACK or RST (ack = seq + 1) and RST (seq = our ack) prove
 * which probe they answer.
 */
#include "probe_tcp.h"

#include <string.h>

#include "packet.h"

void st_tcp_prepare(const struct st_probe_ctx *ctx, uint16_t dport, uint8_t flags,
                    struct st_probe_tmpl *t)
{
    bool syn = flags & ST_TCP_SYN;
    uint16_t len = syn ? 44 : 40;

    st_probe_tmpl_ip(ctx, t, ST_IPPROTO_TCP, len, dport);
    uint8_t *tcp = t->bytes + t->l3;
    st_put16(tcp + 2, dport);
    tcp[12] = (uint8_t)((syn ? 6 : 5) << 4);
    tcp[13] = flags;
    st_put16(tcp + 14, 1024);
    if (syn) {
        tcp[20] = 2; /* MSS */
        tcp[21] = 4;
        st_put16(tcp + 22, 1460);
    }
}

uint32_t st_tcp_cookie(const struct st_probe_ctx *ctx, uint32_t dst, uint16_t dport, uint8_t flags,
                       uint8_t tryno)
{
    return st_cookie32(ctx, dst, (uint32_t)flags << 16 | dport, tryno);
}

size_t st_tcp_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t *tcp = st_probe_port_make(ctx, t, dst, tryno, ST_IPPROTO_TCP, out, size);
    if (!tcp)
        return 0;
    uint8_t flags = tcp[13];
    uint32_t cookie = st_tcp_cookie(ctx, dst, t->port, flags, tryno);
    if (flags & ST_TCP_SYN)
        st_put32(tcp + 4, cookie);
    else
        st_put32(tcp + 8, cookie);
    st_probe_checksum(ctx, out, t->len);
    return t->len;
}

bool st_tcp_reply_tries(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                        uint8_t *first, uint8_t *last)
{
    if (!st_probe_for_us(ctx, r) || r->proto != ST_IPPROTO_TCP ||
        (r->flags & (ST_PKT_L4_SHORT | ST_PKT_FRAGMENT)))
        return false;
    return st_probe_sport_tries(ctx, r->l4.tcp.dport, max_tryno, first, last);
}

bool st_tcp_match_error(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t flags,
                        uint8_t max_tryno, struct st_probe_reply *out)
{
    const struct st_quote *q = &r->l4.icmp.quote;
    uint8_t qp, first, last;
    if (!st_probe_quoted(ctx, r, &qp) || qp != ST_IPPROTO_TCP || q->l4len < 8 ||
        !st_probe_sport_tries(ctx, q->sport, max_tryno, &first, &last))
        return false;
    uint32_t dst = ctx->v6 ? st_targets6_key(ctx->t6, q->ip6.dst) : q->ip.dst;
    if (!dst)
        return false;
    bool syn = flags & ST_TCP_SYN;
    bool seq_ok = !syn && q->seq == 0;
    for (unsigned tr = first; syn && tr <= last && !seq_ok; tr++)
        seq_ok = q->seq == st_tcp_cookie(ctx, dst, q->dport, flags, (uint8_t)tr);
    return seq_ok && st_probe_match_error(ctx, r, ST_IPPROTO_TCP, max_tryno, out);
}
