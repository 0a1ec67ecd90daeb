/*
 * The text view of a comparison: a header with the inputs and the result,
 * one table per mode (host by host: verdict, then each probe and reply with
 * its trace line and frame, then what the wire had about the host that the
 * trace did not), and at the end every packet on one side only.
 * Colours only when asked (a terminal, and NO_COLOR unset).
 */
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

struct pen {
    FILE *out;
    bool color;
};

static const char *paint(const struct pen *p, const char *code)
{
    return p->color ? code : "";
}

#define RED    "\033[31m"
#define GREEN  "\033[32m"
#define YELLOW "\033[33m"
#define DIM    "\033[2m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* " (N cause, M cause)" of one side's counts, or nothing. */
static void side_causes(FILE *out, const size_t counts[ST_CAUSE_COUNT])
{
    bool any = false;
    for (int k = 1; k < ST_CAUSE_COUNT; k++)
        if (counts[k]) {
            fprintf(out, "%s%zu %s", any ? ", " : " (", counts[k], st_cause_name((enum st_cause)k));
            any = true;
        }
    if (any)
        fputc(')', out);
}

static void ref(const struct pen *p, const char *label, const struct st_comparison *c, long ti)
{
    const struct st_pkt *pk = st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0});
    struct st_pkt tmp;
    char kind[128], fr[112], train[80];
    st_format_kind(pk, kind, sizeof kind);
    long f = c->t2f[ti];
    if (st_train_frames(c, f, train, sizeof train))
        snprintf(fr, sizeof fr, "frames %s (fragments)", train);
    else if (f >= 0 && (st_frame(c, f, &tmp)->flags & ST_PKT_FRAGMENT))
        /* nmap -6's line of a later fragment (fragments.c): its data read as a header */
        snprintf(fr, sizeof fr, "frame %u (a later fragment: its data read as a header)",
                 tmp.frame);
    else if (f >= 0 && c->taltered && c->taltered[ti])
        snprintf(fr, sizeof fr, "frame %u %sALTERED%s", st_frame(c, f, &tmp)->frame, paint(p, RED),
                 paint(p, RESET));
    else if (f >= 0)
        snprintf(fr, sizeof fr, "frame %u", st_frame(c, f, &tmp)->frame);
    else if (st_cause_is_discrepancy((enum st_cause)c->tcause[ti]))
        snprintf(fr, sizeof fr, "%sNOT ON WIRE%s", paint(p, RED), paint(p, RESET));
    else /* no frame for a reason that blames no one (outside-capture, other-interface...) */
        snprintf(fr, sizeof fr, "%sno frame (%s)%s", paint(p, YELLOW),
                 st_cause_name((enum st_cause)c->tcause[ti]), paint(p, RESET));
    fprintf(p->out, "      %-5s %-36s line %-6u %s\n", label, kind, pk->line, fr);
    char why[192];
    if (f >= 0 && st_altered_why(c, (size_t)ti, why, sizeof why))
        fprintf(p->out, "            altered: %s\n", why);
}

/* A group's members (the hosts of its mode its probes found), or the
 * groups a member answered: as report.json's group, members, member_of. */
static void group_line(const struct pen *p, const struct st_comparison *c, const struct st_mode *m,
                       const struct st_mode_host *h)
{
    char a[ST_HOST_STRLEN];
    size_t n = 0;
    if (h->group) {
        fprintf(p->out, "      group  a broadcast or multicast address; members:");
        for (size_t k = 0; k < m->nhosts; k++)
            if (st_host_member_of(c, &m->hosts[k], h->addr))
                fprintf(p->out, " %s", st_host_str(m->hosts[k].addr, a)), n++;
        fprintf(p->out, "%s\n", n ? "" : " none answered");
        return;
    }
    uint32_t *g = malloc((h->nprobes ? h->nprobes : 1) * sizeof *g);
    if (!g)
        abort();
    n = st_host_groups(c, h, g);
    for (size_t k = 0; k < n; k++)
        fprintf(p->out, "%s%s", k ? ", " : "      member of ", st_host_str(g[k], a));
    if (n)
        fprintf(p->out, ": found by the group's echo request\n");
    free(g);
}

