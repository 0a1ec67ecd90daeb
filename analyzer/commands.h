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

#endif
