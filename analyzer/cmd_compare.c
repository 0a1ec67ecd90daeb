/*
 * scantrace compare: read a trace and tshark's dissection of a capture,
 * align them, and report. With a run directory the report.json is also
 * written into it. Files are written whole or not at all (st_report_write),
 * so an earlier report is never left half-written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
    "\n";
static const char compare_usage_rest[] =
    "      --no-write   with RUNDIR: do not write RUNDIR/report.json\n"
    "      --claims FILE  read the scanner's claims (hosts it said are up) from FILE\n"
    "                   instead of its stdout (trace.log)\n"
    "      --dissector D  libwireshark (in process; the default when built with it)\n"
    "                   or tshark (a tshark child process)\n"
    "      --color WHEN auto (text on a terminal, and NO_COLOR unset), always or never\n"
    "\n"
    "RUNDIR holds trace.log and capture.pcapng (and run.json, whose capture drop\n"
    "counts are used); compare writes RUNDIR/report.json. tshark is found on PATH\n"
    "or as $SCANTRACE_TSHARK. A run recorded without a packet trace (fping, zmap,\n"
    "masscan, hping3, nmap without --packet-trace) has its scanner side built from\n"
    "the capture, and its printed claims checked against what answered.\n"
    "Exit: 0 consistent, 1 discrepancies (or missed or unfounded claims), 2 bad usage or "
    "unreadable input,\n"
    "3 environment (tshark missing or failing).\n";

static void usage(FILE *out)
{
    fputs(compare_usage, out);
    st_report_options_usage(out, "text");
    fputs(compare_usage_rest, out);
}

enum dissector { DISSECT_DEFAULT, DISSECT_TSHARK, DISSECT_LIBWIRESHARK };

struct opts {
    const struct st_report_format *format;
    enum dissector dissector;
    const char *output;
    const char *claims; /* --claims FILE: the scanner's output, when not its stdout */
    bool no_write;
    enum st_color_when color;
    char trace[4096], capture[4096], rundir[4096];
};

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"no-write", no_argument, NULL, 'n'},     {"dissector", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},         {"claims", required_argument, NULL, 'C'},
        {"color", required_argument, NULL, 'L'},  {NULL, 0, NULL, 0},
    };
    int ch;

    memset(o, 0, sizeof *o);
    o->format = st_report_format("text");
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":f:o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!(o->format = st_report_format_arg("scantrace compare", optarg)))
                return ST_EXIT_USAGE;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'n':
            o->no_write = true;
            break;
        case 'C':
            o->claims = optarg;
            break;
        case 'L':
            if (!st_color_arg("compare", optarg, &o->color))
                return ST_EXIT_USAGE;
            break;
        case 'D':
            if (!strcmp(optarg, "tshark"))
                o->dissector = DISSECT_TSHARK;
            else if (!strcmp(optarg, "libwireshark"))
                o->dissector = DISSECT_LIBWIRESHARK;
            else {
                return st_cmd_usage_error("compare",
                                          "--dissector: libwireshark or tshark, not '%s'", optarg);
            }
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            return st_cmd_getopt_error("compare", ch, argv);
        }
    }
    int rest = argc - optind;
    struct stat sb;
    if (rest == 1 && stat(argv[optind], &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(o->rundir, sizeof o->rundir, "%s", argv[optind]);
        snprintf(o->trace, sizeof o->trace, "%s/trace.log", argv[optind]);
        snprintf(o->capture, sizeof o->capture, "%s/capture.pcapng", argv[optind]);
        return 0; /* checked by st_cmd_compare, the dissection started */
    }
    if (rest == 1) {
        fprintf(stderr, "scantrace compare: %s: %s\n", argv[optind],
                errno == ENOENT ? "no such run directory" : "not a run directory");
        return ST_EXIT_USAGE;
    }
    if (rest == 0)
        return st_cmd_usage_error("compare", "no run directory, or trace and capture");
    if (rest == 2 && stat(argv[optind], &sb) == 0 && S_ISDIR(sb.st_mode))
        return st_cmd_usage_error("compare",
                                  "too many arguments: a run directory comes alone, "
                                  "not with '%s'",
                                  argv[optind + 1]);
    if (rest > 2)
        return st_cmd_usage_error("compare",
                                  "too many arguments (a run directory, or a trace and a "
                                  "capture): '%s'",
                                  argv[optind + 2]);
    snprintf(o->trace, sizeof o->trace, "%s", argv[optind]);
    snprintf(o->capture, sizeof o->capture, "%s", argv[optind + 1]);
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
    /* the dissection first: it starts (libwireshark registering every
     * dissector: 0.35 s) while run.json is checked and the trace read */
    struct st_dissect_job *job = st_dissect_start(o.capture, dis, NULL);
    if (o.rundir[0] && (rc = st_cmd_check_rundir("compare", o.rundir))) {
        st_dissect_cancel(job);
        return rc;
    }
    rc = st_compare_load_started("scantrace compare", o.trace, o.capture,
                                 o.rundir[0] ? o.rundir : NULL, job, &l);
    if (rc)
        return rc;
    if (o.claims && (rc = st_loaded_claims("scantrace compare", &l, o.claims, o.claims)))
        return rc;
    const struct st_comparison *cp = &l.c;
    struct st_render r = {.c = cp, .when = o.color};
    rc = st_report_write("scantrace compare", o.format, &r, o.output);
    if (!rc && o.rundir[0] && !o.no_write) {
        char path[4200];
        snprintf(path, sizeof path, "%s/report.json", o.rundir);
        rc = st_report_write("scantrace compare", st_report_format("json"), &r, path);
    }
    st_timing_mark("report");
    if (!rc) {
        char result[ST_RESULT_MAX];
        /* unjudged hosts, empty modes, unreadable lines, claims the wire
         * contradicts: never a pass */
        rc = st_compare_result(cp, result, sizeof result) ? ST_EXIT_OK : ST_EXIT_DIFFERENT;
    }
    st_loaded_free(&l);
    st_timing_mark("free");
    return rc;
}
