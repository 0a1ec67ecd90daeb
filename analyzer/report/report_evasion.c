/*
 * explain's account of nmap's evasion options, as they show on the wire:
 * probes cut into IP fragments (-f, -ff, --mtu), IP options (--ip-options),
 * decoy sources (-D), payload (--data-length...), one TTL (--ttl). Told for teaching: what the
 * option changes in the packets, and what a firewall or IDS in the way then sees.
 */
#include <stdio.h>
#include <string.h>

#include "packet.h"
#include "report.h"
#include "util.h"

static const char *l4_name(const struct st_pkt *p)
{
    switch (p->proto) {
    case ST_IPPROTO_TCP:
        return "TCP";
    case ST_IPPROTO_UDP:
        return "UDP";
    case ST_IPPROTO_ICMP:
        return "ICMP";
    case ST_IPPROTO_SCTP:
        return "SCTP";
    default:
        return "transport";
    }
}

/* Bytes of the transport header a datagram has (as traced). */
static unsigned l4_header_len(const struct st_pkt *p)
{
    if (p->proto == ST_IPPROTO_TCP)
        return p->l4.tcp.off ? p->l4.tcp.off * 4u : 20u;
    return 8; /* ICMP, UDP; SCTP's common header is 12 */
}

void st_explain_train(FILE *out, const struct st_comparison *c, long ti)
{
    char frames[160], kind[128];
    long f = c->t2f[ti];
    size_t n = st_train_frames(c, f, frames, sizeof frames);
    if (!n)
        return;
    const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0});
    struct st_pkt tmp;
    const struct st_pkt *first = st_frame(c, f, &tmp);
    unsigned carried = (unsigned)(first->ip.len - first->ip.ihl * 4);
    unsigned hdr = l4_header_len(p);
    st_format_kind(p, kind, sizeof kind);
    char line[32] = ""; /* a side built from the wire has no lines */
    if (p->line)
        snprintf(line, sizeof line, " (line %u)", p->line);
    if (p->dir == ST_DIR_RCVD) { /* no evasion: a link on its way took less (its MTU) */
        fprintf(out,
                "  Fragments: the %s%s came back as %zu IP fragments of one datagram "
                "(frames %s, IP id %u), %u bytes of it in each but the last: a link on its way "
                "carries smaller packets than it is. Only the first holds the %s header; the "
                "scanner's host reassembles them into the one reply.\n",
                kind, line, n, frames, p->ip.id, carried, l4_name(p));
        return;
    }
    fprintf(out,
            "  Fragments: the %s%s went out as %zu IP fragments of one datagram (frames "
            "%s, IP id %u), %u bytes of it in each but the last. Together they are one probe: "
            "the target reassembles them by their IP id before its TCP/IP stack sees the "
            "probe.",
            kind, line, n, frames, p->ip.id, carried);
    if (carried < hdr)
        fprintf(out,
                " The %u-byte %s header does not fit in the first fragment: a firewall or IDS "
                "that does not reassemble sees only its first %u bytes there, and no %s header "
                "at all in the later ones, so rules on ports or flags cannot match them.",
                hdr, l4_name(p), carried, l4_name(p));
    else
        fprintf(out,
                " A firewall that does not reassemble sees no %s header in the later "
                "fragments.",
                l4_name(p));
    fprintf(out, "\n");
}

/* What the first option of a probe does, by its kind. */
static const char *option_note(uint8_t kind)
{
    switch (kind) {
    case 7:
        return "Record Route (nmap --ip-options R): every router that forwards the probe writes "
               "its address into the option, and a host that answers copies the option into its "
               "reply, so the reply shows the path (at most 9 hops fit)";
    case 68:
        return "Internet Timestamp (nmap --ip-options T or U): every router on the way writes "
               "the time (U: its address and the time) into the option";
    case 131:
        return "Loose Source Route (nmap --ip-options L): the probe names routers it must pass; "
               "its destination field holds the next one, the target is the route's last "
               "address. Most routers and hosts drop source-routed packets";
    case 137:
        return "Strict Source Route (nmap --ip-options S): the probe names every router it must "
               "pass, in order; its destination field holds the next one, the target is the "
               "route's last address. Most routers and hosts drop source-routed packets";
    default:
        return "raw option bytes (nmap --ip-options with \\x bytes): routers and hosts that do "
               "not know an option may drop the packet, and the IP header grows by the options' "
               "length";
    }
}

