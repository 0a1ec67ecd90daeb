/*
 * Trace reader. Packet lines go through the one parser of probes/pkt_parse;
 * this file only walks the file, keeps line numbers, follows PASS lines
 * (scantrace's mode markers) and picks up the few report lines that carry a
 * verdict ("Nmap scan report for X" / "Host is up (Ns latency).").
 */
#include "trace_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "hosts.h"
#include "packet.h"

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t c_ = (cap) ? (cap)*2 : 64;                                                      \
            void *p_ = realloc((arr), c_ * sizeof *(arr));                                         \
            if (!p_)                                                                               \
                abort();                                                                           \
            (arr) = p_;                                                                            \
            (cap) = c_;                                                                            \
        }                                                                                          \
    } while (0)

/* The longest time a trace can state: 100 years, far from int64 ns overflow
 * (~292 years); larger, NaN or infinite times are not read (fuzz/regress). */
#define SECONDS_MAX (100 * 365.25 * 86400)

static void warn(struct st_trace *t, uint32_t line, const char *msg)
{
    GROW(t->warnings, t->nwarnings, t->cap_warnings);
    struct st_trace_warning *w = &t->warnings[t->nwarnings++];
    w->line = line;
    snprintf(w->message, sizeof w->message, "%s", msg);
}

/* "(12.3456s)" at s; returns the time in ns or -1. */
static int64_t paren_time(const char *s)
{
    char *e;
    if (*s != '(')
        return -1;
    double v = strtod(s + 1, &e);
    /* !(v < LIMIT): NaN, inf and a count of ns past int64 are no time */
    if (e == s + 1 || strncmp(e, "s)", 2) || v < 0 || !(v < SECONDS_MAX))
        return -1;
    return (int64_t)(v * 1e9 + 0.5);
}

/* A pass's name in nmap's words, whichever way the run wrote it (runs of
 * scantrace 0.1 named them "echo", "syn:22,443"). */
static char *mode_label(const char *m, size_t n)
{
    char *raw = strndup(m, n), label[96];
    if (!raw)
        abort();
    if (!st_nmap_mode_label(raw, label, sizeof label) || strlen(raw) >= sizeof label)
        return raw;
    free(raw);
    return strdup(label);
}

static void read_pass(struct st_trace *t, const char *line, uint32_t no)
{
    int64_t ns = paren_time(line + 5);
    const char *m = strstr(line, " mode=");
    if (ns < 0 || !m) {
        warn(t, no, "malformed PASS line");
        return;
    }
    m += 6;
    /* nmap's words may hold spaces ("-PE -PS443"): up to " targets=" */
    const char *end = strstr(m, " targets=");
    size_t n = end ? (size_t)(end - m) : strcspn(m, "\r\n");
    if (n == 0 || m[0] == ' ') {
        warn(t, no, "PASS line without a mode name");
        return;
    }
    char **modes = realloc(t->modes, (t->nmodes + 1) * sizeof *modes);
    int64_t *starts = realloc(t->mode_start_ns, (t->nmodes + 1) * sizeof *starts);
    uint32_t *lines = realloc(t->mode_line, (t->nmodes + 1) * sizeof *lines);
    if (!modes || !starts || !lines)
        abort();
    t->modes = modes;
    t->mode_start_ns = starts;
    t->mode_line = lines;
    t->mode_line[t->nmodes] = no;
    t->modes[t->nmodes] = mode_label(m, n);
    t->mode_start_ns[t->nmodes] = ns;
    t->nmodes++;
}

/* The dialect of a run's "Starting" line added to the log's, once. */
static void dialect_add(struct st_trace *t, const char *d)
{
    if (t->nruns == 1 || !strcmp(t->dialect, "nmap")) { /* the first says it alone */
        snprintf(t->dialect, sizeof t->dialect, "%s", d);
        return;
    }
    size_t len = strlen(d);
    for (const char *p = t->dialect; (p = strstr(p, d)); p += len)
        if ((p == t->dialect || p[-1] == '+') && (p[len] == '\0' || p[len] == '+'))
            return;
    size_t have = strlen(t->dialect);
    if (have + 1 + len < sizeof t->dialect)
        snprintf(t->dialect + have, sizeof t->dialect - have, "+%s", d);
}

