/*
 * The probe modules: SipHash against the paper's vectors; every module's
 * packets decode cleanly with valid checksums, carry nmap's contents
 * (lengths, TTL 37-59, window 1024, MSS 1460, seq 0 on ACK, source port +2
 * per try) and print with the same layout as a real nmap 7.93 probe of the
 * same kind from fixtures/; replies built as a Linux host builds them are
 * recognized by their module only, with the right target, try and reason,
 * and not once their cookie is wrong.
 */
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

static const uint32_t SRC = 0xc6120201, DST = 0xc6120302; /* 198.18.2.1 -> 198.18.3.2 */

static struct st_probe_ctx ctx(void)
{
    struct st_probe_ctx c = {.src = SRC, .fixed_ttl = -1, .sport_base = 50000, .rng = 42};
    c.key.k0 = 0x0123456789abcdefULL;
    c.key.k1 = 0xfedcba9876543210ULL;
    memcpy(c.src_mac, "\x02\x00\x00\x00\x00\x01", 6);
    return c;
}

static void test_siphash_vectors(void **state)
{
    (void)state;
    struct st_sipkey k;
    uint8_t key[16], msg[15];
    for (int i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    k.k0 = k.k1 = 0;
    for (int i = 7; i >= 0; i--) {
        k.k0 = k.k0 << 8 | key[i];
        k.k1 = k.k1 << 8 | key[8 + i];
    }
    assert_true(st_siphash(&k, msg, 0) == 0x726fdb47dd0e0e31ULL);
    assert_true(st_siphash(&k, msg, 15) == 0xa129ca6149be45e5ULL);
}

/* digits masked: the layout of a trace line without its values */
static void shape(const char *in, char *out, size_t size)
{
    size_t k = 0;
    for (const char *p = in; *p && k + 2 < size; p++) {
        if (*p >= '0' && *p <= '9') {
            while (p[1] >= '0' && p[1] <= '9')
                p++;
            out[k++] = '#';
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

/* The first SENT line of fixtures/nmap-7.93/<fixture>/trace.log containing `has`. */
static void nmap_line(const char *fixture, const char *has, char *out, size_t size)
{
    char rel[256], path[512], line[512];
    snprintf(rel, sizeof rel, "fixtures/nmap-7.93/%s/trace.log", fixture);
    FILE *f = fopen(st_src_path(rel, path, sizeof path), "r");
    assert_non_null(f);
    out[0] = '\0';
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "SENT", 4) && strstr(line, has)) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, size, "%s", strstr(line, "s) ") + 3);
            break;
        }
    fclose(f);
    if (!out[0])
        fail_msg("no '%s' line in %s", has, fixture);
}

struct kind {
    const char *module;
    uint16_t port;
    const char *fixture, *has; /* a real nmap probe of the same kind */
    uint16_t iplen;
};

static const struct kind kinds[] = {
    {"echo", 0, "PE", "Echo request", 28},
    {"timestamp", 0, "PP", "Timestamp request", 40},
    {"mask", 0, "PM", "Address mask request", 32},
    {"syn", 443, "default-routed", ":443 S ", 44},
    {"ack", 80, "PA", ":80 A ", 40},
    {"udp", 40125, "PU", "UDP", 28},
    {"sctp", 80, "PY", "SCTP", 52},
    {"proto", 1, "PO", "Echo request", 28},
    {"proto", 2, "PO", "igmp (2)", 28},
    {"proto", 4, "PO", "ipv4 (4)", 20},
    {"arp", 0, "default-local", "ARP who-has", 0},
};

static size_t make(struct st_probe_ctx *c, const struct kind *k, uint8_t tryno, uint8_t *buf,
                   struct st_pkt *p)
{
    const struct st_probe_module *m = st_probe_by_name(k->module);
    struct st_probe_tmpl t;
    assert_non_null(m);
    m->prepare(c, k->port, &t);
    size_t n = m->make(c, &t, DST, tryno, buf, 128);
    assert_true(n > 0);
    assert_int_equal(st_decode(buf, n, m->ethernet ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, p), 0);
    assert_int_equal(p->flags, 0);
    return n;
}

