/*
 * JUnit XML for CI: a testsuite per mode, a testcase per host; a testcase
 * fails with one <failure> that lists every discrepancy about its host
 * (JUnit readers count failing testcases, so the suites' `failures` are
 * those counts); discrepancies tied to no host, lost frames, unreadable
 * trace lines and what compare could not judge (an UNJUDGED result: never
 * a green run) go to the testcases of a "capture" testsuite.
 */
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

/* The host a one-sided item is about (0: none). */
static uint32_t item_host(const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp;
    if (it->frame >= 0 && it->trace < 0 && st_frame_rel(c, it->frame) >= 0) /* about its probe */
        return st_trace_pkt_host(c, (size_t)st_frame_rel(c, it->frame));
    if (it->trace >= 0)
        return st_trace_pkt_host(c, (size_t)it->trace);
    return st_pkt_host(c, st_item_pkt(c, it, &tmp), st_item_dir(c, it));
}

/* A discrepancy and the testcase it goes to: mode index and host. */
struct owned {
    size_t mode, item;
    uint32_t host;
};

static int cmp_owned(const void *a, const void *b)
{
    const struct owned *x = a, *y = b;
    if (x->mode != y->mode)
        return (x->mode > y->mode) - (x->mode < y->mode);
    if (x->host != y->host)
        return (x->host > y->host) - (x->host < y->host);
    return (x->item > y->item) - (x->item < y->item);
}

/*
 * The one-sided discrepancies sorted by (mode, host, time): each testcase
 * finds its own by binary search (a pass over every packet per host made a
 * /16's report quadratic).
 */
static struct owned *own(const struct st_comparison *c, const struct st_item *items, size_t n,
                         size_t *nowned)
{
    struct owned *o = malloc((n ? n : 1) * sizeof *o);
    size_t k = 0;
    if (!o)
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct st_item *it = &items[i];
        if ((it->trace >= 0 && it->frame >= 0) || !st_cause_is_discrepancy(st_item_cause(c, it)))
            continue;
        const char *mode = st_item_mode(c, it);
        size_t m = 0;
        while (m < c->nmodes && strcmp(c->modes[m].name, mode))
            m++;
        o[k++] = (struct owned){m, i, item_host(c, it)};
    }
    qsort(o, k, sizeof *o, cmp_owned);
    *nowned = k;
    return o;
}

/* The first of mode m's and host's entries (or where it would be). */
static size_t first_owned(const struct owned *o, size_t n, size_t m, uint32_t host)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].mode < m || (o[mid].mode == m && o[mid].host < host))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* One discrepancy, "line 2: trace_only (no-arp): TEXT" (escaped). */
static void failure_line(FILE *out, const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_item_pkt(c, it, &tmp);
    char text[ST_LINE_MAX], where[32];
    st_format_brief(p, text, sizeof text);
    if (it->trace >= 0)
        snprintf(where, sizeof where, "line %u", p->line);
    else
        snprintf(where, sizeof where, "frame %u", p->frame);
    fprintf(out, "%s: %s (%s): ", where, it->trace >= 0 ? "trace_only" : "wire_only",
            st_cause_name(st_item_cause(c, it)));
    st_xml_escape(out, text);
}

/*
 * A testcase's one failure: `type` the kind of its first discrepancy (or
 * "discrepancies" when they differ), `message` the count and the first, the
 * body every one.
 */
static void failure(FILE *out, const struct st_comparison *c, const struct st_item *const *its,
                    size_t n)
{
    const char *type = its[0]->trace >= 0 ? "trace_only" : "wire_only";
    for (size_t i = 1; i < n; i++)
        if ((its[i]->trace >= 0) != (its[0]->trace >= 0))
            type = "discrepancies";
    fprintf(out, "      <failure type=\"%s\" message=\"", type);
    if (n > 1)
        fprintf(out, "%zu packets on one side only, first ", n);
    failure_line(out, c, its[0]);
    fputs("\">\n", out);
    for (size_t i = 0; i < n; i++) {
        failure_line(out, c, its[i]);
        fputc('\n', out);
    }
    fputs("      </failure>\n", out);
}

