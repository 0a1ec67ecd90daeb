/*
 * The trace log written by a thread of its own. Formatting a SENT or RCVD
 * line (nmap's text) and writing it were a fifth of the sending thread's
 * time in a /16 sweep, on the core that also carries the kernel's whole
 * veth round trip. The sender hands over the decoded packet (a copy into a
 * ring, no lock) and the writer formats it, in order, on the other core.
 *
 * One producer: every call but st_tw_new from the same thread. The FILEs
 * belong to the writer until st_tw_flush() or st_tw_free() returns.
 */
#ifndef ST_TRACE_WRITER_H
#define ST_TRACE_WRITER_H

#include <stdint.h>
#include <stdio.h>

#include "packet.h"

struct st_tw;

/* Lines go to `trace`, and also to `echo` when not NULL; packet times are
 * written relative to start_ns. NULL when out of memory or threads. */
struct st_tw *st_tw_new(FILE *trace, FILE *echo, enum st_detail detail, int64_t start_ns);

/* "SENT (1.2345s) <p>" or "RCVD ..." (dir is "SENT" or "RCVD"), at time t_ns. */
void st_tw_packet(struct st_tw *w, const char *dir, int64_t t_ns, const struct st_pkt *p);

/* A neighbour advertisement an ND ping read, as nmap traces it (its own
 * RCVD line: "neighbor advertisement SRC > DST TARGET is at MAC"). */
void st_tw_nd(struct st_tw *w, int64_t t_ns, const struct st_pkt *p);

/* A line of text as is (its newline included), after the lines before it. */
void st_tw_text(struct st_tw *w, const char *line);

/* Return once every line so far is written and both FILEs are flushed. */
void st_tw_flush(struct st_tw *w);

/* Flush, stop the thread, free. */
void st_tw_free(struct st_tw *w);

#endif
