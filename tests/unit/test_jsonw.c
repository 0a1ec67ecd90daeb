/*
 * The streaming JSON writer against json-c: the same documents built with
 * both must read the same byte for byte (report.json's golden files and
 * every reader of run.json rely on json-c's layout), in both layouts, for
 * every byte in a string, doubles of every shape, empty and nested
 * containers.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "testdata.h"
#include "util.h"

/* One document, built through a tiny script so both writers see the same
 * steps: 'o'/'a' open (object member keys come from the key list), 'e'
 * end, 's' string, 'i' int, 'd' double, 'n' null, 'b' bool. */
struct doc {
    const char *script;
    const char *strings[8];
    double doubles[8];
};

static const char *const keys[] = {
    "k0", "status", "a/b", "with \"quote\"", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"};

static char *with_jw(const struct doc *d, bool spaced)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct st_jw w;
    st_jw_init(&w, f, spaced);
    char kind[ST_JW_MAX_DEPTH + 1] = {0};
    int depth = 0, nk = 0, ns = 0, nd = 0;
    for (const char *c = d->script; *c; c++) {
        const char *key = depth > 0 && kind[depth] == 'o' ? keys[nk++ % 12] : NULL;
        switch (*c) {
        case 'o':
        case 'a':
            (*c == 'o' ? st_jw_object : st_jw_array)(&w, key);
            kind[++depth] = *c;
            break;
        case 'e':
            st_jw_end(&w, kind[depth--] == 'o' ? '}' : ']');
            break;
        case 's':
            st_jw_string(&w, key, d->strings[ns++]);
            break;
        case 'i':
            st_jw_int(&w, key, -1234567890123LL * nk);
            break;
        case 'd':
            st_jw_double(&w, key, d->doubles[nd++]);
            break;
        case 'n':
            st_jw_null(&w, key);
            break;
        case 'b':
            st_jw_bool(&w, key, nk % 2);
            break;
        }
    }
    fclose(f);
    return buf;
}

static void add(json_object *parent, const char *key, json_object *v)
{
    if (key)
        json_object_object_add(parent, key, v);
    else
        json_object_array_add(parent, v);
}

static char *with_jsonc(const struct doc *d, bool spaced)
{
    json_object *stack[ST_JW_MAX_DEPTH + 1] = {0}, *root = NULL;
    int depth = 0, nk = 0, ns = 0, nd = 0;
    for (const char *c = d->script; *c; c++) {
        json_object *top = depth ? stack[depth] : NULL;
        const char *key =
            top && json_object_is_type(top, json_type_object) ? keys[nk++ % 12] : NULL;
        json_object *v = NULL;
        switch (*c) {
        case 'o':
        case 'a':
            v = *c == 'o' ? json_object_new_object() : json_object_new_array();
            if (top)
                add(top, key, json_object_get(v));
            else
                root = json_object_get(v);
            stack[++depth] = v;
            json_object_put(v);
            continue;
        case 'e':
            depth--;
            continue;
        case 's':
            v = json_object_new_string(d->strings[ns++]);
            break;
        case 'i':
            v = json_object_new_int64(-1234567890123LL * nk);
            break;
        case 'd':
            v = json_object_new_double(d->doubles[nd++]);
            break;
        case 'b':
            v = json_object_new_boolean(nk % 2);
            break;
        }
        add(top, key, v);
    }
    int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE |
                (spaced ? JSON_C_TO_STRING_SPACED : 0);
    char *s = strdup(json_object_to_json_string_ext(root, flags));
    json_object_put(root);
    return s;
}

static void test_same_as_jsonc(void **state)
{
    (void)state;
    static char every_byte[256];
    for (int i = 1; i < 256; i++)
        every_byte[i - 1] = (char)i;
    const struct doc docs[] = {
        {"oe", {0}, {0}},
        {"ae", {0}, {0}},
        {"oaeoee", {0}, {0}},
        {"osinbe", {"ICMP 198.18.2.1 > 198.18.3.3 Echo request"}, {0}},
        {"oassseaee", {"a/b\\c\"d", every_byte, ""}, {0}},
        {"oddddddde", {0}, {0.0, -0.0, 1.2e-05, 0.00020000000000000001, 1e300, 42.0, -3.5}},
        {"aoaoidseeeoee", {"\x01\x1f\x7f\xc3\xa9"}, {1.0 / 3}},
        {"oaoiiaeeoeaneee", {0}, {0}},
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        for (int spaced = 0; spaced < 2; spaced++) {
            char *a = with_jw(&docs[i], spaced), *b = with_jsonc(&docs[i], spaced);
            if (strcmp(a, b))
                fail_msg("document %zu (spaced %d):\n--- jsonw\n%s\n--- json-c\n%s", i, spaced, a,
                         b);
            free(a);
            free(b);
        }
}

/* Integers at every width and both ends of the range, as json-c prints them. */
static void test_ints(void **state)
{
    (void)state;
    static const int64_t vals[] = {
        0,          1,         -1,           9,         10,        -10,          99, 100, 123456789,
        -987654321, 1LL << 31, -(1LL << 31), INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct st_jw w;
        st_jw_init(&w, f, false);
        st_jw_int(&w, NULL, vals[i]);
        fclose(f);
        json_object *o = json_object_new_int64(vals[i]);
        assert_string_equal(buf, json_object_to_json_string(o));
        json_object_put(o);
        free(buf);
    }
}

ST_TEST_MAIN(cmocka_unit_test(test_same_as_jsonc), cmocka_unit_test(test_ints))
