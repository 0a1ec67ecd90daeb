/*
 * scantrace scan: nmap's ping-scan options into a scan configuration, then
 * either the dry run (what would be sent, as trace lines, nothing sent) or
 * the discovery engine.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "util.h"
#include "packet.h"
#include "scan.h"
#include "run.h"

static const char scan_usage[] =
    "usage: scantrace scan [options] TARGET...\n"
    "\n"
    "Host discovery as nmap 7.93 does it (-sn). Targets: 198.18.3.2, 198.18.0.0/16,\n"
    "198.18.2.1-20, 198.18.1-2.3 (no names are resolved).\n"
    "\n"
    "Probes (nmap's flags; any combination; none: nmap's default):\n"
    "  -PE -PP -PM          ICMP echo, timestamp, address mask\n"
    "  -PS[ports] -PA[ports] TCP SYN / ACK (default 80)\n"
    "  -PU[ports]           UDP (default 40125)\n"
    "  -PY[ports]           SCTP INIT (default 80)\n"
    "  -PO[protocols]       IP protocols (default 1,2,4)\n"
    "  -PR                  ARP (always used on the local Ethernet segment)\n"
    "  --send-ip            IP probes even on the local segment (no ARP ping)\n"
    "  --disable-arp-ping   the same\n"
    "  --each-mode          each -P option as its own pass (PASS lines in the trace)\n"
    "  --unprivileged       TCP connect() to 80 and 443, as nmap without root\n"
    "\n"
    "Targets and interface:\n"
    "  -iL FILE             targets from FILE ('-' for stdin)\n"
    "  --exclude SPEC[,..]  leave these out\n"
    "  -e IF, -i IF         use this interface\n"
    "  --user USER          as root: become USER once the raw socket, packet sockets\n"
    "                       and capture handles are open (default nobody; root: stay)\n"
    "\n"
    "Timing (nmap's):\n"
    "  -T0..-T5             templates (default -T3)\n"
    "  --max-retries N      --initial-rtt-timeout T  --min-rtt-timeout T  --max-rtt-timeout T\n"
    "  --min-rate N         --max-rate N (probes per second)\n"
    "  --probe-deadline T   give up on a probe after T, whatever the RTT estimate\n"
    "                       (times: 500ms, 2s, 1m; a bare number is seconds)\n"
    "\n"
    "Probe contents and output:\n"
    "  --ttl N  -g PORT     fixed TTL / source port base\n"
    "  -o RUNDIR            write trace.log, capture.pcapng and run.json there\n"
    "                       (default runs/scan-YYYYmmdd-HHMMSS)\n"
    "  --dry-run            print the trace lines of the first try, send nothing\n"
    "  -d2, -d3             trace at nmap's MEDIUM / HIGH detail\n"
    "  -v                   print the trace lines on standard output too\n"
    "  -R                   reverse DNS of the hosts found up (names in the report)\n"
    "  --dns-servers A[,B]  the DNS servers for -R (default: /etc/resolv.conf)\n"
    "  --event-engine E     epoll (default) or poll;  --event-trace: nsock-style lines\n"
    "  -sn, -n              accepted for nmap compatibility (always so)\n";

static int64_t parse_time(const char *s)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || v < 0)
        return -1;
    double mult = 1e9;
    if (!strcmp(e, "ms"))
        mult = 1e6;
    else if (!strcmp(e, "s") || !*e)
        mult = 1e9;
    else if (!strcmp(e, "m"))
        mult = 60e9;
    else if (!strcmp(e, "h"))
        mult = 3600e9;
    else
        return -1;
    /* NaN, inf and more ns than int64 holds are no time (UB to convert) */
    if (!(v * mult < 9e18))
        return -1;
    return (int64_t)(v * mult);
}

static long parse_num(const char *s, long lo, long hi)
{
    char *e;
    errno = 0;
    long v = strtol(s, &e, 10);
    if (e == s || *e || errno || v < lo || v > hi)
        return LONG_MIN;
    return v;
}

static int usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "scantrace scan: ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    return ST_EXIT_USAGE;
}

