/*
 * One packet seen twice in one capture, at two capture points (copies.c).
 */
#ifndef ST_COPIES_H
#define ST_COPIES_H

#include <stdbool.h>

#include "packet.h"

/* Forwarding takes microseconds; a scanner's retry comes 50 ms or more
 * after its try. */
#define ST_COPY_WINDOW_NS 5000000LL

/* Whether frames a and b are one packet seen at two points: its identity,
 * within ST_COPY_WINDOW_NS, another TTL, link-layer pair or capture point. */
bool st_pkt_copy(const struct st_pkt *a, const struct st_pkt *b);

#endif
