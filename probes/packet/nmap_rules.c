/*
 * nmap 7.93's rules (nmap_rules.h). The reasons are nmap's --reason names.
 */
#include "nmap_rules.h"

#include <errno.h>
#include <string.h>

bool st_icmp_is_error(uint8_t proto, uint8_t type)
{
    if (proto == ST_IPPROTO_ICMPV6)
        return type < ST_ICMP6_ECHO_REQUEST; /* RFC 4443: errors are types 0-127 */
    return type == ST_ICMP_DEST_UNREACH || type == ST_ICMP_SOURCE_QUENCH ||
           type == ST_ICMP_REDIRECT || type == ST_ICMP_TIME_EXCEEDED ||
           type == ST_ICMP_PARAM_PROBLEM;
}

int st_icmp_reply_type(uint8_t request)
{
    switch (request) {
    case ST_ICMP_ECHO_REQUEST:
        return ST_ICMP_ECHO_REPLY;
    case ST_ICMP_TIMESTAMP_REQUEST:
        return ST_ICMP_TIMESTAMP_REPLY;
    case ST_ICMP_INFO_REQUEST:
        return ST_ICMP_INFO_REPLY;
    case ST_ICMP_MASK_REQUEST:
        return ST_ICMP_MASK_REPLY;
    default:
        return -1;
    }
}

static struct st_nmap_verdict verdict(enum st_nmap_host host, const char *reason)
{
    return (struct st_nmap_verdict){host, reason};
}

/*
 * A port or protocol unreachable comes from the target itself: it is up.
 * The other codes come from a router on the way, and nmap takes them as a
 * hint, not proof (RFC 1122): the probe is answered but the host is not
 * decided (scan_engine_raw.cc's HOST_UNKNOWN), so its next try still goes
 * out and, if nothing else answers, it ends down for no response, as nmap
 * --reason says ("host down, received no-response"). The reason names what
 * the message was.
 */
static struct st_nmap_verdict unreach_verdict(uint8_t code)
{
    switch (code) {
    case ST_ICMP_UNREACH_PORT:
        return verdict(ST_NMAP_UP, "port-unreach");
    case ST_ICMP_UNREACH_PROTO:
        return verdict(ST_NMAP_UP, "proto-unreach");
    case ST_ICMP_UNREACH_NET:
        return verdict(ST_NMAP_NOTHING, "net-unreach");
    case ST_ICMP_UNREACH_HOST:
        return verdict(ST_NMAP_NOTHING, "host-unreach");
    case ST_ICMP_UNREACH_NET_PROHIB:
    case ST_ICMP_UNREACH_HOST_PROHIB:
    case ST_ICMP_UNREACH_FILTER_PROHIB:
        return verdict(ST_NMAP_NOTHING, "admin-prohibited");
    default:
        return verdict(ST_NMAP_NOTHING, "unreach");
    }
}

struct st_nmap_verdict st_nmap_icmp_verdict(uint8_t type, uint8_t code)
{
    switch (type) {
    case ST_ICMP_ECHO_REPLY:
        return verdict(ST_NMAP_UP, "echo-reply");
    case ST_ICMP_TIMESTAMP_REPLY:
        return verdict(ST_NMAP_UP, "timestamp-reply");
    case ST_ICMP_INFO_REPLY:
        return verdict(ST_NMAP_UP, "info-reply");
    case ST_ICMP_MASK_REPLY:
        return verdict(ST_NMAP_UP, "mask-reply");
    case ST_ICMP_DEST_UNREACH:
        return unreach_verdict(code);
    case ST_ICMP_TIME_EXCEEDED:
        return verdict(ST_NMAP_DOWN, "time-exceeded");
    default:
        /* source quench, redirect, parameter problem, requests... */
        return verdict(ST_NMAP_NOTHING, "icmp-response");
    }
}

/* scan_engine_raw.cc: a port unreachable from the target is up; the other
 * unreachables are a router's hint that decides nothing, as for IPv4; a
 * time exceeded ends the probe with the host down; a parameter problem or
 * a packet too big decides nothing. Reasons: portreasons.cc. */
