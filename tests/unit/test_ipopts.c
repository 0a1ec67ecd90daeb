/*
 * IPv4 options in nmap's words, as a table: each row is option bytes and the
 * text nmap 7.93's option walk gives them (libnetutil's format_ip_options,
 * read rule by rule: the pointer's '#', a pointer off the grid shown as
 * "[bad ptr=NN]" and the bytes it skips, a dump of what does not fit). Every
 * row must format to its text, and the text must read back into bytes that
 * format the same (the same bytes, but where the text cannot tell: flags 1
 * and 3 of a timestamp print alike).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "packet.h"
#include "util.h"

struct row {
    const char *name;
    uint8_t bytes[ST_MAX_IPOPT];
    size_t n;
    const char *text;
    bool same_bytes; /* the text names every byte */
};

static const struct row rows[] = {
    {"record route, pointer at the first slot", {7, 7, 4, 1, 2, 3, 4}, 7, " RR{#1.2.3.4}", true},
    {"record route, full", {7, 7, 8, 1, 2, 3, 4}, 7, " RR{ 1.2.3.4#}", true},
    {"record route, pointer off the grid",
     {7, 7, 5, 1, 2, 3, 4},
     7,
     " RR{ [bad ptr=05]\\x01\\x02\\x03\\x04}",
     true},
    {"record route, no room for the pointer", {7, 2}, 2, " RR{}", true},
    {"nmap -R: NOP and 9 empty slots",
     {1, 7, 39, 4},
     40,
     " NOP RR{#0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0}",
     true},
    {"loose source route",
     {131, 11, 4, 10, 0, 0, 1, 10, 0, 0, 2},
     11,
     " LSRR{#10.0.0.1 10.0.0.2}",
     true},
    {"strict source route, second hop",
     {137, 11, 8, 10, 0, 0, 1, 10, 0, 0, 2},
     11,
     " SSRR{ 10.0.0.1#10.0.0.2}",
     true},
    {"timestamps only",
     {68, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 2},
     12,
     " TM{[0 hosts not recorded]#1 2 }",
     true},
    {"timestamps full, one overflow",
     {68, 12, 13, 0x10, 0, 0, 0, 1, 0, 0, 0, 2},
     12,
     " TM{[1 hosts not recorded] 1 2#}",
     true},
    {"timestamps with addresses",
     {68, 12, 5, 1, 1, 2, 3, 4, 0, 0, 0, 9},
     12,
     " TM{[0 hosts not recorded]#1.2.3.4@9 }",
     true},
    {"timestamps of prespecified addresses (flags 3)",
     {68, 12, 5, 3, 1, 2, 3, 4, 0, 0, 0, 9},
     12,
     " TM{[0 hosts not recorded]#1.2.3.4@9 }",
     false},
    {"timestamps, bad flags",
     {68, 8, 5, 2, 0, 0, 0, 7},
     8,
     " TM{ [bad flags=\\x2][0 hosts not recorded]\\x00\\x00\\x00\\x07}",
     true},
    {"timestamp, the pointer alone (no flags byte)", {68, 3, 0}, 3, " TM{ [bad ptr=00]}", true},
    {"timestamp, no room for the pointer", {68, 2}, 2, " TM{}", true},
    {"stream id", {136, 4, 0x12, 0x34}, 4, " SI{id=4660}", true},
    {"an option nmap does not know", {0x99, 4, 0xaa, 0xbb}, 4, " ??{\\x99\\x04\\xaa\\xbb}", true},
    {"a kind without its length", {1, 0x44}, 2, " NOP\\x44}", true},
    {"end of list, repeated", {0, 0, 0, 0}, 4, " EOL EOL EOL EOL", true},
    {"raw NOPs (--ip-options \\x01\\x01\\x01\\x01)", {1, 1, 1, 1}, 4, " NOP NOP NOP NOP", true},
};

static void format(const uint8_t *b, size_t n, char *out, size_t size)
{
    struct st_sb sb;
    st_sb_init(&sb, out, size);
    st_ipopts_format(&sb, b, n);
}

