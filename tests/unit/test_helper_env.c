/*
 * The libwireshark master's environment (st_dissect_helper_env): huge pages
 * asked of glibc's malloc, a user's own tunables kept, their own hugetlb
 * setting winning, every other variable passed as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect.h"
#include "rows.h"

struct row {
    const char *name;
    const char *env[5];  /* NULL-terminated */
    const char *want[3]; /* the GLIBC_TUNABLES entries, in order, NULL-terminated */
};

static const struct row rows[] = {
    {"none set", {"HOME=/root", "PATH=/bin", NULL}, {"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
    {"empty environment", {NULL}, {"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
    {"the user's own kept, ours after",
     {"A=1", "GLIBC_TUNABLES=glibc.malloc.arena_max=2", "B=2", NULL},
     {"GLIBC_TUNABLES=glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"}},
    {"set but empty", {"GLIBC_TUNABLES=", NULL}, {"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
    {"the user's hugetlb wins",
     {"GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "A=1", NULL},
     {"GLIBC_TUNABLES=glibc.malloc.hugetlb=0"}},
    {"a name that only starts alike is another variable",
     {"GLIBC_TUNABLESX=1", NULL},
     {"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}},
    {"two entries: both kept, ours after the last",
     {"GLIBC_TUNABLES=glibc.malloc.arena_max=2", "GLIBC_TUNABLES=glibc.malloc.tcache_count=0",
      NULL},
     {"GLIBC_TUNABLES=glibc.malloc.arena_max=2",
      "GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=1"}},
    {"two entries, the user's hugetlb in the first: neither changed",
     {"GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "GLIBC_TUNABLES=glibc.malloc.arena_max=2", NULL},
     {"GLIBC_TUNABLES=glibc.malloc.hugetlb=0", "GLIBC_TUNABLES=glibc.malloc.arena_max=2"}},
};

static void check_row(const struct row *w)
{
    char **env = st_dissect_helper_env((char *const *)(uintptr_t)w->env);
    if (!env) {
        st_row_fail("%s: no environment", w->name);
        return;
    }
    size_t tunables = 0, others = 0, want_others = 0, want_tunables = 0;
    for (size_t i = 0; w->env[i]; i++)
        want_others += strncmp(w->env[i], "GLIBC_TUNABLES=", 15) != 0;
    while (want_tunables < 3 && w->want[want_tunables])
        want_tunables++;
    for (size_t i = 0; env[i]; i++) {
        if (!strncmp(env[i], "GLIBC_TUNABLES=", 15)) {
            const char *want = tunables < want_tunables ? w->want[tunables] : "(none)";
            if (strcmp(env[i], want))
                st_row_fail("%s: %s, want %s", w->name, env[i], want);
            tunables++;
            continue;
        }
        bool found = false; /* each other entry is the caller's own string */
        for (size_t k = 0; w->env[k] && !found; k++)
            found = env[i] == w->env[k];
        others += found;
    }
    if (tunables != want_tunables || others != want_others)
        st_row_fail("%s: %zu GLIBC_TUNABLES of %zu, %zu of %zu others", w->name, tunables,
                    want_tunables, others, want_others);
    free(env);
}

static void test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_row(&rows[i]);
    st_rows_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
