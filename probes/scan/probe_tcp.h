/*
 * TCP probes (SYN and ACK) share a template layout: IP, then TCP with
 * window 1024 and nmap's options (MSS 1460 on SYN only).
 */
#ifndef ST_PROBE_TCP_H
#define ST_PROBE_TCP_H

#include "probe.h"

void st_tcp_prepare(const struct st_probe_ctx *ctx, uint16_t dport, uint8_t flags,
                    struct st_probe_tmpl *t);

/* The cookie a TCP probe carries: in seq (SYN) or ack (ACK). */
uint32_t st_tcp_cookie(const struct st_probe_ctx *ctx, uint32_t dst, uint16_t dport, uint8_t flags,
                       uint8_t tryno);

size_t st_tcp_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size);

/* A TCP segment from a target to one of our source ports: the tries it can
 * answer, [*first, *last] (st_probe_sport_tries); false when none. */
bool st_tcp_reply_tries(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                        uint8_t *first, uint8_t *last);

/* An ICMP error quoting our TCP probe with `flags`: the quoted seq is the
 * SYN's cookie, or 0 for an ACK (whose cookie is in the ack, past the 8
 * bytes an error must quote). nmap's verdict, as st_probe_match_error. */
bool st_tcp_match_error(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t flags,
                        uint8_t max_tryno, struct st_probe_reply *out);

#endif
