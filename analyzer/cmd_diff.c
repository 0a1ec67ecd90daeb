/*
 * scantrace diff A B: what two runs did differently, per mode and host, in
 * ndiff's style ('-' only in A, '+' only in B).
 *
 * Hosts pair by address; modes by name (nmap's words, "-PE", for scan's
 * passes and nmap's runs alike), else by nmap's name for their probes, or
 * explicitly with A:MODE B:MODE.
 * By default a host differs when its verdict or reason differs, or, for a
 * host down in both, when the probes it got differ (kind and count). What
 * changes from run to run is ignored: IP ids, TTLs, ports, ICMP ids, TCP
 * seqs, timing, and which extra probes went out to a host after it had
 * answered (a race in nmap). --strict compares every packet's whole trace
 * text; --compare FIELD adds one field (ttl, ipid, sport, seq, icmpid,
 * iplen, win) to the packets' identity.
 */
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "util.h"
#include "packet.h"
#include "report.h"

static const char diff_usage[] =
    "usage: scantrace diff [options] A B\n"
    "\n"
    "A and B are run directories, trace files (nmap --packet-trace output or\n"
    "scantrace's trace.log) or report.json files; PATH:MODE picks one mode of a run.\n"
    "Prints per mode and host what differs, '-' for A and '+' for B, as ndiff does.\n"
    "\n"
    "  --strict           compare every packet's whole trace text (ids, TTLs, ports...)\n"
    "  --compare FIELD    also compare FIELD: ttl, ipid, sport, seq, icmpid, iplen, win\n"
    "                     (repeat, or a comma list)\n"
    "  -v                 show the hosts that are the same too; '~a' / '~b' mark the\n"
    "                     extra probes only A / B sent to a host up in both for the\n"
    "                     same reason (a race in nmap: not a difference)\n"
    "  -f, --format F     text (default) or json\n"
    "  --color WHEN       auto (a terminal, and NO_COLOR unset), always or never\n"
    "\n"
    "\n"
    "JSON (-f json): {scantrace_diff: 1, a, b: {path, dialect}, equal, modes: [{a, b,\n"
    "equal, hosts: [{host, status: same|changed|only_a|only_b, a, b: {verdict,\n"
    "reason}, added, removed: [{packet, count, race}]}]}]}; race: true marks a\n"
    "packet that does not count as a difference.\n"
    "\n"
    "Exit: 0 equal, 1 different, 2 bad usage or unreadable input.\n";

enum field {
    F_TTL = 1 << 0,
    F_IPID = 1 << 1,
    F_SPORT = 1 << 2,
    F_SEQ = 1 << 3,
    F_ICMPID = 1 << 4,
    F_IPLEN = 1 << 5,
    F_WIN = 1 << 6,
};

struct opts {
    bool strict, verbose, json;
    bool color; /* --color, decided for standard output */
    unsigned fields;
};

/* A line's colour by its mark: '-' red, '+' green, '~' (a race) dim. */
static const char *mark_sgr(const struct opts *o, char mark)
{
    return st_paint(o->color && strchr("-+~", mark), mark == '-'   ? ST_SGR_RED
                                                     : mark == '+' ? ST_SGR_GREEN
                                                                   : ST_SGR_DIM);
}

static const char *end_sgr(const struct opts *o, char mark)
{
    return st_paint(o->color && strchr("-+~", mark), ST_SGR_RESET);
}

