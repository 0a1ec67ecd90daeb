/*
 * nmap 7.93 LOW-detail trace text of a packet record (doc/nmap-notes.md,
 * "Trace lines"). The quirks are nmap's and kept on purpose: the IPv4 info block
 * ends in a space when there are no IP options (hence "iplen=44  seq=" and
 * "iplen=28 ]"), TCP lines never show ack=, ARP MACs are upper case, and a
 * port unreachable names the port only when more than 8 transport bytes of
 * the original datagram were quoted.
 */
#include "pkt_format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nmap_rules.h"
#include "pkt_ipopts.h"
#include "pkt_protonames.h"
#include "util.h"

static void put_ip4(struct st_sb *sb, uint32_t a)
{
    char s[16];
    st_ip4_str(a, s);
    st_sb_puts(sb, s);
}

static void put_ip6(struct st_sb *sb, const uint8_t a[16])
{
    char s[INET6_ADDRSTRLEN];
    if (!inet_ntop(AF_INET6, a, s, sizeof s))
        s[0] = '\0';
    st_sb_puts(sb, s);
}

static void put_src(struct st_sb *sb, const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        put_ip6(sb, p->ip6.src);
    else
        put_ip4(sb, p->ip.src);
}

static void put_dst(struct st_sb *sb, const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        put_ip6(sb, p->ip6.dst);
    else
        put_ip4(sb, p->ip.dst);
}

/* IP options in nmap's words (pkt_ipopts.c). */
static void put_ipopts(struct st_sb *sb, const struct st_ipv4 *ip)
{
    if (!ip->optlen)
        return;
    st_sb_puts(sb, "ipopts={");
    st_ipopts_format(sb, ip->opts, ip->optlen);
    st_sb_puts(sb, "}");
}

static void put_ipinfo6(struct st_sb *sb, const struct st_pkt *p, enum st_detail level)
{
    const struct st_ipv6 *ip6 = &p->ip6;

    if (level == ST_DETAIL_LOW) {
        st_sb_printf(sb, "hopl=%u flow=%x payloadlen=%u", ip6->hopl, (unsigned)ip6->flow,
                     ip6->plen);
    } else if (level == ST_DETAIL_MEDIUM) {
        st_sb_printf(sb, "hopl=%u tclass=%u flow=%x payloadlen=%u", ip6->hopl, ip6->tclass,
                     (unsigned)ip6->flow, ip6->plen);
    } else {
        const char *nh = st_proto_name(ip6->nh);
        st_sb_printf(sb, "ver=6, tclass=%x flow=%x payloadlen=%u nh=%s hopl=%u ", ip6->tclass,
                     (unsigned)ip6->flow, ip6->plen, nh ? nh : "unknown", ip6->hopl);
    }
}

/*
 * The IP info block. LOW and MEDIUM end in a space (before the options, if
 * any); HIGH lists every header field and ends without one.
 */
static void put_ipinfo(struct st_sb *sb, const struct st_pkt *p, enum st_detail level)
{
    if (p->net == ST_NET_IPV6) {
        put_ipinfo6(sb, p, level);
        return;
    }
    const struct st_ipv4 *ip = &p->ip;
    unsigned off = (unsigned)(ip->frag & 0x1fff) * 8;
    bool more = ip->frag & 0x2000;
    if (level == ST_DETAIL_HIGH) {
        st_sb_printf(sb, "ver=4 ihl=%u tos=0x%02x iplen=%u id=%u", ip->ihl, ip->tos, ip->len,
                     ip->id);
        if (ip->frag & 0xe000)
            st_sb_printf(sb, " flg=%s%s%s", (ip->frag & 0x8000) ? "x" : "",
                         (ip->frag & 0x4000) ? "D" : "", more ? "M" : "");
        st_sb_printf(sb, " foff=%u%s ttl=%u proto=%u csum=0x%04x", off, more ? "+" : "", ip->ttl,
                     ip->proto, ip->csum);
        if (ip->optlen) {
            st_sb_puts(sb, " ");
            put_ipopts(sb, ip);
        }
        return;
    }
    if (level == ST_DETAIL_MEDIUM)
        st_sb_printf(sb, "ttl=%u id=%u proto=%u csum=0x%04x iplen=%u", ip->ttl, ip->id, ip->proto,
                     ip->csum, ip->len);
    else
        st_sb_printf(sb, "ttl=%u id=%u iplen=%u", ip->ttl, ip->id, ip->len);
    if (off || more)
        st_sb_printf(sb, " frag offset=%u%s", off, more ? "+" : "");
    st_sb_puts(sb, " ");
    put_ipopts(sb, ip);
}

