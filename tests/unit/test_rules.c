/*
 * nmap's rules as tables: each row is one rule's input and what nmap 7.93
 * makes of it, so a broken rule fails with its row's name. Replies are
 * written as nmap's --packet-trace lines and read with the trace parser.
 *
 *   verdicts      a reply -> up, down or nothing, and nmap's reason
 *   icmp_errors   an ICMP or ICMPv6 type -> error (quotes a datagram) or not
 *   reply_types   an ICMP query -> the type of its reply
 *   plan          -P options -> the probes the engine sends
 *   mode_names    the probes of a trace -> the comparator's name for them
 *   same_packet   a trace line and a frame -> the same packet or not
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

#include "compare.h"
#include "packet.h"
#include "rows.h"
#include "scan.h"

/* ---- a reply's verdict ---------------------------------------------------- */

static const char *host_name(enum st_nmap_host h)
{
    return h == ST_NMAP_UP ? "up" : h == ST_NMAP_DOWN ? "down" : "nothing";
}

#define ICMP_FROM(src, desc)                                                                       \
    "RCVD (0.0200s) ICMP [" src " > 198.18.2.1 " desc "] IP [ttl=64 id=5001 iplen=56 ]"
#define ROUTER       "198.18.2.254"
#define TARGET       "198.18.3.2"
#define CONN(result) "CONN (0.0200s) TCP localhost > 198.18.3.2:80 => " result
/* a generic ICMPv6 line from src (type and code as numbers) */
#define ICMP6_FROM(src, type, code)                                                                \
    "RCVD (0.0200s) ICMPv6 (58) " src " > 2001:2:0:2::1 (type=" #type "/code=" #code               \
    ") hopl=63 flow=0 payloadlen=8"
#define ROUTER6 "2001:2:0:2::fe"
#define TARGET6 "2001:2:0:3::2"

