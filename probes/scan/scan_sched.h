/*
 * The scheduler of one pass: which target's probes go out next, when a try
 * has timed out, when a host is up or down. It owns no socket and no clock:
 * the engine calls st_sched_tick() with the time and a send callback, and
 * st_sched_reply() when a module recognized a reply.
 *
 * Timing follows nmap's model: a round-trip estimate (srtt + 4 rttvar,
 * clamped to [min, max], the initial timeout before any sample; ARP starts
 * at 200 ms), a congestion window of targets in flight (10 at first, +1 per
 * reply in slow start up to ssthresh then +1/cwnd, max 300), and tries per
 * host: two for a silent host, more only when other hosts answered later
 * tries, never more than --max-retries + 1.
 *
 * Silence is not loss, as in nmap: a try that times out says nothing about
 * the path (the address may hold no host), so it never closes the window. A
 * loss is a reply to a retry (the first try or its answer was lost): the
 * window halves and ssthresh falls to the tries in flight over the
 * template's divisor, once per batch, and the drop is recorded with its
 * reason (st_sched_drop) for -v. Where nmap then holds its window at 10,
 * scantrace opens it on a timeout as on a reply while no loss has been seen
 * since the try went out: nothing comes back from silent space to congest,
 * so the same tries with the same timeouts take a fraction of nmap's time.
 * On top: --max-rate caps the send rate, --min-rate sends even when the
 * window is full, --probe-deadline caps every timeout.
 */
#ifndef ST_SCAN_SCHED_H
#define ST_SCAN_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scan_config.h"

enum st_host_state {
    ST_HOST_PENDING = 0, /* not all tries sent and timed out yet */
    ST_HOST_UP,
    ST_HOST_DOWN,
};

struct st_sched_host {
    uint32_t addr;
    uint8_t tries;       /* tries sent */
    uint8_t state;       /* enum st_host_state */
    bool arp;            /* probed with ARP */
    bool flying;         /* a try is out and has not timed out */
    int64_t sent_ns;     /* when the current try went out */
    int64_t deadline_ns; /* when it times out */
    int64_t latency_ns;  /* first reply - its try's send time, -1 none */
    const char *reason;  /* nmap's reason of the verdict */
    uint32_t next_copy;  /* the next host of the pass with the same address, or UINT32_MAX */
    uint8_t copy;        /* which copy of its address: 0 the first (at most 255) */
    /* its retries wait ST_SCHED_RETRY_WAIT_NS after the timeout (set by the
     * engine: nmap's rate-limit detection, for a host sent several probe
     * kinds or probed with ARP/ND) */
    bool retry_wait;
    int64_t retry_at_ns; /* a held retry goes out then */
};

/* nmap's RLD_TIME_MS: before a host's first retry of a new try number nmap
 * waits a second, to see whether replies were only rate limited. With
 * several probe kinds per host (its default four, -PE -PP) or with ARP/ND,
 * a silent host's retry leaves at the timeout + 1 s: 2.0 s at -T3, 1.5 s at
 * -T4, 1.2 s for ARP (measured against nmap 7.93, doc/nmap-notes.md). */
#define ST_SCHED_RETRY_WAIT_NS 1000000000LL

/* Send every probe of try `tryno` to host `h`; returns the number of probes
 * sent (0 when the wire refused them all). */
typedef size_t (*st_sched_send_fn)(void *userdata, const struct st_sched_host *h, uint8_t tryno);

/* The last loss that closed the window, for -v. */
struct st_sched_drop {
    uint64_t count;     /* losses that closed the window so far */
    uint32_t addr;      /* the host whose retry was answered */
    uint8_t tryno;      /* the answered try */
    const char *reason; /* the answer's nmap reason ("echo-reply", "host-unreach"...) */
    double cwnd_before, cwnd_after;
};

struct st_sched {
    struct st_sched_host *hosts;
    size_t nhosts;
    const struct st_timing *timing;

