/*
 * The comparison of a trace with a capture: which trace packet is which
 * frame, what is on one side only and why, and what each mode did to each
 * host. Built by st_compare_run from a read trace and a read capture; the
 * reports only read it.
 */
#ifndef ST_COMPARISON_H
#define ST_COMPARISON_H

#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "hosts.h"
#include "trace_read.h"

struct st_claims;
struct st_group_probe;

/* The interfaces of a capture whose filters compare reads (cap_ifaces). */
#define ST_CAPTURE_IFACES_MAX 8

/* Why a packet is on one side only (see README: "Causes"). */
enum st_cause {
    ST_CAUSE_NONE = 0,
    /* wire only */
    ST_CAUSE_OS_RST,       /* the scanner's kernel answering a SYN/ACK it never asked for */
    ST_CAUSE_OS_ARP,       /* address resolution the kernel did for the probes */
    ST_CAUSE_LATE_REPLY,   /* a reply after the host was already up: never traced */
    ST_CAUSE_MISSED_REPLY, /* a reply to a probe the scanner did not trace at all */
    ST_CAUSE_RETRANSMIT,   /* the scanner's side sent a probe again without tracing it */
    ST_CAUSE_UNRELATED,    /* traffic no probe caused */
    ST_CAUSE_OS_TCP, /* the kernel's own packets of a connect(): handshake ACK, close, SYN retry */
    ST_CAUSE_UNKNOWN,
    /* trace only */
    ST_CAUSE_NO_ARP,       /* a SENT line whose next hop never answered ARP: never on the wire */
    ST_CAUSE_CAPTURE_DROP, /* the capture lost frames */
    /* IPv6 (wire only, then trace only) */
    ST_CAUSE_OS_ND,           /* neighbour discovery the kernel did: for the probes' next hop, or
                               * answering a neighbour's solicitation (IPv6's os-arp) */
    ST_CAUSE_OS_RS,           /* a router solicitation the kernel sent of its own accord */
    ST_CAUSE_OS_MLD,          /* multicast listener reports the kernel sent joining a group */
    ST_CAUSE_NO_ND,           /* a SENT line whose next hop never answered ND (IPv6's no-arp) */
    ST_CAUSE_OTHER_SHARD,     /* another shard's frame, swept at once from the same host */
    ST_CAUSE_DNS,             /* the scanner's name lookups (reverse DNS: nmap without -n, -R) */
    ST_CAUSE_UNTRACED_RUN,    /* a frame of a run of the log that traced no packet (nmap without
                               * --packet-trace among runs with it): not judged */
    ST_CAUSE_BACKGROUND,      /* the scanner's host with an address the scan never probed:
                               * another program's (a traced run sends nothing untraced) */
    ST_CAUSE_COPY,            /* the same packet again, seen at a second capture point (a router's
                               * other interface): not sent twice */
    ST_CAUSE_OUTSIDE_CAPTURE, /* trace only: from a time the capture holds nothing of (before its
                               * first frame, after its last): not checked */
    ST_CAUSE_LOOPBACK,        /* trace only: between the scanner's own addresses, carried by the
                               * loopback interface, which the capture did not record */
    ST_CAUSE_AFTER_TRACE,     /* wire only: after the last line of a trace cut short (no "Nmap
                               * done"): nothing to check it against */
    ST_CAUSE_TRUNCATED,       /* a frame the capture's snap length cut before a header compare
                               * reads, or a trace packet of a host such frames are about */
    ST_CAUSE_CONNECT_NO_ARP,  /* trace only: a connect() (CONN line) whose SYN the kernel never
                               * sent, its next hop never answering ARP or ND */
    ST_CAUSE_OTHER_INTERFACE, /* trace only: from or to a scanner's address no frame shows: it
                               * left by an interface the capture did not record */
    ST_CAUSE_MEMBER_REPLY,    /* wire only: a member's answer to a probe of a group that the
                               * scanner never traces (nping: no target of its, or its id) */
    ST_CAUSE_ROUTER_NO_ARP,   /* trace only: a probe a capture past a router does not show, the
                               * router's ARP (ND) for its target unanswered: it dropped it */
    ST_CAUSE_DECOY_ARP,       /* wire only: a neighbour (the router, a target) asking by ARP for
                               * a decoy address (-D), to deliver the answer to a probe sent in
                               * its name: not the scanner's kernel */
    ST_CAUSE_DECOY_ND,        /* the same by IPv6 neighbour discovery */
    ST_CAUSE_CAPTURE_FILTER,  /* trace only: no frame, in a capture taken with a filter that may
                               * have kept it out: not checked */
    ST_CAUSE_COUNT,           /* how many there are (tables of counts) */
};

