/*
 * The run lifecycle (lifecycle.h). Every way out goes through release():
 * the capture joined and freed, trace.log closed, run.json's object and the
 * directory's descriptor let go, the background closes waited for.
 */
#include "lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "rundir.h"
#include "runjson.h"
#include "signals.h"

static const char *const run_files[] = {ST_RUN_TRACE, ST_RUN_CAPTURE, ST_RUN_JSON};

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
    struct st_run_sink *s = cookie;
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
    struct st_run_sink *s = cookie;
    if (close(s->fd) != 0 && !s->err)
        s->err = errno;
    s->fd = -1;
    return s->err ? -1 : 0;
}

/* trace.log as a stream over the sink; a sweep writes 16 MB of trace: in
 * large writes. */
static int trace_open(struct st_run *r)
{
    r->sink.fd = open(r->trace_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (r->sink.fd < 0)
        return -1;
    cookie_io_functions_t io = {.write = sink_write, .close = sink_close};
    r->trace = fopencookie(&r->sink, "w", io);
    if (!r->trace) {
        int e = errno;
        close(r->sink.fd);
        r->sink.fd = -1;
        errno = e;
        return -1;
    }
    setvbuf(r->trace, NULL, _IOFBF, 1 << 20);
    return 0;
}

int st_run_prepare(struct st_run *r, const struct st_run_opts *o)
{
    memset(r, 0, sizeof *r);
    r->me = o->me;
    r->dir = o->dir;
    r->dirfd = r->sink.fd = -1;
    r->sig_fd = st_signals_install();
    if (r->sig_fd < 0) {
        fprintf(stderr, "%s: signal pipe: %s\n", r->me, strerror(errno));
        return ST_EXIT_ENVIRONMENT;
    }
    r->stop = st_signals_stop_flag();
    int rc = st_rundir_prepare(r->dir, o->force, &r->created, r->err, sizeof r->err);
    if (rc) {
        fprintf(stderr, "%s: %s\n", r->me, r->err);
        return rc;
    }
    if (!st_rundir_path(r->dir, ST_RUN_TRACE, r->trace_path, sizeof r->trace_path) ||
        !st_rundir_path(r->dir, ST_RUN_CAPTURE, r->capture_path, sizeof r->capture_path)) {
        fprintf(stderr, "%s: %s: path too long\n", r->me, r->dir);
        return st_run_abandon(r, ST_EXIT_USAGE);
    }
    r->start_ns = st_now_ns();
    r->json = st_runjson_new(o->subcommand, o->argc, o->argv, r->start_ns);
    if (trace_open(r) != 0) {
        fprintf(stderr, "%s: %s: %s\n", r->me, r->trace_path, strerror(errno));
        return st_run_abandon(r, ST_EXIT_ENVIRONMENT);
    }
    return 0;
}

static void *capture_main(void *arg)
{
    struct st_run *r = arg;
    r->capture_rc = st_capture_start(&r->co, &r->cap, r->capture_err, sizeof r->capture_err);
    return NULL;
}

void st_run_capture_begin(struct st_run *r, const struct st_capture_opts *co)
{
    r->co = *co;
    r->co.path = r->capture_path;
    r->co.log_prefix = r->me;
    r->capture_begun = true;
    r->capture_threaded = pthread_create(&r->capture_thread, NULL, capture_main, r) == 0;
    if (!r->capture_threaded)
        capture_main(r);
}

static void capture_join(struct st_run *r)
{
    if (r->capture_threaded)
        pthread_join(r->capture_thread, NULL);
    r->capture_threaded = false;
}

static void set_capture(struct st_run *r)
{
    if (r->cap)
        st_runjson_set_capture(r->json, r->cap, ST_RUN_CAPTURE,
                               r->co.snaplen ? r->co.snaplen : ST_CAPTURE_SNAPLEN,
                               r->co.buffer_bytes ? r->co.buffer_bytes : ST_CAPTURE_BUFFER);
}

int st_run_begin(struct st_run *r, const struct st_privdrop *drop)
{
    if (r->begun)
        return r->begin_rc;
    r->begun = true;
    capture_join(r);
    if (r->capture_begun && r->capture_rc != ST_CAPTURE_OK) {
        snprintf(r->err, sizeof r->err, "%s", r->capture_err);
        return r->begin_rc =
                   r->capture_rc == ST_CAPTURE_EUSAGE ? ST_EXIT_USAGE : ST_EXIT_ENVIRONMENT;
    }
    set_capture(r);
    /* the run directory is the user's, reached through this descriptor: run.json
     * can be replaced after the drop even if a parent is closed to the user */
    r->dirfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool given = r->dirfd >= 0 && (!drop || st_privdrop_give(drop, r->dir) == 0);
    if (!given || st_runjson_writeat(r->dirfd, r->json) != 0) {
        snprintf(r->err, sizeof r->err, "%s%s: %s", r->dir, given ? "/" ST_RUN_JSON : "",
                 strerror(errno));
        return r->begin_rc = ST_EXIT_ENVIRONMENT;
    }
    return 0;
}

int st_run_interrupted(const struct st_run *r)
{
    return r->stop ? *r->stop : 0;
}

int st_run_next_signal(struct st_run *r, bool *from_kernel, bool *again)
{
    int sig;
    while ((sig = st_signals_next(from_kernel)) == SIGCHLD)
        ;
    if (sig)
        *again = r->stops++ > 0;
    return sig;
}

void st_run_linger_begin(struct st_run *r, int64_t linger_ns, int64_t idle_ns)
{
    if (r->cap)
        st_capture_stop_begin(r->cap, st_run_interrupted(r) ? 0 : linger_ns, idle_ns);
}

void st_run_linger(struct st_run *r, int64_t linger_ns)
{
    int64_t end = st_clock_ns(CLOCK_MONOTONIC) + linger_ns;
    for (;;) {
        bool from_kernel, again;
        while (st_run_next_signal(r, &from_kernel, &again))
            ;
        int64_t left = end - st_clock_ns(CLOCK_MONOTONIC);
        if (left <= 0 || st_run_interrupted(r))
            return;
        struct pollfd p = {r->sig_fd, POLLIN, 0};
        poll(&p, 1, (int)(left / 1000000) + 1);
    }
}

void st_run_stop(struct st_run *r)
{
    if (r->stopped)
        return;
    r->stopped = true;
    if (r->cap && st_capture_stop_idle(r->cap, 0, 0) != 0)
        r->capture_bad = true; /* it said why on stderr */
    if (r->trace) {
        bool bad = fflush(r->trace) != 0 || ferror(r->trace);
        bad |= fclose(r->trace) != 0;
        r->trace = NULL;
        if (bad)
            r->trace_errno = r->sink.err ? r->sink.err : EIO;
    }
    r->end_ns = st_now_ns();
}

/* Everything the run holds, whichever way it ends. */
static void release(struct st_run *r)
{
    capture_join(r); /* a capture still starting when the run is abandoned */
    st_capture_free(r->cap);
    r->cap = NULL;
    if (r->trace)
        fclose(r->trace);
    r->trace = NULL;
    if (r->dirfd >= 0)
        close(r->dirfd);
    r->dirfd = -1;
    json_object_put(r->json);
    r->json = NULL;
    st_closer_wait(); /* the capture's handles close on threads (closer.h) */
}

int st_run_end(struct st_run *r, bool failed, const struct st_host_table *hosts)
{
    st_run_stop(r);
    int sig = st_run_interrupted(r);
    failed = failed || r->capture_bad || r->trace_errno;
    set_capture(r);
    /* its handles close on threads while run.json is written */
    st_capture_free(r->cap);
    r->cap = NULL;
    json_object_object_add(r->json, "end_time_ns", json_object_new_int64(r->end_ns));
    json_object_object_add(r->json, "status",
                           json_object_new_string(failed ? "failed"
                                                  : sig  ? "interrupted"
                                                         : "done"));
    json_object_object_add(r->json, "interrupted", sig ? st_runjson_signal(sig) : NULL);
    int json_rc = hosts ? st_hosts_write_runjson(r->dirfd, r->json, hosts)
                        : st_runjson_writeat(r->dirfd, r->json);
    int json_errno = errno;
    release(r);
    /* one line per file that is not complete (the capture said its own) */
    if (r->trace_errno)
        fprintf(stderr, "%s: %s/%s: %s\n", r->me, r->dir, ST_RUN_TRACE, strerror(r->trace_errno));
    if (json_rc)
        fprintf(stderr, "%s: %s/%s: %s\n", r->me, r->dir, ST_RUN_JSON, strerror(json_errno));
    if (failed || json_rc)
        return ST_EXIT_ENVIRONMENT;
    return sig ? 128 + sig : ST_EXIT_OK;
}

int st_run_abandon(struct st_run *r, int rc)
{
    release(r);
    st_rundir_abandon(r->dir, r->created, run_files, sizeof run_files / sizeof run_files[0]);
    return rc;
}
