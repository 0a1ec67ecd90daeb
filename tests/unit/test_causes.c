/*
 * The comparator's rules as tables, each row a small trace and a small
 * capture run through the real comparison (st_compare_run, then
 * st_compare_summarize):
 *
 *   wire_causes   why a frame is on the wire only (os-rst, os-arp, ...)
 *   trace_causes  why a trace line has no frame (no-arp, capture-drop, outside-capture)
 *   matching      which frame each trace line is (identity, then time)
 *   host_verdicts what the comparator says of a host, and why
 *
 * Traces and frames are nmap --packet-trace lines: the frames are read with
 * the same parser, their time moved to the capture's clock. A frame line
 * may end in " | quoting LINE": an ICMP error whose quoted datagram is the
 * probe of LINE (nmap's trace does not print the quoted IP id; the capture
 * has it); or in " | sll pkttype N": captured with -i any, a Linux cooked
 * header's packet type N.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "packet.h"
#include "rows.h"

#define CAPTURE_EPOCH_NS 1700000000000000000LL /* the capture clock at trace time 0 */
#define QUOTING          " | quoting "
#define SLL              " | sll pkttype "
#define MAX_FRAMES       8
#define SCANNER          "198.18.2.1"

/* ---- a comparison of a trace and frames ----------------------------------- */

struct world {
    struct st_trace t;
    struct st_dissection cap;
    struct st_comparison c;
};

static void read_trace(const char *name, const char *text, struct st_trace *t)
{
    char err[512];
    if (st_row_trace(text, t, err, sizeof err))
        fail_msg("%s: the row's trace does not read: %s", name, err);
}

/* The quoted datagram of an ICMP error: the probe's IP header and ports. */
static void quote_probe(const char *name, struct st_pkt *err, const char *probe_line)
{
    struct st_pkt probe;
    st_row_parse(name, probe_line, &probe);
    struct st_quote *q = &err->l4.icmp.quote;
    q->present = true;
    q->ip = probe.ip;
    q->ip.proto = probe.proto;
    if (probe.proto == ST_IPPROTO_TCP) {
        q->sport = probe.l4.tcp.sport;
        q->dport = probe.l4.tcp.dport;
        q->seq = probe.l4.tcp.seq;
    } else if (probe.proto == ST_IPPROTO_UDP) {
        q->sport = probe.l4.udp.sport;
        q->dport = probe.l4.udp.dport;
    } else if (probe.proto == ST_IPPROTO_ICMP) {
        q->icmp_type = probe.l4.icmp.type;
        q->icmp_id = probe.l4.icmp.id;
        q->icmp_seq = probe.l4.icmp.seq;
    }
}

static void add_frame(const char *name, struct st_dissection *cap, const char *spec)
{
    char line[512];
    const char *q = strstr(spec, QUOTING), *sll = strstr(spec, SLL);
    const char *end = q ? q : sll;
    snprintf(line, sizeof line, "%.*s", (int)(end ? end - spec : (ptrdiff_t)strlen(spec)), spec);
    struct st_pkt p;
    st_row_parse(name, line, &p);
    if (sll) /* captured with -i any: a Linux cooked header's packet type */
        p.pkttype = (uint8_t)(1 + atoi(sll + strlen(SLL)));
    if (q)
        quote_probe(name, &p, q + strlen(QUOTING));
    p.flags &= ~(unsigned)ST_PKT_L4_SHORT; /* a LOW line's ICMP: the frame has it all */
    if (p.flags & ST_PKT_NO_ECHO_ID) { /* an ICMPv6 echo's id and seq, which nmap does not print */
        p.flags &= ~(unsigned)ST_PKT_NO_ECHO_ID;
        p.l4.icmp.id = 0x5eed;
    }
    if (p.net == ST_NET_ARP && (p.arp.op & 0xff) == 2 && !p.arp.tpa)
        st_ip4_parse(SCANNER, &p.arp.tpa); /* nmap's line names no target: it was us */
    p.link = sll ? ST_LINK_SLL : ST_LINK_ETHERNET;
    p.frame = (uint32_t)cap->n + 1;
    p.time_ns += CAPTURE_EPOCH_NS;
    st_dissection_push(cap, &p);
}

static void world_run(struct world *w, const char *name, const char *trace,
                      const char *const *frames, uint64_t dropped)
{
    memset(w, 0, sizeof *w);
    read_trace(name, trace, &w->t);
    for (size_t i = 0; i < MAX_FRAMES && frames[i]; i++)
        add_frame(name, &w->cap, frames[i]);
    w->c.dropped_known = true;
    w->c.capture_dropped = dropped;
    st_compare_run(&w->c, &w->t, &w->cap);
    st_compare_summarize(&w->c);
}

static void world_free(struct world *w)
{
    st_compare_free(&w->c);
    st_dissection_free(&w->cap);
    st_trace_free(&w->t);
}

/* A row's packet is on one side only (`other`, its match on the other
 * side, is -1), for the reason `want`. */
static void one_sided(const char *row, long other, enum st_cause got, const char *want)
{
    if (other >= 0)
        st_row_fail("%s: matched packet %ld of the other side", row, other + 1);
    else if (strcmp(st_cause_name(got), want))
        st_row_fail("%s: cause %s, want %s", row, st_cause_name(got), want);
}

/* ---- the lines of the rows -------------------------------------------------- */

/* the scanner 198.18.2.1, a target 198.18.3.2 behind the router 198.18.2.254 */
#define ECHO_REQ(t, id)                                                                            \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=100 seq=0] IP "    \
    "[ttl=53 id=" id " iplen=28 ]"
#define ECHO_REPLY(t)                                                                              \
    "RCVD (" t ") ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=100 seq=0] IP "      \
    "[ttl=64 id=5001 iplen=28 ]"
#define SYN(t, id)                                                                                 \
    "SENT (" t ") TCP 198.18.2.1:40000 > 198.18.3.2:443 S ttl=41 id=" id " iplen=44  seq=1000 "    \
    "win=1024 <mss 1460>"
#define SYN_ACK(t)                                                                                 \
    "RCVD (" t ") TCP 198.18.3.2:443 > 198.18.2.1:40000 SA ttl=64 id=0 iplen=44  seq=777 "         \
    "win=64240 <mss 1460>"
#define OS_RST(t)                                                                                  \
    "SENT (" t ") TCP 198.18.2.1:40000 > 198.18.3.2:443 R ttl=64 id=0 iplen=40  seq=1001 win=0 "
#define HOST_UNREACH(t)                                                                            \
    "RCVD (" t ") ICMP [198.18.2.254 > 198.18.2.1 Host 198.18.3.2 unreachable (type=3/code=1) ] "  \
    "IP [ttl=64 id=30769 iplen=56 ]"
#define ARP_ASK(t, who)   "SENT (" t ") ARP who-has " who " tell 198.18.2.1"
#define ARP_REPLY(t, who) "RCVD (" t ") ARP reply " who " is-at 6E:70:59:D4:5E:38"
#define CONN(t, result)   "CONN (" t ") TCP localhost > 198.18.3.2:80 => " result "\n"
#define KERNEL_TCP(t, flags, id, seq)                                                              \
    "SENT (" t ") TCP 198.18.2.1:50000 > 198.18.3.2:80 " flags " ttl=64 id=" id                    \
    " iplen=52  seq=" seq " win=502 "
#define DONE(secs) "Nmap done: 1 IP address (1 host up) scanned in " secs " seconds\n"
/* nmap -6: the scanner 2001:2:0:2::1, a target 2001:2:0:3::2 behind the
 * router 2001:2:0:2::fe; a neighbour's solicitation and advertisement are
 * written as nmap's ND reader prints them (they carry the target) */
#define ECHO6(t)                                                                                   \
    "SENT (" t ") ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=255 flow=0 "    \
    "payloadlen=8"
#define ECHO6_REPLY(t)                                                                             \
    "RCVD (" t ") ICMPv6 (58) 2001:2:0:3::2 > 2001:2:0:2::1 (type=129/code=0) hopl=63 "            \
    "flow=2eff5 payloadlen=8"
#define SYN6(t)                                                                                    \
    "SENT (" t ") TCP 2001:2:0:2::1:48816 > 2001:2:0:3::2:443 S hopl=255 flow=0 payloadlen=24 "    \
    "seq=1000 win=1024 <mss 1460>"
