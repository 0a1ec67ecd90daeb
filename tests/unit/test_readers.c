/*
 * The frame readers agree: every frame of every fixture capture, read
 * once through tshark's dissection (the tshark reader of compare) and once
 * through scantrace's own decoder, gives the same nmap text at all three
 * detail levels and the same identity. One packet model, two readers, no
 * drift between them. The in-process libwireshark reader (when built) gives
 * the tshark reader's records byte for byte, in this process, in one child,
 * or split in two (each half by runs of frames in worker processes), and the
 * same error on a damaged capture either way. A dissection started in a thread of its own
 * (compare's, while it reads the trace) gives the same records, and its
 * cancellation leaves no process behind, its workers killed mid-run; it
 * starts while another thread keeps taking glibc's locale lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <pcap/pcap.h>

#include "packet.h"
#include "testdata.h"
#include "dissect.h"

/* An ICMPv6 echo's id and seq, which nmap's lines do not print and the
 * text therefore does not compare (nor does st_pkt_same when either side
 * lacks them), and those of the echo an ICMPv6 error quotes. */
static bool echo6_agree(const struct st_pkt *a, const struct st_pkt *b)
{
    if (a->net != ST_NET_IPV6 || a->proto != ST_IPPROTO_ICMPV6)
        return true;
    const struct st_quote *qa = &a->l4.icmp.quote, *qb = &b->l4.icmp.quote;
    bool quoted = qa->present6 && qa->ip6.nh == ST_IPPROTO_ICMPV6;
    return (a->flags & ST_PKT_NO_ECHO_ID) == (b->flags & ST_PKT_NO_ECHO_ID) &&
           a->l4.icmp.id == b->l4.icmp.id && a->l4.icmp.seq == b->l4.icmp.seq &&
           (!quoted || (qa->icmp_id == qb->icmp_id && qa->icmp_seq == qb->icmp_seq));
}

/*
 * A capture's tshark dissection, read once for every test that compares
 * with it (a tshark start is most of a small capture's read); NULL after
 * printing tshark's error. Kept until the process ends.
 */
static const struct st_dissection *tshark_of(const char *path)
{
    static struct {
        char path[1024];
        struct st_dissection d;
    } seen[256];
    static size_t n;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(seen[k].path, path))
            return &seen[k].d;
    assert_true(n < sizeof seen / sizeof seen[0]);
    char err[512];
    if (st_tshark_read(path, NULL, &seen[n].d, err, sizeof err) != ST_TSHARK_OK) {
        print_error("%s\n", err);
        return NULL;
    }
    snprintf(seen[n].path, sizeof seen[n].path, "%s", path);
    return &seen[n++].d;
}

