/*
 * Giving up root (raw sockets and capture handles are opened first,
 * privileges dropped afterwards). `scan` opens its raw
 * socket, packet sockets and pcap handles as root, then becomes --user
 * (default nobody) for everything else: sending, reading replies, parsing
 * them, writing the run directory, reverse DNS. The descriptors stay open
 * across setuid(); the run directory is handed to the user first so its
 * files can still be finished (run.json is replaced by a rename).
 */
#ifndef ST_PRIVDROP_H
#define ST_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Whether the process may capture and send raw packets now (CAP_NET_RAW in
 * its effective set): what decides between raw probes with a capture and
 * connect() pings without one. */
bool st_privileged(void);

struct st_privdrop {
    char user[64];
    uid_t uid;
    gid_t gid;
    bool active; /* root now, and the user is not root: there is something to drop */
    bool done;
};

/*
 * Look the user up (before anything is opened, so a typo costs nothing).
 * Not root, or USER is root: nothing will be dropped (active false).
 * 0, or -1 with a one-line reason (no such user).
 */
int st_privdrop_prepare(struct st_privdrop *d, const char *user, char *err, size_t errsz);

/* Make `path` (the run directory) the user's, when a drop is coming. 0 or -1 (errno). */
int st_privdrop_give(const struct st_privdrop *d, const char *path);

/*
 * setgroups, setgid, setuid to the user, and check that root cannot be had
 * back. 0 (also when not active), or -1 with a reason.
 */
int st_privdrop_now(struct st_privdrop *d, char *err, size_t errsz);

#endif
