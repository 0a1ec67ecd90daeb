/*
 * The event engine's bookkeeping, on the back end named by argv[2] (meson
 * runs this file once per engine): event ids, timer order, cancellation,
 * deleting IODs and pools with events pending, loop results, the trace
 * lines, and 1,000 concurrent connects that must not leak a descriptor.
 * Every peer is a real socket on loopback in a private network namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "evtest.h"
#include "testnet.h"

#define SA(sin) ((const struct sockaddr *)&(sin))

static void test_event_ids(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port;
    int lfd = st_test_listen_tcp(16, &port);
    assert_true(lfd >= 0);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    assert_non_null(pool);
    assert_string_equal(st_ev_pool_engine(pool), st_evtest_engine);
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    st_ev_iod *iod2 = st_ev_iod_new(pool, NULL);
    assert_int_equal(st_ev_iod_id(iod), 1);
    assert_int_equal(st_ev_iod_id(iod2), 2);
    assert_int_equal(st_ev_iod_state(iod), ST_EV_IOD_INITIAL);

    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    assert_int_equal(
        REQ(st_ev_connect_tcp(pool, iod, st_evtest_record, 1000, NULL, SA(sin), sizeof sin, port)),
        8);
    assert_int_equal(REQ(st_ev_read(pool, iod, st_evtest_record, 100, NULL)), 18);
    assert_int_equal(REQ(st_ev_write(pool, iod, st_evtest_record, 1000, NULL, "hello", -1)), 27);
    assert_int_equal(REQ(st_ev_timer_create(pool, st_evtest_record, 1, NULL)), 36);
    assert_int_equal(st_evtest_log.n, 0);
    /* a second connect on a busy IOD is refused without an event */
    assert_int_equal(
        REQ(st_ev_connect_tcp(pool, iod, st_evtest_record, 1000, NULL, SA(sin), sizeof sin, port)),
        -EINVAL);

    assert_int_equal(st_ev_loop(pool, 5000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 4);
    const struct evrec *c = st_evtest_find(8), *r = st_evtest_find(18), *w = st_evtest_find(27);
    assert_non_null(c);
    assert_non_null(r);
    assert_non_null(w);
    assert_int_equal(c->status, ST_EV_SUCCESS);
    assert_int_equal(c->type, ST_EV_CONNECT);
    assert_int_equal(c->iod_id, 1);
    assert_int_equal(w->status, ST_EV_SUCCESS);
    assert_int_equal(r->status, ST_EV_TIMEOUT); /* the listener never says a word */
    assert_int_equal(st_evtest_find(36)->status, ST_EV_SUCCESS);
    assert_true(c < w); /* the connect is delivered before the write on it */
    assert_int_equal(st_ev_iod_state(iod), ST_EV_IOD_CONNECTED_TCP);
    assert_int_equal(st_ev_iod_write_count(iod), 5);
    socklen_t plen;
    assert_non_null(st_ev_iod_peer(iod, &plen));
    assert_int_equal(plen, sizeof sin);
    assert_non_null(st_ev_iod_local(iod, NULL));
    st_ev_pool_delete(pool);
    close(lfd);
}

