/*
 * nmap's timing templates (-T0..-T5; doc/nmap-notes.md, "Timing templates")
 * under the options given explicitly.
 */
#include "scan_config.h"

#define MS 1000000LL

void st_timing_unset(struct st_timing *t)
{
    *t = (struct st_timing){.template_ = 3,
                            .initial_rtt_ns = -1,
                            .min_rtt_ns = -1,
                            .max_rtt_ns = -1,
                            .max_retries = -1,
                            .scan_delay_ns = -1,
                            .max_scan_delay_ns = -1,
                            .max_parallelism = -1};
}

void st_scan_timing(struct st_timing *t)
{
    static const struct {
        int64_t init, min, max;
        int retries;
        int64_t delay;
    } T[6] = {
        {300000 * MS, 100 * MS, 300000 * MS, 10, 300000 * MS},
        {15000 * MS, 100 * MS, 15000 * MS, 10, 15000 * MS},
        {1000 * MS, 100 * MS, 10000 * MS, 10, 400 * MS},
        {1000 * MS, 100 * MS, 10000 * MS, 10, 0},
        {500 * MS, 100 * MS, 1250 * MS, 6, 0},
        {250 * MS, 50 * MS, 300 * MS, 2, 0},
    };
    int k = t->template_ >= 0 && t->template_ <= 5 ? t->template_ : 3;
    t->template_ = k;
    if (t->initial_rtt_ns < 0)
        t->initial_rtt_ns = T[k].init;
    if (t->min_rtt_ns < 0)
        t->min_rtt_ns = T[k].min;
    if (t->max_rtt_ns < 0)
        t->max_rtt_ns = T[k].max;
    if (t->max_retries < 0)
        t->max_retries = T[k].retries;
    if (t->scan_delay_ns < 0)
        t->scan_delay_ns = T[k].delay;
    if (t->max_parallelism < 0) /* nmap's -T0..-T2: one probe in flight */
        t->max_parallelism = k <= 2 ? 1 : 0;
    if (t->initial_rtt_ns < t->min_rtt_ns)
        t->initial_rtt_ns = t->min_rtt_ns;
    if (t->initial_rtt_ns > t->max_rtt_ns)
        t->initial_rtt_ns = t->max_rtt_ns;
}
