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
    };
    const char *why = st_pair_find(t, ST_PAIRS_N(t), reason, NULL);
    return why ? why : "the scanner says so";
}

static const char *why_down(const char *reason)
{
    if (!strcmp(reason, "host-unreach"))
        return "a router reported it unreachable (ICMP host unreachable): nobody has that "
               "address";
    if (!strcmp(reason, "net-unreach"))
        return "a router reported its network unreachable";
    if (!strcmp(reason, "admin-prohibited"))
        return "a firewall answered that the traffic is prohibited";
    if (!strcmp(reason, "time-exceeded"))
        return "a probe's TTL ran out on the way";
    return "nothing came back to any probe, in any try: the host is off, absent, or a firewall "
           "drops everything it would have answered";
}

static const char *kernel_note(enum st_cause c)
{
    switch (c) {
    case ST_CAUSE_OS_RST:
        return "your kernel answered the SYN/ACK with a RST because it never opened that "
               "connection: the SYN came from a raw socket, not from connect()";
    case ST_CAUSE_OS_ARP:
        return "address resolution your kernel did on its own, to find the MAC address to send "
               "to (or to answer a neighbour)";
    case ST_CAUSE_OS_TCP:
        return "your kernel's own part of the connect(): completing or closing the handshake, or "
               "trying the SYN again";
    case ST_CAUSE_LATE_REPLY:
        return "an answer that came after the host was already decided (or the scan was over): "
               "the scanner only traces the first";
    case ST_CAUSE_MISSED_REPLY:
        return "an answer the scanner never traced although nothing else had decided the host: "
               "its receiver missed it";
    case ST_CAUSE_RETRANSMIT:
        return "a probe on the wire that the scanner's trace does not show";
    default:
        return "on the wire only, for no reason scantrace knows";
    }
}

static void frame_ref(FILE *out, const struct st_comparison *c, long ti)
{
    long f = c->t2f[ti];
    char train[160];
    if (st_train_frames(c, f, train, sizeof train))
        fprintf(out, "frames %s", train);
    else if (f >= 0)
        fprintf(out, "frame %u", st_frame(c, f, &(struct st_pkt){0})->frame);
    else
        fprintf(out, "trace line %u, NOT on the wire", c->trace->pkts[ti].line);
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
                        const long *pkts, size_t n, enum st_dir dir)
{
    char kind[128];
    if (!n)
        return;
    fputs(title, out);
    for (size_t i = 0; i < n; i++) {
        kind_of(&c->trace->pkts[pkts[i]], dir, kind, sizeof kind);
        fprintf(out, "%s %s (", i ? "," : "", kind);
        frame_ref(out, c, pkts[i]);
        fprintf(out, ")");
    }
    fprintf(out, ".\n");
}

static void explain_host(FILE *out, const struct st_comparison *c, const struct st_mode *mode,
                         const struct st_mode_host *h)
{
    char a[16], kind[128];
    fprintf(out, "\n%s (mode %s): %s.\n", st_ip4_str(h->addr, a), mode->name,
            h->up ? "UP" : "DOWN");

    packet_list(out, c, "  Went out:", h->probes, h->nprobes, ST_DIR_SENT);
    for (size_t i = 0; i < h->nprobes; i++)
        st_explain_train(out, c, h->probes[i]);
    packet_list(out, c, "  Came back and traced:", h->replies, h->nreplies, ST_DIR_RCVD);
    if (h->up)
        fprintf(out, "  Why up: %s (reason %s", why_up(h->reason), h->reason);
    else
        fprintf(out, "  Why down: %s (reason %s", why_down(h->reason), h->reason);
    if (h->latency_s >= 0)
        fprintf(out, ", %.6f s after the probe", h->latency_s);
    fprintf(out, ").\n");

    for (size_t i = 0; i < h->nprobes; i++) {
        long ti = h->probes[i];
        if (c->t2f[ti] >= 0)
            continue;
        kind_of(&c->trace->pkts[ti], ST_DIR_SENT, kind, sizeof kind);
        if (c->tcause[ti] == ST_CAUSE_NO_ARP)
            fprintf(out,
                    "  The trace says %s %s was sent (line %u), but it never reached the wire: "
                    "your kernel asked for the target's MAC address (ARP) and got no "
                    "answer, so it dropped the packet.\n",
                    article(kind), kind, c->trace->pkts[ti].line);
        else
            fprintf(out,
                    "  The trace says %s %s was sent (line %u), but the capture does not have "
                    "it (%s).\n",
                    article(kind), kind, c->trace->pkts[ti].line, st_cause_name(c->tcause[ti]));
    }
    for (size_t i = 0; i < h->nwire; i++) {
        long f = h->wire[i];
        struct st_pkt tmp;
        const struct st_pkt *fr = st_frame(c, f, &tmp);
        kind_of(fr, c->fdir[f], kind, sizeof kind);
        fprintf(out, "  On the wire but not in the trace: %s (frame %u): %s.\n", kind, fr->frame,
                kernel_note(c->fcause[f]));
    }
}

void st_report_explain(const struct st_comparison *c, FILE *out)
{
    fprintf(out, "What the scan did, host by host (trace %s, capture %s).\n", c->trace_path,
            c->capture_path);
    fprintf(out, "Frames are numbered as Wireshark numbers them; lines are the trace's lines.\n");
    st_explain_evasion(out, c);
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++)
            explain_host(out, c, &c->modes[m], &c->modes[m].hosts[h]);

    /* the kernel's packets that concern no single host (ARP for the gateway...) */
    bool header = false;
    for (size_t i = 0; i < c->cap->n; i++) {
        if (c->f2t[i] >= 0 || c->frel[i] >= 0 || c->fcause[i] == ST_CAUSE_UNRELATED)
            continue;
        char brief[ST_LINE_MAX];
        if (!header)
            fprintf(out, "\nAbout no single host:\n");
        header = true;
        struct st_pkt tmp;
        const struct st_pkt *fr = st_frame(c, (long)i, &tmp);
        st_format_brief(fr, brief, sizeof brief);
        fprintf(out, "  %s (frame %u): %s.\n", brief, fr->frame, kernel_note(c->fcause[i]));
    }
    if (c->discrepancies)
        fprintf(out,
                "\n%zu packet(s) above are discrepancies: see `scantrace compare` for the "
                "list.\n",
                c->discrepancies);
}