#define SYN_ACK6(t)                                                                                \
    "RCVD (" t ") TCP 2001:2:0:3::2:443 > 2001:2:0:2::1:48816 SA hopl=63 flow=e976a "              \
    "payloadlen=24 seq=777 win=64800 <mss 1440>"
#define OS_RST6(t)                                                                                 \
    "SENT (" t ") TCP 2001:2:0:2::1:48816 > 2001:2:0:3::2:443 R hopl=64 flow=af04a "               \
    "payloadlen=20 seq=1001 win=0 "
#define NS6(t, src, dst, who) "SENT (" t ") neighbor solicitation " src " > " dst " who has " who
#define NA6(t, src, dst, who)                                                                      \
    "RCVD (" t ") neighbor advertisement " src " > " dst " " who " is at 6e:70:59:d4:5e:38"
#define L(line)  line "\n"
#define STARTING "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 15:59 UTC\n"

/* ---- why a frame is on the wire only ---------------------------------------- */

static const struct wire_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    size_t frame; /* 1-based */
    const char *cause;
} wire_causes[] = {
    {"os-nd: the kernel's solicitation for the router (IPv6)",
     L(ECHO6("0.0100s")),
     {NS6("0.0090s", "2001:2:0:2::1", "ff02::1:ff00:fe", "2001:2:0:2::fe"), ECHO6("0.0100s")},
     1,
     "os-nd"},
    {"os-nd: the router's advertisement to it",
     L(ECHO6("0.0100s")),
     {NS6("0.0090s", "2001:2:0:2::1", "ff02::1:ff00:fe", "2001:2:0:2::fe"),
      NA6("0.0095s", "2001:2:0:2::fe", "2001:2:0:2::1", "2001:2:0:2::fe"), ECHO6("0.0100s")},
     2,
     "os-nd"},
    {"os-nd: a neighbour's solicitation of the scanner's link-local (learnt from its answer)",
     L(ECHO6("0.0100s")),
     {ECHO6("0.0100s"), "RCVD (1.0s) neighbor solicitation fe80::2 > fe80::1 who has fe80::1",
      "SENT (1.0001s) neighbor advertisement fe80::1 > fe80::2 fe80::1 is at 6e:70:59:d4:5e:38"},
     2,
     "os-nd"},
    {"unrelated: two other hosts' neighbour discovery",
     L(ECHO6("0.0100s")),
     {ECHO6("0.0100s"), "RCVD (1.0s) neighbor solicitation fe80::7 > fe80::8 who has fe80::8"},
     2,
     "unrelated"},
    {"os-mld: the kernel joins a group (IPv6)",
     L(ECHO6("0.0100s")),
     {"SENT (0.0050s) ICMPv6 (58) fe80::1 > ff02::16 (type=143/code=0) hopl=1 flow=0 "
      "payloadlen=36",
      ECHO6("0.0100s")},
     1,
     "os-mld"},
    {"os-rs: the kernel looks for routers (IPv6)",
     L(ECHO6("0.0100s")),
     {"SENT (0.0050s) ICMPv6 (58) fe80::1 > ff02::2 (type=133/code=0) hopl=255 flow=0 "
      "payloadlen=16",
      ECHO6("0.0100s")},
     1,
     "os-rs"},
    {"os-rst: the kernel resets an untraced SYN/ACK (IPv6)",
     L(SYN6("0.0100s")) L(SYN_ACK6("0.0200s")),
     {SYN6("0.0100s"), SYN_ACK6("0.0200s"), OS_RST6("0.0201s")},
     3,
     "os-rst"},
    {"late-reply: an IPv6 reply after another one decided the host",
     L(ECHO6("0.0100s")) L(SYN6("0.0110s")) L(ECHO6_REPLY("0.0200s")),
     {ECHO6("0.0100s"), SYN6("0.0110s"), ECHO6_REPLY("0.0200s"), SYN_ACK6("0.0300s")},
     4,
     "late-reply"},
    {"missed-reply: an IPv6 reply in time that the trace does not show",
     L(ECHO6("0.0100s")) DONE("0.05"),
     {ECHO6("0.0100s"), ECHO6_REPLY("0.0200s")},
     2,
     "missed-reply"},
    {"os-rst: the scanner's kernel resets an untraced SYN/ACK",
     L(SYN("0.0100s", "1002")) L(SYN_ACK("0.0200s")),
     {SYN("0.0100s", "1002"), SYN_ACK("0.0200s"), OS_RST("0.0201s")},
     3,
     "os-rst"},
    {"os-arp: the kernel's ARP for a probe",
     L(ECHO_REQ("0.0100s", "1001")),
     {ARP_ASK("0.0090s", "198.18.2.254"), ECHO_REQ("0.0100s", "1001")},
     1,
     "os-arp"},
    {"os-arp: its answer too",
     L(ECHO_REQ("0.0100s", "1001")),
     {ARP_ASK("0.0090s", "198.18.2.254"), ARP_REPLY("0.0095s", "198.18.2.254"),
      ECHO_REQ("0.0100s", "1001")},
     2,
     "os-arp"},
    {"os-tcp: the kernel's ACK of a connect()",
     CONN("0.0100s", "Operation now in progress") CONN("0.0200s", "Connected"),
     {KERNEL_TCP("0.0100s", "S", "1", "5000"),
      "RCVD (0.0200s) TCP 198.18.3.2:80 > 198.18.2.1:50000 SA ttl=64 id=0 iplen=52  seq=9000 "
      "win=65160 ",
      KERNEL_TCP("0.0201s", "A", "2", "5001")},
     3,
     "os-tcp"},
    {"late-reply: a reply after another one decided the host",
     L(ECHO_REQ("0.0100s", "1001")) L(SYN("0.0110s", "1002")) L(ECHO_REPLY("0.0200s")),
     {ECHO_REQ("0.0100s", "1001"), SYN("0.0110s", "1002"), ECHO_REPLY("0.0200s"),
      SYN_ACK("0.0300s")},
     4,
     "late-reply"},
    {"late-reply: a reply after the scan ended",
     L(ECHO_REQ("0.0100s", "1001")) DONE("0.05"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0600s")},
     2,
     "late-reply"},
    {"missed-reply: a reply in time that the trace does not show",
     L(ECHO_REQ("0.0100s", "1001")) DONE("0.05"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0200s")},
     2,
     "missed-reply"},
    {"missed-reply: an ICMP error quoting a probe",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"), HOST_UNREACH("0.0200s") QUOTING SYN("0.0100s", "1002")},
     2,
     "missed-reply"},
    {"missed-reply: a router's unreachable 3 s on, after two tries: nmap reads all ICMP "
     "while it scans, whichever host it has given up",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REQ("1.0100s", "1002")) DONE("3.50"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REQ("1.0100s", "1002"),
      HOST_UNREACH("3.0500s") QUOTING ECHO_REQ("0.0100s", "1001")},
     3,
     "missed-reply"},
    {"late-reply: the unreachable while nmap ARP-pings the segment (its sniffer reads ARP alone)",
     L(ECHO_REQ("0.0100s", "1001"))
         L("Nmap scan report for 198.18.3.2 [host down, received no-response]")
             L(ARP_ASK("1.0100s", "198.18.1.9")) DONE("3.50"),
     {ECHO_REQ("0.0100s", "1001"), ARP_ASK("1.0100s", "198.18.1.9"),
      HOST_UNREACH("3.0500s") QUOTING ECHO_REQ("0.0100s", "1001")},
     3,
     "late-reply"},
    {"missed-reply: the same, but nmap traced an IP packet since: it was reading ICMP again",
     L(ECHO_REQ("0.0100s", "1001")) L(ARP_ASK("1.0100s", "198.18.1.9"))
         L("SENT (2.0100s) ICMP [198.18.2.1 > 198.18.3.7 Echo request (type=8/code=0) id=100 "
           "seq=0] IP [ttl=53 id=1009 iplen=28 ]") DONE("3.50"),
     {ECHO_REQ("0.0100s", "1001"), ARP_ASK("1.0100s", "198.18.1.9"),
      "SENT (2.0100s) ICMP [198.18.2.1 > 198.18.3.7 Echo request (type=8/code=0) id=100 "
      "seq=0] IP [ttl=53 id=1009 iplen=28 ]",
      HOST_UNREACH("3.0500s") QUOTING ECHO_REQ("0.0100s", "1001")},
     4,
     "missed-reply"},
    {"missed-reply: before the ARP group began",
     L(ECHO_REQ("0.0100s", "1001"))
         L("Nmap scan report for 198.18.3.2 [host down, received no-response]")
             L(ARP_ASK("1.0100s", "198.18.1.9")) DONE("3.50"),
     {ECHO_REQ("0.0100s", "1001"), HOST_UNREACH("0.5000s") QUOTING ECHO_REQ("0.0100s", "1001"),
      ARP_ASK("1.0100s", "198.18.1.9")},
     2,
     "missed-reply"},
    {"late-reply: within the rounding of \"scanned in 0.05 seconds\", past the last line",
     L(ECHO_REQ("0.0100s", "1001")) DONE("0.05"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0460s")},
     2,
     "late-reply"},
    {"missed-reply: within that rounding, but nmap reported the host up: it read a reply",
     L(ECHO_REQ("0.0100s", "1001")) "Nmap scan report for 198.18.3.2\nHost is up (0.00010s "
                                    "latency).\n" DONE("0.05"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0460s")},
     2,
     "missed-reply"},
    {"missed-reply: before that rounding",
     L(ECHO_REQ("0.0100s", "1001")) DONE("0.05"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0440s")},
     2,
     "missed-reply"},
    {"unrelated: a zmap error quoting this run's IP id (54321) but another run's ports",
     L(SYN("0.0100s", "54321")),
     {SYN("0.0100s", "54321"), HOST_UNREACH("0.0200s") QUOTING
      "SENT (0.0100s) TCP 198.18.2.1:54554 > 198.18.3.2:443 S ttl=41 id=54321 iplen=44  "
      "seq=1000 win=1024 <mss 1460>"},
     2,
     "unrelated"},
    {"missed-reply: an error quoting zmap's second probe (same IP id, its own ports): a retry's "
     "key repeats, its ports do not",
     L(SYN("0.0100s", "54321"))
         L("SENT (0.0110s) TCP 198.18.2.1:40002 > 198.18.3.2:443 S ttl=41 id=54321 iplen=44  "
           "seq=1000 win=1024 <mss 1460>"),
     {SYN("0.0100s", "54321"),
      "SENT (0.0110s) TCP 198.18.2.1:40002 > 198.18.3.2:443 S ttl=41 id=54321 iplen=44  "
      "seq=1000 win=1024 <mss 1460>",
      HOST_UNREACH("0.0200s") QUOTING
      "SENT (0.0110s) TCP 198.18.2.1:40002 > 198.18.3.2:443 S ttl=41 id=54321 iplen=44  "
      "seq=1000 win=1024 <mss 1460>"},
     3,
     "missed-reply"},
    {"unrelated: an ICMP error quoting no probe of the trace",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"), HOST_UNREACH("0.0200s") QUOTING SYN("0.0100s", "4242")},
     2,
     "unrelated"},
    {"unrelated: neither to nor from the scanner",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"),
      "RCVD (0.0150s) UDP 198.18.3.7:53 > 198.18.3.8:5353 ttl=64 id=7 iplen=40 "},
     2,
     "unrelated"},
    {"retransmit: the probe again, untraced",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"), SYN("1.0100s", "1003")},
     2,
     "retransmit"},
    {"after-trace: the same past the last line of a log cut short (no \"Nmap done\")",
     STARTING L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"), SYN("1.0100s", "1003")},
     2,
     "after-trace"},
    {"retransmit: the same in a log that ended",
     STARTING L(SYN("0.0100s", "1002")) DONE("2.00"),
     {SYN("0.0100s", "1002"), SYN("1.0100s", "1003")},
     2,
     "retransmit"},
    {"unknown: from the scanner, like no probe",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"),
      "SENT (0.0150s) UDP 198.18.2.1:40000 > 198.18.3.2:7 ttl=64 id=9 iplen=40 "},
     2,
     "unknown"},
    {"unknown: to the scanner, answering no probe",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"),
      "RCVD (0.0150s) UDP 198.18.3.2:7 > 198.18.2.1:40000 ttl=64 id=9 iplen=40 "},
     2,
     "unknown"},
    {"dns: the scanner asks a name server (nmap's reverse DNS, without -n)",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"),
      "SENT (0.0150s) UDP 198.18.2.1:40000 > 198.18.1.53:53 ttl=64 id=9 iplen=72 "},
     2,
     "dns"},
    {"dns: the name server's answer",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002"),
      "RCVD (0.0150s) UDP 198.18.1.53:53 > 198.18.2.1:40000 ttl=64 id=9 iplen=120 "},
     2,
     "dns"},
