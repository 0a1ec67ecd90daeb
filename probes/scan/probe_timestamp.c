/*
 * -PP: ICMP timestamp request.
 */
#include "probe_icmp.h"

ST_ICMP_QUERY_MODULE(st_probe_timestamp, "timestamp", "-PP", ST_ICMP_TIMESTAMP_REQUEST);
