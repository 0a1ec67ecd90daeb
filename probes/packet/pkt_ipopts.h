/*
 * IPv4 options as nmap 7.93 prints them in --packet-trace ("ipopts={ NOP
 * RR{#0.0.0.0 ...}}", "TM{[0 hosts not recorded]#0 0 ...}", "LSRR{...}",
 * "??{\x..}"), and that text read back into option bytes.
 *
 * The text is nmap's, quirks included (a pointer shown as '#', mangled
 * pointers as "\xHH" bytes, options that do not parse dumped as hex), so
 * that a formatted record is the same bytes as nmap's line. Reading is the
 * inverse for every text nmap prints of its own --ip-options and of the
 * replies they draw; what cannot be read back exactly is refused.
 */
#ifndef ST_PKT_IPOPTS_H
#define ST_PKT_IPOPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_record.h"

struct st_sb;

/* nmap's text of `len` option bytes: what it prints between "ipopts={" and
 * the closing "}". False when nmap's own 255-character limit cut it (the
 * text then cannot be read back). */
bool st_ipopts_format(struct st_sb *sb, const uint8_t *opts, size_t len);

/*
 * Read the text that follows "ipopts={" (s, n bytes available) into
 * opts/len. Returns the characters consumed, the closing "}" included, or 0
 * when the text is not one nmap prints or does not read back exactly.
 */
size_t st_ipopts_parse(const char *s, size_t n, uint8_t opts[ST_MAX_IPOPT], uint8_t *len);

/*
 * The target of a source-routed datagram (a loose or strict source route
 * option): the route's last address, where the datagram ends while its
 * destination field names the next hop. False without such an option.
 */
bool st_ipopts_route_target(const struct st_ipv4 *ip, uint32_t *target);

#endif
