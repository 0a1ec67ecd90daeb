/*
 * The environment of the libwireshark master (see dissect.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"

char **st_dissect_helper_env(char *const *environ_)
{
    static const char add[] = "glibc.malloc.hugetlb=1", name[] = "GLIBC_TUNABLES=";
    size_t n = 0;
    const char *have = NULL;
    for (; environ_[n]; n++)
        if (!strncmp(environ_[n], name, sizeof name - 1))
            have = environ_[n] + sizeof name - 1; /* the last, as getenv's glibc reads it */
    size_t old = have ? strlen(have) : 0, room = sizeof name + old + 1 + sizeof add;
    char **env = malloc((n + 2) * sizeof *env + room);
    if (!env)
        return NULL;
    char *tun = (char *)(env + n + 2);
    if (have && strstr(have, "glibc.malloc.hugetlb"))
        snprintf(tun, room, "%s%s", name, have);
    else
        snprintf(tun, room, "%s%s%s%s", name, have ? have : "", old ? ":" : "", add);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ_[i], name, sizeof name - 1))
            env[k++] = environ_[i];
    env[k++] = tun;
    env[k] = NULL;
    return env;
}
