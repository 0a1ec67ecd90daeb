#include "compare_load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "dissect.h"
#include "groups.h"
#include "run_read.h"
#include "shard_side.h"
#include "wire_side.h"

/* On a terminal, a big comparison says what it is doing, on one line that
 * is cleared before anything else is written (the report may follow on the
 * same terminal). Small ones say nothing: they are done before it is read. */
#define PROGRESS_MIN_BYTES (4u << 20)
static const char *progress_prog; /* NULL: quiet */

static void phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void phase(const char *fmt, ...)
{
    if (!progress_prog)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\r\033[K%s: ", progress_prog);
    vfprintf(stderr, fmt, ap);
    fputs(" ...", stderr);
    fflush(stderr);
    va_end(ap);
}

/* Before an error line: the progress line goes, the error stays whole. */
static void progress_clear(void)
{
    if (progress_prog)
        fputs("\r\033[K", stderr);
}

static int load(const char *prog, const char *trace, const char *capture, const char *rundir,
                struct st_dissect_job *job, struct st_loaded *l);
static void unseen_targets(struct st_loaded *l);
static int read_trace_side(const char *prog, const char *trace, const char *capture,
                           const char *rundir, struct st_loaded *l);

int st_compare_load(const char *prog, const char *trace, const char *capture, const char *rundir,
                    enum st_dissector_choice dissector, struct st_loaded *l)
{
    return st_compare_load_started(prog, trace, capture, rundir,
                                   st_dissect_start(capture, dissector, NULL), l);
}

int st_compare_load_started(const char *prog, const char *trace, const char *capture,
                            const char *rundir, struct st_dissect_job *job, struct st_loaded *l)
{
    struct stat sb;
    bool big = stat(capture, &sb) == 0 && sb.st_size >= (off_t)PROGRESS_MIN_BYTES;
    progress_prog = big && isatty(STDERR_FILENO) ? prog : NULL;
    phase("reading %s", trace);
    int rc = load(prog, trace, capture, rundir, job, l);
    progress_clear();
    progress_prog = NULL;
    return rc;
}

static bool failed(const struct st_scanner_cmd *s, const struct st_trace *t);
static void stderr_said(struct st_loaded *l);

static int load(const char *prog, const char *trace, const char *capture, const char *rundir,
                struct st_dissect_job *job, struct st_loaded *l)
{
    char err[512];

    memset(l, 0, sizeof *l);
    st_timing_start();
    snprintf(l->trace_path, sizeof l->trace_path, "%s", trace);
    snprintf(l->capture_path, sizeof l->capture_path, "%s", capture);
    snprintf(l->rundir, sizeof l->rundir, "%s", rundir ? rundir : "");
    /* an error in the trace or run.json stops the dissection, and is said
     * first, as it was before the two ran at once */
    int rc = read_trace_side(prog, trace, capture, rundir, l);
    if (rc) {
        st_dissect_cancel(job);
        return rc;
    }
    struct stat sb;
    if (stat(capture, &sb) == 0)
        phase("dissecting %s (%.1f MB)", capture, (double)sb.st_size / 1e6);
    enum st_tshark_rc trc = st_dissect_finish(job, &l->cap, err, sizeof err);
    if (trc != ST_TSHARK_OK) {
        progress_clear(), fprintf(stderr, "%s: %s\n", prog, err);
        st_trace_free(&l->trace);
        st_scanner_cmd_free(&l->scanner);
        free(l->shard_others);
        l->shard_others = NULL;
        return trc == ST_TSHARK_ENVIRONMENT ? ST_EXIT_ENVIRONMENT : ST_EXIT_USAGE;
    }
#ifdef __GLIBC__
    /* the dissection's freed memory (Wireshark's per-frame and per-session
     * tables, the second half's thread arena) back to the system before the
     * alignment allocates its own: malloc keeps it otherwise (10M frames:
     * about 30 MB off the peak, measured) */
    malloc_trim(0);
#endif
    st_timing_mark("dissect");
    l->c.trace_path = l->trace_path;
    l->c.capture_path = l->capture_path;
    /* a capture without run.json (dumpcap's, tshark -w's) says itself what
     * it lost: its frames missing are the capture's, not the scanner's (a
     * count of 0 changes nothing, and reports stay as they were) */
    if (!l->c.dropped_known) {
        int64_t drops = st_capture_drops(capture);
        if (drops > 0) {
            l->c.capture_dropped = (uint64_t)drops;
            l->c.dropped_known = true;
        }
    }
    /* a pcapng taken with a capture filter says so: what it kept out is
     * not missing from the wire */
    if (!st_capture_filter(capture, l->c.capture_filter, sizeof l->c.capture_filter))
        l->c.capture_filter[0] = '\0';
    size_t nif = st_capture_ifaces(capture, l->c.cap_ifaces, ST_CAPTURE_IFACES_MAX);
    l->c.ncap_ifaces = nif <= ST_CAPTURE_IFACES_MAX ? nif : 0;
    bool from_wire = !l->trace.npkts && !l->trace.unsent;
    if (from_wire) {
        l->scanner.end_ns = l->c.scanner_end_ns;
        st_wire_side_build(&l->trace, &l->cap, &l->scanner);
    }
    phase("aligning %zu trace packets with %zu frames", l->trace.npkts, l->cap.n);
    l->c.from_wire = from_wire; /* the causes depend on it */
    l->c.no_trace_why = from_wire ? l->scanner.no_trace_why : NULL;
    /* nmap given --packet-trace, stopped before its block-buffered stdout
     * reached the file: the trace was lost, not left out */
    if (from_wire && !l->c.no_trace_why && !strcmp(l->scanner.name, "nmap") &&
        st_scanner_stopped(&l->scanner))
        l->c.no_trace_why = "nmap's packet trace was lost when it was stopped (it "
                            "block-buffers a stdout that is no terminal: record it with "
                            "stdbuf -oL to keep what it traced)";
    l->c.named_target = from_wire && l->scanner.named_target[0] ? l->scanner.named_target : NULL;
    if (from_wire && st_scanner_stopped(&l->scanner))
        snprintf(l->failed_why, sizeof l->failed_why, "the scanner was %s",
                 l->scanner.signal[0] ? "killed by a signal" : "stopped by timeout");
    else if (from_wire && failed(&l->scanner, &l->trace))
        snprintf(l->failed_why, sizeof l->failed_why, "the scanner failed (exit status %d)",
                 l->scanner.exit_status);
    l->c.failed_why = l->failed_why[0] ? l->failed_why : NULL;
    if (failed(&l->scanner, &l->trace))
        stderr_said(l);
    l->c.members_answer_group = from_wire && st_scanner_counts_members(l->scanner.name);
    st_compare_run(&l->c, &l->trace, &l->cap);
    st_timing_mark("align");
    st_compare_summarize(&l->c);
    unseen_targets(l);
    st_timing_mark("summarize");
    /* scantrace's own trace has its verdicts in run.json, not printed
     * claims; nping's counts replies, claiming no host up or down (a log
     * with nmap runs too has theirs) */
    if (st_trace_has_claims(&l->trace))
        return st_loaded_claims(prog, l, trace, "stdout");
    return 0;
}

/* A side built from a capture of chosen interfaces (record -i): the
 * targets no frame is about. The scanner was given them, and their probes
 * may have left by an interface not recorded: not checked, UNJUDGED (a
 * capture of every interface says they were never probed). */
static void unseen_targets(struct st_loaded *l)
{
    const struct st_scanner_cmd *s = &l->scanner;
    l->c.unseen_targets = 0;
    if (!l->c.from_wire || !l->c.capture_chosen || !s->targets_read || s->named_target[0])
        return;
    for (size_t i = 0; i < s->ntargets; i++) {
        uint32_t a = s->targets[i];
        if (st_compare_has_host(&l->c, a) || st_is_own_host(&l->c, a))
            continue;
        if (!l->c.unseen_targets++)
            l->c.unseen_target = a;
    }
}

/* The nmap command of an -oN/-oG header ("nmap -sn --packet-trace -oG -
 * ...": nmap writes its words joined by blanks) into s: 0, or -1. */
static int header_cmd(const char *as, struct st_scanner_cmd *s)
{
    char *copy = strdup(as), *save = NULL;
    const char **argv = calloc(strlen(as) / 2 + 3, sizeof *argv);
    if (!copy || !argv)
        abort();
    size_t n = 0;
    argv[n++] = "--"; /* as run.json's command line holds the recorded command */
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    int rc = st_scanner_cmd_parse(argv, n, s);
    free(argv);
    free(copy);
    return rc;
}

/* Why the nmap command of an -oN/-oG header printed no trace, or NULL. */
static const char *header_no_trace_why(const char *as)
{
    struct st_scanner_cmd s;
    const char *why = NULL;
    if (!header_cmd(as, &s) && !strcmp(s.name, "nmap"))
        why = s.no_trace_why; /* a string literal */
    st_scanner_cmd_free(&s);
    return why;
}

/* Whether the run's nmap command has --open: run.json's (a traced run's
 * command is read for nothing else), or the trace's -oN header's. */
static bool open_only(const struct st_loaded *l, const char *rundir, bool from_wire)
{
    if (from_wire)
        return l->scanner.open_only;
    struct st_scanner_cmd s;
    int rc = rundir             ? st_scanner_cmd_read(rundir, &s)
             : l->trace.nmap_as ? header_cmd(l->trace.nmap_as, &s)
                                : -1;
    if (rc)
        return false;
    bool open = s.open_only;
    st_scanner_cmd_free(&s);
    return open;
}

/* The trace, and run.json with a run directory: 0, or an exit code after
 * one line on stderr (nothing kept). */
static int read_trace_side(const char *prog, const char *trace, const char *capture,
                           const char *rundir, struct st_loaded *l)
{
    char err[512];
    if (st_trace_read(trace, &l->trace, err, sizeof err)) {
        progress_clear(), fprintf(stderr, "%s: %s\n", prog, err);
        return ST_EXIT_USAGE;
    }
    st_timing_mark("trace");
    if (!l->trace.npkts && l->trace.nwarnings) {
        /* say why the lines that look like packets were not read */
        progress_clear(), fprintf(stderr, "%s: %s:%u: no readable SENT/RCVD/CONN line (%s)\n", prog,
                                  trace, l->trace.warnings[0].line, l->trace.warnings[0].message);
        st_trace_free(&l->trace);
        st_scanner_cmd_free(&l->scanner);
        return ST_EXIT_USAGE;
    }
    /* a run of any other scanner: its side is built from the wire below */
    bool from_wire =
        !l->trace.npkts && !l->trace.unsent && rundir && !st_scanner_cmd_read(rundir, &l->scanner);
    /* (a trace of refused probes alone is a trace: what it tried is in it) */
    if (!l->trace.npkts && !l->trace.unsent && !from_wire && l->trace.nmap_as) {
        /* nmap's -oG - header names its command: why it printed no trace
         * (-oG - keeps it off stdout, --packet-trace given or not) */
        const char *why = header_no_trace_why(l->trace.nmap_as);
        if (why) {
            progress_clear(),
                fprintf(stderr, "%s: %s: no SENT/RCVD/CONN lines: %s (its header's command: %s)\n",
                        prog, trace, why, l->trace.nmap_as);
            st_trace_free(&l->trace);
            st_scanner_cmd_free(&l->scanner);
            return ST_EXIT_USAGE;
        }
    }
    if (!l->trace.npkts && !l->trace.unsent && !from_wire) {
        progress_clear(),
            fprintf(stderr,
                    "%s: %s: no SENT/RCVD/CONN lines: give nmap --packet-trace, or compare a "
                    "run directory (scantrace record -- COMMAND) for a scanner that traces "
                    "nothing (fping, zmap, masscan, hping3: its side is built from the "
                    "capture and its command)\n",
                    prog, trace);
        st_trace_free(&l->trace);
        st_scanner_cmd_free(&l->scanner);
        return ST_EXIT_USAGE;
    }
    l->open_only = open_only(l, rundir, from_wire);
    struct stat sb;
    if (stat(capture, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0) {
        /* both dissectors would read an empty file as a capture of no frames */
        progress_clear(), fprintf(stderr, "%s: %s: empty file, not a capture\n", prog, capture);
        st_trace_free(&l->trace);
        st_scanner_cmd_free(&l->scanner);
        return ST_EXIT_USAGE;
    }
    /* run.json's parse (made by the front door's check) is freed here,
     * before the alignment; the frames collected meanwhile add to it (a
     * /16 sweep's: a few MB) */
    if (rundir && st_run_json_read(rundir, &l->trace, &l->c, err, sizeof err) < 0) {
        st_run_json_forget();
        progress_clear(), fprintf(stderr, "%s: %s\n", prog, err);
        st_trace_free(&l->trace);
        st_scanner_cmd_free(&l->scanner);
        return ST_EXIT_USAGE;
    }
    if (rundir && st_shard_others(rundir, &l->shard_others, &l->c.nshard_others))
        l->c.shard_others = l->shard_others;
    st_run_json_forget();
    st_timing_mark("run");
    return 0;
}

/* Whether the scanner's exit status says it failed. fping's 1 is "some
 * host unreachable", a result, when it sent something: its usage errors
 * ("specify only one of a, u") exit 1 too. */
static bool failed(const struct st_scanner_cmd *s, const struct st_trace *t)
{
    if (s->exit_status != 1 || strcmp(s->name, "fping"))
        return s->exit_status > 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++)
        if (st_trace_pkt(t, i, &tmp)->dir == ST_DIR_SENT)
            return false;
    return true;
}

/* Where a failed scanner's error went, for the result: the last line of
 * record's stderr.log ("zmap: [FATAL] ..." is its last word), or that the
 * run directory has none (recorded before record kept stderr). */
static void stderr_said(struct st_loaded *l)
{
    char path[4200], last[112] = "";
    snprintf(path, sizeof path, "%s/%s", l->rundir, ST_RUN_STDERR);
    FILE *f = l->rundir[0] ? fopen(path, "re") : NULL;
    char *line = NULL;
    size_t sz = 0;
    ssize_t n;
    while (f && (n = getline(&line, &sz, f)) >= 0) {
        n = (ssize_t)st_text_screen_line(line, (size_t)n); /* progress lines' CR */
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (n > 0)
            snprintf(last, sizeof last, "%s%s", line, n >= (ssize_t)sizeof last ? "..." : "");
    }
    free(line);
    if (last[0])
        snprintf(l->stderr_said, sizeof l->stderr_said, "its stderr.log ends: \"%s\"", last);
    else if (f)
        snprintf(l->stderr_said, sizeof l->stderr_said, "its stderr.log is empty");
    else
        snprintf(l->stderr_said, sizeof l->stderr_said,
                 "its error went to stderr, which this run directory did not keep");
    if (f)
        fclose(f);
    l->c.stderr_said = l->stderr_said;
}

/* Why the scanner's stdout has no claim to read, when its command says. */
static void unread_why(struct st_claims *cl, const struct st_scanner_cmd *s, bool failed_run,
                       bool sent_none, const char *said)
{
    bool unknown = !strcmp(cl->format, "unknown");
    if (cl->unread) /* its reader said why (hping3 --flood) */
        return;
    if (s->to_file && unknown && !sent_none)
        cl->unread = "the scanner wrote its results to a file, not stdout (give it with --claims)";
    else if (s->by_name) {
        /* a name cannot be tied to an address: none of its lines is read */
        cl->unread = "fping printed hosts by name (targets given by name, -n or -d), not by "
                     "address (add -A)";
        snprintf(cl->format, sizeof cl->format, "unknown");
        cl->n = 0;
    } else if (s->count_mode && unknown && !cl->lines && !failed_run)
        cl->unread = "fping -c/-C/-l with -a, -u or -q print their results on stderr, which "
                     "this run directory did not keep (record it again, or save it, 2>FILE, "
                     "and give it with --claims)";
    else if (st_scanner_stopped(s) && !s->signal[0] && unknown) {
        snprintf(cl->unread_buf, sizeof cl->unread_buf,
                 "the scanner was stopped by timeout (exit status %d) before it printed a "
                 "result%s",
                 s->exit_status, cl->lines ? "; what it printed holds none" : "");
        cl->unread = cl->unread_buf;
    } else if (s->signal[0] && unknown && !cl->lines) {
        /* hping3 --scan aborts on a router's unreachable, say */
        snprintf(cl->unread_buf, sizeof cl->unread_buf,
                 "the scanner was killed by %s before it printed a result", s->signal);
        cl->unread = cl->unread_buf;
    } else if (failed_run && unknown) {
        /* zmap refusing its blacklist, masscan without an interface, nping
         * without its capture device after its banner: the reason went to
         * stderr, which record leaves on the terminal */
        snprintf(cl->unread_buf, sizeof cl->unread_buf,
                 "the scanner failed (exit status %d) before it printed a result (%s)%s",
                 s->exit_status, said, cl->lines ? "; what it printed holds none" : "");
        cl->unread = cl->unread_buf;
    } else if (s->quiet && !s->addr_list && unknown && !cl->lines)
        cl->unread = "fping -q prints no host, its exit status alone says if all answered "
                     "(add -a or -u)";
}

/* record's stderr.log of the run whose trace.log is read, when the scanner
 * prints claims there (fping's summaries, hping3's statistics) and the log
 * is one run (its stderr's lines cannot be told to a session's runs). */
static bool stderr_claims(const struct st_loaded *l, char *path, size_t size)
{
    char trace[4200];
    struct stat sb;
    if (!l->rundir[0] || !st_scanner_claims_on_stderr(l->scanner.name) || l->trace.nruns > 1)
        return false;
    snprintf(trace, sizeof trace, "%s/%s", l->rundir, ST_RUN_TRACE);
    snprintf(path, size, "%s/%s", l->rundir, ST_RUN_STDERR);
    return !strcmp(trace, l->trace_path) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
           sb.st_size > 0;
}

int st_loaded_claims(const char *prog, struct st_loaded *l, const char *path, const char *source)
{
    char err[512];
    const char *scanner = l->scanner.name[0] ? l->scanner.name : "nmap";
    st_claims_free(&l->claims);
    l->c.claims = NULL;
    struct st_claims_cmd cmd = {
        .scanner = scanner,
        .list_is_down = l->scanner.unreach_list,
        /* hping3 sends to one host, and its --scan output never names it */
        .sole_target = l->scanner.ntargets == 1 ? l->scanner.targets[0] : 0,
        .scan_ports = l->scanner.scan_ports,
        .open_only = l->open_only,
    };
    /* stopped before its end: what it did not print is no claim */
    char stopped[40] = "";
    if (!strcmp(source, "stdout") && st_scanner_stopped(&l->scanner)) {
        if (l->scanner.signal[0])
            snprintf(stopped, sizeof stopped, "killed by %s", l->scanner.signal);
        else
            snprintf(stopped, sizeof stopped, "stopped by timeout (exit status %d)",
                     l->scanner.exit_status);
        cmd.stopped = stopped;
    }
    /* a lab session's log: each run's claims are its pass's */
    if (!strcmp(source, "stdout") && l->trace.runs_are_passes) {
        cmd.run_line = l->trace.run_line;
        cmd.nruns = l->trace.nruns;
    }
    char also[4200];
    if (!strcmp(source, "stdout") && stderr_claims(l, also, sizeof also))
        cmd.also = also, cmd.also_name = ST_RUN_STDERR;
    if (st_claims_read(path, source, &cmd, &l->claims, err, sizeof err)) {
        progress_clear(), fprintf(stderr, "%s: %s\n", prog, err);
        st_loaded_free(l);
        return ST_EXIT_USAGE;
    }
    /* a scanner that prints its successes alone printed none: no claim */
    /* a scanner that failed claimed nothing by its silence */
    bool failed_run = failed(&l->scanner, &l->trace);
    /* (one that failed and sent nothing never wrote a file of results
     * either: masscan -oL FILE without an interface) */
    bool sent_none = failed_run && !l->trace.npkts;
    const char *silent = failed_run ? NULL : st_scanner_silent_format(&l->scanner);
    if (!strcmp(source, "stdout") && !l->claims.lines && silent)
        snprintf(l->claims.format, sizeof l->claims.format, "%s", silent);
    if (!strcmp(source, "stdout"))
        unread_why(&l->claims, &l->scanner, failed_run, sent_none, l->stderr_said);
    if (l->scanner.unreach_list && !strcmp(l->claims.format, "address-list"))
        st_claims_unlisted_up(&l->claims, &l->c);
    st_claims_judge(&l->claims, &l->c);
    st_claims_place_unprobed(&l->claims, &l->c);
    /* the statistics it printed against the wire (nping's are its trace's) */
    st_stated_counts_wire(&l->c, l->claims.counts, l->claims.ncounts, l->claims.scanner);
    l->c.claims = &l->claims;
    return 0;
}

void st_loaded_free(struct st_loaded *l)
{
    st_compare_free(&l->c);
    st_dissection_free(&l->cap);
    st_trace_free(&l->trace);
    st_scanner_cmd_free(&l->scanner);
    st_claims_free(&l->claims);
    free(l->shard_others);
}
