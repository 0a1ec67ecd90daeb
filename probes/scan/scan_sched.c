/*
 * One pass's scheduler (see scan_sched.h for the model). Targets wait in a
 * send FIFO (new ones, then retries in the order they timed out) and, once
 * sent, in a flight FIFO in send order, so the oldest try is always at the
 * head when timeouts are checked. Hosts are found by address through an
 * open-addressing table: replies cost O(1) whatever the size of the pass.
 */
#include "scan_sched.h"

#include <stdlib.h>
#include <string.h>

#define MS           1000000LL
#define MAX_CWND     300.0
#define INITIAL_CWND 10.0
#define ARP_TIMEOUT  (200 * MS)
#define NO_SLOT      UINT32_MAX
/* Tries sent by one tick at most: a scan behind its --min-rate would
 * otherwise send every owed probe in one loop while the replies to them
 * pile up unread in the receive ring (and overflow it). The engine ticks
 * after every batch of replies and every millisecond. */
#define BURST 256

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* Where addr's slot is in the open-addressed table: its first host's, or
 * the empty one it would take. */
static size_t slot_index(const struct st_sched *s, uint32_t addr)
{
    size_t k = hash32(addr) & s->slot_mask;
    while (s->slots[k] != NO_SLOT && s->hosts[s->slots[k]].addr != addr)
        k = (k + 1) & s->slot_mask;
    return k;
}

/* File host i under its address: the slot's first host, or the end of the
 * chain of copies of a target given more than once (tails: each chain's
 * last copy, kept only while the pass is built). */
static int link_copy(struct st_sched *s, uint32_t i)
{
    size_t k = slot_index(s, s->hosts[i].addr);
    if (s->slots[k] == NO_SLOT) {
        s->slots[k] = i;
        return 0;
    }
    if (!s->tails) {
        s->tails = malloc(s->nhosts * sizeof *s->tails);
        if (!s->tails)
            return -1;
        memset(s->tails, 0xff, s->nhosts * sizeof *s->tails);
    }
    uint32_t first = s->slots[k];
    uint32_t last = s->tails[first] == NO_SLOT ? first : s->tails[first];
    s->hosts[last].next_copy = i;
    s->hosts[i].copy = s->hosts[last].copy < UINT8_MAX ? s->hosts[last].copy + 1 : UINT8_MAX;
    s->tails[first] = i;
    return 0;
}

/* The attempt numbers: a copy's tries, as many copies as fit below 255 (a
 * probe module's loop over 0..max_attempt must end: no 255). */
static void attempts_init(struct st_sched *s)
{
    int m = s->timing->max_retries;
    s->tries_per_copy = (uint8_t)((m < 0 ? 0 : m > 250 ? 250 : m) + 1);
    s->copy_ranks = (uint8_t)(UINT8_MAX / s->tries_per_copy);
    uint8_t most = 0;
    for (size_t i = 0; i < s->nhosts; i++)
        if (s->hosts[i].copy > most)
            most = s->hosts[i].copy;
    if (most >= s->copy_ranks)
        most = (uint8_t)(s->copy_ranks - 1);
    s->max_attempt = (uint8_t)((most + 1) * s->tries_per_copy - 1);
}

uint8_t st_sched_attempt(const struct st_sched *s, const struct st_sched_host *h, uint8_t tryno)
{
    unsigned rank = h->copy < s->copy_ranks ? h->copy : s->copy_ranks - 1u;
    return (uint8_t)(rank * s->tries_per_copy + tryno);
}

uint8_t st_sched_max_attempt(const struct st_sched *s)
{
    return s->max_attempt;
}

int st_sched_init(struct st_sched *s, const uint32_t *addrs, const bool *arp, size_t n,
                  const struct st_timing *timing, int64_t now_ns)
{
    memset(s, 0, sizeof *s);
    s->nhosts = n;
    s->timing = timing;
    s->cap = n + 1;
    s->hosts = calloc(n ? n : 1, sizeof *s->hosts);
    s->sendq = malloc(s->cap * sizeof *s->sendq);
    s->flight = malloc(s->cap * sizeof *s->flight);
    s->waitq = malloc(s->cap * sizeof *s->waitq);
    size_t slots = 16;
    while (slots < 2 * n)
        slots *= 2;
    s->slot_mask = slots - 1;
    s->slots = malloc(slots * sizeof *s->slots);
    if (!s->hosts || !s->sendq || !s->flight || !s->waitq || !s->slots) {
        st_sched_free(s);
        return -1;
    }
    memset(s->slots, 0xff, slots * sizeof *s->slots);
    for (size_t i = 0; i < n; i++) {
        s->hosts[i].addr = addrs[i];
        s->hosts[i].arp = arp && arp[i];
        s->hosts[i].latency_ns = -1;
        s->hosts[i].next_copy = NO_SLOT;
        s->sendq[s->send_tail++] = (uint32_t)i;
        if (link_copy(s, (uint32_t)i) < 0) {
            st_sched_free(s);
            return -1;
        }
    }
    free(s->tails);
    s->tails = NULL;
    attempts_init(s);
    s->cwnd = INITIAL_CWND;
    s->ssthresh = 75;
    s->last_drop_ns = INT64_MIN;
    s->start_ns = s->last_tick_ns = now_ns;
    return 0;
}

