/*
 * nmap 7.93's rules, in one place for the scan engine, the decoders and the
 * comparator: the ICMP and ICMPv6 numbers, which ICMP messages are errors
 * (they quote a datagram), what a reply says of its host and nmap's reason
 * for it, and the probes and ports nmap sends when it is not told which.
 *
 * The engine decides a host with these verdicts and the comparator reads a
 * trace with them: were they written twice, a change to one would make the
 * comparator blame the scanner for the other's reading.
 */
#ifndef ST_NMAP_RULES_H
#define ST_NMAP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt_record.h"

/* ICMP types (RFC 792, 950, 1256, 1393, 1788, 2521). */
enum {
    ST_ICMP_ECHO_REPLY = 0,
    ST_ICMP_DEST_UNREACH = 3,
    ST_ICMP_SOURCE_QUENCH = 4,
    ST_ICMP_REDIRECT = 5,
    ST_ICMP_ECHO_REQUEST = 8,
    ST_ICMP_ROUTER_ADVERT = 9,
    ST_ICMP_ROUTER_SOLICIT = 10,
    ST_ICMP_TIME_EXCEEDED = 11,
    ST_ICMP_PARAM_PROBLEM = 12,
    ST_ICMP_TIMESTAMP_REQUEST = 13,
    ST_ICMP_TIMESTAMP_REPLY = 14,
    ST_ICMP_INFO_REQUEST = 15,
    ST_ICMP_INFO_REPLY = 16,
    ST_ICMP_MASK_REQUEST = 17,
    ST_ICMP_MASK_REPLY = 18,
    ST_ICMP_TRACEROUTE = 30,
    ST_ICMP_DOMAIN_REQUEST = 37,
    ST_ICMP_DOMAIN_REPLY = 38,
    ST_ICMP_SECURITY_FAILURES = 40,
};

/* Destination unreachable codes (RFC 792, 1122, 1812). */
enum {
    ST_ICMP_UNREACH_NET = 0,
    ST_ICMP_UNREACH_HOST = 1,
    ST_ICMP_UNREACH_PROTO = 2,
    ST_ICMP_UNREACH_PORT = 3,
    ST_ICMP_UNREACH_FRAG_NEEDED = 4,
    ST_ICMP_UNREACH_SRC_ROUTE = 5,
    ST_ICMP_UNREACH_NET_UNKNOWN = 6,
    ST_ICMP_UNREACH_HOST_UNKNOWN = 7,
    ST_ICMP_UNREACH_SRC_ISOLATED = 8,
    ST_ICMP_UNREACH_NET_PROHIB = 9,
    ST_ICMP_UNREACH_HOST_PROHIB = 10,
    ST_ICMP_UNREACH_NET_TOS = 11,
    ST_ICMP_UNREACH_HOST_TOS = 12,
    ST_ICMP_UNREACH_FILTER_PROHIB = 13,
    ST_ICMP_UNREACH_HOST_PRECEDENCE = 14,
    ST_ICMP_UNREACH_PRECEDENCE_CUTOFF = 15,
};

/* Redirect, time exceeded and parameter problem codes. */
enum {
    ST_ICMP_REDIRECT_NET = 0,
    ST_ICMP_REDIRECT_HOST = 1,
    ST_ICMP_REDIRECT_TOS_NET = 2,
    ST_ICMP_REDIRECT_TOS_HOST = 3,
    ST_ICMP_TIME_EXCEEDED_TRANSIT = 0,
    ST_ICMP_TIME_EXCEEDED_REASSEMBLY = 1,
    ST_ICMP_PARAM_PROBLEM_POINTER = 0,
    ST_ICMP_PARAM_PROBLEM_OPTION_MISSING = 1,
    ST_ICMP_PARAM_PROBLEM_BAD_LENGTH = 2,
};

