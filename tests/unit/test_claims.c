/*
 * The claims readers (analyzer/compare/claims_readers.c) on real scanner
 * output recorded in the lab (tests/data/claims/), the first-line format
 * choice, and the command-line reading that names a scanner's mode and
 * targets (wire_side.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"

static const char *src_root = ".";

/* A file, how it is read, and every claim it must give ("ADDR=up|down",
 * space-separated, sorted by address). */
static const struct file_row {
    const char *file, *scanner;
    bool list_is_down;
    const char *format, *claims;
} files[] = {
    {"fping-a.txt", "fping", false, "address-list", "198.18.3.2=up"},
    {"fping-u.txt", "fping", true, "address-list", "198.18.3.4=down"},
    /* fping -a typed in a terminal saved by script(1): its one line behind
     * the shell's "\e[?2004l\r" (bash's bracketed paste turned off) */
    {"fping-a-typescript.txt", "fping", false, "address-list", "198.18.3.2=up"},
    {"fping-alive.txt", "fping", false, "fping", "198.18.3.2=up 198.18.3.4=down"},
    /* -c: a line per probe on stdout; a timeout alone claims nothing */
    {"fping-c.txt", "fping", false, "fping", "198.18.3.2=up 198.18.3.3=none 198.18.3.9=none"},
    {"fping-D-c.txt", "fping", false, "fping",
     "198.18.1.2=up 198.18.1.3=none 198.18.3.2=up 198.18.3.4=none"},
    /* -c/-C -q: the summaries on stderr, given with --claims */
    {"fping-c-q-stderr.txt", "fping", false, "fping",
     "198.18.1.2=up 198.18.1.3=down 198.18.3.2=up 198.18.3.4=down"},
    {"fping-C-q-stderr.txt", "fping", false, "fping",
     "198.18.1.2=up 198.18.1.3=down 198.18.3.2=up 198.18.3.4=down"},
    {"fping-c-q-A-d-stderr.txt", "fping", false, "fping", "198.18.3.2=up 198.18.3.4=down"},
    /* -c/-C pad each address to the longest one's width ("X  : [0], ..."): a lab
     * of other address lengths, and the summaries of 127.0.0.1 and .100 */
    {"fping-c-padded.txt", "fping", false, "fping", "198.18.200.1=up 198.18.200.50=none"},
    {"fping-c-q-padded-stderr.txt", "fping", false, "fping", "127.0.0.100=up 127.0.0.1=up"},
    {"fping-C-q-padded-stderr.txt", "fping", false, "fping", "127.0.0.100=up 127.0.0.1=up"},
    /* -e: the time after the address; -A -d: "NAME (X)", or "X (X)" */
    {"fping-a-e.txt", "fping", false, "address-list", "198.18.1.2=up 198.18.3.2=up"},
    {"fping-A-d.txt", "fping", false, "fping",
     "198.18.1.2=up 198.18.1.3=down 198.18.3.2=up 198.18.3.4=down"},
    {"fping-A-d-names.txt", "fping", false, "fping", "198.18.1.2=up 198.18.3.2=up 198.18.3.4=down"},
    {"fping-c-A-d.txt", "fping", false, "fping", "198.18.3.2=up 198.18.3.4=none"},
    {"fping-a-A-d-e.txt", "fping", false, "address-list", "198.18.1.2=up 198.18.3.2=up"},
    /* -d alone: names without their address, nothing to hold */
    {"fping-d-names.txt", "fping", false, "unknown", ""},
    {"zmap.txt", "zmap", false, "address-list",
     "198.19.0.102=up 198.19.0.134=up 198.19.0.146=up 198.19.0.188=up 198.19.0.246=up"},
    {"zmap-csv.txt", "zmap", false, "zmap-csv",
     "198.19.0.0=up 198.19.0.1=up 198.19.0.2=up 198.19.0.3=up"},
    /* nmap -v of a target given twice, the router dropping the second copy's echo:
     * "Host is up", then "[host down]": up (any copy's answer is the host's) */
    {"nmap-v-dup.txt", "nmap", false, "nmap-normal", "198.18.3.2=up"},
    {"masscan-console.txt", "masscan", false, "masscan-console", "198.18.3.2=up"},
    {"masscan-oL.txt", "masscan", false, "masscan-list", "198.18.3.2=up"},
    {"masscan-oX.txt", "masscan", false, "xml", "198.18.3.2=up"},
    /* masscan --ping -oG - and zmap -O json -o -: their results on stdout */
    {"masscan-oG.txt", "masscan", false, "masscan-grepable", "198.18.3.2=up"},
    {"zmap-json.txt", "zmap", false, "zmap-json", "198.18.3.2=up"},
    /* its rows that are no success (a RST, success 0, let through by
     * --output-filter): answered, neither up nor down */
    {"zmap-json-rst.txt", "zmap", false, "zmap-json", "198.18.3.2=none 198.18.3.3=none"},
    {"zmap-csv-rst.txt", "zmap", false, "zmap-csv", "198.18.3.2=up 198.18.3.3=none"},
    {"masscan-syn.txt", "masscan", false, "masscan-console", "198.18.3.2=up"},
    /* --show closed: a closed port is a live host */
    {"masscan-closed.txt", "masscan", false, "masscan-console", "198.18.3.2=up 198.18.3.3=up"},
    {"masscan-ping-syn.txt", "masscan", false, "masscan-console",
     "198.18.3.2=up 198.19.0.0=up 198.19.0.1=up 198.19.0.2=up 198.19.0.3=up"},
    {"hping3.txt", "hping3", false, "hping3", "198.18.3.2=up"},
    /* hping3 prints every reply: a RST (flags=RA) is a reply too */
    {"hping3-rst.txt", "hping3", false, "hping3", "198.18.3.3=up"},
    /* hping3 --udp: a port unreachable is the host's word; its stdout rubs
     * out "get hostname..." with backspaces (a text trace all the same) */
    {"hping3-udp.txt", "hping3", false, "hping3", "198.18.3.2=up"},
    {"hping3-none.txt", "hping3", false, "hping3", ""},
    /* --flood reads no reply and prints none: its output claims nothing */
    {"hping3-flood.txt", "hping3", false, "unknown", ""},
    /* ... but a router's port unreachable (it rejects the target's traffic so,
     * another lab) is no word of the target's, nor a claim of the router's */
    {"hping3-udp-router-unreach.txt", "hping3", false, "hping3", ""},
    {"nmap-normal.txt", "nmap", false, "nmap-normal", "198.18.1.2=up 198.18.3.2=up"},
    /* -oN FILE with no host up: its "# Nmap done at" says whose it is */
    {"nmap-oN-none.txt", "nmap", false, "nmap-normal", ""},
    {"nmap-oG.txt", "nmap", false, "nmap-grepable", "198.18.3.2=up"},
    {"nmap-oX.txt", "nmap", false, "xml", "198.18.3.2=up 198.18.3.4=down"},
    {"fping6-a.txt", "fping", false, "address-list", "2001:2:0:1::2=up 2001:2:0:3::2=up"},
    {"nmap6-normal.txt", "nmap", false, "nmap-normal",
     "2001:2:0:1::2=up 2001:2:0:3::2=up 2001:2:0:3::3=up"},
    /* iputils ping: its answers, its summary line (no address: the PING line's) */
    {"ping.txt", "ping", false, "ping", "198.18.3.2=up"},
    {"ping-lost.txt", "ping", false, "ping", "198.18.3.4=down"},
    {"ping-unreach.txt", "ping", false, "ping", "198.18.3.9=down"},
    {"ping6.txt", "ping", false, "ping", "2001:2:0:3::2=up"},
    {"ping-D.txt", "ping", false, "ping", "198.18.3.2=up"},
    {"ping-q.txt", "ping", false, "ping", "198.18.3.2=up"},
    /* link-local targets, printed with their zone (ping -6, fping -6 X%lan0) */
    {"ping6-ll.txt", "ping", false, "ping", "fe80::d871:b4ff:fe66:2ef=up"},
    {"ping6-ll-lost.txt", "ping", false, "ping", "fe80::1234=down"},
    {"fping6-ll.txt", "fping", false, "fping", "fe80::1234=down fe80::d871:b4ff:fe66:2ef=up"},
    /* a group pinged (ping -6 ff02::1%lan0): each member that answered, zone and all, and
     * the group by the summary; hping3 -1 to a broadcast: its second answer, "DUP! len=" */
    {"ping6-all-nodes.txt", "ping", false, "ping",
     "fe80::4a0:eeff:fed2:4010=up fe80::6876:62ff:fe60:c5ac=up fe80::98e0:2cff:fe59:e8f1=up "
     "fe80::f83e:31ff:fea4:2a10=up ff02::1=up"},
    {"hping3-broadcast.txt", "hping3", false, "hping3", "198.18.1.2=up 198.18.1.53=up"},
    {"unknown.txt", "nmap", false, "unknown", ""},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What reading `file` with the command `cmd` gives, against a row's format
 * and claims ("ADDR=up ...", sorted). */
static void check_file(const char *file, const struct st_claims_cmd *cmd, const char *format,
                       const char *claims)
{
    char path[4096], err[256], got[2048] = "";
    snprintf(path, sizeof path, "%s/tests/data/claims/%s", src_root, file);
    struct st_claims cl;
    if (st_claims_read(path, "stdout", cmd, &cl, err, sizeof err))
        fail_msg("%s: %s", file, err);
    /* by text: an IPv6 host's id depends on what was read before */
    char each[64][64];
    const char *sorted[64];
    if (cl.n > 64)
        fail_msg("%s: %zu claims, room for 64", file, cl.n);
    for (size_t k = 0; k < cl.n; k++) {
        char ip[ST_HOST_STRLEN];
        snprintf(each[k], sizeof each[k], "%s=%s", st_host_str(cl.addr[k], ip),
                 cl.claim[k] == ST_CLAIM_UP     ? "up"
                 : cl.claim[k] == ST_CLAIM_DOWN ? "down"
                                                : "none");
        sorted[k] = each[k];
    }
    qsort(sorted, cl.n, sizeof *sorted, cmp_str);
    for (size_t k = 0; k < cl.n; k++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s", len ? " " : "", sorted[k]);
    }
    if (strcmp(cl.format, format) || strcmp(got, claims))
        fail_msg("%s: format %s, claims '%s'; want %s, '%s'", file, cl.format, got, format, claims);
    st_claims_free(&cl);
}

static void test_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        const struct file_row *r = &files[i];
        struct st_claims_cmd cmd = {.scanner = r->scanner, .list_is_down = r->list_is_down};
        check_file(r->file, &cmd, r->format, r->claims);
    }
}

