/*
 * A live scan: the discovery engine (or connect() pings) inside the run
 * lifecycle (lifecycle.h: the run directory, the capture live before the
 * first probe, run.json, signals), and nmap's report on standard output.
 * Ctrl-C or SIGTERM stops sending; the capture is then stopped and every file
 * finished, so what is on disk stays valid (run.json says "interrupted").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "util.h"
#include "scan.h"
#include "dns.h"
#include "lifecycle.h"
#include "privdrop.h"
#include "scan_hosts.h"
#include "scan_run.h"

#define ME        "scantrace scan"
#define LINGER_NS 300000000LL /* late replies after the last pass */
/* The linger ends sooner once the wire has been quiet for 4x the round-trip
 * bound of the last pass (at least 20 ms, more than the capture's 10 ms block
 * timeout): no reply is still under way then. A pass without any reply
 * (silent space) already waited out every probe's timeout: 100 ms of quiet,
 * nmap's smallest RTT timeout, is enough there. */
#define IDLE_MIN_NS    20000000LL
#define IDLE_SILENT_NS 100000000LL

static void on_host(void *ud, const char *mode, const struct st_sched_host *h)
{
    struct st_host_verdict v = {.addr = h->addr,
                                .up = h->state == ST_HOST_UP,
                                .decided = h->state != ST_HOST_PENDING,
                                .tries = h->tries,
                                .latency_ns = h->latency_ns,
                                .mode = mode,
                                .reason = h->reason};
    st_hosts_add(ud, &v);
}

/* --dns-servers a,b,c, else the nameservers of /etc/resolv.conf (IPv4). */
static int dns_servers(const char *list, struct sockaddr_in *out, size_t max, size_t *n, char *err,
                       size_t errsz)
{
    char buf[1024];
    *n = 0;
    if (list) {
        snprintf(buf, sizeof buf, "%s", list);
        char *save = NULL;
        for (char *w = strtok_r(buf, ",", &save); w && *n < max; w = strtok_r(NULL, ",", &save)) {
            memset(&out[*n], 0, sizeof out[*n]);
            out[*n].sin_family = AF_INET;
            if (inet_pton(AF_INET, w, &out[*n].sin_addr) != 1) {
                snprintf(err, errsz, "--dns-servers: not an IPv4 address: %s", w);
                return -1;
            }
            (*n)++;
        }
        return 0;
    }
    FILE *f = fopen("/etc/resolv.conf", "re");
    while (f && *n < max && fgets(buf, sizeof buf, f)) {
        char addr[64];
        if (sscanf(buf, " nameserver %63s", addr) != 1)
            continue;
        memset(&out[*n], 0, sizeof out[*n]);
        out[*n].sin_family = AF_INET;
        if (inet_pton(AF_INET, addr, &out[*n].sin_addr) == 1)
            (*n)++;
    }
    if (f)
        fclose(f);
    if (!*n) {
        snprintf(err, errsz, "no DNS server (give --dns-servers)");
        return -1;
    }
    return 0;
}

