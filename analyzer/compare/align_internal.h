/*
 * Between the steps of a comparison (align.c, causes.c, summary.c and the
 * rules in files of their own).
 */
#ifndef ST_ALIGN_INTERNAL_H
#define ST_ALIGN_INTERNAL_H

#include "comparison.h"

/* Match datagrams sent as fragments (probes, replies) with their whole
 * train (fragments.c). */
void st_align_fragments(struct st_comparison *c);

/* A wire-only train's later fragments take its first's cause and probe
 * (fragments.c): after st_classify. */
void st_fragments_follow(struct st_comparison *c);

/* Which host each trace packet is about (c->thost), once its frame is known. */
void st_trace_hosts_fill(struct st_comparison *c);

/* The run's IPv6 targets by their last 24 bits (nd_group.c), for
 * st_nd_group_host; made anew by each call. */
void st_nd_groups_build(struct st_comparison *c);

/* The host of neighbour solicitation p, which shows only its solicited-node
 * group (a trace line, a frame cut before its target): the one target of the
 * run the group stands for, or 0. */
uint32_t st_nd_group_host(const struct st_comparison *c, const struct st_pkt *p);

/* Whether trace packet p goes from the scanner's host to itself (nmap
 * scanning its own address): the kernel carries it over lo (cause loopback). */
bool st_to_itself(const struct st_comparison *c, const struct st_pkt *p);

/* Mark the matched packet lines whose frame shows other header values
 * (altered.c): c->taltered, c->altered. */
void st_altered_find(struct st_comparison *c);

/* The hops between the scanner and a capture taken past a router (the
 * first probe whose frame shows a lower TTL or hop limit than its line,
 * by at most 32), 0 when none does: the capture is the scanner's own. */
unsigned st_capture_hops(const struct st_comparison *c);

/* Give every unmatched packet its cause, and wire-only frames their probe. */
void st_classify(struct st_comparison *c);

/* Unknown wire-only frames of another program on the scanner's host
 * (background.c): cause background. */
void st_background(struct st_comparison *c);

/* The frames from when no run of the trace ran (before its start, after its
 * "Nmap done" time) that looked like hidden probes or missed replies:
 * background, another program's (run_spans.c). */
void st_outside_runs(struct st_comparison *c);
/* Whether frame f came before every run of the trace started (its first
 * "Starting" line's time 0, less the slack): no probe of it existed yet. */
bool st_before_runs(const struct st_comparison *c, size_t f);

/* Trace-only packets from before the capture's first frame or after its
 * last, when proven (outside.c): cause outside-capture, counted in
 * c->outside_before and c->outside_after. */
void st_outside_capture(struct st_comparison *c);

/* A log's runs with no frame at all, before the first run with one or
 * after the last (outside.c): their unknown lines outside-capture too, once
 * the trace-only causes are set. */
void st_unseen_runs(struct st_comparison *c);

/* Missed replies and untraced retransmissions of outside-capture lines:
 * outside-capture (outside.c). */
void st_outside_relatives(struct st_comparison *c);

/* Trace-only packets from or to a scanner's address that no frame shows
 * (other_if.c): cause other-interface, counted in c->other_if. */
void st_other_interface(struct st_comparison *c);

/* Wire-only frames after the last line of a trace cut short (outside.c):
 * cause after-trace, counted in c->after_trace. */
void st_after_trace(struct st_comparison *c);

/* One-sided packets that frames cut by the capture's snap length leave
 * unexplained (snaplen.c): cause truncated, counted in c->cut_unchecked. */
void st_snaplen(struct st_comparison *c);

/* Whether a frame the snap length cut lost its host (ARP's addresses, ND's
 * target, the network header): any address may be in it. */
bool st_snaplen_blind(const struct st_comparison *c);

/* The capture times of the frames of a log's untraced runs
 * (untraced_span.c): frames no trace packet could be (nclaim[f] == 0: how
 * many trace packets list frame f), between the scanner and a host a traced
 * run probed. False when the log has no untraced run or they left none. */
bool st_untraced_span(const struct st_comparison *c, const uint8_t *nclaim, int64_t *lo,
                      int64_t *hi);

/* Frames that are another capture point's copy of a matched frame
 * (copies.c): cause copy, their packet's relatives. first and cand: each
 * trace packet's candidate frames (align.c's). */
void st_copies(struct st_comparison *c, const uint32_t *first, const int32_t *cand);

/* When nmap was reading no packet of a reply's kind (gave_up.c): a reply it
 * did not trace from then is late, not missed. Built on first use. */
struct st_gave_up {
    bool built;
    struct host_last *last; /* each host's last traced packet, by host */
    size_t nlast;
    uint32_t *up; /* the hosts nmap reported up, sorted */
    size_t nup;
};

/* Whether the trace proves no sniffer of nmap's could take frame f, a
 * reply about host. */
bool st_gave_up_before(struct st_gave_up *g, const struct st_comparison *c, uint32_t host,
                       const struct st_pkt *f);
void st_gave_up_free(struct st_gave_up *g);

#endif