static void test_rows(void **state)
{
    (void)state;
    unsigned bad = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        char text[300], in[320], again[300];
        format(r->bytes, r->n, text, sizeof text);
        if (strcmp(text, r->text)) {
            print_error("%s: formats as [%s], nmap: [%s]\n", r->name, text, r->text);
            bad++;
            continue;
        }
        uint8_t back[ST_MAX_IPOPT], n = 0;
        snprintf(in, sizeof in, "%s} seq=1", r->text);
        size_t used = st_ipopts_parse(in, strlen(in), back, &n);
        if (used != strlen(r->text) + 1) {
            print_error("%s: read back %zu of %zu characters\n", r->name, used,
                        strlen(r->text) + 1);
            bad++;
            continue;
        }
        format(back, n, again, sizeof again);
        if (strcmp(again, r->text) || (r->same_bytes && (n != r->n || memcmp(back, r->bytes, n)))) {
            print_error("%s: read back as other bytes ([%s])\n", r->name, again);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* Text that is not nmap's is refused, not read approximately. */
static void test_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        " NOP RR{#0.0.0.0.0}}",             /* not an address */
        " RR{#1.2.3.4 }}",                  /* a mark after the last address is '#' or nothing */
        " XX{}}",                           /* no such option */
        " NOP NOP",                         /* unterminated */
        " TM{[0 hosts not recorded]#1 2}}", /* the last time ends in ' ' or '#' */
        "}",                                /* nothing */
        " LSRR{#\\4",                       /* a backslash that is no byte (it looped) */
        " RR{ 1.2.3.4\\q}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t b[ST_MAX_IPOPT], n = 0;
        if (st_ipopts_parse(bad[i], strlen(bad[i]), b, &n))
            print_error("accepted: [%s]\n", bad[i]);
        assert_int_equal(st_ipopts_parse(bad[i], strlen(bad[i]), b, &n), 0);
    }
}

/* xorshift64: the same lists on every run, so a failure is reproducible */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Option lists of every shape nmap's walk can meet (any kind, length,
 * pointer and flags, cut anywhere: what a reply's garbage options give),
 * mostly the bytes that steer the walk: each must read back from its text,
 * unless nmap's 255-character buffer cut the text. */
static void test_any_list_reads_back(void **state)
{
    (void)state;
    static const uint8_t steer[] = {0, 1, 7, 131, 137, 68, 136, 0x44, 0x99};
    uint64_t x = 88172645463325252ULL;
    unsigned bad = 0, read = 0;
    for (int i = 0; i < 60000; i++) {
        uint8_t b[ST_MAX_IPOPT];
        size_t n = 1 + next_random(&x) % ST_MAX_IPOPT;
        for (size_t k = 0; k < n; k++) {
            uint64_t r = next_random(&x);
            b[k] = (uint8_t)(r % 4 == 0   ? steer[(r >> 8) % sizeof steer]
                             : r % 4 == 1 ? (r >> 8) % 48
                             : r % 4 == 2 ? (r >> 8) % 16
                                          : r >> 8);
        }
        char text[320];
        struct st_sb sb;
        st_sb_init(&sb, text, sizeof text);
        bool whole = st_ipopts_format(&sb, b, n);
        st_sb_puts(&sb, "}");
        if (!whole)
            continue;
        uint8_t back[ST_MAX_IPOPT], len = 0;
        if (st_ipopts_parse(text, (size_t)sb.len, back, &len) != (size_t)sb.len) {
            if (bad++ < 10)
                print_error("not read back: [%s]\n", text);
            continue;
        }
        read++;
    }
    assert_int_equal(bad, 0);
    assert_true(read > 59000); /* cut texts are rare: the test reads what it made */
}

/* nmap's buffer holds 255 characters: a longer text is cut, and said so. */
static void test_cut_text(void **state)
{
    (void)state;
    uint8_t b[ST_MAX_IPOPT];
    for (int k = 0; k < ST_MAX_IPOPT; k += 4)
        memcpy(b + k, (uint8_t[]){68, 4, 0, 0xff}, 4); /* [bad ptr] [bad flags] each */
    char text[320];
    struct st_sb sb;
    st_sb_init(&sb, text, sizeof text);
    assert_false(st_ipopts_format(&sb, b, sizeof b));
    assert_int_equal(sb.len, 255);
    st_sb_init(&sb, text, sizeof text);
    assert_true(st_ipopts_format(&sb, b, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows), cmocka_unit_test(test_refused),
                                       cmocka_unit_test(test_any_list_reads_back),
                                       cmocka_unit_test(test_cut_text)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
