/*
 * The plain-language account of a run, host by host, for students: what
 * went out, what came back, why the host counts as up or down, and what
 * the kernel did on its own. Every sentence is built from the comparison:
 * a packet is named by its kind and its frame (or trace line).
 */
#include <stdio.h>
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

static const char *why_up(const char *reason)
{
    static const struct st_pair t[] = {
        {"echo-reply", "it answered an ICMP echo request (a ping) with an echo reply"},
        {"timestamp-reply", "it answered an ICMP timestamp request with a timestamp reply"},
        {"mask-reply", "it answered an ICMP address mask request"},
        {"syn-ack", "it answered a TCP SYN with a SYN/ACK: that port is open"},
        {"reset", "it answered a TCP probe with a RST: the port is closed, but a closed port "
                  "still proves a live TCP stack"},
        {"port-unreach", "its kernel said the UDP port is unreachable (ICMP port unreachable): "
                         "only a live host says that"},
        {"proto-unreach", "its kernel said it does not speak that IP protocol (ICMP protocol "
                          "unreachable): only a live host says that"},
        {"arp-response", "it is on your own Ethernet segment and answered the ARP who-has with "
                         "its MAC address"},
        {"conn-refused", "your kernel's connect() was refused with a RST: something answers"},
        {"udp-response", "it answered in UDP"},
        {"sctp-response", "it answered the SCTP INIT"},
        {"proto-response", "it answered in the same IP protocol"},
        {"nd-response", "it is on your own segment and answered the IPv6 neighbour solicitation "
                        "with a neighbour advertisement (IPv6's ARP)"},
        {"localhost-response", "it is the scanning machine's own address: packets to it never "
                               "leave the machine (the kernel loops them back, and nmap calls "
                               "its own addresses up without sending one), so nothing about it "
                               "is on the wire"},
        {"user-set", "nmap was told to skip host discovery (-Pn): it takes every target as up "
                     "without a probe, and went straight on to its next phase"},
    };
    const char *why = st_pair_find(t, ST_PAIRS_N(t), reason, NULL);
    return why ? why : "the scanner says so";
}

static const char *why_down(const char *reason)
{
    static const char router[] = "a router reported the destination unreachable";
    static const struct st_pair t[] = {
        {"host-unreach", "a router reported it unreachable (ICMP host unreachable, ICMPv6 "
                         "address unreachable): nobody has that address"},
        {"net-unreach", "a router reported its network unreachable"},
        {"no-route", "a router reported it has no route there (ICMPv6 no route to destination)"},
        {"beyond-scope", router},
        {"reject-route", router},
        {"dest-unreach", router},
        {"param-problem", "the only answers were ICMPv6 parameter problems (it does not know "
                          "that next header), which nmap 7.93 reads no verdict in"},
        {"admin-prohibited", "a firewall answered that the traffic is prohibited"},
        {"time-exceeded", "a probe's TTL ran out on the way"},
        {"not-probed", "the scanner never sent it a probe, so nothing on the wire could say it "
                       "is up: it is here because the scanner's output names it"},
    };
    return st_pair_find(t, ST_PAIRS_N(t), reason, NULL);
}

/* What the explanation needs besides the comparison: the pen, and the
 * host a packet is told about (0 for the packets about no single host). */
struct teller {
    const struct st_comparison *c;
    FILE *out;
    bool color;
    const struct st_mode_host *h;
};

/* Who an address is, from the scan's point of view: "you" (the scanner),
 * "the host" (the host being told about), "host X" (another target), or "the
 * router X" (an address the scan never probed: the gateway, or a router on
 * the way that answers for the hosts behind it). */
static const char *who(const struct teller *t, uint32_t a, char *buf, size_t size)
{
    char ip[ST_HOST_STRLEN];
    st_host_str(a, ip);
    if (st_is_scanner(t->c, a))
        snprintf(buf, size, "your kernel");
    else if (t->h && a == t->h->addr)
        snprintf(buf, size, "the host");
    else if (st_compare_has_host(t->c, a))
        snprintf(buf, size, "host %s", ip);
    else
        snprintf(buf, size, "the router %s", ip);
    return buf;
}