static void put_tcpflags(struct st_sb *sb, uint8_t f)
{
    static const struct {
        uint8_t bit;
        char c;
    } order[] = {{ST_TCP_SYN, 'S'}, {ST_TCP_FIN, 'F'}, {ST_TCP_RST, 'R'}, {ST_TCP_PSH, 'P'},
                 {ST_TCP_ACK, 'A'}, {ST_TCP_URG, 'U'}, {ST_TCP_ECE, 'E'}, {ST_TCP_CWR, 'C'}};
    char s[9];
    size_t n = 0;

    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (f & order[i].bit)
            s[n++] = order[i].c;
    s[n] = '\0';
    st_sb_puts(sb, s);
}

/*
 * TCP options as "<mss 1460,sackOK,timestamp 1 0,nop,wscale 7>". An option
 * that runs past the header makes the whole list "option incomplete"; an
 * option that cannot be read at all gives an empty list.
 */
static void put_tcpopts(struct st_sb *sb, const struct st_tcp *t)
{
    char buf[256];
    struct st_sb o;
    const uint8_t *op = t->opts;
    size_t n = t->optlen, i = 0;

    if (!n)
        return;
    st_sb_init(&o, buf, sizeof buf);
    st_sb_puts(&o, "<");
    while (i < n) {
        uint8_t kind = op[i];
        if (i)
            st_sb_puts(&o, ",");
        if (kind == 0) {
            st_sb_puts(&o, "eol");
            i++;
            continue;
        }
        if (kind == 1) {
            st_sb_puts(&o, "nop");
            i++;
            continue;
        }
        if (i + 1 >= n || op[i + 1] < 2 || i + op[i + 1] > n) {
            st_sb_puts(sb, "option incomplete");
            return;
        }
        uint8_t len = op[i + 1];
        const uint8_t *v = op + i + 2;
        if (kind == 2 && len == 4) {
            st_sb_printf(&o, "mss %u", (unsigned)(v[0] << 8 | v[1]));
        } else if (kind == 3 && len == 3) {
            st_sb_printf(&o, "wscale %u", v[0]);
        } else if (kind == 4 && len == 2) {
            st_sb_puts(&o, "sackOK");
        } else if (kind == 5 && (len - 2) % 8 == 0) {
            st_sb_printf(&o, "sack %u ", (unsigned)(len - 2) / 8);
            for (unsigned b = 0; b + 8 <= (unsigned)len - 2; b += 8) {
                uint32_t l = (uint32_t)v[b] << 24 | (uint32_t)v[b + 1] << 16 |
                             (uint32_t)v[b + 2] << 8 | v[b + 3];
                uint32_t r = (uint32_t)v[b + 4] << 24 | (uint32_t)v[b + 5] << 16 |
                             (uint32_t)v[b + 6] << 8 | v[b + 7];
                st_sb_printf(&o, "{%" PRIu32 ":%" PRIu32 "}", l, r);
            }
        } else if (kind == 8 && len == 10) {
            uint32_t a = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
            uint32_t b = (uint32_t)v[4] << 24 | (uint32_t)v[5] << 16 | (uint32_t)v[6] << 8 | v[7];
            st_sb_printf(&o, "timestamp %" PRIu32 " %" PRIu32, a, b);
        } else {
            return; /* unknown or malformed option: nmap prints nothing */
        }
        i += len;
    }
    st_sb_puts(&o, ">");
    if (st_sb_result(&o) >= 0)
        st_sb_puts(sb, buf);
}

/* "a:p > b:p", with nmap's "??" when the ports were not captured. */
static void put_endpoints(struct st_sb *sb, const struct st_pkt *p, bool known, unsigned sport,
                          unsigned dport)
{
    put_src(sb, p);
    if (known)
        st_sb_printf(sb, ":%u > ", sport);
    else
        st_sb_puts(sb, ":?? > ");
    put_dst(sb, p);
    if (known)
        st_sb_printf(sb, ":%u", dport);
    else
        st_sb_puts(sb, ":??");
}

