/*
 * Parser of nmap --packet-trace SENT/RCVD lines into packet records.
 *
 * The line is copied into a local buffer and read with a cursor. The
 * variable parts (IP info, TCP/UDP/SCTP/ICMP fields) are "key=value" lists
 * whose keys differ between nmap's detail levels; they are applied key by
 * key, so LOW, MEDIUM and HIGH lines go through the same code.
 */
#include "pkt_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nmap_rules.h"
#include "pkt_ipopts.h"
#include "pkt_protonames.h"

#define LINE_MAX_ 1024

struct cur {
    char *s;   /* next unread byte */
    char *end; /* one past the last byte */
    const char *why;
};

static bool fail(struct cur *c, const char *why)
{
    if (!c->why)
        c->why = why;
    return false;
}

static bool at(const struct cur *c, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(c->end - c->s) >= n && memcmp(c->s, lit, n) == 0;
}

static bool lit(struct cur *c, const char *lit, const char *why)
{
    if (!at(c, lit))
        return fail(c, why);
    c->s += strlen(lit);
    return true;
}

/* A decimal (or 0x hex) unsigned number of at most `max`. */
static bool num(struct cur *c, unsigned long max, unsigned long *v, const char *why)
{
    char *e;
    if (c->s >= c->end || !((*c->s >= '0' && *c->s <= '9')))
        return fail(c, why);
    unsigned long x = strtoul(c->s, &e, 0);
    if (e > c->end || x > max)
        return fail(c, why);
    c->s = e;
    *v = x;
    return true;
}

/* A token up to (not including) the first character of `stops` or the end. */
static char *token(struct cur *c, const char *stops)
{
    char *t = c->s;
    while (c->s < c->end && !strchr(stops, *c->s))
        c->s++;
    return t;
}

static bool parse_ip4_span(const char *a, const char *b, uint32_t *out)
{
    char tmp[32];
    size_t n = (size_t)(b - a);
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, a, n);
    tmp[n] = '\0';
    return st_ip4_parse(tmp, out);
}

static bool parse_ip6_span(const char *a, const char *b, uint8_t out[16])
{
    char tmp[INET6_ADDRSTRLEN + 1];
    size_t n = (size_t)(b - a);
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, a, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1;
}

/* An address (IPv4 or IPv6) ending before the next space. Sets p->net. */
static bool addr(struct cur *c, struct st_pkt *p, bool src, const char *why)
{
    char *a = token(c, " ");
    if (parse_ip4_span(a, c->s, src ? &p->ip.src : &p->ip.dst)) {
        p->net = ST_NET_IPV4;
        return true;
    }
    if (parse_ip6_span(a, c->s, src ? p->ip6.src : p->ip6.dst)) {
        p->net = ST_NET_IPV6;
        return true;
    }
    return fail(c, why);
}

/* "addr:port" (IPv6 unbracketed in 7.93, so split at the last colon).
 * A port of "??" (nmap's incomplete packets) sets *port_known false. */
static bool addr_port(struct cur *c, struct st_pkt *p, bool src, uint16_t *port, bool *port_known)
{
    const char *why = src ? "bad source address:port" : "bad destination address:port";
    char *a = token(c, " ]");
    char *colon = NULL;
    for (char *q = a; q < c->s; q++)
        if (*q == ':')
            colon = q;
    if (!colon)
        return fail(c, why);
    uint8_t *a6 = src ? p->ip6.src : p->ip6.dst;
    if (parse_ip4_span(a, colon, src ? &p->ip.src : &p->ip.dst))
        p->net = ST_NET_IPV4;
    else if (parse_ip6_span(a, colon, a6))
        p->net = ST_NET_IPV6;
    else
        return fail(c, why);
    if (c->s - colon == 3 && colon[1] == '?' && colon[2] == '?') {
        *port_known = false;
        return true;
    }
    char *e;
    unsigned long v = strtoul(colon + 1, &e, 10);
    if (e != c->s || e == colon + 1 || v > 65535)
        return fail(c, why);
    *port = (uint16_t)v;
    return true;
}

/* ---- key=value lists --------------------------------------------------- */

enum kv_target { KV_IP, KV_TCP, KV_UDP, KV_SCTP, KV_ICMP };

static bool kv_num(const char *v, unsigned long max, unsigned long *out)
{
    char *e;
    if (!*v)
        return false;
    unsigned long x = strtoul(v, &e, 0);
    if (*e || x > max)
        return false;
    *out = x;
    return true;
}

