/*
 * nmap's evasion options applied to real probes (probes/scan/evasion.c): a
 * module's SYN and echo request rewritten and cut as nmap does, checked by
 * decoding what comes out with the same decoder the capture uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"
#include "scan.h"

static const uint32_t SRC = 0xc6120201, DST = 0xc6120302; /* 198.18.2.1 > 198.18.3.2 */

/* The probe of module `name` to DST, as the engine makes it. */
static size_t probe(const char *name, uint16_t port, uint8_t *out)
{
    struct st_probe_ctx ctx = {.src = SRC, .fixed_ttl = 50, .sport_base = 40000};
    struct st_probe_tmpl t;
    const struct st_probe_module *m = st_probe_by_name(name);
    assert_non_null(m);
    m->prepare(&ctx, port, &t);
    return m->make(&ctx, &t, DST, 0, out, ST_TMPL_MAX);
}

/* -f, -ff, --mtu 16: the trains of a 44-byte SYN (24 TCP bytes) and of an
 * echo request (8 ICMP bytes: fits, not cut). */
static void test_fragments(void **state)
{
    (void)state;
    static const struct {
        const char *mod;
        unsigned mtu, count, last;
    } rows[] = {{"syn", 8, 3, 8},
                {"syn", 16, 2, 8},
                {"syn", 24, 1, 24},
                {"echo", 8, 1, 8},
                {"syn", 0, 1, 24}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        struct st_evasion ev;
        st_evasion_init(&ev);
        ev.mtu = rows[r].mtu;
        uint8_t in[ST_TMPL_MAX], dg[ST_EVASION_DGRAM_MAX], fr[ST_EVASION_DGRAM_MAX];
        size_t n = probe(rows[r].mod, 443, in);
        uint32_t hop;
        size_t len = st_evasion_apply(&ev, in, n, SRC, -1, dg, sizeof dg, &hop);
        assert_int_equal(len, n);
        assert_int_equal(hop, DST);
        unsigned k = 0, covered = 0;
        for (size_t fl; (fl = st_evasion_fragment(&ev, dg, len, k, fr, sizeof fr)); k++) {
            struct st_pkt p;
            st_decode(fr, fl, ST_LINK_RAW_IP, &p);
            bool last = k + 1 == rows[r].count;
            print_message("%s mtu %u: fragment %u: offset %u, %u bytes, MF %d\n", rows[r].mod,
                          rows[r].mtu, k, (p.ip.frag & 0x1fff) * 8u, p.ip.len - 20u,
                          !!(p.ip.frag & 0x2000));
            assert_int_equal((p.ip.frag & 0x1fff) * 8u, covered);
            assert_int_equal(!!(p.ip.frag & 0x2000), !last);
            assert_int_equal(p.ip.len - 20u, last ? rows[r].last : rows[r].mtu);
            assert_int_equal(p.ip.id, dg[4] << 8 | dg[5]); /* one datagram */
            covered += p.ip.len - 20u;
        }
        assert_int_equal(k, rows[r].count);
        assert_int_equal(covered, n - 20);
    }
}

