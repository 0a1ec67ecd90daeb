/*
 * Fuzz target: a whole comparison. The input is a trace, then a line
 * "---- capture", then tshark -T ek lines (compare's two inputs without
 * tshark; a capture line "filter LINKTYPE EXPR" is the capture filter its
 * one interface recorded, pcapng's link type and the expression, so the
 * trace lines without their frame are judged against it); the harness
 * aligns them (st_compare_run), summarizes, and renders
 * every report format. Whatever the inputs, each trace packet is matched to
 * at most one frame and each frame to at most one packet, both ways the
 * same, and the counts add up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fuzz.h"
#include "report.h"

#define SEPARATOR "\n---- capture\n"

/* "filter LINKTYPE EXPR": the capture's one interface and its filter. */
static void set_filter(struct st_comparison *c, const char *spec)
{
    char *end;
    long lt = strtol(spec, &end, 10);
    if (end == spec || *end != ' ' || lt < 0 || lt > 65535)
        return;
    snprintf(c->capture_filter, sizeof c->capture_filter, "%s", end + 1);
    snprintf(c->cap_ifaces[0].filter, sizeof c->cap_ifaces[0].filter, "%s", end + 1);
    c->cap_ifaces[0].linktype = (uint16_t)lt;
    c->cap_ifaces[0].whole = strlen(end + 1) < sizeof c->cap_ifaces[0].filter;
    c->ncap_ifaces = 1;
}

static void add_frame(struct st_dissection *cap, const char *line)
{
    struct st_pkt p;
    if (st_tshark_ek_line(line, &p) != ST_EK_RECORD)
        return;
    p.frame = (uint32_t)cap->n + 1; /* as tshark numbers them */
    if (p.dir != ST_DIR_NONE)
        cap->have_direction = true;
    st_dissection_push(cap, &p);
}

/* Whether frame f is a later fragment of the train that starts at frame
 * `first` (fragments.c chains them through fnext). */
static bool in_train(const struct st_comparison *c, size_t n, long first, size_t f)
{
    long g = first;
    for (size_t steps = 0; g >= 0 && steps <= n; steps++) {
        g = st_frame_next(c, g);
        if (g == (long)f)
            return true;
    }
    return false;
}

static void check(const struct st_comparison *c, const struct st_trace *t,
                  const struct st_dissection *cap)
{
    size_t matched = 0, followers = 0;
    for (size_t i = 0; i < t->npkts; i++) {
        long f = c->t2f[i];
        if (f < -1 || f >= (long)cap->n || (f >= 0 && c->f2t[f] != (long)i))
            st_fuzz_fail("trace packet %zu -> frame %ld, not back", i, f);
        matched += f >= 0;
    }
    /* a frame maps back to its trace packet, or is a later fragment of
     * that packet's train (neither wire-only nor matched itself) */
    for (size_t f = 0; f < cap->n; f++) {
        long i = st_frame_trace(c, (long)f), rel = st_frame_rel(c, (long)f);
        if (i >= (long)t->npkts || rel >= (long)t->npkts || st_frame_mode(c, (long)f) > c->nmodes)
            st_fuzz_fail("frame %zu -> trace packet %ld, probe %ld, mode %u: out of range", f, i,
                         rel, (unsigned)st_frame_mode(c, (long)f));
        if (i < 0 || c->t2f[i] == (long)f)
            continue;
        if (!in_train(c, cap->n, c->t2f[i], f))
            st_fuzz_fail("frame %zu -> trace packet %ld, not back", f, i);
        followers++;
    }
    if (c->matched != matched || c->matched + c->trace_only != t->npkts ||
        c->matched + c->wire_only + followers != cap->n)
        st_fuzz_fail("counts: %zu matched, %zu trace-only, %zu wire-only, %zu later fragments "
                     "of %zu and %zu",
                     c->matched, c->trace_only, c->wire_only, followers, t->npkts, cap->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = st_fuzz_cstr(data, size);
    char *sep = strstr(text, SEPARATOR);
    char *frames = NULL;
    if (sep) {
        *sep = '\0';
        frames = sep + strlen(SEPARATOR);
    }
    struct st_trace t;
    char err[512];
    if (st_trace_read(st_fuzz_file((const uint8_t *)text, strlen(text)), &t, err, sizeof err)) {
        free(text);
        return 0;
    }
    struct st_dissection cap;
    memset(&cap, 0, sizeof cap);
    snprintf(cap.dissector, sizeof cap.dissector, "tshark fuzz");
    struct st_comparison c;
    memset(&c, 0, sizeof c);
    char *save = NULL;
    for (char *l = frames ? strtok_r(frames, "\n", &save) : NULL; l;
         l = strtok_r(NULL, "\n", &save))
        if (!strncmp(l, "filter ", 7))
            set_filter(&c, l + 7);
        else
            add_frame(&cap, l);

    c.trace_path = "trace";
    c.capture_path = "capture";
    /* one input in two as a side built from the wire (its own causes) */
    c.from_wire = size && (data[size - 1] & 1);
    st_compare_run(&c, &t, &cap);
    st_compare_summarize(&c);
    check(&c, &t, &cap);
    json_object *doc = st_report_json(&c);
    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY);
    json_object_put(doc);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        st_report_text(&c, null, true);
        st_report_junit(&c, null);
        st_report_markdown(&c, null);
        fclose(null);
    }
    st_compare_free(&c);
    st_dissection_free(&cap);
    st_trace_free(&t);
    free(text);
    return 0;
}
