/*
 * The libwireshark dissection seen from compare (see wireshark_read.c):
 * the master process started for it (the helper scantrace-dissect, which
 * loads the module and starts epan: st_wireshark_module_master), and the
 * records collected from a pipe per part, in a thread each. compare itself never loads libwireshark
 * for it (its relocations alone are 72 MB of a process's resident set).
 */
#include "wireshark_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct collector {
    int fd;
    struct st_dissection part;
    char err[512];
    char version[64]; /* the master's 'V' line: "libwireshark 4.0.17" */
    bool done, failed, environment;
};

static bool read_full(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n;
}

/* Thread: the child's records off the pipe. */
static void *collect_main(void *arg)
{
    struct collector *k = arg;
    FILE *in = fdopen(k->fd, "r");
    if (!in) {
        close(k->fd);
        k->failed = true;
        return NULL;
    }
    for (;;) {
        int tag = fgetc(in);
        if (tag == 'P') {
            uint8_t rec[ST_STORE_PACKED_MAX];
            if (!read_full(in, rec, ST_STORE_PACKED_HEAD))
                break;
            size_t len = st_store_packed_len(rec);
            if (!read_full(in, rec + ST_STORE_PACKED_HEAD, len - ST_STORE_PACKED_HEAD))
                break;
            st_store_add_packed(&k->part.frames, rec);
            k->part.n++;
            continue;
        }
        if (tag == 'V') {
            if (!fgets(k->version, sizeof k->version, in))
                break;
            k->version[strcspn(k->version, "\n")] = '\0';
            continue;
        }
        if (tag == 'E' || tag == 'X') { /* the capture's error, or the dissectors' */
            if (!fgets(k->err, sizeof k->err, in))
                k->err[0] = '\0';
            k->err[strcspn(k->err, "\n")] = '\0';
            k->failed = true;
            k->environment = tag == 'X';
        } else if (tag == 'D') {
            k->done = true;
        }
        break;
    }
    /* drain so the child never blocks on a full pipe */
    char sink[4096];
    while (fread(sink, 1, sizeof sink, in) > 0)
        ;
    fclose(in);
    return NULL;
}

static void append(struct st_dissection *c, struct st_dissection *part)
{
    c->n += part->n;
    st_store_take(&c->frames, &part->frames);
    memset(part, 0, sizeof *part);
}

/* fd moved above the descriptors the master is given (3, 4), still closed
 * at exec here: the two dup2s cannot overwrite each other. */
static int lift_fd(int fd)
{
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    close(fd);
    return hi;
}

/* A part of the capture, its records collected from its pipe by a thread. */
struct part {
    int wfd; /* the pipe's write end, the master's */
    pthread_t th;
    bool collecting;
    struct collector k;
};

static bool part_pipe(struct part *p)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC))
        return false;
    p->k.fd = pfd[0];
    p->wfd = lift_fd(pfd[1]);
    if (p->wfd < 0)
        close(p->k.fd);
    return p->wfd >= 0;
}

/* The helper next to the module into out: whether it can be run. */
static bool helper_path(const char *module, char *out, size_t n)
{
    const char *slash = strrchr(module, '/');
    snprintf(out, n, "%.*s%s", slash ? (int)(slash - module + 1) : 0, module, ST_WS_HELPER);
    return access(out, X_OK) == 0;
}

/*
 * The master: the helper next to the module (ST_WS_HELPER), started by
 * posix_spawn from the thread that collects, with part i's pipe as its
 * descriptor 3 + i. Never a fork of this process: a fork copies every lock
 * another thread held at that instant, and compare's main thread parses
 * run.json meanwhile (json-c takes glibc's locale lock at every chunk); a
 * master forked then hung for ever in the first newlocale of the module's
 * libraries (seen: libp11-kit's constructor, in dlopen). Its pid, or -1
 * when no helper or process could be had.
 */