/*
 * hping3 --scan's stdout (its header, naming the host, goes to stderr): the
 * host is the command's one target. An open port, up; with -V its RSTs too;
 * no port line and none silent (the RSTs it hides), up; all 3 ports
 * silent, down.
 */
static const struct scan_row {
    const char *file;
    const char *target; /* the command's one target, or NULL (no run.json) */
    unsigned ports;     /* what its --scan list names, 0 unknown ("known") */
    const char *claims;
} scan_files[] = {
    {"hping3-scan.txt", "198.18.3.2", 3, "198.18.3.2=up"},
    {"hping3-scan-V.txt", "198.18.3.3", 3, "198.18.3.3=up"},
    {"hping3-scan-rst.txt", "198.18.3.3", 100, "198.18.3.3=up"},
    {"hping3-scan-none.txt", "198.18.3.4", 3, "198.18.3.4=down"},
    /* a list it cannot count: some silent ports say nothing */
    {"hping3-scan-none.txt", "198.18.3.4", 0, ""},
    /* the target unknown: the lines are read, no claim */
    {"hping3-scan.txt", NULL, 3, ""},
};

static void test_scan_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scan_files / sizeof scan_files[0]; i++) {
        const struct scan_row *r = &scan_files[i];
        struct st_claims_cmd cmd = {.scanner = "hping3", .scan_ports = r->ports};
        if (r->target && !st_ip4_parse(r->target, &cmd.sole_target))
            fail_msg("%s: bad target %s", r->file, r->target);
        check_file(r->file, &cmd, "hping3-scan", r->claims);
    }
}

/* One real line each: the reader that knows it first (the format a file
 * gets from its first such line), or NULL for lines no reader may claim. */
