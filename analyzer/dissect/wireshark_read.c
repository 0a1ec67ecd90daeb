/*
 * libwireshark in process (see dissect.h). Built as a module of its
 * own, loaded by wireshark_load.c when compare needs it: linked into the
 * executable, libwireshark's relocations would slow the start of every
 * scantrace command, scan included (BENCHMARKS.md).
 *
 * The dissection runs in a process started for it, the master
 * (the helper scantrace-dissect; wireshark_split.c): epan is initialised there (it registers every
 * dissector, the slowest part of a small compare), never in compare, whose
 * peak then holds none of libwireshark's tables (10M frames: 901 MB against
 * 967 MB). Each frame is dissected with a tree primed with our fields only,
 * as tshark -T fields does. The values reach the record mapping
 * (dissect_fields.c) as tshark would print them (fvalue's display string),
 * integers straight from the value.
 *
 * Two cores: a capture of split_bytes or more is cut at half its size; the
 * master forks a child for the second half once epan is up (sharing it) and
 * dissects the first itself; the child reads the first half without
 * dissecting it, to number its frames. compare collects the records from a
 * pipe per part, in a thread each (see struct part). No dissection state
 * crosses a cut: the fields read here are raw header values (tcp.seq_raw,
 * not the relative seq). Without a process to be had, all is done here.
 *
 * Memory: Wireshark keeps conversation and request/response tables per
 * session (tshark's -M), growing with every frame, and keeps some of every
 * session, and an entry for every address it names, until its process
 * exits. So a part is dissected by segments of SEG_FRAMES frames,
 * each in a short-lived worker process that takes its memory with it (see
 * struct segment); in one process (small captures, or no process to be
 * had) the session is renewed every SESSION_FRAMES frames. A session costs
 * its start (every dissector's initialisation), so both periods are large.
 */
#include "wireshark_module.h"
#include "wireshark_frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define MAX_OCC 4 /* values kept per field and frame (two IP headers at most) */
#define MAX_HF  8 /* registrations of one field name */

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

int stw_init(char *err, size_t errsz)
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

/* Only the previous frame's time is asked for (frame.time_delta). */
static const nstime_t *frame_ts(struct packet_provider_data *pd, guint32 num)
{
    const struct stw_prov *p = (const struct stw_prov *)(void *)pd;
    if (p->have_prev && p->prev.num == num)
        return &p->prev.abs_ts;
    return p->have_prev && p->first.num == num ? &p->first.abs_ts : NULL;
}

static const struct packet_provider_funcs prov_funcs = {frame_ts, NULL, NULL, NULL};

/* A record on the pipe: 'P' and the record packed (a fifth of struct
 * st_pkt's bytes). */
static void emit(struct stw_sink *s, const struct st_pkt *p)
{
    if (s->c) {
        st_dissection_push(s->c, p);
        return;
    }
    uint8_t rec[ST_STORE_PACKED_MAX];
    fputc('P', s->out);
    fwrite(rec, 1, st_store_pack(p, rec), s->out);
}

void stw_dis_open(struct stw_dissector *d, struct stw_chain *ch, int ftype)
{
    d->epan = epan_new((struct packet_provider_data *)(void *)&ch->prov, &prov_funcs);
    d->edt = epan_dissect_new(d->epan, TRUE, FALSE);
    d->ftype = ftype;
    d->in_session = 0;
    d->v = calloc(1, sizeof *d->v);
    if (!d->v)
        abort();
}

void stw_dis_close(struct stw_dissector *d)
{
    epan_dissect_free(d->edt);
    epan_free(d->epan);
    free(d->v);
}

/* A fresh session every SESSION_FRAMES frames: Wireshark's per-capture
 * tables start empty. */
static void dis_renew(struct stw_dissector *d, struct stw_chain *ch)
{
    if (++d->in_session <= SESSION_FRAMES)
        return;
    stw_dis_close(d);
    stw_dis_open(d, ch, d->ftype);
    d->in_session = 1;
}

static void dissect_one(struct stw_dissector *d, wtap_rec *rec, Buffer *buf, frame_data *fd,
                        struct stw_sink *s)
{
    for (size_t f = 0; f < ST_NFIELDS; f++)
        for (unsigned h = 0; h < nhf[f]; h++)
            epan_dissect_prime_with_hfid(d->edt, hf[f][h]);
    epan_dissect_run(d->edt, d->ftype, rec,
                     tvb_new_real_data(ws_buffer_start_ptr(buf), fd->cap_len, fd->pkt_len), fd,
                     NULL);
    collect(d->edt, d->v);
    struct st_field_src src = {fv_str, fv_count, fv_num, d->v};
    struct st_pkt p;
    st_fields_record(&src, &p);
    emit(s, &p);
    release(d->v);
    epan_dissect_reset(d->edt);
}