static void test_contents(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        uint8_t buf[128], copy[128];
        struct st_pkt p, p1;
        size_t n = make(&c, k, 0, buf, &p);
        char ours[ST_LINE_MAX], theirs[ST_LINE_MAX], s1[ST_LINE_MAX], s2[ST_LINE_MAX];

        st_format_desc(&p, ours, sizeof ours);
        nmap_line(k->fixture, k->has, theirs, sizeof theirs);
        shape(ours, s1, sizeof s1);
        shape(theirs, s2, sizeof s2);
        if (strcmp(s1, s2))
            fail_msg("%s/%u:\n  ours: %s\n  nmap: %s", k->module, k->port, ours, theirs);
        if (p.net == ST_NET_ARP) {
            assert_int_equal(n, 42);
            assert_int_equal(p.arp.tpa, DST);
            continue;
        }
        assert_int_equal(p.ip.len, k->iplen);
        assert_int_equal(n, k->iplen);
        assert_true(p.ip.ttl >= 37 && p.ip.ttl <= 59);
        assert_int_equal(p.ip.dst, DST);
        assert_int_equal(st_csum_fold(st_csum_add(0, buf, 20)), 0);
        /* the transport checksum, recomputed, is what was written */
        memcpy(copy, buf, n);
        st_l4_checksum(copy, n);
        assert_memory_equal(copy, buf, n);
        if (p.proto == ST_IPPROTO_TCP) {
            assert_int_equal(p.l4.tcp.win, 1024);
            assert_int_equal(p.l4.tcp.sport, 50000);
            if (p.l4.tcp.flags == ST_TCP_ACK)
                assert_int_equal(p.l4.tcp.seq, 0);
            else
                assert_memory_equal(p.l4.tcp.opts, "\x02\x04\x05\xb4", 4);
        }
        /* a retry: source port + 2, new IP id (and ICMP id) */
        make(&c, k, 1, buf, &p1);
        if (p.proto == ST_IPPROTO_TCP)
            assert_int_equal(p1.l4.tcp.sport, 50002);
        if (p.proto == ST_IPPROTO_UDP)
            assert_int_equal(p1.l4.udp.sport, 50002);
        assert_int_not_equal(p1.ip.id, p.ip.id);
    }
}

/* ---- replies, as a Linux host makes them ----------------------------------- */

static size_t ip_reply(uint8_t *out, uint8_t proto, const uint8_t *payload, size_t n)
{
    st_ipv4_write(out, (uint16_t)(20 + n), 0x4242, 64, proto, DST, SRC);
    memcpy(out + 20, payload, n);
    st_l4_checksum(out, 20 + n);
    return 20 + n;
}

/* ICMP error (type/code) quoting the first 28 bytes of `probe` */
static size_t icmp_error(uint8_t *out, uint8_t type, uint8_t code, const uint8_t *probe)
{
    uint8_t icmp[8 + 28] = {type, code};
    memcpy(icmp + 8, probe, 28);
    return ip_reply(out, ST_IPPROTO_ICMP, icmp, sizeof icmp);
}

