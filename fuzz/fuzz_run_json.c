/*
 * Fuzz target: run.json as compare reads it back (st_run_read): any JSON,
 * of any shape. A refusal says why; each verdict taken is one of the hosts.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = st_fuzz_cstr(data, size);
    json_object *run = json_tokener_parse(text);
    struct st_comparison c;
    struct st_trace t;
    char why[128] = "";

    memset(&c, 0, sizeof c);
    memset(&t, 0, sizeof t);
    if (st_run_read(run, &c, &t, why, sizeof why) != 0 && !why[0])
        st_fuzz_fail("refused without a reason");
    json_object *hosts;
    size_t n = json_object_is_type(run, json_type_object) &&
                       json_object_object_get_ex(run, "hosts", &hosts) &&
                       json_object_is_type(hosts, json_type_array)
                   ? json_object_array_length(hosts)
                   : 0;
    if (t.nhosts > n)
        st_fuzz_fail("%zu verdicts from %zu hosts", t.nhosts, n);
    for (size_t i = 0; i < t.nhosts; i++)
        if (!(t.hosts[i].latency_s < 0 || t.hosts[i].latency_s < 1e9))
            st_fuzz_fail("latency %g", t.hosts[i].latency_s);
    json_object_put(run);
    st_trace_free(&t);
    free(text);
    return 0;
}
