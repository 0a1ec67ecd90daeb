/*
 * The dissection's frame list, shared by both dissectors: built into the
 * executable (tshark child) and into the libwireshark module, whose symbols
 * are its own (hidden), so each side frees what it made.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dissect.h"

void st_dissection_push(struct st_dissection *c, const struct st_pkt *p)
{
    st_store_add(&c->frames, p);
    c->n++;
}

void st_dissection_free(struct st_dissection *c)
{
    st_store_free(&c->frames);
    memset(c, 0, sizeof *c);
}

enum st_tshark_rc st_dissection_end(const char *path, struct st_dissect_stop *stop,
                                    enum st_tshark_rc rc, struct st_dissection *c, char *err,
                                    size_t errsz)
{
    if (rc == ST_TSHARK_OK && st_dissect_stopped(stop)) { /* what it read is not the capture */
        snprintf(err, errsz, "%s: dissection stopped", path);
        rc = ST_TSHARK_ENVIRONMENT;
    }
    if (rc != ST_TSHARK_OK) {
        st_dissection_free(c);
        return rc;
    }
    struct st_pkt p;
    for (size_t i = 0; i < c->n && !c->have_direction; i++)
        if (st_store_get(&c->frames, i, &p)->dir != ST_DIR_NONE)
            c->have_direction = true;
    st_store_trim(&c->frames);
    return ST_TSHARK_OK;
}

bool st_dissect_reap_ok(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return false;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

void st_dissect_die_with(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) /* it died before the line above */
        _exit(3);
}

int st_dissection_check_path(const char *path, int64_t *size, char *err, size_t errsz)
{
    struct stat sb;
    if (stat(path, &sb)) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errsz, "%s: not a regular file", path);
        return -1;
    }
    *size = (int64_t)sb.st_size;
    return 0;
}

/* ---- the off switch ------------------------------------------------------ */

void st_dissect_stop_init(struct st_dissect_stop *s)
{
    atomic_init(&s->stop, false);
    pthread_mutex_init(&s->lock, NULL);
    s->pid[0] = s->pid[1] = 0;
}

void st_dissect_stop_destroy(struct st_dissect_stop *s)
{
    pthread_mutex_destroy(&s->lock);
}

bool st_dissect_stopped(struct st_dissect_stop *s)
{
    return s && atomic_load_explicit(&s->stop, memory_order_relaxed);
}

void st_dissect_stop_watch(struct st_dissect_stop *s, int slot, pid_t pid)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->pid[slot] = pid;
    if (atomic_load(&s->stop))
        kill(pid, SIGKILL);
    pthread_mutex_unlock(&s->lock);
}

void st_dissect_stop_unwatch(struct st_dissect_stop *s, int slot)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->pid[slot] = 0;
    pthread_mutex_unlock(&s->lock);
}

void st_dissect_stop_now(struct st_dissect_stop *s)
{
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stop, true);
    for (int i = 0; i < 2; i++)
        if (s->pid[i] > 0)
            kill(s->pid[i], SIGKILL);
    pthread_mutex_unlock(&s->lock);
}