const char *st_cause_name(enum st_cause c);

/* Whether a cause is expected behaviour or a discrepancy. */
bool st_cause_is_discrepancy(enum st_cause c);

/* A host whose statistics (the scanner's own count of its probes and
 * replies) are not what compare counted: its trace's lines, or the frames
 * of a side built from the wire (stated_counts.c). */
struct st_miscount {
    uint32_t addr;
    size_t mode; /* its index in st_comparison.modes */
    uint32_t stated_sent, counted_sent, stated_rcvd, counted_rcvd;
    bool sent_wrong, rcvd_wrong;
};

/* One per host and mode (a sweep: millions), so its flags sit together. */
struct st_mode_host {
    uint32_t addr;
    bool up;
    bool judged; /* the scanner decided it (its report, run.json, or a finished nmap) */
    bool placed; /* listed for a claim alone (st_claims_place_unprobed) */
    bool group;  /* a group its probes went to (groups.h): up when a member answered */
    bool member; /* found by a group's probes alone (groups.h), none of its own */
    /* probes the scanner's statistics say it sent the host (nping, ping,
     * fping, hping3), when that is not what its trace (the wire) shows; 0
     * otherwise (stated_counts.c; st_miscount_of has the rest) */
    uint32_t stated_sent;
    const char *reason; /* "echo-reply", "reset", ..., "no-response" */
    double latency_s;   /* < 0 unknown */
    /* trace packet indexes (probes sent, replies traced) and frame indexes
     * of wire-only packets about this host (in st_comparison.lists; 32
     * bits, as every per-packet index) */
    int32_t *probes, *replies, *wire;
    size_t nprobes, nreplies, nwire;
    /* trace packets of nmap's later phases about the host (port scan,
     * traceroute: st_trace_pkt_later), sent and received, in line order */
    int32_t *later;
    size_t nlater;
};

struct st_mode {
    char *name;
    struct st_mode_host *hosts;
    size_t nhosts;
    /* the log's run this pass is, when its runs are the passes (a lab
     * session's log: st_trace.runs_are_passes); 0 otherwise. The claims of
     * its hosts are that run's (st_claim_of). */
    uint32_t run;
};

struct st_comparison {
    const struct st_trace *trace;
    const struct st_dissection *cap;
    const char *trace_path, *capture_path;

    int64_t offset_ns; /* capture time = trace time + offset */
    size_t offset_pairs;

    /* Per trace packet and per frame, so as narrow as they can be (a 10M-frame
     * capture: every byte here is 10 MB): indexes in 32 bits, causes
     * (enum st_cause) and directions (enum st_dir) in 8. */
    int32_t *t2f;    /* trace packet -> frame index, -1 */
    uint32_t *thost; /* trace packet -> the host it is about (st_trace_pkt_host) */
    /* the run's IPv6 targets, (last 24 bits << 32 | host) sorted: the hosts of
     * solicitations that name only their group (nd_group.c) */
    uint64_t *nd_groups;
    size_t nnd_groups;
    /* a log's runs look alike and the capture holds the frames of one: the
     * first took them, the others' lines are outside-capture, the order a guess */
    bool runs_alike;
    /* frame -> trace packet index; negative for a wire-only frame: -1, or
     * -2 - p when it relates to probe p (a reply to it, the kernel's RST
     * for it...; 4 bytes a frame less than a table of its own). Test it
     * for < 0 or >= 0, or read it with st_frame_trace and st_frame_rel. */
    int32_t *f2t;
    uint8_t *tcause; /* trace-only packets */
    uint8_t *fcause; /* wire-only frames */
    /* fragment trains: frame -> the next fragment of its datagram, -1. A
     * probe's train starts at its frame (t2f); the later fragments map to
     * the probe in f2t too, so they are neither wire-only nor items. NULL
     * when the capture has no train (nearly always): read it with
     * st_frame_next */
    int32_t *fnext;
    uint8_t *fdir; /* direction of each frame, as captured or inferred */
    /* each frame's mode, 1 + its index in modes (0: none), set by
     * st_compare_summarize: read it with st_frame_mode. A byte a frame while
     * the modes are fewer than 255 (a trace's passes: always but for odd
     * input), else 4 */
    uint8_t *fmode8;
    uint32_t *fmode32;

    uint32_t *scanner; /* the scanner's addresses */
    size_t nscanner;

