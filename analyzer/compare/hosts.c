/*
 * IPv6 addresses as uint32_t hosts (hosts.h): an open-addressing table of
 * the addresses seen, an id is its index + 1. A sweep of a /64 interns as
 * many addresses as it probes, so lookups are O(1).
 */
#include "hosts.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define ID_MAX 0x00ffffffu /* ids stay inside 0.0.0.0/8 */

static struct {
    uint8_t (*addr)[16]; /* id - 1 -> address */
    uint32_t *slot;      /* hash slot -> id, 0 empty */
    size_t n, cap, mask;
} tab;

static size_t hash6(const uint8_t a[16])
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 16; i++)
        h = (h ^ a[i]) * 0x100000001b3ULL;
    return (size_t)(h ^ h >> 31);
}

static void grow(void)
{
    size_t nslots = tab.mask ? (tab.mask + 1) * 2 : 256;
    uint32_t *s = calloc(nslots, sizeof *s);
    if (!s)
        abort();
    for (size_t id = 1; id <= tab.n; id++) {
        size_t k = hash6(tab.addr[id - 1]) & (nslots - 1);
        while (s[k])
            k = (k + 1) & (nslots - 1);
        s[k] = (uint32_t)id;
    }
    free(tab.slot);
    tab.slot = s;
    tab.mask = nslots - 1;
}

uint32_t st_host6(const uint8_t a[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!memcmp(a, mapped, 12))
        return (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
    if (!tab.mask || (tab.n + 1) * 2 > tab.mask + 1)
        grow();
    size_t k = hash6(a) & tab.mask;
    for (; tab.slot[k]; k = (k + 1) & tab.mask)
        if (!memcmp(tab.addr[tab.slot[k] - 1], a, 16))
            return tab.slot[k];
    if (tab.n >= ID_MAX)
        abort();
    if (tab.n == tab.cap) {
        tab.cap = tab.cap ? tab.cap * 2 : 64;
        void *g = realloc(tab.addr, tab.cap * sizeof *tab.addr);
        if (!g)
            abort();
        tab.addr = g;
    }
    memcpy(tab.addr[tab.n++], a, 16);
    tab.slot[k] = (uint32_t)tab.n;
    return (uint32_t)tab.n;
}

bool st_host_is6(uint32_t h)
{
    return h && h <= tab.n && h <= ID_MAX;
}

bool st_host_loopback(uint32_t host)
{
    const uint8_t *a6 = st_host6_addr(host);
    return a6 ? st_nmap_loopback6(a6) : st_nmap_loopback4(host);
}

const uint8_t *st_host6_addr(uint32_t h)
{
    return st_host_is6(h) ? tab.addr[h - 1] : NULL;
}

const char *st_host_str(uint32_t h, char buf[ST_HOST_STRLEN])
{
    const uint8_t *a = st_host6_addr(h);
    if (a && inet_ntop(AF_INET6, a, buf, ST_HOST_STRLEN))
        return buf;
    return st_ip4_str(h, buf);
}

bool st_host_parse(const char *s, uint32_t *h)
{
    uint8_t a[16];
    if (st_ip4_parse(s, h))
        return true;
    if (inet_pton(AF_INET6, s, a) != 1)
        return false;
    *h = st_host6(a);
    return true;
}

int st_host_cmp(uint32_t x, uint32_t y)
{
    const uint8_t *a = st_host6_addr(x), *b = st_host6_addr(y);
    if (a && b)
        return memcmp(a, b, 16);
    if (a || b)
        return a ? 1 : -1;
    return (x > y) - (x < y);
}

bool st_pkt_is_nd(const struct st_pkt *p, uint8_t type)
{
    return p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.type == type;
}

uint32_t st_pkt_src_host(const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return p->arp.spa;
    if (p->net == ST_NET_IPV4)
        return p->ip.src;
    return p->net == ST_NET_IPV6 ? st_host6(p->ip6.src) : 0;
}

uint32_t st_pkt_dst_host(const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return p->arp.tpa;
    if (p->net == ST_NET_IPV4)
        return p->ip.dst;
    return p->net == ST_NET_IPV6 ? st_host6(p->ip6.dst) : 0;
}