/* Frame num (at file offset off) through the chain, and dissected into s
 * when d is given (a child walks the chain alone over the frames its
 * workers dissect). */
void stw_frame_step(struct stw_chain *ch, struct stw_dissector *d, guint32 num, wtap_rec *rec,
                    Buffer *buf, gint64 off, struct stw_sink *s)
{
    frame_data fd;
    frame_data_init(&fd, num, rec, off, ch->cum);
    const frame_data *ref = ch->prov.have_prev ? &ch->prov.first : NULL;
    frame_data_set_before_dissect(&fd, &ch->elapsed, &ref,
                                  ch->prov.have_prev ? &ch->prov.prev : NULL);
    if (d)
        dissect_one(d, rec, buf, &fd, s);
    frame_data_set_after_dissect(&fd, &ch->cum);
    frame_data_destroy(&fd);
    ch->prov.prev = fd;
    if (!ch->prov.have_prev)
        ch->prov.first = fd;
    ch->prov.have_prev = true;
}

void stw_read_error(const char *path, int werr, char *werr_info, uint32_t frame, char *err,
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

wtap *stw_open_capture(const char *path, bool random, char *err, size_t errsz)
{
    int werr = 0;
    gchar *werr_info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &werr, &werr_info, random);
    if (wth)
        return wth;
    if (werr == WTAP_ERR_FILE_UNKNOWN_FORMAT)
        snprintf(err, errsz,
                 "%s: The file isn't a capture file in a format scantrace "
                 "understands",
                 path);
    else
        snprintf(err, errsz, "%s: %s%s%s", path, wtap_strerror(werr), werr_info ? ": " : "",
                 werr_info ? werr_info : "");
    g_free(werr_info);
    return NULL;
}

long stw_walk(const char *path, wtap *wth, int64_t from, int64_t to, stw_frame_fn fn, void *ud,
              char *err, size_t errsz)
{
    wtap_rec rec;
    Buffer buf;
    wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);
    int werr = 0;
    gchar *werr_info = NULL;
    guint32 num = 0;
    gint64 off;
    long rc = -2;
    while (rc == -2 && wtap_read(wth, &rec, &buf, &werr, &werr_info, &off)) {
        num++;
        if (to >= 0 && off >= to)
            rc = (long)num - 1;
        else if (off >= from && !fn(ud, num, &rec, &buf, off))
            rc = (long)num;
        wtap_rec_reset(&rec);
    }
    if (rc == -2 && werr) {
        stw_read_error(path, werr, werr_info, num + 1, err, errsz);
        rc = -1;
    } else if (rc == -2) {
        rc = (long)num;
    }
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buf);
    return rc;
}

struct here {
    struct stw_chain ch;
    struct stw_dissector d;
    struct stw_sink *s;
    struct st_dissect_stop *stop;
};

static bool here_frame(void *ud, guint32 num, wtap_rec *rec, Buffer *buf, gint64 off)
{
    struct here *h = ud;
    dis_renew(&h->d, &h->ch);
    stw_frame_step(&h->ch, &h->d, num, rec, buf, off, h->s);
    return !st_dissect_stopped(h->stop);
}

long stw_dissect_range(const char *path, int64_t from, int64_t to, struct stw_sink *s,
                       struct st_dissect_stop *stop, char *err, size_t errsz)
{
    wtap *wth = stw_open_capture(path, false, err, errsz);
    if (!wth)
        return -1;
    struct here h;
    memset(&h.ch, 0, sizeof h.ch);
    h.s = s;
    h.stop = stop;
    stw_dis_open(&h.d, &h.ch, wtap_file_type_subtype(wth));
    long rc = stw_walk(path, wth, from, to, here_frame, &h, err, errsz);
    stw_dis_close(&h.d);
    wtap_close(wth);
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
    struct st_dissect_stop *stop = o ? o->stop : NULL;
    struct stw_sink s = {c, NULL};
    enum st_tshark_rc rc = stw_init(err, errsz) ? ST_TSHARK_ENVIRONMENT
                           : stw_dissect_range(path, 0, -1, &s, stop, err, errsz) < 0
                               ? ST_TSHARK_BAD_INPUT
                               : ST_TSHARK_OK;
    rc = st_dissection_end(path, stop, rc, c, err, errsz);
    if (rc == ST_TSHARK_OK)
        snprintf(c->dissector, sizeof c->dissector, "libwireshark %s", epan_get_version());
    return rc;
}