static const struct line_row {
    const char *line, *format;
} lines[] = {
    {"Nmap scan report for 198.18.3.2", "nmap-normal"},
    {"Nmap scan report for r1.lab (198.18.3.2)", "nmap-normal"},
    {"Host: 198.18.3.2 ()\tStatus: Up", "nmap-grepable"},
    {"<host><status state=\"up\" reason=\"echo-reply\" reason_ttl=\"63\"/>", "xml"},
    {"Discovered open port 0/icmp on 198.18.3.2", "masscan-console"},
    {"Discovered open port 443/tcp on 198.18.3.2                                     ",
     "masscan-console"},
    {"open icmp 0 198.18.3.2 1796187376", "masscan-list"},
    {"closed tcp 443 198.18.3.3 1796187376", "masscan-list"},
    {"Discovered closed port 443/tcp on 198.18.3.3", "masscan-console"},
    {"{   \"ip\": \"198.18.3.2\",   \"timestamp\": \"1796187376\", \"ports\": [ ] }",
     "masscan-json"},
    {"198.18.3.2 is alive", "fping"},
    {"198.18.3.4 is unreachable", "fping"},
    {"198.18.3.2 : [0], 84 bytes, 0.11 ms (0.11 avg, 0% loss)", "fping"},
    {"198.18.3.9 : [1], timed out (NaN avg, 100% loss)", "fping"},
    {"[1796387592.88365] 198.18.3.2 : [0], 64 bytes, 0.074 ms (0.074 avg, 0% loss)", "fping"},
    {"198.18.3.4 : xmt/rcv/%loss = 2/0/100%", "fping"},
    {"198.18.3.2 : 0.101 0.093", "fping"},
    {"198.18.3.4 : - -", "fping"},
    {"r1.lab (198.18.3.2) is alive", "fping"},
    {"2001:2:0:3::2 : [0], 64 bytes, 0.05 ms (0.05 avg, 0% loss)", "fping"},
    {"198.18.3.2 (0.081 ms)", "address-list"},
    {"PING 198.18.3.2 (198.18.3.2) 56(84) bytes of data.", "ping"},
    {"PING 2001:2:0:3::2(2001:2:0:3::2) 56 data bytes", "ping"},
    {"64 bytes from 198.18.3.2: icmp_seq=1 ttl=63 time=0.066 ms", "ping"},
    {"From 198.18.2.254 icmp_seq=1 Destination Host Unreachable", "ping"},
    {"r1.lab (198.18.3.2)", "address-list"},
    {"len=28 ip=198.18.3.2 ttl=63 id=4324 icmp_seq=0 rtt=3.5 ms", "hping3"},
    {"ICMP Port Unreachable from ip=198.18.3.2 name=UNKNOWN", "hping3"},
    {"ICMP Host Unreachable from ip=198.18.2.254 name=UNKNOWN", "hping3"},
    {"saddr,classification,success", "zmap-csv"},
    {"{ \"saddr\": \"198.19.0.7\", \"classification\": \"unreach\", \"success\": 0 }", "zmap-json"},
    {"Timestamp: 1796222769\tHost: 198.18.3.2 ()\tPorts: 0/open/icmp//icmp//", "masscan-grepable"},
    {"# Masscan 1.3.2 scan initiated Wed Dec  2 14:46:09 2026", "masscan-grepable"},
    {"198.19.0.7", "address-list"},
    /* what must stay unknown */
    /* nmap's last line claims nothing itself but says whose output it is:
     * with no host up it is all there is, and that is a claim too (every
     * target down); the first line alone belongs to a run that may be cut */
    {"Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-02 04:53 UTC", NULL},
    {"Nmap done: 4 IP addresses (2 hosts up) scanned in 0.35 seconds", "nmap-normal"},
    {"r1.lab is alive", NULL},
    {"r1.lab (198.18.3.2) is nice", NULL},
    {"198.18.3.2 : [0], 84 bytes", NULL},
    {"198.18.3.2 : 0.1x -", NULL},
    {"Starting masscan 1.3.2 (http://bit.ly/14GZzcT) at 2026-12-02 04:53:00 GMT", NULL},
    {"198.18.3.2 (0.081 s)", NULL},
    {"198.18.3.2 (198.18.3.3)", NULL},
    {"Host is up (0.000029s latency).", NULL},
    {"ping 198.18.3.2", NULL},
    {"", NULL},
};

/* One real line of a format, and the claim it makes: "ADDR=up|down|none". */
static const struct claim_row {
    const char *format, *line, *claim;
} claim_rows[] = {
    {"fping", "198.18.3.2 : [0], 64 bytes, 0.077 ms (0.077 avg, 0% loss)", "198.18.3.2=up"},
    /* a reply from another address than the one pinged (fping's "[<- Y]"):
     * fping calls the target alive, and that is its claim */
    {"fping", "198.18.3.255 : [0], 84 bytes, 0.09 ms (0.09 avg, 0% loss) [<- 198.18.3.2]",
     "198.18.3.255=up"},
    {"fping", "198.18.3.9 : [1], timed out (NaN avg, 100% loss)", "198.18.3.9=none"},
    {"fping", "198.18.3.2 : xmt/rcv/%loss = 2/1/50%, min/avg/max = 0.07/0.07/0.07",
     "198.18.3.2=up"},
    {"fping", "198.18.3.4 : xmt/rcv/%loss = 2/0/100%", "198.18.3.4=down"},
    {"fping", "198.18.3.2 : - 0.093", "198.18.3.2=up"},
    {"fping", "r1.lab (198.18.3.2) is alive", "198.18.3.2=up"},
    {"fping", "198.18.3.2 is alive (0.112 ms)", "198.18.3.2=up"},
    {"address-list", "r1.lab (198.18.3.2) (0.056 ms)", "198.18.3.2=up"},
    /* ping's reverse lookup of the answer (without -n) */
    {"ping", "64 bytes from r1.lab (198.18.3.2): icmp_seq=1 ttl=63 time=0.067 ms", "198.18.3.2=up"},
    {"ping", "64 bytes from 2001:2:0:3::: icmp_seq=1 ttl=64 time=0.06 ms", "2001:2:0:3::=up"},
    {"ping", "From 198.18.2.254 icmp_seq=1 Destination Host Unreachable", "no claim"},
};

static void test_line_claims(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof claim_rows / sizeof claim_rows[0]; i++) {
        const struct claim_row *r = &claim_rows[i];
        const struct st_claim_reader *rd = st_claim_readers;
        while (rd->format && strcmp(rd->format, r->format))
            rd++;
        struct st_claim_state st = {.csv_saddr = -1, .csv_success = -1};
        uint32_t a = 0;
        enum st_claim c = ST_CLAIM_NONE;
        char got[96] = "not read", ip[ST_HOST_STRLEN];
        if (rd->format && rd->line(r->line, &st, &a, &c) && !a)
            snprintf(got, sizeof got, "no claim");
        else if (rd->format && rd->line(r->line, &st, &a, &c))
            snprintf(got, sizeof got, "%s=%s", st_host_str(a, ip),
                     c == ST_CLAIM_UP     ? "up"
                     : c == ST_CLAIM_DOWN ? "down"
                                          : "none");
        if (strcmp(got, r->claim))
            fail_msg("'%s': %s, want %s", r->line, got, r->claim);
    }
}

/* An answer that says its host is up, and whether a scanner that prints only
 * its successes (zmap, masscan) reports it. */
static const struct success_row {
    const char *what;
    enum st_net net;
    uint8_t proto, type_or_flags;
    bool success;
} successes[] = {
    {"SYN/ACK", ST_NET_IPV4, ST_IPPROTO_TCP, ST_TCP_SYN | ST_TCP_ACK, true},
    {"RST/ACK", ST_NET_IPV4, ST_IPPROTO_TCP, ST_TCP_RST | ST_TCP_ACK, false},
    {"RST", ST_NET_IPV6, ST_IPPROTO_TCP, ST_TCP_RST, false},
    {"echo reply", ST_NET_IPV4, ST_IPPROTO_ICMP, 0, true},
    {"timestamp reply", ST_NET_IPV4, ST_IPPROTO_ICMP, 14, true},
    {"port unreachable", ST_NET_IPV4, ST_IPPROTO_ICMP, 3, false},
    {"ICMPv6 echo reply", ST_NET_IPV6, ST_IPPROTO_ICMPV6, 129, true},
    {"ICMPv6 port unreachable", ST_NET_IPV6, ST_IPPROTO_ICMPV6, 1, false},
    {"neighbour advertisement", ST_NET_IPV6, ST_IPPROTO_ICMPV6, 136, false},
    {"UDP answer", ST_NET_IPV4, ST_IPPROTO_UDP, 0, true},
    {"ARP reply", ST_NET_ARP, 0, 0, false},
};

