/*
 * scantrace merge (merge.h): the shards' run.json files read and checked,
 * the output directory made, the trace and the capture merged, and the
 * merged run.json written last (a reader that finds it finds the rest).
 */
#include "merge.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"
#include "runjson.h"
#include "runjson_read.h"
#include "util.h"

struct shard {
    const char *dir;
    json_object *run; /* run.json's members; its "hosts" read from text one at a time */
    struct st_run_json rj;
    const char *text; /* run.json mapped */
    size_t len;
    bool mapped;
    int index, count;
    const char *digest, *status;
    int64_t start_ns, end_ns;
};

static json_object *get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int64_t get_i64(json_object *o, const char *key)
{
    json_object *v = get(o, key);
    return v ? json_object_get_int64(v) : 0;
}

static int read_shard(struct shard *s, char *err, size_t errsz)
{
    char path[4096], why[256];
    if (!st_rundir_path(s->dir, "run.json", path, sizeof path) ||
        !(s->mapped = st_json_map(path, &s->text, &s->len, why, sizeof why))) {
        snprintf(err, errsz, "%s: no readable run.json (not a run directory?)", s->dir);
        return ST_EXIT_USAGE;
    }
    /* a sharded /8's run.json is gigabytes: its hosts are not parsed here,
     * but copied one at a time into the merged one */
    if (st_run_json_parse_mapped(&s->rj, s->text, s->len)) {
        snprintf(err, errsz, "%s: run.json: not valid JSON (%s)", s->dir, s->rj.why);
        return ST_EXIT_USAGE;
    }
    s->run = s->rj.doc;
    json_object *sh = get(s->run, "shard");
    if (!sh || !get(sh, "index") || !get(sh, "count") || !get(sh, "sweep_digest")) {
        snprintf(err, errsz, "%s: not a shard (scanned without --shards N --shard I)", s->dir);
        return ST_EXIT_USAGE;
    }
    s->index = (int)get_i64(sh, "index");
    s->count = (int)get_i64(sh, "count");
    s->digest = json_object_get_string(get(sh, "sweep_digest"));
    s->status = get(s->run, "status") ? json_object_get_string(get(s->run, "status")) : "";
    s->start_ns = get_i64(s->run, "start_time_ns");
    s->end_ns = get_i64(s->run, "end_time_ns");
    if (!strcmp(s->status, "running")) {
        snprintf(err, errsz, "%s: still running (or killed outright): not merged", s->dir);
        return ST_EXIT_USAGE;
    }
    return ST_EXIT_OK;
}

/* One sweep, each shard once. */
static int check_shards(const struct shard *s, size_t n, char *err, size_t errsz)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].count != s[0].count || strcmp(s[i].digest, s[0].digest)) {
            snprintf(err, errsz, "%s: shard %d of %d of sweep %s, but %s is of %d of sweep %s",
                     s[i].dir, s[i].index, s[i].count, s[i].digest, s[0].dir, s[0].count,
                     s[0].digest);
            return ST_EXIT_USAGE;
        }
        for (size_t k = 0; k < i; k++)
            if (s[k].index == s[i].index) {
                snprintf(err, errsz, "%s and %s are both shard %d", s[k].dir, s[i].dir, s[i].index);
                return ST_EXIT_USAGE;
            }
    }
    return ST_EXIT_OK;
}

