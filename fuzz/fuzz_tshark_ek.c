/*
 * Fuzz target: one line of tshark's -T ek output through the reader's
 * per-document mapping (st_tshark_ek_line), as if a tshark had written it.
 * A record must format and equal itself (but for a network protocol
 * scantrace does not know, which matches nothing).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "packet.h"
#include "dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = st_fuzz_cstr(data, size);
    struct st_pkt p;

    if (st_tshark_ek_line(line, &p) == ST_EK_RECORD) {
        char buf[ST_LINE_MAX];
        for (int level = ST_DETAIL_LOW; level <= ST_DETAIL_HIGH; level++)
            st_format_desc_at(&p, (enum st_detail)level, buf, sizeof buf);
        st_format_brief(&p, buf, sizeof buf);
        st_format_kind(&p, buf, sizeof buf);
        /* a frame of an unknown network protocol matches nothing, not even itself */
        bool known = p.net == ST_NET_ARP || p.net == ST_NET_IPV4 || p.net == ST_NET_IPV6;
        if (known != st_pkt_same(&p, &p))
            st_fuzz_fail("a record of network %d is %sthe same as itself", (int)p.net,
                         known ? "not " : "");
    }
    free(line);
    return 0;
}