#define PING_OTHER(t)                                                                              \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.9.9 Echo request (type=8/code=0) id=4242 seq=1] IP "   \
    "[ttl=64 id=777 iplen=84 ]"
#define PING_OTHER_REPLY(t)                                                                        \
    "RCVD (" t ") ICMP [198.18.9.9 > 198.18.2.1 Echo reply (type=0/code=0) id=4242 seq=1] IP "     \
    "[ttl=63 id=778 iplen=84 ]"
    {"background: the scanner's host pings an address the scan never probed (ping)",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), PING_OTHER("0.0150s"), PING_OTHER_REPLY("0.0160s")},
     2,
     "background"},
    {"background: and its answer",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), PING_OTHER("0.0150s"), PING_OTHER_REPLY("0.0160s")},
     3,
     "background"},
    {"background: the kernel's multicast (IGMP), to no target",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"),
      "SENT (0.0150s) igmp (2) 198.18.2.1 > 224.0.0.22: ttl=1 id=0 iplen=40 "},
     2,
     "background"},
    {"unknown: a stranger's packet to the scanner, never spoken to",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), PING_OTHER_REPLY("0.0160s")},
     2,
     "unknown"},
    {"background: an answer from a non-target before the scan's first probe (asked before "
     "the capture began: another program, another shard)",
     L(ECHO_REQ("0.0100s", "1001")),
     {PING_OTHER_REPLY("0.0050s"), ECHO_REQ("0.0100s", "1001")},
     1,
     "background"},
    {"unknown: a target's packet before the scan's first probe stays a question",
     L(ECHO_REQ("0.0100s", "1001")),
     {"RCVD (0.0050s) ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=7 seq=1] IP "
      "[ttl=63 id=778 iplen=28 ]",
      ECHO_REQ("0.0100s", "1001")},
     1,
     "unknown"},
#define ECHO_TTL(t, ttl)                                                                           \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=100 seq=0] IP "    \
    "[ttl=" ttl " id=1001 iplen=28 ]"
    {"copy: the probe again past the router (TTL one less): a capture on its two sides",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), ECHO_TTL("0.0101s", "52")},
     2,
     "copy"},
    {"copy: the reply seen on both sides of the router",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY("0.0200s")),
     {ECHO_REQ("0.0100s", "1001"),
      "RCVD (0.0199s) ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=100 seq=0] IP "
      "[ttl=65 id=5001 iplen=28 ]",
      ECHO_REPLY("0.0200s")},
     2,
     "copy"},
    {"copy: -i any on a bridge sees a packet on its port and on the bridge, one TTL",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001") SLL "3", ECHO_REQ("0.0101s", "1001") SLL "0"},
     2,
     "copy"},
    {"retransmit, not copy: -i any, the same packet type twice",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001") SLL "4", ECHO_REQ("0.0101s", "1001") SLL "4"},
     2,
     "retransmit"},
    {"retransmit, not copy: the same datagram sent twice alike (one TTL, one segment)",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REQ("0.0102s", "1001")},
     2,
     "retransmit"},
    {"retransmit, not copy: another TTL, but 60 ms later",
     L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001"), ECHO_TTL("0.0700s", "52")},
     2,
     "retransmit"},
    {"copy: an IPv6 probe past the router (hop limit one less)",
     L(ECHO6("0.0100s")),
     {ECHO6("0.0100s"),
      "SENT (0.0101s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=254 "
      "flow=0 payloadlen=8"},
     2,
     "copy"},
    {"retransmit, not dns: a -PU53 probe sent again untraced",
     L("SENT (0.0100s) UDP 198.18.2.1:40000 > 198.18.3.2:53 ttl=64 id=9 iplen=28 "),
     {"SENT (0.0100s) UDP 198.18.2.1:40000 > 198.18.3.2:53 ttl=64 id=9 iplen=28 ",
      "SENT (1.0100s) UDP 198.18.2.1:40000 > 198.18.3.2:53 ttl=64 id=10 iplen=28 "},
     2,
     "retransmit"},
};

