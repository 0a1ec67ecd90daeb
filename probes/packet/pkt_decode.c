/*
 * Frame decoder: Ethernet (with one 802.1Q tag), raw IP or Linux cooked
 * capture (-i any, versions 1 and 2), then ARP, IPv4,
 * IPv6 and the transports scantrace's probes use. Every read goes through the
 * bounds-checked cursor of bytes.h; the first short read ends decoding of
 * that layer and sets ST_PKT_TRUNCATED.
 */
#include "pkt_decode.h"

#include <string.h>

#include "bytes.h"
#include "nmap_rules.h"

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_ARP = 0x0806,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86dd,
    DLT_EN10MB_ = 1,
    DLT_RAW_ = 12,
    DLT_RAW_LINUX_ = 14,
    LINKTYPE_RAW_ = 101,
    LINKTYPE_IPV4_ = 228,
    DLT_LINUX_SLL_ = 113,
    DLT_LINUX_SLL2_ = 276,
};

enum st_link st_link_from_dlt(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB_:
        return ST_LINK_ETHERNET;
    case DLT_RAW_:
    case DLT_RAW_LINUX_:
    case LINKTYPE_RAW_:
    case LINKTYPE_IPV4_:
        return ST_LINK_RAW_IP;
    case DLT_LINUX_SLL_:
        return ST_LINK_SLL;
    case DLT_LINUX_SLL2_:
        return ST_LINK_SLL2;
    default:
        return ST_LINK_NONE;
    }
}

static void decode_arp(struct st_cur c, struct st_pkt *p)
{
    struct st_arp *a = &p->arp;

    p->net = ST_NET_ARP;
    a->hrd = st_be16(&c, 0);
    a->pro = st_be16(&c, 2);
    a->hln = st_u8(&c, 4);
    a->pln = st_u8(&c, 5);
    a->op = st_be16(&c, 6);
    if (c.short_read) {
        p->flags |= ST_PKT_TRUNCATED;
        return;
    }
    /* Only Ethernet/IPv4 ARP has the fixed 28-byte layout read below. */
    if (a->hln != 6 || a->pln != 4) {
        p->flags |= ST_PKT_MALFORMED;
        return;
    }
    st_copy(&c, 8, a->sha, 6);
    a->spa = st_be32(&c, 14);
    st_copy(&c, 18, a->tha, 6);
    a->tpa = st_be32(&c, 24);
    if (c.short_read)
        p->flags |= ST_PKT_TRUNCATED;
}

/* Options of TCP; returns false when the header itself is short. */
static void decode_tcp(struct st_cur c, struct st_pkt *p)
{
    struct st_tcp *t = &p->l4.tcp;

    t->sport = st_be16(&c, 0);
    t->dport = st_be16(&c, 2);
    t->seq = st_be32(&c, 4);
    t->ack = st_be32(&c, 8);
    uint8_t offres = st_u8(&c, 12);
    t->off = offres >> 4;
    t->res = offres & 0x0f;
    t->flags = st_u8(&c, 13);
    t->win = st_be16(&c, 14);
    t->csum = st_be16(&c, 16);
    t->urp = st_be16(&c, 18);
    if (c.short_read) {
        p->flags |= ST_PKT_L4_SHORT;
        return;
    }
    if (t->off < 5) {
        p->flags |= ST_PKT_MALFORMED;
        return;
    }
    size_t optlen = (size_t)t->off * 4 - 20;
    if (!st_cur_has(&c, 20, optlen)) {
        /* The options run past the data: keep what exists, flag it. */
        p->flags |= ST_PKT_TRUNCATED;
        optlen = c.len > 20 ? c.len - 20 : 0;
    }
    t->optlen = (uint8_t)optlen;
    st_copy(&c, 20, t->opts, optlen);
}

