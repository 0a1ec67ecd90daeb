/*
 * A growing list of packet records kept small: each record is stored as
 * its non-zero 4-byte words and a mask of them. struct st_pkt is large: it has
 * room for every header a packet might carry (options, IPv6, an ICMP
 * error's quote); a probe or a reply fills a small part of it, so packed a
 * capture's records take a fraction of the memory (BENCHMARKS.md). Exact for
 * any record: what comes back is byte for byte what went in (padding
 * included).
 */
#ifndef ST_PKT_STORE_H
#define ST_PKT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt_record.h"

struct st_pkt_store {
    uint8_t *data;
    size_t len, cap;
    uint64_t *off; /* record i starts at data + off[i] */
    size_t n, ncap;
};

/* Append a copy of p (aborts when memory runs out, as the analyzer does). */
void st_store_add(struct st_pkt_store *s, const struct st_pkt *p);

/* Record i, decoded into *tmp; returns tmp. */
const struct st_pkt *st_store_get(const struct st_pkt_store *s, size_t i, struct st_pkt *tmp);

/* Append every record of `from` and empty it. */
void st_store_take(struct st_pkt_store *s, struct st_pkt_store *from);

/* Give back the room a growing store reserved beyond its records. */
void st_store_trim(struct st_pkt_store *s);

void st_store_free(struct st_pkt_store *s);

#endif
