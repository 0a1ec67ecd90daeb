/*
 * The dissection's frame list, shared by both dissectors: built into the
 * executable (tshark child) and into the libwireshark module, whose symbols
 * are its own (hidden), so each side frees what it made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dissect.h"

void st_dissection_push(struct st_dissection *c, const struct st_pkt *p)
{
    st_store_add(&c->frames, p);
    c->n++;
}

void st_dissection_free(struct st_dissection *c)
{
    st_store_free(&c->frames);
    memset(c, 0, sizeof *c);
}

int st_dissection_check_path(const char *path, int64_t *size, char *err, size_t errsz)
{
    struct stat sb;
    if (stat(path, &sb)) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errsz, "%s: not a regular file", path);
        return -1;
    }
    *size = (int64_t)sb.st_size;
    return 0;
}
