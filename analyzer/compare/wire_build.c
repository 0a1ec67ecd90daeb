/* The scanner's side of an untraced run, built from the capture (wire_side.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copies.h"
#include "groups.h"
#include "hosts.h"
#include "wire_side.h"

/* The frames put in the scanner's side last: a capture on a router's two
 * sides, or -i any on a bridge, holds each packet twice, and the second is
 * no second probe (compare calls it a copy). */
#define RECENT 64
struct recent {
    uint32_t frame[RECENT];
    size_t n;
};

static bool copy_of_recent(const struct st_dissection *cap, const struct recent *r,
                           const struct st_pkt *p)
{
    struct st_pkt tmp;
    for (size_t k = 0; k < r->n && k < RECENT; k++)
        if (st_pkt_copy(p, st_store_get(&cap->frames, r->frame[k], &tmp)))
            return true;
    return false;
}

/* A set of addresses or probe keys (open addressing; 0 is never one). */
struct addrset {
    uint64_t *slot;
    size_t cap, n;
};

static size_t slot_of(const struct addrset *s, uint64_t a)
{
    size_t k = (size_t)((a * 0x9e3779b97f4a7c15ULL) >> 32) & (s->cap - 1);
    while (s->slot[k] && s->slot[k] != a)
        k = (k + 1) & (s->cap - 1);
    return k;
}

static bool set_has(const struct addrset *s, uint64_t a)
{
    return s->cap && a && s->slot[slot_of(s, a)] == a;
}

static void set_add(struct addrset *s, uint64_t a)
{
    if (!a || set_has(s, a))
        return;
    if (2 * (s->n + 1) > s->cap) {
        struct addrset g = {calloc(s->cap ? 2 * s->cap : 64, sizeof *g.slot),
                            s->cap ? 2 * s->cap : 64, 0};
        if (!g.slot)
            abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i])
                g.slot[slot_of(&g, s->slot[i])] = s->slot[i], g.n++;
        free(s->slot);
        *s = g;
    }
    s->slot[slot_of(s, a)] = a;
    s->n++;
}

/* What names a probe, and what an ICMP error quotes of it: destination,
 * protocol, then ports (TCP, UDP, SCTP) or ICMP id and sequence; never 0. */
static uint64_t probe_key(uint32_t dst, uint32_t proto, uint32_t a, uint32_t b)
{
    const uint32_t v[4] = {dst, proto, a, b};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < 4; i++)
        h = (h ^ v[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

static bool is_icmp(uint32_t proto)
{
    return proto == ST_IPPROTO_ICMP || proto == ST_IPPROTO_ICMPV6;
}

static uint64_t sent_key(const struct st_pkt *p)
{
    const struct st_icmp *ic = &p->l4.icmp;
    if (is_icmp(p->proto))
        return probe_key(st_pkt_dst_host(p), p->proto, ic->id, ic->seq);
    /* TCP, UDP and SCTP all start with the two ports */
    return probe_key(st_pkt_dst_host(p), p->proto, p->l4.tcp.sport, p->l4.tcp.dport);
}

/* The key of the probe an ICMP error quotes; 0 when it quotes none or too
 * little of its transport header to tell. */
static uint64_t quoted_key(const struct st_pkt *p)
{
    const struct st_quote *q = &p->l4.icmp.quote;
    if (!is_icmp(p->proto) || (!q->present && !q->present6))
        return 0;
    uint32_t dst = q->present6 ? st_host6(q->ip6.dst) : q->ip.dst;
    uint32_t proto = q->present6 ? q->ip6.nh : q->ip.proto;
    if (q->l4len < (is_icmp(proto) ? 8 : 4))
        return 0;
    if (is_icmp(proto))
        return probe_key(dst, proto, q->icmp_id, q->icmp_seq);
    return probe_key(dst, proto, q->sport, q->dport);
}

/* A frame's addresses as hosts (hosts.h: an IPv6 address is its id). */
static uint32_t src_of(const struct st_pkt *p)
{
    return st_pkt_src_host(p);
}

static uint32_t dst_of(const struct st_pkt *p)
{
    return st_pkt_dst_host(p);
}

/* Frames the wire side reads: ARP, IPv4, IPv6; not a later fragment,
 * which holds no transport header (compare lists it with its datagram's
 * first, the packet: fragments.c). */
static bool readable(const struct st_pkt *p)
{
    return (p->net == ST_NET_ARP || p->net == ST_NET_IPV4 || p->net == ST_NET_IPV6) &&
           !(p->flags & ST_PKT_FRAGMENT);
}

/* An answer the scanner's host gave, not a probe: an ARP reply, a
 * neighbour advertisement, a RST (the kernel's to a SYN/ACK it never asked
 * for: its cause is os-rst). */
static bool own_answer(const struct st_pkt *p)
{
    return (p->net == ST_NET_ARP && p->arp.op == 2) || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT) ||
           ((p->net == ST_NET_IPV4 || p->net == ST_NET_IPV6) && p->proto == ST_IPPROTO_TCP &&
            (p->l4.tcp.flags & ST_TCP_RST));
}

/* A frame to a broadcast or a multicast group (the kernel's MLD reports
 * and router solicitations), which probes no one host; a neighbour
 * solicitation goes to its target's group but is about its target. */
static bool to_everyone(const struct st_pkt *p)
{
    if (p->net == ST_NET_IPV6)
        return p->ip6.dst[0] == 0xff && !st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT);
    return dst_of(p) == 0xffffffffu;
}

