/*
 * scantrace decode: print every frame of a capture as nmap 7.93's
 * --packet-trace would have printed it, so a capture can be read, grepped
 * and diffed in the same words as a trace (including the frames nmap never
 * traces: the kernel's RSTs, late replies, ARP the kernel did on its own).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "util.h"
#include "packet.h"

static const char decode_usage[] =
    "usage: scantrace decode [--scanner IP] [--detail low|medium|high] CAPTURE|RUNDIR\n"
    "\n"
    "Prints each frame of CAPTURE (pcap or pcapng; of a run directory, its\n"
    "capture.pcapng) as an nmap 7.93 --packet-trace\n"
    "line: 'SENT (t) ...' for frames from the scanner's address, 'RCVD (t) ...' for\n"
    "the others, t counted from the first frame. Without --scanner every line starts\n"
    "'FRAME N (t)'. Frames scantrace cannot decode are printed with their problem.\n"
    "\n"
    "  --scanner IP   the scanner's IPv4 or IPv6 address (decides SENT or RCVD)\n"
    "  --detail L     nmap's detail level: low (default, -d0/-d1), medium (-d2),\n"
    "                 high (-d3)\n"
    "\n"
    "Exit: 0 decoded, 2 bad usage or an unreadable capture (the frames before the\n"
    "damage are printed), 3 output not writable.\n";

/* The scanner's address: IPv4 or IPv6. */
struct scanner {
    bool v6;
    uint32_t a4;
    uint8_t a6[16];
};

static bool scanner_parse(const char *s, struct scanner *sc)
{
    sc->v6 = inet_pton(AF_INET6, s, sc->a6) == 1;
    return sc->v6 || st_ip4_parse(s, &sc->a4);
}

static bool from_scanner(const struct st_pkt *p, const struct scanner *sc)
{
    if (sc->v6)
        return p->net == ST_NET_IPV6 && !memcmp(p->ip6.src, sc->a6, 16);
    if (p->net == ST_NET_ARP)
        return p->arp.spa == sc->a4;
    return p->net == ST_NET_IPV4 && p->ip.src == sc->a4;
}

static const char *problem(unsigned flags)
{
    if (flags & ST_PKT_MALFORMED)
        return " [malformed]";
    if (flags & ST_PKT_TRUNCATED)
        return " [truncated]";
    return "";
}

int st_cmd_decode(int argc, char **argv)
{
    static const struct option opts[] = {
        {"scanner", required_argument, NULL, 's'},
        {"detail", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    enum st_detail level = ST_DETAIL_LOW;
    struct scanner scanner = {0};
    bool have_scanner = false;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:d:h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!scanner_parse(optarg, &scanner)) {
                return st_cmd_usage_error("decode", "--scanner: not an IPv4 or IPv6 address: %s",
                                          optarg);
            }
            have_scanner = true;
            break;
        case 'd':
            if (!strcmp(optarg, "low"))
                level = ST_DETAIL_LOW;
            else if (!strcmp(optarg, "medium"))
                level = ST_DETAIL_MEDIUM;
            else if (!strcmp(optarg, "high"))
                level = ST_DETAIL_HIGH;
            else {
                return st_cmd_usage_error("decode", "--detail: low, medium or high, not %s",
                                          optarg);
            }
            break;
        case 'h':
        default:
            return st_cmd_help_or_error("decode", c, argv, decode_usage);
        }
    }
    if (argc - optind == 0)
        return st_cmd_usage_error("decode", "no capture to decode");
    if (argc - optind > 1)
        return st_cmd_usage_error(
            "decode", "too many arguments (one capture or run directory): '%s'", argv[optind + 1]);
    /* a run directory stands for its capture */
    char rundir_capture[4200];
    const char *path = argv[optind];
    struct stat sb;
    if (!stat(path, &sb) && S_ISDIR(sb.st_mode)) {
        snprintf(rundir_capture, sizeof rundir_capture, "%s/capture.pcapng", path);
        path = rundir_capture;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
    if (!pc) {
        fprintf(stderr, "scantrace decode: %s: %s\n", path, err);
        return ST_EXIT_USAGE;
    }
    enum st_link link = st_link_from_dlt(pcap_datalink(pc));
    if (link == ST_LINK_NONE) {
        fprintf(
            stderr,
            "scantrace decode: %s: link type %s is not Ethernet, raw IP or Linux cooked (-i any)\n",
            path, pcap_datalink_val_to_name(pcap_datalink(pc)));
        pcap_close(pc);
        return ST_EXIT_USAGE;
    }

    struct pcap_pkthdr *h;
    const u_char *bytes;
    int64_t t0 = 0;
    unsigned long frame = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &bytes)) == 1) {
        struct st_pkt p;
        char desc[ST_LINE_MAX];
        /* ns precision; a pcapng time can exceed int64 ns: saturate (half the
         * range, so that t - t0 cannot overflow either) */
        const int64_t max_sec = INT64_MAX / 1000000000 / 2;
        int64_t sec = h->ts.tv_sec > max_sec    ? max_sec
                      : h->ts.tv_sec < -max_sec ? -max_sec
                                                : h->ts.tv_sec;
        int64_t t = sec * 1000000000 + h->ts.tv_usec;
        if (++frame == 1)
            t0 = t;
        st_decode(bytes, h->caplen, link, &p);
        if (st_format_desc_at(&p, level, desc, sizeof desc) < 0)
            snprintf(desc, sizeof desc, "(description too long)");
        double secs = (double)(t - t0) / 1e9;
        if (have_scanner)
            printf("%s (%.4fs) %s%s\n", from_scanner(&p, &scanner) ? "SENT" : "RCVD", secs, desc,
                   problem(p.flags));
        else
            printf("FRAME %lu (%.4fs) %s%s\n", frame, secs, desc, problem(p.flags));
    }
    if (rc == PCAP_ERROR) {
        fflush(stdout);
        fprintf(stderr, "scantrace decode: %s: frame %lu: %s\n", path, frame + 1, pcap_geterr(pc));
        pcap_close(pc);
        return ST_EXIT_USAGE;
    }
    pcap_close(pc);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("scantrace decode: writing output");
        return ST_EXIT_ENVIRONMENT;
    }
    return ST_EXIT_OK;
}
