/*
 * Whether a capture's filter kept a trace line's packet out (filter_judge.h).
 * Each interface's filter is compiled once by libpcap (pcap_open_dead for
 * its link type, pcap_compile) and run on each line's packet as that link
 * carries it; the walk that follows the unknown bits (filter_bpf.c) decides,
 * and libpcap's own run of the same bytes (pcap_offline_filter) must agree,
 * or there is no verdict. A filter naming a host or a service by name is
 * not compiled: its name would be looked up now, not as when it captured.
 */
#include <ctype.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "filter_judge.h"

/* An IPv6 jumbo datagram aside, the largest a line can tell, with room for
 * the largest link header. */
#define FRAME_MAX (20 + 40 + 65535)

struct iface {
    bool filtered; /* it records a filter */
    bool compiled; /* ... that compiled here */
    enum st_link link;
    int family; /* 4 or 6 on a link of one IP version (LINKTYPE_IPV4, _IPV6), else 0 */
    struct bpf_program prog;
};

struct st_filter_judge {
    struct iface *ifs;
    size_t n;
    uint8_t *buf, *known;
};

const char *st_filter_verdict_name(enum st_filter_verdict v)
{
    return v == ST_FILTER_KEEPS ? "kept" : v == ST_FILTER_DROPS ? "dropped" : "unknown";
}

/* pcapng's link type: libpcap's DLT for it, and how st_pkt_encode builds it. */
static int dlt_of(uint16_t linktype, enum st_link *link, int *family)
{
    *family = 0;
    switch (linktype) {
    case 1:
        *link = ST_LINK_ETHERNET;
        return DLT_EN10MB;
    case 101:
        *link = ST_LINK_RAW_IP;
        return DLT_RAW;
    case 228:
    case 229:
        *link = ST_LINK_RAW_IP;
        *family = linktype == 228 ? 4 : 6;
        return linktype == 228 ? DLT_IPV4 : DLT_IPV6;
    case 113:
        *link = ST_LINK_SLL;
        return DLT_LINUX_SLL;
    case 276:
        *link = ST_LINK_SLL2;
        return DLT_LINUX_SLL2;
    default:
        *link = ST_LINK_NONE;
        return -1;
    }
}

/* The words of pcap-filter(7): its primitives, qualifiers and field names,
 * then its value names, whole ("tcp-server" would be a host's name), a
 * space after each. A filter's word that is none of them (nor a literal) is
 * a name libpcap would look up. */
static const char keywords[] =
    "dst src host net mask port portrange proto protochain gateway ether ip ip6 arp rarp "
    "tcp udp icmp icmp6 igmp igrp pim ah esp vrrp carp sctp and or not less greater len "
    "broadcast multicast inbound outbound vlan mpls pppoed pppoes geneve link ppp slip "
    "fddi tr wlan atalk aarp decnet iso stp ipx netbeui llc ifindex tcpflags icmptype "
    "icmpcode icmp6type icmp6code type subtype dir radio "
    "tcp-fin tcp-syn tcp-rst tcp-push tcp-ack tcp-urg tcp-ece tcp-cwr icmp-echoreply "
    "icmp-unreach icmp-sourcequench icmp-redirect icmp-echo icmp-routeradvert "
    "icmp-routersolicit icmp-timxceed icmp-paramprob icmp-tstamp icmp-tstampreply icmp-ireq "
    "icmp-ireqreply icmp-maskreq icmp-maskreply icmp6-destinationunreach "
    "icmp6-packettoobig icmp6-timeexceeded icmp6-parameterproblem icmp6-echo "
    "icmp6-echoreply icmp6-multicastlistenerquery icmp6-multicastlistenerreportv1 "
    "icmp6-multicastlistenerdone icmp6-routersolicit icmp6-routeradvert "
    "icmp6-neighborsolicit icmp6-neighboradvert icmp6-redirect icmp6-routerrenum "
    "icmp6-nodeinformationquery icmp6-nodeinformationresponse "
    "icmp6-ineighbordiscoverysolicit icmp6-ineighbordiscoveryadvert "
    "icmp6-multicastlistenerreportv2 icmp6-homeagentdiscoveryrequest "
    "icmp6-homeagentdiscoveryreply icmp6-mobileprefixsolicit icmp6-mobileprefixadvert "
    "icmp6-certpathsolicit icmp6-certpathadvert icmp6-multicastrouteradvert "
    "icmp6-multicastroutersolicit icmp6-multicastrouterterm ";

static bool keyword(const char *w, size_t n)
{
    for (const char *k = keywords; *k;) {
        size_t len = strcspn(k, " ");
        if (len == n && !strncmp(k, w, n))
            return true;
        k += len + 1;
    }
    return false;
}

