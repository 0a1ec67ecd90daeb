/*
 * -PY[ports]: SCTP INIT (default port 80), common header verification tag
 * 0, a_rwnd 32768, iplen 52 as nmap. The INIT's initiate tag carries the cookie: the
 * target's INIT-ACK or ABORT comes back with it as verification tag.
 * Without SCTP in its kernel a host answers protocol unreachable (up).
 */
#include <string.h>

#include "packet.h"
#include "probe.h"

static uint32_t tag(const struct st_probe_ctx *ctx, uint32_t dst, uint16_t port, uint8_t tryno)
{
    return st_cookie32(ctx, dst, (uint32_t)ST_IPPROTO_SCTP << 16 | port, tryno);
}

void st_sctp_init_tmpl(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    st_probe_tmpl_ip(ctx, t, ST_IPPROTO_SCTP, 52, port);
    uint8_t *sctp = t->bytes + t->l3;
    st_put16(sctp + 2, port);
    uint8_t *init = sctp + 12;
    init[0] = 1; /* INIT */
    st_put16(init + 2, 20);
    st_put32(init + 8, ST_NMAP_SCTP_A_RWND);
    st_put16(init + 12, 10);   /* outbound streams */
    st_put16(init + 14, 2048); /* inbound streams */
}

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    st_sctp_init_tmpl(ctx, port, t);
}

static size_t make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size)
{
    uint8_t *sctp = st_probe_port_make(ctx, t, dst, tryno, ST_IPPROTO_SCTP, out, size);
    if (!sctp)
        return 0;
    uint32_t c = tag(ctx, dst, t->port, tryno);
    st_put32(sctp + 12 + 4, c);  /* initiate tag */
    st_put32(sctp + 12 + 16, c); /* initial TSN */
    st_probe_checksum(ctx, out, t->len);
    return t->len;
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    if (!st_probe_for_us(ctx, r))
        return false;
    if (r->proto == ST_IPPROTO_SCTP && !(r->flags & ST_PKT_L4_SHORT)) {
        uint8_t first, last;
        uint32_t src = st_probe_src(ctx, r);
        if (!st_probe_sport_tries(ctx, r->l4.sctp.dport, max_tryno, &first, &last) || !src)
            return false;
        /* one try, or with -g every try the tag may name */
        for (unsigned tr = first; tr <= last; tr++)
            if (r->l4.sctp.vtag == tag(ctx, src, r->l4.sctp.sport, (uint8_t)tr))
                return st_probe_answer(out, r, src, r->l4.sctp.sport, (uint8_t)tr);
        return false;
    }
    return st_probe_match_port_error(ctx, r, ST_IPPROTO_SCTP, max_tryno, out);
}

const struct st_probe_module st_probe_sctp =
    ST_PROBE_MODULE("sctp", "-PY", ST_NMAP_SCTP_PROBE_PORTS, prepare, make, match);