static void test_wire_causes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof wire_causes / sizeof wire_causes[0]; i++) {
        const struct wire_row *r = &wire_causes[i];
        struct world w;
        world_run(&w, r->name, r->trace, r->frames, 0);
        size_t f = r->frame - 1;
        one_sided(r->name, w.c.f2t[f], w.c.fcause[f], r->cause);
        world_free(&w);
    }
    st_rows_done();
}

/* A scanner side built from the wire (zmap, masscan, fping: no packet trace
 * to say what it sent): a frame to an address outside its targets like its
 * probes may be one gone astray, so it stays unknown; one unlike them all is
 * another program's. */
static const struct {
    const char *name, *frame, *cause;
} from_wire_rows[] = {
    {"from the wire: an echo with the id of all the scanner's, outside its targets",
     "SENT (0.0150s) ICMP [198.18.2.1 > 198.18.9.9 Echo request (type=8/code=0) id=100 seq=0] IP "
     "[ttl=53 id=1005 iplen=28 ]",
     "unknown"},
    {"from the wire: an echo with another id (ping beside fping)", PING_OTHER("0.0150s"),
     "background"},
    {"from the wire: ssh, where the scanner sent only echoes",
     "SENT (0.0150s) TCP 198.18.2.1:40022 > 198.18.9.9:22 A ttl=64 id=9 iplen=52  seq=1 win=502 ",
     "background"},
};

static void test_background_from_wire(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof from_wire_rows / sizeof from_wire_rows[0]; i++) {
        struct world w;
        memset(&w, 0, sizeof w);
        read_trace(from_wire_rows[i].name, L(ECHO_REQ("0.0100s", "1001")), &w.t);
        add_frame(from_wire_rows[i].name, &w.cap, ECHO_REQ("0.0100s", "1001"));
        add_frame(from_wire_rows[i].name, &w.cap, from_wire_rows[i].frame);
        w.c.dropped_known = true;
        w.c.from_wire = true;
        st_compare_run(&w.c, &w.t, &w.cap);
        one_sided(from_wire_rows[i].name, w.c.f2t[1], w.c.fcause[1], from_wire_rows[i].cause);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- why a trace line has no frame ------------------------------------------ */

static const struct trace_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    uint64_t dropped;
    size_t pkt; /* 1-based trace packet */
    const char *cause;
} trace_causes[] = {
    {"no-arp: the next hop never answered ARP",
     L(ECHO_REQ("0.0100s", "1001")),
     {ARP_ASK("0.0090s", "198.18.3.2"), ARP_ASK("1.0090s", "198.18.3.2")},
     0,
     1,
     "no-arp"},
    {"connect-no-arp: a connect() the kernel never sent, nobody answering ARP (--unprivileged)",
     CONN("0.0100s", "Operation now in progress"),
     {ARP_ASK("0.0090s", "198.18.3.2"), ARP_ASK("1.0090s", "198.18.3.2")},
     0,
     1,
     "connect-no-arp"},
    {"connect-no-arp: its result, No route to host, no packet either",
     CONN("0.0100s", "Operation now in progress") CONN("3.0100s", "No route to host"),
     {ARP_ASK("0.0090s", "198.18.3.2"), ARP_ASK("1.0090s", "198.18.3.2")},
     0,
     2,
     "connect-no-arp"},
    {"unknown: ARP was answered, the probe is missing all the same",
     L(ECHO_REQ("0.0100s", "1001")),
     {ARP_ASK("0.0090s", "198.18.3.2"), ARP_REPLY("0.0095s", "198.18.3.2")},
     0,
     1,
     "unknown"},
    {"no-nd: the target never answered neighbour discovery (--send-ip, IPv6)",
     L("SENT (0.0100s) ICMPv6 (58) 2001:2:0:1::1 > 2001:2:0:1::9 (type=128/code=0) hopl=255 "
       "flow=0 payloadlen=8"),
     {NS6("0.0090s", "2001:2:0:1::1", "ff02::1:ff00:9", "2001:2:0:1::9"),
      NS6("1.0090s", "2001:2:0:1::1", "ff02::1:ff00:9", "2001:2:0:1::9")},
     0,
     1,
     "no-nd"},
    {"capture-drop: the capture lost frames",
     L(ECHO_REQ("0.0100s", "1001")),
     {ARP_ASK("0.0090s", "198.18.3.2")},
     3,
     1,
     "capture-drop"},
    {"outside-capture: a probe a second after the last frame (the capture ended early)",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REQ("1.0100s", "1002")),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "outside-capture"},
    {"outside-capture: a probe before the first frame (the capture began late)",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REQ("1.0100s", "1002")),
     {ECHO_REQ("1.0100s", "1002")},
     0,
     1,
     "outside-capture"},
    {"outside-capture: a reply read 20 ms after the last frame was on a wire not captured",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY("0.0300s")),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "outside-capture"},
    {"loopback: a port scan of the scanner's own address never leaves the host",
     L(ECHO_REQ("0.0100s", "1001"))
         L("SENT (0.0110s) TCP 198.18.2.1:40153 > 198.18.2.1:80 S ttl=41 id=7 iplen=44  "
           "seq=1000 win=1024 <mss 1460>"),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "loopback"},
    {"loopback: its answer, from the scanner's other address (127.0.0.1 too is its own)",
     L(ECHO_REQ("0.0100s", "1001"))
         L("RCVD (0.0120s) TCP 127.0.0.1:80 > 198.18.2.1:40153 RA ttl=64 id=0 iplen=40  "
           "seq=0 win=0 "),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "loopback"},
    {"unknown: a reply from a target to the scanner is no loopback",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY("0.0110s")),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "unknown"},
    {"unknown: a probe 50 ms after the last frame proves no early end (traced, never sent?)",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REQ("0.0600s", "1002")),
     {ECHO_REQ("0.0100s", "1001")},
     0,
     2,
     "unknown"},
    {"unknown: a probe between two frames is a frame lost, not a capture not running",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REQ("1.0100s", "1002")) L(ECHO_REQ("2.0100s", "1003")),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REQ("2.0100s", "1003")},
     0,
     2,
     "unknown"},
};

