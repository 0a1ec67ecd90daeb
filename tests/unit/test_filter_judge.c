/*
 * Whether a capture filter keeps a trace line's packet (filter_judge.h), as
 * a table: each filter, on each link type, against each line below; a
 * verdict per line, K kept, D dropped, ? unknown (the filter does not
 * compile there, or reads what the line does not say: a MAC address, the
 * IPv4 flags, a short Ethernet frame's length).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "packet.h"
#include "rows.h"

/* The lines, in the order of each row's verdicts. */
static const char *const lines[] = {
    /* 0 */ "SENT (0.0158s) ICMP [198.18.2.1 > 198.18.3.3 Echo request (type=8/code=0) id=48190 "
            "seq=0] IP [ttl=45 id=63362 iplen=28 ]",
    /* 1 */
    "SENT (0.0160s) TCP 198.18.2.1:39109 > 198.18.3.3:443 S ttl=48 id=42827 iplen=44  "
    "seq=4225689722 win=1024 <mss 1460>",
    /* 2 */
    "SENT (0.0161s) TCP 198.18.2.1:39109 > 198.18.3.3:80 A ttl=57 id=59478 iplen=40  seq=0 "
    "win=1024 ",
    /* 3 */
    "RCVD (0.0160s) TCP 198.18.3.2:443 > 198.18.2.1:39109 SA ttl=63 id=0 iplen=44  "
    "seq=3980095785 win=64240 <mss 1460>",
    /* 4 */ "SENT (0.0135s) ARP who-has 198.18.1.2 tell 198.18.1.1",
    /* 5 */ "RCVD (0.0135s) ARP reply 198.18.1.2 is-at 5A:59:23:9C:17:2E",
    /* 6 */
    "SENT (0.0136s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=255 flow=0 "
    "payloadlen=8",
    /* 7 */
    "SENT (0.0137s) TCP 2001:2:0:2::1:60633 > 2001:2:0:3::2:443 S hopl=255 flow=0 payloadlen=24 "
    "seq=2824564807 win=1024 <mss 1460>",
    /* 8 */ "SENT (0.0122s) UDP 198.18.2.1:43460 > 198.18.3.2:40125 ttl=43 id=55587 iplen=28 ",
    /* 9 */ "CONN (0.0300s) TCP localhost > 198.18.3.2:443 => Operation now in progress",
};
#define NLINES (sizeof lines / sizeof lines[0])

enum { ETH = 1, RAW = 101, SLL = 113, SLL2 = 276, IPV4 = 228, IPV6 = 229 };

