/*
 * Writing packets: the IPv4 header, checksums (Internet checksum, CRC32c for
 * SCTP) and big-endian stores. The probe modules build their templates with
 * these and patch them per target.
 */
#ifndef ST_PKT_BUILD_H
#define ST_PKT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_record.h"

static inline void st_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void st_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One's complement sum of a span, to be folded by st_csum_fold. */
uint32_t st_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t st_csum_fold(uint32_t sum);

/* The TCP/UDP pseudo-header part of their checksums. */
uint32_t st_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

/* CRC32c (Castagnoli), as SCTP's checksum. */
uint32_t st_crc32c(const uint8_t *p, size_t n);

/* A 20-byte IPv4 header without options, DF clear, checksum computed. */
void st_ipv4_write(uint8_t *p, uint16_t total_len, uint16_t id, uint8_t ttl, uint8_t proto,
                   uint32_t src, uint32_t dst);

/* Recompute the IPv4 header checksum after patching fields. */
void st_ipv4_checksum(uint8_t *p);

/*
 * The transport checksum of an IPv4 datagram (TCP, UDP, ICMP, IGMP or SCTP,
 * by its protocol field), computed in place.
 */
void st_l4_checksum(uint8_t *ip, size_t len);

/* A 40-byte IPv6 header (traffic class 0, no extension header). */
void st_ipv6_write(uint8_t *p, uint16_t plen, uint32_t flow, uint8_t hopl, uint8_t nh,
                   const uint8_t src[16], const uint8_t dst[16]);

/* The transport checksum of an IPv6 datagram of `len` bytes (TCP, UDP,
 * ICMPv6 or SCTP by its next header; the header has no extension), in place. */
void st_l4_checksum6(uint8_t *ip6, size_t len);

/*
 * A packet a trace line tells of, as the bytes of a frame of link type
 * `link` (Ethernet, Linux cooked SLL or SLL2, raw IP), and which of their
 * bits the line fixes: known[i] has a bit set for each bit of buf[i] that
 * is the packet's whatever the line left out. What a trace line does not
 * say (link-layer addresses, IPv4 TOS and flags, the TCP ack, offset and
 * options, ICMP past its query fields, ICMPv6 past type and code, an ARP
 * address the record leaves 0, any payload) is written as zeros, checksums
 * are computed, and all of it is left unknown: a reader of these bytes (a
 * capture filter) can tell what it read from the line from what it guessed.
 */
struct st_pkt_bytes {
    uint8_t *buf, *known;
    size_t size;    /* room in both */
    size_t len;     /* bytes written */
    bool len_known; /* the frame is len bytes long (Ethernet pads a short frame, or does not) */
};

/* Whether record p could be written (a connect record, a fragment, an ARP
 * line on a link without ARP, a datagram of no stated length: not). */
bool st_pkt_encode(const struct st_pkt *p, enum st_link link, struct st_pkt_bytes *out);

#endif