static void test_trace_causes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof trace_causes / sizeof trace_causes[0]; i++) {
        const struct trace_row *r = &trace_causes[i];
        struct world w;
        world_run(&w, r->name, r->trace, r->frames, r->dropped);
        size_t t = r->pkt - 1;
        one_sided(r->name, w.c.t2f[t], w.c.tcause[t], r->cause);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- a capture taken with a filter: each frameless line judged ----------------- */

/* a SYN as a capture past the router shows it: one hop less */
#define SYN_PAST_ROUTER(t, id)                                                                     \
    "SENT (" t ") TCP 198.18.2.1:40000 > 198.18.3.2:443 S ttl=40 id=" id " iplen=44  seq=1000 "    \
    "win=1024 <mss 1460>"

static const struct filter_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    const char *filter; /* recorded by the capture's one interface */
    uint16_t linktype;  /* pcapng's: 1 Ethernet, 276 SLL2 */
    const char *want;   /* per trace packet: its cause, '=' matched */
} filter_causes[] = {
    {"the filter keeps the SYN its frame lacks: unknown, as without a filter",
     L(ECHO_REQ("0.0100s", "1001")) L(SYN("0.0100s", "1002")) L(ECHO_REPLY("0.0110s"))
         L(SYN("0.0200s", "1003")),
     {SYN("0.0200s", "1003")},
     "tcp port 443",
     1,
     "capture-filter unknown capture-filter ="},
    {"the filter keeps the echo request and its reply: both unknown",
     L(ECHO_REQ("0.0100s", "1001")) L(SYN("0.0100s", "1002")) L(ECHO_REPLY("0.0110s")),
     {SYN("0.0100s", "1002")},
     "icmp",
     1,
     "unknown = unknown"},
    {"no filter keeps what it reads from no line (a MAC address): capture-filter",
     L(SYN("0.0100s", "1002")) L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001")},
     "ether host 6e:70:59:d4:5e:38",
     1,
     "capture-filter ="},
    {"a filter that does not compile here (no netmask): capture-filter",
     L(SYN("0.0100s", "1002")) L(ECHO_REQ("0.0100s", "1001")),
     {ECHO_REQ("0.0100s", "1001")},
     "ip broadcast or tcp",
     1,
     "capture-filter ="},
    {"past a router (a frame's TTL lower than its line's), the router's ARP kept out: "
     "router-no-arp could not be seen, capture-filter",
     L(SYN("0.0100s", "1002")) L(SYN("0.0200s", "1003")),
     {SYN_PAST_ROUTER("0.0200s", "1003")},
     "tcp port 443",
     1,
     "capture-filter ="},
    {"past a router, its ARP kept too: the SYN kept is missing, unknown",
     L(SYN("0.0100s", "1002")) L(SYN("0.0200s", "1003")),
     {SYN_PAST_ROUTER("0.0200s", "1003")},
     "tcp port 443 or arp",
     1,
     "unknown ="},
    {"-i any (SLL2), an IPv6 filter: the IPv6 SYN kept, the IPv4 one dropped",
     L(SYN6("0.0100s")) L(ECHO_REQ("0.0100s", "1001")) L(SYN("0.0100s", "1002"))
         L(ECHO6("0.0100s")),
     {ECHO_REQ("0.0100s", "1001"), ECHO6("0.0100s")},
     "ip6 or icmp",
     276,
     "unknown = capture-filter ="},
};

static const char *cause_or_match(const struct world *w, size_t t)
{
    return w->c.t2f[t] >= 0 ? "=" : st_cause_name(w->c.tcause[t]);
}

static void test_filter_causes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof filter_causes / sizeof filter_causes[0]; i++) {
        const struct filter_row *r = &filter_causes[i];
        struct world w;
        memset(&w, 0, sizeof w);
        read_trace(r->name, r->trace, &w.t);
        for (size_t f = 0; f < MAX_FRAMES && r->frames[f]; f++)
            add_frame(r->name, &w.cap, r->frames[f]);
        w.c.dropped_known = true;
        snprintf(w.c.capture_filter, sizeof w.c.capture_filter, "%s", r->filter);
        w.c.cap_ifaces[0].linktype = r->linktype;
        w.c.cap_ifaces[0].whole = true;
        snprintf(w.c.cap_ifaces[0].filter, sizeof w.c.cap_ifaces[0].filter, "%s", r->filter);
        w.c.ncap_ifaces = 1;
        st_compare_run(&w.c, &w.t, &w.cap);
        char got[256] = "";
        for (size_t t = 0; t < w.t.npkts; t++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", t ? " " : "",
                     cause_or_match(&w, t));
        if (strcmp(got, r->want))
            st_row_fail("%s: %s, want %s", r->name, got, r->want);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- which frame each trace line is ------------------------------------------ */

static const struct match_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    const char *want; /* per trace packet: its frame number, '-' for none */
} matching[] = {
    {"one packet, its frame", L(SYN("0.0100s", "1002")), {SYN("0.0100s", "1002")}, "1"},
    {"another IP id is another packet", L(SYN("0.0100s", "1002")), {SYN("0.0100s", "1003")}, "-"},
    {"a probe sent with IP id 0: the kernel gave its frame one (nmap's traceroute)",
     L(ECHO_REQ("0.0100s", "0")),
     {ECHO_REQ("0.0100s", "4711")},
     "1"},
    {"a reply traced with IP id 0 is no wildcard: that was its id on the wire",
     L(ECHO_REQ("0.0100s", "1001"))
         L("RCVD (0.0200s) ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=100 seq=0] "
           "IP [ttl=64 id=0 iplen=28 ]"),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY("0.0200s")},
     "1-"},
    {"the TTL is no identity: nmap's random TTL",
     L(SYN("0.0100s", "1002")),
     {"SENT (0.0100s) TCP 198.18.2.1:40000 > 198.18.3.2:443 S ttl=59 id=1002 iplen=44  seq=1000 "
      "win=1024 <mss 1460>"},
     "1"},
    {"ARP retries: each the frame nearest its time",
     L(ECHO_REQ("0.0100s", "1001")) L(ARP_ASK("0.5000s", "198.18.2.9"))
         L(ARP_ASK("1.5000s", "198.18.2.9")),
     {ECHO_REQ("0.0100s", "1001"), ARP_ASK("0.5000s", "198.18.2.9"),
      ARP_ASK("1.5000s", "198.18.2.9")},
     "123"},
    {"ARP retries: a lost first try stays unmatched, not its retry's frame",
     L(ECHO_REQ("0.0100s", "1001")) L(ARP_ASK("0.5000s", "198.18.2.9"))
         L(ARP_ASK("1.5000s", "198.18.2.9")),
     {ECHO_REQ("0.0100s", "1001"), ARP_ASK("1.5000s", "198.18.2.9")},
     "1-2"},
    {"a connect() and the kernel's frames",
     CONN("0.0100s", "Operation now in progress") CONN("0.0200s", "Connection refused"),
     {KERNEL_TCP("0.0100s", "S", "1", "5000"),
      "RCVD (0.0200s) TCP 198.18.3.2:80 > 198.18.2.1:50000 RA ttl=64 id=0 iplen=40  seq=0 win=0 "},
     "12"},
/* two nmap runs, each an echo request and an ARP request twice (the two
 * runs' ARP requests alike, byte for byte) */
#define TWO_RUNS                                                                                   \
    STARTING L(ECHO_REQ("0.0100s", "1001")) L(ARP_ASK("0.5000s", "198.18.2.9"))                    \
        L(ARP_ASK("1.5000s", "198.18.2.9")) STARTING                                               \
        L(ECHO_REQ("0.0100s", "1002")) L(ARP_ASK("0.5000s", "198.18.2.9"))                         \
            L(ARP_ASK("1.5000s", "198.18.2.9"))
#define TWO_RUNS_FIRST_FRAMES                                                                      \
    ECHO_REQ("0.0100s", "1001"), ARP_ASK("0.5000s", "198.18.2.9"), ARP_ASK("1.5000s", "198.18.2.9")
    {"two runs in one log, each on its own clock: the same ARP tries take their own run's frames",
     TWO_RUNS,
     {TWO_RUNS_FIRST_FRAMES, ECHO_REQ("20.0100s", "1002"), ARP_ASK("20.5000s", "198.18.2.9"),
      ARP_ASK("21.5000s", "198.18.2.9")},
     "123456"},
    {"two runs: the second run's lost first try stays unmatched",
     TWO_RUNS,
     {TWO_RUNS_FIRST_FRAMES, ECHO_REQ("20.0100s", "1002"), ARP_ASK("21.5000s", "198.18.2.9")},
     "1234-5"},
#define PO6(t, flow)                                                                               \
    "SENT (" t ") igmp (2) 2001:2:0:2::1 > 2001:2:0:3::4: hopl=45 flow=" flow " payloadlen=0"
    {"IPv6: the flow label tells -PO's retry from its first try, whatever the times",
     L(PO6("0.0100s", "e4c6")) L(PO6("2.0100s", "b437")),
     {PO6("0.0100s", "b437"), PO6("2.0100s", "e4c6")},
     "21"},
    {"IPv6: a flow label of 0 (left to the kernel) matches the frame's",
     L(ECHO6("0.0100s")),
     {"SENT (0.0100s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=255 "
      "flow=5a5a5 payloadlen=8"},
     "1"},
    {"IPv6: another flow label is another packet",
     L(PO6("0.0100s", "e4c6")),
     {PO6("0.0100s", "e4c7")},
     "-"},
    {"IPv6: an ND line (no flow printed) meets its frame",
     L(NA6("0.0100s", "2001:2:0:1::2", "2001:2:0:1::1", "2001:2:0:1::2")),
     {"RCVD (0.0100s) ICMPv6 (58) 2001:2:0:1::2 > 2001:2:0:1::1 (type=136/code=0) hopl=255 "
      "flow=12345 payloadlen=32"},
     "1"},
};

