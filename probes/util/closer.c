#include "closer.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static unsigned pending;

struct job {
    pcap_t *p;
    int fd;
};

static void finish(struct job *j)
{
    if (j->p)
        pcap_close(j->p);
    else
        close(j->fd);
    free(j);
}

static void *closer_main(void *arg)
{
    finish(arg);
    pthread_mutex_lock(&lock);
    if (--pending == 0)
        pthread_cond_broadcast(&done);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void start(pcap_t *p, int fd)
{
    struct job *j = malloc(sizeof *j);
    if (!j) {
        if (p)
            pcap_close(p);
        else
            close(fd);
        return;
    }
    j->p = p;
    j->fd = fd;
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_mutex_lock(&lock);
    pending++;
    pthread_mutex_unlock(&lock);
    if (pthread_create(&t, &a, closer_main, j) != 0)
        closer_main(j);
    pthread_attr_destroy(&a);
}

void st_closer_pcap(pcap_t *p)
{
    if (p)
        start(p, -1);
}

void st_closer_fd(int fd)
{
    if (fd >= 0)
        start(NULL, fd);
}

void st_closer_wait(void)
{
    pthread_mutex_lock(&lock);
    while (pending)
        pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
}
