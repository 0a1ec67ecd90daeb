/*
 * Which targets may share a route lookup (route_split.h, route_share.h):
 * the longest noted
 * prefix inside a target's block, for IPv4 /24 and IPv6 /64 blocks; prefixes
 * no longer than the block are not noted (they cover whole blocks); the
 * answer does not depend on the order the prefixes came in, nor on the
 * order the targets are asked in (the kept block run). And the kernel's own
 * dump reads (whatever the host's tables hold, they are sealed and sorted).
 * A kept lookup is shared by its block and split only, never by its
 * gateway, and not at all when it holds for one target alone.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "scan.h"

static void add4(struct st_route_splits *s, const char *a, unsigned len)
{
    struct in_addr in;
    assert_int_equal(inet_pton(AF_INET, a, &in), 1);
    assert_int_equal(st_route_splits_add(s, (const uint8_t *)&in, len), 0);
}

/* the noted prefix find gives for a, as "addr/len", or "none" */
static const char *find4(struct st_route_splits *s, const char *a, char *buf)
{
    struct in_addr in;
    assert_int_equal(inet_pton(AF_INET, a, &in), 1);
    long i = st_route_splits_find(s, (const uint8_t *)&in);
    if (i < 0)
        return "none";
    char net[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, s->p[i].addr, net, sizeof net);
    snprintf(buf, 64, "%s/%u", net, s->p[i].len);
    return buf;
}

static void test_ipv4_longest_inside_the_block(void **state)
{
    (void)state;
    struct st_route_splits s;
    char b[64];
    st_route_splits_init(&s, AF_INET);
    add4(&s, "198.18.3.7", 32);
    add4(&s, "198.18.3.129", 25); /* the bits past 25 are dropped */
    add4(&s, "198.18.3.128", 26);
    add4(&s, "198.18.0.0", 15);   /* covers whole blocks: not noted */
    add4(&s, "198.18.3.0", 24);   /* nor the block itself */
    add4(&s, "198.18.3.7", 32);   /* twice: once */
    add4(&s, "198.18.4.255", 32); /* another block's */
    st_route_splits_seal(&s);
    assert_int_equal(s.n, 4);
    assert_string_equal(find4(&s, "198.18.3.7", b), "198.18.3.7/32");
    assert_string_equal(find4(&s, "198.18.3.6", b), "none");
    assert_string_equal(find4(&s, "198.18.3.130", b), "198.18.3.128/26");
    assert_string_equal(find4(&s, "198.18.3.200", b), "198.18.3.128/25");
    assert_string_equal(find4(&s, "198.18.4.255", b), "198.18.4.255/32");
    /* back to an earlier block: its run is found again */
    assert_string_equal(find4(&s, "198.18.3.255", b), "198.18.3.128/25");
    assert_string_equal(find4(&s, "198.18.2.7", b), "none");
    assert_string_equal(find4(&s, "198.18.5.0", b), "none");
    st_route_splits_free(&s);
}

static void test_ipv4_empty(void **state)
{
    (void)state;
    struct st_route_splits s;
    char b[64];
    st_route_splits_init(&s, AF_INET);
    assert_false(s.complete);
    st_route_splits_seal(&s);
    assert_true(s.complete);
    assert_string_equal(find4(&s, "198.19.0.1", b), "none");
    st_route_splits_free(&s);
}

static void test_ipv6_block_is_a_64(void **state)
{
    (void)state;
    struct st_route_splits s;
    struct in6_addr a;
    st_route_splits_init(&s, AF_INET6);
    inet_pton(AF_INET6, "2001:2:0:3::80", &a);
    assert_int_equal(st_route_splits_add(&s, a.s6_addr, 121), 0);
    inet_pton(AF_INET6, "2001:2:0:3::", &a);
    assert_int_equal(st_route_splits_add(&s, a.s6_addr, 64), 0); /* the block: not noted */
    inet_pton(AF_INET6, "2001:2:0:3::7", &a);
    assert_int_equal(st_route_splits_add(&s, a.s6_addr, 128), 0);
    st_route_splits_seal(&s);
    assert_int_equal(s.n, 2);
    inet_pton(AF_INET6, "2001:2:0:3::85", &a);
    long i = st_route_splits_find(&s, a.s6_addr);
    assert_true(i >= 0);
    assert_int_equal(s.p[i].len, 121);
    inet_pton(AF_INET6, "2001:2:0:3::7", &a);
    i = st_route_splits_find(&s, a.s6_addr);
    assert_true(i >= 0);
    assert_int_equal(s.p[i].len, 128);
    inet_pton(AF_INET6, "2001:2:0:3::8", &a);
    assert_int_equal(st_route_splits_find(&s, a.s6_addr), -1);
    inet_pton(AF_INET6, "2001:2:0:4::7", &a);
    assert_int_equal(st_route_splits_find(&s, a.s6_addr), -1);
    st_route_splits_free(&s);
}

/* The kernel's dumps of this host (or namespace): read, sorted, each
 * prefix longer than the block; IPv4's limited broadcast always. */
