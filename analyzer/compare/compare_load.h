/*
 * The inputs of a comparison, read and aligned: what compare, report and
 * explain all start from.
 */
#ifndef ST_COMPARE_LOAD_H
#define ST_COMPARE_LOAD_H

#include "comparison.h"

/* Which dissector reads the capture. */
enum st_dissector_choice {
    ST_DISSECT_DEFAULT = 0, /* libwireshark when built with it, else tshark */
    ST_DISSECT_TSHARK,
    ST_DISSECT_LIBWIRESHARK,
};

struct st_loaded {
    struct st_trace trace;
    struct st_dissection cap;
    struct st_comparison c;
    char trace_path[4200], capture_path[4200], rundir[4096];
};

/*
 * Read TRACE and dissect CAPTURE (with RUNDIR's run.json when RUNDIR is not
 * NULL), align and summarize. 0, or an exit code after one line on stderr
 * starting with `prog`.
 */
int st_compare_load(const char *prog, const char *trace, const char *capture, const char *rundir,
                    enum st_dissector_choice dissector, struct st_loaded *l);

/* The same from a run directory (trace.log, capture.pcapng, run.json). */
int st_compare_load_rundir(const char *prog, const char *rundir, struct st_loaded *l);

void st_loaded_free(struct st_loaded *l);

#endif