/* Apply one key of the IP info block. Returns 1 used, 0 unknown key, -1 bad value. */
static int kv_ip(struct st_pkt *p, const char *k, const char *v)
{
    unsigned long x;
    struct st_ipv4 *ip = &p->ip;

    if (!strcmp(k, "ver"))
        return 1;
    if (!strcmp(k, "flg")) {
        for (const char *f = v; *f; f++) {
            if (*f == 'x')
                ip->frag |= 0x8000;
            else if (*f == 'D')
                ip->frag |= 0x4000;
            else if (*f == 'M')
                ip->frag |= 0x2000;
            else
                return -1;
        }
        return 1;
    }
    if (!strcmp(k, "foff") || !strcmp(k, "offset")) {
        size_t n = strlen(v);
        bool more = n && v[n - 1] == '+';
        char tmp[16];
        if (n == 0 || n >= sizeof tmp)
            return -1;
        memcpy(tmp, v, n - more);
        tmp[n - more] = '\0';
        if (!kv_num(tmp, 65535, &x) || x % 8)
            return -1;
        ip->frag = (uint16_t)((ip->frag & 0xc000) | (more ? 0x2000 : 0) | (x / 8));
        return 1;
    }
    if (!strcmp(k, "payloadlen") || !strcmp(k, "flow") || !strcmp(k, "hopl") ||
        !strcmp(k, "tclass") || !strcmp(k, "nh")) {
        if (!strcmp(k, "nh"))
            return 1;
        bool hex = !strcmp(k, "flow") || !strcmp(k, "tclass");
        char *e;
        x = strtoul(v, &e, hex ? 16 : 10);
        if (*e || !*v)
            return -1;
        if (!strcmp(k, "payloadlen"))
            p->ip6.plen = (uint16_t)x;
        else if (!strcmp(k, "flow"))
            p->ip6.flow = (uint32_t)x;
        else if (!strcmp(k, "hopl"))
            p->ip6.hopl = (uint8_t)x;
        else
            p->ip6.tclass = (uint8_t)x;
        return 1;
    }
    static const struct {
        const char *k;
        unsigned long max;
    } keys[] = {{"ttl", 255},    {"id", 65535}, {"iplen", 65535}, {"proto", 255},
                {"csum", 65535}, {"ihl", 15},   {"tos", 255}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(k, keys[i].k))
            continue;
        if (!kv_num(v, keys[i].max, &x))
            return -1;
        switch (i) {
        case 0:
            ip->ttl = (uint8_t)x;
            break;
        case 1:
            ip->id = (uint16_t)x;
            break;
        case 2:
            ip->len = (uint16_t)x;
            break;
        case 3:
            ip->proto = (uint8_t)x;
            break;
        case 4:
            ip->csum = (uint16_t)x;
            break;
        case 5:
            /* an IPv4 header is 5 to 15 words: a smaller one is no header at all
             * (and its packet would print differently read back: fuzz/regress) */
            if (x < 5)
                return -1;
            ip->ihl = (uint8_t)x;
            break;
        default:
            ip->tos = (uint8_t)x;
            break;
        }
        return 1;
    }
    return 0;
}

static int kv_l4(struct st_pkt *p, enum kv_target t, const char *k, const char *v)
{
    unsigned long x;

    if (!kv_num(v, 0xffffffffUL, &x))
        return strcmp(k, "mask") && strcmp(k, "addr") ? 0 : -1;
    switch (t) {
    case KV_TCP: {
        struct st_tcp *tcp = &p->l4.tcp;
        if (!strcmp(k, "seq"))
            tcp->seq = (uint32_t)x;
        else if (!strcmp(k, "ack"))
            tcp->ack = (uint32_t)x;
        else if (!strcmp(k, "win") && x <= 65535)
            tcp->win = (uint16_t)x;
        else if (!strcmp(k, "csum") && x <= 65535)
            tcp->csum = (uint16_t)x;
        else if (!strcmp(k, "urp") && x <= 65535)
            tcp->urp = (uint16_t)x;
        else if (!strcmp(k, "off") && x <= 15)
            tcp->off = (uint8_t)x;
        else if (!strcmp(k, "res") && x <= 15)
            tcp->res = (uint8_t)x;
        else
            return 0;
        return 1;
    }
    case KV_UDP:
        if (!strcmp(k, "len") && x <= 65535)
            p->l4.udp.len = (uint16_t)x;
        else if (!strcmp(k, "csum") && x <= 65535)
            p->l4.udp.csum = (uint16_t)x;
        else
            return 0;
        return 1;
    case KV_SCTP:
        if (!strcmp(k, "vtag"))
            p->l4.sctp.vtag = (uint32_t)x;
        else if (!strcmp(k, "csum"))
            p->l4.sctp.csum = (uint32_t)x;
        else
            return 0;
        return 1;
    case KV_ICMP: {
        struct st_icmp *m = &p->l4.icmp;
        if (!strcmp(k, "id") && x <= 65535)
            m->id = (uint16_t)x;
        else if (!strcmp(k, "seq") && x <= 65535)
            m->seq = (uint16_t)x;
        else if (!strcmp(k, "orig"))
            m->orig = (uint32_t)x;
        else if (!strcmp(k, "recv"))
            m->recv = (uint32_t)x;
        else if (!strcmp(k, "trans"))
            m->trans = (uint32_t)x;
        else if (!strcmp(k, "Next-Hop-MTU") && x <= 65535)
            m->mtu = (uint16_t)x;
        else if (!strcmp(k, "pointer") && x <= 255)
            m->pointer = (uint8_t)x;
        else
            return 0;
        return 1;
    }
    default:
        return 0;
    }
}

/* ICMP fields holding addresses: mask=a.b.c.d, addr=a.b.c.d. */
static int kv_icmp_addr(struct st_pkt *p, const char *k, const char *v)
{
    uint32_t a;
    if (strcmp(k, "mask") && strcmp(k, "addr"))
        return 0;
    if (!st_ip4_parse(v, &a))
        return -1;
    if (!strcmp(k, "mask"))
        p->l4.icmp.mask = a;
    else
        p->l4.icmp.gateway = a;
    return 1;
}

/* "ipopts={ NOP RR{#0.0.0.0 ...}}": nmap's words (pkt_ipopts.c); also the
 * hex bytes "ipopts={01 02 ...}" of scantrace's traces before 0.x. */
