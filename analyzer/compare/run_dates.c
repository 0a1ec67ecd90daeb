/*
 * Whether the capture is of the trace's run at all. nmap and nping print
 * the minute they started ("Starting Nmap 7.93 ( https://nmap.org ) at
 * 2026-12-06 08:41 UTC"), and the alignment puts that start (the trace's
 * time 0) on the capture's clock. A capture of another run of the same
 * command, a day or two minutes later, can match every line (an ARP scan's
 * frames are alike byte for byte): the dates tell it. The zone is the
 * scanner host's. A run `record` made says that host's zone and offset
 * (run.json's local_clock): a line naming that zone is placed by that
 * offset, exactly. Otherwise only UTC is known, and another zone is checked
 * modulo a quarter of an hour (every zone's offset is a multiple of 15
 * minutes) within 14 hours: a capture a day or a few minutes off still
 * shows.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "comparison.h"
#include "trace_read.h"

/* How far the capture's start may sit from the printed minute: within it
 * (it was cut to the minute), give or take the clocks' slack. */
#define EARLY_S 90
#define LATE_S  150

void st_trace_run_wall(struct st_trace *t, const char *line)
{
    size_t k = t->nruns - 1;
    int64_t *w = realloc(t->run_wall_s, t->nruns * sizeof *w);
    bool *u = realloc(t->run_wall_utc, t->nruns * sizeof *u);
    char(*z)[16] = realloc(t->run_wall_zone, t->nruns * sizeof *z);
    if (!w || !u || !z)
        abort();
    t->run_wall_s = w, t->run_wall_utc = u, t->run_wall_zone = z;
    w[k] = INT64_MIN, u[k] = false, z[k][0] = '\0';
    const char *at = strstr(line, ") at ");
    struct tm tm = {0};
    char zone[16] = "";
    const char *init = strstr(line, " scan initiated ");
    if (!at && init) {
        /* -oN's header: the host's local time in ctime's words, no zone
         * ("scan initiated Sun Dec  6 11:43:42 2026 as: ..."): checked as
         * any zone other than UTC is */
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        char mon[4];
        const char *m;
        if (sscanf(init + 16, "%*3s %3s %d %d:%d:%d %d", mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                   &tm.tm_sec, &tm.tm_year) != 6 ||
            strlen(mon) != 3 || !(m = strstr(months, mon)) || (m - months) % 3)
            return;
        tm.tm_mon = (int)(m - months) / 3 + 1;
    } else if (!at || sscanf(at + 5, "%d-%d-%d %d:%d %15s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                             &tm.tm_hour, &tm.tm_min, zone) < 5) {
        return;
    }
    if (tm.tm_year < 1990 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12)
        return;
    tm.tm_year -= 1900, tm.tm_mon -= 1;
    w[k] = (int64_t)timegm(&tm);
    u[k] = !strcmp(zone, "UTC") || !strcmp(zone, "GMT") || !strcmp(zone, "Z");
    memcpy(z[k], zone, sizeof zone);
}

/* Whether a run's start on the capture's clock (s) fits its printed minute. */
static bool fits(int64_t start_s, int64_t wall_s, bool utc)
{
    int64_t d = start_s - wall_s;
    if (utc)
        return d >= -EARLY_S && d <= LATE_S;
    if (d < -14 * 3600 - EARLY_S || d > 14 * 3600 + LATE_S)
        return false;
    int64_t r = ((d % 900) + 900) % 900;
    return r <= LATE_S || r >= 900 - EARLY_S;
}

/* Whether a run's printed time is on the recording host's clock, whose
 * offset run.json holds: the zone it names is that clock's (TZ=UTC+3 is
 * named "UTC" at three hours west), or it names none (-oN's local time). */
static bool own_clock(const struct st_comparison *c, const char *zone)
{
    return c->clock_known && (!zone[0] || !strcmp(zone, c->clock_zone));
}

void st_run_dates_check(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    c->date_mismatch = 0;
    if (c->from_wire || !c->offset_pairs || !t->run_wall_s)
        return;
    for (size_t k = 0; k < t->nruns; k++) {
        size_t from, to;
        st_trace_run_range(t, k, &from, &to);
        /* (a run that traced nothing was placed by its neighbours) */
        if (t->run_wall_s[k] == INT64_MIN || from == to)
            continue;
        int64_t shift = t->run_shift ? t->run_shift[k] : 0;
        int64_t start_s = (c->offset_ns + shift) / 1000000000;
        int64_t wall_s = t->run_wall_s[k];
        bool utc = t->run_wall_utc[k];
        bool shifted = own_clock(c, t->run_wall_zone[k]);
        if (shifted)
            wall_s -= c->clock_offset_s, utc = true;
        if (fits(start_s, wall_s, utc))
            continue;
        if (!c->date_mismatch++) {
            c->date_run_s = start_s;
            c->date_wall_s = t->run_wall_s[k];
            c->date_utc = t->run_wall_utc[k];
            c->date_shifted = shifted;
        }
    }
}
