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
    /* only the last component: a typo in a parent must not become a tree
     * of directories (made by root, as the scan runs) */
    if (errno != ENOENT || mkdir(dir, 0755) != 0) {
        if (errno == ENOENT)
            snprintf(msg, msglen, "cannot create %s: its parent directory does not exist", dir);
        else
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
