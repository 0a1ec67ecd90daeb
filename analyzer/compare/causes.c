/*
 * Why a packet is on one side only. The rules, in the order they are tried
 * on a wire-only frame:
 *   ARP or ND about a decoy (-D) by another host     -> decoy-arp, decoy-nd
 *   ARP to or from the scanner                      -> os-arp
 *   IPv6 neighbour discovery to or from the scanner  -> os-nd
 *   a router solicitation, an MLD report from it     -> os-rs, os-mld
 *   a TCP RST from the scanner about a probe         -> os-rst
 *   TCP from the scanner on a connect()'s connection -> os-tcp
 *   a reply to a probe, its host already decided (up,
 *     or down by an unreachable) in that pass,
 *     or after the scanner stopped listening (the end
 *     of the probe's pass, or of the scan)           -> late-reply
 *   a reply to a probe, nothing traced for the host  -> missed-reply
 *   an ICMP error quoting no probe of this trace     -> unrelated
 *   a packet from the scanner like a traced probe    -> retransmit
 *   else UDP or TCP to or from port 53 (a name server) -> dns
 *   neither to nor from the scanner                  -> unrelated
 *   anything else                                    -> unknown
 * "Relates to a probe" is found through reply keys: what a reply to a probe
 * must carry (echo id and seq, the reversed ports, the quoted IP id of an
 * ICMP error, the ARP target), kept in one sorted table.
 */
#include <stdlib.h>
#include <string.h>

#include "align_internal.h"
#include "comparison.h"
#include "filter_judge.h"
#include "groups.h"
#include "util.h"

const char *st_cause_name(enum st_cause c)
{
    static const char *const names[] = {
        [ST_CAUSE_NONE] = "none",
        [ST_CAUSE_OS_RST] = "os-rst",
        [ST_CAUSE_OS_ARP] = "os-arp",
        [ST_CAUSE_LATE_REPLY] = "late-reply",
        [ST_CAUSE_MISSED_REPLY] = "missed-reply",
        [ST_CAUSE_RETRANSMIT] = "retransmit",
        [ST_CAUSE_UNRELATED] = "unrelated",
        [ST_CAUSE_OS_TCP] = "os-tcp",
        [ST_CAUSE_UNKNOWN] = "unknown",
        [ST_CAUSE_NO_ARP] = "no-arp",
        [ST_CAUSE_CAPTURE_DROP] = "capture-drop",
        [ST_CAUSE_OS_ND] = "os-nd",
        [ST_CAUSE_OS_RS] = "os-rs",
        [ST_CAUSE_OS_MLD] = "os-mld",
        [ST_CAUSE_NO_ND] = "no-nd",
        [ST_CAUSE_OTHER_SHARD] = "other-shard",
        [ST_CAUSE_DNS] = "dns",
        [ST_CAUSE_UNTRACED_RUN] = "untraced-run",
        [ST_CAUSE_BACKGROUND] = "background",
        [ST_CAUSE_COPY] = "copy",
        [ST_CAUSE_OUTSIDE_CAPTURE] = "outside-capture",
        [ST_CAUSE_LOOPBACK] = "loopback",
        [ST_CAUSE_AFTER_TRACE] = "after-trace",
        [ST_CAUSE_TRUNCATED] = "truncated",
        [ST_CAUSE_CONNECT_NO_ARP] = "connect-no-arp",
        [ST_CAUSE_OTHER_INTERFACE] = "other-interface",
        [ST_CAUSE_MEMBER_REPLY] = "member-reply",
        [ST_CAUSE_ROUTER_NO_ARP] = "router-no-arp",
        [ST_CAUSE_DECOY_ARP] = "decoy-arp",
        [ST_CAUSE_DECOY_ND] = "decoy-nd",
        [ST_CAUSE_CAPTURE_FILTER] = "capture-filter",
    };
    return (size_t)c < sizeof names / sizeof names[0] ? names[c] : "unknown";
}

bool st_cause_is_discrepancy(enum st_cause c)
{
    /* A retransmission the trace does not show is a probe the scanner hid. */
    return c == ST_CAUSE_UNKNOWN || c == ST_CAUSE_MISSED_REPLY || c == ST_CAUSE_CAPTURE_DROP ||
           c == ST_CAUSE_NO_ARP || c == ST_CAUSE_NO_ND || c == ST_CAUSE_RETRANSMIT;
}

/* A packet from the scanner's host to itself (nmap port-scans its own
 * address when asked, -Pn or not): the kernel routes it over the loopback
 * interface, which a capture of the scanning interfaces does not see. */
bool st_to_itself(const struct st_comparison *c, const struct st_pkt *p)
{
    uint32_t dst = st_pkt_dst_host(p);
    if (!dst || !st_is_own_host(c, dst))
        return false;
    return (p->flags & ST_PKT_CONNECT) || st_is_own_host(c, st_pkt_src_host(p));
}

static bool is_nd(const struct st_pkt *p)
{
    return st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT);
}

/* IPv6: ND is about its target (a solicitation showing only its group:
 * the run's target it stands for; an advertisement cut before its target:
 * its sender, whose own address it advertises); an ICMPv6 error about the datagram it
 * quotes; else the probe's destination or the reply's source. */
static uint32_t pkt_host6(const struct st_comparison *c, const struct st_pkt *p, enum st_dir dir)
{
    if (p->proto == ST_IPPROTO_ICMPV6) {
        const struct st_icmp *m = &p->l4.icmp;
        if (is_nd(p) && m->nd_has_target)
            return st_host6(m->nd_target);
        /* cut before its target: an advertisement's is its sender */
        if (is_nd(p))
            return m->type == ST_ICMP6_NEIGHBOR_SOLICIT ? st_nd_group_host(c, p)
                                                        : st_pkt_src_host(p);
        if (m->quote.present6 && dir != ST_DIR_SENT)
            return st_host6(m->quote.ip6.dst);
    }
    return dir == ST_DIR_SENT ? st_pkt_dst_host(p) : st_pkt_src_host(p);
}