static struct st_nmap_verdict unreach6_verdict(uint8_t code)
{
    switch (code) {
    case ST_ICMP6_UNREACH_PORT:
        return verdict(ST_NMAP_UP, "port-unreach");
    case ST_ICMP6_UNREACH_NO_ROUTE:
        return verdict(ST_NMAP_NOTHING, "no-route");
    case ST_ICMP6_UNREACH_ADMIN:
    case ST_ICMP6_UNREACH_POLICY:
        return verdict(ST_NMAP_NOTHING, "admin-prohibited");
    case ST_ICMP6_UNREACH_BEYOND_SCOPE:
        return verdict(ST_NMAP_NOTHING, "beyond-scope");
    case ST_ICMP6_UNREACH_ADDR:
        return verdict(ST_NMAP_NOTHING, "host-unreach");
    case ST_ICMP6_UNREACH_REJECT_ROUTE:
        return verdict(ST_NMAP_NOTHING, "reject-route");
    default:
        return verdict(ST_NMAP_NOTHING, "dest-unreach");
    }
}

struct st_nmap_verdict st_nmap_icmp6_verdict(uint8_t type, uint8_t code)
{
    switch (type) {
    case ST_ICMP6_ECHO_REPLY:
        return verdict(ST_NMAP_UP, "echo-reply");
    case ST_ICMP6_DEST_UNREACH:
        return unreach6_verdict(code);
    case ST_ICMP6_TIME_EXCEEDED:
        return verdict(ST_NMAP_DOWN, "time-exceeded");
    case ST_ICMP6_PARAM_PROBLEM:
        return verdict(ST_NMAP_NOTHING, "param-problem");
    default:
        return verdict(ST_NMAP_NOTHING, "icmp-response");
    }
}

struct st_nmap_verdict st_nmap_connect_verdict(int err)
{
    switch (err) {
    case 0:
        return verdict(ST_NMAP_UP, "syn-ack");
    case ECONNREFUSED:
        return verdict(ST_NMAP_UP, "conn-refused");
    case EHOSTUNREACH:
        return verdict(ST_NMAP_DOWN, "host-unreach");
    case ENETUNREACH:
    case ENETDOWN:
        return verdict(ST_NMAP_DOWN, "net-unreach");
    default:
        /* a timeout and the like: the probe is lost, as if unanswered */
        return verdict(ST_NMAP_NOTHING, ST_NMAP_NO_RESPONSE);
    }
}

static struct st_nmap_verdict tcp_verdict(uint8_t flags)
{
    if ((flags & (ST_TCP_SYN | ST_TCP_ACK)) == (ST_TCP_SYN | ST_TCP_ACK))
        return verdict(ST_NMAP_UP, "syn-ack");
    if (flags & ST_TCP_RST)
        return verdict(ST_NMAP_UP, "reset");
    return verdict(ST_NMAP_UP, "tcp-response");
}

/*
 * A neighbour advertisement is an ND ping's answer (nd-response) when nmap's
 * ND reader printed it ("neighbor advertisement ...") or it is a frame; an
 * advertisement nmap's IP reader printed as a generic "ICMPv6 (58)" line
 * answered the kernel's own solicitation (--send-ip, the router) and nmap
 * reads nothing in it.
 */
static struct st_nmap_verdict nd_advert_verdict(const struct st_pkt *p, struct st_nmap_verdict v)
{
    if (p->l4.icmp.type != ST_ICMP6_NEIGHBOR_ADVERT)
        return v;
    if ((p->flags & ST_PKT_ND_TRACE) || p->link != ST_LINK_NONE)
        return verdict(ST_NMAP_UP, "nd-response");
    return verdict(ST_NMAP_NOTHING, "nd-response");
}

/*
 * A port or protocol unreachable says the host is up only when the host
 * itself sent it (the sender is the quoted datagram's destination): from
 * anyone else it is a hint like a router's (scan_engine_raw.cc compares
 * the addresses).
 */
