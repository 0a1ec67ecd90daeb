/* The scanner's claims against the wire (claims.h). */
#include "claims.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"

static void set_claim(struct st_claims *cl, uint32_t run, uint32_t addr, enum st_claim claim)
{
    /* nmap's block opens with no claim; its "Host is up" then says it (up
     * stays up: a target given twice, its second block "[host down]") */
    if (cl->n && cl->addr[cl->n - 1] == addr && cl->run[cl->n - 1] == run) {
        if (claim != ST_CLAIM_NONE && cl->claim[cl->n - 1] != ST_CLAIM_UP)
            cl->claim[cl->n - 1] = claim;
        return;
    }
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? 2 * cl->cap : 64;
        uint32_t *a = realloc(cl->addr, cl->cap * sizeof *a);
        uint32_t *r = realloc(cl->run, cl->cap * sizeof *r);
        enum st_claim *c = realloc(cl->claim, cl->cap * sizeof *c);
        if (!a || !r || !c)
            abort();
        cl->addr = a, cl->run = r, cl->claim = c;
    }
    cl->addr[cl->n] = addr;
    cl->run[cl->n] = run;
    cl->claim[cl->n++] = claim;
}

struct pair { /* 16 bytes: a sweep's claims are millions */
    uint32_t run;
    uint32_t addr;
    uint32_t order;
    uint32_t claim; /* enum st_claim */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->run != y->run)
        return (x->run > y->run) - (x->run < y->run);
    if (x->addr != y->addr)
        return (x->addr > y->addr) - (x->addr < y->addr);
    return (x->order > y->order) - (x->order < y->order);
}

/* By run and address, one entry each: the last claim a run printed for it
 * wins (a host printed twice, say by two passes of one run), but up stays
 * up (a target given twice, its second copy down: nmap -v's "[host down]"
 * after the first copy's "Host is up"; any copy's answer is the host's). */
static void sort_claims(struct st_claims *cl)
{
    struct pair *p = malloc((cl->n + 1) * sizeof *p);
    if (!p)
        abort();
    for (size_t i = 0; i < cl->n; i++)
        p[i] = (struct pair){cl->run[i], cl->addr[i], (uint32_t)i, cl->claim[i]};
    st_sort(p, cl->n, sizeof *p, cmp_pair); /* in place: qsort copies */
    size_t n = 0;
    for (size_t i = 0; i < cl->n; i++) {
        if (n && cl->addr[n - 1] == p[i].addr && cl->run[n - 1] == p[i].run) {
            if (p[i].claim != ST_CLAIM_NONE && cl->claim[n - 1] != ST_CLAIM_UP)
                cl->claim[n - 1] = (enum st_claim)p[i].claim;
            continue;
        }
        cl->run[n] = p[i].run;
        cl->addr[n] = p[i].addr;
        cl->claim[n++] = (enum st_claim)p[i].claim;
    }
    cl->n = n;
    free(p);
}

/* A host's statistics (fping -c of a /16: as many as hosts; room doubles). */
static void push_count(struct st_claims *cl, const struct st_trace_count *k)
{
    size_t n = cl->ncounts;
    if (!(n & (n - 1))) {
        struct st_trace_count *v = realloc(cl->counts, (n ? 2 * n : 1) * sizeof *v);
        if (!v)
            abort();
        cl->counts = v;
    }
    cl->counts[cl->ncounts++] = *k;
}

static int cmp_count(const void *a, const void *b)
{
    const struct st_trace_count *x = a, *y = b;
    if (x->run != y->run)
        return (x->run > y->run) - (x->run < y->run);
    if (x->addr != y->addr)
        return (x->addr > y->addr) - (x->addr < y->addr);
    return (x->line > y->line) - (x->line < y->line);
}

/* A log's counts are anybody's numbers: their sum stops at the top rather
 * than wrapping round to one the wire might show. */
