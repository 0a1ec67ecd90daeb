/*
 * The little DNS the reverse lookups need: a PTR query for an IPv4 or IPv6 address
 * and the parse of its reply. Every read of the reply is bounds-checked;
 * compression pointers may only point backwards and are followed a
 * bounded number of times, so a hostile reply cannot loop or overrun.
 */
#ifndef ST_DNS_MSG_H
#define ST_DNS_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_DNS_MAX_MSG  512 /* UDP without EDNS */
#define ST_DNS_NAME_MAX 256 /* a dotted name, NUL included */

enum {
    ST_DNS_TYPE_PTR = 12,
    ST_DNS_CLASS_IN = 1,
    ST_DNS_RCODE_OK = 0,
    ST_DNS_RCODE_NXDOMAIN = 3,
};

/* "4.3.18.198.in-addr.arpa" for 198.18.3.4. */
void st_dns_ptr_name(struct in_addr addr, char out[ST_DNS_NAME_MAX]);

/* "2.0.0.0...0.2.0.0.1.0.0.2.ip6.arpa" for 2001:2:0:3::2 (RFC 3596: one
 * label per nibble, lowest first). */
void st_dns_ptr_name6(const struct in6_addr *addr, char out[ST_DNS_NAME_MAX]);

/* A recursive PTR query with ID for ADDR; its length, or -1 when SIZE is
 * too small. */
int st_dns_build_ptr_query(uint16_t id, struct in_addr addr, uint8_t *buf, size_t size);

/* The same for a name (st_dns_ptr_name6's, for IPv6). */
int st_dns_build_ptr_query_name(uint16_t id, const char *name, uint8_t *buf, size_t size);

struct st_dns_reply {
    uint16_t id;
    int rcode;
    bool truncated;
    bool has_ptr;                /* an IN PTR record for the asked name was found */
    char ptr[ST_DNS_NAME_MAX];   /* its target, dotted, no trailing dot */
    char qname[ST_DNS_NAME_MAX]; /* the question's name */
};

/* Parses a reply. 0, or -1 for anything malformed (too short, not a reply,
 * a name that overruns, a forward or looping pointer). */
int st_dns_parse_reply(const uint8_t *msg, size_t len, struct st_dns_reply *out);

#endif
