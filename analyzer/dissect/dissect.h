/*
 * The capture side of a comparison: Wireshark's dissection of a capture
 * file as packet records, one per frame, by either of two dissectors that
 * read the same fields and map them with the same code (dissect_fields.c),
 * so both give the same records:
 *
 *   tshark        a child (posix_spawn, argument vector, no shell) whose
 *                 `-T ek` documents are read as a stream
 *   libwireshark  in process, when scantrace was built with it (meson
 *                 -Dlibwireshark=enabled|auto): a module loaded on first use,
 *                 so no other command pays for loading libwireshark; large
 *                 captures are split in two halves dissected on both cores.
 *                 libwireshark is GPLv2+: a scantrace binary linked with it
 *                 is too.
 */
#ifndef ST_DISSECT_H
#define ST_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* A capture, dissected. */
struct st_dissection {
    struct st_pkt_store frames; /* frame i (st_store_get) has .frame == i + 1 */
    size_t n;
    bool have_direction; /* the capture recorded each frame's direction */
    char dissector[64];  /* "tshark 4.0.17" */
};

enum st_tshark_rc {
    ST_TSHARK_OK = 0,
    ST_TSHARK_BAD_INPUT = -1,   /* the dissector could not read the capture */
    ST_TSHARK_ENVIRONMENT = -2, /* no tshark (or libwireshark), or it crashed or was killed */
};

/* Append frame `p`. (Frame comments are not read: scantrace's own probe
 * marks are for people reading the capture in Wireshark, and compare
 * matches frames by their packets, so its capture and nmap's read alike.) */
void st_dissection_push(struct st_dissection *c, const struct st_pkt *p);

void st_dissection_free(struct st_dissection *c);

/* Whether `path` names a regular file both dissectors can be given: 0 and
 * its size, or -1 with err "PATH: why". */
int st_dissection_check_path(const char *path, int64_t *size, char *err, size_t errsz);

/*
 * Give both dissectors an empty, private configuration directory for the
 * rest of the process (WIRESHARK_CONFIG_DIR), so neither the user's profile
 * nor an unreadable HOME reaches a dissection. Called by both readers; 0, or
 * -1 with a one-line reason.
 */
int st_dissect_private_config(char *err, size_t errsz);

/*
 * Dissect `path` with tshark (the program named by $SCANTRACE_TSHARK, else
 * "tshark" from PATH). On failure `err` holds one line naming the capture and
 * what went wrong, and `c` is empty: there is never a partial result.
 */
enum st_tshark_rc st_tshark_read(const char *path, struct st_dissection *c, char *err,
                                 size_t errsz);

enum st_ek_rc {
    ST_EK_RECORD = 0, /* *p filled */
    ST_EK_SKIP = 1,   /* an ek index line: no record */
    ST_EK_BAD = -1,   /* not an ek document */
};

/*
 * One line of tshark's `-T ek` output (as st_tshark_read gets it, with or
 * without its newline) into a record: the per-document mapping on its own,
 * so it can be tested and fuzzed without a tshark child.
 */
enum st_ek_rc st_tshark_ek_line(const char *line, struct st_pkt *p);

struct st_wireshark_opts {
    /* captures of at least this many bytes are split across two processes;
     * 0: the default (8 MiB), SIZE_MAX or more: never */
    uint64_t split_bytes;
    /* a split capture's frames are dissected by processes of this many
     * frames each (a fresh one for each run of frames: libwireshark's memory
     * goes with it); 0: the default (262144), more is taken as the default */
    uint32_t segment_frames;
};

/* Whether this scantrace was built with libwireshark. */
bool st_wireshark_available(void);

/*
 * Dissect `path` (pcap or pcapng) into records, as st_tshark_read() does.
 * On failure `err` holds one line naming the capture (and the frame) and
 * `c` is empty. ST_TSHARK_ENVIRONMENT when not built with libwireshark.
 */
enum st_tshark_rc st_wireshark_read(const char *path, const struct st_wireshark_opts *o,
                                    struct st_dissection *c, char *err, size_t errsz);

#endif
