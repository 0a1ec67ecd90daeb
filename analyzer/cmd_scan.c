/*
 * scantrace scan: nmap's ping-scan options into a scan configuration (a
 * table, one row per option and what it sets; the -P and -T families and
 * the targets are read by pattern), then either the dry run (what would be
 * sent, as trace lines, nothing sent) or the discovery engine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <stddef.h>
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
    "198.18.2.1-20, 198.18.1-2.3 (no names are resolved); with -6 IPv6 addresses\n"
    "and prefixes: 2001:2:0:3::2, 2001:2:0:100::/120, fe80::1%eth0 (link-local: its\n"
    "interface named).\n"
    "\n"
    "Probes (nmap's flags; any combination; none: nmap's default):\n"
    "  -PE -PP -PM          ICMP echo, timestamp, address mask\n"
    "  -PS[ports] -PA[ports] TCP SYN / ACK (default 80)\n"
    "  -PU[ports]           UDP (default 40125)\n"
    "  -PY[ports]           SCTP INIT (default 80)\n"
    "  -PO[protocols]       IP protocols (default 1,2,4)\n"
    "  -PR                  ARP, or ND for -6 (always used on the local Ethernet segment)\n"
    "  --send-ip            IP probes even on the local segment (no ARP ping)\n"
    "  --disable-arp-ping   the same\n"
    "  --each-mode          each probe option as its own pass (PASS lines in the trace)\n"
    "  --unprivileged       TCP connect() to 80 and 443, as nmap without root\n"
    "\n"
    "Targets and interface:\n"
    "  -iL FILE             targets from FILE alone ('-' for stdin), as nmap\n"
    "  --exclude SPEC[,..]  leave these out\n"
    "  -6                   IPv6 (nmap -6): ND ping on the local segment, ICMPv6 echo,\n"
    "                       SYN/443 and ACK/80 routed; -PP and -PM are IPv4 only\n"
    "  -e IF, -i IF         use this interface\n"
    "  --user USER          as root: become USER once the raw socket, packet sockets\n"
    "                       and capture handles are open (default nobody; root: stay)\n"
    "\n"
    "  --shards N --shard I this scan is shard I (0..N-1) of N: the distinct targets\n"
    "                       in the order first named, dealt round-robin (zmap's\n"
    "                       idea); run each on its own host, then scantrace merge\n"
    "\n"
    "Timing (nmap's):\n"
    "  -T0..-T5             templates (default -T3)\n"
    "  --max-retries N      --initial-rtt-timeout T  --min-rtt-timeout T  --max-rtt-timeout T\n"
    "  --min-rate N         --max-rate N (probes per second)\n"
    "  --scan-delay T       wait T between two probes to a host (-T2: 400ms); with\n"
    "                       it, -T0..-T2 or a parallelism, probes are scheduled one\n"
    "                       by one as nmap does (see README, \"Polite timing\")\n"
    "  --max-scan-delay T   accepted (nmap raises a delay up to T; never in a ping)\n"
    "  --min-parallelism N  --max-parallelism N (-M N): probes in flight (-T0..-T2: 1)\n"
    "  --probe-deadline T   give up on a probe after T, whatever the RTT estimate\n"
    "                       (times: 500ms, 2s, 1m; a bare number is seconds)\n"
    "\n"
    "Probe contents and output:\n"
    "  --ttl N  -g PORT     fixed TTL (0-255) / source port of every try\n"
    "  -f, -ff, --mtu N     send IP probes as fragments of 8, 16 or N bytes\n"
    "  --ip-options OPTS    R, T, U, L|S HOPS, or \\x bytes (nmap's syntax)\n"
    "  -D D1,ME,D2,RND:N    copies of each probe from decoy sources\n"
    "  --badsum             bad TCP/UDP/SCTP/ICMP checksums\n"
    "  --data HEX, --data-string S, --data-length N   payload of the probes\n"
    "  -o RUNDIR            write trace.log, capture.pcapng and run.json there\n"
    "                       (default runs/scan-YYYYmmdd-HHMMSS); its parent must exist\n"
    "  --force              write into a non-empty RUNDIR (replaces trace.log,\n"
    "                       capture.pcapng and run.json; other files stay)\n"
    "  --dry-run            print the trace lines of the first try, send nothing\n"
    "  -d2, -d3             trace at nmap's MEDIUM / HIGH detail\n"
    "  -v                   print the trace lines on standard output too\n"
    "  --stats-every T      a progress line (hosts done, up, probes/s, time left) on\n"
    "                       standard error every T, also when it is not a terminal\n"
    "                       (on a terminal: one line redrawn each second)\n"
    "  -R                   reverse DNS of the hosts found up (names in the report)\n"
    "  --dns-servers A[,B]  the DNS servers for -R (default: /etc/resolv.conf)\n"
    "  --event-engine E     epoll (default) or poll;  --event-trace: nsock-style lines\n"
    "  -sn, -n              accepted for nmap compatibility (always so)\n"
    "\n"
    "Exit: 0 scanned (hosts up or not), 2 bad usage or a non-empty RUNDIR, 3\n"
    "environment (an interface, a full disk, no permission), 130 interrupted.\n";

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
    fputs(" (see 'scantrace scan --help')\n", stderr);
    return ST_EXIT_USAGE;
}

/* What parse() gathers before it can apply it: the -P options go into the
 * plan once every option is read (--each-mode may follow them), the excludes
 * once every target is. */
