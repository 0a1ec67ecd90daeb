/*
 * Fuzz target: target specifications. Input byte 0 picks the reader:
 * even, the rest is "SPEC SPEC ...\nEXCLUDE,EXCLUDE" (st_targets_add for
 * each word, then st_targets_exclude); odd, the rest is an -iL file
 * (st_targets_add_file). A refusal must say why; exclusion never adds.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scan.h"

/* The same words as IPv6 specs (scan -6): a refusal says why, the limit
 * holds, exclusion never adds, and every address has a key that gives it
 * back. Prefixes under /112 are left out: up to 2^20 addresses a word would
 * make a run slow, not find more. */
static void fuzz_targets6(const uint8_t *data, size_t size)
{
    struct st_targets6 t = {0};
    char err[512];
    char *s = st_fuzz_cstr(data, size);
    char *nl = strchr(s, '\n');
    char *excl = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    char *save = NULL;
    int words = 0;
    for (char *w = strtok_r(s, " ", &save); w && words < 8; w = strtok_r(NULL, " ", &save)) {
        const char *slash = strchr(w, '/');
        words++;
        if (slash && atoi(slash + 1) < 112)
            continue;
        err[0] = '\0';
        if (st_targets6_add(&t, w, err, sizeof err) && !err[0])
            st_fuzz_fail("IPv6 target '%s' refused without a reason", w);
        if (t.n > ST_TARGETS6_MAX)
            st_fuzz_fail("%zu IPv6 targets, more than the limit", t.n);
    }
    size_t before = t.n;
    err[0] = '\0';
    if (excl && strlen(excl) < 256 && st_targets6_exclude(&t, excl, err, sizeof err) && !err[0])
        st_fuzz_fail("IPv6 --exclude '%s' refused without a reason", excl);
    if (t.n > before)
        st_fuzz_fail("IPv6 --exclude added targets");
    if (st_targets6_index(&t) == 0)
        for (size_t i = 0; i < t.n; i++) {
            uint32_t k = st_targets6_key(&t, t.addr[i]);
            if (!k || k > i + 1 || memcmp(st_targets6_addr(&t, k), t.addr[i], 16))
                st_fuzz_fail("IPv6 target %zu: key %u does not give it back", i, k);
        }
    free(s);
    st_targets6_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct st_targets t = {0};
    char err[512] = "";

    if (size < 1)
        return 0;
    if (data[0] & 1) {
        if (st_targets_add_file(&t, st_fuzz_file(data + 1, size - 1), err, sizeof err) && !err[0])
            st_fuzz_fail("-iL refused without a reason");
        st_targets_free(&t);
        return 0;
    }
    char *s = st_fuzz_cstr(data + 1, size - 1);
    char *nl = strchr(s, '\n');
    char *excl = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    char *save = NULL;
    /* a few specs: enough for every path, not so many that a run is slow */
    int words = 0;
    for (char *w = strtok_r(s, " ", &save); w && words < 8; w = strtok_r(NULL, " ", &save)) {
        words++;
        err[0] = '\0';
        if (st_targets_add(&t, w, err, sizeof err) && !err[0])
            st_fuzz_fail("target '%s' refused without a reason", w);
        if (t.n > ST_TARGETS_MAX)
            st_fuzz_fail("%zu targets, more than the limit", t.n);
    }
    if (excl && strlen(excl) < 256 && t.n <= (1u << 20)) {
        size_t before = t.n;
        err[0] = '\0';
        if (st_targets_exclude(&t, excl, err, sizeof err) && !err[0])
            st_fuzz_fail("--exclude '%s' refused without a reason", excl);
        if (t.n > before)
            st_fuzz_fail("--exclude added targets");
    }
    free(s);
    st_targets_free(&t);
    fuzz_targets6(data + 1, size - 1);
    return 0;
}
