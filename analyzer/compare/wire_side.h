/*
 * The scanner's side of a run that has no packet trace (fping, zmap,
 * masscan, hping3, nmap without --packet-trace), built from the capture:
 * each frame the scanner sent becomes a probe and each answer a reply, as if
 * the scanner had traced them, so that align and summary judge every target
 * with nmap's rules. The command line recorded in run.json names the scanner,
 * its mode and its targets.
 */
#ifndef ST_WIRE_SIDE_H
#define ST_WIRE_SIDE_H

#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "trace_read.h"

/* The scanner's command line, as `scantrace record -- CMD` stored it. */
struct st_scanner_cmd {
    char name[32];     /* "fping", "zmap", "masscan", "hping3", "nmap", "" unknown */
    char mode[96];     /* "fping", "zmap -M icmp_echoscan", "nmap -sn -PE"... */
    uint32_t *targets; /* the addresses its target specs name, sorted, unique */
    size_t ntargets;
    bool targets_read;     /* some target spec could be read */
    bool unreach_list;     /* fping -u: its address list names the unreachable */
    bool addr_list;        /* fping -a/-u: it prints a bare address list */
    bool count_mode;       /* fping -c/-C/-l: a line per probe on stdout (none with -a/-u/-q),
                            * each host's summary on stderr */
    bool by_name;          /* fping -n/-d without -A: hosts printed by name, not address */
    bool quiet;            /* fping -q/-Q: no per-host line (but -a/-u's list) */
    bool to_file;          /* its results go to a file, not stdout (zmap -o F, masscan -oJ F,
                            * sh -c "... > F" or "... | ...") */
    int exit_status;       /* run.json's command.exit_status; -1 unknown or killed */
    unsigned scan_ports;   /* hping3 --scan: the ports its list names, 0 unknown ("known", "all") */
    char signal[16];       /* run.json: the signal that killed it ("SIGABRT"), "" */
    bool timed;            /* run by timeout(1): its exit status 124 says it stopped the scanner */
    bool port53;           /* its command names port 53: DNS may be its probes */
    bool open_only;        /* nmap --open: it reports only the hosts with an open port */
    bool kernel_link;      /* nmap --send-ip: the kernel asks for link-layer addresses (ARP,
                            * ND): no probe of the scanner's, their answers none either */
    char named_target[64]; /* a target given by name ("r1x"): the targets are every address
                            * probed, as its address is not on the command line; "" none */
    const char *no_trace_why; /* why a scanner that can trace its packets printed no
                               * trace (nmap without --packet-trace...), or NULL */
    int64_t end_ns;           /* when the command exited, on the capture's clock
                               * (run.json; 0 unknown) */
};

/*
 * The command after "--" in run.json's command_line (argv: all of it). 0, or
 * -1 when there is no "--" (a `scantrace scan` run).
 */
int st_scanner_cmd_parse(const char *const *argv, size_t argc, struct st_scanner_cmd *s);

/* run.json's command_line (a JSON array of strings, or NULL) into s: 0, or
 * -1 (none, no "--"). */
struct json_object;
int st_scanner_cmd_json(struct json_object *command_line, struct st_scanner_cmd *s);

/* RUNDIR/run.json's command line into s. 0, or -1 (no run.json, no "--"). */
int st_scanner_cmd_read(const char *rundir, struct st_scanner_cmd *s);

/* Whether the scanner was stopped before it ended (killed by a signal, or
 * timeout(1)'s 124, or 128 + the signal with --preserve-status): it may
 * not have printed all it found. */
bool st_scanner_stopped(const struct st_scanner_cmd *s);

void st_scanner_cmd_free(struct st_scanner_cmd *s);

/*
 * The format of a scanner's output when it printed nothing, or NULL when
 * nothing cannot be read as a claim. zmap's address list, fping -a/-u's and
 * masscan's console lines print one line per success and nothing else on
 * stdout: from a run that ended well (exit 0; fping 1, "some unreachable")
 * and wrote its results there (not to a file: zmap -o F, masscan -oJ F),
 * no line is "no host claimed". nmap and hping3 always print something, and
 * a scanner that failed or was killed may have printed nothing for that.
 */
const char *st_scanner_silent_format(const struct st_scanner_cmd *s);

/*
 * Fill the empty trace t with the scanner's side of the capture: one mode
 * named s->mode, the frames the scanner sent to its targets (to any address
 * when no target could be read) and those that answered them. Dialect
 * "wire". Returns the packets added.
 */
size_t st_wire_side_build(struct st_trace *t, const struct st_dissection *cap,
                          const struct st_scanner_cmd *s);

/* Whether addr is one of s's targets (every address when none were read). */
bool st_scanner_targets(const struct st_scanner_cmd *s, uint32_t addr);

#endif
