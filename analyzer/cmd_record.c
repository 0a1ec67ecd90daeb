/*
 * scantrace record: capture around any scanner command into a run directory.
 *
 * The order is what makes the recording trustworthy: every interface is live
 * before the command starts (so its first probe is on the wire in the file),
 * the command's output is streamed to trace.log as it comes (so a killed run
 * keeps it), and the capture lingers after the command for late replies and
 * the kernel's RSTs. Signals are events of the main loop (signals.h): Ctrl-C
 * or SIGTERM is passed on to the command, and the files are finished through
 * the same path as a normal end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "run.h"
#include "commands.h"
#include "util.h"

#define MAX_IFS     64
#define ME          "scantrace record"
#define TRACE_FILE  "trace.log"
#define PCAPNG_FILE "capture.pcapng"
#define MIB         (1024u * 1024u)

static const char record_usage[] =
    "usage: scantrace record [-i IF]... -o RUNDIR [--linger SECONDS] [--force] [--tee]\n"
    "                        [--snaplen BYTES] [--buffer MIB] -- COMMAND [ARGS...]\n"
    "\n"
    "Captures the wire while COMMAND runs (e.g. nmap -n -sn --packet-trace ...) and\n"
    "writes the run directory RUNDIR:\n"
    "  trace.log       COMMAND's standard output, written as it comes\n"
    "  capture.pcapng  every frame of the captured interfaces (direction flags, and an\n"
    "                  ISB per interface with the kernel's received/dropped counts)\n"
    "  run.json        what ran: version, command line, start time, privileges, the\n"
    "                  capture's interfaces and counts, COMMAND and its exit status\n"
    "The capture is live on every interface before COMMAND starts, and goes on for\n"
    "--linger seconds after it ends (late replies, the kernel's RSTs). COMMAND runs\n"
    "without a shell; its standard error and input are ours.\n"
    "\n"
    "  -i, --interface IF  capture IF (repeatable); default: every interface that is up,\n"
    "                      not loopback, Ethernet or raw IP, in this network namespace\n"
    "  -o, --output RUNDIR the run directory; created, and refused if not empty\n"
    "  --force             write into a non-empty RUNDIR (replaces trace.log,\n"
    "                      capture.pcapng and run.json; other files stay)\n"
    "  --linger SECONDS    capture after COMMAND ends (default 0.5)\n"
    "  --tee               also copy COMMAND's standard output to ours\n"
    "  --snaplen BYTES     bytes kept per frame (default 256, 64-262144)\n"
    "  --buffer MIB        kernel capture buffer per interface (default 32, 1-2047)\n"
    "\n"
    "Exit: COMMAND's status (128+N if a signal N killed it); 130/143 when record\n"
    "itself got SIGINT/SIGTERM (passed on to COMMAND; a second one kills it with\n"
    "SIGKILL; the files are finished either way); 127 COMMAND not found, 126 not\n"
    "executable; 2 bad usage or a non-empty RUNDIR; 3 environment (not allowed to\n"
    "capture, no such interface, a file that cannot be written).\n";

struct options {
    const char *ifnames[MAX_IFS];
    size_t n_ifs;
    const char *rundir;
    double linger_s;
    bool force, tee;
    unsigned snaplen, buffer_mib;
    char **cmd;
};

/* Everything the run loop tracks about the command and the files. */
struct run {
    pid_t pid;
    int out_fd;   /* the command's stdout; -1 once closed */
    int trace_fd; /* trace.log */
    int sig_fd;
    bool tee;
    bool reaped;
    int wstatus;
    int interrupted; /* the first SIGINT/SIGTERM/SIGHUP we got, or 0 */
    bool trace_failed, tee_failed;
    const char *trace_path;
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, ME ": ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'scantrace record --help')\n");
    return ST_EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Returns -1 to go on, or an exit code (0 after --help). */
