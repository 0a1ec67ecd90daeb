/*
 * A capture's dissection in a thread of its own (see dissect.h): compare
 * starts it first, reads the trace and run.json meanwhile, and waits for it
 * when it needs the frames. On a real /16 sweep the dissectors' start alone
 * (libwireshark registering every dissector) took longer than the trace's
 * and run.json's reads together; at 10M frames the trace's read is 6 s.
 *
 * The thread starts a process (libwireshark's master, scantrace-dissect, or
 * tshark) by posix_spawn while the main thread reads, never by fork: a
 * forked child is a copy taken while the main thread may hold a lock glibc
 * does not reset (its locale lock, taken at every chunk of json-c's parse),
 * and the master forked so hung in its first newlocale (seen in CI).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"

struct st_dissect_job {
    char *path;
    enum st_dissector_choice which;
    struct st_wireshark_opts o;
    struct st_dissect_stop stop;
    pthread_t th;
    bool threaded;
    /* the result, the thread's until it is joined */
    struct st_dissection cap;
    enum st_tshark_rc rc;
    char err[512];
};

static void *job_main(void *arg)
{
    struct st_dissect_job *j = arg;
    bool lib = j->which == ST_DISSECT_LIBWIRESHARK ||
               (j->which == ST_DISSECT_DEFAULT && st_wireshark_available());
    j->rc = lib ? st_wireshark_read(j->path, &j->o, &j->cap, j->err, sizeof j->err)
                : st_tshark_read(j->path, &j->stop, &j->cap, j->err, sizeof j->err);
    return NULL;
}

struct st_dissect_job *st_dissect_start(const char *path, enum st_dissector_choice which,
                                        const struct st_wireshark_opts *o)
{
    struct st_dissect_job *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path)))
        abort();
    j->which = which;
    if (o)
        j->o = *o;
    st_dissect_stop_init(&j->stop);
    j->o.stop = &j->stop;
    /* the environment is set here, before the thread reads it */
    if (st_dissect_private_config(j->err, sizeof j->err)) {
        j->rc = ST_TSHARK_ENVIRONMENT;
        return j;
    }
    j->threaded = pthread_create(&j->th, NULL, job_main, j) == 0;
    return j;
}

static void job_free(struct st_dissect_job *j)
{
    st_dissection_free(&j->cap);
    st_dissect_stop_destroy(&j->stop);
    free(j->path);
    free(j);
}

enum st_tshark_rc st_dissect_finish(struct st_dissect_job *j, struct st_dissection *c, char *err,
                                    size_t errsz)
{
    if (j->threaded)
        pthread_join(j->th, NULL);
    else if (j->rc == ST_TSHARK_OK)
        job_main(j); /* no thread could be had: here, now */
    enum st_tshark_rc rc = j->rc;
    *c = j->cap;
    memset(&j->cap, 0, sizeof j->cap);
    if (rc != ST_TSHARK_OK)
        snprintf(err, errsz, "%s", j->err);
    job_free(j);
    return rc;
}

void st_dissect_cancel(struct st_dissect_job *j)
{
    if (!j)
        return;
    st_dissect_stop_now(&j->stop);
    if (j->threaded)
        pthread_join(j->th, NULL);
    job_free(j);
}