static void test_successes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof successes / sizeof successes[0]; i++) {
        const struct success_row *r = &successes[i];
        struct st_pkt p;
        st_pkt_init(&p);
        p.net = r->net;
        p.proto = r->proto;
        if (r->proto == ST_IPPROTO_TCP)
            p.l4.tcp.flags = r->type_or_flags;
        else
            p.l4.icmp.type = r->type_or_flags;
        if (st_reply_is_success(&p) != r->success)
            fail_msg("%s: success %d, want %d", r->what, !r->success, r->success);
    }
    assert_true(st_scanner_prints_successes("zmap"));
    assert_true(st_scanner_prints_successes("masscan"));
    assert_false(st_scanner_prints_successes("hping3"));
    assert_false(st_scanner_prints_successes("nmap"));
    assert_false(st_scanner_prints_successes("fping"));
    /* what each scanner's output can report: ARP and ND only nmap's */
    static const struct {
        const char *scanner;
        enum st_net net;
        uint8_t proto, type_or_flags;
        bool reported;
    } reported[] = {
        {"nmap", ST_NET_ARP, 0, 0, true},
        {"nmap", ST_NET_IPV6, ST_IPPROTO_ICMPV6, 136, true},
        {"fping", ST_NET_ARP, 0, 0, false},
        {"fping", ST_NET_IPV6, ST_IPPROTO_ICMPV6, 136, false},
        {"fping", ST_NET_IPV4, ST_IPPROTO_ICMP, 0, true},
        {"hping3", ST_NET_ARP, 0, 0, false},
        {"hping3", ST_NET_IPV4, ST_IPPROTO_TCP, ST_TCP_RST | ST_TCP_ACK, true},
        {"zmap", ST_NET_IPV4, ST_IPPROTO_TCP, ST_TCP_RST | ST_TCP_ACK, false},
        {"zmap", ST_NET_IPV4, ST_IPPROTO_TCP, ST_TCP_SYN | ST_TCP_ACK, true},
        {"masscan", ST_NET_ARP, 0, 0, false},
    };
    for (size_t i = 0; i < sizeof reported / sizeof reported[0]; i++) {
        struct st_pkt p;
        st_pkt_init(&p);
        p.net = reported[i].net;
        p.proto = reported[i].proto;
        if (p.proto == ST_IPPROTO_TCP)
            p.l4.tcp.flags = reported[i].type_or_flags;
        else
            p.l4.icmp.type = reported[i].type_or_flags;
        if (st_reply_reported(reported[i].scanner, &p) != reported[i].reported)
            fail_msg("reported row %zu (%s): %d", i, reported[i].scanner, !reported[i].reported);
    }
}

static void test_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        const char *got = NULL;
        for (const struct st_claim_reader *r = st_claim_readers; r->format && !got; r++) {
            struct st_claim_state st = {.csv_saddr = -1, .csv_success = -1};
            uint32_t a;
            enum st_claim c;
            if (r->line(lines[i].line, &st, &a, &c))
                got = r->format;
        }
        if ((got == NULL) != (lines[i].format == NULL) || (got && strcmp(got, lines[i].format)))
            fail_msg("'%s': read as %s, want %s", lines[i].line, got ? got : "nothing",
                     lines[i].format ? lines[i].format : "nothing");
    }
}

/* nmap --open lists only the hosts with an open port: which commands have
 * it (getopt_long_only: one dash or two; a shell's later nmap run too). */
static const struct open_row {
    const char *argv[12];
    bool open_only;
} opens[] = {
    {{"scantrace", "record", "--", "nmap", "-n", "-p", "22", "--open", "198.18.3.2"}, true},
    {{"scantrace", "record", "--", "nmap", "-open", "198.18.3.2"}, true},
    {{"scantrace", "record", "--", "nmap", "-n", "-sn", "198.18.3.2"}, false},
    {{"scantrace", "record", "--", "sh", "-c", "nmap -sn 198.18.3.2; nmap --open 198.18.3.3"},
     true},
    /* masscan's --open is its default (open ports alone): no host left out */
    {{"scantrace", "record", "--", "masscan", "--open", "-p", "22", "198.18.3.2"}, false},
};

static void test_open_only(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof opens / sizeof opens[0]; i++) {
        size_t n = 0;
        while (n < 12 && opens[i].argv[n])
            n++;
        struct st_scanner_cmd s;
        if (st_scanner_cmd_parse(opens[i].argv, n, &s))
            fail_msg("row %zu: the command does not parse", i);
        if (s.open_only != opens[i].open_only)
            fail_msg("row %zu: open_only %d, want %d", i, s.open_only, opens[i].open_only);
        st_scanner_cmd_free(&s);
    }
}

