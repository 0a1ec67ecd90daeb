/*
 * Run a tool (tshark, capinfos...) as a child with an argument vector, no
 * shell, and collect its standard output.
 */
#ifndef ST_RUN_TOOL_H
#define ST_RUN_TOOL_H

#include <stdbool.h>
#include <stddef.h>

/* Whether `name` is an executable on PATH. */
bool st_test_have_tool(const char *name);

/*
 * Run argv[0] (looked up on PATH) with argv; its stdout goes into out (NUL-
 * terminated, cut at size-1), its stderr to ours. Returns its exit status,
 * or -1 if it could not run or was killed.
 */
int st_test_run(char *const argv[], char *out, size_t size);

#endif
