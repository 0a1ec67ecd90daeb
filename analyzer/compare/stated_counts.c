/*
 * What nping's statistics say it sent, against what it traced. nping ends
 * each run with a block per target ("Statistics for host 198.18.3.4:",
 * " |  Probes Sent: 1 | Rcvd: 0 | Lost: 1  (100.00%)"), and its round robin
 * over several targets can skip one: `nping --icmp -c 1 A B C D` sends A, B,
 * D and D again, never C, and still counts one probe for each. Its trace
 * (SENT lines) shows what left, as the wire confirms, so a target with no
 * SENT line would not be listed at all, and the report would pass while the
 * scanner's own words are wrong. Each stated count is set against the
 * run's SENT lines to that host: a difference is listed, and a target never
 * probed gets its line (down, not-probed). A stated count of 0 says nothing:
 * nping --arp counts no probe per target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "comparison.h"
#include "hosts.h"
#include "trace_read.h"
#include "util.h"

bool st_trace_read_count(struct st_trace *t, const char *line, uint32_t no)
{
    char addr[64];
    unsigned sent, rcvd;
    if (!strncmp(line, "Statistics for host ", 20)) {
        /* "... for host NAME (ADDR):": the address is the last parenthesis */
        const char *named = strrchr(line + 20, '(');
        t->count_pending = 0;
        if (sscanf(named ? named + 1 : line + 20, "%63[0-9a-fA-F.:]", addr) != 1)
            return true;
        size_t len = strlen(addr); /* the line's own colon, not the address's */
        if (len && addr[len - 1] == ':')
            addr[len - 1] = '\0';
        if (!st_host_parse(addr, &t->count_pending))
            t->count_pending = 0;
        return true;
    }
    if (!t->count_pending || sscanf(line, " | Probes Sent: %u | Rcvd: %u |", &sent, &rcvd) != 2)
        return false;
    if (t->ncounts == t->cap_counts) {
        size_t cap = t->cap_counts ? 2 * t->cap_counts : 16;
        struct st_trace_count *v = realloc(t->counts, cap * sizeof *v);
        if (!v)
            abort();
        t->counts = v, t->cap_counts = cap;
    }
    t->counts[t->ncounts++] = (struct st_trace_count){
        t->count_pending, t->nruns ? (uint32_t)t->nruns - 1 : 0, no, sent, rcvd};
    t->count_pending = 0;
    return true;
}

/* (run << 32 | host) of every SENT line, sorted. */
static uint64_t *sent_keys(const struct st_comparison *c, size_t *n)
{
    const struct st_trace *t = c->trace;
    uint64_t *k = malloc((t->npkts + 1) * sizeof *k);
    if (!k)
        abort();
    *n = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++)
        if (st_trace_pkt(t, i, &tmp)->dir == ST_DIR_SENT)
            k[(*n)++] = (uint64_t)st_trace_pkt_run(t, i) << 32 | st_trace_pkt_host(c, i);
    st_sort(k, *n, sizeof *k, st_cmp_u64);
    return k;
}

static size_t count_of(const uint64_t *k, size_t n, uint64_t key)
{
    size_t lo = st_u64_lower(k, n, key), end = lo;
    while (end < n && k[end] == key)
        end++;
    return end - lo;
}

/* The mode of run r: the one whose hosts its probes went to (the last
 * mode when none did). */
static struct st_mode *run_mode(struct st_comparison *c, uint32_t r)
{
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *x = &c->modes[m].hosts[h];
            if (x->nprobes && st_trace_pkt_run(c->trace, (size_t)x->probes[0]) == r)
                return &c->modes[m];
        }
    return c->nmodes ? &c->modes[c->nmodes - 1] : NULL;
}

static struct st_mode_host *host_of(struct st_mode *m, uint32_t addr)
{
    for (size_t h = 0; m && h < m->nhosts; h++)
        if (m->hosts[h].addr == addr)
            return &m->hosts[h];
    return NULL;
}

static int cmp_mode_host(const void *a, const void *b)
{
    const struct st_mode_host *x = a, *y = b;
    return st_host_cmp(x->addr, y->addr);
}

/* A target the run never probed: down, not-probed, judged (nothing left
 * for it, and nothing answered it). */
static void place(struct st_comparison *c, struct st_mode *m, uint32_t addr, uint32_t stated)
{
    struct st_mode_host *g = realloc(m->hosts, (m->nhosts + 1) * sizeof *g);
    if (!g)
        abort();
    m->hosts = g;
    if (!m->nhosts)
        c->empty_modes--;
    m->hosts[m->nhosts++] = (struct st_mode_host){.addr = addr,
                                                  .reason = ST_REASON_NOT_PROBED,
                                                  .latency_s = -1,
                                                  .judged = true,
                                                  .stated_sent = stated};
    c->judged++;
    qsort(m->hosts, m->nhosts, sizeof *m->hosts, cmp_mode_host);
}

void st_stated_counts_check(struct st_comparison *c)
{
    const struct st_trace *t = c->trace;
    c->miscounted = c->miscounted_unprobed = 0;
    if (!t->ncounts)
        return;
    size_t n;
    uint64_t *k = sent_keys(c, &n);
    for (size_t i = 0; i < t->ncounts; i++) {
        const struct st_trace_count *s = &t->counts[i];
        size_t traced = count_of(k, n, (uint64_t)s->run << 32 | s->addr);
        if (!s->sent || s->sent == traced)
            continue;
        if (!c->miscounted++)
            c->miscounted_first = s->addr;
        struct st_mode *m = run_mode(c, s->run);
        struct st_mode_host *h = traced ? host_of(m, s->addr) : NULL;
        if (h)
            h->stated_sent = s->sent;
        else if (!traced && m && !host_of(m, s->addr)) {
            if (!c->miscounted_unprobed++)
                c->unprobed_first = s->addr;
            place(c, m, s->addr, s->sent);
        }
    }
    free(k);
}