static void test_timer_order_and_cancel(void **state)
{
    (void)state;
    st_evtest_reset();
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    static int tag[6];
    st_ev_id t30 = REQ(st_ev_timer_create(pool, st_evtest_record, 30, &tag[0]));
    st_ev_id t10a = REQ(st_ev_timer_create(pool, st_evtest_record, 10, &tag[1]));
    st_ev_id t20 = REQ(st_ev_timer_create(pool, st_evtest_record, 20, &tag[2]));
    st_ev_id t10b = REQ(st_ev_timer_create(pool, st_evtest_record, 10, &tag[3]));
    st_ev_id t0 = REQ(st_ev_timer_create(pool, st_evtest_record, 0, &tag[4]));
    st_ev_id t15 = REQ(st_ev_timer_create(pool, st_evtest_record, 15, &tag[5]));
    assert_int_equal(REQ(st_ev_timer_create(pool, st_evtest_record, -1, NULL)), -EINVAL);
    assert_int_equal(st_ev_pool_pending(pool), 6);

    assert_int_equal(REQ(st_ev_cancel(pool, t20, false)), 0); /* silently */
    assert_int_equal(REQ(st_ev_cancel(pool, t15, true)), 0);  /* with CANCELLED */
    assert_int_equal(REQ(st_ev_cancel(pool, t20, true)), -ENOENT);
    assert_int_equal(REQ(st_ev_cancel(pool, 12345 << 3, true)), -ENOENT);
    assert_int_equal(st_evtest_log.n, 0);

    assert_int_equal(st_ev_loop(pool, -1), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 5);
    st_ev_id want[] = {t15, t0, t10a, t10b, t30};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(st_evtest_log.rec[i].id, want[i]);
    assert_int_equal(st_evtest_log.rec[0].status, ST_EV_CANCELLED);
    for (size_t i = 1; i < 5; i++) {
        assert_int_equal(st_evtest_log.rec[i].status, ST_EV_SUCCESS);
        assert_int_equal(st_evtest_log.rec[i].type, ST_EV_TIMER);
    }
    assert_ptr_equal(st_evtest_log.rec[1].userdata, &tag[4]);
    assert_int_equal(REQ(st_ev_cancel(pool, t30, true)), -ENOENT); /* already delivered */
    st_ev_pool_delete(pool);
}

