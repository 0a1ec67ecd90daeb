#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int check_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ENOENT;
    if (S_ISDIR(st.st_mode) || access(path, X_OK) != 0)
        return EACCES;
    return 0;
}

int st_child_check(const char *cmd)
{
    if (!*cmd)
        return ENOENT;
    if (strchr(cmd, '/'))
        return check_file(cmd);
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    int found = ENOENT;
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char buf[4096];
        /* An empty PATH element means the current directory. */
        int n = len ? snprintf(buf, sizeof buf, "%.*s/%s", (int)len, p, cmd)
                    : snprintf(buf, sizeof buf, "./%s", cmd);
        if (n > 0 && (size_t)n < sizeof buf) {
            int r = check_file(buf);
            if (r == 0)
                return 0;
            if (r == EACCES)
                found = EACCES;
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    return found;
}

int st_child_spawn(char *const argv[], pid_t *pid, int *out_fd, int *err_fd)
{
    int p[2], e[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return errno;
    if (pipe2(e, O_CLOEXEC) != 0) {
        int err = errno;
        close(p[0]), close(p[1]);
        return err;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    /* dup2 clears close-on-exec on the child's stdout and stderr only. */
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, e[1], STDERR_FILENO);
    sigset_t none, deflt;
    sigemptyset(&none);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGINT);
    sigaddset(&deflt, SIGTERM);
    sigaddset(&deflt, SIGHUP);
    sigaddset(&deflt, SIGPIPE);
    sigaddset(&deflt, SIGCHLD);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &deflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(p[1]), close(e[1]);
    if (rc != 0) {
        close(p[0]), close(e[0]);
        return rc;
    }
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    fcntl(e[0], F_SETFL, fcntl(e[0], F_GETFL) | O_NONBLOCK);
    *out_fd = p[0], *err_fd = e[0];
    return 0;
}

int st_child_status(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 1;
}
