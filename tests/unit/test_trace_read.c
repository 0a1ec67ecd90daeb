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
    assert_string_equal(t.pkt_mode[0], "echo");
    st_trace_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_huge_times),
                                       cmocka_unit_test(test_times)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
