/*
 * The discovery engine (see scan_engine.h). Per pass: templates per route
 * slot (interface, source, on-link or not) and probe kind, one scheduler
 * over every target, and one event loop: a 1 ms timer drives the
 * scheduler, a pcap read per interface feeds replies to the modules.
 */
#include "scan_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "ev.h"
#include "packet.h"
#include "probe.h"
#include "route_share.h"
#include "evasion.h"
#include "send_batch.h"
#include "send_fail.h"
#include "trace_writer.h"

#define MAX_SLOTS 32

/* Targets that share how they are probed: interface, source, on-link. */
struct slot {
    struct st_route r;
    struct st_probe_ctx ctx;
    struct st_probe_kind kinds[ST_PLAN_MAX_KINDS];
    struct st_probe_tmpl tmpl[ST_PLAN_MAX_KINDS];
    size_t nkinds;
    int ifslot; /* index into the interface table */
};

struct iface {
    char name[IF_NAMESIZE];
    int ifindex;
    uint32_t src;
    bool v6;
    uint8_t src6[16];
    int packet_fd; /* AF_PACKET, for ARP and ND frames; -1 until needed */
    st_ev_iod *iod;
    int slot; /* a slot on this interface: its probe context matches replies */
};

struct engine {
    const struct st_scan_config *cfg;
    const struct st_scan_hooks *hooks;
    struct slot slots[MAX_SLOTS];
    size_t nslots;
    struct iface ifs[MAX_SLOTS];
    size_t nifs;
    uint8_t *slot_of; /* per target */
    int raw_fd;
    struct st_batch batch; /* probes to raw_fd, sent by the tick's end */
    int64_t batch_ns;      /* when the batch being sent went to the kernel */
    st_ev_pool *pool;
    struct st_tw *tw; /* trace.log, written on its own thread */

    /* the pass being run */
    const struct st_pass *pass;
    struct st_sched sched;
    struct st_polite polite; /* nmap's probe-by-probe scheduler, when polite_on */
    bool polite_on;
    const struct st_probe_module *mods[16];
    size_t nmods;
    unsigned long probe_no;
    unsigned long send_errors;
    int last_send_errno;
    /* per host of the pass: a probe of it went out, one was refused */
    bool *reached, *refused;
    bool stop;
    int64_t pass_start, last_progress;
    bool progress_shown;
    uint64_t drops_told; /* window closings already said under -v */
};

/* -v: every time the window closes, why (a loss, named by the answer that
 * showed it), so a slow scan is never slow without a reason. */
static void tell_drop(struct engine *e)
{
    const struct st_sched_drop *d = &e->sched.drop;
    if (!e->cfg->verbose || d->count == e->drops_told)
        return;
    e->drops_told = d->count;
    char a[INET6_ADDRSTRLEN];
    bool icmp_error = d->reason && strstr(d->reason, "unreach");
    fprintf(stderr,
            "scantrace: window %.1f -> %.1f tries in flight: %s answered try %u (%s), so an "
            "earlier try or its answer was lost%s\n",
            d->cwnd_before, d->cwnd_after, st_scan_addr_str(e->cfg, d->addr, a), d->tryno + 1u,
            d->reason ? d->reason : "reply",
            icmp_error ? " (a router that rate-limits its ICMP errors does this)" : "");
}

/* "\rscantrace scan: echo 12345/65536 hosts done, 8123 up, 98.7k probes/s, about 3 s left"
 * redrawn on a terminal once a second; or such a line every --stats-every */
