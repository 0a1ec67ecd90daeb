/*
 * -PS[ports]: TCP SYN (default port 80; the default ping uses 443).
 * SYN/ACK: up (syn-ack); RST: up (reset), both acking our seq + 1.
 */
#include <string.h>

#include "probe_tcp.h"

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    st_tcp_prepare(ctx, port, ST_TCP_SYN, t);
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    int tr = st_tcp_reply_try(ctx, r, max_tryno);
    if (tr >= 0) {
        const struct st_tcp *t = &r->l4.tcp;
        uint32_t seq = st_tcp_cookie(ctx, r->ip.src, t->sport, ST_TCP_SYN, (uint8_t)tr);
        if (!(t->flags & ST_TCP_ACK) || t->ack != seq + 1)
            return false;
        bool synack = (t->flags & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK);
        if (!synack && !(t->flags & ST_TCP_RST))
            return false;
        return st_probe_answer(out, r, r->ip.src, t->sport, (uint8_t)tr);
    }
    /* an error quoting our SYN: the quoted seq is the cookie */
    const struct st_quote *q = &r->l4.icmp.quote;
    if (r->proto != ST_IPPROTO_ICMP || !q->present || q->ip.proto != ST_IPPROTO_TCP)
        return false;
    int qt = st_probe_sport_try(ctx, q->sport, max_tryno);
    return qt >= 0 && q->l4len >= 8 &&
           q->seq == st_tcp_cookie(ctx, q->ip.dst, q->dport, ST_TCP_SYN, (uint8_t)qt) &&
           st_probe_match_error(ctx, r, ST_IPPROTO_TCP, max_tryno, out);
}

const struct st_probe_module st_probe_syn = {
    .name = "syn",
    .flag = "-PS",
    .default_ports = ST_NMAP_TCP_PROBE_PORTS,
    .ethernet = false,
    .prepare = prepare,
    .make = st_tcp_make,
    .match = match,
};