    /* the trace's probes of a group (an echo request to a multicast group or
     * a broadcast address, groups.h), by key, and those groups, sorted: none
     * in nearly every run */
    struct st_group_probe *groups;
    size_t ngroups;
    uint32_t *group_hosts;
    size_t ngroup_hosts;
    /* the IPv4 directed broadcasts told by their answers where no frame's
     * link layer said (st_groups_by_answers), sorted; NULL nearly always */
    uint32_t *bcast;
    size_t nbcast;
    /* the scanner takes a member's answer for its group's
     * (st_scanner_counts_members): the group is up when a member answered */
    bool members_answer_group;

    const uint32_t *shard_others; /* a shard's run: the sweep's other addresses, sorted */
    size_t nshard_others;

    uint64_t capture_dropped; /* from run.json / the capture, when known */
    bool dropped_known;
    /* the capture filter its pcapng records (dumpcap -f, Wireshark's), "" for
     * none, and the trace packets without their frame it may have kept out
     * (causes.c): cause capture-filter, not checked */
    char capture_filter[256];
    size_t filtered;
    /* per trace packet, whether the filter surely kept it out (its packet
     * built from the line dropped); NULL when none was */
    bool *tfilter_drops;
    /* the capture's interfaces (their link types and filters): each such
     * packet is built and run through them (filter_judge.h); one the
     * filters keep is judged as in a capture without a filter. None read
     * (or more than fit here): every such packet is capture-filter */
    struct st_capture_iface cap_ifaces[ST_CAPTURE_IFACES_MAX];
    size_t ncap_ifaces;
    /* run.json says scantrace made the capture (record, scan): it ran
     * before the scanner started and after it ended */
    bool capture_whole;
    /* when the recorded command exited (run.json, capture clock), 0 unknown:
     * an answer after it is one the scanner could not read */
    int64_t scanner_end_ns;
    bool capture_chosen;    /* record -i: the capture holds the interfaces named, maybe not all
                             * those the probes took */
    size_t unseen_targets;  /* a side built from the wire, capture_chosen: targets no frame is
                             * about (their probes may have taken another interface) */
    uint32_t unseen_target; /* the first of them */
    /* trace packets from before the capture's first frame, after its last */
    size_t outside_before, outside_after;
    /* wire-only frames after a cut-short trace's last line (after-trace) */
    size_t after_trace;
    /* frames cut by the capture's snap length, and the one-sided packets
     * left unchecked for them (truncated) */
    size_t cut_frames, cut_unchecked;
    bool cut_blind;          /* one of them lost its host (ARP, ND): no claim is held */
    size_t other_if;         /* trace packets of an interface not captured (other_if.c) */
    uint32_t other_if_addr;  /* the first one's address on the scanner's side */
    unsigned other_if_addrs; /* 1, or 2 for two or more addresses */

    size_t matched, trace_only, wire_only, discrepancies;
    /* matched packet lines whose frame shows other header values (altered.c):
     * per trace packet 1 when altered, NULL when none is; how many, the
     * first, and the hops of a capture past a router the rule allowed */
    uint8_t *taltered;
    size_t altered, altered_first;
    unsigned altered_hops;

    struct st_mode *modes;
    size_t nmodes;
    int32_t *lists; /* every host's probes, replies and wire lists, one block */

