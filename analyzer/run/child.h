/*
 * The recorded command as a child process: looked up on PATH the way a shell
 * does (to fail early with 127 or 126), started with posix_spawnp and an
 * argument vector (no shell), its standard output and error on pipes to us
 * (record keeps both: fping's and hping3's results go to stderr), its
 * standard input shared with ours.
 */
#ifndef ST_CHILD_H
#define ST_CHILD_H

#include <sys/types.h>

/* 0 when `cmd` names an executable (on PATH unless it has a '/'); else
 * ENOENT (not found) or EACCES (found, not executable). */
int st_child_check(const char *cmd);

/*
 * Start argv with default signal dispositions and an empty signal mask.
 * Sets *pid, *out_fd and *err_fd (the read ends of its stdout and stderr,
 * non-blocking, close-on-exec). Returns 0 or an errno value.
 */
int st_child_spawn(char *const argv[], pid_t *pid, int *out_fd, int *err_fd);

/* Send `sig` to process `root` and to every process descending from it
 * (child_tree.c): a signal that came to record alone reaches the processes
 * a shell command started, as the terminal's Ctrl-C does. */
void st_child_signal_tree(pid_t root, int sig);

/* The shell's exit status for a waitpid() status: code, or 128+signal. */
int st_child_status(int wstatus);

#endif