struct parse_state {
    struct st_scan_config *cfg;
    const char *flags[64];
    size_t nflags;
    const char *excludes[16];
    size_t nexcludes;
    bool any_target;
    /* the targets, applied once -6 (which may follow them) is known */
    struct target_word {
        const char *spec;
        bool file; /* -iL */
    } * words;
    size_t nwords;
    const char *decoys; /* -D's list, read once -6 is known */
};

struct scan_option;

/* What an option does with its value (NULL for a flag): 0, -1 for --help,
 * or an exit code (its line said). */
typedef int (*scan_option_fn)(struct parse_state *p, const struct scan_option *o, const char *v);

/* One entry of the option table. The generic setters write the member of
 * st_scan_config at `field`, which must have the type the setter writes
 * (bool, int, int64_t, double, const char *). */
struct scan_option {
    const char *names[2];
    scan_option_fn apply;
    bool value;      /* takes the next word, whatever it is */
    size_t field;    /* offsetof() in st_scan_config */
    long lo, hi;     /* set_bool, set_int: the value; set_number: the range */
    const char *msg; /* set_number: the error, with the value as %s */
};

static void *member(struct parse_state *p, const struct scan_option *o)
{
    return (char *)p->cfg + o->field;
}

static int opt_help(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)p, (void)o, (void)v;
    fputs(scan_usage, stdout);
    return -1;
}

static int opt_ignore(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)p, (void)o, (void)v;
    return 0;
}

static int set_bool(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)v;
    *(bool *)member(p, o) = o->lo != 0;
    return 0;
}

static int set_int(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)v;
    *(int *)member(p, o) = (int)o->lo;
    return 0;
}

static int set_string(struct parse_state *p, const struct scan_option *o, const char *v)
{
    *(const char **)member(p, o) = v;
    return 0;
}

static int set_number(struct parse_state *p, const struct scan_option *o, const char *v)
{
    long n = parse_num(v, o->lo, o->hi);
    if (n == LONG_MIN)
        return usage_error(o->msg, v);
    *(int *)member(p, o) = (int)n;
    return 0;
}

static int set_rate(struct parse_state *p, const struct scan_option *o, const char *v)
{
    char *e;
    double r = strtod(v, &e);
    if (e == v || *e || !(r > 0) || !isfinite(r))
        return usage_error("a rate is a number of probes per second, not '%s'", v);
    *(double *)member(p, o) = r;
    return 0;
}

