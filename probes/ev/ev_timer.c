/*
 * Timers: an event with only a deadline. It sits in the heap and completes
 * with SUCCESS when the loop finds it due.
 */
#include <errno.h>

#include "ev_internal.h"

st_ev_id st_ev_timer_create(st_ev_pool *pool, st_ev_handler h, int ms, void *userdata)
{
    if (ms < 0)
        return -EINVAL;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_TIMER, NULL, ms, h, userdata);
    if (!ev)
        return -errno;
    st_ev__trace(pool, "nsock_timer_create", "Timer created - %dms from now.  EID %li", ms, ev->id);
    st_ev__event_add(pool, ev);
    return ev->id;
}
