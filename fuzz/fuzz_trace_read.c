/*
 * Fuzz target: a whole trace file through st_trace_read (nmap's output at
 * any -d level with report and NSOCK lines, CONN lines, scantrace's PASS
 * lines). Whatever it reads must be self-consistent: each packet on a line
 * of the file, in order, and its mode one of the PASS lines'.
 */
#include "fuzz.h"
#include "compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_trace t;
    char err[512];

    if (st_trace_read(st_fuzz_file(data, size), &t, err, sizeof err) != 0) {
        if (!err[0])
            st_fuzz_fail("failed without a reason");
        return 0;
    }
    if (t.npkts + t.malformed > t.lines)
        st_fuzz_fail("%zu packets and %zu malformed in %u lines", t.npkts, t.malformed, t.lines);
    uint32_t prev = 0;
    for (size_t i = 0; i < t.npkts; i++) {
        struct st_pkt tmp;
        uint32_t line = st_trace_pkt(&t, i, &tmp)->line;
        if (line == 0 || line > t.lines || line <= prev)
            st_fuzz_fail("packet %zu on line %u", i, line);
        prev = line;
        uint32_t m = st_trace_pkt_mode_ix(&t, i);
        if (m > t.nmodes)
            st_fuzz_fail("packet %zu has a mode of no PASS line", i);
        /* its pass is the last PASS line before it */
        if (m && t.mode_line[m - 1] >= line)
            st_fuzz_fail("packet %zu on line %u is in a pass that starts after it", i, line);
        if (m < t.nmodes && t.mode_line[m] < line)
            st_fuzz_fail("packet %zu on line %u is not in the pass after it", i, line);
    }
    for (size_t w = 0; w < t.nwarnings; w++)
        if (t.warnings[w].line == 0 || t.warnings[w].line > t.lines)
            st_fuzz_fail("warning on line %u", t.warnings[w].line);
    st_trace_free(&t);
    return 0;
}
