/*
 * The per-mode, per-host view of a comparison: for each mode (scantrace's
 * PASS lines, or one mode named after the probes an nmap trace shows) and
 * each host it probed, the probes, the replies, the wire-only packets about
 * the host, and the verdict with its reason and latency.
 *
 * Verdicts come from the scanner's own report when the trace has one
 * ("Nmap scan report for X" / "Host is up"), else from the traced replies.
 */
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "claims.h"
#include "comparison.h"
#include "groups.h"
#include "util.h"

#define APPEND(arr, n, v)                                                                          \
    do {                                                                                           \
        void *p_ = realloc((arr), ((n) + 1) * sizeof *(arr));                                      \
        if (!p_)                                                                                   \
            abort();                                                                               \
        (arr) = p_;                                                                                \
        (arr)[(n)++] = (v);                                                                        \
    } while (0)

/* ---- naming an nmap trace's mode after its probes ------------------------- */

struct kinds {
    bool arp, nd, echo, ts, mask, other_icmp, v6;
    char syn[64], ack[64], udp[64], sctp[64], proto[64];
};

static void add_num(char *list, size_t size, unsigned v)
{
    char item[16];
    snprintf(item, sizeof item, "%u", v);
    /* keep each number once, in the order first seen */
    for (const char *p = list; (p = strstr(p, item)); p++) {
        size_t n = strlen(item);
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return;
    }
    size_t len = strlen(list);
    snprintf(list + len, size - len, "%s%s", len ? "," : "", item);
}

/* ICMPv6: nmap's ND ping (its IPv6 ARP ping), an echo request (-PE), and
 * -PO58's echo request, which nmap sends with code 129 instead of 0. */
static void add_icmp6(struct kinds *k, const struct st_pkt *p)
{
    const struct st_icmp *m = &p->l4.icmp;
    if (m->type == ST_ICMP6_NEIGHBOR_SOLICIT)
        k->nd = true;
    else if (m->type == ST_ICMP6_ECHO_REQUEST && m->code == 0)
        k->echo = true;
    else if (m->type == ST_ICMP6_ECHO_REQUEST)
        add_num(k->proto, sizeof k->proto, ST_IPPROTO_ICMPV6);
    else
        k->other_icmp = true;
}

static void add_kind(struct kinds *k, const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP) {
        k->arp = true;
        return;
    }
    k->v6 |= p->net == ST_NET_IPV6;
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6) {
        add_icmp6(k, p);
        return;
    }
    /* -PO's ICMP (1) over IPv6 is a bare protocol number, no ICMP message */
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMP) {
        add_num(k->proto, sizeof k->proto, ST_IPPROTO_ICMP);
        return;
    }
    switch (p->proto) {
    case ST_IPPROTO_ICMP:
        if (p->l4.icmp.type == ST_ICMP_ECHO_REQUEST)
            k->echo = true;
        else if (p->l4.icmp.type == ST_ICMP_TIMESTAMP_REQUEST)
            k->ts = true;
        else if (p->l4.icmp.type == ST_ICMP_MASK_REQUEST)
            k->mask = true;
        else
            k->other_icmp = true;
        break;
    case ST_IPPROTO_TCP:
        if (p->l4.tcp.flags & ST_TCP_SYN)
            add_num(k->syn, sizeof k->syn, p->l4.tcp.dport);
        else if (p->l4.tcp.seq != 0) /* -PO6: an ACK of random seq (-PA's seq is 0) */
            add_num(k->proto, sizeof k->proto, ST_IPPROTO_TCP);
        else
            add_num(k->ack, sizeof k->ack, p->l4.tcp.dport);
        break;
    case ST_IPPROTO_UDP:
        add_num(k->udp, sizeof k->udp, p->l4.udp.dport);
        break;
    case ST_IPPROTO_SCTP:
        add_num(k->sctp, sizeof k->sctp, p->l4.sctp.dport);
        break;
    default:
        add_num(k->proto, sizeof k->proto, p->proto);
        break;
    }
}

/* Whether the IP probes are exactly nmap's default ping (ARP aside). */
static bool is_default(const struct kinds *k)
{
    struct kinds d;
    memset(&d, 0, sizeof d);
    /* IPv6's default is IPv4's but the timestamp (ICMPv6 has none) */
    size_t n = k->v6 ? ST_NMAP_DEFAULT_PING6_N : ST_NMAP_DEFAULT_PING_N;
    for (size_t i = 0; i < n; i++) {
        const struct st_nmap_probe *dp = &st_nmap_default_ping[i];
        struct st_pkt p;
        st_pkt_init(&p);
        p.net = ST_NET_IPV4;
        p.proto = dp->proto;
        if (dp->proto == ST_IPPROTO_ICMP) {
            p.l4.icmp.type = dp->what;
        } else {
            p.l4.tcp.flags = dp->what;
            p.l4.tcp.dport = dp->port;
        }
        add_kind(&d, &p);
    }
    return k->echo == d.echo && k->ts == d.ts && k->mask == d.mask &&
           k->other_icmp == d.other_icmp && !strcmp(k->syn, d.syn) && !strcmp(k->ack, d.ack) &&
           !strcmp(k->udp, d.udp) && !strcmp(k->sctp, d.sctp) && !strcmp(k->proto, d.proto);
}

/* "6,1,17" -> "1,6,17" */
static void sort_list(char *list)
{
    uint32_t v[64];
    size_t n = 0, len = 0, size = strlen(list) + 1;
    for (char *p = list; *p && n < 64; p += strspn(p, ","))
        v[n++] = (uint32_t)strtoul(p, &p, 10);
    st_sort(v, n, sizeof v[0], st_cmp_u32);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, size - len, "%s%u", i ? "," : "", v[i]);
}