static void progress(struct engine *e, int64_t now, bool final)
{
    FILE *out = e->hooks->progress;
    int64_t every = e->hooks->progress_every_ns ? e->hooks->progress_every_ns : 1000000000LL;
    if (!out || (!final && now - e->last_progress < every))
        return;
    if (final && !e->progress_shown)
        return;
    e->last_progress = now;
    e->progress_shown = true;
    size_t up = 0;
    for (size_t i = 0; i < e->sched.nhosts; i++)
        up += e->sched.hosts[i].state == ST_HOST_UP;
    double secs = (double)(now - e->pass_start) / 1e9;
    char left[48] = "";
    int64_t eta = final ? -1 : st_sched_eta_ns(&e->sched, now);
    if (eta >= 0)
        snprintf(left, sizeof left, ", about %.0f s left", (double)eta / 1e9 + 0.5);
    double rate = secs > 0 ? (double)e->sched.probes_sent / secs : 0.0;
    bool lines = e->hooks->progress_lines;
    /* what stdout holds so far comes first (its "Starting" line, block
     * buffered into a pipe: `scan ... 2>&1 | tee log` kept it to the end) */
    if (out != stdout)
        fflush(stdout);
    fprintf(out, "%sscantrace scan: %s %zu/%zu hosts done, %zu up, %.*f%s probes/s%s%s%s",
            lines ? "" : "\r", e->pass->name, e->sched.resolved, e->sched.nhosts, up,
            rate < 1000 ? 0 : 1, rate < 1000 ? rate : rate / 1000, rate < 1000 ? "" : "k", left,
            lines ? "" : "   ", final || lines ? "\n" : "");
    fflush(out);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- routes and slots ----------------------------------------------------- */

static int slot_for(struct engine *e, const struct st_route *r, char *err, size_t errsz)
{
    for (size_t i = 0; i < e->nslots; i++) {
        const struct st_route *s = &e->slots[i].r;
        if (s->src == r->src && !memcmp(s->src6, r->src6, 16) && s->direct == r->direct &&
            !strcmp(s->ifname, r->ifname))
            return (int)i;
    }
    if (e->nslots == MAX_SLOTS) {
        snprintf(err, errsz, "targets spread over more than %d routes", MAX_SLOTS);
        return -1;
    }
    struct slot *s = &e->slots[e->nslots];
    memset(s, 0, sizeof *s);
    s->r = *r;
    int k;
    for (k = 0; k < (int)e->nifs; k++)
        if (!strcmp(e->ifs[k].name, r->ifname) && e->ifs[k].src == r->src &&
            !memcmp(e->ifs[k].src6, r->src6, 16))
            break;
    if (k == (int)e->nifs) {
        if (e->nifs == MAX_SLOTS) {
            snprintf(err, errsz, "more than %d interfaces", MAX_SLOTS);
            return -1;
        }
        struct iface *f = &e->ifs[e->nifs++];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", r->ifname);
        f->ifindex = r->ifindex;
        f->src = r->src;
        f->v6 = r->v6;
        memcpy(f->src6, r->src6, 16);
        f->packet_fd = -1;
        f->slot = (int)e->nslots;
    }
    s->ifslot = k;
    return (int)e->nslots++;
}

/* The slot of the route to a target (v6: a16 its address), looked up; the
 * route in r. */
static int route_slot(struct engine *e, uint32_t a, const uint8_t *a16, struct st_route *r,
                      char *err, size_t errsz)
{
    if (a16 ? st_route_lookup6(a16, e->cfg->ifname, r, err, errsz)
            : st_route_lookup(a, e->cfg->ifname, r, err, errsz))
        return -1;
    return slot_for(e, r, err, errsz);
}

/* Every target's slot: its route's, looked up or shared (route_share.h). */
static int resolve_routes(struct engine *e, char *err, size_t errsz)
{
    const struct st_targets *t = &e->cfg->targets;
    e->slot_of = malloc(t->n ? t->n : 1);
    if (!e->slot_of) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    bool v6 = e->cfg->v6;
    struct st_route_share share;
    st_route_share_init(&share, v6 ? AF_INET6 : AF_INET);
    int rc = 0;
    for (size_t i = 0; i < t->n && !rc; i++) {
        uint8_t be[4];
        const uint8_t *a = v6 ? st_targets6_addr(&e->cfg->targets6, t->addr[i]) : be;
        if (!a) {
            snprintf(err, errsz, "IPv6 target key %u unknown", t->addr[i]);
            rc = -1;
            continue;
        }
        uint32_t n = htonl(t->addr[i]);
        memcpy(be, &n, 4);
        long split;
        int s = st_route_share_find(&share, a, &split);
        if (s < 0) {
            struct st_route r;
            s = route_slot(e, t->addr[i], v6 ? a : NULL, &r, err, errsz);
            if (s < 0)
                rc = -1;
            else
                st_route_share_keep(&share, &r, a, split, s);
        }
        e->slot_of[i] = (uint8_t)(s < 0 ? 0 : s);
    }
    st_route_share_free(&share);
    return rc;
}

int st_scan_interfaces(const struct st_scan_config *cfg, char names[][IF_NAMESIZE], size_t max,
                       char *err, size_t errsz)
{
    struct engine e;
    memset(&e, 0, sizeof e);
    e.cfg = cfg;
    int rc = resolve_routes(&e, err, errsz);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < e.nifs; i++) {
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup |= !strcmp(names[j], e.ifs[i].name);
        if (!dup && n < max)
            snprintf(names[n++], IF_NAMESIZE, "%s", e.ifs[i].name);
    }
    free(e.slot_of);
    return rc ? -1 : (int)n;
}

const char *st_scan_addr_str(const struct st_scan_config *cfg, uint32_t addr, char *buf)
{
    if (!cfg->v6)
        return st_ip4_str(addr, buf);
    const uint8_t *a = st_targets6_addr(&cfg->targets6, addr);
    if (!a || !inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN))
        snprintf(buf, INET6_ADDRSTRLEN, "?");
    return buf;
}

/* ---- sending -------------------------------------------------------------- */

static int packet_socket(struct engine *e, struct iface *f)
{
    if (f->packet_fd >= 0)
        return f->packet_fd;
    f->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    (void)e;
    return f->packet_fd;
}