/* nmap's two lines for a probe the kernel refused (stderr, merged into a
 * log by 2>&1; scan writes them into its trace): counted, and the first's
 * error kept. Whether the line was one. */
static bool read_unsent(struct st_trace *t, const char *line, uint32_t no)
{
    if (!strncmp(line, "sendto in ", 10)) {
        const char *e = strstr(line, ") => ");
        if (e && !t->unsent)
            snprintf(t->unsent_why, sizeof t->unsent_why, "%.*s", (int)strcspn(e + 5, "\r\n"),
                     e + 5);
        return true;
    }
    if (strncmp(line, "Offending packet: ", 18))
        return false;
    if (!t->unsent++)
        t->unsent_line = no;
    return true;
}

/* A "Starting Nmap" (or Nping) line: a run begins, its times from 0. */
static void run_start(struct st_trace *t, uint32_t no, bool nping, const char *dialect)
{
    size_t n = t->nruns + 1;
    size_t *first = realloc(t->run_first, n * sizeof *first);
    uint32_t *line = realloc(t->run_line, n * sizeof *line);
    int64_t *end = realloc(t->run_end_ns, n * sizeof *end);
    bool *np = realloc(t->run_nping, n * sizeof *np);
    bool *later = realloc(t->run_later, n * sizeof *later);
    if (!first || !line || !end || !np || !later)
        abort();
    t->run_first = first, t->run_line = line, t->run_end_ns = end, t->run_nping = np;
    t->run_later = later;
    later[t->nruns] = false;
    first[t->nruns] = t->npkts;
    line[t->nruns] = no;
    end[t->nruns] = -1;
    np[t->nruns] = nping;
    t->nping_runs += nping;
    t->nruns = n;
    if (dialect)
        dialect_add(t, dialect);
    /* the file's end is the last run's */
    t->end_ns = -1;
}

static void read_report(struct st_trace *t, const char *line, uint32_t no)
{
    char addr[64];
    double lat;

    if (st_trace_later_line(line)) {
        st_trace_mark_later_phase(t);
        return;
    }
    if (st_trace_read_count(t, line, no))
        return;
    const char *done = strstr(line, ") scanned in ");
    /* (-oN -'s last line: "# Nmap done at Sun Dec  6 11:43:45 2026 -- 5 IP
     * addresses (3 hosts up) scanned in 2.48 seconds") */
    bool nmap_done = !strncmp(line, "Nmap done: ", 11) || !strncmp(line, "# Nmap done at ", 15);
    if (nmap_done && done && sscanf(done, ") scanned in %lf", &lat) == 1) {
        if (lat >= 0 && lat < SECONDS_MAX)
            t->end_ns = (int64_t)(lat * 1e9);
        if (t->nruns)
            t->run_end_ns[t->nruns - 1] = t->end_ns;
        return;
    }
    /* nping's last line, "Nping done: 2 IP addresses pinged in 4.01 seconds":
     * it ran to its end. It reports no host up or down: every target it
     * traced is judged by nmap's rules from the replies it traced. */
    done = strstr(line, " pinged in ");
    if (!strncmp(line, "Nping done: ", 12) && done && sscanf(done, " pinged in %lf", &lat) == 1) {
        if (lat >= 0 && lat < SECONDS_MAX)
            t->end_ns = (int64_t)(lat * 1e9);
        if (t->nruns)
            t->run_end_ns[t->nruns - 1] = t->end_ns;
        return;
    }
    /* "Nmap scan report for ADDR" or, with a name, "... for NAME (ADDR)" */
    const char *named = strrchr(line, '(');
    if (!strncmp(line, "Nmap scan report for ", 21) &&
        sscanf(named ? named + 1 : line + 21, "%63[0-9a-fA-F.:]", addr) == 1) {
        uint32_t a;
        if (!st_host_parse(addr, &a))
            return;
        GROW(t->hosts, t->nhosts, t->cap_hosts);
        struct st_trace_host *h = &t->hosts[t->nhosts++];
        memset(h, 0, sizeof *h);
        h->addr = a;
        h->up = false;
        h->latency_s = -1;
        h->line = no;
        /* --reason, -v: "[host down, received time-exceeded]": nmap's own
         * reason, which a line of the trace alone may not tell (a router's
         * time exceeded names no target: diff reads no capture) */
        const char *why = strstr(line, "[host down, received ");
        char reason[32];
        if (why && sscanf(why + 21, "%31[a-z0-9-]", reason) == 1)
            h->reason = st_strtab_add(&t->names, reason);
        return;
    }
    /* -d2 and up: nmap loads its MAC prefix table between a local host's
     * report line and its "Host is up" ("Fetchfile found ...nmap-mac-prefixes") */
    if (t->nhosts && t->hosts[t->nhosts - 1].line + 1 == no &&
        !strncmp(line, "Fetchfile found ", 16)) {
        t->hosts[t->nhosts - 1].line = no;
        return;
    }
    if (t->nhosts && t->hosts[t->nhosts - 1].line + 1 == no && !strncmp(line, "Host is up", 10)) {
        struct st_trace_host *h = &t->hosts[t->nhosts - 1];
        h->up = true;
        t->no_ping |= strstr(line, "received user-set") != NULL;
        h->bare_up = !strncmp(line, "Host is up.", 11) && !line[11 + strspn(line + 11, "\r\n")];
        /* "Host is up (Xs latency)." and, with --reason or -d, "Host is up,
         * received echo-reply ttl 63 (Xs latency).": the latency is the last
         * parenthesis either way */
        const char *paren = strrchr(line, '(');
        if (paren && sscanf(paren, "(%lfs latency)", &lat) == 1 && lat >= 0 && lat < SECONDS_MAX)
            h->latency_s = lat;
    }
}

