/*
 * The one normalized packet record of scantrace.
 *
 * Every reader produces it (the frame decoder, the trace-line parser, the tshark
 * reader) and every consumer reads it (the trace formatter, the aligner, the
 * reports). Nothing else in the tree describes a packet; if a field is missing,
 * add it here so that every reader and writer sees it.
 *
 * Addresses and multi-byte fields are stored in host byte order so that they
 * compare and print without conversions.
 */
#ifndef ST_PKT_RECORD_H
#define ST_PKT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum st_dir {
    ST_DIR_NONE = 0,
    ST_DIR_SENT,
    ST_DIR_RCVD,
};

/* Link layer of the bytes a record was decoded from. */
enum st_link {
    ST_LINK_NONE = 0, /* not decoded from bytes (e.g. parsed from a trace line) */
    ST_LINK_ETHERNET,
    ST_LINK_RAW_IP, /* the frame starts at the IP header */
    ST_LINK_SLL,    /* Linux cooked capture (-i any): packet type, sender address, protocol */
    ST_LINK_SLL2,   /* its version 2: the interface index too */
};

/* What sits above the link layer. */
enum st_net {
    ST_NET_NONE = 0,
    ST_NET_ARP,
    ST_NET_IPV4,
    ST_NET_IPV6,
    ST_NET_OTHER, /* an ethertype scantrace does not decode */
};

/* Record flags: what the reader could not fully see. */
enum {
    ST_PKT_TRUNCATED = 1u << 0, /* the bytes ended inside a header that was needed */
    ST_PKT_MALFORMED = 1u << 1, /* a header field is impossible (bad ihl, bad offset...) */
    /* A fragment past the first (IPv4's offset, or an IPv6 Fragment
     * header's, not zero): it holds no transport
     * header, so proto names its datagram's protocol but l4 stays empty and
     * nothing may read it (an ICMP type 0, ports 0): every reader leaves it
     * so, and compare joins it to its datagram's first fragment. */
    ST_PKT_FRAGMENT = 1u << 2,
    ST_PKT_L4_SHORT = 1u << 3, /* L4 header present but shorter than its fixed part */
    /*
     * A connect() of the unprivileged mode (nmap's CONN lines), not a packet
     * the scanner built: only the destination address and port and the
     * outcome (conn_errno) are known. SENT: the connect was issued (the
     * kernel's SYN); RCVD: its result (SYN/ACK, RST or an error).
     */
    ST_PKT_CONNECT = 1u << 4,
    /* Printed by nmap's ND reader ("neighbor advertisement A > B T is at
     * MAC"), not by its IP packet tracer: the formatter uses that layout. */
    ST_PKT_ND_TRACE = 1u << 5,
    /* An ICMPv6 echo whose identifier and sequence number the reader did
     * not see: nmap's ICMPv6 lines print neither (the parser's records), a
     * frame cut before them. id and seq then read 0, which is no "none" (0
     * is a legal id): st_pkt_same takes them to match any. */
    ST_PKT_NO_ECHO_ID = 1u << 6,
};

/* IP protocol numbers scantrace decodes. */
enum {
    ST_IPPROTO_ICMP = 1,
    ST_IPPROTO_IGMP = 2,
    ST_IPPROTO_IPIP = 4,
    ST_IPPROTO_TCP = 6,
    ST_IPPROTO_UDP = 17,
    ST_IPPROTO_FRAGMENT6 = 44, /* IPv6's Fragment header */
    ST_IPPROTO_ICMPV6 = 58,
    ST_IPPROTO_SCTP = 132,
};

/* TCP flag bits as they sit in byte 13 of the header. */
enum {
    ST_TCP_FIN = 0x01,
    ST_TCP_SYN = 0x02,
    ST_TCP_RST = 0x04,
    ST_TCP_PSH = 0x08,
    ST_TCP_ACK = 0x10,
    ST_TCP_URG = 0x20,
    ST_TCP_ECE = 0x40,
    ST_TCP_CWR = 0x80,
};

#define ST_MAX_IPOPT  40
#define ST_MAX_TCPOPT 40

struct st_arp {
    uint16_t hrd, pro, op;
    uint8_t hln, pln;
    uint8_t sha[6], tha[6];
    uint32_t spa, tpa;
};

struct st_ipv4 {
    uint8_t ihl; /* header length in 32-bit words */
    uint8_t tos, ttl, proto;
    uint16_t len; /* total length field */
    uint16_t id;
    uint16_t frag; /* flags (3 bits) and offset (13 bits) as on the wire */
    uint16_t csum;
    uint32_t src, dst;
    uint8_t optlen;
    uint8_t opts[ST_MAX_IPOPT];
};

struct st_ipv6 {
    uint8_t tclass, hopl, nh;
    uint32_t flow;
    uint16_t plen;
    uint8_t src[16], dst[16];
    /* a Fragment header (RFC 8200 4.5): its identification, offset (in
     * 8-byte units, as on the wire) and more-fragments bit */
    bool frag, frag_more;
    uint16_t frag_off;
    uint32_t frag_id;
};

