/*
 * What compare takes from a run directory's run.json (see run_read.h). The
 * file is scantrace's own, but it is input like any other: every member is
 * read only when it has the type expected.
 */
#include "hosts.h"
#include "run_read.h"
#include "shell_words.h"
#include "wire_side.h"
#include "packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A member of an object, when it has the type wanted (json-c hands back NULL
 * for a JSON null, which its getters do not all survive). */
static json_object *member(json_object *o, const char *key, enum json_type type)
{
    json_object *v;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, type))
        return NULL;
    return v;
}

static json_object *number(json_object *o, const char *key)
{
    json_object *v = member(o, key, json_type_double);
    return v ? v : member(o, key, json_type_int);
}

/*
 * scantrace scan's verdicts: run.json "hosts" [{host, mode, verdict, reason,
 * latency_s}], one at a time (runjson_read.h). A host without an address or a
 * verdict "up"/"down" is bad input (-1, the reason in why).
 */
struct verdicts {
    struct st_trace *t;
    char *why;
    size_t whysz;
};

static int verdict(json_object *h, size_t i, void *arg)
{
    struct verdicts *vs = arg;
    json_object *v;
    uint32_t addr;
    const char *verdict =
        (v = member(h, "verdict", json_type_string)) ? json_object_get_string(v) : "";
    if (!(v = member(h, "host", json_type_string)) ||
        !st_host_parse(json_object_get_string(v), &addr) ||
        (strcmp(verdict, "up") && strcmp(verdict, "down"))) {
        snprintf(vs->why, vs->whysz, "hosts[%zu]: no IPv4 \"host\" or no \"verdict\" up or down",
                 i);
        return 1;
    }
    const char *mode = (v = member(h, "mode", json_type_string)) ? json_object_get_string(v) : NULL;
    const char *reason =
        (v = member(h, "reason", json_type_string)) ? json_object_get_string(v) : NULL;
    double lat = (v = number(h, "latency_s")) ? json_object_get_double(v) : -1;
    if (!(lat >= 0 && lat < 1e9))
        lat = -1;
    st_trace_add_verdict(vs->t, addr, mode, !strcmp(verdict, "up"), reason, lat);
    return 0;
}

static int read_verdicts(struct st_run_json *r, struct st_trace *t, char *why, size_t whysz)
{
    struct verdicts vs = {t, why, whysz};
    int rc = st_run_json_each_host(r, verdict, &vs);
    if (rc < 0)
        snprintf(why, whysz, "not valid JSON (%s)", r->why);
    return rc ? -1 : 0;
}

/* A recorded nmap's mode as its command line asked it (nmap_modes.c): a
 * trace names it no better (-PO6 and -PA80 look alike there). */
static void asked_mode(json_object *argv, struct st_trace *t)
{
    size_t n = argv ? json_object_array_length(argv) : 0;
    const char **words = calloc(n + 1, sizeof *words);
    if (!words)
        abort();
    for (size_t i = 0; i < n; i++) {
        json_object *w = json_object_array_get_idx(argv, i);
        words[i] = json_object_is_type(w, json_type_string) ? json_object_get_string(w) : "";
    }
    /* (nmap run by a shell: sh -c "nmap -sn -PE ... | tee out") */
    char **cmd;
    bool redirected;
    size_t ncmd = st_shell_expand(words, n, &cmd, &redirected);
    if (!st_nmap_mode_asked((const char *const *)cmd, ncmd, t->asked_mode, sizeof t->asked_mode))
        t->asked_mode[0] = '\0';
    if (st_nmap_no_ping((const char *const *)cmd, ncmd)) {
        t->no_ping = true;
        snprintf(t->asked_mode, sizeof t->asked_mode, "-Pn");
        st_trace_find_later(t); /* all of it: no discovery */
    }
    st_shell_words_free(cmd, ncmd);
    free(words);
}

static const char *word_at(json_object *argv, size_t i)
{
    json_object *w = json_object_array_get_idx(argv, i);
    return json_object_is_type(w, json_type_string) ? json_object_get_string(w) : "";
}

/* Whether record was told which interfaces to capture (-i IF, -iIF,
 * --interface IF, --interface=IF before "--"), other than "any": without,
 * it captures every interface that is up (but loopback). */
static bool interfaces_chosen(json_object *argv)
{
    size_t n = argv ? json_object_array_length(argv) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = word_at(argv, i), *v = NULL;
        if (!strcmp(s, "--"))
            break;
        if (!strcmp(s, "-i") || !strcmp(s, "--interface"))
            v = i + 1 < n ? word_at(argv, ++i) : "";
        else if (!strncmp(s, "--interface=", 12))
            v = s + 12;
        else if (!strncmp(s, "-i", 2))
            v = s + 2;
        if (v && strcmp(v, "any"))
            return true;
    }
    return false;
}