/* "-PE -PS22,443 -PR": the probes by nmap's options; ARP or ND ping is -PR */
static char *kinds_name(struct kinds *k)
{
    char name[256] = "";
    if (k->proto[0] && k->echo && !k->v6) {
        /* -PO sends an ICMP echo as its protocol 1 */
        add_num(k->proto, sizeof k->proto, ST_IPPROTO_ICMP);
        k->echo = false;
    }
    sort_list(k->proto); /* nmap sends its protocols in their order */
    size_t len = 0;
#define ADD(cond, ...)                                                                             \
    if (cond)                                                                                      \
    len += (size_t)snprintf(name + len, sizeof name - len, "%s", len ? " " : ""),                  \
        len += (size_t)snprintf(name + len, sizeof name - len, __VA_ARGS__)
    ADD(k->echo, "-PE");
    ADD(k->ts, "-PP");
    ADD(k->mask, "-PM");
    ADD(k->syn[0], "-PS%s", k->syn);
    ADD(k->ack[0], "-PA%s", k->ack);
    ADD(k->udp[0], "-PU%s", k->udp);
    ADD(k->sctp[0], "-PY%s", k->sctp);
    ADD(k->proto[0], "-PO%s", k->proto);
    ADD(k->arp || k->nd, "-PR");
#undef ADD
    return strdup(name[0] ? name : "trace");
}

/* The probes of a mode, one at a time (a trace's packets are packed). */
struct namer {
    struct kinds k;
    size_t conns, sent;
};

static void namer_add(struct namer *nm, const struct st_pkt *p)
{
    if (p->dir != ST_DIR_SENT)
        return;
    nm->sent++;
    if (p->flags & ST_PKT_CONNECT)
        nm->conns++;
    else
        add_kind(&nm->k, p);
}

static char *namer_name(struct namer *nm)
{
    if (nm->conns)
        return strdup(nm->conns == nm->sent ? "connect" : "connect + raw");
    return is_default(&nm->k) ? strdup("default") : kinds_name(&nm->k);
}

char *st_mode_name_of(const struct st_pkt *const *pkts, size_t n)
{
    struct namer nm;
    memset(&nm, 0, sizeof nm);
    for (size_t i = 0; i < n; i++)
        namer_add(&nm, pkts[i]);
    return namer_name(&nm);
}

char *st_mode_name_of_trace(const struct st_trace *t, const int32_t *idx, size_t n)
{
    struct namer nm;
    struct st_pkt tmp;
    memset(&nm, 0, sizeof nm);
    for (size_t i = 0; i < n; i++)
        namer_add(&nm, st_trace_pkt(t, (size_t)idx[i], &tmp));
    return namer_name(&nm);
}

char *st_mode_name_of_range(const struct st_trace *t, size_t from, size_t to)
{
    struct namer nm;
    struct st_pkt tmp;
    memset(&nm, 0, sizeof nm);
    for (size_t i = from; i < to; i++)
        if (!st_trace_pkt_later(t, i)) /* a port scan's SYNs are no -PS */
            namer_add(&nm, st_trace_pkt(t, i, &tmp));
    return namer_name(&nm);
}

static char *infer_mode(const struct st_trace *t)
{
    if (t->asked_mode[0]) /* nmap's command line, read from run.json */
        return strdup(t->asked_mode);
    if (t->no_ping) /* --reason's "user-set": no probe to name it */
        return strdup("-Pn");
    return st_trace_run_name(t, 0, 0, t->npkts);
}

/* ---- modes and hosts ------------------------------------------------------ */

static struct st_mode *mode_named(struct st_comparison *c, const char *name)
{
    for (size_t i = 0; i < c->nmodes; i++)
        if (!strcmp(c->modes[i].name, name))
            return &c->modes[i];
    return NULL;
}

/* The run a pass named name is, when the trace's runs are its passes. */
static uint32_t run_of(const struct st_trace *t, const char *name)
{
    for (size_t k = 0; t && t->runs_are_passes && k < t->nmodes; k++)
        if (!strcmp(t->modes[k], name))
            return (uint32_t)k;
    return 0;
}

static struct st_mode *mode_by_name(struct st_comparison *c, const char *name)
{
    for (size_t i = 0; i < c->nmodes; i++)
        if (!strcmp(c->modes[i].name, name))
            return &c->modes[i];
    struct st_mode m = {.name = strdup(name), .run = run_of(c->trace, name)};
    APPEND(c->modes, c->nmodes, m);
    return &c->modes[c->nmodes - 1];
}

/*
 * (mode, address) -> host, in one open-addressing table for the whole
 * summary: a sweep has as many hosts as packets, and a linear search per
 * packet made a million-frame comparison quadratic. A slot names the host
 * (8 bytes: a sweep's table has millions); its address is the host's.
 */
struct host_ix {
    struct slot {
        uint32_t mode; /* index into c->modes, + 1; 0: empty */
        uint32_t host; /* index into that mode's hosts */
    } * slots;
    size_t mask, used;
    size_t *cap; /* per mode: allocated hosts */
    size_t ncap;
};

static size_t ix_hash(uint32_t addr, size_t mode)
{
    uint64_t h = ((uint64_t)addr << 8 | mode) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 20);
}

static uint32_t slot_addr(const struct st_comparison *c, struct slot s)
{
    return c->modes[s.mode - 1].hosts[s.host].addr;
}

static void ix_grow(const struct st_comparison *c, struct host_ix *ix)
{
    size_t n = ix->mask ? (ix->mask + 1) * 2 : 1024;
    struct slot *s = calloc(n, sizeof *s);
    if (!s)
        abort();
    for (size_t i = 0; ix->mask && i <= ix->mask; i++) {
        if (!ix->slots[i].mode)
            continue;
        size_t k = ix_hash(slot_addr(c, ix->slots[i]), ix->slots[i].mode) & (n - 1);
        while (s[k].mode)
            k = (k + 1) & (n - 1);
        s[k] = ix->slots[i];
    }
    free(ix->slots);
    ix->slots = s;
    ix->mask = n - 1;
}

