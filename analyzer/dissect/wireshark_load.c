/*
 * The libwireshark reader, loaded on first use (see dissect.h): the
 * module scantrace-libwireshark.so next to the executable (the build tree's
 * analyzer/ or the installed binary's directory), else where meson built or
 * installs it. Without it, compare uses tshark.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wireshark_module.h"

#define MODULE "scantrace-libwireshark.so"

typedef enum st_tshark_rc (*read_fn)(const char *, const struct st_wireshark_opts *,
                                     struct st_dissection *, char *, size_t);

static read_fn load(void)
{
    static bool tried;
    static read_fn fn;
    if (tried)
        return fn;
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
    for (size_t i = 0; i < 3 && !fn; i++) {
        if (!tries[i] || access(tries[i], R_OK))
            continue;
        void *h = dlopen(tries[i], RTLD_NOW | RTLD_LOCAL);
        if (h)
            *(void **)&fn = dlsym(h, "st_wireshark_module_read");
    }
    return fn;
}

bool st_wireshark_available(void)
{
    return load() != NULL;
}

enum st_tshark_rc st_wireshark_read(const char *path, const struct st_wireshark_opts *o,
                                    struct st_dissection *c, char *err, size_t errsz)
{
    if (st_dissect_private_config(err, errsz)) {
        memset(c, 0, sizeof *c);
        return ST_TSHARK_ENVIRONMENT;
    }
    read_fn fn = load();
    if (!fn) {
        memset(c, 0, sizeof *c);
        snprintf(err, errsz, "%s not found or not loadable (--dissector tshark)", MODULE);
        return ST_TSHARK_ENVIRONMENT;
    }
    return fn(path, o, c, err, errsz);
}