/* The directed broadcasts its answers tell (groups.h), for a capture
 * whose link layer does not. */
struct bcasts {
    uint32_t *v;
    size_t n;
};

/* An echo request to a group the command names (ping -6 ff02::1%lan0,
 * ping -b 198.18.1.255): a probe of every host that hears it. Not one of
 * every address probed (targets unread): the kernel's own chatter to its
 * groups is no probe. */
static bool group_probe(const struct st_pkt *p, const struct st_scanner_cmd *s,
                        const struct bcasts *b)
{
    return st_group_probe(p, b->v, b->n) && s->targets_read &&
           st_u32_has(s->targets, s->ntargets, st_pkt_dst_host(p));
}

/*
 * Whether the capture was taken where the scanner's packets are forwarded
 * (a router's two sides, -i any on a host that bridges them): a packet
 * outbound and inbound within moments. Its directions then say nothing of
 * who sent what: outbound are the router's own ARP and the targets'
 * forwarded answers too.
 */
#define FWD_RECENT 8
static bool forwarded(const struct st_dissection *cap)
{
    struct {
        uint64_t hash;
        size_t frame;
    } recent[FWD_RECENT] = {{0, 0}};
    struct st_pkt tmp, other;
    for (size_t i = 0, n = 0; i < cap->n; i++) {
        const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
        if (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6)
            continue;
        uint64_t h = st_pkt_hash(p);
        for (size_t k = 0; k < FWD_RECENT && k < n; k++) {
            if (recent[k].hash != h)
                continue;
            const struct st_pkt *q = st_store_get(&cap->frames, recent[k].frame, &other);
            if (q->dir != p->dir && st_pkt_copy(p, q))
                return true;
        }
        recent[n % FWD_RECENT].hash = h;
        recent[n++ % FWD_RECENT].frame = i;
    }
    return false;
}

/* The scanner's addresses, from the sources of the frames to its targets
 * (not targets themselves): those of IP frames, failing those of ARP (an
 * ARP-only scan); the first frame's source when no target could be read. */
static void scanner_by_targets(const struct st_dissection *cap, const struct st_scanner_cmd *s,
                               struct addrset *scanner)
{
    struct st_pkt tmp;
    for (int arp = 0; arp < 2 && !scanner->n; arp++)
        for (size_t i = 0; i < cap->n; i++) {
            const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
            if (!readable(p) || (p->net == ST_NET_ARP) != arp)
                continue;
            if (!s->targets_read) {
                set_add(scanner, src_of(p));
                return;
            }
            if (st_scanner_targets(s, dst_of(p)) && !st_scanner_targets(s, src_of(p)))
                set_add(scanner, src_of(p));
        }
}

/* The scanner's addresses: the sources of the frames the capture marked
 * outbound, when it was taken on the scanner's host; else by its targets.
 * Whether the directions can be trusted. */
static bool find_scanner(const struct st_dissection *cap, const struct st_scanner_cmd *s,
                         struct addrset *scanner)
{
    if (!cap->have_direction || forwarded(cap)) {
        scanner_by_targets(cap, s, scanner);
        return false;
    }
    struct st_pkt tmp;
    for (size_t i = 0; i < cap->n; i++) {
        const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
        if (readable(p) && p->dir == ST_DIR_SENT)
            set_add(scanner, src_of(p));
    }
    return true;
}

/* An ARP request or reply, a neighbour solicitation or advertisement:
 * with nmap --send-ip the kernel's, not the scanner's probes and answers. */
