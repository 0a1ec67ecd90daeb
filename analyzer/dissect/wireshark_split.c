/*
 * The dissection's processes (see wireshark_read.c): the master, started
 * by compare (scantrace-dissect), starts epan and dissects the capture, or
 * its first half while a child of its own dissects the second; each by runs of frames in
 * short-lived worker processes; the records collected by compare from a
 * pipe per part.
 */
#include "wireshark_frames.h"
#include "wireshark_module.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SEG_FRAMES SESSION_FRAMES /* a worker: one session, as many as renewals */

static size_t seg_frames = SEG_FRAMES; /* st_wireshark_opts.segment_frames */

/* ---- the children ---------------------------------------------------------- */

/*
 * A child dissects its half by segments of SEG_FRAMES frames, each in a
 * worker process of its own: the child reads a segment's frames (their file
 * offsets and the chain, without dissecting them), then forks a worker that
 * starts from the child's untouched epan, dissects the segment (wtap's
 * random access) in one session onto the child's pipe, and exits. Workers
 * run one at a time, so their records reach the pipe in order; the child
 * reads the next segment meanwhile. A process that dissected a whole half
 * grew with the frames (libwireshark keeps some of every session, and an
 * entry for every address it saw, in epan scope: 710 MB a child at 10M
 * frames, BENCHMARKS.md); a worker's memory goes with it.
 */
struct segment {
    gint64 offs[SEG_FRAMES];
    size_t n;
    guint32 first;          /* its first frame's number */
    struct stw_chain start; /* the chain before its first frame */
};

/* Dissect segment g onto out: 0, or -1 with err (bad input). */
static int segment_dissect(const char *path, wtap *wth, struct segment *g, FILE *out, char *err,
                           size_t errsz)
{
    int werr = 0;
    gchar *werr_info = NULL;
    if (!wtap_fdreopen(wth, path, &werr)) { /* a file offset of its own */
        snprintf(err, errsz, "%s: %s", path, wtap_strerror(werr));
        return -1;
    }
    struct stw_sink s = {NULL, out};
    struct stw_dissector d;
    stw_dis_open(&d, &g->start, wtap_file_type_subtype(wth));
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    int rc = 0;
    for (size_t i = 0; i < g->n && !rc; i++) {
        guint32 num = g->first + (guint32)i;
        if (!wtap_seek_read(wth, g->offs[i], &rec, &buf, &werr, &werr_info)) {
            stw_read_error(path, werr, werr_info, num, err, errsz);
            rc = -1;
            break;
        }
        stw_frame_step(&g->start, &d, num, &rec, &buf, g->offs[i], &s);
        wtap_rec_reset(&rec);
    }
    stw_dis_close(&d);
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buf);
    return rc;
}

/* A worker for g, or the segment dissected here when no process can be had.
 * Returns its pid, -1 when done here, -2 when that failed (err). */
static pid_t worker_start(const char *path, wtap *wth, struct segment *g, FILE *out, char *err,
                          size_t errsz)
{
    fflush(out);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        st_dissect_die_with(parent);
        char werr[512] = "";
        int rc = segment_dissect(path, wth, g, out, werr, sizeof werr);
        if (rc)
            fprintf(out, "E%s\n", werr);
        _exit(fflush(out) ? 3 : rc ? 2 : 0);
    }
    if (pid > 0)
        return pid;
    return segment_dissect(path, wth, g, out, err, errsz) ? -2 : -1;
}

/* A child's walk over its half. */
struct lane {
    const char *path;
    wtap *wth;
    struct segment *g;
    FILE *out;
    struct stw_chain ch;
    pid_t pid;        /* the running worker, or -1 */
    bool failed;      /* a worker failed: it said why, or the parent will */
    bool failed_here; /* no worker could be had, and the segment failed here: err */
    char *err;
    size_t errsz;
};

/* Wait for the running worker, if any: whether all is well so far. */
static bool lane_wait(struct lane *l)
{
    if (l->pid >= 0 && !st_dissect_reap_ok(l->pid))
        l->failed = true;
    l->pid = -1;
    return !l->failed && !l->failed_here;
}

