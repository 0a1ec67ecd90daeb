/*
 * report.json, version 1 (the contract of README "report.json"):
 * scantrace_report, trace, capture, clock_offset_s, summary, packets (every
 * trace packet line exactly once, every frame at most once, in time order)
 * and modes (per mode and host: verdict, reason, probes, replies, wire-only).
 * Fields are only ever added to version 1, never renamed or removed.
 */
#include <math.h>
#include <string.h>

#include "packet.h"
#include "report.h"

static json_object *jstr(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *jaddr(uint32_t a)
{
    char s[16];
    return json_object_new_string(st_ip4_str(a, s));
}

/* Seconds as a JSON number rounded to the nanosecond. */
static json_object *jsecs(int64_t ns)
{
    char s[40];
    snprintf(s, sizeof s, "%s%lld.%09lld", ns < 0 ? "-" : "", (long long)llabs(ns) / 1000000000,
             (long long)llabs(ns) % 1000000000);
    return json_object_new_double_s((double)ns / 1e9, s);
}

static json_object *trace_obj(const struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", jstr(c->trace_path));
    json_object_object_add(o, "dialect", jstr(t->dialect));
    json_object_object_add(o, "lines", json_object_new_int64(t->lines));
    json_object_object_add(o, "packets", json_object_new_int64((int64_t)t->npkts));
    json_object_object_add(o, "connects", json_object_new_int64((int64_t)t->nconns));
    json_object_object_add(o, "malformed_lines", json_object_new_int64((int64_t)t->malformed));
    json_object *w = json_object_new_array();
    for (size_t i = 0; i < t->nwarnings; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "line", json_object_new_int64(t->warnings[i].line));
        json_object_object_add(e, "message", jstr(t->warnings[i].message));
        json_object_array_add(w, e);
    }
    json_object_object_add(o, "warnings", w);
    return o;
}

static json_object *capture_obj(const struct st_comparison *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", jstr(c->capture_path));
    json_object_object_add(o, "frames", json_object_new_int64((int64_t)c->cap->n));
    json_object_object_add(o, "dissector", jstr(c->cap->dissector));
    if (c->dropped_known)
        json_object_object_add(o, "dropped", json_object_new_int64((int64_t)c->capture_dropped));
    return o;
}

static json_object *summary_obj(const struct st_comparison *c)
{
    size_t counts[16];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "matched", json_object_new_int64((int64_t)c->matched));
    json_object_object_add(o, "trace_only", json_object_new_int64((int64_t)c->trace_only));
    json_object_object_add(o, "wire_only", json_object_new_int64((int64_t)c->wire_only));
    json_object_object_add(o, "discrepancies", json_object_new_int64((int64_t)c->discrepancies));
    st_cause_counts(c, counts);
    json_object *by = json_object_new_object();
    for (int k = 1; k < 16; k++)
        if (counts[k])
            json_object_object_add(by, st_cause_name((enum st_cause)k),
                                   json_object_new_int64((int64_t)counts[k]));
    json_object_object_add(o, "causes", by);
    return o;
}

static json_object *packet_obj(const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_item_pkt(c, it, &tmp);
    enum st_dir dir = st_item_dir(c, it);
    char text[ST_LINE_MAX];
    json_object *o = json_object_new_object();

    json_object_object_add(o, "status",
                           jstr(st_status_name(it->trace >= 0 && it->frame >= 0, it->trace >= 0)));
    json_object_object_add(o, "dir", jstr(dir == ST_DIR_SENT ? "sent" : "rcvd"));
    if (it->trace >= 0)
        json_object_object_add(o, "line", json_object_new_int64(c->trace->pkts[it->trace].line));
    if (it->frame >= 0)
        json_object_object_add(o, "frame", json_object_new_int64(p->frame));
    json_object_object_add(o, "proto", jstr(st_proto_label(p)));
    json_object_object_add(o, "mode", jstr(st_item_mode(c, it)));
    uint32_t host = st_pkt_host(c, p, dir);
    if (host)
        json_object_object_add(o, "host", jaddr(host));
    enum st_cause cause = st_item_cause(c, it);
    if (cause != ST_CAUSE_NONE)
        json_object_object_add(o, "cause", jstr(st_cause_name(cause)));
    if (st_format_brief(p, text, sizeof text) < 0)
        text[0] = '\0';
    json_object_object_add(o, "text", jstr(text));
    if (it->trace >= 0 && it->frame >= 0)
        json_object_object_add(
            o, "delay_s", jsecs(p->time_ns - (c->trace->pkts[it->trace].time_ns + c->offset_ns)));
    return o;
}

