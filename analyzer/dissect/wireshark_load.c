/*
 * The libwireshark reader (see dissect.h): the module
 * scantrace-libwireshark.so next to the executable (the build tree's
 * analyzer/ or the installed binary's directory), else where meson built or
 * installs it, loaded by the process started to dissect (the helper
 * scantrace-dissect next to it: wireshark_parts.c), or here when none can
 * be. Without it, compare uses tshark.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wireshark_parts.h"

#define MODULE "scantrace-libwireshark.so"

#define SPLIT_DEFAULT (8u << 20)

typedef enum st_tshark_rc (*read_fn)(const char *, const struct st_wireshark_opts *,
                                     struct st_dissection *, char *, size_t);
typedef void (*master_fn)(const char *, int64_t, size_t, int, int);

/* The module's path: the first of the places it may be that holds it. */
static const char *module_path(void)
{
    static bool tried;
    static char found[PATH_MAX + 64];
    if (tried)
        return found[0] ? found : NULL;
    tried = true;
    char self[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    const char *tries[3] = {NULL, ST_WS_MODULE_BUILD, ST_WS_MODULE_INSTALL};
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, sizeof path, "%s/%s", self, MODULE);
            tries[0] = path;
        }
    }
    for (size_t i = 0; i < 3; i++)
        if (tries[i] && !access(tries[i], R_OK)) {
            snprintf(found, sizeof found, "%s", tries[i]);
            return found;
        }
    return NULL;
}

/* The symbol `name` of the module at `path`, loaded on first use, or NULL. */
static void *module_sym(const char *path, const char *name)
{
    static void *h;
    if (!h && path)
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    return h ? dlsym(h, name) : NULL;
}

/* Why the module or its symbol could not be had, in one line. */
static const char *unloadable(void)
{
    static char why[512];
    const char *e = dlerror();
    snprintf(why, sizeof why, "%s not loadable: %.*s (--dissector tshark)", MODULE,
             e ? (int)strcspn(e, "\n") : 1, e ? e : "?");
    return why;
}

/* Whether the module is there: it is loaded where it dissects, in the
 * process started for it, not here. */
bool st_wireshark_available(void)
{
    return module_path() != NULL;
}

_Noreturn void st_wireshark_master(const char *module, const char *path, int64_t cut, size_t seg,
                                   int fd0, int fd1)
{
    master_fn fn;
    *(void **)&fn = module_sym(module, "st_wireshark_module_master");
    if (fn)
        fn(path, cut, seg, fd0, fd1);
    dprintf(fd0, "X%s\n", unloadable());
    _exit(2);
}

/* In this process: what it does when no process can be had. */
static enum st_tshark_rc read_here(const char *path, const struct st_wireshark_opts *o,
                                   struct st_dissection *c, char *err, size_t errsz)
{
    read_fn fn;
    *(void **)&fn = module_sym(module_path(), "st_wireshark_module_read");
    if (fn)
        return fn(path, o, c, err, errsz);
    snprintf(err, errsz, "%s", unloadable());
    return ST_TSHARK_ENVIRONMENT;
}

enum st_tshark_rc st_wireshark_read(const char *path, const struct st_wireshark_opts *o,
                                    struct st_dissection *c, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    if (st_dissect_private_config(err, errsz))
        return ST_TSHARK_ENVIRONMENT;
    if (!module_path()) {
        snprintf(err, errsz, "%s not found (--dissector tshark)", MODULE);
        return ST_TSHARK_ENVIRONMENT;
    }
    int64_t size;
    if (st_dissection_check_path(path, &size, err, errsz))
        return ST_TSHARK_BAD_INPUT;
    struct st_dissect_stop *stop = o ? o->stop : NULL;
    if (st_dissect_stopped(stop)) {
        snprintf(err, errsz, "%s: dissection stopped", path);
        return ST_TSHARK_ENVIRONMENT;
    }
    if (o && o->in_process)
        return read_here(path, o, c, err, errsz);
    uint64_t split = o && o->split_bytes ? o->split_bytes : SPLIT_DEFAULT;
    int64_t cut = (uint64_t)size >= split ? size / 2 : -1;
    bool here = false;
    enum st_tshark_rc rc = st_wireshark_parts_read(
        module_path(), path, cut, o ? o->segment_frames : 0, stop, c, &here, err, errsz);
    return here ? read_here(path, o, c, err, errsz)
                : st_dissection_end(path, stop, rc, c, err, errsz);
}
