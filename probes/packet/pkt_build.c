#include "pkt_build.h"

#include <string.h>

uint32_t st_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n)
        sum += (uint32_t)(p[i] << 8);
    return sum;
}

uint16_t st_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t st_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

uint32_t st_crc32c(const uint8_t *p, size_t n)
{
    /* bitwise, reflected polynomial 0x82F63B78: probes are few bytes */
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    return ~crc;
}

void st_ipv4_checksum(uint8_t *p)
{
    size_t hlen = (size_t)(p[0] & 0x0f) * 4;
    p[10] = p[11] = 0;
    st_put16(p + 10, st_csum_fold(st_csum_add(0, p, hlen)));
}

void st_ipv4_write(uint8_t *p, uint16_t total_len, uint16_t id, uint8_t ttl, uint8_t proto,
                   uint32_t src, uint32_t dst)
{
    memset(p, 0, 20);
    p[0] = 0x45;
    st_put16(p + 2, total_len);
    st_put16(p + 4, id);
    p[8] = ttl;
    p[9] = proto;
    st_put32(p + 12, src);
    st_put32(p + 16, dst);
    st_ipv4_checksum(p);
}

/* The transport checksum of `proto` over l4, with the pseudo-header's sum
 * (ICMP has none; ICMPv6 has one, and is passed as 58). */
static void l4_sum(uint8_t proto, uint8_t *l4, size_t l4len, uint32_t pseudo)
{
    switch (proto) {
    case 1: /* ICMP */
    case 2: /* IGMP */
        l4[2] = l4[3] = 0;
        st_put16(l4 + 2, st_csum_fold(st_csum_add(0, l4, l4len)));
        break;
    case 58: /* ICMPv6 */
        l4[2] = l4[3] = 0;
        st_put16(l4 + 2, st_csum_fold(st_csum_add(pseudo, l4, l4len)));
        break;
    case 6: /* TCP */
        l4[16] = l4[17] = 0;
        st_put16(l4 + 16, st_csum_fold(st_csum_add(pseudo, l4, l4len)));
        break;
    case 17: { /* UDP: 0 means "no checksum", so a computed 0 is sent as 0xffff */
        l4[6] = l4[7] = 0;
        uint16_t c = st_csum_fold(st_csum_add(pseudo, l4, l4len));
        st_put16(l4 + 6, c ? c : 0xffff);
        break;
    }
    case 132: { /* SCTP: CRC32c over the packet with the field zero, stored little-endian */
        memset(l4 + 8, 0, 4);
        uint32_t c = st_crc32c(l4, l4len);
        l4[8] = (uint8_t)c;
        l4[9] = (uint8_t)(c >> 8);
        l4[10] = (uint8_t)(c >> 16);
        l4[11] = (uint8_t)(c >> 24);
        break;
    }
    default:
        break;
    }
}

void st_l4_checksum(uint8_t *ip, size_t len)
{
    size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
    size_t l4len = len - hlen;
    uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
    uint32_t dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
    l4_sum(ip[9], ip + hlen, l4len, st_csum_pseudo(src, dst, ip[9], (uint16_t)l4len));
}

void st_ipv6_write(uint8_t *p, uint16_t plen, uint32_t flow, uint8_t hopl, uint8_t nh,
                   const uint8_t src[16], const uint8_t dst[16])
{
    st_put32(p, 6u << 28 | (flow & 0xfffff));
    st_put16(p + 4, plen);
    p[6] = nh;
    p[7] = hopl;
    memcpy(p + 8, src, 16);
    memcpy(p + 24, dst, 16);
}

void st_l4_checksum6(uint8_t *ip6, size_t len)
{
    size_t l4len = len - 40;
    /* RFC 8200 8.1: addresses, upper-layer length, next header */
    uint32_t pseudo =
        st_csum_add(0, ip6 + 8, 32) + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff) + ip6[6];
    l4_sum(ip6[6], ip6 + 40, l4len, pseudo);
}