/* Whether a trace line shows less of an ICMP message than its frame: an
 * error's line names no quoted destination (IPv4, for most codes:
 * "Communication administratively prohibited by filtering", a router's port
 * unreachable, time-exceeded: the router is its source; ICMPv6 never); an
 * ICMPv6 line no ND target (a solicitation goes to a multicast group). */
static bool error_unquoted(const struct st_pkt *p)
{
    const struct st_quote *q = &p->l4.icmp.quote;
    if (p->net == ST_NET_IPV6)
        return p->proto == ST_IPPROTO_ICMPV6 && st_icmp_is_error(p->proto, p->l4.icmp.type) &&
               !q->present6;
    return p->net == ST_NET_IPV4 && p->proto == ST_IPPROTO_ICMP &&
           st_icmp_is_error(p->proto, p->l4.icmp.type) && !q->ip.dst;
}

static bool frame_tells_more(const struct st_pkt *p)
{
    return (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6) || error_unquoted(p);
}

/* A matched trace packet's host, as its frame tells where it tells more. */
static uint32_t trace_pkt_host(const struct st_comparison *c, size_t ti)
{
    struct st_pkt tmp, ftmp;
    const struct st_pkt *p = st_trace_pkt(c->trace, ti, &tmp);
    uint32_t h = st_pkt_host(c, p, p->dir);
    if (!frame_tells_more(p) || c->t2f[ti] < 0)
        return h;
    /* unless the frame was cut before it could tell (an advertisement's
     * target past a snap length of 64: the line's "X is at" names it) */
    uint32_t fh = st_pkt_host(c, st_store_get(&c->cap->frames, (size_t)c->t2f[ti], &ftmp), p->dir);
    return fh ? fh : h;
}

const struct st_pkt *st_trace_pkt_told(const struct st_comparison *c, size_t ti, struct st_pkt *buf)
{
    const struct st_pkt *p = st_trace_pkt(c->trace, ti, buf);
    if (!error_unquoted(p) || c->t2f[ti] < 0)
        return p;
    return st_store_get(&c->cap->frames, (size_t)c->t2f[ti], buf);
}

void st_trace_hosts_fill(struct st_comparison *c)
{
    st_nd_groups_build(c);
    for (size_t i = 0; i < c->trace->npkts; i++)
        c->thost[i] = trace_pkt_host(c, i);
}

uint32_t st_trace_pkt_host(const struct st_comparison *c, size_t ti)
{
    return c->thost[ti];
}

uint32_t st_pkt_host(const struct st_comparison *c, const struct st_pkt *p, enum st_dir dir)
{
    if (p->flags & ST_PKT_CONNECT)
        return st_pkt_dst_host(p);
    if (p->net == ST_NET_ARP) {
        if ((p->arp.op & 0xff) == 1)
            return st_is_scanner(c, p->arp.spa) ? p->arp.tpa : p->arp.spa;
        return p->arp.spa;
    }
    if (p->net == ST_NET_IPV6)
        return pkt_host6(c, p, dir);
    if (p->net != ST_NET_IPV4)
        return 0;
    /* an ICMP error is about the datagram it quotes; a trace line of a port or
     * protocol unreachable does not name that destination, but the host
     * itself sent it */
    if (p->proto == ST_IPPROTO_ICMP && p->l4.icmp.quote.present && dir != ST_DIR_SENT &&
        p->l4.icmp.quote.ip.dst)
        return p->l4.icmp.quote.ip.dst;
    /* a source-routed probe goes to its first hop, but is about its target */
    uint32_t target;
    if (dir == ST_DIR_SENT && st_ipopts_route_target(&p->ip, &target))
        return target;
    return dir == ST_DIR_SENT ? p->ip.dst : p->ip.src;
}

/* ---- reply keys ---------------------------------------------------------- */

enum key_kind { K_ARP = 1, K_ICMPQ, K_PORTS, K_IPID, K_LIKE, K_HOST, K_CONN };

static uint64_t key(enum key_kind k, uint64_t a, uint64_t b, uint64_t c2)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)k;
    uint64_t v[3] = {a, b, c2};
    for (int i = 0; i < 3; i++) {
        h ^= v[i];
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

/* 12 bytes: a 10M-frame capture's table has some 20M of these. */
struct entry {
    uint32_t key_hi, key_lo;
    int32_t probe;
};

/* Filled in two passes over the trace: the first (e NULL) only counts, so
 * the table is allocated once at its size instead of doubling into twice
 * it. A key put again soon after is not put: find() returns a key's first
 * probe, and a sweep's probes to one host, one after another, share their
 * host key (a quarter of the table, by count, with nmap's four probes). */
#define RECENT 16
struct keys {
    struct entry *e;
    size_t n;
    /* where the keys of each top-`bits` prefix start in e (sorted), 1 + 2^bits:
     * a lookup searches a few entries, not the whole table (binary search
     * over millions of keys was a cache miss a step: most of classify's time) */
    uint32_t *dir;
    unsigned bits;
    uint64_t recent[RECENT]; /* keys put lately, by their low bits */
    uint32_t recent_set;     /* which of recent[] hold one */
};

static void put(struct keys *k, uint64_t key_, long probe)
{
    unsigned r = (unsigned)(key_ % RECENT);
    if ((k->recent_set >> r & 1) && k->recent[r] == key_)
        return;
    k->recent[r] = key_;
    k->recent_set |= 1u << r;
    if (k->e)
        k->e[k->n] = (struct entry){(uint32_t)(key_ >> 32), (uint32_t)key_, (int32_t)probe};
    k->n++;
}

static uint64_t entry_key(const struct entry *e)
{
    return (uint64_t)e->key_hi << 32 | e->key_lo;
}

/* By key, then probe: find() returns a key's first probe. */
static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    uint64_t kx = entry_key(x), ky = entry_key(y);
    if (kx != ky)
        return (kx > ky) - (kx < ky);
    return (x->probe > y->probe) - (x->probe < y->probe);
}