/* A line is text if it has no NUL and few control characters. */
static bool looks_binary(const char *s, size_t n)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return true;
        /* a backspace or an escape is a terminal's: hping3 rubs out its
         * "get hostname..." with backspaces on stdout */
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\b' && c != 0x1b)
            bad++;
    }
    return bad > 2 && bad * 10 > n;
}

void st_trace_add_verdict(struct st_trace *t, uint32_t addr, const char *mode, bool up,
                          const char *reason, double latency_s)
{
    GROW(t->hosts, t->nhosts, t->cap_hosts);
    struct st_trace_host *h = &t->hosts[t->nhosts++];
    memset(h, 0, sizeof *h);
    h->addr = addr;
    h->up = up;
    h->latency_s = latency_s;
    char label[96];
    if (!mode || !st_nmap_mode_label(mode, label, sizeof label))
        snprintf(label, sizeof label, "%s", mode ? mode : "");
    h->mode = st_strtab_add(&t->names, label);
    h->reason = st_strtab_add(&t->names, reason);
}

static void runs_finish(struct st_trace *t);

int st_trace_read(const char *path, struct st_trace *t, char *err, size_t errsz)
{
    memset(t, 0, sizeof *t);
    t->end_ns = -1;
    snprintf(t->dialect, sizeof t->dialect, "nmap");
    /* a Windows editor's UTF-8, PowerShell's UTF-16: read as UTF-8 */
    FILE *f = st_text_fopen(path);
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint32_t no = 0;
    bool nmap_seen = false;
    while ((n = getline(&line, &cap, f)) > 0) {
        no++;
        if (looks_binary(line, (size_t)n)) {
            snprintf(err, errsz, "%s:%u: not a text trace (binary data)", path, no);
            free(line);
            fclose(f);
            st_trace_free(t);
            return -1;
        }
        /* a log saved from a terminal: its first line behind the shell's
         * escapes ("\e[?2004l\rStarting Nmap"), read as the screen showed it */
        n = (ssize_t)st_text_screen_line(line, (size_t)n);
        if (!n)
            continue; /* (escapes alone, on the file's last line) */
        /* nping (nmap's packet generator) traces as nmap does */
        if (!strncmp(line, "Starting Nmap ", 14) || !strncmp(line, "Starting Nping ", 15)) {
            char ver[16], d[24];
            bool nping = !strncmp(line, "Starting Nping ", 15);
            nmap_seen = true;
            bool known = sscanf(line + (nping ? 15 : 14), "%15[0-9.]", ver) == 1;
            if (known)
                snprintf(d, sizeof d, "%s-%s", nping ? "nping" : "nmap", ver);
            run_start(t, no, nping, known ? d : NULL);
            st_trace_run_wall(t, line);
            continue;
        }
        /* `nmap -oN - --packet-trace`: the normal output takes stdout, its
         * trace still in it, and its header replaces the Starting line:
         * "# Nmap 7.93 scan initiated Sun Dec  6 11:43:42 2026 as: nmap ..." */
        if (!strncmp(line, "# Nmap ", 7) && strstr(line, " scan initiated ")) {
            char ver[16], d[24];
            nmap_seen = true;
            bool known = sscanf(line + 7, "%15[0-9.]", ver) == 1;
            if (known)
                snprintf(d, sizeof d, "nmap-%s", ver);
            run_start(t, no, false, known ? d : NULL);
            st_trace_run_wall(t, line);
            const char *as = strstr(line, " as: ");
            if (as && !t->nmap_as && !(t->nmap_as = strndup(as + 5, strcspn(as + 5, "\r\n"))))
                abort();
            continue;
        }
        if (!strncmp(line, "PASS (", 6)) {
            read_pass(t, line, no);
            if (!nmap_seen)
                snprintf(t->dialect, sizeof t->dialect, "scantrace");
            continue;
        }
        if (read_unsent(t, line, no))
            continue;
        struct st_pkt p;
        char why[96];
        enum st_parse_rc rc = st_parse_line(line, &p, why, sizeof why);
        if (rc == ST_PARSE_NOT_PACKET) {
            read_report(t, line, no);
            continue;
        }
        if (rc == ST_PARSE_BAD) {
            char msg[120];
            snprintf(msg, sizeof msg, "unreadable packet line: %s", why);
            warn(t, no, msg);
            t->malformed++;
            continue;
        }
        if (line[n - 1] != '\n') {
            /* only the file's last line lacks its newline: nmap ends every
             * line, so the file was cut inside this one, and a cut line can
             * still read as a packet ("... id=2579" of "id=25795") */
            warn(t, no, "the trace ends inside this packet line (no newline): not read");
            t->malformed++;
            continue;
        }
        p.line = no;
        st_trace_add_pkt(t, &p);
    }
    bool failed = ferror(f);
    free(line);
    fclose(f);
    if (failed) {
        snprintf(err, errsz, "%s: read error", path);
        st_trace_free(t);
        return -1;
    }
    t->lines = no;
    /* give back what the doubling reserved: a sweep's trace has a million lines */
    st_store_trim(&t->pkts);
    /* Each pass's first packet: the first after its PASS line. */
    t->mode_first = malloc((t->nmodes ? t->nmodes : 1) * sizeof *t->mode_first);
    if (!t->mode_first)
        abort();
    size_t m = 0;
    struct st_pkt tmp;
    for (size_t i = 0; i < t->npkts; i++)
        while (m < t->nmodes && t->mode_line[m] < st_trace_pkt(t, i, &tmp)->line)
            t->mode_first[m++] = i;
    while (m < t->nmodes)
        t->mode_first[m++] = t->npkts;
    st_trace_infer_no_ping(t);
    st_trace_find_later(t); /* before the runs are named after their probes */
    if (t->nruns > 1)
        runs_finish(t);
    return 0;
}