static int parse(int argc, char **argv, struct options *o)
{
    static const struct option opts[] = {
        {"interface", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"linger", required_argument, NULL, 'l'},
        {"force", no_argument, NULL, 'f'},
        {"tee", no_argument, NULL, 't'},
        {"snaplen", required_argument, NULL, 's'},
        {"buffer", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Options end at the first "--"; everything after it is the command,
     * untouched (its own options must not be taken for ours). */
    int dashdash = 1;
    while (dashdash < argc && strcmp(argv[dashdash], "--"))
        dashdash++;

    o->linger_s = 0.5;
    o->snaplen = ST_CAPTURE_SNAPLEN;
    o->buffer_mib = ST_CAPTURE_BUFFER / MIB;
    optind = 1;
    opterr = 1;
    int c;
    while ((c = getopt_long(dashdash, argv, "i:o:h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            if (o->n_ifs == MAX_IFS)
                return usage_error("more than 64 interfaces%s", "");
            o->ifnames[o->n_ifs++] = optarg;
            break;
        case 'o':
            o->rundir = optarg;
            break;
        case 'l':
            errno = 0;
            o->linger_s = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(o->linger_s) || o->linger_s < 0 ||
                o->linger_s > 3600)
                return usage_error("--linger: seconds from 0 to 3600, not '%s'", optarg);
            break;
        case 'f':
            o->force = true;
            break;
        case 't':
            o->tee = true;
            break;
        case 's':
            if (!parse_uint(optarg, 64, 262144, &o->snaplen))
                return usage_error("--snaplen: bytes from 64 to 262144, not '%s'", optarg);
            break;
        case 'b':
            if (!parse_uint(optarg, 1, 2047, &o->buffer_mib))
                return usage_error("--buffer: MiB from 1 to 2047, not '%s'", optarg);
            break;
        case 'h':
            fputs(record_usage, stdout);
            return ST_EXIT_OK;
        default:
            fputs(record_usage, stderr);
            return ST_EXIT_USAGE;
        }
    }
    if (optind < dashdash)
        return usage_error("unexpected argument '%s' (the command goes after --)", argv[optind]);
    if (dashdash >= argc)
        return usage_error("no command: put it after --%s", "");
    if (dashdash + 1 >= argc)
        return usage_error("no command after --%s", "");
    if (!o->rundir || !*o->rundir)
        return usage_error("-o RUNDIR is required%s", "");
    o->cmd = argv + dashdash + 1;
    return -1;
}

/* The interfaces to capture: -i's (each must exist), or the default set. */
static int pick_interfaces(struct options *o)
{
    static struct st_netif found[MAX_IFS];
    if (o->n_ifs) {
        for (size_t i = 0; i < o->n_ifs; i++) {
            struct st_netif n;
            if (st_netif_get(o->ifnames[i], &n) < 0) {
                fprintf(stderr, ME ": no such interface: %s\n", o->ifnames[i]);
                return ST_EXIT_ENVIRONMENT;
            }
        }
        return 0;
    }
    int n = st_netif_default(found, MAX_IFS);
    if (n <= 0) {
        fprintf(stderr, ME ": no interface to capture (none up with an Ethernet or raw IP link "
                           "here); choose with -i\n");
        return ST_EXIT_ENVIRONMENT;
    }
    for (int i = 0; i < n && i < MAX_IFS; i++)
        o->ifnames[o->n_ifs++] = found[i].name;
    return 0;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Copy what the command has written so far to trace.log (and stdout). */
static void pump_output(struct run *r)
{
    char buf[65536];
    while (r->out_fd >= 0) {
        ssize_t n = read(r->out_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(r->out_fd);
            r->out_fd = -1;
            return;
        }
        if (!r->trace_failed && !write_all(r->trace_fd, buf, (size_t)n)) {
            fprintf(stderr, ME ": writing %s: %s\n", r->trace_path, strerror(errno));
            r->trace_failed = true;
        }
        if (r->tee && !r->tee_failed && !write_all(STDOUT_FILENO, buf, (size_t)n)) {
            fprintf(stderr, ME ": --tee: writing standard output: %s\n", strerror(errno));
            r->tee_failed = true;
        }
    }
}

/* Drain the signal pipe: pass SIGINT/SIGTERM/SIGHUP on, reap on SIGCHLD. */
static void handle_signals(struct run *r)
{
    bool from_kernel = false;
    int sig;
    while ((sig = st_signals_next(&from_kernel)) != 0) {
        if (sig == SIGCHLD)
            continue;
        if (r->interrupted) {
            if (r->pid > 0 && !r->reaped)
                kill(r->pid, SIGKILL);
            continue;
        }
        r->interrupted = sig;
        if (r->pid > 0 && !r->reaped) {
            /* The terminal's Ctrl-C already reached the command (same process
             * group); a kill(1) aimed at us alone must be passed on. */
            if (!from_kernel)
                kill(r->pid, sig);
            fprintf(stderr, ME ": %s: stopping the command (again to kill it)\n", strsignal(sig));
        }
    }
    if (r->pid > 0 && !r->reaped && waitpid(r->pid, &r->wstatus, WNOHANG) == r->pid)
        r->reaped = true;
}

/* Run until the command has exited and its output is in trace.log. */
static void run_command(struct run *r)
{
    while (!r->reaped) {
        struct pollfd p[2] = {{r->out_fd, POLLIN, 0}, {r->sig_fd, POLLIN, 0}};
        /* The timeout only guards against a lost SIGCHLD byte. */
        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            break;
        pump_output(r);
        handle_signals(r);
    }
    /* What the command wrote before exiting; a background child of it that
     * still holds the pipe does not keep us waiting. */
    pump_output(r);
    if (r->out_fd >= 0) {
        close(r->out_fd);
        r->out_fd = -1;
    }
}

/* Wait up to `seconds` for late replies; a signal cuts it short. */
static void linger(struct run *r, double seconds)
{
    int64_t end = st_now_ns() + (int64_t)(seconds * 1e9);
    for (;;) {
        int64_t left = end - st_now_ns();
        if (left <= 0 || r->interrupted)
            return;
        struct pollfd p = {r->sig_fd, POLLIN, 0};
        poll(&p, 1, (int)(left / 1000000) + 1);
        handle_signals(r);
    }
}

static struct json_object *signal_json(int sig)
{
    char name[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(name, sizeof name, "SIG%s", abbrev);
    else
        snprintf(name, sizeof name, "%d", sig);
    return json_object_new_string(name);
}

static struct json_object *command_json(char **cmd)
{
    struct json_object *c = json_object_new_object();
    struct json_object *argv = json_object_new_array();
    for (char **a = cmd; *a; a++)
        json_object_array_add(argv, json_object_new_string(*a));
    json_object_object_add(c, "argv", argv);
    json_object_object_add(c, "trace", json_object_new_string(TRACE_FILE));
    json_object_object_add(c, "exit_status", NULL);
    json_object_object_add(c, "signal", NULL);
    return c;
}

/* The capture's messages start like ours. */
static enum st_capture_err start_capture(const struct options *o, const char *path,
                                         struct st_capture **cap)
{
    struct st_capture_opts co = {
        .ifnames = o->ifnames,
        .n_ifs = o->n_ifs,
        .path = path,
        .snaplen = o->snaplen,
        .buffer_bytes = o->buffer_mib * MIB,
        .log_prefix = ME,
    };
    char msg[512];
    enum st_capture_err e = st_capture_start(&co, cap, msg, sizeof msg);
    if (e != ST_CAPTURE_OK)
        fprintf(stderr, ME ": %s\n", msg);
    return e;
}

int st_cmd_record(int argc, char **argv)
{
    struct options o = {0};
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;

    /* Fail like a shell before creating anything. */
    int ce = st_child_check(o.cmd[0]);
    if (ce) {
        fprintf(stderr, ME ": %s: %s\n", o.cmd[0],
                ce == ENOENT ? "command not found" : "permission denied (not executable)");
        return ce == ENOENT ? 127 : 126;
    }
    if ((rc = pick_interfaces(&o)) != 0)
        return rc;

    struct run r = {.pid = -1, .out_fd = -1, .trace_fd = -1, .tee = o.tee};
    r.sig_fd = st_signals_install();
    if (r.sig_fd < 0) {
        perror(ME ": signal pipe");
        return ST_EXIT_ENVIRONMENT;
    }

    char msg[512], pcapng_path[4096], trace_path[4096];
    bool created;
    if ((rc = st_rundir_prepare(o.rundir, o.force, &created, msg, sizeof msg)) != 0) {
        fprintf(stderr, ME ": %s\n", msg);
        return rc;
    }
    static const char *const ours[] = {PCAPNG_FILE, TRACE_FILE, "run.json"};
    if (!st_rundir_path(o.rundir, PCAPNG_FILE, pcapng_path, sizeof pcapng_path) ||
        !st_rundir_path(o.rundir, TRACE_FILE, trace_path, sizeof trace_path)) {
        fprintf(stderr, ME ": %s: path too long\n", o.rundir);
        st_rundir_abandon(o.rundir, created, ours, 0);
        return ST_EXIT_USAGE;
    }
    r.trace_path = trace_path;

    int64_t start_ns = st_now_ns();
    struct st_capture *cap;
    enum st_capture_err e = start_capture(&o, pcapng_path, &cap);
    if (e != ST_CAPTURE_OK) {
        st_rundir_abandon(o.rundir, created, ours, 1);
        return e == ST_CAPTURE_EUSAGE ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
    }
    r.trace_fd = open(trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (r.trace_fd < 0) {
        fprintf(stderr, ME ": %s: %s\n", trace_path, strerror(errno));
        st_capture_free(cap);
        st_rundir_abandon(o.rundir, created, ours, 1);
        return ST_EXIT_ENVIRONMENT;
    }

    struct json_object *run = st_runjson_new("record", argc, argv, start_ns);
    struct json_object *cmd = command_json(o.cmd);
    json_object_object_add(run, "command", cmd);
    json_object_object_add(run, "linger_s", json_object_new_double(o.linger_s));
    st_runjson_set_capture(run, cap, PCAPNG_FILE, o.snaplen, o.buffer_mib * MIB);
    bool json_failed = false;
    if (st_runjson_write(o.rundir, run) != 0) {
        fprintf(stderr, ME ": %s/run.json: %s\n", o.rundir, strerror(errno));
        json_failed = true;
    }

    int status = 0;
    handle_signals(&r); /* a Ctrl-C while the capture started: do not run at all */
    if (!r.interrupted) {
        int se = st_child_spawn(o.cmd, &r.pid, &r.out_fd);
        if (se) {
            /* Nothing ran (e.g. ENOEXEC): leave nothing behind, as for 127 above. */
            fprintf(stderr, ME ": %s: %s\n", o.cmd[0], strerror(se));
            json_object_put(run);
            st_capture_free(cap);
            close(r.trace_fd);
            st_rundir_abandon(o.rundir, created, ours, 3);
            return se == ENOENT ? 127 : 126;
        }
        run_command(&r);
        status = st_child_status(r.wstatus);
        json_object_object_add(cmd, "exit_status", json_object_new_int(status));
        if (WIFSIGNALED(r.wstatus))
            json_object_object_add(cmd, "signal", signal_json(WTERMSIG(r.wstatus)));
        linger(&r, o.linger_s);
    }
    bool files_failed = st_capture_stop(cap, 0) != 0 || r.trace_failed;
    if (close(r.trace_fd) != 0)
        files_failed = true;

    st_runjson_set_capture(run, cap, PCAPNG_FILE, o.snaplen, o.buffer_mib * MIB);
    json_object_object_add(run, "end_time_ns", json_object_new_int64(st_now_ns()));
    json_object_object_add(run, "status",
                           json_object_new_string(r.interrupted ? "interrupted" : "finished"));
    json_object_object_add(run, "interrupted", r.interrupted ? signal_json(r.interrupted) : NULL);
    if (st_runjson_write(o.rundir, run) != 0) {
        fprintf(stderr, ME ": %s/run.json: %s\n", o.rundir, strerror(errno));
        files_failed = true;
    }
    files_failed = files_failed || json_failed;
    json_object_put(run);
    st_capture_free(cap);

    if (r.interrupted)
        return 128 + r.interrupted;
    if (files_failed)
        return ST_EXIT_ENVIRONMENT;
    return status;
}
