/*
 * scantrace compare: read a trace and tshark's dissection of a capture,
 * align them, and report. With a run directory the report.json is also
 * written into it (atomically: a temporary file renamed over the old one),
 * so an earlier report is never left half-written.
 */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "util.h"
#include "report.h"
#include "dissect.h"

static const char compare_usage[] =
    "usage: scantrace compare [options] RUNDIR\n"
    "       scantrace compare [options] TRACE CAPTURE\n"
    "\n"
    "Aligns every SENT/RCVD line of a trace (scantrace's trace.log or nmap's\n"
    "--packet-trace output, any -d level) with Wireshark's dissection of the capture,\n"
    "and reports per mode and host the probes, the replies and every packet one\n"
    "side has and the other lacks, with the reason (os-rst, os-arp, late-reply...).\n"
    "\n"
    "  -f, --format F   text (default), json, junit or markdown\n"
    "  -o, --output F   write the report to F instead of standard output\n"
    "      --no-write   with RUNDIR: do not write RUNDIR/report.json\n"
    "      --dissector D  libwireshark (in process; the default when built with it)\n"
    "                   or tshark (a tshark child process)\n"
    "\n"
    "RUNDIR holds trace.log and capture.pcapng (and run.json, whose capture drop\n"
    "counts are used); compare writes RUNDIR/report.json. tshark is found on PATH\n"
    "or as $SCANTRACE_TSHARK.\n"
    "Exit: 0 consistent, 1 discrepancies, 2 bad usage or unreadable input,\n"
    "3 environment (tshark missing or failing).\n";

enum dissector { DISSECT_DEFAULT, DISSECT_TSHARK, DISSECT_LIBWIRESHARK };

struct opts {
    enum st_format format;
    enum dissector dissector;
    const char *output;
    bool no_write;
    char trace[4096], capture[4096], rundir[4096];
};

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"no-write", no_argument, NULL, 'n'},     {"dissector", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int ch;

    memset(o, 0, sizeof *o);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!strcmp(optarg, "text"))
                o->format = ST_FMT_TEXT;
            else if (!strcmp(optarg, "json"))
                o->format = ST_FMT_JSON;
            else if (!strcmp(optarg, "junit"))
                o->format = ST_FMT_JUNIT;
            else if (!strcmp(optarg, "markdown") || !strcmp(optarg, "md"))
                o->format = ST_FMT_MARKDOWN;
            else {
                fprintf(stderr,
                        "scantrace compare: --format: text, json, junit or markdown, "
                        "not '%s'\n",
                        optarg);
                return ST_EXIT_USAGE;
            }
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'n':
            o->no_write = true;
            break;
        case 'D':
            if (!strcmp(optarg, "tshark"))
                o->dissector = DISSECT_TSHARK;
            else if (!strcmp(optarg, "libwireshark"))
                o->dissector = DISSECT_LIBWIRESHARK;
            else {
                fprintf(stderr,
                        "scantrace compare: --dissector: libwireshark or tshark, not '%s'\n",
                        optarg);
                return ST_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(compare_usage, stdout);
            return -1;
        default:
            fputs(compare_usage, stderr);
            return ST_EXIT_USAGE;
        }
    }
    int rest = argc - optind;
    struct stat sb;
    if (rest == 1 && stat(argv[optind], &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(o->rundir, sizeof o->rundir, "%s", argv[optind]);
        snprintf(o->trace, sizeof o->trace, "%s/trace.log", argv[optind]);
        snprintf(o->capture, sizeof o->capture, "%s/capture.pcapng", argv[optind]);
        return 0;
    }
    if (rest == 1) {
        fprintf(stderr, "scantrace compare: %s: %s\n", argv[optind],
                errno == ENOENT ? "no such run directory" : "not a run directory");
        return ST_EXIT_USAGE;
    }
    if (rest != 2) {
        fputs(compare_usage, stderr);
        return ST_EXIT_USAGE;
    }
    snprintf(o->trace, sizeof o->trace, "%s", argv[optind]);
    snprintf(o->capture, sizeof o->capture, "%s", argv[optind + 1]);
    return 0;
}

/*
 * A report file is written whole or not at all: into a temporary file next
 * to it, renamed over it once complete, with SIGINT/SIGTERM held off so a
 * Ctrl-C cannot leave the temporary behind (it acts right after). On
 * failure the earlier file, if any, is still there and the error names it.
 */
struct atomic_out {
    char path[4200], tmp[4300];
    FILE *f;
    sigset_t old;
};