/* The directory over the sorted keys: a bucket of about 4 keys a prefix
 * (4 bytes a bucket: a byte a key). */
static void dir_build(struct keys *k)
{
    if (k->n > UINT32_MAX) /* 4-byte starts: 50 GB of keys before they would not do */
        abort();
    k->bits = 1;
    while (k->bits < 30 && (size_t)4 << k->bits < k->n)
        k->bits++;
    size_t nb = (size_t)1 << k->bits;
    k->dir = malloc((nb + 1) * sizeof *k->dir);
    if (!k->dir)
        abort();
    size_t i = 0;
    for (size_t b = 0; b <= nb; b++) {
        while (i < k->n && entry_key(&k->e[i]) >> (64 - k->bits) < b)
            i++;
        k->dir[b] = (uint32_t)i;
    }
}

/* The first entry of key_ or after it, in its bucket; *end the bucket's end. */
static size_t lower(const struct keys *k, uint64_t key_, size_t *end)
{
    size_t b = (size_t)(key_ >> (64 - k->bits));
    size_t lo = k->dir[b], hi = k->dir[b + 1];
    *end = hi;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (entry_key(&k->e[mid]) < key_)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static long find(const struct keys *k, uint64_t key_)
{
    size_t end, lo = lower(k, key_, &end);
    return lo < end && entry_key(&k->e[lo]) == key_ ? k->e[lo].probe : -1;
}

/* The probe an ICMP error quotes (key_: its IP id, or IPv6's look of it),
 * when the transport ports it quotes are those of some probe to its
 * destination: zmap sends every probe with IP id 54321, so a stale error
 * about another run's probe to the same host has the id of this run's, and
 * its ports alone tell it apart. (K_PORTS, a key a pair of ports: put()
 * skips a repeated key, so a retry's K_LIKE is not in the table, but a
 * retry from other ports has its K_PORTS.) */
static long find_quoted(const struct keys *k, uint64_t key_, uint32_t dst, const struct st_quote *q,
                        uint8_t proto)
{
    long probe = find(k, key_);
    bool has_ports = q->l4len >= 4 && (proto == ST_IPPROTO_TCP || proto == ST_IPPROTO_UDP ||
                                       proto == ST_IPPROTO_SCTP);
    if (probe < 0 || !has_ports)
        return probe;
    uint64_t pair = (uint64_t)q->sport << 16 | q->dport;
    return find(k, key(K_PORTS, dst, proto, pair)) >= 0 ? probe : -1;
}

static uint64_t ports(const struct st_pkt *p, bool reverse)
{
    unsigned s = 0, d = 0;
    if (p->proto == ST_IPPROTO_TCP) {
        s = p->l4.tcp.sport;
        d = p->l4.tcp.dport;
    } else if (p->proto == ST_IPPROTO_UDP) {
        s = p->l4.udp.sport;
        d = p->l4.udp.dport;
    } else if (p->proto == ST_IPPROTO_SCTP) {
        s = p->l4.sctp.sport;
        d = p->l4.sctp.dport;
    }
    return reverse ? (uint64_t)d << 16 | s : (uint64_t)s << 16 | d;
}

static bool is_icmp(const struct st_pkt *p)
{
    return p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6;
}

/* What a packet from the scanner "looks like": destination, protocol and
 * destination port or ICMP type (retransmissions keep these). */
static uint64_t like_key(const struct st_pkt *p)
{
    uint64_t what = is_icmp(p) ? p->l4.icmp.type : ports(p, false) & 0xffff;
    return key(K_LIKE, st_pkt_dst_host(p), p->proto, what);
}

/* An echo's id and seq as a key part: an ICMPv6 echo's unknown (nmap's
 * line) as a value no known pair has, which its replies look up second. */
#define ECHO_IDS_UNKNOWN (1ULL << 32)
static uint64_t echo_ids(const struct st_pkt *p)
{
    if (p->proto == ST_IPPROTO_ICMPV6 && (p->flags & ST_PKT_NO_ECHO_ID))
        return ECHO_IDS_UNKNOWN;
    return (uint64_t)p->l4.icmp.id << 16 | p->l4.icmp.seq;
}

/* IPv6 has no IP id to quote: an ICMPv6 error names its probe by what it
 * "looks like" (the quoted destination, protocol and port or type). */
static uint64_t quote6_key(const struct st_quote *q)
{
    uint64_t what = q->ip6.nh == ST_IPPROTO_ICMPV6 ? q->icmp_type : q->dport;
    return key(K_LIKE, st_host6(q->ip6.dst), q->ip6.nh, what);
}

static void probe_keys(const struct st_comparison *c, struct keys *k, const struct st_pkt *p,
                       long i)
{
    uint32_t dst = st_pkt_dst_host(p);
    if (p->flags & ST_PKT_CONNECT) {
        put(k, key(K_HOST, dst, 0, 0), i);
        put(k, key(K_CONN, dst, p->l4.tcp.dport, 0), i);
        return;
    }
    if (p->net == ST_NET_ARP) {
        put(k, key(K_ARP, p->arp.tpa, 0, 0), i);
        put(k, key(K_HOST, p->arp.tpa, 0, 0), i);
        return;
    }
    if (p->net == ST_NET_IPV6 && is_nd(p)) {
        /* nmap's ND ping: about its target, answered by its advertisement */
        uint32_t target = st_trace_pkt_host(c, (size_t)i);
        put(k, key(K_HOST, target, 0, 0), i);
        put(k, key(K_ARP, target, 0, 0), i);
        return;
    }
    if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6)
        return;
    put(k, key(K_HOST, dst, 0, 0), i);
    if (p->net == ST_NET_IPV4)
        put(k, key(K_IPID, dst, p->ip.id, p->proto), i);
    put(k, like_key(p), i);
    if (is_icmp(p)) {
        const struct st_icmp *m = &p->l4.icmp;
        int reply = p->proto == ST_IPPROTO_ICMPV6
                        ? (m->type == ST_ICMP6_ECHO_REQUEST ? ST_ICMP6_ECHO_REPLY : -1)
                        : st_icmp_reply_type(m->type);
        if (reply >= 0)
            put(k, key(K_ICMPQ, dst, (uint64_t)reply, echo_ids(p)), i);
    } else {
        put(k, key(K_PORTS, dst, p->proto, ports(p, false)), i);
    }
}

