/*
 * The capture thread: records every frame of one or more interfaces into a
 * pcapng file while a scanner runs, and marks the frames of the probes the
 * scanner says it sent.
 *
 *   st_capture_start()         open and activate every interface, write the
 *                              file's header, start the reading thread; on
 *                              return every interface is live, so a probe
 *                              sent afterwards is seen
 *   st_capture_expect_probe()  "I am about to send this probe": the frame
 *                              that carries it gets a comment (matched by
 *                              packet identity, st_pkt_same(), never by time)
 *   st_capture_stop()          optionally linger for late replies, read what
 *                              is left, write the statistics blocks, close
 *                              the file
 *   st_capture_free()
 *
 * libpcap runs with TPACKET_V3 (not immediate mode), a large ring, a small
 * snaplen and nanosecond stamps, non-blocking behind poll(2) with an eventfd
 * to wake it, so a silent interface never holds the thread or the stop.
 * Drops are counted per interface from pcap_stats(), kept for the caller and
 * printed on stderr when non-zero.
 * The file is flushed at least every ST_CAPTURE_FLUSH_MS, so a process
 * killed outright still leaves a valid file up to its last flush.
 *
 * One thread calls start, stop and free; st_capture_expect_probe() may be
 * called from any thread between start and stop.
 */
#ifndef ST_CAPTURE_THREAD_H
#define ST_CAPTURE_THREAD_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define ST_CAPTURE_SNAPLEN    256u                /* enough for every header a probe has */
#define ST_CAPTURE_BUFFER     (32u * 1024 * 1024) /* kernel ring per interface */
#define ST_CAPTURE_TIMEOUT_MS 10u                 /* TPACKET_V3 block retire timeout */
#define ST_CAPTURE_FLUSH_MS   200u

struct st_capture_opts {
    const char *const *ifnames; /* the interfaces to capture; at least one */
    size_t n_ifs;
    const char *path;       /* the pcapng file to create */
    unsigned snaplen;       /* 0: ST_CAPTURE_SNAPLEN */
    unsigned buffer_bytes;  /* 0: ST_CAPTURE_BUFFER */
    unsigned timeout_ms;    /* 0: ST_CAPTURE_TIMEOUT_MS */
    const char *log_prefix; /* starts stderr messages; NULL: "scantrace" */
};

enum st_capture_err {
    ST_CAPTURE_OK = 0,
    ST_CAPTURE_ENOIF,  /* no such interface */
    ST_CAPTURE_EPERM,  /* not allowed to capture (needs root or CAP_NET_RAW) */
    ST_CAPTURE_ELINK,  /* an interface that is not Ethernet or raw IP */
    ST_CAPTURE_EFILE,  /* the pcapng file cannot be written */
    ST_CAPTURE_ESYS,   /* anything else: libpcap, memory, threads */
    ST_CAPTURE_EUSAGE, /* bad options (no interface, twice the same one) */
};

/*
 * What one interface saw; complete after st_capture_stop(). On a quiet
 * interface received == frames + dropped; on a busy one, received also
 * counts what arrived after the stop (the kernel counts until the ISB).
 */
struct st_capture_ifstats {
    char name[IF_NAMESIZE];
    const char *linktype; /* libpcap's name: "EN10MB", "RAW" */
    uint64_t received;    /* pcap_stats ps_recv: frames the kernel passed us, drops included */
    uint64_t dropped;     /* ps_drop + ps_ifdrop: lost before reaching the file */
    uint64_t frames;      /* frames written to the file */
    bool failed;          /* reading stopped early (the interface went away...) */
};

struct st_capture;

/*
 * Start capturing `o->ifnames` into `o->path`. Returns ST_CAPTURE_OK and sets
 * *out, or an error with a one-line explanation in msg. Nothing is left open
 * or running on error; the file exists only if it was created.
 */
enum st_capture_err st_capture_start(const struct st_capture_opts *o, struct st_capture **out,
                                     char *msg, size_t msglen);

/*
 * Register probe number `n` of pass `mode`, about to be sent: the first
 * outgoing (or undirected) frame with the same identity (st_pkt_same())
 * carries the run directory's comment "scantrace probe=N mode=MODE" (made
 * when its frame is found: `mode` must stay valid until st_capture_stop()).
 * Register before sending, or the frame may already be written. From one
 * thread (the sender) only. 0, or -1 with errno (EINVAL: no network layer
 * in `probe`, a mode empty, over 96 bytes or with blanks; ENOMEM).
 */
int st_capture_expect_probe(struct st_capture *c, const struct st_pkt *probe, unsigned long n,
                            const char *mode);

/* The same with a comment of the caller's (copied): a probe's fragments
 * and decoy copies say which they are. */
int st_capture_expect_comment(struct st_capture *c, const struct st_pkt *probe,
                              const char *comment);

/*
 * Keep capturing `linger_ns` more (late replies), then read what the kernel
 * still holds, write an ISB per interface and close the file. Reports
 * non-zero drops on stderr. 0, or -1 when the file could not be written
 * completely (the message is on stderr). Further calls return the same.
 */
int st_capture_stop(struct st_capture *c, int64_t linger_ns);

/*
 * The same, but the linger ends early once no frame has arrived for
 * `idle_ns` (0: linger the whole time): after a sweep whose replies came
 * back in microseconds there is nothing left to wait for.
 */
int st_capture_stop_idle(struct st_capture *c, int64_t linger_ns, int64_t idle_ns);

/* Ask for that stop without waiting for it: the caller does other work
 * while the capture lingers, then calls st_capture_stop_idle() (whose own
 * linger arguments are then ignored) to wait for the end. */
void st_capture_stop_begin(struct st_capture *c, int64_t linger_ns, int64_t idle_ns);

/* Its thread runs (until st_capture_stop() joined it): the statistics are
 * still changing. */
bool st_capture_running(const struct st_capture *c);

size_t st_capture_n_ifs(const struct st_capture *c);
const struct st_capture_ifstats *st_capture_ifstats(const struct st_capture *c, size_t i);

/* Registered packets that no frame matched (after stop). */
unsigned long st_capture_unmatched(const struct st_capture *c);

/* Stop (without linger) if still running, and release everything. */
void st_capture_free(struct st_capture *c);

#endif