/* The mode each run is, after its probes; a name two runs share gets the
 * run's number ("-PE (run 3)"), so that neither run's hosts hide the
 * other's. */
char *st_trace_run_name(const struct st_trace *t, size_t k, size_t from, size_t to)
{
    if (st_trace_run_untraced(t, k)) {
        char *untraced;
        if (asprintf(&untraced, "no packet trace (run %zu)", k + 1) < 0)
            abort();
        return untraced;
    }
    char *name = st_mode_name_of_range(t, from, to);
    if (k >= t->nruns || !t->run_nping[k])
        return name;
    /* nping's probes are named as the nmap mode that sends them, with
     * the tool: "-PE (nping)" is `nping --icmp`, not nmap's -PE */
    char *tool;
    if (asprintf(&tool, "%s (nping)", name) < 0)
        abort();
    free(name);
    return tool;
}

static char *run_name(const struct st_trace *t, size_t k)
{
    size_t from, to;
    st_trace_run_range(t, k, &from, &to);
    char *name = st_trace_run_name(t, k, from, to);
    size_t len = strlen(name);
    for (size_t j = 0; j < k; j++) {
        const char *m = t->modes[j];
        if (strcmp(m, name) && (strncmp(m, name, len) || strncmp(m + len, " (run ", 6)))
            continue;
        char *numbered;
        if (asprintf(&numbered, "%s (run %zu)", name, k + 1) < 0)
            abort();
        free(name);
        return numbered;
    }
    return name;
}

