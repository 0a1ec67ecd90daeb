/*
 * The scanner's claims: which hosts it printed as up (or down), read from
 * its output (trace.log holds a recorded scanner's stdout; `compare --claims
 * FILE` names another file), set against what the wire shows. One reader
 * per output format (claims_readers.c); output no reader knows is reported
 * as format "unknown" and never guessed at.
 */
#ifndef ST_CLAIMS_H
#define ST_CLAIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "comparison.h"

enum st_claim { ST_CLAIM_NONE = 0, ST_CLAIM_UP, ST_CLAIM_DOWN };

/* The line-reading state a reader keeps between lines (nmap's host blocks,
 * zmap's CSV header). */
struct st_claim_state {
    uint32_t pending;  /* nmap: the host of the last "Nmap scan report for" */
    enum st_claim xml; /* -oX: the <status> seen before its <address> */
    int csv_saddr;     /* zmap CSV: the saddr column, -1 none yet */
    int csv_success;   /* zmap CSV: the success column, -1 none */
    bool list_is_down; /* fping -u: a bare address list names the unreachable */
    /* hping3 --scan: its one target (its stdout never names it), the ports
     * its list names (0 unknown), and the ports it printed an answer of */
    uint32_t sole_target;
    unsigned scan_ports, ports_answered;
    /* hping3 --flood: it reads no reply ("no replies will be shown") and
     * stops only when killed, its statistics printed from the signal's
     * handler: its counts are no statement about the wire */
    bool hping_flood;
    /* a statistics line just read (ping's "3 packets transmitted, 2
     * received", fping's "xmt/rcv/%loss = 3/2/33%" or -C's list, hping3's
     * "3 packets transmitted, 2 packets received"): its host and counts,
     * taken by st_claims_read (stats_host: hping3's "--- X hping statistic
     * ---" before its counts) */
    bool counted;
    uint32_t count_addr, stats_host;
    unsigned count_sent, count_rcvd, count_errors;
};

/* One format: its name and how it reads one line (without its newline).
 * Returns true when the line is of this format, with *addr and *claim set
 * (*claim NONE for a line of the format that claims nothing, a header). */
struct st_claim_reader {
    const char *format;
    bool (*line)(const char *line, struct st_claim_state *st, uint32_t *addr, enum st_claim *claim);
};

/* The readers, most specific first; NULL-terminated. */
extern const struct st_claim_reader st_claim_readers[];

struct st_claims {
    bool present;      /* claims were looked for (false: a scantrace trace) */
    char scanner[32];  /* "nmap", "fping", ... */
    char source[4200]; /* "stdout" or the file */
    char format[32];   /* a reader's name, or "unknown" */
    /* sorted by run, then address: one entry each */
    uint32_t *addr;
    uint32_t *run;        /* per addr: the log's run it was printed in (0 with one) */
    enum st_claim *claim; /* per addr: the last claim that run printed for it */
    size_t n, cap;
    size_t lines; /* lines of the output that are not blank */
    /* why stdout holds no claim to read (the results went to a file, to
     * stderr, or name hosts by name), or NULL */
    const char *unread;
    char unread_buf[320]; /* where unread points when it names something */
    /* set by st_claims_judge, each a count of hosts: a host is answered
     * when it answered in some run, missed when some run did not claim it
     * up although it answered in that run, unfounded when some run claimed
     * it up and it did not answer in that run */
    size_t claimed_up, answered, missed, unfounded;
    /* answered, but only with what the scanner's output never reports: a
     * RST, a port unreachable, ARP/ND to zmap or masscan, which print
     * successes (open ports, echo replies) alone. Neither claimed nor missed. */
    size_t unreported;
    /* nmap --open: it lists only hosts with an open port, so a host that
     * answered and is not listed is unreported, not missed */
    bool open_only;
    uint32_t *missed_addr, *unfounded_addr, *unreported_addr;
    /* the scanner was stopped ("killed by SIGTERM", "stopped by timeout"),
     * or NULL: its answered hosts not claimed are counted here, not missed */
    char stopped[40];
    size_t unheld;
    /* a side built from a capture of record -i's interfaces: hosts claimed
     * up that no frame is about (their probes may have taken an interface
     * the capture did not record), not held */
    size_t unseen;
    /* hosts that answered only after the recorded command exited (run.json):
     * neither answered nor missed */
    size_t after_exit;
    /* groups claimed up by a scanner that prints the group alone (fping)
     * that no member answered on the wire: its own host is a member too,
     * answering over the loopback interface, which the capture does not
     * show. Not held (the first of them in own_answer_addr) */
    size_t own_answer;
    uint32_t own_answer_addr;
    /* the scanner's statistics, one per host and run, by run and address
     * (fping's last of a host, ping's and hping3's blocks of it summed):
     * stated_counts.c sets them against the wire */
    struct st_trace_count *counts;
    size_t ncounts;
};

