/*
 * The pass scheduler on a simulated clock: nmap's two tries for silent
 * hosts, --max-retries, the RTT timeout and --probe-deadline, replies
 * deciding hosts once, --max-rate and --min-rate, the congestion window.
 * (The wire itself is tested in the lab; this is the arithmetic.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdata.h"

#include "scan.h"

#define MS 1000000LL

struct sent {
    uint32_t addr[100000];
    uint8_t tryno[100000];
    size_t n;
};

static size_t record(void *ud, const struct st_sched_host *h, uint8_t tryno)
{
    struct sent *s = ud;
    if (s->n < 100000) {
        s->addr[s->n] = h->addr;
        s->tryno[s->n] = tryno;
    }
    s->n++;
    return 1;
}

static struct st_timing timing(int template_)
{
    struct st_timing t = {.template_ = template_,
                          .initial_rtt_ns = -1,
                          .min_rtt_ns = -1,
                          .max_rtt_ns = -1,
                          .max_retries = -1,
                          .scan_delay_ns = -1};
    st_scan_timing(&t);
    return t;
}

static void run_until(struct st_sched *s, struct sent *out, int64_t from, int64_t to, int64_t step)
{
    for (int64_t now = from; now <= to; now += step)
        st_sched_tick(s, now, record, out);
}

/* A pass over hosts 1..n (addrs has room for n), nothing sent yet. */
static void start(struct st_sched *s, struct sent *out, uint32_t *addrs, size_t n,
                  const struct st_timing *t)
{
    for (uint32_t i = 0; i < n; i++)
        addrs[i] = i + 1;
    out->n = 0;
    assert_int_equal(st_sched_init(s, addrs, NULL, n, t, 0), 0);
}

static void test_silent_hosts_get_two_tries(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[3] = {1, 2, 3};
    struct st_timing t = timing(3);
    struct st_sched s;
    out.n = 0;
    assert_int_equal(st_sched_init(&s, addrs, NULL, 3, &t, 0), 0);
    run_until(&s, &out, 0, 999 * MS, MS);
    assert_int_equal(out.n, 3); /* try 0, then the 1 s initial timeout */
    run_until(&s, &out, 1000 * MS, 1999 * MS, MS);
    assert_int_equal(out.n, 6);
    assert_int_equal(out.tryno[5], 1);
    assert_false(st_sched_done(&s));
    run_until(&s, &out, 2000 * MS, 5000 * MS, MS);
    assert_int_equal(out.n, 6); /* no third try */
    assert_true(st_sched_done(&s));
    assert_int_equal(s.hosts[0].state, ST_HOST_DOWN);
    assert_string_equal(s.hosts[0].reason, "no-response");
    st_sched_free(&s);
}

/* The scanner's own address, settled up before anything is sent: never
 * probed, and the pass ends when the others are decided. */
static void test_settled_host_is_not_probed(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[3];
    struct st_timing t = timing(3);
    struct st_sched s;
    start(&s, &out, addrs, 3, &t);
    st_sched_settle(&s, 1, "localhost-response");
    st_sched_settle(&s, 7, "localhost-response"); /* no such host: nothing */
    run_until(&s, &out, 0, 5000 * MS, MS);
    assert_int_equal(out.n, 4); /* two tries to each of hosts 1 and 3 */
    for (size_t i = 0; i < out.n; i++)
        assert_int_not_equal(out.addr[i], 2);
    assert_true(st_sched_done(&s));
    assert_int_equal(s.hosts[1].state, ST_HOST_UP);
    assert_string_equal(s.hosts[1].reason, "localhost-response");
    assert_int_equal(s.hosts[1].latency_ns, -1);
    assert_int_equal(s.hosts[0].state, ST_HOST_DOWN);
    st_sched_free(&s);
}

