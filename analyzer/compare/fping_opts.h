/*
 * fping's command line as fping 5.1's own parser reads it: short options
 * bundled ("-ag", "-aqg"), a value attached ("-c1") or in the next word
 * ("-c 1"), long options with "=VALUE" or the next word. Read word by word
 * it would be wrong: "-ug" is -u (the list names the unreachable) and -g
 * (two addresses are a range), and "-c 2" puts a 2 among the targets.
 */
#ifndef ST_FPING_OPTS_H
#define ST_FPING_OPTS_H

#include <stdbool.h>
#include <stddef.h>

struct st_fping_opts {
    bool alive;    /* -a: prints the alive, one address a line */
    bool unreach;  /* -u: prints the unreachable so */
    bool count;    /* -c, -C, -l: a line per probe (nothing with -a/-u/-q), summary on stderr */
    bool quiet;    /* -q, -Q */
    bool generate; /* -g: the targets are a range (two addresses) or a CIDR block */
    bool names;    /* -n, -d: hosts printed by name ... */
    bool addrs;    /* -A: ... unless by address */
    const char **operands; /* the words that are not options nor their values */
    size_t noperands;
};

/* argv[0] is fping; operands point into argv. */
void st_fping_opts_read(const char *const *argv, size_t argc, struct st_fping_opts *o);
void st_fping_opts_free(struct st_fping_opts *o);

#endif