static uint32_t add_sat(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

/* One count per host and run: fping's last (-Q's interval summaries come
 * before its final one); ping's and hping3's summed, each block a run of
 * its own (sh -c "ping -c 2 A; ping -c 3 A": 5 requests to A on the wire). */
static void one_count(struct st_claims *cl)
{
    if (!cl->ncounts)
        return;
    bool sum = strcmp(cl->scanner, "fping") != 0;
    st_sort(cl->counts, cl->ncounts, sizeof *cl->counts, cmp_count);
    size_t n = 0;
    for (size_t i = 0; i < cl->ncounts; i++) {
        struct st_trace_count *last = n ? &cl->counts[n - 1] : NULL;
        const struct st_trace_count *k = &cl->counts[i];
        if (last && last->addr == k->addr && last->run == k->run && sum) {
            last->sent = add_sat(last->sent, k->sent), last->rcvd = add_sat(last->rcvd, k->rcvd);
            last->errors = add_sat(last->errors, k->errors);
            last->blocks = add_sat(last->blocks, k->blocks);
            continue;
        }
        if (last && last->addr == k->addr && last->run == k->run)
            n--;
        cl->counts[n++] = *k;
    }
    cl->ncounts = n;
}

/* The reader of the first line some reader knows, or NULL. */
static const struct st_claim_reader *which(const char *line, struct st_claim_state *st)
{
    for (const struct st_claim_reader *r = st_claim_readers; r->format; r++) {
        struct st_claim_state tmp = *st;
        uint32_t a;
        enum st_claim c;
        if (r->line(line, &tmp, &a, &c))
            return r;
    }
    return NULL;
}

static int read_file(const char *path, const struct st_claims_cmd *cmd, struct st_claims *cl,
                     struct st_claim_state *stp, const struct st_claim_reader **rp, uint32_t *nop,
                     uint32_t *runp, char *err, size_t errsz);

int st_claims_read(const char *path, const char *source, const struct st_claims_cmd *cmd,
                   struct st_claims *cl, char *err, size_t errsz)
{
    const char *scanner = cmd->scanner;
    memset(cl, 0, sizeof *cl);
    cl->present = true;
    snprintf(cl->scanner, sizeof cl->scanner, "%s", scanner);
    snprintf(cl->source, sizeof cl->source, "%s", source);
    snprintf(cl->format, sizeof cl->format, "unknown");
    if (cmd->stopped)
        snprintf(cl->stopped, sizeof cl->stopped, "%s", cmd->stopped);
    cl->open_only = cmd->open_only;
    struct st_claim_state st = {.csv_saddr = -1,
                                .csv_success = -1,
                                .list_is_down = cmd->list_is_down,
                                .sole_target = cmd->sole_target,
                                .scan_ports = cmd->scan_ports};
    const struct st_claim_reader *r = NULL;
    uint32_t no = 0, run = 0;
    if (read_file(path, cmd, cl, &st, &r, &no, &run, err, errsz) ||
        (cmd->also && read_file(cmd->also, cmd, cl, &st, &r, &no, &run, err, errsz)))
        return -1;
    if (cmd->also)
        snprintf(cl->source, sizeof cl->source, "%s and %s", source, cmd->also_name);
    if (r)
        snprintf(cl->format, sizeof cl->format, "%s", r->format);
    if (st.hping_flood) { /* (its statistics may come before that line: stderr) */
        cl->ncounts = cl->n = 0;
        snprintf(cl->format, sizeof cl->format, "unknown");
        cl->unread = "hping3 --flood reads no reply and prints none (\"no replies will be "
                     "shown\"), its statistics 0 received: it claims nothing";
        return 0;
    }
    sort_claims(cl);
    one_count(cl);
    return 0;
}

/* One file's lines into cl, the reader, line number and run going on from
 * the previous file's. */
static int read_file(const char *path, const struct st_claims_cmd *cmd, struct st_claims *cl,
                     struct st_claim_state *stp, const struct st_claim_reader **rp, uint32_t *nop,
                     uint32_t *runp, char *err, size_t errsz)
{
    FILE *f = st_text_fopen(path); /* UTF-8 with its mark, or UTF-16: as UTF-8 */
    if (!f) {
        snprintf(err, errsz, "%s: cannot read the claims: %s", path, strerror(errno));
        return -1;
    }
    struct st_claim_state st = *stp;
    const struct st_claim_reader *r = *rp;
    uint32_t no = *nop, run = *runp;
    char *line = NULL;
    size_t lsz = 0;
    ssize_t len;
    while ((len = getline(&line, &lsz, f)) >= 0) {
        no++;
        /* saved from a terminal: the text it showed (trace_read.c) */
        len = (ssize_t)st_text_screen_line(line, (size_t)len);
        /* a run's lines from its "Starting" line on (before the first: the first run's) */
        while (run + 1 < cmd->nruns && cmd->run_line[run + 1] <= no)
            run++;
        /* a stopped scanner's output may end inside a line ("... for
         * 198.18.3.2" of "198.18.3.25"): not read */
        if (cmd->stopped && len > 0 && line[len - 1] != '\n')
            break;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        cl->lines += line[strspn(line, " \t")] != 0;
        if (!r && !(r = which(line, &st)))
            continue;
        uint32_t addr = 0;
        enum st_claim claim = ST_CLAIM_NONE;
        if (r->line(line, &st, &addr, &claim) && addr)
            set_claim(cl, run, addr, claim);
        if (st.counted) {
            push_count(cl, &(struct st_trace_count){st.count_addr, run, no, st.count_sent,
                                                    st.count_rcvd, st.count_errors, 1});
            st.counted = false;
        }
    }
    free(line);
    fclose(f);
    *stp = st, *rp = r, *nop = no, *runp = run;
    return 0;
}

/* How many hosts the modes hold, all passes together. */
static size_t all_hosts(const struct st_comparison *c)
{
    size_t n = 0;
    for (size_t m = 0; m < c->nmodes; m++)
        n += c->modes[m].nhosts;
    return n;
}

void st_claims_unlisted_up(struct st_claims *cl, const struct st_comparison *c)
{
    /* looked up in the claims as read (sorted), all appended after: a claim
     * appended among them would break st_claim_of's binary search */
    size_t total = all_hosts(c), k = 0;
    uint32_t *add = malloc((total + 1) * sizeof *add);
    if (!add)
        abort();
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *g = &c->modes[m].hosts[h];
            /* (a member of a group fping pinged is no host it listed or not) */
            if (g->nprobes && !g->member && st_claim_of(cl, 0, g->addr) == ST_CLAIM_NONE)
                add[k++] = g->addr;
        }
    /* (fping's output is one run's) */
    for (size_t i = 0; i < k; i++)
        set_claim(cl, 0, add[i], ST_CLAIM_UP);
    free(add);
    if (k)
        sort_claims(cl);
}

