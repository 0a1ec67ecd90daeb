/*
 * Fuzz target: a scanner's output through st_claims_read (every reader of
 * claims_readers.c, the format picked by the first line one knows). The
 * size's parity says whether a bare address list names the unreachable
 * (fping -u); hping3 --scan's lines belong to a fixed target. What it reads must hold: one claim
 * per address, sorted, each up, down or none; no more non-blank lines than the file has lines; an
 * "unknown" format reads no claim.
 */
#include <string.h>

#include "fuzz.h"
#include "compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_claims cl;
    char err[256] = "";

    /* hping3 --scan's target and port count: a fixed host, 3 ports; two
     * inputs in three read as a log of three runs (Starting lines 1, 4, 9) */
    static const uint32_t run_line[] = {1, 4, 9};
    struct st_claims_cmd cmd = {.scanner = "fping",
                                .list_is_down = size % 2,
                                .sole_target = 0xc6120302u,
                                .scan_ports = 3,
                                .run_line = size % 3 ? run_line : NULL,
                                .nruns = size % 3 ? 3 : 0};
    if (st_claims_read(st_fuzz_file(data, size), "stdout", &cmd, &cl, err, sizeof err) != 0) {
        if (!err[0])
            st_fuzz_fail("failed without a reason");
        return 0;
    }
    size_t newlines = 1;
    for (size_t i = 0; i < size; i++)
        newlines += data[i] == '\n';
    if (cl.lines > newlines)
        st_fuzz_fail("%zu non-blank lines in %zu", cl.lines, newlines);
    if (!strcmp(cl.format, "unknown") && cl.n)
        st_fuzz_fail("format unknown, yet %zu claims", cl.n);
    for (size_t i = 0; i < cl.n; i++) {
        if (i && (cl.run[i - 1] > cl.run[i] ||
                  (cl.run[i - 1] == cl.run[i] && cl.addr[i - 1] >= cl.addr[i])))
            st_fuzz_fail("claims %zu and %zu not sorted and unique", i - 1, i);
        if (cl.run[i] >= (cmd.nruns ? cmd.nruns : 1))
            st_fuzz_fail("claim %zu of run %u, of %zu", i, cl.run[i], cmd.nruns);
        if (cl.claim[i] != ST_CLAIM_NONE && cl.claim[i] != ST_CLAIM_UP &&
            cl.claim[i] != ST_CLAIM_DOWN)
            st_fuzz_fail("claim %zu is %d", i, (int)cl.claim[i]);
    }
    st_claims_free(&cl);
    return 0;
}
