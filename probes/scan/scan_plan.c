/*
 * Turning nmap's -P options into passes of probe kinds.
 */
#include "scan_plan.h"
#include "packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_plan_init(struct st_plan *p)
{
    memset(p, 0, sizeof *p);
    p->arp_local = true;
}

/* The number s starts with into *v: past its digits, or NULL (none). */
static const char *digits(const char *s, unsigned long *v)
{
    if (*s < '0' || *s > '9')
        return NULL;
    char *e;
    *v = strtoul(s, &e, 10);
    return e;
}

/* "22,443,1000-1002" into ports; returns how many, or -1. As nmap, a
 * range may leave out either end: "-3" from the first (port 1, protocol 0),
 * "65534-" to the last, "-" all. */
static int parse_ports(const char *s, uint16_t max, uint16_t *out, size_t room)
{
    size_t n = 0;
    while (*s) {
        unsigned long lo = max == 255 ? 0 : 1, hi;
        const char *e = s;
        if (*s != '-' && !(e = digits(s, &lo)))
            return -1;
        if (lo > max)
            return -1;
        hi = lo;
        if (*e == '-') {
            hi = max;
            if (*++e && *e != ',' && !(e = digits(e, &hi)))
                return -1;
            if (hi > max || hi < lo)
                return -1;
        }
        for (unsigned long v = lo; v <= hi; v++) {
            if (n == room)
                return -1;
            out[n++] = (uint16_t)v;
        }
        if (*e == ',')
            e++;
        else if (*e)
            return -1;
        s = e;
    }
    return (int)n;
}

static struct st_pass *current_pass(struct st_plan *p)
{
    if (p->npasses == 0 || p->each_mode) {
        if (p->npasses == ST_PLAN_MAX_PASSES)
            return NULL;
        return &p->passes[p->npasses++];
    }
    return &p->passes[p->npasses - 1];
}

/* The pass's name in nmap's words: "-PE -PS22,443" (nmap_modes.c). */
static void name_append(struct st_pass *pass, const char *flag, const uint16_t *ports, int n,
                        bool show_ports)
{
    size_t len = strlen(pass->name);
    len +=
        (size_t)snprintf(pass->name + len, sizeof pass->name - len, "%s%s", len ? " " : "", flag);
    if (show_ports && len < sizeof pass->name)
        st_nmap_port_list(ports, (size_t)n, pass->name + len, sizeof pass->name - len);
    snprintf(pass->token, sizeof pass->token, "%s", pass->name);
    for (char *c = pass->token; (c = strchr(c, ' '));)
        *c = '+';
}

/* Add a kind where nmap sends it (st_nmap_ping_rank): after every kind of
 * its rank or lower, so the options' order on the command line does not
 * matter and a kind's ports keep theirs. */
static void insert_kind(struct st_pass *pass, struct st_probe_kind k)
{
    int rank = st_nmap_ping_rank(k.mod->name);
    size_t at = pass->nkinds;
    while (at > 0 && st_nmap_ping_rank(pass->kinds[at - 1].mod->name) > rank)
        at--;
    memmove(&pass->kinds[at + 1], &pass->kinds[at], (pass->nkinds - at) * sizeof k);
    pass->kinds[at] = k;
    pass->nkinds++;
}

int st_plan_add_flag(struct st_plan *p, const char *flag, char *err, size_t errsz)
{
    char name[4];
    if (strncmp(flag, "-P", 2) || strlen(flag) < 3) {
        snprintf(err, errsz, "not a ping option: %s", flag);
        return -1;
    }
    snprintf(name, sizeof name, "-P%c", flag[2]);
    const struct st_probe_module *m = st_probe_by_flag(name);
    if (!m) {
        snprintf(err, errsz, "unknown ping option %s (use -PE -PP -PM -PS -PA -PU -PY -PO -PR)",
                 flag);
        return -1;
    }
    const char *list = flag + 3;
    if (*list && !m->default_ports) {
        snprintf(err, errsz, "%s takes no port list", name);
        return -1;
    }
    uint16_t ports[ST_PLAN_MAX_KINDS];
    int n = 1;
    ports[0] = 0;
    bool explicit_ports = *list != '\0';
    if (m->default_ports)
        n = parse_ports(*list ? list : m->default_ports, !strcmp(name, "-PO") ? 255 : 65535, ports,
                        ST_PLAN_MAX_KINDS);
    if (n <= 0) {
        snprintf(err, errsz, "%s: bad %s list '%s'", name,
                 !strcmp(name, "-PO") ? "protocol" : "port", list);
        return -1;
    }
    struct st_pass *pass = current_pass(p);
    if (!pass || pass->nkinds + (size_t)n > ST_PLAN_MAX_KINDS) {
        snprintf(err, errsz, "too many probes or passes (at most %d kinds in %d passes)",
                 ST_PLAN_MAX_KINDS, ST_PLAN_MAX_PASSES);
        return -1;
    }
    for (int i = 0; i < n; i++)
        insert_kind(pass, (struct st_probe_kind){m, ports[i]});
    name_append(pass, m->flag, ports, n, explicit_ports || m->default_ports);
    return 0;
}

/* nmap's default probes (st_nmap_default_ping, or ..._ping6 for -6), in
 * its order on the wire */
static size_t default_kinds(bool v6, struct st_probe_kind *out)
{
    const struct st_nmap_probe *d = v6 ? st_nmap_default_ping6 : st_nmap_default_ping;
    size_t n = v6 ? ST_NMAP_DEFAULT_PING6_N : ST_NMAP_DEFAULT_PING_N;
    for (size_t i = 0; i < n; i++)
        out[i] = (struct st_probe_kind){st_probe_by_name(d[i].mode), d[i].port};
    return n;
}

int st_plan_check(const struct st_plan *p, char *err, size_t errsz)
{
    for (size_t i = 0; p->v6 && i < p->npasses; i++)
        for (size_t k = 0; k < p->passes[i].nkinds; k++) {
            const char *name = p->passes[i].kinds[k].mod->name;
            if (!strcmp(name, "timestamp") || !strcmp(name, "mask")) {
                /* nmap's words */
                snprintf(err, errsz,
                         "ICMP Timestamp and Address Mask pings are only valid for IPv4.");
                return -1;
            }
        }
    return 0;
}

void st_plan_finish(struct st_plan *p)
{
    if (p->npasses)
        return;
    struct st_pass *pass = &p->passes[p->npasses++];
    snprintf(pass->name, sizeof pass->name, "default");
    snprintf(pass->token, sizeof pass->token, "default");
    pass->nkinds = default_kinds(p->v6, pass->kinds);
}

size_t st_plan_kinds_for(const struct st_plan *p, const struct st_pass *pass,
                         const struct st_route *r, struct st_probe_kind *out)
{
    if (p->arp_local && r->direct && r->ethernet && !r->loopback) {
        out[0] = (struct st_probe_kind){st_probe_by_name(p->v6 ? "nd" : "arp"), 0};
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < pass->nkinds; i++)
        if (!pass->kinds[i].mod->ethernet)
            out[n++] = pass->kinds[i];
    /* -PR alone where ARP cannot be used: nmap sends its default probes */
    return n ? n : default_kinds(p->v6, out);
}
