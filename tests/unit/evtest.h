/*
 * What the event-engine tests share: the engine under test (argv[2]), a
 * log of the handler calls, and the REQ() guard that proves no handler runs
 * inside the call that created its event.
 */
#ifndef ST_EVTEST_H
#define ST_EVTEST_H

#include <stddef.h>

#include "ev.h"

#define EVLOG_MAX  2048
#define EVDATA_MAX 256

struct evrec {
    st_ev_id id;
    enum st_ev_type type;
    enum st_ev_status status;
    int err;
    bool eof;
    unsigned long iod_id;
    size_t len;
    char data[EVDATA_MAX];
    void *userdata;
};

struct evlog {
    size_t n;
    struct evrec rec[EVLOG_MAX];
};

extern const char *st_evtest_engine;
extern int st_evtest_in_request; /* > 0 while a request call runs */
extern struct evlog st_evtest_log;

/* Wraps a request call: any handler that runs inside it fails the test. */
#define REQ(call) (st_evtest_in_request++, st_evtest_req_done((call)))
static inline st_ev_id st_evtest_req_done(st_ev_id result)
{
    st_evtest_in_request--;
    return result;
}

/* Records the event in st_evtest_log (and fails if called inside a request). */
void st_evtest_record(st_ev_pool *pool, st_ev_event *ev, void *userdata);
void st_evtest_reset(void);
/* The record of event ID, or NULL. */
const struct evrec *st_evtest_find(st_ev_id id);
/*
 * main() of an event-engine test: argv is [src_root] [engine]; the test
 * runs in a private network namespace (skipped, exit 77, without root).
 * ST_EVTEST_MAIN(setup, teardown, cmocka_unit_test(a), ...).
 */
void st_evtest_start(int argc, char **argv);
#define ST_EVTEST_MAIN(setup, teardown, ...)                                                       \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        st_evtest_start(argc, argv);                                                               \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
        return cmocka_run_group_tests_name(st_evtest_engine, tests, setup, teardown);              \
    }

/* Parses argv: [src_root] [engine]; sets the default engine. */
void st_evtest_init(int argc, char **argv);

#endif