enum st_claim st_claim_of(const struct st_claims *cl, uint32_t run, uint32_t addr)
{
    size_t lo = 0, hi = cl ? cl->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cl->run[mid] < run || (cl->run[mid] == run && cl->addr[mid] < addr))
            lo = mid + 1;
        else
            hi = mid;
    }
    return cl && lo < cl->n && cl->run[lo] == run && cl->addr[lo] == addr ? cl->claim[lo]
                                                                          : ST_CLAIM_NONE;
}

bool st_scanner_claims_on_stderr(const char *scanner)
{
    return !strcmp(scanner, "fping") || !strcmp(scanner, "hping3");
}

bool st_scanner_prints_successes(const char *scanner)
{
    return !strcmp(scanner, "zmap") || !strcmp(scanner, "masscan");
}

bool st_reply_reported(const char *scanner, const struct st_pkt *p)
{
    /* ARP and ND are the kernel's resolution, not a probe, for all but nmap */
    bool resolution = p->net == ST_NET_ARP || (p->proto == ST_IPPROTO_ICMPV6 &&
                                               p->l4.icmp.type == ST_ICMP6_NEIGHBOR_ADVERT);
    if (resolution && strcmp(scanner, "nmap"))
        return false;
    return !st_scanner_prints_successes(scanner) || st_reply_is_success(p);
}

bool st_reply_is_success(const struct st_pkt *p)
{
    if (p->net == ST_NET_ARP)
        return false;
    if (p->proto == ST_IPPROTO_TCP)
        return !(p->l4.tcp.flags & ST_TCP_RST);
    if (p->proto == ST_IPPROTO_ICMP || p->proto == ST_IPPROTO_ICMPV6)
        return !st_icmp_is_error(p->proto, p->l4.icmp.type) &&
               !(p->proto == ST_IPPROTO_ICMPV6 && p->l4.icmp.type == ST_ICMP6_NEIGHBOR_ADVERT);
    return true;
}

