/*
 * The inputs of a comparison, read and aligned: what compare, report and
 * explain all start from.
 */
#ifndef ST_COMPARE_LOAD_H
#define ST_COMPARE_LOAD_H

#include "claims.h"
#include "comparison.h"
#include "wire_side.h"

struct st_loaded {
    struct st_trace trace;
    struct st_dissection cap;
    struct st_comparison c;
    struct st_scanner_cmd scanner; /* a run without a packet trace: its command line */
    struct st_claims claims;       /* what the scanner printed */
    uint32_t *shard_others;        /* a shard's run: the sweep's other addresses (shard_side.h) */
    char trace_path[4200], capture_path[4200], rundir[4096];
    char failed_why[96]; /* a run built from the wire whose scanner failed: how */
    /* where its error went: record's stderr.log's last line, quoted, or
     * that the run directory kept none */
    char stderr_said[160];
    /* nmap --open (run.json's command, or an -oN header's): it lists only
     * the hosts with an open port */
    bool open_only;
};

/*
 * Read TRACE and dissect CAPTURE (with RUNDIR's run.json when RUNDIR is not
 * NULL), align and summarize. 0, or an exit code after one line on stderr
 * starting with `prog`.
 */
int st_compare_load(const char *prog, const char *trace, const char *capture, const char *rundir,
                    enum st_dissector_choice dissector, struct st_loaded *l);

/*
 * The same with the capture's dissection started by the caller
 * (st_dissect_start), finished or cancelled here. A command starts it
 * before it checks a run directory (run.json's parse): the dissection's
 * start (libwireshark registering every dissector) runs meanwhile.
 */
int st_compare_load_started(const char *prog, const char *trace, const char *capture,
                            const char *rundir, struct st_dissect_job *job, struct st_loaded *l);

/*
 * Read the scanner's claims from `path` (source: how the report names it,
 * "stdout" for trace.log) and judge them against the loaded comparison. 0, or
 * an exit code after one line on stderr starting with `prog`.
 */
int st_loaded_claims(const char *prog, struct st_loaded *l, const char *path, const char *source);

void st_loaded_free(struct st_loaded *l);

#endif
