/*
 * Wireshark's configuration, scantrace's own: both dissectors read their
 * personal configuration from an empty directory made for this process, so
 * the user's environment can neither crash a dissection (libwireshark 4.0
 * and tshark die with SIGSEGV when HOME cannot be read: `su` without `-`,
 * setpriv, CI runners) nor change one (a profile's preferences, Decode As
 * rules or disabled protocols would make the same capture read otherwise).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dissect.h"

static char dir[PATH_MAX];
static pid_t owner;

/* The directory is only ever empty or holds what tshark left; it goes with
 * the process that made it (not with the children that inherit it). */
static void remove_dir(void)
{
    if (getpid() != owner || !dir[0])
        return;
    rmdir(dir);
}

/* Ctrl-C in compare, report or diff (commands that keep the default
 * disposition) would otherwise leave one directory in /tmp per stopped run,
 * and so would a reader that went away (`compare | head`: SIGPIPE), ulimit
 * -f (SIGXFSZ, raised once the report's temporary file is gone) or
 * timeout(1)'s alarm: remove it (rmdir is async-signal-safe), then die of
 * the signal as before, so the shell still sees 128 + its number. */
static void on_fatal(int sig)
{
    remove_dir();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Only where nobody handles the signal: scan and record run their own
 * handlers and exit through atexit. */
static void remove_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
            old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int st_dissect_private_config(char *err, size_t errsz)
{
    if (dir[0])
        return 0;
    const char *tmp = getenv("TMPDIR");
    /* the handlers first: a signal between the directory and its handler
     * would leave it (an interrupted rmdir of the template is harmless) */
    owner = getpid();
    remove_on_signals();
    snprintf(dir, sizeof dir, "%s/scantrace-wireshark-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errsz, "cannot create a private Wireshark configuration directory: %s",
                 strerror(errno));
        dir[0] = '\0';
        return -1;
    }
    atexit(remove_dir);
    /* Wireshark's personal configuration directory, for tshark children and
     * for libwireshark in this process alike */
    setenv("WIRESHARK_CONFIG_DIR", dir, 1);
    return 0;
}
