/*
 * Between the steps of a comparison (align.c, causes.c, summary.c and the
 * rules in files of their own).
 */
#ifndef ST_ALIGN_INTERNAL_H
#define ST_ALIGN_INTERNAL_H

#include "comparison.h"

/* Match probes sent as fragments with their whole train (fragments.c). */
void st_align_fragments(struct st_comparison *c);

/* Which host each trace packet is about (c->thost), once its frame is known. */
void st_trace_hosts_fill(struct st_comparison *c);

/* Give every unmatched packet its cause, and wire-only frames their probe. */
void st_classify(struct st_comparison *c);

/* Unknown wire-only frames of another program on the scanner's host
 * (background.c): cause background. */
void st_background(struct st_comparison *c);

/* Trace-only packets from before the capture's first frame or after its
 * last, when proven (outside.c): cause outside-capture, counted in
 * c->outside_before and c->outside_after. */
void st_outside_capture(struct st_comparison *c);

/* Frames that are another capture point's copy of a matched frame
 * (copies.c): cause copy, their packet's relatives. first and cand: each
 * trace packet's candidate frames (align.c's). */
void st_copies(struct st_comparison *c, const uint32_t *first, const int32_t *cand);

#endif