static bool parse_ipopts(struct cur *c, struct st_ipv4 *ip)
{
    c->s += strlen("ipopts={");
    size_t used = st_ipopts_parse(c->s, (size_t)(c->end - c->s), ip->opts, &ip->optlen);
    if (used) {
        c->s += used;
        return true;
    }
    ip->optlen = 0;
    while (c->s < c->end && *c->s != '}') {
        if (*c->s == ' ') {
            c->s++;
            continue;
        }
        char *e;
        unsigned long b = strtoul(c->s, &e, 16);
        if (e == c->s || e > c->end || b > 255 || ip->optlen >= ST_MAX_IPOPT)
            return fail(c, "bad ipopts");
        ip->opts[ip->optlen++] = (uint8_t)b;
        c->s = e;
    }
    if (c->s >= c->end)
        return fail(c, "unterminated ipopts");
    c->s++;
    return true;
}

static bool opt_put(struct st_tcp *t, const uint8_t *b, size_t n)
{
    if (t->optlen + n > ST_MAX_TCPOPT)
        return false;
    memcpy(t->opts + t->optlen, b, n);
    t->optlen = (uint8_t)(t->optlen + n);
    return true;
}

/* "<mss 1460,sackOK,timestamp 1 0,nop,wscale 7>" back into option bytes. */
static bool parse_tcpopts(struct cur *c, struct st_tcp *t)
{
    char *close = memchr(c->s, '>', (size_t)(c->end - c->s));
    if (!close)
        return fail(c, "unterminated TCP options");
    char buf[256];
    size_t n = (size_t)(close - c->s - 1);
    if (n >= sizeof buf)
        return fail(c, "TCP options too long");
    memcpy(buf, c->s + 1, n);
    buf[n] = '\0';
    c->s = close + 1;

    char *save = NULL;
    for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        unsigned long a, b;
        char *e;
        bool ok;
        if (!strcmp(o, "eol")) {
            ok = opt_put(t, (const uint8_t[]){0}, 1);
        } else if (!strcmp(o, "nop")) {
            ok = opt_put(t, (const uint8_t[]){1}, 1);
        } else if (!strcmp(o, "sackOK")) {
            ok = opt_put(t, (const uint8_t[]){4, 2}, 2);
        } else if (!strncmp(o, "mss ", 4) && kv_num(o + 4, 65535, &a)) {
            ok = opt_put(t, (const uint8_t[]){2, 4, (uint8_t)(a >> 8), (uint8_t)a}, 4);
        } else if (!strncmp(o, "wscale ", 7) && kv_num(o + 7, 255, &a)) {
            ok = opt_put(t, (const uint8_t[]){3, 3, (uint8_t)a}, 3);
        } else if (!strncmp(o, "timestamp ", 10) && (a = strtoul(o + 10, &e, 10), *e == ' ') &&
                   kv_num(e + 1, 0xffffffffUL, &b)) {
            uint8_t v[10] = {8,
                             10,
                             (uint8_t)(a >> 24),
                             (uint8_t)(a >> 16),
                             (uint8_t)(a >> 8),
                             (uint8_t)a,
                             (uint8_t)(b >> 24),
                             (uint8_t)(b >> 16),
                             (uint8_t)(b >> 8),
                             (uint8_t)b};
            ok = a <= 0xffffffffUL && opt_put(t, v, sizeof v);
        } else if (!strncmp(o, "sack ", 5)) {
            unsigned long cnt = strtoul(o + 5, &e, 10);
            uint8_t v[2 + 8 * 4] = {5, (uint8_t)(2 + 8 * cnt)};
            ok = cnt <= 4 && *e == ' '; /* "sack 0 ": an empty SACK (fuzz_decode) */
            for (unsigned long i = 0; ok && i < cnt; i++) {
                ok = e[1] == '{' || (i == 0 && e[0] == ' ' && e[1] == '{');
                e = strchr(e, '{');
                ok = ok && e && (a = strtoul(e + 1, &e, 10), *e == ':') &&
                     (b = strtoul(e + 1, &e, 10), *e == '}');
                if (ok)
                    for (int k = 0; k < 4; k++) {
                        v[2 + 8 * i + (unsigned long)k] = (uint8_t)(a >> (24 - 8 * k));
                        v[6 + 8 * i + (unsigned long)k] = (uint8_t)(b >> (24 - 8 * k));
                    }
                e = e ? e : o;
            }
            ok = ok && opt_put(t, v, 2 + 8 * cnt);
        } else {
            ok = false;
        }
        if (!ok)
            return fail(c, "bad TCP option");
    }
    return true;
}

/*
 * Apply "k=v k=v ..." up to `stop` (or the end) to block `t`, and to the IP
 * block too when `also_ip` (LOW lines mix both in one run; bracketed blocks
 * keep them apart, and both have a "csum"). A "<" starts TCP options,
 * "ipopts={" IP options.
 */