/* The probe a received frame answers, or -1: an echo reply from another
 * address than its request's answers a probe of a group (groups.h). */
static long answered(const struct st_comparison *c, const struct keys *k, const struct st_pkt *f)
{
    if (f->net == ST_NET_ARP)
        return (f->arp.op & 0xff) == 2 ? find(k, key(K_ARP, f->arp.spa, 0, 0)) : -1;
    if (f->net != ST_NET_IPV4 && f->net != ST_NET_IPV6)
        return -1;
    uint32_t src = st_pkt_src_host(f);
    if (is_icmp(f)) {
        const struct st_icmp *m = &f->l4.icmp;
        if (f->net == ST_NET_IPV6 && m->type == ST_ICMP6_NEIGHBOR_ADVERT)
            return m->nd_has_target ? find(k, key(K_ARP, st_host6(m->nd_target), 0, 0)) : -1;
        if (m->quote.present)
            return find_quoted(k, key(K_IPID, m->quote.ip.dst, m->quote.ip.id, m->quote.ip.proto),
                               m->quote.ip.dst, &m->quote, m->quote.ip.proto);
        if (m->quote.present6 && m->quote.l4len < 4 && m->quote.ip6.nh != ST_IPPROTO_ICMPV6)
            /* its ports cut by the snap length (no IP id either): about
             * the host it quotes, the probe unknown */
            return find(k, key(K_HOST, st_host6(m->quote.ip6.dst), 0, 0));
        if (m->quote.present6)
            return find_quoted(k, quote6_key(&m->quote), st_host6(m->quote.ip6.dst), &m->quote,
                               m->quote.ip6.nh);
        long probe = find(k, key(K_ICMPQ, src, m->type, echo_ids(f)));
        if (probe < 0 && f->proto == ST_IPPROTO_ICMPV6) /* a probe traced without them */
            probe = find(k, key(K_ICMPQ, src, m->type, ECHO_IDS_UNKNOWN));
        return probe >= 0 ? probe : st_group_answered(c, f);
    }
    long probe = find(k, key(K_PORTS, src, f->proto, ports(f, true)));
    if (probe < 0 && f->proto == ST_IPPROTO_TCP)
        probe = find(k, key(K_CONN, src, f->l4.tcp.sport, 0));
    return probe;
}

/* ---- when hosts were decided --------------------------------------------- */

/* A traced reply decided (host, pass) at time t: later replies are not traced. */
struct up {
    uint32_t host;
    uint32_t mode; /* the pass (st_trace_pkt_mode_ix), 0 for nmap's one pass */
    int64_t t;
};

static int cmp_key(uint32_t h1, uint32_t m1, uint32_t h2, uint32_t m2)
{
    if (h1 != h2)
        return (h1 > h2) - (h1 < h2);
    return (m1 > m2) - (m1 < m2);
}

static int cmp_up(const void *a, const void *b)
{
    const struct up *x = a, *y = b;
    int k = cmp_key(x->host, x->mode, y->host, y->mode);
    return k ? k : (x->t > y->t) - (x->t < y->t);
}

/* Earliest capture-clock time a traced reply decided (host, mode), or INT64_MAX. */
static int64_t up_since(const struct up *u, size_t n, uint32_t host, uint32_t mode)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(u[mid].host, u[mid].mode, host, mode) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && !cmp_key(u[lo].host, u[lo].mode, host, mode) ? u[lo].t : INT64_MAX;
}

/* ---- classification ------------------------------------------------------ */

/* When the scanner stopped listening for the replies to trace packet i: the
 * start of the next pass (scantrace's PASS lines), else the end of the scan
 * ("Nmap done ... in X seconds"); -1 when unknown. The next pass is the one
 * after packet i's own (passes are runs of packets in line order). */
static int64_t pass_end(const struct st_trace *t, size_t i)
{
    uint32_t next = st_trace_pkt_mode_ix(t, i);
    return next < t->nmodes ? t->mode_start_ns[next] : t->end_ns;
}

static bool involves_scanner(const struct st_comparison *c, const struct st_pkt *f)
{
    if (f->net == ST_NET_ARP)
        return st_is_scanner(c, f->arp.spa) || st_is_scanner(c, f->arp.tpa);
    if (f->net == ST_NET_IPV4 || f->net == ST_NET_IPV6)
        return st_is_scanner(c, st_pkt_src_host(f)) || st_is_scanner(c, st_pkt_dst_host(f));
    return false;
}

/* A decoy of -D: a source of the trace's probes that is none of the
 * scanner host's own addresses (run.json lists them; without it a decoy
 * cannot be told from the scanner). */
static bool is_decoy(const struct st_comparison *c, uint32_t a)
{
    const struct st_trace *t = c->trace;
    if (!a || !t->nlocal || !st_is_scanner(c, a))
        return false;
    for (size_t i = 0; i < t->nlocal; i++)
        if (t->local[i] == a)
            return false;
    return true;
}

