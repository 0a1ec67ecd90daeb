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
    /* options from byte 16 (after linktype, reserved, snaplen) to the
     * trailing length */
    for (uint32_t o = 16; o + 4 <= len - 4;) {
        uint16_t code = st_pcapng_u16(b + o, swap), olen = st_pcapng_u16(b + o + 2, swap);
        if (!code || o + 4 + olen > len - 4)
            break;
        if (code == IF_FILTER && olen > 1 && b[o + 4] == 0) {
            size_t n = olen - 1u < f->size - 1 ? olen - 1u : f->size - 1;
            memcpy(f->out, b + o + 5, n);
            f->out[n] = '\0';
            f->out[strcspn(f->out, "\r\n")] = '\0'; /* one line, as it is said */
            f->found = f->out[0] != '\0';
        }
        o += 4 + ((olen + 3u) & ~3u);
    }
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
