/*
 * run.json read in two parts (runjson_read.h) against json-c reading it whole:
 * a table of texts, each with what the split read must give (split or left
 * to json-c, the hosts counted, the reason and its line when it is not
 * JSON). Where json-c reads a text whole, the two must agree: the same
 * members and the same hosts, element by element.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "rows.h"

struct row {
    const char *name;
    const char *text;
    int parse_rc;    /* st_run_json_parse */
    bool split;      /* read in two parts, not left to json-c whole */
    size_t nhosts;   /* elements of the hosts array */
    const char *why; /* a part of the reason (parse or each_host), or NULL */
    int verdicts;    /* verdicts st_run_read takes, -1 when it refuses */
};

static const struct row rows[] = {
    {"scan's shape",
     "{\"status\":\"done\",\"hosts\":[{\"host\":\"198.18.0.1\",\"mode\":\"-PE\","
     "\"verdict\":\"up\",\"latency_s\":0.0001},{\"host\":\"198.18.0.2\",\"verdict\":\"down\","
     "\"name\":null,\"tries\":2}],\"capture\":{\"dropped\":0}}\n",
     0, true, 2, NULL, 2},
    {"white space everywhere",
     " \n{ \"hosts\" :\t[ {\"host\":\"198.18.0.1\",\"verdict\":\"up\"} ,"
     "\r\n {\"host\":\"198.18.0.2\",\"verdict\":\"up\"} ] , \"a\" : [ ] } \n\n",
     0, true, 2, NULL, 2},
    {"no hosts", "{\"hosts\":[]}", 0, true, 0, NULL, 0},
    {"no hosts member", "{\"a\":1}", 0, false, 0, NULL, 0},
    {"hosts not an array", "{\"hosts\":5}", 0, false, 0, NULL, 0},
    {"not an object", "[1,2]", 0, false, 0, NULL, 0},
    {"repeated: the last kept", "{\"hosts\":[{\"host\":\"198.18.0.1\"}],\"hosts\":[]}", 0, true, 0,
     NULL, 0},
    {"repeated: the last kept, a full one",
     "{\"hosts\":[],\"hosts\":[{\"host\":\"198.18.0.1\",\"verdict\":\"up\"}]}", 0, true, 1, NULL,
     1},
    {"repeated: the last not an array", "{\"hosts\":[{\"host\":\"198.18.0.1\"}],\"hosts\":null}", 0,
     false, 0, NULL, 0},
    {"brackets and quotes in strings",
     "{\"hosts\":[{\"name\":\"a]\\\"}{[,\",\"host\":\"198.18.0.1\",\"verdict\":\"up\"}],\"x\":\"]"
     "\"}",
     0, true, 1, NULL, 1},
    {"nested values in a host",
     "{\"hosts\":[{\"host\":\"198.18.0.1\",\"verdict\":\"up\",\"x\":{\"y\":[[],{}]}}]}", 0, true, 1,
     NULL, 1},
    {"a comment: json-c's, read whole",
     "{\"hosts\":[/* ] */ {\"host\":\"198.18.0.1\",\"verdict\":\"up\"}]}", 0, false, 1, NULL, 1},
    {"an escaped key: read whole",
     "{\"host\\u0073\":[{\"host\":\"198.18.0.1\",\"verdict\":\"up\"}]}", 0, false, 1, NULL, 1},
    {"scalars for hosts", "{\"hosts\":[1, true, null, \"x\", -2.5e3]}", 0, true, 5, NULL, -1},
    {"a host that is not JSON, on line 3",
     "{\"hosts\":[\n{\"host\":\"198.18.0.1\",\"verdict\":\"up\"},\n{\"host\":}]}", 0, true, 2,
     "line 3:", -1},
    {"a bad member after the hosts, on line 5", "{\"hosts\":[\n1,\n2\n],\n\"a\":[}}", -1, true, 2,
     "line 5:", -1},
    {"a bad member without hosts, on line 2", "{\"status\":\"done\",\n\"x\":tru}", -1, false, 0,
     "line 2:", -1},
    {"cut short", "{\"hosts\":[{\"host\":\"198.18.0.1\"", -1, false, 0, "line 1:", -1},
    {"empty", "", -1, false, 0, "empty file", -1},
    {"only white space", " \n\t", -1, false, 0, "empty file", -1},
    {"text after the document", "{\"hosts\":[]} {}", -1, true, 0, "line 1:", -1},
    {"a number for the document", "42", 0, false, 0, NULL, 0},
};