static const struct verdict_row {
    const char *name, *reply;
    enum st_nmap_host host;
    const char *reason;
} verdicts[] = {
    {"echo reply", ICMP_FROM(TARGET, "Echo reply (type=0/code=0) id=100 seq=0"), ST_NMAP_UP,
     "echo-reply"},
    {"RST/ACK to a SYN",
     "RCVD (0.0210s) TCP 198.18.3.2:443 > 198.18.2.1:40000 RA ttl=64 id=0 iplen=40  seq=0 win=0 ",
     ST_NMAP_UP, "reset"},
    {"RST to an ACK",
     "RCVD (0.0124s) TCP 198.18.3.2:80 > 198.18.2.1:35150 R ttl=63 id=0 iplen=40  seq=395852358 "
     "win=0 ",
     ST_NMAP_UP, "reset"},
    {"SYN/ACK",
     "RCVD (0.0210s) TCP 198.18.3.2:443 > 198.18.2.1:40000 SA ttl=64 id=0 iplen=44  seq=777 "
     "win=64240 <mss 1460>",
     ST_NMAP_UP, "syn-ack"},
    {"TCP with neither SYN/ACK nor RST",
     "RCVD (0.0210s) TCP 198.18.3.2:443 > 198.18.2.1:40000 A ttl=64 id=0 iplen=40  seq=1 win=0 ",
     ST_NMAP_UP, "tcp-response"},
    {"port unreachable", ICMP_FROM(TARGET, "Port unreachable (type=3/code=3) "), ST_NMAP_UP,
     "port-unreach"},
    {"protocol unreachable", ICMP_FROM(TARGET, "Protocol 132 unreachable (type=3/code=2) "),
     ST_NMAP_UP, "proto-unreach"},
    {"host unreachable", ICMP_FROM(ROUTER, "Host 198.18.3.9 unreachable (type=3/code=1) "),
     ST_NMAP_NOTHING, "host-unreach"},
    {"network unreachable", ICMP_FROM(ROUTER, "Network 198.18.3.9 unreachable (type=3/code=0) "),
     ST_NMAP_NOTHING, "net-unreach"},
    {"network prohibited (code 9)",
     ICMP_FROM(ROUTER, "Destination network 198.18.3.9 administratively prohibited "
                       "(type=3/code=9) "),
     ST_NMAP_NOTHING, "admin-prohibited"},
    {"host prohibited (code 10)",
     ICMP_FROM(ROUTER, "Destination host 198.18.3.9 administratively prohibited "
                       "(type=3/code=10) "),
     ST_NMAP_NOTHING, "admin-prohibited"},
    {"filtered (code 13)",
     ICMP_FROM(ROUTER, "Communication administratively prohibited by filtering (type=3/code=13) "),
     ST_NMAP_NOTHING, "admin-prohibited"},
    {"another unreachable (host unknown)",
     ICMP_FROM(ROUTER, "Destination host 198.18.3.9 unknown (type=3/code=7) "), ST_NMAP_NOTHING,
     "unreach"},
    {"time exceeded", ICMP_FROM(ROUTER, "TTL=0 during transit (type=11/code=0) "), ST_NMAP_DOWN,
     "time-exceeded"},
    {"timestamp reply",
     ICMP_FROM(TARGET, "Timestamp reply (type=14/code=0) id=1652 seq=0 orig=0 recv=58373016 "
                       "trans=58373016"),
     ST_NMAP_UP, "timestamp-reply"},
    {"address mask reply",
     ICMP_FROM(TARGET, "Address mask reply (type=18/code=0) id=7 seq=0 mask=255.255.255.0"),
     ST_NMAP_UP, "mask-reply"},
    {"information reply", ICMP_FROM(TARGET, "Information reply (type=16/code=0) id=7 seq=0"),
     ST_NMAP_UP, "info-reply"},
    {"ARP reply", "RCVD (0.0122s) ARP reply 198.18.1.3 is-at 6E:70:59:D4:5E:38", ST_NMAP_UP,
     "arp-response"},
    {"UDP answer", "RCVD (0.0300s) UDP 198.18.3.2:53 > 198.18.2.1:64959 ttl=64 id=7 iplen=40 ",
     ST_NMAP_UP, "udp-response"},
    {"SCTP answer", "RCVD (0.0300s) SCTP 198.18.3.2:80 > 198.18.2.1:42244 ttl=64 id=7 iplen=52 ",
     ST_NMAP_UP, "sctp-response"},
    {"the probed protocol back (IGMP)",
     "RCVD (0.0152s) igmp (2) 198.18.3.2 > 198.18.2.1: ttl=40 id=58139 iplen=28 ", ST_NMAP_UP,
     "proto-response"},
    {"source quench", ICMP_FROM(ROUTER, "Source quench (type=4/code=0) "), ST_NMAP_NOTHING,
     "icmp-response"},
    {"redirect", ICMP_FROM(ROUTER, "Host redirect (type=5/code=1) addr=198.18.2.253"),
     ST_NMAP_NOTHING, "icmp-response"},
    {"parameter problem",
     ICMP_FROM(ROUTER, "Parameter problem (pointer indicates error) (type=12/code=0) pointer=20"),
     ST_NMAP_NOTHING, "icmp-response"},
    {"an echo request", ICMP_FROM(TARGET, "Echo request (type=8/code=0) id=1 seq=0"),
     ST_NMAP_NOTHING, "icmp-response"},
    {"connect: connected", CONN("Connected"), ST_NMAP_UP, "syn-ack"},
    {"connect: refused", CONN("Connection refused"), ST_NMAP_UP, "conn-refused"},
    {"connect: no route to host", CONN("No route to host"), ST_NMAP_DOWN, "host-unreach"},
    {"connect: network unreachable", CONN("Network is unreachable"), ST_NMAP_DOWN, "net-unreach"},
    {"connect: network down", CONN("Network is down"), ST_NMAP_DOWN, "net-unreach"},
    {"connect: timed out", CONN("Connection timed out"), ST_NMAP_NOTHING, "no-response"},
    /* nmap -6 (fixtures/nmap-7.93-ipv6/; scan_engine_raw.cc, portreasons.cc) */
    {"ICMPv6 echo reply", ICMP6_FROM(TARGET6, 129, 0), ST_NMAP_UP, "echo-reply"},
    {"ND ping's advertisement (nmap's ND reader)",
     "RCVD (0.0509s) neighbor advertisement 2001:2:0:1::3 > 2001:2:0:1::1 2001:2:0:1::3 is at "
     "a6:a5:b2:ed:45:1c",
     ST_NMAP_UP, "nd-response"},
    {"an advertisement to the kernel (IP reader's generic line)", ICMP6_FROM(ROUTER6, 136, 0),
     ST_NMAP_NOTHING, "nd-response"},
    {"ICMPv6 port unreachable", ICMP6_FROM(TARGET6, 1, 4), ST_NMAP_UP, "port-unreach"},
    {"ICMPv6 no route", ICMP6_FROM(ROUTER6, 1, 0), ST_NMAP_NOTHING, "no-route"},
    {"ICMPv6 administratively prohibited", ICMP6_FROM(ROUTER6, 1, 1), ST_NMAP_NOTHING,
     "admin-prohibited"},
    {"ICMPv6 beyond scope", ICMP6_FROM(ROUTER6, 1, 2), ST_NMAP_NOTHING, "beyond-scope"},
    {"ICMPv6 address unreachable", ICMP6_FROM(ROUTER6, 1, 3), ST_NMAP_NOTHING, "host-unreach"},
    {"ICMPv6 reject route", ICMP6_FROM(ROUTER6, 1, 6), ST_NMAP_NOTHING, "reject-route"},
    {"ICMPv6 time exceeded", ICMP6_FROM(ROUTER6, 3, 0), ST_NMAP_DOWN, "time-exceeded"},
    {"ICMPv6 parameter problem (-PO, -PY over IPv6)", ICMP6_FROM(TARGET6, 4, 1), ST_NMAP_NOTHING,
     "param-problem"},
    {"ICMPv6 echo request", ICMP6_FROM(TARGET6, 128, 0), ST_NMAP_NOTHING, "icmp-response"},
    {"TCP RST over IPv6",
     "RCVD (0.0124s) TCP 2001:2:0:3::3:443 > 2001:2:0:2::1:48816 RA hopl=63 flow=f694a "
     "payloadlen=20 seq=0 win=0 ",
     ST_NMAP_UP, "reset"},
    {"connect over IPv6: refused",
     "CONN (0.0049s) TCP localhost > 2001:2:0:3::2:80 => Connection refused", ST_NMAP_UP,
     "conn-refused"},
};

