/*
 * What a scanner's statistics say it sent and received, against what it
 * traced (nping) or what the wire shows (ping, fping, hping3). nping ends
 * each run with a block per target ("Statistics for host 198.18.3.4:",
 * " |  Probes Sent: 1 | Rcvd: 0 | Lost: 1  (100.00%)"), and its round robin
 * over several targets can skip one: `nping --icmp -c 1 A B C D` sends A, B,
 * D and D again, never C, and still counts one probe for each. Its trace
 * (SENT lines) shows what left, as the wire confirms, so a target with no
 * SENT line would not be listed at all, and the report would pass while the
 * scanner's own words are wrong. Each stated count is set against the
 * run's SENT lines to that host: a difference is listed, and a target never
 * probed gets its line (down, not-probed). A stated count of 0 says nothing:
 * nping --arp counts no probe per target. Its "Rcvd" counts the RCVD lines
 * about the target (a router's unreachable about it too), each reply once.
 *
 * ping, fping and hping3 trace nothing: their statistics are read with
 * their claims (claims_readers.c) and set against the side built from the
 * capture (st_stated_counts_wire). ping counts a probe it could not send
 * (a firewall's EPERM) as transmitted, with no word on stdout, so "3
 * transmitted, 2 received" blames the target for a loss that was its own
 * host's; a firewall's input chain drops a reply after the capture took it,
 * and the scanner counts one less than the target sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "comparison.h"
#include "groups.h"
#include "hosts.h"
#include "trace_read.h"
#include "util.h"

bool st_trace_read_count(struct st_trace *t, const char *line, uint32_t no)
{
    char addr[64];
    unsigned sent, rcvd;
    if (!strncmp(line, "Statistics for host ", 20)) {
        /* "... for host NAME (ADDR):": the address is the last parenthesis */
        const char *named = strrchr(line + 20, '(');
        t->count_pending = 0;
        if (sscanf(named ? named + 1 : line + 20, "%63[0-9a-fA-F.:]", addr) != 1)
            return true;
        size_t len = strlen(addr); /* the line's own colon, not the address's */
        if (len && addr[len - 1] == ':')
            addr[len - 1] = '\0';
        if (!st_host_parse(addr, &t->count_pending))
            t->count_pending = 0;
        return true;
    }
    if (!t->count_pending || sscanf(line, " | Probes Sent: %u | Rcvd: %u |", &sent, &rcvd) != 2)
        return false;
    if (t->ncounts == t->cap_counts) {
        size_t cap = t->cap_counts ? 2 * t->cap_counts : 16;
        struct st_trace_count *v = realloc(t->counts, cap * sizeof *v);
        if (!v)
            abort();
        t->counts = v, t->cap_counts = cap;
    }
    t->counts[t->ncounts++] = (struct st_trace_count){
        t->count_pending, t->nruns ? (uint32_t)t->nruns - 1 : 0, no, sent, rcvd, 0, 1};
    t->count_pending = 0;
    return true;
}

/* (run << 32 | host) of every trace packet in direction dir, sorted. A
 * refused connection (--tcp-connect's "Possible TCP RST received") is no
 * reply to nping's Rcvd, which counts handshakes completed. */
static uint64_t *line_keys(const struct st_comparison *c, enum st_dir dir, size_t *n)
{
    const struct st_trace *t = c->trace;
    uint64_t *k = malloc((t->npkts + 1) * sizeof *k);
    if (!k)
        abort();
    *n = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir == dir && !(dir == ST_DIR_RCVD && (p->flags & ST_PKT_CONNECT) && p->conn_errno))
            k[(*n)++] = (uint64_t)st_trace_pkt_run(t, i) << 32 | st_trace_pkt_host(c, i);
    }
    st_sort(k, *n, sizeof *k, st_cmp_u64);
    return k;
}

static size_t count_of(const uint64_t *k, size_t n, uint64_t key)
{
    size_t lo = st_u64_lower(k, n, key), end = lo;
    while (end < n && k[end] == key)
        end++;
    return end - lo;
}

/* The mode of run r: the one whose hosts its probes went to (the last
 * mode when none did). */
static struct st_mode *run_mode(struct st_comparison *c, uint32_t r)
{
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *x = &c->modes[m].hosts[h];
            if (x->nprobes && st_trace_pkt_run(c->trace, (size_t)x->probes[0]) == r)
                return &c->modes[m];
        }
    return c->nmodes ? &c->modes[c->nmodes - 1] : NULL;
}