static void test_read_from_the_kernel(void **state)
{
    (void)state;
    int families[] = {AF_INET, AF_INET6};
    for (size_t f = 0; f < 2; f++) {
        struct st_route_splits s;
        assert_int_equal(st_route_splits_read(&s, families[f]), 0);
        assert_true(s.complete);
        for (size_t i = 0; i < s.n; i++) {
            assert_true(s.p[i].len > s.block_len);
            if (i)
                assert_true(memcmp(s.p[i - 1].addr, s.p[i].addr, 16) <= 0);
        }
        if (families[f] == AF_INET) {
            static const uint8_t all_ones[4] = {255, 255, 255, 255};
            assert_true(st_route_splits_find(&s, all_ones) >= 0);
        }
        st_route_splits_free(&s);
    }
}

/* A share over splits noted here (no kernel): 198.18.3.7/32 and
 * 198.18.3.128/25 inside 198.18.3.0/24. */
static void share4(struct st_route_share *c)
{
    memset(c, 0, sizeof *c);
    st_route_splits_init(&c->splits, AF_INET);
    add4(&c->splits, "198.18.3.7", 32);
    add4(&c->splits, "198.18.3.128", 25);
    st_route_splits_seal(&c->splits);
}

static const uint8_t *ip4(const char *a, uint8_t *buf)
{
    assert_int_equal(inet_pton(AF_INET, a, buf), 1);
    return buf;
}

/* the slot find gives a, or -1; *split too */
static int share_find(struct st_route_share *c, const char *a, long *split)
{
    uint8_t b[4];
    return st_route_share_find(c, ip4(a, b), split);
}

/* look a up as the engine does: find, else keep r under slot */
static int share_lookup(struct st_route_share *c, const char *a, const struct st_route *r, int slot)
{
    uint8_t b[4];
    long split;
    int s = st_route_share_find(c, ip4(a, b), &split);
    if (s >= 0)
        return s;
    st_route_share_keep(c, r, b, split, slot);
    return slot;
}

static void test_share_by_block_and_split(void **state)
{
    (void)state;
    struct st_route_share c;
    long split;
    share4(&c);
    struct st_route block = {.prefix_len = 24, .gateway = true, .via = 0xc61202fe};
    struct st_route host = {.prefix_len = 32, .direct = true};
    struct st_route half = {.prefix_len = 25, .direct = true};
    assert_int_equal(share_lookup(&c, "198.18.3.1", &block, 1), 1);
    assert_int_equal(share_find(&c, "198.18.3.2", &split), 1);
    assert_int_equal(split, -1);
    /* the /32: its own lookup, then the block's again for the next */
    assert_int_equal(share_find(&c, "198.18.3.7", &split), -1);
    assert_true(split >= 0);
    assert_int_equal(share_lookup(&c, "198.18.3.7", &host, 2), 2);
    assert_int_equal(share_find(&c, "198.18.3.8", &split), 1);
    /* the /25: one lookup for its half */
    assert_int_equal(share_lookup(&c, "198.18.3.129", &half, 3), 3);
    assert_int_equal(share_find(&c, "198.18.3.200", &split), 3);
    assert_int_equal(share_find(&c, "198.18.3.127", &split), 1);
    /* another block asks again */
    assert_int_equal(share_find(&c, "198.18.4.1", &split), -1);
    st_route_share_free(&c);
}

static void test_share_not_what_holds_for_one(void **state)
{
    (void)state;
    struct st_route_share c;
    long split;
    share4(&c);
    /* a gateway inside the block: the gateway itself is asked apart */
    struct st_route via = {.prefix_len = 16, .gateway = true, .via = 0xc6120364};
    assert_int_equal(share_lookup(&c, "198.18.3.1", &via, 1), 1);
    assert_int_equal(share_find(&c, "198.18.3.100", &split), -1);
    assert_int_equal(share_find(&c, "198.18.3.101", &split), 1);
    st_route_share_free(&c);
    /* multipath, via itself, a match more specific than the dumps knew */
    struct st_route multi = {.prefix_len = 16, .gateway = true, .multipath = true};
    struct st_route self = {.prefix_len = 16, .direct = true, .via_self = true};
    struct st_route deeper = {.prefix_len = 26, .direct = true};
    const struct st_route *lone[] = {&multi, &self, &deeper};
    for (size_t i = 0; i < 3; i++) {
        share4(&c);
        assert_int_equal(share_lookup(&c, "198.18.3.1", lone[i], 1), 1);
        assert_int_equal(share_find(&c, "198.18.3.2", &split), -1);
        st_route_share_free(&c);
    }
    /* splits unread: nothing shared */
    memset(&c, 0, sizeof c);
    st_route_splits_init(&c.splits, AF_INET);
    struct st_route block = {.prefix_len = 24, .direct = true};
    assert_int_equal(share_lookup(&c, "198.18.3.1", &block, 1), 1);
    assert_int_equal(share_find(&c, "198.18.3.2", &split), -1);
    st_route_share_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ipv4_longest_inside_the_block),
                                       cmocka_unit_test(test_ipv4_empty),
                                       cmocka_unit_test(test_ipv6_block_is_a_64),
                                       cmocka_unit_test(test_read_from_the_kernel),
                                       cmocka_unit_test(test_share_by_block_and_split),
                                       cmocka_unit_test(test_share_not_what_holds_for_one)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
