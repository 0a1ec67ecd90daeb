/*
 * nmap's evasion options applied to a probe (evasion.h). The rules are
 * nmap 7.93's as read in its source: --ip-options letters make a NOP and a
 * 39-byte record route (R), a 40-byte timestamp option of 9 times (T) or a
 * 36-byte one of 4 address/time pairs (U), or a source route (L loose, S
 * strict) of the hops given and one empty slot that the target fills, the
 * datagram going to the first hop; fragments carry the whole header each
 * and `mtu` payload bytes (a payload that fits is not cut); --badsum takes 1
 * from the transport checksum as stored (nmap on a little-endian host), a
 * UDP sum of 0 becoming 0xffff; decoys are copies of each probe from other
 * sources, with their own TTL.
 */
#include "evasion.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "packet.h"
#include "scan_plan.h"
#include "util.h"

void st_evasion_init(struct st_evasion *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->route_last = -1;
}

bool st_evasion_active(const struct st_evasion *ev)
{
    return ev->mtu || ev->ipoptlen || ev->badsum || ev->datalen || ev->nsources;
}

static int fail(char *err, size_t errsz, const char *what, const char *spec)
{
    snprintf(err, errsz, "%s: '%s'", what, spec);
    return -1;
}

int st_evasion_check_plan(const struct st_evasion *ev, const struct st_plan *plan, char *err,
                          size_t errsz)
{
    if (!ev->mtu || ev->datalen + 8 > ev->mtu)
        return 0;
    for (size_t i = 0; i < plan->npasses; i++) {
        const struct st_pass *p = &plan->passes[i];
        bool cut = false;
        for (size_t k = 0; k < p->nkinds && !cut; k++) {
            const char *m = p->kinds[k].mod->name;
            cut = !strcmp(m, "syn") || !strcmp(m, "ack") || !strcmp(m, "timestamp") ||
                  (ev->mtu == 8 && !strcmp(m, "mask"));
        }
        if (!cut)
            return fail(err, errsz,
                        "-f, -ff and --mtu: fragments only work with TCP, ICMP timestamp or "
                        "address mask (mtu 8) pings, or a payload longer than a fragment (as "
                        "nmap), not with the mode",
                        p->name);
    }
    return 0;
}

static uint64_t next_rand(uint64_t *rng)
{
    uint64_t x = *rng ? *rng : 0x9e3779b97f4a7c15ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *rng = x;
}

/* "\x01\x07*3": bytes, '*N' repeating the one before. */
static int raw_opts(struct st_evasion *ev, const char *spec, char *err, size_t errsz)
{
    size_t n = 0;
    for (const char *c = spec; *c;) {
        char *e;
        unsigned long v;
        if (c[0] == '\\' && c[1] == 'x' && isxdigit((unsigned char)c[2])) {
            v = strtoul(c + 2, &e, 16);
        } else if (c[0] == '\\' && isdigit((unsigned char)c[1])) {
            v = strtoul(c + 1, &e, 10);
        } else if (c[0] == '*' && n && isdigit((unsigned char)c[1])) {
            unsigned long k = strtoul(c + 1, &e, 10);
            for (unsigned long j = 1; j < k && n < sizeof ev->ipopts; j++)
                ev->ipopts[n] = ev->ipopts[n - 1], n++;
            c = e;
            continue;
        } else {
            return fail(err, errsz, "--ip-options: not R, T, U, L, S or \\x bytes", spec);
        }
        if (v > 255 || n >= sizeof ev->ipopts)
            return fail(err, errsz, "--ip-options: a byte over 255, or over 40 bytes", spec);
        ev->ipopts[n++] = (uint8_t)v;
        c = e;
    }
    ev->ipoptlen = (uint8_t)n;
    return 0;
}

