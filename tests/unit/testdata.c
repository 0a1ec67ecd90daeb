#include "testdata.h"

#include <stdio.h>
#include <stdlib.h>

static const char *root = ".";

void st_test_init(int argc, char **argv)
{
    const char *env = getenv("SCANTRACE_SRC");
    if (argc > 1)
        root = argv[1];
    else if (env)
        root = env;
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