static struct st_mode_host *host_of(struct st_mode *m, uint32_t addr)
{
    for (size_t h = 0; m && h < m->nhosts; h++)
        if (m->hosts[h].addr == addr)
            return &m->hosts[h];
    return NULL;
}

static int cmp_mode_host(const void *a, const void *b)
{
    const struct st_mode_host *x = a, *y = b;
    return st_host_cmp(x->addr, y->addr);
}

/* A target the run never probed: down, not-probed, judged (nothing left
 * for it, and nothing answered it). `placed` for a side built from the
 * wire: st_claims_place_unprobed takes it out again before a second
 * reading of the claims (compare --claims). */
static void place(struct st_comparison *c, struct st_mode *m, uint32_t addr, uint32_t stated,
                  bool placed)
{
    struct st_mode_host *g = realloc(m->hosts, (m->nhosts + 1) * sizeof *g);
    if (!g)
        abort();
    m->hosts = g;
    if (!m->nhosts)
        c->empty_modes--;
    m->hosts[m->nhosts++] = (struct st_mode_host){.addr = addr,
                                                  .reason = ST_REASON_NOT_PROBED,
                                                  .latency_s = -1,
                                                  .judged = true,
                                                  .placed = placed,
                                                  .stated_sent = stated};
    c->judged++;
    qsort(m->hosts, m->nhosts, sizeof *m->hosts, cmp_mode_host);
}

/* A host miscounted: its counts kept for the reports, the first named in
 * the result line. */
static void note(struct st_comparison *c, const struct st_miscount *x)
{
    if (!c->miscounted++)
        c->miscounted_first = x->addr;
    struct st_miscount *v = realloc(c->miscounts, (c->nmiscounts + 1) * sizeof *v);
    if (!v)
        abort();
    c->miscounts = v;
    c->miscounts[c->nmiscounts++] = *x;
}

/* The host's line, or a new one (down, not-probed) when no probe of its
 * went out: a target the statistics count and the scanner never probed. */
static void mark(struct st_comparison *c, size_t mode, const struct st_miscount *x, bool placed)
{
    struct st_mode *m = &c->modes[mode];
    struct st_mode_host *h = host_of(m, x->addr);
    if (!h && !x->counted_sent) {
        if (!c->miscounted_unprobed++)
            c->unprobed_first = x->addr;
        place(c, m, x->addr, x->sent_wrong ? x->stated_sent : 0, placed);
    } else if (h && x->sent_wrong)
        h->stated_sent = x->stated_sent;
    note(c, x);
}

const struct st_miscount *st_miscount_of(const struct st_comparison *c, const struct st_mode *m,
                                         uint32_t addr)
{
    for (size_t i = 0; i < c->nmiscounts; i++)
        if (c->miscounts[i].addr == addr && &c->modes[c->miscounts[i].mode] == m)
            return &c->miscounts[i];
    return NULL;
}

void st_stated_counts_check(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    c->miscounted = c->miscounted_unprobed = 0;
    free(c->miscounts);
    c->miscounts = NULL;
    c->nmiscounts = 0;
    if (!t->ncounts)
        return;
    c->miscount_scanner = "nping";
    size_t ns, nr;
    uint64_t *sent = line_keys(c, ST_DIR_SENT, &ns), *rcvd = line_keys(c, ST_DIR_RCVD, &nr);
    for (size_t i = 0; i < t->ncounts; i++) {
        const struct st_trace_count *s = &t->counts[i];
        uint64_t key = (uint64_t)s->run << 32 | s->addr;
        struct st_miscount x = {.addr = s->addr,
                                .stated_sent = s->sent,
                                .counted_sent = (uint32_t)count_of(sent, ns, key),
                                .stated_rcvd = s->rcvd,
                                .counted_rcvd = (uint32_t)count_of(rcvd, nr, key)};
        x.sent_wrong = x.stated_sent != x.counted_sent;
        x.rcvd_wrong = x.stated_rcvd != x.counted_rcvd;
        struct st_mode *m = run_mode(c, s->run);
        if (!s->sent || !m || !(x.sent_wrong || x.rcvd_wrong))
            continue;
        x.mode = (size_t)(m - c->modes);
        mark(c, x.mode, &x, false);
    }
    free(sent);
    free(rcvd);
}

/* ------------------------------------------------------------------------
 * A side built from the wire: the frames are the truth.
 */

/* A reply within this long before the scanner exited may have come after
 * it stopped reading (ping's last read, then its statistics and its exit):
 * it may or may not be counted. */
#define EXIT_SLACK_NS 20000000LL

