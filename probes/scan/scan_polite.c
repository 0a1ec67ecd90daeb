/*
 * nmap's per-probe scheduler (see scan_polite.h; doc/nmap-notes.md, "Polite
 * timing"). The functions follow the parts of nmap 7.93's ultra_scan loop
 * whose order shows on the wire: process_data (timeouts, hosts done),
 * retransmit, the two rounds over the hosts (nmap's retry-stack round moves
 * the round-robin place even when it has nothing to send, and where the
 * next new probe goes depends on it), new probes, and the time of the next
 * round (nmap's sendOK() answers).
 */
#include "scan_polite.h"

#include <stdlib.h>
#include <string.h>

#define MS   1000000LL
#define SEC  1000000000LL
#define NONE UINT32_MAX
/* A wait that ends within this much of a round is over for it: the
 * engine's rounds come on a 1 ms tick, where nmap's come when due. Without
 * it, -T2 of a TCP-only and a silent host raced: the second's rate-limit
 * wait and the first's retry timeout both end at 2.2 s, and nmap (every
 * run) retried the silent host's echo first. */
#define TICK_SLACK (1 * MS)
/* nmap reads the capture at least this long when a round is due at once */
#define MIN_WAIT (2 * MS)
/* sends between two waits at most (nmap's GroupScanStats::sendOK) */
#define SENDS_PER_ROUND 50

bool st_polite_wanted(const struct st_timing *t)
{
    return t->scan_delay_ns > 0 || t->max_parallelism > 0 || t->min_parallelism > 0;
}

static int cmp_key(const struct st_polite_target *t, uint32_t a, uint32_t b)
{
    int c = memcmp(t[a].key, t[b].key, 16);
    return c ? c : (a > b) - (a < b);
}

/* A group's hosts in address order (a merge sort of indexes: stable, no
 * global state for a comparator). */
