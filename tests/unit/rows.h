/*
 * What the table-driven tests share (test_rules.c, test_causes.c): rows
 * written as nmap --packet-trace lines, and a failing row named before the
 * test fails, so that one run lists every broken rule.
 */
#ifndef ST_TEST_ROWS_H
#define ST_TEST_ROWS_H

#include "compare.h"
#include "packet.h"

/* Parse a row's line; a line that does not parse fails the test at once. */
void st_row_parse(const char *row, const char *line, struct st_pkt *p);

/* Name a failing row (printf-style) and go on with the next one. */
void st_row_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* At the end of a table: fail the test if any row failed. */
void st_rows_done(void);

/* Read a trace from its text; 0, or -1 with err filled. */
int st_row_trace(const char *text, struct st_trace *t, char *err, size_t errsz);

#endif