/* The identity of a packet under the options. */
static void pkt_key(const struct opts *o, const struct st_dv_pkt *p, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s %s", p->sent ? "sent" : "rcvd", p->kind);
    struct st_pkt tmp;
    const struct st_pkt *r = st_dv_pkt_record(p, &tmp);
    if (!r || (size_t)n >= size)
        return;
    if (o->strict) {
        char desc[ST_LINE_MAX];
        st_format_desc(r, desc, sizeof desc);
        snprintf(buf + n, size - (size_t)n, ": %s", desc);
        return;
    }
    char extra[160] = "";
    size_t e = 0;
#define ADDF(flag, ...)                                                                            \
    if ((o->fields & (flag)) && e < sizeof extra)                                                  \
    e += (size_t)snprintf(extra + e, sizeof extra - e, __VA_ARGS__)
    ADDF(F_TTL, " ttl=%u", r->ip.ttl);
    ADDF(F_IPID, " ipid=%u", r->ip.id);
    ADDF(F_IPLEN, " iplen=%u", r->ip.len);
    if (r->proto == ST_IPPROTO_TCP) {
        ADDF(F_SPORT, " sport=%u", r->l4.tcp.sport);
        ADDF(F_SEQ, " seq=%" PRIu32, r->l4.tcp.seq);
        ADDF(F_WIN, " win=%u", r->l4.tcp.win);
    } else if (r->proto == ST_IPPROTO_UDP) {
        ADDF(F_SPORT, " sport=%u", r->l4.udp.sport);
    } else if (r->proto == ST_IPPROTO_ICMP) {
        ADDF(F_ICMPID, " icmpid=%u", r->l4.icmp.id);
    }
#undef ADDF
    if (e)
        snprintf(buf + n, size - (size_t)n, " [%s]", extra + 1);
}

/* The packets of a host by key and count; kept only where the two runs
 * differ (a /16 of equal hosts keeps none: each key held a fixed 576
 * bytes, 68 MB for two 124k-packet traces). */
struct bag {
    char **key;
    int *count;
    size_t n;
};

static void bag_add(struct bag *b, const char *key, int c)
{
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->key[i], key)) {
            b->count[i] += c;
            return;
        }
    b->key = realloc(b->key, (b->n + 1) * sizeof *b->key);
    b->count = realloc(b->count, (b->n + 1) * sizeof *b->count);
    if (!b->key || !b->count || !(b->key[b->n] = strdup(key)))
        abort();
    b->count[b->n++] = c;
}

static void bag_free(struct bag *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->key[i]);
    free(b->key);
    free(b->count);
    memset(b, 0, sizeof *b);
}

/* Only the keys whose counts differ kept, in their order. */
static void bag_keep_differences(struct bag *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!b->count[i]) {
            free(b->key[i]);
            continue;
        }
        b->key[k] = b->key[i];
        b->count[k++] = b->count[i];
    }
    b->n = k;
    if (!k)
        bag_free(b); /* its keys are freed: only the arrays go */
}

struct host_diff {
    uint32_t addr;
    const struct st_dv_host *a, *b;
    bool differs;
    /* each run sent the host probes the other did not: no race (a race only
     * cuts one run's probes short, it sends none of another kind) */
    bool both_ways;
    struct bag delta; /* count > 0: only in B (added); < 0: only in A (removed) */
};

static void diff_host(const struct opts *o, struct host_diff *d)
{
    char key[ST_LINE_MAX + 64];
    const struct st_dv_host *a = d->a, *b = d->b;

    memset(&d->delta, 0, sizeof d->delta);
    if (!a || !b) {
        d->differs = true;
        return;
    }
    bool precise = o->strict || o->fields;
    for (size_t i = 0; i < a->npkts; i++) {
        pkt_key(o, &a->pkts[i], key, sizeof key);
        bag_add(&d->delta, key, -1);
    }
    for (size_t i = 0; i < b->npkts; i++) {
        pkt_key(o, &b->pkts[i], key, sizeof key);
        bag_add(&d->delta, key, +1);
    }
    bool packets_differ = false, probes_differ = false, fewer = false, more = false;
    for (size_t i = 0; i < d->delta.n; i++)
        if (d->delta.count[i]) {
            bool sent = !strncmp(d->delta.key[i], "sent", 4);
            packets_differ = true;
            probes_differ |= sent;
            fewer |= sent && d->delta.count[i] < 0;
            more |= sent && d->delta.count[i] > 0;
        }
    bag_keep_differences(&d->delta);
    d->both_ways = fewer && more;
    d->differs = a->up != b->up || strcmp(a->reason, b->reason) || d->both_ways;
    if (precise)
        d->differs |= packets_differ;
    else if (!a->up && !b->up)
        d->differs |= probes_differ; /* a silent host gets every probe: they must agree */
}