static void put_tcp(struct st_sb *sb, const struct st_pkt *p, enum st_detail level)
{
    const struct st_tcp *t = &p->l4.tcp;
    bool ports = !(p->flags & ST_PKT_FRAGMENT) && p->l4len >= 4;

    if (!ports || (p->flags & ST_PKT_L4_SHORT)) {
        /* Not the whole fixed header: what nmap calls incomplete. */
        st_sb_puts(sb, "TCP ");
        put_endpoints(sb, p, ports, t->sport, t->dport);
        st_sb_puts(sb, " ?? ");
        put_ipinfo(sb, p, level);
        st_sb_puts(sb, " (incomplete)");
        return;
    }
    if (level == ST_DETAIL_LOW) {
        st_sb_puts(sb, "TCP ");
        put_endpoints(sb, p, true, t->sport, t->dport);
        st_sb_puts(sb, " ");
        put_tcpflags(sb, t->flags);
        st_sb_puts(sb, " ");
        put_ipinfo(sb, p, level);
        st_sb_printf(sb, " seq=%" PRIu32 " win=%u ", t->seq, t->win);
        put_tcpopts(sb, t);
        return;
    }
    st_sb_puts(sb, "TCP [");
    put_endpoints(sb, p, true, t->sport, t->dport);
    st_sb_puts(sb, " ");
    put_tcpflags(sb, t->flags);
    if (level == ST_DETAIL_MEDIUM)
        st_sb_printf(sb, " seq=%" PRIu32 " win=%u csum=0x%04X", t->seq, t->win, t->csum);
    else
        st_sb_printf(sb, " seq=%" PRIu32 " ack=%" PRIu32 " off=%u res=%u win=%u csum=0x%04X urp=%u",
                     t->seq, t->ack, t->off, t->res, t->win, t->csum, t->urp);
    if (t->optlen) {
        st_sb_puts(sb, " ");
        put_tcpopts(sb, t);
    }
    st_sb_puts(sb, "] IP [");
    put_ipinfo(sb, p, level);
    st_sb_puts(sb, "]");
}

/* UDP and SCTP: ports, then (MEDIUM/HIGH) length, tag and checksum. */
static void put_ports(struct st_sb *sb, const char *name, const struct st_pkt *p,
                      enum st_detail level)
{
    bool udp = p->proto == ST_IPPROTO_UDP;
    unsigned sport = udp ? p->l4.udp.sport : p->l4.sctp.sport;
    unsigned dport = udp ? p->l4.udp.dport : p->l4.sctp.dport;

    if (p->flags & (ST_PKT_FRAGMENT | ST_PKT_L4_SHORT)) {
        st_sb_printf(sb, "%s ", name);
        put_endpoints(sb, p, false, 0, 0);
        st_sb_puts(sb, " fragment ");
        put_ipinfo(sb, p, level);
        st_sb_puts(sb, " (incomplete)");
        return;
    }
    if (level == ST_DETAIL_LOW) {
        st_sb_printf(sb, "%s ", name);
        put_endpoints(sb, p, true, sport, dport);
        st_sb_puts(sb, " ");
        put_ipinfo(sb, p, level);
        return;
    }
    st_sb_printf(sb, "%s [", name);
    put_endpoints(sb, p, true, sport, dport);
    if (udp && level == ST_DETAIL_HIGH)
        st_sb_printf(sb, " len=%u", p->l4.udp.len);
    if (!udp && level == ST_DETAIL_HIGH)
        st_sb_printf(sb, " vtag=%" PRIu32, p->l4.sctp.vtag);
    if (udp)
        st_sb_printf(sb, " csum=0x%04X] IP [", p->l4.udp.csum);
    else
        st_sb_printf(sb, " csum=0x%08" PRIx32 "] IP [", p->l4.sctp.csum);
    put_ipinfo(sb, p, level);
    st_sb_puts(sb, "]");
}

