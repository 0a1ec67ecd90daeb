/*
 * One self-contained HTML page for a run: no network, no font, no file but
 * itself; CSS, the data and the script inline. A summary table and a filter
 * (address, verdict, mode, cause), then per mode and host a ladder
 * (sequence) diagram: the scanner's lifeline (with its address) on the left,
 * the target's on the right, time running down on a compressed axis (rows
 * evenly spaced, a silence longer than 10 ms drawn as a gap with its
 * length), one arrow per packet labelled like its trace line. Matched
 * packets are solid, trace-only (never on the wire) red and dashed,
 * wire-only packets the kernel sent or answered (os-*) purple, other
 * wire-only ones orange, late replies grey; an ARP who-has is drawn to every
 * station (broadcast); the reply that decided the verdict is highlighted.
 * The packets that concern no single host have a ladder of their own. The
 * ladders are drawn by the page's script when opened (report_html.js), so
 * a page of thousands of hosts is as quick to open as its table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_data.h"
#include "packet.h"
#include "report.h"
#include "util.h"
#include "report_html_js.h"

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
    "height:0;border-top:3px solid;vertical-align:middle;margin-right:.3em}"
    ".addr{font:12px monospace;font-weight:normal}.bclabel{font:10px sans-serif;fill:#555;"
    "text-anchor:end}.bclabel.from{text-anchor:start}.bcast .arrow{stroke-dasharray:10 3 2 3}"
    ".gap rect{fill:#f4f4f4}.gap .zig{fill:none;stroke:#888;stroke-width:2}"
    ".gaplabel{font:italic 11px sans-serif;fill:#555;text-anchor:middle}"
    ".hl{fill:#fff3b0;stroke:#e0b000}.decided{font:bold 11px sans-serif;fill:#8a6d00}"
    "details.host{margin:.4em 0}details.host summary{cursor:pointer}"
    "form.filter{background:#f7f7f7;padding:.5em;border:1px solid #ddd}"
    "form.filter label{margin-right:1em}#st-count{color:#555}";

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

/* The filter: its selects' options come from the data (the script). */
static void filter_form(FILE *out)
{
    fputs("<form class=\"filter\" onsubmit=\"return false\">Show "
          "<label>address <input id=\"f-addr\" size=\"16\" placeholder=\"198.18.3\"></label>"
          "<label>verdict <select id=\"f-verdict\"><option value=\"\">any</option>"
          "<option>up</option><option>down</option></select></label>"
          "<label>mode <select id=\"f-mode\"><option value=\"\">any</option></select></label>"
          "<label>cause <select id=\"f-cause\"><option value=\"\">any</option></select>"
          "</label> <span id=\"st-count\"></span></form>\n",
          out);
}

static void legend(FILE *out)
{
    fprintf(out, "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:#222\"></i>in "
                 "the trace and on the wire</span><span><i class=\"sw\" "
                 "style=\"border-color:#c62828;border-top-style:dashed\"></i>traced, never on the "
                 "wire</span><span><i class=\"sw\" style=\"border-color:#7b1fa2;"
                 "border-top-style:dotted\"></i>the kernel's own (os-*)</span><span><i "
                 "class=\"sw\" style=\"border-color:#ef6c00\"></i>on the wire, not traced</span>"
                 "<span><i class=\"sw\" style=\"border-color:#999\"></i>late or unrelated</span>"
                 "<span><i class=\"sw\" style=\"border-color:#fff3b0;border-top-width:10px\"></i>"
                 "the reply that decided the verdict</span><span>an arrow past the host: a "
                 "broadcast</span><span>rows are evenly spaced: a grey band is a silence, "
                 "with its length</span></p>\n");
}

void st_report_html(const struct st_comparison *c, FILE *out)
{
    char result[ST_RESULT_MAX];
    bool pass = st_compare_result(c, result, sizeof result);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>scantrace report</title><style>%s</style></head><body>\n",
            style);
    markers(out);
    fprintf(out, "<h1>scantrace: what each mode put on the wire</h1>\n<p>Trace <code>");
    st_xml_escape(out, c->trace_path);
    fprintf(out, "</code> (%s, %zu packet line%s) against <code>", c->trace->dialect,
            c->trace->npkts, ST_S(c->trace->npkts));
    st_xml_escape(out, c->capture_path);
    fprintf(out,
            "</code> (%zu frame%s, %s): %zu matched, %zu trace-only, %zu wire-only &mdash; "
            "<b class=\"%s\">%s</b>.</p>\n",
            c->cap->n, ST_S(c->cap->n), c->cap->dissector, c->matched, c->trace_only, c->wire_only,
            pass ? "up" : "bad", result);
    st_report_claims_html(out, c);
    legend(out);
    fputs("<p id=\"st-noscript\" class=\"bad\">The ladders and the table are drawn by this "
          "page's own script (inline, offline): allow JavaScript to see them.</p>\n",
          out);
    filter_form(out);
    fprintf(out, "<h2>Summary</h2>\n<table><thead><tr><th>mode</th><th>host</th><th>verdict"
                 "</th><th>reason</th><th>probes</th><th>replies traced</th><th>wire only</th>"
                 "<th>causes</th></tr></thead><tbody id=\"st-rows\"></tbody></table>\n");
    fputs("<section id=\"st-ns\"><h2>Packets about no single host</h2>\n<p>Traffic for the "
          "scan as a whole, such as the kernel's ARP for the gateway before routed probes, and "
          "the gateway's answer.</p>\n<div id=\"st-nosingle\"></div></section>\n"
          "<h2>Hosts</h2>\n<div id=\"st-list\"></div>\n",
          out);
    fputs("<script type=\"application/json\" id=\"st-data\">", out);
    st_html_data(out, c);
    fputs("</script>\n<script>\n", out);
    for (const char *const *line = st_html_script; *line; line++)
        fputs(*line, out);
    fputs("</script>\n</body></html>\n", out);
}
