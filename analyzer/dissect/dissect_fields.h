/*
 * The packet record from a dissector's fields: the one mapping of
 * Wireshark's field values (as tshark prints them) to struct st_pkt, shared
 * by the two readers of compare, tshark's -T ek stream (tshark_read.c) and
 * libwireshark in process (wireshark_read.c), so both give the same records.
 */
#ifndef ST_DISSECT_FIELDS_H
#define ST_DISSECT_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "packet.h"

/*
 * The preferences both dissectors get (tshark as -o arguments). No IP or TCP
 * reassembly: each frame as it was on the wire (a fragment's probe is found
 * by compare, not by Wireshark). No TCP analysis: compare reads raw header
 * values (tcp.seq_raw), and the analysis (sequence tracking, timestamps,
 * bytes in flight) is per-frame work and per-conversation memory that
 * changes none of them.
 */
#define ST_DISSECT_NPREFS 6
extern const char *const st_dissect_prefs[ST_DISSECT_NPREFS];

/* The fields a reader asks the dissector for, in st_field_names order. */
enum st_field {
    ST_F_FRAME_NUMBER,
    ST_F_FRAME_TIME_EPOCH,
    ST_F_FRAME_PACKET_FLAGS_DIRECTION,
    ST_F_FRAME_CAP_LEN,
    ST_F_FRAME_LEN,
    ST_F_ETH_SRC,
    ST_F_ETH_DST,
    ST_F_ARP_OPCODE,
    ST_F_ARP_SRC_HW_MAC,
    ST_F_ARP_SRC_PROTO_IPV4,
    ST_F_ARP_DST_HW_MAC,
    ST_F_ARP_DST_PROTO_IPV4,
    ST_F_IP_HDR_LEN,
    ST_F_IP_DSFIELD,
    ST_F_IP_LEN,
    ST_F_IP_ID,
    ST_F_IP_FLAGS,
    ST_F_IP_FRAG_OFFSET,
    ST_F_IP_TTL,
    ST_F_IP_PROTO,
    ST_F_IP_CHECKSUM,
    ST_F_IP_SRC,
    ST_F_IP_DST,
    ST_F_IP_CUR_RT,
    ST_F_IPV6_SRC,
    ST_F_IPV6_DST,
    ST_F_IPV6_NXT,
    ST_F_IPV6_HLIM,
    ST_F_IPV6_PLEN,
    ST_F_IPV6_FLOW,
    ST_F_IPV6_TCLASS,
    ST_F_IPV6_HOPOPTS_NXT,
    ST_F_IPV6_HOPOPTS_LEN_OCT,
    ST_F_IPV6_ROUTING_NXT,
    ST_F_IPV6_ROUTING_LEN_OCT,
    ST_F_IPV6_DSTOPTS_NXT,
    ST_F_IPV6_DSTOPTS_LEN_OCT,
    ST_F_IPV6_FRAGHDR_NXT,
    ST_F_IPV6_FRAGHDR_OFFSET,
    ST_F_IPV6_FRAGHDR_MORE,
    ST_F_IPV6_FRAGHDR_IDENT,
    ST_F_TCP_SRCPORT,
    ST_F_TCP_DSTPORT,
    ST_F_TCP_SEQ_RAW,
    ST_F_TCP_ACK_RAW,
    ST_F_TCP_HDR_LEN,
    ST_F_TCP_FLAGS,
    ST_F_TCP_WINDOW_SIZE_VALUE,
    ST_F_TCP_CHECKSUM,
    ST_F_TCP_URGENT_POINTER,
    ST_F_TCP_OPTIONS,
    ST_F_UDP_SRCPORT,
    ST_F_UDP_DSTPORT,
    ST_F_UDP_LENGTH,
    ST_F_UDP_CHECKSUM,
    ST_F_SCTP_SRCPORT,
    ST_F_SCTP_DSTPORT,
    ST_F_SCTP_VERIFICATION_TAG,
    ST_F_SCTP_CHECKSUM,
    ST_F_ICMP_TYPE,
    ST_F_ICMP_CODE,
    ST_F_ICMP_CHECKSUM,
    ST_F_ICMP_IDENT,
    ST_F_ICMP_SEQ,
    ST_F_ICMP_ORIGINATE_TIMESTAMP,
    ST_F_ICMP_RECEIVE_TIMESTAMP,
    ST_F_ICMP_TRANSMIT_TIMESTAMP,
    ST_F_ICMP_ADDRESS_MASK,
    ST_F_ICMP_REDIR_GW,
    ST_F_ICMP_MTU,
    ST_F_ICMP_POINTER,
    ST_F_ICMPV6_TYPE,
    ST_F_ICMPV6_CODE,
    ST_F_ICMPV6_ND_NS_TARGET,
    ST_F_ICMPV6_ND_NA_TARGET,
    ST_F_ICMPV6_OPT_LINKADDR,
    ST_F_ICMPV6_ECHO_IDENTIFIER,
    ST_F_ICMPV6_ECHO_SEQUENCE_NUMBER,
    /* where the frame was captured (copies.c tells a packet seen at two
     * points from one sent twice): the pcapng interface; Linux cooked
     * captures (-i any) name no Ethernet header but the packet type, the
     * sender's link address and (v2) the interface index */
    ST_F_FRAME_INTERFACE_ID,
    ST_F_SLL_PKTTYPE,
    ST_F_SLL_IFINDEX,
    ST_F_SLL_SRC_ETH,
    ST_NFIELDS
};

/* Wireshark's names of the fields ("frame.number", "ip.src", ...). */
extern const char *const st_field_names[ST_NFIELDS];

/* Where the values of one frame's fields come from. */
struct st_field_src {
    /* value idx of field f (0: the first occurrence, e.g. the outer IP
     * header of an ICMP error; 1: the quoted one), as tshark prints it;
     * NULL when absent; valid until the next frame */
    const char *(*str)(void *ud, enum st_field f, size_t idx);
    /* how many values field f has in this frame */
    size_t (*count)(void *ud, enum st_field f);
    /* optional: the value as strtoul(str, NULL, 0) would give it, without
     * the text; false to fall back to str() */
    bool (*num)(void *ud, enum st_field f, size_t idx, unsigned long *out);
    void *ud;
};

/* One frame's fields -> its record. */
void st_fields_record(const struct st_field_src *s, struct st_pkt *p);

#endif
