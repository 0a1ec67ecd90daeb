/*
 * The libwireshark module's entry points (wireshark_read.c and
 * wireshark_split.c, built as scantrace-libwireshark.so): what
 * wireshark_load.c calls once it has loaded it.
 */
#ifndef ST_WIRESHARK_MODULE_H
#define ST_WIRESHARK_MODULE_H

#include "dissect.h"

/* The capture dissected in this process (st_wireshark_read's fallback, and
 * its in_process option). */
enum st_tshark_rc st_wireshark_module_read(const char *path, const struct st_wireshark_opts *o,
                                           struct st_dissection *c, char *err, size_t errsz);

/* The master process (wireshark_parts.h): epan started, a line 'V' + the
 * version on fd0, then [0, cut) onto fd0 and [cut, end) onto fd1 by a child
 * (cut <= 0, fd1 < 0: the whole capture onto fd0), by runs of seg frames.
 * Exits. */
void st_wireshark_module_master(const char *path, int64_t cut, size_t seg, int fd0, int fd1);

#endif
