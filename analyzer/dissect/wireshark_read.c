/*
 * libwireshark in process (see dissect.h). Built as a module of its
 * own, loaded by wireshark_load.c when compare needs it: linked into the
 * executable, libwireshark's relocations would slow the start of every
 * scantrace command, scan included (BENCHMARKS.md).
 *
 * epan is initialised once per process (it registers every dissector, the
 * slowest part of a small compare) and dissects each frame with a tree primed with our
 * fields only, as tshark -T fields does. The values reach the record mapping
 * (dissect_fields.c) as tshark would print them (fvalue's display string),
 * integers straight from the value.
 *
 * Two cores: a capture of split_bytes or more is cut at half its size, and
 * each half is dissected by a forked child (sharing the initialised epan);
 * the second reads the first half without dissecting it, to number its
 * frames. The parent collects both children's records from pipes, in a
 * thread each, and keeps none of libwireshark's per-frame memory (see
 * struct half). No dissection state crosses the cut: the fields read here are raw
 * header values (tcp.seq_raw, not the relative seq). The dissection session
 * is renewed every SESSION_FRAMES frames, which frees the conversation and
 * request/response tables Wireshark keeps per session (tshark's -M), which
 * grow with every frame. A renewal itself keeps a few megabytes, so renewing
 * often costs more than it frees (BENCHMARKS.md), hence the large period.
 */
#include "wireshark_module.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <epan/addr_resolv.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>

#include "dissect_fields.h"

#define ST_WS_EXPORT   __attribute__((visibility("default")))
#define SPLIT_DEFAULT  (8u << 20)
#define SESSION_FRAMES 262144
#define MAX_OCC        4 /* values kept per field and frame (two IP headers at most) */
#define MAX_HF         8 /* registrations of one field name */

/* ---- epan, once per process ---------------------------------------------- */

static bool inited;
/* A field name can be registered by several header fields (sctp.checksum
 * is): tshark prints them all, so every one is primed and read. */
static int hf[ST_NFIELDS][MAX_HF];
static unsigned nhf[ST_NFIELDS];
/* header field id (below nslots, the largest of ours + 1) -> 1 + its (field,
 * registration) index f * MAX_HF + h, 0 for fields not read: one walk over a
 * frame's values finds ours */
static uint16_t *slot_of;
static guint nslots;
static char version[64];

static void quiet_err(const char *fmt, va_list ap)
{
    (void)fmt;
    (void)ap;
}

/* Every frame dissected as it was on the wire (dissect_fields.h): a
 * fragment train stays fragments (compare aligns them with their probe),
 * the reassembled datagram is not put on its last fragment. tshark gets the
 * same through its argv. */
static void set_prefs(void)
{
    for (size_t i = 0; i < ST_DISSECT_NPREFS; i++) {
        char pref[96];
        char *errmsg = NULL;
        snprintf(pref, sizeof pref, "%s", st_dissect_prefs[i]);
        prefs_set_pref(pref, &errmsg);
        g_free(errmsg);
    }
    prefs_apply_all();
}

static int init_epan(char *err, size_t errsz)
{
    if (inited)
        return 0;
    ws_log_init("scantrace", quiet_err);
    ws_log_set_level(LOG_LEVEL_CRITICAL);
    init_process_policies();
    g_free(configuration_init("scantrace", NULL));
    wtap_init(FALSE);
    if (!epan_init(NULL, NULL, FALSE)) {
        snprintf(err, errsz, "libwireshark: cannot initialise the dissectors");
        return -1;
    }
    epan_load_settings();
    disable_name_resolution(); /* tshark -n */
    set_prefs();
    for (size_t i = 0; i < ST_NFIELDS; i++) {
        int id = proto_registrar_get_id_byname(st_field_names[i]);
        if (id < 0) {
            snprintf(err, errsz, "libwireshark %s has no field %s", epan_get_version(),
                     st_field_names[i]);
            return -1;
        }
        nhf[i] = 0;
        for (; id >= 0 && nhf[i] < MAX_HF;
             id = proto_registrar_get_nth((guint)id)->same_name_prev_id)
            hf[i][nhf[i]++] = id;
    }
    nslots = 0;
    for (size_t i = 0; i < ST_NFIELDS; i++)
        for (unsigned h = 0; h < nhf[i]; h++)
            if ((guint)hf[i][h] >= nslots)
                nslots = (guint)hf[i][h] + 1;
    slot_of = calloc(nslots, sizeof *slot_of);
    if (!slot_of)
        abort();
    for (size_t i = 0; i < ST_NFIELDS; i++)
        for (unsigned h = 0; h < nhf[i]; h++)
            slot_of[hf[i][h]] = (uint16_t)(1 + i * MAX_HF + h);
    snprintf(version, sizeof version, "libwireshark %s", epan_get_version());
    inited = true;
    return 0;
}

