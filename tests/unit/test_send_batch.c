/*
 * The send batch (send_batch.h) on UDP sockets over loopback: each queued
 * probe reaches its own destination in order, every one is reported once
 * and in order, and a message the kernel refuses (a UDP datagram to port 0)
 * is reported with its errno while the batch's later messages still go.
 * The probes are IP datagrams carried as UDP payload: what the kernel does
 * with them is not the point, the batch's bookkeeping is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "packet.h"
#include "scan.h"

struct reports {
    uint16_t id[ST_BATCH_MAX * 2];
    int err[ST_BATCH_MAX * 2];
    size_t n;
};

static void done(void *ud, const struct st_batch_msg *m, int err)
{
    struct reports *r = ud;
    const struct st_pkt *p = &m->pkt;
    r->id[r->n] = p->net == ST_NET_IPV6 ? (uint16_t)p->ip6.flow : p->ip.id;
    r->err[r->n++] = err;
}

/* A UDP socket bound to a free loopback port of the family; its port. */
static int receiver(int family, uint16_t *port)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    assert_true(fd >= 0);
    struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
    socklen_t sl = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_loopback;
    assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* A receiver, a sender of the same family and a batch on the sender. */
struct rig {
    int rx, tx;
    uint16_t port;
    struct st_batch b;
    struct reports r;
};

static struct rig *rig_open(int family)
{
    static struct rig g;
    memset(&g, 0, sizeof g);
    g.rx = receiver(family, &g.port);
    g.tx = socket(family, SOCK_DGRAM, 0);
    assert_true(g.tx >= 0);
    st_batch_init(&g.b, g.tx, family == AF_INET6);
    return &g;
}

static void rig_close(struct rig *g)
{
    close(g->tx);
    close(g->rx);
}

/* Queue an ICMP echo request with IP id `id` to 127.0.0.1, aimed at port. */
static void add4(struct st_batch *b, uint16_t id, uint16_t port)
{
    uint8_t *buf = st_batch_slot(b);
    memset(buf, 0, 28);
    st_ipv4_write(buf, 28, id, 64, 1, INADDR_LOOPBACK, INADDR_LOOPBACK);
    buf[20] = 8;
    const struct st_pkt *p = st_batch_add(b, 28, INADDR_LOOPBACK);
    assert_int_equal(p->ip.id, id);
    b->msg[b->n - 1].to.v4.sin_port = htons(port); /* UDP needs a port */
}

/* The ids of the datagrams waiting on fd, in arrival order. */
static size_t received(int fd, uint16_t *ids, size_t max, size_t id_at)
{
    uint8_t buf[128];
    size_t n = 0;
    ssize_t len;
    while (n < max && (len = recv(fd, buf, sizeof buf, 0)) > 0)
        ids[n++] = (uint16_t)(buf[id_at] << 8 | buf[id_at + 1]);
    return n;
}

static void test_every_probe_goes_in_order(void **state)
{
    (void)state;
    struct rig *g = rig_open(AF_INET);
    for (uint16_t i = 0; i < ST_BATCH_MAX; i++)
        add4(&g->b, (uint16_t)(1000 + i), g->port);
    assert_true(st_batch_full(&g->b));
    st_batch_flush(&g->b, done, &g->r);
    assert_int_equal(g->b.n, 0);
    assert_int_equal(g->r.n, ST_BATCH_MAX);
    uint16_t ids[ST_BATCH_MAX * 2];
    assert_int_equal(received(g->rx, ids, ST_BATCH_MAX * 2, 4), ST_BATCH_MAX);
    for (size_t i = 0; i < ST_BATCH_MAX; i++) {
        assert_int_equal(g->r.id[i], 1000 + i);
        assert_int_equal(g->r.err[i], 0);
        assert_int_equal(ids[i], 1000 + i);
    }
    rig_close(g);
}

/* Refused messages first, in the middle and last: each reported with the
 * kernel's errno, the others sent and reported as sent, all in order. */
static void test_a_refused_probe_does_not_stop_the_batch(void **state)
{
    (void)state;
    struct rig *g = rig_open(AF_INET);
    bool refused[10] = {[0] = true, [4] = true, [5] = true, [9] = true};
    for (uint16_t i = 0; i < 10; i++)
        add4(&g->b, (uint16_t)(2000 + i), refused[i] ? 0 : g->port);
    st_batch_flush(&g->b, done, &g->r);
    assert_int_equal(g->r.n, 10);
    uint16_t ids[16];
    size_t got = received(g->rx, ids, 16, 4), k = 0;
    assert_int_equal(got, 6);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(g->r.id[i], 2000 + i);
        if (refused[i]) {
            assert_int_not_equal(g->r.err[i], 0);
            continue;
        }
        assert_int_equal(g->r.err[i], 0);
        assert_int_equal(ids[k++], 2000 + i);
    }
    /* the batch is empty and usable again */
    add4(&g->b, 3000, g->port);
    st_batch_flush(&g->b, done, &g->r);
    assert_int_equal(g->r.n, 11);
    assert_int_equal(g->r.err[10], 0);
    assert_int_equal(received(g->rx, ids, 16, 4), 1);
    assert_int_equal(ids[0], 3000);
    rig_close(g);
}

/* IPv6: the destination is the probe's own header's. */
static void test_ipv6_destination_from_the_header(void **state)
{
    (void)state;
    struct rig *g = rig_open(AF_INET6);
    for (uint32_t i = 0; i < 3; i++) {
        uint8_t *buf = st_batch_slot(&g->b);
        memset(buf, 0, 48);
        st_ipv6_write(buf, 8, 500 + i, 64, 58, in6addr_loopback.s6_addr, in6addr_loopback.s6_addr);
        buf[40] = 128; /* echo request */
        st_batch_add(&g->b, 48, 0);
        assert_memory_equal(g->b.msg[i].to.v6.sin6_addr.s6_addr, in6addr_loopback.s6_addr, 16);
        g->b.msg[i].to.v6.sin6_port = htons(g->port);
    }
    st_batch_flush(&g->b, done, &g->r);
    assert_int_equal(g->r.n, 3);
    uint16_t ids[4];
    /* the flow label's low 16 bits: bytes 2 and 3 of the header */
    assert_int_equal(received(g->rx, ids, 4, 2), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g->r.err[i], 0);
        assert_int_equal(g->r.id[i], 500 + i);
        assert_int_equal(ids[i], 500 + i);
    }
    rig_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_probe_goes_in_order),
        cmocka_unit_test(test_a_refused_probe_does_not_stop_the_batch),
        cmocka_unit_test(test_ipv6_destination_from_the_header)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
