/*
 * ICMP query probes (echo, timestamp, address mask) differ only in their
 * type and length; the three modules are thin wrappers over these.
 */
#ifndef ST_PROBE_ICMP_H
#define ST_PROBE_ICMP_H

#include "probe.h"

void st_icmp_prepare(const struct st_probe_ctx *ctx, uint8_t type, struct st_probe_tmpl *t);
size_t st_icmp_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                    uint8_t tryno, uint8_t *out, size_t size);
bool st_icmp_match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t type,
                   uint8_t max_tryno, struct st_probe_reply *out);

/* The module `var` for ICMP query `type` (nmap's `flag`): what each of
 * probe_echo.c, probe_timestamp.c and probe_mask.c is. */
#define ST_ICMP_QUERY_MODULE(var, name_, flag_, type)                                              \
    static void prepare(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t)    \
    {                                                                                              \
        (void)port;                                                                                \
        st_icmp_prepare(ctx, type, t);                                                             \
    }                                                                                              \
    static bool match(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,   \
                      struct st_probe_reply *out)                                                  \
    {                                                                                              \
        return st_icmp_match(ctx, r, type, max_tryno, out);                                        \
    }                                                                                              \
    const struct st_probe_module var =                                                             \
        ST_PROBE_MODULE(name_, flag_, NULL, prepare, st_icmp_make, match)

#endif