static bool kv_list(struct cur *c, struct st_pkt *p, enum kv_target t, char stop, bool also_ip)
{
    while (c->s < c->end && *c->s != stop) {
        if (*c->s == ' ') {
            c->s++;
            continue;
        }
        if (t == KV_TCP && at(c, "option incomplete")) {
            /* nmap's words for options that run past the header (found by
             * fuzz_decode); one dangling kind byte formats back to them */
            c->s += strlen("option incomplete");
            p->l4.tcp.opts[0] = 2;
            p->l4.tcp.optlen = 1;
            continue;
        }
        if (*c->s == '<' && t == KV_TCP) {
            if (!parse_tcpopts(c, &p->l4.tcp))
                return false;
            continue;
        }
        if (at(c, "ipopts={")) {
            if (!parse_ipopts(c, &p->ip))
                return false;
            continue;
        }
        char *k = token(c, stop == ']' ? " ]" : " ");
        char kv[96];
        size_t n = (size_t)(c->s - k);
        if (n >= sizeof kv)
            return fail(c, "field too long");
        memcpy(kv, k, n);
        kv[n] = '\0';
        if (!strcmp(kv, "frag") || !strcmp(kv, "(incomplete)") || !strcmp(kv, "fragment"))
            continue;
        char *eq = strchr(kv, '=');
        if (!eq)
            return fail(c, "unexpected word in fields");
        *eq = '\0';
        int r = 0;
        if (t != KV_IP) {
            r = t == KV_ICMP ? kv_icmp_addr(p, kv, eq + 1) : 0;
            if (r == 0)
                r = kv_l4(p, t, kv, eq + 1);
        }
        if (r == 0 && also_ip)
            r = kv_ip(p, kv, eq + 1);
        if (r <= 0)
            return fail(c, r < 0 ? "bad field value" : "unknown field");
    }
    return true;
}

/* ---- protocol bodies -------------------------------------------------- */

/* A MAC address to the end of the line: "5A:59:23:9C:17:2E" (ARP lines) or
 * "aa:bb:cc:dd:ee:ff" (ND lines, nmap's eth_ntoa). */
static bool mac_at_end(struct cur *c, uint8_t out[6])
{
    unsigned m[6];
    int used = 0;
    if (c->end - c->s != 17 ||
        sscanf(c->s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
               &used) != 6 ||
        used != 17)
        return fail(c, "bad MAC address");
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)m[i];
    c->s = c->end;
    return true;
}

static bool parse_arp(struct cur *c, struct st_pkt *p)
{
    struct st_arp *a = &p->arp;
    char *t;

    p->net = ST_NET_ARP;
    a->hrd = 1;
    a->pro = 0x0800;
    a->hln = 6;
    a->pln = 4;
    /* nmap's "who-has X tell Y", nping's "who has X? Tell Y" */
    bool nping = at(c, "who has ");
    if (at(c, "who-has ") || nping) {
        c->s += 8;
        a->op = 1;
        t = token(c, nping ? "?" : " ");
        if (!parse_ip4_span(t, c->s, &a->tpa))
            return fail(c, "bad ARP target address");
        if (!lit(c, nping ? "? Tell " : " tell ", "expected 'tell'"))
            return false;
        t = token(c, " ");
        if (!parse_ip4_span(t, c->s, &a->spa))
            return fail(c, "bad ARP sender address");
        return c->s == c->end || fail(c, "trailing text after ARP");
    }
    if (!lit(c, "reply ", "unknown ARP line"))
        return false;
    a->op = 2;
    t = token(c, " ");
    if (!parse_ip4_span(t, c->s, &a->spa))
        return fail(c, "bad ARP sender address");
    if (at(c, " is at ")) /* nping */
        return lit(c, " is at ", "expected 'is at'") && mac_at_end(c, a->sha);
    return lit(c, " is-at ", "expected 'is-at'") && mac_at_end(c, a->sha);
}

static bool parse_flags(struct cur *c, uint8_t *flags)
{
    static const char letters[] = "SFRPAUEC";
    static const uint8_t bits[] = {ST_TCP_SYN, ST_TCP_FIN, ST_TCP_RST, ST_TCP_PSH,
                                   ST_TCP_ACK, ST_TCP_URG, ST_TCP_ECE, ST_TCP_CWR};
    *flags = 0;
    while (c->s < c->end && *c->s != ' ') {
        const char *l = strchr(letters, *c->s);
        if (!l || !*c->s)
            return fail(c, "bad TCP flags");
        *flags |= bits[l - letters];
        c->s++;
    }
    return true;
}

/* The IP info block "IP [...]" that ends bracketed lines. */
static bool ip_block(struct cur *c, struct st_pkt *p)
{
    if (!lit(c, " IP [", "expected ' IP ['") || !kv_list(c, p, KV_IP, ']', true))
        return false;
    if (!lit(c, "]", "expected ']'"))
        return false;
    return c->s == c->end || fail(c, "trailing text");
}

/* A bracketed line ("-d2" and up) opens its transport block with '['. */
static bool open_block(struct cur *c)
{
    bool bracket = at(c, "[");
    if (bracket)
        c->s++;
    return bracket;
}

/* The end of a line: "] IP [...]" when bracketed, else nothing more. */
static bool close_block(struct cur *c, struct st_pkt *p, bool bracket)
{
    if (!bracket)
        return true;
    return lit(c, "]", "expected ']'") && ip_block(c, p);
}

/* "src:sport > dst:dport": `*sk`/`*dk` false where a port was "??". */
static bool port_pair(struct cur *c, struct st_pkt *p, uint16_t *sport, uint16_t *dport, bool *sk,
                      bool *dk)
{
    return addr_port(c, p, true, sport, sk) && lit(c, " > ", "expected ' > '") &&
           addr_port(c, p, false, dport, dk);
}

