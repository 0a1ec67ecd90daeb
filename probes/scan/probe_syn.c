/*
 * -PS[ports]: TCP SYN (default port 80; the default ping uses 443).
 * SYN/ACK: up (syn-ack); RST: up (reset), both acking our seq + 1.
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
        if (!src || !(t->flags & ST_TCP_ACK) || t->ack != seq + 1)
            return false;
        bool synack = (t->flags & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK);
        if (!synack && !(t->flags & ST_TCP_RST))
            return false;
        return st_probe_answer(out, r, src, t->sport, (uint8_t)tr);
    }
    return st_tcp_match_error(ctx, r, ST_TCP_SYN, max_tryno, out);
}

const struct st_probe_module st_probe_syn =
    ST_PROBE_MODULE("syn", "-PS", ST_NMAP_TCP_PROBE_PORTS, prepare, st_tcp_make, match);
