/*
 * The capture subsystem: the capture thread (capture_thread.h) that records
 * every frame of one or more interfaces into pcapng while a scanner runs,
 * the probe marks it files the scanner's frames under (capture_marks.h), the
 * pcapng writer (pcapng.h), and the interface list (netif.h).
 */
#ifndef ST_CAPTURE_H
#define ST_CAPTURE_H

#include "capture_marks.h"
#include "capture_thread.h"
#include "netif.h"
#include "pcapng.h"
#include "pcapng_read.h"

#endif