/* Reverse DNS of the up hosts (-R), as nmap does after discovery. */
static void resolve_names(const struct st_scan_config *cfg, struct st_host_table *v)
{
    size_t n = v->n, k = 0;
    struct st_rdns_query *q = calloc(n ? n : 1, sizeof *q);
    size_t *which = calloc(n ? n : 1, sizeof *which);
    struct sockaddr_in servers[8];
    size_t ns = 0;
    char err[256];

    if (!q || !which || dns_servers(cfg->dns_servers, servers, 8, &ns, err, sizeof err)) {
        fprintf(stderr, "scantrace scan: -R: %s\n", q && which ? err : "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n && k < 65536; i++) {
        if (!v->v[i].up)
            continue;
        const uint8_t *a6 = cfg->v6 ? st_targets6_addr(&cfg->targets6, v->v[i].addr) : NULL;
        q[k].v6 = a6 != NULL;
        if (a6)
            memcpy(q[k].addr6.s6_addr, a6, 16);
        else
            q[k].addr.s_addr = htonl(v->v[i].addr);
        which[k++] = i;
    }
    struct st_rdns_opts o = {.servers = servers,
                             .nservers = ns,
                             .engine = cfg->event_engine,
                             .event_trace = cfg->event_trace ? stderr : NULL};
    int rc = st_rdns_resolve(q, k, &o);
    if (rc) {
        fprintf(stderr, "scantrace scan: -R: %s\n", strerror(-rc));
        goto out;
    }
    for (size_t i = 0; i < k; i++)
        if (q[i].name[0] && !(v->v[which[i]].name = strdup(q[i].name)))
            abort();
out:
    free(q);
    free(which);
}

/*
 * The ports of nmap's unprivileged ping for a pass: the -PS and -PA ports
 * (80 and 443 for the default pass), 80 for an ICMP probe (with nmap's
 * warning). UDP, SCTP and protocol probes cannot be done without raw
 * sockets: nmap refuses them, so does this. Returns how many, or -1.
 */
static int connect_ports(const struct st_pass *pass, unsigned short *ports, size_t room,
                         bool *warned)
{
    size_t n = 0;
    if (!strcmp(pass->name, "default")) {
        memcpy(ports, st_nmap_connect_ports, sizeof st_nmap_connect_ports);
        return ST_NMAP_CONNECT_PORTS_N;
    }
    for (size_t k = 0; k < pass->nkinds; k++) {
        const struct st_probe_kind *kd = &pass->kinds[k];
        unsigned short port;
        const char *name = kd->mod->name;
        if (!strcmp(name, "syn") || !strcmp(name, "ack")) {
            port = kd->port;
        } else if (!strcmp(name, "echo") || !strcmp(name, "timestamp") || !strcmp(name, "mask")) {
            if (!*warned)
                fprintf(stderr, "Warning:  You are not root -- using TCP pingscan rather than "
                                "ICMP\n");
            *warned = true;
            port = ST_NMAP_TCP_PROBE_PORT;
        } else if (!strcmp(name, "arp")) {
            continue;
        } else {
            fprintf(stderr,
                    "scantrace scan: Sorry, %s ping (%s) only works with raw sockets "
                    "(root): it needs to read raw responses off the wire\n",
                    name, kd->mod->flag);
            return -1;
        }
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= ports[i] == port;
        if (!dup && n < room)
            ports[n++] = port;
    }
    if (!n) {
        memcpy(ports, st_nmap_connect_ports, sizeof st_nmap_connect_ports);
        n = ST_NMAP_CONNECT_PORTS_N;
    }
    return (int)n;
}

/* One pass of connect() pings through the event engine, with nmap's CONN lines. */
static int connect_pass(const struct st_scan_config *cfg, const struct st_pass *pass, FILE *trace,
                        int64_t start, struct st_host_table *v, bool *warned)
{
    unsigned short ports[64];
    int np = connect_ports(pass, ports, 64, warned);
    if (np < 0)
        return ST_EXIT_ENVIRONMENT;
    struct st_cping_host *hosts = calloc(cfg->targets.n ? cfg->targets.n : 1, sizeof *hosts);
    if (!hosts)
        return ST_EXIT_ENVIRONMENT;
    for (size_t i = 0; i < cfg->targets.n; i++) {
        const uint8_t *a6 = cfg->v6 ? st_targets6_addr(&cfg->targets6, cfg->targets.addr[i]) : NULL;
        hosts[i].v6 = a6 != NULL;
        if (a6)
            memcpy(hosts[i].addr6.s6_addr, a6, 16);
        else
            hosts[i].addr.s_addr = htonl(cfg->targets.addr[i]);
    }
    /* the traces count from the scan's start, on the monotonic clock */
    int64_t since = st_now_ns() - start;
    int64_t origin_ns = st_clock_ns(CLOCK_MONOTONIC) - since;
    struct timespec origin = {.tv_sec = origin_ns / 1000000000, .tv_nsec = origin_ns % 1000000000};
    const struct st_timing *t = &cfg->timing;
    struct st_cping_opts o = {.ports = ports,
                              .nports = (size_t)np,
                              .initial_rtt_ms = (int)(t->initial_rtt_ns / 1000000),
                              .min_rtt_ms = (int)(t->min_rtt_ns / 1000000),
                              .max_rtt_ms = (int)(t->max_rtt_ns / 1000000),
                              .max_tries = t->max_retries < 1 ? 1 : 2,
                              .engine = cfg->event_engine,
                              .trace = trace,
                              .event_trace = cfg->event_trace ? stderr : NULL,
                              .origin = &origin};
    fprintf(trace, "PASS (%.4fs) mode=connect targets=%zu\n", (double)since / 1e9, cfg->targets.n);
    int rc = st_connect_ping(hosts, cfg->targets.n, &o);
    for (size_t i = 0; rc == 0 && i < cfg->targets.n; i++) {
        struct st_sched_host h = {
            .addr = cfg->v6 ? cfg->targets.addr[i] : ntohl(hosts[i].addr.s_addr),
            .state = hosts[i].up ? ST_HOST_UP : ST_HOST_DOWN,
            .reason = hosts[i].reason,
            .tries = (uint8_t)hosts[i].tries,
            .latency_ns = hosts[i].up ? (int64_t)(hosts[i].latency_s * 1e9) : -1};
        on_host(v, "connect", &h);
    }
    free(hosts);
    if (rc) {
        fprintf(stderr, "scantrace scan: connect ping: %s\n", strerror(-rc));
        return ST_EXIT_ENVIRONMENT;
    }
    return 0;
}

static void default_rundir(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "runs/scan-%Y%m%d-%H%M%S", &tm);
}

