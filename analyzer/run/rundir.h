/*
 * The run directory: created with its parents, refused when it already
 * holds something (unless forced), so a run never mixes its files with an
 * earlier one's by accident.
 */
#ifndef ST_RUNDIR_H
#define ST_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Make `dir` ready for a run. Returns 0 and sets *created (whether it did
 * not exist); or an exit code with a one-line message in msg: ST_EXIT_USAGE
 * when it exists and is not an empty directory (and !force),
 * ST_EXIT_ENVIRONMENT when it cannot be created.
 */
int st_rundir_prepare(const char *dir, bool force, bool *created, char *msg, size_t msglen);

/* Undo a run that never started: remove `names` in dir, and dir if created. */
void st_rundir_abandon(const char *dir, bool created, const char *const *names, size_t n);

/* "dir/name" into buf; false if it does not fit. */
bool st_rundir_path(const char *dir, const char *name, char *buf, size_t size);

#endif