static void test_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
        const struct verdict_row *r = &verdicts[i];
        struct st_pkt p;
        st_row_parse(r->name, r->reply, &p);
        struct st_nmap_verdict v = st_nmap_reply_verdict(&p);
        if (v.host != r->host || strcmp(v.reason, r->reason))
            st_row_fail("%s: %s %s, want %s %s", r->name, host_name(v.host), v.reason,
                        host_name(r->host), r->reason);
    }
    st_rows_done();
}

/* The engine and the comparator read a reply with the same function; the
 * engine's connect ping has only the errno, not the record. */
/* A port unreachable is the host's own word only when the host sent it:
 * one a router sends about the quoted target decides nothing (nmap compares
 * the addresses); nmap's trace line quotes no address, a frame does. */
static void test_unreach_from_whom(void **state)
{
    (void)state;
    struct st_pkt p;
    st_row_parse("port unreachable",
                 "RCVD (0.0200s) ICMP [198.18.2.254 > 198.18.2.1 Port unreachable (type=3/code=3) "
                 "] IP [ttl=64 id=7 iplen=56 ]",
                 &p);
    assert_int_equal(st_nmap_reply_verdict(&p).host, ST_NMAP_UP); /* no quote: its sender */
    p.l4.icmp.quote.present = true;
    p.l4.icmp.quote.ip.dst = p.ip.src;
    assert_int_equal(st_nmap_reply_verdict(&p).host, ST_NMAP_UP); /* the target itself */
    p.l4.icmp.quote.ip.dst = p.ip.src + 1;
    struct st_nmap_verdict v = st_nmap_reply_verdict(&p);
    assert_int_equal(v.host, ST_NMAP_NOTHING); /* about another host */
    assert_string_equal(v.reason, "port-unreach");
}

static void test_connect_verdict_is_the_records(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
        struct st_pkt p;
        st_row_parse(verdicts[i].name, verdicts[i].reply, &p);
        if (!(p.flags & ST_PKT_CONNECT))
            continue;
        struct st_nmap_verdict v = st_nmap_connect_verdict(p.conn_errno);
        if (v.host != verdicts[i].host || strcmp(v.reason, verdicts[i].reason))
            st_row_fail("%s: connect verdict %s %s", verdicts[i].name, host_name(v.host), v.reason);
    }
    st_rows_done();
}

/* ---- ICMP numbers ---------------------------------------------------------- */

static const struct {
    const char *name;
    uint8_t proto, type;
    bool error;
} icmp_errors[] = {
    {"echo reply", ST_IPPROTO_ICMP, 0, false},
    {"destination unreachable", ST_IPPROTO_ICMP, 3, true},
    {"source quench", ST_IPPROTO_ICMP, 4, true},
    {"redirect", ST_IPPROTO_ICMP, 5, true},
    {"echo request", ST_IPPROTO_ICMP, 8, false},
    {"time exceeded", ST_IPPROTO_ICMP, 11, true},
    {"parameter problem", ST_IPPROTO_ICMP, 12, true},
    {"timestamp request", ST_IPPROTO_ICMP, 13, false},
    {"timestamp reply", ST_IPPROTO_ICMP, 14, false},
    {"address mask reply", ST_IPPROTO_ICMP, 18, false},
    {"ICMPv6 destination unreachable", ST_IPPROTO_ICMPV6, 1, true},
    {"ICMPv6 packet too big", ST_IPPROTO_ICMPV6, 2, true},
    {"ICMPv6 time exceeded", ST_IPPROTO_ICMPV6, 3, true},
    {"ICMPv6 parameter problem", ST_IPPROTO_ICMPV6, 4, true},
    {"ICMPv6 echo request", ST_IPPROTO_ICMPV6, 128, false},
    {"ICMPv6 echo reply", ST_IPPROTO_ICMPV6, 129, false},
    {"ICMPv6 neighbour solicitation", ST_IPPROTO_ICMPV6, 135, false},
    {"ICMPv6 router advertisement", ST_IPPROTO_ICMPV6, 134, false},
};

static void test_icmp_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof icmp_errors / sizeof icmp_errors[0]; i++)
        if (st_icmp_is_error(icmp_errors[i].proto, icmp_errors[i].type) != icmp_errors[i].error)
            st_row_fail("%s: error %s, want %s", icmp_errors[i].name,
                        icmp_errors[i].error ? "no" : "yes", icmp_errors[i].error ? "yes" : "no");
    st_rows_done();
}

static const struct {
    const char *name;
    uint8_t request;
    int reply;
} reply_types[] = {
    {"echo", 8, 0},
    {"timestamp", 13, 14},
    {"information", 15, 16},
    {"address mask", 17, 18},
    {"an echo reply: no query", 0, -1},
    {"an error: no query", 3, -1},
};

static void test_reply_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof reply_types / sizeof reply_types[0]; i++) {
        int got = st_icmp_reply_type(reply_types[i].request);
        if (got != reply_types[i].reply)
            st_row_fail("%s: reply type %d, want %d", reply_types[i].name, got,
                        reply_types[i].reply);
    }
    st_rows_done();
}