static int set_time(struct parse_state *p, const struct scan_option *o, const char *v)
{
    int64_t t = parse_time(v);
    if (t <= 0)
        return usage_error("a time is like 500ms, 2s or 1m, not '%s'", v);
    *(int64_t *)member(p, o) = t;
    return 0;
}

/* --scan-delay, --max-scan-delay: a time, 0 included (nmap's "no delay",
 * over the template's) */
static int set_delay(struct parse_state *p, const struct scan_option *o, const char *v)
{
    int64_t t = parse_time(v);
    if (t < 0)
        return usage_error("a time is like 500ms, 2s or 1m, not '%s'", v);
    *(int64_t *)member(p, o) = t;
    return 0;
}

static int opt_dns_servers(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)o;
    p->cfg->dns_servers = v;
    p->cfg->rdns = true;
    return 0;
}

static int opt_event_engine(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)o;
    if (strcmp(v, "epoll") && strcmp(v, "poll"))
        return usage_error("--event-engine: epoll or poll, not '%s'", v);
    p->cfg->event_engine = v;
    return 0;
}

/* nmap's evasion options (evasion.h): -f (twice: -ff), -ff, --mtu N,
 * --ip-options, -D, --badsum, --data, --data-string, --data-length. */
static int opt_evasion(struct parse_state *p, const struct scan_option *o, const char *v)
{
    struct st_evasion *ev = &p->cfg->evasion;
    const char *n = o->names[0];
    char err[256];
    uint64_t rng = (uint64_t)st_clock_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32;
    int rc = 0;
    long k;
    if (!strcmp(n, "-f") || !strcmp(n, "-ff")) {
        ev->mtu = ev->mtu || n[2] ? 16 : 8;
    } else if (!strcmp(n, "--badsum")) {
        ev->badsum = true;
    } else if (!strcmp(n, "--mtu")) {
        if ((k = parse_num(v, 8, 1400)) == LONG_MIN || k % 8)
            return usage_error("--mtu: a multiple of 8 from 8 to 1400, not '%s'", v);
        ev->mtu = (unsigned)k;
    } else if (!strcmp(n, "--data-length")) {
        if ((k = parse_num(v, 0, ST_EVASION_MAX_DATA)) == LONG_MIN)
            return usage_error("--data-length: 0 to 1400, not '%s'", v);
        rc = st_evasion_data_length(ev, (unsigned long)k, &rng, err, sizeof err);
    } else if (!strcmp(n, "--data")) {
        rc = st_evasion_data_hex(ev, v, err, sizeof err);
    } else if (!strcmp(n, "--data-string")) {
        rc = st_evasion_data_string(ev, v, err, sizeof err);
    } else if (!strcmp(n, "--ip-options")) {
        rc = st_evasion_ipopts(ev, v, err, sizeof err);
    } else {
        p->decoys = v; /* read once -6 (which may follow) is known, as nmap does */
    }
    return rc ? usage_error("%s", err) : 0;
}

static int opt_exclude(struct parse_state *p, const struct scan_option *o, const char *v)
{
    if (p->nexcludes == sizeof p->excludes / sizeof p->excludes[0])
        return usage_error("%s: too many", o->names[0]);
    p->excludes[p->nexcludes++] = v;
    return 0;
}

/* A target spec, or -iL's file (whose name then stands for its specs):
 * kept until every word is read. */
static int add_targets(struct parse_state *p, const char *spec, bool file)
{
    p->words[p->nwords++] = (struct target_word){spec, file};
    p->any_target = true;
    return 0;
}

/* One target word into the IPv4 or (-6) the IPv6 list. nmap without -6
 * refuses an IPv6 address, and with -6 does not resolve an IPv4 one. */
