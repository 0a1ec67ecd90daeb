/*
 * scantrace report: a run rendered in one of the report formats, the HTML
 * page with its ladder diagrams among them; and scantrace explain, the
 * plain-language account. Both read a run directory (or TRACE CAPTURE).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "util.h"
#include "report.h"

static const char report_usage[] =
    "usage: scantrace report [--format html|text|json|junit|markdown] [-o FILE] RUNDIR\n"
    "       scantrace report [options] TRACE CAPTURE\n"
    "\n"
    "Renders a run (a trace against its capture, as compare aligns them). html\n"
    "(the default) is one self-contained page: a summary table and, per mode and\n"
    "host, a ladder diagram of every probe and reply, the kernel's own packets and\n"
    "what was only in the trace or only on the wire.\n";

static const char explain_usage[] =
    "usage: scantrace explain RUNDIR\n"
    "       scantrace explain TRACE CAPTURE\n"
    "\n"
    "Tells, host by host, which probes went out, what came back, why the host is up\n"
    "or down, and what the kernel did on its own.\n";

static int load_args(const char *prog, int argc, char **argv, struct st_loaded *l)
{
    int rest = argc - optind;
    if (rest == 1)
        return st_compare_load_rundir(prog, argv[optind], l);
    if (rest == 2)
        return st_compare_load(prog, argv[optind], argv[optind + 1], NULL, ST_DISSECT_DEFAULT, l);
    return -1;
}

static int finish(const char *prog, FILE *out, const char *path)
{
    bool bad = fflush(out) != 0 || ferror(out);
    if (out != stdout)
        bad |= fclose(out) != 0;
    if (bad) {
        fprintf(stderr, "%s: %s: %s\n", prog, path ? path : "standard output", strerror(errno));
        return ST_EXIT_ENVIRONMENT;
    }
    return ST_EXIT_OK;
}

int st_cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"html", no_argument, NULL, 'H'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const char *format = "html", *output = NULL;
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:o:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            format = optarg;
            break;
        case 'H':
            format = "html";
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(report_usage, stdout);
            return ST_EXIT_OK;
        default:
            fputs(report_usage, stderr);
            return ST_EXIT_USAGE;
        }
    }
    static const char *const formats[] = {"html", "text", "json", "junit", "markdown"};
    bool known = false;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        known |= !strcmp(format, formats[i]);
    if (!known) {
        fprintf(stderr,
                "scantrace report: --format: html, text, json, junit or markdown, not "
                "'%s'\n",
                format);
        return ST_EXIT_USAGE;
    }
    struct st_loaded l;
    int rc = load_args("scantrace report", argc, argv, &l);
    if (rc < 0) {
        fputs(report_usage, stderr);
        return ST_EXIT_USAGE;
    }
    if (rc)
        return rc;
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "scantrace report: %s: %s\n", output, strerror(errno));
        st_loaded_free(&l);
        return ST_EXIT_ENVIRONMENT;
    }
    if (!strcmp(format, "html")) {
        st_report_html(&l.c, out);
    } else if (!strcmp(format, "text")) {
        st_report_text(&l.c, out, !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
    } else if (!strcmp(format, "junit")) {
        st_report_junit(&l.c, out);
    } else if (!strcmp(format, "markdown")) {
        st_report_markdown(&l.c, out);
    } else {
        json_object *doc = st_report_json(&l.c);
        fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE),
              out);
        fputc('\n', out);
        json_object_put(doc);
    }
    st_loaded_free(&l);
    return finish("scantrace report", out, output);
}

int st_cmd_explain(int argc, char **argv)
{
    static const struct option lo[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (ch == 'h') {
            fputs(explain_usage, stdout);
            return ST_EXIT_OK;
        }
        fputs(explain_usage, stderr);
        return ST_EXIT_USAGE;
    }
    struct st_loaded l;
    int rc = load_args("scantrace explain", argc, argv, &l);
    if (rc < 0) {
        fputs(explain_usage, stderr);
        return ST_EXIT_USAGE;
    }
    if (rc)
        return rc;
    st_report_explain(&l.c, stdout);
    st_loaded_free(&l);
    return finish("scantrace explain", stdout, NULL);
}
