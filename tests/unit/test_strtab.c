/*
 * st_strtab: a name added twice gets one index, every index reads back its
 * name, "" and NULL are index 0, and the table keeps that through its
 * rehashes (thousands of names, and names that differ only at the end).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

static void test_empty(void **state)
{
    (void)state;
    struct st_strtab t = {0};
    assert_string_equal(st_strtab_get(&t, 0), "");
    assert_string_equal(st_strtab_get(&t, 7), "");
    assert_int_equal(st_strtab_add(&t, NULL), 0);
    assert_int_equal(st_strtab_add(&t, ""), 0);
    st_strtab_free(&t);
}

/* rows of (name, the index it must get): first additions count up from 1,
 * repeats get their first index back */
static void test_rows(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint32_t want;
    } rows[] = {
        {"echo-reply", 1}, {"-PE", 2},         {"echo-reply", 1}, {"", 0},
        {"reset", 3},      {"-PE -PP -PR", 4}, {"-PE", 2},        {"reset", 3},
        {"Reset", 5},      {"reset ", 6},      {NULL, 0},         {"-PE -PP -PR", 4},
    };
    struct st_strtab t = {0};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint32_t got = st_strtab_add(&t, rows[i].name);
        if (got != rows[i].want)
            fail_msg("row %zu (%s): index %u, want %u", i, rows[i].name ? rows[i].name : "NULL",
                     got, rows[i].want);
        assert_string_equal(st_strtab_get(&t, got), rows[i].name ? rows[i].name : "");
    }
    st_strtab_free(&t);
}

/* many names: every one keeps its index through the table's growth */
static void test_many(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct st_strtab t = {0};
    char name[32];
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            snprintf(name, sizeof name, "mode-%u", i);
            uint32_t got = st_strtab_add(&t, name);
            if (got != i + 1)
                fail_msg("round %d, %s: index %u, want %u", round, name, got, i + 1);
        }
    assert_int_equal(t.n, N + 1);
    for (uint32_t i = 0; i < N; i++) {
        snprintf(name, sizeof name, "mode-%u", i);
        assert_string_equal(st_strtab_get(&t, i + 1), name);
    }
    st_strtab_free(&t);
    assert_int_equal(t.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