static int apply_target(struct parse_state *p, const struct target_word *w)
{
    char err[512];
    struct st_scan_config *cfg = p->cfg;
    int rc;
    if (!w->file && !cfg->v6 && st_targets6_is_spec(w->spec))
        return usage_error("%s looks like an IPv6 target: give -6", w->spec);
    if (!w->file && cfg->v6 && !st_targets6_is_spec(w->spec))
        return usage_error("%s is no IPv6 target (-6 scans IPv6 only)", w->spec);
    if (cfg->v6)
        rc = w->file ? st_targets6_add_file(&cfg->targets6, w->spec, err, sizeof err)
                     : st_targets6_add(&cfg->targets6, w->spec, err, sizeof err);
    else
        rc = w->file ? st_targets_add_file(&cfg->targets, w->spec, err, sizeof err)
                     : st_targets_add(&cfg->targets, w->spec, err, sizeof err);
    if (rc)
        return usage_error("%s", err);
    if (cfg->nspecs < ST_SCAN_MAX_SPECS)
        cfg->specs[cfg->nspecs++] = w->spec;
    return 0;
}

/* -6: the engine carries each IPv6 target as its key (scan_config.h). */
static int keys_of_targets6(struct st_scan_config *cfg)
{
    return st_targets6_keys(&cfg->targets6, &cfg->targets) ? usage_error("%s", "out of memory") : 0;
}

/* The targets and excludes, once every word is read. */
static int apply_targets(struct parse_state *p)
{
    char err[512];
    struct st_scan_config *cfg = p->cfg;
    /* nmap -iL FILE scans the file's targets alone: the command line's
     * target words are read as nothing (st_nmap_input) */
    bool from_file = false;
    for (size_t i = 0; i < p->nwords; i++)
        from_file |= p->words[i].file;
    for (size_t i = 0; i < p->nwords; i++) {
        if (from_file && !p->words[i].file) {
            fprintf(stderr,
                    "scantrace scan: %s: not scanned: with -iL, as with nmap, the targets "
                    "are the file's\n",
                    p->words[i].spec);
            continue;
        }
        int rc = apply_target(p, &p->words[i]);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < p->nexcludes; i++)
        if (cfg->v6 ? st_targets6_exclude(&cfg->targets6, p->excludes[i], err, sizeof err)
                    : st_targets_exclude(&cfg->targets, p->excludes[i], err, sizeof err))
            return usage_error("%s", err);
    /* fe80::1%eth0: the zone is the interface the scan goes out of */
    const char *zone = cfg->targets6.zone;
    if (zone[0] && cfg->ifname && strcmp(zone, cfg->ifname)) {
        snprintf(err, sizeof err, "the targets' zone %s is not -e %s", zone, cfg->ifname);
        return usage_error("%s", err);
    }
    if (zone[0])
        cfg->ifname = zone;
    /* fe80::/10 is on every link: without a zone or -e the user has not said
     * which (a usage error, not the environment's) */
    for (size_t i = 0; cfg->v6 && !cfg->ifname && i < cfg->targets6.n; i++)
        if (st_addr6_link_local(cfg->targets6.addr[i])) {
            char a[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, cfg->targets6.addr[i], a, sizeof a);
            snprintf(err, sizeof err, "%s is link-local: name its interface (%s%%eth0, or -e eth0)",
                     a, a);
            return usage_error("%s", err);
        }
    return cfg->v6 ? keys_of_targets6(cfg) : 0;
}

static int opt_target_file(struct parse_state *p, const struct scan_option *o, const char *v)
{
    (void)o;
    for (size_t i = 0; i < p->nwords; i++)
        if (p->words[i].file) /* nmap's words for it */
            return usage_error("%s", "-iL: only one input filename allowed");
    return add_targets(p, v, true);
}

/* The table's rows: a flag that sets a member to a value, an option whose
 * value a setter takes, a number in a range. */
#define CFG(m) offsetof(struct st_scan_config, m)
#define SET(name, fn, m, v)                                                                        \
    {                                                                                              \
        .names = {name}, .apply = fn, .field = CFG(m), .lo = v                                     \
    }
#define TAKES(name, alias, fn, m)                                                                  \
    {                                                                                              \
        .names = {name, alias}, .apply = fn, .value = true, .field = CFG(m)                        \
    }
