/*
 * One self-contained HTML page for a run: no script, no font, no network;
 * CSS and SVG inline. A summary table, then per mode and host a ladder
 * (sequence) diagram: the scanner's lifeline on the left, the target's on
 * the right, time running down, one arrow per packet labelled like its
 * trace line. Matched packets are solid, trace-only (never on the wire) red
 * and dashed, wire-only packets the kernel sent or answered (os-*) purple,
 * other wire-only ones orange, late replies grey.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report.h"

/* One arrow of a ladder. */
struct rung {
    int64_t t;
    bool to_target; /* scanner -> target */
    const char *cls;
    char label[160];
    char where[224]; /* a fragment train lists its frames */
};

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

static const char *wire_class(enum st_cause c)
{
    switch (c) {
    case ST_CAUSE_OS_RST:
    case ST_CAUSE_OS_ARP:
    case ST_CAUSE_OS_TCP:
        return "kernel";
    case ST_CAUSE_LATE_REPLY:
    case ST_CAUSE_UNRELATED:
        return "late";
    default:
        return "wireonly";
    }
}

static void add_trace_rung(const struct st_comparison *c, long ti, struct rung *r)
{
    const struct st_pkt *p = &c->trace->pkts[ti];
    long f = c->t2f[ti];
    struct st_pkt tmp;
    const struct st_pkt *fr = f >= 0 ? st_frame(c, f, &tmp) : NULL;
    r->t = fr ? fr->time_ns : p->time_ns + c->offset_ns;
    r->to_target = p->dir == ST_DIR_SENT;
    r->cls = f >= 0 ? "matched" : "traceonly";
    char train[160];
    size_t nfrag = st_train_frames(c, f, train, sizeof train);
    st_format_brief(fr ? fr : p, r->label, sizeof r->label);
    if ((p->flags & ST_PKT_CONNECT) || nfrag) /* a train's first frame lacks the header */
        st_format_brief(p, r->label, sizeof r->label);
    if (nfrag)
        snprintf(r->where, sizeof r->where, "line %u, %zu IP fragments: frames %s", p->line, nfrag,
                 train);
    else if (f >= 0)
        snprintf(r->where, sizeof r->where, "line %u, frame %u", p->line, fr->frame);
    else
        snprintf(r->where, sizeof r->where, "line %u, not on the wire (%s)", p->line,
                 st_cause_name(c->tcause[ti]));
}

static void ladder(FILE *out, const struct st_comparison *c, const struct st_mode_host *h)
{
    size_t n = h->nprobes + h->nreplies + h->nwire;
    struct rung *r = calloc(n ? n : 1, sizeof *r);
    size_t k = 0;
    if (!r)
        abort();
    for (size_t i = 0; i < h->nprobes; i++)
        add_trace_rung(c, h->probes[i], &r[k++]);
    for (size_t i = 0; i < h->nreplies; i++)
        add_trace_rung(c, h->replies[i], &r[k++]);
    for (size_t i = 0; i < h->nwire; i++) {
        long f = h->wire[i];
        struct st_pkt tmp;
        const struct st_pkt *fr = st_frame(c, f, &tmp);
        r[k].t = fr->time_ns;
        r[k].to_target = c->fdir[f] == ST_DIR_SENT;
        r[k].cls = wire_class(c->fcause[f]);
        st_format_brief(fr, r[k].label, sizeof r[k].label);
        snprintf(r[k].where, sizeof r[k].where, "frame %u, wire only: %s", fr->frame,
                 st_cause_name(c->fcause[f]));
        k++;
    }
    qsort(r, k, sizeof *r, cmp_rung);

    const int width = 900, left = 170, right = 730, top = 50, step = 46;
    int height = top + (int)k * step + 30;
    char a[16];
    int64_t t0 = k ? r[0].t : 0;
    fprintf(out,
            "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
            width, height, width, height);
    fprintf(out, "<text class=\"life\" x=\"%d\" y=\"20\">scanner</text>\n", left);
    fprintf(out, "<text class=\"life\" x=\"%d\" y=\"20\">%s</text>\n", right,
            st_ip4_str(h->addr, a));
    fprintf(out, "<line class=\"lifeline\" x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\"/>\n", left, left,
            height - 10);
    fprintf(out, "<line class=\"lifeline\" x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\"/>\n", right,
            right, height - 10);
    for (size_t i = 0; i < k; i++) {
        int y = top + (int)i * step;
        int x1 = r[i].to_target ? left : right, x2 = r[i].to_target ? right : left;
        fprintf(out, "<g class=\"%s\"><title>", r[i].cls);
        st_xml_escape(out, r[i].where);
        fprintf(out, "</title>\n");
        fprintf(out, "<text class=\"time\" x=\"10\" y=\"%d\">+%.6f s</text>\n", y + 4,
                (double)(r[i].t - t0) / 1e9);
        fprintf(out,
                "<line class=\"arrow\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "marker-end=\"url(#head-%s)\"/>\n",
                x1, y + 10, x2, y + 20, r[i].cls);
        fprintf(out, "<text class=\"label\" x=\"%d\" y=\"%d\">", (left + right) / 2, y + 6);
        st_xml_escape(out, r[i].label);
        fprintf(out, "</text>\n<text class=\"where\" x=\"%d\" y=\"%d\">", (left + right) / 2,
                y + 32);
        st_xml_escape(out, r[i].where);
        fprintf(out, "</text></g>\n");
    }
    fprintf(out, "</svg>\n");
    free(r);
}

