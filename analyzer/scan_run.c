/*
 * A live scan: the run directory (trace.log, capture.pcapng, run.json), the
 * capture thread live before the first probe, the discovery engine, and
 * nmap's report on standard output. Ctrl-C or SIGTERM stops sending; the
 * capture is then stopped and every file finished, so what is on disk stays
 * valid (run.json says "interrupted").
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "exitcodes.h"
#include "rundir.h"
#include "runjson.h"
#include "scan_engine.h"
#include "scan_run.h"

#define LINGER_NS 300000000LL /* late replies after the last pass */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

struct verdicts {
    json_object *hosts; /* run.json "hosts" */
    size_t up, total;
    bool several_modes;
};

static void on_host(void *ud, const char *mode, const struct st_sched_host *h)
{
    struct verdicts *v = ud;
    char a[16];
    json_object *o = json_object_new_object();

    st_ip4_str(h->addr, a);
    json_object_object_add(o, "host", json_object_new_string(a));
    json_object_object_add(o, "mode", json_object_new_string(mode));
    bool up = h->state == ST_HOST_UP;
    bool decided = h->state != ST_HOST_PENDING;
    json_object_object_add(o, "verdict", json_object_new_string(up ? "up" : "down"));
    json_object_object_add(
        o, "reason", json_object_new_string(decided && h->reason ? h->reason : "interrupted"));
    json_object_object_add(o, "latency_s",
                           h->latency_ns >= 0 ? json_object_new_double((double)h->latency_ns / 1e9)
                                              : NULL);
    json_object_object_add(o, "name", NULL);
    json_object_object_add(o, "tries", json_object_new_int(h->tries));
    json_object_array_add(v->hosts, o);
    v->total++;
    if (!up)
        return;
    v->up++;
    /* nmap's report lines, per mode when there are several */
    if (v->several_modes)
        printf("Nmap scan report for %s (mode %s)\n", a, mode);
    else
        printf("Nmap scan report for %s\n", a);
    if (h->latency_ns >= 0)
        printf("Host is up (%.2gs latency).\n", (double)h->latency_ns / 1e9);
    else
        printf("Host is up.\n");
}

static void default_rundir(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(buf, size, "runs/scan-%Y%m%d-%H%M%S", &tm);
}

int st_scan_run(struct st_scan_config *cfg)
{
    char err[512], dirbuf[256], path[4200];
    const char *dir = cfg->rundir;
    bool created = false;

    if (!st_privileged()) {
        fprintf(stderr, "scantrace scan: raw probes need root (CAP_NET_RAW); use --unprivileged "
                        "for connect() pings\n");
        return ST_EXIT_ENVIRONMENT;
    }
    char ifnames[16][IF_NAMESIZE];
    int nifs = st_scan_interfaces(cfg, ifnames, 16, err, sizeof err);
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
    FILE *trace = fopen(path, "w");
    if (!trace) {
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
    struct st_capture *cap = NULL;
    enum st_capture_err ce = st_capture_start(&co, &cap, err, sizeof err);
    if (ce != ST_CAPTURE_OK) {
        fprintf(stderr, "scantrace scan: %s\n", err);
        fclose(trace);
        st_rundir_abandon(dir, created, files, 3);
        return ce == ST_CAPTURE_EUSAGE ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
    }

    int64_t start = st_now_ns();
    json_object *run = st_runjson_new("scan", cfg->argc, cfg->argv, start);
    json_object *modes = json_object_new_array();
    for (size_t i = 0; i < cfg->plan.npasses; i++)
        json_object_array_add(modes, json_object_new_string(cfg->plan.passes[i].name));
    json_object_object_add(run, "modes", modes);
    json_object_object_add(run, "target_count", json_object_new_int64((int64_t)cfg->targets.n));
    st_runjson_set_capture(run, cap, "capture.pcapng", ST_CAPTURE_SNAPLEN, ST_CAPTURE_BUFFER);
    st_runjson_write(dir, run);

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    struct sigaction old_int, old_term;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    struct verdicts v = {.hosts = json_object_new_array(), .several_modes = cfg->plan.npasses > 1};
    struct st_scan_hooks hooks = {.trace = trace,
                                  .echo = cfg->verbose ? stdout : NULL,
                                  .capture = cap,
                                  .start_ns = start,
                                  .interrupted = &interrupted,
                                  .on_host = on_host,
                                  .ud = &v};
    printf("Starting scantrace %s: %zu addresses, %zu mode%s, run directory %s\n", "scan",
           cfg->targets.n, cfg->plan.npasses, cfg->plan.npasses > 1 ? "s" : "", dir);
    rc = st_scan_engine_run(cfg, &hooks, err, sizeof err);
    if (rc)
        fprintf(stderr, "scantrace scan: %s\n", err);

    int cap_rc = st_capture_stop(cap, interrupted ? 0 : LINGER_NS);
    bool trace_bad = fflush(trace) != 0 || ferror(trace);
    trace_bad |= fclose(trace) != 0;
    int64_t end = st_now_ns();
    printf("scantrace done: %zu IP address%s (%zu host%s up) scanned in %.2f seconds\n", v.total,
           v.total == 1 ? "" : "es", v.up, v.up == 1 ? "" : "s", (double)(end - start) / 1e9);

    json_object_object_add(run, "hosts", v.hosts);
    st_runjson_set_capture(run, cap, "capture.pcapng", ST_CAPTURE_SNAPLEN, ST_CAPTURE_BUFFER);
    json_object_object_add(run, "end_time_ns", json_object_new_int64(end));
    json_object_object_add(run, "status",
                           json_object_new_string(rc            ? "failed"
                                                  : interrupted ? "interrupted"
                                                                : "done"));
    int json_rc = st_runjson_write(dir, run);
    json_object_put(run);
    st_capture_free(cap);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (trace_bad || cap_rc || json_rc) {
        fprintf(stderr, "scantrace scan: could not write the run directory %s completely\n", dir);
        return ST_EXIT_ENVIRONMENT;
    }
    if (rc)
        return ST_EXIT_ENVIRONMENT;
    if (interrupted)
        return 128 + interrupted;
    return ST_EXIT_OK;
}
