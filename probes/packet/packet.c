/*
 * Small helpers of the packet record.
 */
#include "pkt_record.h"

#include <stdio.h>
#include <string.h>

void st_pkt_init(struct st_pkt *p)
{
    memset(p, 0, sizeof *p);
}

/* By hand, not snprintf: a sweep prints two addresses per trace line, and
 * snprintf was a sixth of the sending thread's time. */
const char *st_ip4_str(uint32_t a, char *buf)
{
    char *o = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (a >> shift) & 0xff;
        if (v >= 100)
            *o++ = (char)('0' + v / 100);
        if (v >= 10)
            *o++ = (char)('0' + v / 10 % 10);
        *o++ = (char)('0' + v % 10);
        *o++ = shift ? '.' : '\0';
    }
    return buf;
}

/* Strict dotted quad: four decimal octets, no leading '+', no spaces. */
bool st_ip4_parse(const char *s, uint32_t *addr)
{
    uint32_t a = 0;

    for (int i = 0; i < 4; i++) {
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return false;
        a = a << 8 | v;
        if (i < 3 && *s++ != '.')
            return false;
    }
    if (*s != '\0')
        return false;
    *addr = a;
    return true;
}

/*
 * The fields that identify one packet on both sides of a comparison: what a
 * trace line shows and a captured frame carries, minus what differs between
 * them (time, link layer, checksums nmap does not print).
 */
/*
 * A connect record (a CONN line) is one of the kernel's frames for that
 * connect(): issued = the SYN to the port; Connected = the SYN/ACK from it;
 * refused = the RST from it. Nothing else of the frame is known to the trace.
 */
/* Whether frame f's source (or destination) is the connect's destination. */
static bool connect_peer(const struct st_pkt *a, const struct st_pkt *f, bool src)
{
    if (a->net != f->net)
        return false;
    if (f->net == ST_NET_IPV6)
        return !memcmp(src ? f->ip6.src : f->ip6.dst, a->ip6.dst, 16);
    return (src ? f->ip.src : f->ip.dst) == a->ip.dst;
}

static bool connect_same(const struct st_pkt *a, const struct st_pkt *f)
{
    if ((f->net != ST_NET_IPV4 && f->net != ST_NET_IPV6) || f->proto != ST_IPPROTO_TCP ||
        (f->flags & ST_PKT_CONNECT))
        return false;
    uint8_t fl = f->l4.tcp.flags;
    if (a->dir == ST_DIR_SENT)
        return connect_peer(a, f, false) && f->l4.tcp.dport == a->l4.tcp.dport &&
               (fl & (ST_TCP_SYN | ST_TCP_ACK)) == ST_TCP_SYN;
    if (!connect_peer(a, f, true) || f->l4.tcp.sport != a->l4.tcp.dport)
        return false;
    if (a->conn_errno == 0)
        return (fl & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK);
    return (a->l4.tcp.flags & ST_TCP_RST) && (fl & ST_TCP_RST);
}

