/*
 * st-gencap: a synthetic nmap run of any size for the compare benchmark
 * (scripts/bench): a capture and the nmap 7.93 --packet-trace that matches
 * it, written together so they agree frame for frame.
 *
 *   st-gencap FRAMES DIR     writes DIR/capture.pcapng and DIR/trace.log
 *
 * Hosts 10.0.0.1, 10.0.0.2, ... are probed in turn from 198.18.2.1, in a
 * cycle of 20: 2 ARP hosts (who-has and its reply, both traced), 1 silent
 * host (nmap's default four probes, twice, no reply), 17 up hosts (the four
 * probes, the echo reply traced as nmap traces the first reply, then on the
 * wire only: the SYN/ACK or RST/ACK from 443 and the kernel's RST after a
 * SYN/ACK, the RST from 80, the timestamp reply). Stops at FRAMES frames.
 * Every trace line is the project's own formatter's text of its frame, so a
 * comparison of the two is consistent (0 discrepancies) by construction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "packet.h"

#define SCANNER 0xC6120201u /* 198.18.2.1 */
#define T0_NS   1795800000000000000LL
#define STEP_NS 2000LL /* between frames */
#define SPORT   33587

static const uint8_t scan_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t gw_mac[6] = {0x02, 0, 0, 0, 0, 0xfe};

struct gen {
    struct st_pcapng *w;
    FILE *trace;
    unsigned long frames, max;
    int64_t t;
};

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    return x ^ (x >> 16);
}

/* Write one frame; trace it (SENT/RCVD at the frame's time) when asked. */
static void frame(struct gen *g, const uint8_t *b, size_t n, bool out, bool traced)
{
    if (g->frames >= g->max)
        return;
    g->t += STEP_NS;
    if (st_pcapng_write_epb(g->w, 0, T0_NS + g->t, b, (uint32_t)n, (uint32_t)n,
                            out ? ST_PCAPNG_DIR_OUT : ST_PCAPNG_DIR_IN, NULL) < 0) {
        perror("st-gencap: capture");
        exit(1);
    }
    g->frames++;
    if (!traced)
        return;
    struct st_pkt p;
    char desc[ST_LINE_MAX];
    st_decode(b, n, ST_LINK_ETHERNET, &p);
    st_format_desc_at(&p, ST_DETAIL_LOW, desc, sizeof desc);
    fprintf(g->trace, "%s (%.4fs) %s\n", out ? "SENT" : "RCVD", (double)g->t / 1e9, desc);
}

static size_t eth(uint8_t *b, bool out, uint16_t type)
{
    memcpy(b, out ? gw_mac : scan_mac, 6);
    memcpy(b + 6, out ? scan_mac : gw_mac, 6);
    st_put16(b + 12, type);
    return 14;
}

/* IPv4 datagram with an L4 header of `l4len` bytes the caller filled at ip+20. */
static size_t ip(uint8_t *b, size_t l4len, uint16_t id, uint8_t ttl, uint8_t proto, uint32_t src,
                 uint32_t dst)
{
    st_ipv4_write(b, (uint16_t)(20 + l4len), id, ttl, proto, src, dst);
    st_l4_checksum(b, 20 + l4len);
    return 20 + l4len;
}

static void icmp(struct gen *g, bool out, uint32_t host, uint8_t type, uint16_t id, uint16_t ipid,
                 bool traced)
{
    uint8_t b[128] = {0};
    size_t e = eth(b, out, 0x0800), l4 = type == 13 || type == 14 ? 20 : 8;
    uint8_t *m = b + e + 20;
    m[0] = type;
    st_put16(m + 4, id);
    size_t n = ip(b + e, l4, ipid, out ? 48 : 63, 1, out ? SCANNER : host, out ? host : SCANNER);
    frame(g, b, e + n, out, traced);
}

static void tcp(struct gen *g, bool out, uint32_t host, uint16_t sport, uint16_t dport,
                uint8_t flags, uint32_t seq, uint16_t ipid, bool traced)
{
    uint8_t b[128] = {0};
    size_t e = eth(b, out, 0x0800), l4 = flags == 0x02 || flags == 0x12 ? 24 : 20;
    uint8_t *t = b + e + 20;
    st_put16(t, sport);
    st_put16(t + 2, dport);
    st_put32(t + 4, seq);
    t[12] = (uint8_t)((l4 / 4) << 4);
    t[13] = flags;
    st_put16(t + 14, flags & 0x04 ? 0 : out ? 1024 : 64240);
    if (l4 == 24) {
        t[20] = 2;
        t[21] = 4;
        st_put16(t + 22, 1460);
    }
    size_t n = ip(b + e, l4, ipid, out ? 48 : 63, 6, out ? SCANNER : host, out ? host : SCANNER);
    frame(g, b, e + n, out, traced);
}

