/*
 * A live scan: the run directory (trace.log, capture.pcapng, run.json), the
 * capture thread live before the first probe, the discovery engine, and
 * nmap's report on standard output. Ctrl-C or SIGTERM stops sending; the
 * capture is then stopped and every file finished, so what is on disk stays
 * valid (run.json says "interrupted").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "util.h"
#include "scan.h"
#include "dns.h"
#include "privdrop.h"
#include "rundir.h"
#include "runjson.h"
#include "scan_hosts.h"
#include "scan_run.h"

#define LINGER_NS 300000000LL /* late replies after the last pass */
/* The linger ends sooner once the wire has been quiet for 4x the round-trip
 * bound of the last pass (at least 20 ms, more than the capture's 10 ms block
 * timeout): no reply is still under way then. A pass without any reply
 * (silent space) already waited out every probe's timeout: 100 ms of quiet,
 * nmap's smallest RTT timeout, is enough there. */
#define IDLE_MIN_NS    20000000LL
#define IDLE_SILENT_NS 100000000LL

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

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
        ports[0] = 80;
        ports[1] = 443;
        return 2;
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
            port = 80;
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
        ports[n++] = 80;
        ports[n++] = 443;
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
    for (size_t i = 0; i < cfg->targets.n; i++)
        hosts[i].addr.s_addr = htonl(cfg->targets.addr[i]);
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
        struct st_sched_host h = {.addr = ntohl(hosts[i].addr.s_addr),
                                  .state = hosts[i].up ? ST_HOST_UP : ST_HOST_DOWN,
                                  .reason = st_cping_reason_str(hosts[i].reason),
                                  .tries = (uint8_t)hosts[i].tries,
                                  .latency_ns =
                                      hosts[i].up ? (int64_t)(hosts[i].latency_s * 1e9) : -1};
        on_host(v, "connect", &h);
    }
    free(hosts);
    if (rc) {
        fprintf(stderr, "scantrace scan: connect ping: %s\n", strerror(-rc));
        return ST_EXIT_ENVIRONMENT;
    }
    return 0;
}

/*
 * trace.log is a stdio stream (the engine fprintf's to it) over this sink,
 * which keeps the first write error: a write that fails inside a buffered
 * fprintf in the middle of a scan is then still reported with its cause
 * (ENOSPC, EDQUOT...), not a bare ferror().
 */
struct trace_sink {
    int fd;
    int err;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    struct trace_sink *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!s->err)
                s->err = w < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int sink_close(void *cookie)
{
    struct trace_sink *s = cookie;
    if (close(s->fd) != 0 && !s->err)
        s->err = errno;
    return s->err ? -1 : 0;
}