static struct st_mode_host *host_in(struct st_comparison *c, struct host_ix *ix, struct st_mode *m,
                                    uint32_t addr)
{
    size_t mi = (size_t)(m - c->modes) + 1;
    if (!ix->mask || 2 * (ix->used + 1) > ix->mask + 1)
        ix_grow(c, ix);
    size_t k = ix_hash(addr, mi) & ix->mask;
    for (; ix->slots[k].mode; k = (k + 1) & ix->mask)
        if (ix->slots[k].mode == mi && m->hosts[ix->slots[k].host].addr == addr)
            return &m->hosts[ix->slots[k].host];
    if (c->nmodes > ix->ncap) {
        size_t *cap = realloc(ix->cap, c->nmodes * sizeof *cap);
        if (!cap)
            abort();
        memset(cap + ix->ncap, 0, (c->nmodes - ix->ncap) * sizeof *cap);
        ix->cap = cap;
        ix->ncap = c->nmodes;
    }
    if (m->nhosts == ix->cap[mi - 1]) {
        size_t n = m->nhosts ? 2 * m->nhosts : 16;
        struct st_mode_host *h = realloc(m->hosts, n * sizeof *h);
        if (!h)
            abort();
        m->hosts = h;
        ix->cap[mi - 1] = n;
    }
    m->hosts[m->nhosts] =
        (struct st_mode_host){.addr = addr, .latency_s = -1, .reason = ST_NMAP_NO_RESPONSE};
    if (m->nhosts >= UINT32_MAX)
        abort();
    ix->slots[k] = (struct slot){(uint32_t)mi, (uint32_t)m->nhosts};
    ix->used++;
    return &m->hosts[m->nhosts++];
}

static int cmp_host(const void *a, const void *b)
{
    const struct st_mode_host *x = a, *y = b;
    return st_host_cmp(x->addr, y->addr);
}