/* What the wire shows of a host: no answer that says it is up, only
 * answers a success-printing scanner does not report, or a success. */
/* (ANSWER_AFTER_EXIT: answers only after the recorded command exited) */
enum answer { ANSWER_NONE = 0, ANSWER_AFTER_EXIT, ANSWER_UNREPORTED, ANSWER_SUCCESS };

/* The answer frame f is to scanner (ANSWER_NONE: none that says its host
 * is up; ANSWER_SUCCESS: one its output reports). */
/* An ARP reply or a neighbour advertisement. */
static bool link_answer(const struct st_pkt *p)
{
    return (p->net == ST_NET_ARP && (p->arp.op & 0xff) == 2) ||
           st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_ADVERT);
}

/* Whether the scanner itself asked host h for its link-layer address (an
 * ARP or ND probe): with --send-ip the kernel asks, and the answer is the
 * kernel's, no answer to the scanner's probes that its claims could miss. */
static bool asked_link(const struct st_comparison *c, const struct st_mode_host *h)
{
    struct st_pkt tmp;
    for (size_t i = 0; i < h->nprobes; i++) {
        const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)h->probes[i], &tmp);
        if (p->net == ST_NET_ARP || st_pkt_is_nd(p, ST_ICMP6_NEIGHBOR_SOLICIT))
            return true;
    }
    return false;
}

static enum answer frame_answer(const struct st_comparison *c, long f, const char *scanner,
                                bool link_asked)
{
    struct st_pkt tmp;
    const struct st_pkt *p = st_store_get(&c->cap->frames, (size_t)f, &tmp);
    if (st_nmap_reply_verdict(p).host != ST_NMAP_UP || (!link_asked && link_answer(p)))
        return ANSWER_NONE;
    /* fping -t 150 gone a second before a slow host's reply came (a run.json
     * whose command ended before the capture's first frame is not this
     * capture's: its time says nothing of it) */
    if (c->scanner_end_ns && c->scanner_end_ns >= st_frame_time(c, 0) &&
        st_frame_time(c, f) > c->scanner_end_ns)
        return ANSWER_AFTER_EXIT;
    return st_reply_reported(scanner, p) ? ANSWER_SUCCESS : ANSWER_UNREPORTED;
}

/* The best answer of host h on the wire. The wire alone decides, not the
 * verdict: a traced run's verdict comes from the scanner's report, which is
 * what the claims are held against. */
static enum answer host_answer(const struct st_comparison *c, const struct st_mode_host *h,
                               const char *scanner)
{
    enum answer best = ANSWER_NONE, a;
    bool link = asked_link(c, h);
    for (size_t i = 0; i < h->nreplies; i++)
        if (c->t2f && c->t2f[h->replies[i]] >= 0 &&
            (a = frame_answer(c, c->t2f[h->replies[i]], scanner, link)) > best)
            best = a;
    /* a reply nmap did not trace is still an answer on the wire, but one
     * that came when it no longer listened (late) answers nothing it could
     * have claimed: a traced reply decided the host, or none reached nmap */
    for (size_t i = 0; i < h->nwire; i++) {
        long f = h->wire[i];
        enum st_cause k = c->fcause[f];
        bool late_ok = c->from_wire && k == ST_CAUSE_LATE_REPLY;
        if (c->fdir[f] == ST_DIR_RCVD && (late_ok || k == ST_CAUSE_MISSED_REPLY) &&
            (a = frame_answer(c, f, scanner, link)) > best)
            best = a;
    }
    /* a group pinged is claimed either as a whole (fping: "ff02::1 is
     * alive", its members' duplicates on stderr) or member by member (ping,
     * hping3: "64 bytes from X"): the other is no miss */
    bool members = st_scanner_prints_members(scanner);
    if (best == ANSWER_SUCCESS && ((h->member && !members) || (h->group && members)))
        best = ANSWER_UNREPORTED;
    return best;
}

static int cmp_mode_host(const void *a, const void *b);

/* Whether host addr of a run answered on the wire at all, a late reply
 * too: a claim of it up is founded even when the scanner decided it by a
 * packet that is no answer here (nmap -6 --send-ip takes the neighbour
 * advertisement to its kernel; the RST it then ignored is the host's).
 * Not for misses: a late reply is none the scanner could have read. */
