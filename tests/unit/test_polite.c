/*
 * nmap's probe-by-probe scheduler (scan_polite.h) on a simulated clock,
 * against the wire of real nmap 7.93 runs in the lab (doc/nmap-notes.md,
 * "Polite timing"): 198.18.3.2 answers the echo, .3 answers TCP only (a
 * RST), .4 is silent. Each expected probe is (ms, host, kind, try) as nmap
 * sent it, its time within TOLERANCE of nmap's.
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

#define US        1000LL
#define MS        1000000LL
#define TOLERANCE (10 * MS)
#define MAXP      64

struct probe {
    int64_t ms;
    int host; /* the last byte of 198.18.3.x */
    uint8_t kind, tryno;
};

struct sim {
    struct st_sched s;
    struct st_polite p;
    uint32_t addrs[4];
    bool answers[4][4]; /* host index, kind */
    struct probe sent[MAXP];
    size_t n;
    struct {
        int64_t at;
        size_t host;
        uint8_t kind, tryno;
    } due[MAXP];
    size_t ndue;
    int64_t now;
};

static size_t sim_send(void *ud, const struct st_sched_host *h, uint8_t tryno, uint8_t kind)
{
    struct sim *m = ud;
    size_t i = (size_t)(h - m->s.hosts);
    if (m->n < MAXP)
        m->sent[m->n++] = (struct probe){m->now / MS, (int)(h->addr & 0xff), kind, tryno};
    if (m->answers[i][kind] && m->ndue < MAXP) {
        m->due[m->ndue].at = m->now + 100 * US;
        m->due[m->ndue].host = i;
        m->due[m->ndue].kind = kind;
        m->due[m->ndue++].tryno = tryno;
    }
    return 1;
}

/* The answers come back 0.1 ms after their probe, through st_sched_reply()
 * as the engine's; a tick every 0.1 ms. */
static void sim_run(struct sim *m, int64_t until)
{
    for (m->now = 0; m->now <= until && !st_polite_done(&m->p); m->now += 100 * US) {
        for (size_t k = 0; k < m->ndue; k++) {
            if (m->due[k].at > m->now || m->due[k].at < 0)
                continue;
            const struct st_sched_host *h = &m->s.hosts[m->due[k].host];
            int attempt = st_sched_attempt(&m->s, h, m->due[k].tryno);
            if (st_sched_reply(&m->s, h->addr, attempt, true, "reset", m->due[k].at))
                st_polite_answered(&m->p, m->due[k].host, m->due[k].kind, m->due[k].tryno,
                                   m->due[k].at);
            m->due[k].at = -1;
        }
        st_polite_tick(&m->p, m->now, sim_send, m);
    }
}

static struct st_timing timing(int template_)
{
    struct st_timing t;
    st_timing_unset(&t);
    t.template_ = template_;
    st_scan_timing(&t);
    return t;
}

/* hosts: the last bytes of 198.18.3.x, in the command line's order; each
 * with nkinds kinds; .2 answers kind 0 (echo), .3 kinds 1 and up (TCP);
 * routes: each host's (NULL: one for all). */
static void sim_start_routes(struct sim *m, const struct st_timing *t, const int *hosts, size_t n,
                             uint8_t nkinds, const uint16_t *routes)
{
    memset(m, 0, sizeof *m);
    struct st_polite_target pt[4];
    memset(pt, 0, sizeof pt);
    for (size_t i = 0; i < n; i++) {
        m->addrs[i] = 0xc6120300u | (uint32_t)hosts[i];
        pt[i].nkinds = nkinds;
        uint8_t be[4] = {198, 18, 3, (uint8_t)hosts[i]};
        memcpy(pt[i].key, be, 4);
        pt[i].route = routes ? routes[i] : 0;
        for (uint8_t k = 0; k < nkinds; k++)
            m->answers[i][k] = hosts[i] == 2 ? k == 0 : hosts[i] == 3 ? k > 0 : false;
    }
    assert_int_equal(st_sched_init(&m->s, m->addrs, NULL, n, t, 0), 0);
    for (size_t i = 0; i < n; i++) /* nmap's retry wait, as the engine sets it */
        m->s.hosts[i].retry_wait = nkinds > 1;
    assert_int_equal(st_polite_init(&m->p, &m->s, pt, 0), 0);
}

