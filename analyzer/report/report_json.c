/*
 * report.json, version 1 (the contract of README "report.json"):
 * scantrace_report, trace, capture, clock_offset_s, summary, packets (every
 * trace packet line exactly once, every frame at most once, in time order)
 * and modes (per mode and host: verdict, reason, probes, replies, wire-only).
 * Fields are only ever added to version 1, never renamed or removed.
 *
 * Written as it is produced (jsonw.h), in json-c's layout: a sweep's report
 * holds a packet per frame, and a tree of it in memory cost more than the
 * comparison itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

static void addr(struct st_jw *w, const char *key, uint32_t a)
{
    char s[ST_HOST_STRLEN];
    st_jw_string(w, key, st_host_str(a, s));
}

/* Seconds as a JSON number to the nanosecond. */
static void secs(struct st_jw *w, const char *key, int64_t ns)
{
    char s[40];
    snprintf(s, sizeof s, "%s%lld.%09lld", ns < 0 ? "-" : "", (long long)llabs(ns) / 1000000000,
             (long long)llabs(ns) % 1000000000);
    st_jw_number(w, key, s);
}

static void trace_obj(struct st_jw *w, const struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    st_jw_object(w, "trace");
    st_jw_string(w, "path", c->trace_path);
    st_jw_string(w, "dialect", t->dialect);
    st_jw_int(w, "lines", t->lines);
    st_jw_int(w, "packets", (int64_t)t->npkts);
    st_jw_int(w, "connects", (int64_t)t->nconns);
    st_jw_int(w, "malformed_lines", (int64_t)t->malformed);
    st_jw_int(w, "runs", (int64_t)(t->nruns ? t->nruns : 1));
    if (c->no_trace_why)
        st_jw_string(w, "no_trace_why", c->no_trace_why);
    else
        st_jw_null(w, "no_trace_why");
    st_jw_array(w, "warnings");
    for (size_t i = 0; i < t->nwarnings; i++) {
        st_jw_object(w, NULL);
        st_jw_int(w, "line", t->warnings[i].line);
        st_jw_string(w, "message", t->warnings[i].message);
        st_jw_end_object(w);
    }
    st_jw_end_array(w);
    st_jw_end_object(w);
}

static void capture_obj(struct st_jw *w, const struct st_comparison *c)
{
    st_jw_object(w, "capture");
    st_jw_string(w, "path", c->capture_path);
    st_jw_int(w, "frames", (int64_t)c->cap->n);
    st_jw_string(w, "dissector", c->cap->dissector);
    if (c->dropped_known)
        st_jw_int(w, "dropped", (int64_t)c->capture_dropped);
    st_jw_end_object(w);
}

static void summary_obj(struct st_jw *w, const struct st_comparison *c)
{
    size_t counts[ST_CAUSE_COUNT];
    st_jw_object(w, "summary");
    st_jw_int(w, "matched", (int64_t)c->matched);
    st_jw_int(w, "trace_only", (int64_t)c->trace_only);
    st_jw_int(w, "wire_only", (int64_t)c->wire_only);
    st_jw_int(w, "discrepancies", (int64_t)c->discrepancies);
    char result[ST_RESULT_MAX];
    st_jw_bool(w, "passes", st_compare_result(c, result, sizeof result));
    st_jw_string(w, "result", result);
    st_jw_int(w, "judged", (int64_t)c->judged);
    st_jw_int(w, "unjudged", (int64_t)c->unjudged);
    st_jw_int(w, "empty_modes", (int64_t)c->empty_modes);
    if (c->trace->unsent) /* only then: the reports of other runs stay as they were */
        st_jw_int(w, "unsent", (int64_t)c->trace->unsent);
    if (c->altered) /* likewise: matched packets whose frame shows other values */
        st_jw_int(w, "altered", (int64_t)c->altered);
    if (c->miscounted) { /* likewise: nping's statistics against its probes */
        st_jw_int(w, "miscounted", (int64_t)c->miscounted);
        st_jw_int(w, "miscounted_unprobed", (int64_t)c->miscounted_unprobed);
    }
    if (c->echo_ids_mixed) /* likewise: hosts whose counts were not checked */
        st_jw_int(w, "echo_ids_mixed", (int64_t)c->echo_ids_mixed);
    st_cause_counts(c, counts);
    st_jw_object(w, "causes");
    for (int k = 1; k < ST_CAUSE_COUNT; k++)
        if (counts[k])
            st_jw_int(w, st_cause_name((enum st_cause)k), (int64_t)counts[k]);
    st_jw_end_object(w);
    st_jw_end_object(w);
}