/* run.json "user": who the scan ran as in the end, and what it could still do. */
static json_object *user_json(const struct st_privdrop *d)
{
    json_object *u = json_object_new_object();
    char caps[32] = "unknown", line[256];
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %31s", caps) == 1)
            break;
    if (f)
        fclose(f);
    struct passwd *pw = getpwuid(geteuid());
    json_object_object_add(u, "name", json_object_new_string(pw ? pw->pw_name : "?"));
    json_object_object_add(u, "uid", json_object_new_int64((int64_t)geteuid()));
    json_object_object_add(u, "gid", json_object_new_int64((int64_t)getegid()));
    json_object_object_add(u, "root_dropped", json_object_new_boolean(d->done));
    json_object_object_add(u, "cap_eff", json_object_new_string(caps));
    return u;
}

/* One scan: its configuration, its run (lifecycle.h), and what the engine
 * reports back. Lives in st_scan_run()'s frame until the end. */
struct scan {
    struct st_scan_config *cfg;
    bool privileged;
    struct st_run run;
    struct st_privdrop drop;
    char dir[256]; /* the default run directory's name */
    char ifnames[16][IF_NAMESIZE];
    const char *ifname_list[16];
    int nifs;
    struct st_host_table hosts;
    struct st_scan_hooks hooks;
    int64_t rtt_bound;
    uint64_t rx_dropped;
    unsigned long send_errors; /* probes the kernel refused */
    int send_errno;
};

/* The engine's hooks->opened: every socket and handle is open. The run
 * begins (the capture, started meanwhile on a thread, is live; the first
 * run.json is written), then root is dropped. */
static int begin_then_drop(void *ud, char *err, size_t errsz)
{
    struct scan *s = ud;
    if (st_run_begin(&s->run, &s->drop)) {
        snprintf(err, errsz, "%s", s->run.err);
        return -1;
    }
    s->hooks.capture = s->run.cap;
    return st_privdrop_now(&s->drop, err, errsz);
}

/*
 * What is refused before anything is written: an unknown --user, a probe
 * that connect() cannot do (as nmap), an interface that cannot be used.
 * 0 with the interfaces to capture, or an exit code (its line said).
 */
static int scan_refusals(struct scan *s)
{
    const struct st_scan_config *cfg = s->cfg;
    char err[512];
    if (st_privdrop_prepare(&s->drop, cfg->user ? cfg->user : "nobody", err, sizeof err)) {
        fprintf(stderr, ME ": %s\n", err);
        return ST_EXIT_USAGE;
    }
    if (cfg->unprivileged || !s->privileged) {
        bool warned = true; /* the pass itself warns */
        unsigned short ports[64];
        for (size_t i = 0; i < cfg->plan.npasses; i++)
            if (connect_ports(&cfg->plan.passes[i], ports, 64, &warned) < 0)
                return ST_EXIT_ENVIRONMENT;
    }
    s->nifs = st_scan_interfaces(cfg, s->ifnames, 16, err, sizeof err);
    if (s->nifs < 0 && !s->privileged)
        s->nifs = 0;
    if (s->nifs < 0) {
        fprintf(stderr, ME ": %s\n", err);
        return ST_EXIT_ENVIRONMENT;
    }
    return 0;
}

/* run.json "shard": which part of which sweep this run is (merge checks it). */
static json_object *shard_json(const struct st_scan_config *cfg)
{
    char digest[17];
    snprintf(digest, sizeof digest, "%016llx", (unsigned long long)cfg->sweep.digest);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "index", json_object_new_int(cfg->shard));
    json_object_object_add(o, "count", json_object_new_int(cfg->shards));
    json_object_object_add(o, "sweep_addresses",
                           json_object_new_int64((int64_t)cfg->sweep.addresses));
    json_object_object_add(o, "sweep_unique", json_object_new_int64((int64_t)cfg->sweep.unique));
    json_object_object_add(o, "sweep_digest", json_object_new_string(digest));
    return o;
}

