/*
 * -PE: ICMP echo request.
 */
#include "probe_icmp.h"

ST_ICMP_QUERY_MODULE(st_probe_echo, "echo", "-PE", ST_ICMP_ECHO_REQUEST);