static unsigned check_capture(const char *path, unsigned *frames)
{
    char err[512];
    unsigned bad = 0;

    const struct st_dissection *ts = tshark_of(path);
    if (!ts)
        return 1;
    pcap_t *pc = pcap_open_offline(path, err);
    assert_non_null(pc);
    enum st_link link = st_link_from_dlt(pcap_datalink(pc));
    struct pcap_pkthdr *h;
    const u_char *bytes;
    size_t i = 0;
    while (pcap_next_ex(pc, &h, &bytes) == 1) {
        struct st_pkt own;
        st_decode(bytes, h->caplen, link, &own);
        if (i >= ts->n) {
            print_error("%s: tshark has %zu frames, libpcap more\n", path, ts->n);
            bad++;
            break;
        }
        struct st_pkt tmp;
        const struct st_pkt *ws = st_store_get(&ts->frames, i, &tmp);
        /* tshark has no field with the raw IP option bytes: the tshark reader
         * knows their length (ihl) only, so compare the rest */
        if (own.net == ST_NET_IPV4 && own.ip.optlen) {
            if (own.ip.ihl != ws->ip.ihl) {
                print_error("%s frame %zu: ihl %u vs %u\n", path, i + 1, own.ip.ihl, ws->ip.ihl);
                bad++;
            }
            own.ip.optlen = 0;
        }
        for (int level = ST_DETAIL_LOW; level <= ST_DETAIL_HIGH; level++) {
            char a[ST_LINE_MAX], b[ST_LINE_MAX];
            st_format_desc_at(&own, (enum st_detail)level, a, sizeof a);
            st_format_desc_at(ws, (enum st_detail)level, b, sizeof b);
            if (strcmp(a, b)) {
                print_error("%s frame %zu (level %d):\n  decoder: [%s]\n  tshark:  [%s]\n", path,
                            i + 1, level, a, b);
                bad++;
            }
        }
        if (!st_pkt_same(&own, ws) || st_pkt_hash(&own) != st_pkt_hash(ws)) {
            print_error("%s frame %zu: identities differ\n", path, i + 1);
            bad++;
        }
        if (!echo6_agree(&own, ws)) {
            print_error("%s frame %zu: ICMPv6 echo id or seq differ\n", path, i + 1);
            bad++;
        }
        if (ws->time_ns / 1000 != (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec) {
            print_error("%s frame %zu: times differ\n", path, i + 1);
            bad++;
        }
        i++;
        (*frames)++;
    }
    if (i != ts->n) {
        print_error("%s: libpcap read %zu frames, tshark %zu\n", path, i, ts->n);
        bad++;
    }
    pcap_close(pc);
    return bad;
}

/* One ek document on its own (st_tshark_ek_line): index lines are skipped,
 * non-documents refused, and a time past year 2262 saturates instead of
 * overflowing the nanosecond count (found by fuzz_tshark_ek). */
static void test_ek_line(void **state)
{
    (void)state;
    struct st_pkt p;

    assert_int_equal(st_tshark_ek_line("{\"index\":{}}\n", &p), ST_EK_SKIP);
    assert_int_equal(st_tshark_ek_line("not json\n", &p), ST_EK_BAD);
    assert_int_equal(st_tshark_ek_line("{\"timestamp\":\"1\"}\n", &p), ST_EK_BAD);
    assert_int_equal(st_tshark_ek_line("{\"layers\":{\"frame_number\":[\"7\"],"
                                       "\"frame_time_epoch\":[\"1795795985.200526025\"],"
                                       "\"frame_comment\":[\"scantrace probe=1 mode=echo\"]}}",
                                       &p),
                     ST_EK_RECORD);
    assert_int_equal(p.frame, 7);
    assert_true(p.time_ns == 1795795985200526025LL);
    assert_int_equal(st_tshark_ek_line("{\"layers\":{\"frame_time_epoch\":[\"17957959863\"]}}", &p),
                     ST_EK_RECORD);
    assert_true(p.time_ns > 4000000000000000000LL);
}

/* The recordings every reader is checked on: IPv4 and IPv6, the lab's
 * frames of every kind (ARP, ND, MLD behind a hop-by-hop header...), and
 * scan's own runs. */
static const char *const fixture_dirs[] = {"fixtures/nmap-7.93", "fixtures/nmap-7.93-ipv6",
                                           "fixtures/scantrace"};

/* check(path, &frames) on every capture of the fixtures; the failures. */
static unsigned each_capture(unsigned (*check)(const char *, unsigned *), unsigned *frames,
                             unsigned *files)
{
    char root[256], path[1024];
    unsigned bad = 0;
    for (size_t k = 0; k < sizeof fixture_dirs / sizeof fixture_dirs[0]; k++) {
        DIR *d = opendir(st_src_path(fixture_dirs[k], root, sizeof root));
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s/capture.pcapng", root, e->d_name);
            bad += check(path, frames);
            (*files)++;
        }
        closedir(d);
    }
    return bad;
}