/* 0 when the kernel took the whole probe, else the errno of its refusal */
static int send_one(struct engine *e, struct slot *s, const uint8_t *buf, size_t n, uint32_t dst,
                    bool ethernet)
{
    ssize_t rc;
    if (ethernet) {
        struct iface *f = &e->ifs[s->ifslot];
        int fd = packet_socket(e, f);
        struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                                 .sll_protocol = htons(f->v6 ? ETH_P_IPV6 : ETH_P_ARP),
                                 .sll_ifindex = f->ifindex,
                                 .sll_halen = 6};
        memcpy(ll.sll_addr, buf, 6); /* the frame's destination: broadcast, or ND's multicast */
        rc = fd < 0 ? -1 : sendto(fd, buf, n, 0, (struct sockaddr *)&ll, sizeof ll);
    } else if (e->cfg->v6) {
        /* IPPROTO_RAW: the header is ours (flow label, hop limit); the
         * kernel routes and resolves the next hop */
        struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
        memcpy(sin6.sin6_addr.s6_addr, buf + 24, 16);
        if (st_addr6_link_local(sin6.sin6_addr.s6_addr))
            sin6.sin6_scope_id = e->batch.scope6;
        rc = sendto(e->raw_fd, buf, n, 0, (struct sockaddr *)&sin6, sizeof sin6);
    } else {
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst)};
        rc = sendto(e->raw_fd, buf, n, 0, (struct sockaddr *)&sin, sizeof sin);
    }
    if (rc == (ssize_t)n)
        return 0;
    return rc < 0 ? errno : EMSGSIZE;
}

/* A probe the kernel took, or refused (its errno): the host's account,
 * and for a refusal nmap's two lines in the trace (send_fail.h). */
static void account(struct engine *e, size_t host, const struct st_pkt *p, size_t len, int err)
{
    if (!err) {
        e->reached[host] = true;
        return;
    }
    e->send_errors++;
    e->last_send_errno = err;
    e->refused[host] = true;
    char dst[INET6_ADDRSTRLEN], lines[768];
    st_scan_addr_str(e->cfg, e->sched.hosts[host].addr, dst);
    if (p->link == ST_LINK_ETHERNET) {
        /* an ARP or ND frame: its packet socket, to its interface */
        const struct iface *f = &e->ifs[e->slots[e->slot_of[host]].ifslot];
        st_send_fail_lines(lines, sizeof lines, "send_frame", f->packet_fd, len, f->name,
                           (int)sizeof(struct sockaddr_ll), err, p);
    } else {
        st_send_fail_lines(lines, sizeof lines, "send_ip_packet_sd", e->raw_fd, len, dst,
                           e->cfg->v6 ? 28 : 16, err, p);
    }
    st_tw_text(e->tw, lines);
}

/* Mark a frame about to go out: "scantrace probe=N mode=M" and what it is
 * of the probe (fragment k/n, decoy source). */
static void mark_evasive(struct engine *e, const uint8_t *fr, size_t n, const char *what)
{
    if (!e->hooks->capture)
        return;
    struct st_pkt p;
    char comment[160];
    st_decode(fr, n, ST_LINK_RAW_IP, &p);
    snprintf(comment, sizeof comment, "scantrace probe=%lu mode=%s%s", e->probe_no, e->pass->token,
             what);
    st_capture_expect_comment(e->hooks->capture, &p, comment);
}

/* A probe with nmap's evasion options (evasion.h): a copy from each decoy
 * source (ME being ours), each cut into fragments (IPv4); traced once a
 * copy, as the datagram before cutting, as nmap does. A copy the options
 * cannot make is a send error, said at the end, not a host silently left
 * unprobed. */
static size_t send_evasive(struct engine *e, struct slot *s, size_t host, const uint8_t *probe,
                           size_t n)
{
    const struct st_evasion *ev = &e->cfg->evasion;
    bool v6 = e->cfg->v6;
    size_t sent = 0;
    for (size_t d = 0; d < st_evasion_copies(ev); d++) {
        uint8_t dg[ST_EVASION_DGRAM_MAX], fr[ST_EVASION_DGRAM_MAX];
        char decoy[INET6_ADDRSTRLEN];
        uint32_t hop;
        bool is_decoy = st_evasion_decoy(ev, v6, d, decoy);
        int ttl = is_decoy && !v6 ? st_probe_ttl(&s->ctx) : -1;
        size_t len = st_evasion_copy(ev, v6, d, probe, n, ttl, dg, sizeof dg, &hop);
        if (!len) {
            struct st_pkt p;
            st_decode(probe, n, ST_LINK_RAW_IP, &p);
            account(e, host, &p, n, EMSGSIZE);
            continue;
        }
        size_t nfr = 0;
        while (st_evasion_fragment(ev, dg, len, (unsigned)nfr, fr, sizeof fr))
            nfr++;
        e->probe_no++;
        int err = 0;
        int64_t t = now_ns(); /* before the sends, as a batch's */
        for (unsigned k = 0; k < nfr; k++) {
            size_t fl = st_evasion_fragment(ev, dg, len, k, fr, sizeof fr);
            char what[96] = "";
            if (nfr > 1)
                snprintf(what, sizeof what, " fragment=%u/%zu", k + 1, nfr);
            if (is_decoy)
                snprintf(what + strlen(what), sizeof what - strlen(what), " decoy=%s", decoy);
            mark_evasive(e, fr, fl, what);
            int fe = send_one(e, s, fr, fl, hop, false);
            err = err ? err : fe;
        }
        struct st_pkt p;
        st_decode(dg, len, ST_LINK_RAW_IP, &p);
        account(e, host, &p, len, err);
        if (!err) {
            st_tw_packet(e->tw, "SENT", t, &p);
            sent++;
        }
    }
    return sent ? 1 : 0;
}

