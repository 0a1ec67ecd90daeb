/*
 * The probe modules over IPv6 (scan -6): every module's packet decodes
 * cleanly with a valid checksum and carries nmap -6's contents (payload
 * lengths, hop limit 255 and flow label 0, -PO's random hop limit and
 * flow label, the ND solicitation's addresses), prints with the layout of
 * a real nmap 7.93 -6 probe of its kind (lines recorded in the lab); and
 * replies built as a Linux host builds them are recognized by their module
 * only, with the right target key, try and reason, and a parameter problem
 * decides nothing (nmap ignores it).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"
#include "scan.h"
#include "testdata.h"

static struct st_targets6 targets;
static uint8_t src6[16], dst6[16];
static uint32_t key;

static void setup(void);

static struct st_probe_ctx ctx(void)
{
    setup();
    struct st_probe_ctx c = {.fixed_ttl = -1, .sport_base = 50000, .rng = 42, .v6 = true};
    c.key.k0 = 0x0123456789abcdefULL;
    c.key.k1 = 0xfedcba9876543210ULL;
    memcpy(c.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
    memcpy(c.src6, src6, 16);
    c.t6 = &targets;
    return c;
}

/* The targets (2001:2:0:3::2 is key 2) and addresses, once. */
static void setup(void)
{
    if (key)
        return;
    char err[128];
    inet_pton(AF_INET6, "2001:2:0:2::1", src6);
    inet_pton(AF_INET6, "2001:2:0:3::2", dst6);
    assert_int_equal(st_targets6_add(&targets, "2001:2:0:3::9", err, sizeof err), 0);
    assert_int_equal(st_targets6_add(&targets, "2001:2:0:3::2", err, sizeof err), 0);
    assert_int_equal(st_targets6_index(&targets), 0);
    key = st_targets6_key(&targets, dst6);
    assert_int_equal(key, 2);
}

