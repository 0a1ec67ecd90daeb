/*
 * Where the tests find their data: the source tree's tests/data/ and
 * fixtures/, passed by meson as the first argument.
 */
#ifndef ST_TESTDATA_H
#define ST_TESTDATA_H

#include <stddef.h>

/* Remember the source root from argv[1] (or $SCANTRACE_SRC). */
void st_test_init(int argc, char **argv);

/* tests/data/<name> under the source root. */
const char *st_test_path(const char *name, char *buf, size_t size);

/* <root>/<rel> under the source root. */
const char *st_src_path(const char *rel, char *buf, size_t size);

/*
 * main() of a cmocka test program that reads the source tree:
 * ST_TEST_MAIN(cmocka_unit_test(a), cmocka_unit_test(b), ...).
 */
#define ST_TEST_MAIN(...)                                                                          \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        st_test_init(argc, argv);                                                                  \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
        return cmocka_run_group_tests(tests, NULL, NULL);                                          \
    }

#endif