static void decode_ipv4_header(struct st_cur *c, struct st_ipv4 *ip)
{
    uint8_t vihl = st_u8(c, 0);
    ip->ihl = vihl & 0x0f;
    ip->tos = st_u8(c, 1);
    ip->len = st_be16(c, 2);
    ip->id = st_be16(c, 4);
    ip->frag = st_be16(c, 6);
    ip->ttl = st_u8(c, 8);
    ip->proto = st_u8(c, 9);
    ip->csum = st_be16(c, 10);
    ip->src = st_be32(c, 12);
    ip->dst = st_be32(c, 16);
}

static void decode_ipv6_header(struct st_cur *c, struct st_ipv6 *ip6)
{
    uint32_t vtf = st_be32(c, 0);
    ip6->tclass = (uint8_t)(vtf >> 20);
    ip6->flow = vtf & 0xfffff;
    ip6->plen = st_be16(c, 4);
    ip6->nh = st_u8(c, 6);
    ip6->hopl = st_u8(c, 7);
    st_copy(c, 8, ip6->src, 16);
    st_copy(c, 24, ip6->dst, 16);
}

/* ICMP and ICMPv6 share their first four bytes; false when the message is
 * shorter than that (the record is then flagged). */
static bool decode_icmp_head(struct st_cur *c, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;
    m->len = (uint16_t)c->len;
    m->type = st_u8(c, 0);
    m->code = st_u8(c, 1);
    m->csum = st_be16(c, 2);
    if (c->short_read)
        p->flags |= ST_PKT_L4_SHORT;
    return !c->short_read;
}

/* The original datagram quoted by an ICMP error, starting at its IP header. */
static void decode_quote(struct st_cur c, struct st_quote *q)
{
    q->len = (uint16_t)c.len;
    if ((st_u8(&c, 0) >> 4) != 4)
        return;
    decode_ipv4_header(&c, &q->ip);
    size_t hlen = (size_t)q->ip.ihl * 4;
    if (c.short_read || q->ip.ihl < 5 || !st_cur_has(&c, 0, hlen))
        return;
    q->present = true;
    q->ip.optlen = (uint8_t)(hlen - 20);
    st_copy(&c, 20, q->ip.opts, q->ip.optlen);

    struct st_cur l4 = st_cur_sub(&c, hlen, c.len - hlen);
    q->l4len = (uint16_t)l4.len;
    switch (q->ip.proto) {
    case ST_IPPROTO_TCP:
    case ST_IPPROTO_UDP:
    case ST_IPPROTO_SCTP:
        q->sport = st_be16(&l4, 0);
        q->dport = st_be16(&l4, 2);
        q->seq = st_be32(&l4, 4);
        break;
    case ST_IPPROTO_ICMP:
        q->icmp_type = st_u8(&l4, 0);
        q->icmp_code = st_u8(&l4, 1);
        q->icmp_id = st_be16(&l4, 4);
        q->icmp_seq = st_be16(&l4, 6);
        break;
    default:
        break;
    }
}

static void decode_icmp(struct st_cur c, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;

    if (!decode_icmp_head(&c, p))
        return;
    switch (m->type) {
    case ST_ICMP_ECHO_REPLY:
    case ST_ICMP_ECHO_REQUEST:
    case ST_ICMP_INFO_REQUEST:
    case ST_ICMP_INFO_REPLY:
        m->id = st_be16(&c, 4);
        m->seq = st_be16(&c, 6);
        break;
    case ST_ICMP_TIMESTAMP_REQUEST:
    case ST_ICMP_TIMESTAMP_REPLY:
        m->id = st_be16(&c, 4);
        m->seq = st_be16(&c, 6);
        m->orig = st_be32(&c, 8);
        m->recv = st_be32(&c, 12);
        m->trans = st_be32(&c, 16);
        break;
    case ST_ICMP_MASK_REQUEST:
    case ST_ICMP_MASK_REPLY:
        m->id = st_be16(&c, 4);
        m->seq = st_be16(&c, 6);
        m->mask = st_be32(&c, 8);
        break;
    case ST_ICMP_REDIRECT:
        m->gateway = st_be32(&c, 4);
        break;
    case ST_ICMP_PARAM_PROBLEM:
        m->pointer = st_u8(&c, 4);
        break;
    case ST_ICMP_DEST_UNREACH:
        m->mtu = st_be16(&c, 6);
        break;
    default:
        break;
    }
    if (c.short_read)
        p->flags |= ST_PKT_L4_SHORT;
    if (st_icmp_is_error(ST_IPPROTO_ICMP, m->type) && c.len > 8)
        decode_quote(st_cur_sub(&c, 8, c.len - 8), &m->quote);
}