/* "L 10.0.0.1 10.0.0.2" / "S ...": NOP, the route, an empty last slot. */
static int route_opts(struct st_evasion *ev, const char *spec, char *err, size_t errsz)
{
    uint8_t *o = ev->ipopts;
    size_t n = 4;
    o[0] = 1;
    o[1] = spec[0] == 'L' ? 131 : 137;
    o[3] = 4;
    char buf[64];
    for (const char *c = spec + 1; *c;) {
        c += strspn(c, " ,");
        size_t k = strcspn(c, " ,");
        if (!k)
            break;
        uint32_t a;
        if (k >= sizeof buf)
            return fail(err, errsz, "--ip-options: not an IPv4 address", spec);
        memcpy(buf, c, k);
        buf[k] = '\0';
        if (!st_ip4_parse(buf, &a))
            return fail(err, errsz, "--ip-options: not an IPv4 address", buf);
        if (n + 8 > 40)
            return fail(err, errsz, "--ip-options: more hops than fit", spec);
        st_put32(o + n, a);
        n += 4;
        c += k;
    }
    if (n == 4)
        return fail(err, errsz, "--ip-options: a source route needs its first hop", spec);
    ev->route_last = (int)n;
    memset(o + n, 0, 4);
    n += 4;
    o[2] = (uint8_t)(n - 1);
    ev->ipoptlen = (uint8_t)((n + 3) / 4 * 4);
    return 0;
}

int st_evasion_ipopts(struct st_evasion *ev, const char *spec, char *err, size_t errsz)
{
    memset(ev->ipopts, 0, sizeof ev->ipopts);
    ev->route_last = -1;
    if (!strcmp(spec, "R")) {
        ev->ipopts[0] = 1;
        ev->ipopts[1] = 7;
        ev->ipopts[2] = 39;
        ev->ipopts[3] = 4;
        ev->ipoptlen = 40;
        return 0;
    }
    if (!strcmp(spec, "T") || !strcmp(spec, "U")) {
        bool u = spec[0] == 'U';
        ev->ipopts[0] = 68;
        ev->ipopts[1] = u ? 36 : 40;
        ev->ipopts[2] = 5;
        ev->ipopts[3] = u ? 1 : 0;
        ev->ipoptlen = u ? 36 : 40;
        return 0;
    }
    if ((spec[0] == 'L' || spec[0] == 'S') && (spec[1] == ' ' || spec[1] == ','))
        return route_opts(ev, spec, err, errsz);
    if (raw_opts(ev, spec, err, errsz))
        return -1;
    while (ev->ipoptlen % 4) /* the header counts in words: end of list */
        ev->ipopts[ev->ipoptlen++] = 0;
    return 0;
}

/* The next word of -D's comma list into buf; -1 when empty or too long. */
static int decoy_word(const char **c, char *buf, size_t size)
{
    size_t k = strcspn(*c, ",");
    if (!k || k >= size)
        return -1;
    memcpy(buf, *c, k);
    buf[k] = '\0';
    *c += k + ((*c)[k] == ',');
    return 0;
}

/* One word of -D's list that names a source (not ME): RND:N (IPv4 only, as
 * nmap -6 refuses it) or an address of the family; its sources appended. */
static int decoy_source(struct st_evasion *ev, const char *w, bool v6, uint64_t *rng, char *err,
                        size_t errsz)
{
    unsigned long rnd = 0;
    uint32_t a = 0;
    uint8_t a6[16];
    if (!strcasecmp(w, "RND") || !strncasecmp(w, "RND:", 4)) {
        if (v6)
            return fail(err, errsz, "-D: random decoys can only be used with IPv4 (as nmap -6)", w);
        /* nmap: "RND" and "RND:" are one */
        rnd = strlen(w) > 4 ? strtoul(w + 4, NULL, 10) : 1;
        if (!rnd)
            return fail(err, errsz, "-D: RND:N needs N of 1 or more", w);
    } else if (v6 ? inet_pton(AF_INET6, w, a6) != 1 : !st_ip4_parse(w, &a)) {
        return fail(
            err, errsz,
            v6 ? "-D: not an IPv6 address or ME (-6)" : "-D: not an IPv4 address, ME or RND:N", w);
    }
    for (unsigned long i = 0; i < (rnd ? rnd : 1); i++) {
        if (ev->nsources >= ST_EVASION_MAX_DECOYS)
            return fail(err, errsz, "-D: too many decoys", w);
        uint32_t x = a;
        while (rnd && (x >> 24 == 0 || x >> 24 == 10 || x >> 24 == 127 || x >> 24 >= 224))
            x = (uint32_t)next_rand(rng); /* nmap avoids the reserved blocks too */
        ev->sources[ev->nsources] = x;
        memcpy(ev->sources6[ev->nsources], v6 ? a6 : (const uint8_t[16]){0}, 16);
        ev->nsources++;
    }
    return 0;
}