    /* the run had no packet trace: the scanner's side was built from the
     * capture (wire_side.h), so "consistent" would say nothing */
    bool from_wire;
    /* why the scanner printed none, when its command says (nmap without
     * --packet-trace, or with -oX -), or NULL */
    const char *no_trace_why;
    /* a side built from the wire whose command names a target by name (its
     * first such): every address probed is a target, or NULL */
    const char *named_target;
    /* a side built from the wire whose scanner failed or was killed, and
     * that prints no claims (nping): "the scanner failed (exit status 1)" */
    const char *failed_why;
    /* the failed scanner's error, as "(... )" words for the result line */
    const char *stderr_said;
    /* what the scanner printed, against the wire (claims.h), or NULL */
    const struct st_claims *claims;
    /* what compare could judge: hosts with the scanner's verdict, hosts
     * without, modes with no host at all (st_compare_result) */
    size_t judged, unjudged, empty_modes;
    /* hosts whose probes or replies the scanner's statistics miscount
     * (nping's "Probes Sent | Rcvd", ping's "N packets transmitted, M
     * received", fping's xmt/rcv, hping3's: stated_counts.c), of them those
     * it never probed, and the first of each; each such host's counts, and
     * the scanner that printed them ("nping"...) */
    size_t miscounted, miscounted_unprobed;
    uint32_t miscounted_first, unprobed_first;
    struct st_miscount *miscounts;
    size_t nmiscounts;
    const char *miscount_scanner;
    /* hosts whose echo requests carry several ids in a run of ping or
     * fping built from the wire, which give all theirs one: another
     * program's ping to them beside the scanner that the wire cannot tell
     * apart (stated_counts.c); their statistics are not checked, and the
     * first of them */
    size_t echo_ids_mixed;
    uint32_t echo_ids_mixed_first;
    /* runs whose "Starting ... at" minute the capture's clock does not fit
     * (run_dates.c): the first's start by the capture and by its line */
    size_t date_mismatch;
    int64_t date_run_s, date_wall_s;
    bool date_utc;
    /* run.json's local_clock: the zone the command's clock named and its
     * offset from UTC (s); date_shifted: the mismatch's line was placed by
     * that offset */
    bool clock_known, date_shifted;
    int64_t clock_offset_s;
    char clock_zone[16];
    /* a merged sweep (run.json's shard): the shards merge did not have, of
     * how many, the first's index (-1 none) */
    size_t shards_missing;
    int shards_count, shard_missing_first;
    /* ARP/ND lines of the scanner's link, in a capture taken past a router
     * (causes.c): other-interface, not checked */
    size_t past_router_links;
};

/* Room for a result line (st_compare_result) with every clause at once:
 * discrepancies, claims, and each thing compare could not judge. */
#define ST_RESULT_MAX 1024

/*
 * The comparison's result in a few words: "consistent", or what keeps it
 * from passing ("DISCREPANCIES", "UNJUDGED: 3 hosts without a verdict (run
 * interrupted)", "unreadable lines"...), into buf. Returns whether it
 * passes: no discrepancy, every line read, every mode with a host and every
 * host judged. An unjudged comparison never passes.
 */
bool st_compare_result(const struct st_comparison *c, char *buf, size_t size);

/* Align and classify. Never fails on well-formed inputs (aborts on OOM).
 * A trace of several runs has their clocks joined (st_trace_join_runs). */
void st_compare_run(struct st_comparison *c, struct st_trace *t, const struct st_dissection *cap);

/* Each run's printed start ("Starting Nmap ... at") against where the
 * alignment put it on the capture's clock (run_dates.c). */
void st_run_dates_check(struct st_comparison *c);

/* The per-mode, per-host view (summary.c). */
void st_compare_summarize(struct st_comparison *c);

/* The probes nping's statistics say it sent each target, against those
 * its trace shows (the wire checked those): a target it never probed is
 * listed down, not-probed, in its run's mode (stated_counts.c). After
 * st_compare_summarize. */
void st_stated_counts_check(struct st_comparison *c);

/*
 * The statistics a scanner without a packet trace printed (ping's "3
 * packets transmitted, 2 received", fping's "xmt/rcv/%loss = 3/3/0%", -C's
 * list, hping3's "N packets transmitted, M packets received"; counts, from
 * claims.h's readers), against the frames of its side built from the wire:
 * its echo requests (hping3: any probe) to each host, and the answers that
 * came before it exited. What the capture cannot judge is left alone
 * (frames it dropped, probes the kernel held for an address resolution
 * that never came, a reply at the moment the scanner exited). Replaces
 * what an earlier call found. After st_claims_place_unprobed.
 */
void st_stated_counts_wire(struct st_comparison *c, const struct st_trace_count *counts, size_t n,
                           const char *scanner);

/* The counts of host addr of mode m when its statistics miscount it, or NULL. */
const struct st_miscount *st_miscount_of(const struct st_comparison *c, const struct st_mode *m,
                                         uint32_t addr);

/* A host's packets of nmap's later phases, counted (st_mode_host.later). */
struct st_later {
    size_t sent, rcvd, on_wire;
    uint32_t first_line, last_line;
    uint32_t first_frame, last_frame; /* of those on the wire (0: none); a side
                                       * built from the capture has no lines */
};
void st_host_later(const struct st_comparison *c, const struct st_mode_host *h, struct st_later *l);
/* Where they are, for a reader: "lines 14-426", or "frames 47-520" in a side
 * built from the capture (its packets have no lines). */
void st_later_where(const struct st_comparison *c, const struct st_later *l, char *out,
                    size_t size);

/* Whether host h, not group itself, was found by a probe of group (an
 * echo request to a multicast or broadcast address, groups.h): a member
 * of it, the group's request among its probes. */
