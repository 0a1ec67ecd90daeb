/*
 * Entry points of the scantrace subcommands: argv[0] is the subcommand's
 * name; each returns an exit code of exitcodes.h.
 */
#ifndef ST_COMMANDS_H
#define ST_COMMANDS_H

int st_cmd_decode(int argc, char **argv);
int st_cmd_compare(int argc, char **argv);
int st_cmd_scan(int argc, char **argv);
int st_cmd_record(int argc, char **argv);
int st_cmd_diff(int argc, char **argv);
int st_cmd_report(int argc, char **argv);
int st_cmd_explain(int argc, char **argv);
int st_cmd_merge(int argc, char **argv);

/* A usage error: "scantrace CMD: <what is wrong> (see 'scantrace CMD --help')",
 * one line; returns ST_EXIT_USAGE. */
int st_cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for what getopt_long returned ('?' or ':', the optstring
 * starting with ':'). */
int st_cmd_getopt_error(const char *cmd, int ch, char **argv);
/* Where a getopt loop ends: `usage` on stdout and ST_EXIT_OK for 'h', else
 * st_cmd_getopt_error(). */
int st_cmd_help_or_error(const char *cmd, int ch, char **argv, const char *usage);
/* Refuses, in one line saying why, a directory that is not a run or
 * whose run cannot be compared (unprivileged, nmap XML for a trace, cut
 * off before the command wrote anything). 0 or ST_EXIT_USAGE. */
int st_cmd_check_rundir(const char *cmd, const char *dir);

#endif