static void test_readers_agree(void **state)
{
    (void)state;
    unsigned files = 0, frames = 0;
    unsigned bad = each_capture(check_capture, &frames, &files);
    print_message("%u captures, %u frames read both ways\n", files, frames);
    assert_true(frames > 100);
    assert_int_equal(bad, 0);
}

/* Every record of `a` equals `b`'s. */
static unsigned same_dissection(const char *path, const char *what, const struct st_dissection *a,
                                const struct st_dissection *b)
{
    if (a->n != b->n || a->have_direction != b->have_direction) {
        print_error("%s (%s): %zu frames vs %zu\n", path, what, a->n, b->n);
        return 1;
    }
    unsigned bad = 0;
    for (size_t i = 0; i < a->n; i++) {
        struct st_pkt x, y;
        st_store_get(&a->frames, i, &x);
        st_store_get(&b->frames, i, &y);
        if (memcmp(&x, &y, sizeof x)) {
            size_t at = 0;
            while (at < sizeof x && ((uint8_t *)&x)[at] == ((uint8_t *)&y)[at])
                at++;
            print_error("%s (%s) frame %zu: the records differ (byte %zu)\n", path, what, i + 1,
                        at);
            bad++;
        }
    }
    return bad;
}

/* Under ASan a libwireshark start takes seconds, not half of one: the read
 * by one child, the least of our code, is made of every third capture
 * there (the plain build reads every capture all three ways). */
#if defined(__SANITIZE_ADDRESS__)
#define ONE_CHILD_EVERY 3
#else
#define ONE_CHILD_EVERY 1
#endif

static unsigned check_wireshark(const char *path, unsigned *frames)
{
    static unsigned nth;
    struct st_dissection ws, segs;
    char err[512];
    const struct st_dissection *ts = tshark_of(path);
    if (!ts)
        return 1;
    /* each read a process started (the helper: its libwireshark start,
     * half a second): one whole, and one cut in halves and in segments */
    struct st_wireshark_opts here = {.in_process = true}, whole = {.split_bytes = UINT64_MAX},
                             pieces = {.split_bytes = 1, .segment_frames = 7};
    assert_int_equal(st_wireshark_read(path, &here, &ws, err, sizeof err), ST_TSHARK_OK);
    /* each half by processes of 7 frames: every cut between two of them */
    assert_int_equal(st_wireshark_read(path, &pieces, &segs, err, sizeof err), ST_TSHARK_OK);
    unsigned bad = same_dissection(path, "this process", ts, &ws) +
                   same_dissection(path, "halves by segments", ts, &segs);
    if (nth++ % ONE_CHILD_EVERY == 0) {
        struct st_dissection one;
        assert_int_equal(st_wireshark_read(path, &whole, &one, err, sizeof err), ST_TSHARK_OK);
        bad += same_dissection(path, "one child", ts, &one);
        st_dissection_free(&one);
    }
    *frames += (unsigned)ts->n;
    st_dissection_free(&ws);
    st_dissection_free(&segs);
    return bad;
}

static void test_wireshark_agrees(void **state)
{
    (void)state;
    if (!st_wireshark_available())
        skip();
    unsigned files = 0, frames = 0;
    unsigned bad = each_capture(check_wireshark, &frames, &files);
    print_message("%u frames: libwireshark's records are tshark's\n", frames);
    assert_true(frames > 100);
    assert_int_equal(bad, 0);
}

/* The biggest fixture capture: the most frames to cut. */
static char biggest[1024];
static unsigned biggest_size;

static unsigned note_size(const char *path, unsigned *frames)
{
    (void)frames;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    if (n > (long)biggest_size) {
        biggest_size = (unsigned)n;
        snprintf(biggest, sizeof biggest, "%s", path);
    }
    return 0;
}