/* {"line", "frame", "text"} for a trace packet of a host */
static json_object *ref_obj(const struct st_comparison *c, long ti)
{
    const struct st_pkt *p = &c->trace->pkts[ti];
    struct st_pkt tmp;
    char kind[128];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "line", json_object_new_int64(p->line));
    if (c->t2f[ti] >= 0)
        json_object_object_add(o, "frame",
                               json_object_new_int64(st_frame(c, c->t2f[ti], &tmp)->frame));
    else
        json_object_object_add(o, "frame", NULL);
    st_format_kind(p, kind, sizeof kind);
    json_object_object_add(o, "text", jstr(kind));
    return o;
}

static json_object *modes_arr(const struct st_comparison *c)
{
    json_object *arr = json_object_new_array();
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        json_object *mo = json_object_new_object();
        json_object *hosts = json_object_new_array();
        json_object_object_add(mo, "mode", jstr(mode->name));
        for (size_t h = 0; h < mode->nhosts; h++) {
            const struct st_mode_host *hh = &mode->hosts[h];
            json_object *ho = json_object_new_object();
            json_object_object_add(ho, "host", jaddr(hh->addr));
            json_object_object_add(ho, "verdict", jstr(hh->up ? "up" : "down"));
            json_object_object_add(ho, "reason", jstr(hh->reason));
            json_object_object_add(
                ho, "latency_s", hh->latency_s >= 0 ? json_object_new_double(hh->latency_s) : NULL);
            json_object *pr = json_object_new_array(), *re = json_object_new_array(),
                        *wi = json_object_new_array();
            for (size_t i = 0; i < hh->nprobes; i++)
                json_object_array_add(pr, ref_obj(c, hh->probes[i]));
            for (size_t i = 0; i < hh->nreplies; i++)
                json_object_array_add(re, ref_obj(c, hh->replies[i]));
            for (size_t i = 0; i < hh->nwire; i++) {
                long f = hh->wire[i];
                struct st_pkt p;
                st_frame(c, f, &p);
                char kind[128];
                json_object *w = json_object_new_object();
                p.dir = c->fdir[f];
                st_format_kind(&p, kind, sizeof kind);
                json_object_object_add(w, "frame", json_object_new_int64(p.frame));
                json_object_object_add(w, "dir", jstr(p.dir == ST_DIR_SENT ? "sent" : "rcvd"));
                json_object_object_add(w, "cause", jstr(st_cause_name(c->fcause[f])));
                json_object_object_add(w, "text", jstr(kind));
                json_object_array_add(wi, w);
            }
            json_object_object_add(ho, "probes", pr);
            json_object_object_add(ho, "replies", re);
            json_object_object_add(ho, "wire_only", wi);
            json_object_array_add(hosts, ho);
        }
        json_object_object_add(mo, "hosts", hosts);
        json_object_array_add(arr, mo);
    }
    return arr;
}

json_object *st_report_json(const struct st_comparison *c)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "scantrace_report", json_object_new_int(1));
    json_object_object_add(o, "trace", trace_obj(c));
    json_object_object_add(o, "capture", capture_obj(c));
    json_object_object_add(o, "clock_offset_s", jsecs(c->offset_ns));
    json_object_object_add(o, "summary", summary_obj(c));
    size_t n;
    struct st_item *items = st_items(c, &n);
    json_object *pk = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(pk, packet_obj(c, &items[i]));
    free(items);
    json_object_object_add(o, "packets", pk);
    json_object_object_add(o, "modes", modes_arr(c));
    return o;
}
