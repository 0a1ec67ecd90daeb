/*
 * tshark child and its -T ek stream.
 *
 * tshark is started with an argument vector (no shell) and a fixed list of
 * fields (-e), so its output is one small JSON document per frame; each line
 * is parsed on its own with json-c and turned into a record, so memory holds
 * records, never tshark's whole output. Numbers are read raw: ip.id and the
 * flags in hex, tcp.seq_raw instead of the relative seq. An ICMP error
 * carries two IP headers: the first value of each ip.* field is the outer
 * header, the second the quoted one, and the transport fields belong to the
 * quoted datagram. tshark has no field holding the raw IP option bytes, so
 * records from here know the options' length (ihl) but not their bytes.
 */
#include "dissect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dissect_fields.h"

extern char **environ;

#define NFIELDS ST_NFIELDS

/* exec never writes to its argument strings; the vector is just typed char *. */
static char *unconst(const char *s)
{
    return (char *)(uintptr_t)s;
}

static const char *tshark_program(void)
{
    const char *t = getenv("SCANTRACE_TSHARK");
    return t && *t ? t : "tshark";
}

/* ---- child process ----------------------------------------------------- */

struct child {
    pid_t pid;
    int out; /* read end of its stdout */
};

/* Start argv with stdout on a pipe and stderr into `errfd`. */
static int spawn(char *const argv[], int errfd, struct child *ch)
{
    int p[2];
    posix_spawn_file_actions_t fa;

    if (pipe2(p, O_CLOEXEC))
        return errno;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&ch->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc) {
        close(p[0]);
        return rc;
    }
    ch->out = p[0];
    return 0;
}

/* Wait for a child: its exit status, or 128 + signal. */
static int reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* The last meaningful line tshark wrote on stderr. */
static void last_error_line(int fd, char *buf, size_t size)
{
    char all[4096];
    ssize_t n = pread(fd, all, sizeof all - 1, 0);

    buf[0] = '\0';
    if (n <= 0)
        return;
    all[n] = '\0';
    char *save = NULL;
    for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(l, "Running as user", 15) || !*l)
            continue;
        if (!strncmp(l, "tshark: ", 8))
            l += 8;
        snprintf(buf, size, "%s", l);
    }
}

/* "tshark 4.0.17" from the first line of `prog --version` into ver. */
static void ask_version(const char *prog, char *ver, size_t versz)
{
    char *argv[] = {unconst(prog), "--version", NULL};
    struct child ch;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    char line[256] = "";

    snprintf(ver, versz, "tshark");
    if (devnull < 0 || spawn(argv, devnull, &ch)) {
        if (devnull >= 0)
            close(devnull);
        return;
    }
    close(devnull);
    FILE *f = fdopen(ch.out, "r");
    if (f) {
        if (fgets(line, sizeof line, f)) {
            char num[32];
            const char *v = strstr(line, ") ");
            if (v && sscanf(v + 2, "%31[0-9.]", num) == 1)
                snprintf(ver, versz, "tshark %s", num);
        }
        while (fgets(line, sizeof line, f))
            ;
        fclose(f);
    } else {
        close(ch.out);
    }
    reap(ch.pid);
}

/* The dissector's name and version, asked once a program: a second tshark
 * start (a fifth of a small capture's read) for every read was the same
 * answer each time. The program is the key: SCANTRACE_TSHARK may change. */
static void read_version(struct st_dissection *c)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char prog[1024], ver[sizeof c->dissector];
    const char *now = tshark_program();

    pthread_mutex_lock(&lock);
    if (!ver[0] || strcmp(prog, now)) {
        ask_version(now, ver, sizeof ver);
        snprintf(prog, sizeof prog, "%s", now);
    }
    snprintf(c->dissector, sizeof c->dissector, "%s", ver);
    pthread_mutex_unlock(&lock);
}

/* ---- an ek document as a field source ---------------------------------- */

/* One document: each field's value array, looked up once by its ek name. */
struct doc {
    json_object *vals[ST_NFIELDS];
};

static const char *doc_str(void *ud, enum st_field f, size_t idx)
{
    json_object *a = ((struct doc *)ud)->vals[f];
    if (!a)
        return NULL;
    if (json_object_is_type(a, json_type_array)) {
        if (idx >= json_object_array_length(a))
            return NULL;
        return json_object_get_string(json_object_array_get_idx(a, idx));
    }
    return idx == 0 ? json_object_get_string(a) : NULL;
}

static size_t doc_count(void *ud, enum st_field f)
{
    json_object *a = ((struct doc *)ud)->vals[f];
    if (!a)
        return 0;
    return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 1;
}

/* The ek names: '_' for '.'. */
static char eknames[ST_NFIELDS][64];

static void doc_load(struct doc *d, json_object *layers)
{
    for (size_t i = 0; i < ST_NFIELDS; i++)
        if (!json_object_object_get_ex(layers, eknames[i], &d->vals[i]))
            d->vals[i] = NULL;
}