bool st_compare_has_host(const struct st_comparison *c, uint32_t addr)
{
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode_host *h = c->modes[m].hosts;
        size_t lo = 0, hi = c->modes[m].nhosts;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int k = st_host_cmp(h[mid].addr, addr);
            if (!k)
                return true;
            if (k < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return false;
}

static const char *trace_mode(const struct st_comparison *c, size_t i, const char *single)
{
    const char *m = st_trace_pkt_mode(c->trace, i);
    return m ? m : single;
}

/* The mode whose pass was running at capture time `t`. */
static const char *mode_at(const struct st_comparison *c, int64_t t, const char *single)
{
    const struct st_trace *tr = c->trace;
    const char *m = single;
    for (size_t i = 0; i < tr->nmodes; i++)
        if (tr->mode_start_ns[i] + c->offset_ns <= t)
            m = tr->modes[i];
    return m;
}

/* The scanner's report lines, by address (then by order, the last one wins). */
static int cmp_reported(const void *a, const void *b, void *ud)
{
    const struct st_trace_host *h = ud;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (h[x].addr != h[y].addr)
        return (h[x].addr > h[y].addr) - (h[x].addr < h[y].addr);
    return (x > y) - (x < y);
}

static bool sent_later(const struct st_trace *t, const struct st_mode_host *h)
{
    struct st_pkt tmp;
    for (size_t i = 0; i < h->nlater; i++)
        if (st_trace_pkt(t, (size_t)h->later[i], &tmp)->dir == ST_DIR_SENT)
            return true;
    return false;
}

/* A member its scanner never traces (causes.c: member-reply) is up by its
 * first answer on the wire to the group's probe, reason and latency too:
 * the scanner judged no host (nping), and the wire alone found it. */
static bool member_answer(const struct st_comparison *c, struct st_mode_host *h)
{
    struct st_pkt tmp, ptmp;
    for (size_t i = 0; h->member && i < h->nwire; i++) {
        if (c->fcause[h->wire[i]] != ST_CAUSE_MEMBER_REPLY)
            continue;
        const struct st_pkt *f = st_store_get(&c->cap->frames, (size_t)h->wire[i], &tmp);
        h->reason = st_nmap_reply_verdict(f).reason;
        int64_t at = f->time_ns - c->offset_ns, sent = -1;
        for (size_t k = 0; k < h->nprobes; k++) {
            int64_t ts = st_trace_pkt(c->trace, (size_t)h->probes[k], &ptmp)->time_ns;
            if (ts <= at && ts > sent)
                sent = ts;
        }
        if (sent >= 0)
            h->latency_s = (double)(at - sent) / 1e9;
        return true;
    }
    return false;
}

static void verdict(const struct st_comparison *c, const size_t *by_addr, const char *mode,
                    struct st_mode_host *h)
{
    const struct st_trace *t = c->trace;
    const struct st_trace_host *reported = NULL;

    size_t lo = 0, hi = t->nhosts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->hosts[by_addr[mid]].addr < h->addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* a target given twice is reported twice: up when any copy was (a
     * later copy's down does not undo the first's answer) */
    for (size_t i = lo; i < t->nhosts && t->hosts[by_addr[i]].addr == h->addr; i++) {
        const struct st_trace_host *r = &t->hosts[by_addr[i]];
        if ((!r->mode || !strcmp(st_trace_host_mode(t, r), mode)) &&
            (!reported || r->up || !reported->up))
            reported = r;
    }
    /* the first traced reply that decides anything decides the reason, as
     * it decided the scanner (nmap also traces what it reads nothing in: a
     * neighbour advertisement to the kernel before a --send-ip echo reply) */
    const struct st_pkt *first = NULL;
    struct st_pkt first_buf, tmp, told;
    size_t first_i = 0;
    bool first_decides = false;
    /* A side built from the wire is no nmap run: any answer of the host
     * itself makes it up, whatever came first (hping3 --traceroute's low
     * TTLs draw a router's time exceeded before the host's echo reply) */
    bool up_wins = !strcmp(t->dialect, "wire");
    bool first_up = false;
    for (size_t i = 0; i < h->nreplies; i++) {
        const struct st_pkt *p = st_trace_pkt(t, (size_t)h->replies[i], &tmp);
        /* (a port unreachable is up only from the target: the frame's quote tells) */
        enum st_nmap_host says =
            st_nmap_reply_verdict(st_trace_pkt_told(c, (size_t)h->replies[i], &told)).host;
        bool decides = says != ST_NMAP_NOTHING;
        bool is_up = up_wins && says == ST_NMAP_UP;
        if (!first || (decides && !first_decides) || (is_up && !first_up) ||
            (decides == first_decides && is_up == first_up && p->time_ns < first->time_ns)) {
            first_up = is_up;
            first_buf = *p;
            first = &first_buf;
            first_i = (size_t)h->replies[i];
            first_decides = decides;
        }
    }
    bool up = false;
    if (first && first_decides) {
        /* a reply that decides nothing (a router's unreachable, a parameter
         * problem) leaves the host to its tries: no response, as nmap says */
        struct st_nmap_verdict v = st_nmap_reply_verdict(st_trace_pkt_told(c, first_i, &told));
        up = v.host == ST_NMAP_UP;
        h->reason = v.reason;
    }
    /* nmap -Pn scans every target it holds up by the user's word; those
     * dropped (an on-link host that never answered ARP) get no later packet */
    if (t->no_ping && !up && sent_later(t, h))
        up = true;
    bool by_member = !up && !(first && first_decides) && member_answer(c, h);
    up |= by_member;
    h->up = reported ? reported->up : up;
    /* nmap reports every host it found up, and "Nmap done" says it decided
     * the rest: down. Without either the scanner never said, whatever the
     * replies suggest (a trace cut short, a run stopped before its report) */
    /* (a member the group's probe found is no target: the scanner gives it
     * no verdict of its own, scantrace's run.json none, and its traced
     * answer decides it) */
    h->judged = reported || (h->member && up) ||
                (h->nprobes ? st_trace_run_ended(t, (size_t)h->probes[0]) : t->end_ns >= 0);
    if (!h->judged && !h->up && t->interrupted)
        h->reason = "interrupted";
    if (h->up && !(first && first_decides) && !by_member)
        /* nmap's own addresses are up without a packet (its loopback host
         * group): it says localhost-response */
        h->reason = st_is_own_host(c, h->addr) ? "localhost-response"
                    : t->no_ping               ? "user-set"
                                               : "reported-up";
    /* the scanner's own reason wins when it recorded one (scantrace's run.json) */
    if (reported && reported->reason)
        h->reason = st_trace_host_reason(t, reported);
    /* none of its probes went out: the scanner's "down" is no verdict on it */
    if (h->reason && !strcmp(h->reason, "send-failed"))
        h->judged = false;
    if (reported && reported->latency_s >= 0) {
        h->latency_s = reported->latency_s;
    } else if (first && up) {
        /* from the last probe sent to the host before that reply */
        int64_t sent = -1;
        for (size_t i = 0; i < h->nprobes; i++) {
            int64_t ts = st_trace_pkt(t, (size_t)h->probes[i], &tmp)->time_ns;
            if (ts <= first->time_ns && ts > sent)
                sent = ts;
        }
        if (sent >= 0)
            h->latency_s = (double)(first->time_ns - sent) / 1e9;
    }
}

static int cmp_addr(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/*
 * The scan's targets, sorted: every address a probe went to and every host
 * the scanner reported. Only targets become hosts: a routed scan's trace
 * also shows the gateway's ARP reply (the kernel resolved the router and
 * nmap's ARP reader printed it), which is no verdict about anything
 * (causes.c gives such a packet its cause).
 */
uint32_t *st_compare_targets(const struct st_comparison *c, size_t *n)
{
    const struct st_trace *t = c->trace;
    uint32_t *a = malloc((t->npkts + t->nhosts + 1) * sizeof *a);
    if (!a)
        abort();
    *n = 0;
    /* a connect() goes to a target whether its line is the request or only
     * its result (nmap may print only the result) */
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        /* a member that answered a group's probe is a host it found */
        if (p->dir == ST_DIR_SENT || (p->flags & ST_PKT_CONNECT) || st_group_answered(c, p) >= 0)
            a[(*n)++] = st_trace_pkt_host(c, i);
    }
    for (size_t i = 0; i < t->nhosts; i++)
        a[(*n)++] = t->hosts[i].addr;
    st_sort(a, *n, sizeof *a, cmp_addr); /* in place: a sweep has millions */
    return a;
}

/* What list_packets goes by: counting (fill false), then filling. */
struct lists {
    struct host_ix *ix;
    const uint32_t *targets;
    size_t ntargets;
    const char *fallback;
    bool fill;
    /* a log of runs: (run << 32 | host) of each run's targets, sorted */
    const uint64_t *run_targets;
    size_t nrun_targets;
};

/* In a log of several runs, each run's targets: the hosts it probed or
 * reported. A reply one run traced about a host only another run probed
 * (a router's late unreachable quoting the first run's echo, read by the
 * second) is no host of that run. NULL with one run. */
static uint64_t *run_targets(const struct st_comparison *c, size_t *n)
{
    const struct st_trace *t = c->trace;
    *n = 0;
    if (!t->runs_are_passes || t->nruns < 2)
        return NULL;
    uint64_t *k = malloc((t->npkts + t->nhosts + 1) * sizeof *k);
    if (!k)
        abort();
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir == ST_DIR_SENT || (p->flags & ST_PKT_CONNECT))
            k[(*n)++] = (uint64_t)st_trace_pkt_run(t, i) << 32 | st_trace_pkt_host(c, i);
    }
    for (size_t i = 0; i < t->nhosts; i++) {
        size_t r = 0; /* the run whose lines hold its report line */
        while (r + 1 < t->nruns && t->run_line[r + 1] <= t->hosts[i].line)
            r++;
        if (t->hosts[i].line)
            k[(*n)++] = (uint64_t)r << 32 | t->hosts[i].addr;
    }
    *n = st_sort_unique(k, *n, sizeof *k, st_cmp_u64);
    return k;
}

