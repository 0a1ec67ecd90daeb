#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { CAP_NET_RAW_BIT = 13 };

/* CapEff from /proc/self/status; without /proc, root counts as privileged. */
bool st_privileged(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return geteuid() == 0;
    char line[256];
    bool priv = geteuid() == 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long caps;
        if (sscanf(line, "CapEff: %llx", &caps) == 1) {
            priv = (caps >> CAP_NET_RAW_BIT) & 1;
            break;
        }
    }
    fclose(f);
    return priv;
}

int st_privdrop_prepare(struct st_privdrop *d, const char *user, char *err, size_t errsz)
{
    memset(d, 0, sizeof *d);
    snprintf(d->user, sizeof d->user, "%s", user);
    if (geteuid() != 0)
        return 0; /* nothing to drop: no need for the user to exist here */
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errsz, "--user %s: %s", user, errno ? strerror(errno) : "no such user");
        return -1;
    }
    d->uid = pw->pw_uid;
    d->gid = pw->pw_gid;
    d->active = geteuid() == 0 && d->uid != 0;
    return 0;
}

int st_privdrop_give(const struct st_privdrop *d, const char *path)
{
    return d->active ? chown(path, d->uid, d->gid) : 0;
}

int st_privdrop_now(struct st_privdrop *d, char *err, size_t errsz)
{
    if (!d->active || d->done)
        return 0;
    /* groups first: after setuid there is no right left to change them */
    if (setgroups(1, &d->gid) != 0 || setgid(d->gid) != 0 || setuid(d->uid) != 0) {
        snprintf(err, errsz, "cannot become user %s: %s", d->user, strerror(errno));
        return -1;
    }
    if (setuid(0) == 0 || geteuid() != d->uid || getegid() != d->gid) {
        snprintf(err, errsz, "user %s: root could be had back", d->user);
        return -1;
    }
    d->done = true;
    return 0;
}