static void test_max_retries_zero_and_deadline(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[2];
    struct st_timing t = timing(3);
    t.max_retries = 0;
    t.deadline_ns = 100 * MS;
    struct st_sched s;
    start(&s, &out, addrs, 2, &t);
    assert_int_equal(st_sched_timeout(&s, false), 100 * MS);
    run_until(&s, &out, 0, 99 * MS, MS);
    assert_false(st_sched_done(&s));
    run_until(&s, &out, 100 * MS, 200 * MS, MS);
    assert_true(st_sched_done(&s));
    assert_int_equal(out.n, 2);
    st_sched_free(&s);
}

static void test_replies(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[3] = {10, 20, 30};
    bool arp[3] = {true, true, true};
    struct st_timing t = timing(3);
    struct st_sched s;
    out.n = 0;
    st_sched_init(&s, addrs, arp, 3, &t, 0);
    assert_int_equal(st_sched_timeout(&s, true), 200 * MS); /* nmap's ARP start */
    st_sched_tick(&s, 0, record, &out);
    const struct st_sched_host *h = st_sched_reply(&s, 20, 0, true, "arp-response", 2 * MS);
    assert_non_null(h);
    assert_int_equal(h->addr, 20);
    assert_int_equal(h->state, ST_HOST_UP);
    assert_int_equal(h->latency_ns, 2 * MS);
    /* a second reply is not traced; an unknown address is not ours */
    assert_null(st_sched_reply(&s, 20, 0, true, "arp-response", 3 * MS));
    assert_null(st_sched_reply(&s, 99, 0, true, "arp-response", 3 * MS));
    /* an unreachable decides "down" */
    h = st_sched_reply(&s, 30, 0, false, "host-unreach", 4 * MS);
    assert_int_equal(h->state, ST_HOST_DOWN);
    /* the RTT estimate now drives the timeout: 2 ms + 4 * 1 ms, clamped to min 100 ms */
    assert_int_equal(st_sched_timeout(&s, false), 100 * MS);
    run_until(&s, &out, MS, 2000 * MS, MS);
    assert_true(st_sched_done(&s));
    assert_int_equal(out.n, 4); /* 3 first tries, one retry for host 10 */
    st_sched_free(&s);
}

/* -T3 over hosts 1 and 2, both tried at 0; host 1 answers in 0.1 ms. */
static void one_answers(struct st_sched *s, struct sent *out, uint32_t *addrs,
                        const struct st_timing *t)
{
    start(s, out, addrs, 2, t);
    st_sched_tick(s, 0, record, out);
    assert_int_equal(out->n, 2);
    assert_non_null(st_sched_reply(s, 1, 0, true, "echo-reply", MS / 10));
}

/* A first answer shrinks the timeout of the tries already out, as nmap
 * checks each probe against the current timeout: the silent host's retry
 * goes at 100 ms (the -T3 floor), not at the initial second. */
static void test_answer_shrinks_tries_in_flight(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[2];
    struct st_timing t = timing(3);
    struct st_sched s;
    one_answers(&s, &out, addrs, &t);
    run_until(&s, &out, MS, 99 * MS, MS);
    assert_int_equal(out.n, 2); /* not before the floor */
    run_until(&s, &out, 100 * MS, 101 * MS, MS);
    assert_int_equal(out.n, 3);
    assert_int_equal(out.addr[2], 2);
    assert_int_equal(out.tryno[2], 1);
    st_sched_free(&s);
}

/* nmap's wait before a retry (RLD_TIME_MS): a host sent several probe kinds
 * or ARP/ND waits a second after its try timed out; one probe kind does not
 * wait; --probe-deadline bounds the wait too. The retry of a silent host,
 * as nmap 7.93 sends it in the lab: 2.0 s at -T3 (default probes), 1.5 s at
 * -T4, 1.2 s for ARP (-T3), 1.0 s for -PE alone. */
