/*
 * The pcapng writer, read back by three independent readers: libpcap (frames,
 * lengths, nanosecond stamps), tshark (comments, directions, interface names),
 * capinfos (the application name, the ISBs) and the tests' own block walker
 * (ISB counters). Also: a file cut at a block boundary after a flush still
 * reads, and bad arguments are refused without writing anything.
 *
 * usage: test_pcapng SOURCE_ROOT PCAPNG_ISB
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "run_tool.h"
#include "version.h"

static char tmpdir[] = "/tmp/st-pcapng-XXXXXX";
static char isb_default[] = "pcapng_isb";
static char *isb_tool = isb_default;
static char out[65536];

#define T0 1790000000123456789LL /* a stamp with all nine decimals in use */

struct frame {
    uint32_t if_id;
    int64_t ts;
    uint32_t caplen, origlen;
    enum st_pcapng_dir dir;
    const char *comment;
};

/* Lengths that exercise every padding (0-3); comments of odd lengths. */
static const struct frame frames[] = {
    {0, T0, 42, 42, ST_PCAPNG_DIR_OUT, "scantrace probe=1 mode=echo"},
    {1, T0 + 1, 60, 60, ST_PCAPNG_DIR_IN, NULL},
    {0, T0 + 1000, 61, 61, ST_PCAPNG_DIR_UNKNOWN, "x"},
    {1, T0 + 1000000, 63, 63, ST_PCAPNG_DIR_OUT, "scantrace probe=2 mode=syn"},
    {0, T0 + 2000000001, 256, 1514, ST_PCAPNG_DIR_IN, "caf\xc3\xa9"},
};
#define N_FRAMES (sizeof frames / sizeof frames[0])

/* Frame i's bytes: an Ethernet-looking header, then a pattern of i. */
static void fill(uint8_t *b, size_t i, uint32_t len)
{
    for (uint32_t k = 0; k < len; k++)
        b[k] = (uint8_t)(i * 31 + k);
}

static const char *path_of(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
    return buf;
}

static const uint8_t mac0[6] = {2, 0, 0, 0, 0, 1};

/*
 * Write frames[0..n) on two Ethernet interfaces; when `cut` is non-NULL,
 * flush after frame `flush_after` and store the size the file then had.
 */
static void write_file(const char *path, size_t n, size_t flush_after, long *cut, bool isbs)
{
    struct st_pcapng *w = st_pcapng_open(path, "scantrace " ST_VERSION);
    assert_non_null(w);
    struct st_pcapng_if lan = {"lan0", 1, 256, mac0};
    struct st_pcapng_if wan = {"wan0", 1, 256, NULL};
    assert_int_equal(st_pcapng_add_if(w, &lan), 0);
    assert_int_equal(st_pcapng_add_if(w, &wan), 1);
    for (size_t i = 0; i < n; i++) {
        uint8_t b[256];
        fill(b, i, frames[i].caplen);
        assert_int_equal(st_pcapng_write_epb(w, frames[i].if_id, frames[i].ts, b, frames[i].caplen,
                                             frames[i].origlen, frames[i].dir, frames[i].comment),
                         0);
        if (cut && i == flush_after) {
            assert_int_equal(st_pcapng_flush(w), 0);
            struct stat st;
            assert_int_equal(stat(path, &st), 0);
            *cut = (long)st.st_size;
        }
    }
    if (isbs) {
        struct st_pcapng_stats s0 = {T0 - 5, T0 + 3000000000LL, 3, 0, 0, 3};
        struct st_pcapng_stats s1 = {T0 - 5, T0 + 3000000000LL, 9, 7, 6, 2};
        assert_int_equal(st_pcapng_write_isb(w, 0, T0 + 3000000000LL, &s0), 0);
        assert_int_equal(st_pcapng_write_isb(w, 1, T0 + 3000000000LL, &s1), 0);
    }
    assert_int_equal(st_pcapng_close(w), 0);
}

/* libpcap sees every frame with its bytes, lengths and nanosecond stamp. */
static void check_libpcap(const char *path, size_t n)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    assert_non_null(pc);
    assert_int_equal(pcap_datalink(pc), DLT_EN10MB);
    struct pcap_pkthdr *h;
    const u_char *data;
    size_t i = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        assert_true(i < n);
        uint8_t b[256];
        fill(b, i, frames[i].caplen);
        assert_int_equal(h->caplen, frames[i].caplen);
        assert_int_equal(h->len, frames[i].origlen);
        assert_memory_equal(data, b, frames[i].caplen);
        assert_int_equal((int64_t)h->ts.tv_sec * 1000000000 + h->ts.tv_usec, frames[i].ts);
        i++;
    }
    assert_int_equal(rc, PCAP_ERROR_BREAK); /* the end, not an error */
    assert_int_equal(i, n);
    pcap_close(pc);
}