/* Another host resolving a decoy, to deliver the answer to a probe sent
 * in the decoy's name (or the decoy's own answer, when one is there): its
 * ARP, its neighbour discovery. The scanner's kernel has no part in it. */
static bool about_decoy(const struct st_comparison *c, const struct st_pkt *f)
{
    if (f->net == ST_NET_ARP)
        return is_decoy(c, f->arp.spa) ||
               (is_decoy(c, f->arp.tpa) && !st_is_scanner(c, f->arp.spa));
    return is_nd(f) && f->l4.icmp.nd_has_target && is_decoy(c, st_host6(f->l4.icmp.nd_target)) &&
           !st_is_scanner(c, st_pkt_src_host(f));
}

/* The kernel's own IPv6 chatter: neighbour discovery (for the probes' next
 * hop, or answering a neighbour), router solicitations, MLD reports. */
static enum st_cause icmp6_own(const struct st_comparison *c, const struct keys *k,
                               const struct st_pkt *f, enum st_dir dir, long *rel)
{
    if (f->net != ST_NET_IPV6 || f->proto != ST_IPPROTO_ICMPV6)
        return ST_CAUSE_NONE;
    uint8_t type = f->l4.icmp.type;
    if (about_decoy(c, f))
        return ST_CAUSE_DECOY_ND;
    if (is_nd(f) && involves_scanner(c, f)) {
        uint32_t target = f->l4.icmp.nd_has_target ? st_host6(f->l4.icmp.nd_target) : 0;
        *rel = target ? find(k, key(K_HOST, target, 0, 0)) : -1;
        return ST_CAUSE_OS_ND;
    }
    /* these go from a link-local or the unspecified address to a multicast
     * group: the scanner's by the capture's direction, not by address */
    if (dir != ST_DIR_SENT)
        return ST_CAUSE_NONE;
    if (type == ST_ICMP6_ROUTER_SOLICIT)
        return ST_CAUSE_OS_RS;
    /* MLD query 130, report 131, done 132, MLDv2 report 143 (RFC 2710, 3810) */
    if (type == 131 || type == 132 || type == 143)
        return ST_CAUSE_OS_MLD;
    return ST_CAUSE_NONE;
}

/* A question to a name server (sent) or its answer: the scanner resolving
 * names (nmap's reverse DNS when -n is not given, scan -R), no probe. A
 * -PU53 probe and its answer are traced, so matched before this. */
static bool name_lookup(const struct st_pkt *f, bool sent)
{
    uint16_t port = f->proto == ST_IPPROTO_UDP   ? (sent ? f->l4.udp.dport : f->l4.udp.sport)
                    : f->proto == ST_IPPROTO_TCP ? (sent ? f->l4.tcp.dport : f->l4.tcp.sport)
                                                 : 0;
    return port == 53;
}

/* Whether echo request f, like probe `probe`, has another id than it: in
 * a run built from the wire, whose side holds every echo its scanner sent,
 * another program's (background.c), no retransmission. */
static bool other_echo_id(const struct st_comparison *c, const struct st_pkt *f, long probe)
{
    struct st_pkt tmp;
    if (!c->from_wire || probe < 0 || !is_icmp(f) || (f->flags & ST_PKT_NO_ECHO_ID))
        return false;
    const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)probe, &tmp);
    bool request = f->l4.icmp.type ==
                   (f->proto == ST_IPPROTO_ICMP ? ST_ICMP_ECHO_REQUEST : ST_ICMP6_ECHO_REQUEST);
    return request && echo_ids(p) != ECHO_IDS_UNKNOWN && p->l4.icmp.id != f->l4.icmp.id;
}

static enum st_cause classify_sent(const struct st_comparison *c, const struct keys *k,
                                   const struct st_pkt *f, long *rel)
{
    uint32_t dst = st_pkt_dst_host(f);
    if (f->proto == ST_IPPROTO_TCP && (*rel = find(k, key(K_CONN, dst, f->l4.tcp.dport, 0))) >= 0)
        return ST_CAUSE_OS_TCP;
    if (f->proto == ST_IPPROTO_TCP && (f->l4.tcp.flags & ST_TCP_RST)) {
        *rel = find(k, key(K_PORTS, dst, f->proto, ports(f, false)));
        if (*rel >= 0)
            return ST_CAUSE_OS_RST;
    }
    *rel = find(k, like_key(f));
    if (other_echo_id(c, f, *rel))
        *rel = -1;
    return *rel >= 0 ? ST_CAUSE_RETRANSMIT : name_lookup(f, true) ? ST_CAUSE_DNS : ST_CAUSE_UNKNOWN;
}

/* Whether a member's answer to group probe `probe` is one its scanner
 * never traces: nping prints an echo reply only when it comes from one of
 * its targets with that target's own ICMP id (nping gives each target its
 * own), so a member it did not target with the group's id answers it
 * unseen (nping --icmp 198.18.1.255 198.18.1.2: .2's answer to the
 * broadcast too). nmap traces all it reads. */
static bool unread_member(const struct st_comparison *c, long probe, uint32_t member)
{
    const struct st_trace *t = c->trace;
    size_t run = st_trace_pkt_run(t, (size_t)probe);
    if (run >= t->nruns || !t->run_nping[run])
        return false;
    struct st_pkt tmp;
    uint16_t id = st_trace_pkt(t, (size_t)probe, &tmp)->l4.icmp.id;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir == ST_DIR_SENT && st_group_key(p, false) && p->l4.icmp.id == id &&
            st_trace_pkt_host(c, i) == member)
            return false;
    }
    return true;
}