/* ---- what the engine sends ------------------------------------------------- */

/* "echo syn:443 ack:80 timestamp": a pass's probe kinds */
static void kinds_text(const struct st_pass *pass, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < pass->nkinds && len < size; i++) {
        const struct st_probe_kind *k = &pass->kinds[i];
        len += (size_t)snprintf(out + len, size - len, k->port ? "%s%s:%u" : "%s%s", i ? " " : "",
                                k->mod->name, k->port);
    }
}

static const struct {
    const char *name, *flag, *kinds;
} plans[] = {
    {"no -P option: nmap's default ping", NULL, "echo syn:443 ack:80 timestamp"},
    {"-PS: port 80", "-PS", "syn:80"},
    {"-PA: port 80", "-PA", "ack:80"},
    {"-PU: port 40125", "-PU", "udp:40125"},
    {"-PY: port 80", "-PY", "sctp:80"},
    {"-PO: protocols 1, 2 and 4", "-PO", "proto:1 proto:2 proto:4"},
    {"-PS with a list: the list", "-PS22,443", "syn:22 syn:443"},
    {"-PE: no port", "-PE", "echo"},
    /* nmap's order on the wire whatever the command line's (nextProbe,
     * scan_engine.cc; the lab's order-nmap recording), a list's own order kept */
    {"every kind, reversed: nmap's order", "-PU -PA80 -PP -PS80 -PE -PM -PY -PO2",
     "echo syn:80 ack:80 timestamp udp:40125 sctp:80 proto:2 mask"},
    {"-PA80 -PE: the echo first", "-PA80 -PE", "echo ack:80"},
    {"-PO6,1 -PS443,22: SYNs first, lists as given", "-PO6,1 -PS443,22",
     "syn:443 syn:22 proto:6 proto:1"},
};

/* nmap's retries walk the outstanding probes backwards, each retry
 * appended: try 1 reversed, try 2 as try 0 (doAnyOutstandingRetransmits;
 * order-nmap: "Address mask ... igmp ... SCTP ... Echo request" on try 1) */
static void test_try_order(void **state)
{
    (void)state;
    assert_false(st_nmap_try_reversed(0));
    assert_true(st_nmap_try_reversed(1));
    assert_false(st_nmap_try_reversed(2));
    assert_true(st_nmap_try_reversed(3));
    assert_true(st_nmap_ping_rank("echo") < st_nmap_ping_rank("syn"));
    assert_true(st_nmap_ping_rank("proto") < st_nmap_ping_rank("mask"));
}

static void test_plan(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        struct st_plan plan;
        char err[128], got[128];
        char flags[128], *save = NULL;
        st_plan_init(&plan);
        snprintf(flags, sizeof flags, "%s", plans[i].flag ? plans[i].flag : "");
        for (char *f = strtok_r(flags, " ", &save); f; f = strtok_r(NULL, " ", &save))
            if (st_plan_add_flag(&plan, f, err, sizeof err))
                fail_msg("%s: %s", plans[i].name, err);
        st_plan_finish(&plan);
        kinds_text(&plan.passes[0], got, sizeof got);
        if (strcmp(got, plans[i].kinds))
            st_row_fail("%s: sends '%s', want '%s'", plans[i].name, got, plans[i].kinds);
    }
    st_rows_done();
}

/* scan -6: nmap -6's default ping (no timestamp), ND on the local Ethernet
 * segment (-PE and -PR there too; --send-ip the IP probes), -PP and -PM
 * refused with nmap's words ("" kinds) */
static const struct {
    const char *name, *flag;
    bool local, send_ip;
    const char *kinds;
} plans6[] = {
    {"-6, no -P option, routed: echo, SYN/443, ACK/80", NULL, false, false, "echo syn:443 ack:80"},
    {"-6, no -P option, local: ND", NULL, true, false, "nd"},
    {"-6 -PE, local: ND", "-PE", true, false, "nd"},
    {"-6 -PE --send-ip, local: echo", "-PE", true, true, "echo"},
    {"-6 -PR, routed: the default ping", "-PR", false, false, "echo syn:443 ack:80"},
    {"-6 -PO: protocols 1, 2 and 4", "-PO", false, false, "proto:1 proto:2 proto:4"},
    {"-6 -PP: refused", "-PP", false, false, ""},
    {"-6 -PM: refused", "-PM", false, false, ""},
};

static void test_plan6(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof plans6 / sizeof plans6[0]; i++) {
        struct st_plan plan;
        struct st_route r = {.v6 = true, .direct = plans6[i].local, .ethernet = true};
        struct st_probe_kind kinds[ST_PLAN_MAX_KINDS];
        struct st_pass got_pass = {0};
        char err[128], got[128];
        st_plan_init(&plan);
        plan.v6 = true;
        plan.arp_local = !plans6[i].send_ip;
        if (plans6[i].flag && st_plan_add_flag(&plan, plans6[i].flag, err, sizeof err))
            fail_msg("%s: %s", plans6[i].name, err);
        if (st_plan_check(&plan, err, sizeof err)) {
            if (plans6[i].kinds[0] || !strstr(err, "only valid for IPv4"))
                st_row_fail("%s: refused (%s)", plans6[i].name, err);
            continue;
        }
        if (!plans6[i].kinds[0]) {
            st_row_fail("%s: not refused", plans6[i].name);
            continue;
        }
        st_plan_finish(&plan);
        got_pass.nkinds = st_plan_kinds_for(&plan, &plan.passes[0], &r, kinds);
        memcpy(got_pass.kinds, kinds, got_pass.nkinds * sizeof kinds[0]);
        kinds_text(&got_pass, got, sizeof got);
        if (strcmp(got, plans6[i].kinds))
            st_row_fail("%s: sends '%s', want '%s'", plans6[i].name, got, plans6[i].kinds);
    }
    st_rows_done();
}