static void explain_options(FILE *out, const struct st_comparison *c)
{
    for (size_t i = 0; i < c->trace->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &(struct st_pkt){0});
        if (p->dir != ST_DIR_SENT || p->net != ST_NET_IPV4 || !p->ip.optlen)
            continue;
        size_t k = 0;
        while (k + 1 < p->ip.optlen && p->ip.opts[k] == 1)
            k++; /* NOPs only align the next option */
        char text[300];
        struct st_sb sb;
        st_sb_init(&sb, text, sizeof text);
        st_ipopts_format(&sb, p->ip.opts, p->ip.optlen);
        fprintf(out,
                "IP options: the probes carry %u bytes of options in their IP header "
                "(ipopts={%s}, line %u): %s.\n",
                p->ip.optlen, text, p->line, option_note(p->ip.opts[k]));
        return;
    }
}

/* Up to 16 addresses, each once. */
struct addrs {
    uint32_t a[16];
    size_t n;
};

static void addrs_add(struct addrs *s, uint32_t a)
{
    size_t k = 0;
    while (k < s->n && s->a[k] != a)
        k++;
    if (k == s->n && s->n < sizeof s->a / sizeof *s->a)
        s->a[s->n++] = a;
}

/* Whether IPv4 address a is the scanner's own as its trace shows it:
 * run.json's, one replies came to, one its ARP requests said (a decoy is
 * answered elsewhere, and never resolves a neighbour). No cap on how many
 * the host has: each candidate source is looked up. */
static bool own_addr(const struct st_comparison *c, uint32_t a)
{
    const struct st_trace *t = c->trace;
    for (size_t i = 0; i < t->nlocal; i++)
        if (t->local[i] == a)
            return true;
    for (size_t i = 0; i < t->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(t, i, &(struct st_pkt){0});
        if ((p->net == ST_NET_IPV4 && p->dir == ST_DIR_RCVD && p->ip.dst == a) ||
            (p->net == ST_NET_ARP && p->dir == ST_DIR_SENT && p->arp.spa == a))
            return true;
    }
    return false;
}

/* Sources of the scanner's probes: one that is not its own is a decoy (a
 * host with two interfaces probes from both: no decoy). */
static void explain_decoys(FILE *out, const struct st_comparison *c)
{
    struct addrs src = {0};
    bool own[sizeof src.a / sizeof *src.a];
    for (size_t i = 0; i < c->trace->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &(struct st_pkt){0});
        if (p->net == ST_NET_IPV4 && !(p->flags & ST_PKT_CONNECT) && p->dir == ST_DIR_SENT)
            addrs_add(&src, p->ip.src);
    }
    if (src.n < 2)
        return;
    size_t decoys = 0;
    for (size_t k = 0; k < src.n; k++)
        decoys += !(own[k] = own_addr(c, src.a[k]));
    bool nmap = st_report_nmap_rules(c);
    if (nmap && !decoys)
        return;
    char a[16];
    if (nmap)
        fprintf(out,
                "Decoys (nmap -D): every probe went out %zu times, from %zu source addresses "
                "(",
                decoys + 1, src.n);
    else /* zmap -S with a range, say: each source is the scanner's own */
        fprintf(out, "Sources: the probes went out from %zu addresses (", src.n);
    for (size_t k = 0; k < src.n; k++)
        fprintf(out, "%s%s%s", k ? ", " : "", st_ip4_str(src.a[k], a),
                nmap && own[k] ? " yours" : "");
    if (nmap)
        fprintf(out, "). The target answers each copy to its source: only the answers to your "
                     "own address come back to you, while its logs and IDS see several scanners "
                     "at once.\n");
    else
        fprintf(out, "). Each target answers the source its probe came from.\n");
}