struct mode_pair {
    const struct st_dv_mode *a, *b;
    struct host_diff *hosts;
    size_t nhosts;
    bool differs;
};

/* By address as reports order hosts (IPv4, then IPv6, each by address: an
 * IPv6 host's id is the order it was met in, not its address), and a
 * repeated address by its place in the run (the first is the one diffed). */
static int cmp_dvp(const void *x, const void *y)
{
    const struct st_dv_host *a = *(const struct st_dv_host *const *)x,
                            *b = *(const struct st_dv_host *const *)y;
    if (a->addr != b->addr)
        return st_host_cmp(a->addr, b->addr);
    return (a > b) - (a < b);
}

/* A mode's hosts in address order, each address once; NULL mode: none. */
static const struct st_dv_host **by_addr(const struct st_dv_mode *m, size_t *n)
{
    size_t cap = m ? m->nhosts : 0, k = 0;
    const struct st_dv_host **v = malloc((cap ? cap : 1) * sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < cap; i++)
        v[i] = &m->hosts[i];
    st_sort(v, cap, sizeof *v, cmp_dvp);
    for (size_t i = 0; i < cap; i++)
        if (!k || v[k - 1]->addr != v[i]->addr)
            v[k++] = v[i];
    *n = k;
    return v;
}

/* Each address of either run once, in address order: the two runs' host
 * lists merged (a /16's 65,536 hosts were each looked for in the others:
 * 12 s of diff). */
static void diff_mode(const struct opts *o, struct mode_pair *mp)
{
    size_t na, nb, i = 0, j = 0;
    const struct st_dv_host **a = by_addr(mp->a, &na), **b = by_addr(mp->b, &nb);
    mp->hosts = calloc(na + nb ? na + nb : 1, sizeof *mp->hosts);
    if (!mp->hosts)
        abort();
    while (i < na || j < nb) {
        struct host_diff *d = &mp->hosts[mp->nhosts++];
        int c = i >= na ? 1 : j >= nb ? -1 : st_host_cmp(a[i]->addr, b[j]->addr);
        bool take_a = c <= 0, take_b = c >= 0;
        d->addr = take_a ? a[i]->addr : b[j]->addr;
        d->a = take_a ? a[i++] : NULL;
        d->b = take_b ? b[j++] : NULL;
        diff_host(o, d);
        mp->differs |= d->differs;
    }
    free(a);
    free(b);
    if (!mp->a || !mp->b)
        mp->differs = true;
}

/* Pair the modes: explicit when each side has one, else by nmap's name, then by name. */
static size_t pair_modes(const struct st_diffview *a, const struct st_diffview *b,
                         struct mode_pair *out)
{
    size_t n = 0;
    bool *used = calloc(b->nmodes + 1, sizeof *used);
    if (!used)
        abort();
    if (a->nmodes == 1 && b->nmodes == 1) {
        out[n++] = (struct mode_pair){.a = &a->modes[0], .b = &b->modes[0]};
        free(used);
        return n;
    }
    for (size_t i = 0; i < a->nmodes; i++) {
        const struct st_dv_mode *match = NULL;
        for (size_t j = 0; j < b->nmodes && !match; j++)
            if (!used[j] && !strcmp(a->modes[i].canon, b->modes[j].canon)) {
                match = &b->modes[j];
                used[j] = true;
            }
        for (size_t j = 0; j < b->nmodes && !match; j++)
            if (!used[j] && !strcmp(a->modes[i].name, b->modes[j].name)) {
                match = &b->modes[j];
                used[j] = true;
            }
        out[n++] = (struct mode_pair){.a = &a->modes[i], .b = match};
    }
    for (size_t j = 0; j < b->nmodes; j++)
        if (!used[j])
            out[n++] = (struct mode_pair){.a = NULL, .b = &b->modes[j]};
    free(used);
    return n;
}

