/*
 * The scheduler of one pass: which target's probes go out next, when a try
 * has timed out, when a host is up or down. It owns no socket and no clock:
 * the engine calls st_sched_tick() with the time and a send callback, and
 * st_sched_reply() when a module recognized a reply.
 *
 * Timing follows nmap's model: a round-trip estimate (srtt + 4 rttvar,
 * clamped to [min, max], the initial timeout before any sample; ARP starts
 * at 200 ms), a congestion window of targets in flight (10 at first, +1 per
 * reply in slow start up to ssthresh then +1/cwnd, max 300; halved on a
 * timeout), and tries per host: two for a silent host, more only when other
 * hosts answered later tries, never more than --max-retries + 1. On top:
 * --max-rate caps the send rate, --min-rate sends even when the window is
 * full, --probe-deadline caps every timeout, so silent space is swept at the
 * rate floor instead of crawling.
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
};

/* Send every probe of try `tryno` to host `h`; returns the number of probes
 * sent (0 when the wire refused them all). */
typedef size_t (*st_sched_send_fn)(void *userdata, const struct st_sched_host *h, uint8_t tryno);

struct st_sched {
    struct st_sched_host *hosts;
    size_t nhosts;
    const struct st_timing *timing;

    /* targets to send (new or retried) and targets in flight: FIFOs of indexes */
    uint32_t *sendq, *flight;
    size_t send_head, send_tail, flight_head, flight_tail, cap;

    /* address -> host index */
    uint32_t *slots;
    size_t slot_mask;

    double cwnd, ssthresh;
    size_t in_flight;
    int64_t srtt_ns, rttvar_ns;
    bool have_rtt;
    int max_successful_try;

    double tokens; /* --max-rate bucket */
    int64_t last_tick_ns, start_ns;
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
 * A reply to host `addr`'s try `tryno`: the first one decides the host
 * (up, or down for unreachables) and returns the host; later ones return
 * NULL (nmap traces only the first). NULL for an address not in the pass.
 */
const struct st_sched_host *st_sched_reply(struct st_sched *s, uint32_t addr, uint8_t tryno,
                                           bool up, const char *reason, int64_t now_ns);

/* Every host decided. */
bool st_sched_done(const struct st_sched *s);

/* The current timeout for a new try. */
int64_t st_sched_timeout(const struct st_sched *s, bool arp);

#endif
