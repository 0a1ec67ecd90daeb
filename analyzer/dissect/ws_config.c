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

int st_dissect_private_config(char *err, size_t errsz)
{
    if (dir[0])
        return 0;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/scantrace-wireshark-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errsz, "cannot create a private Wireshark configuration directory: %s",
                 strerror(errno));
        dir[0] = '\0';
        return -1;
    }
    owner = getpid();
    atexit(remove_dir);
    /* Wireshark's personal configuration directory, for tshark children and
     * for libwireshark in this process alike */
    setenv("WIRESHARK_CONFIG_DIR", dir, 1);
    return 0;
}
