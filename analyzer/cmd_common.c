/*
 * Usage errors of every subcommand: one line saying what is wrong and where
 * to look, never the whole usage text (which buries the one thing wrong
 * under thirty lines nobody asked for).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "util.h"

int st_cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "scantrace %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'scantrace %s --help')\n", cmd);
    return ST_EXIT_USAGE;
}

int st_cmd_help_or_error(const char *cmd, int ch, char **argv, const char *usage)
{
    if (ch == 'h') {
        fputs(usage, stdout);
        return ST_EXIT_OK;
    }
    return st_cmd_getopt_error(cmd, ch, argv);
}

int st_cmd_getopt_error(const char *cmd, int ch, char **argv)
{
    /* The optstrings start with ':' so that a missing value (':') is told
     * apart from an unknown option ('?'); optopt is 0 for an unknown long
     * option, whose word is then the one getopt_long just stepped past. */
    if (ch == ':')
        return st_cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    if (optopt)
        return st_cmd_usage_error(cmd, "unknown option '-%c'", optopt);
    return st_cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

/* The first bytes of a file, NUL-terminated; 0 bytes when it cannot be read. */
static size_t head_of(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    return n;
}

/* run.json's "status" and whether it ran privileged, as far as it says. */
static void run_facts(const char *dir, char *status, size_t size, bool *unprivileged)
{
    status[0] = 0;
    *unprivileged = false;
    struct json_object *run = st_run_json_doc(dir, NULL), *v;
    if (!run)
        return;
    if (json_object_object_get_ex(run, "status", &v) && json_object_is_type(v, json_type_string))
        snprintf(status, size, "%s", json_object_get_string(v));
    if (json_object_object_get_ex(run, "privileged", &v) &&
        json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v) &&
        !json_object_object_get_ex(run, "capture", NULL))
        *unprivileged = true;
}

int st_cmd_check_rundir(const char *cmd, const char *dir)
{
    char trace[4200], capture[4200], json[4200], status[64];
    bool unprivileged;
    snprintf(trace, sizeof trace, "%s/trace.log", dir);
    snprintf(capture, sizeof capture, "%s/capture.pcapng", dir);
    snprintf(json, sizeof json, "%s/run.json", dir);
    if (access(trace, F_OK) && access(capture, F_OK) && access(json, F_OK)) {
        fprintf(stderr,
                "scantrace %s: %s: not a run directory (no trace.log, capture.pcapng or "
                "run.json in it)\n",
                cmd, dir);
        return ST_EXIT_USAGE;
    }
    run_facts(dir, status, sizeof status, &unprivileged);
    if (!access(trace, F_OK) && access(capture, F_OK) && unprivileged) {
        fprintf(stderr,
                "scantrace %s: %s: no capture.pcapng: the scan ran unprivileged (connect() "
                "pings, nothing captured); scan as root to compare\n",
                cmd, dir);
        return ST_EXIT_USAGE;
    }
    /* A trace's head says what it is: 64 KiB hold nmap's preamble and its
     * first packet lines even at -d9. */
    static char head[65536];
    head_of(trace, head, sizeof head);
    const char *p = head;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    /* (a recorded run, capture and run.json, has its scanner's side built
     * from the wire, and the XML is what the scanner claimed) */
    if ((!strncmp(p, "<?xml", 5) || !strncmp(p, "<nmaprun", 8)) &&
        (access(capture, F_OK) || access(json, F_OK))) {
        fprintf(stderr,
                "scantrace %s: %s: nmap XML (-oX -), not a packet trace, and no capture and "
                "run.json to judge it from: give nmap --packet-trace, or record the run "
                "(scantrace record)\n",
                cmd, trace);
        return ST_EXIT_USAGE;
    }
    /* (an interrupted run that wrote something is judged: ping and fping -l
     * print their summary on Ctrl-C, their normal end; a scanner stopped
     * mid-run has its claims not held, and the result says so) */
    if (!strcmp(status, "interrupted") && !*p) {
        fprintf(stderr,
                "scantrace %s: %s: the run was interrupted before the command wrote anything "
                "(run.json: \"interrupted\"; nmap block-buffers its output and loses it when "
                "killed); record it line-buffered: -- stdbuf -oL COMMAND\n",
                cmd, dir);
        return ST_EXIT_USAGE;
    }
    return 0;
}