/* "fragments": the probe's train, each with its offset and IP payload bytes */
static void fragments(struct st_jw *w, const struct st_comparison *c, long f)
{
    st_jw_array(w, "fragments");
    for (long k = f; k >= 0; k = st_frame_next(c, k)) {
        struct st_pkt tmp;
        const struct st_pkt *p = st_frame(c, k, &tmp);
        st_jw_object(w, NULL);
        st_jw_int(w, "frame", p->frame);
        if (p->net == ST_NET_IPV6) { /* its Fragment header's, and the data after it */
            st_jw_int(w, "offset", p->ip6.frag_off * 8);
            st_jw_int(w, "bytes", p->ip6.plen - 8);
            st_jw_bool(w, "more", p->ip6.frag_more);
        } else {
            st_jw_int(w, "offset", (p->ip.frag & 0x1fff) * 8);
            st_jw_int(w, "bytes", p->ip.len - p->ip.ihl * 4);
            st_jw_bool(w, "more", (p->ip.frag & 0x2000) != 0);
        }
        st_jw_end_object(w);
    }
    st_jw_end_array(w);
}

static void packet_obj(struct st_jw *w, const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp, ttmp;
    const struct st_pkt *p = st_item_pkt(c, it, &tmp);
    /* the trace's packet, unpacked once (a /16's report has 131k of them) */
    const struct st_pkt *tp =
        it->trace >= 0 ? st_trace_pkt(c->trace, (size_t)it->trace, &ttmp) : NULL;
    enum st_dir dir = st_item_dir(c, it);
    char text[ST_LINE_MAX];

    st_jw_object(w, NULL);
    st_jw_string(w, "status", st_status_name(it->trace >= 0 && it->frame >= 0, it->trace >= 0));
    st_jw_string(w, "dir", dir == ST_DIR_SENT ? "sent" : "rcvd");
    if (tp)
        st_jw_int(w, "line", tp->line);
    if (it->frame >= 0)
        st_jw_int(w, "frame", p->frame);
    st_jw_string(w, "proto", st_proto_label(p));
    st_jw_string(w, "mode", st_item_mode(c, it));
    uint32_t host = st_pkt_host(c, p, dir);
    if (host)
        addr(w, "host", host);
    enum st_cause cause = st_item_cause(c, it);
    if (cause != ST_CAUSE_NONE)
        st_jw_string(w, "cause", st_cause_name(cause));
    /* a fragment train's first frame may not hold the whole header: the
     * probe is the datagram the trace shows */
    bool train = tp && st_train_frames(c, it->frame, NULL, 0);
    if (st_format_brief(train ? tp : p, text, sizeof text) < 0)
        text[0] = '\0';
    st_jw_string(w, "text", text);
    if (tp && it->frame >= 0)
        secs(w, "delay_s", p->time_ns - (tp->time_ns + c->offset_ns));
    char why[192];
    if (tp && it->frame >= 0 && st_altered_why(c, (size_t)it->trace, why, sizeof why))
        st_jw_string(w, "altered", why); /* only then: other reports stay as they were */
    if (train)
        fragments(w, c, it->frame);
    st_jw_end_object(w);
}

/* {"line", "frame", "text"} for a trace packet of a host */
static void ref_obj(struct st_jw *w, const struct st_comparison *c, long ti)
{
    const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0});
    struct st_pkt tmp;
    char kind[128];
    st_jw_object(w, NULL);
    st_jw_int(w, "line", p->line);
    if (c->t2f[ti] >= 0)
        st_jw_int(w, "frame", st_frame(c, c->t2f[ti], &tmp)->frame);
    else
        st_jw_null(w, "frame");
    st_format_kind(p, kind, sizeof kind);
    st_jw_string(w, "text", kind);
    char why[192];
    if (c->t2f[ti] >= 0 && st_altered_why(c, (size_t)ti, why, sizeof why))
        st_jw_string(w, "altered", why);
    st_jw_end_object(w);
}

static void refs(struct st_jw *w, const char *key, const struct st_comparison *c, const int32_t *ti,
                 size_t n)
{
    st_jw_array(w, key);
    for (size_t i = 0; i < n; i++)
        ref_obj(w, c, ti[i]);
    st_jw_end_array(w);
}

static void wire_obj(struct st_jw *w, const struct st_comparison *c, long f)
{
    struct st_pkt p;
    char kind[128];
    st_frame(c, f, &p);
    p.dir = c->fdir[f];
    st_format_kind(&p, kind, sizeof kind);
    st_jw_object(w, NULL);
    st_jw_int(w, "frame", p.frame);
    st_jw_string(w, "dir", p.dir == ST_DIR_SENT ? "sent" : "rcvd");
    st_jw_string(w, "cause", st_cause_name(c->fcause[f]));
    st_jw_string(w, "text", kind);
    st_jw_end_object(w);
}

/* A group's "group": true and "members" (the hosts of its mode its
 * probes found), or a member's "member_of" (the groups whose probes found
 * it); nothing for any other host. */
