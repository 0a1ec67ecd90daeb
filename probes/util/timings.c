#include "timings.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <time.h>

static bool enabled;
static struct timespec wall0, cpu0;

static double since(clockid_t clk, struct timespec *last)
{
    struct timespec now;
    clock_gettime(clk, &now);
    double s = (double)(now.tv_sec - last->tv_sec) + (double)(now.tv_nsec - last->tv_nsec) / 1e9;
    *last = now;
    return s;
}

void st_timing_start(void)
{
    enabled = getenv("SCANTRACE_TIMINGS") != NULL;
    if (!enabled)
        return;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    /* the process's CPU time: the split dissection's children are waited for
     * inside a phase and show as wall time only */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
}

void st_timing_mark(const char *phase)
{
    if (!enabled)
        return;
    double w = since(CLOCK_MONOTONIC, &wall0);
    double c = since(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
    /* the peak so far says which phase the memory went to */
    struct rusage ru;
    long peak = getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_maxrss / 1024;
    /* and how much of it is live: freed memory malloc keeps (an arena's
     * holes, a thread's arena) is in the peak but not here */
    long live = -1;
#ifdef __GLIBC__
    struct mallinfo2 mi = mallinfo2();
    live = (long)((mi.uordblks + mi.hblkhd) >> 20);
#endif
    fprintf(stderr, "scantrace: timing: %-10s %8.3f s wall %8.3f s cpu %6ld MB peak %6ld MB live\n",
            phase, w, c, peak, live);
}
