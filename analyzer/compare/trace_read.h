/*
 * The trace reader: a trace log (scantrace's trace.log or nmap's
 * --packet-trace output, at any -d level, mixed with nmap's report lines and
 * NSOCK lines) into packet records and what the scanner concluded. CONN
 * lines (the unprivileged mode) become connect records (ST_PKT_CONNECT).
 */
#ifndef ST_TRACE_READ_H
#define ST_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "packet.h"
#include "util.h"

/* How many of the ascending first[0 .. n) are <= i: the packets of pass or
 * run k start at first[k]. */
static inline size_t st_firsts_upto(const size_t *first, size_t n, size_t i)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (first[mid] <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* What the scanner's own report says about a host. A sweep's trace has
 * millions, sharing a few names: the mode and the reason are indexes into
 * the trace's `names` (st_trace_host_mode, st_trace_host_reason). */
struct st_trace_host {
    uint32_t addr;
    uint32_t line;    /* 0 when it came from run.json */
    double latency_s; /* < 0 when not printed */
    uint32_t mode;    /* the pass it belongs to; "" for any (nmap's report) */
    uint32_t reason;  /* the scanner's reason, when it said one (run.json) */
    bool up;
    /* "Host is up." bare: no reply timed it and no --reason (a -Pn host,
     * or one of the scanner's own addresses) */
    bool bare_up;
};

/* A count the scanner's own statistics state of a target (nping's
 * "Statistics for host ADDR:" block, its "Probes Sent: N | Rcvd: M" line;
 * ping's, fping's and hping3's, read with their claims): stated_counts.c
 * sets it against the probes the trace (the wire) shows. */
struct st_trace_count {
    uint32_t addr, run, line; /* hosts.h id, the log's run, its "Probes Sent" line */
    uint32_t sent, rcvd;
    uint32_t errors; /* ping's "+N errors": probes its kernel refused or a router answered */
    uint32_t blocks; /* the statistics summed: ping's runs (each its own echo id) */
};

struct st_trace_warning {
    uint32_t line;
    char message[120];
};

struct st_trace {
    /* "nmap-7.93", "scantrace", "nmap"; a log of runs of both kinds names
     * each once, in order: "nmap-7.93+nping-0.7.93" */
    char dialect[48];
    uint32_t lines; /* lines in the file */
    /* the packets, kept packed (a sweep's trace has millions, each a few
     * dozen bytes of a struct st_pkt): read them with st_trace_pkt */
    struct st_pkt_store pkts;
    /* the passes' packets: each PASS line's first packet (packets are in
     * line order, so a pass's packets are one run, and no table per packet
     * is needed); read with st_trace_pkt_mode_ix, st_trace_pkt_mode */
    size_t *mode_first;
    size_t npkts;  /* = pkts.n */
    size_t nconns; /* of the packets, connect records (CONN lines) */
    struct st_trace_host *hosts;
    size_t nhosts, cap_hosts;
    struct st_strtab names; /* the hosts' modes and reasons */
    struct st_trace_warning *warnings;
    size_t nwarnings, cap_warnings;
    size_t malformed; /* SENT/RCVD lines that could not be read */
    /* probes the kernel refused ("Offending packet:" after nmap's "sendto in
     * ...: ... => ERROR", send_fail.h): never on the wire, not checked */
    size_t unsent;
    uint32_t unsent_line; /* the first's */
    char unsent_why[64];  /* the first's error ("Message too long") */
    int64_t end_ns; /* when the scanner stopped ("Nmap done: ... scanned in X seconds"), or -1 */
    char **modes;   /* names from PASS lines, in order */
    size_t nmodes;
    int64_t *mode_start_ns; /* trace time of each PASS line */
    uint32_t *mode_line;    /* line number of each PASS line */
    bool interrupted;       /* run.json: the scanner was stopped before it decided */
    bool unfinished;        /* run.json "running": the run never ended (record killed) */
    /* run.json: the mode nmap's command line asked for ("-PO1,6,17,132"),
     * the name of a trace without PASS lines; "" when unknown */
    char asked_mode[96];
    /* run.json: the scanner host's own addresses (hosts.h ids), known to be
     * the scanner's even when no probe left from them */
    uint32_t *local;
    size_t nlocal;
    /* run.json: the IPv6 targets of the recorded command line (hosts.h ids,
     * sorted), for the neighbour solicitations whose trace line names only
     * the solicited-node group (an absent host nmap never reports) */
    uint32_t *targets6;
    size_t ntargets6;
    /* Runs: a log holding several scanner runs one after the other (a lab
     * session's `nmap ... >> log`), each "Starting Nmap" line beginning one.
     * Each run's times count from its own start, so with more than one
     * run_shift (set by the alignment, st_trace_join_runs) moves each run's
     * times onto the first one's clock; st_trace_pkt adds it. Without PASS
     * lines each run is a pass of its own, named after its probes. */
    size_t *run_first;   /* each run's first packet */
    uint32_t *run_line;  /* its "Starting" line */
    int64_t *run_end_ns; /* its "Nmap done" time (its own clock), -1 */
    int64_t *run_shift;  /* NULL with one run */
    bool *run_nping;     /* the run is nping's ("Starting Nping") */
    size_t nruns;
    size_t nping_runs;    /* of the runs, nping's: they print no claims */
    bool runs_are_passes; /* the passes were made from the runs */
    /* nmap's later phases (trace_phases.c): the runs whose report shows one
     * (a port table, TRACEROUTE...; later_phase: a log without "Starting"
     * lines), and per packet whether it is one's (NULL: none is) */
    bool *run_later;
    /* each run's "Starting ... at 2026-12-06 08:41 UTC": that minute read as
     * if UTC (seconds since the epoch; INT64_MIN: none), and whether its zone
     * is UTC, the zone's name as printed ("" for -oN's local time)
     * (run_dates.c sets it against the capture's clock) */
    int64_t *run_wall_s;
    bool *run_wall_utc;
    char (*run_wall_zone)[16];
    /* the command nmap's -oN/-oG header names ("# Nmap 7.93 scan initiated
     * ... as: nmap -sn ..."), the first such header's; NULL without one */
    char *nmap_as;
    bool later_phase;
    /* nmap -Pn (run.json's command line, or --reason's "received
     * user-set"): no discovery, its hosts up by the user's word */
    bool no_ping;
    uint8_t *later;
    size_t nlater;
    /* nping's per-target statistics, in line order (NULL nearly always),
     * and the host of the last "Statistics for host" line read (0: none) */
    struct st_trace_count *counts;
    size_t ncounts, cap_counts;
    uint32_t count_pending;
};

/* The wall time of the run begun by "Starting" line `line` (the last run
 * of t): run_wall_s and run_wall_utc (run_dates.c). */
void st_trace_run_wall(struct st_trace *t, const char *line);

/* Reads one of nping's statistics lines into t->counts: "Statistics for
 * host ADDR:" (or "NAME (ADDR):") and the "|  Probes Sent: N | Rcvd: M"
 * line under it. Returns whether the line was one (stated_counts.c). */
bool st_trace_read_count(struct st_trace *t, const char *line, uint32_t no);

/* Whether a line of nmap's output shows a phase after host discovery: a
 * port table, "Not shown:", TRACEROUTE, script or OS results, -v's
 * "Initiating SYN Stealth Scan" (trace_phases.c). */
bool st_trace_later_line(const char *line);

/* The current run (the log, before any "Starting" line) has a later phase. */
void st_trace_mark_later_phase(struct st_trace *t);

/* In each run with a later phase, the packets about a host after the first
 * reply that said it up: nmap sends no discovery probe to a host it found
 * up, so they are the later phase's (port scan, traceroute...); with
 * no_ping, every packet. Marks anew when called again. */
void st_trace_find_later(struct st_trace *t);

/* Once compare knows each packet's host (told: a router's ICMP error is
 * about the datagram its frame quotes), such an error after the later
 * phase of the host it is about began is that phase's too (nmap
 * --traceroute's time exceeded). */
void st_trace_mark_told_later(struct st_trace *t, const uint32_t *told);

/* nmap -Pn without --reason: a host reported bare "Host is up." (no
 * reply timed it) that the trace sent packets to. nmap -sn sends its own
 * addresses and loopback nothing, and a host it found up by a reply has its
 * latency printed: only -Pn calls up a host it probed and heard nothing
 * from. Sets no_ping. */
void st_trace_infer_no_ping(struct st_trace *t);

/* Whether trace packet i belongs to a phase after host discovery. */
static inline bool st_trace_pkt_later(const struct st_trace *t, size_t i)
{
    return t->later && t->later[i];
}

/* The name of run k's pass, after its packets [from, to): the nmap mode
 * that sends them, "(nping)" added for an nping run. k past the runs (a
 * log without "Starting" lines): the packets' mode alone. Freed by the
 * caller. */
char *st_trace_run_name(const struct st_trace *t, size_t k, size_t from, size_t to);

/* Whether some run of the log prints claims, as nmap's do: not scantrace's
 * own trace (its verdicts are in run.json), not a log of nping runs only. */
static inline bool st_trace_has_claims(const struct st_trace *t)
{
    return strcmp(t->dialect, "scantrace") && !(t->nruns && t->nping_runs == t->nruns);
}

/* Run k's packets: [*from, *to) (a packet before the first "Starting" line
 * is the first run's). */
static inline void st_trace_run_range(const struct st_trace *t, size_t k, size_t *from, size_t *to)
{
    *from = k ? t->run_first[k] : 0;
    *to = k + 1 < t->nruns ? t->run_first[k + 1] : t->npkts;
}

/* Whether run k traced no packet in a log whose other runs did (nmap run
 * without --packet-trace in a session): its frames cannot be judged. */
static inline bool st_trace_run_untraced(const struct st_trace *t, size_t k)
{
    size_t from, to;
    if (t->nruns < 2 || k >= t->nruns || !t->npkts)
        return false;
    st_trace_run_range(t, k, &from, &to);
    return from == to;
}

/* Whether run k printed claims its answers are held against: not an nping
 * run, nor an untraced one (its answers are not told apart), of a log whose
 * runs are its passes. */
static inline bool st_trace_run_claims(const struct st_trace *t, size_t k)
{
    return !(t->runs_are_passes && k < t->nruns &&
             (t->run_nping[k] || st_trace_run_untraced(t, k)));
}

/* Packet i's run (0 with one run or none). */
static inline size_t st_trace_pkt_run(const struct st_trace *t, size_t i)
{
    size_t n = st_firsts_upto(t->run_first, t->nruns, i);
    return n ? n - 1 : 0;
}

/* Packet i's pass: 1 + its index in modes, 0 before any PASS line. */
static inline uint32_t st_trace_pkt_mode_ix(const struct st_trace *t, size_t i)
{
    return (uint32_t)st_firsts_upto(t->mode_first, t->mode_first ? t->nmodes : 0, i);
}

/* The name of packet i's pass, or NULL when the trace has no PASS lines
 * before it. */
static inline const char *st_trace_pkt_mode(const struct st_trace *t, size_t i)
{
    uint32_t m = st_trace_pkt_mode_ix(t, i);
    return m ? t->modes[m - 1] : NULL;
}

static inline const char *st_trace_host_mode(const struct st_trace *t,
                                             const struct st_trace_host *h)
{
    return st_strtab_get(&t->names, h->mode);
}

static inline const char *st_trace_host_reason(const struct st_trace *t,
                                               const struct st_trace_host *h)
{
    return st_strtab_get(&t->names, h->reason);
}

/*
 * Read `path` into `t`. Returns 0, or -1 with a one-line reason in err when
 * the file cannot be read or is not text (a binary file, say). Malformed
 * packet lines are not errors: they are counted and listed as warnings.
 */
int st_trace_read(const char *path, struct st_trace *t, char *err, size_t errsz);

void st_trace_free(struct st_trace *t);

/* Trace packet i, decoded into *tmp; returns tmp. */
static inline const struct st_pkt *st_trace_pkt(const struct st_trace *t, size_t i,
                                                struct st_pkt *tmp)
{
    st_store_get(&t->pkts, i, tmp);
    if (t->run_shift)
        tmp->time_ns += t->run_shift[st_trace_pkt_run(t, i)];
    return tmp;
}

/* Whether the scanner finished the run packet i belongs to ("Nmap done"). */
bool st_trace_run_ended(const struct st_trace *t, size_t i);

/* Put every run's times on the first run's clock: shift[k] is added to run
 * k's times (its "Nmap done" and its pass's start too). */
void st_trace_join_runs(struct st_trace *t, const int64_t *shift);

/* Append a packet (the readers; wire_side.h's builder). */
void st_trace_add_pkt(struct st_trace *t, const struct st_pkt *p);

/* Add a verdict the scanner recorded elsewhere (scantrace's run.json). */
void st_trace_add_verdict(struct st_trace *t, uint32_t addr, const char *mode, bool up,
                          const char *reason, double latency_s);

#endif