/* A recorded command line, the scanner and mode it names, its targets. */
static const struct cmd_row {
    const char *argv[24];
    const char *name, *mode;
    size_t ntargets;
} cmds[] = {
    /* hping3's ICMP type and --traceroute name what it sends */
    {{"scantrace", "record", "--", "hping3", "-1", "-C", "13", "-c", "2", "198.18.3.2"},
     "hping3",
     "hping3 -1 -C 13",
     1},
    {{"scantrace", "record", "--", "timeout", "30", "hping3", "--traceroute", "-1", "-c", "3",
      "198.18.3.2"},
     "hping3",
     "hping3 --traceroute -1",
     1},
    /* zoned link-local targets are targets (the zone names no address) */
    {{"scantrace", "record", "--", "fping", "-6", "fe80::1%lan0", "fe80::2%lan0"},
     "fping",
     "fping",
     2},
    {{"scantrace", "record", "-o", "r", "--", "fping", "-a", "-g", "198.18.3.0/28"},
     "fping",
     "fping",
     16},
    {{"scantrace", "record", "-o", "r", "--", "/usr/bin/fping", "-g", "198.18.3.1", "198.18.3.4"},
     "fping",
     "fping",
     4},
    {{"scantrace", "record", "-o", "r", "--", "zmap", "-M", "icmp_echoscan", "-S", "198.18.2.1",
      "-r", "2000", "198.19.0.0/24"},
     "zmap",
     "zmap -M icmp_echoscan",
     256},
    {{"scantrace", "record", "-o", "r", "--", "zmap", "-p", "80", "198.19.0.0/30"},
     "zmap",
     "zmap -M tcp_synscan -p 80",
     4},
    {{"scantrace", "record", "-o", "r", "--", "zmap", "--target-port=443", "-M", "tcp_synscan",
      "198.19.0.0/30"},
     "zmap",
     "zmap -M tcp_synscan -p 443",
     4},
    /* a shell's command string: the command it runs first */
    {{"scantrace", "record", "-o", "r", "--", "sh", "-c",
      "fping -a -g 198.18.3.0/28 2>/dev/null | tee 'alive list.txt'"},
     "fping",
     "fping",
     16},
    {{"scantrace", "record", "-o", "r", "--", "/bin/bash", "-lc",
      "sudo -u root zmap -M icmp_echoscan \"198.19.0.0/30\" > hosts.txt; echo done"},
     "zmap",
     "zmap -M icmp_echoscan",
     4},
    /* several runs of the scanner in one string: their targets joined, their modes named
     * (`sleep`, `echo` no run; a redirection's target no command) */
    {{"scantrace", "record", "-o", "r", "--", "sh", "-c",
      "nmap -n -sn -PE 198.18.3.2 198.18.3.4; sleep 1; nmap -n -sn 198.18.3.3 198.18.3.4"},
     "nmap",
     "nmap -sn -PE; nmap -sn",
     3},
    {{"scantrace", "record", "-o", "r", "--", "bash", "-c",
      "fping -a 198.18.3.1 2>/dev/null && echo ok\nfping -a 198.18.3.2 198.18.3.1 > out || "
      "fping -a '198.18.3.9'"},
     "fping",
     "fping",
     3},
    {{"scantrace", "record", "-o", "r", "--", "sh", "-c",
      "zmap -p 80 198.19.0.0/30 >> hosts; zmap -p 80 198.19.0.4/30;"},
     "zmap",
     "zmap -M tcp_synscan -p 80",
     8},
    /* a shell's options before -c, with values (bash --rcfile FILE, sh -o errexit, +x) */
    {{"scantrace", "record", "-o", "r", "--", "bash", "--rcfile", "/dev/null", "-o", "pipefail",
      "+x", "-c", "exec fping -a -g 198.18.3.0/30 | sort"},
     "fping",
     "fping",
     4},
    {{"scantrace", "record", "-o", "r", "--", "busybox", "sh", "-c",
      "nohup zmap -M icmp_echoscan 198.19.0.0/30 2>/dev/null"},
     "zmap",
     "zmap -M icmp_echoscan",
     4},
    /* sh -- FILE runs a script: no command string to read */
    {{"scantrace", "record", "-o", "r", "--", "sh", "--", "-c"}, "sh", "sh", 0},
    /* a wrapper (timeout, env, nice...) names no scanner: the command it runs does */
    {{"scantrace", "record",  "-o", "r",       "--",    "doas",         "-u",
      "root",      "taskset", "-c", "1",       "chrt",  "-f",           "10",
      "ionice",    "-c",      "3",  "masscan", "-p443", "198.18.3.0/29"},
     "masscan",
     "masscan -p 443",
     8},
    {{"scantrace", "record", "-o", "r", "--", "timeout", "-k", "5", "20", "masscan", "-p443",
      "198.18.3.0/29", "--adapter-ip", "198.18.2.1"},
     "masscan",
     "masscan -p 443",
     8},
    {{"scantrace", "record", "-o", "r", "--", "env", "LC_ALL=C", "/usr/bin/timeout", "20",
      "masscan", "--ping", "--ports", "80,443", "198.18.3.2"},
     "masscan",
     "masscan --ping -p 80,443",
     1},
    {{"scantrace", "record", "-o", "r", "--", "hping3", "-S", "-p", "443", "-c", "2", "198.18.3.2"},
     "hping3",
     "hping3 -S -p 443",
     1},
    /* IPv6 targets: addresses and prefixes of up to 2^17 addresses */
    {{"scantrace", "record", "-o", "r", "--", "fping", "-6", "-a", "2001:2:0:3::2", "2001:2:0:1::9",
      "2001:2:0:3::2"},
     "fping",
     "fping",
     2},
    {{"scantrace", "record", "-o", "r", "--", "nmap", "-6", "-sn", "2001:2:0:100::/126",
      "2001:2:0:3::2", "2001:2::/64"},
     "nmap",
     "nmap -sn",
     5},
    /* iputils ping: option values are no targets */
    {{"scantrace", "record", "-o", "r", "--", "ping", "-c", "2", "-W", "1", "-i", "0.2",
      "198.18.3.2"},
     "ping",
     "ping",
     1},
    {{"scantrace", "record", "-o", "r", "--", "ping", "-6", "-c2", "2001:2:0:3::2"},
     "ping",
     "ping",
     1},
    /* a wrapper that runs nothing is the command */
    {{"scantrace", "record", "-o", "r", "--", "timeout", "20"}, "timeout", "timeout", 0},
    {{"scantrace", "record", "-o", "r", "--", "masscan", "--ping", "198.18.3.0-198.18.3.7",
      "--adapter-ip", "198.18.2.1"},
     "masscan",
     "masscan --ping",
     8},
    {{"scantrace", "record", "-o", "r", "--", "hping3", "--icmp", "-c", "2", "198.18.3.2"},
     "hping3",
     "hping3 --icmp",
     1},
    {{"scantrace", "record", "-o", "r", "--", "nmap", "-n", "-sn", "-PE", "198.18.3.2-4",
      "198.18.1.2"},
     "nmap",
     "nmap -sn -PE",
     4},
    /* nmap's octet ranges and wildcards; overlapping specs name each address once */
    {{"scantrace", "record", "-o", "r", "--", "nmap", "-sn", "-PE", "198.18.1-2.3", "198.18.4.*",
      "198.18.3.2", "198.18.3.0/30", "-S", "198.18.2.1"},
     "nmap",
     "nmap -sn -PE",
     2 + 256 + 4},
    {{"scantrace", "record", "-o", "r", "--", "nmap", "-sn", "scanme.example"},
     "nmap",
     "nmap -sn",
     0},
};

/* fping's command lines as fping reads them: "TARGETS[ list][ unreach][
 * count][ names][ quiet]" (the flags of struct st_scanner_cmd). */
static const struct fping_row {
    const char *argv[12];
    const char *want;
} fpings[] = {
    {{"scantrace", "record", "--", "fping", "-ug", "198.18.3.2", "198.18.3.5"}, "4 list unreach"},
    {{"scantrace", "record", "--", "fping", "-aqg", "198.18.3.0/30"}, "4 list quiet"},
    {{"scantrace", "record", "--", "fping", "--squiet=5", "-l", "198.18.3.2"}, "1 count quiet"},
    {{"scantrace", "record", "--", "fping", "-c", "2", "-t", "200", "198.18.3.2"}, "1 count"},
    {{"scantrace", "record", "--", "fping", "-ac1", "-i", "1", "198.18.3.2"}, "1 list count"},
    {{"scantrace", "record", "--", "fping", "--count=2", "--generate", "198.18.3.0", "198.18.3.3"},
     "4 count"},
    {{"scantrace", "record", "--", "fping", "--vcount", "3", "--alive", "198.18.3.2"},
     "1 list count"},
    {{"scantrace", "record", "--", "fping", "-l", "-p", "500", "198.18.3.2"}, "1 count"},
    {{"scantrace", "record", "--", "fping", "-S", "198.18.2.1", "-g", "198.18.3.0", "198.18.3.1"},
     "2"},
    {{"scantrace", "record", "--", "fping", "-d", "198.18.3.2"}, "1 names"},
    {{"scantrace", "record", "--", "fping", "-Ad", "198.18.3.2"}, "1"},
    {{"scantrace", "record", "--", "fping", "--rdns", "--", "198.18.3.2", "198.18.3.3"}, "2 names"},
};

/* A row's NULL-terminated command line, parsed into s. */
static void parse_row(const char *const *argv, struct st_scanner_cmd *s)
{
    size_t argc = 0;
    while (argv[argc])
        argc++;
    assert_int_equal(st_scanner_cmd_parse(argv, argc, s), 0);
}

/* A target given by name: its address is on no command line, so every
 * address probed is a target; names of files and interfaces last are not
 * targets; port 53 named makes DNS the probes'. */
