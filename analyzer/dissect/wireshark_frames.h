/*
 * Inside the libwireshark module: dissecting frames one by one
 * (wireshark_read.c), for the module's entry and for the processes that
 * dissect a split capture (wireshark_split.c).
 */
#ifndef ST_WIRESHARK_FRAMES_H
#define ST_WIRESHARK_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>

#include "dissect.h"

#define ST_WS_EXPORT   __attribute__((visibility("default")))
#define SESSION_FRAMES 262144 /* frames an epan session dissects */

struct frame_vals;

/* The frames epan may ask the time of (the previous one, for frame.time_delta). */
struct stw_prov {
    frame_data prev, first;
    bool have_prev;
};

/* What a frame's dissection starts from: the previous and first frames,
 * the time and bytes so far. Carried from frame to frame, and from a
 * segment to the worker that dissects it. */
struct stw_chain {
    struct stw_prov prov;
    nstime_t elapsed;
    guint32 cum;
};

/* Where the frames go: the caller's dissection, or the pipe to the parent. */
struct stw_sink {
    struct st_dissection *c; /* or NULL */
    FILE *out;               /* or NULL */
};

/* An epan session and the frame values it fills. */
struct stw_dissector {
    epan_t *epan;
    epan_dissect_t *edt;
    struct frame_vals *v;
    int ftype;
    guint32 in_session;
};

/* A session for frames that start from ch (which it reads: keep it). */
void stw_dis_open(struct stw_dissector *d, struct stw_chain *ch, int ftype);
void stw_dis_close(struct stw_dissector *d);

/* Frame num (at file offset off) through the chain, and dissected into s
 * when d is given (a child walks the chain alone over the frames its
 * workers dissect). */
void stw_frame_step(struct stw_chain *ch, struct stw_dissector *d, guint32 num, wtap_rec *rec,
                    Buffer *buf, gint64 off, struct stw_sink *s);

/* wiretap's error at frame `frame` as one line into err; frees werr_info. */
void stw_read_error(const char *path, int werr, char *werr_info, uint32_t frame, char *err,
                    size_t errsz);

/* The capture opened (with random access: for wtap_seek_read), or NULL and err. */
wtap *stw_open_capture(const char *path, bool random, char *err, size_t errsz);

/* A frame of a walk: false stops it. */
typedef bool (*stw_frame_fn)(void *ud, guint32 num, wtap_rec *rec, Buffer *buf, gint64 off);

/* Each frame at file offsets [from, to) (to < 0: to the end) of wth's
 * sequential read through fn, numbering every frame of the file. Returns
 * the frames numbered before `to` (or up to fn's stop), or -1 with err. */
long stw_walk(const char *path, wtap *wth, int64_t from, int64_t to, stw_frame_fn fn, void *ud,
              char *err, size_t errsz);

/*
 * Dissect the frames at file offsets [from, to) (to < 0: to the end) into
 * `s`, here, numbering every frame of the file. Returns the number of frames
 * seen before `to`, or -1 with err (bad input); a stop (or NULL) ends the
 * walk early.
 */
long stw_dissect_range(const char *path, int64_t from, int64_t to, struct stw_sink *s,
                       struct st_dissect_stop *stop, char *err, size_t errsz);

/* epan started in this process (once): 0, or -1 with err. */
int stw_init(char *err, size_t errsz);

#endif