static int by_index(const void *a, const void *b)
{
    const struct shard *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static void sum_into(json_object *to, json_object *from, const char *key)
{
    json_object *a = get(to, key), *b = get(from, key);
    if (a && b && json_object_is_type(a, json_type_int))
        json_object_object_add(
            to, key, json_object_new_int64(json_object_get_int64(a) + json_object_get_int64(b)));
}

static void append_all(json_object *to, json_object *from)
{
    for (size_t i = 0; from && to && i < json_object_array_length(from); i++)
        json_object_array_add(to, json_object_get(json_object_array_get_idx(from, i)));
}

/* Shard i's interfaces and counts added to the merged run.json `m` (its
 * hosts are written as a stream: put_hosts). */
static void add_shard(json_object *m, const struct shard *s)
{
    json_object *cap = get(m, "capture"), *scap = get(s->run, "capture");
    append_all(get(m, "interfaces"), get(s->run, "interfaces"));
    append_all(get(m, "local_addresses"), get(s->run, "local_addresses"));
    sum_into(m, s->run, "target_count");
    if (cap && scap) {
        append_all(get(cap, "interfaces"), get(scap, "interfaces"));
        sum_into(cap, scap, "received");
        sum_into(cap, scap, "dropped");
        sum_into(cap, scap, "frames");
    }
    if (get(m, "receive") && get(s->run, "receive"))
        sum_into(get(m, "receive"), get(s->run, "receive"), "dropped");
    if (strcmp(s->status, "done"))
        json_object_object_add(m, "status", json_object_new_string("interrupted"));
    if (s->end_ns > get_i64(m, "end_time_ns"))
        json_object_object_add(m, "end_time_ns", json_object_new_int64(s->end_ns));
}

/* The merged "shard": the sweep, the indexes merged and those missing. */
static json_object *shard_summary(const struct shard *s, size_t n)
{
    json_object *o = json_object_new_object(), *have = json_object_new_array(),
                *missing = json_object_new_array(), *sh = get(s[0].run, "shard");
    json_object_object_add(o, "count", json_object_new_int(s[0].count));
    json_object_object_add(o, "sweep_addresses", json_object_get(get(sh, "sweep_addresses")));
    json_object_object_add(o, "sweep_unique", json_object_get(get(sh, "sweep_unique")));
    json_object_object_add(o, "sweep_digest", json_object_new_string(s[0].digest));
    size_t k = 0;
    for (int i = 0; i < s[0].count; i++) {
        bool in = k < n && s[k].index == i;
        json_object_array_add(in ? have : missing, json_object_new_int(i));
        k += in;
    }
    json_object_object_add(o, "merged", have);
    json_object_object_add(o, "missing", missing);
    return o;
}

/* Each shard's directory, index, status and the seconds its clock was moved by. */
static json_object *merged_from(const struct shard *s, size_t n, int64_t start_ns)
{
    json_object *from = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "dir", json_object_new_string(s[i].dir));
        json_object_object_add(e, "index", json_object_new_int(s[i].index));
        json_object_object_add(e, "status", json_object_new_string(s[i].status));
        json_object_object_add(e, "start_time_ns", json_object_new_int64(s[i].start_ns));
        json_object_object_add(e, "clock_shift_s",
                               json_object_new_double((double)(s[i].start_ns - start_ns) / 1e9));
        json_object_array_add(from, e);
    }
    return from;
}

static json_object *merged_run(const struct st_merge_opts *o, const struct shard *s, size_t n,
                               int64_t start_ns)
{
    json_object *m = NULL;
    if (json_object_deep_copy(s[0].run, &m, NULL) || !m)
        return NULL;
    json_object *cl = json_object_new_array();
    json_object_array_add(cl, json_object_new_string("scantrace"));
    for (int i = 0; i < o->argc; i++)
        json_object_array_add(cl, json_object_new_string(o->argv[i]));
    json_object_object_add(m, "command_line", cl);
    json_object_object_add(m, "start_time_ns", json_object_new_int64(start_ns));
    if (strcmp(s[0].status, "done"))
        json_object_object_add(m, "status", json_object_new_string("interrupted"));
    for (size_t i = 1; i < n; i++)
        add_shard(m, &s[i]);
    json_object_object_add(m, "shard", shard_summary(s, n));
    json_object_object_add(m, "merged_from", merged_from(s, n, start_ns));
    json_object_object_add(
        m, "clock",
        json_object_new_string(
            "each shard's trace times moved by its start_time_ns minus the earliest; capture "
            "timestamps as each scanner host's clock stamped them"));
    return m;
}

static int write_run_json(const struct st_merge_opts *o, struct shard *s, size_t n,
                          int64_t start_ns, size_t copies, char *err, size_t errsz);

