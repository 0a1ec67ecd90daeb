/*
 * The reverse DNS resolver (probes/dns/rdns.c) against a real dnsmasq on
 * loopback in a private network namespace, on the back end named by argv[2]:
 * names come back, a name without a record is told apart, and a silent
 * server (a UDP socket of the test that counts what it gets and never
 * answers) sees exactly one datagram per try before the query times out.
 * The read timeouts are shortened: the number of tries is what is tested.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "evtest.h"
#include "dns.h"
#include "testnet.h"

static pid_t dnsmasq = -1;
static unsigned short dns_port;
static const int short_timeouts[] = {100, 100, 150};

/* Is a UDP socket bound to PORT in this namespace? */
static bool udp_bound(unsigned short port)
{
    FILE *f = fopen("/proc/net/udp", "r");
    if (!f)
        return false;
    char line[512], want[16];
    snprintf(want, sizeof want, ":%04X ", port);
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, want) && strstr(line, want) < line + 30;
    fclose(f);
    return found;
}

static int start_dnsmasq(void **state)
{
    (void)state;
    dns_port = st_test_closed_port();
    char port[16];
    snprintf(port, sizeof port, "--port=%u", dns_port);
    char *argv[] = {"dnsmasq",
                    "--keep-in-foreground",
                    "--conf-file=/dev/null",
                    "--no-resolv",
                    "--no-hosts",
                    "--bind-interfaces",
                    "--listen-address=127.0.0.1",
                    port,
                    "--pid-file=",
                    "--user=nobody",
                    "--group=nogroup",
                    "--local=/18.198.in-addr.arpa/", /* NXDOMAIN for the rest */
                    "--ptr-record=2.1.18.198.in-addr.arpa,h1.lab",
                    "--ptr-record=2.3.18.198.in-addr.arpa,r1.lab",
                    "--ptr-record=4.3.18.198.in-addr.arpa,a-rather-long-name.of.r3.lab",
                    NULL};
    dnsmasq = st_test_spawn(argv, NULL);
    if (dnsmasq < 0)
        return -1;
    for (int i = 0; i < 500 && !udp_bound(dns_port); i++)
        usleep(10000);
    return udp_bound(dns_port) ? 0 : -1;
}

static int stop_dnsmasq(void **state)
{
    (void)state;
    st_test_stop(dnsmasq);
    return 0;
}

static void test_names(void **state)
{
    (void)state;
    struct sockaddr_in server = st_test_addr("127.0.0.1", dns_port);
    struct st_rdns_opts o = {.servers = &server, .nservers = 1};
    struct st_rdns_query q[4];
    memset(q, 0, sizeof q);
    inet_pton(AF_INET, "198.18.1.2", &q[0].addr);
    inet_pton(AF_INET, "198.18.3.2", &q[1].addr);
    inet_pton(AF_INET, "198.18.3.4", &q[2].addr);
    inet_pton(AF_INET, "198.18.3.9", &q[3].addr);
    assert_int_equal(st_rdns_resolve(q, 4, &o), 0);
    assert_int_equal(q[0].status, ST_RDNS_OK);
    assert_string_equal(q[0].name, "h1.lab");
    assert_string_equal(q[1].name, "r1.lab");
    assert_string_equal(q[2].name, "a-rather-long-name.of.r3.lab");
    assert_int_equal(q[3].status, ST_RDNS_NXDOMAIN);
    assert_int_equal(q[3].rcode, ST_DNS_RCODE_NXDOMAIN);
    assert_string_equal(q[3].name, "");
    for (int i = 0; i < 4; i++)
        assert_int_equal(q[i].tries, 1);
}

/* Datagrams waiting on a silent server's socket. */
static int drain(int fd)
{
    int n = 0;
    char buf[600];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        n++;
    return n;
}

static void test_silent_server_retries(void **state)
{
    (void)state;
    unsigned short port;
    int silent = st_test_bind_udp(&port);
    struct sockaddr_in server = st_test_addr("127.0.0.1", port);
    struct st_rdns_opts o = {
        .servers = &server, .nservers = 1, .timeouts_ms = short_timeouts, .ntimeouts = 3};
    struct st_rdns_query q[5];
    memset(q, 0, sizeof q);
    for (int i = 0; i < 5; i++)
        q[i].addr.s_addr = htonl(0xC6120300u + (unsigned)i + 1); /* 198.18.3.1.. */
    assert_int_equal(st_rdns_resolve(q, 5, &o), 0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(q[i].status, ST_RDNS_TIMEOUT);
        assert_int_equal(q[i].tries, 3);
    }
    assert_int_equal(drain(silent), 5 * 3);
    close(silent);
}

/* One silent server and dnsmasq: what goes to the silent one first is
 * retried on dnsmasq and answered. */
static void test_two_servers(void **state)
{
    (void)state;
    unsigned short port;
    int silent = st_test_bind_udp(&port);
    struct sockaddr_in servers[2] = {st_test_addr("127.0.0.1", port),
                                     st_test_addr("127.0.0.1", dns_port)};
    struct st_rdns_opts o = {
        .servers = servers, .nservers = 2, .timeouts_ms = short_timeouts, .ntimeouts = 2};
    struct st_rdns_query q[2];
    memset(q, 0, sizeof q);
    inet_pton(AF_INET, "198.18.1.2", &q[0].addr); /* first try: the silent server */
    inet_pton(AF_INET, "198.18.3.2", &q[1].addr); /* first try: dnsmasq */
    assert_int_equal(st_rdns_resolve(q, 2, &o), 0);
    assert_int_equal(q[0].status, ST_RDNS_OK);
    assert_string_equal(q[0].name, "h1.lab");
    assert_int_equal(q[0].tries, 2);
    assert_string_equal(q[1].name, "r1.lab");
    assert_int_equal(q[1].tries, 1);
    assert_int_equal(drain(silent), 1);
    close(silent);
}

/* A server whose port is closed: the ICMP errors end reads, not the resolver. */
static void test_refusing_server(void **state)
{
    (void)state;
    struct sockaddr_in server = st_test_addr("127.0.0.1", st_test_closed_port());
    struct st_rdns_opts o = {
        .servers = &server, .nservers = 1, .timeouts_ms = short_timeouts, .ntimeouts = 2};
    struct st_rdns_query q;
    memset(&q, 0, sizeof q);
    inet_pton(AF_INET, "198.18.1.2", &q.addr);
    assert_int_equal(st_rdns_resolve(&q, 1, &o), 0);
    assert_int_equal(q.status, ST_RDNS_TIMEOUT);
    assert_int_equal(q.tries, 2);
}

int main(int argc, char **argv)
{
    st_evtest_start(argc, argv);
    char *probe[] = {"dnsmasq", "--version", NULL};
    if (st_test_run(probe) != 0) {
        printf("1..0 # SKIP dnsmasq missing (run scripts/deps)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_silent_server_retries),
        cmocka_unit_test(test_two_servers),
        cmocka_unit_test(test_refusing_server),
    };
    return cmocka_run_group_tests_name(st_evtest_engine, tests, start_dnsmasq, stop_dnsmasq);
}