/* ---- one frame's fields as a field source -------------------------------- */

struct frame_vals {
    field_info *fi[ST_NFIELDS][MAX_OCC];
    unsigned n[ST_NFIELDS];
    char *str[ST_NFIELDS][MAX_OCC]; /* display strings made so far (g_free) */
};

static const char *fv_str(void *ud, enum st_field f, size_t idx)
{
    struct frame_vals *v = ud;
    if (idx >= v->n[f])
        return NULL;
    if (!v->str[f][idx]) {
        field_info *fi = v->fi[f][idx];
        v->str[f][idx] =
            fvalue_to_string_repr(NULL, &fi->value, FTREPR_DISPLAY, fi->hfinfo->display);
    }
    return v->str[f][idx];
}

static size_t fv_count(void *ud, enum st_field f)
{
    return ((struct frame_vals *)ud)->n[f];
}

static bool fv_num(void *ud, enum st_field f, size_t idx, unsigned long *out)
{
    struct frame_vals *v = ud;
    if (idx >= v->n[f])
        return false;
    fvalue_t *fv = &v->fi[f][idx]->value;
    enum ftenum t = fvalue_type_ftenum(fv);
    if (IS_FT_UINT32(t))
        *out = fvalue_get_uinteger(fv);
    else if (IS_FT_UINT64(t))
        *out = (unsigned long)fvalue_get_uinteger64(fv);
    else
        return false;
    return true;
}

/* The values of each (field, registration) in this frame: the tree keeps them
 * per field id in a table of the fields present (a few dozen), walked once
 * instead of looking each of our fields up. */
static void found_arrays(epan_dissect_t *edt, GPtrArray *arr[ST_NFIELDS][MAX_HF])
{
    memset(arr, 0, sizeof(GPtrArray *) * ST_NFIELDS * MAX_HF);
    GHashTable *present = edt->tree ? PTREE_DATA(edt->tree)->interesting_hfids : NULL;
    if (!present)
        return;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, present);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        guint id = (guint)GPOINTER_TO_INT(key);
        unsigned slot = id < nslots ? slot_of[id] : 0;
        if (slot)
            arr[(slot - 1) / MAX_HF][(slot - 1) % MAX_HF] = val;
    }
}

static void collect(epan_dissect_t *edt, struct frame_vals *v)
{
    GPtrArray *arr[ST_NFIELDS][MAX_HF];
    found_arrays(edt, arr);
    for (size_t f = 0; f < ST_NFIELDS; f++) {
        unsigned n = 0, from = 0;
        for (unsigned h = 0; h < nhf[f]; h++) {
            GPtrArray *a = arr[f][h];
            for (unsigned i = 0; a && i < a->len && n < MAX_OCC; i++)
                v->fi[f][n++] = g_ptr_array_index(a, i);
            from += a && a->len ? 1 : 0;
        }
        /* values of several registrations: in the frame's order, as tshark walks the tree */
        for (unsigned i = 1; from > 1 && i < n; i++)
            for (unsigned j = i; j > 0 && v->fi[f][j - 1]->start > v->fi[f][j]->start; j--) {
                field_info *t = v->fi[f][j];
                v->fi[f][j] = v->fi[f][j - 1];
                v->fi[f][j - 1] = t;
            }
        v->n[f] = n;
        for (unsigned i = 0; i < n; i++)
            v->str[f][i] = NULL;
    }
}

