/*
 * The trace reader on hostile text (regressions found by review and the
 * fuzzers): times too large for a nanosecond count, infinite or NaN, are
 * not read as times (they were undefined behaviour, and an infinite
 * latency made report.json say "Infinity", which is not JSON).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "rows.h"

static int read_text(const char *text, struct st_trace *t)
{
    char err[512];
    return st_row_trace(text, t, err, sizeof err);
}

static void test_huge_times(void **state)
{
    (void)state;
    struct st_trace t;
    assert_int_equal(read_text("PASS (1e300s) mode=x targets=1\n"
                               "SENT (0.1s) ARP who-has 1.2.3.4 tell 1.2.3.5\n"
                               "Nmap scan report for 1.2.3.4\n"
                               "Host is up (1e999s latency).\n"
                               "Nmap done: 1 IP address (1 host up) scanned in nan seconds\n",
                               &t),
                     0);
    assert_int_equal(t.npkts, 1);
    assert_int_equal(t.nmodes, 0);
    assert_int_equal(t.nwarnings, 1);
    assert_int_equal(t.warnings[0].line, 1);
    assert_int_equal(t.nhosts, 1);
    assert_true(t.hosts[0].up);
    assert_true(t.hosts[0].latency_s < 0);
    assert_true(t.end_ns == -1);
    st_trace_free(&t);

    assert_int_equal(read_text("SENT (0.1s) ARP who-has 1.2.3.4 tell 1.2.3.5\n"
                               "Nmap done: 1 IP address (1 host up) scanned in 1e300 seconds\n",
                               &t),
                     0);
    assert_true(t.end_ns == -1);
    st_trace_free(&t);
}

/* Sane times still read, CRLF or not. */
static void test_times(void **state)
{
    (void)state;
    struct st_trace t;
    assert_int_equal(read_text("PASS (0.5000s) mode=echo targets=1\r\n"
                               "SENT (0.6s) ARP who-has 1.2.3.4 tell 1.2.3.5\r\n"
                               "Nmap scan report for 1.2.3.4\r\n"
                               "Host is up (0.00028s latency).\r\n"
                               "Nmap done: 1 IP address (1 host up) scanned in 1.47 seconds\r\n",
                               &t),
                     0);
    assert_int_equal(t.nmodes, 1);
    assert_true(t.mode_start_ns[0] == 500000000);
    assert_true(t.hosts[0].latency_s > 0.00027 && t.hosts[0].latency_s < 0.00029);
    assert_true(t.end_ns == 1470000000);
    /* scantrace 0.1's name, in nmap's words */
    assert_string_equal(st_trace_pkt_mode(&t, 0), "-PE");
    st_trace_free(&t);
}

/* nmap's host line in every form it prints: plain, --reason, -d, -d2, -d3
 * (the reason forms once read as no latency, shown as 0.000000 s) */
static void test_latency_forms(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        double latency; /* < 0: none */
    } rows[] = {
        {"Host is up (0.00028s latency).\n", 0.00028},
        {"Host is up, received echo-reply ttl 63 (0.000025s latency).\n", 0.000025},
        {"Host is up, received arp-response (0.000044s latency).\n", 0.000044},
        {"Host is up, received reset ttl 64 (0.0012s latency).\r\n", 0.0012},
        {"Host is up, received syn-ack ttl 63 (0.10s latency).\n", 0.10},
        {"Host is up, received user-set.\n", -1},
        {"Host is up.\n", -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char text[256];
        struct st_trace t;
        snprintf(text, sizeof text, "Nmap scan report for 1.2.3.4\n%s", rows[i].line);
        assert_int_equal(read_text(text, &t), 0);
        assert_int_equal(t.nhosts, 1);
        assert_true(t.hosts[0].up);
        if (rows[i].latency < 0) {
            assert_true(t.hosts[0].latency_s < 0);
        } else {
            print_message("row %zu: %g\n", i, t.hosts[0].latency_s);
            assert_true(t.hosts[0].latency_s > rows[i].latency * 0.999 &&
                        t.hosts[0].latency_s < rows[i].latency * 1.001);
        }
        st_trace_free(&t);
    }
}

/* The host lines of every form: IPv4 and IPv6, with and without a name,
 * and -d2's MAC prefix table loaded between a local host's two lines. */