static void sim_start(struct sim *m, const struct st_timing *t, const int *hosts, size_t n,
                      uint8_t nkinds)
{
    sim_start_routes(m, t, hosts, n, nkinds, NULL);
}

static void expect(struct sim *m, const struct probe *want, size_t n)
{
    for (size_t i = 0; i < n && i < m->n; i++) {
        const struct probe *g = &m->sent[i], *w = &want[i];
        int64_t d = g->ms - w->ms;
        if (g->host != w->host || g->kind != w->kind || g->tryno != w->tryno ||
            d * MS > TOLERANCE || -d * MS > TOLERANCE)
            fail_msg("probe %zu: %lld ms .%d kind %u try %u, nmap: %lld ms .%d kind %u try %u", i,
                     (long long)g->ms, g->host, g->kind, g->tryno, (long long)w->ms, w->host,
                     w->kind, w->tryno);
    }
    assert_int_equal(m->n, n);
    assert_true(st_polite_done(&m->p));
}

static void sim_end(struct sim *m)
{
    st_polite_free(&m->p);
    st_sched_free(&m->s);
}

/* nmap -n -sn -T2 198.18.3.2 198.18.3.3 198.18.3.4 (echo, SYN 443, ACK 80,
 * timestamp): one probe in flight; a host's first probe 400 ms after the
 * start; the timeout 400 ms once a reply came (never under the delay);
 * .3's and .4's first echo retries a second late (rate-limit detection),
 * later retries at once; a kind's retry before the next kind. */
static void test_t2_default(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(2);
    sim_start(&m, &t, (const int[]){2, 3, 4}, 3, 4);
    sim_run(&m, 20000 * MS);
    static const struct probe nmap[] = {
        {400, 2, 0, 0},  {400, 3, 0, 0},  {800, 4, 0, 0},  {1800, 3, 0, 1},
        {2200, 4, 0, 1}, {2600, 3, 1, 0}, {2600, 4, 1, 0}, {3000, 4, 1, 1},
        {3400, 4, 2, 0}, {3800, 4, 2, 1}, {4200, 4, 3, 0}, {4600, 4, 3, 1},
    };
    expect(&m, nmap, sizeof nmap / sizeof nmap[0]);
    assert_int_equal(m.s.hosts[0].state, ST_HOST_UP);
    assert_int_equal(m.s.hosts[1].state, ST_HOST_UP);
    assert_int_equal(m.s.hosts[2].state, ST_HOST_DOWN);
    assert_string_equal(m.s.hosts[2].reason, "no-response");
    sim_end(&m);
}

/* nmap -T2 -PE: one kind, so no rate-limit wait before a retry. */
static void test_t2_echo_alone(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(2);
    sim_start(&m, &t, (const int[]){2, 3, 4}, 3, 1);
    sim_run(&m, 20000 * MS);
    static const struct probe nmap[] = {
        {400, 2, 0, 0}, {400, 3, 0, 0}, {800, 3, 0, 1}, {1200, 4, 0, 0}, {1600, 4, 0, 1},
    };
    expect(&m, nmap, sizeof nmap / sizeof nmap[0]);
    sim_end(&m);
}

/* nmap -T3 --max-parallelism 1: no delay, the initial second as timeout
 * until a reply; the first new probe goes to .3 (nmap's two host rounds
 * move the round-robin place before the first probe). */
static void test_t3_max_parallelism_1(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(3);
    t.max_parallelism = 1;
    sim_start(&m, &t, (const int[]){2, 3, 4}, 3, 4);
    sim_run(&m, 20000 * MS);
    static const struct probe nmap[] = {
        {0, 3, 0, 0},    {1000, 4, 0, 0}, {2000, 3, 0, 1}, {3000, 3, 1, 0},
        {3000, 2, 0, 0}, {4000, 4, 0, 1}, {4100, 4, 1, 0}, {4200, 4, 1, 1},
        {4300, 4, 2, 0}, {4400, 4, 2, 1}, {4500, 4, 3, 0}, {4600, 4, 3, 1},
    };
    expect(&m, nmap, sizeof nmap / sizeof nmap[0]);
    sim_end(&m);
}

/* nmap -T2 --max-retries 0: no retry; .3 is given up when its echo times
 * out, .4 (given up the same way) still sends the kinds it had started. */
