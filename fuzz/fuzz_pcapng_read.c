/*
 * Fuzz target: scantrace's pcapng reader (pcapng_read.h; merge reads the
 * shards' captures with it) on any bytes. Every block it returns must lie
 * inside what it read: a frame's bytes within its length, its interface one
 * described before it; a refusal must say why, naming the file. The same
 * bytes through compare's reader of the statistics blocks' drop counts
 * (st_capture_drops): a count or -1, nothing read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = st_fuzz_file(data, size);
    if (st_capture_drops(path) < -1)
        st_fuzz_fail("a drop count below -1");
    char err[512] = "";
    struct st_pcapng_reader *r = st_pcapng_reader_open(path, err, sizeof err);
    if (!r) {
        if (!strstr(err, path))
            st_fuzz_fail("refused without naming the file: %s", err);
        return 0;
    }
    static struct st_pcapng_block b;
    size_t ifs = 0;
    int rc;
    while ((rc = st_pcapng_reader_next(r, &b, err, sizeof err)) == 1) {
        if (b.kind == ST_PCAPNG_IF)
            ifs++;
        else if (b.if_id >= ifs)
            st_fuzz_fail("a block on interface %u of %zu", b.if_id, ifs);
        if (b.kind == ST_PCAPNG_FRAME && (b.caplen > b.origlen || b.caplen > size))
            st_fuzz_fail("a frame of %u bytes (%u on the wire) in %zu", b.caplen, b.origlen, size);
        if (b.kind == ST_PCAPNG_FRAME && b.caplen) /* its bytes are readable */
            (void)memchr(b.data, 0x5a, b.caplen);
    }
    if (rc < 0 && !strstr(err, path))
        st_fuzz_fail("error without naming the file: %s", err);
    st_pcapng_reader_close(r);
    return 0;
}
