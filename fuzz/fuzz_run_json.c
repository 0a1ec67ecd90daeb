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
    json_object_put(whole);
    st_run_json_free(&r);
    st_trace_free(&t);
    free(text);
    return 0;
}
