/*
 * Fuzz target: the pcapng writer, written then read back. The input is a
 * little program: interfaces (link type, snaplen, name, MAC), then frames
 * (interface, time, bytes, original length, direction, comment), then the
 * statistics blocks. What the writer accepted must read back with libpcap
 * frame for frame (time to the nanosecond, lengths, bytes), and the
 * file's blocks, walked here, must carry each frame's comment and
 * direction and one ISB per interface; and scantrace's own reader
 * (pcapng_read.h, which merge uses) must read back every interface, frame
 * and statistics block as written.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "capture.h"

#define MAX_FRAMES 64

struct in {
    const uint8_t *p;
    size_t n;
};

static uint64_t take(struct in *in, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++) {
        v = v << 8 | (in->n ? *in->p : 0);
        if (in->n) {
            in->p++;
            in->n--;
        }
    }
    return v;
}

struct frame {
    uint32_t if_id, caplen, origlen;
    int64_t ts;
    const uint8_t *data;
    enum st_pcapng_dir dir;
    char comment[256];
};

static char path_buf[64];

static void remove_tmp(void)
{
    unlink(path_buf);
}

static const char *tmp_path(void)
{
    char *path = path_buf;
    if (!path[0]) {
        snprintf(path, sizeof path_buf, "/tmp/st-fuzz-pcapng-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            st_fuzz_fail("mkstemp failed");
        close(fd);
        atexit(remove_tmp);
    }
    return path;
}

static void read_back(const char *path, const struct frame *f, size_t n, uint16_t linktype)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!pc)
        st_fuzz_fail("libpcap cannot open what was written: %s", eb);
    if (linktype == 1 && pcap_datalink(pc) != DLT_EN10MB)
        st_fuzz_fail("link type %d read back", pcap_datalink(pc));
    struct pcap_pkthdr *h;
    const u_char *bytes;
    size_t i = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
        if (i == n)
            st_fuzz_fail("more frames read than written");
        int64_t t = f[i].ts > 0 ? f[i].ts : 0;
        if (h->caplen != f[i].caplen || h->len != f[i].origlen || h->ts.tv_sec != t / 1000000000 ||
            h->ts.tv_usec != t % 1000000000 || memcmp(bytes, f[i].data, f[i].caplen))
            st_fuzz_fail("frame %zu differs", i + 1);
        i++;
    }
    if (rc != PCAP_ERROR_BREAK)
        st_fuzz_fail("libpcap: %s after %zu frames", pcap_geterr(pc), i);
    if (i != n)
        st_fuzz_fail("%zu frames read, %zu written", i, n);
    pcap_close(pc);
}

/* The EPBs' comment and flags options, and the ISBs, from the file's blocks. */
static void walk_blocks(const char *path, const struct frame *f, size_t n, uint32_t n_ifs)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        st_fuzz_fail("cannot reopen the file");
    size_t epb = 0, isb = 0;
    uint32_t hdr[2];
    while (fread(hdr, 4, 2, fp) == 2) {
        if (hdr[1] < 12 || hdr[1] % 4 || hdr[1] > (1u << 24))
            st_fuzz_fail("block of length %u", hdr[1]);
        size_t len = hdr[1] - 12;
        uint8_t *b = malloc(len + 4);
        uint32_t trail;
        if (!b || fread(b, 1, len, fp) != len || fread(&trail, 4, 1, fp) != 1 || trail != hdr[1])
            st_fuzz_fail("block cut short or trailing length wrong");
        if (hdr[0] == 5)
            isb++;
        if (hdr[0] == 6) {
            if (epb == n || len < 20)
                st_fuzz_fail("unexpected EPB");
            uint32_t caplen;
            memcpy(&caplen, b + 12, 4);
            size_t off = 20 + caplen + ((4 - (caplen & 3)) & 3);
            char comment[256] = "";
            uint32_t flags = 0;
            while (off + 4 <= len) {
                uint16_t oh[2];
                memcpy(oh, b + off, 4);
                if (oh[0] == 0)
                    break;
                if (off + 4 + oh[1] > len)
                    st_fuzz_fail("option past its block");
                if (oh[0] == 1 && oh[1] < sizeof comment)
                    memcpy(comment, b + off + 4, oh[1]), comment[oh[1]] = '\0';
                if (oh[0] == 2 && oh[1] == 4)
                    memcpy(&flags, b + off + 4, 4);
                off += 4 + oh[1] + ((4 - (oh[1] & 3)) & 3);
            }
            if (strcmp(comment, f[epb].comment) || flags != ((uint32_t)f[epb].dir & 3))
                st_fuzz_fail("EPB %zu: comment or flags differ", epb + 1);
            epb++;
        }
        free(b);
    }
    fclose(fp);
    if (epb != n || isb != n_ifs)
        st_fuzz_fail("%zu EPBs, %zu ISBs", epb, isb);
}