/* Parse argv into cfg. Returns 0, -1 for --help, or an exit code. */
static int parse(int argc, char **argv, struct st_scan_config *cfg)
{
    char err[512];
    const char *flags[64];
    size_t nflags = 0;
    const char *excludes[16];
    size_t nexcludes = 0;
    bool any_target = false;

    memset(cfg, 0, sizeof *cfg);
    st_plan_init(&cfg->plan);
    cfg->ttl = cfg->source_port = -1;
    cfg->timing = (struct st_timing){.template_ = 3,
                                     .initial_rtt_ns = -1,
                                     .min_rtt_ns = -1,
                                     .max_rtt_ns = -1,
                                     .max_retries = -1,
                                     .scan_delay_ns = -1};
    cfg->event_engine = "epoll";
    cfg->argc = argc;
    cfg->argv = argv;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG()                                                                                 \
    do {                                                                                           \
        if (!v)                                                                                    \
            return usage_error("%s needs a value", a);                                             \
        i++;                                                                                       \
    } while (0)
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(scan_usage, stdout);
            return -1;
        } else if (!strncmp(a, "-P", 2)) {
            if (nflags == sizeof flags / sizeof flags[0])
                return usage_error("%s: too many -P options", a);
            flags[nflags++] = a;
        } else if (!strcmp(a, "-sn") || !strcmp(a, "-n")) {
            continue;
        } else if (!strcmp(a, "--send-ip") || !strcmp(a, "--disable-arp-ping")) {
            cfg->plan.arp_local = false;
        } else if (!strcmp(a, "--each-mode")) {
            cfg->plan.each_mode = true;
        } else if (!strcmp(a, "--unprivileged")) {
            cfg->unprivileged = true;
        } else if (!strcmp(a, "--privileged")) {
            cfg->unprivileged = false;
        } else if (!strcmp(a, "--dry-run")) {
            cfg->dry_run = true;
        } else if (!strcmp(a, "-R")) {
            cfg->rdns = true;
        } else if (!strcmp(a, "--dns-servers")) {
            NEED_ARG();
            cfg->dns_servers = v;
            cfg->rdns = true;
        } else if (!strcmp(a, "--event-trace")) {
            cfg->event_trace = true;
        } else if (!strcmp(a, "-v")) {
            cfg->verbose = true;
        } else if (!strcmp(a, "-d2") || !strcmp(a, "-d3") || !strcmp(a, "-d") ||
                   !strcmp(a, "-d1")) {
            cfg->detail = a[2] == '2' ? 1 : a[2] == '3' ? 2 : 0;
        } else if (a[0] == '-' && a[1] == 'T' && a[2] >= '0' && a[2] <= '5' && !a[3]) {
            cfg->timing.template_ = a[2] - '0';
        } else if (!strcmp(a, "-iL")) {
            NEED_ARG();
            if (st_targets_add_file(&cfg->targets, v, err, sizeof err))
                return usage_error("%s", err);
            any_target = true;
            if (cfg->nspecs < ST_SCAN_MAX_SPECS)
                cfg->specs[cfg->nspecs++] = v; /* the file's name stands for its specs */
        } else if (!strcmp(a, "--exclude")) {
            NEED_ARG();
            if (nexcludes == sizeof excludes / sizeof excludes[0])
                return usage_error("%s: too many", a);
            excludes[nexcludes++] = v;
        } else if (!strcmp(a, "-e") || !strcmp(a, "-i")) {
            NEED_ARG();
            cfg->ifname = v;
        } else if (!strcmp(a, "--user")) {
            NEED_ARG();
            cfg->user = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            NEED_ARG();
            cfg->rundir = v;
        } else if (!strcmp(a, "--event-engine")) {
            NEED_ARG();
            if (strcmp(v, "epoll") && strcmp(v, "poll"))
                return usage_error("--event-engine: epoll or poll, not '%s'", v);
            cfg->event_engine = v;
        } else if (!strcmp(a, "--max-retries")) {
            NEED_ARG();
            long n = parse_num(v, 0, 50);
            if (n == LONG_MIN)
                return usage_error("--max-retries: 0 to 50, not '%s'", v);
            cfg->timing.max_retries = (int)n;
        } else if (!strcmp(a, "--ttl")) {
            NEED_ARG();
            long n = parse_num(v, 1, 255);
            if (n == LONG_MIN)
                return usage_error("--ttl: 1 to 255, not '%s'", v);
            cfg->ttl = (int)n;
        } else if (!strcmp(a, "-g") || !strcmp(a, "--source-port")) {
            NEED_ARG();
            long n = parse_num(v, 1, 65535);
            if (n == LONG_MIN)
                return usage_error("-g: a port 1 to 65535, not '%s'", v);
            cfg->source_port = (int)n;
        } else if (!strcmp(a, "--min-rate") || !strcmp(a, "--max-rate")) {
            NEED_ARG();
            char *e;
            double r = strtod(v, &e);
            if (e == v || *e || !(r > 0) || !isfinite(r))
                return usage_error("a rate is a number of probes per second, not '%s'", v);
            if (a[3] == 'i')
                cfg->timing.min_rate = r;
            else
                cfg->timing.max_rate = r;
        } else if (!strcmp(a, "--initial-rtt-timeout") || !strcmp(a, "--min-rtt-timeout") ||
                   !strcmp(a, "--max-rtt-timeout") || !strcmp(a, "--probe-deadline")) {
            NEED_ARG();
            int64_t t = parse_time(v);
            if (t <= 0)
                return usage_error("a time is like 500ms, 2s or 1m, not '%s'", v);
            if (a[2] == 'i')
                cfg->timing.initial_rtt_ns = t;
            else if (a[2] == 'p')
                cfg->timing.deadline_ns = t;
            else if (a[3] == 'i')
                cfg->timing.min_rtt_ns = t;
            else
                cfg->timing.max_rtt_ns = t;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s (see scantrace scan --help)", a);
        } else {
            if (st_targets_add(&cfg->targets, a, err, sizeof err))
                return usage_error("%s", err);
            any_target = true;
            if (cfg->nspecs < ST_SCAN_MAX_SPECS)
                cfg->specs[cfg->nspecs++] = a;
        }
