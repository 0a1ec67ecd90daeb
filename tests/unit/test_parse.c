/*
 * Trace text <-> packet record: every LOW line of the data file survives
 * parse -> format byte for byte; MEDIUM/HIGH lines parse into the expected
 * fields; malformed packet lines are refused with a reason; other lines are
 * told apart from packet lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "packet.h"
#include "testdata.h"

/* Calls fn(line, lineno) for each non-comment line of a data file. */
static int each_line(const char *name, int (*fn)(char *line, unsigned lineno))
{
    char path[512];
    FILE *f = fopen(st_test_path(name, path, sizeof path), "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    unsigned no = 0, bad = 0, seen = 0;
    while (getline(&line, &cap, f) > 0) {
        no++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        seen++;
        bad += (unsigned)fn(line, no);
    }
    free(line);
    fclose(f);
    assert_true(seen > 0);
    return (int)bad;
}

/* Everything after "SENT (t) " */
static const char *after_time(const char *line)
{
    const char *p = strstr(line, "s) ");
    return p ? p + 3 : line;
}

static int roundtrip_one(char *line, unsigned no)
{
    struct st_pkt p;
    char err[128], out[ST_LINE_MAX];

    if (st_parse_line(line, &p, err, sizeof err) != ST_PARSE_OK) {
        print_error("line %u: parse failed (%s): %s\n", no, err, line);
        return 1;
    }
    if (st_format_line(&p, out, sizeof out) < 0) {
        print_error("line %u: format failed\n", no);
        return 1;
    }
    if (strcmp(after_time(out), after_time(line)) != 0) {
        print_error("line %u:\n  nmap: [%s]\n  ours: [%s]\n", no, line, out);
        return 1;
    }
    /* the time survives too, as nmap prints it */
    if (strncmp(out, line, (size_t)(after_time(line) - line)) != 0) {
        print_error("line %u: time/direction differ: [%s]\n", no, out);
        return 1;
    }
    return 0;
}

static void test_low_roundtrip(void **state)
{
    (void)state;
    assert_int_equal(each_line("trace-lines-low.txt", roundtrip_one), 0);
}

/* "tcp.seq=123" -> the record's value */
static int field_value(const struct st_pkt *p, const char *name, unsigned long *v)
{
    static const struct {
        const char *n;
        size_t off, size;
    } f[] = {
#define F(n, m) {n, offsetof(struct st_pkt, m), sizeof(((struct st_pkt *)0)->m)}
        F("ip.id", ip.id),
        F("ip.ttl", ip.ttl),
        F("ip.csum", ip.csum),
        F("ip.proto", ip.proto),
        F("tcp.seq", l4.tcp.seq),
        F("tcp.csum", l4.tcp.csum),
        F("tcp.off", l4.tcp.off),
        F("udp.csum", l4.udp.csum),
        F("udp.len", l4.udp.len),
        F("udp.dport", l4.udp.dport),
        F("sctp.csum", l4.sctp.csum),
        F("icmp.id", l4.icmp.id),
        F("icmp.type", l4.icmp.type),
        F("tcp.dport", l4.tcp.dport),
        F("sctp.dport", l4.sctp.dport),
        F("proto", proto),
        F("ip6.hopl", ip6.hopl),
        F("ip6.flow", ip6.flow),
        F("ip6.plen", ip6.plen),
#undef F
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (strcmp(f[i].n, name))
            continue;
        const unsigned char *b = (const unsigned char *)p + f[i].off;
        if (f[i].size == 1)
            *v = *b;
        else if (f[i].size == 2)
            *v = *(const uint16_t *)(const void *)b;
        else
            *v = *(const uint32_t *)(const void *)b;
        return 0;
    }
    return -1;
}

static int detail_one(char *line, unsigned no)
{
    char *arrow = strstr(line, " => ");
    struct st_pkt p;
    char err[128];
    int bad = 0;

    if (!arrow) {
        print_error("line %u: no expectations\n", no);
        return 1;
    }
    *arrow = '\0';
    if (st_parse_line(line, &p, err, sizeof err) != ST_PARSE_OK) {
        print_error("line %u: parse failed (%s): %s\n", no, err, line);
        return 1;
    }
    char *save = NULL;
    for (char *kv = strtok_r(arrow + 4, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        unsigned long want, got = 0;
        if (!eq)
            return 1;
        *eq = '\0';
        want = strtoul(eq + 1, NULL, 0);
        if (field_value(&p, kv, &got) || got != want) {
            print_error("line %u: %s is %lu, expected %lu\n", no, kv, got, want);
            bad = 1;
        }
    }
    return bad;
}

static void test_detail_levels(void **state)
{
    (void)state;
    assert_int_equal(each_line("trace-lines-detail.txt", detail_one), 0);
}

static void test_not_packet_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "Starting Nmap 7.93 ( https://nmap.org ) at 2026-11-27 16:00 UTC",
        "Nmap scan report for 198.18.3.2",
        "Host is up (0.00010s latency).",
        "NSOCK INFO [0.0340s] nsock_iod_new2(): nsock_iod_new (IOD #1)",
        "",
    };
    struct st_pkt p;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        assert_int_equal(st_parse_line(lines[i], &p, NULL, 0), ST_PARSE_NOT_PACKET);
}