/* ---- the comparator's name for a trace's probes ---------------------------- */

#define ECHO                                                                                       \
    "SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=1 seq=0] IP "    \
    "[ttl=53 id=1 iplen=28 ]"
#define TSTAMP                                                                                     \
    "SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Timestamp request (type=13/code=0) id=2 seq=0 "  \
    "orig=0 recv=0 trans=0] IP [ttl=53 id=2 iplen=40 ]"
#define MASK                                                                                       \
    "SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Address mask request (type=17/code=0) id=3 "     \
    "seq=0 mask=0.0.0.0] IP [ttl=53 id=3 iplen=32 ]"
#define TCP(flag, port)                                                                            \
    "SENT (0.0100s) TCP 198.18.2.1:40000 > 198.18.3.2:" port " " flag " ttl=41 id=4 iplen=44  "    \
    "seq=0 win=1024 "
#define TCP_PO6                                                                                    \
    "SENT (0.0201s) TCP 198.18.2.1:52960 > 198.18.3.2:80 A ttl=38 id=21185 iplen=40  "             \
    "seq=1583094360 win=1024 "
#define IGMP        "SENT (0.0152s) igmp (2) 198.18.2.1 > 198.18.3.2: ttl=40 id=5 iplen=28 "
#define ARP         "SENT (0.0121s) ARP who-has 198.18.1.3 tell 198.18.1.1"
#define CONN_ISSUED CONN("Operation now in progress")

static const struct {
    const char *name, *probes[6], *mode;
} mode_names[] = {
    {"nmap's default ping", {ECHO, TCP("S", "443"), TCP("A", "80"), TSTAMP}, "default"},
    {"the default ping and ARP", {ARP, ECHO, TCP("S", "443"), TCP("A", "80"), TSTAMP}, "default"},
    {"the default without timestamp", {ECHO, TCP("S", "443"), TCP("A", "80")}, "-PE -PS443 -PA80"},
    {"the default with SYN to 80",
     {ECHO, TCP("S", "80"), TCP("A", "80"), TSTAMP},
     "-PE -PP -PS80 -PA80"},
    {"the default and a mask request",
     {ECHO, TCP("S", "443"), TCP("A", "80"), TSTAMP, MASK},
     "-PE -PP -PM -PS443 -PA80"},
    {"ARP alone: nmap's ARP ping, -PR", {ARP}, "-PR"},
    {"echo and ARP: -PE on a mixed list", {ARP, ECHO}, "-PE -PR"},
    {"-PO6: an ACK of random seq", {ECHO, TCP_PO6, IGMP}, "-PO1,2,6"},
    {"-PA: an ACK of seq 0", {TCP("A", "80")}, "-PA80"},
    {"-PO's echo is its protocol 1", {ECHO, IGMP}, "-PO1,2"},
    {"connect() lines", {CONN_ISSUED}, "connect"},
};

static void test_mode_names(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
        struct st_pkt p[6];
        const struct st_pkt *pp[6];
        size_t n = 0;
        for (; n < 6 && mode_names[i].probes[n]; n++) {
            st_row_parse(mode_names[i].name, mode_names[i].probes[n], &p[n]);
            pp[n] = &p[n];
        }
        char *got = st_mode_name_of(pp, n);
        if (strcmp(got, mode_names[i].mode))
            st_row_fail("%s: mode '%s', want '%s'", mode_names[i].name, got, mode_names[i].mode);
        free(got);
    }
    st_rows_done();
}

/* ---- one naming scheme: nmap's options --------------------------------------- */

static const struct {
    const char *name, *in, *out;
    bool known;
} labels[] = {
    {"scan 0.1's echo pass", "echo", "-PE", true},
    {"a port list", "syn:22,443", "-PS22,443", true},
    {"a pass of two kinds", "echo+ack:80", "-PE -PA80", true},
    {"ARP and ND ping are -PR", "arp", "-PR", true},
    {"ND", "nd", "-PR", true},
    {"protocols", "proto:1,2,4", "-PO1,2,4", true},
    {"already nmap's words", "-PE -PS443", "-PE -PS443", true},
    {"a PASS line's one word", "-PE+-PS443", "-PE -PS443", true},
    {"default stays", "default", "default", true},
    {"connect stays", "connect", "connect", true},
    {"an unknown word is kept as it is", "zmap -M icmp_echoscan", "zmap -M icmp_echoscan", false},
    {"a list on a kind without ports", "echo:7", "echo:7", false},
    {"a list that is not one", "syn:http", "syn:http", false},
};

