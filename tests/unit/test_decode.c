/*
 * The frame decoder: fields of hand-built frames, and every prefix of every
 * frame (hand-built and from the fixtures' captures) decoded from a heap
 * buffer of exactly that size, so that AddressSanitizer catches any read past
 * the end; a prefix that cuts a needed header must be flagged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <pcap/pcap.h>

#include "packet.h"
#include "testdata.h"

/* Ethernet header: dst 02:..:02, src 02:..:01, then type */
#define ETH(t0, t1) 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, t0, t1

static const uint8_t arp_req[] = {ETH(0x08, 0x06), 0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 198,
                                  18, 1, 1, 0, 0, 0, 0, 0, 0, 198, 18, 1, 2,
                                  /* Ethernet padding to 60 bytes */
                                  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static const uint8_t tcp_syn[] = {
    ETH(0x08, 0x00), 0x45, 0, 0, 44, 0x12, 0x34, 0, 0, 49, 6, 0, 0, 198, 18, 2, 1, 198, 18, 3, 2,
    /* TCP 50478 -> 443, seq 1506145080, off 6, SYN, win 1024, MSS 1460 */
    0xc5, 0x2e, 0x01, 0xbb, 0x59, 0xc5, 0xf3, 0x38, 0, 0, 0, 0, 0x60, 0x02, 0x04, 0x00, 0, 0, 0, 0,
    2, 4, 0x05, 0xb4,
    /* padding */
    0, 0};

static const uint8_t icmp_echo[] = {ETH(0x08, 0x00),
                                    0x45,
                                    0,
                                    0,
                                    28,
                                    0x4c,
                                    0x3a,
                                    0,
                                    0,
                                    59,
                                    1,
                                    0,
                                    0,
                                    198,
                                    18,
                                    2,
                                    1,
                                    198,
                                    18,
                                    3,
                                    2,
                                    8,
                                    0,
                                    0,
                                    0,
                                    0x94,
                                    0xd9,
                                    0,
                                    0};

/* ICMP port unreachable quoting a UDP probe (IP header + 8 bytes) */
static const uint8_t icmp_unreach[] = {ETH(0x08, 0x00), 0x45, 0xc0, 0, 56, 0x25, 0xe0, 0, 0, 63, 1,
                                       0, 0, 198, 18, 3, 2, 198, 18, 2, 1, 3, 3, 0, 0, 0, 0, 0, 0,
                                       /* quoted */
                                       0x45, 0, 0, 28, 0xd9, 0x23, 0, 0, 43, 17, 0, 0, 198, 18, 2,
                                       1, 198, 18, 3, 2, 0xa9, 0xc4, 0x9c, 0xbd, 0, 8, 0, 0};

static const uint8_t vlan_icmp_ts[] = {
    2, 0,  0,    0,    0, 2, 2,  0, 0, 0, 0,   1,  0x81, 0x00, 0x00, 0x07, 0x08, 0x00, 0x45, 0,
    0, 40, 0x1d, 0x59, 0, 0, 51, 1, 0, 0, 198, 18, 2,    1,    198,  18,   3,    2,    13,   0,
    0, 0,  0xc8, 0x7b, 0, 0, 0,  0, 0, 0, 0,   0,  0,    0,    0,    0,    0,    0};

#define IPV6_ICMP6                                                                                 \
    0x60, 0, 0, 0, 0, 8, 58, 255, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xfe,      \
        0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 128, 0, 0, 0, 0, 1, 0, 1
static const uint8_t raw_ipv6_icmp6[] = {IPV6_ICMP6};
/* -i any: a Linux cooked header, v1 (outgoing, from 02:00:00:00:00:01) and
 * v2 (to this host on interface 7, from 02:00:00:00:00:02) */
static const uint8_t sll_icmp6[] = {0, 4, 0, 1, 0, 6,    2,    0,         0,
                                    0, 0, 1, 0, 0, 0x86, 0xdd, IPV6_ICMP6};
static const uint8_t sll2_icmp6[] = {0x86, 0xdd, 0, 0, 0, 0, 0, 7, 0, 1,         0,
                                     6,    2,    0, 0, 0, 0, 2, 0, 0, IPV6_ICMP6};

struct frame {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    enum st_link link;
    const char *desc; /* the nmap text the decoded record must give */
};

static const struct frame frames[] = {
    {"arp", arp_req, sizeof arp_req, ST_LINK_ETHERNET, "ARP who-has 198.18.1.2 tell 198.18.1.1"},
    {"syn", tcp_syn, sizeof tcp_syn, ST_LINK_ETHERNET,
     "TCP 198.18.2.1:50478 > 198.18.3.2:443 S ttl=49 id=4660 iplen=44  seq=1506145080 win=1024 "
     "<mss 1460>"},
    {"echo", icmp_echo, sizeof icmp_echo, ST_LINK_ETHERNET,
     "ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=38105 seq=0] IP [ttl=59 "
     "id=19514 iplen=28 ]"},
    {"unreach", icmp_unreach, sizeof icmp_unreach, ST_LINK_ETHERNET,
     "ICMP [198.18.3.2 > 198.18.2.1 Port unreachable (type=3/code=3) ] IP [ttl=63 id=9696 "
     "iplen=56 ]"},
    {"vlan-ts", vlan_icmp_ts, sizeof vlan_icmp_ts, ST_LINK_ETHERNET,
     "ICMP [198.18.2.1 > 198.18.3.2 Timestamp request (type=13/code=0) id=51323 seq=0 orig=0 "
     "recv=0 trans=0] IP [ttl=51 id=7513 iplen=40 ]"},
    {"icmp6", raw_ipv6_icmp6, sizeof raw_ipv6_icmp6, ST_LINK_RAW_IP,
     "ICMPv6 (58) fe80::1 > fe80::2 (type=128/code=0) hopl=255 flow=0 payloadlen=8"},
    {"sll-icmp6", sll_icmp6, sizeof sll_icmp6, ST_LINK_SLL,
     "ICMPv6 (58) fe80::1 > fe80::2 (type=128/code=0) hopl=255 flow=0 payloadlen=8"},
    {"sll2-icmp6", sll2_icmp6, sizeof sll2_icmp6, ST_LINK_SLL2,
     "ICMPv6 (58) fe80::1 > fe80::2 (type=128/code=0) hopl=255 flow=0 payloadlen=8"},
};

/* -i any's header: the packet type, the sender, the interface (v2) */
static void test_sll(void **state)
{
    (void)state;
    struct st_pkt p;
    static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 1}, mac2[6] = {2, 0, 0, 0, 0, 2};
    assert_int_equal(st_link_from_dlt(113), ST_LINK_SLL);
    assert_int_equal(st_link_from_dlt(276), ST_LINK_SLL2);
    st_decode(sll_icmp6, sizeof sll_icmp6, ST_LINK_SLL, &p);
    assert_int_equal(p.pkttype, 1 + 4);
    assert_int_equal(p.ifindex, 0);
    assert_memory_equal(p.eth_src, mac1, 6);
    st_decode(sll2_icmp6, sizeof sll2_icmp6, ST_LINK_SLL2, &p);
    assert_int_equal(p.pkttype, 1 + 0);
    assert_int_equal(p.ifindex, 7);
    assert_memory_equal(p.eth_src, mac2, 6);
}