static struct st_nmap_verdict from_target(const struct st_pkt *p, struct st_nmap_verdict v)
{
    const struct st_quote *q = &p->l4.icmp.quote;
    if (v.host != ST_NMAP_UP || !st_icmp_is_error(p->proto, p->l4.icmp.type))
        return v;
    static const uint8_t none6[16];
    /* nmap's trace names no quoted address for a port unreachable: then
     * the sender is taken for the target */
    bool other = p->net == ST_NET_IPV4 ? q->present && q->ip.dst && q->ip.dst != p->ip.src
                                       : q->present6 && memcmp(q->ip6.dst, none6, 16) &&
                                             memcmp(q->ip6.dst, p->ip6.src, 16);
    return other ? verdict(ST_NMAP_NOTHING, v.reason) : v;
}

struct st_nmap_verdict st_nmap_reply_verdict(const struct st_pkt *p)
{
    if (p->flags & ST_PKT_CONNECT)
        return st_nmap_connect_verdict(p->conn_errno);
    if (p->net == ST_NET_ARP)
        return verdict(ST_NMAP_UP, "arp-response");
    /* a later fragment holds no transport header: nmap matches it to no
     * probe (its datagram's first fragment is the answer) */
    if (p->flags & ST_PKT_FRAGMENT)
        return verdict(ST_NMAP_NOTHING, "fragment");
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6)
        return from_target(
            p, nd_advert_verdict(p, st_nmap_icmp6_verdict(p->l4.icmp.type, p->l4.icmp.code)));
    if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6)
        return verdict(ST_NMAP_UP, "unknown-response");
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        return tcp_verdict(p->l4.tcp.flags);
    case ST_IPPROTO_UDP:
        return verdict(ST_NMAP_UP, "udp-response");
    case ST_IPPROTO_SCTP:
        return verdict(ST_NMAP_UP, "sctp-response");
    case ST_IPPROTO_ICMP:
        return from_target(p, st_nmap_icmp_verdict(p->l4.icmp.type, p->l4.icmp.code));
    default:
        return verdict(ST_NMAP_UP, ST_NMAP_PROTO_RESPONSE);
    }
}

const struct st_nmap_probe st_nmap_default_ping[ST_NMAP_DEFAULT_PING_N] = {
    {"echo", ST_IPPROTO_ICMP, ST_ICMP_ECHO_REQUEST, 0},
    {"syn", ST_IPPROTO_TCP, ST_TCP_SYN, 443},
    {"ack", ST_IPPROTO_TCP, ST_TCP_ACK, 80},
    {"timestamp", ST_IPPROTO_ICMP, ST_ICMP_TIMESTAMP_REQUEST, 0},
};

const unsigned short st_nmap_connect_ports[ST_NMAP_CONNECT_PORTS_N] = {80, 443};

const struct st_nmap_probe st_nmap_default_ping6[ST_NMAP_DEFAULT_PING6_N] = {
    {"echo", ST_IPPROTO_ICMPV6, ST_ICMP6_ECHO_REQUEST, 0},
    {"syn", ST_IPPROTO_TCP, ST_TCP_SYN, 443},
    {"ack", ST_IPPROTO_TCP, ST_TCP_ACK, 80},
};

bool st_nmap_loopback4(uint32_t addr)
{
    return addr >> 24 == 127;
}

bool st_nmap_loopback6(const uint8_t addr[16])
{
    static const uint8_t lo[16] = {[15] = 1};
    return !memcmp(addr, lo, sizeof lo);
}

bool st_pkt_resolution(const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return true;
    return p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6 &&
           (p->l4.icmp.type == ST_ICMP6_NEIGHBOR_SOLICIT ||
            p->l4.icmp.type == ST_ICMP6_NEIGHBOR_ADVERT);
}

int st_nmap_ping_rank(const char *mode)
{
    static const char *const order[] = {"echo", "syn",  "ack",   "timestamp",
                                        "udp",  "sctp", "proto", "mask"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (!strcmp(order[i], mode))
            return (int)i;
    return (int)(sizeof order / sizeof order[0]);
}

bool st_nmap_try_reversed(unsigned tryno)
{
    return tryno % 2 == 1;
}