static void set_fragment(struct st_pkt *p)
{
    p->flags |= ST_PKT_FRAGMENT;
    if ((p->ip.frag & 0x1fff) == 0)
        p->flags = (p->flags & ~(unsigned)ST_PKT_FRAGMENT) | ST_PKT_L4_SHORT;
}

static bool parse_tcp(struct cur *c, struct st_pkt *p)
{
    struct st_tcp *t = &p->l4.tcp;
    bool sk = true, dk = true;

    p->proto = ST_IPPROTO_TCP;
    bool bracket = open_block(c);
    if (!port_pair(c, p, &t->sport, &t->dport, &sk, &dk) || !lit(c, " ", "expected flags"))
        return false;
    if (at(c, "?? ")) {
        /* nmap could not read the TCP header: ports and maybe flags unknown. */
        c->s += 3;
        if (!kv_list(c, p, KV_TCP, '\0', true))
            return false;
        if (!sk)
            set_fragment(p);
        else
            p->flags |= ST_PKT_L4_SHORT;
        return true;
    }
    if (!parse_flags(c, &t->flags))
        return false;
    t->off = 5;
    if (!kv_list(c, p, KV_TCP, bracket ? ']' : '\0', !bracket))
        return false;
    if (t->off == 5 && t->optlen)
        t->off = (uint8_t)(5 + (t->optlen + 3) / 4);
    if (!sk)
        set_fragment(p);
    return close_block(c, p, bracket);
}

static bool parse_udp_sctp(struct cur *c, struct st_pkt *p, bool udp)
{
    uint16_t *sport = udp ? &p->l4.udp.sport : &p->l4.sctp.sport;
    uint16_t *dport = udp ? &p->l4.udp.dport : &p->l4.sctp.dport;
    bool sk = true, dk = true;

    p->proto = udp ? ST_IPPROTO_UDP : ST_IPPROTO_SCTP;
    bool bracket = open_block(c);
    if (!port_pair(c, p, sport, dport, &sk, &dk) ||
        !kv_list(c, p, udp ? KV_UDP : KV_SCTP, bracket ? ']' : '\0', !bracket))
        return false;
    if (!sk)
        set_fragment(p);
    return close_block(c, p, bracket);
}

/* Fill the quoted datagram from the words nmap printed for an unreachable. */
static bool icmp_desc(struct st_pkt *p, const char *d, size_t n)
{
    struct st_icmp *m = &p->l4.icmp;
    struct st_quote *q = &m->quote;
    char buf[128];

    if (n >= sizeof buf)
        return false;
    memcpy(buf, d, n);
    buf[n] = '\0';
    if (m->type != ST_ICMP_DEST_UNREACH || !strncmp(buf, "Destination unreachable (", 25))
        return true;
    q->present = true;
    q->ip.ihl = 5;
    q->len = 28;
    q->l4len = 8;
    q->ip.len = 28;
    if (m->code == ST_ICMP_UNREACH_PROTO) {
        unsigned long v;
        char *e;
        v = strtoul(buf + 9, &e, 10);
        if (strncmp(buf, "Protocol ", 9) || v > 255)
            return false;
        q->ip.proto = (uint8_t)v;
        return true;
    }
    if (m->code == ST_ICMP_UNREACH_PORT) {
        q->ip.proto = ST_IPPROTO_UDP;
        if (!strcmp(buf, "Port unreachable"))
            return true;
        unsigned long v;
        char *e;
        v = strtoul(buf + 5, &e, 10);
        if (strncmp(buf, "Port ", 5) || v > 65535 || strcmp(e, " unreachable"))
            return false;
        q->dport = (uint16_t)v;
        q->len = 29; /* more than 8 transport bytes: nmap then names the port */
        q->l4len = 9;
        return true;
    }
    /* The other codes name the original destination, if any. */
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " "))
        if (st_ip4_parse(w, &q->ip.dst))
            return true;
    return true;
}

static bool parse_icmp(struct cur *c, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;
    unsigned long type, code;

    p->proto = ST_IPPROTO_ICMP;
    bool bracket = open_block(c);
    if (!addr(c, p, true, "bad ICMP source") || !lit(c, " > ", "expected ' > '") ||
        !addr(c, p, false, "bad ICMP destination") || !lit(c, " ", "expected description"))
        return false;
    if (!bracket && at(c, "fragment ")) {
        /* a later fragment: no ICMP header, so neither type nor code */
        p->flags |= ST_PKT_FRAGMENT;
        return kv_list(c, p, KV_IP, '\0', true);
    }
    if (!bracket && at(c, "[??] ")) {
        /* no ICMP header at all (-PO's protocol 1 over IPv6 is an empty
         * payload): nmap knows neither type nor code */
        c->s += 5;
        p->flags |= ST_PKT_L4_SHORT;
        return kv_list(c, p, KV_IP, '\0', true);
    }
    /* The description runs to the last " (type=" of the line. */
    char *desc = c->s, *tp = NULL;
    for (char *q = c->s; q + 7 <= c->end; q++)
        if (!memcmp(q, " (type=", 7))
            tp = q;
    if (!tp)
        return fail(c, "expected '(type='");
    c->s = tp;
    if (!lit(c, " (type=", "expected '(type='") || !num(c, 255, &type, "bad ICMP type") ||
        !lit(c, "/code=", "expected '/code='") || !num(c, 255, &code, "bad ICMP code") ||
        !lit(c, ") ", "expected ') '"))
        return false;
    m->type = (uint8_t)type;
    m->code = (uint8_t)code;
    if (!icmp_desc(p, desc, (size_t)(tp - desc)))
        return fail(c, "bad ICMP description");
    if (!bracket) {
        p->flags |= ST_PKT_L4_SHORT;
        return kv_list(c, p, KV_IP, '\0', true);
    }
    return kv_list(c, p, KV_ICMP, ']', false) && close_block(c, p, true);
}

