/*
 * The libwireshark reader in a build without libwireshark (see
 * dissect.h): compare uses tshark.
 */
#include <stdio.h>
#include <string.h>

#include "dissect.h"

bool st_wireshark_available(void)
{
    return false;
}

enum st_tshark_rc st_wireshark_read(const char *path, const struct st_wireshark_opts *o,
                                    struct st_dissection *c, char *err, size_t errsz)
{
    (void)path;
    (void)o;
    memset(c, 0, sizeof *c);
    snprintf(err, errsz, "this scantrace was built without libwireshark (--dissector tshark)");
    return ST_TSHARK_ENVIRONMENT;
}