static bool answered_at_all(const struct st_comparison *c, const char *scanner, uint32_t run,
                            uint32_t addr)
{
    for (size_t m = 0; m < c->nmodes; m++) {
        const struct st_mode *mode = &c->modes[m];
        /* (each mode's hosts are in address order: looked up by halves) */
        struct st_mode_host key = {.addr = addr};
        const struct st_mode_host *h =
            mode->run == run && mode->nhosts
                ? bsearch(&key, mode->hosts, mode->nhosts, sizeof key, cmp_mode_host)
                : NULL;
        if (h) {
            bool link = asked_link(c, h);
            for (size_t i = 0; i < h->nwire; i++)
                if (c->fdir[h->wire[i]] == ST_DIR_RCVD &&
                    frame_answer(c, h->wire[i], scanner, link) >= ANSWER_UNREPORTED)
                    return true;
        }
    }
    return false;
}

bool st_host_answered(const struct st_comparison *c, const struct st_mode_host *h)
{
    return host_answer(c, h, "nmap") != ANSWER_NONE;
}

/* A host in a run, as one sortable key: the run, then the address. */
static uint64_t run_host(uint32_t run, uint32_t addr)
{
    return (uint64_t)run << 32 | addr;
}

/* The hosts that answered, by run (run_host), sorted and unique (a sweep
 * has as many hosts as probes, so they are looked up, not scanned for);
 * *succ gets the best answer of each (a host in two passes of a run: its
 * best in either); *late counts those that answered only after the
 * recorded command exited (no answer it could have read). */
static uint64_t *answered_set(const struct st_comparison *c, const char *scanner, size_t *n,
                              uint64_t **succ, size_t *nsucc, size_t *late)
{
    size_t total = all_hosts(c), k = 0;
    uint64_t *a = malloc((total + 1) * sizeof *a), *s = malloc((total + 1) * sizeof *s);
    uint64_t *l = malloc((total + 1) * sizeof *l);
    size_t ks = 0, kl = 0;
    if (!a || !s || !l)
        abort();
    for (size_t m = 0; m < c->nmodes; m++) {
        /* an nping run of the log claims nothing: nothing of it is missed */
        if (c->trace && !st_trace_run_claims(c->trace, c->modes[m].run))
            continue;
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            /* a host the scanner never gave a verdict (a run cut short,
             * interrupted) is unjudged, neither missed nor answered */
            if (!c->modes[m].hosts[h].judged)
                continue;
            enum answer ans = host_answer(c, &c->modes[m].hosts[h], scanner);
            uint64_t key = run_host(c->modes[m].run, c->modes[m].hosts[h].addr);
            if (ans == ANSWER_AFTER_EXIT)
                l[kl++] = key;
            else if (ans != ANSWER_NONE)
                a[k++] = key;
            if (ans == ANSWER_SUCCESS)
                s[ks++] = key;
        }
    }
    *n = st_sort_unique(a, k, sizeof *a, st_cmp_u64);
    *nsucc = st_sort_unique(s, ks, sizeof *s, st_cmp_u64);
    *succ = s;
    /* (one that answered in time in another pass of the run is answered) */
    *late = 0;
    kl = st_sort_unique(l, kl, sizeof *l, st_cmp_u64);
    for (size_t i = 0; i < kl; i++)
        *late += !bsearch(&l[i], a, *n, sizeof *a, st_cmp_u64);
    free(l);
    return a;
}

/* Whether any of host h's packets (n trace indexes at v) is from outside
 * the capture's time, or one whose frame the capture says it dropped
 * (nmap traced the reply: the wire cannot say it did not come). */
static bool any_outside(const struct st_comparison *c, const int32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c->t2f[v[i]] < 0 &&
            (c->tcause[v[i]] == ST_CAUSE_OUTSIDE_CAPTURE || c->tcause[v[i]] == ST_CAUSE_TRUNCATED ||
             c->tcause[v[i]] == ST_CAUSE_OTHER_INTERFACE ||
             c->tcause[v[i]] == ST_CAUSE_CAPTURE_FILTER ||
             c->tcause[v[i]] == ST_CAUSE_CAPTURE_DROP))
            return true;
    return false;
}

