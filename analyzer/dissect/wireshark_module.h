/*
 * The libwireshark module's entry point (wireshark_read.c, built as
 * scantrace-libwireshark.so): what st_wireshark_read() calls once
 * wireshark_load.c has loaded it.
 */
#ifndef ST_WIRESHARK_MODULE_H
#define ST_WIRESHARK_MODULE_H

#include "dissect.h"

enum st_tshark_rc st_wireshark_module_read(const char *path, const struct st_wireshark_opts *o,
                                           struct st_dissection *c, char *err, size_t errsz);

#endif
