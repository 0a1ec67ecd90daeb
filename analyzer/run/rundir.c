#include "rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

bool st_rundir_path(const char *dir, const char *name, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size;
}

static bool is_empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = false;
    closedir(d);
    return empty;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char buf[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        buf[i] = c;
    }
    return 0;
}

int st_rundir_prepare(const char *dir, bool force, bool *created, char *msg, size_t msglen)
{
    struct stat st;
    *created = false;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(msg, msglen, "%s exists and is not a directory", dir);
            return ST_EXIT_USAGE;
        }
        if (!force && !is_empty_dir(dir)) {
            snprintf(msg, msglen, "%s is not empty (an earlier run?); --force overwrites it", dir);
            return ST_EXIT_USAGE;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            snprintf(msg, msglen, "%s: %s", dir, strerror(errno));
            return ST_EXIT_ENVIRONMENT;
        }
        return 0;
    }
    if (errno != ENOENT || make_dirs(dir) != 0) {
        snprintf(msg, msglen, "cannot create %s: %s", dir, strerror(errno));
        return ST_EXIT_ENVIRONMENT;
    }
    *created = true;
    return 0;
}

void st_rundir_abandon(const char *dir, bool created, const char *const *names, size_t n)
{
    char path[4096];
    for (size_t i = 0; i < n; i++)
        if (st_rundir_path(dir, names[i], path, sizeof path))
            unlink(path);
    if (created)
        rmdir(dir);
}
