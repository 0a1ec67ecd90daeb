/*
 * The table of probe modules: adding a probe type is one file and one line.
 */
#include <string.h>

#include "probe.h"

extern const struct st_probe_module st_probe_arp, st_probe_echo, st_probe_timestamp, st_probe_mask,
    st_probe_syn, st_probe_ack, st_probe_udp, st_probe_sctp, st_probe_proto;

const struct st_probe_module *const st_probe_modules[] = {
    &st_probe_arp, &st_probe_echo, &st_probe_timestamp, &st_probe_mask,  &st_probe_syn,
    &st_probe_ack, &st_probe_udp,  &st_probe_sctp,      &st_probe_proto, NULL,
};

const struct st_probe_module *st_probe_by_name(const char *name)
{
    for (size_t i = 0; st_probe_modules[i]; i++)
        if (!strcmp(st_probe_modules[i]->name, name))
            return st_probe_modules[i];
    return NULL;
}

const struct st_probe_module *st_probe_by_flag(const char *flag)
{
    for (size_t i = 0; st_probe_modules[i]; i++)
        if (!strcmp(st_probe_modules[i]->flag, flag))
            return st_probe_modules[i];
    return NULL;
}