static void test_named_targets(void **state)
{
    (void)state;
    static const struct {
        const char *argv[16];
        const char *named; /* the first name, "" none */
        bool port53;
    } rows[] = {
        {{"scantrace", "record", "--", "fping", "-e", "198.18.3.4", "r2x", "r1x"}, "r2x", false},
        {{"scantrace", "record", "--", "hping3", "-S", "-p", "80", "r1.lab"}, "r1.lab", false},
        {{"scantrace", "record", "--", "ping", "-c", "1", "www.example.org"},
         "www.example.org",
         false},
        {{"scantrace", "record", "--", "fping", "198.18.3.2"}, "", false},
        {{"scantrace", "record", "--", "zmap", "-p", "80", "198.18.3.0/29", "-i", "wan0"},
         "",
         false},
        {{"scantrace", "record", "--", "zmap", "-p", "80", "198.18.3.0/29", "-o", "out.txt"},
         "",
         false},
        {{"scantrace", "record", "--", "hping3", "-2", "-p", "53", "198.18.3.2"}, "", true},
        {{"scantrace", "record", "--", "nmap", "-sn", "-PU53", "198.18.3.2"}, "", true},
        {{"scantrace", "record", "--", "nmap", "-sn", "-PU5353", "198.18.3.2"}, "", false},
        {{"scantrace", "record", "--", "nmap", "-sn", "--dns-servers", "198.18.1.53",
          "198.18.1.53"},
         "",
         false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct st_scanner_cmd s;
        parse_row(rows[i].argv, &s);
        if (strcmp(s.named_target, rows[i].named) || s.port53 != rows[i].port53)
            fail_msg("row %zu: named '%s' port53 %d; want '%s' %d", i, s.named_target, s.port53,
                     rows[i].named, rows[i].port53);
        /* a named target makes any address one */
        if (rows[i].named[0] && !st_scanner_targets(&s, 0xc6120363u))
            fail_msg("row %zu: an address probed is no target beside a named one", i);
        st_scanner_cmd_free(&s);
    }
}

static void test_cmds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        struct st_scanner_cmd s;
        parse_row(cmds[i].argv, &s);
        if (strcmp(s.name, cmds[i].name) || strcmp(s.mode, cmds[i].mode) ||
            s.ntargets != cmds[i].ntargets)
            fail_msg("row %zu: %s / %s / %zu targets; want %s / %s / %zu", i, s.name, s.mode,
                     s.ntargets, cmds[i].name, cmds[i].mode, cmds[i].ntargets);
        st_scanner_cmd_free(&s);
    }
    /* fping's own option syntax (bundles, attached values, long options) */
    for (size_t i = 0; i < sizeof fpings / sizeof fpings[0]; i++) {
        const struct fping_row *r = &fpings[i];
        struct st_scanner_cmd s;
        parse_row(r->argv, &s);
        char got[64];
        snprintf(got, sizeof got, "%zu%s%s%s%s%s", s.ntargets, s.addr_list ? " list" : "",
                 s.unreach_list ? " unreach" : "", s.count_mode ? " count" : "",
                 s.by_name ? " names" : "", s.quiet ? " quiet" : "");
        if (strcmp(got, r->want))
            fail_msg("fping row %zu: '%s', want '%s'", i, got, r->want);
        st_scanner_cmd_free(&s);
    }
    /* hping3 --scan: the ports its list names (a list it cannot count: 0) */
    static const struct {
        const char *argv[24];
        const char *mode;
        unsigned ports;
    } scans[] = {
        {{"scantrace", "record", "--", "hping3", "--scan", "22,80,443", "-S", "198.18.3.2"},
         "hping3 --scan 22,80,443 -S",
         3},
        {{"scantrace", "record", "--", "hping3", "-8", "1-100,443", "-S", "198.18.3.2"},
         "hping3 --scan 1-100,443 -S",
         101},
        {{"scantrace", "record", "--", "hping3", "--scan", "known", "-S", "198.18.3.2"},
         "hping3 --scan known -S",
         0},
        {{"scantrace", "record", "--", "hping3", "--scan", "1-100,!80", "-S", "198.18.3.2"},
         "hping3 --scan 1-100,!80 -S",
         0},
    };
    for (size_t i = 0; i < sizeof scans / sizeof scans[0]; i++) {
        struct st_scanner_cmd sc;
        parse_row(scans[i].argv, &sc);
        if (strcmp(sc.mode, scans[i].mode) || sc.scan_ports != scans[i].ports || sc.ntargets != 1)
            fail_msg("hping3 row %zu: %s, %u ports, %zu targets; want %s, %u, 1", i, sc.mode,
                     sc.scan_ports, sc.ntargets, scans[i].mode, scans[i].ports);
        st_scanner_cmd_free(&sc);
    }
    /* why nmap printed no packet trace: the start of the reason, "" none */
    static const struct {
        const char *argv[12];
        const char *why;
    } traces[] = {
        {{"scantrace", "record", "--", "nmap", "-sn", "198.18.3.2"}, "nmap was run without"},
        {{"scantrace", "record", "--", "nmap", "-sn", "--packet-trace", "198.18.3.2"}, ""},
        {{"scantrace", "record", "--", "nmap", "-sn", "-packet-trace", "-oN", "-", "198.18.3.2"},
         ""},
        {{"scantrace", "record", "--", "nmap", "--packet-trace", "-oX", "-", "198.18.3.2"},
         "nmap prints none when -oX -"},
        {{"scantrace", "record", "--", "nmap", "--packet-trace", "--oG=-", "198.18.3.2"},
         "nmap prints none when -oG -"},
        {{"scantrace", "record", "--", "nmap", "--packet-trace", "-oS", "-", "198.18.3.2"},
         "nmap prints none when -oS -"},
        /* to a file: the trace stays on stdout */
        {{"scantrace", "record", "--", "nmap", "--packet-trace", "-oX", "o.xml", "198.18.3.2"}, ""},
        /* a shell's later run says why when the first does not */
        {{"scantrace", "record", "--", "sh", "-c",
          "nmap -sn --packet-trace 198.18.3.2; nmap -sn --packet-trace -oG - 198.18.3.3"},
         "nmap prints none when -oG -"},
        {{"scantrace", "record", "--", "fping", "-a", "198.18.3.2"}, ""},
        {{"scantrace", "record", "--", "nmap", "-sL", "--packet-trace", "198.18.3.0/30"},
         "nmap -sL lists its targets and sends no probe"},
    };
    for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++) {
        struct st_scanner_cmd sc;
        parse_row(traces[i].argv, &sc);
        const char *why = sc.no_trace_why ? sc.no_trace_why : "";
        if (strncmp(why, traces[i].why, strlen(traces[i].why)) || (!*traces[i].why && *why))
            fail_msg("nmap trace row %zu: '%s', want '%s...'", i, why, traces[i].why);
        st_scanner_cmd_free(&sc);
    }
    /* a scan run has no "--": no scanner command to read */
    const char *scan[] = {"scantrace", "scan", "-o", "r", "198.18.3.2"};
    struct st_scanner_cmd s;
    assert_int_equal(st_scanner_cmd_parse(scan, 5, &s), -1);
}

/* nmap -iL FILE scans the file's targets alone (nmap 7.93 ignores the
 * command line's then): the wire side's targets are the file's; -iR's
 * random addresses, stdin's list or a file gone make any address one. */