static void test_retry_wait(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int template_;
        bool arp, wait;
        int64_t deadline, retry_at;
    } cases[] = {
        {"one probe kind, -T3", 3, false, false, -1, 1000 * MS},
        {"several kinds, -T3", 3, false, true, -1, 2000 * MS},
        {"several kinds, -T4", 4, false, true, -1, 1500 * MS},
        {"ARP, -T3", 3, true, true, -1, 1200 * MS},
        {"several kinds, --probe-deadline 200ms", 3, false, true, 200 * MS, 400 * MS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static struct sent out;
        uint32_t addrs[1] = {1};
        bool arp[1] = {cases[i].arp};
        struct st_timing t = timing(cases[i].template_);
        t.deadline_ns = cases[i].deadline;
        struct st_sched s;
        out.n = 0;
        assert_int_equal(st_sched_init(&s, addrs, arp, 1, &t, 0), 0);
        s.hosts[0].retry_wait = cases[i].wait;
        run_until(&s, &out, 0, cases[i].retry_at - MS, MS);
        if (out.n != 1)
            fail_msg("%s: %zu tries before %lld ms", cases[i].name, out.n,
                     (long long)(cases[i].retry_at / MS));
        run_until(&s, &out, cases[i].retry_at, cases[i].retry_at, MS);
        if (out.n != 2 || out.tryno[1] != 1)
            fail_msg("%s: no retry at %lld ms", cases[i].name, (long long)(cases[i].retry_at / MS));
        st_sched_free(&s);
    }
}

/* A late answer to a try whose retry is held decides the host: the retry
 * is never sent. */
static void test_answer_while_retry_waits(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[1] = {1};
    struct st_timing t = timing(3);
    struct st_sched s;
    out.n = 0;
    assert_int_equal(st_sched_init(&s, addrs, NULL, 1, &t, 0), 0);
    s.hosts[0].retry_wait = true;
    run_until(&s, &out, 0, 1500 * MS, MS);
    assert_non_null(st_sched_reply(&s, 1, 0, true, "echo-reply", 1500 * MS));
    run_until(&s, &out, 1501 * MS, 4000 * MS, MS);
    assert_int_equal(out.n, 1);
    assert_true(st_sched_done(&s));
    assert_int_equal(s.hosts[0].state, ST_HOST_UP);
    st_sched_free(&s);
}

/* The time left shrinks as the scan waits for a timeout (it grew: the
 * send rate was taken over the whole time, waiting included). */
static void test_eta_shrinks_while_waiting(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[2];
    struct st_timing t = timing(3);
    struct st_sched s;
    one_answers(&s, &out, addrs, &t);
    int64_t last = st_sched_eta_ns(&s, MS);
    assert_true(last > 0 && last <= 250 * MS); /* the timeout, the retry, its timeout */
    for (int64_t now = 2 * MS; now < 100 * MS; now += 7 * MS) {
        st_sched_tick(&s, now, record, &out);
        int64_t eta = st_sched_eta_ns(&s, now);
        assert_true(eta < last);
        last = eta;
    }
    st_sched_free(&s);
}

static void test_later_try_answers_allow_more_tries(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[2];
    struct st_timing t = timing(4);
    struct st_sched s;
    start(&s, &out, addrs, 2, &t);
    run_until(&s, &out, 0, 600 * MS, MS); /* T4: 500 ms, so both retried */
    assert_int_equal(out.n, 4);
    st_sched_reply(&s, 1, 1, true, "echo-reply", 601 * MS);
    run_until(&s, &out, 602 * MS, 5000 * MS, MS);
    /* host 2 got a third try: someone answered a second one */
    assert_int_equal(out.n, 5);
    assert_true(st_sched_done(&s));
    st_sched_free(&s);
}