static pid_t master_spawn(const char *module, const char *path, int64_t cut, size_t seg,
                          struct part *p, int nparts)
{
    char helper[PATH_MAX + 64], scut[24], sseg[24], sparent[24];
    if (!helper_path(module, helper, sizeof helper)) {
        for (int i = 0; i < nparts; i++)
            close(p[i].wfd);
        return -1;
    }
    snprintf(scut, sizeof scut, "%lld", (long long)cut);
    snprintf(sseg, sizeof sseg, "%zu", seg);
    snprintf(sparent, sizeof sparent, "%ld", (long)getpid());
    char *mod = strdup(module), *cap = strdup(path); /* argv's strings are not const */
    if (!mod || !cap)
        abort();
    char *argv[] = {helper, mod, cap, scut, sseg, sparent, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, deflt;
    sigemptyset(&none);
    sigfillset(&deflt);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    for (int i = 0; i < nparts; i++)
        posix_spawn_file_actions_adddup2(&fa, p[i].wfd, 3 + i);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &deflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    /* huge pages for its malloc: see st_dissect_helper_env */
    char **env = st_dissect_helper_env(environ);
    int rc = posix_spawn(&pid, helper, &fa, &at, argv, env ? env : environ);
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(mod);
    free(cap);
    for (int i = 0; i < nparts; i++)
        close(p[i].wfd);
    return rc ? -1 : pid;
}

/* What a part's collector found: ok, or its error into err. */
static enum st_tshark_rc part_result(const char *path, struct part *p, bool master_ok, char *err,
                                     size_t errsz)
{
    if (p->k.failed && p->k.err[0]) {
        snprintf(err, errsz, "%s", p->k.err);
        return p->k.environment ? ST_TSHARK_ENVIRONMENT : ST_TSHARK_BAD_INPUT;
    }
    if (!p->k.done || !master_ok) {
        snprintf(err, errsz, "%s: a dissecting process failed", path);
        return ST_TSHARK_ENVIRONMENT;
    }
    return ST_TSHARK_OK;
}

/* The parts into c: the first's error before the second's. */
static enum st_tshark_rc parts_join(const char *path, struct part *p, int nparts, bool master_ok,
                                    struct st_dissection *c, char *err, size_t errsz)
{
    enum st_tshark_rc rc = ST_TSHARK_OK;
    for (int i = 0; i < nparts && rc == ST_TSHARK_OK; i++)
        rc = part_result(path, &p[i], master_ok, err, errsz);
    struct st_pkt first;
    if (rc == ST_TSHARK_OK && nparts > 1 && p[1].k.part.n &&
        st_store_get(&p[1].k.part.frames, 0, &first)->frame != p[0].k.part.n + 1) {
        snprintf(err, errsz, "%s: frame %u: the two halves do not join", path, first.frame);
        rc = ST_TSHARK_ENVIRONMENT;
    }
    for (int i = 0; i < nparts; i++) {
        append(c, &p[i].k.part);
        st_dissection_free(&p[i].k.part);
    }
    return rc;
}

enum st_tshark_rc st_wireshark_parts_read(const char *module, const char *path, int64_t cut,
                                          size_t seg, struct st_dissect_stop *stop,
                                          struct st_dissection *c, bool *here, char *err,
                                          size_t errsz)
{
    int nparts = cut > 0 ? 2 : 1;
    struct part p[2];
    memset(p, 0, sizeof p);
    *here = false;
    for (int i = 0; i < nparts; i++)
        if (!part_pipe(&p[i])) {
            for (int k = 0; k < i; k++)
                close(p[k].k.fd), close(p[k].wfd);
            *here = true;
            return ST_TSHARK_OK;
        }
    pid_t master = master_spawn(module, path, cut, seg, p, nparts);
    if (master < 0) {
        for (int i = 0; i < nparts; i++)
            close(p[i].k.fd);
        *here = true;
        return ST_TSHARK_OK;
    }
    st_dissect_stop_watch(stop, 0, master);
    for (int i = 0; i < nparts; i++) {
        p[i].collecting = pthread_create(&p[i].th, NULL, collect_main, &p[i].k) == 0;
        if (!p[i].collecting) { /* the master dies, and with it the rest */
            close(p[i].k.fd);
            kill(master, SIGKILL);
        }
    }
    for (int i = 0; i < nparts; i++)
        if (p[i].collecting)
            pthread_join(p[i].th, NULL);
    st_dissect_stop_unwatch(stop, 0);
    enum st_tshark_rc rc = parts_join(path, p, nparts, st_dissect_reap_ok(master), c, err, errsz);
    snprintf(c->dissector, sizeof c->dissector, "%s", p[0].k.version);
    return rc;
}
