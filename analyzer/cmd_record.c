/*
 * scantrace record: capture around any scanner command into a run directory.
 *
 * The order is what makes the recording trustworthy: every interface is live
 * before the command starts (so its first probe is on the wire in the file),
 * the command's output is streamed to trace.log as it comes (so a killed run
 * keeps it; its standard error to stderr.log and on to ours), and the capture lingers after the
 * command for late replies and the kernel's RSTs. The run directory, run.json, the capture and the
 * signals are the run lifecycle's (lifecycle.h), as for scan: Ctrl-C or
 * SIGTERM is passed on to the command, and the files are finished through
 * the same path as a normal end.
 */
#include <errno.h>
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

#define MAX_IFS 64
#define ME      "scantrace record"
#define MIB     (1024u * 1024u)

static const char record_usage[] =
    "usage: scantrace record [-i IF]... -o RUNDIR [--linger SECONDS] [--force] [--tee]\n"
    "                        [--snaplen BYTES] [--buffer MIB] -- COMMAND [ARGS...]\n"
    "\n"
    "Captures the wire while COMMAND runs (e.g. nmap -n -sn --packet-trace ...) and\n"
    "writes the run directory RUNDIR:\n"
    "  trace.log       COMMAND's standard output, written as it comes\n"
    "  stderr.log      COMMAND's standard error, written as it comes (and shown)\n"
    "  capture.pcapng  every frame of the captured interfaces (direction flags, and an\n"
    "                  ISB per interface with the kernel's received/dropped counts)\n"
    "  run.json        what ran: version, command line, start time, privileges, the\n"
    "                  capture's interfaces and counts, COMMAND and its exit status\n"
    "The capture is live on every interface before COMMAND starts, and goes on for\n"
    "--linger seconds after it ends (late replies, the kernel's RSTs). COMMAND runs\n"
    "without a shell; its standard input is ours.\n"
    "\n"
    "  -i, --interface IF  capture IF (repeatable); default: every interface that is up,\n"
    "                      not loopback, Ethernet or raw IP, in this network namespace;\n"
    "                      -i any: those and loopback\n"
    "  -o, --output RUNDIR the run directory; created, and refused if not empty\n"
    "  --force             write into a non-empty RUNDIR (replaces trace.log,\n"
    "                      stderr.log, capture.pcapng and run.json; other files stay)\n"
    "  --linger SECONDS    capture after COMMAND ends (default 0.5)\n"
    "  --tee               also copy COMMAND's standard output to ours\n"
    "  --snaplen BYTES     bytes kept per frame (default 256, 64-262144)\n"
    "  --buffer MIB        kernel capture buffer per interface (default 32, 1-2047)\n"
    "\n"
    "Exit: COMMAND's status (128+N if a signal N killed it); 130/143 when record\n"
    "itself got SIGINT/SIGTERM (passed on to COMMAND and what it started; a second\n"
    "one kills them with SIGKILL; the files are finished either way); 127 COMMAND\n"
    "not found, 126 not executable; 2 bad usage or a non-empty RUNDIR; 3 environment\n"
    "(not allowed to capture, no such interface, a file that cannot be written).\n";

struct options {
    const char *ifnames[MAX_IFS];
    size_t n_ifs;
    const char *rundir;
    double linger_s;
    bool force, tee;
    unsigned snaplen, buffer_mib;
    char **cmd;
};

/* One of the command's outputs, copied as it comes to its file in the run
 * directory and to one of ours. */
struct stream {
    int fd;         /* the command's end of the pipe; -1 once closed */
    FILE *file;     /* trace.log or stderr.log; NULL when it could not be made */
    int echo_fd;    /* STDOUT_FILENO (--tee) or STDERR_FILENO; -1 none */
    bool failed;    /* the file was not written completely */
    bool echo_gone; /* ours was closed or failed: the file goes on */
};

