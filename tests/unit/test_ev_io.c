/*
 * The event engine's I/O against real peers, on the back end named by
 * argv[2]: a line server (a forked child writing a script in pieces) for
 * readlines/readbytes/read, EOF, refused and silent connects, UDP, TLS with
 * `openssl s_server` and a certificate made for the test, and a capture on
 * loopback. Everything runs in a private network namespace.
 */
#include <errno.h>
#include <limits.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "evtest.h"
#include "testnet.h"

#define SA(sin) ((const struct sockaddr *)&(sin))

/* ---- the line server */

enum { CLOSE_AT_END, WAIT_FOR_CLIENT };

/* Forks a child that accepts one connection on LFD, writes each chunk (a
 * short pause between them, so the reads see pieces), then closes or waits
 * for the client to close first. */
static pid_t serve(int lfd, const char *const *chunks, int how)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int c = accept(lfd, NULL, NULL);
    if (c < 0)
        _exit(1);
    for (; *chunks; chunks++) {
        if (write(c, *chunks, strlen(*chunks)) < 0)
            _exit(1);
        usleep(20000);
    }
    if (how == WAIT_FOR_CLIENT) {
        char b;
        while (read(c, &b, 1) > 0)
            ;
    }
    close(c);
    _exit(0);
}

static void reap(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

struct conn {
    st_ev_pool *pool;
    st_ev_iod *iod;
    int lfd;
    unsigned short port;
    pid_t server;
};

/* The server is forked first, so that it holds no copy of our socket. */
static void conn_open(struct conn *c, const char *const *script, int how, st_ev_handler h)
{
    st_evtest_reset();
    c->lfd = st_test_listen_tcp(4, &c->port);
    assert_true(c->lfd >= 0);
    c->server = serve(c->lfd, script, how);
    c->pool = st_ev_pool_new(NULL, NULL);
    c->iod = st_ev_iod_new(c->pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", c->port);
    assert_true(
        REQ(st_ev_connect_tcp(c->pool, c->iod, h, 2000, NULL, SA(sin), sizeof sin, c->port)) > 0);
}

static void conn_close(struct conn *c)
{
    st_ev_pool_delete(c->pool);
    close(c->lfd);
}

/* Re-arms a plain read after each success, so a whole stream is collected. */
static void read_all(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    if (st_ev_event_type(ev) == ST_EV_CONNECT || st_ev_event_status(ev) == ST_EV_SUCCESS)
        REQ(st_ev_read(pool, st_ev_event_iod(ev), read_all, 5000, NULL));
}

static void test_readlines_then_rest(void **state)
{
    (void)state;
    static const char *const script[] = {"alpha\nbe", "ta\ngam", "ma\n", "delta", NULL};
    struct conn c;
    conn_open(&c, script, CLOSE_AT_END, st_evtest_record);
    st_ev_id rl = REQ(st_ev_readlines(c.pool, c.iod, read_all, 5000, NULL, 2));
    assert_int_equal(st_ev_loop(c.pool, 10000), ST_EV_LOOP_NOEVENTS);
    reap(c.server);

    const struct evrec *first = st_evtest_find(rl);
    assert_non_null(first);
    assert_int_equal(first->status, ST_EV_SUCCESS);
    assert_memory_equal(first->data, "alpha\nbeta\n", 11); /* at least two lines */
    char all[256] = "";
    for (size_t i = 0; i < st_evtest_log.n; i++)
        if (st_evtest_log.rec[i].type == ST_EV_READ && st_evtest_log.rec[i].status == ST_EV_SUCCESS)
            strcat(all, st_evtest_log.rec[i].data);
    assert_string_equal(all, "alpha\nbeta\ngamma\ndelta");
    const struct evrec *last = &st_evtest_log.rec[st_evtest_log.n - 1];
    assert_int_equal(last->status, ST_EV_EOF); /* EOF only once nothing is left */
    assert_int_equal(last->len, 0);
    assert_int_equal(st_ev_iod_read_count(c.iod), 22);
    conn_close(&c);
}

static void test_readbytes(void **state)
{
    (void)state;
    static const char *const script[] = {"01234", "56789", NULL};
    struct conn c;
    conn_open(&c, script, WAIT_FOR_CLIENT, st_evtest_record);
    st_ev_id rb = REQ(st_ev_readbytes(c.pool, c.iod, st_evtest_record, 5000, NULL, 8));
    assert_int_equal(st_ev_loop(c.pool, 10000), ST_EV_LOOP_NOEVENTS);
    const struct evrec *r = st_evtest_find(rb);
    assert_int_equal(r->status, ST_EV_SUCCESS);
    assert_false(r->eof);
    assert_true(r->len >= 8);
    assert_memory_equal(r->data, "01234567", 8);
    conn_close(&c); /* closes the socket: the child sees EOF and exits */
    reap(c.server);
}

static void test_eof_without_data(void **state)
{
    (void)state;
    static const char *const script[] = {NULL};
    struct conn c;
    conn_open(&c, script, CLOSE_AT_END, st_evtest_record);
    st_ev_id r = REQ(st_ev_readlines(c.pool, c.iod, st_evtest_record, 5000, NULL, 1));
    assert_int_equal(st_ev_loop(c.pool, 10000), ST_EV_LOOP_NOEVENTS);
    reap(c.server);
    assert_int_equal(st_evtest_find(r)->status, ST_EV_EOF);
    assert_int_equal(st_evtest_find(r)->len, 0);
    conn_close(&c);
}

/* A read that times out with some data succeeds with that data. */
static void test_timeout_with_partial_data(void **state)
{
    (void)state;
    static const char *const script[] = {"partial", NULL};
    struct conn c;
    conn_open(&c, script, WAIT_FOR_CLIENT, st_evtest_record);
    st_ev_id r = REQ(st_ev_readlines(c.pool, c.iod, st_evtest_record, 300, NULL, 1));
    assert_int_equal(st_ev_loop(c.pool, 10000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_find(r)->status, ST_EV_SUCCESS);
    assert_string_equal(st_evtest_find(r)->data, "partial");
    conn_close(&c);
    reap(c.server);
}

static void test_refused_and_silent_connects(void **state)
{
    (void)state;
    st_evtest_reset();
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *a = st_ev_iod_new(pool, NULL), *b = st_ev_iod_new(pool, NULL);
    struct sockaddr_in lo = st_test_addr("127.0.0.1", 0);
    struct sockaddr_in nobody = st_test_addr("198.18.200.2", 0); /* see testnet.h */
    st_ev_id refused = REQ(st_ev_connect_tcp(pool, a, st_evtest_record, 2000, NULL, SA(lo),
                                             sizeof lo, st_test_closed_port()));
    st_ev_id silent =
        REQ(st_ev_connect_tcp(pool, b, st_evtest_record, 200, NULL, SA(nobody), sizeof nobody, 80));
    assert_int_equal(st_ev_iod_connect_errno(b), EINPROGRESS);
    assert_int_equal(st_ev_loop(pool, 10000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_find(refused)->status, ST_EV_ERROR);
    assert_int_equal(st_evtest_find(refused)->err, ECONNREFUSED);
    assert_int_equal(st_evtest_find(silent)->status, ST_EV_TIMEOUT);
    st_ev_pool_delete(pool);
}

/* ---- UDP */

static int udp_peer = -1;

static void udp_echo(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    char buf[64];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(udp_peer, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    assert_true(n > 0);
    /* two datagrams: each read takes exactly one */
    sendto(udp_peer, "one", 3, 0, (struct sockaddr *)&from, fl);
    sendto(udp_peer, "two", 3, 0, (struct sockaddr *)&from, fl);
}

static void test_udp(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port;
    udp_peer = st_test_bind_udp(&port);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *u = st_ev_iod_new(pool, NULL), *dead = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    REQ(st_ev_connect_udp(pool, u, st_evtest_record, NULL, SA(sin), sizeof sin, port));
    st_ev_id r1 = REQ(st_ev_read(pool, u, st_evtest_record, 2000, NULL));
    st_ev_id r2 = REQ(st_ev_read(pool, u, st_evtest_record, 2000, NULL));
    REQ(st_ev_printf(pool, u, udp_echo, 1000, NULL, "q%d", 1));
    /* a closed UDP port: the ICMP port unreachable fails the read */
    REQ(st_ev_connect_udp(pool, dead, st_evtest_record, NULL, SA(sin), sizeof sin,
                          st_test_closed_port()));
    st_ev_id rd = REQ(st_ev_read(pool, dead, st_evtest_record, 2000, NULL));
    REQ(st_ev_write(pool, dead, st_evtest_record, 1000, NULL, "x", 1));
    assert_int_equal(st_ev_loop(pool, 10000), ST_EV_LOOP_NOEVENTS);
    assert_string_equal(st_evtest_find(r1)->data, "one");
    assert_string_equal(st_evtest_find(r2)->data, "two");
    assert_int_equal(st_evtest_find(rd)->status, ST_EV_ERROR);
    assert_int_equal(st_evtest_find(rd)->err, ECONNREFUSED);
    st_ev_pool_delete(pool);
    close(udp_peer);
}

/* ---- TLS with openssl s_server */

static char tmpdir[PATH_MAX];

static void make_cert(const char *name, const char *cn)
{
    char key[PATH_MAX + 16], crt[PATH_MAX + 16], subj[64];
    snprintf(key, sizeof key, "%s/%s.key", tmpdir, name);
    snprintf(crt, sizeof crt, "%s/%s.crt", tmpdir, name);
    snprintf(subj, sizeof subj, "/CN=%s", cn);
    char *argv[] = {
        "openssl", "req",   "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes",  "-days", "1",     "-subj",   subj, "-keyout",  key,
        "-out",    crt,     NULL};
    assert_int_equal(st_test_run(argv), 0);
}

struct tls_server {
    pid_t pid;
    int out;
    unsigned short port;
};

/* s_server answering one HTTP request per connection (-www); a client that
 * sends SNI "sni.test" gets the second certificate. */
static void tls_start(struct tls_server *s)
{
    s->port = st_test_closed_port();
    char accept_arg[32], crt[PATH_MAX + 16], key[PATH_MAX + 16], crt2[PATH_MAX + 16],
        key2[PATH_MAX + 16];
    snprintf(accept_arg, sizeof accept_arg, "127.0.0.1:%u", s->port);
    snprintf(crt, sizeof crt, "%s/main.crt", tmpdir);
    snprintf(key, sizeof key, "%s/main.key", tmpdir);
    snprintf(crt2, sizeof crt2, "%s/sni.crt", tmpdir);
    snprintf(key2, sizeof key2, "%s/sni.key", tmpdir);
    char *argv[] = {"openssl",     "s_server", "-accept", accept_arg, "-cert", crt,  "-key", key,
                    "-servername", "sni.test", "-cert2",  crt2,       "-key2", key2, "-www", NULL};
    s->pid = st_test_spawn(argv, &s->out);
    assert_true(s->pid > 0);
    assert_true(st_test_wait_line(s->out, "ACCEPT")); /* listening */
}

static void tls_stop(struct tls_server *s)
{
    st_test_stop(s->pid);
    close(s->out);
}

static char peer_cn[64];

static void tls_connected(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    st_evtest_record(pool, ev, userdata);
    if (st_ev_event_status(ev) != ST_EV_SUCCESS)
        return;
    st_ev_iod *iod = st_ev_event_iod(ev);
    SSL *ssl = st_ev_iod_ssl(iod);
    assert_non_null(ssl);
    X509 *cert = SSL_get1_peer_certificate(ssl);
    assert_non_null(cert);
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, peer_cn, sizeof peer_cn);
    X509_free(cert);
    REQ(st_ev_write(pool, iod, st_evtest_record, 2000, NULL, "GET / HTTP/1.0\r\n\r\n", -1));
    REQ(st_ev_read(pool, iod, read_all, 5000, NULL));
}

static void tls_fetch(const char *sni, const char *want_cn)
{
    st_evtest_reset();
    struct tls_server s;
    tls_start(&s);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    if (sni)
        assert_int_equal(st_ev_iod_set_hostname(iod, sni), 0);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    st_ev_id c =
        REQ(st_ev_connect_ssl(pool, iod, tls_connected, 5000, NULL, SA(sin), sizeof sin, s.port));
    assert_int_equal(st_ev_loop(pool, 20000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_find(c)->status, ST_EV_SUCCESS);
    assert_int_equal(st_evtest_find(c)->type, ST_EV_CONNECT_SSL);
    assert_string_equal(peer_cn, want_cn);
    /* the first read that succeeded holds the start of the HTTP answer */
    const struct evrec *first = NULL;
    for (size_t i = 0; i < st_evtest_log.n && !first; i++)
        if (st_evtest_log.rec[i].type == ST_EV_READ && st_evtest_log.rec[i].status == ST_EV_SUCCESS)
            first = &st_evtest_log.rec[i];
    assert_non_null(first);
    assert_memory_equal(first->data, "HTTP/1.0 200 ok", 15);
    assert_int_equal(st_evtest_log.rec[st_evtest_log.n - 1].status, ST_EV_EOF);
    st_ev_pool_delete(pool);
    tls_stop(&s);
}

static void test_tls(void **state)
{
    (void)state;
    tls_fetch(NULL, "scantrace-test");
}

static void test_tls_sni(void **state)
{
    (void)state;
    tls_fetch("sni.test", "sni.test");
}

static void test_tls_to_plain_server_fails(void **state)
{
    (void)state;
    static const char *const script[] = {"this is not TLS\r\n", NULL};
    st_evtest_reset();
    unsigned short port;
    int lfd = st_test_listen_tcp(4, &port);
    pid_t pid = serve(lfd, script, CLOSE_AT_END);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *iod = st_ev_iod_new(pool, NULL);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    st_ev_id c =
        REQ(st_ev_connect_ssl(pool, iod, st_evtest_record, 5000, NULL, SA(sin), sizeof sin, port));
    assert_int_equal(st_ev_loop(pool, 10000), ST_EV_LOOP_NOEVENTS);
    assert_int_equal(st_evtest_find(c)->status, ST_EV_ERROR);
    assert_null(st_ev_iod_ssl(iod));
    st_ev_pool_delete(pool);
    reap(pid);
    close(lfd);
}

/* ---- capture */

static void test_pcap_read(void **state)
{
    (void)state;
    st_evtest_reset();
    unsigned short port;
    int peer = st_test_bind_udp(&port);
    char filter[64], errbuf[PCAP_ERRBUF_SIZE];
    snprintf(filter, sizeof filter, "udp dst port %u", port);
    st_ev_pool *pool = st_ev_pool_new(NULL, NULL);
    st_ev_iod *cap = st_ev_iod_new(pool, NULL);
    int rc = st_ev_pcap_open(pool, cap, "lo", 256, false, filter, errbuf);
    if (rc < 0)
        fprintf(stderr, "pcap: %s\n", errbuf);
    assert_int_equal(rc, 0);
    assert_int_equal(st_ev_iod_state(cap), ST_EV_IOD_PCAP);
    st_ev_id r1 = REQ(st_ev_pcap_read(pool, cap, st_evtest_record, 5000, NULL));
    st_ev_id r2 = REQ(st_ev_pcap_read(pool, cap, st_evtest_record, 5000, NULL));
    st_ev_id r3 = REQ(st_ev_pcap_read(pool, cap, st_evtest_record, 100, NULL));
    /* two datagrams, sent before the loop runs: each read gets one */
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = st_test_addr("127.0.0.1", port);
    sendto(s, "frame-one", 9, 0, SA(to), sizeof to);
    sendto(s, "frame-two", 9, 0, SA(to), sizeof to);
    assert_int_equal(st_ev_loop(pool, 10000), ST_EV_LOOP_NOEVENTS);
    const struct evrec *a = st_evtest_find(r1), *b = st_evtest_find(r2);
    assert_int_equal(a->status, ST_EV_SUCCESS);
    assert_int_equal(b->status, ST_EV_SUCCESS);
    assert_int_equal(st_evtest_find(r3)->status, ST_EV_TIMEOUT); /* nothing else came */
    /* loopback frames: 14-byte null Ethernet header, IPv4, UDP, payload */
    assert_int_equal(a->len, 14 + 20 + 8 + 9);
    assert_memory_equal(a->data + 42, "frame-one", 9);
    assert_memory_equal(b->data + 42, "frame-two", 9);
    st_ev_pool_delete(pool);
    close(s);
    close(peer);
}

static int setup_tls(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/st-evtest-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    make_cert("main", "scantrace-test");
    make_cert("sni", "sni.test");
    return 0;
}

static int teardown_tls(void **state)
{
    (void)state;
    char *argv[] = {"rm", "-rf", tmpdir, NULL};
    return st_test_run(argv) == 0 ? 0 : -1;
}

ST_EVTEST_MAIN(setup_tls, teardown_tls, cmocka_unit_test(test_readlines_then_rest),
               cmocka_unit_test(test_readbytes), cmocka_unit_test(test_eof_without_data),
               cmocka_unit_test(test_timeout_with_partial_data),
               cmocka_unit_test(test_refused_and_silent_connects), cmocka_unit_test(test_udp),
               cmocka_unit_test(test_tls), cmocka_unit_test(test_tls_sni),
               cmocka_unit_test(test_tls_to_plain_server_fails), cmocka_unit_test(test_pcap_read))
