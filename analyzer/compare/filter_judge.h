/*
 * A trace line without its frame, in a capture taken with a capture filter
 * (dumpcap -f, Wireshark's capture filter box): whether the filter would
 * have kept its packet (filter_judge.c). The line's packet is built in the
 * link type of the capture's interface (st_pkt_encode), the filter compiled
 * by libpcap for that link type and run on it (filter_bpf.c), knowing which
 * bits the line fixes: a verdict that turns on a bit the line does not give
 * (a MAC address, a checksum, a payload byte) is no verdict.
 */
#ifndef ST_FILTER_JUDGE_H
#define ST_FILTER_JUDGE_H

#include <stddef.h>

#include "dissect.h"
#include "packet.h"

struct bpf_insn;

enum st_filter_verdict {
    ST_FILTER_UNKNOWN = 0, /* does not compile here, or reads what the line does not say */
    ST_FILTER_DROPS,       /* the capture kept it out: not checked */
    ST_FILTER_KEEPS,       /* the capture would hold it: a missing frame is missing */
};

const char *st_filter_verdict_name(enum st_filter_verdict v);

/* The capture's interfaces' filters, each compiled once for its link type. */
struct st_filter_judge;

/* NULL when none of ifs records a filter (nothing to judge). */
struct st_filter_judge *st_filter_judge_new(const struct st_capture_iface *ifs, size_t n);

/* Whether the capture's filters keep p: kept when every interface's keeps
 * it (the packet took one of them, and an interface without a filter keeps
 * all), dropped when one drops it and none is unsure, else unknown. */
enum st_filter_verdict st_filter_judge_pkt(struct st_filter_judge *j, const struct st_pkt *p);

void st_filter_judge_free(struct st_filter_judge *j);

/* One filter, on an interface of pcapng link type `linktype` (1 Ethernet,
 * 101 raw IP, 113 SLL, 276 SLL2, 228 IPv4, 229 IPv6): the tests' table. */
enum st_filter_verdict st_filter_verdict_of(const char *filter, uint16_t linktype,
                                            const struct st_pkt *p);

/* The filter program run on pkt, its unknown bits followed (filter_bpf.c). */
enum st_filter_verdict st_filter_bpf_run(const struct bpf_insn *prog, size_t n,
                                         const struct st_pkt_bytes *pkt);

#endif
