/*
 * Probes to the raw IP socket, sent a batch at a time by sendmmsg(2). On
 * this kind of machine the system call itself, not the packet, was most of
 * a send: 65,536 echo requests took 0.38 s by sendto(2) one at a time and
 * 0.18 s by sendmmsg(2) in batches of 64 (scripts/bench's raw ceiling).
 *
 * A probe is built in the batch's own buffer (st_batch_slot), added with
 * its destination, and sent by the next flush. The caller flushes before a
 * send that bypasses the batch (ARP and ND frames, evasion's fragments), at
 * the end of every scheduler tick, and when the batch is full, so the wire
 * keeps the order in which probes were made.
 */
#ifndef ST_SEND_BATCH_H
#define ST_SEND_BATCH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "packet.h"
#include "probe.h"

#define ST_BATCH_MAX 64

struct st_batch_msg {
    uint8_t buf[ST_TMPL_MAX];
    struct st_pkt pkt; /* the probe decoded, for its trace line */
    size_t len;
    uint32_t tag; /* the caller's (the engine's host index), set after st_batch_add */
    union {
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } to;
};

struct st_batch {
    int fd;
    bool v6;
    uint32_t scope6; /* the interface of link-local destinations (-e, a target's zone), 0 */
    size_t n;
    struct st_batch_msg msg[ST_BATCH_MAX];
    struct mmsghdr hdr[ST_BATCH_MAX];
    struct iovec iov[ST_BATCH_MAX];
};

/* A batch for the raw socket fd (IPPROTO_RAW, of the family v6 says). */
void st_batch_init(struct st_batch *b, int fd, bool v6);

/* The buffer the next probe is built in (ST_TMPL_MAX bytes). The batch
 * must not be full (st_batch_full). */
uint8_t *st_batch_slot(struct st_batch *b);

/* Queue the probe of n bytes built in the slot, for the IPv4 address dst
 * (the IPv6 destination is read from the probe's header); decoded into its
 * record, returned for the caller's bookkeeping before the send. */
const struct st_pkt *st_batch_add(struct st_batch *b, size_t n, uint32_t dst);

bool st_batch_full(const struct st_batch *b);

/* Called for each queued probe, in order, once its send is known: err 0
 * (sent whole) or the errno of its failure. */
typedef void (*st_batch_done_fn)(void *ud, const struct st_batch_msg *m, int err);

/* Send every queued probe, report each, and empty the batch. */
void st_batch_flush(struct st_batch *b, st_batch_done_fn done, void *ud);

#endif
