/*
 * Host discovery, nmap's way: the targets (targets.h), the routes that pick
 * an interface and next hop (route.h; which targets share a lookup:
 * route_split.h, route_share.h), the plan of passes and probes
 * (scan_plan.h, scan_config.h), the probe modules behind one interface
 * (probe.h, one file per probe type), the scheduler and congestion control
 * (scan_sched.h; nmap's own, probe by probe, for polite timings:
 * scan_polite.h), the engine that sends, reads and decides (scan_engine.h),
 * the trace writer (trace_writer.h), the unprivileged connect ping
 * (connect_ping.h), and nmap's evasion options (evasion.h).
 */
#ifndef ST_SCAN_H
#define ST_SCAN_H

#include "connect_ping.h"
#include "evasion.h"
#include "probe.h"
#include "route.h"
#include "route_share.h"
#include "route_split.h"
#include "scan_config.h"
#include "scan_engine.h"
#include "scan_plan.h"
#include "scan_polite.h"
#include "scan_sched.h"
#include "send_batch.h"
#include "util.h"
#include "trace_writer.h"

#endif
