/*
 * Wireshark's fields -> struct st_pkt (see dissect_fields.h). Numbers are
 * read raw: ip.id and the flags in hex, tcp.seq_raw instead of the relative
 * seq. An ICMP error carries two IP headers: the first value of each ip.*
 * field is the outer header, the second the quoted one, and the transport
 * fields belong to the quoted datagram. Wireshark has no field holding the
 * raw IP option bytes, so records from here know the options' length (ihl)
 * but not their bytes.
 */
#include "dissect_fields.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const st_dissect_prefs[ST_DISSECT_NPREFS] = {
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE", /* IPv6 fragments as on the wire too */
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.analyze_sequence_numbers:FALSE",
    "tcp.calculate_timestamps:FALSE",
    "tcp.track_bytes_in_flight:FALSE",
};

const char *const st_field_names[ST_NFIELDS] = {
    [ST_F_FRAME_NUMBER] = "frame.number",
    [ST_F_FRAME_TIME_EPOCH] = "frame.time_epoch",
    [ST_F_FRAME_PACKET_FLAGS_DIRECTION] = "frame.packet_flags_direction",
    [ST_F_FRAME_CAP_LEN] = "frame.cap_len",
    [ST_F_FRAME_LEN] = "frame.len",
    [ST_F_ETH_SRC] = "eth.src",
    [ST_F_ETH_DST] = "eth.dst",
    [ST_F_ARP_OPCODE] = "arp.opcode",
    [ST_F_ARP_SRC_HW_MAC] = "arp.src.hw_mac",
    [ST_F_ARP_SRC_PROTO_IPV4] = "arp.src.proto_ipv4",
    [ST_F_ARP_DST_HW_MAC] = "arp.dst.hw_mac",
    [ST_F_ARP_DST_PROTO_IPV4] = "arp.dst.proto_ipv4",
    [ST_F_IP_HDR_LEN] = "ip.hdr_len",
    [ST_F_IP_DSFIELD] = "ip.dsfield",
    [ST_F_IP_LEN] = "ip.len",
    [ST_F_IP_ID] = "ip.id",
    [ST_F_IP_FLAGS] = "ip.flags",
    [ST_F_IP_FRAG_OFFSET] = "ip.frag_offset",
    [ST_F_IP_TTL] = "ip.ttl",
    [ST_F_IP_PROTO] = "ip.proto",
    [ST_F_IP_CHECKSUM] = "ip.checksum",
    [ST_F_IP_SRC] = "ip.src",
    [ST_F_IP_DST] = "ip.dst",
    [ST_F_IP_CUR_RT] = "ip.cur_rt",
    [ST_F_IPV6_SRC] = "ipv6.src",
    [ST_F_IPV6_DST] = "ipv6.dst",
    [ST_F_IPV6_NXT] = "ipv6.nxt",
    [ST_F_IPV6_HLIM] = "ipv6.hlim",
    [ST_F_IPV6_PLEN] = "ipv6.plen",
    [ST_F_IPV6_FLOW] = "ipv6.flow",
    [ST_F_IPV6_TCLASS] = "ipv6.tclass",
    [ST_F_IPV6_HOPOPTS_NXT] = "ipv6.hopopts.nxt",
    [ST_F_IPV6_HOPOPTS_LEN_OCT] = "ipv6.hopopts.len_oct",
    [ST_F_IPV6_ROUTING_NXT] = "ipv6.routing.nxt",
    [ST_F_IPV6_ROUTING_LEN_OCT] = "ipv6.routing.len_oct",
    [ST_F_IPV6_DSTOPTS_NXT] = "ipv6.dstopts.nxt",
    [ST_F_IPV6_DSTOPTS_LEN_OCT] = "ipv6.dstopts.len_oct",
    /* ipv6.fraghdr.offset in 8-byte units, as on the wire */
    [ST_F_IPV6_FRAGHDR_NXT] = "ipv6.fraghdr.nxt",
    [ST_F_IPV6_FRAGHDR_OFFSET] = "ipv6.fraghdr.offset",
    [ST_F_IPV6_FRAGHDR_MORE] = "ipv6.fraghdr.more",
    [ST_F_IPV6_FRAGHDR_IDENT] = "ipv6.fraghdr.ident",
    [ST_F_TCP_SRCPORT] = "tcp.srcport",
    [ST_F_TCP_DSTPORT] = "tcp.dstport",
    [ST_F_TCP_SEQ_RAW] = "tcp.seq_raw",
    [ST_F_TCP_ACK_RAW] = "tcp.ack_raw",
    [ST_F_TCP_HDR_LEN] = "tcp.hdr_len",
    [ST_F_TCP_FLAGS] = "tcp.flags",
    [ST_F_TCP_WINDOW_SIZE_VALUE] = "tcp.window_size_value",
    [ST_F_TCP_CHECKSUM] = "tcp.checksum",
    [ST_F_TCP_URGENT_POINTER] = "tcp.urgent_pointer",
    [ST_F_TCP_OPTIONS] = "tcp.options",
    [ST_F_UDP_SRCPORT] = "udp.srcport",
    [ST_F_UDP_DSTPORT] = "udp.dstport",
    [ST_F_UDP_LENGTH] = "udp.length",
    [ST_F_UDP_CHECKSUM] = "udp.checksum",
    [ST_F_SCTP_SRCPORT] = "sctp.srcport",
    [ST_F_SCTP_DSTPORT] = "sctp.dstport",
    [ST_F_SCTP_VERIFICATION_TAG] = "sctp.verification_tag",
    [ST_F_SCTP_CHECKSUM] = "sctp.checksum",
    [ST_F_ICMP_TYPE] = "icmp.type",
    [ST_F_ICMP_CODE] = "icmp.code",
    [ST_F_ICMP_CHECKSUM] = "icmp.checksum",
    [ST_F_ICMP_IDENT] = "icmp.ident",
    [ST_F_ICMP_SEQ] = "icmp.seq",
    [ST_F_ICMP_ORIGINATE_TIMESTAMP] = "icmp.originate_timestamp",
    [ST_F_ICMP_RECEIVE_TIMESTAMP] = "icmp.receive_timestamp",
    [ST_F_ICMP_TRANSMIT_TIMESTAMP] = "icmp.transmit_timestamp",
    [ST_F_ICMP_ADDRESS_MASK] = "icmp.address_mask",
    [ST_F_ICMP_REDIR_GW] = "icmp.redir_gw",
    [ST_F_ICMP_MTU] = "icmp.mtu",
    [ST_F_ICMP_POINTER] = "icmp.pointer",
    [ST_F_ICMPV6_TYPE] = "icmpv6.type",
    [ST_F_ICMPV6_CODE] = "icmpv6.code",
    [ST_F_ICMPV6_ND_NS_TARGET] = "icmpv6.nd.ns.target_address",
    [ST_F_ICMPV6_ND_NA_TARGET] = "icmpv6.nd.na.target_address",
    [ST_F_ICMPV6_OPT_LINKADDR] = "icmpv6.opt.linkaddr",
    [ST_F_ICMPV6_ECHO_IDENTIFIER] = "icmpv6.echo.identifier",
    [ST_F_ICMPV6_ECHO_SEQUENCE_NUMBER] = "icmpv6.echo.sequence_number",
    [ST_F_FRAME_INTERFACE_ID] = "frame.interface_id",
    [ST_F_SLL_PKTTYPE] = "sll.pkttype",
    [ST_F_SLL_IFINDEX] = "sll.ifindex",
    [ST_F_SLL_SRC_ETH] = "sll.src.eth",
};