/* A probe of the batch sent or refused: traced once the send call succeeded,
 * as nmap traces, else counted (and no longer counted as sent). Its time is
 * the batch's, taken before the call: a probe's line must not come after
 * its reply's (the reply can be captured before sendmmsg returns). */
static void batch_done(void *ud, const struct st_batch_msg *m, int err)
{
    struct engine *e = ud;
    account(e, m->tag, &m->pkt, m->len, err);
    if (!err) {
        st_tw_packet(e->tw, "SENT", e->batch_ns, &m->pkt);
        return;
    }
    e->sched.probes_sent--;
}

static void flush_batch(struct engine *e)
{
    if (!e->batch.n)
        return;
    e->batch_ns = now_ns();
    st_batch_flush(&e->batch, batch_done, e);
}

/* One probe sent on its own (ARP and ND frames): after the batch, so the
 * wire keeps the probes' order. */
static size_t send_alone(struct engine *e, struct slot *s, size_t host,
                         const struct st_probe_module *m, const uint8_t *buf, size_t n,
                         uint32_t dst)
{
    struct st_pkt p;
    flush_batch(e);
    st_decode(buf, n, m->ethernet ? ST_LINK_ETHERNET : ST_LINK_RAW_IP, &p);
    e->probe_no++;
    if (e->hooks->capture)
        st_capture_expect_probe(e->hooks->capture, &p, e->probe_no, e->pass->token);
    /* nmap traces a probe only once the send call succeeded; the time is
     * the call's start, as a batch's (a reply can come before it returns) */
    int64_t t = now_ns();
    int err = send_one(e, s, buf, n, dst, m->ethernet);
    account(e, host, &p, n, err);
    if (err)
        return 0;
    st_tw_packet(e->tw, "SENT", t, &p);
    return 1;
}

/* Probe kind k of slot s to host idx, try number tryno (the copy's own):
 * an IP probe into the batch (counted as sent; a refusal is taken back when
 * the batch goes), the others sent at once. Inlined: it is the body of the
 * sweep's per-probe loop (send_try), which must cost what it did. */
static inline __attribute__((always_inline)) size_t
send_kind(struct engine *e, struct slot *s, size_t idx, uint32_t addr, uint8_t tryno, size_t k)
{
    const struct st_probe_module *m = s->kinds[k].mod;
    bool evasive = !m->ethernet && st_evasion_active(&e->cfg->evasion);
    if (m->ethernet || evasive) {
        uint8_t buf[ST_TMPL_MAX];
        size_t n = m->make(&s->ctx, &s->tmpl[k], addr, tryno, buf, sizeof buf);
        if (!evasive)
            return send_alone(e, s, idx, m, buf, n, addr);
        flush_batch(e);
        return send_evasive(e, s, idx, buf, n);
    }
    if (st_batch_full(&e->batch))
        flush_batch(e);
    uint8_t *buf = st_batch_slot(&e->batch);
    size_t n = m->make(&s->ctx, &s->tmpl[k], addr, tryno, buf, ST_TMPL_MAX);
    const struct st_pkt *p = st_batch_add(&e->batch, n, addr);
    e->batch.msg[e->batch.n - 1].tag = (uint32_t)idx;
    e->probe_no++;
    if (e->hooks->capture)
        st_capture_expect_probe(e->hooks->capture, p, e->probe_no, e->pass->token);
    return 1;
}

/* The probes of one try, each kind of the host's slot. */
static size_t send_try(void *ud, const struct st_sched_host *h, uint8_t try_of_host)
{
    struct engine *e = ud;
    uint8_t tryno = st_sched_attempt(&e->sched, h, try_of_host); /* the copy's own probes */
    size_t idx = (size_t)(h - e->sched.hosts);
    struct slot *s = &e->slots[e->slot_of[idx]];
    size_t sent = 0;

    /* nmap's retries walk its outstanding probes backwards: every other
     * try goes out in the reverse order */
    bool reverse = st_nmap_try_reversed(try_of_host);
    for (size_t i = 0; i < s->nkinds; i++)
        sent += send_kind(e, s, idx, h->addr, tryno, reverse ? s->nkinds - 1 - i : i);
    return sent;
}

/* One probe, for nmap's scheduler probe by probe (scan_polite.h): sent at
 * once, not batched with probes of a later time. */
static size_t send_polite(void *ud, const struct st_sched_host *h, uint8_t try_of_host,
                          uint8_t kind)
{
    struct engine *e = ud;
    size_t idx = (size_t)(h - e->sched.hosts);
    struct slot *s = &e->slots[e->slot_of[idx]];
    if (kind >= s->nkinds)
        return 0;
    size_t sent = send_kind(e, s, idx, h->addr, st_sched_attempt(&e->sched, h, try_of_host), kind);
    flush_batch(e);
    return sent;
}

