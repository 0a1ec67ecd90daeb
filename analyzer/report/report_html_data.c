/*
 * The ladders of the HTML report as data: per mode and host (and once for
 * the packets that concern no single host, such as the kernel's ARP for the
 * gateway) the packets in time order, each with its direction, its class
 * (matched, traceonly, kernel, wireonly, late: the arrow's colour), its
 * label (the trace line's text), where it is (line, frame, cause) and two
 * flags: a broadcast (an ARP who-has goes to every station, not to the
 * target), and the reply that decided the host's verdict. The page's
 * script draws them on demand: thousands of hosts cost a table, not
 * thousands of SVG drawings.
 */
#include <stdlib.h>
#include <string.h>

#include "html_data.h"
#include "packet.h"

enum { F_BCAST = 1, F_DECIDING = 2 };

/* One arrow of a ladder. */
struct rung {
    int64_t t;
    bool to_target; /* from the scanner */
    const char *cls;
    unsigned flags;
    enum st_cause cause; /* one-sided packets: why */
    uint32_t scanner;    /* the scanner's address in it, or 0 */
    char label[160];
    char where[224]; /* a fragment train lists its frames */
};

struct ladder {
    struct rung *r;
    size_t n, cap;
};

static struct rung *push(struct ladder *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->r = realloc(l->r, l->cap * sizeof *l->r);
        if (!l->r)
            abort();
    }
    memset(&l->r[l->n], 0, sizeof *l->r);
    return &l->r[l->n++];
}

static int cmp_rung(const void *a, const void *b)
{
    const struct rung *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* A JSON string, '<' escaped (no "</script>" can end the data early). */
static void js_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch == '<')
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

static const char *wire_class(enum st_cause c)
{
    switch (c) {
    case ST_CAUSE_OS_RST:
    case ST_CAUSE_OS_ARP:
    case ST_CAUSE_OS_TCP:
    case ST_CAUSE_OS_ND:
    case ST_CAUSE_OS_RS:
    case ST_CAUSE_OS_MLD:
        return "kernel";
    case ST_CAUSE_LATE_REPLY:
    case ST_CAUSE_UNRELATED:
    case ST_CAUSE_DNS:
    case ST_CAUSE_UNTRACED_RUN: /* unchecked, not wrong */
    case ST_CAUSE_AFTER_TRACE:
    case ST_CAUSE_TRUNCATED:
    case ST_CAUSE_BACKGROUND:
    case ST_CAUSE_COPY:
    case ST_CAUSE_MEMBER_REPLY:
    case ST_CAUSE_ROUTER_NO_ARP:
    case ST_CAUSE_DECOY_ARP:
    case ST_CAUSE_DECOY_ND:
        return "late";
    default:
        return "wireonly";
    }
}

/* An ARP who-has goes to every station of the segment: to the Ethernet
 * broadcast address on the wire; a traced one that never left would have. */
static bool broadcast(const struct st_pkt *p, bool from_wire)
{
    static const uint8_t all[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (from_wire && p->link == ST_LINK_ETHERNET)
        return !memcmp(p->eth_dst, all, sizeof all);
    return p->net == ST_NET_ARP && p->arp.op == 1;
}

/* A packet's two IPv4 ends (ARP's sender and target), 0 when it has none. */
static void ends(const struct st_pkt *p, uint32_t *s, uint32_t *d)
{
    *s = st_pkt_src_host(p);
    *d = st_pkt_dst_host(p);
}

/* The scanner's end of a packet (its source or destination), or 0. */
static uint32_t scanner_end(const struct st_comparison *c, const struct st_pkt *p)
{
    uint32_t s, d;
    ends(p, &s, &d);
    return st_is_scanner(c, s) ? s : st_is_scanner(c, d) ? d : 0;
}

static void add_trace(struct ladder *l, const struct st_comparison *c, long ti, bool deciding)
{
    const struct st_pkt *p = st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0});
    long f = c->t2f[ti];
    struct st_pkt tmp;
    const struct st_pkt *fr = f >= 0 ? st_frame(c, f, &tmp) : NULL;
    struct rung *r = push(l);
    r->t = fr ? fr->time_ns : p->time_ns + c->offset_ns;
    r->to_target = p->dir == ST_DIR_SENT;
    r->scanner = scanner_end(c, fr ? fr : p);
    r->cls = fr ? "matched" : "traceonly";
    r->flags = (broadcast(fr ? fr : p, fr != NULL) ? F_BCAST : 0) | (deciding ? F_DECIDING : 0);
    /* a connect() is told by its trace line, the wire has only its SYN; and
     * a fragment train's first frame lacks the header the line shows */
    char train[160];
    size_t nfrag = st_train_frames(c, f, train, sizeof train);
    st_format_brief(fr && !(p->flags & ST_PKT_CONNECT) && !nfrag ? fr : p, r->label,
                    sizeof r->label);
    if (nfrag)
        snprintf(r->where, sizeof r->where, "line %u, %zu IP fragments: frames %s", p->line, nfrag,
                 train);
    else if (fr)
        snprintf(r->where, sizeof r->where, "line %u, frame %u", p->line, fr->frame);
    else {
        r->cause = c->tcause[ti];
        snprintf(r->where, sizeof r->where, "line %u, not on the wire (%s)", p->line,
                 st_cause_name(r->cause));
    }
}