struct st_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t off; /* data offset in 32-bit words */
    uint8_t res; /* the 4 reserved bits */
    uint8_t flags;
    uint16_t win, csum, urp;
    uint8_t optlen;
    uint8_t opts[ST_MAX_TCPOPT];
};

struct st_udp {
    uint16_t sport, dport, len, csum;
};

struct st_sctp {
    uint16_t sport, dport;
    uint32_t vtag, csum;
};

/*
 * The original datagram an ICMP error quotes: its IP header and the first
 * bytes of its transport header, which is what identifies the probe.
 */
struct st_quote {
    bool present;   /* a whole IPv4 header was quoted */
    uint16_t len;   /* bytes quoted after the ICMP header (IP header included) */
    uint16_t l4len; /* of which transport bytes */
    struct st_ipv4 ip;
    uint16_t sport, dport; /* TCP/UDP/SCTP */
    uint32_t seq;          /* TCP seq or SCTP vtag, when quoted */
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;
    /* an ICMPv6 error: a whole IPv6 header was quoted (`present6`, the header
     * in ip6; ip is then empty), its next header in ip6.nh and its transport
     * fields above as for IPv4 */
    bool present6;
    struct st_ipv6 ip6;
};

struct st_icmp {
    uint8_t type, code;
    uint16_t csum;
    uint16_t id, seq;           /* echo, timestamp, mask, information (ICMPv6
                                 * echo: unknown with ST_PKT_NO_ECHO_ID) */
    uint32_t orig, recv, trans; /* timestamp */
    uint32_t mask;              /* address mask */
    uint32_t gateway;           /* redirect */
    uint16_t mtu;               /* fragmentation needed */
    uint8_t pointer;            /* parameter problem */
    uint16_t len;               /* ICMP bytes available (header + data) */
    struct st_quote quote;      /* errors: destination unreachable, time exceeded... */
    /* ICMPv6 neighbour solicitation and advertisement (RFC 4861): the flags
     * word (R S O bits), the target address (when there is one) and the
     * link-layer address option (source in a solicitation, target in an
     * advertisement) */
    uint32_t nd_flags;
    bool nd_has_target, nd_has_mac;
    uint8_t nd_target[16];
    uint8_t nd_mac[6];
};

struct st_pkt {
    enum st_dir dir;
    enum st_link link;
    enum st_net net;
    unsigned flags; /* ST_PKT_* */

    int64_t time_ns; /* trace: since scan start; capture: since the epoch */
    uint32_t line;   /* 1-based trace line, 0 if not from a trace */
    uint32_t frame;  /* 1-based frame number, 0 if not from a capture */
    uint32_t caplen, origlen;
    int conn_errno; /* ST_PKT_CONNECT: 0 "Connected", else the errno nmap printed */

    uint8_t eth_src[6], eth_dst[6];
    uint16_t ethertype;
    /* a frame's capture point: its pcapng interface; a Linux cooked
     * capture's packet type (1 + sll.pkttype, 0: none) and interface index */
    uint16_t iface;
    uint8_t pkttype;
    uint32_t ifindex;

    struct st_arp arp;
    struct st_ipv4 ip;
    struct st_ipv6 ip6;
    uint8_t proto;  /* transport protocol number (IPv4 proto or IPv6 next header) */
    uint16_t l4len; /* transport bytes available (header + payload) */
    union {
        struct st_tcp tcp;
        struct st_udp udp;
        struct st_sctp sctp;
        struct st_icmp icmp;
    } l4;
};

/* Reset a record to its empty state. */
void st_pkt_init(struct st_pkt *p);

/* Printable IPv4 address from a host-order address; buf must hold 16 bytes. */
const char *st_ip4_str(uint32_t addr, char *buf);

/*
 * Whether two records describe the same packet: same protocol identity (ARP
 * op and addresses; IP addresses, id and protocol, or IPv6's flow label; ports,
 * flags and seq; ICMP type, code, id and seq: ICMPv6 echo's where both know
 * them, not ST_PKT_NO_ECHO_ID). Time, link layer and checksums
 * are not compared.
 * A connect record is the same as the kernel's SYN for it (issued), or the
 * SYN/ACK or RST that answered it (result).
 */
bool st_pkt_same(const struct st_pkt *a, const struct st_pkt *b);

/* A hash of the identity st_pkt_same compares (same packets, same hash);
 * connect records are found through st_pkt_peer_hash instead. */
uint64_t st_pkt_hash(const struct st_pkt *p);

/* A hash of a TCP peer (address, port): a connect record's destination, and
 * each end of a TCP frame. */
uint64_t st_pkt_peer_hash(uint32_t addr, uint16_t port);

/* Parse a dotted quad; returns false on anything else. */
bool st_ip4_parse(const char *s, uint32_t *addr);

#endif
