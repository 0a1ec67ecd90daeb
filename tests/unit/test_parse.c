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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
