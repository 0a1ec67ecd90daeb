/*
 * Fuzz target: one trace line through the parser (st_parse_line: nmap's
 * SENT/RCVD lines at LOW, MEDIUM and HIGH detail, CONN lines; and
 * st_parse_desc on what follows the time). A line that parses must format
 * at every detail level and parse back; its LOW text (the byte-for-byte
 * contract) must be a fixed point: parsed again, it formats to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "packet.h"

static void check_fixed_point(const struct st_pkt *p)
{
    if (p->flags & ST_PKT_CONNECT)
        return;
    for (int level = ST_DETAIL_LOW; level <= ST_DETAIL_HIGH; level++) {
        char once[ST_LINE_MAX], twice[ST_LINE_MAX], err[128];
        struct st_pkt q;
        if (st_format_desc_at(p, (enum st_detail)level, once, sizeof once) < 0)
            continue;
        if (st_parse_desc(once, &q, err, sizeof err) != ST_PARSE_OK)
            st_fuzz_fail("level %d text does not parse (%s): %s", level, err, once);
        /* LOW is the byte-for-byte contract; MEDIUM and HIGH are read only */
        if (level == ST_DETAIL_LOW &&
            (st_format_desc_at(&q, (enum st_detail)level, twice, sizeof twice) < 0 ||
             strcmp(once, twice)))
            st_fuzz_fail("level %d: not a fixed point:\n  %s\n  %s", level, once, twice);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = st_fuzz_cstr(data, size);
    char err[128];
    struct st_pkt p;

    st_line_detail(line);
    if (st_parse_line(line, &p, err, sizeof err) == ST_PARSE_OK)
        check_fixed_point(&p);
    const char *desc = strstr(line, "s) ");
    if (st_parse_desc(desc ? desc + 3 : line, &p, err, sizeof err) == ST_PARSE_OK)
        check_fixed_point(&p);
    free(line);
    return 0;
}