static void test_host_forms(void **state)
{
    (void)state;
    static const struct {
        const char *text, *host;
        bool up;
    } rows[] = {
        {"Nmap scan report for 1.2.3.4\nHost is up (0.1s latency).\n", "1.2.3.4", true},
        {"Nmap scan report for up.lab (1.2.3.4)\nHost is up (0.1s latency).\n", "1.2.3.4", true},
        {"Nmap scan report for 2001:2:0:3::2\nHost is up (0.1s latency).\n", "2001:2:0:3::2", true},
        {"Nmap scan report for abc.lab (2001:2:0:3::2)\nHost is up (0.1s latency).\n",
         "2001:2:0:3::2", true},
        {"Nmap scan report for 2001:2:0:1::2\nFetchfile found "
         "/usr/bin/../share/nmap/nmap-mac-prefixes\nHost is up, received nd-response (0.00012s "
         "latency).\n",
         "2001:2:0:1::2", true},
        {"Nmap scan report for 2001:2:0:1::2 [host down]\n", "2001:2:0:1::2", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_trace t;
        char a[ST_HOST_STRLEN];
        assert_int_equal(read_text(rows[i].text, &t), 0);
        assert_int_equal(t.nhosts, 1);
        if (strcmp(st_host_str(t.hosts[0].addr, a), rows[i].host) || t.hosts[0].up != rows[i].up)
            fail_msg("row %zu: host %s up %d", i, a, t.hosts[0].up);
        st_trace_free(&t);
    }
}

/* Text or not: a terminal's backspaces and escapes are text (hping3 rubs
 * out "get hostname..." so), other control bytes in numbers are not. */
static const struct text_row {
    const char *text;
    int rc;
} texts[] = {
    {"ICMP Port Unreachable from ip=198.18.3.2 get hostname...\b\b\b\b\b\b\b\b\b\b\b\b"
     "\b\b\b                \b\b\b\b\b\b\b\b\b\b\b\b\b\b\bname=UNKNOWN\n",
     0},
    {"\x1b[1mDiscovered open port 443/tcp on 198.18.3.2\x1b[0m\n", 0},
    {"\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\x10\x11\n", -1},
};

static void test_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct st_trace t;
        int rc = read_text(texts[i].text, &t);
        if (rc != texts[i].rc)
            fail_msg("row %zu: %d, want %d", i, rc, texts[i].rc);
        if (!rc)
            st_trace_free(&t);
    }
}

/* A file cut inside its last line: nmap ends every line, so a packet line
 * without its newline is cut ("id=2579" of "id=25795") and is not read. */
static void test_cut_last_line(void **state)
{
    (void)state;
    struct st_trace t;
    assert_int_equal(read_text("Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-05 18:45 UTC\n"
                               "SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Echo request "
                               "(type=8/code=0) id=1 seq=0] IP [ttl=53 id=7 iplen=28 ]\n"
                               "SENT (1.1216s) TCP 198.18.2.1:63103 > 198.18.3.9:80 A ttl=46 "
                               "id=2579",
                               &t),
                     0);
    assert_int_equal(t.npkts, 1);
    assert_int_equal(t.malformed, 1);
    assert_int_equal(t.nwarnings, 1);
    assert_int_equal(t.warnings[0].line, 3);
    st_trace_free(&t);
    /* the same line with its newline is read */
    assert_int_equal(read_text("SENT (1.1216s) TCP 198.18.2.1:63103 > 198.18.3.9:80 A ttl=46 "
                               "id=2579\n",
                               &t),
                     0);
    assert_int_equal(t.npkts, 1);
    assert_int_equal(t.malformed, 0);
    st_trace_free(&t);
}

/* A trace saved with a UTF-8 byte order mark (a Windows editor): its first
 * line is still nmap's, and names the dialect. */
static void test_byte_order_mark(void **state)
{
    (void)state;
    struct st_trace t;
    assert_int_equal(read_text("\xef\xbb\xbfStarting Nmap 7.93 ( https://nmap.org ) at "
                               "2026-12-02 15:14 UTC\r\n"
                               "SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Echo request "
                               "(type=8/code=0) id=1 seq=0] IP [ttl=53 id=7 iplen=28 ]\r\n",
                               &t),
                     0);
    assert_string_equal(t.dialect, "nmap-7.93");
    assert_int_equal(t.npkts, 1);
    st_trace_free(&t);
}

/* Runs: each "Starting Nmap" line begins one, a pass of its own; a packet
 * before the first such line is the first run's, whose pass starts with the
 * file (found by the fuzzer: the pass said it started after its packet). */