static void test_rates(void **state)
{
    (void)state;
    static struct sent out;
    static uint32_t addrs[5000];
    for (uint32_t i = 0; i < 5000; i++)
        addrs[i] = i + 1;
    struct st_sched s;

    /* --max-rate 1000: about 1000 probes in a second */
    struct st_timing t = timing(3);
    t.max_rate = 1000;
    out.n = 0;
    st_sched_init(&s, addrs, NULL, 5000, &t, 0);
    s.cwnd = 1e6; /* the window out of the way: only the rate limits */
    run_until(&s, &out, 0, 1000 * MS, MS);
    assert_true(out.n >= 990 && out.n <= 1011);
    st_sched_free(&s);

    /* silent space with a short deadline: --min-rate 2000 sets the pace */
    t = timing(3);
    t.min_rate = 2000;
    t.deadline_ns = 50 * MS;
    out.n = 0;
    st_sched_init(&s, addrs, NULL, 5000, &t, 0);
    run_until(&s, &out, 0, 1000 * MS, MS);
    assert_true(out.n >= 1990 && out.n <= 2100);
    run_until(&s, &out, 1001 * MS, 10000 * MS, MS);
    assert_true(st_sched_done(&s));
    assert_int_equal(out.n, 10000); /* two tries each */
    st_sched_free(&s);
}

/* Silence is not loss: a silent /24 at each template's timeouts keeps its
 * window open and finishes, two tries per host, in under half of the time
 * nmap takes with its window held at 10 (512 tries / 10 per timeout). */
static void test_silent_space_does_not_crawl(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[256];
    for (int k = 3; k <= 5; k++) {
        struct st_timing t = timing(k);
        struct st_sched s;
        start(&s, &out, addrs, 256, &t);
        int64_t nmap_ns = 512 / 10 * t.initial_rtt_ns, now = 0;
        for (; now <= nmap_ns && !st_sched_done(&s); now += MS)
            st_sched_tick(&s, now, record, &out);
        assert_true(st_sched_done(&s));
        assert_true(now <= nmap_ns / 2);
        assert_int_equal(out.n, 512);
        assert_true(s.cwnd >= 10);
        assert_int_equal(s.drop.count, 0);
        st_sched_free(&s);
    }
}

/* A reply to a retry is a loss: the window halves once per batch, and the
 * closing is recorded with the host, the try and the reason for -v. */
static void test_reply_to_retry_closes_window(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[40];
    struct st_timing t = timing(3);
    struct st_sched s;
    start(&s, &out, addrs, 40, &t);
    run_until(&s, &out, 0, 2500 * MS, MS); /* try 0 of some timed out, retried */
    double before = s.cwnd;
    assert_true(before > 10);
    /* the last two retries sent (a reply names a try its host sent) */
    size_t r1 = out.n, r2 = out.n;
    for (size_t i = out.n; i-- > 0 && r2 == out.n;)
        if (out.tryno[i] == 1 && r1 == out.n)
            r1 = i;
        else if (out.tryno[i] == 1)
            r2 = i;
    assert_true(r2 < out.n);
    assert_non_null(st_sched_reply(&s, out.addr[r1], 1, false, "host-unreach", 2600 * MS));
    assert_int_equal(s.drop.count, 1);
    assert_int_equal(s.drop.addr, out.addr[r1]);
    assert_int_equal(s.drop.tryno, 1);
    assert_string_equal(s.drop.reason, "host-unreach");
    assert_true(s.drop.cwnd_after <= before / 2 + 1e-9);
    /* a second retry of the same batch answered: no second closing */
    assert_non_null(st_sched_reply(&s, out.addr[r2], 1, true, "echo-reply", 2601 * MS));
    assert_int_equal(s.drop.count, 1);
    st_sched_free(&s);
}

/* A target given twice is probed twice and each copy is decided by an
 * answer to its own probes: the attempt number a reply carries names the
 * copy (nmap's findHost() would give it to the first copy undecided). */
