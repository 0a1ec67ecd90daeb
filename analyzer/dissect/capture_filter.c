/*
 * The capture filter a pcapng records: dumpcap and Wireshark (a capture
 * filter typed in its dialog, `dumpcap -f "icmp or arp"`, `tshark -f`)
 * write it in each Interface Description Block (if_filter, option 11, its
 * first byte 0 for a libpcap expression). Such a capture holds only what
 * the filter let through: a probe the trace shows and the capture does not
 * may have been kept out by it, not missing from the wire. A pcap records
 * no filter (tcpdump -w): nothing is known then.
 */
#include <string.h>

#include "dissect.h"
#include "pcapng_blocks.h"

#define IF_FILTER 11

/* The filter an IDB (block b, len bytes) records into out (size bytes, one
 * line); whether it records one; *whole: it was not cut (to size, or at a
 * line break). */
static bool idb_filter_of(const unsigned char *b, uint32_t len, bool swap, char *out, size_t size,
                          bool *whole)
{
    out[0] = '\0';
    *whole = true;
    /* options from byte 16 (after linktype, reserved, snaplen) to the
     * trailing length */
    for (uint32_t o = 16; len >= 20 && o + 4 <= len - 4;) {
        uint16_t code = st_pcapng_u16(b + o, swap), olen = st_pcapng_u16(b + o + 2, swap);
        if (!code || o + 4 + olen > len - 4)
            break;
        if (code == IF_FILTER && olen > 1 && b[o + 4] == 0) {
            size_t n = olen - 1u < size - 1 ? olen - 1u : size - 1;
            memcpy(out, b + o + 5, n);
            out[n] = '\0';
            *whole = n == olen - 1u && !out[strcspn(out, "\r\n")];
            out[strcspn(out, "\r\n")] = '\0'; /* one line, as it is said */
            return out[0] != '\0';
        }
        o += 4 + ((olen + 3u) & ~3u);
    }
    return false;
}

struct filter {
    char *out;
    size_t size;
    bool found;
};

static bool idb_filter(uint32_t type, const unsigned char *b, uint32_t len, bool swap, void *ud)
{
    struct filter *f = ud;
    if (type != ST_PCAPNG_IDB || f->found || len < 20)
        return true;
    f->found = idb_filter_of(b, len, swap, f->out, f->size, &(bool){0});
    return true;
}

bool st_capture_filter(const char *path, char *out, size_t size)
{
    if (!size)
        return false;
    out[0] = '\0';
    struct filter f = {out, size, false};
    st_pcapng_walk(path, idb_filter, &f);
    return f.found;
}

struct ifaces {
    struct st_capture_iface *out;
    size_t max, n;
};

static bool idb_iface(uint32_t type, const unsigned char *b, uint32_t len, bool swap, void *ud)
{
    struct ifaces *f = ud;
    if (type != ST_PCAPNG_IDB || len < 20)
        return true;
    if (f->n < f->max) {
        struct st_capture_iface *i = &f->out[f->n];
        i->linktype = st_pcapng_u16(b + 8, swap);
        idb_filter_of(b, len, swap, i->filter, sizeof i->filter, &i->whole);
    }
    f->n++;
    return true;
}

size_t st_capture_ifaces(const char *path, struct st_capture_iface *out, size_t max)
{
    struct ifaces f = {out, max, 0};
    st_pcapng_walk(path, idb_iface, &f);
    return f.n;
}
