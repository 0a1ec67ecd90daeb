/*
 * What every rendering of a comparison needs: the packets in one time line
 * and the words for their status, protocol and cause.
 */
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

const char *st_status_name(bool matched, bool from_trace)
{
    return matched ? "matched" : from_trace ? "trace_only" : "wire_only";
}

const char *st_proto_label(const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return "arp";
    if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6)
        return "other";
    const char *n = st_proto_name(p->proto);
    return n ? n : "unknown";
}

/* Time, then packet: a total order, so the in-place (unstable) sort gives
 * what a stable sort of the list as made gives: trace packets, in trace
 * order, then the wire-only frames. */
static int cmp_item(const void *a, const void *b)
{
    const struct st_item *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    long kx = x->frame >= 0 ? x->frame : x->trace, ky = y->frame >= 0 ? y->frame : y->trace;
    if (kx != ky)
        return (kx > ky) - (kx < ky);
    bool gx = x->trace < 0, gy = y->trace < 0;
    if (gx != gy)
        return gx - gy;
    return (x->trace > y->trace) - (x->trace < y->trace);
}

/* The packets in time order: all of them, or the one-sided ones only. */
static struct st_item *items(const struct st_comparison *c, bool one_sided, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < c->trace->npkts; i++)
        total += !one_sided || c->t2f[i] < 0;
    for (size_t i = 0; i < c->cap->n; i++)
        total += c->f2t[i] < 0;
    struct st_item *it = malloc((total ? total : 1) * sizeof *it);
    size_t k = 0;

    if (!it)
        abort();
    for (size_t i = 0; i < c->trace->npkts; i++) {
        long f = c->t2f[i];
        if (one_sided && f >= 0)
            continue;
        it[k].trace = (int32_t)i;
        it[k].frame = (int32_t)f;
        it[k].t = f >= 0 ? st_frame_time(c, f)
                         : st_trace_pkt(c->trace, i, &(struct st_pkt){0})->time_ns + c->offset_ns;
        k++;
    }
    for (size_t i = 0; i < c->cap->n; i++)
        if (c->f2t[i] < 0) {
            it[k].trace = -1;
            it[k].frame = (int32_t)i;
            it[k].t = st_frame_time(c, i);
            k++;
        }
    /* in place: qsort's merge would copy the whole list (160 MB at 10M frames) */
    st_sort(it, k, sizeof *it, cmp_item);
    *n = k;
    return it;
}

struct st_item *st_items(const struct st_comparison *c, size_t *n)
{
    return items(c, false, n);
}

const struct st_pkt *st_item_pkt(const struct st_comparison *c, const struct st_item *it,
                                 struct st_pkt *tmp)
{
    return it->frame >= 0 ? st_store_get(&c->cap->frames, (size_t)it->frame, tmp)
                          : st_trace_pkt(c->trace, (size_t)it->trace, tmp);
}

const struct st_pkt *st_frame(const struct st_comparison *c, long f, struct st_pkt *tmp)
{
    return st_store_get(&c->cap->frames, (size_t)f, tmp);
}

enum st_dir st_item_dir(const struct st_comparison *c, const struct st_item *it)
{
    return it->trace >= 0 ? st_trace_pkt(c->trace, (size_t)it->trace, &(struct st_pkt){0})->dir
                          : c->fdir[it->frame];
}

enum st_cause st_item_cause(const struct st_comparison *c, const struct st_item *it)
{
    if (it->trace >= 0 && it->frame >= 0)
        return c->fcause[it->frame]; /* none, or why a matched reply is no target's */
    return it->trace >= 0 ? c->tcause[it->trace] : c->fcause[it->frame];
}

const char *st_item_mode(const struct st_comparison *c, const struct st_item *it)
{
    if (it->frame >= 0 && st_frame_mode(c, it->frame))
        return c->modes[st_frame_mode(c, it->frame) - 1].name;
    const char *m = it->trace >= 0 ? st_trace_pkt_mode(c->trace, (size_t)it->trace) : NULL;
    if (m)
        return m;
    return c->nmodes ? c->modes[0].name : "trace";
}

void st_cause_counts_side(const struct st_comparison *c, bool trace, bool wire,
                          size_t counts[ST_CAUSE_COUNT])
{
    memset(counts, 0, ST_CAUSE_COUNT * sizeof counts[0]);
    for (size_t i = 0; trace && i < c->trace->npkts; i++)
        if (c->t2f[i] < 0)
            counts[c->tcause[i] < ST_CAUSE_COUNT ? c->tcause[i] : ST_CAUSE_UNKNOWN]++;
    for (size_t i = 0; wire && i < c->cap->n; i++)
        if (c->f2t[i] < 0)
            counts[c->fcause[i] < ST_CAUSE_COUNT ? c->fcause[i] : ST_CAUSE_UNKNOWN]++;
}

void st_cause_counts(const struct st_comparison *c, size_t counts[ST_CAUSE_COUNT])
{
    st_cause_counts_side(c, true, true, counts);
}

void st_xml_escape(FILE *out, const char *s)
{
    static const char markup[] = "<>&\"";
    static const char *const entity[] = {"&lt;", "&gt;", "&amp;", "&quot;"};
    for (; *s; s++) {
        const char *k = strchr(markup, *s);
        if (k)
            fputs(entity[k - markup], out);
        /* XML 1.0 has no place for other control characters */
        else if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
            fputc(*s, out);
    }
}

void st_each_one_sided(const struct st_comparison *c,
                       void (*fn)(const struct st_one_sided *, void *), void *ud)
{
    size_t n;
    struct st_item *list = items(c, true, &n);
    for (size_t i = 0; i < n; i++) {
        const struct st_item *it = &list[i];
        struct st_pkt tmp;
        struct st_one_sided o = {.pkt = st_item_pkt(c, it, &tmp),
                                 .from_trace = it->trace >= 0,
                                 .cause = st_item_cause(c, it)};
        o.where = o.from_trace ? o.pkt->line : o.pkt->frame;
        st_format_brief(o.pkt, o.text, sizeof o.text);
        fn(&o, ud);
    }
    free(list);
}

size_t st_train_frames(const struct st_comparison *c, long f, char *buf, size_t size)
{
    if (f < 0 || st_frame_next(c, f) < 0)
        return 0;
    struct st_sb sb;
    if (buf)
        st_sb_init(&sb, buf, size);
    size_t n = 0;
    for (long k = f; k >= 0; k = st_frame_next(c, k), n++) {
        struct st_pkt tmp;
        if (buf)
            st_sb_printf(&sb, "%s%u", n ? ", " : "", st_frame(c, k, &tmp)->frame);
    }
    return n;
}

const char *st_report_scanner_name(const struct st_comparison *c)
{
    if (!strncmp(c->trace->dialect, "nmap", 4))
        return "nmap";
    if (!strcmp(c->trace->dialect, "scantrace"))
        return "scantrace";
    /* a run judged from the wire: the scanner its command line named */
    if (c->claims && c->claims->scanner[0])
        return c->claims->scanner;
    return "the scanner";
}

bool st_report_nmap_rules(const struct st_comparison *c)
{
    const char *name = st_report_scanner_name(c);
    return !strcmp(name, "nmap") || !strcmp(name, "scantrace");
}
