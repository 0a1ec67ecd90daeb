/*
 * The table-driven tests' helpers (rows.h).
 */
#include "rows.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static int failed_rows;

void st_row_parse(const char *row, const char *line, struct st_pkt *p)
{
    char err[128] = "";
    if (st_parse_line(line, p, err, sizeof err) != ST_PARSE_OK)
        fail_msg("%s: the row's line does not parse (%s): %s", row, err, line);
}

void st_row_fail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("%s\n", msg);
    failed_rows++;
}

void st_rows_done(void)
{
    int n = failed_rows;
    failed_rows = 0;
    if (n)
        fail_msg("%d row(s) failed", n);
}

int st_row_trace(const char *text, struct st_trace *t, char *err, size_t errsz)
{
    char path[] = "/tmp/st-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = st_trace_read(path, t, err, errsz);
    unlink(path);
    return rc;
}