static enum st_cause classify_frame(const struct st_comparison *c, const struct keys *k,
                                    const struct up *ups, size_t nups, size_t i, long *rel,
                                    struct st_gave_up *gu)
{
    struct st_pkt tmp;
    const struct st_pkt *f = st_store_get(&c->cap->frames, i, &tmp);
    enum st_dir dir = c->fdir[i];

    *rel = -1;
    enum st_cause own = icmp6_own(c, k, f, dir, rel);
    if (own != ST_CAUSE_NONE)
        return own;
    if (!involves_scanner(c, f))
        return ST_CAUSE_UNRELATED;
    if (f->net == ST_NET_ARP && about_decoy(c, f))
        return ST_CAUSE_DECOY_ARP;
    if (f->net == ST_NET_ARP) {
        uint32_t other = st_is_scanner(c, f->arp.spa) ? f->arp.tpa : f->arp.spa;
        *rel = find(k, key(K_HOST, other, 0, 0));
        return ST_CAUSE_OS_ARP;
    }
    if (f->net != ST_NET_IPV4 && f->net != ST_NET_IPV6)
        return ST_CAUSE_UNKNOWN;
    if (dir == ST_DIR_SENT)
        return classify_sent(c, k, f, rel);
    *rel = answered(c, k, f);
    if (*rel < 0) {
        /* The quote proves what caused an ICMP error: none of our probes;
         * a name lookup's (a resolver's port 53 unreachable: scan -R, nmap
         * without -n, to a server that does not answer), or another's. */
        bool quotes = is_icmp(f) && (f->l4.icmp.quote.present || f->l4.icmp.quote.present6);
        return quotes && f->l4.icmp.quote.dport == 53 ? ST_CAUSE_DNS
               : quotes                               ? ST_CAUSE_UNRELATED
               : name_lookup(f, false)                ? ST_CAUSE_DNS
                                                      : ST_CAUSE_UNKNOWN;
    }
    /* a member's answer to a group's probe is about the member */
    uint32_t host = st_trace_pkt_host(c, (size_t)*rel);
    bool member = st_group_host(c, host) && st_group_key(f, true);
    if (member)
        host = st_pkt_src_host(f);
    /* (early or late: the scanner never reads it) */
    if (member && unread_member(c, *rel, host))
        return ST_CAUSE_MEMBER_REPLY;
    int64_t end = pass_end(c->trace, (size_t)*rel);
    bool after_end = end >= 0 && f->time_ns > end + c->offset_ns;
    uint32_t mode = st_trace_pkt_mode_ix(c->trace, (size_t)*rel);
    if (up_since(ups, nups, host, mode) <= f->time_ns || after_end)
        return ST_CAUSE_LATE_REPLY;
    return st_gave_up_before(gu, c, host, f) ? ST_CAUSE_LATE_REPLY : ST_CAUSE_MISSED_REPLY;
}

/*
 * The capture's ARP (and IPv6 ND) in two sorted address lists: the
 * addresses the scanner asked for and those that answered. Made once, on the first SENT line
 * without its frame (a loop over every frame per such line was quadratic: a
 * lossy capture of a /16 never finished).
 */
struct arp_seen {
    /* asked by the scanner, answered by anyone, asked by another host (a
     * router the capture was taken behind, resolving a probe's target) */
    struct st_u32set asked, answered, others_asked;
    bool made;
    bool past_router; /* a probe's frame has a lower TTL than its line: seen past a router */
};

/* Whether the capture was taken past a router: a probe's frame shows a
 * lower TTL (hop limit) than its line (altered.c measures how much). */
static bool past_router(const struct st_comparison *c)
{
    return st_capture_hops(c) > 0;
}

static void arp_seen_make(const struct st_comparison *c, struct arp_seen *s)
{
    s->made = true;
    for (size_t i = 0; i < c->cap->n; i++) {
        struct st_pkt tmp;
        const struct st_pkt *f = st_store_get(&c->cap->frames, i, &tmp);
        if (is_nd(f) && f->l4.icmp.nd_has_target) {
            /* IPv6: the kernel's solicitations and the advertisements, by target */
            uint32_t target = st_host6(f->l4.icmp.nd_target);
            if (f->l4.icmp.type == ST_ICMP6_NEIGHBOR_SOLICIT)
                st_u32set_push(st_is_scanner(c, st_pkt_src_host(f)) ? &s->asked : &s->others_asked,
                               target);
            else if (f->l4.icmp.type == ST_ICMP6_NEIGHBOR_ADVERT)
                st_u32set_push(&s->answered, target);
            continue;
        }
        if (f->net != ST_NET_ARP)
            continue;
        if ((f->arp.op & 0xff) == 1)
            st_u32set_push(st_is_scanner(c, f->arp.spa) ? &s->asked : &s->others_asked, f->arp.tpa);
        if ((f->arp.op & 0xff) == 2)
            st_u32set_push(&s->answered, f->arp.spa);
    }
    st_u32set_seal(&s->asked);
    st_u32set_seal(&s->answered);
    st_u32set_seal(&s->others_asked);
    s->past_router = past_router(c);
}

/* Whether the capture was taken past a router (arp_seen_make). */
static bool seen_past_router(const struct st_comparison *c, struct arp_seen *s)
{
    if (!s->made)
        arp_seen_make(c, s);
    return s->past_router;
}

/* A router's dropping of a probe the capture, taken past it, does not
 * show: its ARP (ND) for the target is there, unanswered. */
static bool router_dropped(const struct st_comparison *c, struct arp_seen *s, uint32_t dst)
{
    if (!s->made)
        arp_seen_make(c, s);
    return s->past_router && st_u32set_has(&s->others_asked, dst) &&
           !st_u32set_has(&s->answered, dst);
}

/* A SENT line without its frame: did the kernel fail to resolve its next
 * hop? It asked for it, and no answer from it is in the capture. */