/* ---- output --------------------------------------------------------------- */

static void host_line(const struct opts *o, char sign, const struct st_dv_host *h)
{
    printf("%s%cHost is %s (%s).%s\n", mark_sgr(o, sign), sign, h->up ? "up" : "down", h->reason,
           end_sgr(o, sign));
}

/* Whether a packet one run has more of than the other counts as a
 * difference: for a host up in both for the same reason, which other probes
 * went out is a race (nmap stops probing once a reply is in), so not;
 * unless each run sent it probes the other did not (probes of another kind:
 * -PO6 as a bare IP header against nmap's TCP ACK). */
static bool delta_counts(const struct opts *o, const struct host_diff *d)
{
    bool same_up = d->a->up && d->b->up && !strcmp(d->a->reason, d->b->reason);
    return o->strict || o->fields || !same_up || d->both_ways;
}

static void print_text(const struct opts *o, const struct st_diffview *a,
                       const struct st_diffview *b, const struct mode_pair *mp, size_t n)
{
    printf("%s-%s (%s)%s\n%s+%s (%s)%s\n", mark_sgr(o, '-'), a->path, a->dialect, end_sgr(o, '-'),
           mark_sgr(o, '+'), b->path, b->dialect, end_sgr(o, '+'));
    for (size_t m = 0; m < n; m++) {
        const struct mode_pair *p = &mp[m];
        if (!p->differs && !o->verbose)
            continue;
        if (p->a && p->b && strcmp(p->a->name, p->b->name))
            printf("\n mode %s | %s:\n", p->a->name, p->b->name);
        else if (p->a && p->b)
            printf("\n mode %s:\n", p->a->name);
        else
            printf("\n%s%cmode %s (only in %s)%s\n", mark_sgr(o, p->a ? '-' : '+'),
                   p->a ? '-' : '+', p->a ? p->a->name : p->b->name, p->a ? "A" : "B",
                   end_sgr(o, p->a ? '-' : '+'));
        for (size_t h = 0; h < p->nhosts; h++) {
            const struct host_diff *d = &p->hosts[h];
            char addr[ST_HOST_STRLEN];
            if (!d->differs && !o->verbose)
                continue;
            st_host_str(d->addr, addr);
            if (!d->a || !d->b) {
                char mark = d->a ? '-' : '+';
                printf("%s%c%s:%s\n", mark_sgr(o, mark), mark, addr, end_sgr(o, mark));
                host_line(o, mark, d->a ? d->a : d->b);
                continue;
            }
            printf(" %s:\n", addr);
            if (d->a->up != d->b->up || strcmp(d->a->reason, d->b->reason)) {
                host_line(o, '-', d->a);
                host_line(o, '+', d->b);
            } else {
                host_line(o, ' ', d->a);
            }
            for (size_t i = 0; i < d->delta.n; i++) {
                int c = d->delta.count[i];
                if (!c)
                    continue;
                /* a race is shown with '~' and the run that had it: not a
                 * difference, but not to be read as one run's either */
                char mark = delta_counts(o, d) ? (c < 0 ? '-' : '+') : '~';
                fputs(mark_sgr(o, mark), stdout);
                if (mark != '~')
                    printf("%c  %s", mark, d->delta.key[i]);
                else
                    printf("~%c %s", c < 0 ? 'a' : 'b', d->delta.key[i]);
                if (abs(c) > 1)
                    printf(" (%d times)", abs(c));
                printf("%s\n", end_sgr(o, mark));
            }
        }
    }
}

static json_object *host_json(const struct st_dv_host *h)
{
    if (!h)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "verdict", json_object_new_string(h->up ? "up" : "down"));
    json_object_object_add(o, "reason", json_object_new_string(h->reason));
    return o;
}

