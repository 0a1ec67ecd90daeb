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

/* Whether r (a SYN/ACK or RST) acks the SYN of try tr. */
static bool acks(const struct st_probe_ctx *ctx, const struct st_tcp *t, uint32_t src, uint8_t tr)
{
    uint32_t seq = st_tcp_cookie(ctx, src, t->sport, ST_TCP_SYN, tr);
    bool rst = t->flags & ST_TCP_RST;
    return t->ack == seq + 1 || (rst && t->ack == seq + 1 + ctx->payload);
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    uint8_t first, last;
    if (st_tcp_reply_tries(ctx, r, max_tryno, &first, &last)) {
        const struct st_tcp *t = &r->l4.tcp;
        uint32_t src = st_probe_src(ctx, r);
        bool synack = (t->flags & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK);
        bool rst = t->flags & ST_TCP_RST;
        if (!src || !(t->flags & ST_TCP_ACK) || !(synack || rst))
            return false;
        /* one try, or with -g every try its cookie may name */
        for (unsigned tr = first; tr <= last; tr++)
            if (acks(ctx, t, src, (uint8_t)tr))
                return st_probe_answer(out, r, src, t->sport, (uint8_t)tr);
        return false;
    }
    return st_tcp_match_error(ctx, r, ST_TCP_SYN, max_tryno, out);
}

const struct st_probe_module st_probe_syn =
    ST_PROBE_MODULE("syn", "-PS", ST_NMAP_TCP_PROBE_PORTS, prepare, st_tcp_make, match);