static void test_mode_labels(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        char got[96];
        bool known = st_nmap_mode_label(labels[i].in, got, sizeof got);
        if (known != labels[i].known || strcmp(got, labels[i].out))
            st_row_fail("%s: '%s' -> '%s' (%s), want '%s' (%s)", labels[i].name, labels[i].in, got,
                        known ? "known" : "unknown", labels[i].out,
                        labels[i].known ? "known" : "unknown");
    }
    st_rows_done();
}

static const struct {
    const char *name, *argv[8], *mode;
} asked[] = {
    {"no -P option", {"nmap", "-sn", "198.18.3.2"}, "default"},
    {"-PO with a list, as asked", {"nmap", "-sn", "-PO1,6,17,132", "198.18.3.2"}, "-PO1,6,17,132"},
    {"-PO alone: nmap's protocols", {"nmap", "-PO"}, "-PO1,2,4"},
    {"defaults filled in, in the order given",
     {"nmap", "-PS", "-PE", "-PU", "-PY", "-PA"},
     "-PS80 -PE -PU40125 -PY80 -PA80"},
    {"through sudo and a path", {"sudo", "/usr/bin/nmap", "-sn", "-PE", "-PP"}, "-PE -PP"},
    {"-PI and -PT, nmap's older words", {"nmap", "-PI", "-PT443"}, "-PE -PA443"},
    {"-Pn is no ping", {"nmap", "-sn", "-Pn", "-PE"}, "-PE"},
    {"-PR", {"nmap", "-sn", "-PR"}, "-PR"},
    {"--unprivileged: connect", {"nmap", "-sn", "--unprivileged", "-PE"}, "connect"},
    {"no nmap word", {"zmap", "-M", "icmp_echoscan"}, NULL},
};

static void test_mode_asked(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        size_t n = 0;
        while (n < 8 && asked[i].argv[n])
            n++;
        char got[96] = "";
        bool ok = st_nmap_mode_asked(asked[i].argv, n, got, sizeof got);
        if (ok != (asked[i].mode != NULL) || (ok && strcmp(got, asked[i].mode)))
            st_row_fail("%s: '%s', want '%s'", asked[i].name, ok ? got : "(none)",
                        asked[i].mode ? asked[i].mode : "(none)");
    }
    st_rows_done();
}

static void test_port_list(void **state)
{
    (void)state;
    static const uint16_t ports[] = {21, 22, 23, 25, 80, 81, 443};
    char got[64];
    st_nmap_port_list(ports, 7, got, sizeof got);
    assert_string_equal(got, "21-23,25,80,81,443");
    st_nmap_port_list(ports + 6, 1, got, sizeof got);
    assert_string_equal(got, "443");
    st_nmap_port_list(ports, 7, got, 8); /* truncated, still a string */
    assert_int_equal(strlen(got), 7);
}

/* ---- the matcher: a trace line and a frame ---------------------------------- */

#define SYN_PROBE(id, sport, seq)                                                                  \
    "SENT (0.0110s) TCP 198.18.2.1:" sport " > 198.18.3.2:443 S ttl=41 id=" id                     \
    " iplen=44  seq=" seq " win=1024 <mss 1460>"
#define ECHO_REPLY(id, seq) ICMP_FROM(TARGET, "Echo reply (type=0/code=0) id=" id " seq=" seq)
#define SA_FRAME(dst)                                                                              \
    "RCVD (0.0210s) TCP 198.18.3.2:80 > 198.18.2.1:" dst " SA ttl=64 id=0 iplen=44  seq=9 "        \
    "win=64240 <mss 1460>"
#define RST_FRAME                                                                                  \
    "RCVD (0.0210s) TCP 198.18.3.2:80 > 198.18.2.1:50000 RA ttl=64 id=0 iplen=40  seq=0 win=0 "

static const struct {
    const char *name, *line, *frame;
    bool same;
} same_packet[] = {
    {"the same SYN", SYN_PROBE("1002", "40000", "1000"), SYN_PROBE("1002", "40000", "1000"), true},
    {"another IP id", SYN_PROBE("1002", "40000", "1000"), SYN_PROBE("1003", "40000", "1000"),
     false},
    {"another source port", SYN_PROBE("1002", "40000", "1000"), SYN_PROBE("1002", "40002", "1000"),
     false},
    {"another seq", SYN_PROBE("1002", "40000", "1000"), SYN_PROBE("1002", "40000", "1001"), false},
    {"another destination port", SYN_PROBE("1002", "40000", "1000"),
     "SENT (0.0110s) TCP 198.18.2.1:40000 > 198.18.3.2:80 S ttl=41 id=1002 iplen=44  seq=1000 "
     "win=1024 <mss 1460>",
     false},
    {"other flags", SYN_PROBE("1002", "40000", "1000"),
     "SENT (0.0110s) TCP 198.18.2.1:40000 > 198.18.3.2:443 A ttl=41 id=1002 iplen=40  seq=1000 "
     "win=1024 ",
     false},
    {"another TTL: nmap's random TTL is no identity", SYN_PROBE("1002", "40000", "1000"),
     "SENT (0.0110s) TCP 198.18.2.1:40000 > 198.18.3.2:443 S ttl=59 id=1002 iplen=44  seq=1000 "
     "win=1024 <mss 1460>",
     true},
    {"the same echo reply", ECHO_REPLY("100", "0"), ECHO_REPLY("100", "0"), true},
    {"another ICMP id", ECHO_REPLY("100", "0"), ECHO_REPLY("101", "0"), false},
    {"another ICMP seq", ECHO_REPLY("100", "0"), ECHO_REPLY("100", "1"), false},
    {"connect issued: the kernel's SYN", CONN_ISSUED,
     "SENT (0.0100s) TCP 198.18.2.1:50000 > 198.18.3.2:80 S ttl=64 id=1 iplen=60  seq=5 win=64240 ",
     true},
    {"connect issued: not a SYN/ACK", CONN_ISSUED, SA_FRAME("50000"), false},
    {"connected: the SYN/ACK", CONN("Connected"), SA_FRAME("50000"), true},
    {"connected: not a RST", CONN("Connected"), RST_FRAME, false},
    {"refused: the RST", CONN("Connection refused"), RST_FRAME, true},
    {"refused: not a SYN/ACK", CONN("Connection refused"), SA_FRAME("50000"), false},
    {"no route to host: the kernel sent nothing back, not a RST", CONN("No route to host"),
     RST_FRAME, false},
};

