/*
 * The other shards of a shard's sweep (shard_side.h), rebuilt from run.json.
 */
#include "shard_side.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_read.h"
#include "util.h"

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The command line's word after each `opt`, in order, through fn. */
static bool each_after(json_object *cl, const char *opt, struct st_targets *t,
                       int (*fn)(struct st_targets *, const char *, char *, size_t))
{
    char err[256];
    size_t n = cl ? json_object_array_length(cl) : 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(cl, i)), opt) &&
            fn(t, json_object_get_string(json_object_array_get_idx(cl, i + 1)), err, sizeof err))
            return false;
    return true;
}

/* The whole sweep as scan expanded it: its specs (an -iL file read again),
 * then its exclusions. Whether every part could be read. */
static bool rebuild(json_object *run, struct st_targets *t)
{
    json_object *specs = get(run, "targets"), *cl = get(run, "command_line");
    char err[256];
    size_t n = specs ? json_object_array_length(specs) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(specs, i));
        bool file = false;
        for (size_t k = 0; cl && k + 1 < json_object_array_length(cl); k++)
            file |= !strcmp(json_object_get_string(json_object_array_get_idx(cl, k)), "-iL") &&
                    !strcmp(json_object_get_string(json_object_array_get_idx(cl, k + 1)), s);
        if (file ? st_targets_add_file(t, s, err, sizeof err)
                 : st_targets_add(t, s, err, sizeof err))
            return false;
    }
    return n && each_after(cl, "--exclude", t, st_targets_exclude);
}

/* whole minus part, both sorted and unique, into whole's array. */
static size_t minus(uint32_t *whole, size_t nw, const uint32_t *part, size_t np)
{
    size_t k = 0, j = 0;
    for (size_t i = 0; i < nw; i++) {
        while (j < np && part[j] < whole[i])
            j++;
        if (j == np || part[j] != whole[i])
            whole[k++] = whole[i];
    }
    return k;
}

static int others_of(json_object *run, uint32_t **others, size_t *n)
{
    json_object *sh = get(run, "shard");
    json_object *idx = get(sh, "index"), *cnt = get(sh, "count"), *dig = get(sh, "sweep_digest");
    if (!idx || !cnt || !dig || json_object_get_int(cnt) < 1)
        return 0;
    struct st_targets whole = {0}, part = {0};
    struct st_targets_sweep sw;
    char hex[17];
    int rc = 0;
    if (!rebuild(run, &whole) || !(part.addr = malloc((whole.n ? whole.n : 1) * sizeof *part.addr)))
        goto done;
    memcpy(part.addr, whole.addr, whole.n * sizeof *part.addr);
    part.n = part.cap = whole.n;
    if (st_targets_shard(&part, (unsigned)json_object_get_int(cnt),
                         (unsigned)json_object_get_int(idx), &sw))
        goto done;
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)sw.digest);
    if (strcmp(hex, json_object_get_string(dig)))
        goto done; /* the specs or an -iL file changed since: cannot tell */
    size_t nw = st_sort_unique(whole.addr, whole.n, sizeof *whole.addr, st_cmp_u32),
           np = st_sort_unique(part.addr, part.n, sizeof *part.addr, st_cmp_u32);
    *n = minus(whole.addr, nw, part.addr, np);
    *others = whole.addr;
    whole.addr = NULL;
    rc = 1;
done:
    st_targets_free(&whole);
    st_targets_free(&part);
    return rc;
}

int st_shard_others(const char *rundir, uint32_t **others, size_t *n)
{
    *others = NULL;
    *n = 0;
    json_object *run = st_run_json_doc(rundir, NULL);
    return run ? others_of(run, others, n) : 0;
}
