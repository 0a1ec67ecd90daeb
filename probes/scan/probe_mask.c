/*
 * -PM: ICMP address mask request.
 */
#include "probe_icmp.h"

ST_ICMP_QUERY_MODULE(st_probe_mask, "mask", "-PM", ST_ICMP_MASK_REQUEST);