/* The run directory and trace.log, the capture starting (only as root:
 * without privileges the run is the trace and run.json), and what run.json
 * says of the scan from the start. 0 or an exit code (its line said). */
static int scan_prepare(struct scan *s)
{
    const struct st_scan_config *cfg = s->cfg;
    struct st_run_opts ro = {.me = ME,
                             .subcommand = "scan",
                             .argc = cfg->argc,
                             .argv = cfg->argv,
                             .dir = cfg->rundir,
                             .force = cfg->force};
    if (!ro.dir) {
        /* runs/ is ours to make; a directory given with -o has its parent */
        if (mkdir("runs", 0755) && errno != EEXIST) {
            fprintf(stderr, ME ": cannot create runs: %s\n", strerror(errno));
            return ST_EXIT_ENVIRONMENT;
        }
        default_rundir(s->dir, sizeof s->dir);
        ro.dir = s->dir;
    }
    int rc = st_run_prepare(&s->run, &ro);
    if (rc)
        return rc;
    for (int i = 0; i < s->nifs; i++)
        s->ifname_list[i] = s->ifnames[i];
    struct st_capture_opts co = {.ifnames = s->ifname_list, .n_ifs = (size_t)s->nifs};
    if (s->privileged)
        st_run_capture_begin(&s->run, &co);
    else
        fprintf(stderr, ME ": not root: connect() pings, and no capture (record one as root "
                           "with scantrace record)\n");
    json_object *run = s->run.json;
    json_object *modes = json_object_new_array();
    for (size_t i = 0; i < cfg->plan.npasses; i++)
        json_object_array_add(modes, json_object_new_string(cfg->plan.passes[i].name));
    json_object_object_add(run, "modes", modes);
    json_object *specs = json_object_new_array();
    for (size_t i = 0; i < cfg->nspecs; i++)
        json_object_array_add(specs, json_object_new_string(cfg->specs[i]));
    json_object_object_add(run, "targets", specs);
    json_object_object_add(run, "target_count", json_object_new_int64((int64_t)cfg->targets.n));
    if (cfg->shards)
        json_object_object_add(run, "shard", shard_json(cfg));
    return 0;
}

/* Progress on a terminal, quiet in a log unless asked (--stats-every). */
static FILE *progress_out(const struct st_scan_config *cfg)
{
    return cfg->stats_every_ns || isatty(STDERR_FILENO) ? stderr : NULL;
}

/* Send: the engine's passes, or connect() pings. 0, or an exit code when the
 * scan failed (its line said, unless the run could not begin: the caller
 * says that once). */
static int scan_probe(struct scan *s)
{
    struct st_scan_config *cfg = s->cfg;
    struct st_run *run = &s->run;
    bool connect_mode = cfg->unprivileged || !s->privileged;
    char err[512];
    s->hooks = (struct st_scan_hooks){.trace = run->trace,
                                      .echo = cfg->verbose ? stdout : NULL,
                                      .capture = NULL, /* begin_then_drop() sets it */
                                      .start_ns = run->start_ns,
                                      .interrupted = run->stop,
                                      .progress = progress_out(cfg),
                                      .progress_every_ns = cfg->stats_every_ns,
                                      .progress_lines = !isatty(STDERR_FILENO),
                                      .on_host = on_host,
                                      .ud = &s->hosts,
                                      .rtt_bound_ns = &s->rtt_bound,
                                      .opened = begin_then_drop,
                                      .opened_ud = s,
                                      .rx_dropped = &s->rx_dropped,
                                      .send_errors = &s->send_errors,
                                      .send_errno = &s->send_errno};
    char shard[96] = "";
    if (cfg->shards)
        snprintf(shard, sizeof shard, " (shard %d of %d: 0 to %d, of a sweep of %zu)", cfg->shard,
                 cfg->shards, cfg->shards - 1, cfg->sweep.addresses);
    printf("Starting scantrace %s: %zu IP address%s%s, %zu mode%s, run directory %s\n", "scan",
           cfg->targets.n, cfg->targets.n == 1 ? "" : "es", shard, cfg->plan.npasses,
           cfg->plan.npasses > 1 ? "s" : "", run->dir);
    int rc;
    if (connect_mode) {
        /* connect() needs no privilege at all */
        rc = begin_then_drop(s, err, sizeof err) ? ST_EXIT_ENVIRONMENT : 0;
    } else {
        st_timing_mark("setup");
        rc = st_scan_engine_run(cfg, &s->hooks, err, sizeof err);
    }
    if (rc && !run->begin_rc)
        fprintf(stderr, ME ": %s\n", err);
    bool warned = false;
    for (size_t i = 0; connect_mode && i < cfg->plan.npasses && !rc && !st_run_interrupted(run);
         i++)
        rc = connect_pass(cfg, &cfg->plan.passes[i], run->trace, run->start_ns, &s->hosts, &warned);
    return rc;
}

