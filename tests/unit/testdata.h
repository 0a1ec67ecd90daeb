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

#endif
