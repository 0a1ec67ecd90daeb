/*
 * Tables of string pairs (a reason and its explanation, a scanner and one
 * of its options...), looked up by their first string.
 */
#ifndef ST_PAIRS_H
#define ST_PAIRS_H

#include <stddef.h>
#include <string.h>

struct st_pair {
    const char *key, *value;
};

#define ST_PAIRS_N(t) (sizeof(t) / sizeof((t)[0]))

/* The value of the first pair whose key is `key` (and, when `value` is not
 * NULL, whose value is `value` too), or NULL. */
static inline const char *st_pair_find(const struct st_pair *t, size_t n, const char *key,
                                       const char *value)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].key, key) && (!value || !strcmp(t[i].value, value)))
            return t[i].value;
    return NULL;
}

#endif