/* --ip-options as nmap's parser makes them, read back by the trace text. */
static void test_ipopts(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *text;
    } rows[] = {
        {"R", " NOP RR{#0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0}"},
        {"T", " TM{[0 hosts not recorded]#0 0 0 0 0 0 0 0 0 }"},
        {"U", " TM{[0 hosts not recorded]#0.0.0.0@0 0.0.0.0@0 0.0.0.0@0 0.0.0.0@0 }"},
        {"\\x01\\x01\\x01\\x01", " NOP NOP NOP NOP"},
        {"\\x01*3", " NOP NOP NOP EOL"},
        {"S 198.18.2.254", " NOP SSRR{#198.18.2.254 198.18.3.2}"},
        {"L 10.0.0.1 10.0.0.2", " NOP LSRR{#10.0.0.1 10.0.0.2 198.18.3.2}"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        struct st_evasion ev;
        char err[128], text[300];
        st_evasion_init(&ev);
        assert_int_equal(st_evasion_ipopts(&ev, rows[r].spec, err, sizeof err), 0);
        uint8_t in[ST_TMPL_MAX], dg[ST_EVASION_DGRAM_MAX];
        size_t n = probe("echo", 0, in);
        uint32_t hop;
        size_t len = st_evasion_apply(&ev, in, n, SRC, -1, dg, sizeof dg, &hop);
        struct st_pkt p;
        st_decode(dg, len, ST_LINK_RAW_IP, &p);
        struct st_sb sb;
        st_sb_init(&sb, text, sizeof text);
        st_ipopts_format(&sb, p.ip.opts, p.ip.optlen);
        print_message("--ip-options %s: [%s] to %08x\n", rows[r].spec, text, (unsigned)hop);
        assert_string_equal(text, rows[r].text);
        assert_int_equal(p.ip.len, n + p.ip.optlen);
        /* a source route goes to its first hop; the header names it */
        bool routed = rows[r].spec[0] == 'S' || rows[r].spec[0] == 'L';
        assert_int_equal(hop, routed ? p.ip.dst : DST);
        assert_true(!routed || hop != DST);
        uint32_t target;
        assert_int_equal(st_ipopts_route_target(&p.ip, &target), routed);
        assert_true(!routed || target == DST);
    }
    static const char *const bad[] = {"X", "\\x100", "S", "L 10.0.0", "*3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct st_evasion ev;
        char err[128];
        st_evasion_init(&ev);
        assert_int_equal(st_evasion_ipopts(&ev, bad[i], err, sizeof err), -1);
    }
}

/* The transport checksum against the datagram's bytes: 0 when right. */
static uint16_t l4_residue(const uint8_t *dg, size_t len)
{
    size_t h = (size_t)(dg[0] & 15) * 4;
    uint32_t sum = st_csum_add(0, dg + h, len - h);
    if (dg[9] != ST_IPPROTO_ICMP) {
        uint32_t src = (uint32_t)dg[12] << 24 | (uint32_t)dg[13] << 16 | dg[14] << 8 | dg[15];
        uint32_t dst = (uint32_t)dg[16] << 24 | (uint32_t)dg[17] << 16 | dg[18] << 8 | dg[19];
        sum += st_csum_pseudo(src, dst, dg[9], (uint16_t)(len - h));
    }
    return st_csum_fold(sum);
}

/* Options with --data-string hello, and --badsum or not. */
static struct st_evasion hello(int badsum)
{
    struct st_evasion ev;
    char err[128];
    st_evasion_init(&ev);
    ev.badsum = badsum;
    assert_int_equal(st_evasion_data_string(&ev, "hello", err, sizeof err), 0);
    return ev;
}

/* --badsum spoils, data is covered by the sums and lengths, decoys change
 * the source and keep the rest. */