static void test_fields(void **state)
{
    (void)state;
    struct st_pkt p;
    char desc[ST_LINE_MAX];

    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        assert_int_equal(st_decode(frames[i].bytes, frames[i].len, frames[i].link, &p), 0);
        if (p.flags)
            fail_msg("%s: flags 0x%x on a whole frame", frames[i].name, p.flags);
        assert_true(st_format_desc(&p, desc, sizeof desc) > 0);
        if (strcmp(desc, frames[i].desc))
            fail_msg("%s:\n  want [%s]\n  got  [%s]", frames[i].name, frames[i].desc, desc);
    }

    st_decode(icmp_unreach, sizeof icmp_unreach, ST_LINK_ETHERNET, &p);
    assert_true(p.l4.icmp.quote.present);
    assert_int_equal(p.l4.icmp.quote.ip.id, 0xd923);
    assert_int_equal(p.l4.icmp.quote.sport, 43460);
    assert_int_equal(p.l4.icmp.quote.dport, 40125);
    assert_int_equal(p.l4.icmp.quote.l4len, 8);

    st_decode(arp_req, sizeof arp_req, ST_LINK_ETHERNET, &p);
    assert_int_equal(p.net, ST_NET_ARP);
    assert_int_equal(p.arp.op, 1);
    assert_int_equal(p.arp.spa, 0xc6120101u);

    st_decode(tcp_syn, sizeof tcp_syn, ST_LINK_ETHERNET, &p);
    assert_int_equal(p.l4len, 24); /* the padding after iplen is not TCP */
    assert_int_equal(p.l4.tcp.optlen, 4);
}

/* Decode bytes[0..n) from an exact-size heap copy; return the flags. */
static unsigned decode_prefix(const uint8_t *bytes, size_t n, enum st_link link)
{
    uint8_t *copy = malloc(n ? n : 1);
    struct st_pkt p;
    char desc[ST_LINE_MAX];

    assert_non_null(copy);
    memcpy(copy, bytes, n);
    st_decode(copy, n, link, &p);
    /* formatting a damaged record must not fail either */
    assert_true(st_format_desc(&p, desc, sizeof desc) > 0);
    free(copy);
    return p.flags;
}

