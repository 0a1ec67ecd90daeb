/* A refused probe's trace lines (see send_fail.h). */
#include "send_fail.h"

#include <stdio.h>
#include <string.h>

void st_send_fail_lines(char *buf, size_t size, const char *function, int fd, size_t len,
                        const char *dst, int addrlen, int err, const struct st_pkt *p)
{
    char desc[512];
    st_format_desc_at(p, ST_DETAIL_LOW, desc, sizeof desc);
    snprintf(buf, size,
             "sendto in %s: sendto(%d, packet, %zu, 0, %s, %d) => %s\nOffending packet: %s\n",
             function, fd, len, dst, addrlen, strerror(err), desc);
}
