/*
 * A run, for scan and record: its lifecycle (lifecycle.h: the run directory,
 * run.json from "running" to "done", "interrupted" or "failed", the capture,
 * signals, abandon or end), built on the run directory (rundir.h), run.json
 * (runjson.h, and scan's hosts in scan_hosts.h), the merge of a sharded sweep
 * (merge.h; run.json read back in two parts: runjson_read.h), privileges (privdrop.h) and
 * signals (signals.h); the command a record runs (child.h), and scan's whole
 * run (scan_run.h).
 */
#ifndef ST_RUN_H
#define ST_RUN_H

#include "child.h"
#include "lifecycle.h"
#include "merge.h"
#include "privdrop.h"
#include "rundir.h"
#include "runjson.h"
#include "runjson_read.h"
#include "scan_hosts.h"
#include "scan_run.h"
#include "signals.h"

#endif
