/*
 * Closing descriptors in the background. A packet socket's close waits out
 * one RCU grace period in the kernel, two with a ring mapped
 * (synchronize_net in packet_release and packet_set_ring), and a scan has
 * several to close: one after another, those waits add up to a visible part
 * of a sweep (BENCHMARKS.md, "Measured apart from scripts/bench"). Closed in
 * threads, the waits overlap each other and whatever the caller does
 * meanwhile.
 */
#ifndef ST_CLOSER_H
#define ST_CLOSER_H

#include <pcap/pcap.h>

/* pcap_close(p) / close(fd) on a thread of its own; synchronously when no
 * thread can be started. */
void st_closer_pcap(pcap_t *p);
void st_closer_fd(int fd);

/* Wait until every close started so far is done. */
void st_closer_wait(void);

#endif