static void list_one(int32_t **list, size_t *n, size_t v, bool fill)
{
    if (fill)
        (*list)[*n] = (int32_t)v;
    (*n)++;
}

/* A frame's mode as 1 + its index in c->modes, where every name a frame can
 * get already is (st_compare_summarize puts the trace's and the inferred
 * one there first). Frames come in runs of one mode: the last is kept. */
struct mode_cache {
    const char *name;
    uint32_t ix;
};

static uint32_t mode_ix(struct st_comparison *c, struct mode_cache *mc, const char *name)
{
    if (name != mc->name) {
        mc->ix = (uint32_t)(mode_by_name(c, name) - c->modes) + 1;
        mc->name = name;
    }
    return mc->ix;
}

/* Frame f's mode m, in a byte while every mode fits one (widened once
 * when one does not: a trace of hundreds of passes). */
static void fmode_set(struct st_comparison *c, size_t f, uint32_t m)
{
    size_t nf = c->cap->n;
    if (!c->fmode8 && !c->fmode32 && !(c->fmode8 = calloc(nf ? nf : 1, 1)))
        abort();
    if (c->fmode8 && m > UINT8_MAX) {
        if (!(c->fmode32 = malloc((nf ? nf : 1) * sizeof *c->fmode32)))
            abort();
        for (size_t i = 0; i < nf; i++)
            c->fmode32[i] = c->fmode8[i];
        free(c->fmode8);
        c->fmode8 = NULL;
    }
    if (c->fmode8)
        c->fmode8[f] = (uint8_t)m;
    else
        c->fmode32[f] = m;
}

static bool listed(const int32_t *list, size_t n, long v)
{
    for (size_t k = 0; k < n; k++)
        if (list[k] == v)
            return true;
    return false;
}

/* Group probe g among member's probes (it found the member), once. */
static void list_member_probe(struct st_comparison *c, const struct lists *l, struct st_mode *m,
                              uint32_t member, long g)
{
    struct st_mode_host *h = host_in(c, l->ix, m, member);
    if (!l->fill || !listed(h->probes, h->nprobes, g))
        list_one(&h->probes, &h->nprobes, (size_t)g, l->fill);
}

/* Trace packet i, a reply of member to a group's probe (groups.h), in mode
 * m: the group's reply too when its scanner takes it for the group's (the
 * group is up when a member answered), and the probe the member's too. */
static void list_group_answer(struct st_comparison *c, const struct lists *l, size_t i,
                              struct st_mode *m, uint32_t member)
{
    struct st_pkt tmp;
    long g = c->ngroups ? st_group_answered(c, st_trace_pkt(c->trace, i, &tmp)) : -1;
    if (g < 0)
        return;
    if (c->members_answer_group) {
        struct st_mode_host *h = host_in(c, l->ix, m, st_trace_pkt_host(c, (size_t)g));
        list_one(&h->replies, &h->nreplies, i, l->fill);
    }
    list_member_probe(c, l, m, member, g); /* (after: host_in may move the hosts) */
}

/* The host wire-only frame f relating to probe p is about: the probe's,
 * but a member's own answer to a group's probe. */
static uint32_t wire_host(const struct st_comparison *c, size_t f, long p)
{
    uint32_t host = st_trace_pkt_host(c, (size_t)p);
    struct st_pkt tmp;
    if (!st_group_host(c, host) || c->fdir[f] != ST_DIR_RCVD)
        return host;
    const struct st_pkt *w = st_store_get(&c->cap->frames, f, &tmp);
    return st_group_key(w, true) ? st_pkt_src_host(w) : host;
}

/* Each host's probes and replies (trace packets) and wire-only frames, and
 * each frame's mode. */
static void list_packets(struct st_comparison *c, const struct lists *l)
{
    const struct st_trace *t = c->trace;
    for (size_t i = 0; i < t->npkts; i++) {
        struct st_pkt tmp;
        uint32_t host = st_trace_pkt_host(c, i);
        if (!host || !bsearch(&host, l->targets, l->ntargets, sizeof *l->targets, cmp_addr))
            continue;
        uint64_t key = (uint64_t)st_trace_pkt_run(t, i) << 32 | host;
        if (l->run_targets &&
            !bsearch(&key, l->run_targets, l->nrun_targets, sizeof *l->run_targets, st_cmp_u64))
            continue;
        struct st_mode *m = mode_by_name(c, trace_mode(c, i, l->fallback));
        struct st_mode_host *h = host_in(c, l->ix, m, host);
        if (st_trace_pkt_later(t, i))
            list_one(&h->later, &h->nlater, i, l->fill);
        else if (st_trace_pkt(t, i, &tmp)->dir == ST_DIR_SENT)
            list_one(&h->probes, &h->nprobes, i, l->fill);
        else {
            list_one(&h->replies, &h->nreplies, i, l->fill);
            list_group_answer(c, l, i, m, host);
        }
    }
    struct mode_cache mc = {NULL, 0};
    for (size_t i = 0; i < c->cap->n; i++) {
        long p = c->f2t[i] >= 0 ? c->f2t[i] : st_frame_rel(c, (long)i);
        if (p < 0) {
            fmode_set(c, i, mode_ix(c, &mc, mode_at(c, st_frame_time(c, (long)i), l->fallback)));
            continue;
        }
        uint32_t m = mode_ix(c, &mc, trace_mode(c, (size_t)p, l->fallback));
        fmode_set(c, i, m);
        if (c->f2t[i] >= 0)
            continue;
        uint32_t host = wire_host(c, i, p);
        struct st_mode_host *h = host_in(c, l->ix, &c->modes[m - 1], host);
        list_one(&h->wire, &h->nwire, i, l->fill);
        /* a member the scanner never traces was found by the group's probe */
        if (c->fcause[i] == ST_CAUSE_MEMBER_REPLY)
            list_member_probe(c, l, &c->modes[m - 1], host, p);
    }
}

