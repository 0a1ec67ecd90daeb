/*
 * run.json's "hosts" array, written by hand (no json-c per host): it must
 * parse back to what the table holds — names and reasons with quotes,
 * backslashes and control characters escaped, latencies exact to the
 * nanosecond, null where unknown — and the text prepared ahead during the
 * linger must be byte for byte what a direct write gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static const char *const odd_name = "a\"b\\c\x01 d\te.example";

static void fill(struct st_host_table *t)
{
    memset(t, 0, sizeof *t);
    struct st_host_verdict h = {.addr = 0xc6120302,
                                .up = true,
                                .decided = true,
                                .tries = 1,
                                .latency_ns = 1234567890LL,
                                .mode = "echo",
                                .reason = "echo-reply",
                                .name = strdup(odd_name)};
    st_hosts_add(t, &h);
    h = (struct st_host_verdict){.addr = 0xc6120303,
                                 .decided = true,
                                 .tries = 2,
                                 .latency_ns = -1,
                                 .mode = "echo \"q\"",
                                 .reason = "no-response"};
    st_hosts_add(t, &h);
    h = (struct st_host_verdict){
        .addr = 0xc6120304, .tries = 1, .latency_ns = 76812, .mode = "syn", .reason = "syn-ack"};
    st_hosts_add(t, &h); /* not decided: an interrupted scan */
}

/* Write run.json into a fresh directory and read it back (whole text too). */
static json_object *write_read(struct st_host_table *t, char **text)
{
    char dir[] = "/tmp/st-hosts-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    json_object *run = json_object_new_object();
    json_object_object_add(run, "subcommand", json_object_new_string("scan"));
    assert_int_equal(st_hosts_write_runjson(dfd, run, t), 0);
    json_object_put(run);
    char path[64];
    snprintf(path, sizeof path, "%s/run.json", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    *text = strdup(buf);
    unlink(path);
    close(dfd);
    rmdir(dir);
    json_object *doc = json_tokener_parse(buf);
    assert_non_null(doc);
    return doc;
}

static const char *field(json_object *o, const char *k)
{
    json_object *v;
    assert_true(json_object_object_get_ex(o, k, &v));
    return v ? json_object_get_string(v) : NULL;
}

static void test_round_trip(void **state)
{
    (void)state;
    struct st_host_table t;
    fill(&t);
    char *text;
    json_object *doc = write_read(&t, &text);
    assert_string_equal(field(doc, "subcommand"), "scan");
    json_object *hosts;
    assert_true(json_object_object_get_ex(doc, "hosts", &hosts));
    assert_int_equal(json_object_array_length(hosts), 3);

    json_object *h0 = json_object_array_get_idx(hosts, 0);
    assert_string_equal(field(h0, "host"), "198.18.3.2");
    assert_string_equal(field(h0, "name"), odd_name);
    assert_string_equal(field(h0, "verdict"), "up");
    assert_int_equal(json_object_get_int(json_object_object_get(h0, "tries")), 1);
    /* exactly the nanoseconds, as written */
    assert_non_null(strstr(text, "\"latency_s\": 1.234567890,"));

    json_object *h1 = json_object_array_get_idx(hosts, 1);
    assert_string_equal(field(h1, "mode"), "echo \"q\"");
    assert_string_equal(field(h1, "verdict"), "down");
    assert_null(json_object_object_get(h1, "latency_s"));
    assert_null(json_object_object_get(h1, "name"));
    assert_int_equal(json_object_get_int(json_object_object_get(h1, "tries")), 2);

    json_object *h2 = json_object_array_get_idx(hosts, 2);
    assert_string_equal(field(h2, "reason"), "interrupted");
    assert_non_null(strstr(text, "\"latency_s\": 0.000076812,"));
    json_object_put(doc);
    free(text);
    st_hosts_free(&t);
}

static void test_prepared_is_the_same(void **state)
{
    (void)state;
    struct st_host_table t;
    fill(&t);
    char *direct, *prepared;
    json_object_put(write_read(&t, &direct));
    st_hosts_prepare_json(&t);
    assert_non_null(t.json);
    json_object_put(write_read(&t, &prepared));
    assert_string_equal(direct, prepared);
    /* a verdict added afterwards is not lost to the prepared text */
    struct st_host_verdict h = {.addr = 0xc6120305,
                                .decided = true,
                                .latency_ns = -1,
                                .mode = "echo",
                                .reason = "no-response"};
    st_hosts_add(&t, &h);
    assert_null(t.json);
    char *later;
    json_object *doc = write_read(&t, &later);
    json_object *hosts = json_object_object_get(doc, "hosts");
    assert_int_equal(json_object_array_length(hosts), 4);
    json_object_put(doc);
    free(direct);
    free(prepared);
    free(later);
    st_hosts_free(&t);
}

static void test_empty_table(void **state)
{
    (void)state;
    struct st_host_table t;
    memset(&t, 0, sizeof t);
    char *text;
    json_object *doc = write_read(&t, &text);
    assert_int_equal(json_object_array_length(json_object_object_get(doc, "hosts")), 0);
    json_object_put(doc);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_prepared_is_the_same),
        cmocka_unit_test(test_empty_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