static void sort_hosts(uint32_t *v, uint32_t *tmp, size_t n, const struct st_polite_target *t)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_hosts(v, tmp, h, t);
    sort_hosts(v + h, tmp, n - h, t);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_key(t, v[i], v[j]) <= 0 ? v[i++] : v[j++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static void cc_init(struct st_polite_cc *c, double cwnd)
{
    memset(c, 0, sizeof *c);
    c->cwnd = cwnd;
    c->ssthresh = 75;
    c->last_drop_ns = INT64_MIN;
}

/* nmap's host groups (targets.cc, refresh_hostbatch): targets in the order
 * given; one on another route than the group's first, or a second copy of
 * an address in the group, is set aside for the next group (the group
 * closes when DEFER_LIMIT are); GROUP_MAX targets a group. */
#define GROUP_MAX   4096
#define DEFER_LIMIT 64

struct grouping {
    const struct st_polite_target *t;
    uint32_t *first; /* per host: the first copy of its address */
    size_t *mark;    /* per first copy: 1 + the group holding a copy of it */
    /* nmap's undeferred list (taken first) and defer buffer */
    uint32_t undeferred[2 * DEFER_LIMIT], deferred[DEFER_LIMIT];
    size_t nundeferred, taken, ndeferred;
    const uint32_t *given;
    size_t ngiven, next_given;
};

static bool needs_new_group(const struct grouping *g, const uint32_t *batch, size_t n, uint32_t i,
                            size_t group)
{
    return n && (g->t[batch[0]].route != g->t[i].route || g->mark[g->first[i]] == group + 1);
}

/* The next target for the group being filled: one set aside before, else
 * the next given; NONE when none is left. */
static uint32_t next_target(struct grouping *g)
{
    if (g->taken < g->nundeferred)
        return g->undeferred[g->taken++];
    return g->next_given < g->ngiven ? g->given[g->next_given++] : NONE;
}

/* nmap's undefer(): what was set aside goes after what is still waiting */
static void undefer(struct grouping *g)
{
    size_t left = g->nundeferred - g->taken;
    memmove(g->undeferred, g->undeferred + g->taken, left * sizeof(uint32_t));
    memcpy(g->undeferred + left, g->deferred, g->ndeferred * sizeof(uint32_t));
    g->nundeferred = left + g->ndeferred;
    g->taken = g->ndeferred = 0;
}

static void make_groups(struct st_polite *p, struct grouping *g, uint32_t *tmp)
{
    size_t n = 0;
    while (g->next_given < g->ngiven || g->taken < g->nundeferred || g->ndeferred) {
        undefer(g);
        size_t start = n;
        const uint32_t *batch = p->groups + start;
        while (n - start < GROUP_MAX) {
            uint32_t i = next_target(g);
            if (i == NONE)
                break;
            if (needs_new_group(g, batch, n - start, i, p->ngroups)) {
                g->deferred[g->ndeferred++] = i;
                if (g->ndeferred < DEFER_LIMIT)
                    continue;
                break;
            }
            g->mark[g->first[i]] = p->ngroups + 1;
            p->groups[n++] = i;
        }
        sort_hosts(p->groups + start, tmp, n - start, g->t);
        p->group_end[p->ngroups++] = n;
    }
}

/* The first copy of every host's address (st_sched's chains of copies). */
static void first_copies(const struct st_sched *s, uint32_t *first)
{
    for (uint32_t i = 0; i < s->nhosts; i++)
        first[i] = i;
    for (uint32_t i = 0; i < s->nhosts; i++)
        if (s->hosts[i].copy == 0)
            for (uint32_t c = s->hosts[i].next_copy; c != NONE && c < s->nhosts;
                 c = s->hosts[c].next_copy)
                first[c] = i;
}

static int group_hosts(struct st_polite *p, const struct st_polite_target *t)
{
    size_t n = p->s->nhosts ? p->s->nhosts : 1;
    struct grouping *g = calloc(1, sizeof *g);
    uint32_t *given = malloc(n * sizeof *given), *tmp = malloc(n * sizeof *tmp);
    uint32_t *first = malloc(n * sizeof *first);
    size_t *mark = calloc(n, sizeof *mark);
    int rc = -1;
    if (g && given && tmp && first && mark) {
        size_t m = 0;
        for (uint32_t i = 0; i < p->s->nhosts; i++)
            if (p->s->hosts[i].state == ST_HOST_PENDING) /* not one of our own addresses */
                given[m++] = i;
        first_copies(p->s, first);
        *g = (struct grouping){.t = t, .first = first, .mark = mark, .given = given, .ngiven = m};
        make_groups(p, g, tmp);
        rc = 0;
    }
    free(g);
    free(given);
    free(tmp);
    free(first);
    free(mark);
    return rc;
}

/* The windows' first size: 10, within the parallelism's bounds. */
static double first_cwnd(const struct st_polite *p)
{
    return 10 < p->low_cwnd ? p->low_cwnd : 10 > p->max_cwnd ? p->max_cwnd : 10;
}

/* A host group's ultra_scan starts: its hosts in the set, each fresh (the
 * scan delay from now), the pass's window fresh; the pass's RTT estimate
 * kept when the group is on the previous one's interface (nmap's massping
 * keeps its group_to so). */
static void start_group(struct st_polite *p, int64_t now)
{
    size_t from = p->group ? p->group_end[p->group - 1] : 0, to = p->group_end[p->group];
    const struct st_sched *s = p->s;
    uint16_t dev = p->hosts[p->groups[from]].dev;
    if (p->group && p->hosts[p->groups[from - 1]].dev != dev)
        p->to = (struct st_polite_rtt){-1, -1, st_sched_timeout(s, false)};
    cc_init(&p->cc, first_cwnd(p));
    uint32_t prev = NONE;
    for (size_t k = from; k < to; k++) {
        uint32_t i = p->groups[k];
        struct st_polite_host *h = &p->hosts[i];
        /* no reply yet: the initial timeout (ARP's 200 ms) */
        h->to = (struct st_polite_rtt){-1, -1, st_sched_timeout(s, s->hosts[i].arp)};
        cc_init(&h->cc, first_cwnd(p));
        h->last_sent_ns = now; /* nmap: the delay runs from the host's start too */
        h->in_set = true;
        h->prev = prev;
        h->next = NONE;
        if (prev == NONE)
            p->head = i;
        else
            p->hosts[prev].next = i;
        prev = i;
    }
    p->nset = to - from;
    p->next_i = p->head;
    p->due_ns = now;
    p->group++;
}

int st_polite_init(struct st_polite *p, struct st_sched *s, const struct st_polite_target *t,
                   int64_t now)
{
    const struct st_timing *tm = s->timing;
    memset(p, 0, sizeof *p);
    p->s = s;
    p->head = p->next_i = NONE;
    size_t n = s->nhosts ? s->nhosts : 1, most = 1;
    for (size_t i = 0; i < s->nhosts; i++)
        most = t[i].nkinds > most ? t[i].nkinds : most;
    /* a kind has two tries at most: nmap allows a retry past the first only
     * once the host answered one, and an answer ends a ping */
    p->per_host = 2 * most;
    p->hosts = calloc(n, sizeof *p->hosts);
    p->probes = malloc(n * p->per_host * sizeof *p->probes);
    p->cache = malloc(n * sizeof *p->cache);
    p->groups = malloc(n * sizeof *p->groups);
    p->group_end = malloc(n * sizeof *p->group_end);
    if (!p->hosts || !p->probes || !p->cache || !p->groups || !p->group_end || group_hosts(p, t)) {
        st_polite_free(p);
        return -1;
    }
    /* nmap's scan_performance_vars: the windows start at 10, kept between
     * --min-parallelism (else 1) and --max-parallelism (else 300) */
    p->low_cwnd = tm->min_parallelism > 0 ? tm->min_parallelism : 1;
    p->max_cwnd = tm->max_parallelism > 0 ? tm->max_parallelism : 300;
    if (p->max_cwnd < p->low_cwnd)
        p->max_cwnd = p->low_cwnd;
    p->to = (struct st_polite_rtt){-1, -1, st_sched_timeout(s, false)};
    p->delay_ns = tm->scan_delay_ns > 0 ? tm->scan_delay_ns : 0;
    for (size_t i = 0; i < s->nhosts; i++) {
        p->hosts[i].nkinds = t[i].nkinds;
        p->hosts[i].dev = t[i].dev;
    }
    p->not_before_ns = p->not_after_ns = now;
    if (p->ngroups)
        start_group(p, now);
    return 0;
}

void st_polite_free(struct st_polite *p)
{
    free(p->hosts);
    free(p->probes);
    free(p->cache);
    free(p->groups);
    free(p->group_end);
    memset(p, 0, sizeof *p);
}

static struct st_polite_probe *probes_of(const struct st_polite *p, uint32_t i)
{
    return &p->probes[(size_t)i * p->per_host];
}

static bool decided(const struct st_polite *p, uint32_t i)
{
    return p->s->hosts[i].state != ST_HOST_PENDING;
}

/* nmap's completed(): decided, and nothing in flight or owed a retry (a
 * host called down by its timeouts still sends what it has left). */
static bool completed(const struct st_polite *p, uint32_t i)
{
    const struct st_polite_host *h = &p->hosts[i];
    return decided(p, i) && !h->active && !h->waiting;
}

static bool fresh(const struct st_polite_host *h)
{
    return h->next_kind < h->nkinds;
}

/* nmap's allowedTryno(): the highest try a probe may have. A host's try
 * past the first needs an answer to one (which ends a ping), so 1, or 0
 * under --max-retries 0 (capped: no retry will ever be allowed). */
static uint8_t max_tryno(const struct st_polite *p, bool *capped)
{
    int cap = p->s->timing->max_retries;
    *capped = cap < 1;
    return cap < 1 ? 0 : 1;
}

static int64_t probe_timeout(const struct st_polite *p, const struct st_polite_host *h)
{
    int64_t to = h->to.srtt_ns >= 0   ? h->to.timeout_ns
                 : p->to.srtt_ns >= 0 ? p->to.timeout_ns
                                      : h->to.timeout_ns;
    int64_t cap = p->s->timing->deadline_ns;
    return cap > 0 && to > cap ? cap : to;
}

/* nmap's adjust_timeouts2(): the estimate after a reply `delta` after its
 * probe; the timeout never under the scan delay. */
static void rtt_update(const struct st_polite *p, struct st_polite_rtt *to, int64_t delta)
{
    const struct st_timing *t = p->s->timing;
    if (delta < 0 && delta > -50 * MS)
        delta = 10 * MS; /* the capture's clock a little behind */
    if (to->srtt_ns < 0) {
        to->srtt_ns = delta;
        to->rttvar_ns = delta < 5 * MS ? 5 * MS : delta > 2 * SEC ? 2 * SEC : delta;
    } else {
        int64_t d = delta - to->srtt_ns;
        if (d > 1500 * MS && d > 3 * to->srtt_ns + 2 * to->rttvar_ns)
            return; /* a bogus sample */
        to->srtt_ns += d / 8;
        to->rttvar_ns += ((d < 0 ? -d : d) - to->rttvar_ns) / 4;
    }
    if (to->rttvar_ns > 2300 * MS)
        to->rttvar_ns = 2000 * MS;
    int64_t v = to->srtt_ns + 4 * to->rttvar_ns;
    v = v < t->min_rtt_ns ? t->min_rtt_ns : v > t->max_rtt_ns ? t->max_rtt_ns : v;
    to->timeout_ns = v < p->delay_ns ? p->delay_ns : v;
}

/* nmap's ultra_timing_vals::ack(): slow start scaled by the replies
 * expected per reply received, then congestion avoidance. */
static void cc_ack(const struct st_polite *p, struct st_polite_cc *c)
{
    c->received++;
    double scale = (double)c->expected / (double)c->received;
    scale = scale > 50 ? 50 : scale;
    if (c->cwnd < c->ssthresh) {
        c->cwnd += scale;
        if (c->cwnd > c->ssthresh)
            c->cwnd = c->ssthresh;
    } else {
        c->cwnd += (p->s->timing->template_ >= 4 ? 2 : 1) / c->cwnd * scale;
    }
    if (c->cwnd > p->max_cwnd)
        c->cwnd = p->max_cwnd;
}

static double ssthresh_divisor(const struct st_polite *p)
{
    int k = p->s->timing->template_;
    return k >= 5 ? 5.0 / 4 : k == 4 ? 4.0 / 3 : 3.0 / 2;
}

/* nmap's drop(): ssthresh to what is in flight over the divisor, an
 * integer, at least 2 */
static double floor_ssthresh(size_t in_flight, double div)
{
    double v = (double)in_flight / div;
    return v > 2 ? (double)(long)v : 2;
}

/* nmap's ultrascan_adjust_timing(): every answer or timeout counts as
 * expected; an answer to a retry is a drop (the host's window to its
 * floor, the pass's halved), once per batch; an answer opens both. */
static void cc_update(struct st_polite *p, struct st_polite_host *h,
                      const struct st_polite_probe *pr, bool answered, int64_t now)
{
    p->cc.expected++, p->cc.updates++;
    h->cc.expected++, h->cc.updates++;
    if (!answered)
        return;
    if (pr->tryno > 0) {
        double div = ssthresh_divisor(p);
        if (pr->sent_ns > h->cc.last_drop_ns) {
            h->cc.cwnd = p->low_cwnd;
            h->cc.ssthresh = floor_ssthresh(h->active, div);
            h->cc.last_drop_ns = now;
        }
        if (pr->sent_ns > p->cc.last_drop_ns) {
            p->cc.cwnd = p->cc.cwnd / 2 > p->low_cwnd ? p->cc.cwnd / 2 : p->low_cwnd;
            p->cc.ssthresh = floor_ssthresh(p->active, div);
            p->cc.last_drop_ns = now;
        }
    }
    cc_ack(p, &p->cc);
    cc_ack(p, &h->cc);
}

/* nmap's getTiming(): the host's own window for its first 80 probes. */
static double host_cwnd(const struct st_polite *p, const struct st_polite_host *h)
{
    if (h->sent < 80)
        return h->cc.cwnd;
    return p->cc.updates > 1 ? p->cc.cwnd : (p->low_cwnd > 10 ? p->low_cwnd : 10);
}

/* nmap's GroupScanStats::sendOK(): the rates, the sends of this round, and
 * the pass's window (a single host left goes by its own). */
static bool group_ok(const struct st_polite *p, int64_t now, int64_t *when)
{
    const struct st_timing *t = p->s->timing;
    int64_t w = now + SEC;
    bool ok;
    if (t->max_rate > 0 && p->not_before_ns > now) {
        w = p->not_before_ns;
        ok = false;
    } else if (t->min_rate > 0 && p->not_after_ns <= now) {
        w = now, ok = true;
    } else {
        if (t->min_rate > 0)
            w = p->not_after_ns;
        else if (t->max_rate > 0)
            w = now;
        ok = p->sends - p->sends_at_wait < SENDS_PER_ROUND &&
             (p->nset < 2 || p->cc.cwnd >= (double)p->active + 0.5);
        if (ok)
            w = now;
    }
    if (when)
        *when = w;
    return ok;
}

/* When host h's oldest probe in flight times out (or *when if sooner). */
static void sooner_timeout(const struct st_polite *p, uint32_t i, int64_t *when)
{
    const struct st_polite_host *h = &p->hosts[i];
    const struct st_polite_probe *pr = probes_of(p, i);
    for (size_t k = 0; k < h->nprobes; k++)
        if (!pr[k].timedout) {
            int64_t t = pr[k].sent_ns + probe_timeout(p, h);
            *when = t < *when ? t : *when;
            return;
        }
}

/* nmap's HostScanStats::sendOK(): may host i be sent a probe now; when
 * not, when it may (its rate-limit wait, the scan delay, a timeout). */
static bool host_ok(const struct st_polite *p, uint32_t i, int64_t now, int64_t *when)
{
    const struct st_polite_host *h = &p->hosts[i];
    int64_t w = now;
    bool ok = false;
    double cwnd = host_cwnd(p, h);
    if (completed(p, i)) {
        ok = false;
    } else if (p->s->timing->min_rate > 0 && p->not_after_ns <= now) {
        ok = true;
    } else if (h->rld_waiting) {
        ok = h->rld_until_ns <= now + TICK_SLACK;
        w = ok ? now : h->rld_until_ns;
    } else if (p->delay_ns && now - h->last_sent_ns < p->delay_ns) {
        w = h->last_sent_ns + p->delay_ns;
    } else if (cwnd >= (double)h->active + 0.5 && (fresh(h) || h->waiting)) {
        ok = true;
    } else {
        w = now + 10 * SEC;
        sooner_timeout(p, i, &w);
        if (p->delay_ns) {
            int64_t send_at = h->last_sent_ns + p->delay_ns;
            send_at = send_at < now ? now : send_at;
            if (w < send_at || (w > send_at && cwnd > (double)h->active + 0.5))
                w = send_at;
        }
    }
    if (when)
        *when = w;
    return ok;
}

static void unlink_host(struct st_polite *p, uint32_t i)
{
    struct st_polite_host *h = &p->hosts[i];
    if (p->next_i == i)
        p->next_i = p->nset > 1 ? (h->next != NONE ? h->next : p->head) : NONE;
    if (h->prev != NONE)
        p->hosts[h->prev].next = h->next;
    else
        p->head = h->next;
    if (h->next != NONE)
        p->hosts[h->next].prev = h->prev;
    h->in_set = false;
    p->nset--;
    if (!p->nset)
        p->next_i = NONE;
}

static void remove_completed(struct st_polite *p)
{
    for (uint32_t i = p->head; i != NONE;) {
        uint32_t next = p->hosts[i].next;
        if (completed(p, i))
            unlink_host(p, i);
        i = next;
    }
}

/* nmap's "giving up" on a host: down for no-response (its probes still
 * owed go on: nmap's completed() waits for them). */
static void give_up(struct st_polite *p, uint32_t i)
{
    struct st_sched_host *sh = &p->s->hosts[i];
    if (sh->state != ST_HOST_PENDING)
        return;
    sh->state = ST_HOST_DOWN;
    sh->reason = "no-response";
    p->s->resolved++;
}

/* nmap's processData() for one host: probes past their timeout leave the
 * flight (judged on the next round, as nmap skips them this one); a
 * timed-out last try, once no try may follow, gives the host up. */
static void process_host(struct st_polite *p, uint32_t i, int64_t now)
{
    struct st_polite_host *h = &p->hosts[i];
    struct st_polite_probe *pr = probes_of(p, i);
    bool capped;
    uint8_t maxtries = max_tryno(p, &capped);
    bool may_increase = !capped;
    if (may_increase && !h->active && !fresh(h)) {
        bool all_finished = true;
        for (size_t k = 0; k < h->nprobes; k++)
            all_finished &= pr[k].retransmitted || pr[k].tryno >= maxtries;
        may_increase = !all_finished;
    }
    int64_t to = probe_timeout(p, h);
    size_t keep = 0;
    for (size_t k = 0; k < h->nprobes; k++) {
        struct st_polite_probe *q = &pr[k];
        if (!q->timedout && now - q->sent_ns >= to) { /* nmap: > in µs, a round after */
            q->timedout = true;
            h->active--, p->active--;
            h->waiting++;
            cc_update(p, h, q, false, now);
        } else if (q->timedout && !q->retransmitted && !may_increase && q->tryno >= maxtries) {
            give_up(p, i);
            h->waiting--;
            continue; /* nmap destroys the probe */
        }
        pr[keep++] = *q;
    }
    h->nprobes = (uint16_t)keep;
}

static void process_data(struct st_polite *p, int64_t now)
{
    remove_completed(p);
    for (uint32_t i = p->head; i != NONE; i = p->hosts[i].next)
        process_host(p, i, now);
    remove_completed(p);
}

static void send_probe(struct st_polite *p, uint32_t i, uint8_t kind, uint8_t tryno, int64_t now)
{
    struct st_polite_host *h = &p->hosts[i];
    struct st_sched_host *sh = &p->s->hosts[i];
    const struct st_timing *t = p->s->timing;
    if (sh->tries <= tryno)
        sh->tries = (uint8_t)(tryno + 1); /* st_sched_reply() takes its answers */
    sh->sent_ns = now;
    size_t n = p->send(p->userdata, sh, tryno, kind);
    if (h->nprobes < p->per_host)
        probes_of(p, i)[h->nprobes++] = (struct st_polite_probe){now, kind, tryno, false, false};
    h->active++, p->active++;
    h->last_sent_ns = now;
    h->sent++;
    p->sends++;
    p->s->probes_sent += n;
    p->s->tries_sent++;
    p->s->last_send_ns = now;
    if (t->max_rate > 0) /* may slip into the past: a late probe is made up */
        p->not_before_ns += (int64_t)(1e9 / t->max_rate);
    if (t->min_rate > 0) {
        if (p->not_after_ns > now)
            p->not_after_ns = now;
        p->not_after_ns += (int64_t)(1e9 / t->min_rate);
    }
}

/* One host's turn in the retransmission walk: from where its walk stopped,
 * backwards (the newest first), the first probe owed a retry; the first
 * retry of each try number waits a second when the host gets more than one
 * kind (or ARP/ND: nmap's rate-limit detection). Returns whether it sent. */
static bool retransmit_one(struct st_polite *p, uint32_t i, int64_t now)
{
    struct st_polite_host *h = &p->hosts[i];
    bool capped;
    uint8_t maxtries = max_tryno(p, &capped);
    bool sent = false;
    while (h->cursor > 0) {
        struct st_polite_probe *q = &probes_of(p, i)[--h->cursor];
        if (q->retransmitted || !q->timedout || maxtries <= q->tryno)
            continue;
        /* nmap's rate-limit wait: the host's, as the engine set it for
         * either scheduler (several kinds, or ARP/ND; scan_sched.h) */
        if (q->tryno + 1 > h->rld_tryno && p->s->hosts[i].retry_wait) {
            h->rld_tryno = (uint8_t)(q->tryno + 1);
            h->rld_waiting = true;
            h->rld_until_ns = now + ST_SCHED_RETRY_WAIT_NS;
        } else {
            h->rld_waiting = false;
            q->retransmitted = true;
            h->waiting--;
            send_probe(p, i, q->kind, (uint8_t)(q->tryno + 1), now);
            sent = true;
        }
        break;
    }
    if (h->cursor == 0)
        h->cursor = h->nprobes; /* nmap's walk wraps to the list's end */
    return sent;
}

/* nmap's doAnyOutstandingRetransmits(): rounds over the hosts with probes
 * out or owed, one retry per host per round, while any went out. */
static void retransmit(struct st_polite *p, int64_t now)
{
    size_t nc = 0;
    for (uint32_t i = p->head; i != NONE; i = p->hosts[i].next)
        if (p->hosts[i].active || p->hosts[i].waiting) {
            p->cache[nc++] = i;
            p->hosts[i].cursor = p->hosts[i].nprobes;
        }
    int sent;
    do {
        sent = 0;
        for (size_t c = 0; c < nc && group_ok(p, now, NULL); c++) {
            uint32_t i = p->cache[c];
            const struct st_polite_host *h = &p->hosts[i];
            if ((!h->active && !h->waiting) || !host_ok(p, i, now, NULL))
                continue;
            sent += retransmit_one(p, i, now);
        }
    } while (sent && group_ok(p, now, NULL));
}

static uint32_t next_host(struct st_polite *p)
{
    uint32_t r = p->next_i;
    if (r != NONE)
        p->next_i = p->hosts[r].next != NONE ? p->hosts[r].next : p->head;
    return r;
}

/* nmap's doAnyRetryStackRetransmits() and doAnyNewProbes(): a walk round
 * the hosts from the round-robin place until it comes back to the first
 * host that could not send. The first (retry_stack: nothing to send in a
 * ping scan) only moves the place; the second sends each host's next kind. */
static void host_rounds(struct st_polite *p, int64_t now)
{
    uint32_t unable = NONE, i = next_host(p);
    while (i != NONE && i != unable && group_ok(p, now, NULL)) {
        if (unable == NONE)
            unable = i;
        i = next_host(p);
    }
    unable = NONE;
    i = next_host(p);
    while (i != NONE && i != unable && group_ok(p, now, NULL)) {
        struct st_polite_host *h = &p->hosts[i];
        if (fresh(h) && host_ok(p, i, now, NULL)) {
            send_probe(p, i, h->next_kind++, 0, now);
            unable = NONE;
        } else if (unable == NONE) {
            unable = i;
        }
        i = next_host(p);
    }
}

/* nmap's UltraScanInfo::sendOK(&when): when the next round is due (at
 * least MIN_WAIT ahead: nmap reads the capture that long). */
static int64_t next_due(const struct st_polite *p, int64_t now)
{
    int64_t low;
    if (!group_ok(p, now, &low)) {
        for (uint32_t i = p->head; i != NONE; i = p->hosts[i].next)
            sooner_timeout(p, i, &low);
    } else {
        bool found = false;
        for (uint32_t i = p->head; i != NONE; i = p->hosts[i].next) {
            int64_t t;
            if (host_ok(p, i, now, &t)) {
                low = t;
                break;
            }
            if (!found || t < low)
                low = t, found = true;
        }
    }
    if (p->s->timing->min_rate > 0 && p->not_after_ns < low)
        low = p->not_after_ns;
    return low < now + MIN_WAIT ? now + MIN_WAIT : low;
}

static void round_at(struct st_polite *p, int64_t now)
{
    process_data(p, now);
    if (!p->nset && p->group < p->ngroups)
        start_group(p, now); /* nmap's next ultra_scan, on the next host group */
    if (p->nset) {
        retransmit(p, now);
        host_rounds(p, now);
    }
    p->sends_at_wait = p->sends;
    p->due_ns = next_due(p, now);
}

void st_polite_tick(struct st_polite *p, int64_t now, st_polite_send_fn send, void *userdata)
{
    p->send = send;
    p->userdata = userdata;
    if (p->replied) {
        /* nmap stops waiting after an answer when nothing is left in
         * flight, else waits on until the next time anything may go */
        p->replied = false;
        p->due_ns = p->active ? next_due(p, now) : now;
    }
    if (now >= p->due_ns && (p->nset || p->group < p->ngroups))
        round_at(p, now);
}

bool st_polite_done(const struct st_polite *p)
{
    return p->nset == 0 && p->group == p->ngroups;
}

void st_polite_answered(struct st_polite *p, size_t i, int kind, uint8_t tryno, int64_t now)
{
    if (i >= p->s->nhosts)
        return;
    struct st_polite_host *h = &p->hosts[i];
    struct st_polite_probe *pr = probes_of(p, (uint32_t)i);
    for (size_t k = h->nprobes; k-- > 0;) {
        if (kind >= 0 && (pr[k].kind != kind || pr[k].tryno != tryno))
            continue;
        int64_t delta = now - pr[k].sent_ns;
        rtt_update(p, &h->to, delta);
        rtt_update(p, &p->to, delta);
        cc_update(p, h, &pr[k], true, now);
        p->s->hosts[i].latency_ns = delta;
        break;
    }
    /* nmap forgets a host's other probes once it is up */
    for (size_t k = 0; k < h->nprobes; k++)
        if (!pr[k].timedout)
            h->active--, p->active--;
        else if (!pr[k].retransmitted)
            h->waiting--;
    h->nprobes = 0;
    p->replied = true;
}
