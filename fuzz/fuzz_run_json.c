/*
 * Fuzz target: run.json as compare reads it back (st_run_json_parse, then
 * st_run_read): any text, JSON of any shape. A refusal says why; each
 * verdict taken is one of the hosts, and a text json-c reads whole gives the
 * same hosts read in two parts.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "compare.h"

static int mode_hosts(size_t from, size_t to, size_t i, void *ctx)
{
    const char *text = ((const char **)ctx)[0];
    json_object *modes = ((json_object **)ctx)[1];
    struct st_run_json m;
    if (st_json_split_parse_part(&m, text, from, to, "hosts", NULL, false) != 0)
        st_fuzz_fail("mode %zu: json-c reads it, the part not (%s)", i, m.why);
    json_object *mo = json_object_array_get_idx(modes, i), *hosts;
    size_t want = json_object_object_get_ex(mo, "hosts", &hosts) &&
                          json_object_is_type(hosts, json_type_array)
                      ? json_object_array_length(hosts)
                      : 0;
    if (st_run_json_nhosts(&m) != want)
        st_fuzz_fail("mode %zu: %zu hosts in its part, %zu whole", i, st_run_json_nhosts(&m), want);
    st_run_json_free(&m);
    return 0;
}

/* The same text as diff reads a report.json: what json-c reads whole, the
 * split read reads too ("packets" left out, "modes" a mode at a time), with
 * as many modes and hosts. */
static void report_parts(const uint8_t *data, size_t size, json_object *whole)
{
    json_object *modes;
    if (!whole || !json_object_object_get_ex(whole, "modes", &modes) ||
        !json_object_is_type(modes, json_type_array))
        return;
    struct st_run_json top;
    if (st_json_split_parse_part(&top, (const char *)data, 0, size, "modes", "packets", false) != 0)
        st_fuzz_fail("json-c reads it whole, the report split not (%s)", top.why);
    if (st_run_json_nhosts(&top) != json_object_array_length(modes))
        st_fuzz_fail("%zu modes split, %zu whole", st_run_json_nhosts(&top),
                     json_object_array_length(modes));
    const void *ctx[2] = {data, modes};
    if (top.split)
        st_json_each_part(&top, mode_hosts, ctx);
    st_run_json_free(&top);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_run_json r;
    struct st_comparison c;
    struct st_trace t;
    char why[128] = "";

    memset(&c, 0, sizeof c);
    memset(&t, 0, sizeof t);
    if (st_run_json_parse(&r, (const char *)data, size) != 0) {
        if (!r.why[0])
            st_fuzz_fail("not JSON without a reason");
        return 0;
    }
    if (st_run_read(&r, &c, &t, why, sizeof why) != 0 && !why[0])
        st_fuzz_fail("refused without a reason");
    size_t n = st_run_json_nhosts(&r);
    if (t.nhosts > n)
        st_fuzz_fail("%zu verdicts from %zu hosts", t.nhosts, n);
    for (size_t i = 0; i < t.nhosts; i++)
        if (!(t.hosts[i].latency_s < 0 || t.hosts[i].latency_s < 1e9))
            st_fuzz_fail("latency %g", t.hosts[i].latency_s);
    /* what json-c reads whole has the hosts the split read counted */
    char *text = st_fuzz_cstr(data, size);
    json_object *whole = json_tokener_parse(text), *hosts;
    if (r.split && json_object_object_get_ex(whole, "hosts", &hosts) &&
        json_object_is_type(hosts, json_type_array) && json_object_array_length(hosts) != n)
        st_fuzz_fail("%zu hosts read in two parts, %zu whole", n, json_object_array_length(hosts));
    report_parts(data, size, whole);
    json_object_put(whole);
    st_run_json_free(&r);
    st_trace_free(&t);
    free(text);
    return 0;
}
