/*
 * Small helpers of the packet record.
 */
#include "packet.h"

#include <stdio.h>
#include <string.h>

void st_pkt_init(struct st_pkt *p)
{
    memset(p, 0, sizeof *p);
}

const char *st_ip4_str(uint32_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    return buf;
}

/* Strict dotted quad: four decimal octets, no leading '+', no spaces. */
bool st_ip4_parse(const char *s, uint32_t *addr)
{
    uint32_t a = 0;

    for (int i = 0; i < 4; i++) {
        unsigned v = 0;
        int digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return false;
        a = a << 8 | v;
        if (i < 3 && *s++ != '.')
            return false;
    }
    if (*s != '\0')
        return false;
    *addr = a;
    return true;
}