static FILE *trace_open(struct trace_sink *s)
{
    cookie_io_functions_t io = {.write = sink_write, .close = sink_close};
    return fopencookie(s, "w", io);
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

/*
 * What the engine's `opened` hook finishes before the first probe: the
 * capture, the first run.json, the privilege drop. The capture is started on
 * a thread while the engine opens its own handles: setting up a packet ring
 * waits out an RCU grace period in the kernel (10 to 20 ms each), and the
 * capture's and the engine's now overlap.
 */
struct setup {
    const struct st_capture_opts *co;
    pthread_t thread;
    bool threaded;
    struct st_capture *cap;
    enum st_capture_err ce;
    char cerr[512];

    json_object *run;
    const char *dir;
    int dirfd;
    struct st_privdrop *drop;
    struct st_scan_hooks *hooks;
    bool done;
    int fail_rc; /* the exit code when it failed: nothing was sent */
};

static void *capture_start_main(void *arg)
{
    struct setup *s = arg;
    s->ce = st_capture_start(s->co, &s->cap, s->cerr, sizeof s->cerr);
    return NULL;
}

static void setup_begin(struct setup *s, bool capture)
{
    s->ce = ST_CAPTURE_OK;
    if (!capture)
        return;
    s->threaded = pthread_create(&s->thread, NULL, capture_start_main, s) == 0;
    if (!s->threaded)
        capture_start_main(s);
}

static int setup_finish(struct setup *s, char *err, size_t errsz)
{
    if (s->done || s->fail_rc)
        return s->fail_rc ? -1 : 0;
    if (s->threaded)
        pthread_join(s->thread, NULL);
    s->threaded = false;
    if (s->ce != ST_CAPTURE_OK) {
        snprintf(err, errsz, "%s", s->cerr);
        s->fail_rc = s->ce == ST_CAPTURE_EUSAGE ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
        return -1;
    }
    s->hooks->capture = s->cap;
    if (s->cap)
        st_runjson_set_capture(s->run, s->cap, "capture.pcapng", ST_CAPTURE_SNAPLEN,
                               ST_CAPTURE_BUFFER);
    /* the run directory is the user's, reached through this descriptor: run.json
     * can be replaced after the drop even if a parent is closed to the user */
    s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool given = s->dirfd >= 0 && st_privdrop_give(s->drop, s->dir) == 0;
    if (!given || st_runjson_writeat(s->dirfd, s->run) != 0) {
        snprintf(err, errsz, "%s%s: %s", s->dir, given ? "/run.json" : "", strerror(errno));
        s->fail_rc = ST_EXIT_ENVIRONMENT;
        return -1;
    }
    s->done = true;
    return 0;
}

/* The engine's hooks->opened: every socket and handle is open; finish the
 * setup, drop root. */
static int setup_then_drop(void *ud, char *err, size_t errsz)
{
    struct setup *s = ud;
    if (setup_finish(s, err, errsz))
        return -1;
    return st_privdrop_now(s->drop, err, errsz);
}

int st_scan_run(struct st_scan_config *cfg)
{
    st_timing_start();
    char err[512], dirbuf[256], path[4200];
    const char *dir = cfg->rundir;
    bool created = false;
    struct st_privdrop drop;

    if (st_privdrop_prepare(&drop, cfg->user ? cfg->user : "nobody", err, sizeof err)) {
        fprintf(stderr, "scantrace scan: %s\n", err);
        return ST_EXIT_USAGE;
    }

    bool privileged = st_privileged();
    bool connect_mode = cfg->unprivileged || !privileged;
    if (connect_mode) {
        /* refuse what cannot be done before anything is written, as nmap */
        bool warned = true; /* the pass itself warns */
        unsigned short ports[64];
        for (size_t i = 0; i < cfg->plan.npasses; i++)
            if (connect_ports(&cfg->plan.passes[i], ports, 64, &warned) < 0)
                return ST_EXIT_ENVIRONMENT;
    }
    char ifnames[16][IF_NAMESIZE];
    int nifs = st_scan_interfaces(cfg, ifnames, 16, err, sizeof err);
    if (nifs < 0 && !privileged)
        nifs = 0;
    if (nifs < 0) {
        fprintf(stderr, "scantrace scan: %s\n", err);
        return ST_EXIT_ENVIRONMENT;
    }
    if (!dir) {
        default_rundir(dirbuf, sizeof dirbuf);
        dir = dirbuf;
    }
    int rc = st_rundir_prepare(dir, false, &created, err, sizeof err);
    if (rc) {
        fprintf(stderr, "scantrace scan: %s\n", err);
        return rc;
    }
    static const char *const files[] = {"trace.log", "capture.pcapng", "run.json"};
    st_rundir_path(dir, "trace.log", path, sizeof path);
    struct trace_sink sink = {.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    FILE *trace = sink.fd < 0 ? NULL : trace_open(&sink);
    /* a sweep writes 16 MB of trace: in large writes */
    if (trace)
        setvbuf(trace, NULL, _IOFBF, 1 << 20);
    if (!trace) {
        if (sink.fd >= 0)
            close(sink.fd);
        fprintf(stderr, "scantrace scan: %s: %s\n", path, strerror(errno));
        st_rundir_abandon(dir, created, files, 3);
        return ST_EXIT_ENVIRONMENT;
    }

    const char *names[16];
    for (int i = 0; i < nifs; i++)
        names[i] = ifnames[i];
    st_rundir_path(dir, "capture.pcapng", path, sizeof path);
    struct st_capture_opts co = {
        .ifnames = names, .n_ifs = (size_t)nifs, .path = path, .log_prefix = "scantrace scan"};
    /* without privileges there is no capture: the trace and run.json only */
    struct setup setup = {.co = &co, .dir = dir, .dirfd = -1, .drop = &drop};
    setup_begin(&setup, privileged);
    if (!privileged)
        fprintf(stderr, "scantrace scan: not root: connect() pings, and no capture (record "
                        "one as root with scantrace record)\n");

    int64_t start = st_now_ns();
    json_object *run = st_runjson_new("scan", cfg->argc, cfg->argv, start);
    json_object *modes = json_object_new_array();
    for (size_t i = 0; i < cfg->plan.npasses; i++)
        json_object_array_add(modes, json_object_new_string(cfg->plan.passes[i].name));
    json_object_object_add(run, "modes", modes);
    json_object *specs = json_object_new_array();
    for (size_t i = 0; i < cfg->nspecs; i++)
        json_object_array_add(specs, json_object_new_string(cfg->specs[i]));
    json_object_object_add(run, "targets", specs);
    json_object_object_add(run, "target_count", json_object_new_int64((int64_t)cfg->targets.n));
    setup.run = run;

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    int64_t rtt_bound = -1;
    uint64_t rx_dropped = 0;
    struct st_host_table v = {.several_modes = cfg->plan.npasses > 1};
    struct st_scan_hooks hooks = {.trace = trace,
                                  .echo = cfg->verbose ? stdout : NULL,
                                  .capture = NULL, /* setup_finish() sets it */
                                  .start_ns = start,
                                  .interrupted = &interrupted,
                                  .progress = isatty(STDERR_FILENO) ? stderr : NULL,
                                  .on_host = on_host,
                                  .ud = &v,
                                  .rtt_bound_ns = &rtt_bound,
                                  .opened = setup_then_drop,
                                  .opened_ud = &setup,
                                  .rx_dropped = &rx_dropped};
    setup.hooks = &hooks;
    printf("Starting scantrace %s: %zu addresses, %zu mode%s, run directory %s\n", "scan",
           cfg->targets.n, cfg->plan.npasses, cfg->plan.npasses > 1 ? "s" : "", dir);
    if (connect_mode) {
        bool warned = false;
        /* connect() needs no privilege at all */
        rc = setup_then_drop(&setup, err, sizeof err) ? ST_EXIT_ENVIRONMENT : 0;
        if (rc && !setup.fail_rc)
            fprintf(stderr, "scantrace scan: %s\n", err);
        for (size_t i = 0; i < cfg->plan.npasses && !rc && !interrupted; i++)
            rc = connect_pass(cfg, &cfg->plan.passes[i], trace, start, &v, &warned);
    } else {
        st_timing_mark("setup");
        rc = st_scan_engine_run(cfg, &hooks, err, sizeof err);
        if (rc && !setup.fail_rc)
            fprintf(stderr, "scantrace scan: %s\n", err);
    }
    st_timing_mark("engine");
    /* an engine that failed before its handles were open never finished the
     * setup: finish it, so the run says how it failed */
    bool said = rc && !setup.fail_rc; /* the engine's error is on stderr */
    char serr[512];
    if (!setup.done && !setup.fail_rc && setup_finish(&setup, serr, sizeof serr))
        snprintf(err, sizeof err, "%s", serr);
    if (setup.fail_rc) {
        /* nothing was sent: better no run than one that cannot say what it was */
        if (!said)
            fprintf(stderr, "scantrace scan: %s\n", err);
        if (setup.dirfd >= 0)
            close(setup.dirfd);
        json_object_put(run);
        st_capture_free(setup.cap);
        fclose(trace);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        st_closer_wait();
        st_rundir_abandon(dir, created, files, 3);
        return setup.fail_rc;
    }
    struct st_capture *cap = setup.cap;
    int dirfd = setup.dirfd;

    int64_t idle = rtt_bound < 0                 ? IDLE_SILENT_NS
                   : 4 * rtt_bound > IDLE_MIN_NS ? 4 * rtt_bound
                                                 : IDLE_MIN_NS;
    /* the report and run.json's hosts are made while the capture lingers */
    if (cap)
        st_capture_stop_begin(cap, interrupted ? 0 : LINGER_NS, idle);
    if (cfg->rdns && !interrupted)
        resolve_names(cfg, &v);
    st_hosts_print_report(&v, stdout);
    st_hosts_prepare_json(&v);
    st_timing_mark("report");
    int cap_rc = cap ? st_capture_stop_idle(cap, interrupted ? 0 : LINGER_NS, idle) : 0;
    st_timing_mark("linger");
    bool trace_bad = fflush(trace) != 0 || ferror(trace);
    trace_bad |= fclose(trace) != 0;
    int trace_errno = sink.err ? sink.err : EIO;
    int64_t end = st_now_ns();
    printf("scantrace done: %zu IP address%s (%zu host%s up) scanned in %.2f seconds\n", v.n,
           v.n == 1 ? "" : "es", v.up, v.up == 1 ? "" : "s", (double)(end - start) / 1e9);

    if (cap)
        st_runjson_set_capture(run, cap, "capture.pcapng", ST_CAPTURE_SNAPLEN, ST_CAPTURE_BUFFER);
    /* its sockets close on threads (closer.h) while run.json is written */
    st_capture_free(cap);
    cap = NULL;
    json_object_object_add(run, "end_time_ns", json_object_new_int64(end));
    json_object_object_add(run, "status",
                           json_object_new_string(rc            ? "failed"
                                                  : interrupted ? "interrupted"
                                                                : "done"));
    json_object_object_add(run, "user", user_json(&drop));
    /* the engine's own reply handles: what they lost, it could not see */
    json_object *rx = json_object_new_object();
    json_object_object_add(rx, "dropped", json_object_new_int64((int64_t)rx_dropped));
    json_object_object_add(run, "receive", rx);
    if (rx_dropped)
        fprintf(stderr,
                "scantrace scan: %llu replies were lost before the engine read them: hosts "
                "reported down may have answered (compare shows them as missed replies)\n",
                (unsigned long long)rx_dropped);
    int json_rc = st_hosts_write_runjson(dirfd, run, &v);
    int json_errno = errno;
    close(dirfd);
    json_object_put(run);
    st_hosts_free(&v);
    st_closer_wait();
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    st_timing_mark("finish");

    /* one line per file that is not complete (the capture said its own) */
    if (trace_bad)
        fprintf(stderr, "scantrace scan: %s/trace.log: %s\n", dir, strerror(trace_errno));
    if (json_rc)
        fprintf(stderr, "scantrace scan: %s/run.json: %s\n", dir, strerror(json_errno));
    if (trace_bad || cap_rc || json_rc)
        return ST_EXIT_ENVIRONMENT;
    if (rc)
        return ST_EXIT_ENVIRONMENT;
    if (interrupted)
        return 128 + interrupted;
    return ST_EXIT_OK;
}