/* Whether one of a host's wire-only frames was cut by the snap length, or
 * came after the last line of a trace cut short: unchecked either way. */
static bool any_cut(const struct st_comparison *c, const struct st_mode_host *x)
{
    for (size_t i = 0; i < x->nwire; i++)
        if (c->fcause[x->wire[i]] == ST_CAUSE_TRUNCATED ||
            c->fcause[x->wire[i]] == ST_CAUSE_AFTER_TRACE)
            return true;
    return false;
}

/* The hosts (run_host keys, sorted) with a packet from outside the
 * capture's time (or lost by it): the wire cannot tell whether they answered. */
static uint64_t *unseen_set(const struct st_comparison *c, size_t *n)
{
    size_t k = 0, total = all_hosts(c);
    uint64_t *a = malloc((total + 1) * sizeof *a);
    if (!a)
        abort();
    for (size_t m = 0; (c->outside_before + c->outside_after + c->cut_unchecked + c->after_trace +
                            c->other_if + c->filtered ||
                        (c->dropped_known && c->capture_dropped)) &&
                       m < c->nmodes;
         m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            const struct st_mode_host *x = &c->modes[m].hosts[h];
            if (any_outside(c, x->probes, x->nprobes) || any_outside(c, x->replies, x->nreplies) ||
                any_cut(c, x))
                a[k++] = run_host(c->modes[m].run, x->addr);
        }
    *n = st_sort_unique(a, k, sizeof *a, st_cmp_u64);
    return a;
}

static int cmp_report_order(const void *a, const void *b)
{
    return st_host_cmp(*(const uint32_t *)a, *(const uint32_t *)b);
}

/* Append to a list of n: room doubles at each power of two, so a million
 * missed hosts are not a million reallocs. */
static void push_addr(uint32_t **list, size_t n, uint32_t a)
{
    if (!(n & (n - 1))) {
        uint32_t *g = realloc(*list, (n ? 2 * n : 1) * sizeof *g);
        if (!g)
            abort();
        *list = g;
    }
    (*list)[n] = a;
}

/* A list of addresses as reports list hosts: once each, IPv4 by address,
 * then IPv6. The new count. */
static size_t report_list(uint32_t *a, size_t n)
{
    n = st_sort_unique(a, n, sizeof *a, st_cmp_u32);
    /* (qsort is given no null list, even empty: UBSan holds it to that) */
    if (n)
        qsort(a, n, sizeof *a, cmp_report_order);
    return n;
}

/* Whether addr is a group whose answer the scanner printed from its own
 * host, a member answering over the loopback interface, on no wire (ping
 * -6 ff02::1%lan0 prints "64 bytes from" its own link-local address): the
 * group is up by its word alone, as its own host is. */
static bool own_member(const struct st_claims *cl, const struct st_comparison *c, uint32_t run,
                       uint32_t addr)
{
    if (!st_group_host(c, addr) || !st_scanner_prints_members(cl->scanner))
        return false;
    for (size_t i = 0; i < cl->n; i++)
        if (cl->run[i] == run && cl->claim[i] == ST_CLAIM_UP && st_is_own_host(c, cl->addr[i]))
            return true;
    return false;
}

/* Whether addr is a group claimed up by a scanner that prints the group
 * alone (fping: "ff02::1%lan0 is alive"): when no member answered on the
 * wire, the answer it took may be its own host's, a member too, over the
 * loopback interface (fping -6 ff02::1%lan0 alone on its link is alive):
 * nothing to hold the claim against. */
static bool group_alone(const struct st_claims *cl, const struct st_comparison *c, uint32_t addr)
{
    return st_group_host(c, addr) && st_scanner_counts_members(cl->scanner) &&
           !st_scanner_prints_members(cl->scanner);
}

/*
 * Each run's claims against that run's answers (one run: the whole log's):
 * a host a session's second run claimed up is no claim of its first run.
 * The counts are of hosts, whichever runs they were judged in.
 */