static void test_runs(void **state)
{
    (void)state;
    struct st_trace t;
#define ARP(t)   "SENT (" t ") ARP who-has 198.18.1.9 tell 198.18.1.1\n"
#define STARTING "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 15:59 UTC\n"
    assert_int_equal(read_text(ARP("0.1s") STARTING ARP(
                                   "0.2s") "Nmap done: 1 IP address (0 hosts "
                                           "up) scanned in 1.5 seconds\n" STARTING ARP("0.3s"),
                               &t),
                     0);
#undef ARP
#undef STARTING
    assert_int_equal(t.nruns, 2);
    assert_int_equal(t.nmodes, 2);
    assert_string_equal(t.modes[0], "-PR");
    assert_string_equal(t.modes[1], "-PR (run 2)");
    assert_int_equal(t.mode_line[0], 0);
    assert_int_equal(t.mode_line[1], 5);
    assert_int_equal(st_trace_pkt_mode_ix(&t, 0), 1);
    assert_int_equal(st_trace_pkt_mode_ix(&t, 1), 1);
    assert_int_equal(st_trace_pkt_mode_ix(&t, 2), 2);
    assert_int_equal(st_trace_pkt_run(&t, 0), 0);
    assert_int_equal(st_trace_pkt_run(&t, 2), 1);
    /* the first run ended, the second did not: the file did not */
    assert_true(st_trace_run_ended(&t, 1));
    assert_false(st_trace_run_ended(&t, 2));
    assert_true(t.end_ns == -1);
    st_trace_free(&t);
}

/* nping's trace (real lines, the lab): its dialect, its packets, and its
 * last line as the end of the run (no host lines: nping reports none). */
static void test_nping(void **state)
{
    (void)state;
    struct st_trace t;
    assert_int_equal(
        read_text("Starting Nping 0.7.93 ( https://nmap.org/nping ) at 2026-12-04 13:11 UTC\n"
                  "SENT (0.0070s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) "
                  "id=7888 seq=1] IP [ttl=64 id=57206 iplen=28 ]\n"
                  "RCVD (0.0075s) ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) "
                  "id=7888 seq=1] IP [ttl=63 id=6609 iplen=28 ]\n"
                  " \n"
                  "Statistics for host 198.18.3.2:\n"
                  " |  Probes Sent: 1 | Rcvd: 1 | Lost: 0  (0.00%)\n"
                  "Raw packets sent: 1 (28B) | Rcvd: 1 (28B) | Lost: 0 (0.00%)\n"
                  "Nping done: 1 IP address pinged in 1.01 seconds\n",
                  &t),
        0);
    assert_string_equal(t.dialect, "nping-0.7.93");
    assert_int_equal(t.npkts, 2);
    assert_int_equal(t.nhosts, 0);
    assert_int_equal(t.end_ns, 1010000000);
    st_trace_free(&t);
    /* cut before its last line: never ended */
    assert_int_equal(read_text("Starting Nping 0.7.93 ( https://nmap.org/nping ) at "
                               "2026-12-04 13:11 UTC\n",
                               &t),
                     0);
    assert_int_equal(t.end_ns, -1);
    st_trace_free(&t);
}

/* A log's dialect names each kind of run once, in order; claims are read
 * when some run is nmap's (nping prints none); an nping run's pass is named
 * as nping's. */
static void test_dialects(void **state)
{
    (void)state;
#define NMAP(v) "Starting Nmap " v " ( https://nmap.org ) at 2026-12-04 19:51 UTC\n"
#define NPING   "Starting Nping 0.7.93 ( https://nmap.org/nping ) at 2026-12-04 19:51 UTC\n"
#define ECHO                                                                                       \
    "SENT (0.0065s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=49551 seq=1] "   \
    "IP [ttl=64 id=57670 iplen=28 ]\n"
    static const struct {
        const char *text, *dialect, *last_mode;
        bool claims;
    } rows[] = {
        {NMAP("7.93") ECHO, "nmap-7.93", NULL, true},
        {NMAP("7.93") ECHO NMAP("7.93") ECHO, "nmap-7.93", "-PE (run 2)", true},
        {NMAP("7.93") ECHO NMAP("7.94") ECHO, "nmap-7.93+nmap-7.94", "-PE (run 2)", true},
        {NMAP("7.93") ECHO NPING ECHO, "nmap-7.93+nping-0.7.93", "-PE (nping)", true},
        {NPING ECHO NMAP("7.93") ECHO NPING ECHO, "nping-0.7.93+nmap-7.93", "-PE (nping) (run 3)",
         true},
        {NPING ECHO, "nping-0.7.93", NULL, false},
        {NPING ECHO NPING ECHO, "nping-0.7.93", "-PE (nping) (run 2)", false},
        /* a Starting line without its version: the dialect of the next */
        {"Starting Nmap ( https://nmap.org )\n" ECHO NPING ECHO, "nping-0.7.93", "-PE (nping)",
         true},
        {ECHO, "nmap", NULL, true},
    };
#undef NMAP
#undef NPING
#undef ECHO
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_trace t;
        assert_int_equal(read_text(rows[i].text, &t), 0);
        print_message("row %zu: %s\n", i, t.dialect);
        assert_string_equal(t.dialect, rows[i].dialect);
        assert_int_equal(st_trace_has_claims(&t), rows[i].claims);
        if (rows[i].last_mode)
            assert_string_equal(t.modes[t.nmodes - 1], rows[i].last_mode);
        else
            assert_int_equal(t.nmodes, 0);
        st_trace_free(&t);
    }
}

