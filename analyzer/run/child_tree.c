/*
 * A signal for the recorded command and every process it started. A
 * kill(1) aimed at record alone is passed on to its child; when that child
 * is a shell (`record -- sh -c "hping3 ..."`), the shell dies of it and the
 * scanner it started lives on, orphaned, still sending after the capture
 * has ended. The terminal's Ctrl-C reaches them all (one process group);
 * this is that for a signal that came to record alone. The tree is read
 * from /proc whole before anything is signalled, so a shell dying first
 * does not hide its children (they would be re-parented).
 */
#include "child.h"

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct proc {
    pid_t pid, ppid;
};

/* The parent of process `pid` from /proc/PID/stat ("pid (comm) state
 * ppid ...": comm may hold blanks and parentheses, so after the last ')'),
 * or -1. */
static pid_t parent_of(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    int ppid;
    if (!close || sscanf(close + 1, " %*c %d", &ppid) != 1)
        return -1;
    return (pid_t)ppid;
}

/* Every process's (pid, parent); *n of them. NULL when /proc cannot be read. */
static struct proc *all_procs(size_t *n)
{
    DIR *d = opendir("/proc");
    if (!d)
        return NULL;
    size_t cap = 256;
    struct proc *v = malloc(cap * sizeof *v);
    *n = 0;
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)atoi(e->d_name);
        pid_t ppid = parent_of(pid);
        if (ppid < 0)
            continue; /* gone meanwhile */
        if (*n == cap) {
            struct proc *w = realloc(v, 2 * cap * sizeof *v);
            if (!w) {
                free(v);
                v = NULL;
                break;
            }
            v = w, cap *= 2;
        }
        v[(*n)++] = (struct proc){pid, ppid};
    }
    closedir(d);
    return v;
}

void st_child_signal_tree(pid_t root, int sig)
{
    size_t n = 0;
    struct proc *v = all_procs(&n);
    if (!v) { /* no /proc: the child at least */
        kill(root, sig);
        return;
    }
    /* the descendants, breadth first: tree[0..m) */
    pid_t *tree = malloc((n + 1) * sizeof *tree);
    if (!tree) {
        free(v);
        kill(root, sig);
        return;
    }
    size_t m = 0;
    tree[m++] = root;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            if (v[j].ppid == tree[i] && v[j].pid != root)
                tree[m++] = v[j].pid;
    /* the command first: it may end its own children in order itself */
    for (size_t i = 0; i < m; i++)
        kill(tree[i], sig);
    free(tree);
    free(v);
}
