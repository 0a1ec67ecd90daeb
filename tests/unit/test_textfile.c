/*
 * Text files in the encodings users save them in, read as UTF-8: each row
 * is a file's bytes and what reading it gives. Then the same through a pipe
 * (a file that cannot be rewound, as `compare <(nmap ...)` gives).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

static const struct row {
    const char *name;
    const char *bytes;
    size_t len;
    const char *want;
} rows[] = {
    {"plain text", "SENT\n", 5, "SENT\n"},
    {"empty", "", 0, ""},
    {"one byte", "S", 1, "S"},
    {"UTF-8 with its mark", "\xef\xbb\xbfSENT\r\n", 9, "SENT\r\n"},
    {"UTF-8's mark alone", "\xef\xbb\xbf", 3, ""},
    {"not quite a mark: kept", "\xef\xbbX", 3, "\xef\xbbX"},
    {"UTF-16LE (PowerShell's >)", "\xff\xfeS\0E\0N\0T\0\r\0\n\0", 14, "SENT\r\n"},
    {"UTF-16BE", "\xfe\xff\0S\0E\0N\0T\0\n", 12, "SENT\n"},
    {"UTF-16LE: e acute, the euro, a surrogate pair", "\xff\xfe\xe9\0\xac\x20\x3d\xd8\x00\xde", 10,
     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"},
    {"UTF-16LE: a lone low surrogate is U+FFFD", "\xff\xfe\x00\xdcX\0", 6, "\xef\xbf\xbdX"},
    {"UTF-16LE: an odd last byte is dropped",
     "\xff\xfe"
     "A\0B",
     5, "A"},
};

static char *read_all(FILE *f)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    /* a small buffer: the reads stop inside a character */
    setvbuf(f, NULL, _IOFBF, 3);
    while ((got = fread(buf + n, 1, cap - 1 - n, f)) > 0)
        n += got;
    buf[n] = 0;
    return buf;
}

static void check(const struct row *r, const char *path)
{
    FILE *f = st_text_fopen(path);
    if (!f)
        fail_msg("%s: not opened", r->name);
    char *got = read_all(f);
    fclose(f);
    if (strcmp(got, r->want))
        fail_msg("%s: read \"%s\", want \"%s\"", r->name, got, r->want);
    free(got);
}

static void test_files(void **state)
{
    (void)state;
    char path[] = "/tmp/st-textfile-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(rows[i].bytes, 1, rows[i].len, f), rows[i].len);
        fclose(f);
        check(&rows[i], path);
    }
    unlink(path);
}

static void test_pipes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        /* every row is far smaller than a pipe's buffer */
        assert_int_equal(write(p[1], rows[i].bytes, rows[i].len), (ssize_t)rows[i].len);
        close(p[1]);
        char path[32];
        snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
        check(&rows[i], path);
        close(p[0]);
    }
}

static void test_missing(void **state)
{
    (void)state;
    assert_null(st_text_fopen("/nonexistent/trace.log"));
}

/* Lines of a log saved from a terminal, as the screen showed them. */
static void test_screen_lines(void **state)
{
    (void)state;
    static const struct {
        const char *name, *in, *want;
    } lines[] = {
        {"plain", "SENT (0.1s) ARP\n", "SENT (0.1s) ARP\n"},
        {"CRLF kept as it was", "Nmap done\r\n", "Nmap done\r\n"},
        {"no line end", "Nmap", "Nmap"},
        {"bash's bracketed paste off, then the first line (script(1))",
         "\x1b[?2004l\rStarting Nmap 7.93 ( https://nmap.org ) at 2026-12-06 11:41 UTC\r\n",
         "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-06 11:41 UTC\n"},
        {"a title (OSC, ended by BEL) and colours",
         "\x1b]0;root@vm: ~\a\x1b[1;32mHost is up\x1b[0m\n", "Host is up\n"},
        {"OSC ended by ESC \\", "\x1b]2;t\x1b\\198.18.3.2 is alive\n", "198.18.3.2 is alive\n"},
        {"a progress line rewritten, then erased", "Stats: 10%\r\x1b[KHost is up.\n",
         "Host is up.\n"},
        {"overwritten in part: the longer text's tail shows", "abcdef\rXY\n", "XYcdef\n"},
        {"hping3 rubs out its lookup with backspaces and blanks",
         "ICMP Port Unreachable from ip=198.18.3.2 get hostname..."
         "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b               "
         "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\bname=UNKNOWN\n",
         "ICMP Port Unreachable from ip=198.18.3.2 name=UNKNOWN   \n"},
        {"a backspace at the start", "\bX\n", "X\n"},
        {"a lone ESC at the end", "Nmap\x1b", "Nmap"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[256];
        size_t n = strlen(lines[i].in);
        memcpy(buf, lines[i].in, n + 1);
        size_t got = st_text_screen_line(buf, n);
        if (got != strlen(buf) || strcmp(buf, lines[i].want))
            fail_msg("%s: \"%s\" (%zu), want \"%s\"", lines[i].name, buf, got, lines[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_lines),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_pipes),
        cmocka_unit_test(test_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
