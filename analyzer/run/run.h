/*
 * A run's lifecycle, for scan and record: the run directory (rundir.h),
 * run.json (runjson.h, and scan's hosts in scan_hosts.h), privileges
 * (privdrop.h), signals (signals.h), the command a record runs (child.h),
 * and scan's whole run (scan_run.h).
 */
#ifndef ST_RUN_H
#define ST_RUN_H

#include "child.h"
#include "privdrop.h"
#include "rundir.h"
#include "runjson.h"
#include "scan_hosts.h"
#include "scan_run.h"
#include "signals.h"

#endif