/* An ARP frame the scanner did not trace: who asked whom, and why. */
static void arp_note(const struct teller *t, const struct st_pkt *p, enum st_cause cause, char *buf,
                     size_t size)
{
    char s[ST_HOST_STRLEN + 16], tg[ST_HOST_STRLEN + 16];
    who(t, p->arp.spa, s, sizeof s);
    who(t, p->arp.tpa, tg, sizeof tg);
    bool router = !strncmp(s, "the router", 10) || !strncmp(tg, "the router", 10);
    char decoy[ST_HOST_STRLEN];
    st_host_str(p->arp.op == 1 ? p->arp.tpa : p->arp.spa, decoy);
    if (cause == ST_CAUSE_DECOY_ARP && p->arp.op == 1)
        snprintf(buf, size,
                 "not your kernel's: %s asked for the MAC address of the decoy %s, to deliver "
                 "the answer to a probe sent in its name (-D), which never comes to you",
                 s, decoy);
    else if (cause == ST_CAUSE_DECOY_ARP)
        snprintf(buf, size, "not your kernel's: the decoy %s gave %s its MAC address", decoy, tg);
    else if (p->arp.op == 1 && st_is_scanner(t->c, p->arp.spa))
        snprintf(buf, size,
                 "your kernel asked for the MAC address of %s before it could send to it%s", tg,
                 router ? ": probes to another network leave through this router, so their "
                          "frames go to its MAC address"
                        : "");
    else if (p->arp.op == 1)
        snprintf(buf, size, "%s asked for your MAC address, to send its answer back", s);
    else if (st_is_scanner(t->c, p->arp.spa))
        snprintf(buf, size, "your kernel told %s its MAC address", tg);
    else
        snprintf(buf, size, "%s answered your kernel's ARP with its MAC address%s", s,
                 router ? ": the router's packet, not your kernel's" : "");
}

/* Why a frame is on the wire only, in words: its cause, and who sent it
 * when that is not the host itself. */
static void wire_note(const struct teller *t, long f, char *buf, size_t size)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_frame(t->c, f, &tmp);
    enum st_cause cause = t->c->fcause[f];
    if (p->net == ST_NET_ARP) {
        arp_note(t, p, cause, buf, size);
        return;
    }
    const char *why;
    switch (cause) {
    case ST_CAUSE_OS_RST:
        why = "your kernel answered the SYN/ACK with a RST because it never opened that "
              "connection: the SYN came from a raw socket, not from connect()";
        break;
    case ST_CAUSE_OS_TCP:
        why = "your kernel's own part of the connect(): completing or closing the handshake, or "
              "trying the SYN again";
        break;
    case ST_CAUSE_OS_ND:
        why = "IPv6 neighbour discovery (IPv6's ARP), to find the MAC address to send to or to "
              "answer a neighbour";
        break;
    case ST_CAUSE_OS_RS:
        why = "your kernel asked for IPv6 routers (router solicitation) on its own";
        break;
    case ST_CAUSE_OS_MLD:
        why = "your kernel announced the IPv6 multicast groups it listens to (MLD)";
        break;
    case ST_CAUSE_DECOY_ND:
        why = "not your kernel's: a neighbour looking for a decoy (-D) by IPv6 neighbour "
              "discovery, to deliver the answer to a probe sent in its name, which never comes "
              "to you";
        break;
    case ST_CAUSE_LATE_REPLY:
        why = t->h && !t->h->up
                  ? "an answer that came after the scanner had stopped waiting for this host: "
                    "too late to count"
                  : "an answer that came after the host was already decided (or the scan was "
                    "over): the scanner only traces the first";
        break;
    case ST_CAUSE_MEMBER_REPLY:
        why = "a member's answer to the group's echo request, from its own address: the "
              "scanner traces an echo reply only when it comes from one of its targets with that "
              "target's own ICMP id (nping), so it never shows these";
        break;
    case ST_CAUSE_MISSED_REPLY:
        why = "an answer the scanner never traced although nothing else had decided the host: "
              "its receiver missed it";
        break;
    case ST_CAUSE_RETRANSMIT:
        why = "a probe on the wire that the scanner's trace does not show";
        break;
    case ST_CAUSE_UNRELATED:
        why = "traffic no probe of this scan caused";
        break;
    case ST_CAUSE_DNS:
        why = "the scanner looking up host names (reverse DNS: nmap does it unless given -n, "
              "scan with -R): a question to the name server or its answer, not a probe";
        break;
    case ST_CAUSE_UNTRACED_RUN:
        why = "a packet of a run in the log that traced none (nmap run without --packet-trace): "
              "there is no line to check it against";
        break;
    case ST_CAUSE_BACKGROUND:
        why = "your host talking to an address the scan never probed: another program's "
              "traffic (ping, ssh, a browser, the kernel's multicast), as the scanner traced "
              "every packet it sent and none went there";
        break;
    case ST_CAUSE_COPY:
        why = "the same packet seen a second time, at another capture point: the capture "
              "saw it on both sides of a router (another TTL) or on two segments, it was "
              "sent once";
        break;
    case ST_CAUSE_TRUNCATED:
        why = "the capture's snap length cut this frame before a header scantrace reads (its "
              "missing fields read as 0): nothing to check it against; capture with -s 0";
        break;
    case ST_CAUSE_AFTER_TRACE:
        why = "on the wire after the trace's last line, and the trace is cut short (no \"Nmap "
              "done\"): nothing to check it against";
        break;
    case ST_CAUSE_OTHER_SHARD:
        why = "another shard's packet: shards swept at the same time from this host capture "
              "each other's frames (scantrace merge puts the shards together)";
        break;
    default:
        why = "on the wire only, for no reason scantrace knows";
    }
    char by[ST_HOST_STRLEN + 16] = "";
    uint32_t src = p->net == ST_NET_ARP ? 0 : st_pkt_src_host(p);
    if (src && t->c->fdir[f] == ST_DIR_RCVD && (!t->h || src != t->h->addr))
        who(t, src, by, sizeof by);
    if (!by[0])
        snprintf(buf, size, "%s", why);
    else
        snprintf(buf, size, "sent by %s%s: %s", by, t->h ? ", not by the host" : "", why);
}

