/*
 * A growing list of packet records kept small. struct st_pkt is large: it
 * has room for every header a packet might carry (options, IPv6, an ICMP
 * error's quote), and a probe or a reply fills a small part of it; and a
 * sweep's records are alike (the same addresses, ports, TTL, flags, lengths).
 * So a record is stored as the 4-byte words in which it differs from a
 * template, the first record of its shape (direction, protocol, flags or
 * type, length), and a mask of those words. Records come in groups of 8;
 * in all but a group's first, the time, trace line and frame number are
 * read against what the first predicts (its time, its numbers plus one a
 * record), so a capture's frame number and the high word of its time cost
 * nothing. Exact for any record: what comes back is byte for byte what
 * went in (padding included).
 *
 * The bytes live in fixed-size chunks that never move, so a store grows
 * without copying what it holds; where a record starts is a 64-bit
 * position for every 8th record (the 8 share a chunk) and a 16-bit offset
 * from there for each: 3 bytes a record.
 */
#ifndef ST_PKT_STORE_H
#define ST_PKT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt_record.h"

struct st_store_chunk {
    uint8_t *data;
    uint32_t len, cap; /* bytes used, bytes there are */
};

#define ST_STORE_TEMPLATES 255

struct st_pkt_store {
    struct st_store_chunk *chunks;
    size_t nchunks, chunkcap;
    uint64_t *group; /* where record 8k starts: chunk << 32 | offset */
    size_t ngroups, groupcap;
    uint16_t *rel; /* where each record starts in its group's chunk, after the group's start */
    size_t relcap;
    size_t n; /* records */
    /* templates: record shapes (tshape) and their first records (tmpl),
     * found by shape through tslot (a template's number + 1, 0: free) */
    struct st_pkt *tmpl;
    uint64_t *tshape;
    size_t ntmpl;
    uint8_t tslot[512];
};

/* A packed record: a template number (0 for none, as st_store_pack writes
 * it), the mask of the words that follow, the words. */
#define ST_STORE_PACKED_HEAD (1 + (sizeof(struct st_pkt) / 4 + 7) / 8)
#define ST_STORE_PACKED_MAX  (ST_STORE_PACKED_HEAD + sizeof(struct st_pkt))

/* Append a copy of p (aborts when memory runs out, as the analyzer does). */
void st_store_add(struct st_pkt_store *s, const struct st_pkt *p);

/* Record i, decoded into *tmp; returns tmp. */
const struct st_pkt *st_store_get(const struct st_pkt_store *s, size_t i, struct st_pkt *tmp);

/* Record i's time_ns alone, without decoding the rest of it: a capture's
 * frame times are read often enough that a table of them would be kept
 * otherwise (8 bytes a frame, 80 MB at 10M frames). */
int64_t st_store_time(const struct st_pkt_store *s, size_t i);

/* Append every record of `from` and empty it (its memory is given back as
 * it is read: the two are never both whole). */
void st_store_take(struct st_pkt_store *s, struct st_pkt_store *from);

/*
 * A record packed on its own (no template), to hand to another process:
 * `out` (ST_STORE_PACKED_MAX bytes) gets its ST_STORE_PACKED_HEAD head, then
 * the rest; returns the whole length. st_store_packed_len tells from the
 * head how long the whole is; st_store_add_packed appends one as it came.
 */
size_t st_store_pack(const struct st_pkt *p, uint8_t *out);
size_t st_store_packed_len(const uint8_t *head);
void st_store_add_packed(struct st_pkt_store *s, const uint8_t *rec);

/* Give back the room a growing store reserved beyond its records. */
void st_store_trim(struct st_pkt_store *s);

void st_store_free(struct st_pkt_store *s);

#endif