/* scantrace's reader: the same interfaces, frames (all fields) and statistics. */
static void read_ours(const char *path, const struct frame *f, size_t n, uint32_t n_ifs,
                      const struct st_pcapng_stats *stats)
{
    char err[256];
    struct st_pcapng_reader *r = st_pcapng_reader_open(path, err, sizeof err);
    if (!r)
        st_fuzz_fail("pcapng reader: %s", err);
    static struct st_pcapng_block b;
    size_t ifs = 0, frames = 0, isbs = 0;
    int rc;
    while ((rc = st_pcapng_reader_next(r, &b, err, sizeof err)) == 1) {
        if (b.kind == ST_PCAPNG_IF) {
            ifs++;
        } else if (b.kind == ST_PCAPNG_FRAME) {
            const struct frame *x = &f[frames++];
            if (frames > n || b.if_id != x->if_id || b.ts_ns != (x->ts > 0 ? x->ts : 0) ||
                b.caplen != x->caplen || b.origlen != x->origlen || b.dir != x->dir ||
                strcmp(b.comment, x->comment) || memcmp(b.data, x->data, x->caplen))
                st_fuzz_fail("pcapng reader: frame %zu differs", frames);
        } else if (b.kind == ST_PCAPNG_STATS) {
            const struct st_pcapng_stats *w = &stats[isbs++];
            if (b.stats.ifrecv != w->ifrecv || b.stats.ifdrop != w->ifdrop ||
                b.stats.usrdeliv != w->usrdeliv || b.stats.osdrop != ST_PCAPNG_NONE ||
                b.stats.start_ns != (w->start_ns > 0 ? w->start_ns : 0) ||
                b.stats.end_ns != (w->end_ns > 0 ? w->end_ns : 0))
                st_fuzz_fail("pcapng reader: statistics %zu differ", isbs);
        }
    }
    if (rc != 0)
        st_fuzz_fail("pcapng reader: %s", err);
    if (ifs != n_ifs || frames != n || isbs != n_ifs)
        st_fuzz_fail("pcapng reader: %zu interfaces, %zu frames, %zu statistics", ifs, frames,
                     isbs);
    st_pcapng_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = {data, size};
    const char *path = tmp_path();
    struct st_pcapng *w = st_pcapng_open(path, "scantrace fuzz");
    if (!w)
        st_fuzz_fail("cannot open %s", path);

    uint8_t b0 = (uint8_t)take(&in, 1);
    uint16_t linktype = b0 & 4 ? 101 : 1;
    /* libpcap 1.10 compares a second IDB's LINKTYPE_ with the first one's
     * DLT_ (12 for raw IP, not 101) and refuses the file: raw IP gets one
     * interface, or the reader's limit would be taken for the writer's bug */
    uint32_t n_ifs = linktype == 1 ? 1 + b0 % 3 : 1;
    uint32_t snaplen = (uint32_t)take(&in, 2);
    for (uint32_t i = 0; i < n_ifs; i++) {
        char name[300];
        size_t nlen = (size_t)take(&in, 1);
        for (size_t k = 0; k < nlen; k++)
            name[k] = (char)(take(&in, 1) | 1); /* no NUL inside */
        name[nlen] = '\0';
        uint8_t mac[6] = {2, 0, 0, 0, 0, (uint8_t)i};
        struct st_pcapng_if d = {nlen ? name : NULL, linktype, snaplen, b0 & 8 ? mac : NULL};
        if (st_pcapng_add_if(w, &d) != (int)i)
            st_fuzz_fail("interface %u not added", i);
    }

    struct frame *f = calloc(MAX_FRAMES, sizeof *f);
    size_t n = 0;
    while (in.n && n < MAX_FRAMES) {
        struct frame *x = &f[n];
        x->if_id = (uint32_t)take(&in, 1) % (n_ifs + 1); /* n_ifs: not an interface */
        x->ts = (int64_t)take(&in, 8);
        x->caplen = (uint32_t)take(&in, 2);
        if (snaplen && x->caplen > snaplen)
            x->caplen = snaplen;
        if (x->caplen > in.n)
            x->caplen = (uint32_t)in.n;
        x->data = in.p;
        in.p += x->caplen;
        in.n -= x->caplen;
        x->origlen = x->caplen + (uint32_t)take(&in, 1);
        x->dir = (enum st_pcapng_dir)(take(&in, 1) % 3);
        size_t clen = (size_t)take(&in, 1);
        for (size_t k = 0; k < clen && k < sizeof x->comment - 1; k++)
            x->comment[k] = (char)take(&in, 1);
        x->comment[clen < sizeof x->comment ? clen : sizeof x->comment - 1] = '\0';
        int rc = st_pcapng_write_epb(w, x->if_id, x->ts, x->data, x->caplen, x->origlen, x->dir,
                                     x->comment);
        if ((rc == 0) != (x->if_id < n_ifs))
            st_fuzz_fail("EPB on interface %u: %d", x->if_id, rc);
        if (rc == 0)
            n++;
    }
    struct st_pcapng_stats stats[3];
    for (uint32_t i = 0; i < n_ifs; i++) {
        struct st_pcapng_stats s = {(int64_t)take(&in, 8), (int64_t)take(&in, 8), take(&in, 8),
                                    take(&in, 8),          ST_PCAPNG_NONE,        n};
        stats[i] = s;
        if (st_pcapng_write_isb(w, i, 1, &s) != 0)
            st_fuzz_fail("ISB %u not written", i);
    }
    if (st_pcapng_close(w) != 0)
        st_fuzz_fail("close failed");
    read_back(path, f, n, linktype);
    walk_blocks(path, f, n, n_ifs);
    read_ours(path, f, n, n_ifs, stats);
    free(f);
    return 0;
}