/* ---- receiving ------------------------------------------------------------ */

/* One shard of a sweep swept at once with the others: the ICMP their probes
 * draw reaches every shard's filter (one scanner address), each shard's
 * compare calls it other-shard, and the merge would hold it twice. */
static bool sharded(const struct engine *e)
{
    return e->cfg->shards > 0;
}

/* nmap's RCVD time is the capture's timestamp (in µs or ns, as the handle keeps it) */
static int64_t frame_time(const struct iface *f, const struct pcap_pkthdr *hdr)
{
    pcap_t *pc = st_ev_iod_pcap(f->iod);
    int64_t frac = (int64_t)hdr->ts.tv_usec;
    if (!pc || pcap_get_tstamp_precision(pc) != PCAP_TSTAMP_PRECISION_NANO)
        frac *= 1000;
    return (int64_t)hdr->ts.tv_sec * 1000000000 + frac;
}

/* Tell nmap's scheduler which probe of host h was answered: the kind of
 * its slot with the reply's module and port, the try its attempt names. */
static void polite_answered(struct engine *e, const struct st_sched_host *h,
                            const struct st_probe_module *m, const struct st_probe_reply *rep,
                            int attempt, int64_t t)
{
    size_t idx = (size_t)(h - e->sched.hosts);
    const struct slot *s = &e->slots[e->slot_of[idx]];
    int kind = -1;
    for (size_t k = 0; k < s->nkinds && kind < 0; k++)
        if (s->kinds[k].mod == m && s->kinds[k].port == rep->port)
            kind = (int)k;
    for (size_t k = 0; k < s->nkinds && kind < 0; k++)
        if (s->kinds[k].mod == m)
            kind = (int)k;
    uint8_t tryno = attempt < 0 ? 0 : (uint8_t)((unsigned)attempt % e->sched.tries_per_copy);
    st_polite_answered(&e->polite, idx, attempt < 0 ? -1 : kind, tryno, t);
}

static void on_frame(struct engine *e, struct iface *f, const struct pcap_pkthdr *hdr,
                     const uint8_t *bytes)
{
    struct st_pkt p;
    const struct slot *s = &e->slots[f->slot];

    st_decode(bytes, hdr->caplen, ST_LINK_ETHERNET, &p);
    int64_t t = frame_time(f, hdr);
    for (size_t i = 0; i < e->nmods; i++) {
        struct st_probe_reply rep;
        if (!e->mods[i]->match(&s->ctx, &p, st_sched_max_attempt(&e->sched), &rep))
            continue;
        /* an answer nmap reads no verdict in (a router's unreachable, a
         * parameter problem: -6 -PO, -PY to a host without SCTP), or one
         * to a host of this pass decided already: traced as nmap traces
         * every packet it reads, the host left as it is. One to a host
         * not of this pass is another shard's (their sweep shares the
         * scanner's address), and that shard's to trace. */
        int attempt = e->mods[i]->ethernet ? -1 : rep.tryno;
        const struct st_sched_host *h =
            rep.decides ? st_sched_reply(&e->sched, rep.target, attempt, rep.up, rep.reason, t)
                        : NULL;
        if (rep.decides && !h && !st_sched_has(&e->sched, rep.target))
            return;
        if (h && e->polite_on)
            polite_answered(e, h, e->mods[i], &rep, attempt, t);
        if (rep.decides && e->mods[i]->ethernet && e->cfg->v6)
            st_tw_nd(e->tw, t, &p); /* nmap's ND scan traces its own line */
        else
            st_tw_packet(e->tw, "RCVD", t, &p);
        if (rep.decides)
            tell_drop(e);
        return;
    }
    /* ICMP to us that answers no probe of ours (an echo reply from another
     * address than the one pinged: a router answering its subnet's anycast
     * address; a neighbour advertisement to the kernel's solicitation):
     * nmap's filter passes any ICMP to the scanner and it traces what it
     * reads, so it is traced too (but by a shard: sharded) */
    if (p.net != ST_NET_ARP && (p.proto == ST_IPPROTO_ICMP || p.proto == ST_IPPROTO_ICMPV6) &&
        !sharded(e))
        st_tw_packet(e->tw, "RCVD", t, &p);
}

struct drain {
    struct engine *e;
    struct iface *f;
};

static void drain_frame(u_char *ud, const struct pcap_pkthdr *hdr, const u_char *bytes)
{
    struct drain *d = (struct drain *)(void *)ud;
    on_frame(d->e, d->f, hdr, bytes);
}

/* Expire, send what the window allows, and end the pass when every host is
 * decided. Called on the 1 ms tick and after every batch of replies, so a
 * window slot freed by a reply is refilled at once, not on the next tick. */