/* Each host as JSON text, joined: what each_host gave. */
struct texts {
    char buf[4096];
};

static int add_text(json_object *h, size_t i, void *arg)
{
    struct texts *t = arg;
    size_t n = strlen(t->buf);
    snprintf(t->buf + n, sizeof t->buf - n, "%s%s", i ? "|" : "",
             h ? json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN) : "null");
    return 0;
}

/* json-c's whole reading of the text, with its hosts as add_text joins them
 * and its other members as text; false when json-c refuses it. */
static bool whole(const char *text, struct texts *hosts, char *rest, size_t restsz)
{
    json_object *doc = json_tokener_parse(text), *a;
    if (!doc && strcmp(text, "null"))
        return false;
    hosts->buf[0] = '\0';
    if (json_object_is_type(doc, json_type_object) && json_object_object_get_ex(doc, "hosts", &a)) {
        for (size_t i = 0;
             json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++)
            add_text(json_object_array_get_idx(a, i), i, hosts);
        json_object_object_del(doc, "hosts");
    }
    snprintf(rest, restsz, "%s", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
    return true;
}

static void agree_with_whole(const struct row *w, struct st_run_json *r)
{
    struct texts split = {""}, all;
    char rest[4096], split_rest[4096];
    st_run_json_each_host(r, add_text, &split);
    if (!whole(w->text, &all, rest, sizeof rest))
        return;
    if (strcmp(split.buf, all.buf))
        st_row_fail("%s: hosts %s, json-c whole %s", w->name, split.buf, all.buf);
    json_object *doc = json_object_get(r->doc);
    if (json_object_is_type(doc, json_type_object))
        json_object_object_del(doc, "hosts");
    snprintf(split_rest, sizeof split_rest, "%s",
             json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
    if (strcmp(split_rest, rest))
        st_row_fail("%s: members %s, json-c whole %s", w->name, split_rest, rest);
}

static void check_row(const struct row *w)
{
    struct st_run_json r;
    int rc = st_run_json_parse(&r, w->text, strlen(w->text));
    if (rc != w->parse_rc || r.split != w->split)
        st_row_fail("%s: parse %d split %d, want %d %d (%s)", w->name, rc, r.split, w->parse_rc,
                    w->split, r.why);
    if (rc) {
        if (w->why && !strstr(r.why, w->why))
            st_row_fail("%s: reason '%s', want '%s'", w->name, r.why, w->why);
        return;
    }
    if (st_run_json_nhosts(&r) != w->nhosts)
        st_row_fail("%s: %zu hosts, want %zu", w->name, st_run_json_nhosts(&r), w->nhosts);
    struct st_comparison c;
    struct st_trace t;
    char why[256] = "";
    memset(&c, 0, sizeof c);
    memset(&t, 0, sizeof t);
    int got = st_run_read(&r, &c, &t, why, sizeof why) ? -1 : (int)t.nhosts;
    if (got != w->verdicts)
        st_row_fail("%s: %d verdicts, want %d (%s)", w->name, got, w->verdicts, why);
    if (w->why && !strstr(why, w->why))
        st_row_fail("%s: reason '%s', want '%s'", w->name, why, w->why);
    if (!w->why)
        agree_with_whole(w, &r);
    st_trace_free(&t);
    st_run_json_free(&r);
}

static void test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_row(&rows[i]);
    st_rows_done();
}

/* Any member split off (diff reads report.json without its "packets"):
 * the others whole, that one empty, "hosts" deeper down untouched. */
static void test_other_key(void **state)
{
    (void)state;
    static const char text[] = "{\"a\":1,\"packets\":[{\"x\":\"]\"},\n2],\n"
                               "\"modes\":[{\"hosts\":[1]}],\"hosts\":[5]}";
    struct st_run_json r;
    assert_int_equal(st_json_split_parse(&r, text, strlen(text), "packets"), 0);
    assert_true(r.split);
    assert_int_equal(st_run_json_nhosts(&r), 2);
    assert_string_equal(json_object_to_json_string_ext(r.doc, JSON_C_TO_STRING_PLAIN),
                        "{\"a\":1,\"packets\":[],\"modes\":[{\"hosts\":[1]}],\"hosts\":[5]}");
    st_run_json_free(&r);
    /* an error past the emptied array: its line in the whole text */
    static const char bad[] = "{\"packets\":[1,\n2,\n3],\n\"modes\":[}}";
    assert_int_equal(st_json_split_parse(&r, bad, strlen(bad), "packets"), -1);
    assert_non_null(strstr(r.why, "line 4:"));
}

static int part_bounds(size_t from, size_t to, size_t i, void *ctx)
{
    size_t(*b)[2] = ctx;
    b[i][0] = from;
    b[i][1] = to;
    return 0;
}

static int sum_host(json_object *h, size_t i, void *ctx)
{
    (void)i;
    *(int *)ctx += json_object_get_int(h);
    return 0;
}

/* A report.json as diff reads it: "packets" left out, "modes" split off in
 * the same walk (either order), each mode a part read with its "hosts"
 * split off in turn; a reason's line is the whole text's. */
static void test_parts(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{\"a\":1,\"packets\":[{\"x\":\"]\\\"\"},\n2],\n\"modes\":[{\"mode\":\"-PE\",\"hosts\":"
        "[1,\n2]},\n{\"hosts\":[3],\"mode\":\"-PS\"}],\"z\":[]}",
        "{\"modes\":[{\"mode\":\"-PE\",\"hosts\":[1,2]},{\"hosts\":[3],\"mode\":\"-PS\"}],"
        "\"packets\":[1,2,3],\"a\":1,\"z\":[]}",
    };
    for (size_t t = 0; t < 2; t++) {
        const char *text = texts[t];
        struct st_run_json top, m;
        assert_int_equal(
            st_json_split_parse_part(&top, text, 0, strlen(text), "modes", "packets", false), 0);
        assert_true(top.split);
        assert_int_equal(st_run_json_nhosts(&top), 2);
        const char *doc = json_object_to_json_string_ext(top.doc, JSON_C_TO_STRING_PLAIN);
        assert_non_null(strstr(doc, "\"packets\":[]"));
        assert_non_null(strstr(doc, "\"modes\":[]"));
        assert_non_null(strstr(doc, "\"a\":1"));
        size_t b[2][2];
        assert_int_equal(st_json_each_part(&top, part_bounds, b), 0);
        int sum = 0;
        for (size_t i = 0; i < 2; i++) {
            assert_int_equal(
                st_json_split_parse_part(&m, text, b[i][0], b[i][1], "hosts", NULL, false), 0);
            assert_string_equal(json_object_get_string(json_object_object_get(m.doc, "mode")),
                                i ? "-PS" : "-PE");
            assert_int_equal(st_run_json_nhosts(&m), i ? 1 : 2);
            assert_int_equal(st_run_json_each_host(&m, sum_host, &sum), 0);
            st_run_json_free(&m);
        }
        assert_int_equal(sum, 6);
        st_run_json_free(&top);
    }
    /* a host that is not JSON, on line 4 of the whole text */
    static const char bad[] = "{\"packets\":[1,\n2],\n\"modes\":[{\"hosts\":[1,\n{\"h\":tru}]}]}";
    struct st_run_json top, m;
    assert_int_equal(st_json_split_parse_part(&top, bad, 0, strlen(bad), "modes", "packets", false),
                     0);
    size_t b[1][2];
    assert_int_equal(st_json_each_part(&top, part_bounds, b), 0);
    assert_int_equal(st_json_split_parse_part(&m, bad, b[0][0], b[0][1], "hosts", NULL, false), 0);
    int sum = 0;
    assert_int_equal(st_run_json_each_host(&m, sum_host, &sum), -1);
    assert_non_null(strstr(m.why, "line 4:"));
    st_run_json_free(&m);
    st_run_json_free(&top);
    /* the same error in the top level, past both emptied arrays: its line there */
    static const char bad2[] = "{\"packets\":[1,\n2],\n\"modes\":[1,\n2],\n\"x\":tru}";
    assert_int_equal(
        st_json_split_parse_part(&top, bad2, 0, strlen(bad2), "modes", "packets", false), -1);
    assert_non_null(strstr(top.why, "line 5:"));
}

/* The resident kilobytes of the mapping at addr (/proc/self/smaps), or -1. */
static long mapping_rss_kb(const void *addr)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    long kb = -1;
    bool in = false;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
        else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
            break;
    }
    if (f)
        fclose(f);
    return kb;
}

