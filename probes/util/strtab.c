#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "siphash.h"

/* keyed, so that input made of colliding names cannot make adding quadratic */
static const struct st_sipkey strtab_key = {0x5374727461623031ull, 0x7363616e74726163ull};

static size_t slot_of(const struct st_strtab *t, const char *str, size_t len)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)st_siphash(&strtab_key, str, len) & mask;
    while (t->slots[i] && strcmp(t->s[t->slots[i] - 1], str))
        i = (i + 1) & mask;
    return i;
}

static void rehash(struct st_strtab *t)
{
    free(t->slots);
    t->nslots = t->nslots ? t->nslots * 2 : 16;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    if (!t->slots)
        abort();
    for (size_t k = 1; k < t->n; k++)
        t->slots[slot_of(t, t->s[k], strlen(t->s[k]))] = (uint32_t)k + 1;
}

static void push(struct st_strtab *t, char *copy)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 8;
        char **s = realloc(t->s, t->cap * sizeof *s);
        if (!s)
            abort();
        t->s = s;
    }
    t->s[t->n++] = copy;
}

uint32_t st_strtab_add(struct st_strtab *t, const char *str)
{
    if (!str || !*str)
        return 0;
    if (!t->n) {
        char *empty = strdup("");
        if (!empty)
            abort();
        push(t, empty);
    }
    if (2 * (t->n + 1) > t->nslots)
        rehash(t);
    size_t len = strlen(str);
    size_t i = slot_of(t, str, len);
    if (t->slots[i])
        return t->slots[i] - 1;
    if (t->n >= UINT32_MAX - 1)
        abort();
    char *copy = malloc(len + 1);
    if (!copy)
        abort();
    memcpy(copy, str, len + 1);
    push(t, copy);
    t->slots[i] = (uint32_t)t->n; /* 1 + the new index */
    return (uint32_t)t->n - 1;
}

void st_strtab_free(struct st_strtab *t)
{
    for (size_t k = 0; k < t->n; k++)
        free(t->s[k]);
    free(t->s);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
