/*
 * run.json, read back by compare: the capture's drop count ("capture":
 * {"dropped"}) and scan's verdicts ("hosts"). Separate from the command so
 * that it can be tested and fuzzed on its own.
 */
#ifndef ST_RUN_READ_H
#define ST_RUN_READ_H

#include <json-c/json.h>

#include "comparison.h"

/*
 * Take the drop count into c and the verdicts into t. 0, or -1 with a
 * one-line reason in why (a host without an IPv4 "host" or a "verdict" up
 * or down). Members of the wrong type are ignored.
 */
int st_run_read(json_object *run, struct st_comparison *c, struct st_trace *t, char *why,
                size_t whysz);

#endif