/* The bytes a decoder needs of a frame: headers, not padding or payload. */
static void check_prefixes(const char *name, const uint8_t *bytes, size_t len, enum st_link link,
                           size_t needed)
{
    for (size_t n = 0; n < len; n++) {
        unsigned flags = decode_prefix(bytes, n, link);
        if (n < needed && !(flags & (ST_PKT_TRUNCATED | ST_PKT_L4_SHORT)))
            fail_msg("%s: %zu of %zu bytes decoded without a truncation flag", name, n, needed);
    }
}

static void test_truncated_handmade(void **state)
{
    (void)state;
    /* needed: Ethernet + the protocol headers decoded (not padding) */
    check_prefixes("arp", arp_req, sizeof arp_req, ST_LINK_ETHERNET, 14 + 28);
    check_prefixes("syn", tcp_syn, sizeof tcp_syn, ST_LINK_ETHERNET, 14 + 44);
    check_prefixes("echo", icmp_echo, sizeof icmp_echo, ST_LINK_ETHERNET, 14 + 28);
    check_prefixes("unreach", icmp_unreach, sizeof icmp_unreach, ST_LINK_ETHERNET, 14 + 36);
    check_prefixes("vlan-ts", vlan_icmp_ts, sizeof vlan_icmp_ts, ST_LINK_ETHERNET, 18 + 40);
    check_prefixes("icmp6", raw_ipv6_icmp6, sizeof raw_ipv6_icmp6, ST_LINK_RAW_IP, 44);
    check_prefixes("sll-icmp6", sll_icmp6, sizeof sll_icmp6, ST_LINK_SLL, 16 + 44);
    check_prefixes("sll2-icmp6", sll2_icmp6, sizeof sll2_icmp6, ST_LINK_SLL2, 20 + 44);
}

static void test_malformed(void **state)
{
    (void)state;
    uint8_t f[sizeof tcp_syn];
    struct st_pkt p;

    memcpy(f, tcp_syn, sizeof f);
    f[14] = 0x43; /* ihl 3 */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    assert_true(p.flags & ST_PKT_MALFORMED);

    memcpy(f, tcp_syn, sizeof f);
    f[14 + 20 + 12] = 0x30; /* TCP offset 3 */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    assert_true(p.flags & ST_PKT_MALFORMED);

    memcpy(f, tcp_syn, sizeof f);
    f[14 + 20 + 12] = 0xf0; /* TCP offset 15: options run past the datagram */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    assert_true(p.flags & ST_PKT_TRUNCATED);
    assert_true(p.l4.tcp.optlen <= 4);

    memcpy(f, tcp_syn, sizeof f);
    f[14 + 6] = 0x00;
    f[14 + 7] = 0x01; /* fragment offset 8 */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    assert_true(p.flags & ST_PKT_FRAGMENT);

    memcpy(f, tcp_syn, sizeof f);
    f[14 + 3] = 200; /* iplen beyond the frame (a snaplen cut) */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    assert_true(p.flags & ST_PKT_TRUNCATED);

    assert_int_equal(st_decode(f, sizeof f, ST_LINK_NONE, &p), -1);
}

/* A later fragment of an echo reply (fixtures/nmap-7.93/PE-frag-reply frame
 * 6): its payload's first bytes (8, 0: an echo request's) are data, not an
 * ICMP header; it reads as a fragment, never as an ICMP message of type 0. */
static void test_later_fragment(void **state)
{
    (void)state;
    uint8_t f[14 + 48] = {ETH(0x08, 0x00),
                          0x45,
                          0,
                          0,
                          48,
                          0x81,
                          0x33,
                          0x00,
                          0xb9,
                          63,
                          1,
                          0,
                          0,
                          198,
                          18,
                          3,
                          2,
                          198,
                          18,
                          2,
                          1,
                          8,
                          0,
                          0x12,
                          0x34,
                          0x56,
                          0x78};
    struct st_pkt p;
    char buf[ST_LINE_MAX];

    assert_int_equal(st_decode(f, sizeof f, ST_LINK_ETHERNET, &p), 0);
    assert_int_equal(p.flags, ST_PKT_FRAGMENT);
    assert_int_equal(p.proto, ST_IPPROTO_ICMP);
    assert_int_equal(p.l4len, 28);
    static const struct st_icmp none;
    assert_memory_equal(&p.l4.icmp, &none, sizeof none);
    st_format_desc(&p, buf, sizeof buf);
    assert_string_equal(buf, "ICMP 198.18.3.2 > 198.18.2.1 fragment ttl=63 id=33075 iplen=48 "
                             "frag offset=1480  (incomplete)");
    st_format_brief(&p, buf, sizeof buf);
    assert_string_equal(buf, "ICMP 198.18.3.2 > 198.18.2.1 fragment");
    p.dir = ST_DIR_RCVD;
    st_format_kind(&p, buf, sizeof buf);
    assert_string_equal(buf, "ICMP fragment");
    assert_int_equal(st_nmap_reply_verdict(&p).host, ST_NMAP_NOTHING);

    f[14 + 9] = ST_IPPROTO_UDP; /* any transport: no ports either */
    st_decode(f, sizeof f, ST_LINK_ETHERNET, &p);
    st_format_kind(&p, buf, sizeof buf);
    assert_string_equal(buf, "UDP fragment");
}

