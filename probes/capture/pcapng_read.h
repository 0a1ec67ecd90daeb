/*
 * A pcapng reader for what scantrace writes (pcapng.h) and what pcapng
 * writers commonly write: one section, IDBs, EPBs, ISBs; other block types
 * are passed over. Either byte order; any if_tsresol. Used to merge the
 * captures of a sharded sweep (scantrace merge) block by block, so memory
 * does not grow with the capture.
 */
#ifndef ST_PCAPNG_READ_H
#define ST_PCAPNG_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapng.h"

enum st_pcapng_kind {
    ST_PCAPNG_IF = 1,    /* an interface description */
    ST_PCAPNG_FRAME = 2, /* an enhanced packet */
    ST_PCAPNG_STATS = 3, /* interface statistics */
};

/* One block as read; pointers into the reader's buffer, valid until the next read. */
struct st_pcapng_block {
    enum st_pcapng_kind kind;
    uint32_t if_id;                          /* FRAME, STATS */
    int64_t ts_ns;                           /* FRAME, STATS: epoch ns */
    struct st_pcapng_if ifc;                 /* IF (name and mac point into the buffer) */
    const uint8_t *data;                     /* FRAME */
    uint32_t caplen, origlen;                /* FRAME */
    enum st_pcapng_dir dir;                  /* FRAME */
    char comment[ST_PCAPNG_MAX_COMMENT + 1]; /* FRAME: "" for none */
    struct st_pcapng_stats stats;            /* STATS */
    uint64_t offset;                         /* where the block starts in the file */
};

struct st_pcapng_reader;

/* Open `path` and read its section header. NULL with a one-line reason in err. */
struct st_pcapng_reader *st_pcapng_reader_open(const char *path, char *err, size_t errsz);

/* The next IF, FRAME or STATS block into *b: 1, 0 at the end, -1 with a
 * reason naming the file and the block's offset in err. */
int st_pcapng_reader_next(struct st_pcapng_reader *r, struct st_pcapng_block *b, char *err,
                          size_t errsz);

void st_pcapng_reader_close(struct st_pcapng_reader *r);

#endif