static size_t reply_to(const struct kind *k, const uint8_t *probe, uint8_t *out)
{
    const uint8_t *l4 = probe + 20;
    if (!strcmp(k->module, "arp")) {
        memset(out, 0, 60);
        memcpy(out, probe + 6, 6);
        memcpy(out + 6, "\x02\x00\x00\x00\x00\x99", 6);
        memcpy(out + 12, probe + 12, 8);
        st_put16(out + 20, 2);
        memcpy(out + 22, "\x02\x00\x00\x00\x00\x99", 6);
        st_put32(out + 28, DST);
        memcpy(out + 32, probe + 22, 10); /* the asker's MAC and address */
        return 60;
    }
    if (!strcmp(k->module, "echo") || !strcmp(k->module, "timestamp") ||
        !strcmp(k->module, "mask") || (!strcmp(k->module, "proto") && k->port == 1)) {
        uint8_t icmp[20];
        size_t n = k->iplen - 20u;
        memcpy(icmp, l4, n);
        icmp[0] = icmp[0] == 8 ? 0 : (uint8_t)(icmp[0] + 1);
        return ip_reply(out, ST_IPPROTO_ICMP, icmp, n);
    }
    if (!strcmp(k->module, "syn")) {
        uint8_t tcp[20] = {0};
        memcpy(tcp, l4 + 2, 2);
        memcpy(tcp + 2, l4, 2);
        uint32_t seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 | (uint32_t)l4[6] << 8 | l4[7];
        st_put32(tcp + 8, seq + 1);
        tcp[12] = 5 << 4;
        tcp[13] = ST_TCP_SYN | ST_TCP_ACK;
        return ip_reply(out, ST_IPPROTO_TCP, tcp, 20);
    }
    if (!strcmp(k->module, "ack")) {
        uint8_t tcp[20] = {0};
        memcpy(tcp, l4 + 2, 2);
        memcpy(tcp + 2, l4, 2);
        memcpy(tcp + 4, l4 + 8, 4); /* RST seq = the ACK's ack */
        tcp[12] = 5 << 4;
        tcp[13] = ST_TCP_RST;
        return ip_reply(out, ST_IPPROTO_TCP, tcp, 20);
    }
    if (!strcmp(k->module, "udp"))
        return icmp_error(out, 3, 3, probe);
    return icmp_error(out, 3, 2, probe); /* sctp, igmp, ipip: protocol unreachable */
}

static const char *const reasons[] = {
    "echo-reply",    "timestamp-reply", "mask-reply",    "syn-ack",
    "reset",         "port-unreach",    "proto-unreach", "echo-reply",
    "proto-unreach", "proto-unreach",   "arp-response",
};

static void test_replies(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        for (uint8_t tryno = 0; tryno < 3; tryno++) {
            uint8_t buf[128], rep[128];
            struct st_pkt p, r;
            make(&c, k, tryno, buf, &p);
            size_t n = reply_to(k, buf, rep);
            bool eth = !strcmp(k->module, "arp");
            assert_int_equal(st_decode(rep, n, eth ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &r), 0);

            int claimed = 0;
            for (size_t m = 0; st_probe_modules[m]; m++) {
                struct st_probe_reply out;
                if (!st_probe_modules[m]->match(&c, &r, 6, &out))
                    continue;
                if (strcmp(st_probe_modules[m]->name, k->module))
                    fail_msg("%s/%u try %u: claimed by %s", k->module, k->port, tryno,
                             st_probe_modules[m]->name);
                claimed++;
                assert_int_equal(out.target, DST);
                assert_true(out.up);
                assert_string_equal(out.reason, reasons[i]);
                if (!eth && strcmp(out.reason, "proto-response"))
                    assert_int_equal(out.tryno, tryno);
            }
            if (claimed != 1)
                fail_msg("%s/%u try %u: %d modules claimed the reply", k->module, k->port, tryno,
                         claimed);
            /* the same reply to another scan (another key) is not ours */
            struct st_probe_ctx other = c;
            other.key.k0 ^= 1;
            const struct st_probe_module *mod = st_probe_by_name(k->module);
            struct st_probe_reply out;
            if (!eth && mod->match(&other, &r, 6, &out))
                fail_msg("%s/%u: matched under another key", k->module, k->port);
            /* nor a try beyond those sent */
            if (!eth && tryno > 0 && mod->match(&c, &r, (uint8_t)(tryno - 1), &out))
                fail_msg("%s/%u: try %u matched with max try %u", k->module, k->port, tryno,
                         tryno - 1);
        }
    }
}