/* "local_addresses": the scanner host's own; what does not read as an
 * address is skipped (no verdict rests on it alone). */
static void local_addresses(json_object *a, struct st_trace *t)
{
    size_t n = a ? json_object_array_length(a) : 0;
    free(t->local);
    t->local = malloc((n + 1) * sizeof *t->local);
    if (!t->local)
        abort();
    t->nlocal = 0;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(a, i);
        uint32_t h;
        if (json_object_is_type(v, json_type_string) &&
            st_host_parse(json_object_get_string(v), &h))
            t->local[t->nlocal++] = h;
    }
}

/* The recording host's clock (runjson.c): a zone name and its offset
 * from UTC, within a day. */
static void local_clock(json_object *o, struct st_comparison *c)
{
    json_object *zone = member(o, "zone", json_type_string);
    json_object *off = member(o, "utc_offset_s", json_type_int);
    c->clock_known = false;
    if (!zone || !off || json_object_get_string_len(zone) >= (int)sizeof c->clock_zone)
        return;
    int64_t s = json_object_get_int64(off);
    if (s < -86400 || s > 86400)
        return;
    c->clock_offset_s = s;
    snprintf(c->clock_zone, sizeof c->clock_zone, "%s", json_object_get_string(zone));
    c->clock_known = true;
}

/* The IPv6 targets of the recorded command (after "--"): a neighbour
 * solicitation's trace line names only their solicited-node group. */
static void command_targets6(json_object *argv, struct st_trace *t)
{
    struct st_scanner_cmd sc;
    free(t->targets6);
    t->targets6 = NULL;
    t->ntargets6 = 0;
    if (!st_scanner_cmd_json(argv, &sc) && sc.ntargets) {
        t->targets6 = malloc(sc.ntargets * sizeof *t->targets6);
        if (!t->targets6)
            abort();
        for (size_t i = 0; i < sc.ntargets; i++)
            if (st_host_is6(sc.targets[i]))
                t->targets6[t->ntargets6++] = sc.targets[i];
    }
    st_scanner_cmd_free(&sc);
}

/* When record's command exited: its "end_time_ns", or (run.json before it
 * had one) the run's end less the linger, a little after the exit. 0 when
 * not known, or for no recorded command (scan's own run lingers inside). */
static int64_t command_end(json_object *run)
{
    json_object *cmd = member(run, "command", json_type_object), *v;
    if (!cmd)
        return 0;
    if ((v = member(cmd, "end_time_ns", json_type_int)))
        return json_object_get_int64(v);
    json_object *end = member(run, "end_time_ns", json_type_int);
    json_object *linger = number(run, "linger_s");
    if (!end || !linger)
        return 0;
    double l = json_object_get_double(linger);
    return l >= 0 && l <= 3600 ? json_object_get_int64(end) - (int64_t)(l * 1e9) : 0;
}

/* A merged sweep's shards merge did not have ("missing": [1]): the
 * addresses they swept are in no trace line and no frame, unchecked. */
static void shards_missing(struct st_comparison *c, json_object *shard)
{
    json_object *missing = member(shard, "missing", json_type_array);
    json_object *count = member(shard, "count", json_type_int);
    c->shards_missing = missing ? json_object_array_length(missing) : 0;
    c->shards_count = count ? json_object_get_int(count) : 0;
    json_object *first = c->shards_missing ? json_object_array_get_idx(missing, 0) : NULL;
    c->shard_missing_first =
        json_object_is_type(first, json_type_int) ? json_object_get_int(first) : -1;
}

/* Whether the recorded command ended by itself, not killed: with exit 0,
 * or with the 1 by which ping, fping and hping3 say some target did not
 * answer, their summary printed all the same (Ctrl-C is how ping without
 * -c, fping -l and hping3 without -c end: a silent target must not make
 * that run cut short). Not hping3 --scan, never seen to end so. */
static bool ended_by_itself(json_object *run)
{
    json_object *cmd = member(run, "command", json_type_object);
    json_object *exit_status = member(cmd, "exit_status", json_type_int);
    if (!exit_status || member(cmd, "signal", json_type_string))
        return false;
    int rc = json_object_get_int(exit_status);
    if (rc != 1)
        return rc == 0;
    struct st_scanner_cmd s;
    if (st_scanner_cmd_json(member(run, "command_line", json_type_array), &s) < 0)
        return false;
    bool summary_on_int = !strcmp(s.name, "ping") || !strcmp(s.name, "ping6") ||
                          !strcmp(s.name, "fping") || !strcmp(s.name, "fping6") ||
                          (!strcmp(s.name, "hping3") && !strstr(s.mode, "--scan"));
    st_scanner_cmd_free(&s);
    return summary_on_int;
}