static void drive(struct engine *e, st_ev_pool *pool)
{
    if (e->stop)
        return;
    if (e->hooks->interrupted && *e->hooks->interrupted) {
        e->stop = true;
        st_ev_loop_quit(pool);
        return;
    }
    int64_t now = now_ns();
    if (e->polite_on)
        st_polite_tick(&e->polite, now, send_polite, e);
    else
        st_sched_tick(&e->sched, now, send_try, e);
    flush_batch(e);
    progress(e, now, false);
    if (e->polite_on ? st_polite_done(&e->polite) : st_sched_done(&e->sched)) {
        e->stop = true;
        st_ev_loop_quit(pool);
    }
}

/* Frames libpcap already holds are read in one go (up to DRAIN_MAX) instead
 * of one event-loop round per reply: in a fast sweep replies arrive by the
 * thousand per millisecond. */
#define DRAIN_MAX 512

static void read_handler(st_ev_pool *pool, st_ev_event *ev, void *ud)
{
    struct engine *e = ud;
    st_ev_iod *iod = st_ev_event_iod(ev);
    struct iface *f = st_ev_iod_userdata(iod);

    if (st_ev_event_status(ev) == ST_EV_SUCCESS) {
        size_t len;
        const char *buf = st_ev_event_readbuf(ev, &len);
        on_frame(e, f, st_ev_event_pcap_header(ev), (const uint8_t *)buf);
        struct drain d = {e, f};
        pcap_t *pc = st_ev_iod_pcap(iod);
        if (pc && !e->stop)
            pcap_dispatch(pc, DRAIN_MAX, drain_frame, (u_char *)&d);
        drive(e, pool);
    }
    if (st_ev_event_status(ev) == ST_EV_SUCCESS || st_ev_event_status(ev) == ST_EV_TIMEOUT)
        if (!e->stop)
            st_ev_pcap_read(pool, iod, read_handler, -1, e);
}

static void tick_handler(st_ev_pool *pool, st_ev_event *ev, void *ud)
{
    struct engine *e = ud;
    if (st_ev_event_status(ev) != ST_EV_SUCCESS)
        return;
    drive(e, pool);
    if (!e->stop)
        st_ev_timer_create(pool, tick_handler, 1, e);
}

/* The reply handle: immediate delivery (replies drive the window), a small
 * snaplen, and a ring of RX_BUFFER: libpcap's 2 MiB default holds a few
 * thousand frames, a fraction of a second of a fast sweep's replies. */
#define RX_BUFFER (8 << 20)

