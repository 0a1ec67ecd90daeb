/*
 * Fuzz target: a capture filter's verdict on a trace line (filter_judge.h).
 * The input is a pcapng link type (a number), a filter, a trace line, each
 * on a line of its own, then any bytes. A verdict reached must be the one
 * libpcap gives every packet the line could be: the line's packet is built,
 * the bits the line does not fix are filled with the input's last bytes
 * (a short Ethernet frame padded with them as well, as a sender may pad
 * it), and pcap_offline_filter must keep it exactly when the verdict says
 * kept.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fuzz.h"

#define FRAME_MAX (20 + 40 + 65535)

/* pcapng's link type as libpcap's DLT and the link it builds, or -1. */
static int dlt_of(long lt, enum st_link *link)
{
    static const struct {
        long lt;
        int dlt;
        enum st_link link;
    } map[] = {{1, DLT_EN10MB, ST_LINK_ETHERNET}, {101, DLT_RAW, ST_LINK_RAW_IP},
               {228, DLT_IPV4, ST_LINK_RAW_IP},   {229, DLT_IPV6, ST_LINK_RAW_IP},
               {113, DLT_LINUX_SLL, ST_LINK_SLL}, {276, DLT_LINUX_SLL2, ST_LINK_SLL2}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].lt == lt) {
            *link = map[i].link;
            return map[i].dlt;
        }
    return -1;
}

/* The bytes of p the line does not fix, filled from fill; whether libpcap
 * keeps the frame. */
static bool kept_filled(const char *filter, int dlt, struct st_pkt_bytes *b, const uint8_t *fill,
                        size_t nfill)
{
    for (size_t i = 0; nfill && i < b->len; i++)
        b->buf[i] = (uint8_t)((b->buf[i] & b->known[i]) | (fill[i % nfill] & ~b->known[i]));
    size_t len = b->len;
    for (; !b->len_known && nfill && len < 60; len++) /* Ethernet's padding */
        b->buf[len] = fill[len % nfill];
    pcap_t *p = pcap_open_dead(dlt, 262144);
    struct bpf_program prog;
    if (!p || pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN))
        st_fuzz_fail("\"%s\" judged but does not compile", filter);
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
    bool kept = pcap_offline_filter(&prog, &h, b->buf) != 0;
    pcap_freecode(&prog);
    pcap_close(p);
    return kept;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = st_fuzz_cstr(data, size);
    char *filter = strchr(text, '\n'), *line = filter ? strchr(filter + 1, '\n') : NULL;
    char *end = line ? strchr(line + 1, '\n') : NULL;
    struct st_pkt p;
    enum st_link link;
    int dlt = dlt_of(strtol(text, NULL, 10), &link);
    if (!end || dlt < 0) {
        free(text);
        return 0;
    }
    *filter++ = *line++ = *end = '\0';
    size_t rest = (size_t)(end + 1 - text);
    const uint8_t *fill = data + (rest < size ? rest : size);
    size_t nfill = rest < size ? size - rest : 0;
    if (st_parse_line(line, &p, NULL, 0) == ST_PARSE_OK) {
        enum st_filter_verdict v =
            st_filter_verdict_of(filter, (uint16_t)strtol(text, NULL, 10), &p);
        struct st_pkt_bytes b = {malloc(FRAME_MAX), malloc(FRAME_MAX), FRAME_MAX, 0, false};
        if (!b.buf || !b.known)
            abort();
        if (v != ST_FILTER_UNKNOWN && st_pkt_encode(&p, link, &b) &&
            kept_filled(filter, dlt, &b, fill, nfill) != (v == ST_FILTER_KEEPS))
            st_fuzz_fail("\"%s\" %s \"%s\", but not with its unknown bits filled", filter,
                         st_filter_verdict_name(v), line);
        free(b.buf);
        free(b.known);
    }
    free(text);
    return 0;
}