#define NUMBER(name, alias, m, min, max, message)                                                  \
    {                                                                                              \
        .names = {name, alias}, .apply = set_number, .value = true, .field = CFG(m), .lo = min,    \
        .hi = max, .msg = message                                                                  \
    }
static const struct scan_option scan_options[] = {
    {.names = {"--help", "-h"}, .apply = opt_help},
    {.names = {"-sn", "-n"}, .apply = opt_ignore}, /* nmap's; always so here */
    {.names = {"--send-ip", "--disable-arp-ping"}, .apply = set_bool, .field = CFG(plan.arp_local)},
    SET("--each-mode", set_bool, plan.each_mode, 1),
    SET("--unprivileged", set_bool, unprivileged, 1),
    SET("--privileged", set_bool, unprivileged, 0),
    SET("--dry-run", set_bool, dry_run, 1),
    SET("--force", set_bool, force, 1),
    SET("-R", set_bool, rdns, 1),
    SET("-6", set_bool, v6, 1),
    SET("--event-trace", set_bool, event_trace, 1),
    SET("-v", set_bool, verbose, 1),
    {.names = {"-d", "-d1"}, .apply = set_int, .field = CFG(detail)},
    SET("-d2", set_int, detail, 1),
    SET("-d3", set_int, detail, 2),
    {.names = {"--dns-servers"}, .apply = opt_dns_servers, .value = true},
    {.names = {"-iL"}, .apply = opt_target_file, .value = true},
    {.names = {"--exclude"}, .apply = opt_exclude, .value = true},
    {.names = {"--event-engine"}, .apply = opt_event_engine, .value = true},
    TAKES("-e", "-i", set_string, ifname),
    TAKES("--user", NULL, set_string, user),
    TAKES("-o", "--output", set_string, rundir),
    NUMBER("--max-retries", NULL, timing.max_retries, 0, 50, "--max-retries: 0 to 50, not '%s'"),
    NUMBER("--ttl", NULL, ttl, 0, 255, "--ttl: 0 to 255, not '%s'"),
    NUMBER("--min-parallelism", NULL, timing.min_parallelism, 1, 100000,
           "--min-parallelism: at least 1, not '%s'"),
    NUMBER("--max-parallelism", "-M", timing.max_parallelism, 1, 100000,
           "--max-parallelism: at least 1, not '%s'"),
    NUMBER("--shards", NULL, shards, 1, 65536, "--shards: 1 to 65536, not '%s'"),
    NUMBER("--shard", NULL, shard, 0, 65535, "--shard: 0 to 65535, not '%s'"),
    NUMBER("-g", "--source-port", source_port, 0, 65535, "-g: a port 0 to 65535, not '%s'"),
    {.names = {"-f"}, .apply = opt_evasion},
    {.names = {"-ff"}, .apply = opt_evasion},
    {.names = {"--badsum"}, .apply = opt_evasion},
    {.names = {"--mtu"}, .apply = opt_evasion, .value = true},
    {.names = {"--ip-options"}, .apply = opt_evasion, .value = true},
    {.names = {"-D"}, .apply = opt_evasion, .value = true},
    {.names = {"--data"}, .apply = opt_evasion, .value = true},
    {.names = {"--data-string"}, .apply = opt_evasion, .value = true},
    {.names = {"--data-length"}, .apply = opt_evasion, .value = true},
    TAKES("--min-rate", NULL, set_rate, timing.min_rate),
    TAKES("--max-rate", NULL, set_rate, timing.max_rate),
    TAKES("--initial-rtt-timeout", NULL, set_time, timing.initial_rtt_ns),
    TAKES("--min-rtt-timeout", NULL, set_time, timing.min_rtt_ns),
    TAKES("--max-rtt-timeout", NULL, set_time, timing.max_rtt_ns),
    TAKES("--probe-deadline", NULL, set_time, timing.deadline_ns),
    TAKES("--scan-delay", NULL, set_delay, timing.scan_delay_ns),
    TAKES("--max-scan-delay", NULL, set_delay, timing.max_scan_delay_ns),
    TAKES("--stats-every", NULL, set_time, stats_every_ns),
};
#undef NUMBER
#undef TAKES
#undef SET
#undef CFG

