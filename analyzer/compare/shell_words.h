/*
 * The command a recorded shell ran (`scantrace record -- sh -c "zmap ... |
 * tee out"`), as words: see shell_words.c.
 */
#ifndef ST_SHELL_WORDS_H
#define ST_SHELL_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * argv with its first `SHELL [-options] -c STRING` (sh, bash, dash, zsh,
 * ksh, ash, busybox sh) replaced by the words of STRING's first simple
 * command; argv as it is when no shell runs a string. The words are copies:
 * *out gets them, the return value their count (st_shell_words_free).
 * *redirected: that command's standard output went to a file or a pipe
 * (`> out`, `| tee out`), so the recording's stdout is not what it printed.
 */
size_t st_shell_expand(const char *const *argv, size_t argc, char ***out, bool *redirected);
/* The words of the command string's simple command k (0: the first, as
 * st_shell_expand without the words before the shell), for a string of
 * several (`sh -c "nmap ...; sleep 1; nmap ..."`); 0 and *out NULL past its
 * last, or when no shell runs a string. */
size_t st_shell_expand_nth(const char *const *argv, size_t argc, size_t k, char ***out,
                           bool *redirected);
void st_shell_words_free(char **words, size_t n);

#endif
