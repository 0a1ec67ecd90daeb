/*
 * The connect ping's API (probes/scan/connect_ping.c) without the lab: in a
 * private network namespace, 127.0.0.1 (a listener and a closed port) is up
 * and 198.18.200.2 (where everything vanishes, see testnet.h) is down after
 * two tries, the second with the ports in reverse order; the CONN lines have
 * nmap's layout. Shortened timeouts: the shape is tested, not the times.
 * Runs on the back end named by argv[2].
 */
#include <arpa/inet.h>
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

#include "scan.h"
#include "evtest.h"
#include "testnet.h"

/* The lines of TEXT for HOST, times cut off ("TCP localhost > ..."). */
static void host_lines(const char *text, const char *host, char *out, size_t size)
{
    char key[64];
    snprintf(key, sizeof key, "> %s:", host);
    out[0] = '\0';
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *tcp = strstr(line, "s) TCP ");
        if (tcp && tcp < line + len && strstr(line, key) && strstr(line, key) < line + len) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%.*s\n", (int)(line + len - tcp - 3), tcp + 3);
        }
        line += len + (end ? 1 : 0);
    }
}

static void test_up_and_down(void **state)
{
    (void)state;
    unsigned short open_port;
    int lfd = st_test_listen_tcp(8, &open_port);
    unsigned short closed = st_test_closed_port();
    unsigned short ports[] = {closed, open_port};
    char *text = NULL;
    size_t size = 0;
    FILE *trace = open_memstream(&text, &size);
    struct st_cping_opts o = {
        .ports = ports, .nports = 2, .initial_rtt_ms = 200, .retry_delay_ms = 50, .trace = trace};
    struct st_cping_host hosts[2];
    memset(hosts, 0, sizeof hosts);
    inet_pton(AF_INET, "127.0.0.1", &hosts[0].addr);
    inet_pton(AF_INET, "198.18.200.2", &hosts[1].addr);
    int before = st_test_count_fds();
    assert_int_equal(st_connect_ping(hosts, 2, &o), 0);
    assert_int_equal(st_test_count_fds(), before);
    fclose(trace);

    assert_true(hosts[0].up);
    assert_string_equal(hosts[0].reason, hosts[0].port == closed ? "conn-refused" : "syn-ack");
    assert_int_equal(hosts[0].tries, 1);
    assert_false(hosts[1].up);
    assert_string_equal(hosts[1].reason, "no-response");
    assert_int_equal(hosts[1].tries, 2);

    char got[1024], want[1024];
    host_lines(text, "198.18.200.2", got, sizeof got);
    snprintf(want, sizeof want,
             "TCP localhost > 198.18.200.2:%u => Operation now in progress\n"
             "TCP localhost > 198.18.200.2:%u => Operation now in progress\n"
             "TCP localhost > 198.18.200.2:%u => Operation now in progress\n"
             "TCP localhost > 198.18.200.2:%u => Operation now in progress\n",
             closed, open_port, open_port, closed);
    assert_string_equal(got, want);
    host_lines(text, "127.0.0.1", got, sizeof got);
    char refused[128], connected[128];
    snprintf(refused, sizeof refused, "TCP localhost > 127.0.0.1:%u => Connection refused\n",
             closed);
    snprintf(connected, sizeof connected, "TCP localhost > 127.0.0.1:%u => Connected\n", open_port);
    assert_true(strstr(got, refused) || strstr(got, connected));

    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^CONN \\([0-9]+\\.[0-9]{4}s\\) TCP localhost > [0-9.]+:[0-9]+ => "
                             "[A-Z][a-z ]+$",
                             REG_EXTENDED | REG_NEWLINE),
                     0);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
    regfree(&re);
    free(text);
    close(lfd);
}

static void test_nothing_to_do(void **state)
{
    (void)state;
    assert_int_equal(st_connect_ping(NULL, 0, NULL), 0);
}

ST_EVTEST_MAIN(NULL, NULL, cmocka_unit_test(test_up_and_down), cmocka_unit_test(test_nothing_to_do))