static void release(struct frame_vals *v)
{
    for (size_t f = 0; f < ST_NFIELDS; f++)
        for (unsigned i = 0; i < v->n[f]; i++)
            g_free(v->str[f][i]);
}

/* ---- the dissection loop --------------------------------------------------- */

struct prov {
    frame_data prev, first;
    bool have_prev;
};

/* Only the previous frame's time is asked for (frame.time_delta). */
static const nstime_t *frame_ts(struct packet_provider_data *pd, guint32 num)
{
    const struct prov *p = (const struct prov *)(void *)pd;
    if (p->have_prev && p->prev.num == num)
        return &p->prev.abs_ts;
    return p->have_prev && p->first.num == num ? &p->first.abs_ts : NULL;
}

static const struct packet_provider_funcs prov_funcs = {frame_ts, NULL, NULL, NULL};

/* Where the frames go: the caller's dissection, or the pipe to the parent. */
struct sink {
    struct st_dissection *c; /* or NULL */
    FILE *out;               /* or NULL */
};

/* A record on the pipe: 'P' and the record packed (a fifth of struct
 * st_pkt's bytes). */
static void emit(struct sink *s, const struct st_pkt *p)
{
    if (s->c) {
        st_dissection_push(s->c, p);
        return;
    }
    uint8_t rec[ST_STORE_PACKED_MAX];
    fputc('P', s->out);
    fwrite(rec, 1, st_store_pack(p, rec), s->out);
}

static void read_error(const char *path, int werr, char *werr_info, uint32_t frame, char *err,
                       size_t errsz)
{
    if (werr == WTAP_ERR_SHORT_READ)
        snprintf(err, errsz,
                 "%s: frame %u: the file appears to have been cut short in the "
                 "middle of a packet",
                 path, frame);
    else
        snprintf(err, errsz, "%s: frame %u: %s%s%s", path, frame, wtap_strerror(werr),
                 werr_info ? ": " : "", werr_info ? werr_info : "");
    g_free(werr_info);
}

/*
 * Dissect the frames at file offsets [from, to) (to < 0: to the end) into
 * `s`, numbering every frame of the file. Returns the number of frames seen
 * before `to`, or -1 with err (bad input) / -2 (environment).
 */
static long dissect_range(const char *path, int64_t from, int64_t to, struct sink *s, char *err,
                          size_t errsz)
{
    int werr = 0;
    gchar *werr_info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &werr, &werr_info, FALSE);
    if (!wth) {
        if (werr == WTAP_ERR_FILE_UNKNOWN_FORMAT)
            snprintf(err, errsz,
                     "%s: The file isn't a capture file in a format scantrace "
                     "understands",
                     path);
        else
            snprintf(err, errsz, "%s: %s%s%s", path, wtap_strerror(werr), werr_info ? ": " : "",
                     werr_info ? werr_info : "");
        g_free(werr_info);
        return -1;
    }
    struct prov prov;
    memset(&prov, 0, sizeof prov);
    epan_t *epan = epan_new((struct packet_provider_data *)(void *)&prov, &prov_funcs);
    epan_dissect_t *edt = epan_dissect_new(epan, TRUE, FALSE);
    int ftype = wtap_file_type_subtype(wth);
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    struct frame_vals *v = calloc(1, sizeof *v);
    if (!v)
        abort();
    const frame_data *ref = NULL;
    nstime_t elapsed = NSTIME_INIT_ZERO;
    guint32 cum = 0, num = 0, in_session = 0;
    gint64 off;
    long rc = 0;

    while (wtap_read(wth, &rec, &buf, &werr, &werr_info, &off)) {
        num++;
        if (to >= 0 && off >= to) {
            rc = (long)num - 1;
            goto done;
        }
        if (off < from) {
            wtap_rec_reset(&rec);
            continue;
        }
        if (++in_session > SESSION_FRAMES) {
            /* a fresh session: Wireshark's per-capture tables start empty */
            epan_dissect_free(edt);
            epan_free(epan);
            epan = epan_new((struct packet_provider_data *)(void *)&prov, &prov_funcs);
            edt = epan_dissect_new(epan, TRUE, FALSE);
            in_session = 1;
        }
        frame_data fd;
        frame_data_init(&fd, num, &rec, off, cum);
        for (size_t f = 0; f < ST_NFIELDS; f++)
            for (unsigned h = 0; h < nhf[f]; h++)
                epan_dissect_prime_with_hfid(edt, hf[f][h]);
        frame_data_set_before_dissect(&fd, &elapsed, &ref, prov.have_prev ? &prov.prev : NULL);
        epan_dissect_run(edt, ftype, &rec,
                         tvb_new_real_data(ws_buffer_start_ptr(&buf), fd.cap_len, fd.pkt_len), &fd,
                         NULL);
        frame_data_set_after_dissect(&fd, &cum);

        collect(edt, v);
        struct st_field_src src = {fv_str, fv_count, fv_num, v};
        struct st_pkt p;
        st_fields_record(&src, &p);
        emit(s, &p);
        release(v);

        epan_dissect_reset(edt);
        frame_data_destroy(&fd);
        prov.prev = fd;
        if (!prov.have_prev) {
            prov.first = fd;
            ref = &prov.first;
        }
        prov.have_prev = true;
        wtap_rec_reset(&rec);
    }
    if (werr) {
        read_error(path, werr, werr_info, num + 1, err, errsz);
        rc = -1;
    } else {
        rc = (long)num;
    }