void st_sched_free(struct st_sched *s)
{
    free(s->hosts);
    free(s->sendq);
    free(s->flight);
    free(s->waitq);
    free(s->slots);
    free(s->tails);
    memset(s, 0, sizeof *s);
}

static void push(uint32_t *q, size_t *tail, size_t cap, uint32_t v)
{
    q[*tail] = v;
    *tail = (*tail + 1) % cap;
}

static uint32_t pop(const uint32_t *q, size_t *head, size_t cap)
{
    uint32_t v = q[*head];
    *head = (*head + 1) % cap;
    return v;
}

int64_t st_sched_timeout(const struct st_sched *s, bool arp)
{
    const struct st_timing *t = s->timing;
    int64_t to;
    if (s->have_rtt) {
        to = s->srtt_ns + 4 * s->rttvar_ns;
        if (to < t->min_rtt_ns)
            to = t->min_rtt_ns;
        if (to > t->max_rtt_ns)
            to = t->max_rtt_ns;
    } else if (arp) {
        /* nmap: 200 ms clamped to [min-rtt, initial-rtt] */
        to = ARP_TIMEOUT < t->min_rtt_ns       ? t->min_rtt_ns
             : ARP_TIMEOUT > t->initial_rtt_ns ? t->initial_rtt_ns
                                               : ARP_TIMEOUT;
    } else {
        to = t->initial_rtt_ns;
    }
    if (t->deadline_ns > 0 && to > t->deadline_ns)
        to = t->deadline_ns;
    return to;
}

/* nmap's allowedTryno + 1: two tries for a silent host, more only when
 * other hosts answered later tries, at most --max-retries + 1. */
static int allowed_tries(const struct st_sched *s)
{
    int a = s->max_successful_try + 1;
    if (a < 1)
        a = 1;
    if (a > s->timing->max_retries)
        a = s->timing->max_retries;
    return a + 1;
}

static double max_rate(const struct st_timing *t)
{
    double r = t->max_rate;
    if (t->scan_delay_ns > 0) {
        double d = 1e9 / (double)t->scan_delay_ns;
        r = r > 0 && r < d ? r : d;
    }
    return r;
}

/* The window opens by one per answer (or clean timeout) in slow start, by
 * 1/cwnd after: nmap's ack(). */
static void open_window(struct st_sched *s)
{
    s->cwnd += s->cwnd < s->ssthresh ? 1 : 1 / s->cwnd;
    if (s->cwnd > MAX_CWND)
        s->cwnd = MAX_CWND;
}

/* nmap's drop_group(): the window halves, ssthresh falls to what is in
 * flight over the template's divisor (3/2, 4/3 at -T4, 5/4 at -T5). */
static void close_window(struct st_sched *s, const struct st_sched_host *h, uint8_t tryno,
                         const char *reason, int64_t now)
{
    int k = s->timing->template_;
    double divisor = k >= 5 ? 5.0 / 4 : k == 4 ? 4.0 / 3 : 3.0 / 2;
    s->drop.count++;
    s->drop.addr = h->addr;
    s->drop.tryno = tryno;
    s->drop.reason = reason;
    s->drop.cwnd_before = s->cwnd;
    s->cwnd = s->cwnd / 2 > 1 ? s->cwnd / 2 : 1;
    s->ssthresh = (double)s->in_flight / divisor > 2 ? (double)s->in_flight / divisor : 2;
    s->drop.cwnd_after = s->cwnd;
    s->last_drop_ns = now;
}

/* When a try in flight times out: by the timeout as it is now, as nmap
 * checks a probe against its host group's current timeout. A first answer
 * (0.1 ms away) brings the initial second down to the 100 ms floor for
 * every try already out, not only for those sent after it. */
static int64_t due(const struct st_sched *s, const struct st_sched_host *h)
{
    int64_t d = h->sent_ns + st_sched_timeout(s, h->arp);
    return d < h->deadline_ns ? d : h->deadline_ns;
}

