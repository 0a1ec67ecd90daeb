/*
 * run.json (shared/DESIGN.md, "The run directory"): what ran, when, with which
 * privileges, and what the capture saw. Built with json-c; written to a
 * temporary file and renamed, so a reader never sees half a file, and
 * written once when the run starts ("status": "running") and again at the
 * end, so even a run killed outright says what it was.
 */
#ifndef ST_RUNJSON_H
#define ST_RUNJSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"

/* The common part: scantrace_version, subcommand, command_line ("scantrace"
 * then argv, which starts at the subcommand's name), start_time_ns,
 * privileged, status "running", and empty "modes", "targets", "hosts". */
struct json_object *st_runjson_new(const char *subcommand, int argc, char **argv, int64_t start_ns);

/* "interfaces" (names) and "capture": per-interface and total counts. */
void st_runjson_set_capture(struct json_object *run, const struct st_capture *cap, const char *file,
                            unsigned snaplen, unsigned buffer_bytes);

/* Write dir/run.json atomically. 0, or -1 with errno. */
int st_runjson_write(const char *dir, struct json_object *run);

/* The same in an open directory: works after privileges were dropped even
 * when a parent of the directory is closed to the new user. */
int st_runjson_writeat(int dirfd, struct json_object *run);

#endif