/* The words between the addresses and "(type=..": nmap's names per type/code. */
static void put_icmp_desc(struct st_sb *sb, const struct st_icmp *m)
{
    /* NULL: protocol and port name a number, not the destination */
    static const char *const unreach[] = {
        [ST_ICMP_UNREACH_NET] = "Network %s unreachable",
        [ST_ICMP_UNREACH_HOST] = "Host %s unreachable",
        [ST_ICMP_UNREACH_PROTO] = NULL,
        [ST_ICMP_UNREACH_PORT] = NULL,
        [ST_ICMP_UNREACH_FRAG_NEEDED] = "Fragmentation required",
        [ST_ICMP_UNREACH_SRC_ROUTE] = "Source route failed",
        [ST_ICMP_UNREACH_NET_UNKNOWN] = "Destination network %s unknown",
        [ST_ICMP_UNREACH_HOST_UNKNOWN] = "Destination host %s unknown",
        [ST_ICMP_UNREACH_SRC_ISOLATED] = "Source host isolated",
        [ST_ICMP_UNREACH_NET_PROHIB] = "Destination network %s administratively prohibited",
        [ST_ICMP_UNREACH_HOST_PROHIB] = "Destination host %s administratively prohibited",
        [ST_ICMP_UNREACH_NET_TOS] = "Network %s unreachable for TOS",
        [ST_ICMP_UNREACH_HOST_TOS] = "Host %s unreachable for TOS",
        [ST_ICMP_UNREACH_FILTER_PROHIB] = "Communication administratively prohibited by filtering",
        [ST_ICMP_UNREACH_HOST_PRECEDENCE] = "Host precedence violation",
        [ST_ICMP_UNREACH_PRECEDENCE_CUTOFF] = "Precedence cutoff in effect",
    };
    const struct st_quote *q = &m->quote;
    char a[16];

    switch (m->type) {
    case ST_ICMP_ECHO_REPLY:
        st_sb_puts(sb, "Echo reply");
        return;
    case ST_ICMP_ECHO_REQUEST:
        st_sb_puts(sb, "Echo request");
        return;
    case ST_ICMP_DEST_UNREACH:
        if (m->code > ST_ICMP_UNREACH_PRECEDENCE_CUTOFF) {
            st_sb_puts(sb, "Destination unreachable (unknown code)");
        } else if (!q->present) {
            st_sb_puts(sb, "Destination unreachable (bogus original datagram)");
        } else if (m->code == ST_ICMP_UNREACH_PROTO) {
            st_sb_printf(sb, "Protocol %u unreachable", q->ip.proto);
        } else if (m->code == ST_ICMP_UNREACH_PORT) {
            /* nmap: the port only if more than the 8 transport bytes were quoted. */
            if ((unsigned)q->ip.ihl * 4 + 8 < q->len)
                st_sb_printf(sb, "Port %u unreachable", q->dport);
            else
                st_sb_puts(sb, "Port unreachable");
        } else {
            st_sb_printf(sb, unreach[m->code], st_ip4_str(q->ip.dst, a));
        }
        return;
    case ST_ICMP_SOURCE_QUENCH:
        st_sb_puts(sb, "Source quench");
        return;
    case ST_ICMP_REDIRECT: {
        static const char *const r[] = {
            [ST_ICMP_REDIRECT_NET] = "Network redirect",
            [ST_ICMP_REDIRECT_HOST] = "Host redirect",
            [ST_ICMP_REDIRECT_TOS_NET] = "Redirect for TOS and Network",
            [ST_ICMP_REDIRECT_TOS_HOST] = "Redirect for TOS and Host",
        };
        st_sb_puts(sb,
                   m->code <= ST_ICMP_REDIRECT_TOS_HOST ? r[m->code] : "Redirect (unknown code)");
        return;
    }
    case ST_ICMP_ROUTER_ADVERT:
        st_sb_puts(sb, "Router advertisement");
        return;
    case ST_ICMP_ROUTER_SOLICIT:
        st_sb_puts(sb, "Router solicitation");
        return;
    case ST_ICMP_TIME_EXCEEDED:
        st_sb_puts(sb, m->code == ST_ICMP_TIME_EXCEEDED_TRANSIT ? "TTL=0 during transit"
                       : m->code == ST_ICMP_TIME_EXCEEDED_REASSEMBLY
                           ? "TTL=0 during reassembly"
                           : "TTL exceeded (unknown code)");
        return;
    case ST_ICMP_PARAM_PROBLEM: {
        static const char *const pp[] = {
            [ST_ICMP_PARAM_PROBLEM_POINTER] = "Parameter problem (pointer indicates error)",
            [ST_ICMP_PARAM_PROBLEM_OPTION_MISSING] = "Parameter problem (option missing)",
            [ST_ICMP_PARAM_PROBLEM_BAD_LENGTH] = "Parameter problem (bad length)",
        };
        st_sb_puts(sb, m->code <= ST_ICMP_PARAM_PROBLEM_BAD_LENGTH
                           ? pp[m->code]
                           : "Parameter problem (unknown code)");
        return;
    }
    case ST_ICMP_TIMESTAMP_REQUEST:
        st_sb_puts(sb, "Timestamp request");
        return;
    case ST_ICMP_TIMESTAMP_REPLY:
        st_sb_puts(sb, "Timestamp reply");
        return;
    case ST_ICMP_INFO_REQUEST:
        st_sb_puts(sb, "Information request");
        return;
    case ST_ICMP_INFO_REPLY:
        st_sb_puts(sb, "Information reply");
        return;
    case ST_ICMP_MASK_REQUEST:
        st_sb_puts(sb, "Address mask request");
        return;
    case ST_ICMP_MASK_REPLY:
        st_sb_puts(sb, "Address mask reply");
        return;
    case ST_ICMP_TRACEROUTE:
        st_sb_puts(sb, "Traceroute");
        return;
    case ST_ICMP_DOMAIN_REQUEST:
        st_sb_puts(sb, "Domain name request");
        return;
    case ST_ICMP_DOMAIN_REPLY:
        st_sb_puts(sb, "Domain name reply");
        return;
    case ST_ICMP_SECURITY_FAILURES:
        st_sb_puts(sb, "Security failures");
        return;
    default:
        st_sb_puts(sb, "Unknown type");
        return;
    }
}

