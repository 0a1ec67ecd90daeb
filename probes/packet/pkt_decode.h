/*
 * Frame bytes -> the normalized packet record.
 */
#ifndef ST_PKT_DECODE_H
#define ST_PKT_DECODE_H

#include "pkt_record.h"

/*
 * Decode `caplen` bytes of a frame of link type `link` into `out` (which is
 * reset first). Never reads outside [bytes, bytes+caplen). What could not be
 * decoded is reported in out->flags (ST_PKT_TRUNCATED, ST_PKT_MALFORMED...);
 * the fields decoded up to that point stay valid. Returns 0, or -1 when the
 * link type is unknown.
 */
int st_decode(const uint8_t *bytes, size_t caplen, enum st_link link, struct st_pkt *out);

/* Map a libpcap DLT_ value to the link types st_decode understands. */
enum st_link st_link_from_dlt(int dlt);

#endif
