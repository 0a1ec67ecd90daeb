/*
 * Loading one side of a diff. A trace (with its run.json, in a run
 * directory) goes through the same summary as compare, without a capture:
 * diff compares what the scanners did and concluded, not the wire. A
 * report.json is read as it is (kinds only, no records).
 */
#include "diffview.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "packet.h"
#include "run_read.h"

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Where text k is in a set of cap slots, or the empty slot it would take. */
static size_t slot(char *const *set, size_t cap, const char *k)
{
    size_t j = hash_str(k) & (cap - 1);
    while (set[j] && strcmp(set[j], k))
        j = (j + 1) & (cap - 1);
    return j;
}

/* The view's copy of text k: one per distinct kind (a -PS1-65535 sweep has
 * 65,535 of them, a sweep's packets otherwise a handful). */
static const char *intern(struct st_diffview *v, const char *k)
{
    if (2 * (v->nkinds + 1) > v->kinds_cap) {
        size_t cap = v->kinds_cap ? 2 * v->kinds_cap : 64;
        char **t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < v->kinds_cap; i++)
            if (v->kinds[i])
                t[slot(t, cap, v->kinds[i])] = v->kinds[i];
        free(v->kinds);
        v->kinds = t;
        v->kinds_cap = cap;
    }
    size_t j = slot(v->kinds, v->kinds_cap, k);
    if (!v->kinds[j]) {
        v->kinds[j] = strdup(k);
        if (!v->kinds[j])
            abort();
        v->nkinds++;
    }
    return v->kinds[j];
}

const struct st_pkt *st_dv_pkt_record(const struct st_dv_pkt *p, struct st_pkt *tmp)
{
    return p->trace && p->rec >= 0 ? st_trace_pkt(p->trace, (size_t)p->rec, tmp) : NULL;
}

/* Packet rec of the view's trace (-1: none, its kind given) to host h. */
static void add_pkt(struct st_diffview *v, struct st_dv_host *h, int32_t rec, bool sent,
                    const char *kind)
{
    if (!(h->npkts & (h->npkts - 1))) { /* room doubles at each power of two */
        struct st_dv_pkt *n = realloc(h->pkts, (h->npkts ? 2 * h->npkts : 1) * sizeof *n);
        if (!n)
            abort();
        h->pkts = n;
    }
    struct st_dv_pkt *d = &h->pkts[h->npkts++];
    *d = (struct st_dv_pkt){sent, rec, NULL, rec >= 0 ? &v->trace : NULL};
    if (rec >= 0) {
        char text[96];
        struct st_pkt k;
        st_trace_pkt(&v->trace, (size_t)rec, &k);
        k.dir = sent ? ST_DIR_SENT : ST_DIR_RCVD;
        st_format_kind(&k, text, sizeof text);
        d->kind = intern(v, text);
    } else {
        /* a report.json entry without "text" still gets a row */
        d->kind = intern(v, kind ? kind : "?");
    }
}

static void host_free(struct st_dv_host *h)
{
    free(h->pkts);
}

