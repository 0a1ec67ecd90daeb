/*
 * The capture side of a comparison: Wireshark's dissection of a capture
 * file as packet records, one per frame, by either of two dissectors that
 * read the same fields and map them with the same code (dissect_fields.c),
 * so both give the same records:
 *
 *   tshark        a child (posix_spawn, argument vector, no shell) whose
 *                 `-T ek` documents are read as a stream
 *   libwireshark  Wireshark's library, when scantrace was built with it
 *                 (meson -Dlibwireshark=enabled|auto): a module loaded on
 *                 first use, so no other command pays for loading it; it
 *                 dissects in a process of its own (scantrace-dissect,
 *                 posix_spawn), large captures in two halves on both
 *                 cores, the records coming back by pipes.
 *                 libwireshark is GPLv2+: a scantrace binary linked with it
 *                 is too.
 */
#ifndef ST_DISSECT_H
#define ST_DISSECT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "packet.h"

struct st_dissect_stop;

/* A capture, dissected. */
struct st_dissection {
    struct st_pkt_store frames; /* frame i (st_store_get) has .frame == i + 1 */
    size_t n;
    bool have_direction; /* the capture recorded each frame's direction */
    char dissector[64];  /* "tshark 4.0.17" */
};

enum st_tshark_rc {
    ST_TSHARK_OK = 0,
    ST_TSHARK_BAD_INPUT = -1,   /* the dissector could not read the capture */
    ST_TSHARK_ENVIRONMENT = -2, /* no tshark (or libwireshark), or it crashed or was killed */
};

/* The frames a pcapng capture says it dropped: the sum over its interfaces
 * of their last statistics block's isb_ifdrop (else isb_osdrop), as dumpcap
 * and scantrace write them; -1 when it says nothing (a pcap, no ISB, not
 * readable). */
int64_t st_capture_drops(const char *path);

/* The capture filter a pcapng's interface description records (dumpcap -f,
 * Wireshark's capture filter), into out (a libpcap expression, cut to
 * size); false when it records none (a pcap records none). */
bool st_capture_filter(const char *path, char *out, size_t size);

/* A pcapng interface: its link type (pcapng's LINKTYPE_ number) and the
 * capture filter it records, "" for none; whole: as recorded, not cut (to
 * the room here, or at a line break), so it can be compiled. */
struct st_capture_iface {
    uint16_t linktype;
    bool whole;
    char filter[256];
};

/* The interfaces a pcapng describes, the first max into out; how many it
 * describes (0: a pcap, or none read). */
size_t st_capture_ifaces(const char *path, struct st_capture_iface *out, size_t max);

/* Append frame `p`. (Frame comments are not read: scantrace's own probe
 * marks are for people reading the capture in Wireshark, and compare
 * matches frames by their packets, so its capture and nmap's read alike.) */
void st_dissection_push(struct st_dissection *c, const struct st_pkt *p);

void st_dissection_free(struct st_dissection *c);

/* A reader's last step: rc, or ST_TSHARK_ENVIRONMENT when `stop` came (what
 * was read is not the capture); c freed on failure, else its directions
 * noted (whether the capture recorded them) and its store trimmed. */
enum st_tshark_rc st_dissection_end(const char *path, struct st_dissect_stop *stop,
                                    enum st_tshark_rc rc, struct st_dissection *c, char *err,
                                    size_t errsz);

/* Wait for process pid: whether it exited 0. */
bool st_dissect_reap_ok(pid_t pid);

/* In a process just started by `parent`: die with it (SIGKILL), so that a
 * dissecting process never outlives the one that waits for its records (a
 * stopped dissection, a killed compare, the OOM killer). */
void st_dissect_die_with(pid_t parent);

/* Whether `path` names a regular file both dissectors can be given: 0 and
 * its size, or -1 with err "PATH: why". */
int st_dissection_check_path(const char *path, int64_t *size, char *err, size_t errsz);

/*
 * Give both dissectors an empty, private configuration directory for the
 * rest of the process (WIRESHARK_CONFIG_DIR), so neither the user's profile
 * nor an unreadable HOME reaches a dissection. Called by both readers; 0, or
 * -1 with a one-line reason.
 */
int st_dissect_private_config(char *err, size_t errsz);

/*
 * The environment the libwireshark master is started with: env, with glibc's
 * malloc asked to back its large blocks with transparent huge pages
 * (GLIBC_TUNABLES glibc.malloc.hugetlb=1, glibc 2.35 and later; older ones
 * ignore it). libwireshark's start and its per-capture tables fault in some
 * 280 MB of fresh pages for a /16 sweep's capture (70k page faults, a fifth
 * of the helpers' CPU spent in the kernel); with huge pages, half as many
 * faults and about 15% less wall time for compare (10 alternating runs on
 * a 2-core machine). A user's own tunables are kept, and their own hugetlb
 * setting wins. One block, the strings of env borrowed: free() it; NULL
 * when out of memory.
 */
