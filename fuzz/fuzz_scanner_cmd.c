/*
 * Fuzz target: a recorded command line as compare reads it from run.json
 * (st_scanner_cmd_parse): the scanner, its mode, its targets, through
 * wrappers and a shell's string of several commands. Byte 0 even: the rest
 * is a shell's string (`sh -c STRING`); odd: words, one a line.
 * Properties: targets sorted, unique and within the limit; the mode and
 * the name strings of their buffers.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fuzz.h"

#define MAX_WORDS     256
#define TARGETS_LIMIT (1u << 17) /* wire_side.c's MAX_TARGETS */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    char *text = st_fuzz_cstr(data + 1, size - 1);
    const char *argv[MAX_WORDS + 8] = {"scantrace", "record", "-o", "r", "--"};
    size_t argc = 5;
    bool shell = !(data[0] & 1);
    if (shell) {
        argv[argc++] = "sh";
        argv[argc++] = "-c";
        argv[argc++] = text;
    } else {
        for (char *w = text, *nl; w && argc < MAX_WORDS; w = nl ? nl + 1 : NULL) {
            nl = strchr(w, '\n');
            if (nl)
                *nl = '\0';
            argv[argc++] = w;
        }
    }
    struct st_scanner_cmd s;
    int rc = st_scanner_cmd_parse(argv, argc, &s);
    if (memchr(s.mode, '\0', sizeof s.mode) == NULL || memchr(s.name, '\0', sizeof s.name) == NULL)
        st_fuzz_fail("mode or name not a string of its buffer");
    if (s.ntargets > TARGETS_LIMIT)
        st_fuzz_fail("%zu targets, over the limit", s.ntargets);
    for (size_t i = 1; i < s.ntargets; i++)
        if (s.targets[i - 1] >= s.targets[i])
            st_fuzz_fail("targets %zu and %zu not sorted and unique", i - 1, i);
    (void)rc; /* a shell's empty string is no command: -1 is an answer too */
    st_scanner_cmd_free(&s);
    free(text);
    return 0;
}
