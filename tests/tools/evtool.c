#include "evtool.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

int st_evtool_option(int argc, char **argv, int *i, FILE **trace)
{
    if (!strcmp(argv[*i], "--event-engine") && *i + 1 < argc) {
        (*i)++;
        return st_ev_set_default_engine(argv[*i]) < 0 ? -1 : 1;
    }
    if (!strcmp(argv[*i], "--event-trace")) {
        *trace = stderr;
        return 1;
    }
    return 0;
}

void *st_evtool_records(const char *prog, char **args, size_t n, size_t size, size_t offset)
{
    char *recs = calloc(n ? n : 1, size);
    if (!recs) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return NULL;
    }
    for (size_t k = 0; k < n; k++) {
        struct in_addr a;
        if (inet_pton(AF_INET, args[k], &a) != 1) {
            fprintf(stderr, "%s: bad IPv4 address '%s'\n", prog, args[k]);
            free(recs);
            return NULL;
        }
        memcpy(recs + k * size + offset, &a, sizeof a);
    }
    return recs;
}