static void arp(struct gen *g, bool out, uint32_t host)
{
    uint8_t b[64] = {0};
    size_t e = eth(b, out, 0x0806);
    uint8_t *a = b + e;
    if (out)
        memset(b, 0xff, 6);
    st_put16(a, 1);
    st_put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    st_put16(a + 6, out ? 1 : 2);
    memcpy(a + 8, out ? scan_mac : gw_mac, 6);
    st_put32(a + 14, out ? SCANNER : host);
    if (!out)
        memcpy(a + 18, scan_mac, 6);
    st_put32(a + 24, out ? host : SCANNER);
    frame(g, b, e + 28, out, true);
}

/* nmap's default probes of one try. */
static void probes(struct gen *g, uint32_t host, unsigned try_)
{
    uint32_t k = mix(host ^ try_ << 28);
    uint16_t sport = (uint16_t)(SPORT + 2 * try_);
    icmp(g, true, host, 8, (uint16_t)k, (uint16_t)(k >> 16), true);
    tcp(g, true, host, sport, 443, 0x02, mix(k), (uint16_t)(k >> 8), true);
    tcp(g, true, host, sport, 80, 0x10, 0, (uint16_t)(k >> 4), true);
    icmp(g, true, host, 13, (uint16_t)(k >> 12), (uint16_t)(k >> 20), true);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: st-gencap FRAMES DIR\n");
        return 2;
    }
    struct gen g = {.max = strtoul(argv[1], NULL, 10)};
    char path[4096];
    snprintf(path, sizeof path, "%s/capture.pcapng", argv[2]);
    g.w = st_pcapng_open(path, "st-gencap");
    struct st_pcapng_if ifc = {.name = "wan0", .linktype = 1, .snaplen = 256, .mac = scan_mac};
    if (!g.w || st_pcapng_add_if(g.w, &ifc) < 0) {
        perror(path);
        return 1;
    }
    snprintf(path, sizeof path, "%s/trace.log", argv[2]);
    g.trace = fopen(path, "w");
    if (!g.trace) {
        perror(path);
        return 1;
    }
    /* the minute the capture's clock starts in: compare sets a run's
     * "Starting ... at" against it (another minute: another run's capture) */
    char when[32];
    time_t t0 = (time_t)(T0_NS / 1000000000LL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime_r(&t0, &tm));
    fprintf(g.trace, "Starting Nmap 7.93 ( https://nmap.org ) at %s\n", when);
    size_t nhosts = 0, cap = 1024, nup = 0;
    uint32_t *up = malloc(cap * sizeof *up);
    for (uint32_t h = 0; g.frames < g.max; h++) {
        uint32_t host = 0x0A000001u + h;
        unsigned kind = h % 20;
        nhosts++;
        /* up when its reply is in the capture: the last host may be cut
         * short by FRAMES, and nmap would not have seen it answer */
        bool answered;
        if (kind == 0 || kind == 10) {
            arp(&g, true, host);
            answered = g.frames < g.max;
            arp(&g, false, host);
        } else if (kind == 7) {
            probes(&g, host, 0);
            probes(&g, host, 1);
            continue;
        } else {
            uint32_t k = mix(host);
            probes(&g, host, 0);
            answered = g.frames < g.max;
            icmp(&g, false, host, 0, (uint16_t)k, (uint16_t)(k >> 3), true);
            bool open = h & 1;
            tcp(&g, false, host, 443, SPORT, open ? 0x12 : 0x14, open ? k : 0, 0, false);
            if (open)
                tcp(&g, true, host, SPORT, 443, 0x04, mix(k ^ 0x5a5a) + 1, 0, false);
            tcp(&g, false, host, 80, SPORT, 0x04, 0, 0, false);
            icmp(&g, false, host, 14, (uint16_t)(k >> 12), (uint16_t)(k >> 5), false);
        }
        if (!answered)
            continue;
        if (nup == cap && !(up = realloc(up, (cap *= 2) * sizeof *up)))
            return 1;
        up[nup++] = host;
    }
    char a[16];
    for (size_t i = 0; i < nup; i++)
        fprintf(g.trace, "Nmap scan report for %s\nHost is up (0.000010s latency).\n",
                st_ip4_str(up[i], a));
    fprintf(g.trace, "Nmap done: %zu IP addresses (%zu hosts up) scanned in %.2f seconds\n", nhosts,
            nup, (double)g.t / 1e9 + 0.01);
    free(up);
    int rc = st_pcapng_close(g.w) < 0 || fclose(g.trace) != 0;
    if (rc)
        perror("st-gencap");
    return rc;
}