static void add_frame(struct ladder *l, const struct st_comparison *c, long f)
{
    struct st_pkt tmp;
    const struct st_pkt *fr = st_frame(c, f, &tmp);
    struct rung *r = push(l);
    r->t = fr->time_ns;
    r->to_target = c->fdir[f] == ST_DIR_SENT;
    r->scanner = scanner_end(c, fr);
    r->cause = c->fcause[f];
    r->cls = wire_class(r->cause);
    r->flags = broadcast(fr, true) ? F_BCAST : 0;
    st_format_brief(fr, r->label, sizeof r->label);
    snprintf(r->where, sizeof r->where, "frame %u, wire only: %s", fr->frame,
             st_cause_name(r->cause));
}

/* The reply that decided the verdict: the first one traced (the scanner
 * traces the answer it acted on), when the verdict came from an answer. */
static long deciding_reply(const struct st_comparison *c, const struct st_mode_host *h)
{
    long best = -1;
    int64_t bt = 0;
    if (!h->up && !strcmp(h->reason, "no-response"))
        return -1;
    for (size_t i = 0; i < h->nreplies; i++) {
        long ti = h->replies[i];
        int64_t t = st_trace_pkt(c->trace, (size_t)ti, &(struct st_pkt){0})->time_ns;
        if (best < 0 || t < bt) {
            best = ti;
            bt = t;
        }
    }
    return best;
}

/* The causes of a ladder's one-sided packets, as a JSON array of names. */
static void causes(FILE *out, const struct ladder *l)
{
    bool seen[32] = {0}, first = true;
    fputc('[', out);
    for (size_t i = 0; i < l->n; i++) {
        unsigned k = (unsigned)l->r[i].cause & 31;
        if (!k || seen[k])
            continue;
        seen[k] = true;
        fputs(first ? "" : ",", out);
        js_string(out, st_cause_name(l->r[i].cause));
        first = false;
    }
    fputc(']', out);
}

/* The scanner's address a ladder's packets used (a scanner on two networks
 * has two), or 0. */
static uint32_t scanner_of(const struct st_comparison *c, const struct ladder *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->r[i].scanner)
            return l->r[i].scanner;
    return c->nscanner ? c->scanner[0] : 0;
}

/* The ladder's scanner address, then its packets: [t (ns since its first),
 * from the scanner (1/0), class, label, where, flags]. */
static void rungs(FILE *out, const struct st_comparison *c, struct ladder *l)
{
    char a[ST_HOST_STRLEN];
    uint32_t s = scanner_of(c, l);
    qsort(l->r, l->n, sizeof *l->r, cmp_rung);
    if (s)
        fprintf(out, ",\"s\":\"%s\"", st_host_str(s, a));
    fputs(",\"n\":[", out);
    for (size_t i = 0; i < l->n; i++) {
        const struct rung *r = &l->r[i];
        fprintf(out, "%s[%lld,%d,\"%s\",", i ? "," : "", (long long)(r->t - l->r[0].t),
                r->to_target, r->cls);
        js_string(out, r->label);
        fputc(',', out);
        js_string(out, r->where);
        fprintf(out, ",%u]", r->flags);
    }
    fputs("]}", out);
}

