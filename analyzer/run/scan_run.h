/*
 * The discovery engine: runs a scan configuration on the wire.
 */
#ifndef ST_SCAN_RUN_H
#define ST_SCAN_RUN_H

#include "scan.h"

/* Run the scan; returns an exit code (0 done, 2 usage, 3 environment). */
int st_scan_run(struct st_scan_config *cfg);

#endif
