/*
 * run.json: what ran, when, with which privileges, and what the capture saw.
 * Built with json-c; written to a temporary file and renamed, so a reader
 * never sees half a file. The run lifecycle (lifecycle.h) writes it when the
 * run starts ("status": "running") and again at the end, so even a run
 * killed outright says what it was.
 */
#ifndef ST_RUNJSON_H
#define ST_RUNJSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"

/* The common part: scantrace_version, subcommand, command_line ("scantrace"
 * then argv, which starts at the subcommand's name), start_time_ns,
 * privileged, status "running", and empty "modes", "targets", "hosts". */
struct json_object *st_runjson_new(const char *subcommand, int argc, char **argv, int64_t start_ns);

/* "interfaces" (names) and "capture": per-interface and total counts. */
void st_runjson_set_capture(struct json_object *run, const struct st_capture *cap, const char *file,
                            unsigned snaplen, unsigned buffer_bytes);

/* Write run.json atomically in the open directory `dirfd` (which works after
 * privileges were dropped even when a parent of the directory is closed to
 * the new user). 0, or -1 with errno. */
int st_runjson_writeat(int dirfd, struct json_object *run);

/* Write run.json as st_runjson_writeat() does, but with its array member
 * `key` written as a stream (a sweep's "hosts": a json-c object per host
 * would cost more than the sweep): every other member through json-c, then
 * `key` last, its elements written by each(f, ctx), which writes them and
 * their separators as "    {...},\n" lines and returns 0, or -1 with errno
 * set. `key` is taken out of run. 0, or -1 with errno. */
int st_runjson_write_array(int dirfd, struct json_object *run, const char *key,
                           int (*each)(FILE *f, void *ctx), void *ctx);

/* A signal as run.json names it: "SIGINT", or its number as a string. */
struct json_object *st_runjson_signal(int sig);

#endif