/* ICMPv6 types (RFC 4443, 4861) and destination unreachable codes. */
enum {
    ST_ICMP6_DEST_UNREACH = 1,
    ST_ICMP6_PACKET_TOO_BIG = 2,
    ST_ICMP6_TIME_EXCEEDED = 3,
    ST_ICMP6_PARAM_PROBLEM = 4,
    ST_ICMP6_ECHO_REQUEST = 128,
    ST_ICMP6_ECHO_REPLY = 129,
    ST_ICMP6_ROUTER_SOLICIT = 133,
    ST_ICMP6_ROUTER_ADVERT = 134,
    ST_ICMP6_NEIGHBOR_SOLICIT = 135,
    ST_ICMP6_NEIGHBOR_ADVERT = 136,

    ST_ICMP6_UNREACH_NO_ROUTE = 0,
    ST_ICMP6_UNREACH_ADMIN = 1,
    ST_ICMP6_UNREACH_BEYOND_SCOPE = 2,
    ST_ICMP6_UNREACH_ADDR = 3,
    ST_ICMP6_UNREACH_PORT = 4,
    ST_ICMP6_UNREACH_POLICY = 5,
    ST_ICMP6_UNREACH_REJECT_ROUTE = 6,
};

/*
 * Whether an ICMP (proto ST_IPPROTO_ICMP) or ICMPv6 (ST_IPPROTO_ICMPV6)
 * message of this type is an error, which quotes the datagram that caused
 * it instead of carrying an id and a sequence number.
 */
bool st_icmp_is_error(uint8_t proto, uint8_t type);

/* Whether p is address resolution: ARP, or an ICMPv6 neighbour solicitation
 * or advertisement (what nmap's ARP and ND pings send and read). */
bool st_pkt_resolution(const struct st_pkt *p);

/* The reply type to an ICMP query (echo, timestamp, information, address
 * mask), or -1 for a type that is no query. */
int st_icmp_reply_type(uint8_t request);

/* What a reply says of the host it comes from, or is about. */
enum st_nmap_host {
    ST_NMAP_NOTHING = 0, /* nmap reads no verdict in it: it keeps listening */
    ST_NMAP_UP,
    ST_NMAP_DOWN,
};

struct st_nmap_verdict {
    enum st_nmap_host host;
    const char *reason; /* nmap's --reason name: "echo-reply", "reset", "host-unreach"... */
};

/*
 * nmap's verdict on a reply to one of its probes, whatever the probe: a
 * SYN/ACK, a RST, an ICMP query's reply, a UDP, SCTP or other protocol's
 * answer, an ARP reply (all up); a port or protocol unreachable from the
 * target itself (up: the host said it); a time exceeded (down); a router's
 * network or host unreachable, an administrative prohibition or any other
 * unreachable (nothing: a hint, not proof; the host's tries go on and it
 * ends down for no response), and the other ICMP messages (nothing). A
 * connect record gives the verdict of its connect() result
 * (st_nmap_connect_verdict).
 */
struct st_nmap_verdict st_nmap_reply_verdict(const struct st_pkt *reply);

/* The ICMP part of st_nmap_reply_verdict, for a message of (type, code). */
struct st_nmap_verdict st_nmap_icmp_verdict(uint8_t type, uint8_t code);

/* The ICMPv6 part (scan_engine_raw.cc, portreasons.cc): an echo reply
 * up (st_nmap_reply_verdict adds the ND ping's advertisement, nd-response,
 * which depends on who printed it); a port unreachable up (the
 * host said it); the other unreachables (no-route, admin-prohibited,
 * beyond-scope, host-unreach for "address unreachable", reject-route)
 * nothing, as for IPv4; time exceeded down; a parameter problem nothing (nmap 7.93 reads no
 * verdict in it, even the "unrecognized next header" of -PO: the lab's
 * routed-up6 answers -PO so and nmap says it is down). */
struct st_nmap_verdict st_nmap_icmp6_verdict(uint8_t type, uint8_t code);

/* nmap's unprivileged ping: the verdict on a connect() that ended with
 * errno `err` (0: connected). Nothing for a timeout and the like. */
struct st_nmap_verdict st_nmap_connect_verdict(int err);

/* nmap's islocalhost() by address alone: 127.0.0.0/8 and ::1 are the
 * scanning host itself, whatever its interfaces hold (Linux answers all of
 * 127/8 on lo): nmap scans them through loopback, up without a packet on
 * any other interface (localhost-response). The host's interface
 * addresses are its own too, but only the host knows them. */
