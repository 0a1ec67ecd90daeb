/*
 * Fuzz target: frame bytes through st_decode. The first input byte picks
 * the link type (even: Ethernet, odd: raw IP), the rest is the frame. The
 * record must format at every detail level and equal itself (st_pkt_same,
 * unless its network protocol is one scantrace does not know, which
 * matches nothing).
 */
#include "fuzz.h"
#include "packet.h"
#include "util.h"

static bool options_whole(const struct st_pkt *p)
{
    char text[300];
    struct st_sb sb;
    st_sb_init(&sb, text, sizeof text);
    return p->net != ST_NET_IPV4 || st_ipopts_format(&sb, p->ip.opts, p->ip.optlen);
}

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
    /* what scan traces of a frame, compare must read back as the same packet */
    char line[ST_LINE_MAX], err[128];
    struct st_pkt q;
    /* (whole packets only: nmap's text of an incomplete one says less, e.g.
     * no ICMP id for a short mask reply; nor IP options whose text nmap's
     * buffer cuts) */
    if (known && options_whole(&p) &&
        !(p.flags & (ST_PKT_TRUNCATED | ST_PKT_MALFORMED | ST_PKT_L4_SHORT | ST_PKT_FRAGMENT)) &&
        st_format_desc(&p, line, sizeof line) >= 0) {
        if (st_parse_desc(line, &q, err, sizeof err) != ST_PARSE_OK)
            st_fuzz_fail("the text of a frame does not parse (%s): %s", err, line);
        /* nmap's ARP text has "who-has" and "reply" only: other ops cannot survive it */
        bool untold = p.net == ST_NET_ARP && p.arp.op != 1 && p.arp.op != 2;
        /* nor has it an ICMPv4 (proto 1) over IPv6: bogus, printed as a bare protocol */
        untold |= p.net == ST_NET_IPV6 && p.proto == ST_IPPROTO_ICMP;
        if (!untold && !st_pkt_same(&p, &q))
            st_fuzz_fail("the text of a frame is another packet: %s", line);
    }
    return 0;
}