static int load_trace(const char *trace_path, const char *rundir, struct st_diffview *v, char *err,
                      size_t errsz)
{
    if (st_trace_read(trace_path, &v->trace, err, errsz))
        return -1;
    v->own_trace = true;
    if (!v->trace.npkts) {
        snprintf(err, errsz, "%s: no SENT/RCVD/CONN lines", trace_path);
        return -1;
    }
    struct st_comparison unused;
    if (rundir && st_run_json_read(rundir, &v->trace, &unused, err, errsz) < 0)
        return -1;
    snprintf(v->dialect, sizeof v->dialect, "%s", v->trace.dialect);
    snprintf(v->none.dissector, sizeof v->none.dissector, "none");
    st_compare_run(&v->cmp, &v->trace, &v->none);
    st_compare_summarize(&v->cmp);
    v->has_packets = true;
    v->nmodes = v->cmp.nmodes;
    v->modes = xcalloc(v->nmodes, sizeof *v->modes);
    for (size_t m = 0; m < v->nmodes; m++) {
        const struct st_mode *src = &v->cmp.modes[m];
        struct st_dv_mode *dst = &v->modes[m];
        int32_t *probes = NULL;
        size_t nprobes = 0;
        snprintf(dst->name, sizeof dst->name, "%s", src->name);
        dst->nhosts = src->nhosts;
        dst->hosts = xcalloc(src->nhosts, sizeof *dst->hosts);
        for (size_t h = 0; h < src->nhosts; h++) {
            const struct st_mode_host *sh = &src->hosts[h];
            struct st_dv_host *dh = &dst->hosts[h];
            dh->addr = sh->addr;
            dh->up = sh->up;
            snprintf(dh->reason, sizeof dh->reason, "%s", sh->reason);
            probes = realloc(probes, (nprobes + sh->nprobes + 1) * sizeof *probes);
            if (!probes)
                abort();
            for (size_t i = 0; i < sh->nprobes; i++) {
                probes[nprobes++] = sh->probes[i];
                add_pkt(v, dh, sh->probes[i], true, NULL);
            }
            for (size_t i = 0; i < sh->nreplies; i++)
                add_pkt(v, dh, sh->replies[i], false, NULL);
        }
        char *canon = st_mode_name_of_trace(&v->trace, probes, nprobes);
        snprintf(dst->canon, sizeof dst->canon, "%s", canon);
        free(canon);
        free(probes);
    }
    return 0;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

json_object *st_diffview_json(const char *path, char *why, size_t whysz)
{
    const char *text;
    size_t len;
    struct st_run_json r;
    if (!st_json_map(path, &text, &len, why, whysz))
        return NULL;
    json_object *doc = NULL;
    if (st_json_split_parse_part(&r, text, 0, len, "modes", "packets", true))
        snprintf(why, whysz, "%s", r.why);
    else
        doc = r.doc;
    st_json_unmap(text, len);
    return doc;
}

/* A report's host (an element of its mode's "hosts") into dh; -1 with
 * what is wrong in why when its address or verdict is not one (a report
 * edited by hand: "not-an-ip" would be 0.0.0.0, "sideways" down). */
static int host_of(struct st_diffview *v, struct st_dv_host *dh, json_object *ho, char *why,
                   size_t whysz)
{
    json_object *list;
    const char *verdict = jstr(ho, "verdict");
    if (!st_host_parse(jstr(ho, "host"), &dh->addr)) {
        snprintf(why, whysz, "host \"%.64s\" is no address", jstr(ho, "host"));
        return -1;
    }
    if (strcmp(verdict, "up") && strcmp(verdict, "down")) {
        snprintf(why, whysz, "host %.64s: verdict \"%.32s\" (up or down)", jstr(ho, "host"),
                 verdict);
        return -1;
    }
    dh->up = !strcmp(verdict, "up");
    snprintf(dh->reason, sizeof dh->reason, "%s", jstr(ho, "reason"));
    static const char *const lists[2] = {"probes", "replies"};
    for (int l = 0; l < 2; l++)
        if (json_object_object_get_ex(ho, lists[l], &list))
            for (size_t i = 0; i < json_object_array_length(list); i++)
                add_pkt(v, dh, -1, l == 0, jstr(json_object_array_get_idx(list, i), "text"));
    return 0;
}

/* A report's mode's name, from its object (its "mode"). */
static void name_mode(struct st_dv_mode *dst, json_object *mo)
{
    /* a report of scantrace 0.1 named scan's modes "echo", "syn:22,443" */
    st_nmap_mode_label(jstr(mo, "mode"), dst->name, sizeof dst->name);
    snprintf(dst->canon, sizeof dst->canon, "%s", dst->name);
}

/* What the walk of a report's modes fills. */
struct report_walk {
    struct st_diffview *v;
    const char *text; /* the whole report */
    struct st_dv_mode *mode;
    char *err;
    size_t errsz;
};

static int add_host(json_object *ho, size_t i, void *ctx)
{
    struct report_walk *w = ctx;
    char why[160];
    if (i >= w->mode->nhosts) /* the walk counted them: never */
        return -1;
    if (host_of(w->v, &w->mode->hosts[i], ho, why, sizeof why) < 0) {
        snprintf(w->err, w->errsz, "%s: not a scantrace report.json (mode %s: %s)", w->v->path,
                 w->mode->name, why);
        return -1;
    }
    return 0;
}

/* Mode i of the report, whole[from..to): its name, then its hosts one at a
 * time (a /16's are 65,536 objects: never all made at once). */
static int add_mode(size_t from, size_t to, size_t i, void *ctx)
{
    struct report_walk *w = ctx;
    if (i >= w->v->nmodes) /* the walk counted them: never */
        return -1;
    struct st_dv_mode *dst = w->mode = &w->v->modes[i];
    struct st_run_json m;
    int rc = st_json_split_parse_part(&m, w->text, from, to, "hosts", NULL, true);
    if (!rc) {
        name_mode(dst, m.doc);
        dst->nhosts = st_run_json_nhosts(&m);
        dst->hosts = xcalloc(dst->nhosts, sizeof *dst->hosts);
        rc = st_run_json_each_host(&m, add_host, w);
    }
    if (rc && !w->err[0])
        snprintf(w->err, w->errsz, "%s: not a scantrace report.json (%s)", w->v->path, m.why);
    st_run_json_free(&m);
    return rc;
}

/* The same, of a report json-c read whole (what the walk cannot read). */
static int add_mode_doc(json_object *mo, size_t i, void *ctx)
{
    struct report_walk *w = ctx;
    struct st_dv_mode *dst = w->mode = &w->v->modes[i];
    json_object *hosts;
    name_mode(dst, mo);
    if (!json_object_object_get_ex(mo, "hosts", &hosts))
        return 0;
    dst->nhosts = json_object_array_length(hosts);
    dst->hosts = xcalloc(dst->nhosts, sizeof *dst->hosts);
    for (size_t h = 0; h < dst->nhosts; h++)
        if (add_host(json_object_array_get_idx(hosts, h), h, w) < 0)
            return -1;
    return 0;
}

/* A report.json, mapped: every member but "packets" (half of it, nothing
 * diff reads) and "modes" parsed as one document, then the modes walked. */
static int load_report(const char *path, struct st_diffview *v, char *err, size_t errsz)
{
    const char *text;
    size_t len;
    char why[160];
    if (!st_json_map(path, &text, &len, why, sizeof why)) {
        snprintf(err, errsz, "%s: %s", path, why);
        return -1;
    }
    struct st_run_json top;
    json_object *modes, *trace;
    int rc = st_json_split_parse_part(&top, text, 0, len, "modes", "packets", true);
    if (rc || !json_object_object_get_ex(top.doc, "modes", &modes) ||
        !json_object_is_type(modes, json_type_array)) {
        snprintf(err, errsz, "%s: not a scantrace report.json%s%s%s", path, rc ? " (" : "",
                 rc ? top.why : "", rc ? ")" : "");
        st_run_json_free(&top);
        st_json_unmap(text, len);
        return -1;
    }
    json_object *version;
    if (json_object_object_get_ex(top.doc, "scantrace_report", &version) &&
        json_object_get_int(version) != 1) {
        /* (a later format may mean other things by the same keys) */
        snprintf(err, errsz, "%s: report.json format %d: this scantrace reads format 1", path,
                 json_object_get_int(version));
        st_run_json_free(&top);
        st_json_unmap(text, len);
        return -1;
    }
    if (json_object_object_get_ex(top.doc, "trace", &trace))
        snprintf(v->dialect, sizeof v->dialect, "%s", jstr(trace, "dialect"));
    v->nmodes = st_run_json_nhosts(&top);
    v->modes = xcalloc(v->nmodes, sizeof *v->modes);
    struct report_walk w = {v, text, NULL, err, errsz};
    err[0] = '\0';
    rc = top.split ? st_json_each_part(&top, add_mode, &w)
                   : st_run_json_each_host(&top, add_mode_doc, &w);
    if (rc && !err[0])
        snprintf(err, errsz, "%s: not a scantrace report.json (its modes cannot be read)", path);
    st_run_json_free(&top);
    st_json_unmap(text, len);
    return rc ? -1 : 0;
}

/* Whether `asked` names mode m: its name or the name of its probes, in
 * nmap's words or scantrace 0.1's ("syn:22,443"), or a bare option ("-PS")
 * that is the only one of its kind in the name. */
static bool names_mode(const struct st_dv_mode *m, const char *asked)
{
    char label[96];
    st_nmap_mode_label(asked, label, sizeof label);
    if (!strcmp(m->name, label) || !strcmp(m->canon, label))
        return true;
    size_t n = strlen(label);
    if (n != 3 || strncmp(label, "-P", 2))
        return false;
    const char *at = strstr(m->name, label);
    return at && (at == m->name || at[-1] == ' ') && !strstr(at + 1, label);
}

/* Keep only the mode named (as the run names it, or by its nmap name). */
static int keep_mode(struct st_diffview *v, const char *mode, char *err, size_t errsz)
{
    for (size_t m = 0; m < v->nmodes; m++) {
        if (!names_mode(&v->modes[m], mode))
            continue;
        struct st_dv_mode keep = v->modes[m];
        for (size_t k = 0; k < v->nmodes; k++)
            if (k != m) {
                for (size_t h = 0; h < v->modes[k].nhosts; h++)
                    host_free(&v->modes[k].hosts[h]);
                free(v->modes[k].hosts);
            }
        v->modes[0] = keep;
        v->nmodes = 1;
        return 0;
    }
    /* name the modes there are: the run's names are not always the ones asked */
    size_t len = (size_t)snprintf(err, errsz, "%s: no mode '%s' (its modes:", v->path, mode);
    for (size_t m = 0; m < v->nmodes && len < errsz; m++) {
        bool same = !strcmp(v->modes[m].name, v->modes[m].canon);
        /* quoted: a name may hold spaces ("-PE -PS443") */
        len += (size_t)snprintf(err + len, errsz - len, same ? "%s '%s'" : "%s '%s' (probes: %s)",
                                m ? "," : "", v->modes[m].name, v->modes[m].canon);
    }
    if (len < errsz)
        snprintf(err + len, errsz - len, ")");
    return -1;
}

int st_diffview_load(const char *spec, struct st_diffview *v, char *err, size_t errsz)
{
    char path[4096], mode[128] = "";

    memset(v, 0, sizeof *v);
    snprintf(path, sizeof path, "%s", spec);
    /* PATH:MODE, where MODE may hold colons itself ("syn:22,443"): the first
     * colon whose left side exists */
    for (const char *c = strchr(spec, ':'); !exists(spec) && c; c = strchr(c + 1, ':')) {
        snprintf(path, sizeof path, "%.*s", (int)(c - spec), spec);
        if (exists(path)) {
            snprintf(mode, sizeof mode, "%s", c + 1);
            break;
        }
        snprintf(path, sizeof path, "%s", spec);
    }
    snprintf(v->path, sizeof v->path, "%s", path);
    if (!exists(path)) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc;
    if (is_dir(path)) {
        char t[4200], r[4200];
        snprintf(t, sizeof t, "%s/trace.log", path);
        snprintf(r, sizeof r, "%s/report.json", path);
        if (exists(t)) {
            rc = load_trace(t, path, v, err, errsz);
            if (rc && v->own_trace && !v->trace.npkts && exists(r)) {
                /* no packet trace (another scanner): its side was built from
                 * the wire by compare, whose report.json holds it */
                st_trace_free(&v->trace);
                v->own_trace = false;
                rc = load_report(r, v, err, errsz);
            }
        } else if (exists(r))
            rc = load_report(r, v, err, errsz);
        else {
            snprintf(err, errsz, "%s: no trace.log or report.json in it", path);
            rc = -1;
        }
    } else if (ends_with(path, ".json")) {
        rc = load_report(path, v, err, errsz);
    } else {
        rc = load_trace(path, NULL, v, err, errsz);
    }
    if (rc == 0 && mode[0])
        rc = keep_mode(v, mode, err, errsz);
    return rc;
}

void st_diffview_free(struct st_diffview *v)
{
    for (size_t m = 0; m < v->nmodes; m++) {
        for (size_t h = 0; h < v->modes[m].nhosts; h++)
            host_free(&v->modes[m].hosts[h]);
        free(v->modes[m].hosts);
    }
    free(v->modes);
    if (v->own_trace) {
        st_compare_free(&v->cmp);
        st_trace_free(&v->trace);
    }
    for (size_t i = 0; i < v->kinds_cap; i++)
        free(v->kinds[i]);
    free(v->kinds);
    memset(v, 0, sizeof *v);
}