/* Fields after "(type=t/code=c) "; nothing for most errors. */
static void put_icmp_fields(struct st_sb *sb, const struct st_icmp *m)
{
    char a[16];

    switch (m->type) {
    case ST_ICMP_ECHO_REPLY:
    case ST_ICMP_ECHO_REQUEST:
    case ST_ICMP_INFO_REQUEST:
    case ST_ICMP_INFO_REPLY:
        st_sb_printf(sb, "id=%u seq=%u", m->id, m->seq);
        break;
    case ST_ICMP_TIMESTAMP_REQUEST:
    case ST_ICMP_TIMESTAMP_REPLY:
        st_sb_printf(sb, "id=%u seq=%u orig=%" PRIu32 " recv=%" PRIu32 " trans=%" PRIu32, m->id,
                     m->seq, m->orig, m->recv, m->trans);
        break;
    case ST_ICMP_MASK_REQUEST:
    case ST_ICMP_MASK_REPLY:
        st_sb_printf(sb, "id=%u seq=%u mask=%s", m->id, m->seq, st_ip4_str(m->mask, a));
        break;
    case ST_ICMP_DEST_UNREACH:
        if (m->code == ST_ICMP_UNREACH_FRAG_NEEDED)
            st_sb_printf(sb, "Next-Hop-MTU=%u", m->mtu);
        break;
    case ST_ICMP_REDIRECT:
        st_sb_printf(sb, "addr=%s", st_ip4_str(m->gateway, a));
        break;
    case ST_ICMP_PARAM_PROBLEM:
        if (m->code == ST_ICMP_PARAM_PROBLEM_POINTER)
            st_sb_printf(sb, "pointer=%u", m->pointer);
        break;
    default:
        break;
    }
}

static void put_icmp(struct st_sb *sb, const struct st_pkt *p, enum st_detail level)
{
    const struct st_icmp *m = &p->l4.icmp;

    if (p->flags & (ST_PKT_FRAGMENT | ST_PKT_L4_SHORT)) {
        /* Too short to know more than the addresses (and maybe the type). */
        st_sb_puts(sb, "ICMP ");
        put_src(sb, p);
        st_sb_puts(sb, " > ");
        put_dst(sb, p);
        st_sb_puts(sb, " ");
        if (p->flags & ST_PKT_FRAGMENT) {
            /* a later fragment holds no ICMP header: nmap 7.93's words
             * (netutil.cc), no type it could only have read as 0 */
            st_sb_puts(sb, "fragment ");
            put_ipinfo(sb, p, level);
            st_sb_puts(sb, " (incomplete)");
            return;
        }
        if (p->l4len < 8) {
            /* under 8 bytes nmap reads no ICMP header at all (-PO's empty
             * protocol 1 over IPv6): "ICMP a > b [??] ipinfo" */
            st_sb_puts(sb, "[??] ");
            put_ipinfo(sb, p, level);
            return;
        }
        put_icmp_desc(sb, m);
        st_sb_printf(sb, " (type=%u/code=%u) ", m->type, m->code);
        put_ipinfo(sb, p, level);
        return;
    }
    st_sb_puts(sb, "ICMP [");
    put_src(sb, p);
    st_sb_puts(sb, " > ");
    put_dst(sb, p);
    st_sb_puts(sb, " ");
    put_icmp_desc(sb, m);
    st_sb_printf(sb, " (type=%u/code=%u) ", m->type, m->code);
    put_icmp_fields(sb, m);
    st_sb_puts(sb, "] IP [");
    put_ipinfo(sb, p, level);
    st_sb_puts(sb, "]");
}

static void put_other(struct st_sb *sb, const struct st_pkt *p, enum st_detail level)
{
    const char *name = st_proto_name(p->proto);

    if (name)
        st_sb_printf(sb, "%s (%u) ", name, p->proto);
    else
        st_sb_printf(sb, "Unknown protocol (%u) ", p->proto);
    put_src(sb, p);
    st_sb_puts(sb, " > ");
    put_dst(sb, p);
    st_sb_puts(sb, ": ");
    put_ipinfo(sb, p, level);
}

static void put_arp(struct st_sb *sb, const struct st_arp *a)
{
    char s1[16], s2[16];

    /* nmap looks at the low byte of the opcode only: 1 is a request,
     * anything else is shown as a reply. */
    if ((a->op & 0xff) == 1) {
        st_sb_printf(sb, "ARP who-has %s tell %s", st_ip4_str(a->tpa, s1), st_ip4_str(a->spa, s2));
        return;
    }
    st_sb_printf(sb, "ARP reply %s is-at %02X:%02X:%02X:%02X:%02X:%02X", st_ip4_str(a->spa, s1),
                 a->sha[0], a->sha[1], a->sha[2], a->sha[3], a->sha[4], a->sha[5]);
}

