/*
 * nmap `--packet-trace` text -> the packet record: the inverse of pkt_format.
 *
 * Reads SENT/RCVD lines of nmap 7.93 at every detail level (LOW, the -d2
 * MEDIUM and the -d3 HIGH layouts) and scantrace's own traces, which use the
 * same text. A LOW line parsed and formatted again gives the same bytes.
 */
#ifndef ST_PKT_PARSE_H
#define ST_PKT_PARSE_H

#include <stddef.h>

#include "pkt_record.h"
#include "pkt_format.h"

enum st_parse_rc {
    ST_PARSE_OK = 0,
    ST_PARSE_NOT_PACKET = 1, /* not a SENT/RCVD/CONN line: nmap's report, NSOCK... */
    ST_PARSE_BAD = -1,       /* a SENT/RCVD line scantrace cannot read */
};

/*
 * Parse one line (without or with its trailing newline / CR). CONN lines of
 * the unprivileged mode give connect records (ST_PKT_CONNECT). On ST_PARSE_BAD
 * `err` (if not NULL) receives a short reason. out->line is left to the caller.
 */
enum st_parse_rc st_parse_line(const char *line, struct st_pkt *out, char *err, size_t errsz);

/* The detail level a SENT/RCVD line was printed at (nmap's -d2, -d3). */
enum st_detail st_line_detail(const char *line);

/* Parse just a description (the text after "SENT (t) "). */
enum st_parse_rc st_parse_desc(const char *desc, struct st_pkt *out, char *err, size_t errsz);

#endif
