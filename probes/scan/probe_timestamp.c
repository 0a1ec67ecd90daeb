/*
 * -PP: ICMP timestamp request.
 */
#include "probe_icmp.h"

static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)
{
    (void)port;
    st_icmp_prepare(ctx, ST_ICMP_TIMESTAMP_REQUEST, t);
}

static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out)
{
    return st_icmp_match(ctx, r, ST_ICMP_TIMESTAMP_REQUEST, max_tryno, out);
}

const struct st_probe_module st_probe_timestamp = {
    .name = "timestamp",
    .flag = "-PP",
    .default_ports = NULL,
    .ethernet = false,
    .prepare = prepare,
    .make = st_icmp_make,
    .match = match,
};