struct seen {
    size_t n;
    bool in_order;
};

static int count_host(json_object *h, size_t i, void *ctx)
{
    struct seen *s = ctx;
    char want[32];
    snprintf(want, sizeof want, "10.%zu.%zu.%zu", i >> 16 & 255, i >> 8 & 255, i & 255);
    json_object *a;
    s->in_order &= json_object_object_get_ex(h, "host", &a) &&
                   !strcmp(json_object_get_string(a), want) && s->n == i;
    s->n++;
    return 0;
}

/* A run.json of about 58 MB read mapped: every host, in order, and the mapping's
 * pages given back behind the walks (a sharded /8's is gigabytes). */
static void test_mapped(void **state)
{
    (void)state;
    char path[] = "/tmp/test_run_json_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    const size_t n = 400000;
    fputs("{\"status\": \"done\", \"hosts\": [\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f,
                "    { \"host\": \"10.%zu.%zu.%zu\", \"mode\": \"-PE\", \"verdict\": \"up\", "
                "\"reason\": \"echo-reply\", \"latency_s\": 0.000117313, \"name\": null, "
                "\"tries\": 1 }%s\n",
                i >> 16 & 255, i >> 8 & 255, i & 255, i + 1 < n ? "," : "");
    fputs("  ], \"end\": 1\n}\n", f);
    fclose(f);
    const char *text;
    size_t len;
    char why[128];
    assert_true(st_json_map(path, &text, &len, why, sizeof why));
    unlink(path);
    assert_true(len > (size_t)48 << 20); /* three times the window given back at once */
    struct st_run_json r;
    assert_int_equal(st_run_json_parse_mapped(&r, text, len), 0);
    assert_true(r.split);
    assert_int_equal(st_run_json_nhosts(&r), n);
    long after_parse = mapping_rss_kb(text);
    struct seen s = {0, true};
    assert_int_equal(st_run_json_each_host(&r, count_host, &s), 0);
    assert_int_equal(s.n, n);
    assert_true(s.in_order);
    long after_walk = mapping_rss_kb(text);
    print_message("mapping resident: %ld kB after the parse, %ld kB after the walk (of %zu kB)\n",
                  after_parse, after_walk, len >> 10);
    assert_true(after_parse >= 0 && after_parse < 4096);
    assert_true(after_walk >= 0 && after_walk < 4096);
    json_object *end;
    assert_true(json_object_object_get_ex(r.doc, "end", &end));
    st_run_json_free(&r);
    st_json_unmap(text, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows),
                                       cmocka_unit_test(test_other_key),
                                       cmocka_unit_test(test_parts), cmocka_unit_test(test_mapped)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