static void test_badsum_data_decoys(void **state)
{
    (void)state;
    const char *mods[] = {"syn", "echo", "udp"};
    for (size_t m = 0; m < 3; m++) {
        for (int badsum = 0; badsum < 2; badsum++) {
            struct st_evasion ev = hello(badsum);
            uint8_t in[ST_TMPL_MAX], dg[ST_EVASION_DGRAM_MAX];
            size_t n = probe(mods[m], 53, in);
            uint32_t hop, decoy = 0xc6120207;
            size_t len = st_evasion_apply(&ev, in, n, decoy, 40, dg, sizeof dg, &hop);
            struct st_pkt p;
            st_decode(dg, len, ST_LINK_RAW_IP, &p);
            assert_int_equal(len, n + 5);
            assert_memory_equal(dg + len - 5, "hello", 5);
            assert_int_equal(p.ip.src, decoy);
            assert_int_equal(p.ip.ttl, 40);
            assert_int_equal(st_csum_fold(st_csum_add(0, dg, 20)), 0); /* the IP sum is right */
            if (p.proto == ST_IPPROTO_UDP)
                assert_int_equal(p.l4.udp.len, n - 20 + 5);
            print_message("%s badsum %d: residue %04x\n", mods[m], badsum, l4_residue(dg, len));
            assert_int_equal(l4_residue(dg, len) != 0, badsum);
        }
    }
    struct st_evasion ev;
    char err[128];
    uint64_t rng = 1;
    st_evasion_init(&ev);
    assert_int_equal(
        st_evasion_decoys(&ev, "198.18.2.7,ME,198.18.2.8", false, &rng, err, sizeof err), 0);
    assert_int_equal(ev.nsources, 3);
    assert_int_equal(ev.sources[1], 0); /* ME, in its place */
    assert_int_equal(st_evasion_decoys(&ev, "198.18.2.7,RND:2", false, &rng, err, sizeof err), 0);
    assert_int_equal(ev.nsources, 4); /* ME last when not named */
    assert_int_equal(ev.sources[3], 0);
    assert_true(ev.sources[1] && ev.sources[2] && ev.sources[1] >> 24 != 127);
    assert_int_equal(st_evasion_decoys(&ev, "198.18.2.7,,x", false, &rng, err, sizeof err), -1);
    assert_int_equal(st_evasion_decoys(&ev, "ME,198.18.2.7,ME", false, &rng, err, sizeof err), -1);
    /* nmap's spellings: "rnd" and "RND:" are one random decoy, "me" is ME */
    assert_int_equal(st_evasion_decoys(&ev, "rnd,me,RND:", false, &rng, err, sizeof err), 0);
    assert_int_equal(ev.nsources, 3);
    assert_true(ev.sources[0] && !ev.sources[1] && ev.sources[2]);
    assert_int_equal(st_evasion_decoys(&ev, "RND:0", false, &rng, err, sizeof err), -1);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* An IPv6 datagram of protocol nh from 2001:2:0:2::1 to 2001:2:0:3::2,
 * transport bytes as a probe module leaves them, its sum made. */
static size_t probe6(uint8_t nh, uint8_t *out)
{
    static const uint8_t src[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 2, [15] = 1};
    static const uint8_t dst[16] = {0x20, 0x01, 0, 2, 0, 0, 0, 3, [15] = 2};
    size_t l4 = nh == ST_IPPROTO_TCP ? 20 : 8;
    memset(out, 0, 40 + l4);
    st_ipv6_write(out, (uint16_t)l4, 0, 255, nh, src, dst);
    if (nh == ST_IPPROTO_ICMPV6)
        out[40] = 128;
    if (nh == ST_IPPROTO_TCP) {
        out[52] = 5 << 4;
        out[53] = ST_TCP_SYN;
    }
    if (nh == ST_IPPROTO_UDP)
        st_put16(out + 44, 8);
    st_l4_checksum6(out, 40 + l4);
    return 40 + l4;
}

/* -6: data appended under the sums and lengths, --badsum spoils, a decoy's
 * copy from the decoy (its sum made over that source), the scanner's own
 * copy from its own address, the hop limit kept (nmap -6). */
static void test_ipv6_copies(void **state)
{
    (void)state;
    const uint8_t nhs[] = {ST_IPPROTO_ICMPV6, ST_IPPROTO_TCP, ST_IPPROTO_UDP};
    const size_t sum_at[] = {2, 16, 6};
    for (size_t m = 0; m < 3; m++) {
        for (int badsum = 0; badsum < 2; badsum++) {
            struct st_evasion ev = hello(badsum);
            char err[128];
            uint64_t rng = 1;
            assert_int_equal(
                st_evasion_decoys(&ev, "2001:2:0:2::7,ME", true, &rng, err, sizeof err), 0);
            assert_int_equal(st_evasion_copies(&ev), 2);
            uint8_t in[ST_TMPL_MAX], dg[ST_EVASION_DGRAM_MAX], fixed[ST_EVASION_DGRAM_MAX];
            size_t n = probe6(nhs[m], in);
            for (size_t d = 0; d < 2; d++) {
                char text[64] = "";
                uint32_t hop = 1;
                assert_int_equal(st_evasion_decoy(&ev, true, d, text), d == 0);
                size_t len = st_evasion_copy(&ev, true, d, in, n, 33, dg, sizeof dg, &hop);
                assert_int_equal(len, n + 5);
                assert_int_equal(hop, 0);
                assert_memory_equal(dg + len - 5, "hello", 5);
                assert_int_equal(get16(dg + 4), n - 40 + 5);
                assert_int_equal(dg[7], 255);
                if (d == 0)
                    assert_string_equal(text, "2001:2:0:2::7");
                assert_int_equal(dg[23], d == 0 ? 7 : 1);
                if (nhs[m] == ST_IPPROTO_UDP)
                    assert_int_equal(get16(dg + 44), n - 40 + 5);
                memcpy(fixed, dg, len);
                st_l4_checksum6(fixed, len);
                bool right = !memcmp(fixed + 40 + sum_at[m], dg + 40 + sum_at[m], 2);
                if (right == badsum)
                    fail_msg("nh %u badsum %d copy %zu: the sum is %s", nhs[m], badsum, d,
                             right ? "right" : "wrong");
            }
        }
    }
    struct st_evasion ev;
    char err[128];
    st_evasion_init(&ev);
    uint64_t rng = 1;
    assert_int_equal(st_evasion_decoys(&ev, "2001:2::7,2001:2::8", true, &rng, err, sizeof err), 0);
    assert_int_equal(ev.nsources, 3); /* ME last when not named */
    assert_false(st_evasion_decoy(&ev, true, 2, err));
    assert_int_equal(st_evasion_decoys(&ev, "RND:2", true, &rng, err, sizeof err), -1);
    assert_int_equal(st_evasion_decoys(&ev, "ME,2001:2::7,ME", true, &rng, err, sizeof err), -1);
    assert_int_equal(st_evasion_decoys(&ev, "198.18.2.7", true, &rng, err, sizeof err), -1);
    assert_int_equal(st_evasion_decoys(&ev, "2001:2::7,,ME", true, &rng, err, sizeof err), -1);
}

/* nmap's fragment rule per pass: flags of the -P options (one pass, or
 * each its own with each_mode), --mtu, --data-length; refused or not. */
static const struct {
    const char *flags;
    bool each_mode;
    unsigned mtu;
    unsigned datalen;
    bool refused;
} frag_rows[] = {
    {"", false, 8, 0, false}, /* nmap's default ping: SYN and ACK */
    {"-PE", false, 8, 0, true},
    {"-PE -PS443", false, 8, 0, false},
    {"-PE -PS443", true, 8, 0, true}, /* the -PE pass alone */
    {"-PP", false, 16, 0, false},
    {"-PA", false, 16, 0, false},
    {"-PM", false, 8, 0, false},
    {"-PM", false, 16, 0, true},
    {"-PU", false, 8, 0, true},
    {"-PU", false, 8, 1, false}, /* 8 + 1 bytes: longer than a fragment */
    {"-PE", false, 16, 8, true},
    {"-PE", false, 16, 9, false},
    {"-PO", false, 8, 0, true},
    {"-PR", false, 8, 0, true},
    {"-PE", false, 0, 0, false}, /* no fragments */
};

static void test_fragments_need_a_mode_that_is_cut(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof frag_rows / sizeof frag_rows[0]; i++) {
        struct st_plan plan;
        struct st_evasion ev;
        char err[256], flags[64];
        uint64_t rng = 1;
        st_plan_init(&plan);
        plan.each_mode = frag_rows[i].each_mode;
        snprintf(flags, sizeof flags, "%s", frag_rows[i].flags);
        for (char *f = strtok(flags, " "); f; f = strtok(NULL, " "))
            assert_int_equal(st_plan_add_flag(&plan, f, err, sizeof err), 0);
        st_plan_finish(&plan);
        st_evasion_init(&ev);
        ev.mtu = frag_rows[i].mtu;
        assert_int_equal(st_evasion_data_length(&ev, frag_rows[i].datalen, &rng, err, sizeof err),
                         0);
        int rc = st_evasion_check_plan(&ev, &plan, err, sizeof err);
        if ((rc != 0) != frag_rows[i].refused)
            fail_msg("row %zu ('%s', mtu %u, data %u): %s", i, frag_rows[i].flags, frag_rows[i].mtu,
                     frag_rows[i].datalen, rc ? err : "accepted");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fragments), cmocka_unit_test(test_ipopts),
        cmocka_unit_test(test_badsum_data_decoys), cmocka_unit_test(test_ipv6_copies),
        cmocka_unit_test(test_fragments_need_a_mode_that_is_cut)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