static void test_t2_no_retries(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(2);
    t.max_retries = 0;
    sim_start(&m, &t, (const int[]){2, 3, 4}, 3, 4);
    sim_run(&m, 20000 * MS);
    static const struct probe nmap[] = {
        {400, 2, 0, 0},  {400, 3, 0, 0},  {800, 4, 0, 0},
        {1200, 4, 1, 0}, {1600, 4, 2, 0}, {2000, 4, 3, 0},
    };
    expect(&m, nmap, sizeof nmap / sizeof nmap[0]);
    sim_end(&m);
}

/* nmap -T3 --scan-delay 300ms -PE -PS443 198.18.3.4 198.18.3.3: probes to
 * different hosts together (window 10), one per host per 300 ms; .4's
 * retries newest first (the SYN, a second late, then the echo). */
static void test_t3_scan_delay(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(3);
    t.scan_delay_ns = 300 * MS;
    assert_true(st_polite_wanted(&t));
    sim_start(&m, &t, (const int[]){4, 3}, 2, 2);
    sim_run(&m, 20000 * MS);
    static const struct probe nmap[] = {
        {300, 4, 0, 0}, {300, 3, 0, 0},  {600, 4, 1, 0},
        {600, 3, 1, 0}, {1900, 4, 1, 1}, {2200, 4, 0, 1},
    };
    expect(&m, nmap, sizeof nmap / sizeof nmap[0]);
    sim_end(&m);
}

/* nmap's host groups: a target on another route (nmap -T2 -PE of a routed
 * silent host and a local one: the local one's ARP 0.4 s after the routed
 * host was given up), and a second copy of an address, wait for the next
 * group; a group's hosts in address order. */
static void test_host_groups(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(2);
    sim_start_routes(&m, &t, (const int[]){4, 2, 3}, 3, 1, (const uint16_t[]){0, 1, 0});
    sim_run(&m, 20000 * MS);
    /* of two hosts the second goes first (nmap -T2 .4 .9: .9 first) */
    static const struct probe groups[] = {
        {400, 4, 0, 0}, {1400, 4, 0, 1}, {2400, 3, 0, 0}, {3400, 3, 0, 1}, {4800, 2, 0, 0},
    };
    expect(&m, groups, sizeof groups / sizeof groups[0]);
    sim_end(&m);

    uint32_t twice[2] = {0xc6120304u, 0xc6120304u};
    memset(&m, 0, sizeof m);
    struct st_polite_target pt[2];
    memset(pt, 0, sizeof pt);
    pt[0].key[3] = pt[1].key[3] = 4;
    pt[0].nkinds = pt[1].nkinds = 1;
    assert_int_equal(st_sched_init(&m.s, twice, NULL, 2, &t, 0), 0);
    assert_int_equal(st_polite_init(&m.p, &m.s, pt, 0), 0);
    sim_run(&m, 20000 * MS);
    static const struct probe copies[] = {
        {400, 4, 0, 0},
        {1400, 4, 0, 1},
        {2800, 4, 0, 0},
        {3800, 4, 0, 1},
    };
    expect(&m, copies, sizeof copies / sizeof copies[0]);
    sim_end(&m);
}

/* -T1: the first probe 15 s in, the initial timeout 15 s (nmap's template,
 * by its source: too slow for the lab). */
static void test_t1_silent_host(void **state)
{
    (void)state;
    static struct sim m;
    struct st_timing t = timing(1);
    sim_start(&m, &t, (const int[]){4}, 1, 1);
    sim_run(&m, 60000 * MS);
    static const struct probe sneaky[] = {{15000, 4, 0, 0}, {30000, 4, 0, 1}};
    expect(&m, sneaky, sizeof sneaky / sizeof sneaky[0]);
    sim_end(&m);
}

/* Only a delay or a parallelism leaves scan's own scheduler. */
static void test_wanted(void **state)
{
    (void)state;
    for (int k = 0; k <= 5; k++) {
        struct st_timing t = timing(k);
        assert_int_equal(st_polite_wanted(&t), k <= 2);
    }
    struct st_timing t = timing(4);
    t.min_parallelism = 2;
    assert_true(st_polite_wanted(&t));
}

ST_TEST_MAIN(cmocka_unit_test(test_t2_default), cmocka_unit_test(test_t2_echo_alone),
             cmocka_unit_test(test_t3_max_parallelism_1), cmocka_unit_test(test_t2_no_retries),
             cmocka_unit_test(test_t3_scan_delay), cmocka_unit_test(test_host_groups),
             cmocka_unit_test(test_t1_silent_host), cmocka_unit_test(test_wanted))