static void test_bad_packet_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "SENT (0.0135s)",
        "SENT (x) ARP who-has 10.0.0.1 tell 10.0.0.2",
        "SENT (0.0135s) ARP who-has 10.0.0.300 tell 10.0.0.2",
        "RCVD (0.0135s) ARP reply 10.0.0.1 is-at 5A:59:23:9C:17",
        "SENT (0.1s) TCP 10.0.0.1:99999 > 10.0.0.2:80 S ttl=1 id=1 iplen=40  seq=0 win=1 ",
        "SENT (0.1s) TCP 10.0.0.1:1 > 10.0.0.2:80 SX ttl=1 id=1 iplen=40  seq=0 win=1 ",
        "SENT (0.1s) TCP 10.0.0.1:1 > 10.0.0.2:80 S ttl=1 id=1 iplen=40  seq=0 win=1 <mss>",
        "SENT (0.1s) ICMP [10.0.0.1 > 10.0.0.2 Echo request (type=300/code=0) id=1 seq=0] IP "
        "[ttl=1 id=1 iplen=28 ]",
        "SENT (0.1s) ICMP [10.0.0.1 > 10.0.0.2 Echo request (type=8/code=0) id=1 seq=0] IP "
        "[ttl=1 id=1 iplen=28 ] extra",
        "SENT (0.1s) UDP 10.0.0.1:1 > 10.0.0.2:2 ttl=1 bogus=3 iplen=28 ",
        "SENT (0.1s) igmp (3) 10.0.0.1 > 10.0.0.2: ttl=1 id=1 iplen=28 ",
        "SENT (0.1s) BOGUS!  Can't parse supposed IP packet",
        "SENT (0.1s) Something else entirely",
    };
    struct st_pkt p;
    char err[128];
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        err[0] = '\0';
        if (st_parse_line(lines[i], &p, err, sizeof err) != ST_PARSE_BAD)
            fail_msg("accepted: %s", lines[i]);
        assert_true(err[0] != '\0');
    }
}

static void test_conn_lines(void **state)
{
    (void)state;
    struct st_pkt p;
    char err[128];

    assert_int_equal(st_parse_line("CONN (0.0014s) TCP localhost > 10.91.1.2:443 => Connection "
                                   "refused",
                                   &p, err, sizeof err),
                     ST_PARSE_OK);
    assert_true(p.flags & ST_PKT_CONNECT);
    assert_int_equal(p.dir, ST_DIR_RCVD);
    assert_int_equal(p.ip.dst, 0x0a5b0102u);
    assert_int_equal(p.l4.tcp.dport, 443);
    assert_int_equal(p.l4.tcp.flags, ST_TCP_RST | ST_TCP_ACK);
    assert_int_equal(st_parse_line("CONN (0.1s) TCP localhost > 10.91.1.2:80 => Operation now in "
                                   "progress",
                                   &p, err, sizeof err),
                     ST_PARSE_OK);
    assert_int_equal(p.dir, ST_DIR_SENT);
    assert_int_equal(p.l4.tcp.flags, ST_TCP_SYN);
    assert_int_equal(st_parse_line("CONN (0.1s) TCP localhost > 10.91.1.2:80 => Frobnicated", &p,
                                   err, sizeof err),
                     ST_PARSE_BAD);
    assert_int_equal(
        st_parse_line("CONN (0.1s) TCP localhost > 10.91.1.2 => Connected", &p, err, sizeof err),
        ST_PARSE_BAD);
}

/* nping's own ARP and --tcp-connect lines (nping 0.7.93's, recorded in the
 * lab): the records nmap's lines of the same packets give. */
