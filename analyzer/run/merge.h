/*
 * scantrace merge: one run directory from the runs of a sharded sweep
 * (scan --shards N --shard I), so compare, report, explain and diff see the
 * whole as one run.
 *
 * - trace.log: each shard's lines in shard order, every time moved onto one
 *   clock: the earliest shard's start (run.json start_time_ns) is 0, and a
 *   shard that started d seconds later has d added to its times. A shard's
 *   trace times and its capture's timestamps come from the same host's
 *   clock, so the merged trace and capture agree whatever the clocks of the
 *   scanner hosts say of each other.
 * - capture.pcapng: one section; every shard's interfaces, renumbered in
 *   shard order; the frames of all shards in time order (a k-way merge,
 *   streamed); every frame's comment and direction kept; a frame that more
 *   than one shard's capture holds (shards swept at once from one host see
 *   each other's frames) written once; the statistics of each interface at
 *   the end.
 * - run.json: the first shard's, with the hosts of all, target and capture
 *   counts summed, the earliest start and the latest end, "merged_from"
 *   (each shard's directory, index, start and clock shift) and "shard"
 *   (count, the indexes merged and those missing).
 *
 * Refused (exit 2): a directory that is not a shard's run, shards of other
 * sweeps (another shard count or target list), the same shard twice, a
 * shard still running.
 */
#ifndef ST_MERGE_H
#define ST_MERGE_H

#include <stdbool.h>
#include <stddef.h>

struct st_merge_opts {
    const char *out;           /* the run directory to make */
    const char *const *shards; /* the shards' run directories */
    size_t nshards;
    bool force; /* write into a non-empty out */
    int argc;   /* merge's command line, for run.json */
    char **argv;
};

/* Make o->out. Returns an exit code; a one-line reason in err. *count: the
 * sweep's shard count, *missing: how many of them were not given. */
int st_merge(const struct st_merge_opts *o, int *count, int *missing, char *err, size_t errsz);

/* Merge the shards' traces into out_path; shift_s[i]: seconds added to shard i's times. */
int st_merge_traces(const char *const *paths, const double *shift_s, size_t n, const char *out_path,
                    char *err, size_t errsz);

/* Merge the shards' captures into out_path (pcapng); *copies: frames written
 * once that more than one shard's capture held (shards swept from one host). */
int st_merge_captures(const char *const *paths, size_t n, const char *out_path, size_t *copies,
                      char *err, size_t errsz);

#endif