/* After the last probe: the report and run.json's hosts are made while the
 * capture lingers for late replies, then the run ends. The exit code. */
static int scan_finish(struct scan *s, bool failed)
{
    struct st_run *run = &s->run;
    int64_t idle = s->rtt_bound < 0                 ? IDLE_SILENT_NS
                   : 4 * s->rtt_bound > IDLE_MIN_NS ? 4 * s->rtt_bound
                                                    : IDLE_MIN_NS;
    st_run_linger_begin(run, LINGER_NS, idle);
    if (s->cfg->rdns && !st_run_interrupted(run))
        resolve_names(s->cfg, &s->hosts);
    st_hosts_print_report(&s->hosts, stdout);
    st_hosts_prepare_json(&s->hosts);
    st_timing_mark("report");
    st_run_stop(run);
    st_timing_mark("linger");
    size_t n = s->hosts.n, up = s->hosts.up;
    double secs = (double)(run->end_ns - run->start_ns) / 1e9;
    /* interrupted, the hosts not reached are not "scanned": say how far it
     * got (the hosts decided; every target has its entry, "interrupted") */
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
        done += s->hosts.v[i].decided;
    if (st_run_interrupted(run))
        printf("scantrace interrupted: %zu of %zu IP address%s done (%zu host%s up) in %.2f "
               "seconds\n",
               done, s->cfg->targets.n, s->cfg->targets.n == 1 ? "" : "es", up, up == 1 ? "" : "s",
               secs);
    else
        printf("scantrace done: %zu IP address%s (%zu host%s up) scanned in %.2f seconds\n", n,
               n == 1 ? "" : "es", up, up == 1 ? "" : "s", secs);

    json_object_object_add(run->json, "user", user_json(&s->drop));
    /* the engine's own reply handles: what they lost, it could not see */
    json_object *rx = json_object_new_object();
    json_object_object_add(rx, "dropped", json_object_new_int64((int64_t)s->rx_dropped));
    json_object_object_add(run->json, "receive", rx);
    if (s->rx_dropped)
        fprintf(stderr,
                ME ": %llu replies were lost before the engine read them: hosts reported down "
                   "may have answered (compare shows them as missed replies)\n",
                (unsigned long long)s->rx_dropped);
    /* probes the kernel refused: their hosts were not all asked */
    json_object *tx = json_object_new_object();
    json_object_object_add(tx, "refused", json_object_new_int64((int64_t)s->send_errors));
    json_object_object_add(tx, "error",
                           s->send_errors ? json_object_new_string(strerror(s->send_errno)) : NULL);
    json_object_object_add(run->json, "send", tx);
    int rc = st_run_end(run, failed, &s->hosts);
    /* the scan ran to its end, but not every probe went out: exit 1 */
    if (rc == ST_EXIT_OK && s->send_errors)
        rc = ST_EXIT_DIFFERENT;
    st_hosts_free(&s->hosts);
    st_timing_mark("finish");
    return rc;
}

int st_scan_run(struct st_scan_config *cfg)
{
    st_timing_start();
    struct scan s = {
        .cfg = cfg,
        .privileged = st_privileged(),
        .hosts = {.several_modes = cfg->plan.npasses > 1, .v6 = cfg->v6 ? &cfg->targets6 : NULL},
        .rtt_bound = -1};
    int rc = scan_refusals(&s);
    st_timing_mark("routes"); /* mostly the route of every target (a sweep's cost) */
    if (rc || (rc = scan_prepare(&s)) != 0)
        return rc;
    rc = scan_probe(&s);
    st_timing_mark("engine");
    bool said = rc && !s.run.begin_rc; /* the scan's own error is on stderr */
    /* an engine that failed before its handles were open never began the
     * run: begin it, so the run says how it failed */
    if (st_run_begin(&s.run, &s.drop)) {
        /* nothing was sent: better no run than one that cannot say what it was */
        if (!said)
            fprintf(stderr, ME ": %s\n", s.run.err);
        return st_run_abandon(&s.run, s.run.begin_rc);
    }
    return scan_finish(&s, rc != 0);
}