/* "igmp (2) a > b: ipinfo", "Unknown protocol (n) ...", "ICMPv6 (58) a > b (type..." */
static bool parse_other(struct cur *c, struct st_pkt *p)
{
    unsigned long proto;
    char *name = c->s;
    char *open = NULL;

    for (char *q = c->s; q + 1 < c->end; q++)
        if (q[0] == ' ' && q[1] == '(') {
            open = q;
            break;
        }
    if (!open)
        return fail(c, "unknown packet description");
    c->s = open;
    if (!lit(c, " (", "expected '('") || !num(c, 255, &proto, "bad protocol number") ||
        !lit(c, ") ", "expected ') '"))
        return false;
    size_t nlen = (size_t)(open - name);
    bool unknown = nlen == 16 && !memcmp(name, "Unknown protocol", 16);
    bool icmp6 = nlen == 6 && !memcmp(name, "ICMPv6", 6);
    const char *known = st_proto_name((unsigned)proto);
    if (!unknown && !icmp6 && (!known || strlen(known) != nlen || memcmp(known, name, nlen)))
        return fail(c, "protocol name does not match its number");
    p->proto = (uint8_t)proto;
    if (!addr(c, p, true, "bad source address") || !lit(c, " > ", "expected ' > '"))
        return false;
    char *a = token(c, " ");
    /* "b:" ends the addresses, except after ICMPv6's, whose own "::" may end it */
    bool colon = !icmp6 && c->s > a && c->s[-1] == ':';
    uint32_t *d4 = &p->ip.dst;
    if (!(parse_ip4_span(a, c->s - colon, d4) || (parse_ip6_span(a, c->s - colon, p->ip6.dst))))
        return fail(c, "bad destination address");
    if (icmp6) {
        unsigned long type, code;
        if (!lit(c, " (type=", "expected '(type='") || !num(c, 255, &type, "bad ICMPv6 type") ||
            !lit(c, "/code=", "expected '/code='") || !num(c, 255, &code, "bad ICMPv6 code") ||
            !lit(c, ")", "expected ')'"))
            return false;
        p->l4.icmp.type = (uint8_t)type;
        p->l4.icmp.code = (uint8_t)code;
        /* nmap prints no echo id or seq: unknown, not 0 */
        if (type == ST_ICMP6_ECHO_REQUEST || type == ST_ICMP6_ECHO_REPLY)
            p->flags |= ST_PKT_NO_ECHO_ID;
    } else if (!colon) {
        return fail(c, "expected ':' after destination");
    }
    return kv_list(c, p, KV_IP, '\0', true);
}

/*
 * nmap's ND reader (tcpip.cc, PacketTrace::traceND): "neighbor advertisement
 * A > B T is at MAC", "neighbor solicitation A > B who has T", or "packet
 * too short" / "no link-layer address" in place of the description. No IP
 * fields follow.
 */
static bool parse_nd(struct cur *c, struct st_pkt *p, bool advert)
{
    struct st_icmp *m = &p->l4.icmp;
    p->proto = ST_IPPROTO_ICMPV6;
    p->flags |= ST_PKT_ND_TRACE;
    m->type = advert ? ST_ICMP6_NEIGHBOR_ADVERT : ST_ICMP6_NEIGHBOR_SOLICIT;
    p->ip6.hopl = 255; /* RFC 4861 7.1.2: ND that is not 255 is dropped */
    if (!addr(c, p, true, "bad ND source") || !lit(c, " > ", "expected ' > '") ||
        !addr(c, p, false, "bad ND destination") || !lit(c, " ", "expected ND description"))
        return false;
    if (p->net != ST_NET_IPV6)
        return fail(c, "ND between IPv4 addresses");
    if (at(c, "packet too short") || (advert && at(c, "no link-layer address"))) {
        /* the target is not printed; an advertisement without the option
         * had at least its fixed 24 bytes */
        p->ip6.plen = at(c, "packet too short") ? 0 : 24;
        c->s = c->end;
        p->flags |= ST_PKT_L4_SHORT;
        return true;
    }
    if (!advert && !lit(c, "who has ", "expected 'who has'"))
        return false;
    char *t = token(c, " ");
    if (!parse_ip6_span(t, c->s, m->nd_target))
        return fail(c, "bad ND target address");
    m->nd_has_target = true;
    if (!advert)
        return c->s == c->end || fail(c, "trailing text after ND");
    m->nd_has_mac = true;
    return lit(c, " is at ", "expected 'is at'") && mac_at_end(c, m->nd_mac);
}

static bool parse_desc_cur(struct cur *c, struct st_pkt *p)
{
    p->ip.ihl = 5;
    if (at(c, "ARP "))
        return c->s += 4, parse_arp(c, p);
    if (at(c, "TCP "))
        return c->s += 4, parse_tcp(c, p);
    if (at(c, "UDP "))
        return c->s += 4, parse_udp_sctp(c, p, true);
    if (at(c, "SCTP "))
        return c->s += 5, parse_udp_sctp(c, p, false);
    if (at(c, "ICMP "))
        return c->s += 5, parse_icmp(c, p);
    if (at(c, "neighbor advertisement "))
        return c->s += 23, parse_nd(c, p, true);
    if (at(c, "neighbor solicitation "))
        return c->s += 22, parse_nd(c, p, false);
    if (at(c, "BOGUS!"))
        return fail(c, "nmap could not parse this packet (BOGUS!)");
    return parse_other(c, p);
}

