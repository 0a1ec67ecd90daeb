/*
 * JUnit XML for CI: a testsuite per mode, a testcase per host, a failure
 * per discrepancy about that host; discrepancies tied to no host (and
 * unreadable trace lines, lost frames) go to a "capture" testsuite.
 */
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report.h"

/* The host a one-sided item is about (0: none). */
static uint32_t item_host(const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_item_pkt(c, it, &tmp);
    if (it->frame >= 0 && it->trace < 0 && c->frel[it->frame] >= 0)
        p = &c->trace->pkts[c->frel[it->frame]];
    return st_pkt_host(
        c, p,
        it->frame >= 0 && it->trace < 0 && c->frel[it->frame] < 0 ? st_item_dir(c, it) : p->dir);
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

static void failure(FILE *out, const struct st_comparison *c, const struct st_item *it)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_item_pkt(c, it, &tmp);
    char text[ST_LINE_MAX];
    st_format_brief(p, text, sizeof text);
    const char *status = it->trace >= 0 ? "trace_only" : "wire_only";
    fprintf(out, "      <failure type=\"%s\" message=\"", status);
    if (it->trace >= 0)
        fprintf(out, "line %u: ", p->line);
    else
        fprintf(out, "frame %u: ", p->frame);
    fprintf(out, "%s (%s): ", status, st_cause_name(st_item_cause(c, it)));
    st_xml_escape(out, text);
    fputs("\"/>\n", out);
}

void st_report_junit(const struct st_comparison *c, FILE *out)
{
    size_t n, nowned;
    struct st_item *items = st_items(c, &n);
    bool *used = calloc(n ? n : 1, sizeof *used);
    if (!used)
        abort();
    struct owned *owned = own(c, items, n, &nowned);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out, "<testsuites name=\"scantrace compare\" failures=\"%zu\">\n", c->discrepancies);
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        fprintf(out, "  <testsuite name=\"");
        st_xml_escape(out, mode->name);
        fprintf(out, "\" tests=\"%zu\">\n", mode->nhosts);
        for (size_t h = 0; h < mode->nhosts; h++) {
            const struct st_mode_host *hh = &mode->hosts[h];
            char a[16];
            fprintf(out, "    <testcase classname=\"");
            st_xml_escape(out, mode->name);
            fprintf(out, "\" name=\"%s\">\n", st_ip4_str(hh->addr, a));
            for (size_t k = first_owned(owned, nowned, m, hh->addr);
                 k < nowned && owned[k].mode == m && owned[k].host == hh->addr; k++) {
                if (used[owned[k].item])
                    continue;
                used[owned[k].item] = true;
                failure(out, c, &items[owned[k].item]);
            }
            fprintf(out, "      <system-out>%s %s, %zu probes, %zu replies</system-out>\n",
                    hh->up ? "up" : "down", hh->reason, hh->nprobes, hh->nreplies);
            fprintf(out, "    </testcase>\n");
        }
        fprintf(out, "  </testsuite>\n");
    }
    fprintf(out, "  <testsuite name=\"capture\" tests=\"2\">\n");
    fprintf(out, "    <testcase classname=\"capture\" name=\"unattributed packets\">\n");
    for (size_t i = 0; i < n; i++)
        if (!used[i] && !(items[i].trace >= 0 && items[i].frame >= 0) &&
            st_cause_is_discrepancy(st_item_cause(c, &items[i])))
            failure(out, c, &items[i]);
    fprintf(out, "    </testcase>\n");
    fprintf(out, "    <testcase classname=\"capture\" name=\"inputs\">\n");
    if (c->dropped_known && c->capture_dropped)
        fprintf(out,
                "      <failure type=\"capture_drop\" message=\"the capture dropped %llu "
                "frames\"/>\n",
                (unsigned long long)c->capture_dropped);
    for (size_t i = 0; i < c->trace->nwarnings; i++) {
        fprintf(out, "      <failure type=\"trace_warning\" message=\"line %u: ",
                c->trace->warnings[i].line);
        st_xml_escape(out, c->trace->warnings[i].message);
        fputs("\"/>\n", out);
    }
    fprintf(out, "    </testcase>\n  </testsuite>\n</testsuites>\n");
    free(owned);
    free(used);
    free(items);
}