/* A frame's part in its host's count (a part: host << 32 | enum part). */
enum part { SENT, RCVD, RCVD_NEW, RCVD_UNSURE, RCVD_NEW_UNSURE, PARTS };

/* An echo request on the wire: its id and sequence, the host it went to,
 * whether a reply came. */
struct echo {
    uint64_t key; /* echo_key */
    uint32_t host;
    bool answered;
};

static int cmp_echo(const void *a, const void *b)
{
    const struct echo *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static bool is_echo(const struct st_pkt *p, bool request)
{
    if (p->proto == ST_IPPROTO_ICMP)
        return p->l4.icmp.type == (request ? ST_ICMP_ECHO_REQUEST : ST_ICMP_ECHO_REPLY);
    return p->proto == ST_IPPROTO_ICMPV6 &&
           p->l4.icmp.type == (request ? ST_ICMP6_ECHO_REQUEST : ST_ICMP6_ECHO_REPLY);
}

/* An echo's protocol, id and sequence, the same for a request and its
 * replies (an ICMPv6 echo's only where the reader saw them: is_echo6_cut) */
static uint64_t echo_key(const struct st_pkt *p)
{
    return (uint64_t)p->proto << 32 | (uint32_t)p->l4.icmp.id << 16 | p->l4.icmp.seq;
}

/* An ICMPv6 echo without its id and sequence (a frame cut short). */
static bool is_echo6_cut(const struct st_pkt *p)
{
    return p->proto == ST_IPPROTO_ICMPV6 && (p->flags & ST_PKT_NO_ECHO_ID);
}

static bool link_layer(const struct st_pkt *p)
{
    return p->net == ST_NET_ARP || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) ||
           st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT);
}

struct parts {
    uint64_t *v; /* sorted: a host's parts together */
    size_t n;
    uint64_t *ids; /* host << 32 | echo_key's low bits of its requests, sorted, unique */
    size_t nids;
    size_t stray; /* ICMP errors to the scanner about no probe of this run (hping3 counts them) */
};

static void push_part(struct parts *ps, uint32_t host, enum part k)
{
    ps->v[ps->n++] = (uint64_t)host << 32 | k;
}

/* The requests (and with !echo_only every probe) of the trace's side, each
 * echo request in e (its key and host), each host's ids in ps->ids. */
static size_t sent_parts(const struct st_comparison *c, bool echo_only, struct parts *ps,
                         struct echo *e)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    size_t ne = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_SENT || link_layer(p))
            continue;
        if (is_echo(p, true) && !is_echo6_cut(p)) {
            e[ne++] = (struct echo){echo_key(p), st_trace_pkt_host(c, i), false};
            ps->ids[ps->nids++] =
                (uint64_t)st_trace_pkt_host(c, i) << 32 | (uint32_t)(echo_key(p) >> 16);
        }
        if (is_echo(p, true) || !echo_only)
            push_part(ps, st_trace_pkt_host(c, i), SENT);
    }
    st_sort(e, ne, sizeof *e, cmp_echo);
    return ne;
}

/* An echo reply: each request of its id and sequence answered (the first
 * answer new, a duplicate not). */
static void echo_answers(struct parts *ps, struct echo *e, size_t ne, const struct st_pkt *p,
                         bool unsure)
{
    struct echo key = {.key = echo_key(p)};
    struct echo *q = bsearch(&key, e, ne, sizeof *e, cmp_echo);
    while (q && q > e && q[-1].key == key.key)
        q--;
    for (; q && q < e + ne && q->key == key.key; q++) {
        bool first = !q->answered;
        q->answered = true;
        push_part(ps, q->host,
                  first ? (unsure ? RCVD_NEW_UNSURE : RCVD_NEW) : (unsure ? RCVD_UNSURE : RCVD));
    }
}

/* The replies of the trace's side that came before the scanner exited. */
static void rcvd_parts(const struct st_comparison *c, bool echo_only, struct parts *ps,
                       struct echo *e, size_t ne)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    int64_t end = c->scanner_end_ns;
    bool timed = end && c->cap->n && end >= st_frame_time(c, 0);
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_RCVD || link_layer(p) || c->t2f[i] < 0)
            continue;
        int64_t ft = st_frame_time(c, c->t2f[i]);
        if (timed && ft > end)
            continue;
        bool unsure = timed && ft > end - EXIT_SLACK_NS;
        if (is_echo(p, false) && is_echo6_cut(p)) {
            /* a reply cut before its id and sequence: its source's, new */
            push_part(ps, st_trace_pkt_host(c, i), unsure ? RCVD_NEW_UNSURE : RCVD_NEW);
        } else if (is_echo(p, false)) {
            echo_answers(ps, e, ne, p, unsure);
        } else if (!echo_only)
            push_part(ps, st_trace_pkt_host(c, i), unsure ? RCVD_UNSURE : RCVD_NEW);
    }
}