/* One block for every host's lists, as counted; the counts start over. */
static void lists_alloc(struct st_comparison *c)
{
    size_t total = 0;
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t k = 0; k < c->modes[m].nhosts; k++) {
            const struct st_mode_host *h = &c->modes[m].hosts[k];
            total += h->nprobes + h->nreplies + h->nwire + h->nlater;
        }
    c->lists = malloc((total ? total : 1) * sizeof *c->lists);
    if (!c->lists)
        abort();
    int32_t *at = c->lists;
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t k = 0; k < c->modes[m].nhosts; k++) {
            struct st_mode_host *h = &c->modes[m].hosts[k];
            h->probes = at, at += h->nprobes;
            h->replies = at, at += h->nreplies;
            h->wire = at, at += h->nwire;
            h->later = at, at += h->nlater;
            h->nprobes = h->nreplies = h->nwire = h->nlater = 0;
        }
}

/* Whether host h is a group its probes went to, or a member found by a
 * group's probes alone (groups.h). */
static void group_roles(const struct st_comparison *c, struct st_mode_host *h)
{
    h->group = st_group_host(c, h->addr);
    h->member = !h->group && h->nprobes;
    for (size_t k = 0; h->member && k < h->nprobes; k++)
        h->member = st_trace_pkt_host(c, (size_t)h->probes[k]) != h->addr;
}

void st_compare_summarize(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    char *single = t->nmodes ? NULL : infer_mode(t);
    const char *fallback = single ? single : t->modes[0];

    /* modes in the order the trace ran them */
    for (size_t i = 0; i < t->nmodes; i++)
        mode_by_name(c, t->modes[i]);
    if (single)
        mode_by_name(c, single);
    struct host_ix ix = {0};
    size_t ntargets;
    uint32_t *targets = st_compare_targets(c, &ntargets);

    /* counted, then listed in one block (a sweep's host has a probe or
     * two: three allocations of its own took more than its packets) */
    size_t nrt;
    uint64_t *rt = run_targets(c, &nrt);
    struct lists l = {&ix, targets, ntargets, fallback, false, rt, nrt};
    list_packets(c, &l);
    lists_alloc(c);
    l.fill = true;
    list_packets(c, &l);
    /* hosts the scanner reported but never probed in the trace (-Pn; its
     * own addresses, up without a packet): in the mode it named, if the
     * trace ran it */
    for (size_t i = 0; i < t->nhosts; i++) {
        const char *name = t->hosts[i].mode ? st_trace_host_mode(t, &t->hosts[i]) : single;
        struct st_mode *m = name ? mode_named(c, name) : NULL;
        if (m)
            host_in(c, &ix, m, t->hosts[i].addr);
    }
    free(ix.slots);
    free(ix.cap);
    free(targets);
    free(rt);
    size_t *by_addr = malloc((t->nhosts ? t->nhosts : 1) * sizeof *by_addr);
    if (!by_addr)
        abort();
    for (size_t i = 0; i < t->nhosts; i++)
        by_addr[i] = i;
    qsort_r(by_addr, t->nhosts, sizeof *by_addr, cmp_reported, t->hosts);

    for (size_t m = 0; m < c->nmodes; m++) {
        struct st_mode *mode = &c->modes[m];
        if (mode->nhosts)
            qsort(mode->hosts, mode->nhosts, sizeof *mode->hosts, cmp_host);
        for (size_t h = 0; c->ngroups && h < mode->nhosts; h++)
            group_roles(c, &mode->hosts[h]);
        /* a run that traced nothing: its report is not checked against the wire */
        bool untraced = t->runs_are_passes && st_trace_run_untraced(t, mode->run);
        for (size_t h = 0; h < mode->nhosts; h++) {
            verdict(c, by_addr, mode->name, &mode->hosts[h]);
            mode->hosts[h].judged &= !untraced;
            c->judged += mode->hosts[h].judged;
            c->unjudged += !mode->hosts[h].judged;
        }
        c->empty_modes += !mode->nhosts;
    }
    free(by_addr);
    free(single);
    st_stated_counts_check(c);
}

void st_host_later(const struct st_comparison *c, const struct st_mode_host *h, struct st_later *l)
{
    memset(l, 0, sizeof *l);
    struct st_pkt tmp;
    for (size_t i = 0; i < h->nlater; i++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)h->later[i], &tmp);
        if (p->dir == ST_DIR_SENT)
            l->sent++;
        else
            l->rcvd++;
        long f = c->t2f[h->later[i]];
        if (f >= 0) {
            struct st_pkt ftmp;
            uint32_t no = st_store_get(&c->cap->frames, (size_t)f, &ftmp)->frame;
            if (!l->on_wire++ || no < l->first_frame)
                l->first_frame = no;
            if (no > l->last_frame)
                l->last_frame = no;
        }
        if (!i)
            l->first_line = p->line;
        l->last_line = p->line;
    }
}

void st_later_where(const struct st_comparison *c, const struct st_later *l, char *out, size_t size)
{
    if (c->from_wire)
        snprintf(out, size, "frames %u-%u", l->first_frame, l->last_frame);
    else
        snprintf(out, size, "lines %u-%u", l->first_line, l->last_line);
}

/* Why hosts went without a verdict, from what the trace is. */
static const char *unjudged_why(const struct st_trace *t)
{
    if (t->interrupted)
        return t->unfinished ? "the run never ended" : "run interrupted";
    if (t->unsent && !strcmp(t->dialect, "scantrace"))
        return "send-failed: the kernel refused every probe to them";
    if (!strcmp(t->dialect, "scantrace"))
        return "not in run.json";
    for (size_t k = 0; t->runs_are_passes && k < t->nruns; k++)
        if (st_trace_run_untraced(t, k))
            return "a run of the log traced no packet (nmap without --packet-trace): its hosts "
                   "and frames are not checked";
    if (t->nruns > 1) /* the hosts of runs cut short */
        return "a run without its \"Nmap done\" (or \"Nping done\") line: cut short";
    if (t->nping_runs)
        return "no \"Nping done\" line: the trace is cut short";
    if (!strncmp(t->dialect, "nmap-", 5))
        return "no \"Nmap done\" line: the trace is cut short";
    return "no report lines: unknown dialect";
}

