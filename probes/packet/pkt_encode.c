/*
 * A trace line's packet back into frame bytes (pkt_build.h: st_pkt_encode),
 * with the bits the line fixes marked. nmap's lines at its lowest detail are
 * the measure: a field only its -d2 or -d3 lines print (TOS, the TCP ack,
 * offset and urgent pointer, checksums) is taken as unknown at every level,
 * as the record does not say which level it was read from.
 */
#include <string.h>

#include "pkt_build.h"

enum { ETH_LEN = 14, SLL_LEN = 16, SLL2_LEN = 20, ETH_MIN_FRAME = 60 };

/* Bytes [off, off + n) of the frame: the line fixes these bits of each. */
static void known_bits(struct st_pkt_bytes *o, size_t off, size_t n, uint8_t bits)
{
    memset(o->known + off, bits, n);
}

/* The link-layer header: only its protocol is the line's (no MAC address,
 * no interface index, packet type or hardware type is printed). */
static size_t link_write(struct st_pkt_bytes *o, enum st_link link, uint16_t ethertype)
{
    switch (link) {
    case ST_LINK_ETHERNET:
        st_put16(o->buf + 12, ethertype);
        known_bits(o, 12, 2, 0xff);
        return ETH_LEN;
    case ST_LINK_SLL:
        st_put16(o->buf + 14, ethertype);
        known_bits(o, 14, 2, 0xff);
        return SLL_LEN;
    case ST_LINK_SLL2:
        st_put16(o->buf, ethertype);
        known_bits(o, 0, 4, 0xff); /* protocol, and its reserved half word, 0 */
        return SLL2_LEN;
    default:
        return 0;
    }
}

/* ARP: a request's line names both protocol addresses, a reply's its
 * sender's protocol and hardware addresses. An address the record leaves 0
 * is one the line does not say (the request's MACs, the reply's target). */
static void arp_write(const struct st_arp *a, uint8_t *b, struct st_pkt_bytes *o, size_t off)
{
    static const uint8_t none[6];
    st_put16(b, a->hrd);
    st_put16(b + 2, a->pro);
    b[4] = a->hln;
    b[5] = a->pln;
    st_put16(b + 6, a->op);
    memcpy(b + 8, a->sha, 6);
    st_put32(b + 14, a->spa);
    memcpy(b + 18, a->tha, 6);
    st_put32(b + 24, a->tpa);
    known_bits(o, off, 8, 0xff);
    known_bits(o, off + 8, 6, memcmp(a->sha, none, 6) ? 0xff : 0);
    known_bits(o, off + 14, 4, a->spa ? 0xff : 0);
    known_bits(o, off + 18, 6, memcmp(a->tha, none, 6) ? 0xff : 0);
    known_bits(o, off + 24, 4, a->tpa ? 0xff : 0);
}

/* The ICMP fields after type, code and checksum that the line prints: the
 * query messages' id and seq, a timestamp's three times, a mask. */
static size_t icmp_told(const struct st_icmp *m, uint8_t *b, size_t room)
{
    switch (m->type) {
    case 0:
    case 8:
    case 15:
    case 16:
    case 17:
    case 18:
    case 13:
    case 14:
        break;
    default:
        return 0;
    }
    st_put16(b + 4, m->id);
    st_put16(b + 6, m->seq);
    size_t n = 8;
    if ((m->type == 13 || m->type == 14) && room >= 20) {
        st_put32(b + 8, m->orig);
        st_put32(b + 12, m->recv);
        st_put32(b + 16, m->trans);
        n = 20;
    } else if ((m->type == 17 || m->type == 18) && room >= 12) {
        st_put32(b + 8, m->mask);
        n = 12;
    }
    return n;
}

/* The transport header at b (l4 bytes of room, frame offset off): what the
 * line gives of it; its checksum is computed afterwards, but stays unknown. */
static bool l4_write(const struct st_pkt *p, uint8_t *b, size_t l4, struct st_pkt_bytes *o,
                     size_t off)
{
    switch (p->proto) {
    case ST_IPPROTO_TCP: {
        const struct st_tcp *t = &p->l4.tcp;
        if (l4 < 20)
            return false;
        size_t opt = t->optlen <= l4 - 20 ? t->optlen : 0;
        st_put16(b, t->sport);
        st_put16(b + 2, t->dport);
        st_put32(b + 4, t->seq);
        b[12] = (uint8_t)((5 + (opt + 3) / 4) << 4);
        b[13] = t->flags;
        st_put16(b + 14, t->win);
        memcpy(b + 20, t->opts, opt);
        known_bits(o, off, 8, 0xff);
        known_bits(o, off + 13, 3, 0xff);
        return true;
    }
    case ST_IPPROTO_UDP:
        if (l4 < 8)
            return false;
        st_put16(b, p->l4.udp.sport);
        st_put16(b + 2, p->l4.udp.dport);
        st_put16(b + 4, (uint16_t)l4);
        known_bits(o, off, 6, 0xff);
        return true;
    case ST_IPPROTO_SCTP:
        if (l4 < 12)
            return false;
        st_put16(b, p->l4.sctp.sport);
        st_put16(b + 2, p->l4.sctp.dport);
        known_bits(o, off, 4, 0xff);
        return true;
    case ST_IPPROTO_ICMP:
    case ST_IPPROTO_ICMPV6:
        if (l4 < 8)
            return false;
        b[0] = p->l4.icmp.type;
        b[1] = p->l4.icmp.code;
        known_bits(o, off, 2, 0xff);
        if (p->proto == ST_IPPROTO_ICMP) {
            size_t n = icmp_told(&p->l4.icmp, b, l4);
            known_bits(o, off + 4, n > 4 ? n - 4 : 0, 0xff);
        }
        return true;
    default:
        return true; /* IGMP, IP in IP...: the IP header alone */
    }
}