/* A run without packet lines among runs with them (nmap without
 * --packet-trace in a session): untraced, named so, no claims held; a log
 * with no packet line at all is no such run (its side is the wire's). */
static void test_untraced(void **state)
{
    (void)state;
#define NMAP "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 20:40 UTC\n"
#define ECHO                                                                                       \
    "SENT (0.0065s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=49551 seq=0] "   \
    "IP [ttl=44 id=57670 iplen=28 ]\n"
#define REPORT "Nmap scan report for 198.18.3.3\nHost is up (0.000021s latency).\n"
    struct st_trace t;
    assert_int_equal(read_text(NMAP ECHO NMAP REPORT NMAP ECHO, &t), 0);
    assert_int_equal(t.nmodes, 3);
    assert_string_equal(t.modes[1], "no packet trace (run 2)");
    assert_string_equal(t.modes[2], "-PE (run 3)");
    assert_false(st_trace_run_untraced(&t, 0));
    assert_true(st_trace_run_untraced(&t, 1));
    assert_false(st_trace_run_untraced(&t, 2));
    assert_true(st_trace_run_claims(&t, 0));
    assert_false(st_trace_run_claims(&t, 1));
    st_trace_free(&t);
    /* the last run untraced too */
    assert_int_equal(read_text(NMAP ECHO NMAP REPORT, &t), 0);
    assert_true(st_trace_run_untraced(&t, 1));
    st_trace_free(&t);
    assert_int_equal(read_text(NMAP REPORT NMAP REPORT, &t), 0);
    assert_false(st_trace_run_untraced(&t, 0));
    assert_false(st_trace_run_untraced(&t, 1));
    st_trace_free(&t);
#undef NMAP
#undef ECHO
#undef REPORT
}