/* Whether a mode with no host is a run of the log that traced no packet
 * (nmap prints no line for a host it found down). */
static bool untraced_empty(const struct st_comparison *c)
{
    for (size_t m = 0; m < c->nmodes; m++)
        if (!c->modes[m].nhosts && c->trace->runs_are_passes &&
            st_trace_run_untraced(c->trace, c->modes[m].run))
            return true;
    return false;
}

/* The result line being written: "UNJUDGED:" once, its clauses after it
 * by commas (st_compare_result). */
struct result_line {
    char *buf;
    size_t size, len;
    bool open;
};

__attribute__((format(printf, 2, 3))) static void say(struct result_line *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (r->len < r->size)
        r->len += (size_t)vsnprintf(r->buf + r->len, r->size - r->len, fmt, ap);
    va_end(ap);
}

#define PART(...)                                                                                  \
    do {                                                                                           \
        say(r, "%s", r->open ? "," : r->len ? "; UNJUDGED:" : "UNJUDGED:");                        \
        r->open = true;                                                                            \
        say(r, __VA_ARGS__);                                                                       \
    } while (0)

/* A capture whose clock puts a run elsewhere than its "Starting ... at"
 * line (run_dates.c): not that run's capture, or a clock changed between. */
static void run_dates_clause(const struct st_comparison *c, struct result_line *r)
{
    char cap[32], line[32];
    time_t a = (time_t)c->date_run_s, b = (time_t)c->date_wall_s;
    struct tm ta, tb;
    strftime(cap, sizeof cap, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&a, &ta));
    strftime(line, sizeof line, c->date_utc ? "%Y-%m-%d %H:%M UTC" : "%Y-%m-%d %H:%M",
             gmtime_r(&b, &tb));
    char zone[64] = " (its own time zone)";
    int64_t off = c->clock_offset_s < 0 ? -c->clock_offset_s : c->clock_offset_s;
    if (c->date_shifted) /* the name may lie (TZ=UTC+3 says "UTC"): the offset does not */
        snprintf(zone, sizeof zone, " (the recording host's clock: UTC%c%02d:%02d)",
                 c->clock_offset_s < 0 ? '-' : '+', (int)(off / 3600), (int)(off % 3600 / 60));
    else if (c->date_utc)
        zone[0] = '\0';
    PART(" the capture's frames put %s run's start at %s, its Starting line says %s%s: not "
         "its capture (another run's?), not checked",
         c->date_mismatch > 1 ? "a" : "the", cap, line, zone);
}

/* The clauses of claims not held and of packets the capture does not show. */
static void result_unseen(const struct st_comparison *c, struct result_line *r, size_t outside)
{
    if (c->claims && c->claims->unseen)
        PART(" %zu claimed host%s with no frame in the capture, not held (was it on the "
             "interface the probes took?)",
             c->claims->unseen, ST_S(c->claims->unseen));
    if (c->claims && c->claims->own_answer) {
        char a[ST_HOST_STRLEN];
        PART(" %zu group%s claimed up (%s%s) that no member answered on the wire, not held "
             "(the scanner's own host answers it over the loopback interface, which the "
             "capture does not show)",
             c->claims->own_answer, ST_S(c->claims->own_answer),
             st_host_str(c->claims->own_answer_addr, a), c->claims->own_answer > 1 ? "..." : "");
    }
    if (c->claims && c->claims->unheld)
        PART(" the scanner was %s: %zu answered host%s it did not print not held against it",
             c->claims->stopped, c->claims->unheld, ST_S(c->claims->unheld));
    if (outside && !c->cap->n)
        PART(" the capture holds no frame: %zu trace packet%s not checked (was the capture "
             "stopped before it wrote its packets? tcpdump -U writes each at once)",
             outside, ST_S(outside));
    else if (outside && c->runs_alike)
        PART(" %zu trace packets from outside the capture's time, not checked (the log's runs "
             "look alike and the capture holds one's frames: which run's, nothing tells)",
             outside);
    else if (outside)
        /* (a capture of one interface may also show the scanner's address
         * on it, ND or ARP, while the probes took another: the time alone
         * cannot tell the two apart) */
        PART(" %zu trace packets from outside the capture's time, not checked (%s, or they "
             "took an interface or path it did not record)",
             outside,
             !c->outside_after    ? "before its first frame: it began after the scan started"
             : !c->outside_before ? "after its last frame: it ended before the scan"
                                  : "before its first frame and after its last");
    if (c->date_mismatch)
        run_dates_clause(c, r);
    if (c->past_router_links)
        PART(" %zu ARP/ND line%s of the scanner's own link, which a capture taken past a "
             "router cannot show, not checked",
             c->past_router_links, ST_S(c->past_router_links));
    if (c->shards_missing)
        PART(" %zu of %d shards of the sweep missing (shard %d%s): their addresses were "
             "not merged, not checked",
             c->shards_missing, c->shards_count, c->shard_missing_first,
             c->shards_missing > 1 ? "..." : "");
    if (c->filtered)
        PART(" %zu trace packet%s without a frame in a capture taken with the filter \"%s\", "
             "which may have kept them out, not checked (capture without a filter)",
             c->filtered, ST_S(c->filtered), c->capture_filter);
    if (c->other_if) {
        char a[ST_HOST_STRLEN];
        PART(" %zu trace packet%s from or to %s%s, which no frame shows: the capture was not "
             "on the interface they took, not checked (capture every interface, or -i any)",
             c->other_if, ST_S(c->other_if), st_host_str(c->other_if_addr, a),
             c->other_if_addrs > 1 ? " (and other addresses)" : "");
    }
}

