/*
 * The packet subsystem: the one normalized packet record (pkt_record.h) and
 * everything that turns bytes or nmap's trace text into it and back:
 *
 *   pkt_decode.h      Ethernet or raw IP frames into records
 *   pkt_format.h      records as nmap 7.93 --packet-trace text
 *   pkt_parse.h       nmap's SENT/RCVD lines back into records
 *   pkt_ipopts.h      IPv4 options in nmap's words, and back
 *   pkt_build.h       probe bytes on the wire
 *   pkt_store.h       records stored packed, for millions of frames
 *   pkt_protonames.h  nmap's protocol names
 *   nmap_rules.h      ICMP numbers, nmap's verdicts on replies, its default probes
 *
 * Every other subsystem includes this header, never the ones above.
 */
#ifndef ST_PACKET_H
#define ST_PACKET_H

#include "nmap_rules.h"
#include "pkt_build.h"
#include "pkt_decode.h"
#include "pkt_format.h"
#include "pkt_ipopts.h"
#include "pkt_parse.h"
#include "pkt_protonames.h"
#include "pkt_record.h"
#include "pkt_store.h"

#endif
