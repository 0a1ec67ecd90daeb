/*
 * What every fuzz harness shares: the libFuzzer entry point it defines, and
 * helpers to hand the fuzzer's bytes to readers that want a C string or a
 * path. Built either with libFuzzer (scripts/fuzz: clang -fsanitize=fuzzer)
 * or with replay.c's main, which feeds the corpus and the regression inputs
 * to the same entry point in every normal test run.
 */
#ifndef ST_FUZZ_H
#define ST_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes up to the first NUL as a malloc'ed C string (never NULL). */
char *st_fuzz_cstr(const uint8_t *data, size_t size);

/*
 * A path whose file holds exactly these bytes: a memfd of this process,
 * reached as /proc/self/fd/N, rewritten on each call. Aborts on failure
 * (a harness that cannot feed its reader has nothing to report).
 */
const char *st_fuzz_file(const uint8_t *data, size_t size);

/* Fail the run (a crash to libFuzzer, a non-zero exit to replay) with why. */
void st_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
