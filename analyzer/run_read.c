/*
 * What a run directory's run.json adds to its trace: the capture's drop
 * count, and scantrace's own verdicts per host and mode (its trace.log,
 * unlike nmap's output, has no report lines).
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trace_read.h"

/* run.json "hosts": [{host, mode, verdict, reason, latency_s}] */
static void read_verdicts(json_object *run, struct st_trace *t)
{
    json_object *hosts;
    if (!json_object_object_get_ex(run, "hosts", &hosts) ||
        !json_object_is_type(hosts, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(hosts); i++) {
        json_object *h = json_object_array_get_idx(hosts, i), *v;
        uint32_t addr;
        if (!json_object_object_get_ex(h, "host", &v) ||
            !st_ip4_parse(json_object_get_string(v), &addr))
            continue;
        const char *mode =
            json_object_object_get_ex(h, "mode", &v) ? json_object_get_string(v) : NULL;
        bool up =
            json_object_object_get_ex(h, "verdict", &v) && !strcmp(json_object_get_string(v), "up");
        const char *reason =
            json_object_object_get_ex(h, "reason", &v) ? json_object_get_string(v) : NULL;
        double lat =
            json_object_object_get_ex(h, "latency_s", &v) && v ? json_object_get_double(v) : -1;
        st_trace_add_verdict(t, addr, mode, up, reason, lat);
    }
}

int st_run_json_read(const char *rundir, struct st_trace *t, uint64_t *dropped, bool *known,
                     char *err, size_t errsz)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.json", rundir);
    if (access(path, F_OK) != 0)
        return 0;
    json_object *run = json_object_from_file(path);
    if (!run) {
        snprintf(err, errsz, "%s: not valid JSON (%s)", path,
                 json_util_get_last_err() ? json_util_get_last_err() : "unreadable");
        return -1;
    }
    json_object *cap, *d;
    if (json_object_object_get_ex(run, "capture", &cap) &&
        json_object_object_get_ex(cap, "dropped", &d)) {
        *dropped = (uint64_t)json_object_get_int64(d);
        *known = true;
    }
    read_verdicts(run, t);
    json_object_put(run);
    return 1;
}