/* When the oldest try still pending times out (now: none). */
static int64_t head_due(const struct st_sched *s)
{
    for (size_t i = s->flight_head; i != s->flight_tail; i = (i + 1) % s->cap) {
        const struct st_sched_host *h = &s->hosts[s->flight[i]];
        if (h->state == ST_HOST_PENDING)
            return due(s, h);
    }
    return 0;
}

/* nmap's wait before a retry, within --probe-deadline (a user's bound on
 * the time a try may take, whose sweeps would otherwise wait the second) */
static int64_t retry_wait(const struct st_sched *s)
{
    int64_t d = s->timing->deadline_ns;
    return d > 0 && d < ST_SCHED_RETRY_WAIT_NS ? d : ST_SCHED_RETRY_WAIT_NS;
}

static void expire(struct st_sched *s, int64_t now)
{
    while (s->flight_head != s->flight_tail) {
        struct st_sched_host *h = &s->hosts[s->flight[s->flight_head]];
        if (h->state == ST_HOST_PENDING && due(s, h) > now)
            break;
        pop(s->flight, &s->flight_head, s->cap);
        if (h->state != ST_HOST_PENDING)
            continue; /* answered meanwhile: in_flight already counted down */
        h->flying = false;
        s->in_flight--;
        /* silence is not loss (scan_sched.h): no loss seen since it left */
        if (h->sent_ns > s->last_drop_ns)
            open_window(s);
        if (h->tries < allowed_tries(s) && h->retry_wait) {
            h->retry_at_ns = now + retry_wait(s);
            push(s->waitq, &s->wait_tail, s->cap, (uint32_t)(h - s->hosts));
        } else if (h->tries < allowed_tries(s)) {
            push(s->sendq, &s->send_tail, s->cap, (uint32_t)(h - s->hosts));
        } else {
            h->state = ST_HOST_DOWN;
            h->reason = "no-response";
            s->resolved++;
        }
    }
}

/* Held retries whose wait is over join the send FIFO (one answered while
 * it waited is dropped there, as any decided host is). */
static void release(struct st_sched *s, int64_t now)
{
    while (s->wait_head != s->wait_tail && s->hosts[s->waitq[s->wait_head]].retry_at_ns <= now)
        push(s->sendq, &s->send_tail, s->cap, pop(s->waitq, &s->wait_head, s->cap));
}

void st_sched_tick(struct st_sched *s, int64_t now, st_sched_send_fn send, void *userdata)
{
    const struct st_timing *t = s->timing;
    double rate = max_rate(t);

    expire(s, now);
    release(s, now);
    if (rate > 0) {
        s->tokens += (double)(now - s->last_tick_ns) * rate / 1e9;
        double burst = rate / 100 > 1 ? rate / 100 : 1; /* 10 ms worth */
        if (s->tokens > burst)
            s->tokens = burst;
    }
    s->last_tick_ns = now;
    for (int burst = 0; s->send_head != s->send_tail && burst < BURST; burst++) {
        bool owed = t->min_rate > 0 &&
                    (double)s->probes_sent < (double)(now - s->start_ns) * t->min_rate / 1e9;
        if (s->in_flight >= (size_t)s->cwnd && !owed)
            break;
        if (rate > 0 && s->tokens < 1)
            break;
        struct st_sched_host *h = &s->hosts[pop(s->sendq, &s->send_head, s->cap)];
        if (h->state != ST_HOST_PENDING)
            continue;
        size_t n = send(userdata, h, h->tries);
        h->tries++;
        h->sent_ns = now;
        h->deadline_ns = now + st_sched_timeout(s, h->arp);
        push(s->flight, &s->flight_tail, s->cap, (uint32_t)(h - s->hosts));
        h->flying = true;
        s->in_flight++;
        s->probes_sent += n;
        s->tries_sent++;
        s->last_send_ns = now;
        if (rate > 0)
            s->tokens -= (double)(n ? n : 1);
    }
}

/* The slot of addr's first host, or NO_SLOT: not in the pass. */
static uint32_t slot_of(const struct st_sched *s, uint32_t addr)
{
    return s->slots[slot_index(s, addr)];
}

bool st_sched_has(const struct st_sched *s, uint32_t addr)
{
    return slot_of(s, addr) != NO_SLOT;
}

/*
 * The copy of addr a reply decides: the one its attempt number names (the
 * last rank: the first such copy undecided that has sent the try), or, when
 * it names none, the first undecided copy that has sent a try (the reply
 * taken as one to its first try: an ARP reply could answer any). NULL when
 * there is none; *tryno the try it answers.
 */
