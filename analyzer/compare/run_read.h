/*
 * run.json, read back by compare: the capture's drop count ("capture":
 * {"dropped"}) and scan's verdicts ("hosts"). Separate from the command so
 * that it can be tested and fuzzed on its own.
 */
#ifndef ST_RUN_READ_H
#define ST_RUN_READ_H

#include <json-c/json.h>

#include "comparison.h"
#include "run.h"

/*
 * Take the drop count into c and the verdicts into t. 0, or -1 with a
 * one-line reason in why (a host without an IPv4 "host" or a "verdict" up
 * or down, a host that is not JSON). Members of the wrong type are ignored.
 */
int st_run_read(struct st_run_json *run, struct st_comparison *c, struct st_trace *t, char *why,
                size_t whysz);

/*
 * RUNDIR/run.json parsed, read once per process and kept until
 * st_run_json_forget(): the front door's checks, the verdicts and a shard's
 * peers all read it. Its members but the hosts' verdicts (runjson_read.h in the run subsystem: the
 * hosts are read one by one by st_run_json_read). Borrowed; NULL when there
 * is no run.json or it is not JSON (*why, when given: the reason and its
 * line, one line).
 */
json_object *st_run_json_doc(const char *rundir, const char **why);

/* Free the parse kept by st_run_json_doc(), and unmap the file. */
void st_run_json_forget(void);

/*
 * RUNDIR/run.json, when there is one: what it says of the capture into c
 * (its drop count, that scantrace made it), and scantrace's verdicts into
 * t. 1 read, 0 no run.json, -1 unreadable (a one-line reason in err).
 */
int st_run_json_read(const char *rundir, struct st_trace *t, struct st_comparison *c, char *err,
                     size_t errsz);

#endif