static void test_target_given_twice(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[4] = {7, 8, 7, 7};
    struct st_timing t = timing(3);
    struct st_sched s;
    out.n = 0;
    assert_int_equal(st_sched_init(&s, addrs, NULL, 4, &t, 0), 0);
    uint8_t per = (uint8_t)(t.max_retries + 1);
    assert_int_equal(st_sched_max_attempt(&s), 3 * per - 1); /* three copies of 7 */
    for (size_t i = 0; i < 4; i++)
        for (uint8_t k = 0; k < per; k++)
            assert_int_equal(st_sched_attempt(&s, &s.hosts[i], k), (i == 3   ? 2
                                                                    : i == 2 ? 1
                                                                             : 0) *
                                                                           per +
                                                                       k);
    run_until(&s, &out, 0, 10 * MS, MS);
    assert_int_equal(out.n, 4);
    /* the third copy's answer first, then the first's; the first's again:
     * no copy left it could decide; the second's, to a try not sent yet */
    int third = st_sched_attempt(&s, &s.hosts[3], 0);
    assert_ptr_equal(st_sched_reply(&s, 7, third, true, "reset", 11 * MS), &s.hosts[3]);
    assert_ptr_equal(st_sched_reply(&s, 7, 0, true, "echo-reply", 12 * MS), &s.hosts[0]);
    assert_null(st_sched_reply(&s, 7, 0, true, "reset", 12 * MS));
    assert_null(
        st_sched_reply(&s, 7, st_sched_attempt(&s, &s.hosts[2], 1), true, "reset", 13 * MS));
    assert_int_equal(s.hosts[2].state, ST_HOST_PENDING);
    assert_string_equal(s.hosts[3].reason, "reset");
    assert_string_equal(s.hosts[0].reason, "echo-reply");
    /* a reply that names no attempt (ARP): the first undecided copy */
    assert_ptr_equal(st_sched_reply(&s, 7, -1, true, "arp-response", 14 * MS), &s.hosts[2]);
    assert_null(st_sched_reply(&s, 7, -1, true, "arp-response", 15 * MS)); /* all decided */
    assert_int_equal(s.hosts[1].state, ST_HOST_PENDING);
    st_sched_free(&s);
}

/* More copies than attempt numbers tell apart (--max-retries 250: one copy
 * rank): they share the numbers, and a reply goes to the first undecided
 * copy that sent the try; the probe modules' loops end below 255. */
static void test_copies_past_the_ranks(void **state)
{
    (void)state;
    static struct sent out;
    uint32_t addrs[3] = {5, 5, 5};
    struct st_timing t = timing(3);
    t.max_retries = 250;
    struct st_sched s;
    out.n = 0;
    assert_int_equal(st_sched_init(&s, addrs, NULL, 3, &t, 0), 0);
    assert_int_equal(st_sched_max_attempt(&s), 250);
    assert_int_equal(st_sched_attempt(&s, &s.hosts[2], 4), 4);
    run_until(&s, &out, 0, 10 * MS, MS);
    assert_int_equal(out.n, 3);
    assert_ptr_equal(st_sched_reply(&s, 5, 0, true, "echo-reply", 11 * MS), &s.hosts[0]);
    assert_ptr_equal(st_sched_reply(&s, 5, 0, true, "echo-reply", 11 * MS), &s.hosts[1]);
    assert_null(st_sched_reply(&s, 5, 1, true, "echo-reply", 11 * MS)); /* try 1: not sent */
    st_sched_free(&s);
}

ST_TEST_MAIN(cmocka_unit_test(test_silent_hosts_get_two_tries),
             cmocka_unit_test(test_settled_host_is_not_probed),
             cmocka_unit_test(test_max_retries_zero_and_deadline), cmocka_unit_test(test_replies),
             cmocka_unit_test(test_later_try_answers_allow_more_tries),
             cmocka_unit_test(test_rates), cmocka_unit_test(test_silent_space_does_not_crawl),
             cmocka_unit_test(test_reply_to_retry_closes_window), cmocka_unit_test(test_retry_wait),
             cmocka_unit_test(test_answer_while_retry_waits),
             cmocka_unit_test(test_target_given_twice),
             cmocka_unit_test(test_copies_past_the_ranks),
             cmocka_unit_test(test_answer_shrinks_tries_in_flight),
             cmocka_unit_test(test_eta_shrinks_while_waiting))