/* The scanner's statistics against its probes and replies (stated_counts.c). */
static void stated_counts_clause(const struct st_comparison *c, struct result_line *r)
{
    char a[ST_HOST_STRLEN];
    bool sent = false, rcvd = false;
    for (size_t i = 0; i < c->nmiscounts; i++)
        sent |= c->miscounts[i].sent_wrong, rcvd |= c->miscounts[i].rcvd_wrong;
    say(r, "%sCOUNTS: %s's statistics miscount the %s of %zu host%s (%s%s)", r->len ? "; " : "",
        c->miscount_scanner ? c->miscount_scanner : "the scanner",
        sent && rcvd ? "probes and replies"
        : rcvd       ? "replies"
                     : "probes",
        c->miscounted, ST_S(c->miscounted), st_host_str(c->miscounted_first, a),
        c->miscounted > 1 ? "..." : "");
    if (c->miscounted_unprobed)
        say(r, ", %zu never probed (%s%s)", c->miscounted_unprobed,
            st_host_str(c->unprobed_first, a), c->miscounted_unprobed > 1 ? "..." : "");
}

bool st_compare_result(const struct st_comparison *c, char *buf, size_t size)
{
    const struct st_trace *t = c->trace;
    struct result_line line = {buf, size, 0, false}, *r = &line;
    buf[0] = '\0';
    if (c->discrepancies)
        say(r, "DISCREPANCIES");
    if (c->altered) {
        /* matched by identity, so "N matched" alone would hide them */
        char why[192] = "";
        st_altered_why(c, c->altered_first, why, sizeof why);
        say(r, " (%zu packet%s altered on the wire: line %u %s%s)", c->altered, ST_S(c->altered),
            st_trace_pkt(t, c->altered_first, &(struct st_pkt){0})->line, why,
            c->altered > 1 ? "..." : "");
    }
    if (st_claims_failed(c->claims))
        say(r, "%sCLAIMS: %zu missed, %zu unfounded", r->len ? "; " : "", c->claims->missed,
            c->claims->unfounded);
    if (c->miscounted)
        stated_counts_clause(c, r);
    /* what compare could not judge: one "UNJUDGED:", its clauses after it
     * by commas (an interrupted run never passes: what it decided is not
     * what it was asked) */
    /* a run judged from the wire alone checks nothing unless the scanner's
     * output could be read */
    bool unread = c->from_wire &&
                  (!c->claims || !c->claims->present || !strcmp(c->claims->format, "unknown"));
    if (unread)
        PART(" %s", c->claims && c->claims->unread ? c->claims->unread
                    : c->failed_why && (!c->claims || !c->claims->present)
                        ? c->failed_why
                        : "the scanner's output is in no format scantrace reads");
    size_t outside = c->outside_before + c->outside_after;
    if (t->interrupted && !c->unjudged)
        PART(" %s", t->unfinished ? "the run never ended (run.json says running: record was "
                                    "killed, or still runs)"
                                  : "run interrupted");
    if (c->unjudged)
        PART(" %zu of %zu host%s without the scanner's verdict (%s)", c->unjudged,
             c->unjudged + c->judged, ST_S(c->unjudged + c->judged), unjudged_why(t));
    /* fping refusing a broadcast address (sendto without SO_BROADCAST:
     * "Permission denied") prints it unreachable and sends nothing */
    if (c->empty_modes && c->from_wire && c->failed_why && !t->npkts && !unread)
        PART(" %s and sent no probe (%s)", c->failed_why,
             c->stderr_said ? c->stderr_said : "its error went to stderr");
    else if (c->empty_modes)
        PART(" %zu mode%s with no host%s", c->empty_modes, ST_S(c->empty_modes),
             untraced_empty(c) ? " (a run of the log traced no packet: nmap without "
                                 "--packet-trace)"
                               : "");
    if (!c->judged && !r->open && !outside && !c->other_if && !c->filtered)
        PART(" no host at all");
    if (t->malformed)
        PART(" %zu unreadable packet lines", t->malformed);
    if (t->unsent)
        PART(" %zu probe%s the kernel refused to send (%s; \"Offending packet\" line %u on): "
             "never on the wire, not checked",
             t->unsent, ST_S(t->unsent), t->unsent_why[0] ? t->unsent_why : "send failed",
             t->unsent_line);
    /* (even all matched: on the fields the cut left, the rest unchecked) */
    if (c->cut_frames)
        PART(" %zu frame%s cut short by the capture's snap length (headers missing, their "
             "fields past the cut not checked; %zu one-sided packet%s not checked: capture "
             "with -s 0)",
             c->cut_frames, ST_S(c->cut_frames), c->cut_unchecked, ST_S(c->cut_unchecked));
    if (c->after_trace)
        PART(" %zu frame%s after the trace's last line, not checked (it is cut short)",
             c->after_trace, ST_S(c->after_trace));
    if (c->unseen_targets) {
        char a[ST_HOST_STRLEN];
        PART(" %zu target%s (%s%s) with no frame in the capture, which holds only the "
             "interfaces record was given (-i): their probes may have taken another, not "
             "checked",
             c->unseen_targets, ST_S(c->unseen_targets), st_host_str(c->unseen_target, a),
             c->unseen_targets > 1 ? "..." : "");
    }
    if (c->echo_ids_mixed) {
        char a[ST_HOST_STRLEN];
        PART(" %zu host%s (%s%s) whose echo requests carry several ids: another program's "
             "ping beside %s, which the wire cannot tell apart; its statistics not checked",
             c->echo_ids_mixed, ST_S(c->echo_ids_mixed), st_host_str(c->echo_ids_mixed_first, a),
             c->echo_ids_mixed > 1 ? "..." : "",
             c->miscount_scanner ? c->miscount_scanner : "the scanner");
    }
    result_unseen(c, r, outside);
    if (!r->len)
        snprintf(buf, size, "%s",
                 c->from_wire ? "consistent (scanner side built from the wire)" : "consistent");
    return !strncmp(buf, "consistent", 10);
}
#undef PART