static void test_unreachable_is_down(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();
    uint8_t buf[128], rep[128];
    struct st_pkt p, r;
    struct st_probe_reply out;

    make(&c, &kinds[0], 1, buf, &p);
    /* the router's host unreachable for an echo probe: down, host-unreach */
    size_t n = icmp_error(rep, 3, 1, buf);
    st_put32(rep + 12, 0xc61202fe); /* from the router */
    st_ipv4_checksum(rep);
    st_decode(rep, n, ST_LINK_RAW_IP, &r);
    assert_true(st_probe_by_name("echo")->match(&c, &r, 6, &out));
    assert_false(out.up);
    assert_string_equal(out.reason, "host-unreach");
    assert_int_equal(out.target, DST);
    assert_int_equal(out.tryno, 1);
    assert_false(st_probe_by_name("timestamp")->match(&c, &r, 6, &out));
}

/* A SYN carrying a payload (--data*, ctx.payload bytes): a RST acks the
 * payload too, a SYN/ACK only the SYN (the data is not taken). nmap counts
 * both, matching by ports; the cookie must still hold. */
static const struct {
    uint16_t payload;
    uint8_t flags;
    uint32_t ack;       /* past the probe's seq */
    const char *reason; /* NULL: not a reply to the probe */
} syn_payload_rows[] = {
    {0, ST_TCP_RST | ST_TCP_ACK, 1, "reset"},
    {0, ST_TCP_RST | ST_TCP_ACK, 3, NULL},
    {2, ST_TCP_RST | ST_TCP_ACK, 3, "reset"},
    {2, ST_TCP_RST | ST_TCP_ACK, 1, "reset"}, /* a stack that ignored the data */
    {2, ST_TCP_RST | ST_TCP_ACK, 2, NULL},
    {2, ST_TCP_RST, 3, NULL}, /* a RST without ACK acks nothing */
    {2, ST_TCP_SYN | ST_TCP_ACK, 1, "syn-ack"},
    {2, ST_TCP_SYN | ST_TCP_ACK, 3, NULL},
    {1400, ST_TCP_RST | ST_TCP_ACK, 1401, "reset"},
};

static void test_syn_with_payload(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof syn_payload_rows / sizeof syn_payload_rows[0]; i++) {
        struct st_probe_ctx c = ctx();
        c.payload = syn_payload_rows[i].payload;
        uint8_t buf[128], rep[128], tcp[20] = {0};
        struct st_pkt p, r;
        struct st_probe_reply out;
        make(&c, &kinds[3], 1, buf, &p);
        assert_int_equal(p.l4.tcp.flags, ST_TCP_SYN);
        st_put16(tcp, p.l4.tcp.dport);
        st_put16(tcp + 2, p.l4.tcp.sport);
        st_put32(tcp + 8, p.l4.tcp.seq + syn_payload_rows[i].ack);
        tcp[12] = 5 << 4;
        tcp[13] = syn_payload_rows[i].flags;
        size_t n = ip_reply(rep, ST_IPPROTO_TCP, tcp, 20);
        assert_int_equal(st_decode(rep, n, ST_LINK_RAW_IP, &r), 0);
        bool got = st_probe_by_name("syn")->match(&c, &r, 6, &out);
        const char *want = syn_payload_rows[i].reason;
        if (got != (want != NULL))
            fail_msg("row %zu: payload %u, flags %#x, ack seq+%u: %s", i,
                     syn_payload_rows[i].payload, syn_payload_rows[i].flags,
                     syn_payload_rows[i].ack, got ? "matched" : "not matched");
        if (got) {
            assert_string_equal(out.reason, want);
            assert_int_equal(out.tryno, 1);
            assert_int_equal(out.target, DST);
        }
    }
}

/* -PO's protocols with a header, against nmap 7.93's own probes (the lab
 * recordings po6-nmap, po17-nmap, po-nmap: `nmap -sn -PO6|-PO17|
 * -PO1,2,4,6,17,47,132`): a TCP ACK to 80 with seq and ack, a UDP
 * datagram to 40125, an SCTP INIT to 80 (tag 0, a_rwnd 32768, 10/2048
 * streams), each from the try's source port. */
