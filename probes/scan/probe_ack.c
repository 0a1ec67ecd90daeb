/*
 * -PA[ports]: TCP ACK with seq 0 (default port 80). Any host answers an
 * unexpected ACK with a RST whose seq is our ack: up (reset).
 */
#include "probe_tcp.h"

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    st_tcp_prepare(ctx, port, ST_TCP_ACK, t);
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    uint8_t first, last;
    if (st_tcp_reply_tries(ctx, r, max_tryno, &first, &last)) {
        const struct st_tcp *t = &r->l4.tcp;
        uint32_t src = st_probe_src(ctx, r);
        if (!src || !(t->flags & ST_TCP_RST))
            return false;
        /* one try, or with -g every try its cookie may name */
        for (unsigned tr = first; tr <= last; tr++)
            if (t->seq == st_tcp_cookie(ctx, src, t->sport, ST_TCP_ACK, (uint8_t)tr))
                return st_probe_answer(out, r, src, t->sport, (uint8_t)tr);
        return false;
    }
    return st_tcp_match_error(ctx, r, ST_TCP_ACK, max_tryno, out);
}

const struct st_probe_module st_probe_ack =
    ST_PROBE_MODULE("ack", "-PA", ST_NMAP_TCP_PROBE_PORTS, prepare, st_tcp_make, match);