static void host_block(const struct pen *p, const struct st_comparison *c, const struct st_mode *m,
                       const struct st_mode_host *h)
{
    char a[ST_HOST_STRLEN], lat[32] = "";
    if (h->latency_s >= 0)
        snprintf(lat, sizeof lat, "  %.6fs", h->latency_s);
    fprintf(p->out, "  %-15s %s%-4s%s  %s%s\n", st_host_str(h->addr, a),
            paint(p, h->up ? GREEN : RED), h->up ? "up" : "down", paint(p, RESET), h->reason, lat);
    if (c->ngroups) /* a group pinged: only then, every other report stays as it was */
        group_line(p, c, m, h);
    for (size_t i = 0; i < h->nprobes; i++)
        ref(p, "sent", c, h->probes[i]);
    /* its statistics miscount it (stated_counts.c): against its trace, or
     * the wire when it traces nothing */
    const struct st_miscount *k = c->nmiscounts ? st_miscount_of(c, m, h->addr) : NULL;
    const char *by = c->from_wire ? "the wire" : "its trace";
    if (k && k->sent_wrong)
        fprintf(p->out, "      %sits statistics: %u probe%s sent; %s: %u%s%s\n", paint(p, RED),
                k->stated_sent, ST_S(k->stated_sent), by, k->counted_sent,
                k->counted_sent ? "" : " (never probed)", paint(p, RESET));
    if (k && k->rcvd_wrong)
        fprintf(p->out, "      %sits statistics: %u repl%s received; %s: %u%s\n", paint(p, RED),
                k->stated_rcvd, k->stated_rcvd == 1 ? "y" : "ies", by, k->counted_rcvd,
                paint(p, RESET));
    for (size_t i = 0; i < h->nreplies; i++)
        ref(p, "rcvd", c, h->replies[i]);
    if (h->nlater) {
        struct st_later l;
        char where[64];
        st_host_later(c, h, &l);
        st_later_where(c, &l, where, sizeof where);
        fprintf(p->out,
                "      later %zu sent, %zu received once it was up (%s, %zu on the "
                "wire): nmap's next phase (port scan, traceroute...), not host discovery\n",
                l.sent, l.rcvd, where, l.on_wire);
    }
    for (size_t i = 0; i < h->nwire; i++) {
        long f = h->wire[i];
        struct st_pkt pk;
        st_frame(c, f, &pk);
        char kind[128];
        pk.dir = c->fdir[f];
        st_format_kind(&pk, kind, sizeof kind);
        enum st_cause cause = c->fcause[f];
        fprintf(p->out, "      %-5s %-36s %s%-11s%s frame %u\n",
                pk.dir == ST_DIR_SENT ? "wire>" : "wire<", kind,
                paint(p, st_cause_is_discrepancy(cause) ? RED : DIM), st_cause_name(cause),
                paint(p, RESET), pk.frame);
    }
}

static void one_sided_line(const struct st_one_sided *o, void *ud)
{
    const struct pen *p = ud;
    char where[32];
    snprintf(where, sizeof where, "%s %u", o->from_trace ? "line" : "frame", o->where);
    fprintf(p->out, "  %-11s %-10s %s%-12s%s %s\n", where,
            o->from_trace ? "trace-only" : "wire-only",
            paint(p, st_cause_is_discrepancy(o->cause) ? RED : DIM), st_cause_name(o->cause),
            paint(p, RESET), o->text);
}

/* Traced replies about no target (the router's ARP reply nmap printed):
 * on both sides, so no discrepancy, but no host's either; said with why. */