/* nmap's ND reader's own layout (tcpip.cc, PacketTrace::traceND): no IP
 * fields, the target, and for an advertisement its link-layer address in
 * lower case (eth_ntoa). */
static void put_nd(struct st_sb *sb, const struct st_pkt *p)
{
    const struct st_icmp *m = &p->l4.icmp;
    bool advert = m->type == ST_ICMP6_NEIGHBOR_ADVERT;
    st_sb_puts(sb, advert ? "neighbor advertisement " : "neighbor solicitation ");
    put_src(sb, p);
    st_sb_puts(sb, " > ");
    put_dst(sb, p);
    st_sb_puts(sb, " ");
    if (!m->nd_has_target) {
        st_sb_puts(sb, advert && p->l4len >= 24 ? "no link-layer address" : "packet too short");
        return;
    }
    if (!advert) {
        st_sb_puts(sb, "who has ");
        put_ip6(sb, m->nd_target);
        return;
    }
    if (!m->nd_has_mac) {
        st_sb_puts(sb, "no link-layer address");
        return;
    }
    put_ip6(sb, m->nd_target);
    st_sb_printf(sb, " is at %02x:%02x:%02x:%02x:%02x:%02x", m->nd_mac[0], m->nd_mac[1],
                 m->nd_mac[2], m->nd_mac[3], m->nd_mac[4], m->nd_mac[5]);
}

int st_format_desc(const struct st_pkt *p, char *buf, size_t size)
{
    return st_format_desc_at(p, ST_DETAIL_LOW, buf, size);
}

int st_format_desc_at(const struct st_pkt *p, enum st_detail level, char *buf, size_t size)
{
    struct st_sb sb;

    st_sb_init(&sb, buf, size);
    switch (p->net) {
    case ST_NET_ARP:
        put_arp(&sb, &p->arp);
        break;
    case ST_NET_IPV4:
    case ST_NET_IPV6:
        if (p->net == ST_NET_IPV4 && (p->flags & (ST_PKT_MALFORMED | ST_PKT_TRUNCATED)) &&
            p->proto == 0) {
            st_sb_puts(&sb, "BOGUS!  Can't parse supposed IP packet");
            break;
        }
        switch (p->proto) {
        case ST_IPPROTO_TCP:
            put_tcp(&sb, p, level);
            break;
        case ST_IPPROTO_UDP:
            put_ports(&sb, "UDP", p, level);
            break;
        case ST_IPPROTO_SCTP:
            put_ports(&sb, "SCTP", p, level);
            break;
        case ST_IPPROTO_ICMP:
            /* nmap reads protocol 1 as ICMP whatever the IP version */
            put_icmp(&sb, p, level);
            break;
        case ST_IPPROTO_ICMPV6:
            if (p->flags & ST_PKT_ND_TRACE) {
                put_nd(&sb, p);
                break;
            }
            st_sb_puts(&sb, "ICMPv6 (58) ");
            put_src(&sb, p);
            st_sb_puts(&sb, " > ");
            put_dst(&sb, p);
            if (p->flags & ST_PKT_FRAGMENT) {
                /* nmap 7.93 reads a later fragment's data as an ICMPv6
                 * header (a type it never had): the words of IPv4's */
                st_sb_puts(&sb, " fragment ");
                put_ipinfo(&sb, p, level);
                st_sb_printf(&sb, " frag offset=%u%s (incomplete)", p->ip6.frag_off * 8u,
                             p->ip6.frag_more ? "+" : "");
                break;
            }
            st_sb_printf(&sb, " (type=%u/code=%u) ", p->l4.icmp.type, p->l4.icmp.code);
            put_ipinfo(&sb, p, level);
            break;
        default:
            put_other(&sb, p, level);
            break;
        }
        break;
    default:
        st_sb_puts(&sb, "BOGUS!  Can't parse supposed IP packet");
        break;
    }
    return st_sb_result(&sb);
}

/* "Connected", or the strerror() text of the connect's errno, as nmap prints. */
static const char *conn_text(const struct st_pkt *p)
{
    return p->conn_errno ? strerror(p->conn_errno) : "Connected";
}

int st_format_line(const struct st_pkt *p, char *buf, size_t size)
{
    struct st_sb sb;
    char desc[ST_LINE_MAX];

    if (p->flags & ST_PKT_CONNECT) {
        st_sb_init(&sb, buf, size);
        st_sb_printf(&sb, "CONN (%.4fs) TCP localhost > ", (double)p->time_ns / 1e9);
        put_dst(&sb, p);
        st_sb_printf(&sb, ":%u => %s", p->l4.tcp.dport, conn_text(p));
        return st_sb_result(&sb);
    }

    if (st_format_desc(p, desc, sizeof desc) < 0)
        return -1;
    st_sb_init(&sb, buf, size);
    st_sb_printf(&sb, "%s (%.4fs) %s", p->dir == ST_DIR_RCVD ? "RCVD" : "SENT",
                 (double)p->time_ns / 1e9, desc);
    return st_sb_result(&sb);
}

