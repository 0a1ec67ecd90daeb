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
static double child_cpu0; /* the children's CPU time at the previous mark */

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
    /* the process's own CPU time; its children's (the split dissection's
     * halves, tshark) is counted apart, once they have been waited for */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
}

static double tv_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* ", children 4.213 s cpu 61 MB peak" when children ran in the phase, or "" */
static void children_part(char *buf, size_t size)
{
    struct rusage ru;
    buf[0] = 0;
    if (getrusage(RUSAGE_CHILDREN, &ru))
        return;
    double cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    if (cpu - child_cpu0 < 0.0005)
        return;
    /* ru_maxrss of children: the largest one waited for so far */
    snprintf(buf, size, ", children %.3f s cpu %ld MB peak", cpu - child_cpu0, ru.ru_maxrss / 1024);
    child_cpu0 = cpu;
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
    char children[96];
    children_part(children, sizeof children);
    fprintf(stderr,
            "scantrace: timing: %-10s %8.3f s wall %8.3f s cpu %6ld MB peak %6ld MB live%s\n",
            phase, w, c, peak, live, children);
}
