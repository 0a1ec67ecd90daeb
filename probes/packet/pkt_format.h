/*
 * The packet record -> nmap 7.93 `--packet-trace` text.
 *
 * This is the only place that writes trace text; the trace writer of `scan`
 * and the reports call it. The layout follows nmap 7.93 at its LOW detail
 * (the default, -d0/-d1), trailing spaces included, so a scantrace trace and
 * an nmap trace of the same packet are the same bytes but for the time.
 */
#ifndef ST_PKT_FORMAT_H
#define ST_PKT_FORMAT_H

#include <stddef.h>

#include "pkt_record.h"

/* nmap's detail levels of packet text: -d0/-d1, -d2, -d3 and more. */
enum st_detail {
    ST_DETAIL_LOW = 0,
    ST_DETAIL_MEDIUM,
    ST_DETAIL_HIGH,
};

/* The description at a given detail level (st_format_desc is LOW). */
int st_format_desc_at(const struct st_pkt *p, enum st_detail level, char *buf, size_t size);

/*
 * The description of a packet, what nmap prints after "SENT (0.0123s) ":
 * "ARP who-has ...", "ICMP [...] IP [...]", "TCP a:p > b:p S ...".
 * Returns its length, or -1 when `size` is too small (buf is then truncated).
 */
int st_format_desc(const struct st_pkt *p, char *buf, size_t size);

/*
 * A whole trace line without the newline: "SENT (0.0123s) <desc>", the time
 * being p->time_ns as seconds since the scan started. RCVD for ST_DIR_RCVD,
 * SENT otherwise.
 */
int st_format_line(const struct st_pkt *p, char *buf, size_t size);

/*
 * A short description for reports: "TCP 10.0.1.1:63818 > 10.0.2.3:443 S",
 * "ICMP 10.0.1.1 > 10.0.2.9 Echo request", "ARP who-has 10.0.1.2 tell 10.0.1.1".
 */
int st_format_brief(const struct st_pkt *p, char *buf, size_t size);

/*
 * What kind of packet it is, seen from the scanner: "ICMP echo request",
 * "TCP SYN to 443", "TCP RST/ACK from 80", "ARP reply", "ICMP port unreachable".
 * Uses p->dir for "to"/"from" (SENT: destination port, else source port).
 */
int st_format_kind(const struct st_pkt *p, char *buf, size_t size);

/* Room for any line st_format_line writes. */
#define ST_LINE_MAX 512

#endif