int st_run_read(struct st_run_json *r, struct st_comparison *c, struct st_trace *t, char *why,
                size_t whysz)
{
    json_object *run = r->doc;
    json_object *dropped =
        member(member(run, "capture", json_type_object), "dropped", json_type_int);
    if (dropped && json_object_get_int64(dropped) >= 0) {
        c->capture_dropped = (uint64_t)json_object_get_int64(dropped);
        c->dropped_known = true;
    }
    c->capture_whole = member(run, "capture", json_type_object) != NULL;
    c->scanner_end_ns = command_end(run);
    c->capture_chosen = interfaces_chosen(member(run, "command_line", json_type_array));
    shards_missing(c, member(run, "shard", json_type_object));
    asked_mode(member(run, "command_line", json_type_array), t);
    command_targets6(member(run, "command_line", json_type_array), t);
    local_addresses(member(run, "local_addresses", json_type_array), t);
    local_clock(member(run, "local_clock", json_type_object), c);
    /* A run record never finished ("running": record killed outright, or
     * still going) is cut short; so is one interrupted, unless the command
     * then ended by itself with success (ping's and fping -l's summary on
     * Ctrl-C is their normal end) */
    json_object *status = member(run, "status", json_type_string);
    bool ended_well = ended_by_itself(run);
    const char *st = status ? json_object_get_string(status) : "";
    if (!strcmp(st, "running") || (!strcmp(st, "interrupted") && !ended_well))
        t->interrupted = true;
    t->unfinished = !strcmp(st, "running");
    return read_verdicts(r, t, why, whysz);
}

static struct {
    char path[4200];
    char why[200];
    struct st_run_json r;
    const char *map; /* the file's text, mapped (a /8's run.json is gigabytes) */
    size_t len;
    bool read, mapped, parsed;
} cached;

static struct st_run_json *run_json_get(const char *rundir, const char **why)
{
    char path[sizeof cached.path];
    snprintf(path, sizeof path, "%s/run.json", rundir);
    if (!cached.read || strcmp(cached.path, path)) {
        st_run_json_forget();
        snprintf(cached.path, sizeof cached.path, "%s", path);
        cached.read = true;
        cached.mapped = st_json_map(path, &cached.map, &cached.len, cached.why, sizeof cached.why);
        if (cached.mapped) {
            cached.parsed = !st_run_json_parse_mapped(&cached.r, cached.map, cached.len);
            if (!cached.parsed)
                snprintf(cached.why, sizeof cached.why, "%s", cached.r.why);
        }
    }
    if (why)
        *why = cached.why;
    return cached.parsed ? &cached.r : NULL;
}

json_object *st_run_json_doc(const char *rundir, const char **why)
{
    struct st_run_json *r = run_json_get(rundir, why);
    return r ? r->doc : NULL;
}

void st_run_json_forget(void)
{
    if (cached.parsed)
        st_run_json_free(&cached.r);
    if (cached.mapped)
        st_json_unmap(cached.map, cached.len);
    memset(&cached, 0, sizeof cached);
}

int st_run_json_read(const char *rundir, struct st_trace *t, struct st_comparison *out, char *err,
                     size_t errsz)
{
    char path[4200], why[256];
    snprintf(path, sizeof path, "%s/run.json", rundir);
    if (access(path, F_OK) != 0)
        return 0;
    const char *why_json;
    struct st_run_json *run = run_json_get(rundir, &why_json);
    if (!run) {
        snprintf(err, errsz, "%s: not valid JSON (%s)", path, why_json);
        return -1;
    }
    struct st_comparison c;
    memset(&c, 0, sizeof c);
    int rc = st_run_read(run, &c, t, why, sizeof why);
    if (rc) {
        snprintf(err, errsz, "%s: %s", path, why);
        return -1;
    }
    out->capture_dropped = c.capture_dropped;
    out->dropped_known = c.dropped_known;
    out->capture_whole = c.capture_whole;
    out->capture_chosen = c.capture_chosen;
    out->scanner_end_ns = c.scanner_end_ns;
    out->shards_missing = c.shards_missing;
    out->shards_count = c.shards_count;
    out->shard_missing_first = c.shard_missing_first;
    out->clock_known = c.clock_known;
    out->clock_offset_s = c.clock_offset_s;
    memcpy(out->clock_zone, c.clock_zone, sizeof c.clock_zone);
    return 1;
}