static void print_json(const struct opts *o, const struct st_diffview *a,
                       const struct st_diffview *b, const struct mode_pair *mp, size_t n,
                       bool equal)
{
    json_object *doc = json_object_new_object(), *modes = json_object_new_array();
    json_object *ja = json_object_new_object(), *jb = json_object_new_object();
    json_object_object_add(doc, "scantrace_diff", json_object_new_int(1));
    json_object_object_add(ja, "path", json_object_new_string(a->path));
    json_object_object_add(ja, "dialect", json_object_new_string(a->dialect));
    json_object_object_add(jb, "path", json_object_new_string(b->path));
    json_object_object_add(jb, "dialect", json_object_new_string(b->dialect));
    json_object_object_add(doc, "a", ja);
    json_object_object_add(doc, "b", jb);
    json_object_object_add(doc, "equal", json_object_new_boolean(equal));
    for (size_t m = 0; m < n; m++) {
        const struct mode_pair *p = &mp[m];
        json_object *mo = json_object_new_object(), *hosts = json_object_new_array();
        json_object_object_add(mo, "a", p->a ? json_object_new_string(p->a->name) : NULL);
        json_object_object_add(mo, "b", p->b ? json_object_new_string(p->b->name) : NULL);
        json_object_object_add(mo, "equal", json_object_new_boolean(!p->differs));
        for (size_t h = 0; h < p->nhosts; h++) {
            const struct host_diff *d = &p->hosts[h];
            char addr[ST_HOST_STRLEN];
            json_object *ho = json_object_new_object(), *added = json_object_new_array(),
                        *removed = json_object_new_array();
            json_object_object_add(ho, "host", json_object_new_string(st_host_str(d->addr, addr)));
            json_object_object_add(ho, "status",
                                   json_object_new_string(!d->a        ? "only_b"
                                                          : !d->b      ? "only_a"
                                                          : d->differs ? "changed"
                                                                       : "same"));
            json_object_object_add(ho, "a", host_json(d->a));
            json_object_object_add(ho, "b", host_json(d->b));
            for (size_t i = 0; i < d->delta.n; i++) {
                int c = d->delta.count[i];
                if (!c)
                    continue;
                json_object *e = json_object_new_object();
                json_object_object_add(e, "packet", json_object_new_string(d->delta.key[i]));
                json_object_object_add(e, "count", json_object_new_int(abs(c)));
                if (d->a && d->b && !delta_counts(o, d))
                    json_object_object_add(e, "race", json_object_new_boolean(true));
                json_object_array_add(c > 0 ? added : removed, e);
            }
            json_object_object_add(ho, "added", added);
            json_object_object_add(ho, "removed", removed);
            json_object_array_add(hosts, ho);
        }
        json_object_object_add(mo, "hosts", hosts);
        json_object_array_add(modes, mo);
    }
    json_object_object_add(doc, "modes", modes);
    puts(json_object_to_json_string_ext(doc,
                                        JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(doc);
}

static int parse_fields(const char *list, unsigned *fields)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"ttl", F_TTL},       {"ipid", F_IPID},   {"sport", F_SPORT}, {"seq", F_SEQ},
                 {"icmpid", F_ICMPID}, {"iplen", F_IPLEN}, {"win", F_WIN}};
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(w, names[i].name)) {
                *fields |= names[i].bit;
                break;
            }
        if (i == sizeof names / sizeof names[0]) {
            fprintf(stderr,
                    "scantrace diff: --compare: unknown field '%s' (ttl, ipid, sport, "
                    "seq, icmpid, iplen, win)\n",
                    w);
            return -1;
        }
    }
    return 0;
}

/* A JSON file that is not a report.json (run.json above all) would load as a
 * run with no modes and diff half-empty: refuse it, in one line. Traces
 * and directories are the loader's to judge. */