void st_claims_judge(struct st_claims *cl, const struct st_comparison *c)
{
    cl->claimed_up = cl->answered = cl->missed = cl->unfounded = cl->unreported = 0;
    cl->unheld = cl->unseen = cl->after_exit = cl->own_answer = 0;
    if (!strcmp(cl->format, "unknown"))
        return; /* nothing was read: no claim to hold against the wire */
    size_t na, ns, nup = 0, nclaimed = 0, nans = 0, nunseen;
    uint64_t *succ, *ans = answered_set(c, cl->scanner, &na, &succ, &ns, &cl->after_exit);
    uint64_t *unseen = unseen_set(c, &nunseen);
    /* the claims are sorted by run and address: so are their keys */
    uint64_t *up = malloc((cl->n + 1) * sizeof *up);
    uint32_t *claimed = malloc((cl->n + 1) * sizeof *claimed);
    uint32_t *answered = malloc((na + 1) * sizeof *answered);
    if (!up || !claimed || !answered)
        abort();
    for (size_t i = 0; i < cl->n; i++) {
        if (cl->claim[i] != ST_CLAIM_UP)
            continue;
        up[nup++] = run_host(cl->run[i], cl->addr[i]);
        claimed[nclaimed++] = cl->addr[i];
        /* the scanner's own address answers on no wire, and is up; a run
         * that traced nothing has no answers told apart to hold it to, nor a
         * host of a time the capture does not cover */
        /* nor does nmap -Pn's "up": the user's word, not the wire's */
        bool held =
            (!c->trace || (st_trace_run_claims(c->trace, cl->run[i]) && !c->trace->no_ping)) &&
            !c->cut_blind &&
            !(nunseen && bsearch(&up[nup - 1], unseen, nunseen, sizeof *unseen, st_cmp_u64));
        if (!held || bsearch(&up[nup - 1], ans, na, sizeof *ans, st_cmp_u64) ||
            st_is_own_host(c, cl->addr[i]) || own_member(cl, c, cl->run[i], cl->addr[i]) ||
            answered_at_all(c, cl->scanner, cl->run[i], cl->addr[i]))
            continue;
        /* a side built from a capture of record -i's interfaces holds every
         * host a frame is about: one without may have answered on another
         * (of every interface: a host never probed, unfounded) */
        if (c->from_wire && c->capture_chosen && !st_compare_has_host(c, cl->addr[i]))
            cl->unseen++;
        else if (!group_alone(cl, c, cl->addr[i]))
            push_addr(&cl->unfounded_addr, cl->unfounded++, cl->addr[i]);
        else if (!cl->own_answer++)
            cl->own_answer_addr = cl->addr[i];
    }
    for (size_t i = 0; i < na; i++) {
        uint32_t addr = (uint32_t)ans[i];
        answered[nans++] = addr;
        if (bsearch(&ans[i], up, nup, sizeof *up, st_cmp_u64))
            continue;
        if (cl->open_only || !bsearch(&ans[i], succ, ns, sizeof *succ, st_cmp_u64))
            push_addr(&cl->unreported_addr, cl->unreported++, addr);
        else if (cl->stopped[0]) /* it may have been about to print it */
            cl->unheld++;
        else
            push_addr(&cl->missed_addr, cl->missed++, addr);
    }
    cl->claimed_up = st_sort_unique(claimed, nclaimed, sizeof *claimed, st_cmp_u32);
    cl->answered = st_sort_unique(answered, nans, sizeof *answered, st_cmp_u32);
    cl->unfounded = report_list(cl->unfounded_addr, cl->unfounded);
    cl->missed = report_list(cl->missed_addr, cl->missed);
    cl->unreported = report_list(cl->unreported_addr, cl->unreported);
    free(claimed);
    free(answered);
    free(up);
    free(ans);
    free(succ);
    free(unseen);
}

bool st_claims_failed(const struct st_claims *cl)
{
    return cl && cl->present && (cl->missed || cl->unfounded);
}

static int cmp_mode_host(const void *a, const void *b)
{
    const struct st_mode_host *x = a, *y = b;
    return st_host_cmp(x->addr, y->addr);
}

/* Take out the hosts an earlier st_claims_place_unprobed added. */
static void unplace(struct st_mode *mode, struct st_comparison *c)
{
    size_t n = 0;
    for (size_t h = 0; h < mode->nhosts; h++) {
        if (mode->hosts[h].placed) {
            c->judged--;
            continue;
        }
        mode->hosts[n++] = mode->hosts[h];
    }
    mode->nhosts = n;
}

