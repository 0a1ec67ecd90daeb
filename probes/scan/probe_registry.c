/*
 * The table of probe modules: adding a probe type is one file and one line.
 * ND (IPv6's ARP) shares -PR with ARP and comes after it: st_probe_by_flag
 * finds ARP, and the plan picks ND for IPv6 targets.
 */
#include <string.h>

#include "probe.h"

extern const struct st_probe_module st_probe_arp, st_probe_echo, st_probe_timestamp, st_probe_mask,
    st_probe_syn, st_probe_ack, st_probe_udp, st_probe_sctp, st_probe_proto, st_probe_nd;

const struct st_probe_module *const st_probe_modules[] = {
    &st_probe_arp, &st_probe_echo, &st_probe_timestamp, &st_probe_mask,  &st_probe_syn,
    &st_probe_ack, &st_probe_udp,  &st_probe_sctp,      &st_probe_proto, &st_probe_nd,
    NULL,
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