static bool arp_failed(const struct st_comparison *c, struct arp_seen *s, uint32_t dst)
{
    if (!s->made)
        arp_seen_make(c, s);
    return st_u32set_has(&s->asked, dst) && !st_u32set_has(&s->answered, dst);
}

/* Whether frame f is between the scanner and an address of another shard of
 * this run's sweep (shard_side.h: known only when the sweep was rebuilt). */
static bool other_shard(const struct st_comparison *c, size_t f)
{
    if (!c->nshard_others)
        return false;
    struct st_pkt tmp;
    const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
    uint32_t s = st_pkt_src_host(p), d = st_pkt_dst_host(p);
    uint32_t peer = st_is_scanner(c, s) ? d : st_is_scanner(c, d) ? s : 0;
    return peer && st_u32_has(c->shard_others, c->nshard_others, peer);
}

/*
 * A traced reply about no target (nmap's ARP reader prints the router's
 * answer to the kernel's who-has before routed probes) is matched, but no
 * host's: its frame gets the cause it would have had alone (os-arp), so
 * the report says why it is there. Matched frames keep ST_CAUSE_NONE
 * otherwise; the cause counts are of one-sided packets only.
 */
static void not_targets(struct st_comparison *c, const struct keys *k, const struct up *ups,
                        size_t nups, struct st_gave_up *gu)
{
    const struct st_trace *t = c->trace;
    size_t n;
    uint32_t *dst = st_compare_targets(c, &n);
    for (size_t i = 0; i < t->npkts; i++) {
        long f = c->t2f[i];
        struct st_pkt tmp;
        if (f < 0 || st_trace_pkt(t, i, &tmp)->dir != ST_DIR_RCVD ||
            st_u32_has(dst, n, st_trace_pkt_host(c, i)))
            continue;
        long rel;
        enum st_cause why = classify_frame(c, k, ups, nups, (size_t)f, &rel, gu);
        if (!st_cause_is_discrepancy(why)) /* matched: never a discrepancy */
            c->fcause[f] = why;
    }
    free(dst);
}

/*
 * The probes' reply keys and the traced replies' decisions, each sorted in
 * place. Two passes over the trace: the first counts, so both tables are
 * allocated once at their size (doubling reserved up to twice the keys,
 * and qsort's merge copied each whole table once more).
 */
static struct up *tables_build(const struct st_comparison *c, struct keys *k, size_t *nups)
{
    const struct st_trace *t = c->trace;
    struct st_pkt tmp;
    size_t nsent = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            k->e = malloc((k->n ? k->n : 1) * sizeof *k->e);
            if (!k->e)
                abort();
            k->n = 0;
        }
        k->recent_set = 0; /* both passes skip the same keys */
        for (size_t i = 0; i < t->npkts; i++) {
            const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
            if (p->dir == ST_DIR_SENT) {
                probe_keys(c, k, p, (long)i);
                nsent += pass == 0;
            }
        }
    }
    struct up *ups = malloc((t->npkts - nsent ? t->npkts - nsent : 1) * sizeof *ups);
    if (!ups)
        abort();
    *nups = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir == ST_DIR_SENT)
            continue;
        /* a traced reply marks when its host was decided, up or down (the
         * first one does; nmap traces later ones while its group is read) */
        long f = c->t2f[i];
        ups[*nups].host = st_trace_pkt_host(c, i);
        ups[*nups].mode = st_trace_pkt_mode_ix(t, i);
        ups[*nups].t = f >= 0 ? st_frame_time(c, f) : p->time_ns + c->offset_ns;
        (*nups)++;
    }
    st_sort(k->e, k->n, sizeof *k->e, cmp_entry);
    dir_build(k);
    st_sort(ups, *nups, sizeof *ups, cmp_up);
    return ups;
}

/* The capture times between which an untraced run k sent: after the last
 * frame of the runs before it, before the first of those after it. */
static void untraced_window(const struct st_comparison *c, size_t k, int64_t *lo, int64_t *hi)
{
    const struct st_trace *t = c->trace;
    size_t from, to;
    st_trace_run_range(t, k, &from, &to); /* from == to: no packet */
    *lo = INT64_MIN, *hi = INT64_MAX;
    for (size_t i = 0; i < t->npkts; i++) {
        long f = c->t2f[i];
        if (f < 0)
            continue;
        int64_t ts = st_frame_time(c, f);
        if (i < from && ts > *lo)
            *lo = ts;
        if (i >= to && ts < *hi)
            *hi = ts;
    }
}

/* The capture's filters, compiled on the first line without its frame. */
struct filter_judging {
    struct st_filter_judge *judge;
    bool made, past_router;
};

/* The lines the filter surely kept out, for explain's words: allocated
 * on the first. */
static bool filter_drops_mark(struct st_comparison *c)
{
    if (!c->tfilter_drops && !(c->tfilter_drops = calloc(c->trace->npkts + 1, sizeof(bool))))
        abort();
    return true;
}

/* Whether the capture's filters would have kept p, so that its frame
 * missing is missing from the wire. Past a router a probe is missing also
 * when the router's ARP for its target went unanswered (router-no-arp):
 * there a probe is judged only if the filter keeps that ARP too (IPv4; the
 * router's neighbour solicitation comes from an address no line gives). */
