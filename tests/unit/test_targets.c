/*
 * Target specifications: every form nmap accepts for IPv4 (address, CIDR,
 * octet ranges and lists, *), -iL files, --exclude, and the errors; the
 * IPv6 forms nmap -6 accepts and refuses, and their keys.
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

#include "testdata.h"
#include <unistd.h>

#include "packet.h"
#include "util.h"

static uint32_t ip(const char *s)
{
    uint32_t a;
    assert_true(st_ip4_parse(s, &a));
    return a;
}

static void expand(const char *spec, size_t want_n, const char *first, const char *last)
{
    struct st_targets t = {0};
    char err[256];
    if (st_targets_add(&t, spec, err, sizeof err))
        fail_msg("%s: %s", spec, err);
    assert_int_equal(t.n, want_n);
    assert_int_equal(t.addr[0], ip(first));
    assert_int_equal(t.addr[t.n - 1], ip(last));
    st_targets_free(&t);
}

static void test_forms(void **state)
{
    (void)state;
    expand("198.18.3.2", 1, "198.18.3.2", "198.18.3.2");
    expand("198.18.0.0/16", 65536, "198.18.0.0", "198.18.255.255");
    expand("198.18.3.77/24", 256, "198.18.3.0", "198.18.3.255");
    expand("198.18.3.2/32", 1, "198.18.3.2", "198.18.3.2");
    expand("198.18.2.1-20", 20, "198.18.2.1", "198.18.2.20");
    expand("198.18.1-2.3", 2, "198.18.1.3", "198.18.2.3");
    expand("198.18.3.*", 256, "198.18.3.0", "198.18.3.255");
    expand("198.18.3.1,5,7-9", 5, "198.18.3.1", "198.18.3.9");
    expand("198.18.3.-3", 4, "198.18.3.0", "198.18.3.3");
    expand("198.18.3.250-", 6, "198.18.3.250", "198.18.3.255");
}

static void test_order(void **state)
{
    (void)state;
    struct st_targets t = {0};
    char err[256];
    /* octet by octet, the last octet fastest, as nmap */
    assert_int_equal(st_targets_add(&t, "198.18.1-2.5,3", err, sizeof err), 0);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.addr[0], ip("198.18.1.3"));
    assert_int_equal(t.addr[1], ip("198.18.1.5"));
    assert_int_equal(t.addr[2], ip("198.18.2.3"));
    /* the largest octet-set spec allowed, walked value by value (walking all
     * 2^32 combinations took seconds; fuzz/regress/targets) */
    struct st_targets big = {0};
    assert_int_equal(st_targets_add(&big, "*.*.*.8", err, sizeof err), 0);
    assert_int_equal(big.n, 1u << 24);
    assert_int_equal(big.addr[0], ip("0.0.0.8"));
    assert_int_equal(big.addr[1], ip("0.0.1.8"));
    assert_int_equal(big.addr[256], ip("0.1.0.8"));
    assert_int_equal(big.addr[big.n - 1], ip("255.255.255.8"));
    assert_int_not_equal(st_targets_add(&big, "1.2.3.4", err, sizeof err), 0);
    st_targets_free(&big);
    /* specs keep the order given */
    assert_int_equal(st_targets_add(&t, "198.18.0.1", err, sizeof err), 0);
    assert_int_equal(t.addr[4], ip("198.18.0.1"));
    st_targets_free(&t);
}

static void test_errors(void **state)
{
    (void)state;
    const char *bad[] = {
        "198.18.3",     "198.18.3.256", "198.18.3.2/33", "198.18.3.2/", "lab.example",
        "198.18.3.2.1", "198.18.3.9-2", "0.0.0.0/0",     "198.18.3-.x", "",
        "1.2.3.4/8x",   "1-2.3.4.5/24"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct st_targets t = {0};
        char err[256] = "";
        if (st_targets_add(&t, bad[i], err, sizeof err) == 0)
            fail_msg("accepted '%s'", bad[i]);
        assert_non_null(strstr(err, bad[i]));
        st_targets_free(&t);
    }
    struct st_targets t = {0};
    char err[256];
    assert_int_equal(st_targets_add(&t, "lab.example", err, sizeof err), -1);
    assert_non_null(strstr(err, "names are not resolved"));
    assert_int_equal(st_targets_add(&t, "0.0.0.0/7", err, sizeof err), -1);
    assert_non_null(strstr(err, "more than"));
    st_targets_free(&t);
}

