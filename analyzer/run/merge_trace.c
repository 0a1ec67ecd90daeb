/*
 * Merging the traces of a sharded sweep (merge.h): shard after shard, each
 * line's time moved onto the common clock, the rest of the line untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "util.h"

/*
 * The time of a trace line: "SENT (0.0776s) ...", "PASS (1.2000s) ...",
 * "NSOCK INFO [0.0920s] ...": the first "(" or "[" followed by digits, a
 * point, digits and "s" closed by ")" or "]" within the line's first words.
 * Sets *at, *len (the number's span) and *decimals. Whether there is one.
 */
static bool line_time(const char *line, size_t *at, size_t *len, int *decimals)
{
    const char *p = strpbrk(line, "([");
    if (!p || p - line > 24)
        return false;
    const char *d = p + 1, *q = d;
    while (*q >= '0' && *q <= '9')
        q++;
    if (q == d || *q != '.')
        return false;
    const char *f = ++q;
    while (*q >= '0' && *q <= '9')
        q++;
    if (q == f || *q != 's' || (q[1] != ')' && q[1] != ']'))
        return false;
    *at = (size_t)(d - line);
    *len = (size_t)(q - d);
    *decimals = (int)(q - f);
    return true;
}

static int copy_shifted(FILE *in, FILE *out, double shift)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        size_t at, len;
        int dec;
        if (shift == 0 || !line_time(line, &at, &len, &dec)) {
            fwrite(line, 1, (size_t)n, out);
            continue;
        }
        double t = strtod(line + at, NULL) + shift;
        fprintf(out, "%.*s%.*f%s", (int)at, line, dec, t, line + at + len);
    }
    free(line);
    return ferror(in) ? -1 : 0;
}

int st_merge_traces(const char *const *paths, const double *shift_s, size_t n, const char *out_path,
                    char *err, size_t errsz)
{
    FILE *out = fopen(out_path, "we");
    if (!out) {
        snprintf(err, errsz, "%s: %s", out_path, strerror(errno));
        return ST_EXIT_ENVIRONMENT;
    }
    int rc = ST_EXIT_OK;
    for (size_t i = 0; i < n && rc == ST_EXIT_OK; i++) {
        FILE *in = fopen(paths[i], "re");
        if (!in) {
            snprintf(err, errsz, "%s: %s", paths[i], strerror(errno));
            rc = errno == ENOENT ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
            break;
        }
        if (copy_shifted(in, out, shift_s[i])) {
            snprintf(err, errsz, "%s: %s", paths[i], strerror(errno));
            rc = ST_EXIT_ENVIRONMENT;
        }
        fclose(in);
    }
    if (fclose(out) != 0 && rc == ST_EXIT_OK) {
        snprintf(err, errsz, "%s: %s", out_path, strerror(errno));
        rc = ST_EXIT_ENVIRONMENT;
    }
    return rc;
}
