/*
 * Fuzz target: frame bytes through st_decode. The first input byte picks
 * the link type (even: Ethernet, odd: raw IP), the rest is the frame. The
 * record must format at every detail level and equal itself (st_pkt_same,
 * unless its network protocol is one scantrace does not know, which
 * matches nothing).
 */
#include "fuzz.h"
#include "pkt_decode.h"
#include "pkt_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum st_link link = data[0] & 1 ? ST_LINK_RAW_IP : ST_LINK_ETHERNET;
    struct st_pkt p;
    if (st_decode(data + 1, size - 1, link, &p) != 0)
        st_fuzz_fail("link type refused");
    char buf[ST_LINE_MAX];
    for (int level = ST_DETAIL_LOW; level <= ST_DETAIL_HIGH; level++)
        st_format_desc_at(&p, (enum st_detail)level, buf, sizeof buf);
    st_format_brief(&p, buf, sizeof buf);
    st_format_kind(&p, buf, sizeof buf);
    p.dir = ST_DIR_SENT;
    st_format_line(&p, buf, sizeof buf);
    /* a frame of an unknown network protocol matches nothing, not even itself */
    bool known = p.net == ST_NET_ARP || p.net == ST_NET_IPV4 || p.net == ST_NET_IPV6;
    if (known != st_pkt_same(&p, &p))
        st_fuzz_fail("a record of network %d is %sthe same as itself", (int)p.net,
                     known ? "not " : "");
    return 0;
}