bool st_pkt_same(const struct st_pkt *a, const struct st_pkt *b)
{
    if (a->flags & ST_PKT_CONNECT)
        return connect_same(a, b);
    if (b->flags & ST_PKT_CONNECT)
        return connect_same(b, a);
    if (a->net != b->net)
        return false;
    if (a->net == ST_NET_ARP)
        return (a->arp.op & 0xff) == (b->arp.op & 0xff) && a->arp.spa == b->arp.spa &&
               ((a->arp.op & 0xff) == 1 ? a->arp.tpa == b->arp.tpa
                                        : !memcmp(a->arp.sha, b->arp.sha, 6));
    if (a->net == ST_NET_IPV4) {
        if (a->ip.src != b->ip.src || a->ip.dst != b->ip.dst || a->ip.id != b->ip.id ||
            a->proto != b->proto)
            return false;
    } else if (a->net == ST_NET_IPV6) {
        /* no IP id: the flow label stands in (nmap's -PO probes and every
         * reply carry their own). A label of 0 on either side matches any: a
         * sender that leaves it to the kernel, nmap's ND reader's lines
         * (which do not print it) */
        bool flow_known = a->ip6.flow && b->ip6.flow && !((a->flags | b->flags) & ST_PKT_ND_TRACE);
        if (memcmp(a->ip6.src, b->ip6.src, 16) || memcmp(a->ip6.dst, b->ip6.dst, 16) ||
            a->proto != b->proto || (flow_known && a->ip6.flow != b->ip6.flow))
            return false;
    } else {
        return false;
    }
    switch (a->proto) {
    case ST_IPPROTO_TCP:
        return a->l4.tcp.sport == b->l4.tcp.sport && a->l4.tcp.dport == b->l4.tcp.dport &&
               a->l4.tcp.flags == b->l4.tcp.flags && a->l4.tcp.seq == b->l4.tcp.seq;
    case ST_IPPROTO_UDP:
        return a->l4.udp.sport == b->l4.udp.sport && a->l4.udp.dport == b->l4.udp.dport;
    case ST_IPPROTO_SCTP:
        return a->l4.sctp.sport == b->l4.sctp.sport && a->l4.sctp.dport == b->l4.sctp.dport;
    case ST_IPPROTO_ICMP:
        return a->l4.icmp.type == b->l4.icmp.type && a->l4.icmp.code == b->l4.icmp.code &&
               a->l4.icmp.id == b->l4.icmp.id && a->l4.icmp.seq == b->l4.icmp.seq;
    case ST_IPPROTO_ICMPV6:
        /* an echo's id and seq where both sides know them: nmap's ICMPv6
         * lines print neither, and such a line is its frame all the same */
        return a->l4.icmp.type == b->l4.icmp.type && a->l4.icmp.code == b->l4.icmp.code &&
               ((a->flags | b->flags) & ST_PKT_NO_ECHO_ID ||
                (a->l4.icmp.id == b->l4.icmp.id && a->l4.icmp.seq == b->l4.icmp.seq));
    default:
        return true;
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* A hash of the fields st_pkt_same compares (all but IPv6's flow label,
 * which an ND line lacks, and an ICMPv6 echo's id and seq, which nmap's
 * lines lack): equal packets hash equal.
 * (Not for connect records, which match frames by st_pkt_peer_hash.) */
uint64_t st_pkt_hash(const struct st_pkt *p)
{
    uint64_t h = mix(0, p->net);

    if (p->net == ST_NET_ARP) {
        h = mix(h, p->arp.op & 0xff);
        h = mix(h, p->arp.spa);
        if ((p->arp.op & 0xff) == 1)
            return mix(h, p->arp.tpa);
        for (int i = 0; i < 6; i++)
            h = mix(h, p->arp.sha[i]);
        return h;
    }
    if (p->net == ST_NET_IPV4) {
        h = mix(mix(mix(h, p->ip.src), p->ip.dst), p->ip.id);
    } else if (p->net == ST_NET_IPV6) {
        for (int i = 0; i < 16; i++)
            h = mix(mix(h, p->ip6.src[i]), p->ip6.dst[i]);
    } else {
        return h;
    }
    h = mix(h, p->proto);
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        return mix(mix(mix(mix(h, p->l4.tcp.sport), p->l4.tcp.dport), p->l4.tcp.flags),
                   p->l4.tcp.seq);
    case ST_IPPROTO_UDP:
        return mix(mix(h, p->l4.udp.sport), p->l4.udp.dport);
    case ST_IPPROTO_SCTP:
        return mix(mix(h, p->l4.sctp.sport), p->l4.sctp.dport);
    case ST_IPPROTO_ICMP:
        return mix(mix(mix(mix(h, p->l4.icmp.type), p->l4.icmp.code), p->l4.icmp.id),
                   p->l4.icmp.seq);
    case ST_IPPROTO_ICMPV6:
        /* not the echo id and seq, which a trace line lacks */
        return mix(mix(h, p->l4.icmp.type), p->l4.icmp.code);
    default:
        return h;
    }
}

uint64_t st_pkt_peer_hash(uint32_t addr, uint16_t port)
{
    return mix(mix(0x5bd1e995, addr), port);
}