static bool link_layer(const struct st_pkt *p)
{
    return p->net == ST_NET_ARP || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) ||
           st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT);
}

/* The targets by their last 24 bits, for solicitations cut before their
 * target (st_nd_groups_find). */
struct nd_table {
    uint64_t *g;
    size_t n;
};

static void nd_table_make(struct nd_table *nt, const struct st_scanner_cmd *s)
{
    nt->g = malloc((s->ntargets + 1) * sizeof *nt->g);
    if (!nt->g)
        abort();
    nt->n = st_nd_groups_make(s->targets, s->ntargets, nt->g);
}

/* The host a frame is about: a probe's destination (a neighbour
 * solicitation's target: IPv6's ARP; cut before it, the target its group
 * stands for), an answer's source (an advertisement's target), or the
 * destination an ICMP error quotes. */
static uint32_t host_of(const struct nd_table *nt, const struct st_pkt *p, bool sent)
{
    const struct st_icmp *ic = &p->l4.icmp;
    if ((st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT)) &&
        ic->nd_has_target)
        return st_host6(ic->nd_target);
    if (sent && st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT) && st_nd_groups_find(nt->g, nt->n, p))
        return st_nd_groups_find(nt->g, nt->n, p);
    if (sent)
        return dst_of(p);
    if (p->net == ST_NET_IPV4 && p->proto == ST_IPPROTO_ICMP && ic->quote.present &&
        ic->quote.ip.dst)
        return ic->quote.ip.dst;
    if (p->net == ST_NET_IPV6 && p->proto == ST_IPPROTO_ICMPV6 && ic->quote.present6)
        return st_host6(ic->quote.ip6.dst);
    return src_of(p);
}

/* An echo request or reply's protocol and id (+1: never 0), or 0 for any
 * other packet (an ICMPv6 echo cut before its id too). */
static uint64_t echo_id_key(const struct st_pkt *p)
{
    bool echo =
        (p->proto == ST_IPPROTO_ICMP &&
         (p->l4.icmp.type == ST_ICMP_ECHO_REQUEST || p->l4.icmp.type == ST_ICMP_ECHO_REPLY)) ||
        (p->proto == ST_IPPROTO_ICMPV6 && !(p->flags & ST_PKT_NO_ECHO_ID) &&
         (p->l4.icmp.type == ST_ICMP6_ECHO_REQUEST || p->l4.icmp.type == ST_ICMP6_ECHO_REPLY));
    return echo ? ((uint64_t)p->proto << 16 | p->l4.icmp.id) + 1 : 0;
}

/*
 * The echo ids that are another program's: ping and fping give all their
 * echo requests one id (their process's), so an id the scanner's host
 * still sent a request with after the command exited (a ping to the same
 * host running beside it) is none of the command's, nor are its requests
 * and replies before (compare calls them background). Nothing without the
 * command's end (run.json).
 */
#define LATE_NS 10000000LL /* (what a capture timestamps after the exit it had sent) */
static void foreign_echo_ids(const struct st_dissection *cap, const struct st_scanner_cmd *s,
                             const struct addrset *scanner, bool by_dir, struct addrset *out)
{
    struct st_pkt tmp;
    if (!s->end_ns || (strcmp(s->name, "ping") && strcmp(s->name, "fping")))
        return;
    for (size_t i = 0; i < cap->n; i++) {
        const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
        bool sent = by_dir ? p->dir == ST_DIR_SENT : set_has(scanner, src_of(p));
        bool request =
            p->l4.icmp.type == ST_ICMP_ECHO_REQUEST || p->l4.icmp.type == ST_ICMP6_ECHO_REQUEST;
        if (readable(p) && sent && request && p->time_ns > s->end_ns + LATE_NS && echo_id_key(p))
            set_add(out, echo_id_key(p));
    }
}

/* A question to a name server: the scanner's host resolving a name (a
 * target given by name, fping -d), no probe, unless the command asks for
 * port 53 (compare calls it dns). */
static bool name_lookup(const struct st_pkt *p, bool sent)
{
    if (p->proto == ST_IPPROTO_UDP)
        return (sent ? p->l4.udp.dport : p->l4.udp.sport) == 53;
    return p->proto == ST_IPPROTO_TCP && (sent ? p->l4.tcp.dport : p->l4.tcp.sport) == 53;
}

static void push(struct st_trace *t, const struct st_pkt *p, bool sent, int64_t t0)
{
    struct st_pkt q = *p;
    q.dir = sent ? ST_DIR_SENT : ST_DIR_RCVD;
    q.time_ns = p->time_ns - t0;
    q.line = 0;
    q.frame = 0;
    st_trace_add_pkt(t, &q); /* in modes[0], the one pass (one_mode) */
}

