/*
 * The formatter against real nmap 7.93: for every SENT/RCVD line of every
 * recorded run in fixtures/nmap-7.93/ (and nmap-7.93-ipv6/), find the captured frame that is the
 * same packet, decode it, format it, and require nmap's exact text
 * (everything after the time). Also every LOW line must round-trip through
 * the parser, and every line must have its frame on the wire, except those a
 * fixture lists in `unmatched` (line numbers nmap traced but the kernel never
 * sent, or whose frame nmap misread: nmap -6's line of a later fragment, each
 * with its reason). The runs with nmap's evasion options
 * (fixtures/nmap-7.93-evasion/) too: IP options at every detail level, and
 * probes sent as fragments, whose line is the datagram the train carried
 * (nmap traces a probe before cutting it), rebuilt from its frames here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <pcap/pcap.h>

#include "packet.h"
#include "testdata.h"

struct capture {
    struct st_pkt *pkts;
    bool *used;
    uint8_t **frag; /* an IPv4 fragment's IP bytes (copied), else NULL */
    size_t n;
};

static bool is_fragment(const struct st_pkt *p)
{
    return p->net == ST_NET_IPV4 && (p->ip.frag & 0x3fff) != 0;
}

static int load_capture(const char *path, struct capture *cap)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, err);
    if (!pc) {
        print_error("%s: %s\n", path, err);
        return -1;
    }
    enum st_link link = st_link_from_dlt(pcap_datalink(pc));
    size_t cap_alloc = 64;
    cap->pkts = malloc(cap_alloc * sizeof *cap->pkts);
    cap->frag = NULL;
    cap->n = 0;
    struct pcap_pkthdr *h;
    const u_char *bytes;
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        if (cap->n == cap_alloc) {
            cap_alloc *= 2;
            cap->pkts = realloc(cap->pkts, cap_alloc * sizeof *cap->pkts);
        }
        struct st_pkt *p = &cap->pkts[cap->n];
        st_decode(bytes, h->caplen, link, p);
        p->frame = (uint32_t)(cap->n + 1);
        size_t at = p->link == ST_LINK_ETHERNET ? 14 : 0;
        cap->frag = realloc(cap->frag, cap_alloc * sizeof *cap->frag);
        cap->frag[cap->n] = NULL;
        if (is_fragment(p) && h->caplen >= at + p->ip.len) {
            cap->frag[cap->n] = malloc(p->ip.len);
            memcpy(cap->frag[cap->n], bytes + at, p->ip.len);
        }
        cap->n++;
    }
    pcap_close(pc);
    cap->used = calloc(cap->n ? cap->n : 1, sizeof *cap->used);
    return 0;
}

/* Whether frame p is a fragment of the datagram `want` describes. */
static bool fragment_of(const struct st_pkt *p, const struct st_pkt *want)
{
    return is_fragment(p) && p->ip.src == want->ip.src && p->ip.dst == want->ip.dst &&
           p->ip.id == want->ip.id && p->ip.proto == want->ip.proto;
}

/* The datagram the unused fragments of `want` carried, decoded into *out:
 * the first fragment's header with the whole length, no fragment bits and
 * its checksum again, then the fragments' bytes at their offsets. */
static bool reassemble(struct capture *cap, const struct st_pkt *want, struct st_pkt *out)
{
    uint8_t dg[2048] = {0};
    size_t hlen = 0, end = 0, got = 0;
    bool last = false;
    for (size_t pass = 0; pass < 2; pass++) /* the header first, then the data */
        for (size_t i = 0; i < cap->n; i++) {
            const struct st_pkt *p = &cap->pkts[i];
            if (cap->used[i] || !cap->frag[i] || !fragment_of(p, want))
                continue;
            size_t off = (size_t)(p->ip.frag & 0x1fff) * 8, h = (size_t)p->ip.ihl * 4;
            size_t n = p->ip.len - h;
            if (pass == 0 && off == 0)
                memcpy(dg, cap->frag[i], hlen = h);
            if (pass == 0 || !hlen || hlen + off + n > sizeof dg)
                continue;
            memcpy(dg + hlen + off, cap->frag[i] + h, n);
            got += n;
            end = off + n > end ? off + n : end;
            last = last || !(p->ip.frag & 0x2000);
            cap->used[i] = true;
        }
    if (!hlen || !last || got != end)
        return false;
    dg[2] = (uint8_t)((hlen + end) >> 8);
    dg[3] = (uint8_t)(hlen + end);
    dg[6] = dg[7] = 0;
    st_ipv4_checksum(dg);
    st_decode(dg, hlen + end, ST_LINK_RAW_IP, out);
    return true;
}

static bool listed_unmatched(const char *dir, unsigned line)
{
    char path[1024], buf[256];
    snprintf(path, sizeof path, "%s/unmatched", dir);
    FILE *f = fopen(path, "r");
    bool found = false;
    if (!f)
        return false;
    while (!found && fgets(buf, sizeof buf, f))
        found = strtoul(buf, NULL, 10) == line;
    fclose(f);
    return found;
}

static const char *desc_of(const char *line)
{
    const char *p = strstr(line, "s) ");
    return p ? p + 3 : line;
}

/* The frame (or rebuilt datagram) must print exactly as nmap printed it,
 * at nmap's level. */
