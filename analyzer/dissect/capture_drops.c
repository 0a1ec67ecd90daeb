/*
 * The drops a pcapng capture's own statistics record: dumpcap, tshark -w and
 * scantrace write an Interface Statistics Block per interface when they
 * stop, its isb_ifdrop (else isb_osdrop) the frames the capture lost. A
 * capture that lost frames cannot show every packet, and neither dissector
 * reports the ISBs: this reads them from the file's blocks alone (a pcap
 * has none: unknown).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"

#define SHB 0x0a0d0d0au
#define ISB 5u

static uint32_t u32(const unsigned char *p, bool swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swap ? __builtin_bswap32(v) : v;
}

static uint64_t u64(const unsigned char *p, bool swap)
{
    /* pcapng's 64-bit counters: in the section's byte order, whole */
    uint64_t lo = u32(p, swap), hi = u32(p + 4, swap);
    return swap ? lo << 32 | hi : hi << 32 | lo;
}

/* An ISB's drop count (isb_ifdrop, else isb_osdrop), or -1 without either. */
static int64_t isb_drops(const unsigned char *b, uint32_t len, bool swap)
{
    int64_t ifdrop = -1, osdrop = -1;
    for (uint32_t o = 12; o + 4 <= len;) {
        uint16_t code = (uint16_t)(swap ? b[o] << 8 | b[o + 1] : b[o + 1] << 8 | b[o]);
        uint16_t olen = (uint16_t)(swap ? b[o + 2] << 8 | b[o + 3] : b[o + 3] << 8 | b[o + 2]);
        if (!code || o + 4 + olen > len)
            break;
        if (olen == 8 && code == 5)
            ifdrop = (int64_t)(u64(b + o + 4, swap) & INT64_MAX);
        if (olen == 8 && code == 7)
            osdrop = (int64_t)(u64(b + o + 4, swap) & INT64_MAX);
        o += 4 + ((olen + 3u) & ~3u);
    }
    return ifdrop >= 0 ? ifdrop : osdrop;
}

/* Per interface of the section: its last ISB's count (they are totals). */
struct section {
    int64_t *drop;
    size_t n;
};

static void section_add(struct section *s, uint32_t ifc, int64_t d)
{
    if (ifc >= 4096)
        return;
    if (ifc >= s->n) {
        int64_t *g = realloc(s->drop, (ifc + 1) * sizeof *g);
        if (!g)
            abort();
        for (size_t i = s->n; i <= ifc; i++)
            g[i] = -1;
        s->drop = g, s->n = ifc + 1;
    }
    s->drop[ifc] = d;
}

/* The section's drops into *total; whether any interface said. */
static bool section_end(struct section *s, int64_t *total)
{
    bool any = false;
    for (size_t i = 0; i < s->n; i++)
        if (s->drop[i] >= 0)
            *total += s->drop[i], any = true;
    free(s->drop);
    s->drop = NULL, s->n = 0;
    return any;
}

int64_t st_capture_drops(const char *path)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return -1;
    unsigned char hdr[12], *body = NULL;
    size_t cap = 0;
    bool swap = false, known = false, in_section = false;
    int64_t total = 0;
    struct section s = {NULL, 0};
    while (fread(hdr, 1, 8, f) == 8) {
        uint32_t type = u32(hdr, false); /* the SHB's type reads alike either way */
        if (type == SHB) {
            if (fread(hdr + 8, 1, 4, f) != 4)
                break;
            swap = u32(hdr + 8, false) != 0x1a2b3c4du;
            if (swap && u32(hdr + 8, true) != 0x1a2b3c4du)
                break; /* not pcapng (a pcap's magic): no statistics */
            known |= section_end(&s, &total);
            in_section = true;
        } else if (!in_section) {
            break; /* the file does not start with a section header */
        }
        uint32_t len = u32(hdr + 4, swap);
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
        if (type != SHB && u32(body, swap) == ISB && len >= 24) {
            int64_t d = isb_drops(body + 8, len - 12, swap);
            if (d >= 0)
                section_add(&s, u32(body + 8, swap), d);
        }
    }
    known |= section_end(&s, &total);
    free(body);
    fclose(f);
    return known ? total : -1;
}