static void no_target(const struct pen *p, const struct st_comparison *c)
{
    bool head = false;
    for (size_t i = 0; i < c->trace->npkts; i++) {
        long f = c->t2f[i];
        if (f < 0 || c->fcause[f] == ST_CAUSE_NONE)
            continue;
        if (!head)
            fprintf(p->out, "\n%sabout no target%s\n", paint(p, BOLD), paint(p, RESET));
        head = true;
        char where[32], text[ST_LINE_MAX];
        struct st_pkt tmp;
        const struct st_pkt *fp = st_store_get(&c->cap->frames, (size_t)f, &tmp);
        snprintf(where, sizeof where, "line %u",
                 st_trace_pkt(c->trace, i, &(struct st_pkt){0})->line);
        st_format_brief(st_trace_pkt(c->trace, i, &(struct st_pkt){0}), text, sizeof text);
        fprintf(p->out, "  %-11s frame %-5u %s%-12s%s %s\n", where, fp->frame, paint(p, DIM),
                st_cause_name(c->fcause[f]), paint(p, RESET), text);
    }
}

void st_report_text(const struct st_comparison *c, FILE *out, bool color)
{
    struct pen p = {out, color};
    size_t counts[ST_CAUSE_COUNT];

    fprintf(out, "%sscantrace compare%s\n", paint(&p, BOLD), paint(&p, RESET));
    if (c->from_wire) /* its "packets" are frames: lines and a clock would mean nothing */
        fprintf(out, "  trace    %s (no packet trace: %u line%s of output", c->trace_path,
                c->trace->lines, ST_S(c->trace->lines));
    else
        fprintf(out, "  trace    %s (%s, %zu packet line%s of %u", c->trace_path, c->trace->dialect,
                c->trace->npkts, ST_S(c->trace->npkts), c->trace->lines);
    if (c->trace->nruns > 1)
        fprintf(out, ", %zu runs", c->trace->nruns);
    if (c->trace->malformed)
        fprintf(out, ", %s%zu unreadable%s", paint(&p, YELLOW), c->trace->malformed,
                paint(&p, RESET));
    fprintf(out, ")\n  capture  %s (%zu frame%s, %s", c->capture_path, c->cap->n, ST_S(c->cap->n),
            c->cap->dissector);
    if (c->dropped_known)
        fprintf(out, ", %s%llu dropped%s", paint(&p, c->capture_dropped ? RED : ""),
                (unsigned long long)c->capture_dropped, paint(&p, c->capture_dropped ? RESET : ""));
    if (c->from_wire)
        fprintf(out, ")\n");
    else
        fprintf(out, ")\n  clock    capture = trace + %.6f s (from %zu packet%s)\n",
                (double)c->offset_ns / 1e9, c->offset_pairs, ST_S(c->offset_pairs));
    /* each side's causes after its count: "2 trace-only (2 outside-capture),
     * 6 wire-only (3 os-arp...)" */
    fprintf(out, "  result   %zu matched, %zu trace-only", c->matched, c->trace_only);
    st_cause_counts_side(c, true, false, counts);
    side_causes(out, counts);
    fprintf(out, ", %zu wire-only", c->wire_only);
    st_cause_counts_side(c, false, true, counts);
    side_causes(out, counts);
    char result[ST_RESULT_MAX];
    bool pass = st_compare_result(c, result, sizeof result);
    fprintf(out, ": %s%s%s\n", paint(&p, pass ? GREEN : RED), result, paint(&p, RESET));
    st_report_claims_text(out, c, "  ");

    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        fprintf(out, "\n%smode %s%s\n", paint(&p, BOLD), mode->name, paint(&p, RESET));
        for (size_t h = 0; h < mode->nhosts; h++)
            host_block(&p, c, mode, &mode->hosts[h]);
    }
    no_target(&p, c);

    if (!c->trace_only && !c->wire_only && !c->trace->nwarnings)
        return;
    fprintf(out, "\n%son one side only%s\n", paint(&p, BOLD), paint(&p, RESET));
    st_each_one_sided(c, one_sided_line, &p);
    for (size_t i = 0; i < c->trace->nwarnings; i++)
        fprintf(out, "  line %-6u %swarning%s    %s\n", c->trace->warnings[i].line,
                paint(&p, YELLOW), paint(&p, RESET), c->trace->warnings[i].message);
}