static struct st_sched_host *find(struct st_sched *s, uint32_t addr, int attempt, uint8_t *tryno)
{
    uint32_t slot = slot_of(s, addr);
    unsigned rank = attempt >= 0 ? (unsigned)attempt / s->tries_per_copy : 0;
    *tryno = attempt >= 0 ? (uint8_t)((unsigned)attempt % s->tries_per_copy) : 0;
    for (uint32_t i = slot; i != NO_SLOT; i = s->hosts[i].next_copy) {
        struct st_sched_host *c = &s->hosts[i];
        bool named =
            attempt < 0 || c->copy == rank || (rank == s->copy_ranks - 1u && c->copy > rank);
        if (!named || c->state != ST_HOST_PENDING || c->tries <= *tryno)
            continue;
        return c;
    }
    return NULL;
}

static void rtt_sample(struct st_sched *s, int64_t r)
{
    if (!s->have_rtt) {
        s->srtt_ns = r;
        s->rttvar_ns = r / 2;
        s->have_rtt = true;
        return;
    }
    int64_t d = s->srtt_ns > r ? s->srtt_ns - r : r - s->srtt_ns;
    s->rttvar_ns = (3 * s->rttvar_ns + d) / 4;
    s->srtt_ns = (7 * s->srtt_ns + r) / 8;
}

void st_sched_settle(struct st_sched *s, size_t i, const char *reason)
{
    if (i >= s->nhosts)
        return;
    struct st_sched_host *h = &s->hosts[i];
    if (h->state != ST_HOST_PENDING || h->tries)
        return;
    h->state = ST_HOST_UP;
    h->reason = reason;
    s->resolved++;
}

const struct st_sched_host *st_sched_reply(struct st_sched *s, uint32_t addr, int attempt, bool up,
                                           const char *reason, int64_t now)
{
    uint8_t tryno;
    struct st_sched_host *h = find(s, addr, attempt, &tryno);
    if (!h)
        return NULL;
    h->state = up ? ST_HOST_UP : ST_HOST_DOWN;
    h->reason = reason;
    s->resolved++;
    if (h->flying) {
        h->flying = false;
        s->in_flight--;
    }
    /* a reply to a retry: the first try or its answer was lost; one
     * closing per batch (tries sent before the last closing are its own) */
    if (tryno > 0 && h->sent_ns > s->last_drop_ns)
        close_window(s, h, tryno, reason, now);
    if (h->tries && tryno == h->tries - 1) {
        /* Karn: only a reply to the latest try measures the round trip */
        h->latency_ns = now - h->sent_ns;
        if (h->latency_ns >= 0)
            rtt_sample(s, h->latency_ns);
    }
    if (tryno > s->max_successful_try)
        s->max_successful_try = tryno;
    open_window(s);
    return h;
}

bool st_sched_done(const struct st_sched *s)
{
    return s->resolved == s->nhosts;
}

int64_t st_sched_eta_ns(const struct st_sched *s, int64_t now)
{
    if (!s->tries_sent || now <= s->start_ns)
        return -1;
    /* the tries still owed if every pending host stays silent */
    int owed_per_host = allowed_tries(s);
    uint64_t owed = 0;
    bool held = false; /* an owed retry waits its second first */
    for (size_t i = 0; i < s->nhosts; i++) {
        const struct st_sched_host *h = &s->hosts[i];
        if (h->state == ST_HOST_PENDING && h->tries < owed_per_host) {
            owed += (uint64_t)(owed_per_host - h->tries);
            held |= h->retry_wait && h->tries > 0;
        }
    }
    /* the rate tries went out at while they did: the wait for timeouts
     * since is no slower sending (over the whole time, the estimate grew
     * as the scan waited: "about 1 s", then 2, then 3) */
    int64_t span = s->last_send_ns - s->start_ns;
    double per_ns = (double)s->tries_sent / (double)(span > 1000000 ? span : 1000000);
    int64_t eta = 0;
    if (owed) { /* the oldest try's timeout, the owed ones sent, the last's timeout */
        eta = head_due(s) - now;
        eta = (eta > 0 ? eta : 0) + (int64_t)((double)owed / per_ns) + st_sched_timeout(s, false) +
              (held ? retry_wait(s) : 0);
    } else if (s->in_flight) { /* the newest try's timeout */
        eta = due(s, &s->hosts[s->flight[(s->flight_tail + s->cap - 1) % s->cap]]) - now;
        eta = eta > 0 ? eta : 0;
    }
    return eta;
}