static const struct {
    uint8_t proto;
    const char *nmap; /* nmap's trace of the probe */
    uint16_t iplen, dport;
} po_rows[] = {
    {6, "TCP 198.18.2.1:49997 > 198.18.3.3:80 A ttl=48 id=41246 iplen=40  seq=3075690643 win=1024 ",
     40, 80},
    {17, "UDP 198.18.2.1:63519 > 198.18.3.3:40125 ttl=43 id=11602 iplen=28 ", 28, 40125},
    {132, "SCTP 198.18.2.1:59298 > 198.18.3.4:80 ttl=54 id=56690 iplen=52 ", 52, 80},
};

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint16_t get16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

static void check_po_fields(const struct st_pkt *p, const uint8_t *buf, size_t i)
{
    if (po_rows[i].proto == ST_IPPROTO_TCP) {
        assert_int_equal(p->l4.tcp.flags, ST_TCP_ACK);
        assert_int_equal(p->l4.tcp.win, 1024);
        assert_int_equal(buf[20 + 12], 5 << 4); /* no options */
        assert_true(p->l4.tcp.seq != 0 && p->l4.tcp.ack != 0);
    } else if (po_rows[i].proto == ST_IPPROTO_SCTP) {
        assert_int_equal(p->l4.sctp.vtag, 0);
        assert_int_equal(buf[32], 1); /* INIT */
        assert_int_equal(get32(buf + 40), 32768);
        assert_int_equal(get16(buf + 44), 10);
        assert_int_equal(get16(buf + 46), 2048);
        assert_true(get32(buf + 36) != 0);
    } else {
        assert_int_equal(p->l4.udp.len, 8);
    }
}

static void test_po_headers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof po_rows / sizeof po_rows[0]; i++) {
        struct st_probe_ctx c = ctx();
        struct kind k = {"proto", po_rows[i].proto, NULL, NULL, po_rows[i].iplen};
        uint8_t buf[128], copy[128];
        struct st_pkt p;
        char ours[ST_LINE_MAX], s1[ST_LINE_MAX], s2[ST_LINE_MAX];
        size_t n = make(&c, &k, 0, buf, &p);
        st_format_desc(&p, ours, sizeof ours);
        shape(ours, s1, sizeof s1);
        shape(po_rows[i].nmap, s2, sizeof s2);
        if (strcmp(s1, s2))
            fail_msg("-PO%u:\n  ours: %s\n  nmap: %s", po_rows[i].proto, ours, po_rows[i].nmap);
        assert_int_equal(n, po_rows[i].iplen);
        assert_int_equal(p.proto, po_rows[i].proto);
        assert_int_equal(p.l4.tcp.dport, po_rows[i].dport); /* ports: same place in all three */
        assert_int_equal(p.l4.tcp.sport, 50000);
        check_po_fields(&p, buf, i);
        memcpy(copy, buf, n);
        st_l4_checksum(copy, n);
        assert_memory_equal(copy, buf, n);
        make(&c, &k, 1, buf, &p);
        assert_int_equal(p.l4.tcp.sport, 50002);
    }
}

/* The answer a Linux host gives a -PO probe with a header: a RST to the
 * ACK, port unreachable to the UDP, an ABORT (vtag: our initiate tag) to
 * the INIT; or protocol unreachable without SCTP. */
static size_t po_reply(const uint8_t *probe, uint8_t *out, bool unreach)
{
    const uint8_t *l4 = probe + 20;
    uint8_t r[20] = {0};
    memcpy(r, l4 + 2, 2);
    memcpy(r + 2, l4, 2);
    if (probe[9] == ST_IPPROTO_UDP)
        return icmp_error(out, 3, 3, probe);
    if (probe[9] == ST_IPPROTO_SCTP) {
        if (unreach)
            return icmp_error(out, 3, 2, probe);
        memcpy(r + 4, l4 + 16, 4); /* vtag = the INIT's initiate tag */
        r[12] = 6;                 /* ABORT */
        r[13] = 1;                 /* T: the tag reflected */
        st_put16(r + 14, 4);
        return ip_reply(out, ST_IPPROTO_SCTP, r, 16);
    }
    memcpy(r + 4, l4 + 8, 4); /* RST seq = our ack */
    r[12] = 5 << 4;
    r[13] = ST_TCP_RST;
    return ip_reply(out, ST_IPPROTO_TCP, r, 20);
}

