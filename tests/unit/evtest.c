/*
 * Shared parts of the event-engine tests (evtest.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evtest.h"

const char *evtest_engine = "epoll";
int evtest_in_request;
struct evlog evtest_log;

void evtest_record(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    assert_int_equal(evtest_in_request, 0);
    assert_true(evtest_log.n < EVLOG_MAX);
    struct evrec *r = &evtest_log.rec[evtest_log.n++];
    memset(r, 0, sizeof *r);
    r->id = st_ev_event_id(ev);
    r->type = st_ev_event_type(ev);
    r->status = st_ev_event_status(ev);
    r->err = st_ev_event_errno(ev);
    r->eof = st_ev_event_eof(ev);
    r->userdata = userdata;
    st_ev_iod *iod = st_ev_event_iod(ev);
    r->iod_id = iod ? st_ev_iod_id(iod) : 0;
    size_t len;
    const char *data = st_ev_event_readbuf(ev, &len);
    r->len = len;
    memcpy(r->data, data, len < EVDATA_MAX - 1 ? len : EVDATA_MAX - 1);
}

void evtest_reset(void)
{
    evtest_log.n = 0;
}

const struct evrec *evtest_find(st_ev_id id)
{
    for (size_t i = 0; i < evtest_log.n; i++)
        if (evtest_log.rec[i].id == id)
            return &evtest_log.rec[i];
    return NULL;
}

void evtest_init(int argc, char **argv)
{
    if (argc > 2)
        evtest_engine = argv[2];
    if (st_ev_set_default_engine(evtest_engine) < 0) {
        fprintf(stderr, "unknown engine %s (have %s)\n", evtest_engine, st_ev_engine_list());
        exit(2);
    }
}