/* Requests whose outcome is known at once still wait for the loop. */
static void test_no_synchronous_handlers(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short uport;
    int ufd = st_test_bind_udp(&uport);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *iod = st_ev_iod_new(pool, NULL), *bare = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    st_ev_id c =
        REQ(st_ev_connect_udp(pool, iod, st_evtest_record, NULL, SA(sin), sizeof sin, uport));
    st_ev_id w0 = REQ(st_ev_write(pool, iod, st_evtest_record, -1, NULL, "", 0));
    st_ev_id rb = REQ(st_ev_read(pool, bare, st_evtest_record, -1, NULL)); /* no socket */
    st_ev_id t = REQ(st_ev_timer_create(pool, st_evtest_record, 0, NULL));
    assert_true(c > 0 && w0 > 0 && rb > 0 && t > 0);
    assert_int_equal(st_evtest_log.n, 0);
    assert_int_equal(st_ev_iod_state(iod), ST_EV_IOD_CONNECTED_UDP);
    assert_int_equal(st_ev_loop(pool, 1000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 4);
    assert_int_equal(st_evtest_find(c)->status, ST_EV_SUCCESS);
    assert_int_equal(st_evtest_find(w0)->status, ST_EV_SUCCESS);
    assert_int_equal(st_evtest_find(rb)->status, ST_EV_ERROR);
    assert_int_equal(st_evtest_find(rb)->err, ENOTCONN);
    assert_int_equal(st_evtest_find(t)->status, ST_EV_SUCCESS);
    st_ev_pool_delete(pool);
    close(ufd);
}

/* The loop sleeps until the nearest deadline: a few waits, not a spin. */
static void test_no_busy_loop(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port;
    int lfd = st_test_listen_tcp(4, &port);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", port);
    REQ(st_ev_connect_tcp(pool, iod, st_evtest_record, 1000, NULL, SA(sin), sizeof sin, port));
    REQ(st_ev_read(pool, iod, st_evtest_record, 150, NULL)); /* the peer stays silent */
    REQ(st_ev_timer_create(pool, st_evtest_record, 120, NULL));
    REQ(st_ev_timer_create(pool, st_evtest_record, 60, NULL));
    assert_int_equal(st_ev_loop(pool, -1), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 4);
    /* connect, 60 ms, 120 ms, 150 ms: one wait each, and a spare for rounding */
    assert_in_range(st_ev_pool_waits(pool), 4, 8);
    st_ev_pool_delete(pool);
    close(lfd);
}

/* An IOD over a descriptor of the caller's (a dup of it). */
static void test_iod_new2(void **state)
{
    (void)state;
    st_evtest_reset();
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *iod = st_ev_iod_new2(pool, sv[0], NULL);
    assert_non_null(iod);
    assert_int_not_equal(st_ev_iod_fd(iod), sv[0]);
    assert_int_equal(st_ev_iod_state(iod), ST_EV_IOD_UNKNOWN);
    st_ev_id r = REQ(st_ev_readlines(pool, iod, st_evtest_record, 2000, NULL, 1));
    st_ev_id w = REQ(st_ev_write(pool, iod, st_evtest_record, 2000, NULL, "ping", 4));
    assert_int_equal(write(sv[1], "pong\n", 5), 5);
    assert_int_equal(st_ev_loop(pool, 5000), ST_EV_LOOP_NOEVENTS);
    assert_string_equal(st_evtest_find(r)->data, "pong\n");
    assert_int_equal(st_evtest_find(w)->status, ST_EV_SUCCESS);
    char buf[8] = "";
    assert_int_equal(read(sv[1], buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    st_ev_pool_delete(pool);
    /* the caller's descriptor is still its own */
    assert_int_equal(write(sv[0], "x", 1), 1);
    close(sv[0]);
    close(sv[1]);
}

static void quit_handler(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    st_ev_loop_quit(pool);
}

static void test_loop_results(void **state)
{
    (void)state;
    st_evtest_reset();
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    assert_int_equal(st_ev_loop(pool, -1), ST_EV_LOOP_NOEVENTS);
    st_ev_id long_timer = REQ(st_ev_timer_create(pool, st_evtest_record, 60000, NULL));
    assert_int_equal(st_ev_loop(pool, 0), ST_EV_LOOP_TIMEOUT);
    assert_int_equal(st_ev_loop(pool, 5), ST_EV_LOOP_TIMEOUT);
    REQ(st_ev_timer_create(pool, quit_handler, 1, NULL));
    REQ(st_ev_timer_create(pool, st_evtest_record, 2, NULL));
    assert_int_equal(st_ev_loop(pool, -1), ST_EV_LOOP_QUIT);
    assert_int_equal(st_evtest_log.n, 1);
    assert_int_equal(st_ev_pool_pending(pool), 2);
    assert_int_equal(REQ(st_ev_cancel(pool, long_timer, false)), 0);
    assert_int_equal(st_ev_loop(pool, -1), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 2);
    st_ev_pool_delete(pool);

    assert_null(st_ev_pool_new("select", NULL));
    assert_int_equal(errno, EINVAL);
    assert_int_equal(st_ev_set_default_engine("nope"), -EINVAL);
    assert_string_equal(st_ev_default_engine(), st_evtest_engine);
}

static int fcntl_is_closed(int fd)
{
    return fcntl(fd, F_GETFD) < 0 && errno == EBADF;
}

/* An IOD connected to a silent listener, with two reads pending. */
static st_ev_iod *pending_reads(st_ev_pool *pool, unsigned short port, st_ev_id ids[2])
{
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", port);
    REQ(st_ev_connect_tcp(pool, iod, NULL, 1000, NULL, SA(sin), sizeof sin, port));
    ids[0] = REQ(st_ev_read(pool, iod, st_evtest_record, -1, NULL));
    ids[1] = REQ(st_ev_readlines(pool, iod, st_evtest_record, -1, NULL, 1));
    return iod;
}

static void test_iod_delete_pending(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port;
    int lfd = st_test_listen_tcp(16, &port);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_id k[2], c[2], s[2];
    st_ev_iod *a = pending_reads(pool, port, k);
    st_ev_iod *b = pending_reads(pool, port, c);
    st_ev_iod *q = pending_reads(pool, port, s);
    assert_int_equal(st_ev_loop(pool, 50), ST_EV_LOOP_TIMEOUT); /* connected, reads wait */
    assert_int_equal(st_evtest_log.n, 0);
    int fd = st_ev_iod_fd(a);
    REQ((st_ev_iod_delete(a, ST_EV_PENDING_KILL), 0));
    REQ((st_ev_iod_delete(b, ST_EV_PENDING_CANCEL), 0));
    REQ((st_ev_iod_delete(q, ST_EV_PENDING_SILENT), 0));
    assert_int_equal(st_evtest_log.n, 0);
    assert_int_equal(fcntl_is_closed(fd), 1);
    assert_int_equal(st_ev_loop(pool, 1000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_log.n, 4);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(st_evtest_find(k[i])->status, ST_EV_KILL);
        assert_int_equal(st_evtest_find(k[i])->iod_id, 1); /* the IOD still answers */
        assert_int_equal(st_evtest_find(c[i])->status, ST_EV_CANCELLED);
        assert_null(st_evtest_find(s[i]));
    }
    st_ev_pool_delete(pool);
    close(lfd);
}

static void test_pool_delete_kills(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port, uport;
    int lfd = st_test_listen_tcp(16, &port);
    int ufd = st_test_bind_udp(&uport);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_id r[2];
    pending_reads(pool, port, r);
    st_ev_id t = REQ(st_ev_timer_create(pool, st_evtest_record, 60000, NULL));
    st_ev_iod *u = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", uport);
    st_ev_id uc =
        REQ(st_ev_connect_udp(pool, u, st_evtest_record, NULL, SA(sin), sizeof sin, uport));
    assert_int_equal(st_evtest_log.n, 0);
    st_ev_pool_delete(pool); /* the one place handlers run outside the loop */
    assert_int_equal(st_evtest_log.n, 4);
    assert_int_equal(st_evtest_find(r[0])->status, ST_EV_KILL);
    assert_int_equal(st_evtest_find(r[1])->status, ST_EV_KILL);
    assert_int_equal(st_evtest_find(t)->status, ST_EV_KILL);
    assert_int_equal(st_evtest_find(uc)->status, ST_EV_KILL);
    close(lfd);
    close(ufd);
}

/* ---- 1,000 connects at once */

static size_t many_ok, many_refused, many_other;

static void many_handler(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    (void)userdata;
    assert_int_equal(st_evtest_in_request, 0);
    if (st_ev_event_status(ev) == ST_EV_SUCCESS)
        many_ok++;
    else if (st_ev_event_status(ev) == ST_EV_ERROR && st_ev_event_errno(ev) == ECONNREFUSED)
        many_refused++;
    else
        many_other++;
    st_ev_iod_delete(st_ev_event_iod(ev), ST_EV_PENDING_KILL);
}

static void test_thousand_connects_no_leak(void **state)
{
    (void)state;
    enum { N = 1000 };
    st_test_raise_nofile(4096);
    unsigned short port;
    unsigned short closed = st_test_closed_port();
    int before = st_test_count_fds();
    int lfd = st_test_listen_tcp(N, &port);
    assert_true(lfd >= 0);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    many_ok = many_refused = many_other = 0;
    for (int i = 0; i < N; i++) {
        st_ev_iod *iod = st_ev_iod_new(pool, NULL);
        assert_non_null(iod);
        st_ev_id id = REQ(st_ev_connect_tcp(pool, iod, many_handler, 10000, NULL, SA(sin),
                                            sizeof sin, i % 2 ? closed : port));
        assert_true(id > 0);
    }
    /* all of them are open at once */
    assert_true(st_test_count_fds() >= before + N);
    assert_int_equal(st_ev_loop(pool, 30000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(many_ok, N / 2);
    assert_int_equal(many_refused, N / 2);
    assert_int_equal(many_other, 0);
    st_ev_pool_delete(pool);
    close(lfd);
    assert_int_equal(st_test_count_fds(), before);
}

/* ---- the trace lines */

/* The trace with every "[s.ssss]" time replaced by "[T]" (after checking
 * that it is whole milliseconds: the 4th decimal is 0). */
static char *normalize(const char *text)
{
    regex_t re;
    assert_int_equal(regcomp(&re, "\\[[0-9]+\\.[0-9]{3}0s\\]", REG_EXTENDED), 0);
    size_t cap = strlen(text) + 1;
    char *out = malloc(cap);
    if (!out)
        abort();
    size_t o = 0;
    regmatch_t m;
    const char *p = text;
    while (regexec(&re, p, 1, &m, 0) == 0) {
        memcpy(out + o, p, (size_t)m.rm_so);
        o += (size_t)m.rm_so;
        memcpy(out + o, "[T]", 3);
        o += 3;
        p += m.rm_eo;
    }
    strcpy(out + o, p);
    regfree(&re);
    return out;
}

/* Replaces every KEY in BUF by the decimal PORT. */
static void subst(char *buf, size_t size, const char *key, unsigned port)
{
    char num[16], *at;
    snprintf(num, sizeof num, "%u", port);
    while ((at = strstr(buf, key))) {
        size_t rest = strlen(at + strlen(key));
        assert_true(at - buf + strlen(num) + rest < size);
        memmove(at + strlen(num), at + strlen(key), rest + 1);
        memcpy(at, num, strlen(num));
    }
}

static int dns_peer = -1;

static void echo_on_write(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    char buf[64];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(dns_peer, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    assert_int_equal(n, 40);
    static const char reply[] = "ab\001cd\r\nefgh\x7f";
    sendto(dns_peer, reply, sizeof reply - 1, 0, (struct sockaddr *)&from, fl);
}

static void reread_then_delete(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    st_ev_iod *iod = st_ev_event_iod(ev);
    st_ev_read(pool, iod, st_evtest_record, -1, NULL);
    st_ev_iod_delete(iod, ST_EV_PENDING_SILENT);
}

static void test_trace_lines(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short uport, tport, closed = st_test_closed_port();
    dns_peer = st_test_bind_udp(&uport);
    int lfd = st_test_listen_tcp(4, &tport);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_pool_set_trace(pool, out, NULL);

    /* nmap_dns's sequence (doc/nmap-notes.md, "nsock's log lines") */
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    st_ev_connect_udp(pool, iod, st_evtest_record, NULL, SA(sin), sizeof sin, uport);
    st_ev_read(pool, iod, reread_then_delete, -1, NULL);
    static char query[40];
    st_ev_write(pool, iod, echo_on_write, 100, NULL, query, sizeof query);
    assert_int_equal(st_ev_loop(pool, 5000), ST_EV_LOOP_NOEVENTS);

    /* TCP: refused; then a connect, lines, a timer, a cancel */
    st_ev_iod *t = st_ev_iod_new(pool, NULL);
    st_ev_connect_tcp(pool, t, st_evtest_record, 1000, NULL, SA(sin), sizeof sin, closed);
    assert_int_equal(st_ev_loop(pool, 5000), ST_EV_LOOP_NOEVENTS);
    st_ev_iod *t2 = st_ev_iod_new(pool, NULL);
    st_ev_connect_tcp(pool, t2, st_evtest_record, 1000, NULL, SA(sin), sizeof sin, tport);
    st_ev_readlines(pool, t2, st_evtest_record, 20, NULL, 2);
    st_ev_readbytes(pool, t2, st_evtest_record, 30, NULL, 7);
    st_ev_printf(pool, t2, st_evtest_record, -1, NULL, "GET / HTTP/1.%d\r\n", 0);
    st_ev_id tm = st_ev_timer_create(pool, st_evtest_record, 100, NULL);
    st_ev_timer_create(pool, st_evtest_record, 1, NULL);
    st_ev_cancel(pool, tm, true);
    assert_int_equal(st_ev_loop(pool, 5000), ST_EV_LOOP_NOEVENTS);
    st_ev_pool_delete(pool);
    fclose(out);

    char *got = normalize(text);
    char want[4096];
    snprintf(
        want, sizeof want, "%s",
        "EVENT INFO [T] nsock_iod_new2(): nsock_iod_new (IOD #1)\n"
        "EVENT INFO [T] nsock_connect_udp(): UDP connection requested to 127.0.0.1:@U@ (IOD #1) "
        "EID 8\n"
        "EVENT INFO [T] nsock_read(): Read request from IOD #1 [127.0.0.1:@U@] (timeout: -1ms) "
        "EID 18\n"
        "EVENT INFO [T] nsock_write(): Write request for 40 bytes to IOD #1 EID 27 "
        "[127.0.0.1:@U@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: CONNECT SUCCESS for EID 8 "
        "[127.0.0.1:@U@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: WRITE SUCCESS for EID 27 "
        "[127.0.0.1:@U@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: READ SUCCESS for EID 18 "
        "[127.0.0.1:@U@] (12 bytes): ab.cd..efgh.\n"
        "EVENT INFO [T] nsock_read(): Read request from IOD #1 [127.0.0.1:@U@] (timeout: -1ms) "
        "EID 34\n"
        "EVENT INFO [T] nsock_iod_delete(): nsock_iod_delete (IOD #1)\n"
        "EVENT INFO [T] nevent_delete(): nevent_delete on event #34 (type READ)\n"
        "EVENT INFO [T] nsock_iod_new2(): nsock_iod_new (IOD #2)\n"
        "EVENT INFO [T] nsock_connect_tcp(): TCP connection requested to 127.0.0.1:@C@ (IOD #2) "
        "(timeout: 1000ms) EID 40\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: CONNECT ERROR [Connection "
        "refused (111)] for EID 40 [127.0.0.1:@C@]\n"
        "EVENT INFO [T] nsock_iod_new2(): nsock_iod_new (IOD #3)\n"
        "EVENT INFO [T] nsock_connect_tcp(): TCP connection requested to 127.0.0.1:@T@ (IOD #3) "
        "(timeout: 1000ms) EID 48\n"
        "EVENT INFO [T] nsock_readlines(): Read request for 2 lines from IOD #3 [127.0.0.1:@T@] "
        "(timeout: 20ms) EID 58\n"
        "EVENT INFO [T] nsock_readbytes(): Read request for 7 bytes from IOD #3 [127.0.0.1:@T@] "
        "(timeout: 30ms) EID 66\n"
        "EVENT INFO [T] nsock_printf(): Write request for 16 bytes to IOD #3 EID 75 "
        "[127.0.0.1:@T@]\n"
        "EVENT INFO [T] nsock_timer_create(): Timer created - 100ms from now.  EID 84\n"
        "EVENT INFO [T] nsock_timer_create(): Timer created - 1ms from now.  EID 92\n"
        "EVENT INFO [T] nsock_event_cancel(): Event #84 (type TIMER) cancelled\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: TIMER CANCELLED for EID 84\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: CONNECT SUCCESS for EID 48 "
        "[127.0.0.1:@T@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: WRITE SUCCESS for EID 75 "
        "[127.0.0.1:@T@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: TIMER SUCCESS for EID 92\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: READ TIMEOUT for EID 58 "
        "[127.0.0.1:@T@]\n"
        "EVENT INFO [T] nsock_trace_handler_callback(): Callback: READ TIMEOUT for EID 66 "
        "[127.0.0.1:@T@]\n"
        /* st_ev_pool_delete() deletes the IODs left */
        "EVENT INFO [T] nsock_iod_delete(): nsock_iod_delete (IOD #2)\n"
        "EVENT INFO [T] nsock_iod_delete(): nsock_iod_delete (IOD #3)\n");
    subst(want, sizeof want, "@U@", uport);
    subst(want, sizeof want, "@C@", closed);
    subst(want, sizeof want, "@T@", tport);
    if (strcmp(got, want))
        fprintf(stderr, "--- got\n%s--- want\n%s", got, want);
    assert_true(strcmp(got, want) == 0);
    free(got);
    free(text);
    close(dns_peer);
    close(lfd);
}

ST_EVTEST_MAIN(NULL, NULL, cmocka_unit_test(test_event_ids),
               cmocka_unit_test(test_timer_order_and_cancel),
               cmocka_unit_test(test_no_synchronous_handlers), cmocka_unit_test(test_loop_results),
               cmocka_unit_test(test_no_busy_loop), cmocka_unit_test(test_iod_new2),
               cmocka_unit_test(test_iod_delete_pending), cmocka_unit_test(test_pool_delete_kills),
               cmocka_unit_test(test_trace_lines), cmocka_unit_test(test_thousand_connects_no_leak))