/* Fields a line implies without printing them. */
static void finish(struct st_pkt *p)
{
    if (p->net == ST_NET_IPV4) {
        p->ip.proto = p->proto;
        if (p->ip.ihl == 5 && p->ip.optlen)
            p->ip.ihl = (uint8_t)(5 + (p->ip.optlen + 3) / 4);
        unsigned hlen = (unsigned)p->ip.ihl * 4;
        p->l4len = p->ip.len > hlen ? (uint16_t)(p->ip.len - hlen) : 0;
    } else if (p->net == ST_NET_IPV6) {
        p->ip6.nh = p->proto;
        p->l4len = p->ip6.plen;
    }
    /* an ND line prints no payload length: its fixed part and the option */
    if (p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.nd_has_target && !p->ip6.plen)
        p->l4len = p->ip6.plen = p->l4.icmp.nd_has_mac ? 32 : 24;
    /* a line that showed a whole transport header had at least that much,
     * whatever its IP fields say (they may disagree: -d3's ihl): keep the
     * record saying what the line said (fuzz/regress) */
    if (!(p->flags & (ST_PKT_L4_SHORT | ST_PKT_FRAGMENT))) {
        uint16_t need = p->proto == ST_IPPROTO_TCP                                  ? 20
                        : p->proto == ST_IPPROTO_SCTP                               ? 12
                        : p->proto == ST_IPPROTO_UDP || p->proto == ST_IPPROTO_ICMP ? 8
                                                                                    : 0;
        if (p->l4len < need)
            p->l4len = need;
    }
    if (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6)
        p->l4.icmp.len = p->l4len;
}

