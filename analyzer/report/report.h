/*
 * Renderings of a comparison. report.json (version 1) is the contract CI
 * users parse (README, "report.json"); the text, JUnit and Markdown views
 * are built from the same comparison and say the same things.
 */
#ifndef ST_REPORT_H
#define ST_REPORT_H

#include <json-c/json.h>
#include <stdio.h>

#include "compare.h"
#include "packet.h"

/* ---- the formats, one table for every command that renders (report_format.c) ---- */

/* --color: auto (a terminal, and NO_COLOR unset), always or never. */
enum st_color_when { ST_COLOR_AUTO, ST_COLOR_ALWAYS, ST_COLOR_NEVER };

/* --color's argument into *when; false after the one line
 * "scantrace CMD: --color: auto, always or never, not 'X' (see ...)". */
bool st_color_arg(const char *cmd, const char *arg, enum st_color_when *when);

/* Whether output to fd is coloured under `when`. */
bool st_color_on(enum st_color_when when, int fd);

/* An SGR sequence when colouring, else "" (the renderers' one way to paint). */
static inline const char *st_paint(bool color, const char *sgr)
{
    return color ? sgr : "";
}
#define ST_SGR_RED    "\033[31m"
#define ST_SGR_GREEN  "\033[32m"
#define ST_SGR_YELLOW "\033[33m"
#define ST_SGR_DIM    "\033[2m"
#define ST_SGR_BOLD   "\033[1m"
#define ST_SGR_RESET  "\033[0m"

/* What a renderer is given. */
struct st_render {
    const struct st_comparison *c;
    bool color;              /* ANSI colours (st_report_write decides, from `when`) */
    enum st_color_when when; /* --color */
    /* explain --host: only these hosts (and nothing about no single host);
     * none: every host */
    const uint32_t *hosts;
    size_t nhosts;
};

struct st_report_format {
    const char *name;  /* as --format takes it and messages list it */
    const char *alias; /* another name --format takes, or NULL */
    bool color;        /* coloured on a terminal (unless NO_COLOR) */
    void (*render)(const struct st_render *r, FILE *out);
};

/* The format named name (or an alias of it); NULL when there is none. */
const struct st_report_format *st_report_format(const char *name);

/* The -f and -o lines of a command's usage; dflt names its default format. */
void st_report_options_usage(FILE *out, const char *dflt);

/* --format's argument: the format, or NULL after the one line
 * "PROG: --format: text, json, ... or explain, not 'NAME'" on stderr. */
const struct st_report_format *st_report_format_arg(const char *prog, const char *name);

/*
 * r rendered in format f into path, or standard output when path is NULL.
 * A file is written whole or not at all: into a temporary file beside it,
 * renamed over it once complete, with SIGINT, SIGTERM, SIGHUP and SIGXFSZ held
 * off meanwhile (they act right after); on failure nothing is left and an
 * earlier file is kept. A device or a pipe is written in place. Text is
 * coloured only on a terminal. Returns 0, or ST_EXIT_ENVIRONMENT after the
 * one line "PROG: PATH: reason" on stderr.
 */
int st_report_write(const char *prog, const struct st_report_format *f, const struct st_render *r,
                    const char *path);

/* report.json, written as it is produced (and a newline). */
void st_report_json_write(const struct st_comparison *c, FILE *out);

/* The report.json document, for callers that edit it (caller puts it). */
json_object *st_report_json(const struct st_comparison *c);

void st_report_text(const struct st_comparison *c, FILE *out, bool color);
void st_report_junit(const struct st_comparison *c, FILE *out);
void st_report_markdown(const struct st_comparison *c, FILE *out);

/* One self-contained HTML page with a ladder diagram per mode and host. */
void st_report_html(const struct st_comparison *c, FILE *out);

/* The plain-language account, host by host (r->hosts: only those). */
void st_report_explain(const struct st_render *r, FILE *out);

/* ---- shared by the renderers (report_common.c) ---- */

/* "matched", "trace_only", "wire_only" */
const char *st_status_name(bool matched, bool from_trace);