char **st_dissect_helper_env(char *const *env);

/*
 * A running dissection's off switch (st_dissect_cancel): the readers look
 * at `stop` between frames and register the processes they start (tshark,
 * the halves of a split capture), which a stop kills, also when it came
 * before them. Their own children die with them (PR_SET_PDEATHSIG).
 */
struct st_dissect_stop {
    atomic_bool stop;
    pthread_mutex_t lock; /* over pid: a process is unwatched before it is reaped */
    pid_t pid[2];         /* 0: none */
};

void st_dissect_stop_init(struct st_dissect_stop *s);
void st_dissect_stop_destroy(struct st_dissect_stop *s);
/* Whether a stop was asked for (s NULL: never). */
bool st_dissect_stopped(struct st_dissect_stop *s);
/* Process pid, in slot 0 or 1, is killed by a stop (at once if one came). */
void st_dissect_stop_watch(struct st_dissect_stop *s, int slot, pid_t pid);
/* No longer: call it before reaping the process (its pid may be reused). */
void st_dissect_stop_unwatch(struct st_dissect_stop *s, int slot);
/* Stop: the flag, and SIGKILL to every process watched. */
void st_dissect_stop_now(struct st_dissect_stop *s);

/*
 * Dissect `path` with tshark (the program named by $SCANTRACE_TSHARK, else
 * "tshark" from PATH). On failure `err` holds one line naming the capture and
 * what went wrong, and `c` is empty: there is never a partial result. `stop`
 * (or NULL) ends it early, with ST_TSHARK_ENVIRONMENT.
 */
enum st_tshark_rc st_tshark_read(const char *path, struct st_dissect_stop *stop,
                                 struct st_dissection *c, char *err, size_t errsz);

enum st_ek_rc {
    ST_EK_RECORD = 0, /* *p filled */
    ST_EK_SKIP = 1,   /* an ek index line: no record */
    ST_EK_BAD = -1,   /* not an ek document */
};

/*
 * One line of tshark's `-T ek` output (as st_tshark_read gets it, with or
 * without its newline) into a record: the per-document mapping on its own,
 * so it can be tested and fuzzed without a tshark child.
 */
enum st_ek_rc st_tshark_ek_line(const char *line, struct st_pkt *p);

struct st_wireshark_opts {
    /* captures of at least this many bytes are split across two processes;
     * 0: the default (8 MiB), SIZE_MAX or more: never */
    uint64_t split_bytes;
    /* a split capture's frames are dissected by processes of this many
     * frames each (a fresh one for each run of frames: libwireshark's memory
     * goes with it); 0: the default (262144), more is taken as the default */
    uint32_t segment_frames;
    /* ends the dissection early (ST_TSHARK_ENVIRONMENT), or NULL */
    struct st_dissect_stop *stop;
    /* dissect in this process, no child (what it does when it cannot fork) */
    bool in_process;
};

/* Whether this scantrace was built with libwireshark. */
bool st_wireshark_available(void);

/*
 * Dissect `path` (pcap or pcapng) into records, as st_tshark_read() does.
 * On failure `err` holds one line naming the capture (and the frame) and
 * `c` is empty. ST_TSHARK_ENVIRONMENT when not built with libwireshark.
 */
enum st_tshark_rc st_wireshark_read(const char *path, const struct st_wireshark_opts *o,
                                    struct st_dissection *c, char *err, size_t errsz);

/* Which dissector reads the capture. */
enum st_dissector_choice {
    ST_DISSECT_DEFAULT = 0, /* libwireshark when built with it, else tshark */
    ST_DISSECT_TSHARK,
    ST_DISSECT_LIBWIRESHARK,
};

/*
 * A capture's dissection in a thread of its own, started before the trace
 * is read: the dissectors' start (libwireshark's registration of every
 * dissector, about 0.35 s) and the capture's dissection then run while the
 * trace and run.json are read. Call this before other threads exist (it
 * sets WIRESHARK_CONFIG_DIR); `o` is copied (NULL: the defaults). Without a
 * thread, the dissection runs in st_dissect_finish.
 */
struct st_dissect_job *st_dissect_start(const char *path, enum st_dissector_choice which,
                                        const struct st_wireshark_opts *o);

/* Wait for the dissection: what st_tshark_read() or st_wireshark_read()
 * returned, and the frames into c. Frees the job. */
enum st_tshark_rc st_dissect_finish(struct st_dissect_job *j, struct st_dissection *c, char *err,
                                    size_t errsz);

/* Stop the dissection (its processes killed), wait for its thread, and drop
 * what it read: for an error found before its result is needed. NULL: none. */
void st_dissect_cancel(struct st_dissect_job *j);

#endif