static const struct scan_option *find_option(const char *word)
{
    for (size_t i = 0; i < sizeof scan_options / sizeof scan_options[0]; i++)
        for (size_t k = 0; k < 2 && scan_options[i].names[k]; k++)
            if (!strcmp(word, scan_options[i].names[k]))
                return &scan_options[i];
    return NULL;
}

/* A word the table does not name: -P<probe>[ports], -T<0-5>, or a target. */
static int parse_word(struct parse_state *p, const char *a)
{
    if (!strncmp(a, "-P", 2)) {
        if (p->nflags == sizeof p->flags / sizeof p->flags[0])
            return usage_error("%s: too many -P options", a);
        p->flags[p->nflags++] = a;
        return 0;
    }
    if (a[0] == '-' && a[1] == 'T' && a[2] >= '0' && a[2] <= '5' && !a[3]) {
        p->cfg->timing.template_ = a[2] - '0';
        return 0;
    }
    if (a[0] == '-' && a[1])
        return usage_error("unknown option %s", a);
    return add_targets(p, a, false);
}

/* --shards N --shard I: keep shard I of the targets (it may be empty: a
 * sweep of fewer addresses than shards still runs every shard). */
static int take_shard(struct st_scan_config *cfg)
{
    if (!cfg->shards && cfg->shard < 0)
        return 0;
    if (!cfg->shards || cfg->shard < 0)
        return usage_error("%s", "--shards N and --shard I go together");
    if (cfg->shard >= cfg->shards)
        return usage_error("%s: shards are numbered 0 to N-1 (--shards N)", "--shard");
    if (st_targets_shard(&cfg->targets, (unsigned)cfg->shards, (unsigned)cfg->shard, &cfg->sweep))
        return usage_error("%s", "--shard: out of memory");
    if (cfg->v6)
        cfg->sweep.digest = st_targets6_digest(&cfg->targets6);
    return 0;
}

/* -D's list, and the evasion options under -6 as nmap -6 takes them:
 * fragments refused, IP options ignored (IPv6 has none; said here, nmap
 * says nothing), payload, --badsum and IPv6 decoys applied. */
static int evasion_finish(struct parse_state *p)
{
    struct st_scan_config *cfg = p->cfg;
    struct st_evasion *ev = &cfg->evasion;
    char err[256];
    uint64_t rng = (uint64_t)st_clock_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32;
    if (p->decoys && st_evasion_decoys(ev, p->decoys, cfg->v6, &rng, err, sizeof err))
        return usage_error("%s", err);
    if (st_evasion_check_plan(ev, &cfg->plan, err, sizeof err))
        return usage_error("%s", err);
    if (!cfg->v6)
        return 0;
    if (ev->mtu)
        return usage_error("%s", "-f, -ff and --mtu: fragmentation is not supported with IPv6 "
                                 "(nmap -6 refuses it too)");
    if (ev->ipoptlen) {
        fprintf(stderr, "scantrace scan: --ip-options: IPv6 has no IP options: ignored with -6, as "
                        "nmap -6 ignores them\n");
        ev->ipoptlen = 0;
        ev->route_last = -1;
    }
    return 0;
}