/* lower-case protocol name of a packet: "arp", "icmp", "tcp", "igmp"... */
const char *st_proto_label(const struct st_pkt *p);

/* One packet of the comparison, in capture-time order: a trace packet
 * (matched or trace-only) or a wire-only frame. */
/* 16 bytes: a 10M-frame comparison makes ten million of these. */
struct st_item {
    int32_t trace; /* trace packet index, or -1 */
    int32_t frame; /* frame index, or -1 */
    int64_t t;     /* capture clock */
};

/* Every packet once, in time order; free() the result. */
struct st_item *st_items(const struct st_comparison *c, size_t *n);

/* The record that describes an item (the frame when there is one; decoded
 * into *tmp, as frames are stored packed). */
const struct st_pkt *st_item_pkt(const struct st_comparison *c, const struct st_item *it,
                                 struct st_pkt *tmp);

/* Frame f's record, decoded into *tmp. */
const struct st_pkt *st_frame(const struct st_comparison *c, long f, struct st_pkt *tmp);

enum st_dir st_item_dir(const struct st_comparison *c, const struct st_item *it);

enum st_cause st_item_cause(const struct st_comparison *c, const struct st_item *it);

const char *st_item_mode(const struct st_comparison *c, const struct st_item *it);

/*
 * A probe sent as IPv4 fragments: frame f starts a train (comparison.h,
 * fnext). Writes the frame numbers "6, 7, 8" into buf (when buf) and
 * returns how many fragments; 0 when f is not the first of a train.
 */
size_t st_train_frames(const struct st_comparison *c, long f, char *buf, size_t size);

/* explain's account of evasion options seen in the run (report_evasion.c),
 * and of one probe's fragment train. */
void st_explain_evasion(FILE *out, const struct st_comparison *c);
/* The run's scanner by name ("nmap", "masscan", "fping"...; "the scanner"
 * when nothing names it), and whether nmap's rules and options are what
 * made its packets (nmap, and scan, which follows them): explain teaches
 * nmap's options and habits only of those runs. */
const char *st_report_scanner_name(const struct st_comparison *c);
bool st_report_nmap_rules(const struct st_comparison *c);
void st_explain_train(FILE *out, const struct st_comparison *c, long ti);

/* Text for XML and HTML: markup characters escaped, control characters dropped. */
void st_xml_escape(FILE *out, const char *s);

/* The scanner's claims (report_claims.c): report.json's "claims" and a
 * host's "claim", the block text and Markdown print (after `prefix`), HTML's,
 * and JUnit's "claims" testsuite (a failing testcase per missed or unfounded
 * host; st_report_claims_junit_cases counts them). */
struct st_jw;
void st_report_claims_json(struct st_jw *w, const struct st_comparison *c);
/* (a host's claim is its pass's run's: st_mode.run) */
void st_report_claim_json(struct st_jw *w, const struct st_comparison *c, uint32_t run,
                          uint32_t host);
void st_report_claims_text(FILE *out, const struct st_comparison *c, const char *prefix);
void st_report_claims_html(FILE *out, const struct st_comparison *c);
size_t st_report_claims_junit_cases(const struct st_comparison *c);
void st_report_claims_junit(FILE *out, const struct st_comparison *c);

/* A packet on one side only, as the text and Markdown views list it. */
struct st_one_sided {
    const struct st_pkt *pkt;
    bool from_trace; /* a trace line without its frame; else a frame alone */
    unsigned where;  /* the trace line, or the frame number */
    enum st_cause cause;
    char text[ST_LINE_MAX]; /* st_format_brief() */
};

/* fn for each packet on one side only, in time order. */
void st_each_one_sided(const struct st_comparison *c,
                       void (*fn)(const struct st_one_sided *, void *), void *ud);

/* Counts of each cause over one-sided packets, indexed by enum st_cause. */
void st_cause_counts(const struct st_comparison *c, size_t counts[ST_CAUSE_COUNT]);

/* The same over the trace-only packets, the wire-only frames, or both. */
void st_cause_counts_side(const struct st_comparison *c, bool trace, bool wire,
                          size_t counts[ST_CAUSE_COUNT]);

#endif
