/*
 * The other shards of a shard's sweep (shard_side.h), rebuilt from run.json.
 */
#include "shard_side.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "run_read.h"
#include "util.h"

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* The sweep as scan expanded it, in the family of its run (-6: IPv6). */
struct sweep {
    bool v6;
    struct st_targets t4;
    struct st_targets6 t6;
};

static int sweep_add(struct sweep *w, const char *spec, bool file, char *err, size_t errsz)
{
    if (w->v6)
        return file ? st_targets6_add_file(&w->t6, spec, err, errsz)
                    : st_targets6_add(&w->t6, spec, err, errsz);
    return file ? st_targets_add_file(&w->t4, spec, err, errsz)
                : st_targets_add(&w->t4, spec, err, errsz);
}

static int sweep_exclude(struct sweep *w, const char *specs, char *err, size_t errsz)
{
    return w->v6 ? st_targets6_exclude(&w->t6, specs, err, errsz)
                 : st_targets_exclude(&w->t4, specs, err, errsz);
}

static const char *word(json_object *cl, size_t i)
{
    return json_object_get_string(json_object_array_get_idx(cl, i));
}

/* Whether the command line has the option `opt` followed by `value` (NULL:
 * any value, or none). */
static bool has_option(json_object *cl, const char *opt, const char *value)
{
    size_t n = cl ? json_object_array_length(cl) : 0;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(word(cl, k), opt) && (!value || (k + 1 < n && !strcmp(word(cl, k + 1), value))))
            return true;
    return false;
}

/* The whole sweep as scan expanded it: its specs (an -iL file read again),
 * then its exclusions, in scan's order. Whether every part could be read. */
static bool rebuild(json_object *run, struct sweep *w)
{
    json_object *specs = get(run, "targets"), *cl = get(run, "command_line");
    char err[256];
    size_t n = specs ? json_object_array_length(specs) : 0;
    w->v6 = has_option(cl, "-6", NULL);
    for (size_t i = 0; i < n; i++) {
        const char *s = word(specs, i);
        if (sweep_add(w, s, has_option(cl, "-iL", s), err, sizeof err))
            return false;
    }
    size_t ncl = cl ? json_object_array_length(cl) : 0;
    for (size_t i = 0; i + 1 < ncl; i++)
        if (!strcmp(word(cl, i), "--exclude") && sweep_exclude(w, word(cl, i + 1), err, sizeof err))
            return false;
    return n > 0;
}

/* The sweep's list as scan sharded it (-6: the addresses' keys) into keys,
 * with its digest. */
static bool sweep_list(struct sweep *w, struct st_targets *keys, uint64_t *digest)
{
    if (w->v6) {
        *digest = st_targets6_digest(&w->t6);
        return !st_targets6_keys(&w->t6, keys);
    }
    *keys = w->t4;
    memset(&w->t4, 0, sizeof w->t4);
    return true;
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

/* -6: the keys as the comparison's hosts (hosts.h), sorted again. */
static size_t keys_to_hosts(const struct sweep *w, uint32_t *k, size_t n)
{
    if (!w->v6)
        return n;
    for (size_t i = 0; i < n; i++)
        k[i] = st_host6(st_targets6_addr(&w->t6, k[i]));
    return st_sort_unique(k, n, sizeof *k, st_cmp_u32);
}

static int others_of(json_object *run, uint32_t **others, size_t *n)
{
    json_object *sh = get(run, "shard");
    json_object *idx = get(sh, "index"), *cnt = get(sh, "count"), *dig = get(sh, "sweep_digest");
    if (!idx || !cnt || !dig || json_object_get_int(cnt) < 1)
        return 0;
    struct sweep w = {0};
    struct st_targets whole = {0}, part = {0};
    struct st_targets_sweep sw;
    uint64_t digest = 0;
    char hex[17];
    int rc = 0;
    if (!rebuild(run, &w) || !sweep_list(&w, &whole, &digest) ||
        !(part.addr = malloc((whole.n ? whole.n : 1) * sizeof *part.addr)))
        goto done;
    memcpy(part.addr, whole.addr, whole.n * sizeof *part.addr);
    part.n = part.cap = whole.n;
    if (st_targets_shard(&part, (unsigned)json_object_get_int(cnt),
                         (unsigned)json_object_get_int(idx), &sw))
        goto done;
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)(w.v6 ? digest : sw.digest));
    if (strcmp(hex, json_object_get_string(dig)))
        goto done; /* the specs or an -iL file changed since: cannot tell */
    size_t nw = st_sort_unique(whole.addr, whole.n, sizeof *whole.addr, st_cmp_u32),
           np = st_sort_unique(part.addr, part.n, sizeof *part.addr, st_cmp_u32);
    *n = keys_to_hosts(&w, whole.addr, minus(whole.addr, nw, part.addr, np));
    *others = whole.addr;
    whole.addr = NULL;
    rc = 1;
done:
    st_targets_free(&whole);
    st_targets_free(&part);
    st_targets_free(&w.t4);
    st_targets6_free(&w.t6);
    return rc;
}

int st_shard_others(const char *rundir, uint32_t **others, size_t *n)
{
    *others = NULL;
    *n = 0;
    json_object *run = st_run_json_doc(rundir, NULL);
    return run ? others_of(run, others, n) : 0;
}
