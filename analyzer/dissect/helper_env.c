/*
 * The environment of the libwireshark master (see dissect.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect.h"

char **st_dissect_helper_env(char *const *environ_)
{
    static const char add[] = "glibc.malloc.hugetlb=1", name[] = "GLIBC_TUNABLES=";
    size_t n = 0, last = 0;
    const char *have = NULL;
    bool theirs = false; /* a hugetlb setting of the user's, in any of the entries */
    for (; environ_[n]; n++)
        if (!strncmp(environ_[n], name, sizeof name - 1)) {
            have = environ_[n] + sizeof name - 1;
            last = n;
            theirs |= strstr(have, "glibc.malloc.hugetlb") != NULL;
        }
    size_t old = have ? strlen(have) : 0, room = sizeof name + old + 1 + sizeof add;
    char **env = malloc((n + 2) * sizeof *env + room);
    if (!env)
        return NULL;
    /* every entry as it was, but the last GLIBC_TUNABLES, which gets ours
     * appended (or ours alone as a new entry) */
    char *tun = (char *)(env + n + 2);
    snprintf(tun, room, "%s%s%s%s", name, have ? have : "", old ? ":" : "", add);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        env[k++] = have && i == last && !theirs ? tun : environ_[i];
    if (!have)
        env[k++] = tun;
    env[k] = NULL;
    return env;
}