bool st_nmap_loopback4(uint32_t addr);
bool st_nmap_loopback6(const uint8_t addr[16]);

/* The reason of a host no reply decided. */
#define ST_NMAP_NO_RESPONSE "no-response"

/* One probe as it goes on the wire. */
struct st_nmap_probe {
    const char *mode; /* scantrace's name of its kind: "echo", "syn"... */
    uint8_t proto;    /* ST_IPPROTO_ICMP or ST_IPPROTO_TCP */
    uint8_t what;     /* the ICMP type, or the TCP flags */
    uint16_t port;    /* TCP destination port; 0 for ICMP */
};

/* nmap's ping when it is given no -P option and has raw sockets, in its
 * order on the wire: ICMP echo, SYN to 443, ACK to 80, ICMP timestamp. */
#define ST_NMAP_DEFAULT_PING_N 4
extern const struct st_nmap_probe st_nmap_default_ping[ST_NMAP_DEFAULT_PING_N];
/* nmap -6's default ping to a routed target: ICMPv6 echo, SYN to 443, ACK
 * to 80, the IPv4 list but the timestamp, which ICMPv6 does not have (nmap.h's
 * DEFAULT_IPV6_PING_TYPES: also its first ST_NMAP_DEFAULT_PING6_N entries);
 * on the local segment an ND solicitation. */
#define ST_NMAP_DEFAULT_PING6_N 3
extern const struct st_nmap_probe st_nmap_default_ping6[ST_NMAP_DEFAULT_PING6_N];

/* nmap -6 sends its IPv6 probes (ND, ICMPv6 echo, TCP, UDP, SCTP) with hop
 * limit 255 (o.ttl's -1 cast to u8) and flow label 0; its -PO probes of
 * other protocols with a random 37-59 hop limit, a random 16-bit flow
 * label (the IPv4 id it would have used) and no payload. */
#define ST_NMAP_HOPLIMIT6 255

/*
 * nmap's order of ping probes on the wire, whatever the order of the -P
 * options (HostScanStats::nextProbe, scan_engine.cc): ICMP echo, SYN
 * ports, ACK ports, ICMP timestamp, UDP ports, SCTP ports, -PO protocols,
 * ICMP address mask; each kind's ports in the order given. The rank of a
 * probe kind by scantrace's mode name ("echo", "syn"...): lower goes
 * first; ARP and ND (which replace the others) last.
 */
int st_nmap_ping_rank(const char *mode);

/* nmap retransmits a host's timed-out probes walking its list of outstanding
 * probes from the end (doAnyOutstandingRetransmits), each retransmission
 * appended to it: try 1 goes out in the reverse of try 0's order, try 2 in
 * try 0's order again, and so on. */
bool st_nmap_try_reversed(unsigned tryno);

/* -PO's probes of protocols with a header (build_protoscan_packet,
 * scan_engine_raw.cc): TCP an ACK to port 80 with random seq and ack,
 * window 1024, no options (iplen 40); UDP an empty datagram to 40125
 * (iplen 28); SCTP an INIT to port 80, verification tag 0, random
 * initiate tag and TSN, a_rwnd 32768, 10 outbound and 2048 inbound streams
 * (iplen 52); each from the try's source port as the port probes. ICMPv6
 * (-6 -PO58) an echo request of code 129 (nmap passes ICMPV6_ECHOREPLY as
 * the code). Answered in its own protocol (a RST, a UDP datagram, an
 * SCTP ABORT or INIT-ACK) the host is up, nmap's reason then
 * ST_NMAP_PROTO_RESPONSE (its "protocol reply" path); a port or protocol
 * unreachable from the target, up as for any probe. */
#define ST_NMAP_PO_TCP_PORT    80
#define ST_NMAP_PO_UDP_PORT    40125
#define ST_NMAP_PO_SCTP_PORT   80
#define ST_NMAP_SCTP_A_RWND    32768 /* -PY's INIT too */
#define ST_NMAP_PO_ICMP6_CODE  129
#define ST_NMAP_PROTO_RESPONSE "proto-response"

/* The ports (protocols for -PO) of a -P option given no list (nmap.h's
 * DEFAULT_*_PROBE_PORT_SPEC). */
