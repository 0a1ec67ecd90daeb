/*
 * A table of distinct strings, each added once and named by a small index:
 * what a million records that share a few dozen names keep instead of a
 * copy each (a sweep's verdicts: a mode and a reason per host). Index 0 is
 * always "".
 */
#ifndef ST_STRTAB_H
#define ST_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct st_strtab {
    char **s; /* s[0] = "" */
    size_t n, cap;
    uint32_t *slots; /* open addressing: 1 + index into s, 0 empty */
    size_t nslots;   /* a power of two, at least twice n */
};

/* The index of `str` (NULL reads as ""), added if new. Aborts on OOM. */
uint32_t st_strtab_add(struct st_strtab *t, const char *str);

/* The string at index i ("" for 0, and for a table never added to). */
static inline const char *st_strtab_get(const struct st_strtab *t, uint32_t i)
{
    return i && i < t->n ? t->s[i] : "";
}

void st_strtab_free(struct st_strtab *t);

#endif
