/*
 * Altered packets: a packet line matched to its frame by identity (IP id,
 * ports, seq, ICMP id...) whose frame shows other header values than the
 * line prints. The identity proves it is the packet the scanner made; the
 * other values say something between the scanner and the wire changed it:
 * a firewall of the scanner's host rewriting the TTL (`ip ttl set 64`),
 * clamping the MSS (`tcp option maxseg size set 1200`), a kernel filling a
 * field. "consistent" would then say the trace shows what went out, and it
 * does not: the pair is a discrepancy, named by its first altered field.
 *
 * Checked: the fields nmap prints at every -d level (and scan, byte for
 * byte): IPv4 TTL and total length, IPv6 hop limit and payload length, the
 * TCP window and MSS. Not the IP id, flow label or ports: they are the
 * identity (a line of IP id 0 takes the kernel's id, as a flow label of 0
 * takes the kernel's label). A fragment's length is its own, not its
 * datagram's, and a frame cut by the snap length lacks what was cut: both
 * are left alone (a cut TCP header's options too). A capture taken past a router shows every probe
 * some hops lower and every reply as many hops higher (causes.c's past_router; a few hops, MAX_HOPS
 * at most); a capture of two points (copies.c) shows either: a difference of 0 or of that one hop
 * count, in the router's direction, is no alteration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"

/* More routers than this between the scanner and a capture is no path but
 * a rewritten TTL (255 to 64: a kernel's own hop limit). */
#define MAX_HOPS 32

/* A TCP header's MSS option (kind 2), or -1 without one. */
static int tcp_mss(const struct st_tcp *t)
{
    for (size_t i = 0; i < t->optlen;) {
        uint8_t kind = t->opts[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= t->optlen || t->opts[i + 1] < 2)
            break;
        if (kind == 2 && t->opts[i + 1] == 4 && i + 3 < t->optlen)
            return t->opts[i + 2] << 8 | t->opts[i + 3];
        i += t->opts[i + 1];
    }
    return -1;
}

/* Whether a line's hop count (TTL or hop limit) `line` fits its frame's
 * `wire`: the same, or `hops` fewer for a probe (more for a reply) past a
 * router. */
static bool hops_fit(enum st_dir dir, unsigned line, unsigned wire, unsigned hops)
{
    if (line == wire || hops == ST_ANY_HOPS)
        return true;
    return hops && (dir == ST_DIR_SENT ? wire + hops == line : line + hops == wire);
}

static bool is_fragment(const struct st_pkt *p)
{
    if (p->flags & ST_PKT_FRAGMENT)
        return true;
    return p->net == ST_NET_IPV4 ? (p->ip.frag & 0x3fff) != 0 : p->ip6.frag;
}

/* The packets this rule reads: a packet line (no CONN, ARP or nmap's ND
 * reader's line) and a frame decoded whole, of the same network layer. */
static bool checkable(const struct st_pkt *line, const struct st_pkt *wire)
{
    unsigned skip = ST_PKT_CONNECT | ST_PKT_ND_TRACE | ST_PKT_TRUNCATED | ST_PKT_MALFORMED;
    if ((line->flags & skip) || (wire->flags & skip))
        return false;
    return line->net == wire->net && (line->net == ST_NET_IPV4 || line->net == ST_NET_IPV6);
}

/* Appends one field's difference to why ("ttl=48 in its line, ttl=64 on
 * the wire", "; " between two); true. */
static bool differs(char *why, size_t n, const char *field, const char *line, const char *wire)
{
    size_t used = strlen(why);
    if (used < n)
        snprintf(why + used, n - used, "%s%s%s in its line, %s%s on the wire", used ? "; " : "",
                 field, line, field, wire);
    return true;
}

static bool differs_u(char *why, size_t n, const char *field, unsigned line, unsigned wire)
{
    char a[12], b[12];
    snprintf(a, sizeof a, "=%u", line);
    snprintf(b, sizeof b, "=%u", wire);
    return differs(why, n, field, a, b);
}