typedef const struct st_field_src doc_t;

/* Value `idx` of a field as tshark prints it, or NULL. */
static const char *val(doc_t *d, enum st_field f, size_t idx)
{
    return d->str(d->ud, f, idx);
}

static size_t nvals(doc_t *d, enum st_field f)
{
    return d->count(d->ud, f);
}

/* What strtoul(value, NULL, 0) gives, 0 for an absent value. */
static unsigned long num(doc_t *d, enum st_field f, size_t idx)
{
    unsigned long v;
    if (d->num && d->num(d->ud, f, idx, &v))
        return v;
    const char *s = val(d, f, idx);
    return s ? strtoul(s, NULL, 0) : 0;
}

static bool has(doc_t *d, enum st_field f)
{
    return nvals(d, f) > 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* "42:62:64:2a:56:bf" (one or two hex digits a byte, as sscanf's %x:%x...
 * read it; sscanf was a tenth of the record mapping's time). Left as it was
 * unless all six bytes are there. */
static void mac(const char *s, uint8_t out[6])
{
    uint8_t m[6];
    for (int i = 0; s && i < 6; i++) {
        int hi = hexval(*s), lo;
        if (hi < 0)
            return;
        s++;
        if ((lo = hexval(*s)) >= 0) {
            hi = hi * 16 + lo;
            s++;
        }
        m[i] = (uint8_t)hi;
        if (i < 5 && *s++ != ':')
            return;
    }
    if (s)
        memcpy(out, m, 6);
}

static uint32_t ip4(const char *s)
{
    uint32_t a = 0;
    if (s)
        st_ip4_parse(s, &a);
    return a;
}

static void ip6(const char *s, uint8_t out[16])
{
    if (s && inet_pton(AF_INET6, s, out) != 1)
        memset(out, 0, 16);
}

/* "1795791728.322449254" -> ns, without going through a double. */
static int64_t epoch_ns(const char *s)
{
    char *e;
    if (!s)
        return 0;
    int64_t sec = strtoll(s, &e, 10), frac = 0, scale = 100000000;
    /* beyond year 2262 the ns count would overflow: saturate (fuzz/regress), at
     * half the range so that differences of two times cannot overflow either */
    const int64_t max_sec = INT64_MAX / 1000000000 / 2;
    sec = sec > max_sec ? max_sec : sec < -max_sec ? -max_sec : sec;
    if (*e == '.')
        for (e++; *e >= '0' && *e <= '9' && scale; e++, scale /= 10)
            frac += (*e - '0') * scale;
    return sec * 1000000000 + frac;
}

/* tcp.options: hex bytes, with or without ':' separators. */
static void tcp_options(const char *s, struct st_tcp *t)
{
    t->optlen = 0;
    for (; s && s[0] && s[1] && t->optlen < ST_MAX_TCPOPT;) {
        if (*s == ':') {
            s++;
            continue;
        }
        char hex[3] = {s[0], s[1], 0};
        t->opts[t->optlen++] = (uint8_t)strtoul(hex, NULL, 16);
        s += 2;
    }
}

static void ipv4_at(doc_t *d, size_t i, struct st_ipv4 *ip)
{
    ip->ihl = (uint8_t)(num(d, ST_F_IP_HDR_LEN, i) / 4);
    ip->tos = (uint8_t)num(d, ST_F_IP_DSFIELD, i);
    ip->len = (uint16_t)num(d, ST_F_IP_LEN, i);
    ip->id = (uint16_t)num(d, ST_F_IP_ID, i);
    /* tshark 4.0: ip.flags is the three flag bits (RB DF MF) as a number,
     * ip.frag_offset the offset in 8-byte units, as on the wire */
    ip->frag = (uint16_t)((num(d, ST_F_IP_FLAGS, i) & 7) << 13 |
                          (num(d, ST_F_IP_FRAG_OFFSET, i) & 0x1fff));
    ip->ttl = (uint8_t)num(d, ST_F_IP_TTL, i);
    ip->proto = (uint8_t)num(d, ST_F_IP_PROTO, i);
    ip->csum = (uint16_t)num(d, ST_F_IP_CHECKSUM, i);
    ip->src = ip4(val(d, ST_F_IP_SRC, i));
    ip->dst = ip4(val(d, ST_F_IP_DST, i));
    /* a source-routed datagram: Wireshark's ip.dst is the route's last hop,
     * ip.cur_rt the header's destination, the address nmap traces */
    if (nvals(d, ST_F_IP_CUR_RT) == nvals(d, ST_F_IP_SRC) ||
        (i == 0 && nvals(d, ST_F_IP_CUR_RT) == 1 && nvals(d, ST_F_IP_SRC) == 1))
        if (val(d, ST_F_IP_CUR_RT, i))
            ip->dst = ip4(val(d, ST_F_IP_CUR_RT, i));
}

/* IPv6 header `i`: 0 the packet's, 1 the one an ICMPv6 error quotes. */
static void ipv6_at(doc_t *d, size_t i, struct st_ipv6 *h)
{
    ip6(val(d, ST_F_IPV6_SRC, i), h->src);
    ip6(val(d, ST_F_IPV6_DST, i), h->dst);
    h->nh = (uint8_t)num(d, ST_F_IPV6_NXT, i);
    h->hopl = (uint8_t)num(d, ST_F_IPV6_HLIM, i);
    h->plen = (uint16_t)num(d, ST_F_IPV6_PLEN, i);
    h->flow = (uint32_t)num(d, ST_F_IPV6_FLOW, i);
    h->tclass = (uint8_t)num(d, ST_F_IPV6_TCLASS, i);
}

/* The packet's Fragment header, as the decoder reads it: a later fragment
 * (offset not 0) holds no transport header, so Wireshark dissects none and
 * the record says so. Whether the headers go on (the first fragment). */
static bool frag6(doc_t *d, struct st_pkt *p)
{
    if (!has(d, ST_F_IPV6_FRAGHDR_NXT))
        return false;
    p->ip6.frag = true;
    p->ip6.frag_off = (uint16_t)num(d, ST_F_IPV6_FRAGHDR_OFFSET, 0);
    p->ip6.frag_more = num(d, ST_F_IPV6_FRAGHDR_MORE, 0) != 0;
    p->ip6.frag_id = (uint32_t)num(d, ST_F_IPV6_FRAGHDR_IDENT, 0);
    p->proto = (uint8_t)num(d, ST_F_IPV6_FRAGHDR_NXT, 0);
    p->l4len = p->l4len > 8 ? (uint16_t)(p->l4len - 8) : 0;
    if (p->ip6.frag_off)
        p->flags |= ST_PKT_FRAGMENT;
    return !p->ip6.frag_off;
}

/*
 * The packet's extension headers (hop-by-hop, routing, destination options:
 * an MLD report's router alert), walked as the decoder walks them: the
 * transport is what the last one names, its length the payload's rest.
 */
static void skip_ext6(doc_t *d, struct st_pkt *p)
{
    size_t hop = 0, rt = 0, dst = 0;
    for (int k = 0; k < 8; k++) {
        enum st_field nxt, len;
        size_t *i;
        if (p->proto == 0)
            nxt = ST_F_IPV6_HOPOPTS_NXT, len = ST_F_IPV6_HOPOPTS_LEN_OCT, i = &hop;
        else if (p->proto == 43)
            nxt = ST_F_IPV6_ROUTING_NXT, len = ST_F_IPV6_ROUTING_LEN_OCT, i = &rt;
        else if (p->proto == 60)
            nxt = ST_F_IPV6_DSTOPTS_NXT, len = ST_F_IPV6_DSTOPTS_LEN_OCT, i = &dst;
        else if (p->proto == ST_IPPROTO_FRAGMENT6 && !p->ip6.frag) {
            if (!frag6(d, p))
                return;
            continue;
        } else
            return;
        if (*i >= nvals(d, nxt))
            return;
        unsigned long elen = num(d, len, *i);
        p->proto = (uint8_t)num(d, nxt, (*i)++);
        p->l4len = p->l4len > elen ? (uint16_t)(p->l4len - elen) : 0;
    }
}

static void fill_transport(doc_t *d, uint8_t proto, struct st_pkt *p)
{
    switch (proto) {
    case ST_IPPROTO_TCP: {
        struct st_tcp *t = &p->l4.tcp;
        t->sport = (uint16_t)num(d, ST_F_TCP_SRCPORT, 0);
        t->dport = (uint16_t)num(d, ST_F_TCP_DSTPORT, 0);
        t->seq = (uint32_t)num(d, ST_F_TCP_SEQ_RAW, 0);
        t->ack = (uint32_t)num(d, ST_F_TCP_ACK_RAW, 0);
        t->off = (uint8_t)(num(d, ST_F_TCP_HDR_LEN, 0) / 4);
        unsigned long fl = num(d, ST_F_TCP_FLAGS, 0);
        t->flags = (uint8_t)fl;
        t->res = (uint8_t)((fl >> 8) & 0x0f);
        t->win = (uint16_t)num(d, ST_F_TCP_WINDOW_SIZE_VALUE, 0);
        t->csum = (uint16_t)num(d, ST_F_TCP_CHECKSUM, 0);
        t->urp = (uint16_t)num(d, ST_F_TCP_URGENT_POINTER, 0);
        tcp_options(val(d, ST_F_TCP_OPTIONS, 0), t);
        if (!has(d, ST_F_TCP_FLAGS))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    }
    case ST_IPPROTO_UDP:
        p->l4.udp.sport = (uint16_t)num(d, ST_F_UDP_SRCPORT, 0);
        p->l4.udp.dport = (uint16_t)num(d, ST_F_UDP_DSTPORT, 0);
        p->l4.udp.len = (uint16_t)num(d, ST_F_UDP_LENGTH, 0);
        p->l4.udp.csum = (uint16_t)num(d, ST_F_UDP_CHECKSUM, 0);
        if (!has(d, ST_F_UDP_SRCPORT))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    case ST_IPPROTO_SCTP:
        p->l4.sctp.sport = (uint16_t)num(d, ST_F_SCTP_SRCPORT, 0);
        p->l4.sctp.dport = (uint16_t)num(d, ST_F_SCTP_DSTPORT, 0);
        p->l4.sctp.vtag = (uint32_t)num(d, ST_F_SCTP_VERIFICATION_TAG, 0);
        p->l4.sctp.csum = (uint32_t)num(d, ST_F_SCTP_CHECKSUM, 0);
        if (!has(d, ST_F_SCTP_SRCPORT))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    default:
        break;
    }
}

static void quote_cut(doc_t *d, struct st_quote *q, uint8_t proto);

static void fill_icmp(doc_t *d, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;

    if (!has(d, ST_F_ICMP_TYPE)) {
        p->flags |= ST_PKT_L4_SHORT;
        return;
    }
    m->type = (uint8_t)num(d, ST_F_ICMP_TYPE, 0);
    m->code = (uint8_t)num(d, ST_F_ICMP_CODE, 0);
    m->csum = (uint16_t)num(d, ST_F_ICMP_CHECKSUM, 0);
    m->len = p->l4len;
    if (!st_icmp_is_error(ST_IPPROTO_ICMP, m->type)) {
        m->id = (uint16_t)num(d, ST_F_ICMP_IDENT, 0);
        m->seq = (uint16_t)num(d, ST_F_ICMP_SEQ, 0);
        m->orig = (uint32_t)num(d, ST_F_ICMP_ORIGINATE_TIMESTAMP, 0);
        m->recv = (uint32_t)num(d, ST_F_ICMP_RECEIVE_TIMESTAMP, 0);
        m->trans = (uint32_t)num(d, ST_F_ICMP_TRANSMIT_TIMESTAMP, 0);
        m->mask = ip4(val(d, ST_F_ICMP_ADDRESS_MASK, 0));
        return;
    }
    m->gateway = ip4(val(d, ST_F_ICMP_REDIR_GW, 0));
    m->mtu = (uint16_t)num(d, ST_F_ICMP_MTU, 0);
    m->pointer = (uint8_t)num(d, ST_F_ICMP_POINTER, 0);

    /* The quoted datagram: the second IP header and the transport fields. */
    struct st_quote *q = &m->quote;
    q->len = p->l4len > 8 ? (uint16_t)(p->l4len - 8) : 0;
    /* (a snap length may cut the quoted header between its addresses) */
    if (nvals(d, ST_F_IP_SRC) < 2 || nvals(d, ST_F_IP_DST) < 2)
        return;
    q->present = true;
    ipv4_at(d, 1, &q->ip);
    unsigned hl = (unsigned)q->ip.ihl * 4;
    q->l4len = q->len > hl ? (uint16_t)(q->len - hl) : 0;
    switch (q->ip.proto) {
    case ST_IPPROTO_TCP:
        q->sport = (uint16_t)num(d, ST_F_TCP_SRCPORT, 0);
        q->dport = (uint16_t)num(d, ST_F_TCP_DSTPORT, 0);
        q->seq = (uint32_t)num(d, ST_F_TCP_SEQ_RAW, 0);
        break;
    case ST_IPPROTO_UDP:
        q->sport = (uint16_t)num(d, ST_F_UDP_SRCPORT, 0);
        q->dport = (uint16_t)num(d, ST_F_UDP_DSTPORT, 0);
        break;
    case ST_IPPROTO_SCTP:
        q->sport = (uint16_t)num(d, ST_F_SCTP_SRCPORT, 0);
        q->dport = (uint16_t)num(d, ST_F_SCTP_DSTPORT, 0);
        q->seq = (uint32_t)num(d, ST_F_SCTP_VERIFICATION_TAG, 0);
        break;
    case ST_IPPROTO_ICMP:
        q->icmp_type = (uint8_t)num(d, ST_F_ICMP_TYPE, 1);
        q->icmp_code = (uint8_t)num(d, ST_F_ICMP_CODE, 1);
        q->icmp_id = (uint16_t)num(d, ST_F_ICMP_IDENT, 0);
        q->icmp_seq = (uint16_t)num(d, ST_F_ICMP_SEQ, 0);
        break;
    default:
        break;
    }
    quote_cut(d, q, q->ip.proto);
}

/* A quote the capture's snap length cut inside its transport header: the
 * lengths say what was sent (the IP header's), the fields what was kept.
 * Without its ports (or the quoted ICMP id and seq) it tells its host, not
 * its probe: its transport length is then 0, as a quote of none (the ports
 * read as 0 would name no probe, and the error would be unrelated). */
static void quote_cut(doc_t *d, struct st_quote *q, uint8_t proto)
{
    enum st_field last;
    switch (proto) {
    case ST_IPPROTO_TCP:
        last = ST_F_TCP_DSTPORT;
        break;
    case ST_IPPROTO_UDP:
        last = ST_F_UDP_DSTPORT;
        break;
    case ST_IPPROTO_SCTP:
        last = ST_F_SCTP_DSTPORT;
        break;
    default:
        return;
    }
    if (!has(d, last))
        q->l4len = 0;
}

/* The quoted datagram of an ICMPv6 error: the second IPv6 header and the
 * transport fields (which belong to the quoted datagram, as for ICMP). */
static void fill_icmp6_quote(doc_t *d, struct st_pkt *p)
{
    struct st_quote *q = &p->l4.icmp.quote;
    if (nvals(d, ST_F_IPV6_SRC) < 2 || nvals(d, ST_F_IPV6_DST) < 2)
        return;
    q->present6 = true;
    ipv6_at(d, 1, &q->ip6);
    q->len = p->l4len > 8 ? (uint16_t)(p->l4len - 8) : 0;
    q->l4len = q->len > 40 ? (uint16_t)(q->len - 40) : 0;
    struct st_pkt t;
    st_pkt_init(&t);
    fill_transport(d, q->ip6.nh, &t);
    if (q->ip6.nh == ST_IPPROTO_TCP) {
        q->sport = t.l4.tcp.sport;
        q->dport = t.l4.tcp.dport;
        q->seq = t.l4.tcp.seq;
    } else if (q->ip6.nh == ST_IPPROTO_UDP) {
        q->sport = t.l4.udp.sport;
        q->dport = t.l4.udp.dport;
    } else if (q->ip6.nh == ST_IPPROTO_SCTP) {
        q->sport = t.l4.sctp.sport;
        q->dport = t.l4.sctp.dport;
        q->seq = t.l4.sctp.vtag;
    } else if (q->ip6.nh == ST_IPPROTO_ICMPV6) {
        q->icmp_type = (uint8_t)num(d, ST_F_ICMPV6_TYPE, 1);
        q->icmp_code = (uint8_t)num(d, ST_F_ICMPV6_CODE, 1);
        /* a quoted echo's: the error itself has none, so they come first */
        q->icmp_id = (uint16_t)num(d, ST_F_ICMPV6_ECHO_IDENTIFIER, 0);
        q->icmp_seq = (uint16_t)num(d, ST_F_ICMPV6_ECHO_SEQUENCE_NUMBER, 0);
    }
    quote_cut(d, q, q->ip6.nh);
}

/* ICMPv6: type and code; an echo's id and sequence (known only when the
 * capture kept them: nmap's ICMPv6 lines print neither, and 0 is an id);
 * neighbour discovery's target and link-layer address; an error's quote. */
static void fill_icmp6(doc_t *d, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;
    m->type = (uint8_t)num(d, ST_F_ICMPV6_TYPE, 0);
    m->code = (uint8_t)num(d, ST_F_ICMPV6_CODE, 0);
    m->len = p->l4len;
    if (m->type == ST_ICMP6_ECHO_REQUEST || m->type == ST_ICMP6_ECHO_REPLY) {
        m->id = (uint16_t)num(d, ST_F_ICMPV6_ECHO_IDENTIFIER, 0);
        m->seq = (uint16_t)num(d, ST_F_ICMPV6_ECHO_SEQUENCE_NUMBER, 0);
        if (!has(d, ST_F_ICMPV6_ECHO_SEQUENCE_NUMBER))
            p->flags |= ST_PKT_NO_ECHO_ID;
    }
    enum st_field target = m->type == ST_ICMP6_NEIGHBOR_SOLICIT  ? ST_F_ICMPV6_ND_NS_TARGET
                           : m->type == ST_ICMP6_NEIGHBOR_ADVERT ? ST_F_ICMPV6_ND_NA_TARGET
                                                                 : ST_NFIELDS;
    if (target != ST_NFIELDS && has(d, target)) {
        m->nd_has_target = true;
        ip6(val(d, target, 0), m->nd_target);
    }
    if (target != ST_NFIELDS && has(d, ST_F_ICMPV6_OPT_LINKADDR)) {
        m->nd_has_mac = true;
        mac(val(d, ST_F_ICMPV6_OPT_LINKADDR, 0), m->nd_mac);
    }
    if (st_icmp_is_error(ST_IPPROTO_ICMPV6, m->type))
        fill_icmp6_quote(d, p);
}

/* Whether a frame lacks a header field its protocol always has: the
 * capture's snap length (tcpdump -s 64) cut it, and Wireshark adds no
 * field past the bytes captured, so the record would read it as 0 (an echo
 * request as type 0, a reply). The last field of each header compare
 * reads, and an ICMP error's quote. */
static bool cut_short(doc_t *d, const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return !has(d, ST_F_ARP_DST_PROTO_IPV4);
    /* a frame too short for an IPv6 header (14 + 40 bytes) and shorter than
     * on the wire: its network header itself may be what was cut */
    if (p->net == ST_NET_OTHER)
        return p->origlen && p->caplen < 54;
    if ((p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) || (p->flags & ST_PKT_FRAGMENT))
        return false;
    /* (an error's quoted header is whole when its destination is there) */
    size_t ips = nvals(d, p->net == ST_NET_IPV4 ? ST_F_IP_DST : ST_F_IPV6_DST);
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        return !has(d, ST_F_TCP_FLAGS);
    case ST_IPPROTO_UDP:
        return !has(d, ST_F_UDP_CHECKSUM);
    case ST_IPPROTO_SCTP:
        return !has(d, ST_F_SCTP_CHECKSUM);
    case ST_IPPROTO_ICMP: {
        if (!has(d, ST_F_ICMP_TYPE))
            return true;
        uint8_t t = p->l4.icmp.type;
        bool echo = t == 0 || t == 8 || t == 13 || t == 14 || t == 17 || t == 18;
        return (echo && !has(d, ST_F_ICMP_SEQ)) ||
               (st_icmp_is_error(ST_IPPROTO_ICMP, t) && ips < 2);
    }
    case ST_IPPROTO_ICMPV6: {
        if (!has(d, ST_F_ICMPV6_TYPE))
            return true;
        uint8_t t = p->l4.icmp.type;
        if (t == ST_ICMP6_NEIGHBOR_SOLICIT || t == ST_ICMP6_NEIGHBOR_ADVERT)
            return !p->l4.icmp.nd_has_target;
        return st_icmp_is_error(ST_IPPROTO_ICMPV6, t) && ips < 2;
    }
    default:
        return false;
    }
}

static void fill_record(const struct st_field_src *d, struct st_pkt *p);

void st_fields_record(const struct st_field_src *d, struct st_pkt *p)
{
    fill_record(d, p);
    /* only a frame the capture holds less of than was on the wire (a
     * fragment's transport header is cut by the sender: -f) */
    if ((!p->origlen || p->caplen < p->origlen) && cut_short(d, p))
        p->flags |= ST_PKT_TRUNCATED;
}

static void fill_record(const struct st_field_src *d, struct st_pkt *p)
{
    st_pkt_init(p);
    p->frame = (uint32_t)num(d, ST_F_FRAME_NUMBER, 0);
    p->time_ns = epoch_ns(val(d, ST_F_FRAME_TIME_EPOCH, 0));
    p->caplen = (uint32_t)num(d, ST_F_FRAME_CAP_LEN, 0);
    p->origlen = (uint32_t)num(d, ST_F_FRAME_LEN, 0);
    p->link = ST_LINK_ETHERNET;
    mac(val(d, ST_F_ETH_SRC, 0), p->eth_src);
    mac(val(d, ST_F_ETH_DST, 0), p->eth_dst);
    p->iface = (uint16_t)num(d, ST_F_FRAME_INTERFACE_ID, 0);
    if (has(d, ST_F_SLL_PKTTYPE)) { /* -i any: the sender's address alone */
        p->pkttype = (uint8_t)(1 + num(d, ST_F_SLL_PKTTYPE, 0));
        p->ifindex = (uint32_t)num(d, ST_F_SLL_IFINDEX, 0);
        mac(val(d, ST_F_SLL_SRC_ETH, 0), p->eth_src);
    }
    const char *dir = val(d, ST_F_FRAME_PACKET_FLAGS_DIRECTION, 0);
    if (dir) {
        unsigned long f = strtoul(dir, NULL, 0) & 3;
        p->dir = f == 1 ? ST_DIR_RCVD : f == 2 ? ST_DIR_SENT : ST_DIR_NONE;
    }

    if (has(d, ST_F_ARP_OPCODE)) {
        p->net = ST_NET_ARP;
        p->arp.hrd = 1;
        p->arp.pro = 0x0800;
        p->arp.hln = 6;
        p->arp.pln = 4;
        p->arp.op = (uint16_t)num(d, ST_F_ARP_OPCODE, 0);
        mac(val(d, ST_F_ARP_SRC_HW_MAC, 0), p->arp.sha);
        mac(val(d, ST_F_ARP_DST_HW_MAC, 0), p->arp.tha);
        p->arp.spa = ip4(val(d, ST_F_ARP_SRC_PROTO_IPV4, 0));
        p->arp.tpa = ip4(val(d, ST_F_ARP_DST_PROTO_IPV4, 0));
        return;
    }
    if (has(d, ST_F_IP_SRC)) {
        p->net = ST_NET_IPV4;
        ipv4_at(d, 0, &p->ip);
        p->proto = p->ip.proto;
        unsigned hl = (unsigned)p->ip.ihl * 4;
        p->l4len = p->ip.len > hl ? (uint16_t)(p->ip.len - hl) : 0;
        if (p->ip.frag & 0x1fff) {
            p->flags |= ST_PKT_FRAGMENT;
            return;
        }
    } else if (has(d, ST_F_IPV6_SRC)) {
        p->net = ST_NET_IPV6;
        ipv6_at(d, 0, &p->ip6);
        p->proto = p->ip6.nh;
        p->l4len = p->ip6.plen;
        skip_ext6(d, p);
        if (p->flags & ST_PKT_FRAGMENT)
            return;
        if (p->proto == ST_IPPROTO_ICMPV6) {
            fill_icmp6(d, p);
            return;
        }
    } else {
        p->net = ST_NET_OTHER;
        return;
    }
    if (p->proto == ST_IPPROTO_ICMP) /* over IPv6 too (nmap -6 -PO1), as the decoder reads it */
        fill_icmp(d, p);
    else
        fill_transport(d, p->proto, p);
}