/* What the run loop tracks about the command and its output. */
struct child {
    struct st_run *run;
    pid_t pid;
    struct stream out, err;
    bool reaped;
    int wstatus;
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

/* A command given without "--" (record -o R nmap -sn ...): its options were
 * taken for ours. Say where it goes, with the words given: the first word
 * that is neither an option of ours nor its value is the command. */
static int command_not_after_dashdash(int argc, char **argv, const struct options *o)
{
    static const char *const valued[] = {"-i",       "--interface", "-o",      "--output",
                                         "--linger", "--snaplen",   "--buffer"};
    const char *cmd = "COMMAND";
    for (int i = 1; i < argc; i++) {
        bool takes_value = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            takes_value |= !strcmp(argv[i], valued[k]);
        if (takes_value) {
            i++;
        } else if (argv[i][0] != '-') {
            cmd = argv[i];
            break;
        }
    }
    return st_cmd_usage_error("record",
                              "put the command after --: scantrace record -o %s -- %s ...",
                              o->rundir ? o->rundir : "RUNDIR", cmd);
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
    int c;
    while ((c = getopt_long(dashdash, argv, ":i:o:h", opts, NULL)) != -1) {
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
            if (dashdash == argc)
                return command_not_after_dashdash(argc, argv, o);
            return st_cmd_getopt_error("record", c, argv);
        }
    }
    if (optind < dashdash && dashdash == argc)
        return command_not_after_dashdash(argc, argv, o);
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

/* The interfaces to capture: -i's (each must exist), or the default set;
 * tcpdump's `-i any` alone is the default set and loopback (the scanner's
 * own addresses), each interface in its own link type. */
static int pick_interfaces(struct options *o)
{
    static struct st_netif found[MAX_IFS];
    static struct st_netif lo;
    bool any = o->n_ifs == 1 && !strcmp(o->ifnames[0], "any");
    if (any)
        o->n_ifs = 0;
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
    for (int i = 0; i < n && i < MAX_IFS; i++)
        o->ifnames[o->n_ifs++] = found[i].name;
    if (any && o->n_ifs < MAX_IFS && st_netif_get("lo", &lo) == 0 && lo.up)
        o->ifnames[o->n_ifs++] = lo.name;
    if (!o->n_ifs) {
        fprintf(stderr, ME ": no interface to capture (none up with an Ethernet or raw IP link "
                           "here); choose with -i\n");
        return ST_EXIT_ENVIRONMENT;
    }
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

/* Copy what the command has written so far to its file (and ours). A
 * trace.log that cannot be written is reported once, at the end
 * (lifecycle.h); stderr.log by finish_stderr(). */
static void pump(struct stream *s)
{
    char buf[65536];
    while (s->fd >= 0) {
        ssize_t n = read(s->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            close(s->fd);
            s->fd = -1;
            return;
        }
        /* flushed at once: a killed run keeps what the command said */
        if (s->file && !s->failed &&
            (fwrite(buf, 1, (size_t)n, s->file) != (size_t)n || fflush(s->file) != 0))
            s->failed = true;
        if (s->echo_fd >= 0 && !s->echo_gone && !write_all(s->echo_fd, buf, (size_t)n)) {
            if (s->echo_fd == STDOUT_FILENO)
                fprintf(stderr, ME ": --tee: writing standard output: %s\n", strerror(errno));
            s->echo_gone = true;
        }
    }
}

static void pump_output(struct child *c)
{
    pump(&c->out);
    pump(&c->err);
}

/* stderr.log in the run directory; the command's stderr is still shown
 * when it cannot be made (the run goes on without it, as it did before). */
static FILE *open_stderr(const struct st_run *run)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", run->dir, ST_RUN_STDERR);
    FILE *f = fopen(path, "we");
    if (!f)
        fprintf(stderr, ME ": %s: %s\n", path, strerror(errno));
    return f;
}

static void finish_stderr(const struct st_run *run, struct stream *s)
{
    if (!s->file)
        return;
    s->failed |= fclose(s->file) != 0;
    s->file = NULL;
    if (s->failed)
        fprintf(stderr, ME ": %s/%s: not written completely\n", run->dir, ST_RUN_STDERR);
}

/* Read the signal pipe: pass SIGINT/SIGTERM/SIGHUP on, reap on SIGCHLD. */
static void handle_signals(struct child *c)
{
    bool from_kernel = false, again = false;
    int sig;
    while ((sig = st_run_next_signal(c->run, &from_kernel, &again)) != 0) {
        if (c->pid <= 0 || c->reaped)
            continue;
        if (again) {
            st_child_signal_tree(c->pid, SIGKILL);
            continue;
        }
        /* The terminal's Ctrl-C already reached the command (same process
         * group); a kill(1) aimed at us alone must be passed on, to what
         * the command started too (a shell's scanner) */
        if (!from_kernel)
            st_child_signal_tree(c->pid, sig);
        fprintf(stderr, ME ": %s: stopping the command (again to kill it)\n", strsignal(sig));
    }
    if (c->pid > 0 && !c->reaped && waitpid(c->pid, &c->wstatus, WNOHANG) == c->pid)
        c->reaped = true;
}

/* Run until the command has exited and its output is in trace.log. */
static void run_command(struct child *c)
{
    while (!c->reaped) {
        struct pollfd p[3] = {
            {c->out.fd, POLLIN, 0}, {c->err.fd, POLLIN, 0}, {c->run->sig_fd, POLLIN, 0}};
        /* The timeout only guards against a lost SIGCHLD byte. */
        if (poll(p, 3, 1000) < 0 && errno != EINTR)
            break;
        pump_output(c);
        handle_signals(c);
    }
    /* What the command wrote before exiting; a background child of it that
     * still holds the pipe does not keep us waiting. */
    pump_output(c);
    for (struct stream *s = &c->out; s; s = s == &c->out ? &c->err : NULL)
        if (s->fd >= 0) {
            close(s->fd);
            s->fd = -1;
        }
}

static struct json_object *command_json(char **cmd)
{
    struct json_object *c = json_object_new_object();
    struct json_object *argv = json_object_new_array();
    for (char **a = cmd; *a; a++)
        json_object_array_add(argv, json_object_new_string(*a));
    json_object_object_add(c, "argv", argv);
    json_object_object_add(c, "trace", json_object_new_string(ST_RUN_TRACE));
    json_object_object_add(c, "stderr", json_object_new_string(ST_RUN_STDERR));
    json_object_object_add(c, "exit_status", NULL);
    json_object_object_add(c, "signal", NULL);
    return c;
}

/* Start the run: the directory, the capture live on every interface, the
 * first run.json. 0, or an exit code (its line said, nothing left behind). */
static int start_run(struct st_run *run, const struct options *o, int argc, char **argv)
{
    struct st_run_opts ro = {.me = ME,
                             .subcommand = "record",
                             .argc = argc,
                             .argv = argv,
                             .dir = o->rundir,
                             .force = o->force};
    int rc = st_run_prepare(run, &ro);
    if (rc)
        return rc;
    struct st_capture_opts co = {.ifnames = o->ifnames,
                                 .n_ifs = o->n_ifs,
                                 .snaplen = o->snaplen,
                                 .buffer_bytes = o->buffer_mib * MIB};
    st_run_capture_begin(run, &co);
    json_object_object_add(run->json, "command", command_json(o->cmd));
    json_object_object_add(run->json, "linger_s", json_object_new_double(o->linger_s));
    if ((rc = st_run_begin(run, NULL)) != 0) {
        fprintf(stderr, ME ": %s\n", run->err);
        return st_run_abandon(run, rc);
    }
    return 0;
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
    struct st_run run;
    if ((rc = pick_interfaces(&o)) != 0 || (rc = start_run(&run, &o, argc, argv)) != 0)
        return rc;

    struct child c = {.run = &run,
                      .pid = -1,
                      .out = {.fd = -1, .file = run.trace, .echo_fd = o.tee ? STDOUT_FILENO : -1},
                      .err = {.fd = -1, .echo_fd = STDERR_FILENO}};
    int status = 0;
    handle_signals(&c); /* a Ctrl-C while the capture started: do not run at all */
    if (!st_run_interrupted(&run)) {
        int se = st_child_spawn(o.cmd, &c.pid, &c.out.fd, &c.err.fd);
        if (se) {
            /* Nothing ran (e.g. ENOEXEC): leave nothing behind, as for 127 above. */
            fprintf(stderr, ME ": %s: %s\n", o.cmd[0], strerror(se));
            return st_run_abandon(&run, se == ENOENT ? 127 : 126);
        }
        c.err.file = open_stderr(&run);
        run_command(&c);
        finish_stderr(&run, &c.err);
        status = st_child_status(c.wstatus);
        json_object *cmd = json_object_object_get(run.json, "command");
        /* (compare: an answer after it is none the command could read) */
        json_object_object_add(cmd, "end_time_ns", json_object_new_int64(st_now_ns()));
        json_object_object_add(cmd, "exit_status", json_object_new_int(status));
        if (WIFSIGNALED(c.wstatus))
            json_object_object_add(cmd, "signal", st_runjson_signal(WTERMSIG(c.wstatus)));
        st_run_linger(&run, (int64_t)(o.linger_s * 1e9));
    }
    rc = st_run_end(&run, false, NULL);
    return rc ? rc : status;
}
