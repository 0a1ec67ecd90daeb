/*
 * Trace lines from a time the capture holds nothing of: a capture that
 * began after the scan or ended before it (Wireshark started late, stopped
 * early, a file cut). Without it every line of those times was unknown,
 * DISCREPANCIES for what the wire was never asked; outside-capture is not
 * a discrepancy, and the result is UNJUDGED (summary.c).
 */
#include <stdint.h>

#include "align_internal.h"

/* How far past the capture's first or last frame a line without its frame
 * proves the capture was not running then. A RCVD line is a packet the
 * scanner read off the wire (it follows its frame by a tenth of a
 * millisecond to a few); a SENT line alone is weaker (a probe traced and
 * never sent looks the same), so it must be further out: a host whose
 * kernel sent nothing for that long while its scanner says it sent. */
#define OUTSIDE_RCVD_NS 10000000LL
#define OUTSIDE_SENT_NS 100000000LL
/* Once proven, how far inside the first or last frame a packet without its
 * frame is still taken for outside: the clock offset's error (nmap's lines
 * have a tenth of a millisecond; a sweep's frames are microseconds apart). */
#define OUTSIDE_MARGIN_NS 1000000LL

/* The trace times the capture covers (its first and last frames), and
 * whether it is proven to have begun late or ended early by a line without
 * its frame from before or after them. Nothing is outside when no packet
 * matched (no clock offset) or when run.json says scantrace captured the
 * whole run (a packet missing there is missing from the wire). */
struct span {
    bool late, early; /* began late, ended early */
    int64_t lo, hi;
};

static struct span capture_span(const struct st_comparison *c)
{
    struct span s = {false, false, 0, 0};
    const struct st_trace *t = c->trace;
    if (c->capture_whole || !c->offset_pairs || !c->cap->n)
        return s;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t f = 0; f < c->cap->n; f++) { /* two interfaces' frames may interleave */
        int64_t ft = st_frame_time(c, (long)f);
        lo = ft < lo ? ft : lo;
        hi = ft > hi ? ft : hi;
    }
    s.lo = lo - c->offset_ns;
    s.hi = hi - c->offset_ns;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        /* (over lo, or another interface: no proof of the time) */
        if (c->t2f[i] >= 0 || st_to_itself(c, p) || c->tcause[i] == ST_CAUSE_OTHER_INTERFACE)
            continue;
        int64_t beyond = p->dir == ST_DIR_RCVD ? OUTSIDE_RCVD_NS : OUTSIDE_SENT_NS;
        s.late |= p->time_ns < s.lo - beyond;
        s.early |= p->time_ns > s.hi + beyond;
    }
    return s;
}

/* Whether trace-only packet p is from before or after the capture, as
 * proven by capture_span: counted, then true. */
static bool outside(struct st_comparison *c, const struct span *s, const struct st_pkt *p)
{
    if (s->late && p->time_ns < s->lo + OUTSIDE_MARGIN_NS) {
        c->outside_before++;
        return true;
    }
    if (s->early && p->time_ns > s->hi - OUTSIDE_MARGIN_NS) {
        c->outside_after++;
        return true;
    }
    return false;
}

/* Whether run k of the log has a packet on the wire. */
static bool run_seen(const struct st_comparison *c, size_t k)
{
    size_t from, to;
    st_trace_run_range(c->trace, k, &from, &to);
    for (size_t i = from; i < to; i++)
        if (c->t2f[i] >= 0)
            return true;
    return false;
}

static bool open_line(const struct st_comparison *c, size_t i, const struct st_pkt *p)
{
    return c->t2f[i] < 0 && !st_to_itself(c, p) && c->tcause[i] != ST_CAUSE_OTHER_INTERFACE &&
           c->tcause[i] != ST_CAUSE_OUTSIDE_CAPTURE;
}

/*
 * A log of runs (`nmap ... >> log` while a capture was started between two
 * of them): a run none of whose packets is on the wire, before the first
 * run that has one, came before the capture began (after the last, after
 * it ended). Its times cannot prove it: its packets, all alike, have no
 * frame to set its clock by. A capture running then would hold some of
 * them.
 */