static bool ip_altered(const struct st_pkt *line, const struct st_pkt *wire, unsigned hops,
                       char *why, size_t n)
{
    bool frag = is_fragment(line) || is_fragment(wire), any = false;
    if (line->net == ST_NET_IPV4) {
        if (line->ip.ttl && !hops_fit(line->dir, line->ip.ttl, wire->ip.ttl, hops))
            any = differs_u(why, n, "ttl", line->ip.ttl, wire->ip.ttl);
        if (line->ip.len && !frag && line->ip.len != wire->ip.len)
            any = differs_u(why, n, "iplen", line->ip.len, wire->ip.len);
        return any;
    }
    if (line->ip6.hopl && !hops_fit(line->dir, line->ip6.hopl, wire->ip6.hopl, hops))
        any = differs_u(why, n, "hopl", line->ip6.hopl, wire->ip6.hopl);
    if (line->ip6.plen && !frag && line->ip6.plen != wire->ip6.plen)
        any = differs_u(why, n, "payloadlen", line->ip6.plen, wire->ip6.plen);
    return any;
}

static bool tcp_altered(const struct st_pkt *line, const struct st_pkt *wire, char *why, size_t n)
{
    if (line->proto != ST_IPPROTO_TCP || wire->proto != ST_IPPROTO_TCP || is_fragment(wire) ||
        (line->flags & ST_PKT_L4_SHORT) || (wire->flags & ST_PKT_L4_SHORT))
        return false;
    bool any = false;
    if (line->l4.tcp.win != wire->l4.tcp.win)
        any = differs_u(why, n, "win", line->l4.tcp.win, wire->l4.tcp.win);
    /* the options of a frame the snap length cut may be past the cut */
    if (wire->origlen && wire->caplen < wire->origlen)
        return any;
    int a = tcp_mss(&line->l4.tcp), b = tcp_mss(&wire->l4.tcp);
    if (a == b)
        return any;
    char x[12] = " none", y[12] = " none"; /* one side may have no MSS option */
    if (a >= 0)
        snprintf(x, sizeof x, " %d", a);
    if (b >= 0)
        snprintf(y, sizeof y, " %d", b);
    return differs(why, n, "mss", x, y);
}

bool st_pkt_altered(const struct st_pkt *line, const struct st_pkt *wire, unsigned hops, char *why,
                    size_t n)
{
    if (n)
        why[0] = '\0';
    if (!checkable(line, wire))
        return false;
    bool ip = ip_altered(line, wire, hops, why, n);
    return tcp_altered(line, wire, why, n) || ip;
}

/* The hops between the scanner and a capture taken past a router: how much
 * lower than its line the first probe's frame shows its TTL (hop limit), 0
 * when none does. */
unsigned st_capture_hops(const struct st_comparison *c)
{
    struct st_pkt tp, fp;
    for (size_t i = 0; i < c->trace->npkts; i++) {
        if (c->t2f[i] < 0)
            continue;
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &tp);
        if (p->dir != ST_DIR_SENT)
            continue;
        const struct st_pkt *f = st_store_get(&c->cap->frames, (size_t)c->t2f[i], &fp);
        if (!checkable(p, f))
            continue;
        unsigned line = p->net == ST_NET_IPV4 ? p->ip.ttl : p->ip6.hopl;
        unsigned wire = f->net == ST_NET_IPV4 ? f->ip.ttl : f->ip6.hopl;
        if (line && wire < line && line - wire <= MAX_HOPS)
            return line - wire;
    }
    return 0;
}

void st_altered_find(struct st_comparison *c)
{
    unsigned hops = st_capture_hops(c);
    struct st_pkt tp, fp;
    c->altered_hops = hops;
    char why[192];
    for (size_t i = 0; i < c->trace->npkts; i++) {
        if (c->t2f[i] < 0)
            continue;
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &tp);
        const struct st_pkt *f = st_store_get(&c->cap->frames, (size_t)c->t2f[i], &fp);
        if (!st_pkt_altered(p, f, hops, why, sizeof why))
            continue;
        if (!c->taltered) {
            c->taltered = calloc(c->trace->npkts, 1);
            if (!c->taltered)
                abort();
            c->altered_first = i;
        }
        c->taltered[i] = 1;
        c->altered++;
    }
}

bool st_altered_why(const struct st_comparison *c, size_t ti, char *why, size_t n)
{
    if (!c->taltered || !c->taltered[ti])
        return false;
    struct st_pkt tp, fp;
    const struct st_pkt *p = st_trace_pkt(c->trace, ti, &tp);
    const struct st_pkt *f = st_store_get(&c->cap->frames, (size_t)c->t2f[ti], &fp);
    return st_pkt_altered(p, f, c->altered_hops, why, n);
}
