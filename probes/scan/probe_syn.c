/*
 * -PS[ports]: TCP SYN (default port 80; the default ping uses 443).
 * SYN/ACK: up (syn-ack); RST: up (reset), both acking our seq + 1. A SYN
 * that carries a payload (--data*) is reset with the payload acked too
 * (seq + 1 + its bytes); its SYN/ACK acks seq + 1 (the data is not taken).
 * nmap matches by ports alone and counts that RST; so does this, by cookie.
 */
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
        uint32_t src = st_probe_src(ctx, r);
        uint32_t seq = st_tcp_cookie(ctx, src, t->sport, ST_TCP_SYN, (uint8_t)tr);
        bool synack = (t->flags & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK);
        bool rst = t->flags & ST_TCP_RST;
        if (!src || !(t->flags & ST_TCP_ACK) || !(synack || rst))
            return false;
        if (t->ack != seq + 1 && !(rst && t->ack == seq + 1 + ctx->payload))
            return false;
        return st_probe_answer(out, r, src, t->sport, (uint8_t)tr);
    }
    return st_tcp_match_error(ctx, r, ST_TCP_SYN, max_tryno, out);
}

const struct st_probe_module st_probe_syn =
    ST_PROBE_MODULE("syn", "-PS", ST_NMAP_TCP_PROBE_PORTS, prepare, st_tcp_make, match);