    /* targets to send (new or retried), targets in flight, and retries
     * held for their wait (in the order they timed out, so each one's
     * retry_at is at or after the one before): FIFOs of indexes */
    uint32_t *sendq, *flight, *waitq;
    size_t send_head, send_tail, flight_head, flight_tail, wait_head, wait_tail, cap;

    /* address -> host index (copies of a target given twice: next_copy) */
    uint32_t *slots;
    uint32_t *tails; /* while building: the last copy of each address */
    size_t slot_mask;
    uint8_t tries_per_copy; /* max retries + 1: the attempt numbers of one copy */
    uint8_t copy_ranks;     /* copies told apart by their attempt numbers */
    uint8_t max_attempt;    /* the largest attempt number of the pass */

    double cwnd, ssthresh;
    size_t in_flight;
    int64_t last_drop_ns; /* when the window last closed (tries sent before: same batch) */
    struct st_sched_drop drop;
    int64_t srtt_ns, rttvar_ns;
    bool have_rtt;
    int max_successful_try;

    double tokens; /* --max-rate bucket */
    int64_t last_tick_ns, start_ns;
    int64_t last_send_ns; /* when a try last went out (the send rate's span) */
    uint64_t probes_sent, tries_sent;
    size_t resolved;
};

/* A pass over `addrs`; arp[i] says host i is probed with ARP. */
int st_sched_init(struct st_sched *s, const uint32_t *addrs, const bool *arp, size_t n,
                  const struct st_timing *timing, int64_t now_ns);
void st_sched_free(struct st_sched *s);

/* Expire timed-out tries and send what may be sent now. */
void st_sched_tick(struct st_sched *s, int64_t now_ns, st_sched_send_fn send, void *userdata);

/*
 * The attempt number try `tryno` of host h carries (in its source port, its
 * ICMP id, its cookies: every probe module's `tryno`): the try, and which
 * copy of a target given twice sent it, so each copy sends probes of its own
 * (the copies are in flight together). Up to 255 / (max retries + 1) copies of
 * an address are told apart; the rest share the last number.
 */
uint8_t st_sched_attempt(const struct st_sched *s, const struct st_sched_host *h, uint8_t tryno);

/* The largest attempt number of the pass (replies are matched up to it):
 * max retries when no target is given twice. */
uint8_t st_sched_max_attempt(const struct st_sched *s);

/*
 * A reply to host `addr`, to the probe of attempt number `attempt`, or -1
 * when the reply carries none (an ARP or ND reply: any copy's request). The
 * first reply to a copy decides it (up, or down for unreachables) and
 * returns it; later ones return NULL (nmap traces only the first), as do
 * replies to a try no copy has sent, and addresses not in the pass. A target
 * given twice is two hosts of the pass, each probed, as nmap does; a reply
 * goes to the copy its attempt number names (nmap's findHost() gives it to
 * the first copy still undecided), so each copy is decided by an answer of
 * its own; one that names none, to the first undecided copy that has sent.
 */
const struct st_sched_host *st_sched_reply(struct st_sched *s, uint32_t addr, int attempt, bool up,
                                           const char *reason, int64_t now_ns);

/* Host i (of the addresses given to st_sched_init) decided up before any
 * try: nmap's own addresses, up without a packet (localhost-response). */
void st_sched_settle(struct st_sched *s, size_t i, const char *reason);

/* Whether addr is one of this pass's hosts (decided or not). */
bool st_sched_has(const struct st_sched *s, uint32_t addr);

/* Every host decided. */
bool st_sched_done(const struct st_sched *s);

/* How long the pass will still take if every pending host stays silent:
 * the oldest try's timeout, the tries owed at the rate tries went out at,
 * and the last one's timeout; -1 before any try. */
int64_t st_sched_eta_ns(const struct st_sched *s, int64_t now_ns);

/* The current timeout for a new try. */
int64_t st_sched_timeout(const struct st_sched *s, bool arp);

#endif
