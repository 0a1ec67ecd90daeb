/*
 * Frames from when no run of the trace was running. nmap's and nping's
 * times count from their start ("Starting Nmap", time 0) and their last line
 * says how long they ran ("Nmap done: ... scanned in 0.24 seconds"): a
 * capture taken wider than the run (dumpcap started, a ping, nmap, another
 * ping) holds the user's own packets to the same targets before and after
 * it. Such a frame looks like a probe the scanner hid (retransmit) or a
 * reply it missed, but no scanner process existed then: it is background,
 * another program's. A reply after the run's end stays what it was (late,
 * after the scanner stopped reading): only what the scanner's host sent
 * then, or what answers nothing of the run, is moved.
 */
#include <stdint.h>

#include "align_internal.h"

/* Slack around a run's span: the clock offset's error is far below it. */
#define SPAN_MARGIN_NS 500000000LL

struct span {
    int64_t from, to;
};

/* Run k's time on the capture's clock: its start to its end (no end known:
 * open). */
static struct span run_span(const struct st_comparison *c, size_t k)
{
    const struct st_trace *t = c->trace;
    int64_t shift = t->run_shift ? t->run_shift[k] : 0;
    int64_t from = shift + c->offset_ns - SPAN_MARGIN_NS;
    int64_t end = t->run_end_ns[k];
    return (struct span){from, end >= 0 ? shift + c->offset_ns + end + SPAN_MARGIN_NS : INT64_MAX};
}

/* Whether frame time ts falls in no run: before every run's start (the
 * first), or after the end of the run it follows. */
static int where(const struct st_comparison *c, int64_t ts)
{
    int at = -1; /* before every run */
    for (size_t k = 0; k < c->trace->nruns; k++) {
        struct span s = run_span(c, k);
        if (ts >= s.from && ts <= s.to)
            return 0; /* in run k */
        if (ts > s.to)
            at = 1; /* after an ended run, before the next */
    }
    return at;
}

bool st_before_runs(const struct st_comparison *c, size_t f)
{
    const struct st_trace *t = c->trace;
    if (c->from_wire || !t->nruns || !t->npkts || !c->offset_pairs)
        return false;
    return where(c, st_frame_time(c, (long)f)) < 0;
}

void st_outside_runs(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    if (c->from_wire || !t->nruns || !t->npkts || !c->offset_pairs)
        return;
    for (size_t f = 0; f < c->cap->n; f++) {
        enum st_cause why = (enum st_cause)c->fcause[f];
        if (c->f2t[f] >= 0 ||
            (why != ST_CAUSE_RETRANSMIT && why != ST_CAUSE_UNKNOWN && why != ST_CAUSE_MISSED_REPLY))
            continue;
        int w = where(c, st_frame_time(c, (long)f));
        /* before a run, nothing it sent can be answered; after one, a
         * reply to it may still come (never one the scanner missed) */
        if (w < 0 || (w > 0 && (c->fdir[f] == ST_DIR_SENT || why != ST_CAUSE_MISSED_REPLY))) {
            c->fcause[f] = ST_CAUSE_BACKGROUND;
            c->f2t[f] = -1;
        }
    }
}