static void test_matching(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof matching / sizeof matching[0]; i++) {
        const struct match_row *r = &matching[i];
        struct world w;
        world_run(&w, r->name, r->trace, r->frames, 0);
        char got[MAX_FRAMES + 1] = "";
        for (size_t t = 0; t < w.t.npkts && t < MAX_FRAMES; t++)
            got[t] = w.c.t2f[t] < 0 ? '-' : (char)('1' + w.c.t2f[t]);
        if (strcmp(got, r->want))
            st_row_fail("%s: frames %s, want %s", r->name, got, r->want);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- a matched line whose frame shows other header values -------------------- */

/* nmap's SYN of SYN() with its TTL, window and MSS as given */
#define SYN_WITH(t, ttl, win, opts)                                                                \
    "SENT (" t ") TCP 198.18.2.1:40000 > 198.18.3.2:443 S ttl=" ttl " id=1002 iplen=44  seq=1000 " \
    "win=" win " " opts
#define ECHO_REPLY_TTL(t, ttl)                                                                     \
    "RCVD (" t ") ICMP [198.18.3.2 > 198.18.2.1 Echo reply (type=0/code=0) id=100 seq=0] IP "      \
    "[ttl=" ttl " id=5001 iplen=28 ]"
#define ECHO_REQ_LEN(t, len)                                                                       \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=100 seq=0] IP "    \
    "[ttl=53 id=1001 iplen=" len " ]"
#define ADMIN6(t, len)                                                                             \
    "RCVD (" t ") ICMPv6 (58) 2001:2:0:2::fe > 2001:2:0:2::1 (type=1/code=1) hopl=64 flow=3f428 "  \
    "payloadlen=" len

static const struct altered_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    const char *want; /* each altered line's why, in line order, "; " between; "" none */
} altered_rows[] = {
    {"the frame the line printed: nothing altered",
     L(SYN("0.0100s", "1002")),
     {SYN("0.0100s", "1002")},
     ""},
    {"a firewall's `ip ttl set 64` before the capture point",
     L(SYN("0.0100s", "1002")),
     {SYN_WITH("0.0100s", "64", "1024", "<mss 1460>")},
     "ttl=41 in its line, ttl=64 on the wire"},
    {"MSS clamping (`tcp option maxseg size set 1200`)",
     L(SYN("0.0100s", "1002")),
     {SYN_WITH("0.0100s", "41", "1024", "<mss 1200>")},
     "mss 1460 in its line, mss 1200 on the wire"},
    {"the MSS option taken off",
     L(SYN("0.0100s", "1002")),
     {SYN_WITH("0.0100s", "41", "1024", "")},
     "mss 1460 in its line, mss none on the wire"},
    {"another window",
     L(SYN("0.0100s", "1002")),
     {SYN_WITH("0.0100s", "41", "2048", "<mss 1460>")},
     "win=1024 in its line, win=2048 on the wire"},
    {"another IP length",
     L(ECHO_REQ_LEN("0.0100s", "28")),
     {ECHO_REQ_LEN("0.0100s", "1428")},
     "iplen=28 in its line, iplen=1428 on the wire"},
    {"a reply the scanner read with another TTL than the capture's",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY_TTL("0.0200s", "64")),
     {ECHO_REQ("0.0100s", "1001"), ECHO_REPLY_TTL("0.0200s", "60")},
     "ttl=64 in its line, ttl=60 on the wire"},
    {"a capture past a router: the probe a hop lower, the reply a hop higher",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY_TTL("0.0200s", "63")),
     {"SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=100 seq=0] "
      "IP [ttl=52 id=1001 iplen=28 ]",
      ECHO_REPLY_TTL("0.0200s", "64")},
     ""},
    {"past a router, a reply two hops off is altered all the same",
     L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY_TTL("0.0200s", "62")),
     {"SENT (0.0100s) ICMP [198.18.2.1 > 198.18.3.2 Echo request (type=8/code=0) id=100 seq=0] "
      "IP [ttl=52 id=1001 iplen=28 ]",
      ECHO_REPLY_TTL("0.0200s", "64")},
     "ttl=62 in its line, ttl=64 on the wire"},
    {"a connect()'s line prints no header: never altered",
     CONN("0.0100s", "Operation now in progress"),
     {KERNEL_TCP("0.0100s", "S", "1", "5000")},
     ""},
    {"IPv6: another hop limit",
     L(ECHO6("0.0100s")),
     {"SENT (0.0100s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=64 "
      "flow=0 payloadlen=8"},
     "hopl=255 in its line, hopl=64 on the wire"},
    {"IPv6: two errors of one flow (alike identities) each take the frame of its length",
     L(ECHO6("0.0100s")) L(ADMIN6("0.0110s", "56")) L(ADMIN6("0.0111s", "72")),
     {ECHO6("0.0100s"), ADMIN6("0.0110s", "72"), ADMIN6("0.0111s", "56")},
     ""},
};

static void test_altered(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof altered_rows / sizeof altered_rows[0]; i++) {
        const struct altered_row *r = &altered_rows[i];
        struct world w;
        world_run(&w, r->name, r->trace, r->frames, 0);
        char got[512] = "", why[192];
        for (size_t t = 0; t < w.t.npkts; t++)
            if (st_altered_why(&w.c, t, why, sizeof why))
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", *got ? "; " : "",
                         why);
        if (strcmp(got, r->want))
            st_row_fail("%s: altered \"%s\", want \"%s\"", r->name, got, r->want);
        if (w.c.altered && w.c.discrepancies < w.c.altered)
            st_row_fail("%s: %zu altered, only %zu discrepancies", r->name, w.c.altered,
                        w.c.discrepancies);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- what the comparator says of a host -------------------------------------- */

static const struct host_row {
    const char *name, *trace;
    bool up;
    const char *reason;
} host_verdicts[] = {
    {"an echo reply: up", L(ECHO_REQ("0.0100s", "1001")) L(ECHO_REPLY("0.0200s")), true,
     "echo-reply"},
    {"the first traced reply decides",
     L(ECHO_REQ("0.0100s", "1001")) L(SYN("0.0110s", "1002")) L(SYN_ACK("0.0150s"))
         L(ECHO_REPLY("0.0200s")),
     true, "syn-ack"},
    {"a router's host unreachable: a hint about the quoted host, down for no response",
     L(ECHO_REQ("0.0100s", "1001")) L(HOST_UNREACH("0.0200s")), false, "no-response"},
    {"no reply: down", L(ECHO_REQ("0.0100s", "1001")), false, "no-response"},
    {"a reply that decides nothing: down for no response, as nmap says",
     L(ECHO_REQ("0.0100s", "1001"))
         L("RCVD (0.0200s) ICMP [198.18.3.2 > 198.18.2.1 Source quench (type=4/code=0) ] IP "
           "[ttl=64 id=7 iplen=56 ]"),
     false, "no-response"},
    {"the scanner's report says up without a traced reply",
     L(ECHO_REQ("0.0100s",
                "1001")) "Nmap scan report for 198.18.3.2\nHost is up (0.010s latency).\n",
     true, "reported-up"},
    {"connect refused: up", CONN("0.0100s", "Connection refused"), true, "conn-refused"},
    {"connect unreachable: down", CONN("0.0100s", "No route to host"), false, "host-unreach"},
};

static const struct st_mode_host *host_of(const struct st_comparison *c, uint32_t addr)
{
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++)
            if (c->modes[m].hosts[h].addr == addr)
                return &c->modes[m].hosts[h];
    return NULL;
}