/* The discrepancies of mode m's host (each reported once) into *its. */
static size_t host_items(const struct owned *owned, size_t nowned, size_t m, uint32_t host,
                         const struct st_item *items, bool *used, const struct st_item **its)
{
    size_t n = 0;
    for (size_t k = first_owned(owned, nowned, m, host);
         k < nowned && owned[k].mode == m && owned[k].host == host; k++)
        if (!used[owned[k].item]) {
            used[owned[k].item] = true;
            its[n++] = &items[owned[k].item];
        }
    return n;
}

/* What a JUnit document is made of, worked out before it is written:
 * suites carry their failing testcases' count in their opening tag. */
struct junit {
    struct st_item *items;
    size_t n;
    const struct st_item **its; /* per testcase, its failures (room for n) */
    size_t *start, *count;      /* per (mode, host) in order, into its */
    size_t *mode_fails;
    size_t nunattributed; /* its + start[last]: the unattributed ones */
};

static void plan(struct junit *j, const struct st_comparison *c)
{
    size_t nowned, cases = 0;
    struct owned *owned = own(c, j->items, j->n, &nowned);
    bool *used = calloc(j->n ? j->n : 1, sizeof *used);
    for (size_t m = 0; m < c->nmodes; m++)
        cases += c->modes[m].nhosts;
    j->its = malloc((j->n ? j->n : 1) * sizeof *j->its);
    j->start = malloc((cases + 1) * sizeof *j->start);
    j->count = malloc((cases + 1) * sizeof *j->count);
    j->mode_fails = calloc(c->nmodes ? c->nmodes : 1, sizeof *j->mode_fails);
    if (!used || !j->its || !j->start || !j->count || !j->mode_fails)
        abort();
    size_t k = 0, at = 0;
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++, k++) {
            j->start[k] = at;
            j->count[k] = host_items(owned, nowned, m, c->modes[m].hosts[h].addr, j->items, used,
                                     j->its + at);
            at += j->count[k];
            j->mode_fails[m] += j->count[k] > 0;
        }
    j->start[k] = at;
    for (size_t i = 0; i < j->n; i++)
        if (!used[i] && !(j->items[i].trace >= 0 && j->items[i].frame >= 0) &&
            st_cause_is_discrepancy(st_item_cause(c, &j->items[i])))
            j->its[at++] = &j->items[i];
    j->nunattributed = at - j->start[k];
    free(owned);
    free(used);
}

static void testcase(FILE *out, const struct st_comparison *c, const char *mode,
                     const struct st_mode_host *hh, const struct st_item *const *its, size_t n)
{
    char a[ST_HOST_STRLEN];
    fprintf(out, "    <testcase classname=\"");
    st_xml_escape(out, mode);
    fprintf(out, "\" name=\"%s\">\n", st_host_str(hh->addr, a));
    if (n)
        failure(out, c, its, n);
    fprintf(out, "      <system-out>%s %s, %zu probe%s, %zu repl%s</system-out>\n",
            hh->up ? "up" : "down", hh->reason, hh->nprobes, ST_S(hh->nprobes), hh->nreplies,
            hh->nreplies == 1 ? "y" : "ies");
    fprintf(out, "    </testcase>\n");
}

/* What compare could not judge (the result line's UNJUDGED part) into why:
 * true when there is any. No discrepancy says it, so a CI that reads only
 * the failures would take such a run for a pass. */
static bool unjudged(const struct st_comparison *c, char *why, size_t size)
{
    char r[ST_RESULT_MAX];
    const char *u;
    if (st_compare_result(c, r, sizeof r) || !(u = strstr(r, "UNJUDGED:")))
        return false;
    snprintf(why, size, "%s", u + strlen("UNJUDGED: "));
    return true;
}