/* The file offset of the k-th (from 1) enhanced packet block, 0: none. */
static size_t nth_epb(const uint8_t *b, size_t n, size_t k)
{
    for (size_t off = 0, seen = 0; off + 8 <= n;) {
        uint32_t type, len;
        memcpy(&type, b + off, 4);
        memcpy(&len, b + off + 4, 4);
        if (type == 6 && ++seen == k)
            return off;
        if (len < 12)
            return 0;
        off += len;
    }
    return 0;
}

/* The first `len` bytes of `from` into `to`; with `bad_block`, the middle
 * packet block given an impossible length (not a multiple of 4). */
static void damaged_copy(const char *from, const char *to, size_t len, bool bad_block)
{
    static uint8_t b[1 << 20];
    FILE *f = fopen(from, "rb");
    assert_non_null(f);
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    assert_true(len <= n);
    if (bad_block) {
        size_t epbs = 0;
        while (nth_epb(b, n, epbs + 1))
            epbs++;
        size_t at = nth_epb(b, n, epbs / 2 + 1);
        assert_true(at > 0);
        uint32_t odd = 13;
        memcpy(b + at + 4, &odd, 4);
    }
    f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* A damaged capture read in one process and by segments: the same error,
 * naming the same frame (a segment's worker and the process that reads
 * ahead of it must not lose or reorder it). */
static void test_wireshark_damaged(void **state)
{
    (void)state;
    if (!st_wireshark_available())
        skip();
    unsigned files = 0, frames = 0;
    each_capture(note_size, &frames, &files);
    char tmp[] = "/tmp/scantrace-damaged-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    for (int bad_block = 0; bad_block < 2; bad_block++) {
        damaged_copy(biggest, tmp, bad_block ? biggest_size : biggest_size - 10, bad_block);
        struct st_wireshark_opts whole = {.in_process = true},
                                 pieces = {.split_bytes = 1, .segment_frames = 3};
        struct st_dissection a, b;
        char ea[512], eb[512];
        assert_int_equal(st_wireshark_read(tmp, &whole, &a, ea, sizeof ea), ST_TSHARK_BAD_INPUT);
        assert_int_equal(st_wireshark_read(tmp, &pieces, &b, eb, sizeof eb), ST_TSHARK_BAD_INPUT);
        print_message("%s\n", ea);
        assert_non_null(strstr(ea, "frame "));
        assert_string_equal(ea, eb);
        assert_int_equal(b.n, 0);
    }
    unlink(tmp);
}

/* The biggest fixture's frames again and again into a pcap at `to`, until
 * `frames`: a capture whose dissection lasts. */
static void repeated_copy(const char *from, const char *to, unsigned frames)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(from, err);
    assert_non_null(in);
    pcap_dumper_t *out = pcap_dump_open(in, to);
    assert_non_null(out);
    static struct {
        struct pcap_pkthdr h;
        u_char b[2048];
    } kept[512];
    unsigned n = 0;
    struct pcap_pkthdr *h;
    const u_char *bytes;
    while (n < 512 && pcap_next_ex(in, &h, &bytes) == 1 && h->caplen <= sizeof kept[n].b) {
        kept[n].h = *h;
        memcpy(kept[n].b, bytes, h->caplen);
        n++;
    }
    assert_true(n > 0);
    for (unsigned i = 0; i < frames; i++)
        pcap_dump((u_char *)out, &kept[i % n].h, kept[i % n].b);
    pcap_dump_close(out);
    pcap_close(in);
}

/* The pids listed in `path` (/proc's children of a task), appended at
 * pids[n] up to max; the new count. */
static size_t read_pids(const char *path, pid_t *pids, size_t n, size_t max)
{
    FILE *f = fopen(path, "r");
    int v;
    while (f && n < max && fscanf(f, "%d", &v) == 1)
        pids[n++] = v;
    if (f)
        fclose(f);
    return n;
}

/* A process of ours (the dissection's master) with two children: the
 * second part's process and the first part's worker, the dissection under
 * way. The children of every thread of the test are searched. */