static void put_brief_ports(struct st_sb *sb, const char *name, const struct st_pkt *p,
                            unsigned sport, unsigned dport)
{
    st_sb_printf(sb, "%s ", name);
    put_endpoints(sb, p, !(p->flags & (ST_PKT_FRAGMENT | ST_PKT_L4_SHORT)), sport, dport);
}

/* The name of a later fragment's protocol: its header is in the first. */
static void put_frag_proto(struct st_sb *sb, uint8_t proto)
{
    static const char *const names[] = {[ST_IPPROTO_ICMP] = "ICMP",
                                        [ST_IPPROTO_TCP] = "TCP",
                                        [ST_IPPROTO_UDP] = "UDP",
                                        [ST_IPPROTO_ICMPV6] = "ICMPv6",
                                        [ST_IPPROTO_SCTP] = "SCTP"};
    const char *name = proto < sizeof names / sizeof names[0] ? names[proto] : NULL;
    if (name)
        st_sb_puts(sb, name);
    else
        st_sb_printf(sb, "IP protocol %u", proto);
}

/* The brief form of an IP packet: protocol, endpoints, flags or type. */
static void brief_ip(struct st_sb *sb, const struct st_pkt *p)
{
    if (p->flags & ST_PKT_FRAGMENT) {
        put_frag_proto(sb, p->proto);
        st_sb_puts(sb, " ");
        put_src(sb, p);
        st_sb_puts(sb, " > ");
        put_dst(sb, p);
        st_sb_puts(sb, " fragment");
        return;
    }
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        put_brief_ports(sb, "TCP", p, p->l4.tcp.sport, p->l4.tcp.dport);
        st_sb_puts(sb, " ");
        put_tcpflags(sb, p->l4.tcp.flags);
        break;
    case ST_IPPROTO_UDP:
        put_brief_ports(sb, "UDP", p, p->l4.udp.sport, p->l4.udp.dport);
        break;
    case ST_IPPROTO_SCTP:
        put_brief_ports(sb, "SCTP", p, p->l4.sctp.sport, p->l4.sctp.dport);
        break;
    case ST_IPPROTO_ICMP:
    case ST_IPPROTO_ICMPV6:
        st_sb_puts(sb, p->proto == ST_IPPROTO_ICMP ? "ICMP " : "ICMPv6 ");
        put_src(sb, p);
        st_sb_puts(sb, " > ");
        put_dst(sb, p);
        st_sb_puts(sb, " ");
        if (p->proto == ST_IPPROTO_ICMP)
            put_icmp_desc(sb, &p->l4.icmp);
        else
            st_sb_printf(sb, "type=%u/code=%u", p->l4.icmp.type, p->l4.icmp.code);
        break;
    default: {
        const char *name = st_proto_name(p->proto);
        st_sb_printf(sb, "%s (%u) ", name ? name : "Unknown protocol", p->proto);
        put_src(sb, p);
        st_sb_puts(sb, " > ");
        put_dst(sb, p);
        break;
    }
    }
}

int st_format_brief(const struct st_pkt *p, char *buf, size_t size)
{
    struct st_sb sb;

    st_sb_init(&sb, buf, size);
    if (p->flags & ST_PKT_CONNECT) {
        st_sb_puts(&sb, "TCP connect() to ");
        put_dst(&sb, p);
        st_sb_printf(&sb, ":%u => %s", p->l4.tcp.dport, conn_text(p));
    } else if (p->net == ST_NET_ARP) {
        put_arp(&sb, &p->arp);
    } else if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) {
        st_sb_puts(&sb, "non-IP frame");
    } else {
        brief_ip(&sb, p);
    }
    return st_sb_result(&sb);
}

/* "SYN/ACK", "RST", "FIN/PSH/ACK": flag names joined, in the usual order. */
static void put_flagnames(struct st_sb *sb, uint8_t f)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } order[] = {{ST_TCP_SYN, "SYN"}, {ST_TCP_FIN, "FIN"}, {ST_TCP_RST, "RST"},
                 {ST_TCP_PSH, "PSH"}, {ST_TCP_ACK, "ACK"}, {ST_TCP_URG, "URG"},
                 {ST_TCP_ECE, "ECE"}, {ST_TCP_CWR, "CWR"}};
    bool first = true;

    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (f & order[i].bit) {
            st_sb_printf(sb, "%s%s", first ? "" : "/", order[i].name);
            first = false;
        }
    if (first)
        st_sb_puts(sb, "no flags");
}