/*
 * Several runs in one file: the join needs a shift per run (zero until the
 * alignment sets it). A trace without PASS lines gets a pass per run, and
 * each report line becomes a verdict of its own run's pass, not of any.
 */
static void runs_finish(struct st_trace *t)
{
    t->run_shift = calloc(t->nruns, sizeof *t->run_shift);
    if (!t->run_shift)
        abort();
    if (t->nmodes)
        return;
    free(t->mode_first);
    t->modes = calloc(t->nruns, sizeof *t->modes);
    t->mode_start_ns = calloc(t->nruns, sizeof *t->mode_start_ns);
    t->mode_line = malloc(t->nruns * sizeof *t->mode_line);
    t->mode_first = malloc(t->nruns * sizeof *t->mode_first);
    if (!t->modes || !t->mode_start_ns || !t->mode_line || !t->mode_first)
        abort();
    for (size_t k = 0; k < t->nruns; k++) {
        t->nmodes = k;
        t->modes[k] = run_name(t, k);
        t->mode_line[k] = t->run_line[k];
        t->mode_first[k] = t->run_first[k];
    }
    t->nmodes = t->nruns;
    /* packets before the first "Starting" line are the first run's: its
     * pass starts with the file */
    t->mode_first[0] = 0;
    t->mode_line[0] = 0;
    t->runs_are_passes = true;
    size_t k = 0;
    for (size_t i = 0; i < t->nhosts; i++) {
        struct st_trace_host *h = &t->hosts[i];
        if (!h->line)
            continue;
        while (k + 1 < t->nruns && t->run_line[k + 1] < h->line)
            k++;
        while (k > 0 && t->run_line[k] > h->line)
            k--;
        h->mode = st_strtab_add(&t->names, t->modes[k]);
    }
}

void st_trace_join_runs(struct st_trace *t, const int64_t *shift)
{
    for (size_t k = 0; k < t->nruns; k++) {
        t->run_shift[k] = shift[k];
        if (t->runs_are_passes)
            t->mode_start_ns[k] = shift[k];
    }
    if (t->end_ns >= 0)
        t->end_ns += shift[t->nruns - 1];
}

bool st_trace_run_ended(const struct st_trace *t, size_t i)
{
    if (t->nruns < 2)
        return t->end_ns >= 0;
    return t->run_end_ns[st_trace_pkt_run(t, i)] >= 0;
}

void st_trace_add_pkt(struct st_trace *t, const struct st_pkt *p)
{
    st_store_add(&t->pkts, p);
    t->npkts = t->pkts.n;
    if (p->flags & ST_PKT_CONNECT)
        t->nconns++;
}

void st_trace_free(struct st_trace *t)
{
    for (size_t i = 0; i < t->nmodes; i++)
        free(t->modes[i]);
    free(t->modes);
    free(t->mode_start_ns);
    free(t->mode_line);
    st_store_free(&t->pkts);
    free(t->mode_first);
    free(t->hosts);
    st_strtab_free(&t->names);
    free(t->warnings);
    free(t->local);
    free(t->targets6);
    free(t->run_first);
    free(t->run_line);
    free(t->run_end_ns);
    free(t->run_nping);
    free(t->run_later);
    free(t->run_wall_s);
    free(t->run_wall_utc);
    free(t->run_wall_zone);
    free(t->nmap_as);
    free(t->later);
    free(t->run_shift);
    free(t->counts);
    memset(t, 0, sizeof *t);
}