/* The reply is claimed by -PO's module alone, up, with nmap's reason and
 * the try; with -g (fixed_sport) as well, every try from the one port. */
static void test_po_replies(void **state)
{
    (void)state;
    static const char *const want[] = {"proto-response", "port-unreach", "proto-response"};
    for (size_t i = 0; i < sizeof po_rows / sizeof po_rows[0] * 2; i++) {
        size_t row = i % 3;
        struct st_probe_ctx c = ctx();
        c.fixed_sport = i >= 3;
        struct kind k = {"proto", po_rows[row].proto, NULL, NULL, po_rows[row].iplen};
        for (uint8_t tryno = 0; tryno < 3; tryno++) {
            uint8_t buf[128], rep[128];
            struct st_pkt p, r;
            make(&c, &k, tryno, buf, &p);
            assert_int_equal(p.l4.tcp.sport, c.fixed_sport ? 50000 : 50000 + 2 * tryno);
            size_t n = po_reply(buf, rep, false);
            assert_int_equal(st_decode(rep, n, ST_LINK_RAW_IP, &r), 0);
            int claimed = 0;
            for (size_t m = 0; st_probe_modules[m]; m++) {
                struct st_probe_reply out;
                if (!st_probe_modules[m]->match(&c, &r, 6, &out))
                    continue;
                if (strcmp(st_probe_modules[m]->name, "proto"))
                    fail_msg("-PO%u try %u: claimed by %s", k.port, tryno,
                             st_probe_modules[m]->name);
                claimed++;
                assert_true(out.up);
                assert_string_equal(out.reason, want[row]);
                assert_int_equal(out.target, DST);
                assert_int_equal(out.tryno, tryno);
            }
            assert_int_equal(claimed, 1);
        }
    }
}

/* -g: every module's port probes keep the source port on every try (nmap's
 * magic port), and their answers still name the try by their cookies. */
static void test_fixed_sport(void **state)
{
    (void)state;
    struct st_probe_ctx c = ctx();
    c.sport_base = 65535;
    c.fixed_sport = true;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const struct kind *k = &kinds[i];
        for (uint8_t tryno = 0; tryno < 3; tryno++) {
            uint8_t buf[128], rep[128];
            struct st_pkt p, r;
            struct st_probe_reply out;
            make(&c, k, tryno, buf, &p);
            if (p.net == ST_NET_IPV4 && (p.proto == ST_IPPROTO_TCP || p.proto == ST_IPPROTO_UDP ||
                                         p.proto == ST_IPPROTO_SCTP))
                assert_int_equal(p.l4.tcp.sport, 65535);
            size_t n = reply_to(k, buf, rep);
            bool eth = !strcmp(k->module, "arp");
            assert_int_equal(st_decode(rep, n, eth ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &r), 0);
            assert_true(st_probe_by_name(k->module)->match(&c, &r, 6, &out));
            assert_string_equal(out.reason, reasons[i]);
            if (!eth)
                assert_int_equal(out.tryno, tryno);
        }
    }
}

ST_TEST_MAIN(cmocka_unit_test(test_siphash_vectors), cmocka_unit_test(test_contents),
             cmocka_unit_test(test_replies), cmocka_unit_test(test_unreachable_is_down),
             cmocka_unit_test(test_syn_with_payload), cmocka_unit_test(test_po_headers),
             cmocka_unit_test(test_po_replies), cmocka_unit_test(test_fixed_sport))
