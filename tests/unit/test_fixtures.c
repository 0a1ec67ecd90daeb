/*
 * The formatter against real nmap 7.93: for every SENT/RCVD line of every
 * recorded run in fixtures/nmap-7.93/ (and nmap-7.93-ipv6/), find the captured frame that is the
 * same packet, decode it, format it, and require nmap's exact text
 * (everything after the time). Also every LOW line must round-trip through
 * the parser, and every line must have its frame on the wire, except those a
 * fixture lists in `unmatched` (line numbers nmap traced but the kernel never
 * sent, each with its reason).
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
    size_t n;
};

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
    cap->n = 0;
    struct pcap_pkthdr *h;
    const u_char *bytes;
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        if (cap->n == cap_alloc) {
            cap_alloc *= 2;
            cap->pkts = realloc(cap->pkts, cap_alloc * sizeof *cap->pkts);
        }
        st_decode(bytes, h->caplen, link, &cap->pkts[cap->n]);
        cap->pkts[cap->n].frame = (uint32_t)(cap->n + 1);
        cap->n++;
    }
    pcap_close(pc);
    cap->used = calloc(cap->n ? cap->n : 1, sizeof *cap->used);
    return 0;
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
        for (i = 0; i < cap.n; i++)
            if (!cap.used[i] && st_pkt_same(&want, &cap.pkts[i]))
                break;
        if (i == cap.n) {
            if (!listed_unmatched(dir, no)) {
                print_error("%s:%u: no frame for: %s\n", path, no, line);
                bad++;
            }
            continue;
        }
        cap.used[i] = true;
        /* the frame must print exactly as nmap printed it, at nmap's level */
        enum st_detail level = st_line_detail(line);
        /* nmap prints the ND it reads for its ND ping in its own layout */
        if (!strncmp(desc_of(line), "neighbor ", 9))
            cap.pkts[i].flags |= ST_PKT_ND_TRACE;
        st_format_desc_at(&cap.pkts[i], level, text, sizeof text);
        if (strcmp(text, desc_of(line))) {
            print_error("%s:%u (frame %zu):\n  nmap: [%s]\n  ours: [%s]\n", path, no, i + 1,
                        desc_of(line), text);
            bad++;
        }
        /* and the line itself must round-trip through the parser */
        st_format_desc_at(&want, level, text, sizeof text);
        if (strcmp(text, desc_of(line))) {
            print_error("%s:%u: round trip gives [%s]\n", path, no, text);
            bad++;
        }
    }
    free(line);
    fclose(f);
    free(cap.pkts);
    free(cap.used);
    return bad;
}

/* Every run under fixtures/SUB; returns the failures. */
static unsigned check_runs(const char *sub, unsigned *runs, unsigned *lines)
{
    char root[256], dir[512];
    unsigned bad = 0;
    DIR *d = opendir(st_src_path(sub, root, sizeof root));

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

static void check_all(const char *sub, const char *what)
{
    unsigned runs = 0, lines = 0;
    unsigned bad = check_runs(sub, &runs, &lines);
    print_message("%u %s runs, %u packet lines checked\n", runs, what, lines);
    assert_true(runs >= 10);
    assert_true(lines >= 50);
    assert_int_equal(bad, 0);
}

static void test_nmap_fixtures(void **state)
{
    (void)state;
    check_all("fixtures/nmap-7.93", "nmap");
}

/* nmap -6: ICMPv6, ND (nmap's own "neighbor advertisement" layout), TCP,
 * UDP, SCTP and IPv4's protocol numbers over IPv6, CONN lines, -d2, -d3. */
static void test_nmap_ipv6_fixtures(void **state)
{
    (void)state;
    check_all("fixtures/nmap-7.93-ipv6", "nmap -6");
}

ST_TEST_MAIN(cmocka_unit_test(test_nmap_fixtures), cmocka_unit_test(test_nmap_ipv6_fixtures))
