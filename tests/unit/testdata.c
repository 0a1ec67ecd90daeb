#include "testdata.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static const char *root = ".";

void st_test_init(int argc, char **argv)
{
    const char *env = getenv("SCANTRACE_SRC");
    if (argc > 1)
        root = argv[1];
    else if (env)
        root = env;
    /* one test of a binary, by hand: ST_TEST_FILTER=test_job_cancel */
    const char *filter = getenv("ST_TEST_FILTER");
    if (filter && *filter)
        cmocka_set_test_filter(filter);
}

const char *st_src_path(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", root, rel);
    return buf;
}

const char *st_test_path(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/tests/data/%s", root, name);
    return buf;
}
