/*
 * One run's lifecycle, the same for `scan` and `record`, so that both leave
 * the same run directory behind and say the same things about it:
 *
 *   st_run_prepare()        signals become events (signals.h), the run
 *                           directory is made ready (created, or refused when
 *                           not empty), trace.log is opened
 *   st_run_capture_begin()  the capture starts, on a thread, while the caller
 *                           opens its own handles (each packet ring costs an
 *                           RCU grace period: the two overlap)
 *   st_run_begin()          the capture is live; run.json is written with
 *                           "status": "running", so even a run killed
 *                           outright says what it was
 *   ... the scan, or the command ...
 *   st_run_linger_begin()   late replies: the capture lingers while the
 *   or st_run_linger()      caller works, or the caller waits for them
 *   st_run_stop()           the capture stopped, trace.log closed
 *   st_run_end()            run.json again, with the final status
 *
 * or, when the run could not start (nothing was sent, no command ran),
 * st_run_abandon(): its files are removed, and the directory if the run made
 * it. Both end through the same release of everything the run holds.
 *
 * run.json's "status" is "running" until the end, then one of
 *   "done"         the run went to its end (for record, the command ran,
 *                  whatever its exit status: that is in "command")
 *   "interrupted"  SIGINT, SIGTERM or SIGHUP stopped it ("interrupted" names
 *                  the signal; the files are complete up to there)
 *   "failed"       the scan failed, or trace.log or capture.pcapng could not
 *                  be written completely
 * Runs written before this vocabulary said "finished" for record's "done".
 * A run.json still "running" belongs to a run killed outright, or to one
 * whose last run.json could not be written.
 *
 * The exit code follows the status: 3 (ST_EXIT_ENVIRONMENT) failed, 128+N
 * interrupted by signal N, 0 done (record then exits with the command's).
 */
#ifndef ST_LIFECYCLE_H
#define ST_LIFECYCLE_H

#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "privdrop.h"
#include "scan_hosts.h"

#define ST_RUN_TRACE   "trace.log"
#define ST_RUN_STDERR  "stderr.log" /* record: the command's standard error */
#define ST_RUN_CAPTURE "capture.pcapng"
#define ST_RUN_JSON    "run.json"

struct st_run_opts {
    const char *me;         /* "scantrace scan": starts every message */
    const char *subcommand; /* run.json "subcommand" */
    int argc;               /* the command line from the subcommand's name on */
    char **argv;
    const char *dir; /* the run directory */
    bool force;      /* write into a non-empty one */
};

/* trace.log's stdio stream writes through this, which keeps the first write
 * error: one that fails inside a buffered fprintf in the middle of a scan is
 * still reported with its cause (ENOSPC, EDQUOT...), not a bare ferror(). */
struct st_run_sink {
    int fd;
    int err;
};

/* Lives where st_run_prepare() put it until the end (trace.log's stream
 * points into it). The caller reads the fields up to `err`; the rest is the
 * lifecycle's. */
struct st_run {
    const char *me, *dir;
    json_object *json;           /* run.json as it will be written: add members */
    FILE *trace;                 /* trace.log, until st_run_stop() */
    struct st_capture *cap;      /* after st_run_begin(); NULL without a capture */
    int sig_fd;                  /* the signal pipe: poll it with the other descriptors */
    volatile sig_atomic_t *stop; /* the first stop signal, or 0 (for a loop's tick) */
    int64_t start_ns, end_ns;    /* wall clock; end_ns from st_run_stop() */
    bool begun;                  /* st_run_begin() was called */
    int begin_rc;                /* and failed with this exit code (reason in err) */
    char err[512];

    bool created; /* the directory did not exist */
    int dirfd;    /* from st_run_begin(): run.json is replaced through it after a drop */
    struct st_run_sink sink;
    char trace_path[4096], capture_path[4096];
    struct st_capture_opts co;
    pthread_t capture_thread;
    bool capture_begun, capture_threaded;
    enum st_capture_err capture_rc;
    char capture_err[512];
    bool stopped, capture_bad;
    int trace_errno; /* trace.log was not written completely */
    unsigned stops;  /* stop signals read from the pipe */
};

/*
 * Ready the run in `r`: 0, or an exit code with its one line on stderr
 * (2 a non-empty or too long RUNDIR, 3 one that cannot be made or written);
 * nothing is left behind then.
 */
int st_run_prepare(struct st_run *r, const struct st_run_opts *o);

/* Start capturing co's interfaces into capture.pcapng (co's path and
 * log_prefix are the run's; its names must live until st_run_begin()). */
void st_run_capture_begin(struct st_run *r, const struct st_capture_opts *co);

/*
 * Wait for the capture to be live, make the directory `drop`'s user's (when
 * root is about to be dropped; NULL: no drop) and write the first run.json.
 * 0, or an exit code with the reason in r->err (then abandon the run).
 * Further calls return the same.
 */
int st_run_begin(struct st_run *r, const struct st_privdrop *drop);

/* The signal that interrupted the run (SIGINT, SIGTERM, SIGHUP), or 0. */
int st_run_interrupted(const struct st_run *r);

/*
 * The next stop signal read from the pipe, or 0 when none is waiting (a
 * SIGCHLD only wakes the loop up). *from_kernel: the terminal's Ctrl-C,
 * which reached the whole process group, not a kill(2) to us alone;
 * *again: not the first one.
 */
int st_run_next_signal(struct st_run *r, bool *from_kernel, bool *again);

/* Let the capture linger `linger_ns` for late replies (none once
 * interrupted), ending sooner after `idle_ns` of quiet, while the caller
 * goes on; st_run_stop() waits for it. */
void st_run_linger_begin(struct st_run *r, int64_t linger_ns, int64_t idle_ns);

/* Wait here `linger_ns` while the capture runs; a stop signal cuts it short. */
void st_run_linger(struct st_run *r, int64_t linger_ns);

/* Stop the capture, close trace.log and take the end time. */
void st_run_stop(struct st_run *r);

/*
 * Write the last run.json: the capture's counts, end_time_ns, "status" and
 * "interrupted", and `hosts` as its "hosts" (NULL: the array as it is).
 * `failed`: the run itself failed. Reports each incomplete file on stderr,
 * releases everything, and returns the exit code (see above).
 */
int st_run_end(struct st_run *r, bool failed, const struct st_host_table *hosts);

/* Undo a run that could not start; returns rc. */
int st_run_abandon(struct st_run *r, int rc);

#endif
