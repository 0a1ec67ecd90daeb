/*
 * Small helpers of the packet record.
 */
#include "packet.h"

#include <stdio.h>
#include <string.h>

void st_pkt_init(struct st_pkt *p)
{
    memset(p, 0, sizeof *p);
}

const char *st_ip4_str(uint32_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
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
bool st_pkt_same(const struct st_pkt *a, const struct st_pkt *b)
{
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
        if (memcmp(a->ip6.src, b->ip6.src, 16) || memcmp(a->ip6.dst, b->ip6.dst, 16) ||
            a->proto != b->proto)
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
    case ST_IPPROTO_ICMPV6:
        return a->l4.icmp.type == b->l4.icmp.type && a->l4.icmp.code == b->l4.icmp.code &&
               a->l4.icmp.id == b->l4.icmp.id && a->l4.icmp.seq == b->l4.icmp.seq;
    default:
        return true;
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    /* FNV-1a over the 8 bytes of v: cheap, and enough to spread a sweep. */
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 1099511628211ull;
    }
    return h;
}

/* Hashes exactly what st_pkt_same() compares, so equal packets hash equal. */
uint64_t st_pkt_hash(const struct st_pkt *p)
{
    uint64_t h = mix(14695981039346656037ull, (uint64_t)p->net);
    if (p->net == ST_NET_ARP) {
        unsigned op = p->arp.op & 0xff;
        uint64_t who = op == 1 ? p->arp.tpa : 0;
        if (op != 1)
            for (int i = 0; i < 6; i++)
                who = who << 8 | p->arp.sha[i];
        return mix(mix(mix(h, op), p->arp.spa), who);
    }
    if (p->net == ST_NET_IPV4) {
        h = mix(h, (uint64_t)p->ip.src << 32 | p->ip.dst);
        h = mix(h, (uint64_t)p->ip.id << 8 | p->proto);
    } else if (p->net == ST_NET_IPV6) {
        for (int i = 0; i < 16; i++)
            h = mix(h, (uint64_t)p->ip6.src[i] << 8 | p->ip6.dst[i]);
        h = mix(h, p->proto);
    } else {
        return h;
    }
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        return mix(mix(h, (uint64_t)p->l4.tcp.sport << 16 | p->l4.tcp.dport),
                   (uint64_t)p->l4.tcp.flags << 32 | p->l4.tcp.seq);
    case ST_IPPROTO_UDP:
        return mix(h, (uint64_t)p->l4.udp.sport << 16 | p->l4.udp.dport);
    case ST_IPPROTO_SCTP:
        return mix(h, (uint64_t)p->l4.sctp.sport << 16 | p->l4.sctp.dport);
    case ST_IPPROTO_ICMP:
    case ST_IPPROTO_ICMPV6:
        return mix(h, (uint64_t)p->l4.icmp.type << 40 | (uint64_t)p->l4.icmp.code << 32 |
                          (uint64_t)p->l4.icmp.id << 16 | p->l4.icmp.seq);
    default:
        return h;
    }
}
