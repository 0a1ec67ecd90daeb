/*
 * A pcapng file's blocks, one after the other, in their section's byte
 * order: what neither dissector reports (the statistics blocks' drop
 * counts, an interface's capture filter) is read from them directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng_blocks.h"

#define SHB 0x0a0d0d0au

uint32_t st_pcapng_u32(const unsigned char *p, bool swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swap ? __builtin_bswap32(v) : v;
}

uint16_t st_pcapng_u16(const unsigned char *p, bool swap)
{
    return (uint16_t)(swap ? p[0] << 8 | p[1] : p[1] << 8 | p[0]);
}

bool st_pcapng_walk(const char *path, st_pcapng_block_fn fn, void *ud)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return false;
    unsigned char hdr[12], *body = NULL;
    size_t cap = 0;
    bool swap = false, in_section = false, pcapng = false;
    while (fread(hdr, 1, 8, f) == 8) {
        uint32_t type = st_pcapng_u32(hdr, false); /* the SHB's type reads alike either way */
        if (type == SHB) {
            if (fread(hdr + 8, 1, 4, f) != 4)
                break;
            swap = st_pcapng_u32(hdr + 8, false) != 0x1a2b3c4du;
            if (swap && st_pcapng_u32(hdr + 8, true) != 0x1a2b3c4du)
                break; /* not pcapng (a pcap's magic) */
            in_section = pcapng = true;
        } else if (!in_section) {
            break; /* the file does not start with a section header */
        }
        uint32_t len = st_pcapng_u32(hdr + 4, swap);
        size_t done = type == SHB ? 12 : 8;
        if (len < done + 4 || len > (64u << 20) || len % 4)
            break;
        if (len > cap) {
            unsigned char *g = realloc(body, len);
            if (!g)
                abort();
            body = g, cap = len;
        }
        memcpy(body, hdr, done);
        if (fread(body + done, 1, len - done, f) != len - done)
            break;
        /* (a block's type in its section's byte order: only the SHB's reads
         * alike either way) */
        if (!fn(type == SHB ? SHB : st_pcapng_u32(body, swap), body, len, swap, ud))
            break;
    }
    free(body);
    fclose(f);
    return pcapng;
}