void st_unseen_runs(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    size_t first = SIZE_MAX, last = 0;
    for (size_t k = 0; t->nruns > 1 && k < t->nruns; k++)
        if (run_seen(c, k)) {
            first = first == SIZE_MAX ? k : first;
            last = k;
        }
    if (first == SIZE_MAX)
        return;
    for (size_t k = 0; k < t->nruns; k++) {
        if (k >= first && k <= last)
            continue;
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        /* (what else explains, as a probe that never left for want of ARP,
         * stays: a run of those alone has no frame either) */
        for (size_t i = from; i < to; i++)
            if (c->t2f[i] < 0 && c->tcause[i] == ST_CAUSE_UNKNOWN) {
                c->tcause[i] = ST_CAUSE_OUTSIDE_CAPTURE;
                if (k < first)
                    c->outside_before++;
                else
                    c->outside_after++;
            }
    }
}

/* A frame the classification called a missed reply or an untraced
 * retransmission of a line from outside the capture's time: what the
 * scanner read then is not known. */
void st_outside_relatives(struct st_comparison *c)
{
    for (size_t f = 0; f < c->cap->n && c->outside_before + c->outside_after; f++) {
        long rel = c->f2t[f] < 0 ? st_frame_rel(c, (long)f) : -1;
        enum st_cause why = (enum st_cause)c->fcause[f];
        if (rel >= 0 && c->tcause[rel] == ST_CAUSE_OUTSIDE_CAPTURE &&
            (why == ST_CAUSE_MISSED_REPLY || why == ST_CAUSE_RETRANSMIT))
            c->fcause[f] = ST_CAUSE_OUTSIDE_CAPTURE;
    }
}

/* A capture without a frame (tcpdump killed before it wrote any, a file
 * cut after its header) holds no time at all: every line is from outside
 * it, even in a run directory (scantrace's capture failed, the wire is not
 * known). Counted before it: summary.c words it apart. */
void st_outside_capture(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    struct span span = capture_span(c);
    struct st_pkt tmp;
    c->outside_before = c->outside_after = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (!open_line(c, i, p))
            continue;
        if (!c->cap->n)
            c->outside_before++;
        if (!c->cap->n || outside(c, &span, p))
            c->tcause[i] = ST_CAUSE_OUTSIDE_CAPTURE;
    }
}

/* How far before a cut trace's last line a frame may be and still be the
 * cut part's: nmap sends a try's probes within a tenth of a millisecond,
 * the line cut may be one of them, and the clock offset has its error. */
#define AFTER_MARGIN_NS 1000000LL

/* A trace without its "Nmap done" (a file cut, a scanner killed while
 * `tee` wrote it) says nothing of what came after its last line: a frame
 * from then, that nothing else explains, is no retransmission or missed
 * reply, only unchecked; nor another program's (background): the probes to
 * the targets the cut part would have listed look so. */
void st_after_trace(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    c->after_trace = 0;
    /* (a log with its "Starting Nmap" line: one without is a fragment that
     * never said where it ends) */
    if (!t->npkts || !t->nruns || t->nping_runs == t->nruns || st_trace_run_ended(t, t->npkts - 1))
        return;
    struct st_pkt tmp;
    int64_t last = st_trace_pkt(t, t->npkts - 1, &tmp)->time_ns + c->offset_ns;
    for (size_t f = 0; f < c->cap->n; f++) {
        enum st_cause why = (enum st_cause)c->fcause[f];
        if (c->f2t[f] >= 0 || st_frame_time(c, (long)f) <= last - AFTER_MARGIN_NS ||
            (why != ST_CAUSE_UNKNOWN && why != ST_CAUSE_RETRANSMIT &&
             why != ST_CAUSE_MISSED_REPLY && why != ST_CAUSE_BACKGROUND))
            continue;
        c->fcause[f] = ST_CAUSE_AFTER_TRACE;
        c->after_trace++;
    }
}