static pcap_t *open_reply_handle(const struct iface *f, char *ebuf)
{
    char filter[128], a[INET6_ADDRSTRLEN];
    if (f->v6)
        snprintf(filter, sizeof filter, "ip6 dst host %s",
                 inet_ntop(AF_INET6, f->src6, a, sizeof a));
    else
        snprintf(filter, sizeof filter, "arp or dst host %s", st_ip4_str(f->src, a));
    pcap_t *p = pcap_create(f->name, ebuf);
    if (!p)
        return NULL;
    struct bpf_program prog;
    if (pcap_set_snaplen(p, 256) || pcap_set_promisc(p, 0) || pcap_set_immediate_mode(p, 1) ||
        pcap_set_buffer_size(p, RX_BUFFER) || pcap_activate(p) < 0 ||
        pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    int set = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    /* our own probes are not replies */
    if (set < 0 || pcap_setdirection(p, PCAP_D_IN) < 0) {
        snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    return p;
}

static int open_receivers(struct engine *e, char *err, size_t errsz)
{
    for (size_t i = 0; i < e->nifs; i++) {
        struct iface *f = &e->ifs[i];
        char ebuf[PCAP_ERRBUF_SIZE] = "";
        f->iod = st_ev_iod_new(e->pool, f);
        pcap_t *p = f->iod ? open_reply_handle(f, ebuf) : NULL;
        int rc = p ? st_ev_pcap_attach(e->pool, f->iod, p) : -ENOMEM;
        if (rc < 0) {
            if (p)
                pcap_close(p);
            snprintf(err, errsz, "%s: cannot capture replies: %s", f->name,
                     ebuf[0] ? ebuf : strerror(-rc));
            return -1;
        }
    }
    return 0;
}

/* ---- passes --------------------------------------------------------------- */

static void add_mod(struct engine *e, const struct st_probe_module *m)
{
    for (size_t i = 0; i < e->nmods; i++)
        if (e->mods[i] == m)
            return;
    if (e->nmods < sizeof e->mods / sizeof e->mods[0])
        e->mods[e->nmods++] = m;
}

/* nmap puts its own addresses in a host group of their own, through
 * loopback, and calls them up without a packet: localhost-response. */
static void settle_local(struct engine *e)
{
    const struct st_targets *t = &e->cfg->targets;
    struct st_local_addrs l;
    st_local_addrs_read(&l);
    for (size_t i = 0; i < t->n; i++) {
        const uint8_t *a6 = e->cfg->v6 ? st_targets6_addr(&e->cfg->targets6, t->addr[i]) : NULL;
        if (e->cfg->v6 ? a6 && st_local_addr6(&l, a6) : st_local_addr4(&l, t->addr[i]))
            st_sched_settle(&e->sched, i, "localhost-response");
    }
}

/* A host none of whose probes the kernel took was never asked: not
 * no-response (its silence says nothing) but send-failed. */
static void mark_unsent(struct engine *e)
{
    for (size_t i = 0; i < e->sched.nhosts; i++) {
        struct st_sched_host *h = &e->sched.hosts[i];
        if (h->state == ST_HOST_DOWN && e->refused[i] && !e->reached[i])
            h->reason = "send-failed";
    }
}

/* nmap's scheduler probe by probe for a scan delay or a parallelism
 * (scan_polite.h): each host's kinds, route (its host group) and
 * interface, and its address as nmap sorts its hosts. 0, or -1 out of
 * memory. */
static int polite_start(struct engine *e, int64_t start)
{
    e->polite_on = st_polite_wanted(&e->cfg->timing);
    if (!e->polite_on)
        return 0;
    const struct st_targets *t = &e->cfg->targets;
    struct st_polite_target *pt = calloc(t->n ? t->n : 1, sizeof *pt);
    int rc = -1;
    if (pt) {
        for (size_t i = 0; i < t->n; i++) {
            const struct slot *s = &e->slots[e->slot_of[i]];
            const uint8_t *a6 = e->cfg->v6 ? st_targets6_addr(&e->cfg->targets6, t->addr[i]) : NULL;
            uint32_t be = htonl(t->addr[i]);
            memcpy(pt[i].key, a6 ? a6 : (const uint8_t *)&be, a6 ? 16 : 4);
            pt[i].nkinds = (uint8_t)s->nkinds;
            pt[i].route = e->slot_of[i];
            pt[i].dev = (uint16_t)s->ifslot;
        }
        rc = st_polite_init(&e->polite, &e->sched, pt, start);
    }
    free(pt);
    if (rc)
        e->polite_on = false;
    return rc;
}

static int run_pass(struct engine *e, const struct st_pass *pass, char *err, size_t errsz)
{
    const struct st_targets *t = &e->cfg->targets;
    bool *arp = malloc(t->n ? t->n : 1);
    if (!arp) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    e->pass = pass;
    e->nmods = 0;
    for (size_t i = 0; i < e->nslots; i++) {
        struct slot *s = &e->slots[i];
        s->nkinds = st_plan_kinds_for(&e->cfg->plan, pass, &s->r, s->kinds);
        for (size_t k = 0; k < s->nkinds; k++) {
            s->kinds[k].mod->prepare(&s->ctx, s->kinds[k].port, &s->tmpl[k]);
            add_mod(e, s->kinds[k].mod);
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct slot *s = &e->slots[e->slot_of[i]];
        arp[i] = s->nkinds == 1 && s->kinds[0].mod->ethernet;
    }
    int64_t start = now_ns();
    char line[256];
    snprintf(line, sizeof line, "PASS (%.4fs) mode=%s targets=%zu\n",
             (double)(start - e->hooks->start_ns) / 1e9, pass->token, t->n);
    st_tw_text(e->tw, line);
    int rc = st_sched_init(&e->sched, t->addr, arp, t->n, &e->cfg->timing, start);
    /* nmap's retry wait: several probe kinds per host, or ARP/ND (sched.h) */
    for (size_t i = 0; !rc && i < t->n; i++)
        e->sched.hosts[i].retry_wait = arp[i] || e->slots[e->slot_of[i]].nkinds > 1;
    free(arp);
    e->reached = calloc(t->n ? t->n : 1, sizeof *e->reached);
    e->refused = calloc(t->n ? t->n : 1, sizeof *e->refused);
    if (rc || !e->reached || !e->refused) {
        free(e->reached);
        free(e->refused);
        if (!rc)
            st_sched_free(&e->sched);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    settle_local(e);
    if (polite_start(e, start)) {
        free(e->reached);
        free(e->refused);
        st_sched_free(&e->sched);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    e->stop = false;
    e->pass_start = e->last_progress = start;
    e->drops_told = 0;
    e->progress_shown = false;
    for (size_t i = 0; i < e->nifs; i++)
        st_ev_pcap_read(e->pool, e->ifs[i].iod, read_handler, -1, e);
    st_ev_timer_create(e->pool, tick_handler, 0, e);
    enum st_ev_loop_result lr = st_ev_loop(e->pool, -1);
    e->stop = true;
    progress(e, now_ns(), true);
    if (e->hooks->rtt_bound_ns && e->sched.have_rtt)
        *e->hooks->rtt_bound_ns = e->sched.srtt_ns + 4 * e->sched.rttvar_ns;
    /* late replies already queued are left to the capture; settle this pass */
    mark_unsent(e);
    for (size_t i = 0; i < e->sched.nhosts && e->hooks->on_host; i++)
        e->hooks->on_host(e->hooks->ud, pass->name, &e->sched.hosts[i]);
    if (e->polite_on)
        st_polite_free(&e->polite);
    e->polite_on = false;
    st_sched_free(&e->sched);
    free(e->reached);
    free(e->refused);
    e->reached = e->refused = NULL;
    st_tw_flush(e->tw);
    if (lr == ST_EV_LOOP_ERROR) {
        snprintf(err, errsz, "event loop: %s", strerror(st_ev_pool_errno(e->pool)));
        return -1;
    }
    return 0;
}

int st_scan_engine_run(const struct st_scan_config *cfg, const struct st_scan_hooks *hooks,
                       char *err, size_t errsz)
{
    struct engine e;
    int rc = -1;

    memset(&e, 0, sizeof e);
    e.cfg = cfg;
    e.hooks = hooks;
    e.raw_fd = -1;
    if (resolve_routes(&e, err, errsz))
        goto out;

    /* one cookie key and source port base per scan, as unpredictable as nmap's */
    struct st_sipkey key;
    uint16_t base;
    if (getrandom(&key, sizeof key, 0) != sizeof key ||
        getrandom(&base, sizeof base, 0) != sizeof base) {
        snprintf(err, errsz, "getrandom: %s", strerror(errno));
        goto out;
    }
    base = (uint16_t)(cfg->source_port >= 0 ? cfg->source_port : 32768 + base % 28000);
    for (size_t i = 0; i < e.nslots; i++) {
        struct st_probe_ctx *c = &e.slots[i].ctx;
        c->src = e.slots[i].r.src;
        c->v6 = cfg->v6;
        memcpy(c->src6, e.slots[i].r.src6, 16);
        c->t6 = &cfg->targets6;
        memcpy(c->src_mac, e.slots[i].r.mac, 6);
        c->key = key;
        c->fixed_ttl = cfg->ttl;
        c->sport_base = base;
        c->fixed_sport = cfg->source_port >= 0; /* nmap keeps -g's port on every try */
        c->payload = (uint16_t)cfg->evasion.datalen;
        c->rng = key.k0 ^ (uint64_t)i;
    }

    e.raw_fd = socket(cfg->v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (e.raw_fd < 0) {
        snprintf(err, errsz, "raw socket: %s", strerror(errno));
        goto out;
    }
    int sndbuf = 4 << 20, one = 1;
    setsockopt(e.raw_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    /* a broadcast target is sent to, as nmap's raw socket does (else EACCES) */
    setsockopt(e.raw_fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    st_batch_init(&e.batch, e.raw_fd, cfg->v6);
    e.batch.scope6 = cfg->ifname ? if_nametoindex(cfg->ifname) : 0;
    if (cfg->ifname && setsockopt(e.raw_fd, SOL_SOCKET, SO_BINDTODEVICE, cfg->ifname,
                                  (socklen_t)strlen(cfg->ifname))) {
        snprintf(err, errsz, "%s: %s", cfg->ifname, strerror(errno));
        goto out;
    }
    e.pool = st_ev_pool_new(cfg->event_engine, &e);
    if (!e.pool) {
        snprintf(err, errsz, "event engine %s: %s", cfg->event_engine, strerror(errno));
        goto out;
    }
    if (cfg->event_trace)
        st_ev_pool_set_trace(e.pool, stderr, NULL);
    if (open_receivers(&e, err, errsz))
        goto out;
    /* ARP's packet sockets too, now: after hooks->opened there is no root */
    for (size_t i = 0; i < e.nifs; i++)
        packet_socket(&e, &e.ifs[i]);
    if (hooks->opened && hooks->opened(hooks->opened_ud, err, errsz))
        goto out;
    e.tw = st_tw_new(hooks->trace, hooks->echo, (enum st_detail)cfg->detail, hooks->start_ns);
    if (!e.tw) {
        snprintf(err, errsz, "trace writer: %s", strerror(errno));
        goto out;
    }
    rc = 0;
    for (size_t p = 0; p < cfg->plan.npasses && rc == 0; p++) {
        if (hooks->interrupted && *hooks->interrupted)
            break;
        rc = run_pass(&e, &cfg->plan.passes[p], err, errsz);
    }
    if (e.send_errors)
        fprintf(stderr,
                "scantrace scan: %lu probe%s could not be sent (%s): see \"Offending packet\" "
                "in the trace\n",
                e.send_errors, e.send_errors == 1 ? "" : "s", strerror(e.last_send_errno));
    if (hooks->send_errors) {
        *hooks->send_errors = e.send_errors;
        *hooks->send_errno = e.last_send_errno;
    }
out:
    /* replies lost before the engine saw them: hosts may be down that answered */
    for (size_t i = 0; hooks->rx_dropped && i < e.nifs; i++) {
        struct pcap_stat ps;
        pcap_t *pc = e.ifs[i].iod ? st_ev_iod_pcap(e.ifs[i].iod) : NULL;
        if (pc && pcap_stats(pc, &ps) == 0)
            *hooks->rx_dropped += (uint64_t)ps.ps_drop + ps.ps_ifdrop;
    }
    st_tw_free(e.tw);
    if (e.pool)
        st_ev_pool_delete(e.pool);
    for (size_t i = 0; i < e.nifs; i++)
        st_closer_fd(e.ifs[i].packet_fd); /* a packet socket: see closer.h */
    if (e.raw_fd >= 0)
        close(e.raw_fd);
    free(e.slot_of);
    return rc;
}