static const struct {
    const char *filter;
    uint16_t linktype;
    const char *want; /* a verdict per line */
} rows[] = {
    {"icmp", ETH, "KDDDDDDDD?"},
    {"icmp", SLL2, "KDDDDDDDD?"},
    {"icmp", RAW, "KDDD??DDD?"}, /* no ARP on raw IP */
    {"arp", ETH, "DDDDKKDDD?"},
    {"arp", SLL, "DDDDKKDDD?"},
    {"arp", RAW, "??????????"}, /* does not compile */
    {"icmp or arp", ETH, "KDDDKKDDD?"},
    {"icmp or arp", SLL2, "KDDDKKDDD?"},
    {"tcp port 443", ETH, "DKDKDDDKD?"},
    {"tcp port 443", SLL2, "DKDKDDDKD?"},
    {"tcp port 443", RAW, "DKDK??DKD?"},
    {"tcp[tcpflags] & tcp-syn != 0", ETH, "DKDKDDDDD?"},
    {"tcp[tcpflags] & tcp-syn != 0", SLL, "DKDKDDDDD?"},
    {"not arp", ETH, "KKKKDDKKK?"},
    {"not arp", SLL2, "KKKKDDKKK?"},
    {"host 198.18.3.3", ETH, "KKKDD?DDD?"},
    {"host 198.18.1.2", ETH, "DDDDKKDDD?"},
    /* a reply's line names no target address: it may be 198.18.1.1's */
    {"host 198.18.1.1", ETH, "DDDDK?DDD?"},
    {"icmp6", ETH, "DDDDDDKDD?"},
    {"icmp6", SLL2, "DDDDDDKDD?"},
    {"icmp6", IPV6, "??????KD??"}, /* an IPv6 link: no IPv4 or ARP line on it */
    {"ip6 and tcp", ETH, "DDDDDDDKD?"},
    {"ip6 and tcp", SLL2, "DDDDDDDKD?"},
    {"ip6 and tcp", RAW, "DDDD??DKD?"},
    {"udp", IPV4, "DDDD????K?"},
    /* link-layer addresses: no line gives them (an ARP reply's names its sender's
     * hardware address in ARP, not the frame's) */
    {"ether host 5a:59:23:9c:17:2e", ETH, "??????????"},
    {"ether src 5a:59:23:9c:17:2e", ETH, "??????????"},
    {"ether host 5a:59:23:9c:17:2e", SLL2, "??????????"}, /* no ether on SLL2 */
    /* no line says the IPv4 flags, nor the TOS */
    {"ip[6] & 0x40 != 0", ETH, "????DDDD??"},
    {"ip[1] = 0", ETH, "????DDDD??"},
    /* a frame under 60 bytes on Ethernet: padded or not, its length is not known */
    {"greater 60", ETH, "??????KK??"},
    {"greater 60", SLL2, "DKKKDDKKD?"},
    /* names are looked up when compiled, not as when captured: not judged */
    {"port https", ETH, "??????????"},
    {"host router.lab", ETH, "??????????"},
    {"host tcp-server", ETH, "??????????"}, /* a name like a keyword's */
    {"icmp[icmptype] = icmp-echo", ETH, "KDDDDDDDD?"},
    {"tcp port 443 and", ETH, "??????????"}, /* does not compile */
};

static char verdict_char(enum st_filter_verdict v)
{
    return v == ST_FILTER_KEEPS ? 'K' : v == ST_FILTER_DROPS ? 'D' : '?';
}

static void test_verdicts(void **state)
{
    (void)state;
    struct st_pkt p[NLINES];
    for (size_t l = 0; l < NLINES; l++)
        st_row_parse("lines", lines[l], &p[l]);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char got[NLINES + 1] = {0};
        for (size_t l = 0; l < NLINES; l++)
            got[l] = verdict_char(st_filter_verdict_of(rows[i].filter, rows[i].linktype, &p[l]));
        if (strcmp(got, rows[i].want))
            st_row_fail("\"%s\" on link type %u: %s, want %s", rows[i].filter, rows[i].linktype,
                        got, rows[i].want);
    }
    st_rows_done();
}

/* Every interface of a capture has its say: kept when all keep it. */
static void test_interfaces(void **state)
{
    (void)state;
    struct st_pkt syn;
    st_row_parse("interfaces", lines[1], &syn);
    struct st_capture_iface ifs[2] = {{.linktype = ETH, .whole = true, .filter = "tcp"},
                                      {.linktype = SLL2, .whole = true, .filter = ""}};
    struct st_filter_judge *j = st_filter_judge_new(ifs, 2);
    assert_non_null(j);
    assert_int_equal(st_filter_judge_pkt(j, &syn), ST_FILTER_KEEPS);
    st_filter_judge_free(j);
    strcpy(ifs[1].filter, "icmp");
    j = st_filter_judge_new(ifs, 2);
    assert_int_equal(st_filter_judge_pkt(j, &syn), ST_FILTER_DROPS);
    st_filter_judge_free(j);
    /* a filter cut (too long for its room, a line break): not compiled */
    ifs[1].whole = false;
    strcpy(ifs[1].filter, "tcp");
    j = st_filter_judge_new(ifs, 2);
    assert_int_equal(st_filter_judge_pkt(j, &syn), ST_FILTER_UNKNOWN);
    st_filter_judge_free(j);
    /* no filter anywhere: nothing to judge */
    ifs[0].filter[0] = ifs[1].filter[0] = '\0';
    assert_null(st_filter_judge_new(ifs, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_interfaces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
