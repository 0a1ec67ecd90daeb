/*
 * Between the steps of a comparison (align.c, causes.c, summary.c).
 */
#ifndef ST_ALIGN_INTERNAL_H
#define ST_ALIGN_INTERNAL_H

#include "comparison.h"

/* Give every unmatched packet its cause, and wire-only frames their probe. */
void st_classify(struct st_comparison *c);

#endif