static bool listed(const uint32_t *a, size_t n, uint32_t addr)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == addr)
            return true;
    return false;
}

/* What the scanner's output said of the host, when it disagrees with the
 * wire (claims.h: missed, unfounded). */
static void claim_told(const struct teller *t, uint32_t run)
{
    const struct st_claims *cl = t->c->claims;
    const struct st_mode_host *h = t->h;
    if (!cl || !cl->present || !strcmp(cl->format, "unknown"))
        return;
    bool up = st_claim_of(cl, run, h->addr) == ST_CLAIM_UP;
    const char *says = NULL;
    if (up && listed(cl->unfounded_addr, cl->unfounded, h->addr))
        says = "its output says the host is up, but nothing on the wire answered for it: an "
               "unfounded claim";
    else if (!up && listed(cl->missed_addr, cl->missed, h->addr))
        says = "it answered on the wire, but the scanner's output does not say it is up: a "
               "missed host";
    if (says)
        fprintf(t->out, "  The scanner's claim (%s, %s): %s.\n", cl->format, cl->source, says);
}

static void frame_ref(FILE *out, const struct st_comparison *c, long ti)
{
    long f = c->t2f[ti];
    char train[160];
    if (st_train_frames(c, f, train, sizeof train))
        fprintf(out, "frames %s", train);
    else if (f >= 0)
        fprintf(out, "frame %u", st_frame(c, f, &(struct st_pkt){0})->frame);
    else if (st_cause_is_discrepancy((enum st_cause)c->tcause[ti]))
        fprintf(out, "trace line %u, NOT on the wire",
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else
        fprintf(out, "trace line %u, no frame (%s)",
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line,
                st_cause_name((enum st_cause)c->tcause[ti]));
}

/* "an ICMP echo", "an ARP request", "a TCP SYN": by how the word sounds,
 * and the kinds start with a protocol name spelt out letter by letter (so
 * "U" of UDP takes "a", as "you"). */
static const char *article(const char *kind)
{
    return strchr("AEFHILMNORSXaeiou", kind[0]) && kind[0] ? "an" : "a";
}

static void kind_of(const struct st_pkt *p, enum st_dir dir, char *buf, size_t size)
{
    struct st_pkt k = *p;
    k.dir = dir;
    st_format_kind(&k, buf, size);
}

/* "  Went out: ICMP echo request (frame 3), TCP SYN to 443 (frame 5)." */
static void packet_list(FILE *out, const struct st_comparison *c, const char *title,
                        const int32_t *pkts, size_t n, enum st_dir dir)
{
    char kind[128];
    if (!n)
        return;
    fputs(title, out);
    for (size_t i = 0; i < n; i++) {
        kind_of(st_trace_pkt(c->trace, (size_t)pkts[i], &(struct st_pkt){0}), dir, kind,
                sizeof kind);
        fprintf(out, "%s %s (", i ? "," : "", kind);
        frame_ref(out, c, pkts[i]);
        fprintf(out, ")");
    }
    fprintf(out, ".\n");
}

/* Each of the packets whose frame shows other header values than its line
 * (altered.c): what the wire carried was not what the trace printed. */
static void altered_list(FILE *out, const struct st_comparison *c, const int32_t *pkts, size_t n)
{
    char why[192];
    for (size_t i = 0; i < n; i++) {
        if (!st_altered_why(c, (size_t)pkts[i], why, sizeof why))
            continue;
        fprintf(out,
                "  Not as traced: line %u (frame %u) has %s: the wire carried another packet "
                "than the trace shows (a firewall of the scanner's host "
                "rewriting it before the capture point, say).\n",
                st_trace_pkt(c->trace, (size_t)pkts[i], &(struct st_pkt){0})->line,
                st_frame(c, c->t2f[pkts[i]], &(struct st_pkt){0})->frame, why);
    }
}

/* The received packets about a host: traced replies and frames on the
 * wire only that came towards the scanner. */
static size_t came_back(const struct st_comparison *c, const struct st_mode_host *h)
{
    size_t n = h->nreplies;
    for (size_t i = 0; i < h->nwire; i++)
        n += c->fdir[h->wire[i]] == ST_DIR_RCVD;
    return n;
}

/* Whether none of a host's probes left: each dropped by the kernel for want
 * of an ARP answer (no-arp). */
static bool none_left(const struct st_comparison *c, const struct st_mode_host *h)
{
    for (size_t i = 0; i < h->nprobes; i++) {
        uint8_t why = c->tcause[h->probes[i]];
        if (c->t2f[h->probes[i]] >= 0 ||
            (why != ST_CAUSE_NO_ARP && why != ST_CAUSE_NO_ND && why != ST_CAUSE_CONNECT_NO_ARP))
            return false;
    }
    return h->nprobes > 0;
}

/* Whether the capture holds the loopback interface: a frame between the
 * scanner's own addresses (record -i any, -i lo). */
static bool lo_recorded(const struct st_comparison *c)
{
    struct st_pkt tmp;
    for (size_t f = 0; f < c->cap->n; f++) {
        const struct st_pkt *p = st_store_get(&c->cap->frames, f, &tmp);
        uint32_t s = st_pkt_src_host(p), d = st_pkt_dst_host(p);
        if (s && d && st_is_own_host(c, s) && st_is_own_host(c, d))
            return true;
    }
    return false;
}

/* A probe of h malformed on the wire: a UDP length or TCP header length
 * past what its IP datagram carries (hping3 -2 --scan puts a TCP header's
 * bytes into its UDP one). Its frame number and what is wrong, into why;
 * 0 when every probe is sound. A host's stack drops such packets unanswered. */
static uint32_t malformed_probe(const struct st_comparison *c, const struct st_mode_host *h,
                                char *why, size_t size)
{
    for (size_t i = 0; i < h->nprobes; i++) {
        long f = c->t2f[h->probes[i]];
        struct st_pkt tmp;
        const struct st_pkt *p = f >= 0 ? st_frame(c, f, &tmp) : NULL;
        /* (a fragment's header is whole only once the datagram is) */
        bool frag = p && (p->net == ST_NET_IPV4 ? (p->ip.frag & 0x3fff) != 0 : p->ip6.frag);
        if (!p || (p->net != ST_NET_IPV4 && p->net != ST_NET_IPV6) || frag ||
            (p->flags & ST_PKT_TRUNCATED))
            continue;
        if (p->proto == ST_IPPROTO_UDP && (p->l4.udp.len < 8 || p->l4.udp.len > p->l4len)) {
            snprintf(why, size, "its UDP length says %u bytes, its IP datagram carries %u",
                     p->l4.udp.len, p->l4len);
            return p->frame;
        }
        if (p->proto == ST_IPPROTO_TCP && (p->l4.tcp.off < 5 || p->l4.tcp.off * 4u > p->l4len)) {
            snprintf(why, size, "its TCP header length says %u bytes, its IP datagram carries %u",
                     p->l4.tcp.off * 4u, p->l4len);
            return p->frame;
        }
    }
    return 0;
}

/* Whether the scanner read a router's destination unreachable about the
 * host: a hint nmap does not take for an answer (RFC 1122). */
static bool router_hint(const struct st_comparison *c, const struct st_mode_host *h)
{
    for (size_t i = 0; i < h->nreplies; i++) {
        struct st_pkt buf;
        const struct st_pkt *p = st_trace_pkt_told(c, (size_t)h->replies[i], &buf);
        bool unreach = p->proto == ST_IPPROTO_ICMP     ? p->l4.icmp.type == ST_ICMP_DEST_UNREACH
                       : p->proto == ST_IPPROTO_ICMPV6 ? p->l4.icmp.type == ST_ICMP6_DEST_UNREACH
                                                       : false;
        if (unreach && st_nmap_reply_verdict(p).host == ST_NMAP_NOTHING)
            return true;
    }
    return false;
}

/* Whether a member of group h answered (a host its probes found). */
static bool members_found(const struct st_comparison *c, const struct st_mode_host *h)
{
    for (size_t m = 0; h->group && m < c->nmodes; m++)
        for (size_t k = 0; k < c->modes[m].nhosts; k++)
            if (st_host_member_of(c, &c->modes[m].hosts[k], h->addr))
                return true;
    return false;
}

static void why(const struct teller *t)
{
    const struct st_mode_host *h = t->h;
    FILE *out = t->out;
    const char *down = why_down(h->reason);
    size_t back = came_back(t->c, h);
    char bad_why[96];
    uint32_t bad;
    fprintf(out, "  %sWhy %s:%s ", st_paint(t->color, ST_SGR_BOLD), h->up ? "up" : "down",
            st_paint(t->color, ST_SGR_RESET));
    if (h->up && h->group)
        fputs("a group (multicast or broadcast): its echo request went to every host that "
              "hears it, and its members answered from their own addresses (listed as hosts "
              "of their own)",
              out);
    else if (h->up && h->member)
        fputs("it is a member of a group (multicast or broadcast) that was pinged, and answered "
              "the group's echo request with an echo reply",
              out);
    else if (h->up)
        fputs(why_up(h->reason), out);
    else if (members_found(t->c, h))
        fputs("a group (multicast or broadcast): nothing came back from its own address, and "
              "the scanner takes a reply only from the address it probed (nmap, nping); its "
              "members answered its echo request from their own addresses (listed as hosts of "
              "their own)",
              out);
    else if (h->group && !back)
        fputs("a group (multicast or broadcast): nothing came back, no member answered its echo "
              "request on the wire (the scanner's own host, a member too, may have answered it "
              "over the loopback interface, on no wire)",
              out);
    else if (down)
        fputs(down, out);
    else if (!back && none_left(t->c, h))
        fputs("none of its probes reached the wire (below), so nothing could come back: your "
              "kernel found no one answering ARP for the address, so nobody on your segment has it",
              out);
    else if (!back && (bad = malformed_probe(t->c, h, bad_why, sizeof bad_why)))
        fprintf(out,
                "nothing came back, and its probes were malformed on the wire (frame %u: %s): "
                "a host drops such a packet without a word, so the silence says nothing of "
                "the host",
                bad, bad_why);
    else if (!back)
        fputs("nothing came back to any probe, in any try: the host is off, absent, or a "
              "firewall drops everything it would have answered",
              out);
    else if (router_hint(t->c, h) && st_report_nmap_rules(t->c))
        fputs("a router said it could not reach the host (ICMP destination unreachable, see "
              "above), but that is a hint, not proof (RFC 1122: it may be a routing "
              "transient): nmap goes on with its tries, and nothing else answered",
              out);
    else if (router_hint(t->c, h))
        fprintf(out,
                "a router said it could not reach the host (ICMP destination unreachable, see "
                "above): a hint, not proof (RFC 1122: it may be a routing transient), and %s "
                "did not report the host up on it; nothing else answered",
                st_report_scanner_name(t->c));
    else
        /* something did come back: say so, and why it did not count */
        fprintf(out,
                "no answer that counts came back in time: %zu packet%s about it did come back "
                "(%s), but the scanner counted none as the host's answer",
                back, back == 1 ? "" : "s",
                h->nreplies ? "see above and below" : "on the wire only, see below");
    fprintf(out, " (reason %s", h->reason);
    if (h->latency_s >= 0 && h->judged && h->nprobes) /* the scanner's own latency */
        fprintf(out, ", %.6f s after the probe", h->latency_s);
    else if (h->latency_s >= 0 && h->judged) /* timed by later packets (-Pn's port scan) */
        fprintf(out, ", latency %.6f s", h->latency_s);
    fprintf(out, ").\n");
}

static void trace_only(const struct teller *t, long ti)
{
    char kind[128];
    const struct st_comparison *c = t->c;
    kind_of(st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0}), ST_DIR_SENT, kind,
            sizeof kind);
    fputs(st_paint(t->color && st_cause_is_discrepancy(c->tcause[ti]), ST_SGR_RED), t->out);
    if (c->tcause[ti] == ST_CAUSE_NO_ARP || c->tcause[ti] == ST_CAUSE_NO_ND)
        fprintf(t->out,
                "  The trace says %s %s was sent (line %u), but it never reached the wire: "
                "your kernel asked for the target's MAC address (%s) and got no "
                "answer, so it dropped the packet.",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line,
                c->tcause[ti] == ST_CAUSE_NO_ND ? "IPv6 neighbour discovery" : "ARP");
    else if (c->tcause[ti] == ST_CAUSE_CONNECT_NO_ARP)
        fprintf(t->out,
                "  The trace says nmap called connect() (line %u), which asks your kernel for "
                "the handshake: its SYN never reached the wire, as your kernel found no one "
                "answering ARP (or neighbour discovery) for the address.",
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_OTHER_INTERFACE)
        fprintf(t->out,
                "  The trace says %s %s was %s (line %u), from or to an address of the "
                "scanner's that no frame of the capture shows: it took an interface the "
                "capture did not record, so the wire cannot say whether it was there (capture "
                "every interface, or -i any).",
                article(kind), kind,
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->dir == ST_DIR_RCVD
                    ? "received"
                    : "sent",
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_TRUNCATED)
        fprintf(t->out,
                "  The trace says %s %s was sent (line %u); the capture's frames of this host "
                "were cut short by its snap length, so none can be told to be it.",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_LOOPBACK && lo_recorded(c))
        fprintf(t->out,
                "  The trace shows %s %s from the scanner's host to itself (line %u): nmap "
                "traces such a packet twice, as sent and as received back over the loopback "
                "interface (lo), which carries it once: its one frame is the other line's.",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_LOOPBACK)
        fprintf(t->out,
                "  The trace shows %s %s from the scanner's host to itself (line %u): your "
                "kernel carries such a packet over the loopback interface (lo), which the "
                "capture did not record (capture lo too, or -i any, to see it).",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_OUTSIDE_CAPTURE)
        fprintf(t->out,
                "  The trace says %s %s was sent (line %u) at a time the capture holds "
                "nothing of: it began after it or ended before it, so it cannot say whether "
                "the packet was on the wire.",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line);
    else if (c->tcause[ti] == ST_CAUSE_CAPTURE_FILTER)
        fprintf(t->out,
                "  The trace says %s %s was sent (line %u); the capture was taken with the "
                "filter \"%s\", which %s, so it cannot say whether the packet was on the "
                "wire.",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line,
                c->capture_filter,
                c->tfilter_drops && c->tfilter_drops[ti]
                    ? "keeps such a packet out"
                    : "may have kept it out (it reads what the line does not say, or does not "
                      "compile here)");
    else if (c->tcause[ti] == ST_CAUSE_UNKNOWN && c->capture_filter[0])
        /* in a filtered capture a line is unknown only when the filter keeps it */
        fprintf(t->out,
                "  The trace says %s %s was %s (line %u), but the capture does not have it; "
                "it was taken with the filter \"%s\", which keeps such a packet, so it was "
                "not on the wire (unknown).",
                article(kind), kind,
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->dir == ST_DIR_RCVD
                    ? "received"
                    : "sent",
                st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line, c->capture_filter);
    else
        fprintf(t->out,
                "  The trace says %s %s was sent (line %u), but the capture does not have "
                "it (%s).",
                article(kind), kind, st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->line,
                st_cause_name(c->tcause[ti]));
    fprintf(t->out, "%s\n",
            st_paint(t->color && st_cause_is_discrepancy(c->tcause[ti]), ST_SGR_RESET));
}

