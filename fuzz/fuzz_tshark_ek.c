/*
 * Fuzz target: one line of tshark's -T ek output through the reader's
 * per-document mapping (st_tshark_ek_line), as if a tshark had written it.
 * A record must format and equal itself.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "pkt_format.h"
#include "tshark_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = st_fuzz_cstr(data, size);
    struct st_pkt p;
    char *comment = NULL;

    if (st_tshark_ek_line(line, &p, &comment) == ST_EK_RECORD) {
        char buf[ST_LINE_MAX];
        for (int level = ST_DETAIL_LOW; level <= ST_DETAIL_HIGH; level++)
            st_format_desc_at(&p, (enum st_detail)level, buf, sizeof buf);
        st_format_brief(&p, buf, sizeof buf);
        st_format_kind(&p, buf, sizeof buf);
        if (!st_pkt_same(&p, &p) || st_pkt_hash(&p) != st_pkt_hash(&p))
            st_fuzz_fail("a record is not the same as itself");
        free(comment);
    }
    free(line);
    return 0;
}