static void group_fields(struct st_jw *w, const struct st_comparison *c, const struct st_mode *mode,
                         const struct st_mode_host *h)
{
    if (h->group) {
        st_jw_bool(w, "group", true);
        st_jw_array(w, "members");
        for (size_t k = 0; k < mode->nhosts; k++)
            if (st_host_member_of(c, &mode->hosts[k], h->addr))
                addr(w, NULL, mode->hosts[k].addr);
        st_jw_end_array(w);
        return;
    }
    uint32_t *g = malloc((h->nprobes ? h->nprobes : 1) * sizeof *g);
    if (!g)
        abort();
    size_t n = st_host_groups(c, h, g);
    if (n) {
        st_jw_array(w, "member_of");
        for (size_t k = 0; k < n; k++)
            addr(w, NULL, g[k]);
        st_jw_end_array(w);
    }
    free(g);
}

static void host_obj(struct st_jw *w, const struct st_comparison *c, const struct st_mode *mode,
                     const struct st_mode_host *h)
{
    st_jw_object(w, NULL);
    addr(w, "host", h->addr);
    st_jw_string(w, "verdict", h->up ? "up" : "down");
    st_jw_string(w, "reason", h->reason);
    st_report_claim_json(w, c, mode->run, h->addr);
    if (h->latency_s >= 0)
        st_jw_double(w, "latency_s", h->latency_s);
    else
        st_jw_null(w, "latency_s");
    refs(w, "probes", c, h->probes, h->nprobes);
    /* only a miscount, every other report stays as it was */
    const struct st_miscount *k = c->nmiscounts ? st_miscount_of(c, mode, h->addr) : NULL;
    if (k && k->sent_wrong)
        st_jw_int(w, "stated_sent", k->stated_sent);
    if (k && k->rcvd_wrong)
        st_jw_int(w, "stated_rcvd", k->stated_rcvd);
    if (k) { /* what compare counted: its trace's lines, or the wire's frames */
        st_jw_object(w, "counted");
        st_jw_int(w, "sent", k->counted_sent);
        st_jw_int(w, "rcvd", k->counted_rcvd);
        st_jw_end_object(w);
    }
    refs(w, "replies", c, h->replies, h->nreplies);
    if (h->nlater) { /* nmap's later phases: only where there are some */
        struct st_later l;
        st_host_later(c, h, &l);
        st_jw_object(w, "later");
        st_jw_int(w, "sent", (int64_t)l.sent);
        st_jw_int(w, "rcvd", (int64_t)l.rcvd);
        st_jw_int(w, "on_wire", (int64_t)l.on_wire);
        st_jw_int(w, "first_line", l.first_line);
        st_jw_int(w, "last_line", l.last_line);
        st_jw_int(w, "first_frame", l.first_frame);
        st_jw_int(w, "last_frame", l.last_frame);
        st_jw_end_object(w);
    }
    if (c->ngroups) /* a group pinged: only then, every other report stays as it was */
        group_fields(w, c, mode, h);
    st_jw_array(w, "wire_only");
    for (size_t i = 0; i < h->nwire; i++)
        wire_obj(w, c, h->wire[i]);
    st_jw_end_array(w);
    st_jw_end_object(w);
}

static void modes_arr(struct st_jw *w, const struct st_comparison *c)
{
    st_jw_array(w, "modes");
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        st_jw_object(w, NULL);
        st_jw_string(w, "mode", mode->name);
        st_jw_array(w, "hosts");
        for (size_t h = 0; h < mode->nhosts; h++)
            host_obj(w, c, mode, &mode->hosts[h]);
        st_jw_end_array(w);
        st_jw_end_object(w);
    }
    st_jw_end_array(w);
}

void st_report_json_write(const struct st_comparison *c, FILE *out)
{
    struct st_jw w;
    st_jw_init(&w, out, false);
    st_jw_object(&w, NULL);
    st_jw_int(&w, "scantrace_report", 1);
    trace_obj(&w, c);
    capture_obj(&w, c);
    secs(&w, "clock_offset_s", c->offset_ns);
    summary_obj(&w, c);
    size_t n;
    struct st_item *items = st_items(c, &n);
    st_jw_array(&w, "packets");
    for (size_t i = 0; i < n; i++)
        packet_obj(&w, c, &items[i]);
    st_jw_end_array(&w);
    free(items);
    modes_arr(&w, c);
    st_report_claims_json(&w, c);
    st_jw_end_object(&w);
    fputc('\n', out);
}

json_object *st_report_json(const struct st_comparison *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        abort();
    st_report_json_write(c, f);
    if (fclose(f))
        abort();
    json_object *doc = json_tokener_parse(text);
    free(text);
    return doc;
}