static void test_nping_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        enum st_parse_rc rc;
        enum st_dir dir;
        bool connect;
        uint8_t tcp_flags; /* a connect record's: SYN issued, SYN/ACK, RST */
        uint16_t arp_op;
    } rows[] = {
        {"SENT (0.8341s) ARP who has 198.18.1.2? Tell 198.18.1.1", ST_PARSE_OK, ST_DIR_SENT, false,
         0, 1},
        {"RCVD (0.8348s) ARP reply 198.18.1.2 is at AA:58:1D:20:79:70", ST_PARSE_OK, ST_DIR_RCVD,
         false, 0, 2},
        {"SENT (0.0055s) Starting TCP Handshake > 198.18.3.2:443", ST_PARSE_OK, ST_DIR_SENT, true,
         ST_TCP_SYN, 0},
        {"RCVD (0.0055s) Handshake with 198.18.3.2:443 completed", ST_PARSE_OK, ST_DIR_RCVD, true,
         ST_TCP_SYN | ST_TCP_ACK, 0},
        {"RCVD (1.0073s) Possible TCP RST received from 198.18.3.3:443 --> Connection refused",
         ST_PARSE_OK, ST_DIR_RCVD, true, ST_TCP_RST | ST_TCP_ACK, 0},
        {"RCVD (1.0s) Possible TCP RST received from 198.18.3.3:443 --> Frobnicated", ST_PARSE_BAD,
         0, false, 0, 0},
        {"RCVD (1.0s) Handshake with 198.18.3.3 completed", ST_PARSE_BAD, 0, false, 0, 0},
        {"SENT (0.1s) ARP who has 198.18.1.300? Tell 198.18.1.1", ST_PARSE_BAD, 0, false, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_pkt p;
        char err[128] = "";
        enum st_parse_rc rc = st_parse_line(rows[i].line, &p, err, sizeof err);
        if (rc != rows[i].rc)
            fail_msg("'%s': rc %d, want %d (%s)", rows[i].line, rc, rows[i].rc, err);
        if (rc != ST_PARSE_OK)
            continue;
        if (p.dir != rows[i].dir || !!(p.flags & ST_PKT_CONNECT) != rows[i].connect ||
            (rows[i].connect && p.l4.tcp.flags != rows[i].tcp_flags) ||
            (!rows[i].connect && p.arp.op != rows[i].arp_op))
            fail_msg("'%s': dir %d connect %d flags %x op %u", rows[i].line, p.dir,
                     !!(p.flags & ST_PKT_CONNECT), p.l4.tcp.flags, p.arp.op);
    }
}

/* nmap -6's lines (fixtures/nmap-7.93-ipv6/), one row each: what the
 * record must hold that the line says (the addresses, an ND target and MAC,
 * a CONN line's destination), and the lines nmap never prints that must be
 * refused. */