static void wire_only(const struct teller *t, long f, const char *what)
{
    char note[512];
    struct st_pkt tmp;
    const struct st_pkt *fr = st_frame(t->c, f, &tmp);
    bool bad = t->color && st_cause_is_discrepancy(t->c->fcause[f]);
    wire_note(t, f, note, sizeof note);
    fprintf(t->out, "%s  %s (frame %u): %s.%s\n", st_paint(bad, ST_SGR_RED), what, fr->frame, note,
            st_paint(bad, ST_SGR_RESET));
}

static void explain_host(struct teller *t, const struct st_mode *mode, const struct st_mode_host *h)
{
    char a[ST_HOST_STRLEN], kind[128], what[192];
    const struct st_comparison *c = t->c;
    FILE *out = t->out;
    t->h = h;
    fprintf(out, "\n%s%s%s (mode %s): %s%s%s%s.\n", st_paint(t->color, ST_SGR_BOLD),
            st_host_str(h->addr, a), st_paint(t->color, ST_SGR_RESET), mode->name,
            st_paint(t->color, h->up ? ST_SGR_GREEN : ST_SGR_RED), h->up ? "UP" : "DOWN",
            st_paint(t->color, ST_SGR_RESET),
            h->judged ? ""
            : c->from_wire
                ? ", by the replies on the wire: the scanner itself gave no verdict"
                : ", by the replies the trace shows: the scanner itself gave no verdict");

    packet_list(out, c, "  Went out:", h->probes, h->nprobes, ST_DIR_SENT);
    for (size_t i = 0; i < h->nprobes; i++)
        st_explain_train(out, c, h->probes[i]);
    altered_list(out, c, h->probes, h->nprobes);
    altered_list(out, c, h->replies, h->nreplies);
    /* a run judged from the wire has no trace: its replies are what came back */
    packet_list(out, c, c->from_wire ? "  Came back:" : "  Came back and traced:", h->replies,
                h->nreplies, ST_DIR_RCVD);
    for (size_t i = 0; i < h->nreplies; i++)
        st_explain_train(out, c, h->replies[i]);
    if (h->nlater) {
        struct st_later l;
        char where[64];
        st_host_later(c, h, &l);
        st_later_where(c, &l, where, sizeof where);
        fprintf(out,
                "  Then, once it was up: %zu sent and %zu received (%s), nmap's next "
                "phase (a port scan, traceroute...): checked against the wire like the rest, "
                "but no part of host discovery or its verdict.\n",
                l.sent, l.rcvd, where);
    }
    why(t);
    /* (the scanner's statistics: stated_counts.c) */
    const struct st_miscount *k = c->nmiscounts ? st_miscount_of(c, mode, h->addr) : NULL;
    const char *by = c->from_wire ? "the wire shows" : "its trace shows";
    if (k && k->sent_wrong)
        fprintf(out,
                "  Its statistics say it sent %u probe%s to this host; %s %u: "
                "the scanner's own count is wrong.\n",
                k->stated_sent, ST_S(k->stated_sent), by, k->counted_sent);
    if (k && k->rcvd_wrong)
        fprintf(out,
                "  Its statistics say it received %u repl%s from this host; %s %u%s: "
                "the scanner's own count is wrong.\n",
                k->stated_rcvd, k->stated_rcvd == 1 ? "y" : "ies", by, k->counted_rcvd,
                c->from_wire ? " before it exited" : "");
    claim_told(t, mode->run);
    for (size_t i = 0; i < h->nprobes; i++)
        if (c->t2f[h->probes[i]] < 0)
            trace_only(t, h->probes[i]);
    for (size_t i = 0; i < h->nwire; i++) {
        long f = h->wire[i];
        struct st_pkt tmp;
        kind_of(st_frame(c, f, &tmp), c->fdir[f], kind, sizeof kind);
        snprintf(what, sizeof what, "%s: %s",
                 c->from_wire ? "Also on the wire" : "On the wire but not in the trace", kind);
        wire_only(t, f, what);
    }
}