static bool not_a_run(const char *spec)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s", spec);
    for (const char *c = strchr(spec, ':'); stat(path, &sb) && c; c = strchr(c + 1, ':'))
        snprintf(path, sizeof path, "%.*s", (int)(c - spec), spec);
    size_t n = strlen(path);
    if (stat(path, &sb) || !S_ISREG(sb.st_mode) || n < 5 || strcmp(path + n - 5, ".json"))
        return false;
    char why[160];
    struct json_object *j = st_diffview_json(path, why, sizeof why);
    bool report = j && json_object_object_get_ex(j, "scantrace_report", NULL);
    bool run = j && json_object_object_get_ex(j, "subcommand", NULL);
    json_object_put(j);
    if (report)
        return false;
    if (!j)
        fprintf(stderr, "scantrace diff: %s: not valid JSON (%s)\n", path, why);
    else
        fprintf(stderr, "scantrace diff: %s: %s\n", path,
                run ? "a run.json, not a trace or report.json: give its run directory"
                    : "not a report.json (nor a trace or a run directory)");
    return true;
}

int st_cmd_diff(int argc, char **argv)
{
    static const struct option lo[] = {
        {"strict", no_argument, NULL, 's'},       {"compare", required_argument, NULL, 'c'},
        {"format", required_argument, NULL, 'f'}, {"color", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct opts o = {0};
    enum st_color_when when = ST_COLOR_AUTO;
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, ":vf:h", lo, NULL)) != -1) {
        switch (ch) {
        case 's':
            o.strict = true;
            break;
        case 'c':
            if (parse_fields(optarg, &o.fields))
                return ST_EXIT_USAGE;
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'f':
            if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                return st_cmd_usage_error("diff", "--format: text or json, not '%s'", optarg);
            }
            o.json = !strcmp(optarg, "json");
            break;
        case 'C':
            if (!st_color_arg("diff", optarg, &when))
                return ST_EXIT_USAGE;
            break;
        case 'h':
        default:
            return st_cmd_help_or_error("diff", ch, argv, diff_usage);
        }
    }
    o.color = st_color_on(when, STDOUT_FILENO);
    if (argc - optind != 2)
        return st_cmd_usage_error("diff", "two runs to compare, A and B, not %d", argc - optind);
    if (not_a_run(argv[optind]) || not_a_run(argv[optind + 1]))
        return ST_EXIT_USAGE;
    struct st_diffview a, b;
    char err[512];
    if (st_diffview_load(argv[optind], &a, err, sizeof err)) {
        fprintf(stderr, "scantrace diff: %s\n", err);
        st_diffview_free(&a);
        return ST_EXIT_USAGE;
    }
    if (st_diffview_load(argv[optind + 1], &b, err, sizeof err)) {
        fprintf(stderr, "scantrace diff: %s\n", err);
        st_diffview_free(&a);
        st_diffview_free(&b);
        return ST_EXIT_USAGE;
    }
    if ((o.strict || o.fields) && (!a.has_packets || !b.has_packets)) {
        fprintf(stderr, "scantrace diff: --strict and --compare need traces (a report.json has "
                        "only the packets' kinds)\n");
        st_diffview_free(&a);
        st_diffview_free(&b);
        return ST_EXIT_USAGE;
    }
    struct mode_pair *mp = calloc(a.nmodes + b.nmodes + 1, sizeof *mp);
    if (!mp)
        abort();
    size_t n = pair_modes(&a, &b, mp);
    bool equal = true;
    for (size_t m = 0; m < n; m++) {
        diff_mode(&o, &mp[m]);
        equal &= !mp[m].differs;
    }
    if (o.json)
        print_json(&o, &a, &b, mp, n, equal);
    else
        print_text(&o, &a, &b, mp, n);
    for (size_t m = 0; m < n; m++) {
        for (size_t h = 0; h < mp[m].nhosts; h++)
            bag_free(&mp[m].hosts[h].delta);
        free(mp[m].hosts);
    }
    free(mp);
    st_diffview_free(&a);
    st_diffview_free(&b);
    if (fflush(stdout)) {
        perror("scantrace diff");
        return ST_EXIT_USAGE;
    }
    return equal ? ST_EXIT_OK : ST_EXIT_DIFFERENT;
}