static bool ipv4_write(const struct st_pkt *p, struct st_pkt_bytes *o, size_t off)
{
    const struct st_ipv4 *ip = &p->ip;
    /* a LOW line prints no ihl: its options say it */
    unsigned ihl = ip->ihl ? ip->ihl : 5u + (ip->optlen + 3u) / 4;
    size_t hlen = (size_t)ihl * 4;
    if (ihl < 5 || 20 + (size_t)ip->optlen > hlen || ip->len < hlen || off + ip->len > o->size)
        return false;
    uint8_t *b = o->buf + off;
    st_ipv4_write(b, ip->len, ip->id, ip->ttl, p->proto, ip->src, ip->dst);
    b[0] = (uint8_t)(0x40 | ihl);
    memcpy(b + 20, ip->opts, ip->optlen);
    known_bits(o, off, 1, 0xff);
    known_bits(o, off + 2, 4, 0xff);
    /* the flags (DF above all) are not printed at the lowest detail; a line
     * is of a whole datagram or a first fragment: offset 0 */
    known_bits(o, off + 6, 1, 0x1f);
    known_bits(o, off + 7, 3, 0xff);
    known_bits(o, off + 12, hlen - 12, 0xff);
    if (!l4_write(p, b + hlen, ip->len - hlen, o, off + hlen))
        return false;
    st_l4_checksum(b, ip->len);
    st_ipv4_checksum(b);
    o->len = off + ip->len;
    return true;
}

static bool ipv6_write(const struct st_pkt *p, struct st_pkt_bytes *o, size_t off)
{
    const struct st_ipv6 *ip6 = &p->ip6;
    if (ip6->frag || off + 40 + (size_t)ip6->plen > o->size)
        return false;
    uint8_t *b = o->buf + off;
    st_ipv6_write(b, ip6->plen, ip6->flow, ip6->hopl, p->proto, ip6->src, ip6->dst);
    /* version and flow label; the traffic class only from -d2 on */
    known_bits(o, off, 1, 0xf0);
    known_bits(o, off + 1, 1, 0x0f);
    known_bits(o, off + 2, 38, 0xff);
    if (p->flags & ST_PKT_ND_TRACE) /* nmap's ND reader prints no payload length */
        o->known[off + 4] = o->known[off + 5] = 0;
    if (!l4_write(p, b + 40, ip6->plen, o, off + 40))
        return false;
    st_l4_checksum6(b, 40 + (size_t)ip6->plen);
    o->len = off + 40 + ip6->plen;
    return true;
}

bool st_pkt_encode(const struct st_pkt *p, enum st_link link, struct st_pkt_bytes *out)
{
    static const uint16_t ethertypes[] = {
        [ST_NET_ARP] = 0x0806, [ST_NET_IPV4] = 0x0800, [ST_NET_IPV6] = 0x86dd};
    out->len = 0;
    out->len_known = false;
    if ((p->flags & (ST_PKT_CONNECT | ST_PKT_FRAGMENT | ST_PKT_TRUNCATED | ST_PKT_MALFORMED |
                     ST_PKT_L4_SHORT)) ||
        (p->net != ST_NET_ARP && p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) ||
        (p->net == ST_NET_ARP && link == ST_LINK_RAW_IP) || out->size < SLL2_LEN + 28)
        return false;
    size_t off = link == ST_LINK_ETHERNET ? ETH_LEN
                 : link == ST_LINK_SLL    ? SLL_LEN
                 : link == ST_LINK_SLL2   ? SLL2_LEN
                                          : 0;
    size_t need = off + (p->net == ST_NET_ARP    ? 28
                         : p->net == ST_NET_IPV4 ? p->ip.len
                                                 : 40 + (size_t)p->ip6.plen);
    if ((!off && link != ST_LINK_RAW_IP) || need > out->size)
        return false;
    /* what is not written stays 0, and unknown */
    memset(out->buf, 0, need);
    memset(out->known, 0, need);
    link_write(out, link, ethertypes[p->net]);
    bool ok = true;
    if (p->net == ST_NET_ARP) {
        arp_write(&p->arp, out->buf + off, out, off);
        out->len = off + 28;
    } else
        ok = p->net == ST_NET_IPV4 ? ipv4_write(p, out, off) : ipv6_write(p, out, off);
    if (!ok)
        return false;
    /* a frame under Ethernet's minimum is padded by whoever sends it on the
     * wire, not by the sender's own capture: its length is not known */
    out->len_known = link != ST_LINK_ETHERNET || out->len >= ETH_MIN_FRAME;
    if (p->flags & ST_PKT_ND_TRACE)
        out->len_known = false;
    return true;
}