/* nmap's later phases: which report lines show one (a ping scan's do not) */
static void test_later_lines(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        bool later;
    } rows[] = {
        {"PORT    STATE  SERVICE\n", true},
        {"PORT     STATE SERVICE REASON\n", true},
        {"Not shown: 997 closed tcp ports (reset)\n", true},
        {"All 1000 scanned ports on 198.18.3.3 are in ignored states.\n", true},
        {"TRACEROUTE (using port 443/tcp)\n", true},
        {"Host script results:\n", true},
        {"OS details: Linux 5.0 - 5.4\n", true},
        {"Initiating SYN Stealth Scan at 15:52\n", true},
        {"Initiating Traceroute at 15:52\n", true},
        {"Initiating Ping Scan at 15:52\n", false},
        {"Initiating ARP Ping Scan at 15:52\n", false},
        {"Initiating Parallel DNS resolution of 1 host. at 15:52\n", false},
        {"Nmap scan report for 198.18.3.2\n", false},
        {"Host is up (0.00003s latency).\n", false},
        {"MAC Address: 8A:B2:71:89:72:2A (Unknown)\n", false},
        {"Nmap done: 1 IP address (1 host up) scanned in 0.24 seconds\n", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (st_trace_later_line(rows[i].line) != rows[i].later)
            fail_msg("'%s': later %d, want %d", rows[i].line, !rows[i].later, rows[i].later);
}

/* Packets about a host after the reply that said it up: a later phase's
 * only in a run whose report shows one, each run on its own. */
static void test_later_packets(void **state)
{
    (void)state;
#define NMAP "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 20:40 UTC\n"
#define ECHO                                                                                       \
    "SENT (0.0065s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=49551 seq=0] "   \
    "IP [ttl=44 id=57670 iplen=28 ]\n"                                                             \
    "RCVD (0.0066s) ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=49551 seq=0] "     \
    "IP [ttl=63 id=1 iplen=28 ]\n"
#define SYN                                                                                        \
    "SENT (0.2441s) TCP 198.18.2.1:41682 > 198.18.3.2:22 S ttl=37 id=5159 iplen=44  "              \
    "seq=441353117 "                                                                               \
    "win=1024 <mss 1460>\n"                                                                        \
    "RCVD (0.2442s) TCP 198.18.3.2:22 > 198.18.2.1:41682 RA ttl=63 id=0 iplen=40  seq=0 win=0\n"
#define OTHER                                                                                      \
    "SENT (0.2443s) TCP 198.18.2.1:41682 > 198.18.3.3:22 S ttl=37 id=5160 iplen=44  "              \
    "seq=441353117 "                                                                               \
    "win=1024 <mss 1460>\n"
#define TABLE                                                                                      \
    "Nmap scan report for 198.18.3.2\nHost is up (0.00010s latency).\n\nPORT   STATE  SERVICE\n"
    struct st_trace t;
    assert_int_equal(read_text(NMAP ECHO SYN OTHER TABLE, &t), 0);
    assert_int_equal(t.nlater, 2);
    assert_false(st_trace_pkt_later(&t, 0));
    assert_false(st_trace_pkt_later(&t, 1));
    assert_true(st_trace_pkt_later(&t, 2));
    assert_true(st_trace_pkt_later(&t, 3));
    assert_false(st_trace_pkt_later(&t, 4)); /* 198.18.3.3 never answered */
    st_trace_free(&t);
    /* no port table: a ping scan's, whatever follows the reply */
    assert_int_equal(read_text(NMAP ECHO SYN "Nmap scan report for 198.18.3.2\n", &t), 0);
    assert_int_equal(t.nlater, 0);
    assert_false(st_trace_pkt_later(&t, 2));
    st_trace_free(&t);
    /* two runs: the first a ping scan, the second a port scan */
    assert_int_equal(read_text(NMAP ECHO SYN NMAP ECHO SYN TABLE, &t), 0);
    assert_int_equal(t.nlater, 2);
    assert_false(st_trace_pkt_later(&t, 2));
    assert_true(st_trace_pkt_later(&t, 6));
    /* the first run's SYN is a probe of its own (-PS22), the second's is not */
    assert_string_equal(t.modes[0], "-PE -PS22");
    assert_string_equal(t.modes[1], "-PE");
    st_trace_free(&t);
#undef NMAP
#undef ECHO
#undef SYN
#undef OTHER
#undef TABLE
}

/* nmap -Pn without --reason: a host nmap called up bare ("Host is up.",
 * no latency) and still sent packets to. Its own addresses and loopback
 * get none in discovery; a host a reply found up has its latency printed. */
static void test_no_ping_inferred(void **state)
{
    (void)state;
#define NMAP "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-05 18:45 UTC\n"
#define SYN_TO(a)                                                                                  \
    "SENT (0.0443s) TCP 198.18.2.1:41682 > " a ":22 S ttl=37 id=5159 iplen=44  seq=441353117 "     \
    "win=1024 <mss 1460>\n"
#define ARP_TO(a) "SENT (0.0100s) ARP who-has " a " tell 198.18.1.1\n"
    static const struct {
        const char *name, *text;
        bool no_ping;
    } rows[] = {
        {"-Pn: a silent host up bare, port-scanned",
         NMAP SYN_TO("198.18.3.4") "Nmap scan report for 198.18.3.4\nHost is up.\n", true},
        {"the same with Windows line ends",
         NMAP SYN_TO("198.18.3.4") "Nmap scan report for 198.18.3.4\r\nHost is up.\r\n", true},
        {"--reason says it: user-set",
         NMAP "Nmap scan report for 198.18.3.4\nHost is up, received user-set.\n", true},
        {"a ping scan of the scanner's own address: nothing sent to it",
         NMAP SYN_TO("198.18.3.2") "Nmap scan report for 198.18.2.1\nHost is up.\n", false},
        {"loopback, scanned over lo: nmap's localhost",
         NMAP SYN_TO("127.0.0.1") "Nmap scan report for 127.0.0.1\nHost is up.\n", false},
        {"a host timed by a reply: its latency printed",
         NMAP SYN_TO("198.18.3.2") "Nmap scan report for 198.18.3.2\nHost is up (0.00010s "
                                   "latency).\n",
         false},
        {"--reason's localhost-response is no -Pn",
         NMAP SYN_TO("198.18.2.1") "Nmap scan report for 198.18.2.1\nHost is up, received "
                                   "localhost-response.\n",
         false},
        {"a host up bare whose only packets were ARP's... still probed: -Pn",
         NMAP ARP_TO("198.18.1.2") "Nmap scan report for 198.18.1.2\nHost is up.\n", true},
        {"the bare line must be the whole line",
         NMAP SYN_TO("198.18.3.4") "Nmap scan report for 198.18.3.4\nHost is up. And more\n",
         false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_trace t;
        assert_int_equal(read_text(rows[i].text, &t), 0);
        if (t.no_ping != rows[i].no_ping)
            fail_msg("%s: no_ping %d, want %d", rows[i].name, t.no_ping, rows[i].no_ping);
        if (t.no_ping && t.npkts &&
            st_trace_pkt_later(&t, 0) == (strstr(rows[i].text, "ARP") != NULL))
            fail_msg("%s: -Pn's packet 1 later %d: ARP is still discovery, the rest later",
                     rows[i].name, st_trace_pkt_later(&t, 0));
        st_trace_free(&t);
    }
#undef NMAP
#undef SYN_TO
#undef ARP_TO
}

/* A probe the kernel refused: nmap's two stderr lines (scan writes them
 * into its trace), counted with the first's error, no packet; a stray
 * "sendto in" line alone counts nothing. */
static void test_unsent(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t npkts, unsent;
        uint32_t line;
        const char *why;
    } rows[] = {
        {"PASS (0.1s) mode=-PE targets=1\n"
         "sendto in send_ip_packet_sd: sendto(9, packet, 1418, 0, 1.2.3.4, 16) => Message too "
         "long\n"
         "Offending packet: ICMP [1.2.3.5 > 1.2.3.4 Echo request (type=8/code=0) id=1 seq=0] IP "
         "[ttl=45 id=2 iplen=1418 ]\n",
         0, 1, 3, "Message too long"},
        {"SENT (0.1s) ARP who-has 1.2.3.4 tell 1.2.3.5\n"
         "sendto in send_ip_packet_sd: sendto(3, packet, 28, 0, 1.2.3.255, 16) => Permission "
         "denied\r\n"
         "Offending packet: ICMP [1.2.3.5 > 1.2.3.255 Echo request (type=8/code=0) id=1 seq=0] "
         "IP [ttl=45 id=2 iplen=28 ]\r\n"
         "sendto in send_ip_packet_sd: sendto(3, packet, 28, 0, 1.2.3.255, 16) => No buffer "
         "space available\n"
         "Offending packet: ICMP [1.2.3.5 > 1.2.3.255 Echo request (type=8/code=0) id=3 seq=0] "
         "IP [ttl=45 id=4 iplen=28 ]\n",
         1, 2, 3, "Permission denied"},
        {"sendto in send_ip_packet_sd: sendto(3, packet, 28, 0, 1.2.3.4, 16) => Message too "
         "long\n"
         "SENT (0.1s) ARP who-has 1.2.3.4 tell 1.2.3.5\n",
         1, 0, 0, "Message too long"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_trace t;
        assert_int_equal(read_text(rows[i].text, &t), 0);
        assert_int_equal(t.npkts, rows[i].npkts);
        assert_int_equal(t.unsent, rows[i].unsent);
        assert_int_equal(t.unsent_line, rows[i].line);
        assert_int_equal(t.nwarnings, 0);
        if (rows[i].unsent)
            assert_string_equal(t.unsent_why, rows[i].why);
        st_trace_free(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_huge_times),
                                       cmocka_unit_test(test_times),
                                       cmocka_unit_test(test_latency_forms),
                                       cmocka_unit_test(test_host_forms),
                                       cmocka_unit_test(test_text),
                                       cmocka_unit_test(test_byte_order_mark),
                                       cmocka_unit_test(test_runs),
                                       cmocka_unit_test(test_nping),
                                       cmocka_unit_test(test_dialects),
                                       cmocka_unit_test(test_untraced),
                                       cmocka_unit_test(test_later_lines),
                                       cmocka_unit_test(test_later_packets),
                                       cmocka_unit_test(test_no_ping_inferred),
                                       cmocka_unit_test(test_cut_last_line),
                                       cmocka_unit_test(test_unsent)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
