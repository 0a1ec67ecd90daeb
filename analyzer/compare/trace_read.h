/*
 * The trace reader: a trace log (scantrace's trace.log or nmap's
 * --packet-trace output, at any -d level, mixed with nmap's report lines and
 * NSOCK lines) into packet records and what the scanner concluded. CONN
 * lines (the unprivileged mode) become connect records (ST_PKT_CONNECT).
 */
#ifndef ST_TRACE_READ_H
#define ST_TRACE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util.h"

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
};

struct st_trace_warning {
    uint32_t line;
    char message[120];
};

struct st_trace {
    char dialect[32]; /* "nmap-7.93", "scantrace", "nmap" */
    uint32_t lines;   /* lines in the file */
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
    int64_t end_ns;   /* when the scanner stopped ("Nmap done: ... scanned in X seconds"), or -1 */
    char **modes;     /* names from PASS lines, in order */
    size_t nmodes;
    int64_t *mode_start_ns; /* trace time of each PASS line */
    uint32_t *mode_line;    /* line number of each PASS line */
    bool interrupted;       /* run.json: the scanner was stopped before it decided */
    /* run.json: the mode nmap's command line asked for ("-PO1,6,17,132"),
     * the name of a trace without PASS lines; "" when unknown */
    char asked_mode[96];
    /* run.json: the scanner host's own addresses (hosts.h ids), known to be
     * the scanner's even when no probe left from them */
    uint32_t *local;
    size_t nlocal;
};

/* Packet i's pass: 1 + its index in modes, 0 before any PASS line. */
static inline uint32_t st_trace_pkt_mode_ix(const struct st_trace *t, size_t i)
{
    size_t lo = 0, hi = t->mode_first ? t->nmodes : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->mode_first[mid] <= i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
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
    return st_store_get(&t->pkts, i, tmp);
}

/* Append a packet (the readers; wire_side.h's builder). */
void st_trace_add_pkt(struct st_trace *t, const struct st_pkt *p);

/* Add a verdict the scanner recorded elsewhere (scantrace's run.json). */
void st_trace_add_verdict(struct st_trace *t, uint32_t addr, const char *mode, bool up,
                          const char *reason, double latency_s);

#endif