/* "ICMPv6 echo request", "ICMPv6 address unreachable", "ICMPv6 type 143". */
static void put_icmp6_kind(struct st_sb *sb, const struct st_icmp *m)
{
    static const char *const types[] = {
        [ST_ICMP6_DEST_UNREACH] = "unreachable",
        [ST_ICMP6_PACKET_TOO_BIG] = "packet too big",
        [ST_ICMP6_TIME_EXCEEDED] = "time exceeded",
        [ST_ICMP6_PARAM_PROBLEM] = "parameter problem",
        [ST_ICMP6_ECHO_REQUEST] = "echo request",
        [ST_ICMP6_ECHO_REPLY] = "echo reply",
        [ST_ICMP6_ROUTER_SOLICIT] = "router solicitation",
        [ST_ICMP6_ROUTER_ADVERT] = "router advertisement",
        [ST_ICMP6_NEIGHBOR_SOLICIT] = "neighbor solicitation",
        [ST_ICMP6_NEIGHBOR_ADVERT] = "neighbor advertisement",
    };
    /* RFC 4443 3.1's codes of a destination unreachable */
    static const char *const unreach[] = {
        "no route",         "administratively prohibited",  "beyond scope", "address unreachable",
        "port unreachable", "source address failed policy", "reject route"};
    const char *name = m->type < sizeof types / sizeof types[0] ? types[m->type] : NULL;
    if (m->type == ST_ICMP6_DEST_UNREACH && m->code < sizeof unreach / sizeof unreach[0])
        st_sb_printf(sb, "ICMPv6 %s", unreach[m->code]);
    else if (name)
        st_sb_printf(sb, "ICMPv6 %s", name);
    else
        st_sb_printf(sb, "ICMPv6 type %u", m->type);
}

/* The kind of an IP packet, as a ladder or explain names it. */
static void kind_ip(struct st_sb *sb, const struct st_pkt *p, bool sent)
{
    if (p->flags & ST_PKT_FRAGMENT) {
        put_frag_proto(sb, p->proto);
        st_sb_puts(sb, " fragment");
        return;
    }
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        st_sb_puts(sb, "TCP ");
        put_flagnames(sb, p->l4.tcp.flags);
        st_sb_printf(sb, sent ? " to %u" : " from %u", sent ? p->l4.tcp.dport : p->l4.tcp.sport);
        break;
    case ST_IPPROTO_UDP:
        st_sb_printf(sb, sent ? "UDP to %u" : "UDP from %u",
                     sent ? p->l4.udp.dport : p->l4.udp.sport);
        break;
    case ST_IPPROTO_SCTP:
        st_sb_printf(sb, sent ? "SCTP to %u" : "SCTP from %u",
                     sent ? p->l4.sctp.dport : p->l4.sctp.sport);
        break;
    case ST_IPPROTO_ICMP: {
        char d[128];
        struct st_sb ds;
        st_sb_init(&ds, d, sizeof d);
        put_icmp_desc(&ds, &p->l4.icmp);
        /* "Echo request" -> "echo request"; names with addresses and
         * acronyms ("TTL=0 during transit") stay as they are */
        if (d[0] >= 'A' && d[0] <= 'Z' && !(d[1] >= 'A' && d[1] <= 'Z') && !strchr(d, '.'))
            d[0] = (char)(d[0] - 'A' + 'a');
        st_sb_printf(sb, "ICMP %s", d);
        break;
    }
    case ST_IPPROTO_ICMPV6:
        put_icmp6_kind(sb, &p->l4.icmp);
        break;
    default: {
        const char *name = st_proto_name(p->proto);
        st_sb_printf(sb, "IP protocol %u%s%s%s", p->proto, name ? " (" : "", name ? name : "",
                     name ? ")" : "");
        break;
    }
    }
}

int st_format_kind(const struct st_pkt *p, char *buf, size_t size)
{
    struct st_sb sb;
    bool sent = p->dir == ST_DIR_SENT;

    st_sb_init(&sb, buf, size);
    if (p->flags & ST_PKT_CONNECT) {
        if (sent)
            st_sb_printf(&sb, "TCP connect() to %u", p->l4.tcp.dport);
        else
            st_sb_printf(&sb, "connect() to %u: %s", p->l4.tcp.dport, conn_text(p));
    } else if (p->net == ST_NET_ARP) {
        st_sb_puts(&sb, (p->arp.op & 0xff) == 1 ? "ARP who-has" : "ARP reply");
    } else if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) {
        st_sb_puts(&sb, "non-IP frame");
    } else {
        kind_ip(&sb, p, sent);
    }
    return st_sb_result(&sb);
}