static void one_mode(struct st_trace *t, const char *name)
{
    /* the passes a log of several runs made (its stdout's "Starting Nmap"
     * lines, say `sh -c "nmap ...; nmap ..."`) give way to the one pass */
    for (size_t i = 0; i < t->nmodes; i++)
        free(t->modes[i]);
    free(t->modes);
    free(t->mode_start_ns);
    free(t->mode_line);
    t->runs_are_passes = false;
    t->modes = calloc(1, sizeof *t->modes);
    t->mode_start_ns = calloc(1, sizeof *t->mode_start_ns);
    t->mode_line = calloc(1, sizeof *t->mode_line);
    free(t->mode_first);
    t->mode_first = calloc(1, sizeof *t->mode_first); /* every packet */
    if (!t->modes || !t->mode_start_ns || !t->mode_line || !t->mode_first ||
        !(t->modes[0] = strdup(name)))
        abort();
    t->nmodes = 1;
}

size_t st_wire_side_build(struct st_trace *t, const struct st_dissection *cap,
                          const struct st_scanner_cmd *s)
{
    struct addrset scanner = {0}, probed = {0}, probes = {0}, groups = {0}, foreign = {0};
    struct recent recent = {{0}, 0};
    struct st_pkt tmp;
    struct nd_table nt;
    nd_table_make(&nt, s);
    struct bcasts bc;
    bc.v = st_groups_by_answers(cap, &bc.n);
    bool by_dir = find_scanner(cap, s, &scanner);
    for (size_t i = 0; i < t->nlocal; i++) /* the host's own (run.json) */
        set_add(&scanner, t->local[i]);
    foreign_echo_ids(cap, s, &scanner, by_dir, &foreign);
    one_mode(t, s->mode[0] ? s->mode : "wire");
    snprintf(t->dialect, sizeof t->dialect, "wire");
    /* the scanner's own report lines are its claims (claims.h), not the verdicts */
    t->nhosts = 0;
    int64_t t0 = 0, last = 0;
    for (size_t i = 0; i < cap->n; i++) {
        const struct st_pkt *p = st_store_get(&cap->frames, i, &tmp);
        if (!readable(p))
            continue;
        if (!t->npkts)
            t0 = p->time_ns;
        bool sent = by_dir ? p->dir == ST_DIR_SENT : set_has(&scanner, src_of(p));
        uint32_t host = host_of(&nt, p, sent);
        if (p->net != ST_NET_ARP && copy_of_recent(cap, &recent, p))
            continue;
        if ((s->kernel_link && link_layer(p)) || set_has(&foreign, echo_id_key(p)))
            continue;
        if (sent) {
            bool group = group_probe(p, s, &bc);
            if (own_answer(p) || !st_scanner_targets(s, host) || (to_everyone(p) && !group) ||
                (!s->port53 && name_lookup(p, true)))
                continue;
            set_add(&probed, host);
            if (p->net != ST_NET_ARP)
                set_add(&probes, sent_key(p));
            if (group) /* its answers come from its members' addresses */
                set_add(&groups, st_group_key(p, false));
            push(t, p, true, t0);
            recent.frame[recent.n++ % RECENT] = (uint32_t)i;
            last = p->time_ns - t0;
        } else if (((set_has(&probed, host) &&
                     (!quoted_key(p) || set_has(&probes, quoted_key(p)))) ||
                    set_has(&groups, st_group_key(p, true))) &&
                   set_has(&scanner, dst_of(p)) && (s->port53 || !name_lookup(p, false))) {
            /* (an error about another probe to that host, an earlier run's
             * say, answers nothing here: compare calls it unrelated) */
            push(t, p, false, t0);
            recent.frame[recent.n++ % RECENT] = (uint32_t)i;
            last = p->time_ns - t0;
        }
    }
    free(scanner.slot);
    free(probed.slot);
    free(probes.slot);
    free(groups.slot);
    free(foreign.slot);
    free(bc.v);
    free(nt.g);
    /* the wire decided every target it holds: a silent one is down (what
     * the scanner made of them is its claims, checked apart) */
    t->end_ns = last;
    /* nmap's report showed a port scan (its table, -v's "Initiating SYN
     * Stealth Scan"): what it sent a host it had found up belongs to it */
    if (!strcmp(s->name, "nmap"))
        st_trace_find_later(t);
    return t->npkts;
}