/* hping3 takes any ICMP error to its host for an answer (a router's
 * unreachable about another program's packet, an earlier run's). */
static size_t stray_errors(const struct st_comparison *c)
{
    struct st_pkt tmp;
    int64_t end = c->scanner_end_ns;
    bool timed = end && c->cap->n && end >= st_frame_time(c, 0);
    size_t n = 0;
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        if (c->f2t[f] < 0 && (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6) &&
            st_icmp_is_error(p->proto, p->l4.icmp.type) && st_is_scanner(c, st_pkt_dst_host(p)) &&
            (!timed || st_frame_time(c, (long)f) <= end))
            n++;
    }
    return n;
}

/*
 * Each frame of the side's probes and answers as a part of its host's
 * count. ping and fping count echo requests and the echo replies of their
 * id and sequence (a group's from any member, each duplicate a reply);
 * hping3 counts every probe, and every answer, an ICMP error about its
 * probe too. An answer after the scanner exited is no one's.
 */
static void wire_parts(const struct st_comparison *c, bool echo_only, struct parts *ps)
{
    size_t npkts = c->trace->npkts;
    ps->v = malloc((2 * npkts + 1) * sizeof *ps->v);
    ps->ids = malloc((npkts + 1) * sizeof *ps->ids);
    struct echo *e = malloc((npkts + 1) * sizeof *e);
    if (!ps->v || !ps->ids || !e)
        abort();
    ps->n = ps->stray = ps->nids = 0;
    size_t ne = sent_parts(c, echo_only, ps, e);
    rcvd_parts(c, echo_only, ps, e, ne);
    if (!echo_only)
        ps->stray = stray_errors(c);
    free(e);
    st_sort(ps->v, ps->n, sizeof *ps->v, st_cmp_u64);
    ps->nids = st_sort_unique(ps->ids, ps->nids, sizeof *ps->ids, st_cmp_u64);
}

/* How many ids (and protocols) the echo requests to addr carry. */
static size_t ids_of(const struct parts *ps, uint32_t addr)
{
    size_t i = st_u64_lower(ps->ids, ps->nids, (uint64_t)addr << 32), n = 0;
    while (i + n < ps->nids && ps->ids[i + n] >> 32 == addr)
        n++;
    return n;
}

/* Host addr's parts, counted: [part] */
static void parts_of(const struct parts *ps, uint32_t addr, size_t out[PARTS])
{
    memset(out, 0, PARTS * sizeof *out);
    for (size_t i = st_u64_lower(ps->v, ps->n, (uint64_t)addr << 32);
         i < ps->n && ps->v[i] >> 32 == addr; i++)
        out[ps->v[i] & 0xffffffffu]++;
}

/* The addresses the scanner's host asked for by ARP (ND) and no one
 * answered, sorted: the kernel held its packets to them (to the targets
 * behind them, when a next hop) and dropped them, unsent, so a scanner
 * that counts them sent (ping, fping) is not wrong for it. */
static uint32_t *unresolved(const struct st_comparison *c, size_t *n)
{
    struct st_pkt tmp;
    size_t na = 0, nb = 0;
    uint32_t *asked = malloc((c->cap->n + 1) * sizeof *asked);
    uint32_t *told = malloc((c->cap->n + 1) * sizeof *told);
    if (!asked || !told)
        abort();
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        if (p->net == ST_NET_ARP && (p->arp.op & 0xff) == 1 && st_is_scanner(c, p->arp.spa))
            asked[na++] = p->arp.tpa;
        else if (p->net == ST_NET_ARP && (p->arp.op & 0xff) == 2)
            told[nb++] = p->arp.spa;
        else if (st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) && p->l4.icmp.nd_has_target &&
                 st_is_scanner(c, st_pkt_src_host(p)))
            asked[na++] = st_host6(p->l4.icmp.nd_target);
        else if (st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT) && p->l4.icmp.nd_has_target)
            told[nb++] = st_host6(p->l4.icmp.nd_target);
    }
    na = st_sort_unique(asked, na, sizeof *asked, st_cmp_u32);
    nb = st_sort_unique(told, nb, sizeof *told, st_cmp_u32);
    *n = 0;
    for (size_t i = 0; i < na; i++)
        if (!bsearch(&asked[i], told, nb, sizeof *told, st_cmp_u32))
            asked[(*n)++] = asked[i];
    free(told);
    return asked;
}