static bool worker_running(void)
{
    pid_t masters[64], workers[64];
    char path[300];
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
        n = read_pids(path, masters, n, 64);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)masters[i], (int)masters[i]);
        if (read_pids(path, workers, 0, 64) >= 2)
            return true;
    }
    return false;
}

/* Every process left to this one (a subreaper: orphans come to it) waited
 * for; how many, and how many were not stopped: ended by a signal other than
 * SIGKILL, or by an exit other than 3. A worker forked just before its
 * parent was killed exits 3 (st_dissect_die_with: PR_SET_PDEATHSIG came too
 * late for it); one that finished its segment exits 0, and that is the
 * failure this looks for. */
static unsigned reap_all(unsigned *not_killed)
{
    unsigned n = 0;
    int st;
    while (waitpid(-1, &st, 0) > 0) {
        n++;
        bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        bool orphaned = WIFEXITED(st) && WEXITSTATUS(st) == 3;
        if (!killed && !orphaned) {
            print_message("not stopped: %s %d\n", WIFSIGNALED(st) ? "signal" : "exit",
                          WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            (*not_killed)++;
        }
    }
    return n;
}

/*
 * A dissection cancelled while its workers dissect: its master killed, and
 * the processes under it with it (PR_SET_PDEATHSIG: without it a worker
 * dissects its whole segment into the pipe and exits 0, and the
 * cancellation waits for it). Cancelled at once, too, by either dissector:
 * nothing left.
 */
static void test_job_cancel(void **state)
{
    (void)state;
    if (!st_wireshark_available())
        skip();
    unsigned files = 0, frames = 0;
    each_capture(note_size, &frames, &files);
    char tmp[] = "/tmp/scantrace-cancel-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    repeated_copy(biggest, tmp, 400000);
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

    struct st_wireshark_opts split = {.split_bytes = 1};
    struct st_dissect_job *j = st_dissect_start(tmp, ST_DISSECT_LIBWIRESHARK, &split);
    bool seen = false;
    for (int i = 0; i < 3000 && !(seen = worker_running()); i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    assert_true(seen);
    st_dissect_cancel(j);
    unsigned not_killed = 0, left = reap_all(&not_killed);
    print_message("cancelled mid-run: %u workers left to reap, %u not killed\n", left, not_killed);
    assert_true(left >= 2); /* they outlived the master, and were killed */
    assert_int_equal(not_killed, 0);

    const enum st_dissector_choice which[] = {ST_DISSECT_LIBWIRESHARK, ST_DISSECT_TSHARK};
    for (size_t k = 0; k < 2; k++) {
        st_dissect_cancel(st_dissect_start(tmp, which[k], &split));
        not_killed = 0;
        reap_all(&not_killed);
        assert_int_equal(not_killed, 0);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    unlink(tmp);
}

/* A job gives its reader's records: tshark's, and libwireshark's split
 * in two (forked from the job's thread) and by segments. */
static void test_job_records(void **state)
{
    (void)state;
    unsigned files = 0, frames = 0;
    each_capture(note_size, &frames, &files);
    struct st_dissection a, b;
    char err[512];
    assert_int_equal(st_tshark_read(biggest, NULL, &a, err, sizeof err), ST_TSHARK_OK);
    assert_true(a.n > 10);
    struct st_wireshark_opts pieces = {.split_bytes = 1, .segment_frames = 7};
    const enum st_dissector_choice which[] = {ST_DISSECT_TSHARK, ST_DISSECT_LIBWIRESHARK};
    for (size_t k = 0; k < 2; k++) {
        if (which[k] == ST_DISSECT_LIBWIRESHARK && !st_wireshark_available())
            continue;
        struct st_dissect_job *j = st_dissect_start(biggest, which[k], &pieces);
        assert_int_equal(st_dissect_finish(j, &b, err, sizeof err), ST_TSHARK_OK);
        assert_int_equal(same_dissection(biggest, "a job", &a, &b), 0);
        st_dissection_free(&b);
    }
    /* an error is the reader's, whole */
    struct st_dissect_job *j = st_dissect_start("/nonexistent/capture", ST_DISSECT_DEFAULT, NULL);
    assert_int_equal(st_dissect_finish(j, &b, err, sizeof err), ST_TSHARK_BAD_INPUT);
    assert_string_equal(err, "/nonexistent/capture: No such file or directory");
    assert_int_equal(b.n, 0);
    st_dissection_free(&a);
}

/* A thread of the caller's that takes glibc's locale lock again and again,
 * as compare's main thread does (json-c's parse of run.json, a chunk at a
 * time) while its dissection starts. */
static atomic_bool locale_stop;
static void *locale_churn(void *arg)
{
    (void)arg;
    while (!atomic_load(&locale_stop)) {
        locale_t l = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
        if (l)
            freelocale(l);
    }
    return NULL;
}

/*
 * The dissection's master starts whatever another thread of compare holds:
 * forked from compare, it was a copy with the locale lock held for ever by
 * a thread it did not have, and hung in the module's load (libp11-kit's
 * constructor: newlocale), in CI. The alarm ends a hung run as a failure.
 */
static void test_job_beside_locale(void **state)
{
    (void)state;
    if (!st_wireshark_available())
        skip();
    unsigned files = 0, frames = 0;
    each_capture(note_size, &frames, &files);
    atomic_store(&locale_stop, false);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, locale_churn, NULL), 0);
    signal(SIGALRM, SIG_DFL);
    alarm(300);
    struct st_wireshark_opts split = {.split_bytes = 1};
    char err[512];
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        struct st_dissection c;
        struct st_dissect_job *j = st_dissect_start(biggest, ST_DISSECT_LIBWIRESHARK, &split);
        ok += st_dissect_finish(j, &c, err, sizeof err) == ST_TSHARK_OK && c.n > 0;
        st_dissection_free(&c);
    }
    alarm(0);
    atomic_store(&locale_stop, true);
    pthread_join(th, NULL);
    assert_int_equal(ok, 20);
}