/* The IPv6 datagram an ICMPv6 error quotes (RFC 4443: as much as fits). */
static void decode_quote6(struct st_cur c, struct st_quote *q)
{
    q->len = (uint16_t)c.len;
    if ((st_u8(&c, 0) >> 4) != 6 || !st_cur_has(&c, 0, 40))
        return;
    q->present6 = true;
    decode_ipv6_header(&c, &q->ip6);
    struct st_cur l4 = st_cur_sub(&c, 40, c.len - 40);
    q->l4len = (uint16_t)l4.len;
    if (q->ip6.nh == ST_IPPROTO_ICMPV6) {
        q->icmp_type = st_u8(&l4, 0);
        q->icmp_code = st_u8(&l4, 1);
        q->icmp_id = st_be16(&l4, 4); /* a quoted echo's, as the dissectors read them */
        q->icmp_seq = st_be16(&l4, 6);
    } else if (q->ip6.nh == ST_IPPROTO_TCP || q->ip6.nh == ST_IPPROTO_UDP ||
               q->ip6.nh == ST_IPPROTO_SCTP) {
        /* as the dissectors read it: no echo id (above), no seq for UDP */
        q->sport = st_be16(&l4, 0);
        q->dport = st_be16(&l4, 2);
        if (q->ip6.nh != ST_IPPROTO_UDP)
            q->seq = st_be32(&l4, 4);
    }
}

/* Neighbour discovery (RFC 4861): the target after 4 reserved bytes, then
 * options; the first link-layer address option (type 1 source, 2 target)
 * of Ethernet length is the one nmap reads. */
static void decode_nd(struct st_cur c, struct st_icmp *m)
{
    if (!st_cur_has(&c, 8, 16))
        return;
    m->nd_flags = st_be32(&c, 4); /* R S O: an advertisement's */
    m->nd_has_target = true;
    st_copy(&c, 8, m->nd_target, 16);
    uint8_t want = m->type == ST_ICMP6_NEIGHBOR_SOLICIT ? 1 : 2;
    for (size_t off = 24; st_cur_has(&c, off, 2);) {
        size_t olen = (size_t)st_u8(&c, off + 1) * 8;
        if (olen == 0)
            return;
        if (st_u8(&c, off) == want && olen == 8 && st_cur_has(&c, off, 8)) {
            m->nd_has_mac = true;
            st_copy(&c, off + 2, m->nd_mac, 6);
            return;
        }
        off += olen;
    }
}

static void decode_icmp6(struct st_cur c, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;
    if (!decode_icmp_head(&c, p))
        return;
    /* The echo id and seq, as the dissectors read them (a trace line of
     * nmap's has none: compare matches it to its frame without them) */
    if (m->type == ST_ICMP6_ECHO_REQUEST || m->type == ST_ICMP6_ECHO_REPLY) {
        if (!st_cur_has(&c, 4, 4))
            p->flags |= ST_PKT_NO_ECHO_ID;
        m->id = st_be16(&c, 4);
        m->seq = st_be16(&c, 6);
    }
    if (m->type == ST_ICMP6_NEIGHBOR_SOLICIT || m->type == ST_ICMP6_NEIGHBOR_ADVERT)
        decode_nd(c, m);
    if (st_icmp_is_error(ST_IPPROTO_ICMPV6, m->type) && c.len > 8)
        decode_quote6(st_cur_sub(&c, 8, c.len - 8), &m->quote);
}