static const char style[] =
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:1000px}"
    "h1{font-size:1.4em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1em;margin:1.5em 0 .3em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;"
    "text-align:left}th{background:#f2f2f2}.up{color:#176e20;font-weight:bold}"
    ".down{color:#a01818;font-weight:bold}.bad{color:#a01818}"
    "svg.ladder{display:block;border:1px solid #eee;background:#fff}"
    ".life{font:bold 13px sans-serif;text-anchor:middle}.lifeline{stroke:#888;stroke-width:2}"
    ".time{font:11px monospace;fill:#666}.label{font:12px monospace;text-anchor:middle}"
    ".where{font:10px sans-serif;fill:#777;text-anchor:middle}.arrow{stroke-width:2}"
    ".matched .arrow{stroke:#222}.traceonly .arrow{stroke:#c62828;stroke-dasharray:6 4}"
    ".traceonly .label{fill:#c62828}.kernel .arrow{stroke:#7b1fa2;stroke-dasharray:2 3}"
    ".kernel .label{fill:#7b1fa2}.wireonly .arrow{stroke:#ef6c00}.wireonly .label{fill:#ef6c00}"
    ".late .arrow{stroke:#999}.late .label{fill:#888}"
    ".legend span{display:inline-block;margin-right:1.2em}.sw{display:inline-block;width:28px;"
    "height:0;border-top:3px solid;vertical-align:middle;margin-right:.3em}";

static void markers(FILE *out)
{
    static const struct {
        const char *cls, *color;
    } m[] = {{"matched", "#222"},
             {"traceonly", "#c62828"},
             {"kernel", "#7b1fa2"},
             {"wireonly", "#ef6c00"},
             {"late", "#999"}};
    fprintf(out, "<svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs>\n");
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        fprintf(out,
                "<marker id=\"head-%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
                "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
                m[i].cls, m[i].color);
    fprintf(out, "</defs></svg>\n");
}

void st_report_html(const struct st_comparison *c, FILE *out)
{
    char result[256];
    bool pass = st_compare_result(c, result, sizeof result);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>scantrace report</title><style>%s</style></head><body>\n",
            style);
    markers(out);
    fprintf(out, "<h1>scantrace: what each mode put on the wire</h1>\n<p>Trace <code>");
    st_xml_escape(out, c->trace_path);
    fprintf(out, "</code> (%s, %zu packet lines) against <code>", c->trace->dialect,
            c->trace->npkts);
    st_xml_escape(out, c->capture_path);
    fprintf(out,
            "</code> (%zu frames, %s): %zu matched, %zu trace-only, %zu wire-only &mdash; "
            "<b class=\"%s\">%s</b>.</p>\n",
            c->cap->n, c->cap->dissector, c->matched, c->trace_only, c->wire_only,
            pass ? "up" : "bad", result);
    st_report_claims_html(out, c);
    fprintf(out, "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:#222\"></i>in "
                 "the trace and on the wire</span><span><i class=\"sw\" "
                 "style=\"border-color:#c62828;border-top-style:dashed\"></i>traced, never on the "
                 "wire</span><span><i class=\"sw\" style=\"border-color:#7b1fa2;"
                 "border-top-style:dotted\"></i>the kernel's own (os-*)</span><span><i "
                 "class=\"sw\" style=\"border-color:#ef6c00\"></i>on the wire, not traced</span>"
                 "<span><i class=\"sw\" style=\"border-color:#999\"></i>late or unrelated</span>"
                 "</p>\n");

    fprintf(out, "<h2>Summary</h2>\n<table><tr><th>mode</th><th>host</th><th>verdict</th>"
                 "<th>reason</th><th>probes</th><th>replies traced</th><th>wire only</th></tr>\n");
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *hh = &c->modes[m].hosts[h];
            char a[16];
            fprintf(out, "<tr><td>");
            st_xml_escape(out, c->modes[m].name);
            fprintf(out,
                    "</td><td><a href=\"#m%zu-h%zu\">%s</a></td><td class=\"%s\">%s</td><td>%s"
                    "</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
                    m, h, st_ip4_str(hh->addr, a), hh->up ? "up" : "down", hh->up ? "up" : "down",
                    hh->reason, hh->nprobes, hh->nreplies, hh->nwire);
        }
    fprintf(out, "</table>\n");

    for (size_t m = 0; m < c->nmodes; m++) {
        fprintf(out, "<h2>Mode ");
        st_xml_escape(out, c->modes[m].name);
        fprintf(out, "</h2>\n");
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *hh = &c->modes[m].hosts[h];
            char a[16];
            fprintf(out, "<h3 id=\"m%zu-h%zu\">%s: <span class=\"%s\">%s</span> (%s)</h3>\n", m, h,
                    st_ip4_str(hh->addr, a), hh->up ? "up" : "down", hh->up ? "up" : "down",
                    hh->reason);
            ladder(out, c, hh);
        }
    }
    fprintf(out, "</body></html>\n");
}
