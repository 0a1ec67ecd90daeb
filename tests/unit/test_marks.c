/*
 * The table of announced probes (capture_marks.c) and the identity hash it
 * relies on: packets st_pkt_same() calls equal must hash equal (checked on
 * every pair of frames of the fixtures' captures), entries of one identity
 * come back in the order they were added, and a table grown far past its
 * first size still finds every entry exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "packet.h"
#include "testdata.h"

static struct st_pkt echo(uint32_t dst, uint16_t id, uint16_t seq)
{
    struct st_pkt p;
    st_pkt_init(&p);
    p.net = ST_NET_IPV4;
    p.ip.src = 0xc6120201;
    p.ip.dst = dst;
    p.ip.id = id;
    p.proto = ST_IPPROTO_ICMP;
    p.l4.icmp.type = 8;
    p.l4.icmp.id = id;
    p.l4.icmp.seq = seq;
    return p;
}

/* The next comment taken for p is `want`. */
static void take_is(struct st_marks *m, const struct st_pkt *p, const char *want)
{
    char *c = st_marks_take(m, p);
    assert_non_null(c);
    assert_string_equal(c, want);
    free(c);
}

static void test_same_means_same_hash(void **state)
{
    (void)state;
    char path[1024], eb[PCAP_ERRBUF_SIZE];
    static struct st_pkt pk[512];
    size_t n = 0;
    static const char *const runs[] = {"default-routed", "default-local", "all-d2", "PO"};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char rel[128];
        snprintf(rel, sizeof rel, "fixtures/nmap-7.93/%s/capture.pcapng", runs[r]);
        pcap_t *pc = pcap_open_offline(st_src_path(rel, path, sizeof path), eb);
        assert_non_null(pc);
        struct pcap_pkthdr *h;
        const u_char *b;
        while (n < 512 && pcap_next_ex(pc, &h, &b) == 1)
            st_decode(b, h->caplen, ST_LINK_ETHERNET, &pk[n++]);
        pcap_close(pc);
    }
    assert_true(n > 50);
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (st_pkt_same(&pk[i], &pk[j])) {
                assert_true(st_pkt_hash(&pk[i]) == st_pkt_hash(&pk[j]));
                same++;
            }
    assert_true(same >= n); /* at least each with itself */
    /* and a field st_pkt_same compares changes the hash here */
    struct st_pkt a = echo(1, 2, 3), b = echo(1, 2, 4);
    assert_false(st_pkt_same(&a, &b));
    assert_true(st_pkt_hash(&a) != st_pkt_hash(&b));
}

static void test_fifo_per_identity(void **state)
{
    (void)state;
    struct st_marks *m = st_marks_new();
    assert_non_null(m);
    struct st_pkt a = echo(0xc6120302, 7, 0), other = echo(0xc6120303, 7, 0);
    assert_int_equal(st_marks_add(m, &a, "first"), 0);
    assert_int_equal(st_marks_add(m, &other, "other"), 0);
    assert_int_equal(st_marks_add(m, &a, "second"), 0);
    assert_int_equal(st_marks_pending(m), 3);
    take_is(m, &a, "first");
    take_is(m, &a, "second");
    assert_null(st_marks_take(m, &a));
    assert_int_equal(st_marks_pending(m), 1);
    st_marks_free(m); /* frees what is left */
}

static void test_many_entries(void **state)
{
    (void)state;
    struct st_marks *m = st_marks_new();
    assert_non_null(m);
    enum { N = 20000 }; /* far past the first 1024 buckets: the table grows */
    for (uint32_t i = 0; i < N; i++) {
        struct st_pkt p = echo(0xc6130000 + i, (uint16_t)i, 0);
        char comment[64];
        snprintf(comment, sizeof comment, "scantrace probe=%u mode=echo", i);
        assert_int_equal(st_marks_add(m, &p, comment), 0);
    }
    assert_int_equal(st_marks_pending(m), N);
    for (uint32_t i = N; i-- > 0;) {
        struct st_pkt p = echo(0xc6130000 + i, (uint16_t)i, 0);
        char want[64];
        snprintf(want, sizeof want, "scantrace probe=%u mode=echo", i);
        char *c = st_marks_take(m, &p);
        assert_non_null(c);
        assert_string_equal(c, want);
        free(c);
    }
    assert_int_equal(st_marks_pending(m), 0);
    st_marks_free(m);
}

/* A probe's mark makes its run-directory comment when its frame is taken,
 * in order with plain comments of the same identity. */
static void test_probe_comment(void **state)
{
    (void)state;
    struct st_marks *m = st_marks_new();
    assert_non_null(m);
    struct st_pkt a = echo(0xc6120302, 9, 0);
    assert_int_equal(st_marks_add_probe(m, &a, 41, "-PS22,443"), 0);
    assert_int_equal(st_marks_add(m, &a, "plain"), 0);
    take_is(m, &a, "scantrace probe=41 mode=-PS22,443");
    take_is(m, &a, "plain");
    assert_int_equal(st_marks_pending(m), 0);
    assert_int_equal(st_marks_add_probe(m, &a, 1, "echo"), 0);
    st_marks_free(m); /* an untaken probe mark has no comment to free */
}

ST_TEST_MAIN(cmocka_unit_test(test_same_means_same_hash), cmocka_unit_test(test_fifo_per_identity),
             cmocka_unit_test(test_many_entries), cmocka_unit_test(test_probe_comment))