static bool asked_for(const struct st_render *r, uint32_t addr)
{
    for (size_t i = 0; i < r->nhosts; i++)
        if (r->hosts[i] == addr)
            return true;
    return !r->nhosts;
}

/* The packets that concern no single host (the gateway's ARP...). */
static void no_single_host(struct teller *t)
{
    const struct st_comparison *c = t->c;
    bool header = false;
    t->h = NULL;
    for (size_t i = 0; i < c->cap->n; i++) {
        if (c->f2t[i] >= 0 || st_frame_rel(c, i) >= 0 || c->fcause[i] == ST_CAUSE_UNRELATED)
            continue;
        char brief[ST_LINE_MAX];
        if (!header)
            fprintf(t->out, "\n%sAbout no single host:%s\n", st_paint(t->color, ST_SGR_BOLD),
                    st_paint(t->color, ST_SGR_RESET));
        header = true;
        struct st_pkt tmp;
        st_format_brief(st_frame(c, (long)i, &tmp), brief, sizeof brief);
        wire_only(t, (long)i, brief);
    }
}

void st_report_explain(const struct st_render *r, FILE *out)
{
    const struct st_comparison *c = r->c;
    struct teller t = {.c = c, .out = out, .color = r->color};
    if (c->from_wire) {
        fprintf(out, "What the scan did, host by host (capture %s).\n", c->capture_path);
        const char *who = st_report_scanner_name(c);
        fprintf(out,
                "%s left no packet trace%s%s%s what the capture shows it sent, and the answers to "
                "that. Frames are numbered as Wireshark numbers them.\n",
                strcmp(who, "the scanner") ? who : "The scanner", c->no_trace_why ? ": " : "",
                c->no_trace_why ? c->no_trace_why : "",
                c->no_trace_why ? ". Its side is" : ": its side is");
    } else {
        fprintf(out, "What the scan did, host by host (trace %s, capture %s).\n", c->trace_path,
                c->capture_path);
        fprintf(out, "Frames are numbered as Wireshark numbers them; lines are the trace's "
                     "lines.\n");
    }
    /* what compare concludes, so that a cut or unreadable trace is never taken
     * for a finished one here either */
    char result[ST_RESULT_MAX];
    if (!st_compare_result(c, result, sizeof result))
        fprintf(out, "%sThe comparison does not pass: %s.%s\n", st_paint(t.color, ST_SGR_RED),
                result, st_paint(t.color, ST_SGR_RESET));
    st_explain_evasion(out, c);
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++)
            if (asked_for(r, c->modes[m].hosts[h].addr))
                explain_host(&t, &c->modes[m], &c->modes[m].hosts[h]);
    if (!r->nhosts)
        no_single_host(&t);
    if (c->discrepancies)
        fprintf(out,
                "\n%s%zu packet(s) %s discrepancies: see `scantrace compare` for the list.%s\n",
                st_paint(t.color, ST_SGR_RED), c->discrepancies,
                r->nhosts ? "of the run are" : "above are", st_paint(t.color, ST_SGR_RESET));
}