/* The packed store gives back exactly what it was given, whatever it is. */
static void test_store_exact(void **state)
{
    (void)state;
    struct st_pkt_store s = {0};
    struct st_pkt in[64], out;
    uint32_t x = 12345;
    for (size_t i = 0; i < 64; i++) {
        uint8_t *b = (uint8_t *)&in[i];
        /* from all zeros to dense noise, with zero runs of every length */
        for (size_t k = 0; k < sizeof in[i]; k++) {
            x = x * 1103515245u + 12345u;
            b[k] = (x >> 16) % 64 < i ? (uint8_t)(x >> 8) : 0;
        }
        st_store_add(&s, &in[i]);
    }
    for (size_t i = 0; i < 64; i++) {
        assert_memory_equal(st_store_get(&s, i, &out), &in[i], sizeof out);
        assert_true(st_store_time(&s, i) == in[i].time_ns);
    }
    st_store_free(&s);
}

/* Record k of the big-store test: dense or sparse by turns, so records of
 * every length fill many chunks and end them at varying offsets. */
static void big_record(size_t k, struct st_pkt *p)
{
    uint32_t x = (uint32_t)k * 2654435761u + 1;
    uint8_t *b = (uint8_t *)p;
    size_t keep = k % 97; /* out of 97: how many bytes in a hundred are non-zero */
    for (size_t i = 0; i < sizeof *p; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (x >> 16) % 97 < keep ? (uint8_t)(x >> 8) | 1 : 0;
    }
}

/* Many records over many chunks; two stores joined at a record count that
 * is not a multiple of anything (st_store_take), one of them filled with
 * packed records as the dissecting child sends them (st_store_pack,
 * st_store_add_packed); trimmed, then grown again. */