/* digits and hex groups masked: the layout of a trace line without its values */
static void shape(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (const char *p = in; *p && k + 2 < size; p++) {
        if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
            while ((p[1] >= '0' && p[1] <= '9') || (p[1] >= 'a' && p[1] <= 'f'))
                p++;
            out[k++] = '#';
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

struct kind {
    const char *module;
    uint16_t port;
    uint16_t plen;      /* nmap's payloadlen */
    bool random_hop;    /* -PO: 37-59 and a flow label */
    const char *nmap;   /* a real nmap 7.93 -6 SENT line of the kind (lab), or NULL */
    const char *reason; /* of the reply a Linux host makes, NULL: it decides nothing */
};

static const struct kind kinds[] = {
    {"echo", 0, 8, false,
     "ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::3 (type=128/code=0) hopl=255 flow=0 payloadlen=8",
     "echo-reply"},
    {"syn", 443, 24, false,
     "TCP 2001:2:0:2::1:41375 > 2001:2:0:3::3:443 S hopl=255 flow=0 payloadlen=24 "
     "seq=2088783781 win=1024 <mss 1460>",
     "syn-ack"},
    {"ack", 80, 20, false,
     "TCP 2001:2:0:2::1:41375 > 2001:2:0:3::3:80 A hopl=255 flow=0 payloadlen=20 seq=0 win=1024 ",
     "reset"},
    {"udp", 40125, 8, false,
     "UDP 2001:2:0:2::1:42778 > 2001:2:0:3::3:40125 hopl=255 flow=0 payloadlen=8", "port-unreach"},
    {"sctp", 80, 32, false,
     "SCTP 2001:2:0:2::1:54428 > 2001:2:0:3::3:80 hopl=255 flow=0 payloadlen=32", NULL},
    /* nmap prints protocol 1 over IPv6 as "ICMP A > B [??]": the formatter's (v6read) */
    {"proto", 1, 0, true, NULL, NULL},
    {"proto", 2, 0, true, "igmp (2) 2001:2:0:2::1 > 2001:2:0:3::3: hopl=42 flow=7430 payloadlen=0",
     NULL},
    {"proto", 4, 0, true, "ipv4 (4) 2001:2:0:2::1 > 2001:2:0:3::3: hopl=38 flow=2198 payloadlen=0",
     NULL},
    {"nd", 0, 32, false,
     "ICMPv6 (58) 2001:2:0:1::1 > ff02::1:ff00:3 (type=135/code=0) hopl=255 flow=0 payloadlen=32",
     "nd-response"},
};

static size_t make(struct st_probe_ctx *c, const struct kind *k, uint8_t tryno, uint8_t *buf,
                   struct st_pkt *p)
{
    const struct st_probe_module *m =
        !strcmp(k->module, "nd") ? st_probe_by_name("nd") : st_probe_by_name(k->module);
    struct st_probe_tmpl t;
    assert_non_null(m);
    m->prepare(c, k->port, &t);
    size_t n = m->make(c, &t, key, tryno, buf, 128);
    assert_true(n > 0);
    assert_int_equal(st_decode(buf, n, m->ethernet ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, p), 0);
    /* -PO's probes have no payload, so no ICMP or IGMP header either (as nmap's) */
    assert_int_equal(p->flags, k->random_hop ? p->flags & ST_PKT_L4_SHORT : 0u);
    return n;
}

static void test_contents6(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        uint8_t buf[128], copy[128];
        struct st_pkt p, p1;
        size_t n = make(&c, k, 0, buf, &p);
        bool nd = !strcmp(k->module, "nd");
        size_t l3 = nd ? 14 : 0;
        char ours[ST_LINE_MAX], s1[ST_LINE_MAX], s2[ST_LINE_MAX];

        assert_int_equal(p.net, ST_NET_IPV6);
        assert_int_equal(p.ip6.plen, k->plen);
        assert_int_equal(n, l3 + 40 + k->plen);
        assert_memory_equal(p.ip6.src, src6, 16);
        if (k->random_hop) {
            assert_true(p.ip6.hopl >= 37 && p.ip6.hopl <= 59);
            assert_true(p.ip6.flow > 0 && p.ip6.flow <= 0xffff);
        } else {
            assert_int_equal(p.ip6.hopl, 255);
            assert_int_equal(p.ip6.flow, 0);
        }
        if (nd) { /* to the solicited-node address and its multicast MAC */
            assert_memory_equal(p.eth_dst, "\x33\x33\xff\x00\x00\x02", 6);
            assert_memory_equal(p.ip6.dst, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff\x00\x00\x02", 16);
            assert_memory_equal(p.l4.icmp.nd_target, dst6, 16);
            assert_true(p.l4.icmp.nd_has_mac);
            assert_memory_equal(p.l4.icmp.nd_mac, c.src_mac, 6);
        } else {
            assert_memory_equal(p.ip6.dst, dst6, 16);
        }
        /* the transport checksum, recomputed, is what was written */
        memcpy(copy, buf, n);
        st_l4_checksum6(copy + l3, n - l3);
        assert_memory_equal(copy, buf, n);
        if (k->nmap) {
            st_format_desc(&p, ours, sizeof ours);
            shape(ours, s1, sizeof s1);
            shape(k->nmap, s2, sizeof s2);
            if (strcmp(s1, s2))
                fail_msg("%s/%u:\n  ours: %s\n  nmap: %s", k->module, k->port, ours, k->nmap);
        }
        make(&c, k, 1, buf, &p1);
        if (p.proto == ST_IPPROTO_TCP)
            assert_int_equal(p1.l4.tcp.sport, 50002);
        if (k->random_hop)
            assert_int_not_equal(p1.ip6.flow, p.ip6.flow); /* the try is in the flow label */
    }
}

/* ---- replies, as a Linux host makes them ----------------------------------- */

static size_t ip6_reply(uint8_t *out, uint8_t nh, const uint8_t *payload, size_t n)
{
    st_ipv6_write(out, (uint16_t)n, 0x2eff5, 63, nh, dst6, src6);
    memcpy(out + 40, payload, n);
    st_l4_checksum6(out, 40 + n);
    return 40 + n;
}

/* an ICMPv6 error quoting the whole probe */
static size_t icmp6_error(uint8_t *out, uint8_t type, uint8_t code, const uint8_t *probe, size_t n)
{
    uint8_t icmp[8 + 128] = {type, code};
    memcpy(icmp + 8, probe, n);
    return ip6_reply(out, ST_IPPROTO_ICMPV6, icmp, 8 + n);
}

static size_t reply_to(const struct kind *k, const uint8_t *probe, size_t pn, uint8_t *out)
{
    const uint8_t *l4 = probe + 40;
    uint8_t b[40] = {0};
    if (!strcmp(k->module, "nd")) { /* a solicited advertisement with the target's MAC */
        memcpy(out, probe + 6, 6);
        memcpy(out + 6, "\x02\x00\x00\x00\x00\x99", 6);
        st_put16(out + 12, 0x86dd);
        b[0] = ST_ICMP6_NEIGHBOR_ADVERT;
        b[4] = 0x60; /* solicited, override */
        memcpy(b + 8, dst6, 16);
        b[24] = 2;
        b[25] = 1;
        memcpy(b + 26, "\x02\x00\x00\x00\x00\x99", 6);
        st_ipv6_write(out + 14, 32, 0, 255, ST_IPPROTO_ICMPV6, dst6, src6);
        memcpy(out + 54, b, 32);
        st_l4_checksum6(out + 14, 72);
        return 86;
    }
    if (!strcmp(k->module, "echo")) {
        memcpy(b, l4, 8);
        b[0] = ST_ICMP6_ECHO_REPLY;
        return ip6_reply(out, ST_IPPROTO_ICMPV6, b, 8);
    }
    if (!strcmp(k->module, "syn") || !strcmp(k->module, "ack")) {
        bool syn = !strcmp(k->module, "syn");
        memcpy(b, l4 + 2, 2);
        memcpy(b + 2, l4, 2);
        uint32_t seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
        if (syn)
            st_put32(b + 8, seq + 1);
        else
            memcpy(b + 4, l4 + 8, 4); /* RST seq = the ACK's ack */
        b[12] = 5 << 4;
        b[13] = syn ? ST_TCP_SYN | ST_TCP_ACK : ST_TCP_RST;
        return ip6_reply(out, ST_IPPROTO_TCP, b, 20);
    }
    if (!strcmp(k->module, "udp"))
        return icmp6_error(out, ST_ICMP6_DEST_UNREACH, ST_ICMP6_UNREACH_PORT, probe, pn);
    /* SCTP and -PO's protocols: the lab's Linux hosts answer "unrecognized next header" */
    return icmp6_error(out, ST_ICMP6_PARAM_PROBLEM, 1, probe, pn);
}

static void test_replies6(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        for (uint8_t tryno = 0; tryno < 3; tryno++) {
            uint8_t buf[128], rep[256];
            struct st_pkt p, r;
            size_t pn = make(&c, k, tryno, buf, &p);
            bool nd = !strcmp(k->module, "nd");
            size_t n = reply_to(k, buf, pn, rep);
            assert_int_equal(st_decode(rep, n, nd ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &r), 0);
            int claimed = 0;
            for (size_t m = 0; st_probe_modules[m]; m++) {
                struct st_probe_reply out;
                if (!st_probe_modules[m]->match(&c, &r, 6, &out))
                    continue;
                if (strcmp(st_probe_modules[m]->name, k->module))
                    fail_msg("%s/%u try %u: claimed by %s (%s)", k->module, k->port, tryno,
                             st_probe_modules[m]->name, out.reason);
                /* an answer that decides nothing is still this probe's (it is traced) */
                if (!k->reason) {
                    assert_false(out.decides);
                    continue;
                }
                assert_true(out.decides);
                claimed++;
                assert_int_equal(out.target, key);
                assert_true(out.up);
                assert_string_equal(out.reason, k->reason);
                if (!nd)
                    assert_int_equal(out.tryno, tryno);
            }
            if (claimed != (k->reason ? 1 : 0))
                fail_msg("%s/%u try %u: %d modules claimed the reply", k->module, k->port, tryno,
                         claimed);
            /* the same reply to another scan (another key) is not ours; but for a
             * port unreachable: an IPv6 probe has no IP id, and nmap's UDP probe
             * carries nothing else (its source port says the try) */
            struct st_probe_ctx other = c;
            other.key.k0 ^= 1;
            struct st_probe_reply out;
            if (!nd && k->reason && strcmp(k->module, "udp") &&
                st_probe_by_name(k->module)->match(&other, &r, 6, &out))
                fail_msg("%s/%u: matched under another key", k->module, k->port);
        }
    }
}

/* a router's address unreachable for an echo: the probe's, down (the engine
 * then leaves the host to its next try, as nmap) */
static void test_unreachable6(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();
    uint8_t buf[128], rep[256];
    struct st_pkt p, r;
    struct st_probe_reply out;
    size_t pn = make(&c, &kinds[0], 1, buf, &p);
    size_t n = icmp6_error(rep, ST_ICMP6_DEST_UNREACH, ST_ICMP6_UNREACH_ADDR, buf, pn);
    inet_pton(AF_INET6, "2001:2:0:2::fe", rep + 8); /* from the router */
    st_l4_checksum6(rep, n);
    st_decode(rep, n, ST_LINK_RAW_IP, &r);
    assert_true(st_probe_by_name("echo")->match(&c, &r, 6, &out));
    assert_false(out.up);
    assert_string_equal(out.reason, "host-unreach");
    assert_int_equal(out.target, key);
    assert_int_equal(out.tryno, 1);
    assert_false(st_probe_by_name("syn")->match(&c, &r, 6, &out));
}

/* -6 -PO's protocols with a header against nmap 7.93's (the lab's
 * v6po-nmap recording of `nmap -6 -sn -PO6,17,58`; SCTP from
 * build_protoscan_packet, no recording): hop limit 255 (the u8 builders),
 * the random id in the flow label, nmap's ports; -PO58's echo of code 129. */
static const struct {
    uint8_t proto;
    uint16_t plen;
    const char *nmap;
} po6_rows[] = {
    {6, 20,
     "TCP 2001:2:0:2::1:53963 > 2001:2:0:3::3:80 A hopl=255 flow=b12 payloadlen=20 seq=706150378 "
     "win=1024 "},
    {17, 8, "UDP 2001:2:0:2::1:53963 > 2001:2:0:3::3:40125 hopl=255 flow=61c payloadlen=8"},
    {58, 8,
     "ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::3 (type=128/code=129) hopl=255 flow=dd7c "
     "payloadlen=8"},
    {132, 32, "SCTP 2001:2:0:2::1:59298 > 2001:2:0:3::4:80 hopl=255 flow=dd7c payloadlen=32"},
};

/* The answer a Linux host gives: a RST (seq: our ack), a port unreachable,
 * an echo reply, an ABORT (vtag: our initiate tag). */
static size_t po6_reply(const uint8_t *probe, size_t pn, uint8_t *out)
{
    const uint8_t *l4 = probe + 40;
    uint8_t r[20] = {0};
    memcpy(r, l4 + 2, 2);
    memcpy(r + 2, l4, 2);
    switch (probe[6]) {
    case ST_IPPROTO_UDP:
        return icmp6_error(out, 1, 4, probe, pn);
    case ST_IPPROTO_ICMPV6:
        memcpy(r, l4, 8);
        r[0] = ST_ICMP6_ECHO_REPLY;
        return ip6_reply(out, ST_IPPROTO_ICMPV6, r, 8);
    case ST_IPPROTO_SCTP:
        memcpy(r + 4, l4 + 16, 4);
        r[12] = 6; /* ABORT, T set */
        r[13] = 1;
        st_put16(r + 14, 4);
        return ip6_reply(out, ST_IPPROTO_SCTP, r, 16);
    default:
        memcpy(r + 4, l4 + 8, 4);
        r[12] = 5 << 4;
        r[13] = ST_TCP_RST;
        return ip6_reply(out, ST_IPPROTO_TCP, r, 20);
    }
}

static void test_po6_headers(void **state)
{
    (void)state;
    static const char *const want[] = {"proto-response", "port-unreach", "echo-reply",
                                       "proto-response"};
    struct st_probe_ctx c = ctx();
    for (size_t i = 0; i < sizeof po6_rows / sizeof po6_rows[0]; i++) {
        struct kind k = {"proto", po6_rows[i].proto, po6_rows[i].plen, false, NULL, NULL};
        for (uint8_t tryno = 0; tryno < 2; tryno++) {
            uint8_t buf[128], rep[256];
            struct st_pkt p, r;
            char ours[ST_LINE_MAX], s1[ST_LINE_MAX], s2[ST_LINE_MAX];
            size_t n = make(&c, &k, tryno, buf, &p);
            st_format_desc(&p, ours, sizeof ours);
            shape(ours, s1, sizeof s1);
            shape(po6_rows[i].nmap, s2, sizeof s2);
            if (strcmp(s1, s2))
                fail_msg("-PO%u:\n  ours: %s\n  nmap: %s", k.port, ours, po6_rows[i].nmap);
            assert_int_equal(p.ip6.plen, po6_rows[i].plen);
            assert_int_equal(p.ip6.hopl, 255);
            assert_true(p.ip6.flow > 0 && p.ip6.flow <= 0xffff);
            if (p.proto == ST_IPPROTO_ICMPV6)
                assert_int_equal(p.l4.icmp.code, 129);
            else
                assert_int_equal(p.l4.tcp.sport, 50000 + 2 * tryno);
            size_t rn = po6_reply(buf, n, rep);
            assert_int_equal(st_decode(rep, rn, ST_LINK_RAW_IP, &r), 0);
            int claimed = 0;
            for (size_t m = 0; st_probe_modules[m]; m++) {
                struct st_probe_reply out;
                if (!st_probe_modules[m]->match(&c, &r, 6, &out))
                    continue;
                /* an ICMPv6 error names a UDP probe by its ports alone (no IP
                 * id): -PU's module may read it too, with the same verdict */
                bool proto = !strcmp(st_probe_modules[m]->name, "proto");
                if (!proto && p.proto != ST_IPPROTO_UDP)
                    fail_msg("-PO%u: claimed by %s", k.port, st_probe_modules[m]->name);
                claimed += proto;
                assert_true(out.up);
                assert_string_equal(out.reason, want[i]);
                assert_int_equal(out.target, key);
                assert_int_equal(out.tryno, tryno);
            }
            assert_int_equal(claimed, 1);
        }
    }
}

ST_TEST_MAIN(cmocka_unit_test(test_contents6), cmocka_unit_test(test_replies6),
             cmocka_unit_test(test_unreachable6), cmocka_unit_test(test_po6_headers))
