/*
 * scantrace report: a run rendered in one of the report formats, the HTML
 * page with its ladder diagrams among them; and scantrace explain, the
 * plain-language account. Both read a run directory (or TRACE CAPTURE).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "compare.h"
#include "util.h"
#include "report.h"

static const char report_usage[] =
    "usage: scantrace report [--format F] [-o FILE] RUNDIR\n"
    "       scantrace report [options] TRACE CAPTURE\n"
    "\n"
    "Renders a run (a trace against its capture, as compare aligns them). html\n"
    "(the default) is one self-contained page: a summary table and, per mode and\n"
    "host, a ladder diagram of every probe and reply, the kernel's own packets and\n"
    "what was only in the trace or only on the wire.\n"
    "\n";

static void usage(FILE *out)
{
    fputs(report_usage, out);
    st_report_options_usage(out, "html");
    fputs("\nExit: 0 written (1 with --format junit when the run does not pass, as\n"
          "compare: discrepancies, claims the wire contradicts, anything unjudged),\n"
          "2 bad usage or unreadable input, 3 environment (tshark missing or failing,\n"
          "output not writable).\n",
          out);
}

static const char explain_usage[] =
    "usage: scantrace explain [--host ADDR]... [--color WHEN] RUNDIR\n"
    "       scantrace explain [--host ADDR]... [--color WHEN] TRACE CAPTURE\n"
    "\n"
    "Tells, host by host, which probes went out, what came back, why the host is up\n"
    "or down, what a router sent (the gateway's ARP, its ICMP errors) and what the\n"
    "scanner's kernel did on its own.\n"
    "\n"
    "  --host ADDR      only this host (repeatable; a host the run does not have is an\n"
    "                   error); the packets about no single host are left out\n"
    "  --color WHEN     auto (a terminal, and NO_COLOR unset), always or never\n"
    "\n"
    "Exit: 0 told, 2 bad usage, unreadable input or a --host the run does not have,\n"
    "3 environment (tshark missing or failing).\n";

static int load_args(const char *prog, int argc, char **argv, struct st_loaded *l)
{
    int rest = argc - optind;
    const char *cmd = prog + strlen("scantrace ");
    if (rest == 0)
        return st_cmd_usage_error(cmd, "no run directory, or trace and capture");
    if (rest > 2)
        return st_cmd_usage_error(cmd,
                                  "too many arguments (a run directory, or a trace and a "
                                  "capture): '%s'",
                                  argv[optind + 2]);
    struct stat sb;
    if (rest == 2 && !stat(argv[optind], &sb) && S_ISDIR(sb.st_mode))
        return st_cmd_usage_error(cmd,
                                  "too many arguments: a run directory comes alone, not "
                                  "with '%s'",
                                  argv[optind + 1]);
    if (rest == 2)
        return st_compare_load(prog, argv[optind], argv[optind + 1], NULL, ST_DISSECT_DEFAULT, l);
    const char *dir = argv[optind];
    if (stat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: %s: not a run directory\n", prog, dir);
        return ST_EXIT_USAGE;
    }
    char trace[4200], capture[4200];
    snprintf(trace, sizeof trace, "%s/trace.log", dir);
    snprintf(capture, sizeof capture, "%s/capture.pcapng", dir);
    /* the dissection first, as compare's: it runs while run.json is checked */
    struct st_dissect_job *job = st_dissect_start(capture, ST_DISSECT_DEFAULT, NULL);
    if (st_cmd_check_rundir(cmd, dir)) {
        st_dissect_cancel(job);
        return ST_EXIT_USAGE;
    }
    return st_compare_load_started(prog, trace, capture, dir, job, l);
}

int st_cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"html", no_argument, NULL, 'H'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const struct st_report_format *format = st_report_format("html");
    const char *output = NULL;
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, ":f:o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (!(format = st_report_format_arg("scantrace report", optarg)))
                return ST_EXIT_USAGE;
            break;
        case 'H':
            format = st_report_format("html");
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            usage(stdout);
            return ST_EXIT_OK;
        default:
            return st_cmd_getopt_error("report", ch, argv);
        }
    }
    struct st_loaded l;
    int rc = load_args("scantrace report", argc, argv, &l);
    if (rc)
        return rc;
    rc = st_report_write("scantrace report", format, &(struct st_render){.c = &l.c}, output);
    /* JUnit feeds CI, which reads the exit status: it fails as compare does
     * (claims, unjudged hosts, an interrupted run: never a pass) */
    char result[ST_RESULT_MAX];
    if (!rc && format == st_report_format("junit") &&
        !st_compare_result(&l.c, result, sizeof result))
        rc = ST_EXIT_DIFFERENT;
    st_loaded_free(&l);
    return rc;
}

#define MAX_HOSTS 256

/* explain's options: --host ADDR (into hosts), --color. -1 to go on, else
 * an exit code. */
static int explain_options(int argc, char **argv, struct st_render *r, uint32_t *hosts)
{
    static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                       {"host", required_argument, NULL, 'H'},
                                       {"color", required_argument, NULL, 'C'},
                                       {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        if (ch == 'C' && !st_color_arg("explain", optarg, &r->when))
            return ST_EXIT_USAGE;
        if (ch == 'H' && r->nhosts == MAX_HOSTS)
            return st_cmd_usage_error("explain", "--host: at most %d hosts", MAX_HOSTS);
        if (ch == 'H' && !st_host_parse(optarg, &hosts[r->nhosts++]))
            return st_cmd_usage_error("explain", "--host: an IPv4 or IPv6 address, not '%s'",
                                      optarg);
        if (ch != 'C' && ch != 'H')
            return st_cmd_help_or_error("explain", ch, argv, explain_usage);
    }
    return -1;
}

int st_cmd_explain(int argc, char **argv)
{
    static uint32_t hosts[MAX_HOSTS];
    struct st_render r = {.hosts = hosts};
    int rc = explain_options(argc, argv, &r, hosts);
    if (rc >= 0)
        return rc;
    struct st_loaded l;
    if ((rc = load_args("scantrace explain", argc, argv, &l)))
        return rc;
    r.c = &l.c;
    for (size_t i = 0; i < r.nhosts && !rc; i++)
        if (!st_compare_has_host(&l.c, hosts[i])) {
            char a[ST_HOST_STRLEN];
            fprintf(stderr, "scantrace explain: --host %s: the run has no such host\n",
                    st_host_str(hosts[i], a));
            rc = ST_EXIT_USAGE;
        }
    if (!rc)
        rc = st_report_write("scantrace explain", st_report_format("explain"), &r, NULL);
    st_loaded_free(&l);
    return rc;
}