done:
    free(v);
    epan_dissect_free(edt);
    epan_free(epan);
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buf);
    wtap_close(wth);
    return rc;
}

/* ---- the halves ------------------------------------------------------------ */

/* A child: dissect [from, to) onto fd; 'E' + message on error, 'D' when done. */
static void child_main(const char *path, int64_t from, int64_t to, int fd)
{
    FILE *out = fdopen(fd, "w");
    if (!out)
        _exit(3);
    static char obuf[1 << 16];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    char err[512] = "";
    struct sink s = {NULL, out};
    long n = dissect_range(path, from, to, &s, err, sizeof err);
    if (n < 0) {
        fputc('E', out);
        fputs(err, out);
        fputc('\n', out);
    } else {
        fputc('D', out);
    }
    _exit(fclose(out) == 0 ? 0 : 3);
}

struct collector {
    int fd;
    struct st_dissection part;
    char err[512];
    bool done, failed;
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
        if (tag == 'E') {
            if (!fgets(k->err, sizeof k->err, in))
                k->err[0] = '\0';
            k->err[strcspn(k->err, "\n")] = '\0';
            k->failed = true;
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

/*
 * Half of a capture, dissected by a child of its own (its records collected
 * from a pipe by a thread), or here when no child could be had. Children
 * dissect both halves, not the parent: a renewal of the dissection session
 * keeps a few megabytes, and libwireshark keeps them until its process
 * exits (about 40 bytes a frame at 10M frames, measured), so in the parent
 * they would add to compare's peak.
 */
struct half {
    int64_t from, to; /* file offsets, to < 0: the end */
    pid_t pid;        /* the child, or -1: dissected here */
    pthread_t th;
    struct collector k; /* k.part: the records, either way */
    enum st_tshark_rc rc;
};

static void half_fork(const char *path, struct half *h)
{
    int pfd[2];
    h->pid = -1;
    if (pipe2(pfd, O_CLOEXEC))
        return;
    fflush(NULL);
    h->pid = fork();
    if (h->pid == 0) {
        close(pfd[0]);
        child_main(path, h->from, h->to, pfd[1]);
    }
    close(pfd[1]);
    if (h->pid < 0) {
        close(pfd[0]);
        return;
    }
    h->k.fd = pfd[0];
}

static void half_collect(struct half *h)
{
    if (h->pid < 0 || pthread_create(&h->th, NULL, collect_main, &h->k) == 0)
        return;
    close(h->k.fd);
    kill(h->pid, SIGKILL);
    waitpid(h->pid, NULL, 0);
    h->pid = -1;
}

static void half_here(const char *path, struct half *h)
{
    if (h->pid >= 0)
        return;
    struct sink s = {&h->k.part, NULL};
    if (dissect_range(path, h->from, h->to, &s, h->k.err, sizeof h->k.err) < 0)
        h->rc = ST_TSHARK_BAD_INPUT;
}

static void half_wait(const char *path, struct half *h)
{
    if (h->pid < 0)
        return;
    pthread_join(h->th, NULL);
    int st = 0;
    while (waitpid(h->pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (h->k.failed && h->k.err[0]) {
        h->rc = ST_TSHARK_BAD_INPUT;
    } else if (!h->k.done || !WIFEXITED(st) || WEXITSTATUS(st)) {
        snprintf(h->k.err, sizeof h->k.err, "%s: a dissecting process failed", path);
        h->rc = ST_TSHARK_ENVIRONMENT;
    }
}

/* Both halves into c (empty), the first's error before the second's. */
static enum st_tshark_rc halves_read(const char *path, int64_t cut, struct st_dissection *c,
                                     char *err, size_t errsz)
{
    struct half h[2];
    memset(h, 0, sizeof h);
    h[0].to = cut;
    h[1].from = cut;
    h[1].to = -1;
    /* both forks before any thread: a child is then a copy of one thread */
    for (int i = 0; i < 2; i++)
        half_fork(path, &h[i]);
    for (int i = 0; i < 2; i++)
        half_collect(&h[i]);
    for (int i = 0; i < 2; i++)
        half_here(path, &h[i]);
    for (int i = 0; i < 2; i++)
        half_wait(path, &h[i]);
    enum st_tshark_rc rc = ST_TSHARK_OK;
    for (int i = 0; i < 2 && rc == ST_TSHARK_OK; i++)
        if (h[i].rc != ST_TSHARK_OK) {
            rc = h[i].rc;
            snprintf(err, errsz, "%s", h[i].k.err);
        }
    struct st_pkt first;
    if (rc == ST_TSHARK_OK && h[1].k.part.n &&
        st_store_get(&h[1].k.part.frames, 0, &first)->frame != h[0].k.part.n + 1) {
        snprintf(err, errsz, "%s: frame %u: the two halves do not join", path, first.frame);
        rc = ST_TSHARK_ENVIRONMENT;
    }
    for (int i = 0; i < 2; i++) {
        append(c, &h[i].k.part);
        st_dissection_free(&h[i].k.part);
    }
    return rc;
}

/* ---- the read ------------------------------------------------------------------ */

ST_WS_EXPORT enum st_tshark_rc st_wireshark_module_read(const char *path,
                                                        const struct st_wireshark_opts *o,
                                                        struct st_dissection *c, char *err,
                                                        size_t errsz)
{
    memset(c, 0, sizeof *c);
    int64_t size;
    if (st_dissection_check_path(path, &size, err, errsz))
        return ST_TSHARK_BAD_INPUT;
    if (init_epan(err, errsz))
        return ST_TSHARK_ENVIRONMENT;

    uint64_t split = o && o->split_bytes ? o->split_bytes : SPLIT_DEFAULT;
    int64_t cut = (uint64_t)size >= split ? size / 2 : -1;
    enum st_tshark_rc rc;
    if (cut > 0) {
        rc = halves_read(path, cut, c, err, errsz);
    } else {
        struct sink s = {c, NULL};
        rc = dissect_range(path, 0, -1, &s, err, errsz) < 0 ? ST_TSHARK_BAD_INPUT : ST_TSHARK_OK;
    }
    if (rc != ST_TSHARK_OK) {
        st_dissection_free(c);
        return rc;
    }
    struct st_pkt first;
    for (size_t i = 0; i < c->n && !c->have_direction; i++)
        if (st_store_get(&c->frames, i, &first)->dir != ST_DIR_NONE)
            c->have_direction = true;
    st_store_trim(&c->frames);
    snprintf(c->dissector, sizeof c->dissector, "%s", version);
    return ST_TSHARK_OK;
}