/* Whether the "inputs" testcase fails: frames lost, unreadable trace
 * lines, or something compare could not judge (why: its words). */
static bool inputs_fail(const struct st_comparison *c, char *why, size_t size)
{
    bool lost = c->dropped_known && c->capture_dropped;
    return unjudged(c, why, size) | lost | (c->trace->nwarnings > 0);
}

/* The "inputs" testcase's one failure: each reason, in the message. */
static void inputs_failure(FILE *out, const struct st_comparison *c, const char *why)
{
    bool lost = c->dropped_known && c->capture_dropped;
    fprintf(out, "      <failure type=\"%s\" message=\"",
            lost                  ? "capture_drop"
            : c->trace->nwarnings ? "trace_warning"
                                  : "unjudged");
    const char *sep = "";
    if (lost) {
        fprintf(out, "the capture dropped %llu frame%s", (unsigned long long)c->capture_dropped,
                ST_S(c->capture_dropped));
        sep = "; ";
    }
    if (c->trace->nwarnings) {
        fprintf(out, "%s%zu trace lines could not be read", sep, c->trace->nwarnings);
        sep = "; ";
    }
    if (*why) {
        fprintf(out, "%snot judged: ", sep);
        st_xml_escape(out, why);
    }
    fputs("\">\n", out);
    for (size_t i = 0; i < c->trace->nwarnings; i++) {
        fprintf(out, "line %u: ", c->trace->warnings[i].line);
        st_xml_escape(out, c->trace->warnings[i].message);
        fputc('\n', out);
    }
    fputs("      </failure>\n", out);
}

/* The "capture" suite: packets tied to no host, and the inputs (frames the
 * capture lost, trace lines that could not be read, what compare could not
 * judge). */
static void capture_suite(FILE *out, const struct st_comparison *c, const struct junit *j,
                          const struct st_item *const *unattributed)
{
    char why[ST_RESULT_MAX] = "";
    bool fail = inputs_fail(c, why, sizeof why);
    fprintf(out, "  <testsuite name=\"capture\" tests=\"2\" failures=\"%d\">\n",
            (j->nunattributed > 0) + fail);
    fprintf(out, "    <testcase classname=\"capture\" name=\"unattributed packets\">\n");
    if (j->nunattributed)
        failure(out, c, unattributed, j->nunattributed);
    fprintf(out, "    </testcase>\n");
    fprintf(out, "    <testcase classname=\"capture\" name=\"inputs\">\n");
    if (fail)
        inputs_failure(out, c, why);
    fprintf(out, "    </testcase>\n  </testsuite>\n");
}

void st_report_junit(const struct st_comparison *c, FILE *out)
{
    struct junit j = {0};
    j.items = st_items(c, &j.n);
    plan(&j, c);
    size_t cases = 0, fails = 0, k = 0;
    for (size_t m = 0; m < c->nmodes; m++) {
        cases += c->modes[m].nhosts;
        fails += j.mode_fails[m];
    }
    char why[ST_RESULT_MAX];
    fails +=
        (j.nunattributed > 0) + inputs_fail(c, why, sizeof why) + st_report_claims_junit_cases(c);
    cases += st_report_claims_junit_cases(c);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"scantrace compare\" tests=\"%zu\" failures=\"%zu\">\n",
            cases + 2, fails);
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        fprintf(out, "  <testsuite name=\"");
        st_xml_escape(out, mode->name);
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\">\n", mode->nhosts, j.mode_fails[m]);
        for (size_t h = 0; h < mode->nhosts; h++, k++)
            testcase(out, c, mode->name, &mode->hosts[h], j.its + j.start[k], j.count[k]);
        fprintf(out, "  </testsuite>\n");
    }
    capture_suite(out, c, &j, j.its + j.start[k]);
    st_report_claims_junit(out, c);
    fprintf(out, "</testsuites>\n");
    free(j.its);
    free(j.start);
    free(j.count);
    free(j.mode_fails);
    free(j.items);
}
