/*
 * IP protocol keywords of the IANA protocol-numbers registry, lower-cased,
 * which is how nmap names "other protocol" packets in its trace lines
 * ("igmp (2) ...", "ipv4 (4) ..."). Unassigned numbers have no name and
 * print as "Unknown protocol (n)". The IANA entries without a keyword
 * ("any host internal protocol"...) use the names nmap gives them.
 */
#include "pkt_protonames.h"

#include <string.h>

static const char *const names[] = {
    "hopopt",       "icmp",       "igmp",        "ggp",          "ipv4",
    "st",           "tcp",        "cbt",         "egp",          "igp",
    "bbn-rcc-mon",  "nvp-ii",     "pup",         "argus",        "emcon",
    "xnet",         "chaos",      "udp",         "mux",          "dcn-meas",
    "hmp",          "prm",        "xns-idp",     "trunk-1",      "trunk-2",
    "leaf-1",       "leaf-2",     "rdp",         "irtp",         "iso-tp4",
    "netblt",       "mfe-nsp",    "merit-inp",   "dccp",         "3pc",
    "idpr",         "xtp",        "ddp",         "idpr-cmtp",    "tp++",
    "il",           "ipv6",       "sdrp",        "ipv6-route",   "ipv6-frag",
    "idrp",         "rsvp",       "gre",         "dsp",          "bna",
    "esp",          "ah",         "i-nlsp",      "swipe",        "narp",
    "mobile",       "tlsp",       "skip",        "ipv6-icmp",    "ipv6-nonxt",
    "ipv6-opts",    "anyhost",    "cftp",        "anylocalnet",  "sat-expak",
    "kryptolan",    "rvd",        "ippc",        "anydistribfs", "sat-mon",
    "visa",         "ipcv",       "cpnx",        "cphb",         "wsn",
    "pvp",          "br-sat-mon", "sun-nd",      "wb-mon",       "wb-expak",
    "iso-ip",       "vmtp",       "secure-vmtp", "vines",        "iptm",
    "nsfnet-igp",   "dgp",        "tcf",         "eigrp",        "ospfigp",
    "sprite-rpc",   "larp",       "mtp",         "ax.25",        "ipip",
    "micp",         "scc-sp",     "etherip",     "encap",        "anyencrypt",
    "gmtp",         "ifmp",       "pnni",        "pim",          "aris",
    "scps",         "qnx",        "a/n",         "ipcomp",       "snp",
    "compaq-peer",  "ipx-in-ip",  "vrrp",        "pgm",          "any0hop",
    "l2tp",         "ddx",        "iatp",        "stp",          "srp",
    "uti",          "smp",        "sm",          "ptp",          "isis-ipv4",
    "fire",         "crtp",       "crudp",       "sscopmce",     "iplt",
    "sps",          "pipe",       "sctp",        "fc",           "rsvp-e2e-ignore",
    "mobility-hdr", "udplite",    "mpls-in-ip",  "manet",        "hip",
    "shim6",        "wesp",       "rohc",        "ethernet",     "aggfrag",
};

const char *st_proto_name(unsigned proto)
{
    if (proto < sizeof names / sizeof names[0])
        return names[proto];
    if (proto == 253)
        return "experimental1";
    if (proto == 254)
        return "experimental2";
    return NULL;
}

int st_proto_number(const char *name)
{
    for (unsigned i = 0; i < 256; i++) {
        const char *n = st_proto_name(i);
        if (n && strcmp(n, name) == 0)
            return (int)i;
    }
    return -1;
}