#undef NEED_ARG
    }
    for (size_t i = 0; i < nflags; i++)
        if (st_plan_add_flag(&cfg->plan, flags[i], err, sizeof err))
            return usage_error("%s", err);
    st_plan_finish(&cfg->plan);
    for (size_t i = 0; i < nexcludes; i++)
        if (st_targets_exclude(&cfg->targets, excludes[i], err, sizeof err))
            return usage_error("%s", err);
    if (!any_target)
        return usage_error("%s", "no targets (see scantrace scan --help)");
    if (!cfg->targets.n)
        return usage_error("%s", nexcludes ? "every target is excluded"
                                           : "no targets (the -iL file lists none)");
    if (cfg->timing.min_rate && cfg->timing.max_rate && cfg->timing.min_rate > cfg->timing.max_rate)
        return usage_error("%s", "--min-rate is above --max-rate");
    st_scan_timing(&cfg->timing);
    return 0;
}

/* The first try of every probe, as trace lines, with PASS lines. */
static int dry_run(struct st_scan_config *cfg)
{
    struct st_probe_ctx ctx = {.fixed_ttl = cfg->ttl, .rng = 0x5eed};
    ctx.sport_base = cfg->source_port >= 0 ? (uint16_t)cfg->source_port : 50000;
    ctx.key.k0 = 0x0102030405060708ULL;
    ctx.key.k1 = 0x1112131415161718ULL;

    for (size_t p = 0; p < cfg->plan.npasses; p++) {
        const struct st_pass *pass = &cfg->plan.passes[p];
        printf("PASS (0.0000s) mode=%s targets=%zu\n", pass->name, cfg->targets.n);
        for (size_t t = 0; t < cfg->targets.n; t++) {
            struct st_route r;
            char err[256];
            if (st_route_lookup(cfg->targets.addr[t], cfg->ifname, &r, err, sizeof err)) {
                fprintf(stderr, "scantrace scan: %s\n", err);
                return ST_EXIT_ENVIRONMENT;
            }
            ctx.src = r.src;
            memcpy(ctx.src_mac, r.mac, 6);
            struct st_probe_kind kinds[ST_PLAN_MAX_KINDS];
            size_t nk = st_plan_kinds_for(&cfg->plan, pass, &r, kinds);
            for (size_t k = 0; k < nk; k++) {
                struct st_probe_tmpl tm;
                uint8_t buf[ST_TMPL_MAX];
                struct st_pkt pk;
                char line[ST_LINE_MAX];
                kinds[k].mod->prepare(&ctx, kinds[k].port, &tm);
                size_t n = kinds[k].mod->make(&ctx, &tm, cfg->targets.addr[t], 0, buf, sizeof buf);
                st_decode(buf, n, kinds[k].mod->ethernet ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &pk);
                pk.dir = ST_DIR_SENT;
                st_format_desc_at(&pk, (enum st_detail)cfg->detail, line, sizeof line);
                printf("SENT (0.0000s) %s\n", line);
            }
        }
    }
    return fflush(stdout) ? ST_EXIT_ENVIRONMENT : ST_EXIT_OK;
}

int st_cmd_scan(int argc, char **argv)
{
    struct st_scan_config cfg;
    int rc = parse(argc, argv, &cfg);
    if (rc) {
        st_targets_free(&cfg.targets);
        return rc < 0 ? ST_EXIT_OK : rc;
    }
    rc = cfg.dry_run ? dry_run(&cfg) : st_scan_run(&cfg);
    st_targets_free(&cfg.targets);
    return rc;
}
