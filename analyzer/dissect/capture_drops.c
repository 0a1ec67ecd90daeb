/*
 * The drops a pcapng capture's own statistics record: dumpcap, tshark -w and
 * scantrace write an Interface Statistics Block per interface when they
 * stop, its isb_ifdrop (else isb_osdrop) the frames the capture lost. A
 * capture that lost frames cannot show every packet, and neither dissector
 * reports the ISBs: this reads them from the file's blocks alone (a pcap
 * has none: unknown).
 */
#include <stdlib.h>
#include <string.h>

#include "dissect.h"
#include "pcapng_blocks.h"

#define u32 st_pcapng_u32

static uint64_t u64(const unsigned char *p, bool swap)
{
    /* pcapng's 64-bit counters: in the section's byte order, whole */
    uint64_t lo = u32(p, swap), hi = u32(p + 4, swap);
    return swap ? lo << 32 | hi : hi << 32 | lo;
}

/* A counter past int64's top is as many as int64 holds, not its low bits. */
static int64_t clamp(uint64_t n)
{
    return n > INT64_MAX ? INT64_MAX : (int64_t)n;
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
            ifdrop = clamp(u64(b + o + 4, swap));
        if (olen == 8 && code == 7)
            osdrop = clamp(u64(b + o + 4, swap));
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
        if (s->drop[i] >= 0) {
            /* a file's counters are anybody's: the sum stops at the top */
            *total = s->drop[i] > INT64_MAX - *total ? INT64_MAX : *total + s->drop[i];
            any = true;
        }
    free(s->drop);
    s->drop = NULL, s->n = 0;
    return any;
}

struct drops {
    struct section s;
    int64_t total;
    bool known;
};

static bool drops_block(uint32_t type, const unsigned char *body, uint32_t len, bool swap, void *ud)
{
    struct drops *d = ud;
    if (type == ST_PCAPNG_SHB) /* a new section: its interfaces are new */
        d->known |= section_end(&d->s, &d->total);
    else if (type == ST_PCAPNG_ISB && len >= 24) {
        int64_t n = isb_drops(body + 8, len - 12, swap);
        if (n >= 0)
            section_add(&d->s, u32(body + 8, swap), n);
    }
    return true;
}

int64_t st_capture_drops(const char *path)
{
    struct drops d = {{NULL, 0}, 0, false};
    st_pcapng_walk(path, drops_block, &d);
    d.known |= section_end(&d.s, &d.total);
    return d.known ? d.total : -1;
}
