/*
 * Small helpers every subsystem may use: nanosecond clocks, the exit codes
 * of every command,
 * handles closed on a thread of their own (closing a packet socket waits out
 * an RCU grace period), bounded string building, SipHash for the probes'
 * cookies, an in-place sort for big tables, sets of 32-bit keys, a table of distinct strings, phase
 * timings (SCANTRACE_TIMINGS=1), and target specifications as nmap reads them (targets.h: scan
 * takes them, compare reads other scanners' command lines).
 */
#ifndef ST_UTIL_H
#define ST_UTIL_H

#include "clock.h"
#include "closer.h"
#include "dlist.h"
#include "exitcodes.h"
#include "jsonw.h"
#include "pairs.h"
#include "siphash.h"
#include "sort.h"
#include "strbuf.h"
#include "strtab.h"
#include "textfile.h"
#include "targets.h"
#include "timings.h"
#include "u32set.h"

#endif