static void test_nmap_input_list(void **state)
{
    (void)state;
    char path[] = "/tmp/st-test-iL-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char list[] = "198.18.3.2\n198.18.3.8/30 # four\n\n198.18.3.2\n";
    assert_int_equal(write(fd, list, sizeof list - 1), (ssize_t)(sizeof list - 1));
    close(fd);
    const uint32_t listed = 0xc612030au, argv_only = 0xc6120363u; /* .10 and .99 */
    static const char *const gone = "/nonexistent/st-list.txt";
    static const struct {
        const char *argv[12];
        size_t ntargets; /* 0: unknown, every address a target */
    } rows[] = {
        {{"scantrace", "record", "--", "nmap", "-n", "-sn", "-iL", "F", "198.18.3.99"}, 5},
        {{"scantrace", "record", "--", "nmap", "-sn", "198.18.3.99", "-iL", "F"}, 5},
        {{"scantrace", "record", "--", "nmap", "-sn", "--iL=F", "198.18.3.99"}, 5},
        {{"scantrace", "record", "--", "nmap", "-sn", "-i", "F", "198.18.3.99"}, 5},
        {{"scantrace", "record", "--", "nmap", "-sn", "-iL", "G", "198.18.3.99"}, 0},
        {{"scantrace", "record", "--", "nmap", "-sn", "-iL", "-", "198.18.3.99"}, 0},
        {{"scantrace", "record", "--", "nmap", "-sn", "-iR", "10", "198.18.3.99"}, 0},
        /* another scanner's -i is its interface */
        {{"scantrace", "record", "--", "zmap", "-i", "wan0", "198.18.3.99"}, 1},
    };
    char eq[64];
    snprintf(eq, sizeof eq, "--iL=%s", path);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *argv[12] = {0}, *w;
        size_t argc = 0;
        for (; (w = rows[i].argv[argc]); argc++) /* F: the list, G: a file gone */
            argv[argc] = !strcmp(w, "F")        ? path
                         : !strcmp(w, "G")      ? gone
                         : !strcmp(w, "--iL=F") ? eq
                                                : w;
        struct st_scanner_cmd s;
        assert_int_equal(st_scanner_cmd_parse(argv, argc, &s), 0);
        bool known = rows[i].ntargets != 0;
        if (s.targets_read != known || (known && s.ntargets != rows[i].ntargets) ||
            (known && strcmp(s.name, "zmap") && st_scanner_targets(&s, argv_only)) ||
            (!known && !st_scanner_targets(&s, argv_only)) ||
            (rows[i].ntargets == 5 && !st_scanner_targets(&s, listed)))
            fail_msg("row %zu: read %d, %zu targets; want %zu", i, s.targets_read, s.ntargets,
                     rows[i].ntargets);
        st_scanner_cmd_free(&s);
    }
    unlink(path);
}

/* What an empty output of a run that ended with a status claims: the
 * format it is read in, or NULL (nothing can be read into silence). */
static const struct silent_row {
    const char *argv[10];
    int exit_status;
    const char *format;
} silents[] = {
    {{"scantrace", "record", "--", "zmap", "-p", "80", "198.19.0.0/30"}, 0, "address-list"},
    {{"scantrace", "record", "--", "zmap", "-p", "80", "198.19.0.0/30"}, 1, NULL},
    {{"scantrace", "record", "--", "zmap", "-p", "80", "198.19.0.0/30"}, -1, NULL},
    {{"scantrace", "record", "--", "masscan", "-p443", "198.19.0.0/30"}, 0, "masscan-console"},
    /* results written to a file: an empty stdout says nothing */
    {{"scantrace", "record", "--", "masscan", "-p443", "198.19.0.0/30", "-oJ", "m.json"}, 0, NULL},
    {{"scantrace", "record", "--", "masscan", "-p443", "198.19.0.0/30", "-oG", "m.txt"}, 0, NULL},
    /* a shell sent the output elsewhere: silence on stdout says nothing */
    {{"scantrace", "record", "--", "sh", "-c", "zmap -p 80 198.19.0.0/30 > hosts.txt"}, 0, NULL},
    {{"scantrace", "record", "--", "sh", "-c", "zmap -p 80 198.19.0.0/30 | sort"}, 0, NULL},
    {{"scantrace", "record", "--", "sh", "-c", "zmap -p 80 198.19.0.0/30 2>zmap.log"},
     0,
     "address-list"},
    /* "-" is standard output: silence there is a claim of no host */
    {{"scantrace", "record", "--", "masscan", "-p443", "198.19.0.0/30", "-oG", "-"},
     0,
     "masscan-console"},
    {{"scantrace", "record", "--", "zmap", "-p", "80", "-o", "hosts.txt", "198.19.0.0/30"},
     0,
     NULL},
    {{"scantrace", "record", "--", "zmap", "-p", "80", "-o", "-", "198.19.0.0/30"},
     0,
     "address-list"},
    {{"scantrace", "record", "--", "timeout", "20", "masscan", "--ping", "198.19.0.1"}, 124, NULL},
    {{"scantrace", "record", "--", "fping", "-a", "198.18.3.4"}, 1, "address-list"},
    {{"scantrace", "record", "--", "fping", "-u", "198.18.3.2"}, 0, "address-list"},
    {{"scantrace", "record", "--", "fping", "-a", "198.18.3.4"}, 2, NULL},
    {{"scantrace", "record", "--", "fping", "198.18.3.4"}, 1, NULL},
    {{"scantrace", "record", "--", "fping", "-ug", "198.18.3.2", "198.18.3.4"}, 1, "address-list"},
    /* -a/-u with -c/-C: the results go to stderr, stdout says nothing */
    {{"scantrace", "record", "--", "fping", "-a", "-c", "1", "198.18.3.4"}, 1, NULL},
    {{"scantrace", "record", "--", "fping", "-aC2", "198.18.3.4"}, 0, NULL},
    {{"scantrace", "record", "--", "hping3", "-S", "198.18.3.4"}, 0, NULL},
    {{"scantrace", "record", "--", "nmap", "-sn", "198.18.3.4"}, 0, NULL},
};

static void test_silent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof silents / sizeof silents[0]; i++) {
        struct st_scanner_cmd s;
        parse_row(silents[i].argv, &s);
        s.exit_status = silents[i].exit_status;
        const char *got = st_scanner_silent_format(&s), *want = silents[i].format;
        if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
            fail_msg("row %zu: %s, want %s", i, got ? got : "NULL", want ? want : "NULL");
        st_scanner_cmd_free(&s);
    }
}

/* text into a new file named from the template path (mkstemp's XXXXXX). */
static void tmp_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* fping -u: the hosts it probed and did not list are claimed up, the listed
 * stay down, one never probed stays unclaimed; looked up while claims are
 * added (unlisted hosts below the listed ones, met first). */