static enum st_filter_verdict filter_keeps(const struct st_comparison *c, struct filter_judging *fj,
                                           const struct st_pkt *p)
{
    if (!fj->made) {
        fj->made = true;
        fj->judge = st_filter_judge_new(c->cap_ifaces, c->ncap_ifaces);
        fj->past_router = fj->judge && past_router(c);
    }
    enum st_filter_verdict v = fj->judge ? st_filter_judge_pkt(fj->judge, p) : ST_FILTER_UNKNOWN;
    if (v != ST_FILTER_KEEPS || !fj->past_router || p->dir != ST_DIR_SENT)
        return v;
    if (p->net != ST_NET_IPV4)
        return ST_FILTER_UNKNOWN;
    struct st_pkt ask; /* who-has the target, from a router whose address no line says */
    st_pkt_init(&ask);
    ask.dir = ST_DIR_SENT;
    ask.net = ST_NET_ARP;
    ask.arp =
        (struct st_arp){.hrd = 1, .pro = 0x0800, .hln = 6, .pln = 4, .op = 1, .tpa = p->ip.dst};
    return st_filter_judge_pkt(fj->judge, &ask) == ST_FILTER_KEEPS ? ST_FILTER_KEEPS
                                                                   : ST_FILTER_UNKNOWN;
}

/* A session's run traced without --packet-trace: its probes and their
 * answers have no line, so the wire-only frames of its time are its, not
 * unknown (nor another run's retransmissions or missed replies). */
static void untraced_runs(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    for (size_t k = 0; t->runs_are_passes && k < t->nruns; k++) {
        if (!st_trace_run_untraced(t, k))
            continue;
        int64_t lo, hi;
        untraced_window(c, k, &lo, &hi);
        for (size_t f = 0; f < c->cap->n; f++) {
            enum st_cause why = (enum st_cause)c->fcause[f];
            int64_t ts = st_frame_time(c, (long)f);
            if (c->f2t[f] >= 0 || ts <= lo || ts >= hi)
                continue;
            if (why == ST_CAUSE_UNKNOWN || why == ST_CAUSE_RETRANSMIT ||
                why == ST_CAUSE_MISSED_REPLY) {
                c->fcause[f] = ST_CAUSE_UNTRACED_RUN;
                c->f2t[f] = -1; /* no longer a relative of an earlier run's probe */
            }
        }
    }
}

void st_classify(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    struct keys k = {0};
    size_t nups;
    struct up *ups = tables_build(c, &k, &nups);
    struct st_gave_up gu = {0};
    struct st_pkt tmp;

    for (size_t i = 0; i < c->cap->n; i++)
        if (c->f2t[i] < 0 && c->fcause[i] != ST_CAUSE_COPY) { /* copies: decided (copies.c) */
            long rel = -1;
            enum st_cause why = classify_frame(c, &k, ups, nups, i, &rel, &gu);
            if (why == ST_CAUSE_UNKNOWN && other_shard(c, i))
                why = ST_CAUSE_OTHER_SHARD;
            c->fcause[i] = (uint8_t)why;
            if (rel >= 0)
                c->f2t[i] = (int32_t)(-2 - rel);
        }
    not_targets(c, &k, ups, nups, &gu);
    untraced_runs(c);
    st_background(c);
    st_outside_runs(c);

    struct arp_seen arp = {0};
    struct filter_judging fj = {0};
    enum st_filter_verdict verdict;
    free(c->tfilter_drops);
    c->tfilter_drops = NULL;
    c->past_router_links = 0;
    st_other_interface(c); /* first: such lines prove nothing of the capture's time */
    st_outside_capture(c);
    st_after_trace(c);
    for (size_t i = 0; i < t->npkts; i++) {
        if (c->t2f[i] >= 0 || c->tcause[i] == ST_CAUSE_OUTSIDE_CAPTURE ||
            c->tcause[i] == ST_CAUSE_OTHER_INTERFACE)
            continue;
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (c->dropped_known && c->capture_dropped > 0)
            c->tcause[i] = ST_CAUSE_CAPTURE_DROP;
        else if (st_to_itself(c, p))
            c->tcause[i] = ST_CAUSE_LOOPBACK;
        else if ((p->dir == ST_DIR_SENT || (p->flags & ST_PKT_CONNECT)) &&
                 arp_failed(c, &arp, st_pkt_dst_host(p)))
            /* a CONN line is a connect() the kernel was asked for, no packet
             * nmap says it sent: that one never leaving is the kernel's, and
             * so is its result ("No route to host", nping's "Possible TCP
             * RST received from X --> No route to host") */
            c->tcause[i] = (p->flags & ST_PKT_CONNECT) ? ST_CAUSE_CONNECT_NO_ARP
                           : p->net == ST_NET_IPV4     ? ST_CAUSE_NO_ARP
                           : p->net == ST_NET_IPV6     ? ST_CAUSE_NO_ND
                                                       : ST_CAUSE_UNKNOWN;
        else if (p->dir == ST_DIR_SENT && router_dropped(c, &arp, st_pkt_dst_host(p)))
            c->tcause[i] = ST_CAUSE_ROUTER_NO_ARP;
        else if (st_pkt_resolution(p) && seen_past_router(c, &arp)) {
            /* the scanner's own link's ARP (ND) a capture past the router
             * cannot hold: that link is an interface it did not record */
            c->tcause[i] = ST_CAUSE_OTHER_INTERFACE;
            c->past_router_links++;
        } else if (c->capture_filter[0] && (verdict = filter_keeps(c, &fj, p)) != ST_FILTER_KEEPS) {
            /* the capture kept only what its filter let through: this may be
             * one it kept out (a probe not on the wire cannot be told from it) */
            c->tcause[i] = ST_CAUSE_CAPTURE_FILTER;
            c->filtered++;
            if (verdict == ST_FILTER_DROPS && filter_drops_mark(c))
                c->tfilter_drops[i] = true;
        } else
            c->tcause[i] = ST_CAUSE_UNKNOWN;
    }
    st_unseen_runs(c);
    st_outside_relatives(c);
    st_snaplen(c); /* once every one-sided packet has its cause */
    st_filter_judge_free(fj.judge);
    st_u32set_free(&arp.asked);
    st_u32set_free(&arp.answered);
    st_u32set_free(&arp.others_asked);
    free(k.e);
    free(k.dir);
    free(ups);
    st_gave_up_free(&gu);
}