/* What can only be checked once every word is read. */
static int parse_finish(struct parse_state *p)
{
    char err[512];
    struct st_scan_config *cfg = p->cfg;
    cfg->plan.v6 = cfg->v6;
    for (size_t i = 0; i < p->nflags; i++)
        if (st_plan_add_flag(&cfg->plan, p->flags[i], err, sizeof err))
            return usage_error("%s", err);
    if (st_plan_check(&cfg->plan, err, sizeof err))
        return usage_error("%s", err);
    st_plan_finish(&cfg->plan);
    int rc = evasion_finish(p);
    if (rc)
        return rc;
    rc = apply_targets(p);
    if (rc)
        return rc;
    if (!p->any_target)
        return usage_error("%s", "no targets");
    if (!cfg->targets.n)
        return usage_error("%s", p->nexcludes ? "every target is excluded"
                                              : "no targets (the -iL file lists none)");
    /* -6: the shards split the keys (the same list, the same keys in every shard) */
    rc = take_shard(cfg);
    if (rc)
        return rc;
    if (cfg->timing.min_rate && cfg->timing.max_rate && cfg->timing.min_rate > cfg->timing.max_rate)
        return usage_error("%s", "--min-rate is above --max-rate");
    /* nmap says so, and applies them all the same (lab: -T3 --scan-delay
     * 200ms --max-parallelism 1 sends one probe at a time) */
    if (cfg->timing.scan_delay_ns >= 0 &&
        (cfg->timing.max_parallelism >= 0 || cfg->timing.min_parallelism))
        fputs("scantrace scan: warning: nmap says --min-parallelism and --max-parallelism are "
              "ignored with --scan-delay, and applies them all the same: so does scan\n",
              stderr);
    /* nmap takes port 0 with this warning: some stacks drop what comes from it */
    if (!cfg->source_port)
        fputs("scantrace scan: warning: a source port of zero may not work on all systems\n",
              stderr);
    st_scan_timing(&cfg->timing);
    return 0;
}

/* Parse argv into cfg. Returns 0, -1 for --help, or an exit code. */
static int parse(int argc, char **argv, struct st_scan_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    st_plan_init(&cfg->plan);
    st_evasion_init(&cfg->evasion);
    cfg->ttl = cfg->source_port = cfg->shard = -1;
    st_timing_unset(&cfg->timing);
    cfg->event_engine = "epoll";
    cfg->argc = argc;
    cfg->argv = argv;

    struct parse_state p = {.cfg = cfg, .words = calloc((size_t)argc, sizeof *p.words)};
    if (!p.words)
        return usage_error("%s", "out of memory");
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        const struct scan_option *o = find_option(a);
        if (!o)
            rc = parse_word(&p, a);
        else if (o->value && i + 1 >= argc)
            rc = usage_error("%s needs a value", a);
        else
            rc = o->apply(&p, o, o->value ? argv[++i] : NULL);
    }
    if (!rc)
        rc = parse_finish(&p);
    free(p.words);
    return rc;
}

/* The SENT lines of one probe as the scan would trace it: with evasion
 * options, a line per copy (decoys), each the datagram before cutting. */
static void dry_probe(const struct st_scan_config *cfg, struct st_probe_ctx *ctx,
                      const uint8_t *buf, size_t n, bool ethernet)
{
    const struct st_evasion *ev = &cfg->evasion;
    bool evasive = !ethernet && st_evasion_active(ev);
    for (size_t d = 0; d < (evasive ? st_evasion_copies(ev) : 1); d++) {
        uint8_t dg[ST_EVASION_DGRAM_MAX];
        char line[ST_LINE_MAX], decoy[INET6_ADDRSTRLEN];
        uint32_t hop;
        size_t len = n;
        if (evasive) {
            bool is_decoy = st_evasion_decoy(ev, cfg->v6, d, decoy);
            int ttl = is_decoy && !cfg->v6 ? st_probe_ttl(ctx) : -1;
            len = st_evasion_copy(ev, cfg->v6, d, buf, n, ttl, dg, sizeof dg, &hop);
        }
        if (!len) /* the scan would count it as a send error */
            continue;
        struct st_pkt pk;
        st_decode(evasive ? dg : buf, len, ethernet ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &pk);
        pk.dir = ST_DIR_SENT;
        st_format_desc_at(&pk, (enum st_detail)cfg->detail, line, sizeof line);
        printf("SENT (0.0000s) %s\n", line);
    }
}