#define ST_NMAP_TCP_PROBE_PORT    80 /* -PS, -PA */
#define ST_NMAP_STR_(x)           #x
#define ST_NMAP_STR(x)            ST_NMAP_STR_(x)
#define ST_NMAP_TCP_PROBE_PORTS   ST_NMAP_STR(ST_NMAP_TCP_PROBE_PORT)
#define ST_NMAP_UDP_PROBE_PORTS   "40125" /* -PU */
#define ST_NMAP_SCTP_PROBE_PORTS  "80"    /* -PY */
#define ST_NMAP_PROTO_PROBE_PORTS "1,2,4" /* -PO */

/* Without raw sockets nmap connects to these ports instead of its default
 * ping, and to ST_NMAP_TCP_PROBE_PORT instead of an ICMP probe. */
#define ST_NMAP_CONNECT_PORTS_N 2
extern const unsigned short st_nmap_connect_ports[ST_NMAP_CONNECT_PORTS_N];

/*
 * Modes named as nmap's users name them (nmap_modes.c): the -P options with
 * their lists, as asked ("-PE", "-PS22,443", "-PE -PO1,6,17,132"), "default"
 * with none, "connect" without raw sockets; ARP and ND ping are "-PR".
 */

/* nmap's name for a pass as a PASS line writes it ("-PE+-PS22,443", one
 * word) or scantrace 0.1 did ("echo+syn:22,443"): "-PE -PS22,443"; a name
 * already in nmap's form is copied. False when the name is none of these
 * (out gets it unchanged). */
bool st_nmap_mode_label(const char *name, char *out, size_t size);

/* The mode an nmap command line asks for (the words after the one whose
 * base name is "nmap", so wrappers such as sudo or stdbuf may come first):
 * its -P options in the order given, a list given or nmap's default one
 * ("-PO" is "-PO1,2,4"). False when no word is nmap, or out is too small. */
bool st_nmap_mode_asked(const char *const *argv, size_t argc, char *out, size_t size);

/* Whether an nmap command line skips host discovery (-Pn, its old names
 * -PN and -P0): every target is up by the user's word ("user-set"), no
 * probe asks, and nmap's "Host is up" claims nothing of the wire. */
bool st_nmap_no_ping(const char *const *argv, size_t argc);

/*
 * Where nmap 7.93 takes its targets from (grab_next_host_spec): -iR's random
 * addresses, else -iL's file (-i, its old name; "-" is stdin), else the
 * command line's target words. With -iL or -iR those words are read as
 * nothing at all: `nmap -iL list.txt 198.18.3.2` scans the list alone.
 * argv[0] is nmap; *file is -iL's file (the last given), or NULL.
 */
enum st_nmap_input {
    ST_NMAP_INPUT_ARGV = 0,
    ST_NMAP_INPUT_FILE,
    ST_NMAP_INPUT_RANDOM,
};
enum st_nmap_input st_nmap_input(const char *const *argv, size_t argc, const char **file);

/* Whether a port list in nmap's syntax (masscan's -p and hping3's --scan
 * share it: "22,53", "1-1024", "-", "T:53,U:53") holds port; a service
 * name or a pattern ("domain", "http*") may be any port, so it does. */
bool st_nmap_ports_hold(const char *list, unsigned port);

/* 53 is the 12th of nmap's most frequent TCP ports (nmap-services' order),
 * the 10th of UDP's: --top-ports 10 and more may scan it. */
#define ST_NMAP_TOP_RANK_53 10

/* Whether an nmap command line sends a probe to port: a ping port (-PS,
 * -PA, -PU, -PY lists) or, in a port scan (no -sn, -sL, -sO), -p's list,
 * --top-ports' or, without either, nmap's default list, which holds the
 * most frequent ports (53 among them). */
bool st_nmap_probes_port(const char *const *argv, size_t argc, unsigned port);

/* A port or protocol list as nmap's options take it: "22,443", runs of
 * three or more as "1-1024". The length written (truncated to fit). */
size_t st_nmap_port_list(const uint16_t *ports, size_t n, char *out, size_t size);

#endif