static void test_host_verdicts(void **state)
{
    (void)state;
    const char *const none[MAX_FRAMES] = {NULL};
    uint32_t target;
    assert_true(st_ip4_parse("198.18.3.2", &target));
    for (size_t i = 0; i < sizeof host_verdicts / sizeof host_verdicts[0]; i++) {
        const struct host_row *r = &host_verdicts[i];
        struct world w;
        world_run(&w, r->name, r->trace, none, 0);
        const struct st_mode_host *h = host_of(&w.c, target);
        if (!h)
            st_row_fail("%s: no host 198.18.3.2", r->name);
        else if (h->up != r->up || strcmp(h->reason, r->reason))
            st_row_fail("%s: %s %s, want %s %s", r->name, h->up ? "up" : "down", h->reason,
                        r->up ? "up" : "down", r->reason);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- a group pinged: an echo request to the segment's broadcast address ---- */

/* the scanner 198.18.2.1 pings 198.18.2.255; 198.18.2.7 answers. The frames'
 * Ethernet destination is unset (all zero): only the answers tell the
 * broadcast, as in -i any's cooked capture of what the host sent */
#define BCAST_REQ(t)                                                                               \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.2.255 Echo request (type=8/code=0) id=77 seq=1] IP "   \
    "[ttl=64 id=4001 iplen=28 ]"
#define MEMBER_REPLY(t, who)                                                                       \
    "RCVD (" t ") ICMP [" who " > 198.18.2.1 Echo reply (type=0/code=0) id=77 seq=1] IP "          \
    "[ttl=64 id=5001 iplen=28 ]"
#define UNICAST_REQ(t, id)                                                                         \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.2.7 Echo request (type=8/code=0) id=" id " seq=1] IP " \
    "[ttl=64 id=4002 iplen=28 ]"
#define NPING_START "Starting Nping 0.7.93 ( https://nmap.org/nping ) at 2026-12-06 05:31 UTC\n"
#define NPING_DONE  "Nping done: 1 IP address pinged in 1.02 seconds\n"
#define DONE_NONE   "Nmap done: 1 IP address (0 hosts up) scanned in 2.01 seconds\n"
/* the request and 198.18.2.7's answer; nping's trace of the request, nmap's of both */
#define BCAST_FRAMES                                                                               \
    {                                                                                              \
        BCAST_REQ("0.0100s"), MEMBER_REPLY("0.0101s", "198.18.2.7")                                \
    }
#define NPING_BCAST NPING_START L(BCAST_REQ("0.0100s")) NPING_DONE
#define NMAP_BCAST                                                                                 \
    STARTING L(BCAST_REQ("0.0100s")) L(MEMBER_REPLY("0.0101s", "198.18.2.7")) DONE_NONE

static const struct group_row {
    const char *name, *trace, *frames[MAX_FRAMES];
    const char *host;  /* the host the row is about */
    const char *want;  /* "up|down REASON", then " group" or " member" */
    size_t frame;      /* 1-based: a wire-only frame whose cause is checked; 0 none */
    const char *cause; /* its cause */
} group_rows[] = {
    {"nping: a member's answer it never traces (no target of its) is member-reply, the member up",
     NPING_BCAST, BCAST_FRAMES, "198.18.2.7", "up echo-reply member", 2, "member-reply"},
    {"nping: a target's answer to the broadcast (nping gives each target its own id) too",
     NPING_START L(BCAST_REQ("0.0100s")) L(UNICAST_REQ("0.0200s", "88")) NPING_DONE, BCAST_FRAMES,
     "198.18.2.7", "down no-response", 2, "member-reply"},
    {"nping: with the broadcast's id (--icmp-id), it would have traced it: missed-reply",
     NPING_START L(BCAST_REQ("0.0100s")) L(UNICAST_REQ("0.0200s", "77")) NPING_DONE, BCAST_FRAMES,
     "198.18.2.7", "down no-response", 2, "missed-reply"},
    {"nping: the group down (nping takes a reply from the address probed alone)", NPING_BCAST,
     BCAST_FRAMES, "198.18.2.255", "down no-response group", 0, NULL},
    {"nmap: the members' traced replies make them up, not the group (0 hosts up)", NMAP_BCAST,
     BCAST_FRAMES, "198.18.2.255", "down no-response group", 0, NULL},
    {"nmap: a member found by the group's request", NMAP_BCAST, BCAST_FRAMES, "198.18.2.7",
     "up echo-reply member", 0, NULL},
    {"nmap traces all it reads: a member's answer it did not trace is missed-reply",
     STARTING L(BCAST_REQ("0.0100s")) DONE_NONE, BCAST_FRAMES, "198.18.2.7", "down no-response", 2,
     "missed-reply"},
    {"-i any on the segment: a request received as a broadcast (cooked packet type 1)",
     STARTING L(BCAST_REQ("0.0100s")) DONE_NONE,
     {BCAST_REQ("0.0100s") SLL "1"},
     "198.18.2.255",
     "down no-response group",
     0,
     NULL},
    {"an echo reply from another address than a unicast request's: no group (198.18.3.2 is "
     "no broadcast address of a subnet holding 198.18.3.9)",
     STARTING L(ECHO_REQ("0.0100s", "1001")) DONE_NONE,
     {ECHO_REQ("0.0100s", "1001"),
      "RCVD (0.0200s) ICMP [198.18.3.9 > 198.18.2.1 Echo reply (type=0/code=0) id=100 seq=0] IP "
      "[ttl=64 id=5001 iplen=28 ]"},
     "198.18.3.2",
     "down no-response",
     2,
     "unknown"},
};

static void test_groups(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof group_rows / sizeof group_rows[0]; i++) {
        const struct group_row *r = &group_rows[i];
        struct world w;
        uint32_t addr;
        assert_true(st_ip4_parse(r->host, &addr));
        world_run(&w, r->name, r->trace, r->frames, 0);
        const struct st_mode_host *h = host_of(&w.c, addr);
        char got[96] = "none";
        if (h)
            snprintf(got, sizeof got, "%s %s%s", h->up ? "up" : "down", h->reason,
                     h->group    ? " group"
                     : h->member ? " member"
                                 : "");
        if (strcmp(got, r->want))
            st_row_fail("%s: %s %s, want %s", r->name, r->host, got, r->want);
        if (r->frame)
            one_sided(r->name, w.c.f2t[r->frame - 1] >= 0 ? w.c.f2t[r->frame - 1] : -1,
                      (enum st_cause)w.c.fcause[r->frame - 1], r->cause);
        world_free(&w);
    }
    st_rows_done();
}

/* ---- each frame's mode, past a byte's worth of modes ------------------------ */

#define MANY_MODES 300 /* more than a frame's mode byte holds: it widens */

/*
 * Pass k probes port k + 1 of one host with -PS<k+1>; the host's SYN/ACK is
 * on the wire but not traced. Each frame, the probe's and the untraced
 * reply's (a wire-only frame about that probe), is in its pass's mode.
 */
static void test_many_modes(void **state)
{
    (void)state;
    struct world w;
    memset(&w, 0, sizeof w);
    size_t size = MANY_MODES * 256, len = 0;
    char *text = malloc(size);
    assert_non_null(text);
    for (unsigned k = 0; k < MANY_MODES; k++) {
        char t[16], sent[160], rcvd[160];
        snprintf(t, sizeof t, "%u.%03us", k / 100, k % 100 * 10);
        snprintf(sent, sizeof sent,
                 "SENT (%s) TCP 198.18.2.1:40000 > 198.18.3.2:%u S ttl=41 id=%u iplen=44  seq=1000 "
                 "win=1024 <mss 1460>",
                 t, k + 1, k + 1);
        snprintf(rcvd, sizeof rcvd,
                 "RCVD (%s) TCP 198.18.3.2:%u > 198.18.2.1:40000 SA ttl=64 id=0 iplen=44  seq=777 "
                 "win=64240 <mss 1460>",
                 t, k + 1);
        len += (size_t)snprintf(text + len, size - len, "PASS (%s) mode=-PS%u targets=1\n%s\n", t,
                                k + 1, sent);
        add_frame("many modes", &w.cap, sent);
        add_frame("many modes", &w.cap, rcvd);
    }
    read_trace("many modes", text, &w.t);
    free(text);
    st_compare_run(&w.c, &w.t, &w.cap);
    st_compare_summarize(&w.c);
    assert_int_equal(w.c.nmodes, MANY_MODES);
    assert_int_equal(w.c.matched, MANY_MODES);
    for (size_t f = 0; f < w.cap.n; f++) {
        char want[32];
        uint32_t m = st_frame_mode(&w.c, (long)f);
        snprintf(want, sizeof want, "-PS%zu", f / 2 + 1);
        assert_true(m >= 1 && m <= w.c.nmodes);
        assert_string_equal(w.c.modes[m - 1].name, want);
        assert_int_equal(f % 2 ? st_frame_rel(&w.c, (long)f) : st_frame_trace(&w.c, (long)f),
                         (long)f / 2);
    }
    world_free(&w);
}

/* ---- a log of several runs -------------------------------------------------- */

/*
 * Three nmap runs appended to one log: -PE finds the host down, the
 * default ping finds it up (its SYN/ACK), -PE again down. Each run is a
 * pass of its own, named after its probes (the second -PE numbered), its
 * report lines its own run's verdicts, and its frames in its own mode.
 */
static void test_runs(void **state)
{
    (void)state;
    const char *trace = STARTING L(ECHO_REQ("0.0100s", "1001")) DONE("1.01")
        STARTING L(ECHO_REQ("0.0100s", "1002")) L(SYN("0.0100s", "1003"))
            L(SYN_ACK("0.0200s")) "Nmap scan report for 198.18.3.2\nHost is up (0.0001s "
                                  "latency).\n" DONE("0.02") STARTING L(ECHO_REQ("0.0100s", "1004"))
                                      DONE("1.01");
    const char *frames[MAX_FRAMES] = {ECHO_REQ("0.0100s", "1001"), ECHO_REQ("5.0100s", "1002"),
                                      SYN("5.0100s", "1003"),      SYN_ACK("5.0200s"),
                                      OS_RST("5.0200s"),           ECHO_REQ("9.0100s", "1004")};
    static const struct {
        const char *mode;
        bool up;
    } want[] = {{"-PE", false}, {"-PE -PS443", true}, {"-PE (run 3)", false}};
    struct world w;
    world_run(&w, "three runs", trace, frames, 0);
    assert_int_equal(w.t.nruns, 3);
    assert_int_equal(w.c.matched, 5);
    assert_int_equal(w.c.nmodes, 3);
    for (size_t m = 0; m < 3; m++) {
        assert_string_equal(w.c.modes[m].name, want[m].mode);
        assert_int_equal(w.c.modes[m].nhosts, 1);
        assert_int_equal(w.c.modes[m].hosts[0].up, want[m].up);
        assert_true(w.c.modes[m].hosts[0].judged);
    }
    /* the kernel's RST (frame 5) is the second run's, on its joined clock */
    assert_int_equal(st_frame_mode(&w.c, 4), 2);
    assert_int_equal(st_frame_mode(&w.c, 5), 3);
    assert_int_equal(w.c.offset_ns, CAPTURE_EPOCH_NS);
    world_free(&w);
}

/* A router's unreachable about the first run's probe, read and traced by
 * the second run: the second run never probed that host, so it is no host
 * of the second run's (it was one, down no-response, with a reply). */
static void test_runs_stale_error(void **state)
{
    (void)state;
#define ECHO3(t, id)                                                                               \
    "SENT (" t ") ICMP [198.18.2.1 > 198.18.3.3 Echo request (type=8/code=0) id=100 seq=0] IP "    \
    "[ttl=53 id=" id " iplen=28 ]"
    const char *trace = STARTING L(ECHO_REQ("0.0100s", "1001")) DONE("1.01")
        STARTING L(ECHO3("0.0100s", "1002")) L(HOST_UNREACH("0.0200s")) DONE("1.01");
    const char *frames[MAX_FRAMES] = {ECHO_REQ("0.0100s", "1001"), ECHO3("5.0100s", "1002"),
                                      HOST_UNREACH("5.0200s") QUOTING ECHO_REQ("0.0100s", "1001")};
#undef ECHO3
    struct world w;
    world_run(&w, "a stale error in the second run", trace, frames, 0);
    assert_int_equal(w.c.nmodes, 2);
    assert_int_equal(w.c.modes[1].nhosts, 1);
    assert_int_equal(w.c.modes[1].hosts[0].addr, 0xc6120303u); /* 198.18.3.3 alone */
    assert_int_equal(w.c.modes[0].nhosts, 1);
    world_free(&w);
}

/*
 * Two -6 -PE runs of a silent host: nmap's ICMPv6 lines name no id, so every
 * line has the four echo frames of both runs as candidates. The second run
 * must take its clock from the frames after the first run, not from the
 * earliest copy (the first run's), or its frames would be put in the wrong
 * pass.
 */
static void test_runs_alike(void **state)
{
    (void)state;
    const char *trace = STARTING L(ECHO6("0.0100s")) L(ECHO6("1.0100s")) DONE("2.01")
        STARTING L(ECHO6("0.0100s")) L(ECHO6("1.0100s")) DONE("2.01");
    const char *frames[MAX_FRAMES] = {ECHO6("0.0100s"), ECHO6("1.0100s"), ECHO6("20.0100s"),
                                      ECHO6("21.0100s")};
    struct world w;
    world_run(&w, "two alike runs", trace, frames, 0);
    assert_int_equal(w.t.nruns, 2);
    assert_true(w.t.run_shift[1] == 20 * 1000000000LL);
    assert_string_equal(w.c.modes[1].name, "-PE (run 2)");
    for (long f = 0; f < 4; f++) {
        assert_int_equal(w.c.t2f[f], f);
        assert_int_equal(st_frame_mode(&w.c, f), f < 2 ? 1 : 2);
    }
    world_free(&w);
}

/* The host of a neighbour solicitation that shows only its solicited-node
 * group: the one target with those 24 bits on the source's /64 (any from a
 * link-local source); none or several: no host. */
static void test_nd_group(void **state)
{
    (void)state;
    static const char *const targets[] = {"2001:2:0:a1::9", "2001:2:0:a2::9", "2001:2:0:1::3",
                                          "198.18.1.9"};
    static const struct {
        const char *src, *group, *want; /* want NULL: no host */
    } rows[] = {
        {"2001:2:0:a1::1", "ff02::1:ff00:9", "2001:2:0:a1::9"},
        {"2001:2:0:a2::1", "ff02::1:ff00:9", "2001:2:0:a2::9"},
        {"2001:2:0:a3::1", "ff02::1:ff00:9", NULL}, /* only other links' ::9 */
        {"2001:2:0:a3::1", "ff02::1:ff00:3", NULL}, /* a lone ::3 on another /64 */
        {"2001:2:0:1::1", "ff02::1:ff00:3", "2001:2:0:1::3"},
        {"fe80::1", "ff02::1:ff00:3", "2001:2:0:1::3"}, /* link-local: any /64 */
        {"fe80::1", "ff02::1:ff00:9", NULL},            /* two ::9: which? */
        {"2001:2:0:1::1", "ff02::1:ff00:4", NULL},      /* no target's bits */
        {"2001:2:0:1::1", "ff02::2", NULL},             /* no solicited-node group */
    };
    uint32_t hosts[4];
    for (size_t i = 0; i < 4; i++)
        assert_true(st_host_parse(targets[i], &hosts[i]));
    uint64_t g[4];
    size_t n = st_nd_groups_make(hosts, 4, g);
    assert_int_equal(n, 3); /* the IPv4 host has no group */
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        struct st_pkt p;
        memset(&p, 0, sizeof p);
        p.net = ST_NET_IPV6;
        p.proto = ST_IPPROTO_ICMPV6;
        p.l4.icmp.type = ST_ICMP6_NEIGHBOR_SOLICIT;
        assert_int_equal(inet_pton(AF_INET6, rows[r].src, p.ip6.src), 1);
        assert_int_equal(inet_pton(AF_INET6, rows[r].group, p.ip6.dst), 1);
        uint32_t want = 0;
        if (rows[r].want)
            assert_true(st_host_parse(rows[r].want, &want));
        print_message("row %zu: %s > %s\n", r, rows[r].src, rows[r].group);
        assert_int_equal(st_nd_groups_find(g, n, &p), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_causes),
        cmocka_unit_test(test_trace_causes),
        cmocka_unit_test(test_filter_causes),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_altered),
        cmocka_unit_test(test_host_verdicts),
        cmocka_unit_test(test_many_modes),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_runs_alike),
        cmocka_unit_test(test_runs_stale_error),
        cmocka_unit_test(test_background_from_wire),
        cmocka_unit_test(test_nd_group),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
