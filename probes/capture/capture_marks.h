/*
 * The packets a scanner announced before sending them, each with the comment
 * its frame is to carry. Looked up by packet identity (st_pkt_hash() for the
 * bucket, st_pkt_same() for the match), so a sweep of many thousands of
 * probes costs one bucket walk per captured frame. One thread adds (the
 * scanner), another takes (the capture thread; then whoever frees); any
 * may ask how many are pending.
 */
#ifndef ST_CAPTURE_MARKS_H
#define ST_CAPTURE_MARKS_H

#include <stddef.h>

#include "packet.h"

struct st_marks;

struct st_marks *st_marks_new(void);

/* Add a copy of `p` with a copy of `comment`. 0, or -1 with errno ENOMEM. */
int st_marks_add(struct st_marks *m, const struct st_pkt *p, const char *comment);

/* The same with the comment "scantrace probe=N mode=MODE", made only when
 * the frame is found (`mode` must live until then). */
int st_marks_add_probe(struct st_marks *m, const struct st_pkt *p, unsigned long probe,
                       const char *mode);

/* How many are waiting for their frame. */
size_t st_marks_pending(struct st_marks *m);

/*
 * Remove the oldest entry with the identity of `p` and return its comment
 * (the caller frees it), or NULL when none matches.
 */
char *st_marks_take(struct st_marks *m, const struct st_pkt *p);

void st_marks_free(struct st_marks *m);

#endif