static void test_file_and_exclude(void **state)
{
    (void)state;
    char path[] = "/tmp/scantrace-targets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# lab hosts\n198.18.3.2 198.18.3.3\n\n198.18.1.0/30  # the L2 segment\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    struct st_targets t = {0};
    char err[256];
    assert_int_equal(st_targets_add_file(&t, path, err, sizeof err), 0);
    assert_int_equal(t.n, 6);
    assert_int_equal(st_targets_exclude(&t, "198.18.1.0,198.18.1.3,198.18.3.3/32", err, sizeof err),
                     0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.addr[0], ip("198.18.3.2"));
    assert_int_equal(t.addr[1], ip("198.18.1.1"));
    assert_int_equal(t.addr[2], ip("198.18.1.2"));
    assert_int_equal(st_targets_exclude(&t, "198.18.1.x", err, sizeof err), -1);
    st_targets_free(&t);

    FILE *f = fopen(path, "w");
    fputs("198.18.3.2\n198.18.3.300\n", f);
    fclose(f);
    assert_int_equal(st_targets_add_file(&t, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: target '198.18.3.300'"));
    st_targets_free(&t);
    unlink(path);
    assert_int_equal(st_targets_add_file(&t, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
}

static const char *ip6str(const uint8_t a[16], char buf[INET6_ADDRSTRLEN])
{
    return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* nmap -6's forms: what each spec expands to (count, first, last), or
 * "" when nmap -6 refuses it (it fails to resolve ranges, brackets and
 * IPv4 text; a prefix over 128 is 128; a link-local address takes its zone,
 * fe80::1%eth0, as nmap 7.93 does in the lab). */
static const struct {
    const char *spec;
    size_t n;
    const char *first, *last;
} forms6[] = {
    {"2001:2:0:3::2", 1, "2001:2:0:3::2", "2001:2:0:3::2"},
    {"2001:2:0:100::/120", 256, "2001:2:0:100::", "2001:2:0:100::ff"},
    {"2001:2:0:100::5/126", 4, "2001:2:0:100::4", "2001:2:0:100::7"},
    {"2001:2:0:100::ffff/112", 65536, "2001:2:0:100::", "2001:2:0:100::ffff"},
    {"2001:2:0:100:0:0:1:ff/120", 256, "2001:2:0:100::1:0", "2001:2:0:100::1:ff"},
    {"2001:2:0:100::/129", 1, "2001:2:0:100::", "2001:2:0:100::"},
    {"::ffff:198.18.3.2", 1, "::ffff:198.18.3.2", "::ffff:198.18.3.2"},
    {"2001:2:0:1::1-9", 0, "", ""},
    {"[2001:2::1]", 0, "", ""},
    {"fe80::1%lan0", 1, "fe80::1", "fe80::1"},
    {"fe80::%lan0/126", 4, "fe80::", "fe80::3"},
    {"fe80::1%", 0, "", ""},
    {"fe80::1%an-interface-name-too-long", 0, "", ""},
    {"2001:2::/64", 0, "", ""}, /* more than ST_TARGETS6_MAX */
    {"2001:2::/x", 0, "", ""},
    {"198.18.3.2", 0, "", ""},
};

static void test_forms6(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof forms6 / sizeof forms6[0]; i++) {
        struct st_targets6 t = {0};
        char err[256], a[INET6_ADDRSTRLEN];
        int rc = st_targets6_add(&t, forms6[i].spec, err, sizeof err);
        if (!forms6[i].n) {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, forms6[i].spec));
            st_targets6_free(&t);
            continue;
        }
        if (rc)
            fail_msg("%s: %s", forms6[i].spec, err);
        assert_int_equal(t.n, forms6[i].n);
        assert_string_equal(ip6str(t.addr[0], a), forms6[i].first);
        assert_string_equal(ip6str(t.addr[t.n - 1], a), forms6[i].last);
        st_targets6_free(&t);
    }
}

/* A zone names the scan's interface: one for the whole list. */
static void test_zone6(void **state)
{
    (void)state;
    struct st_targets6 t = {0};
    char err[256];
    assert_int_equal(st_targets6_add(&t, "2001:2:0:3::2", err, sizeof err), 0);
    assert_string_equal(t.zone, "");
    assert_int_equal(st_targets6_add(&t, "fe80::1%lan0", err, sizeof err), 0);
    assert_string_equal(t.zone, "lan0");
    assert_int_equal(st_targets6_add(&t, "fe80::2%lan0", err, sizeof err), 0);
    assert_int_equal(st_targets6_add(&t, "fe80::3%wan0", err, sizeof err), -1);
    assert_non_null(strstr(err, "fe80::3%wan0"));
    assert_string_equal(t.zone, "lan0");
    assert_int_equal(t.n, 3);
    uint8_t ll[16] = {0xfe, 0x80}, ula[16] = {0xfd, 0x80}, top[16] = {0xfe, 0xbf};
    assert_true(st_addr6_link_local(ll) && st_addr6_link_local(top));
    assert_false(st_addr6_link_local(ula) || st_addr6_link_local(t.addr[0]));
    st_targets6_free(&t);
}

/* keys: 1 + the index of an address's first copy, 0 for no target; the
 * order of the specs kept; excludes and files as for IPv4 */
static void test_keys6(void **state)
{
    (void)state;
    struct st_targets6 t = {0};
    char err[256], a[INET6_ADDRSTRLEN];
    const char *specs[] = {"2001:2:0:3::4", "2001:2:0:3::2", "2001:2:0:1::/126", "2001:2:0:3::4"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st_targets6_add(&t, specs[i], err, sizeof err), 0);
    assert_int_equal(t.n, 7);
    assert_int_equal(st_targets6_exclude(&t, "2001:2:0:1::1,2001:2:0:1::2/128", err, sizeof err),
                     0);
    assert_int_equal(t.n, 5);
    assert_int_equal(st_targets6_exclude(&t, "2001:2::1-2", err, sizeof err), -1);
    assert_int_equal(st_targets6_index(&t), 0);
    for (size_t i = 0; i < t.n; i++) {
        uint32_t k = st_targets6_key(&t, t.addr[i]);
        assert_memory_equal(st_targets6_addr(&t, k), t.addr[i], 16);
        assert_true(k <= i + 1);
    }
    assert_int_equal(st_targets6_key(&t, t.addr[4]), 1); /* the repeated ::4: its first copy */
    assert_string_equal(ip6str(t.addr[2], a), "2001:2:0:1::");
    assert_string_equal(ip6str(t.addr[3], a), "2001:2:0:1::3");
    uint8_t none[16];
    inet_pton(AF_INET6, "2001:2:0:3::9", none);
    assert_int_equal(st_targets6_key(&t, none), 0);
    assert_null(st_targets6_addr(&t, 0));
    assert_null(st_targets6_addr(&t, (uint32_t)t.n + 1));
    assert_true(st_targets6_is_spec("::1") && !st_targets6_is_spec("198.18.3.2"));
    st_targets6_free(&t);
}

/* the engine's list (st_targets6_keys): every address as its key, in order,
 * copies as their first; the digest tells two lists with the same keys apart */
static void test_keylist6(void **state)
{
    (void)state;
    struct st_targets6 t = {0}, u = {0};
    struct st_targets keys = {0};
    char err[256];
    const char *specs[] = {"2001:2:0:3::4", "2001:2:0:1::/127", "2001:2:0:3::4", "2001:2:0:3::2"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st_targets6_add(&t, specs[i], err, sizeof err), 0);
    assert_int_equal(st_targets6_keys(&t, &keys), 0);
    const uint32_t want[] = {1, 2, 3, 1, 5};
    assert_int_equal(keys.n, 5);
    assert_memory_equal(keys.addr, want, sizeof want);
    /* the same keys, another sweep: another digest; the same list: the same */
    const char *other[] = {"2001:2:0:3::5", "2001:2:0:1::/127", "2001:2:0:3::5", "2001:2:0:3::2"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st_targets6_add(&u, other[i], err, sizeof err), 0);
    assert_true(st_targets6_digest(&t) != st_targets6_digest(&u));
    u.n = 0;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(st_targets6_add(&u, specs[i], err, sizeof err), 0);
    assert_true(st_targets6_digest(&t) == st_targets6_digest(&u));
    st_targets_free(&keys);
    st_targets6_free(&t);
    st_targets6_free(&u);
}

/* Shard sweeps: each row is a list of specs and a shard count. */
static const struct shard_row {
    const char *specs[4];
    unsigned count;
} shard_rows[] = {
    {{"198.19.0.0/20"}, 4},
    {{"198.19.0.0/24", "198.19.0.7"}, 3},               /* a copy inside a range */
    {{"198.18.3.2", "198.18.3.0/30", "198.18.3.2"}, 2}, /* overlaps, a copy twice */
    {{"198.18.1-2.3", "198.18.4.*", "198.18.2.3"}, 5},  /* octet ranges, wildcards */
    {{"198.18.3.2"}, 4},                                /* fewer addresses than shards */
    {{"198.18.3.9", "198.18.3.1", "198.18.3.5"}, 1},    /* one shard: the whole */
};

static void add_specs(struct st_targets *t, const char *const *specs)
{
    char err[256];
    for (size_t i = 0; i < 4 && specs[i]; i++)
        if (st_targets_add(t, specs[i], err, sizeof err))
            fail_msg("%s: %s", specs[i], err);
}

static size_t count_of(const struct st_targets *t, uint32_t a)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->addr[i] == a;
    return n;
}

/* The shards of one row partition its list: each address (with all its
 * copies) in exactly one shard, shards within one address of each other,
 * each shard in the whole's order, one digest for all. */
static void check_shards(const struct shard_row *row)
{
    struct st_targets whole = {0};
    add_specs(&whole, row->specs);
    size_t seen = 0, lo = SIZE_MAX, hi = 0;
    uint64_t digest = 0;
    for (unsigned i = 0; i < row->count; i++) {
        struct st_targets t = {0};
        struct st_targets_sweep sw;
        add_specs(&t, row->specs);
        assert_int_equal(st_targets_shard(&t, row->count, i, &sw), 0);
        assert_int_equal(sw.addresses, whole.n);
        if (i && sw.digest != digest)
            fail_msg("%s: shard %u has another digest", row->specs[0], i);
        digest = sw.digest;
        size_t distinct = 0;
        for (size_t k = 0; k < t.n; k++) {
            if (count_of(&t, t.addr[k]) != count_of(&whole, t.addr[k]))
                fail_msg("%s: shard %u lacks a copy of an address", row->specs[0], i);
            size_t j = 0;
            while (t.addr[j] != t.addr[k])
                j++;
            distinct += j == k; /* its first copy in the shard */
        }
        seen += t.n;
        lo = distinct < lo ? distinct : lo;
        hi = distinct > hi ? distinct : hi;
        st_targets_free(&t);
    }
    if (seen != whole.n)
        fail_msg("%s: shards hold %zu addresses, the whole %zu", row->specs[0], seen, whole.n);
    if (hi - lo > 2)
        fail_msg("%s: shards of %zu to %zu addresses", row->specs[0], lo, hi);
    st_targets_free(&whole);
}

static void test_shards(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof shard_rows / sizeof shard_rows[0]; i++)
        check_shards(&shard_rows[i]);
    /* another sweep, another digest; the same addresses in another order too */
    struct st_targets a = {0}, b = {0};
    struct st_targets_sweep sa, sb;
    add_specs(&a, (const char *const[]){"198.18.3.1", "198.18.3.2", NULL, NULL});
    add_specs(&b, (const char *const[]){"198.18.3.2", "198.18.3.1", NULL, NULL});
    assert_int_equal(st_targets_shard(&a, 2, 0, &sa), 0);
    assert_int_equal(st_targets_shard(&b, 2, 0, &sb), 0);
    assert_true(sa.digest != sb.digest);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.addr[0], ip("198.18.3.1")); /* dealt in the order first named */
    assert_int_equal(b.addr[0], ip("198.18.3.2"));
    st_targets_free(&a);
    st_targets_free(&b);
}

ST_TEST_MAIN(cmocka_unit_test(test_forms), cmocka_unit_test(test_order),
             cmocka_unit_test(test_errors), cmocka_unit_test(test_file_and_exclude),
             cmocka_unit_test(test_shards), cmocka_unit_test(test_forms6),
             cmocka_unit_test(test_zone6), cmocka_unit_test(test_keys6),
             cmocka_unit_test(test_keylist6))