int st_evasion_decoys(struct st_evasion *ev, const char *spec, bool v6, uint64_t *rng, char *err,
                      size_t errsz)
{
    bool me = false;
    ev->nsources = 0;
    char buf[64];
    for (const char *c = spec; *c;) {
        if (decoy_word(&c, buf, sizeof buf))
            return fail(err, errsz, "-D: an empty or overlong decoy", spec);
        if (strcasecmp(buf, "ME")) { /* nmap takes "me" too */
            if (decoy_source(ev, buf, v6, rng, err, errsz))
                return -1;
            continue;
        }
        if (me) /* nmap: "Can only use 'ME' as a decoy once." */
            return fail(err, errsz, "-D: ME can be given once", spec);
        if (ev->nsources >= ST_EVASION_MAX_DECOYS)
            return fail(err, errsz, "-D: too many decoys", spec);
        me = true;
        ev->sources[ev->nsources] = 0; /* the scanner: 0, or an all-zero IPv6 address */
        memset(ev->sources6[ev->nsources++], 0, 16);
    }
    if (!me) { /* nmap: the real scan comes last unless ME places it */
        ev->sources[ev->nsources] = 0;
        memset(ev->sources6[ev->nsources++], 0, 16);
    }
    return 0;
}

size_t st_evasion_copies(const struct st_evasion *ev)
{
    return ev->nsources ? ev->nsources : 1;
}

static bool zero16(const uint8_t *a)
{
    static const uint8_t z[16];
    return !memcmp(a, z, 16);
}

bool st_evasion_decoy(const struct st_evasion *ev, bool v6, size_t d, char *text)
{
    if (d >= ev->nsources || (v6 ? zero16(ev->sources6[d]) : !ev->sources[d]))
        return false;
    if (v6) {
        inet_ntop(AF_INET6, ev->sources6[d], text, INET6_ADDRSTRLEN);
    } else {
        char a[16];
        snprintf(text, INET6_ADDRSTRLEN, "%s", st_ip4_str(ev->sources[d], a));
    }
    return true;
}

int st_evasion_data_hex(struct st_evasion *ev, const char *hex, char *err, size_t errsz)
{
    size_t n = 0;
    for (const char *c = hex; *c;) {
        if (c[0] == '\\' && c[1] == 'x')
            c += 2;
        else if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
            c += 2;
        if (!isxdigit((unsigned char)c[0]) || !isxdigit((unsigned char)c[1]) ||
            n >= sizeof ev->data)
            return fail(err, errsz, "--data: pairs of hex digits, at most 1400 bytes", hex);
        char b[3] = {c[0], c[1], 0};
        ev->data[n++] = (uint8_t)strtoul(b, NULL, 16);
        c += 2;
    }
    ev->datalen = n;
    return 0;
}

int st_evasion_data_string(struct st_evasion *ev, const char *s, char *err, size_t errsz)
{
    size_t n = strlen(s);
    if (n > sizeof ev->data)
        return fail(err, errsz, "--data-string: at most 1400 bytes", s);
    memcpy(ev->data, s, n);
    ev->datalen = n;
    return 0;
}