/* Whether the probes to addr the wire lacks may have been dropped by its
 * kernel for want of a link-layer address: its own, or, when none of them
 * left, a next hop's (an address asked for that is no host of the run; a
 * stale one, the kernel still asking for an earlier run's target, says
 * nothing of a host whose probes did leave). */
static bool held_for_resolution(const struct st_comparison *c, const uint32_t *u, size_t nu,
                                uint32_t addr, size_t sent)
{
    if (bsearch(&addr, u, nu, sizeof *u, st_cmp_u32))
        return true;
    for (size_t i = 0; !sent && i < nu; i++)
        if (!st_compare_has_host(c, u[i]))
            return true;
    return false;
}

void st_stated_counts_wire(struct st_comparison *c, const struct st_trace_count *counts, size_t n,
                           const char *scanner)
{
    if (!c->from_wire || !c->nmodes)
        return;
    /* what an earlier reading of the claims found (its placed hosts are
     * gone with st_claims_place_unprobed's) */
    c->miscounted = c->miscounted_unprobed = c->echo_ids_mixed = 0;
    free(c->miscounts);
    c->miscounts = NULL;
    c->nmiscounts = 0;
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++)
            c->modes[m].hosts[h].stated_sent = 0;
    if (!n)
        return;
    c->miscount_scanner = scanner;
    bool hping3 = !strcmp(scanner, "hping3");
    /* fping counts a probe answered once (its duplicates apart, on
     * stderr); ping and hping3 every reply (ping's "+N duplicates" added
     * to its "received" by the reader) */
    bool distinct = !strcmp(scanner, "fping");
    struct parts ps;
    wire_parts(c, !hping3, &ps);
    /* frames the capture lost: fewer on the wire says nothing */
    bool lossy = (c->dropped_known && c->capture_dropped > 0) || !c->capture_whole;
    uint32_t *u = NULL;
    size_t nu = 0;
    bool resolved = false;
    for (size_t i = 0; i < n; i++) {
        const struct st_trace_count *s = &counts[i];
        /* its own address answers over the loopback interface, on no wire */
        if (!s->sent || st_is_own_host(c, s->addr))
            continue;
        /* ping and fping give all their requests one id (a run's: ping's
         * statistics summed are as many runs): more are another program's
         * ping beside it too (wire_build.c leaves out only those it still
         * sent after the command exited), which the counts cannot be held
         * against */
        if (!hping3 && ids_of(&ps, s->addr) > (s->blocks ? s->blocks : 1)) {
            if (!c->echo_ids_mixed++)
                c->echo_ids_mixed_first = s->addr;
            continue;
        }
        size_t k[PARTS];
        parts_of(&ps, s->addr, k);
        size_t sure = distinct ? k[RCVD_NEW] : k[RCVD] + k[RCVD_NEW];
        if (distinct && sure > k[SENT]) /* (ICMPv6 replies cut before their sequence) */
            sure = k[SENT];
        size_t maybe = (distinct ? k[RCVD_NEW_UNSURE] : k[RCVD_UNSURE] + k[RCVD_NEW_UNSURE]) +
                       (hping3 ? ps.stray : 0);
        struct st_miscount x = {.addr = s->addr,
                                .stated_sent = s->sent,
                                .counted_sent = (uint32_t)k[SENT],
                                .stated_rcvd = s->rcvd,
                                .counted_rcvd = (uint32_t)sure};
        /* ping says what its kernel refused or a router answered ("+3
         * errors"): that many probes missing from the wire it told of */
        if (x.stated_sent > x.counted_sent && !lossy &&
            x.stated_sent - x.counted_sent > s->errors) {
            if (!resolved)
                u = unresolved(c, &nu), resolved = true;
            x.sent_wrong = !held_for_resolution(c, u, nu, s->addr, k[SENT]);
        } else
            x.sent_wrong = x.stated_sent < x.counted_sent;
        /* a group's replies are not judged: its own host answers it on no
         * wire (a member, over the loopback interface), and ping -c stops
         * at its count with members' answers to its last request in flight */
        x.rcvd_wrong =
            !st_group_host(c, s->addr) && (s->rcvd < sure || (s->rcvd > sure + maybe && !lossy));
        if (!x.sent_wrong && !x.rcvd_wrong)
            continue;
        x.mode = c->nmodes - 1;
        mark(c, x.mode, &x, true);
    }
    free(u);
    free(ps.v);
    free(ps.ids);
}