/* -Pn and its old names skip discovery; an -Pn before "nmap" is not nmap's */
static void test_no_ping(void **state)
{
    (void)state;
    static const struct {
        const char *argv[6];
        bool no_ping;
    } rows[] = {
        {{"nmap", "-Pn", "198.18.3.2"}, true},
        {{"sudo", "/usr/bin/nmap", "-sS", "-PN", "198.18.3.2"}, true},
        {{"nmap", "-P0", "198.18.3.2"}, true},
        {{"nmap", "-PE", "198.18.3.2"}, false},
        {{"nmap", "-PO", "198.18.3.2"}, false},
        {{"fping", "-Pn", "198.18.3.2"}, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = 0;
        while (n < 6 && rows[i].argv[n])
            n++;
        if (st_nmap_no_ping(rows[i].argv, n) != rows[i].no_ping)
            fail_msg("row %zu: no_ping %d, want %d", i, !rows[i].no_ping, rows[i].no_ping);
    }
}

/* Port lists in nmap's syntax; a name or pattern may be any port */
static void test_ports_hold(void **state)
{
    (void)state;
    static const struct {
        const char *list;
        bool holds53;
    } rows[] = {
        {"53", true},          {"22,53,80", true},    {"530", false},   {"5,3", false},
        {"1-100", true},       {"54-100", false},     {"1-52", false},  {"-", true},
        {"50-", true},         {"-53", true},         {"-52", false},   {"T:53", true},
        {"U:1-60,T:80", true}, {"T:80,U:161", false}, {"domain", true}, {"http*", true},
        {"", false},           {"22,", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (st_nmap_ports_hold(rows[i].list, 53) != rows[i].holds53)
            fail_msg("\"%s\": holds 53 %d, want %d", rows[i].list, !rows[i].holds53,
                     rows[i].holds53);
}

/* Whether nmap's command sends a probe to port 53: ping ports, the port
 * scan's list or its default one */
static void test_probes_port53(void **state)
{
    (void)state;
    static const struct {
        const char *argv[6];
        bool probes;
    } rows[] = {
        {{"nmap", "198.18.3.2"}, true}, /* the default port scan's list holds 53 */
        {{"nmap", "-F", "198.18.3.2"}, true},
        {{"nmap", "-sn", "198.18.3.2"}, false},
        {{"nmap", "-sn", "-p", "53", "198.18.3.2"}, false}, /* -sn scans no port */
        {{"nmap", "-sn", "-PS22,53", "198.18.3.2"}, true},
        {{"nmap", "-sn", "-PU1-100", "198.18.3.2"}, true},
        {{"nmap", "-sn", "-PS", "198.18.3.2"}, false},
        {{"nmap", "-p", "22,80", "198.18.3.2"}, false},
        {{"nmap", "-p20-60", "198.18.3.2"}, true},
        {{"nmap", "-p-", "198.18.3.2"}, true},
        {{"sudo", "nmap", "-Pn", "-p", "22", "198.18.3.2"}, false},
        {{"nmap", "--top-ports", "5", "198.18.3.2"}, false},
        {{"nmap", "--top-ports=100", "198.18.3.2"}, true},
        {{"nmap", "-sO", "-p", "1-100", "198.18.3.2"}, false}, /* protocols, not ports */
        {{"nmap", "-sL", "198.18.3.2"}, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = 0;
        while (n < 6 && rows[i].argv[n])
            n++;
        if (st_nmap_probes_port(rows[i].argv, n, 53) != rows[i].probes)
            fail_msg("row %zu: probes 53 %d, want %d", i, !rows[i].probes, rows[i].probes);
    }
}

/* nmap's islocalhost() by address: all of 127/8 and ::1, nothing else */
static void test_loopback(void **state)
{
    (void)state;
    static const struct {
        const char *addr;
        bool loopback;
    } rows[] = {
        {"127.0.0.1", true},
        {"127.0.0.3", true},
        {"127.255.255.254", true},
        {"126.255.255.255", false},
        {"128.0.0.1", false},
        {"198.18.2.1", false},
        {"0.0.0.1", false},
        {"::1", true},
        {"::2", false},
        {"fe80::1", false},
        {"::ffff:127.0.0.1", false},
        {"2001:2:0:2::1", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct in_addr a4;
        struct in6_addr a6;
        bool got;
        if (inet_pton(AF_INET, rows[i].addr, &a4) == 1) {
            got = st_nmap_loopback4(ntohl(a4.s_addr));
        } else {
            assert_int_equal(inet_pton(AF_INET6, rows[i].addr, &a6), 1);
            got = st_nmap_loopback6(a6.s6_addr);
        }
        if (got != rows[i].loopback)
            fail_msg("%s: loopback %d, want %d", rows[i].addr, got, rows[i].loopback);
    }
}

static void test_same_packet(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof same_packet / sizeof same_packet[0]; i++) {
        struct st_pkt t, f;
        st_row_parse(same_packet[i].name, same_packet[i].line, &t);
        st_row_parse(same_packet[i].name, same_packet[i].frame, &f);
        bool got = st_pkt_same(&t, &f);
        if (got != same_packet[i].same)
            st_row_fail("%s: %s, want %s", same_packet[i].name, got ? "same" : "different",
                        same_packet[i].same ? "same" : "different");
        /* what is the same must hash the same: the aligner looks frames up by hash */
        if (got && !(t.flags & ST_PKT_CONNECT) && st_pkt_hash(&t) != st_pkt_hash(&f))
            st_row_fail("%s: same packets, different hashes", same_packet[i].name);
    }
    st_rows_done();
}

/* ICMPv6 echoes: nmap's line prints no id or seq (unknown: "-"), a frame
 * has them ("ID/SEQ"; "cut": a frame cut before them). A line is its frame
 * whatever the id; two frames are one packet only with the same id and seq
 * (ping -6's second request is no copy of its first, another program's
 * echo no reply to this one's); 0 is an id like any other. */
#define ECHO6(type)                                                                                \
    "SENT (0.0100s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=" type "/code=0) hopl=255 "    \
    "flow=0 payloadlen=16"
static const struct {
    const char *name, *a, *a_echo, *b, *b_echo;
    bool same;
} same_echo6[] = {
    {"nmap's line and its frame", ECHO6("128"), "-", ECHO6("128"), "4660/1", true},
    {"nmap's line and a frame of id 0", ECHO6("128"), "-", ECHO6("128"), "0/0", true},
    {"a frame and itself", ECHO6("128"), "4660/1", ECHO6("128"), "4660/1", true},
    {"ping -6's next request", ECHO6("128"), "4660/1", ECHO6("128"), "4660/2", false},
    {"another program's request", ECHO6("128"), "4660/1", ECHO6("128"), "4661/1", false},
    {"id 0 is no wildcard", ECHO6("128"), "0/0", ECHO6("128"), "4660/0", false},
    {"a frame cut before its id", ECHO6("128"), "cut", ECHO6("128"), "4660/1", true},
    {"a request is no reply", ECHO6("128"), "4660/1", ECHO6("129"), "4660/1", false},
};

static void echo6_row(const char *name, const char *line, const char *echo, struct st_pkt *p)
{
    unsigned id, seq;
    st_row_parse(name, line, p);
    if (!(p->flags & ST_PKT_NO_ECHO_ID))
        st_row_fail("%s: nmap's ICMPv6 echo line read with an id", name);
    if (sscanf(echo, "%u/%u", &id, &seq) == 2) {
        p->flags &= ~(unsigned)ST_PKT_NO_ECHO_ID;
        p->l4.icmp.id = (uint16_t)id;
        p->l4.icmp.seq = (uint16_t)seq;
    }
}

static void test_same_echo6(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof same_echo6 / sizeof same_echo6[0]; i++) {
        struct st_pkt a, b;
        echo6_row(same_echo6[i].name, same_echo6[i].a, same_echo6[i].a_echo, &a);
        echo6_row(same_echo6[i].name, same_echo6[i].b, same_echo6[i].b_echo, &b);
        bool got = st_pkt_same(&a, &b);
        if (got != same_echo6[i].same || got != st_pkt_same(&b, &a))
            st_row_fail("%s: %s, want %s", same_echo6[i].name, got ? "same" : "different",
                        same_echo6[i].same ? "same" : "different");
        if (got && st_pkt_hash(&a) != st_pkt_hash(&b))
            st_row_fail("%s: same packets, different hashes", same_echo6[i].name);
    }
    st_rows_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_connect_verdict_is_the_records),
        cmocka_unit_test(test_unreach_from_whom),
        cmocka_unit_test(test_icmp_errors),
        cmocka_unit_test(test_reply_types),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_try_order),
        cmocka_unit_test(test_plan6),
        cmocka_unit_test(test_mode_names),
        cmocka_unit_test(test_same_packet),
        cmocka_unit_test(test_same_echo6),
        cmocka_unit_test(test_mode_labels),
        cmocka_unit_test(test_mode_asked),
        cmocka_unit_test(test_port_list),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_no_ping),
        cmocka_unit_test(test_ports_hold),
        cmocka_unit_test(test_probes_port53),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
