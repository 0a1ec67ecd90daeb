/*
 * The DNS codec (probes/dns/dns.c): the PTR query's exact bytes, replies with
 * and without compression, and hostile replies: every prefix of a reply
 * parsed from a heap buffer of exactly that size (AddressSanitizer catches
 * any read past it), pointer loops, forward pointers, labels running past
 * the end, names too long.
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

#include "dns.h"

static struct in_addr ip(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a;
}

static void test_ptr_name(void **state)
{
    (void)state;
    char name[ST_DNS_NAME_MAX];
    st_dns_ptr_name(ip("198.18.3.4"), name);
    assert_string_equal(name, "4.3.18.198.in-addr.arpa");
    struct in6_addr a6;
    inet_pton(AF_INET6, "2001:2:0:3::2", &a6);
    st_dns_ptr_name6(&a6, name);
    assert_string_equal(name,
                        "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.0.0.0.0.0.2.0.0.0.1.0.0.2.ip6.arpa");
    uint8_t buf[ST_DNS_MAX_MSG];
    /* header, 32 one-nibble labels, "ip6" and "arpa", root, type and class */
    assert_int_equal(st_dns_build_ptr_query_name(7, name, buf, sizeof buf),
                     12 + 64 + 4 + 5 + 1 + 4);
    assert_int_equal(st_dns_build_ptr_query_name(7, name, buf, 40), -1);
}

static void test_query_bytes(void **state)
{
    (void)state;
    uint8_t buf[ST_DNS_MAX_MSG];
    /* nmap's example: 40 bytes for 10.91.3.2 */
    assert_int_equal(st_dns_build_ptr_query(0x1234, ip("10.91.3.2"), buf, sizeof buf), 40);
    static const uint8_t want[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,
                                   0,    0,    1,    '2',  1,   '3', 2,   '9', '1', 2,
                                   '1',  '0',  7,    'i',  'n', '-', 'a', 'd', 'd', 'r',
                                   4,    'a',  'r',  'p',  'a', 0,   0,   12,  0,   1};
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(st_dns_build_ptr_query(1, ip("10.91.3.2"), buf, 39), -1);
}

/* A reply to the query for 10.91.3.2 with the answer name compressed to
 * the question (offset 12) and the target "tgt2.lab". */
static size_t reply(uint8_t *m, uint16_t flags)
{
    int n = st_dns_build_ptr_query(0x1234, ip("10.91.3.2"), m, ST_DNS_MAX_MSG);
    m[2] = (uint8_t)(flags >> 8);
    m[3] = (uint8_t)flags;
    m[7] = 1; /* one answer */
    static const uint8_t answer[] = {0xC0, 12, 0,   12,  0,   1,   0, 0,   0x0e, 0x10, 0,
                                     10,   4,  't', 'g', 't', '2', 3, 'l', 'a',  'b',  0};
    memcpy(m + n, answer, sizeof answer);
    return (size_t)n + sizeof answer;
}

static void test_parse_reply(void **state)
{
    (void)state;
    uint8_t m[ST_DNS_MAX_MSG];
    size_t len = reply(m, 0x8180);
    struct st_dns_reply r;
    assert_int_equal(st_dns_parse_reply(m, len, &r), 0);
    assert_int_equal(r.id, 0x1234);
    assert_int_equal(r.rcode, 0);
    assert_true(r.has_ptr);
    assert_string_equal(r.ptr, "tgt2.lab");
    assert_string_equal(r.qname, "2.3.91.10.in-addr.arpa");

    /* a target that points back into the question: "arpa" */
    uint8_t m2[ST_DNS_MAX_MSG];
    len = reply(m2, 0x8180);
    size_t rd = len - 10;
    m2[rd - 1] = 2; /* rdlength */
    m2[rd] = 0xC0;
    m2[rd + 1] = 30; /* the "arpa" label of the question */
    assert_int_equal(st_dns_parse_reply(m2, rd + 2, &r), 0);
    assert_string_equal(r.ptr, "arpa");

    /* NXDOMAIN, no answer */
    len = (size_t)st_dns_build_ptr_query(7, ip("10.91.3.9"), m, sizeof m);
    m[2] = 0x81;
    m[3] = 0x83;
    assert_int_equal(st_dns_parse_reply(m, len, &r), 0);
    assert_int_equal(r.rcode, ST_DNS_RCODE_NXDOMAIN);
    assert_false(r.has_ptr);

    /* a query (QR clear) is not a reply */
    len = (size_t)st_dns_build_ptr_query(7, ip("10.91.3.9"), m, sizeof m);
    assert_int_equal(st_dns_parse_reply(m, len, &r), -1);
}

static void test_every_prefix(void **state)
{
    (void)state;
    uint8_t m[ST_DNS_MAX_MSG];
    size_t len = reply(m, 0x8180);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, m, n);
        struct st_dns_reply r;
        assert_int_equal(st_dns_parse_reply(copy, n, &r), -1);
        free(copy);
    }
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t m[ST_DNS_MAX_MSG];
    struct st_dns_reply r;
    size_t len = reply(m, 0x8180);
    size_t rd = len - 10;

    /* the answer's target points at itself */
    m[rd - 1] = 2;
    m[rd] = 0xC0;
    m[rd + 1] = (uint8_t)rd;
    assert_int_equal(st_dns_parse_reply(m, rd + 2, &r), -1);
    /* ... or forwards */
    m[rd + 1] = (uint8_t)(rd + 4);
    assert_int_equal(st_dns_parse_reply(m, rd + 2, &r), -1);
    /* the question's name is a pointer to itself */
    len = reply(m, 0x8180);
    m[12] = 0xC0;
    m[13] = 12;
    assert_int_equal(st_dns_parse_reply(m, len, &r), -1);
    /* a label longer than what is left */
    len = reply(m, 0x8180);
    m[len - 10] = 60;
    assert_int_equal(st_dns_parse_reply(m, len, &r), -1);
    /* a target longer than its rdlength */
    len = reply(m, 0x8180);
    m[len - 11] = 5;
    assert_int_equal(st_dns_parse_reply(m, len, &r), -1);
    /* reserved label type 0x40 */
    len = reply(m, 0x8180);
    m[len - 10] = 0x44;
    assert_int_equal(st_dns_parse_reply(m, len, &r), -1);

    /* a name of 300 bytes of 63-byte labels does not fit 255 */
    uint8_t big[ST_DNS_MAX_MSG];
    memcpy(big, m, 12);
    big[4] = 0;
    big[5] = 1;
    big[6] = big[7] = 0;
    size_t o = 12;
    for (int l = 0; l < 5; l++) {
        big[o++] = 63;
        memset(big + o, 'a', 63);
        o += 63;
    }
    big[o++] = 0;
    memset(big + o, 0, 4);
    o += 4;
    assert_int_equal(st_dns_parse_reply(big, o, &r), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptr_name),    cmocka_unit_test(test_query_bytes),
        cmocka_unit_test(test_parse_reply), cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