/* The ek names of the fields, made once. */
static void eknames_init(void)
{
    if (eknames[0][0])
        return;
    for (size_t i = 0; i < ST_NFIELDS; i++) {
        snprintf(eknames[i], sizeof eknames[i], "%s", st_field_names[i]);
        for (char *s = eknames[i]; *s; s++)
            if (*s == '.')
                *s = '_';
    }
}

enum st_ek_rc st_tshark_ek_line(const char *line, struct st_pkt *p)
{
    eknames_init();
    if (!strncmp(line, "{\"index\"", 8))
        return ST_EK_SKIP;
    json_object *o = json_tokener_parse(line);
    json_object *layers;
    if (!o || !json_object_object_get_ex(o, "layers", &layers) ||
        !json_object_is_type(layers, json_type_object)) {
        json_object_put(o);
        return ST_EK_BAD;
    }
    struct doc d;
    doc_load(&d, layers);
    struct st_field_src fs = {doc_str, doc_count, NULL, &d};
    st_fields_record(&fs, p);
    json_object_put(o);
    return ST_EK_RECORD;
}

/* ---- the read ---------------------------------------------------------- */

enum st_tshark_rc st_tshark_read(const char *path, struct st_dissect_stop *stop,
                                 struct st_dissection *c, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    int64_t size;
    if (st_dissection_check_path(path, &size, err, errsz))
        return ST_TSHARK_BAD_INPUT;
    if (size == 0) { /* tshark reads an empty file as zero frames */
        snprintf(err, errsz, "%s: empty file, not a capture", path);
        return ST_TSHARK_BAD_INPUT;
    }
    if (st_dissect_private_config(err, errsz))
        return ST_TSHARK_ENVIRONMENT;

    eknames_init();
    /* argv: tshark -r PATH -n -T ek -o ip.defragment:FALSE ... -e f1 -e f2 ... */
    char *argv[8 + 2 * ST_DISSECT_NPREFS + 2 * NFIELDS];
    size_t k = 0;
    argv[k++] = unconst(tshark_program());
    argv[k++] = "-r";
    argv[k++] = unconst(path);
    argv[k++] = "-n";
    argv[k++] = "-T";
    argv[k++] = "ek";
    for (size_t i = 0; i < ST_DISSECT_NPREFS; i++) {
        argv[k++] = "-o";
        argv[k++] = unconst(st_dissect_prefs[i]);
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        argv[k++] = "-e";
        argv[k++] = unconst(st_field_names[i]);
    }
    argv[k] = NULL;

    char errpath[] = "/tmp/scantrace-tshark-XXXXXX";
    int errfd = mkostemp(errpath, O_CLOEXEC);
    if (errfd < 0) {
        snprintf(err, errsz, "cannot create a temporary file: %s", strerror(errno));
        return ST_TSHARK_ENVIRONMENT;
    }
    unlink(errpath);

    struct child ch;
    int rc = spawn(argv, errfd, &ch);
    if (rc) {
        close(errfd);
        if (rc == ENOENT)
            snprintf(err, errsz, "%s: not found (install tshark: scripts/deps)", argv[0]);
        else
            snprintf(err, errsz, "cannot start %s: %s", argv[0], strerror(rc));
        return ST_TSHARK_ENVIRONMENT;
    }
    st_dissect_stop_watch(stop, 0, ch.pid);

    FILE *out = fdopen(ch.out, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long docs = 0;
    bool bad_json = false;
    while (out && (n = getline(&line, &cap, out)) > 0) {
        struct st_pkt p;
        enum st_ek_rc ek = st_tshark_ek_line(line, &p);
        if (ek == ST_EK_SKIP)
            continue;
        if (ek == ST_EK_BAD) {
            bad_json = true;
            break;
        }
        st_dissection_push(c, &p);
        docs++;
    }
    free(line);
    if (out)
        fclose(out);
    else
        close(ch.out);
    if (bad_json)
        kill(ch.pid, SIGTERM);
    st_dissect_stop_unwatch(stop, 0);
    int status = reap(ch.pid);

    char last[256];
    last_error_line(errfd, last, sizeof last);
    close(errfd);
    enum st_tshark_rc result = ST_TSHARK_OK;
    if (st_dissect_stopped(stop)) {
        snprintf(err, errsz, "%s: dissection stopped", path);
        result = ST_TSHARK_ENVIRONMENT;
    } else if (status >= 128 && (!bad_json || status != 128 + SIGTERM)) {
        /* cut-off output from a tshark that was killed is its death, not its output */
        snprintf(err, errsz, "%s: tshark was killed by signal %d after %lu frames", path,
                 status - 128, docs);
        result = ST_TSHARK_ENVIRONMENT;
    } else if (bad_json) {
        snprintf(err, errsz, "%s: frame %lu: tshark wrote output scantrace cannot read", path,
                 docs + 1);
        result = ST_TSHARK_ENVIRONMENT;
    } else if (status != 0) {
        snprintf(err, errsz, "%s: tshark: %s", path, last[0] ? last : "failed");
        result = ST_TSHARK_BAD_INPUT;
    }
    result = st_dissection_end(path, stop, result, c, err, errsz);
    if (result == ST_TSHARK_OK)
        read_version(c);
    return result;
}
