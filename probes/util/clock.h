/*
 * Clocks in nanoseconds, as one int64_t: wall time for what is recorded
 * (run.json's times, trace stamps), the monotonic clock for intervals and
 * deadlines, which must not jump with the wall clock. Inline: the capture
 * thread reads the clock for every batch of frames.
 */
#ifndef ST_CLOCK_H
#define ST_CLOCK_H

#include <stdint.h>
#include <time.h>

/* The time of clock `id` (CLOCK_MONOTONIC, CLOCK_REALTIME...). */
static inline int64_t st_clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Wall clock, ns since the epoch. */
static inline int64_t st_now_ns(void)
{
    return st_clock_ns(CLOCK_REALTIME);
}

#endif