static void decode_l4(struct st_cur c, struct st_pkt *p)
{
    p->l4len = (uint16_t)c.len;
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        decode_tcp(c, p);
        break;
    case ST_IPPROTO_UDP:
        p->l4.udp.sport = st_be16(&c, 0);
        p->l4.udp.dport = st_be16(&c, 2);
        p->l4.udp.len = st_be16(&c, 4);
        p->l4.udp.csum = st_be16(&c, 6);
        if (c.short_read)
            p->flags |= ST_PKT_L4_SHORT;
        break;
    case ST_IPPROTO_SCTP:
        p->l4.sctp.sport = st_be16(&c, 0);
        p->l4.sctp.dport = st_be16(&c, 2);
        p->l4.sctp.vtag = st_be32(&c, 4);
        p->l4.sctp.csum = st_be32(&c, 8);
        if (c.short_read)
            p->flags |= ST_PKT_L4_SHORT;
        break;
    case ST_IPPROTO_ICMP:
        decode_icmp(c, p);
        break;
    case ST_IPPROTO_ICMPV6:
        decode_icmp6(c, p);
        break;
    default:
        break;
    }
}

static void decode_ipv4(struct st_cur c, struct st_pkt *p)
{
    struct st_ipv4 *ip = &p->ip;

    p->net = ST_NET_IPV4;
    decode_ipv4_header(&c, ip);
    if (c.short_read) {
        p->flags |= ST_PKT_TRUNCATED;
        return;
    }
    size_t hlen = (size_t)ip->ihl * 4;
    if ((st_u8(&c, 0) >> 4) != 4 || ip->ihl < 5 || ip->len < hlen) {
        p->flags |= ST_PKT_MALFORMED;
        return;
    }
    if (!st_cur_has(&c, 0, hlen)) {
        p->flags |= ST_PKT_TRUNCATED;
        return;
    }
    ip->optlen = (uint8_t)(hlen - 20);
    st_copy(&c, 20, ip->opts, ip->optlen);
    p->proto = ip->proto;

    /* The datagram ends at its total length (Ethernet pads short frames);
     * a capture snaplen may end it earlier. */
    size_t end = ip->len;
    if (end > c.len) {
        p->flags |= ST_PKT_TRUNCATED;
        end = c.len;
    }
    if ((ip->frag & 0x1fff) != 0) {
        p->flags |= ST_PKT_FRAGMENT;
        p->l4len = (uint16_t)(end - hlen);
        return;
    }
    decode_l4(st_cur_sub(&c, hlen, end - hlen), p);
}

/* A Fragment header at off: its fields into ip6; the header after it. A
 * later fragment (offset not 0) holds no transport header: only its
 * protocol is known, and *off is then its payload's start. */
static bool decode_frag6(struct st_cur *c, size_t *off, size_t end, struct st_pkt *p, uint8_t *nh)
{
    struct st_ipv6 *ip6 = &p->ip6;
    uint8_t next = st_u8(c, *off);
    uint16_t fo = st_be16(c, *off + 2);
    uint32_t id = st_be32(c, *off + 4);
    if (c->short_read || *off + 8 > end) {
        p->flags |= ST_PKT_TRUNCATED;
        return false;
    }
    ip6->frag = true;
    ip6->frag_off = (uint16_t)(fo >> 3);
    ip6->frag_more = fo & 1;
    ip6->frag_id = id;
    *nh = next;
    *off += 8;
    return true;
}

static bool ipv6_is_ext(uint8_t nh)
{
    return nh == 0 || nh == 43 || nh == 60;
}