/* A host to place: its address, whether it is the scanner's own, and its
 * place among the candidates (the first of an address is kept). */
struct cand {
    uint32_t addr;
    bool own;
    size_t order;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    int k = st_host_cmp(x->addr, y->addr);
    return k ? k : (x->order > y->order) - (x->order < y->order);
}

static void push_cand(struct cand *v, size_t *n, const struct st_comparison *c, uint32_t addr,
                      bool own)
{
    if (!st_compare_has_host(c, addr))
        v[*n] = (struct cand){addr, own, *n}, (*n)++;
}

/* The hosts placed, each address once, and the mode's hosts in order again. */
static void place_all(struct st_mode *mode, struct st_comparison *c, struct cand *v, size_t n)
{
    st_sort(v, n, sizeof *v, cmp_cand);
    struct st_mode_host *g = realloc(mode->hosts, (mode->nhosts + n + 1) * sizeof *g);
    if (!g)
        abort();
    mode->hosts = g;
    for (size_t i = 0; i < n; i++) {
        if (i && v[i].addr == v[i - 1].addr)
            continue;
        /* judged: the wire decided it (nothing sent, nothing answered), or
         * it is the scanner's host */
        mode->hosts[mode->nhosts++] =
            (struct st_mode_host){.addr = v[i].addr,
                                  .up = v[i].own,
                                  .reason = v[i].own ? ST_REASON_LOCALHOST : ST_REASON_NOT_PROBED,
                                  .latency_s = -1,
                                  .judged = true,
                                  .placed = true};
        c->judged++;
    }
    if (n)
        qsort(mode->hosts, mode->nhosts, sizeof *mode->hosts, cmp_mode_host);
}

void st_claims_place_unprobed(const struct st_claims *cl, struct st_comparison *c)
{
    if (!c->nmodes)
        return;
    struct st_mode *mode = &c->modes[c->nmodes - 1];
    bool was_empty = !mode->nhosts;
    unplace(mode, c);
    /* looked up among the hosts before any is placed: each mode sorted
     * (a linear walk per claim was quadratic on a sweep's claims) */
    struct cand *v = malloc((cl->unfounded + cl->n + 1) * sizeof *v);
    size_t n = 0;
    if (!v)
        abort();
    for (size_t i = 0; i < cl->unfounded; i++)
        push_cand(v, &n, c, cl->unfounded_addr[i], false);
    for (size_t i = 0; i < cl->n; i++)
        if (cl->claim[i] == ST_CLAIM_UP && st_is_own_host(c, cl->addr[i]))
            push_cand(v, &n, c, cl->addr[i], true);
    place_all(mode, c, v, n);
    free(v);
    /* a mode that holds only placed hosts is no longer one with no host */
    if (was_empty && mode->nhosts)
        c->empty_modes--;
    else if (!was_empty && !mode->nhosts)
        c->empty_modes++;
}

void st_claims_unreported_text(FILE *out, const struct st_claims *cl, const char *prefix)
{
    char ip[ST_HOST_STRLEN];
    if (!cl || !cl->unreported)
        return;
    if (cl->open_only)
        fprintf(out,
                "%s  not reported (%zu answered; nmap --open lists only the hosts with an "
                "open port: no miss):",
                prefix, cl->unreported);
    else
        fprintf(out,
                "%s  not reported (%zu answered only in ways %s does not print or count a "
                "success, a RST, an ICMP error, ARP or ND, a group pinged as a whole or member "
                "by member: no miss):",
                prefix, cl->unreported, cl->scanner);
    for (size_t i = 0; i < cl->unreported && i < 20; i++)
        fprintf(out, " %s", st_host_str(cl->unreported_addr[i], ip));
    if (cl->unreported > 20)
        fprintf(out, " ... (%zu more)", cl->unreported - 20);
    fputc('\n', out);
}

void st_claims_free(struct st_claims *cl)
{
    free(cl->addr);
    free(cl->run);
    free(cl->claim);
    free(cl->missed_addr);
    free(cl->unfounded_addr);
    free(cl->unreported_addr);
    free(cl->counts);
    memset(cl, 0, sizeof *cl);
}
