/*
 * The capture side of a comparison dissected in process by libwireshark
 * (Wireshark's own dissectors, the ones tshark runs), when scantrace was
 * built with it (meson -Dlibwireshark=enabled|auto): a module loaded on
 * first use, so no other command pays for loading libwireshark. The same fields as the
 * tshark reader, mapped by the same code (dissect_fields.c), so both give
 * the same records; about twice as fast as tshark on one core, and large
 * captures are split in two halves dissected on both cores.
 *
 * libwireshark is GPLv2+: a scantrace binary linked with it is too.
 */
#ifndef ST_WIRESHARK_READ_H
#define ST_WIRESHARK_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "tshark_read.h"

struct st_wireshark_opts {
    /* captures of at least this many bytes are split across two processes;
     * 0: the default (8 MiB), SIZE_MAX or more: never */
    uint64_t split_bytes;
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

/* The module's entry point (wireshark_read.c, built as scantrace-libwireshark.so):
 * what st_wireshark_read() calls once wireshark_load.c has loaded it. */
enum st_tshark_rc st_wireshark_module_read(const char *path, const struct st_wireshark_opts *o,
                                           struct st_dissection *c, char *err, size_t errsz);

#endif