/*
 * Read `path` (source names it in the report: "stdout" for trace.log) with
 * the reader of the first line any reader knows. 0, or -1 with a one-line
 * reason in err when the file cannot be read.
 */
struct st_claims_cmd {
    const char *scanner;  /* "nmap", "fping", ... */
    bool list_is_down;    /* fping -u */
    uint32_t sole_target; /* the command's one target (hping3's), else 0 */
    unsigned scan_ports;  /* hping3 --scan's port count, 0 unknown */
    /* the trace's runs' "Starting" lines when the claims are read from the
     * trace itself and its runs are passes (a lab session's log): each
     * claim is its run's; NULL otherwise (every claim run 0) */
    const uint32_t *run_line;
    size_t nruns;
    /* the scanner was stopped before it ended (st_scanner_stopped): what it
     * did not print is no claim against it */
    const char *stopped;
    /* a second file read after the first, as if it followed it (record's
     * stderr.log: fping's and hping3's statistics) and named `also_name`;
     * NULL none */
    const char *also, *also_name;
    /* nmap --open: a host it did not list may be up without an open port */
    bool open_only;
};

int st_claims_read(const char *path, const char *source, const struct st_claims_cmd *cmd,
                   struct st_claims *cl, char *err, size_t errsz);

/*
 * fping -u lists the unreachable alone: every host it probed and did not
 * list, it found reachable. Those become claims "up" (the hosts probed are
 * c's, built from the wire), so that an answered host is not "missed" and a
 * silent one it did not list is "unfounded".
 */
void st_claims_unlisted_up(struct st_claims *cl, const struct st_comparison *c);

/* The claim run printed for addr (ST_CLAIM_NONE when none). */
enum st_claim st_claim_of(const struct st_claims *cl, uint32_t run, uint32_t addr);

/* Count answered (up on the wire), missed (answered, not claimed up, and
 * answered in a way the scanner reports), unreported (answered only in ways
 * it does not: st_reply_reported) and unfounded (claimed up, no
 * answer on the wire). */
void st_claims_judge(struct st_claims *cl, const struct st_comparison *c);

/* Whether the claims disagree with the wire (compare exits 1). */
bool st_claims_failed(const struct st_claims *cl);

/* Whether the wire shows host h answering: a reply on the wire that says
 * it is up by nmap's rules (st_nmap_reply_verdict). */
bool st_host_answered(const struct st_comparison *c, const struct st_mode_host *h);

/* Whether a scanner prints only its successes (zmap's default output
 * filter success = 1, masscan's open ports and echo replies): a host that
 * answered with a RST or an ICMP error is up by nmap's rules, but such a
 * scanner says nothing about it, so it is no miss. */
bool st_scanner_prints_successes(const char *scanner);

/* Whether the scanner prints claims or statistics on its standard error
 * (fping's summaries, hping3's statistics): record's stderr.log is read
 * with its stdout. Others print logs and progress there. */
bool st_scanner_claims_on_stderr(const char *scanner);

/* Whether scanner's output can report reply p: not a success to a scanner
 * that prints only those, and not an ARP reply or a neighbour advertisement
 * to any scanner but nmap (fping, hping3, zmap and masscan send no ARP to
 * their targets: it is their kernel's resolution, and a host that answers
 * it alone is up by nmap's rules but never in their output). */
bool st_reply_reported(const char *scanner, const struct st_pkt *reply);

/* Whether a reply that says its host is up is one such a scanner reports
 * (a SYN/ACK, an echo or other query reply, a UDP or SCTP answer), not a
 * RST, an ICMP error or ARP/ND. */
bool st_reply_is_success(const struct st_pkt *reply);

/* The reason of a host the scanner claimed but never sent a probe to. */
#define ST_REASON_NOT_PROBED "not-probed"
/* nmap's reason for its own addresses: up without a packet on any wire. */
#define ST_REASON_LOCALHOST "localhost-response"

/*
 * List in c's last mode each host claimed up that no mode holds, so that it
 * has its line and its claim like any other: the scanner's own address up
 * for ST_REASON_LOCALHOST; any other (the scanner printed a host it never
 * probed: unfounded) down for reason ST_REASON_NOT_PROBED. Those an earlier
 * call added are taken out first (compare --claims reads a second set of
 * claims).
 */
void st_claims_place_unprobed(const struct st_claims *cl, struct st_comparison *c);

/* A line under the claims for the unreported hosts, when there are any:
 * how many, why none is a miss, the first addresses. */
void st_claims_unreported_text(FILE *out, const struct st_claims *cl, const char *prefix);

void st_claims_free(struct st_claims *cl);

#endif
