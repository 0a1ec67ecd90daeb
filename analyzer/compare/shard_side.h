/*
 * A shard's run (scan --shards N --shard I) swept at the same time as other
 * shards from one host captures their frames too. compare tells those
 * frames apart (cause other-shard) only when it can rebuild the whole sweep
 * exactly: the target specs, -iL files and --exclude of run.json's command
 * line, expanded, must give the sweep digest run.json recorded. Otherwise
 * they stay unknown: compare never guesses a frame away.
 */
#ifndef ST_SHARD_SIDE_H
#define ST_SHARD_SIDE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The sweep's addresses that are not this shard's, sorted, into *others
 * (free() it). 1 when RUNDIR is a shard whose sweep could be rebuilt, 0
 * when it is not a shard or its sweep cannot be rebuilt (*others NULL).
 */
int st_shard_others(const char *rundir, uint32_t **others, size_t *n);

#endif