static void test_libpcap_reads_frames(void **state)
{
    (void)state;
    char path[256];
    write_file(path_of("all.pcapng", path, sizeof path), N_FRAMES, 0, NULL, true);
    check_libpcap(path, N_FRAMES);
}

static void test_tshark_reads_options(void **state)
{
    (void)state;
    if (!st_test_have_tool("tshark"))
        skip();
    char path[256];
    write_file(path_of("opts.pcapng", path, sizeof path), N_FRAMES, 0, NULL, true);
    char *argv[] = {"tshark", "-n",
                    "-r",     path,
                    "-T",     "fields",
                    "-e",     "frame.number",
                    "-e",     "frame.comment",
                    "-e",     "frame.packet_flags_direction",
                    "-e",     "frame.interface_name",
                    "-e",     "frame.time_epoch",
                    NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_string_equal(out,
                        "1\tscantrace probe=1 mode=echo\t0x00000002\tlan0\t1790000000.123456789\n"
                        "2\t\t0x00000001\twan0\t1790000000.123456790\n"
                        "3\tx\t\tlan0\t1790000000.123457789\n"
                        "4\tscantrace probe=2 mode=syn\t0x00000002\twan0\t1790000000.124456789\n"
                        "5\tcaf\xc3\xa9\t0x00000001\tlan0\t1790000002.123456790\n");
}

static void test_capinfos_reads_header_and_isbs(void **state)
{
    (void)state;
    if (!st_test_have_tool("capinfos"))
        skip();
    char path[256];
    write_file(path_of("info.pcapng", path, sizeof path), N_FRAMES, 0, NULL, true);
    char *argv[] = {"capinfos", path, NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_non_null(strstr(out, "Capture application: scantrace " ST_VERSION "\n"));
    assert_non_null(strstr(out, "Capture oper-sys:    Linux "));
    assert_non_null(strstr(out, "Number of packets:   5\n"));
    assert_non_null(strstr(out, "Name = lan0\n"));
    assert_non_null(strstr(out, "Name = wan0\n"));
    assert_non_null(strstr(out, "Time resolution = 0x09\n"));
    assert_non_null(strstr(out, "Capture length = 256\n"));
    /* one ISB on each interface */
    const char *p = strstr(out, "Number of stat entries = 1");
    assert_non_null(p);
    assert_non_null(strstr(p + 1, "Number of stat entries = 1"));
}

static void test_isb_counters(void **state)
{
    (void)state;
    char path[256];
    write_file(path_of("isb.pcapng", path, sizeof path), N_FRAMES, 0, NULL, true);
    char *argv[] = {isb_tool, path, NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_string_equal(out, "IF 0 lan0 epb=3 isb=1 ifrecv=3 ifdrop=0 osdrop=0 usrdeliv=3 "
                             "start=1790000000123456784 end=1790000003123456789\n"
                             "IF 1 wan0 epb=2 isb=1 ifrecv=9 ifdrop=7 osdrop=6 usrdeliv=2 "
                             "start=1790000000123456784 end=1790000003123456789\n");
}

/* A counter set to ST_PCAPNG_NONE is left out of the ISB. */
static void test_isb_absent_counter(void **state)
{
    (void)state;
    char path[256];
    path_of("none.pcapng", path, sizeof path);
    struct st_pcapng *w = st_pcapng_open(path, "t");
    assert_non_null(w);
    struct st_pcapng_if raw = {NULL, 101, 0, NULL};
    assert_int_equal(st_pcapng_add_if(w, &raw), 0);
    struct st_pcapng_stats s = {0, 0, 4, ST_PCAPNG_NONE, ST_PCAPNG_NONE, ST_PCAPNG_NONE};
    assert_int_equal(st_pcapng_write_isb(w, 0, T0, &s), 0);
    assert_int_equal(st_pcapng_close(w), 0);
    char *argv[] = {isb_tool, path, NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_string_equal(out, "IF 0 - epb=0 isb=1 ifrecv=4 ifdrop=- osdrop=- usrdeliv=- start=- "
                             "end=-\n");
}

/* Cut right after a flush: the file ends at a block boundary and reads. */
static void test_cut_at_flush_reads(void **state)
{
    (void)state;
    char full[256], cut[256];
    long size = 0;
    write_file(path_of("full.pcapng", full, sizeof full), N_FRAMES, 2, &size, false);
    assert_true(size > 0);
    FILE *in = fopen(full, "rb");
    FILE *o = fopen(path_of("cut.pcapng", cut, sizeof cut), "wb");
    assert_non_null(in);
    assert_non_null(o);
    for (long i = 0; i < size; i++)
        fputc(fgetc(in), o);
    fclose(in);
    fclose(o);
    check_libpcap(cut, 3);
    if (st_test_have_tool("tshark")) {
        char *argv[] = {"tshark", "-n", "-r", cut, "-T", "fields", "-e", "frame.number", NULL};
        assert_int_equal(st_test_run(argv, out, sizeof out), 0);
        assert_string_equal(out, "1\n2\n3\n");
    }
}

/* Two link types in one file: tshark reads both (libpcap cannot). */
static void test_mixed_links_tshark(void **state)
{
    (void)state;
    if (!st_test_have_tool("tshark"))
        skip();
    char path[256];
    path_of("mixed.pcapng", path, sizeof path);
    struct st_pcapng *w = st_pcapng_open(path, "t");
    assert_non_null(w);
    struct st_pcapng_if eth = {"eth0", 1, 256, mac0};
    struct st_pcapng_if tun = {"tun0", 101, 256, NULL};
    assert_int_equal(st_pcapng_add_if(w, &eth), 0);
    assert_int_equal(st_pcapng_add_if(w, &tun), 1);
    static const uint8_t ip[20] = {0x45, 0, 0,   20, 0, 1, 0,   0,  64, 17,
                                   0,    0, 198, 18, 2, 1, 198, 18, 3,  2};
    uint8_t e[14 + 20] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0};
    memcpy(e + 14, ip, 20);
    assert_int_equal(st_pcapng_write_epb(w, 0, T0, e, sizeof e, sizeof e, ST_PCAPNG_DIR_OUT, NULL),
                     0);
    assert_int_equal(st_pcapng_write_epb(w, 1, T0, ip, sizeof ip, sizeof ip, ST_PCAPNG_DIR_IN, "r"),
                     0);
    assert_int_equal(st_pcapng_close(w), 0);
    char *argv[] = {"tshark", "-n",     "-r", path,
                    "-T",     "fields", "-e", "frame.interface_name",
                    "-e",     "ip.dst", "-e", "frame.comment",
                    NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_string_equal(out, "eth0\t198.18.3.2\t\ntun0\t198.18.3.2\tr\n");
}

static void test_bad_arguments(void **state)
{
    (void)state;
    char path[256];
    assert_null(st_pcapng_open(path_of("no/such/dir.pcapng", path, sizeof path), "t"));
    assert_int_equal(errno, ENOENT);

    struct st_pcapng *w = st_pcapng_open(path_of("bad.pcapng", path, sizeof path), "t");
    assert_non_null(w);
    struct st_pcapng_if eth = {"eth0", 1, 256, NULL};
    assert_int_equal(st_pcapng_add_if(w, &eth), 0);
    uint8_t b[64] = {0};
    errno = 0;
    assert_int_equal(st_pcapng_write_epb(w, 1, T0, b, 60, 60, ST_PCAPNG_DIR_IN, NULL), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(st_pcapng_write_epb(w, 0, T0, b, 61, 60, ST_PCAPNG_DIR_IN, NULL), -1);
    char *big = malloc(ST_PCAPNG_MAX_COMMENT + 2);
    assert_non_null(big);
    memset(big, 'a', ST_PCAPNG_MAX_COMMENT + 1);
    big[ST_PCAPNG_MAX_COMMENT + 1] = '\0';
    assert_int_equal(st_pcapng_write_epb(w, 0, T0, b, 60, 60, ST_PCAPNG_DIR_IN, big), -1);
    big[ST_PCAPNG_MAX_COMMENT] = '\0'; /* the largest allowed */
    assert_int_equal(st_pcapng_write_epb(w, 0, T0, b, 60, 60, ST_PCAPNG_DIR_IN, big), 0);
    free(big);
    struct st_pcapng_stats s = {0, 0, 1, 0, 0, 1};
    assert_int_equal(st_pcapng_write_isb(w, 3, T0, &s), -1);
    assert_int_equal(st_pcapng_close(w), 0);
    /* only the good frame is in the file */
    char *argv[] = {isb_tool, path, NULL};
    assert_int_equal(st_test_run(argv, out, sizeof out), 0);
    assert_string_equal(out, "IF 0 eth0 epb=1 isb=0 ifrecv=- ifdrop=- osdrop=- usrdeliv=- start=- "
                             "end=-\n");
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", tmpdir, NULL};
    return st_test_run(argv, out, sizeof out) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc > 2)
        isb_tool = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libpcap_reads_frames),
        cmocka_unit_test(test_tshark_reads_options),
        cmocka_unit_test(test_capinfos_reads_header_and_isbs),
        cmocka_unit_test(test_isb_counters),
        cmocka_unit_test(test_isb_absent_counter),
        cmocka_unit_test(test_cut_at_flush_reads),
        cmocka_unit_test(test_mixed_links_tshark),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
