/* fping's options (fping_opts.h), from `fping -h` of fping 5.1. */
#include "fping_opts.h"

#include <stdlib.h>
#include <string.h>

/* Short options that take a value (-k is the fwmark where Linux has it). */
static const char short_value[] = "bBcCfHIOpQrStixk";

/* Long options that take a value, each between spaces. */
static const char long_value[] = " size backoff count file ttl iface tos period retry src "
                                 "timeout vcount interval squiet reachable fwmark ";

static void flag(struct st_fping_opts *o, char c)
{
    switch (c) {
    case 'a':
        o->alive = true;
        break;
    case 'u':
        o->unreach = true;
        break;
    case 'c':
    case 'C':
    case 'l':
        o->count = true;
        break;
    case 'q':
    case 'Q':
        o->quiet = true;
        break;
    case 'g':
        o->generate = true;
        break;
    case 'n':
    case 'd':
        o->names = true;
        break;
    case 'A':
        o->addrs = true;
        break;
    default:
        break;
    }
}

/* A long option's name (without "--" and "=VALUE") as its short letter, 0
 * for one that matters not here. */
static char long_letter(const char *name, size_t len)
{
    static const struct {
        const char *name;
        char c;
    } map[] = {{"alive", 'a'}, {"unreach", 'u'}, {"count", 'c'},  {"vcount", 'C'},
               {"loop", 'l'},  {"quiet", 'q'},   {"squiet", 'Q'}, {"generate", 'g'},
               {"name", 'n'},  {"rdns", 'd'},    {"addr", 'A'}};
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strlen(map[i].name) == len && !strncmp(map[i].name, name, len))
            return map[i].c;
    return 0;
}

static bool long_takes_value(const char *name, size_t len)
{
    char key[40];
    if (len + 3 > sizeof key)
        return false;
    key[0] = ' ';
    memcpy(key + 1, name, len);
    key[len + 1] = ' ';
    key[len + 2] = 0;
    return strstr(long_value, key) != NULL;
}

/* The word at argv[i], an option: its flags into o; the index of the last
 * word it takes (its value may be the next). */
static size_t option(const char *const *argv, size_t argc, size_t i, struct st_fping_opts *o)
{
    const char *a = argv[i];
    if (a[1] == '-') {
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        flag(o, long_letter(name, len));
        return !eq && long_takes_value(name, len) && i + 1 < argc ? i + 1 : i;
    }
    for (const char *p = a + 1; *p; p++) {
        flag(o, *p);
        if (strchr(short_value, *p))
            return !p[1] && i + 1 < argc ? i + 1 : i; /* "-c1" or "-c 1" */
    }
    return i;
}

void st_fping_opts_read(const char *const *argv, size_t argc, struct st_fping_opts *o)
{
    memset(o, 0, sizeof *o);
    o->operands = malloc((argc + 1) * sizeof *o->operands);
    if (!o->operands)
        abort();
    bool only_operands = false;
    for (size_t i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_operands || a[0] != '-' || !a[1])
            o->operands[o->noperands++] = a;
        else if (!strcmp(a, "--"))
            only_operands = true;
        else
            i = option(argv, argc, i, o);
    }
}

void st_fping_opts_free(struct st_fping_opts *o)
{
    free(o->operands);
    memset(o, 0, sizeof *o);
}