bool st_host_member_of(const struct st_comparison *c, const struct st_mode_host *h, uint32_t group);

/* The groups host h is a member of, each once, in address order, into out
 * (room for h->nprobes); how many. */
size_t st_host_groups(const struct st_comparison *c, const struct st_mode_host *h, uint32_t *out);

/* Whether some mode of c has the host addr, once summarized (each mode's
 * hosts are in address order: looked up by halves, not walked). */
bool st_compare_has_host(const struct st_comparison *c, uint32_t addr);

void st_compare_free(struct st_comparison *c);

/* Whether packet line `line` shows header values its frame `wire` does not
 * (TTL, lengths, TCP window and MSS: altered.c), `hops` the routers a
 * capture was taken past (0: none); why in why: "ttl=48 in its line,
 * ttl=64 on the wire"; hops ST_ANY_HOPS takes any TTL or hop limit. */
#define ST_ANY_HOPS 0xffffffffu
bool st_pkt_altered(const struct st_pkt *line, const struct st_pkt *wire, unsigned hops, char *why,
                    size_t n);

/* Why matched trace packet ti is altered, into why; false when it is not. */
bool st_altered_why(const struct st_comparison *c, size_t ti, char *why, size_t n);

/* Frame f's time (read from the store alone: no table of 8 bytes a frame). */
static inline int64_t st_frame_time(const struct st_comparison *c, long f)
{
    return st_store_time(&c->cap->frames, (size_t)f);
}

/* Frame f's mode: 1 + its index in modes, 0: none. */
static inline uint32_t st_frame_mode(const struct st_comparison *c, long f)
{
    return c->fmode8 ? c->fmode8[f] : c->fmode32 ? c->fmode32[f] : 0;
}

/* Frame f's trace packet, or -1 (wire-only). */
static inline long st_frame_trace(const struct st_comparison *c, long f)
{
    return c->f2t[f] >= 0 ? c->f2t[f] : -1;
}

/* The probe (trace index) wire-only frame f relates to, or -1. */
static inline long st_frame_rel(const struct st_comparison *c, long f)
{
    return c->f2t[f] <= -2 ? -2 - (long)c->f2t[f] : -1;
}

/* The next fragment of frame f's train, or -1. */
static inline long st_frame_next(const struct st_comparison *c, long f)
{
    return c->fnext ? c->fnext[f] : -1;
}

/* Whether `a` is one of the scanner's addresses. */
bool st_is_scanner(const struct st_comparison *c, uint32_t a);

/* Whether host `a` is the scanning host itself to nmap: one of its
 * addresses, or loopback (127.0.0.0/8, ::1): up without a packet. */
bool st_is_own_host(const struct st_comparison *c, uint32_t a);

/* The host a packet is about: the probe's destination, the reply's source,
 * the quoted destination of an ICMP error, the ARP target or sender. */
uint32_t st_pkt_host(const struct st_comparison *c, const struct st_pkt *p, enum st_dir dir);

/* The same for trace packet ti, in its own direction (the probe's
 * destination, the reply's source...); a matched ICMPv6 packet's frame shows
 * what its trace line does not (an ND target, an error's quote). */
uint32_t st_trace_pkt_host(const struct st_comparison *c, size_t ti);

/* Trace packet ti, or its frame's record where that tells more of an ICMP
 * error (the datagram it quotes: nmap's lines name no quoted destination)
 * for nmap's rules to read (a port unreachable is up only from the
 * target); its time is then the capture's. In buf. */
const struct st_pkt *st_trace_pkt_told(const struct st_comparison *c, size_t ti,
                                       struct st_pkt *buf);

/* The run's targets (the addresses probed or given a verdict), sorted; the
 * caller frees the list. */
uint32_t *st_compare_targets(const struct st_comparison *c, size_t *n);

/*
 * nmap's name for the mode that sent these packets, from the probes among
 * them: "default", "-PR" (ARP or ND ping), "-PE", "-PS22,443", "-PE -PP -PR", "connect".
 * Both scanners' traces get the same name for the same probes. free() it.
 */
char *st_mode_name_of(const struct st_pkt *const *pkts, size_t n);
/* The same for trace packets idx[0..n). */
char *st_mode_name_of_trace(const struct st_trace *t, const int32_t *idx, size_t n);
/* The same for trace packets from .. to - 1. */
char *st_mode_name_of_range(const struct st_trace *t, size_t from, size_t to);

#endif