int st_evasion_data_length(struct st_evasion *ev, unsigned long n, uint64_t *rng, char *err,
                           size_t errsz)
{
    if (n > sizeof ev->data)
        return fail(err, errsz, "--data-length: 0 to 1400", "too long");
    for (size_t i = 0; i < n; i++)
        ev->data[i] = (uint8_t)next_rand(rng);
    ev->datalen = n;
    return 0;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* --badsum: one less, as nmap's in-memory decrement on a little-endian host. */
static void spoil(uint8_t *l4sum, bool udp)
{
    uint16_t v = (uint16_t)(l4sum[0] | l4sum[1] << 8);
    v--;
    if (udp && v == 0)
        v = 0xffff;
    l4sum[0] = (uint8_t)v;
    l4sum[1] = (uint8_t)(v >> 8);
}

static uint8_t *l4_sum_field(uint8_t *l4, uint8_t proto)
{
    switch (proto) {
    case ST_IPPROTO_ICMP:
    case ST_IPPROTO_IGMP:
    case ST_IPPROTO_ICMPV6:
        return l4 + 2;
    case ST_IPPROTO_TCP:
        return l4 + 16;
    case ST_IPPROTO_UDP:
        return l4 + 6;
    case ST_IPPROTO_SCTP:
        return l4 + 8;
    default:
        return NULL;
    }
}

size_t st_evasion_apply(const struct st_evasion *ev, const uint8_t *in, size_t n, uint32_t src,
                        int ttl, uint8_t *out, size_t size, uint32_t *hop)
{
    size_t ihl = (size_t)(in[0] & 0x0f) * 4, l4n = n - ihl;
    size_t hlen = 20 + ev->ipoptlen, len = hlen + l4n + ev->datalen;
    if (ihl != 20 || len > size || len > 65535)
        return 0;
    memcpy(out, in, 20);
    memcpy(out + 20, ev->ipopts, ev->ipoptlen);
    memcpy(out + hlen, in + ihl, l4n);
    memcpy(out + hlen + l4n, ev->data, ev->datalen);
    out[0] = (uint8_t)(0x40 | hlen / 4);
    st_put16(out + 2, (uint16_t)len);
    if (ttl >= 0)
        out[8] = (uint8_t)ttl;
    st_put32(out + 12, src);
    uint8_t proto = out[9], *l4 = out + hlen;
    if (proto == ST_IPPROTO_UDP)
        st_put16(l4 + 4, (uint16_t)(l4n + ev->datalen));
    *hop = get32(out + 16);
    /* the transport sum is over the final destination: the target */
    st_l4_checksum(out, len);
    uint8_t *sum = l4_sum_field(l4, proto);
    if (ev->badsum && sum)
        spoil(sum, proto == ST_IPPROTO_UDP);
    if (ev->route_last >= 0) { /* the target in the last slot, the first hop in the header */
        memcpy(out + 20 + ev->route_last, out + 16, 4);
        *hop = get32(out + 24);
        st_put32(out + 16, *hop);
    }
    st_ipv4_checksum(out);
    return len;
}

size_t st_evasion_apply6(const struct st_evasion *ev, const uint8_t *in, size_t n,
                         const uint8_t *src, uint8_t *out, size_t size)
{
    size_t l4n = n - 40, len = n + ev->datalen;
    if (n < 40 || len > size || l4n + ev->datalen > 65535)
        return 0;
    memcpy(out, in, n);
    memcpy(out + n, ev->data, ev->datalen);
    if (src)
        memcpy(out + 8, src, 16);
    st_put16(out + 4, (uint16_t)(l4n + ev->datalen));
    uint8_t proto = out[6], *l4 = out + 40;
    if (proto == ST_IPPROTO_UDP)
        st_put16(l4 + 4, (uint16_t)(l4n + ev->datalen));
    st_l4_checksum6(out, len);
    uint8_t *sum = l4_sum_field(l4, proto);
    if (ev->badsum && sum)
        spoil(sum, proto == ST_IPPROTO_UDP);
    return len;
}

size_t st_evasion_copy(const struct st_evasion *ev, bool v6, size_t d, const uint8_t *in, size_t n,
                       int ttl, uint8_t *out, size_t size, uint32_t *hop)
{
    char text[INET6_ADDRSTRLEN];
    bool decoy = st_evasion_decoy(ev, v6, d, text);
    if (!v6) {
        uint32_t src = decoy ? ev->sources[d] : get32(in + 12);
        return st_evasion_apply(ev, in, n, src, decoy ? ttl : -1, out, size, hop);
    }
    *hop = 0;
    return st_evasion_apply6(ev, in, n, decoy ? ev->sources6[d] : NULL, out, size);
}

size_t st_evasion_fragment(const struct st_evasion *ev, const uint8_t *dg, size_t n, unsigned k,
                           uint8_t *out, size_t size)
{
    size_t hlen = (size_t)(dg[0] & 0x0f) * 4, data = n - hlen;
    if (!ev->mtu || data <= ev->mtu) {
        if (k || n > size)
            return 0;
        memcpy(out, dg, n);
        return n;
    }
    size_t off = (size_t)k * ev->mtu;
    if (off >= data)
        return 0;
    size_t part = data - off < ev->mtu ? data - off : ev->mtu;
    if (hlen + part > size)
        return 0;
    memcpy(out, dg, hlen);
    memcpy(out + hlen, dg + hlen + off, part);
    st_put16(out + 2, (uint16_t)(hlen + part));
    st_put16(out + 6, (uint16_t)(off / 8 | (off + part < data ? 0x2000 : 0)));
    st_ipv4_checksum(out);
    return hlen + part;
}