/* IPv6: an echo reply cut by its sender (a Fragment header; a route's MTU of
 * 1280): the first fragment is the reply, read through the header; the
 * later one holds none of it (fixtures' run: routed-up6's reply, -6 -PE
 * --data-length 1300, offsets 0 and 1232). */
static void test_ipv6_fragments(void **state)
{
    (void)state;
#define IP6_FRAG(plen, off_hi, off_lo)                                                             \
    0x60, 0x0f, 0x3a, 0x20, 0, plen, 44, 63, 0x20, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 2,    \
        0x20, 1, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 58, 0, off_hi, off_lo, 0x0f, 0x41,      \
        0xfa, 0x21
    const uint8_t first[] = {IP6_FRAG(16, 0, 1), 129, 0, 0, 0, 0x81, 0x11, 0, 0};
    const uint8_t later[] = {IP6_FRAG(16, 0x04, 0xd0), 8, 0, 0, 0, 0x81, 0x11, 0, 0};
#undef IP6_FRAG
    struct st_pkt p;
    char buf[ST_LINE_MAX];

    assert_int_equal(st_decode(first, sizeof first, ST_LINK_RAW_IP, &p), 0);
    assert_int_equal(p.flags, 0);
    assert_int_equal(p.proto, ST_IPPROTO_ICMPV6);
    assert_int_equal(p.l4.icmp.type, ST_ICMP6_ECHO_REPLY);
    assert_true(p.ip6.frag && p.ip6.frag_more && p.ip6.frag_off == 0);
    assert_int_equal(p.ip6.frag_id, 0x0f41fa21u);

    assert_int_equal(st_decode(later, sizeof later, ST_LINK_RAW_IP, &p), 0);
    assert_int_equal(p.flags, ST_PKT_FRAGMENT);
    assert_int_equal(p.proto, ST_IPPROTO_ICMPV6);
    assert_int_equal(p.l4len, 8);
    assert_true(p.ip6.frag && !p.ip6.frag_more && p.ip6.frag_off == 154);
    static const struct st_icmp none;
    assert_memory_equal(&p.l4.icmp, &none, sizeof none);
    st_format_desc(&p, buf, sizeof buf);
    assert_string_equal(buf, "ICMPv6 (58) 2001:2:0:3::2 > 2001:2:0:2::1 fragment hopl=63 "
                             "flow=f3a20 payloadlen=16 frag offset=1232 (incomplete)");
    p.dir = ST_DIR_RCVD;
    st_format_kind(&p, buf, sizeof buf);
    assert_string_equal(buf, "ICMPv6 fragment");
}

/* Every frame of every fixture capture, cut at every length. */
static void test_truncated_fixtures(void **state)
{
    (void)state;
    char dir[512], path[1024], err[PCAP_ERRBUF_SIZE];
    unsigned files = 0, nframes = 0;
    DIR *d = opendir(st_src_path("fixtures/nmap-7.93", dir, sizeof dir));

    if (!d)
        skip();
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/capture.pcapng", dir, e->d_name);
        pcap_t *pc = pcap_open_offline(path, err);
        if (!pc)
            continue;
        files++;
        enum st_link link = st_link_from_dlt(pcap_datalink(pc));
        struct pcap_pkthdr *h;
        const u_char *bytes;
        while (pcap_next_ex(pc, &h, &bytes) == 1) {
            nframes++;
            for (size_t n = 0; n <= h->caplen; n++)
                decode_prefix(bytes, n, link);
        }
        pcap_close(pc);
    }
    closedir(d);
    if (!files)
        skip();
    print_message("cut %u frames of %u captures at every length\n", nframes, files);
}

ST_TEST_MAIN(cmocka_unit_test(test_fields), cmocka_unit_test(test_sll),
             cmocka_unit_test(test_truncated_handmade), cmocka_unit_test(test_malformed),
             cmocka_unit_test(test_later_fragment), cmocka_unit_test(test_ipv6_fragments),
             cmocka_unit_test(test_truncated_fixtures))