static void test_unlisted_up(void **state)
{
    (void)state;
    char path[] = "/tmp/st-claims-XXXXXX", err[256], list[200] = "";
    for (int i = 10; i < 18; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "198.18.3.%d\n", i);
    tmp_file(path, list);
    struct st_claims cl;
    struct st_claims_cmd cmd = {.scanner = "fping", .list_is_down = true};
    assert_int_equal(st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err), 0);
    unlink(path);
    struct st_mode_host hosts[20] = {{0}};
    size_t nh = 0;
    for (int i = 1; i < 18; i++) { /* 1..9 unlisted, then 10..17 listed */
        hosts[nh].addr = 0xc6120300u | (uint32_t)i;
        hosts[nh++].nprobes = 1;
    }
    hosts[nh++].addr = 0xc6120300u | 20u; /* no probe */
    struct st_mode mode = {.name = "fping", .hosts = hosts, .nhosts = nh};
    struct st_comparison c = {.modes = &mode, .nmodes = 1};
    st_claims_unlisted_up(&cl, &c);
    for (int i = 1; i < 21; i++) {
        enum st_claim want = i < 10 ? ST_CLAIM_UP : i < 18 ? ST_CLAIM_DOWN : ST_CLAIM_NONE;
        enum st_claim got = st_claim_of(&cl, 0, 0xc6120300u | (uint32_t)i);
        if (got != want)
            fail_msg("198.18.3.%d: claim %d, want %d", i, (int)got, (int)want);
    }
    st_claims_free(&cl);
}

/* A scanner stopped mid-line (masscan killed by timeout, its piped output
 * cut at a block): the cut last line ("198.18.3.2" of "198.18.3.25") is no
 * claim; the same file from a scanner that ended is read whole. */
static void test_stopped_cut_line(void **state)
{
    (void)state;
    char path[] = "/tmp/st-claims-XXXXXX", err[256];
    tmp_file(path, "open icmp 0 198.18.3.9 1796496900\nopen icmp 0 198.18.3.2");
    struct st_claims cl;
    struct st_claims_cmd cmd = {.scanner = "masscan", .stopped = "stopped by timeout"};
    assert_int_equal(st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err), 0);
    assert_int_equal(cl.n, 1);
    assert_int_equal(st_claim_of(&cl, 0, 0xc6120309u), ST_CLAIM_UP);
    assert_string_equal(cl.stopped, "stopped by timeout");
    st_claims_free(&cl);
    cmd.stopped = NULL;
    assert_int_equal(st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err), 0);
    assert_int_equal(cl.n, 2);
    st_claims_free(&cl);
    unlink(path);
}

/* A lab session's log of two nmap runs: each claim is its run's (a host
 * the second run found up is no claim of the first); without the runs,
 * every claim is the one run's. */
static void test_runs(void **state)
{
    (void)state;
    char path[] = "/tmp/st-claims-XXXXXX", err[256];
    tmp_file(path, "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 19:51 UTC\n"
                   "Nmap scan report for 198.18.3.2\n"
                   "Host is up (0.000031s latency).\n"
                   "Nmap done: 2 IP addresses (1 host up) scanned in 0.21 seconds\n"
                   "Starting Nmap 7.93 ( https://nmap.org ) at 2026-12-04 19:51 UTC\n"
                   "Nmap scan report for 198.18.3.3\n"
                   "Host is up (0.000022s latency).\n"
                   "Nmap done: 2 IP addresses (1 host up) scanned in 1.21 seconds\n");
    static const uint32_t starts[] = {1, 5};
    const uint32_t a2 = 0xc6120302u, a3 = 0xc6120303u;
    struct st_claims cl;
    struct st_claims_cmd cmd = {.scanner = "nmap", .run_line = starts, .nruns = 2};
    assert_int_equal(st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err), 0);
    assert_int_equal(st_claim_of(&cl, 0, a2), ST_CLAIM_UP);
    assert_int_equal(st_claim_of(&cl, 0, a3), ST_CLAIM_NONE);
    assert_int_equal(st_claim_of(&cl, 1, a2), ST_CLAIM_NONE);
    assert_int_equal(st_claim_of(&cl, 1, a3), ST_CLAIM_UP);
    st_claims_free(&cl);
    cmd.run_line = NULL, cmd.nruns = 0;
    assert_int_equal(st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err), 0);
    unlink(path);
    assert_int_equal(st_claim_of(&cl, 0, a2), ST_CLAIM_UP);
    assert_int_equal(st_claim_of(&cl, 0, a3), ST_CLAIM_UP);
    st_claims_free(&cl);
}

/*
 * The statistics the readers take with the claims (stated_counts.c sets
 * them against the wire): "ADDR SENT/RCVD/ERRORS" per host, sorted.
 * ping's "+N duplicates" are replies it took, its "+N errors" none; fping's
 * -c summary and -C list (stderr), not its per-probe lines; hping3's
 * statistics, before its banner in a log of 2>&1.
 */
static const struct count_row {
    const char *file; /* under the source root */
    const char *scanner, *counts;
} count_files[] = {
    {"tests/data/claims/ping-unreach.txt", "ping", "198.18.3.9 4/0/3"},
    {"tests/data/claims/ping-q.txt", "ping", "198.18.3.2 1/1/0"},
    {"tests/data/claims/ping6-all-nodes.txt", "ping", "ff02::1 2/5/0"},
    {"tests/data/claims/fping-c.txt", "fping", ""},
    {"tests/data/claims/fping-C-q-stderr.txt", "fping",
     "198.18.1.2 2/2/0 198.18.1.3 2/0/0 198.18.3.2 2/2/0 198.18.3.4 2/0/0"},
    {"tests/data/claims/fping-c-q-stderr.txt", "fping",
     "198.18.1.2 2/2/0 198.18.1.3 2/0/0 198.18.3.2 2/2/0 198.18.3.4 2/0/0"},
    {"tests/data/counts/hping3-router-errors/trace.log", "hping3", "198.18.3.9 6/4/0"},
    {"tests/data/claims/hping3.txt", "hping3", ""},
};

static void test_counts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof count_files / sizeof count_files[0]; i++) {
        const struct count_row *r = &count_files[i];
        char path[4096], err[256], got[512] = "";
        snprintf(path, sizeof path, "%s/%s", src_root, r->file);
        struct st_claims_cmd cmd = {.scanner = r->scanner};
        struct st_claims cl;
        if (st_claims_read(path, "stdout", &cmd, &cl, err, sizeof err))
            fail_msg("%s: %s", r->file, err);
        /* (in host order: IPv4 hosts by address, as st_claims_read leaves them) */
        for (size_t k = 0; k < cl.ncounts; k++) {
            char ip[ST_HOST_STRLEN];
            size_t len = strlen(got);
            const struct st_trace_count *c = &cl.counts[k];
            snprintf(got + len, sizeof got - len, "%s%s %u/%u/%u", len ? " " : "",
                     st_host_str(c->addr, ip), c->sent, c->rcvd, c->errors);
        }
        if (strcmp(got, r->counts))
            fail_msg("%s: counts '%s'; want '%s'", r->file, got, r->counts);
        st_claims_free(&cl);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        src_root = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),       cmocka_unit_test(test_scan_files),
        cmocka_unit_test(test_lines),       cmocka_unit_test(test_successes),
        cmocka_unit_test(test_cmds),        cmocka_unit_test(test_nmap_input_list),
        cmocka_unit_test(test_silent),      cmocka_unit_test(test_named_targets),
        cmocka_unit_test(test_line_claims), cmocka_unit_test(test_unlisted_up),
        cmocka_unit_test(test_runs),        cmocka_unit_test(test_stopped_cut_line),
        cmocka_unit_test(test_counts),      cmocka_unit_test(test_open_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