static void explain_fragments(FILE *out, const struct st_comparison *c)
{
    size_t trains = 0, replies = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < c->trace->npkts; i++)
        if (st_train_frames(c, c->t2f[i], NULL, 0)) {
            if (st_trace_pkt(c->trace, i, &tmp)->dir == ST_DIR_RCVD)
                replies++;
            else
                trains++;
        }
    if (trains)
        fprintf(out,
                "Fragmentation%s: %zu probe(s) went out cut into IP fragments, each listed "
                "under its host below.\n",
                st_report_nmap_rules(c) ? " (nmap -f, -ff or --mtu)" : "", trains);
    /* not the scanner's doing: said apart from its evasion options */
    if (replies)
        fprintf(out,
                "Replies in fragments: %zu reply(ies) came back cut into IP fragments by a link "
                "that carries smaller packets, each listed under its host below.\n",
                replies);
}

/* Payload bytes after the transport header of a traced probe (TCP, ICMP echo). */
static unsigned payload_of(const struct st_pkt *p)
{
    unsigned l3 = p->ip.ihl ? p->ip.ihl * 4u : 20u + p->ip.optlen;
    unsigned hdr = l4_header_len(p);
    if (p->proto != ST_IPPROTO_TCP && p->proto != ST_IPPROTO_ICMP)
        return 0;
    if (p->proto == ST_IPPROTO_ICMP && p->l4.icmp.type != 8)
        return 0;
    return p->ip.len > l3 + hdr ? p->ip.len - l3 - hdr : 0;
}

/* Payload on the probes, and one TTL on all of them. */
static void explain_payload_ttl(FILE *out, const struct st_comparison *c)
{
    unsigned payload = 0, line = 0, frame = 0, nsent = 0;
    int ttl = -1;
    bool one_ttl = true;
    for (size_t i = 0; i < c->trace->npkts; i++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, i, &(struct st_pkt){0});
        if (p->dir != ST_DIR_SENT || p->net != ST_NET_IPV4 || (p->flags & ST_PKT_CONNECT))
            continue;
        nsent++;
        one_ttl = one_ttl && (ttl < 0 || ttl == p->ip.ttl);
        ttl = p->ip.ttl;
        if (!payload && payload_of(p)) {
            payload = payload_of(p), line = p->line;
            frame = c->t2f[i] >= 0 ? st_frame(c, c->t2f[i], &(struct st_pkt){0})->frame : 0;
        }
    }
    bool nmap = st_report_nmap_rules(c);
    if (payload && nmap)
        fprintf(out,
                "Payload (nmap --data-length, --data or --data-string): the probes carry %u "
                "bytes of data after their headers (line %u). Host discovery needs none; it "
                "changes the probes' length, which an IDS signature of empty scanner probes "
                "may key on.\n",
                payload, line);
    else if (payload) /* another scanner's own habit (fping's 56 bytes), no option */
        fprintf(out,
                "Payload: %s's probes carry %u bytes of data after their headers (frame %u); "
                "nmap's carry none unless asked (--data-length).\n",
                st_report_scanner_name(c), payload, frame);
    if (one_ttl && nsent >= 4 && nmap)
        fprintf(out,
                "One TTL (nmap --ttl): every probe left with TTL %d; without --ttl nmap picks "
                "37 to 59 at random for each.\n",
                ttl);
    else if (one_ttl && nsent >= 4)
        fprintf(out,
                "One TTL: every probe of %s left with TTL %d; nmap picks 37 to 59 at random "
                "for each unless given --ttl.\n",
                st_report_scanner_name(c), ttl);
}

void st_explain_evasion(FILE *out, const struct st_comparison *c)
{
    explain_fragments(out, c);
    explain_options(out, c);
    explain_decoys(out, c);
    explain_payload_ttl(out, c);
}
