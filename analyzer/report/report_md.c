/*
 * Markdown for lab reports: the inputs, a table per mode (one row per host)
 * and a table of the packets on one side only.
 */
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

/* Table cells cannot hold '|'. */
static void cell(FILE *out, const char *s)
{
    for (; *s; s++)
        fputs(*s == '|' ? "\\|" : (char[]){*s, 0}, out);
}

static void refs(FILE *out, const struct st_comparison *c, const int32_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char kind[128];
        struct st_pkt tmp;
        st_format_kind(st_trace_pkt(c->trace, (size_t)idx[i], &tmp), kind, sizeof kind);
        fprintf(out, "%s", i ? "<br>" : "");
        cell(out, kind);
        long f = c->t2f[idx[i]];
        if (f >= 0)
            fprintf(out, " (#%u)", st_frame(c, f, &tmp)->frame);
        else if (st_cause_is_discrepancy((enum st_cause)c->tcause[idx[i]]))
            fprintf(out, " (**not on wire**)");
        else
            fprintf(out, " (no frame: %s)", st_cause_name((enum st_cause)c->tcause[idx[i]]));
    }
}

static void one_sided_row(const struct st_one_sided *o, void *ud)
{
    FILE *out = ud;
    fprintf(out, "| %s %u | %s | %s | ", o->from_trace ? "line" : "frame", o->where,
            o->from_trace ? "trace-only" : "wire-only", st_cause_name(o->cause));
    cell(out, o->text);
    fputs(" |\n", out);
}

void st_report_markdown(const struct st_comparison *c, FILE *out)
{
    fprintf(out, "## scantrace compare\n\n");
    if (c->from_wire)
        fprintf(out,
                "- trace: `%s` (no packet trace: %s%sthe scanner's side was built from the "
                "wire)\n",
                c->trace_path, c->no_trace_why ? c->no_trace_why : "", c->no_trace_why ? "; " : "");
    else
        fprintf(out, "- trace: `%s` (%s, %zu packet line%s)\n", c->trace_path, c->trace->dialect,
                c->trace->npkts, ST_S(c->trace->npkts));
    fprintf(out, "- capture: `%s` (%zu frame%s, %s)\n", c->capture_path, c->cap->n, ST_S(c->cap->n),
            c->cap->dissector);
    char result[ST_RESULT_MAX];
    st_compare_result(c, result, sizeof result);
    fprintf(out, "- result: %zu matched, %zu trace-only, %zu wire-only: **%s**\n", c->matched,
            c->trace_only, c->wire_only, result);
    st_report_claims_text(out, c, "- ");

    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        fprintf(out, "\n### mode `%s`\n\n", mode->name);
        fprintf(out,
                "| host | verdict | reason | probes (frame) | replies (frame) | wire only |\n");
        fprintf(out, "|---|---|---|---|---|---|\n");
        for (size_t h = 0; h < mode->nhosts; h++) {
            const struct st_mode_host *hh = &mode->hosts[h];
            char a[ST_HOST_STRLEN];
            fprintf(out, "| %s | %s | %s | ", st_host_str(hh->addr, a), hh->up ? "up" : "down",
                    hh->reason);
            refs(out, c, hh->probes, hh->nprobes);
            if (hh->nlater) {
                struct st_later l;
                char where[64];
                st_host_later(c, hh, &l);
                st_later_where(c, &l, where, sizeof where);
                fprintf(out, "<br>then %zu sent, %zu received (%s): a later phase", l.sent, l.rcvd,
                        where);
            }
            fputs(" | ", out);
            refs(out, c, hh->replies, hh->nreplies);
            fputs(" | ", out);
            for (size_t i = 0; i < hh->nwire; i++) {
                struct st_pkt p;
                st_frame(c, hh->wire[i], &p);
                char kind[128];
                p.dir = c->fdir[hh->wire[i]];
                st_format_kind(&p, kind, sizeof kind);
                fprintf(out, "%s", i ? "<br>" : "");
                cell(out, kind);
                fprintf(out, " (#%u, %s)", p.frame, st_cause_name(c->fcause[hh->wire[i]]));
            }
            fputs(" |\n", out);
        }
    }
    if (!c->trace_only && !c->wire_only)
        return;
    fprintf(out,
            "\n### on one side only\n\n| where | status | cause | packet |\n|---|---|---|---|\n");
    st_each_one_sided(c, one_sided_row, out);
}