/* The trace, the capture and run.json, in that order, into the prepared o->out. */
static int write_merged(const struct st_merge_opts *o, struct shard *s, size_t n, char *err,
                        size_t errsz)
{
    int64_t start_ns = s[0].start_ns;
    for (size_t i = 1; i < n; i++)
        start_ns = s[i].start_ns < start_ns ? s[i].start_ns : start_ns;
    char(*paths)[4096] = calloc(n, sizeof *paths);
    const char **pp = calloc(n, sizeof *pp);
    double *shift = calloc(n, sizeof *shift);
    char out[4096];
    int rc = ST_EXIT_ENVIRONMENT;
    if (!paths || !pp || !shift) {
        snprintf(err, errsz, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        st_rundir_path(s[i].dir, "trace.log", paths[i], sizeof paths[i]);
        pp[i] = paths[i];
        shift[i] = (double)(s[i].start_ns - start_ns) / 1e9;
    }
    st_rundir_path(o->out, "trace.log", out, sizeof out);
    if ((rc = st_merge_traces(pp, shift, n, out, err, errsz)))
        goto done;
    for (size_t i = 0; i < n; i++)
        st_rundir_path(s[i].dir, "capture.pcapng", paths[i], sizeof paths[i]);
    st_rundir_path(o->out, "capture.pcapng", out, sizeof out);
    size_t copies = 0;
    if ((rc = st_merge_captures(pp, n, out, &copies, err, errsz)))
        goto done;
    rc = write_run_json(o, s, n, start_ns, copies, err, errsz);
done:
    free(paths);
    free(pp);
    free(shift);
    return rc;
}

/* The shards' hosts, in shard order, each element parsed (a shard's text
 * is not copied unread) and written on a line of its own. */
struct hosts_out {
    struct shard *s;
    size_t n;
    FILE *f;
    bool first;
    char why[512]; /* a shard's element that is not JSON */
};

static int put_host(json_object *host, size_t i, void *ctx)
{
    (void)i;
    struct hosts_out *h = ctx;
    fputs(h->first ? "    " : ",\n    ", h->f);
    h->first = false;
    fputs(json_object_to_json_string_ext(host,
                                         JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE),
          h->f);
    return ferror(h->f) ? -1 : 0;
}

static int put_hosts(FILE *f, void *ctx)
{
    struct hosts_out *h = ctx;
    h->f = f;
    for (size_t i = 0; i < h->n; i++) {
        struct st_run_json *rj = &h->s[i].rj;
        int rc = st_run_json_each_host(rj, put_host, h);
        if (rc == -1 && rj->why[0]) {
            snprintf(h->why, sizeof h->why, "%s: run.json: not valid JSON (%s)", h->s[i].dir,
                     rj->why);
            errno = EINVAL;
        }
        if (rc)
            return -1;
    }
    if (!h->first)
        fputc('\n', f);
    return 0;
}

static int write_run_json(const struct st_merge_opts *o, struct shard *s, size_t n,
                          int64_t start_ns, size_t copies, char *err, size_t errsz)
{
    json_object *m = merged_run(o, s, n, start_ns);
    json_object *cap = m ? get(m, "capture") : NULL;
    if (cap) { /* the frames the shards' captures held: the sum less the copies */
        json_object_object_add(cap, "frames_copied_between_shards",
                               json_object_new_int64((int64_t)copies));
        json_object_object_add(cap, "frames",
                               json_object_new_int64(get_i64(cap, "frames") - (int64_t)copies));
    }
    int fd = open(o->out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = ST_EXIT_OK;
    struct hosts_out h = {.s = s, .n = n, .first = true};
    if (!m || fd < 0 || st_runjson_write_array(fd, m, "hosts", put_hosts, &h)) {
        if (h.why[0])
            snprintf(err, errsz, "%s", h.why);
        else
            snprintf(err, errsz, "%s/run.json: %s", o->out, m ? strerror(errno) : "out of memory");
        rc = h.why[0] ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
    }
    if (fd >= 0)
        close(fd);
    json_object_put(m);
    return rc;
}

int st_merge(const struct st_merge_opts *o, int *count, int *missing, char *err, size_t errsz)
{
    struct shard *s = calloc(o->nshards ? o->nshards : 1, sizeof *s);
    int rc = s ? ST_EXIT_OK : ST_EXIT_ENVIRONMENT;
    for (size_t i = 0; s && i < o->nshards && !rc; i++) {
        s[i].dir = o->shards[i];
        rc = read_shard(&s[i], err, errsz);
    }
    if (!rc)
        rc = check_shards(s, o->nshards, err, errsz);
    bool created = false;
    if (!rc) {
        qsort(s, o->nshards, sizeof *s, by_index);
        *count = s[0].count;
        *missing = s[0].count - (int)o->nshards;
        rc = st_rundir_prepare(o->out, o->force, &created, err, errsz);
    }
    if (!rc) {
        rc = write_merged(o, s, o->nshards, err, errsz);
        if (rc) {
            static const char *const names[] = {"trace.log", "capture.pcapng", "run.json"};
            st_rundir_abandon(o->out, created, names, 3);
        }
    }
    for (size_t i = 0; s && i < o->nshards; i++) {
        st_run_json_free(&s[i].rj);
        if (s[i].mapped)
            st_json_unmap(s[i].text, s[i].len);
    }
    free(s);
    if (!s)
        snprintf(err, errsz, "out of memory");
    return rc;
}
