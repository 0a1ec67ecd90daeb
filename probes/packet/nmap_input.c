/*
 * Where nmap takes its targets from (nmap_rules.h, st_nmap_input): the
 * command line's words, -iL's file, or -iR's random addresses.
 */
#include <string.h>

#include "nmap_rules.h"

/* "-iL FILE", "--iL FILE", "-iL=FILE" (getopt_long_only's forms): the value
 * of option `name` at argv[*i], stepping over it; NULL when not that option. */
static const char *long_value(const char *const *argv, size_t argc, size_t *i, const char *name)
{
    const char *w = argv[*i];
    w += w[0] == '-' && w[1] == '-' ? 2 : w[0] == '-' ? 1 : 0;
    if (w == argv[*i])
        return NULL;
    size_t n = strlen(name);
    if (strncmp(w, name, n))
        return NULL;
    if (w[n] == '=')
        return w + n + 1;
    if (w[n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

enum st_nmap_input st_nmap_input(const char *const *argv, size_t argc, const char **file)
{
    enum st_nmap_input in = ST_NMAP_INPUT_ARGV;
    *file = NULL;
    for (size_t i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--"))
            break;
        if ((v = long_value(argv, argc, &i, "iR")))
            in = ST_NMAP_INPUT_RANDOM;
        else if ((v = long_value(argv, argc, &i, "iL")) ||
                 (argv[i][0] == '-' && argv[i][1] != '-' &&
                  (v = long_value(argv, argc, &i, "i")))) {
            *file = v;
            if (in == ST_NMAP_INPUT_ARGV)
                in = ST_NMAP_INPUT_FILE;
        }
    }
    return in;
}