/* The lane's segment to a worker, once the previous one is done. */
static bool lane_flush(struct lane *l)
{
    if (!lane_wait(l))
        return false;
    pid_t pid = worker_start(l->path, l->wth, l->g, l->out, l->err, l->errsz);
    l->failed_here = pid == -2;
    l->pid = pid >= 0 ? pid : -1;
    l->g->n = 0;
    return !l->failed_here;
}

static bool lane_frame(void *ud, guint32 num, wtap_rec *rec, Buffer *buf, gint64 off)
{
    struct lane *l = ud;
    struct segment *g = l->g;
    if (g->n == 0) {
        g->first = num;
        g->start = l->ch;
    }
    stw_frame_step(&l->ch, NULL, num, rec, buf, off, NULL);
    g->offs[g->n++] = off;
    return g->n < seg_frames || lane_flush(l);
}

/* The child's half by segments: 0, -1 with err to write, -2 when a worker
 * failed (it said why, or the parent will). */
static int lane_run(const char *path, wtap *wth, int64_t from, int64_t to, struct segment *g,
                    FILE *out, char *err, size_t errsz)
{
    struct lane l = {
        .path = path, .wth = wth, .g = g, .out = out, .pid = -1, .err = err, .errsz = errsz};
    g->n = 0;
    /* a read error's message goes aside: an earlier worker's comes first */
    char rerr[512] = "";
    long n = stw_walk(path, wth, from, to, lane_frame, &l, rerr, sizeof rerr);
    if (n >= 0 && g->n)
        lane_flush(&l);
    lane_wait(&l);
    if (l.failed)
        return -2;
    if (!l.failed_here && n < 0)
        snprintf(err, errsz, "%s", rerr);
    return l.failed_here || n < 0 ? -1 : 0;
}

/* A part: dissect [from, to) onto fd (closed): 'E' + message on error, 'D'
 * when done. Its exit status. */
static int part_main(const char *path, int64_t from, int64_t to, int fd)
{
    FILE *out = fdopen(fd, "w");
    if (!out)
        return 3;
    static char obuf[1 << 16];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    char err[512] = "";
    struct segment *g = malloc(sizeof *g);
    if (!g)
        return 3;
    wtap *wth = stw_open_capture(path, true, err, sizeof err);
    int rc = wth ? lane_run(path, wth, from, to, g, out, err, sizeof err) : -1;
    if (rc == -1)
        fprintf(out, "E%s\n", err);
    else if (rc == 0)
        fputc('D', out);
    if (wth)
        wtap_close(wth);
    free(g);
    return fclose(out) == 0 && rc != -2 ? 0 : 3;
}

/*
 * The dissecting process compare starts (wireshark_parts.c): epan is
 * started here, not in compare, and a split capture's second part goes to a
 * child forked once it is, the first dissected here. A part's error is
 * written on its pipe ('E'), and compare says the first part's first.
 */
ST_WS_EXPORT void st_wireshark_module_master(const char *path, int64_t cut, size_t seg, int fd0,
                                             int fd1)
{
    seg_frames = seg && seg < SEG_FRAMES ? seg : SEG_FRAMES;
    char err[512];
    if (stw_init(err, sizeof err)) {
        dprintf(fd0, "X%s\n", err);
        _exit(2);
    }
    dprintf(fd0, "Vlibwireshark %s\n", epan_get_version());
    pid_t self = getpid(), second = -1;
    if (fd1 >= 0) {
        second = fork();
        if (second == 0) {
            st_dissect_die_with(self);
            close(fd0);
            _exit(part_main(path, cut, -1, fd1));
        }
        if (second > 0)
            close(fd1);
    }
    int rc = part_main(path, 0, fd1 >= 0 ? cut : -1, fd0);
    if (second < 0 && fd1 >= 0) /* no process: the second part here, after */
        rc |= part_main(path, cut, -1, fd1);
    if (second > 0 && rc)
        kill(second, SIGKILL);
    if (second > 0 && !st_dissect_reap_ok(second))
        rc = 3;
    _exit(rc);
}