static int dry_passes(struct st_scan_config *cfg, const struct st_sched *copies)
{
    struct st_probe_ctx ctx = {
        .fixed_ttl = cfg->ttl, .rng = 0x5eed, .payload = (uint16_t)cfg->evasion.datalen};
    ctx.sport_base = cfg->source_port >= 0 ? (uint16_t)cfg->source_port : 50000;
    ctx.fixed_sport = cfg->source_port >= 0;
    ctx.key.k0 = 0x0102030405060708ULL;
    ctx.key.k1 = 0x1112131415161718ULL;
    ctx.v6 = cfg->v6;
    ctx.t6 = &cfg->targets6;
    /* the host's own addresses get no probe (up, localhost-response), as in
     * the scan itself */
    struct st_local_addrs local;
    st_local_addrs_read(&local);
    /* a bad -e is the scan's refusal before anything is planned, as the
     * scan itself refuses it: no PASS line above the error */
    if (cfg->ifname && !if_nametoindex(cfg->ifname)) {
        fprintf(stderr, "scantrace scan: %s: no such interface\n", cfg->ifname);
        return ST_EXIT_ENVIRONMENT;
    }

    for (size_t p = 0; p < cfg->plan.npasses; p++) {
        const struct st_pass *pass = &cfg->plan.passes[p];
        printf("PASS (0.0000s) mode=%s targets=%zu\n", pass->token, cfg->targets.n);
        for (size_t t = 0; t < cfg->targets.n; t++) {
            struct st_route r;
            char err[256];
            uint32_t addr = cfg->targets.addr[t];
            const uint8_t *a6 = cfg->v6 ? st_targets6_addr(&cfg->targets6, addr) : NULL;
            if (cfg->v6 ? a6 && st_local_addr6(&local, a6) : st_local_addr4(&local, addr))
                continue;
            if (cfg->v6 ? st_route_lookup6(st_targets6_addr(&cfg->targets6, addr), cfg->ifname, &r,
                                           err, sizeof err)
                        : st_route_lookup(addr, cfg->ifname, &r, err, sizeof err)) {
                fprintf(stderr, "scantrace scan: %s\n", err);
                return ST_EXIT_ENVIRONMENT;
            }
            ctx.src = r.src;
            memcpy(ctx.src6, r.src6, 16);
            memcpy(ctx.src_mac, r.mac, 6);
            struct st_probe_kind kinds[ST_PLAN_MAX_KINDS];
            size_t nk = st_plan_kinds_for(&cfg->plan, pass, &r, kinds);
            for (size_t k = 0; k < nk; k++) {
                struct st_probe_tmpl tm;
                uint8_t buf[ST_TMPL_MAX];
                kinds[k].mod->prepare(&ctx, kinds[k].port, &tm);
                size_t n = kinds[k].mod->make(&ctx, &tm, cfg->targets.addr[t],
                                              st_sched_attempt(copies, &copies->hosts[t], 0), buf,
                                              sizeof buf);
                dry_probe(cfg, &ctx, buf, n, kinds[k].mod->ethernet);
            }
        }
    }
    return fflush(stdout) ? ST_EXIT_ENVIRONMENT : ST_EXIT_OK;
}

/* The first try of every probe, as trace lines, with PASS lines (each
 * copy of a target given twice with its own attempt number, as the scan's
 * scheduler gives them). */
static int dry_run(struct st_scan_config *cfg)
{
    struct st_sched copies;
    if (st_sched_init(&copies, cfg->targets.addr, NULL, cfg->targets.n, &cfg->timing, 0)) {
        fprintf(stderr, "scantrace scan: out of memory\n");
        return ST_EXIT_ENVIRONMENT;
    }
    int rc = dry_passes(cfg, &copies);
    st_sched_free(&copies);
    return rc;
}

int st_cmd_scan(int argc, char **argv)
{
    struct st_scan_config cfg;
    int rc = parse(argc, argv, &cfg);
    if (rc) {
        st_targets_free(&cfg.targets);
        st_targets6_free(&cfg.targets6);
        return rc < 0 ? ST_EXIT_OK : rc;
    }
    rc = cfg.dry_run ? dry_run(&cfg) : st_scan_run(&cfg);
    st_targets_free(&cfg.targets);
    st_targets6_free(&cfg.targets6);
    return rc;
}
