#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t first_stop;

enum { FROM_KERNEL = 0x80 };

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    int saved = errno;
    if (sig != SIGCHLD && !first_stop)
        first_stop = sig;
    unsigned char b = (unsigned char)sig;
    if (info && info->si_code == SI_KERNEL)
        b |= FROM_KERNEL;
    /* A full pipe loses the byte; the loop has plenty of others to read. */
    if (write(sig_pipe[1], &b, 1) < 0) {
    }
    errno = saved;
}

int st_signals_install(void)
{
    if (sig_pipe[0] >= 0)
        return sig_pipe[0];
    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error to report, not a death */
    return sig_pipe[0];
}

int st_signals_next(bool *from_kernel)
{
    unsigned char b;
    if (sig_pipe[0] < 0 || read(sig_pipe[0], &b, 1) != 1)
        return 0;
    if (from_kernel)
        *from_kernel = (b & FROM_KERNEL) != 0;
    return b & 0x7f;
}

volatile sig_atomic_t *st_signals_stop_flag(void)
{
    return &first_stop;
}