static void decode_ipv6(struct st_cur c, struct st_pkt *p)
{
    struct st_ipv6 *ip6 = &p->ip6;

    p->net = ST_NET_IPV6;
    decode_ipv6_header(&c, ip6);
    if (c.short_read) {
        p->flags |= ST_PKT_TRUNCATED;
        return;
    }
    size_t end = 40 + (size_t)ip6->plen;
    if (end > c.len) {
        p->flags |= ST_PKT_TRUNCATED;
        end = c.len;
    }
    /* Walk the extension headers that have the generic (nh, len) layout,
     * and one Fragment header (fixed, 8 bytes). */
    size_t off = 40;
    uint8_t nh = ip6->nh;
    while (ipv6_is_ext(nh) || (nh == ST_IPPROTO_FRAGMENT6 && !ip6->frag)) {
        if (nh == ST_IPPROTO_FRAGMENT6) {
            if (!decode_frag6(&c, &off, end, p, &nh))
                return;
            if (ip6->frag_off) {
                p->flags |= ST_PKT_FRAGMENT;
                p->proto = nh;
                p->l4len = (uint16_t)(end - off);
                return;
            }
            continue;
        }
        uint8_t next = st_u8(&c, off);
        size_t elen = ((size_t)st_u8(&c, off + 1) + 1) * 8;
        if (c.short_read || off + elen > end) {
            p->flags |= ST_PKT_TRUNCATED;
            return;
        }
        nh = next;
        off += elen;
    }
    p->proto = nh;
    decode_l4(st_cur_sub(&c, off, end - off), p);
}

/* A Linux cooked header (v1: packet type, link type, address length,
 * address, protocol; v2: protocol, reserved, interface index, link type,
 * packet type, address length, address): the packet type (1 + it in
 * out->pkttype), the sender's link address when Ethernet's, the interface
 * and the protocol; its length, or 0 when short. */
static size_t decode_sll(struct st_cur *c, bool v2, struct st_pkt *out, uint16_t *type)
{
    unsigned halen = v2 ? st_u8(c, 11) : st_be16(c, 4);
    out->pkttype = (uint8_t)(1 + (v2 ? st_u8(c, 10) : st_be16(c, 0)));
    out->ifindex = v2 ? st_be32(c, 4) : 0;
    if (halen == 6)
        st_copy(c, v2 ? 12 : 6, out->eth_src, 6);
    *type = st_be16(c, v2 ? 0 : 14);
    return c->short_read ? 0 : v2 ? 20 : 16;
}

int st_decode(const uint8_t *bytes, size_t caplen, enum st_link link, struct st_pkt *out)
{
    struct st_cur c = st_cur_make(bytes, caplen);
    size_t off = 0;
    uint16_t type;

    st_pkt_init(out);
    out->link = link;
    out->caplen = (uint32_t)caplen;
    switch (link) {
    case ST_LINK_ETHERNET:
        st_copy(&c, 0, out->eth_dst, 6);
        st_copy(&c, 6, out->eth_src, 6);
        type = st_be16(&c, 12);
        off = 14;
        if (type == ETHERTYPE_VLAN) {
            type = st_be16(&c, 16);
            off = 18;
        }
        if (c.short_read) {
            out->flags |= ST_PKT_TRUNCATED;
            return 0;
        }
        break;
    case ST_LINK_SLL:
    case ST_LINK_SLL2:
        off = decode_sll(&c, link == ST_LINK_SLL2, out, &type);
        if (!off) {
            out->flags |= ST_PKT_TRUNCATED;
            return 0;
        }
        break;
    case ST_LINK_RAW_IP:
        type = (st_u8(&c, 0) >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
        if (c.short_read) {
            out->flags |= ST_PKT_TRUNCATED;
            return 0;
        }
        break;
    default:
        return -1;
    }
    out->ethertype = type;

    struct st_cur net = st_cur_sub(&c, off, caplen - off);
    switch (type) {
    case ETHERTYPE_ARP:
        decode_arp(net, out);
        break;
    case ETHERTYPE_IPV4:
        decode_ipv4(net, out);
        break;
    case ETHERTYPE_IPV6:
        decode_ipv6(net, out);
        break;
    default:
        out->net = ST_NET_OTHER;
        break;
    }
    return 0;
}