static void test_store_chunks(void **state)
{
    (void)state;
    struct st_pkt_store a = {0}, b = {0};
    struct st_pkt p, out;
    const size_t na = 12347, nb = 20011, more = 101;
    for (size_t k = 0; k < na; k++) {
        big_record(k, &p);
        st_store_add(&a, &p);
    }
    for (size_t k = na; k < na + nb; k++) {
        uint8_t rec[ST_STORE_PACKED_MAX];
        big_record(k, &p);
        size_t len = st_store_pack(&p, rec);
        assert_int_equal(st_store_packed_len(rec), len);
        st_store_add_packed(&b, rec);
    }
    assert_true(a.nchunks > 2 && b.nchunks > 2);
    st_store_take(&a, &b);
    assert_int_equal(b.n, 0);
    st_store_trim(&a);
    for (size_t k = na + nb; k < na + nb + more; k++) {
        big_record(k, &p);
        st_store_add(&a, &p);
    }
    assert_int_equal(a.n, na + nb + more);
    for (size_t k = 0; k < a.n; k++) {
        big_record(k, &p);
        assert_memory_equal(st_store_get(&a, k, &out), &p, sizeof p);
        assert_true(st_store_time(&a, k) == p.time_ns);
    }
    st_store_free(&a);
    st_store_free(&b);
}

/* Frame k of a sweep's capture: one record with its time (10 ms apart:
 * the high word of the time changes twice in the 10 s), frame number,
 * destination and id. */
static void alike(size_t k, struct st_pkt *p)
{
    big_record(50, p);
    p->time_ns = 1795800000000000000LL + (int64_t)k * 10000000;
    p->line = 0;
    p->frame = (uint32_t)k + 1;
    p->ip.dst = 0xc6120000u + (uint32_t)k;
    p->ip.id = (uint16_t)(k * 7 + 1);
}

/* A sweep's records are alike: stored as the words in which each differs
 * from the first of its shape (here time, frame, destination and id), and
 * back exactly. */
static void test_store_alike(void **state)
{
    (void)state;
    struct st_pkt_store s = {0};
    struct st_pkt p, out;
    const size_t n = 1000;
    for (size_t k = 0; k < n; k++) {
        alike(k, &p);
        st_store_add(&s, &p);
    }
    size_t bytes = 0;
    for (size_t c = 0; c < s.nchunks; c++)
        bytes += s.chunks[c].len;
    /* A head of the template, the 2-byte map and the mask bytes of the
     * words that differ (not the whole mask, ST_STORE_PACKED_HEAD), then
     * the words. The first of a group of 8 differs from the template in 5
     * at most (the time's two, frame, destination, id); the others from
     * what it predicts in 3 (the time's low word, destination, id): their
     * frame number follows and their time's high word is the first's */
    print_message("%.1f bytes a record\n", (double)bytes / n);
    assert_true(bytes <= n / 8 * (3 + 5 + 5 * 4) + (n - n / 8) * (3 + 3 + 3 * 4) + 64);
    for (size_t k = 0; k < n; k++) {
        alike(k, &p);
        assert_memory_equal(st_store_get(&s, k, &out), &p, sizeof p);
        assert_true(st_store_time(&s, k) == p.time_ns);
    }
    st_store_free(&s);
}

int main(int argc, char **argv)
{
    st_test_init(argc, argv);
    /* first: no libwireshark loaded in this process yet (its libraries'
     * constructors run in the master's start, where the hang was) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_beside_locale), cmocka_unit_test(test_readers_agree),
        cmocka_unit_test(test_wireshark_agrees),  cmocka_unit_test(test_wireshark_damaged),
        cmocka_unit_test(test_job_cancel),        cmocka_unit_test(test_job_records),
        cmocka_unit_test(test_store_exact),       cmocka_unit_test(test_store_chunks),
        cmocka_unit_test(test_store_alike),       cmocka_unit_test(test_ek_line)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
