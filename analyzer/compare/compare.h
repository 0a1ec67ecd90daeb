/*
 * The comparison subsystem: the trace read (trace_read.h) and run.json read
 * back (run_read.h), aligned against the capture's dissection, every
 * one-sided packet given its cause, the per-mode and per-host view
 * (comparison.h), loading all of it from a run (compare_load.h), and diff's
 * view of two runs (diffview.h); whether a capture filter kept a trace
 * line's packet out (filter_judge.h).
 */
#ifndef ST_COMPARE_H
#define ST_COMPARE_H

#include "claims.h"
#include "compare_load.h"
#include "comparison.h"
#include "diffview.h"
#include "filter_judge.h"
#include "hosts.h"
#include "run_read.h"
#include "shard_side.h"
#include "trace_read.h"
#include "wire_side.h"

#endif
