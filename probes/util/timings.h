/*
 * Phase timings for benchmarks: with SCANTRACE_TIMINGS set in the
 * environment, each st_timing_mark() prints the wall and CPU time spent since
 * the previous mark on stderr, the process's peak resident set so far and the
 * heap in use (glibc), then the CPU time and largest peak of the children
 * waited for in the phase, if any ("scantrace: timing: dissect 9.871 s wall
 * 0.802 s cpu 412 MB peak 380 MB live, children 17.102 s cpu 301 MB peak").
 * Costs one getenv when unset.
 */
#ifndef ST_TIMINGS_H
#define ST_TIMINGS_H

/* Start the clock (the first mark measures from here). */
void st_timing_start(void);

/* Report the phase that just ended. */
void st_timing_mark(const char *phase);

#endif