static void test_ipv6_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        enum st_parse_rc rc;
        unsigned flags;        /* ST_PKT_* the record must have */
        uint8_t proto, type;   /* ICMPv6 type, or 0 */
        const char *dst;       /* IPv6 destination, or NULL */
        const char *nd_target; /* ND target, or NULL */
        uint8_t mac_last;      /* the ND MAC's last byte */
    } rows[] = {
        {"RCVD (0.0509s) neighbor advertisement 2001:2:0:1::3 > 2001:2:0:1::1 2001:2:0:1::3 is at "
         "a6:a5:b2:ed:45:1c",
         ST_PARSE_OK, ST_PKT_ND_TRACE, 58, 136, "2001:2:0:1::1", "2001:2:0:1::3", 0x1c},
        {"RCVD (0.1s) neighbor advertisement fe80::1 > fe80::2 no link-layer address", ST_PARSE_OK,
         ST_PKT_ND_TRACE | ST_PKT_L4_SHORT, 58, 136, "fe80::2", NULL, 0},
        {"RCVD (0.1s) neighbor solicitation fe80::1 > ff02::1:ff00:2 who has 2001:2:0:1::2",
         ST_PARSE_OK, ST_PKT_ND_TRACE, 58, 135, "ff02::1:ff00:2", "2001:2:0:1::2", 0},
        {"CONN (0.0049s) TCP localhost > 2001:2:0:3::2:443 => Connection refused", ST_PARSE_OK,
         ST_PKT_CONNECT, 6, 0, "2001:2:0:3::2", NULL, 0},
        {"CONN (0.0049s) TCP localhost > ::ffff:1.2.3.4:443 => Connected", ST_PARSE_OK,
         ST_PKT_CONNECT, 6, 0, "::ffff:1.2.3.4", NULL, 0},
        {"SENT (0.0105s) ICMP 2001:2:0:2::1 > 2001:2:0:3::4 [??] hopl=47 flow=21be payloadlen=0",
         ST_PARSE_OK, ST_PKT_L4_SHORT, 1, 0, "2001:2:0:3::4", NULL, 0},
        {"SENT (0.0106s) ipv4 (4) 2001:2:0:2::1 > 2001:2:0:3::4: hopl=50 flow=61c5 payloadlen=0",
         ST_PARSE_OK, 0, 4, 0, "2001:2:0:3::4", NULL, 0},
        {"SENT (0.0124s) TCP 2001:2:0:2::1:48816 > 2001:2:0:3::3:443 S hopl=255 flow=0 "
         "payloadlen=24 seq=3270328250 win=1024 <mss 1460>",
         ST_PARSE_OK, 0, 6, 0, "2001:2:0:3::3", NULL, 0},
        /* what nmap never prints */
        {"RCVD (0.1s) neighbor advertisement 2001:2:0:1::3 > 2001:2:0:1::1 2001:2:0:1::3 is-at "
         "a6:a5:b2:ed:45:1c",
         ST_PARSE_BAD, 0, 0, 0, NULL, NULL, 0},
        {"RCVD (0.1s) neighbor advertisement 10.0.0.1 > 10.0.0.2 10.0.0.1 is at a6:a5:b2:ed:45:1c",
         ST_PARSE_BAD, 0, 0, 0, NULL, NULL, 0},
        {"RCVD (0.1s) neighbor advertisement fe80::1 > fe80::2 fe80::1 is at a6:a5:b2:ed:45",
         ST_PARSE_BAD, 0, 0, 0, NULL, NULL, 0},
        {"CONN (0.1s) TCP localhost > 2001:2:0:3::2 => Connected", ST_PARSE_BAD, 0, 0, 0, NULL,
         NULL, 0},
        {"SENT (0.1s) ICMPv6 (58) 2001:2::1 > 2001:2::2 (type=128/code=0) hopl=x flow=0 "
         "payloadlen=8",
         ST_PARSE_BAD, 0, 0, 0, NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_pkt p;
        char err[128] = "";
        uint8_t want[16];
        enum st_parse_rc rc = st_parse_line(rows[i].line, &p, err, sizeof err);
        if (rc != rows[i].rc)
            fail_msg("row %zu: rc %d (%s): %s", i, rc, err, rows[i].line);
        if (rc != ST_PARSE_OK)
            continue;
        if ((p.flags & rows[i].flags) != rows[i].flags || p.proto != rows[i].proto ||
            (rows[i].type && p.l4.icmp.type != rows[i].type))
            fail_msg("row %zu: flags %x proto %u type %u: %s", i, p.flags, p.proto, p.l4.icmp.type,
                     rows[i].line);
        assert_int_equal(p.net, ST_NET_IPV6);
        assert_int_equal(inet_pton(AF_INET6, rows[i].dst, want), 1);
        if (memcmp(p.ip6.dst, want, 16))
            fail_msg("row %zu: destination: %s", i, rows[i].line);
        /* the ND fields share the transport union: ICMPv6 rows only */
        if (p.proto == ST_IPPROTO_ICMPV6)
            assert_int_equal(p.l4.icmp.nd_has_target, rows[i].nd_target != NULL);
        if (rows[i].nd_target) {
            assert_int_equal(inet_pton(AF_INET6, rows[i].nd_target, want), 1);
            if (memcmp(p.l4.icmp.nd_target, want, 16))
                fail_msg("row %zu: ND target: %s", i, rows[i].line);
        }
        if (rows[i].mac_last && (!p.l4.icmp.nd_has_mac || p.l4.icmp.nd_mac[5] != rows[i].mac_last))
            fail_msg("row %zu: ND MAC: %s", i, rows[i].line);
    }
}

static void test_crlf_and_time(void **state)
{
    (void)state;
    struct st_pkt p;
    assert_int_equal(
        st_parse_line("RCVD (12.3456s) ARP reply 1.2.3.4 is-at 00:11:22:33:44:55\r\n", &p, NULL, 0),
        ST_PARSE_OK);
    assert_int_equal(p.dir, ST_DIR_RCVD);
    assert_true(p.time_ns == 12345600000LL);
    assert_int_equal(p.arp.spa, 0x01020304u);
    assert_int_equal(p.arp.sha[5], 0x55);
}

int main(int argc, char **argv)
{
    st_test_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_low_roundtrip),    cmocka_unit_test(test_detail_levels),
        cmocka_unit_test(test_not_packet_lines), cmocka_unit_test(test_bad_packet_lines),
        cmocka_unit_test(test_crlf_and_time),    cmocka_unit_test(test_conn_lines),
        cmocka_unit_test(test_nping_lines),      cmocka_unit_test(test_ipv6_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