static size_t copy_trimmed(char *dst, size_t size, const char *src)
{
    size_t n = strcspn(src, "\r\n");
    if (n >= size)
        return (size_t)-1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

static void set_err(char *err, size_t errsz, const char *why)
{
    if (err && errsz)
        snprintf(err, errsz, "%s", why ? why : "unreadable packet line");
}

enum st_parse_rc st_parse_desc(const char *desc, struct st_pkt *out, char *err, size_t errsz)
{
    char buf[LINE_MAX_];
    size_t n = copy_trimmed(buf, sizeof buf, desc);

    st_pkt_init(out);
    if (n == (size_t)-1) {
        set_err(err, errsz, "line too long");
        return ST_PARSE_BAD;
    }
    struct cur c = {buf, buf + n, NULL};
    if (!parse_desc_cur(&c, out) || c.s != c.end) {
        set_err(err, errsz, c.why ? c.why : "trailing text");
        return ST_PARSE_BAD;
    }
    finish(out);
    return ST_PARSE_OK;
}

/* "(12.3456s)" -> nanoseconds, exactly (no floating point). */
static bool parse_time(struct cur *c, int64_t *ns)
{
    unsigned long sec;
    int64_t frac = 0, scale = 100000000;

    if (!lit(c, "(", "expected '('") || !num(c, 100000000UL, &sec, "bad time"))
        return false;
    if (at(c, ".")) {
        c->s++;
        if (c->s >= c->end || *c->s < '0' || *c->s > '9')
            return fail(c, "bad time");
        while (c->s < c->end && *c->s >= '0' && *c->s <= '9') {
            frac += (*c->s - '0') * scale;
            scale /= 10;
            c->s++;
        }
    }
    if (!lit(c, "s) ", "expected 's) ' after the time"))
        return false;
    *ns = (int64_t)sec * 1000000000 + frac;
    return true;
}

enum st_detail st_line_detail(const char *line)
{
    if (strstr(line, "ver=4 ihl=") || strstr(line, "ver=6, tclass="))
        return ST_DETAIL_HIGH;
    if (strstr(line, " proto=") || strstr(line, " tclass="))
        return ST_DETAIL_MEDIUM;
    return ST_DETAIL_LOW;
}

/* The errno whose strerror() text nmap printed, 0 for "Connected". */
static bool conn_result(const char *text, int *err)
{
    if (!strcmp(text, "Connected")) {
        *err = 0;
        return true;
    }
    for (int e = 1; e < 134; e++)
        if (!strcmp(text, strerror(e))) {
            *err = e;
            return true;
        }
    return false;
}

/* A connect record's fields once its address, port and result are known. */
static void conn_record(struct st_pkt *out, int64_t t, uint16_t port)
{
    out->flags |= ST_PKT_CONNECT;
    out->time_ns = t;
    out->proto = out->ip.proto = ST_IPPROTO_TCP;
    if (out->net == ST_NET_IPV6)
        out->ip6.nh = ST_IPPROTO_TCP;
    out->l4.tcp.dport = port;
    if (out->conn_errno == EINPROGRESS) {
        out->dir = ST_DIR_SENT;
        out->l4.tcp.flags = ST_TCP_SYN;
    } else {
        out->dir = ST_DIR_RCVD;
        out->l4.tcp.flags = out->conn_errno == 0              ? ST_TCP_SYN | ST_TCP_ACK
                            : out->conn_errno == ECONNREFUSED ? ST_TCP_RST | ST_TCP_ACK
                                                              : 0;
    }
}

/* "CONN (t) TCP localhost > a.b.c.d:port => result"; IPv6 unbracketed,
 * "TCP localhost > 2001:2:0:3::2:443 => ..." (split at the last colon) */
static enum st_parse_rc parse_conn(const char *line, struct st_pkt *out, char *err, size_t errsz)
{
    char buf[LINE_MAX_];
    size_t n = copy_trimmed(buf, sizeof buf, line);
    int64_t t;
    uint16_t port = 0;
    bool known = true;

    if (n == (size_t)-1) {
        set_err(err, errsz, "line too long");
        return ST_PARSE_BAD;
    }
    struct cur c = {buf + 5, buf + n, NULL};
    if (!parse_time(&c, &t) || !lit(&c, "TCP localhost > ", "expected 'TCP localhost > '") ||
        !addr_port(&c, out, false, &port, &known) || !known ||
        (out->net != ST_NET_IPV4 && out->net != ST_NET_IPV6) ||
        !lit(&c, " => ", "expected ' => '")) {
        set_err(err, errsz, c.why ? c.why : "bad CONN line");
        return ST_PARSE_BAD;
    }
    if (!conn_result(c.s, &out->conn_errno)) {
        set_err(err, errsz, "unknown connect() result");
        return ST_PARSE_BAD;
    }
    conn_record(out, t, port);
    return ST_PARSE_OK;
}

/* nping --tcp-connect's lines, connect records as nmap's CONN lines:
 * "SENT (t) Starting TCP Handshake > A:P" (issued),
 * "RCVD (t) Handshake with A:P completed" (connected),
 * "RCVD (t) Possible TCP RST received from A:P --> Connection refused".
 * ST_PARSE_NOT_PACKET when the line is none of them. */
static enum st_parse_rc parse_nping_conn(const char *line, struct st_pkt *out, char *err,
                                         size_t errsz)
{
    static const struct {
        const char *lead, *tail;
        int err; /* -1: the text after " --> " says */
    } forms[] = {
        {"Starting TCP Handshake > ", "", EINPROGRESS},
        {"Handshake with ", " completed", 0},
        {"Possible TCP RST received from ", " --> ", -1},
    };
    char buf[LINE_MAX_];
    size_t n = copy_trimmed(buf, sizeof buf, line);
    if (n == (size_t)-1)
        return ST_PARSE_NOT_PACKET;
    struct cur c = {buf + 5, buf + n, NULL};
    int64_t t;
    if (!parse_time(&c, &t))
        return ST_PARSE_NOT_PACKET;
    for (size_t k = 0; k < sizeof forms / sizeof *forms; k++) {
        if (!at(&c, forms[k].lead))
            continue;
        c.s += strlen(forms[k].lead);
        uint16_t port = 0;
        bool known = true;
        char *tail = forms[k].tail[0] ? strstr(c.s, forms[k].tail) : NULL;
        if (tail) /* the address ends where the tail begins */
            *tail = '\0', c.end = tail;
        if (!addr_port(&c, out, false, &port, &known) || !known ||
            (out->net != ST_NET_IPV4 && out->net != ST_NET_IPV6) || c.s != c.end ||
            (forms[k].tail[0] && !tail)) {
            set_err(err, errsz, "bad nping handshake line");
            return ST_PARSE_BAD;
        }
        out->conn_errno = forms[k].err;
        if (forms[k].err < 0 && !conn_result(tail + strlen(forms[k].tail), &out->conn_errno)) {
            set_err(err, errsz, "unknown connect() result");
            return ST_PARSE_BAD;
        }
        conn_record(out, t, port);
        return ST_PARSE_OK;
    }
    return ST_PARSE_NOT_PACKET;
}

enum st_parse_rc st_parse_line(const char *line, struct st_pkt *out, char *err, size_t errsz)
{
    char buf[LINE_MAX_];
    enum st_dir dir;

    st_pkt_init(out);
    if (!strncmp(line, "CONN (", 6))
        return parse_conn(line, out, err, errsz);
    if (!strncmp(line, "SENT (", 6))
        dir = ST_DIR_SENT;
    else if (!strncmp(line, "RCVD (", 6))
        dir = ST_DIR_RCVD;
    else
        return ST_PARSE_NOT_PACKET;
    /* (a look at the description's first word first: a sweep's trace has
     * a million lines, none of them nping's handshakes) */
    const char *d = strstr(line + 6, ") ");
    if (d && (d[2] == 'H' || d[2] == 'P' || !strncmp(d + 2, "Starting ", 9))) {
        enum st_parse_rc nc = parse_nping_conn(line, out, err, errsz);
        if (nc != ST_PARSE_NOT_PACKET)
            return nc;
        st_pkt_init(out);
    }

    size_t n = copy_trimmed(buf, sizeof buf, line);
    if (n == (size_t)-1) {
        set_err(err, errsz, "line too long");
        return ST_PARSE_BAD;
    }
    struct cur c = {buf + 5, buf + n, NULL};
    int64_t t = 0;
    if (!parse_time(&c, &t) || !parse_desc_cur(&c, out) || c.s != c.end) {
        set_err(err, errsz, c.why ? c.why : "trailing text");
        return ST_PARSE_BAD;
    }
    finish(out);
    out->dir = dir;
    out->time_ns = t;
    return ST_PARSE_OK;
}