static void check_text(const char *path, unsigned no, const char *line, const struct st_pkt *p,
                       unsigned *bad)
{
    char text[ST_LINE_MAX];
    st_format_desc_at(p, st_line_detail(line), text, sizeof text);
    if (strcmp(text, desc_of(line))) {
        print_error("%s:%u (frame %u):\n  nmap: [%s]\n  ours: [%s]\n", path, no, p->frame,
                    desc_of(line), text);
        (*bad)++;
    }
}

static bool same_text(const char *line, const struct st_pkt *p)
{
    char text[ST_LINE_MAX];
    st_format_desc_at(p, st_line_detail(line), text, sizeof text);
    return !strcmp(text, desc_of(line));
}

/* Returns the number of failures for one fixture directory. */
static unsigned check_fixture(const char *dir, unsigned *lines_checked)
{
    char path[1024];
    struct capture cap;
    unsigned bad = 0, no = 0;

    snprintf(path, sizeof path, "%s/capture.pcapng", dir);
    if (load_capture(path, &cap))
        return 1;
    snprintf(path, sizeof path, "%s/trace.log", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        print_error("%s: cannot open\n", path);
        return 1;
    }
    char *line = NULL;
    size_t linecap = 0;
    while (getline(&line, &linecap, f) > 0) {
        struct st_pkt want;
        char err[128], text[ST_LINE_MAX];
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        enum st_parse_rc rc = st_parse_line(line, &want, err, sizeof err);
        if (rc == ST_PARSE_NOT_PACKET)
            continue;
        if (rc != ST_PARSE_OK) {
            print_error("%s:%u: cannot parse (%s): %s\n", path, no, err, line);
            bad++;
            continue;
        }
        (*lines_checked)++;
        if (want.flags & ST_PKT_CONNECT) {
            /* a CONN line: no packet text to compare, but it must round-trip */
            st_format_line(&want, text, sizeof text);
            if (strcmp(text, line)) {
                print_error("%s:%u: round trip gives [%s]\n", path, no, text);
                bad++;
            }
            continue;
        }
        size_t i;
        struct st_pkt whole;
        if (!is_fragment(&want) && reassemble(&cap, &want, &whole)) {
            check_text(path, no, line, &whole, &bad);
            continue;
        }
        for (i = 0; i < cap.n; i++)
            if (!cap.used[i] && st_pkt_same(&want, &cap.pkts[i]))
                break;
        /* a capture on a router's two sides has each packet twice: the copy
         * nmap printed is the one at the scanner's side (its TTL) */
        for (size_t j = i; i < cap.n && j < cap.n && !same_text(line, &cap.pkts[i]); j++)
            if (!cap.used[j] && st_pkt_same(&want, &cap.pkts[j]) && same_text(line, &cap.pkts[j]))
                i = j;
        if (i == cap.n) {
            if (!listed_unmatched(dir, no)) {
                print_error("%s:%u: no frame for: %s\n", path, no, line);
                bad++;
            }
            continue;
        }
        cap.used[i] = true;
        /* nmap prints the ND it reads for its ND ping in its own layout */
        if (!strncmp(desc_of(line), "neighbor ", 9))
            cap.pkts[i].flags |= ST_PKT_ND_TRACE;
        check_text(path, no, line, &cap.pkts[i], &bad);
        /* and the line itself must round-trip through the parser */
        st_format_desc_at(&want, st_line_detail(line), text, sizeof text);
        if (strcmp(text, desc_of(line))) {
            print_error("%s:%u: round trip gives [%s]\n", path, no, text);
            bad++;
        }
    }
    free(line);
    fclose(f);
    for (size_t i = 0; i < cap.n; i++)
        free(cap.frag[i]);
    free(cap.frag);
    free(cap.pkts);
    free(cap.used);
    return bad;
}

/* Every run under `set`; the counts of runs and lines add up. */
static unsigned check_set(const char *set, unsigned *runs, unsigned *lines)
{
    char root[256], dir[512];
    unsigned bad = 0;
    DIR *d = opendir(st_src_path(set, root, sizeof root));

    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(dir, sizeof dir, "%s/%s", root, e->d_name);
        bad += check_fixture(dir, lines);
        (*runs)++;
    }
    closedir(d);
    return bad;
}

static void check_all(const char *set, const char *what, unsigned min_runs, unsigned min_lines)
{
    unsigned runs = 0, lines = 0;
    unsigned bad = check_set(set, &runs, &lines);
    print_message("%u %s runs, %u packet lines checked\n", runs, what, lines);
    assert_true(runs >= min_runs);
    assert_true(lines >= min_lines);
    assert_int_equal(bad, 0);
}

static void test_nmap_fixtures(void **state)
{
    (void)state;
    check_all("fixtures/nmap-7.93", "nmap", 10, 50);
}

/* nmap -6: ICMPv6, ND (nmap's own "neighbor advertisement" layout), TCP,
 * UDP, SCTP and IPv4's protocol numbers over IPv6, CONN lines, -d2, -d3. */
static void test_nmap_ipv6_fixtures(void **state)
{
    (void)state;
    check_all("fixtures/nmap-7.93-ipv6", "nmap -6", 10, 50);
}

/* -f, -ff, --mtu, --ip-options (R, T, U, L, S, raw bytes; -d2, -d3), -D... */
static void test_nmap_evasion(void **state)
{
    (void)state;
    check_all("fixtures/nmap-7.93-evasion", "nmap (evasion options)", 15, 100);
}

ST_TEST_MAIN(cmocka_unit_test(test_nmap_fixtures), cmocka_unit_test(test_nmap_ipv6_fixtures),
             cmocka_unit_test(test_nmap_evasion))