static void host_ladder(FILE *out, const struct st_comparison *c, const struct st_mode *m,
                        const struct st_mode_host *h)
{
    struct ladder l = {0};
    long dec = deciding_reply(c, h);
    char a[ST_HOST_STRLEN];
    for (size_t i = 0; i < h->nprobes; i++)
        add_trace(&l, c, h->probes[i], false);
    for (size_t i = 0; i < h->nreplies; i++)
        add_trace(&l, c, h->replies[i], h->replies[i] == dec);
    for (size_t i = 0; i < h->nwire; i++)
        add_frame(&l, c, h->wire[i]);
    st_host_str(h->addr, a);
    fputs("{\"m\":", out);
    js_string(out, m->name);
    fprintf(out, ",\"h\":\"%s\",\"peer\":\"%s\",\"v\":\"%s\",\"r\":", a, a, h->up ? "up" : "down");
    js_string(out, h->reason);
    fprintf(out, ",\"np\":%zu,\"nr\":%zu,\"nw\":%zu,\"c\":", h->nprobes, h->nreplies, h->nwire);
    causes(out, &l);
    rungs(out, c, &l);
    free(l.r);
}

/* The other end of a packet about no single host (not the scanner). */
static uint32_t other_end(const struct st_comparison *c, const struct st_pkt *p)
{
    uint32_t s, d;
    ends(p, &s, &d);
    return scanner_end(c, p) == s ? d : s;
}

/* The kernel's packets that belong to no single host (the gateway's ARP
 * before routed probes), the rule explain's "About no single host" uses;
 * returns whether there were any. */
static bool no_single_host(FILE *out, const struct st_comparison *c)
{
    struct ladder l = {0};
    char peers[3 * ST_HOST_STRLEN + 8] = "", a[ST_HOST_STRLEN];
    uint32_t seen[3];
    size_t nseen = 0;
    for (size_t i = 0; i < c->cap->n; i++) {
        if (c->f2t[i] >= 0 || st_frame_rel(c, i) >= 0 || c->fcause[i] == ST_CAUSE_UNRELATED)
            continue;
        add_frame(&l, c, (long)i);
        struct st_pkt tmp;
        uint32_t o = other_end(c, st_frame(c, (long)i, &tmp));
        bool known = false;
        for (size_t k = 0; k < nseen; k++)
            known |= seen[k] == o;
        if (!known && nseen < 3 && o) {
            seen[nseen++] = o;
            size_t n = strlen(peers);
            snprintf(peers + n, sizeof peers - n, "%s%s", n ? ", " : "", st_host_str(o, a));
        }
    }
    if (l.n) {
        fputs("{\"ns\":1,\"m\":\"\",\"h\":\"\",\"v\":\"\",\"r\":\"\",\"peer\":", out);
        js_string(out, peers[0] ? peers : "?");
        fputs(",\"c\":", out);
        causes(out, &l);
        rungs(out, c, &l);
    }
    free(l.r);
    return l.n > 0;
}

void st_html_data(FILE *out, const struct st_comparison *c)
{
    char a[ST_HOST_STRLEN], scanner[4 * ST_HOST_STRLEN] = "";
    for (size_t i = 0; i < c->nscanner && i < 4; i++) {
        size_t n = strlen(scanner);
        snprintf(scanner + n, sizeof scanner - n, "%s%s", i ? ", " : "",
                 st_host_str(c->scanner[i], a));
    }
    fputs("{\"scanner\":", out);
    js_string(out, scanner[0] ? scanner : "(address unknown)");
    fputs(",\"ladders\":[", out);
    bool single = no_single_host(out, c);
    bool first = !single;
    for (size_t m = 0; m < c->nmodes; m++)
        for (size_t h = 0; h < c->modes[m].nhosts; h++) {
            fputs(first ? "" : ",\n", out);
            host_ladder(out, c, &c->modes[m], &c->modes[m].hosts[h]);
            first = false;
        }
    fprintf(out, "],\"nsingle\":%d}", single);
}
