/*
 * Shared parts of the event-engine tests (evtest.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evtest.h"
#include "testnet.h"

const char *st_evtest_engine = "epoll";
int st_evtest_in_request;
struct evlog st_evtest_log;

void st_evtest_record(st_ev_pool *pool, st_ev_event *ev, void *userdata)
{
    (void)pool;
    assert_int_equal(st_evtest_in_request, 0);
    assert_true(st_evtest_log.n < EVLOG_MAX);
    struct evrec *r = &st_evtest_log.rec[st_evtest_log.n++];
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

void st_evtest_reset(void)
{
    st_evtest_log.n = 0;
}

const struct evrec *st_evtest_find(st_ev_id id)
{
    for (size_t i = 0; i < st_evtest_log.n; i++)
        if (st_evtest_log.rec[i].id == id)
            return &st_evtest_log.rec[i];
    return NULL;
}

void st_evtest_init(int argc, char **argv)
{
    if (argc > 2)
        st_evtest_engine = argv[2];
    if (st_ev_set_default_engine(st_evtest_engine) < 0) {
        fprintf(stderr, "unknown engine %s (have %s)\n", st_evtest_engine, st_ev_engine_list());
        exit(2);
    }
}

void st_evtest_start(int argc, char **argv)
{
    st_evtest_init(argc, argv);
    if (!st_test_private_netns()) {
        printf("1..0 # SKIP needs root for a private network namespace\n");
        exit(77);
    }
    /* a peer that closes early must fail a write, not kill the test */
    signal(SIGPIPE, SIG_IGN);
}
