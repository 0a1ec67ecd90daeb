/*
 * Background: the scanner's host talking to an address the scan never
 * probed (ping, ssh, a browser; the kernel's IGMP or mDNS), and what came
 * back from those addresses. With a packet trace, every such frame: the
 * trace lists every packet the scanner sent, and none went there. A run
 * built from the wire (zmap, masscan, fping: no trace) has no such list,
 * and a probe outside its targets is a finding: there only the frames
 * unlike all of its probes are background (another protocol, ICMP type or
 * destination port; another ICMP echo id where all its echoes carry one,
 * as fping's and hping3's do). Before the scan's first probe, what came
 * from an address it never probed is background too (an answer to
 * something sent before the capture began).
 */
#include <stdlib.h>

#include "align_internal.h"
#include "util.h"

static bool is_echo(const struct st_pkt *p)
{
    return (p->proto == ST_IPPROTO_ICMP && p->l4.icmp.type == 8) ||
           (p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.type == 128);
}

static bool is_echo_reply(const struct st_pkt *p)
{
    return (p->proto == ST_IPPROTO_ICMP && p->l4.icmp.type == 0) ||
           (p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.type == 129);
}

/* A probe's kind: protocol, and ICMP type or destination port. */
static uint32_t kind(const struct st_pkt *p)
{
    uint32_t what = 0;
    if (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6)
        what = p->l4.icmp.type;
    else if (p->proto == ST_IPPROTO_TCP)
        what = p->l4.tcp.dport;
    else if (p->proto == ST_IPPROTO_UDP)
        what = p->l4.udp.dport;
    return (uint32_t)p->proto << 16 | what;
}

/* What a run built from the wire sent its targets: their kinds, and the
 * ICMP echo id all its echoes carry (-1: none, or several). */
struct probes {
    struct st_u32set kinds;
    long echo_id;
};

static void probes_of(const struct st_trace *t, struct probes *pr)
{
    struct st_pkt tmp;
    bool first = true;
    pr->echo_id = -1;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &tmp);
        if (p->dir != ST_DIR_SENT || (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6))
            continue;
        st_u32set_push(&pr->kinds, kind(p));
        if (is_echo(p)) {
            long id = p->l4.icmp.id;
            pr->echo_id = first || pr->echo_id == id ? id : -1;
            first = false;
        }
    }
    st_u32set_seal(&pr->kinds);
}

/* Whether a frame the scanner's host sent outside the targets is like a
 * probe of a run built from the wire. */
static bool like_probe(const struct probes *pr, const struct st_pkt *p)
{
    if (!st_u32set_has(&pr->kinds, kind(p)))
        return false;
    return !(is_echo(p) && pr->echo_id >= 0 && p->l4.icmp.id != pr->echo_id);
}

/* An echo request or reply of another id than the one all the probes of a
 * run built from the wire carry: another program's ping, to a target too
 * (ping and fping give all theirs one id; the wire side left out an id
 * seen after the command exited), and its replies. Not an ICMPv6 echo cut
 * before its id. */
static bool other_echo(const struct probes *pr, const struct st_pkt *p)
{
    return pr->echo_id >= 0 && (is_echo(p) || is_echo_reply(p)) &&
           !(p->flags & ST_PKT_NO_ECHO_ID) && p->l4.icmp.id != pr->echo_id;
}

/* Wire-only frame f, still unknown, in direction dir: its packet when
 * IPv4 or IPv6, else NULL. */
static const struct st_pkt *unknown_ip(const struct st_comparison *c, size_t f, enum st_dir dir,
                                       struct st_pkt *tmp)
{
    if (c->fcause[f] != ST_CAUSE_UNKNOWN || c->f2t[f] != -1 || c->fdir[f] != dir)
        return NULL;
    const struct st_pkt *p = st_store_get(&c->cap->frames, f, tmp);
    return p->net == ST_NET_IPV4 || p->net == ST_NET_IPV6 ? p : NULL;
}

/* The capture time of the scan's first probe on the wire (its earliest
 * matched SENT frame; INT64_MIN: none). Before it, what came from an
 * address the scan never probed answers something sent before the capture
 * began (another program's; shards swept at once: another shard's probe). */
static int64_t scan_start(const struct st_comparison *c)
{
    int64_t start = INT64_MAX;
    struct st_pkt tmp;
    for (size_t i = 0; i < c->trace->npkts; i++)
        if (c->t2f[i] >= 0 && st_trace_pkt(c->trace, i, &tmp)->dir == ST_DIR_SENT) {
            int64_t t = st_frame_time(c, c->t2f[i]);
            start = t < start ? t : start;
        }
    return start == INT64_MAX ? INT64_MIN : start;
}

void st_background(struct st_comparison *c)
{
    size_t nt;
    uint32_t *targets = st_compare_targets(c, &nt);
    struct probes pr = {{0}, -1};
    struct st_u32set peers = {0};
    struct st_pkt tmp;
    if (c->from_wire)
        probes_of(c->trace, &pr);
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = unknown_ip(c, f, ST_DIR_SENT, &tmp);
        if (!p || ((st_u32_has(targets, nt, st_pkt_dst_host(p)) ||
                    (c->from_wire && like_probe(&pr, p))) &&
                   !(c->from_wire && other_echo(&pr, p))))
            continue;
        c->fcause[f] = ST_CAUSE_BACKGROUND;
        st_u32set_push(&peers, st_pkt_dst_host(p));
    }
    st_u32set_seal(&peers);
    int64_t start = scan_start(c);
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = unknown_ip(c, f, ST_DIR_RCVD, &tmp);
        uint32_t src = p ? st_pkt_src_host(p) : 0;
        if (p && ((!st_u32_has(targets, nt, src) &&
                   (st_u32set_has(&peers, src) || st_frame_time(c, (long)f) < start)) ||
                  (c->from_wire && other_echo(&pr, p))))
            c->fcause[f] = ST_CAUSE_BACKGROUND;
    }
    st_u32set_free(&peers);
    st_u32set_free(&pr.kinds);
    free(targets);
}