/* A number, an address (dotted, IPv6, MAC) or a port range: hex digits,
 * dots, colons and dashes, starting with a digit or a colon... or all hex
 * and colons (an IPv6 address or a MAC starting with a letter). */
static bool literal(const char *w, size_t n)
{
    bool colon = memchr(w, ':', n) != NULL;
    if (!isdigit((unsigned char)w[0]) && !colon)
        return false;
    bool hex = n > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X');
    for (size_t i = hex ? 2 : 0; i < n; i++)
        if (!isxdigit((unsigned char)w[i]) && !strchr(".:-", w[i]))
            return false;
    return colon || hex || strspn(w, "0123456789.-") == n;
}

/* Whether every word of the filter is a keyword or a literal. */
static bool names_nothing(const char *f)
{
    static const char word_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_.:-";
    for (const char *s = f; *s;) {
        size_t n = strspn(s, word_chars);
        if (!n) {
            s++;
            continue;
        }
        if (!keyword(s, n) && !literal(s, n))
            return false;
        s += n;
    }
    return true;
}

static void iface_compile(struct iface *i, const struct st_capture_iface *c)
{
    int dlt = dlt_of(c->linktype, &i->link, &i->family);
    i->filtered = c->filter[0] != '\0';
    if (!i->filtered || dlt < 0 || !c->whole || !names_nothing(c->filter))
        return;
    pcap_t *p = pcap_open_dead(dlt, 262144);
    if (!p)
        return;
    i->compiled = pcap_compile(p, &i->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
    pcap_close(p);
}

struct st_filter_judge *st_filter_judge_new(const struct st_capture_iface *ifs, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= ifs[i].filter[0] != '\0';
    if (!any)
        return NULL;
    struct st_filter_judge *j = calloc(1, sizeof *j);
    if (!j || !(j->ifs = calloc(n, sizeof *j->ifs)) || !(j->buf = malloc(FRAME_MAX)) ||
        !(j->known = malloc(FRAME_MAX)))
        abort();
    j->n = n;
    for (size_t i = 0; i < n; i++)
        iface_compile(&j->ifs[i], &ifs[i]);
    return j;
}

/* One interface's verdict on p. */
static enum st_filter_verdict iface_judge(struct st_filter_judge *j, const struct iface *i,
                                          const struct st_pkt *p)
{
    if (!i->filtered)
        return ST_FILTER_KEEPS;
    struct st_pkt_bytes b = {.buf = j->buf, .known = j->known, .size = FRAME_MAX};
    bool family_ok = !i->family || (i->family == 4 ? p->net == ST_NET_IPV4 : p->net == ST_NET_IPV6);
    if (!i->compiled || !family_ok || !st_pkt_encode(p, i->link, &b))
        return ST_FILTER_UNKNOWN;
    enum st_filter_verdict v = st_filter_bpf_run(i->prog.bf_insns, i->prog.bf_len, &b);
    if (v == ST_FILTER_UNKNOWN)
        return v;
    /* libpcap's own run of the bytes built (the unknown bits as zeros) */
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)b.len, .len = (bpf_u_int32)b.len};
    bool kept = pcap_offline_filter(&i->prog, &h, b.buf) != 0;
    return kept == (v == ST_FILTER_KEEPS) ? v : ST_FILTER_UNKNOWN;
}

enum st_filter_verdict st_filter_judge_pkt(struct st_filter_judge *j, const struct st_pkt *p)
{
    bool dropped = false;
    for (size_t i = 0; i < j->n; i++) {
        enum st_filter_verdict v = iface_judge(j, &j->ifs[i], p);
        if (v == ST_FILTER_UNKNOWN)
            return v;
        dropped |= v == ST_FILTER_DROPS;
    }
    return dropped ? ST_FILTER_DROPS : ST_FILTER_KEEPS;
}

void st_filter_judge_free(struct st_filter_judge *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++)
        if (j->ifs[i].compiled)
            pcap_freecode(&j->ifs[i].prog);
    free(j->ifs);
    free(j->buf);
    free(j->known);
    free(j);
}

enum st_filter_verdict st_filter_verdict_of(const char *filter, uint16_t linktype,
                                            const struct st_pkt *p)
{
    struct st_capture_iface c = {.linktype = linktype, .whole = true};
    size_t n = strlen(filter);
    if (n >= sizeof c.filter)
        return ST_FILTER_UNKNOWN;
    memcpy(c.filter, filter, n + 1);
    struct st_filter_judge *j = st_filter_judge_new(&c, 1);
    enum st_filter_verdict v = j ? st_filter_judge_pkt(j, p) : ST_FILTER_KEEPS;
    st_filter_judge_free(j);
    return v;
}