static FILE *atomic_open(struct atomic_out *a, const char *path)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop, &a->old);
    snprintf(a->path, sizeof a->path, "%s", path);
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.%ld.tmp", dirlen, path, slash ? slash + 1 : path,
             (long)getpid());
    a->f = fopen(a->tmp, "w");
    if (!a->f) {
        fprintf(stderr, "scantrace compare: %s: %s\n", a->path, strerror(errno));
        sigprocmask(SIG_SETMASK, &a->old, NULL);
    }
    return a->f;
}

static int atomic_close(struct atomic_out *a)
{
    int rc = 0;
    if (fflush(a->f) || ferror(a->f) || fsync(fileno(a->f))) {
        fprintf(stderr, "scantrace compare: %s: %s\n", a->path, strerror(errno ? errno : EIO));
        rc = ST_EXIT_ENVIRONMENT;
    }
    if (fclose(a->f) && !rc) {
        fprintf(stderr, "scantrace compare: %s: %s\n", a->path, strerror(errno));
        rc = ST_EXIT_ENVIRONMENT;
    }
    if (!rc && rename(a->tmp, a->path)) {
        fprintf(stderr, "scantrace compare: %s: %s\n", a->path, strerror(errno));
        rc = ST_EXIT_ENVIRONMENT;
    }
    if (rc)
        unlink(a->tmp);
    sigprocmask(SIG_SETMASK, &a->old, NULL);
    return rc;
}

static int write_report_json(const struct opts *o, json_object *doc)
{
    char path[4200];
    struct atomic_out a;
    snprintf(path, sizeof path, "%s/report.json", o->rundir);
    if (!atomic_open(&a, path))
        return ST_EXIT_ENVIRONMENT;
    fputs(json_object_to_json_string_ext(doc,
                                         JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE),
          a.f);
    fputc('\n', a.f);
    return atomic_close(&a);
}

/* -o FILE: atomically when FILE is (or will be) a regular file; a device or
 * a pipe is written in place. */
static bool replaceable(const char *path)
{
    struct stat sb;
    return stat(path, &sb) != 0 ? errno == ENOENT : S_ISREG(sb.st_mode);
}

static int render(const struct opts *o, const struct st_comparison *c, json_object *doc)
{
    FILE *out = stdout;
    struct atomic_out a;
    bool atomic = o->output && replaceable(o->output);
    if (atomic && !(out = atomic_open(&a, o->output)))
        return ST_EXIT_ENVIRONMENT;
    if (o->output && !atomic && !(out = fopen(o->output, "w"))) {
        fprintf(stderr, "scantrace compare: %s: %s\n", o->output, strerror(errno));
        return ST_EXIT_ENVIRONMENT;
    }
    switch (o->format) {
    case ST_FMT_TEXT: {
        bool color = !o->output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
        st_report_text(c, out, color);
        break;
    }
    case ST_FMT_JSON:
        fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE),
              out);
        fputc('\n', out);
        break;
    case ST_FMT_JUNIT:
        st_report_junit(c, out);
        break;
    case ST_FMT_MARKDOWN:
        st_report_markdown(c, out);
        break;
    }
    if (atomic)
        return atomic_close(&a);
    bool bad = fflush(out) != 0 || ferror(out);
    if (out != stdout)
        bad |= fclose(out) != 0;
    if (bad) {
        fprintf(stderr, "scantrace compare: %s: %s\n", o->output ? o->output : "standard output",
                strerror(errno ? errno : EIO));
        return ST_EXIT_ENVIRONMENT;
    }
    return 0;
}

int st_cmd_compare(int argc, char **argv)
{
    struct opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? ST_EXIT_OK : rc;

    struct st_loaded l;
    enum st_dissector_choice dis = o.dissector == DISSECT_TSHARK         ? ST_DISSECT_TSHARK
                                   : o.dissector == DISSECT_LIBWIRESHARK ? ST_DISSECT_LIBWIRESHARK
                                                                         : ST_DISSECT_DEFAULT;
    rc = st_compare_load("scantrace compare", o.trace, o.capture, o.rundir[0] ? o.rundir : NULL,
                         dis, &l);
    if (rc)
        return rc;
    const struct st_comparison *cp = &l.c;
    /* the JSON document only when something is made of it: for a million
     * frames it is gigabytes of json-c objects */
    bool want_doc = o.format == ST_FMT_JSON || (o.rundir[0] && !o.no_write);
    json_object *doc = want_doc ? st_report_json(cp) : NULL;
    rc = render(&o, cp, doc);
    if (!rc && o.rundir[0] && !o.no_write)
        rc = write_report_json(&o, doc);
    json_object_put(doc);
    st_timing_mark("report");
    if (!rc)
        rc = cp->discrepancies || l.trace.malformed ? ST_EXIT_DIFFERENT : ST_EXIT_OK;
    st_loaded_free(&l);
    st_timing_mark("free");
    return rc;
}
