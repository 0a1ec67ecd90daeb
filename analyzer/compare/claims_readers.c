/* One reader per scanner output format (claims.h). Each knows its own lines
 * only, so that output of no known format stays "unknown". */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

/* The address at s (IPv4 digits and dots, or IPv6; hosts.h), with *end
 * after it: after its zone too, when it is link-local and has one
 * (fe80::1%lan0, as ping -6 and fping -6 print their targets). */
static bool ip_at(const char *s, uint32_t *a, const char **end)
{
    char buf[48];
    size_t n = strspn(s, "0123456789abcdefABCDEF:.");
    if (n < 2 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    bool v6 = strchr(buf, ':') != NULL;
    if ((!v6 && n < 7) || !st_host_parse(buf, a))
        return false;
    if (v6 && s[n] == '%')
        n += 1 +
             strspn(s + n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");
    if (end)
        *end = s + n;
    return true;
}

/* The address after `key` anywhere in line. */
static bool ip_after(const char *line, const char *key, uint32_t *a)
{
    const char *k = strstr(line, key);
    return k && ip_at(k + strlen(key), a, NULL);
}

/* nmap normal output: "Nmap scan report for [NAME (]X[)]" opens a host,
 * "[host down]" on it or a later "Host is up" says what nmap concluded. */
static bool nmap_normal(const char *line, struct st_claim_state *st, uint32_t *addr,
                        enum st_claim *claim)
{
    static const char open[] = "Nmap scan report for ";
    /* nmap's last line says whose output this is, also when no host was
     * reported (nothing up: every target claimed down by silence); its
     * first line alone says nothing (a run cut short claims nothing);
     * -oN's is "# Nmap done at DATE -- ..." */
    if (!strncmp(line, "Nmap done: ", 11) || !strncmp(line, "# Nmap done at ", 15)) {
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (!strncmp(line, open, sizeof open - 1)) {
        const char *p = strrchr(line, '(');
        uint32_t a;
        if (!(p && ip_at(p + 1, &a, NULL)) && !ip_at(line + sizeof open - 1, &a, NULL))
            return false;
        st->pending = a;
        *addr = a;
        *claim = strstr(line, "[host down") ? ST_CLAIM_DOWN : ST_CLAIM_NONE;
        return true;
    }
    if (!strncmp(line, "Host is up", 10) && st->pending) {
        *addr = st->pending;
        *claim = ST_CLAIM_UP;
        return true;
    }
    return false;
}

/* nmap -oG: "Host: X (NAME)\tStatus: Up" */
static bool nmap_grepable(const char *line, struct st_claim_state *st, uint32_t *addr,
                          enum st_claim *claim)
{
    (void)st;
    if (strncmp(line, "Host: ", 6) || !ip_at(line + 6, addr, NULL))
        return false;
    const char *s = strstr(line, "Status: ");
    if (!s)
        return false;
    *claim = !strncmp(s + 8, "Up", 2)     ? ST_CLAIM_UP
             : !strncmp(s + 8, "Down", 4) ? ST_CLAIM_DOWN
                                          : ST_CLAIM_NONE;
    return true;
}

/* nmap -oX and masscan -oX: <status state="up"> precedes the host's
 * <address>; masscan writes no <status> and lists only what answered. */
static bool xml(const char *line, struct st_claim_state *st, uint32_t *addr, enum st_claim *claim)
{
    const char *s = strstr(line, "<status state=\"");
    bool any = false;
    if (s) {
        st->xml = !strncmp(s + 15, "up\"", 3) ? ST_CLAIM_UP : ST_CLAIM_DOWN;
        any = true;
    }
    *claim = ST_CLAIM_NONE;
    const char *a = strstr(line, "<address addr=\"");
    if (a && (strstr(a, "addrtype=\"ipv4\"") || strstr(a, "addrtype=\"ipv6\"")) &&
        ip_at(a + 15, addr, NULL)) {
        *claim = st->xml ? st->xml : ST_CLAIM_UP;
        st->xml = ST_CLAIM_NONE;
        return true;
    }
    if (any)
        *addr = 0;
    return any || !strncmp(line, "<?xml", 5) || strstr(line, "<nmaprun") || strstr(line, "<host");
}

/* masscan's console: "Discovered open port 0/icmp on X"; with --show closed
 * also "Discovered closed port 443/tcp on X", a host up all the same (its
 * stack answered with a RST) */
static bool masscan_console(const char *line, struct st_claim_state *st, uint32_t *addr,
                            enum st_claim *claim)
{
    (void)st;
    if ((strncmp(line, "Discovered open port ", 21) &&
         strncmp(line, "Discovered closed port ", 23)) ||
        !ip_after(line, " on ", addr))
        return false;
    *claim = ST_CLAIM_UP;
    return true;
}

/* masscan -oL: "open icmp 0 X TIMESTAMP" (and "#masscan" comments) */
static bool masscan_list(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    (void)st;
    char state[16], proto[16];
    unsigned port;
    int off = 0;
    if (!strncmp(line, "#masscan", 8) || !strcmp(line, "# end")) {
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (sscanf(line, "%15s %15s %u %n", state, proto, &port, &off) != 3 || !off ||
        !ip_at(line + off, addr, NULL))
        return false;
    /* a protocol masscan names, not any three words (nmap's echo of its
     * --ip-options, " NOP SSRR{#198.18.2.254 0.0.0.0}", reads so) */
    char word[20];
    snprintf(word, sizeof word, " %s ", proto);
    if (!strstr(" tcp udp icmp sctp arp ", word))
        return false;
    /* a closed port (--show closed) is a live host's answer too */
    *claim = !strcmp(state, "open") || !strcmp(state, "up") || !strcmp(state, "closed")
                 ? ST_CLAIM_UP
                 : ST_CLAIM_NONE;
    return true;
}

/* masscan -oJ: one object per host, `"ip": "X"` */
static bool masscan_json(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    (void)st;
    if (!ip_after(line, "\"ip\": \"", addr) && !ip_after(line, "\"ip\":\"", addr))
        return false;
    *claim = ST_CLAIM_UP;
    return true;
}

/* masscan -oG: "Timestamp: T<TAB>Host: X ()<TAB>Ports: 0/open/icmp//icmp//"
 * (and "# Masscan ..." comments); a closed port is a live host too */
static bool masscan_grepable(const char *line, struct st_claim_state *st, uint32_t *addr,
                             enum st_claim *claim)
{
    (void)st;
    if (!strncmp(line, "# Masscan ", 10)) {
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    const char *ports = strstr(line, "\tPorts: ");
    if (strncmp(line, "Timestamp: ", 11) || !ip_after(line, "\tHost: ", addr) || !ports)
        return false;
    const char *state = strchr(ports + 8, '/');
    *claim = state && (!strncmp(state, "/open/", 6) || !strncmp(state, "/closed/", 8))
                 ? ST_CLAIM_UP
                 : ST_CLAIM_NONE;
    return true;
}

/* zmap -O json: one object per line, "saddr": "X"; "success": false or 0
 * (with -f success and an output filter that lets them through) says it
 * answered, but not with a success (a RST to a SYN): no claim either way,
 * the host is no more down for it */
static bool zmap_json(const char *line, struct st_claim_state *st, uint32_t *addr,
                      enum st_claim *claim)
{
    (void)st;
    if (line[0] != '{' ||
        (!ip_after(line, "\"saddr\": \"", addr) && !ip_after(line, "\"saddr\":\"", addr)))
        return false;
    bool failed = strstr(line, "\"success\": 0") || strstr(line, "\"success\":0") ||
                  strstr(line, "\"success\": false") || strstr(line, "\"success\":false");
    *claim = failed ? ST_CLAIM_NONE : ST_CLAIM_UP;
    return true;
}

/* fping -D's and ping -D's "[1796387317.65047] " before a line: after it. */
static const char *after_stamp(const char *line)
{
    if (line[0] != '[')
        return line;
    size_t n = strspn(line + 1, "0123456789.");
    return n && line[n + 1] == ']' && line[n + 2] == ' ' ? line + n + 3 : line;
}

/* " (X)" at s: X's address, *end after the ")". */
static bool paren_ip(const char *s, uint32_t *a, const char **end)
{
    const char *e;
    if (strncmp(s, " (", 2) || !ip_at(s + 2, a, &e) || *e != ')')
        return false;
    *end = e + 1;
    return true;
}

/* How fping names a host at the start of a line: "X", or with -A -d "NAME
 * (X)" (a name without an answer from DNS is X again: "X (X)"). */
static bool fping_host(const char *s, uint32_t *a, const char **end)
{
    uint32_t again;
    const char *e;
    if (ip_at(s, a, end)) {
        if (paren_ip(*end, &again, &e) && again == *a)
            *end = e;
        return true;
    }
    size_t name = strcspn(s, " \t()");
    return name && paren_ip(s + name, a, end);
}

/*
 * fping -c/-C, a probe: "X : [0], 64 bytes, 0.077 ms (...)" is up, "X : [1],
 * timed out (...)" claims nothing (one probe unanswered). A reply from
 * another address than the one pinged ends "[<- Y]": fping counts X alive
 * all the same, so it is X's claim, held against X's own answers. The
 * summaries -c and -C print on stderr (given with --claims): "X :
 * xmt/rcv/%loss = 2/1/50%, ..." and "X : 0.075 -", up with a reply, down
 * without.
 */
static bool fping_count(const char *rest, struct st_claim_state *st, uint32_t addr,
                        enum st_claim *claim)
{
    unsigned seq, xmt, rcv;
    int off = 0;
    if (sscanf(rest, "[%u], %n", &seq, &off) == 1 && off) {
        if (!strncmp(rest + off, "timed out", 9)) {
            *claim = ST_CLAIM_NONE;
            return true;
        }
        if (!strstr(rest + off, " bytes, ") || !strstr(rest + off, " ms"))
            return false;
        *claim = ST_CLAIM_UP;
        return true;
    }
    if (sscanf(rest, "xmt/rcv/%%loss = %u/%u/", &xmt, &rcv) == 2) {
        *claim = rcv ? ST_CLAIM_UP : ST_CLAIM_DOWN;
        st->counted = true, st->count_addr = addr, st->count_sent = xmt, st->count_rcvd = rcv;
        return true;
    }
    /* -C: a time in ms or "-" per probe sent, nothing else */
    unsigned any = 0, replied = 0;
    for (const char *p = rest; *p;) {
        size_t n = strspn(p, "0123456789.");
        if (n && (!p[n] || p[n] == ' '))
            replied++;
        else if (!(p[0] == '-' && (!p[1] || p[1] == ' ')))
            return false;
        any++;
        p += n ? n : 1;
        p += strspn(p, " ");
    }
    *claim = replied ? ST_CLAIM_UP : ST_CLAIM_DOWN;
    if (any)
        st->counted = true, st->count_addr = addr, st->count_sent = any, st->count_rcvd = replied;
    return any;
}

/* fping: "X is alive" (-e: "... (0.1 ms)"), "X is unreachable", -c/-C's
 * lines (fping_count); the host as fping_host names it, -D's time first. */
static bool fping_lines(const char *line, struct st_claim_state *st, uint32_t *addr,
                        enum st_claim *claim)
{
    const char *end;
    if (!fping_host(after_stamp(line), addr, &end))
        return false;
    /* -c/-C pad each host to the longest one's width: "X  : [0], ..." */
    size_t pad = strspn(end, " ");
    if (!strncmp(end, " is alive", 9))
        *claim = ST_CLAIM_UP;
    else if (!strncmp(end, " is unreachable", 15))
        *claim = ST_CLAIM_DOWN;
    else
        return pad && !strncmp(end + pad, ": ", 2) && fping_count(end + pad + 2, st, *addr, claim);
    return true;
}

/* ping's "from" address: "X:" or "NAME (X):" (its reverse lookup); a
 * link-local X with its zone ("fe80::1%lan0:", each member that answers
 * ping -6 ff02::1%lan0). */
static bool ping_from(const char *s, uint32_t *a)
{
    char buf[48];
    size_t n = strcspn(s, " ");
    if (n && n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n - (s[n - 1] == ':')] = 0;
        buf[strcspn(buf, "%")] = 0; /* the zone names the interface */
        if (st_host_parse(buf, a))
            return true;
    }
    const char *end;
    return paren_ip(s + n, a, &end) && *end == ':';
}

/* iputils ping: "PING NAME (X) 56(84) bytes of data." (-6: "PING NAME(X)
 * 56 data bytes") names the target; "64 bytes from X: icmp_seq=1 ..." (-D:
 * its time first) is an answer, up; "N packets transmitted, M received"
 * ends the target's run, up with M answers and down without, and its
 * counts are the statistics: M and the "+D duplicates" after it are every
 * reply it took ("+E errors", ICMP errors and its kernel's, are none). A
 * router's "From R icmp_seq=1 Destination Host Unreachable" claims
 * nothing. */
static bool ping_lines(const char *line, struct st_claim_state *st, uint32_t *addr,
                       enum st_claim *claim)
{
    unsigned n, tx, rx;
    int off = 0;
    const char *paren, *end;
    *addr = 0;
    *claim = ST_CLAIM_NONE;
    if (!strncmp(line, "PING ", 5) && (paren = strchr(line + 5, '(')) &&
        ip_at(paren + 1, &st->pending, &end) && *end == ')')
        return true;
    line = after_stamp(line);
    if (sscanf(line, "%u bytes from %n", &n, &off) == 1 && off && strstr(line, "icmp_seq=")) {
        if (!ping_from(line + off, addr))
            return false;
        *claim = ST_CLAIM_UP;
        return true;
    }
    off = 0;
    if (sscanf(line, "%u packets transmitted, %u received%n", &tx, &rx, &off) == 2 && off &&
        st->pending) {
        *addr = st->pending;
        *claim = rx ? ST_CLAIM_UP : ST_CLAIM_DOWN;
        unsigned k, dups = 0, errors = 0;
        char word[16];
        for (const char *p = line + off; (p = strstr(p, ", +")); p += 3)
            if (sscanf(p, ", +%u %15[a-z]", &k, word) == 2)
                *(!strcmp(word, "duplicates") ? &dups : !strcmp(word, "errors") ? &errors : &n) = k;
        st->counted = true, st->count_addr = st->pending, st->count_sent = tx;
        st->count_rcvd = rx > UINT_MAX - dups ? UINT_MAX : rx + dups, st->count_errors = errors;
        return true;
    }
    return !strncmp(line, "From ", 5) && strstr(line, " icmp_seq=");
}

/* hping3: "len=46 ip=X ttl=64 ..." for each reply ("DUP! len=..." for a
 * second one); an ICMP error as "ICMP
 * Port Unreachable from ip=X ...": a port or protocol unreachable is the
 * host's own word (up, as nmap reads it) when X is the target its banner
 * names ("HPING T (iface T)"); from anyone else (a router rejecting with a
 * port unreachable), as any other error, a router's about someone else,
 * which claims nothing */
static bool hping3_lines(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    /* its banner and statistics claim nothing, but say whose output it is
     * (a run where nothing answered prints only those); its statistics
     * ("--- X hping statistic ---", then "N packets transmitted, M packets
     * received", on stderr: before its banner in a log of 2>&1, stdout
     * being block-buffered) are its counts of X */
    unsigned tx, rx;
    if (!strcmp(line, "hping in flood mode, no replies will be shown")) {
        st->hping_flood = true;
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (!strncmp(line, "HPING ", 6) || (!strncmp(line, "--- ", 4) && strstr(line, "hping"))) {
        const char *end;
        uint32_t target;
        if (!st->sole_target && line[0] == 'H' && ip_at(line + 6, &target, &end))
            st->sole_target = target;
        if (line[0] == '-' && !ip_at(line + 4, &st->stats_host, &end))
            st->stats_host = 0;
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (st->stats_host &&
        sscanf(line, "%u packets transmitted, %u packets received", &tx, &rx) == 2) {
        st->counted = true, st->count_addr = st->stats_host, st->count_sent = tx;
        st->count_rcvd = rx;
        st->stats_host = 0;
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (!strncmp(line, "ICMP ", 5) && ip_after(line, " from ip=", addr)) {
        bool own = (!strncmp(line, "ICMP Port Unreachable", 21) ||
                    !strncmp(line, "ICMP Protocol Unreachable", 25)) &&
                   (!st->sole_target || *addr == st->sole_target);
        *claim = own ? ST_CLAIM_UP : ST_CLAIM_NONE;
        if (!own)
            *addr = 0;
        return true;
    }
    /* a second answer to one probe (a member of a broadcast it pinged) */
    if (!strncmp(line, "DUP! ", 5))
        line += 5;
    if (strncmp(line, "len=", 4) || !ip_after(line, " ip=", addr))
        return false;
    *claim = ST_CLAIM_UP;
    return true;
}

/*
 * hping3 --scan: a line per port that answered ("  443 https      : .S..A...
 * 63     0 64240    44"; without -V only open ports, with -V RSTs too),
 * then "Not responding ports: (22 ssh) ...". Its header, naming the host,
 * goes to stderr: the host is the command's one target. A port line is an
 * answer, up; no port line and no port listed as silent says every port
 * answered (with RSTs it hides), up; every port of the list silent, down.
 */
static bool hping3_scan(const char *line, struct st_claim_state *st, uint32_t *addr,
                        enum st_claim *claim)
{
    unsigned port;
    char flags[9];
    int off = 0;
    *addr = 0;
    *claim = ST_CLAIM_NONE;
    if (sscanf(line, "%u %*s : %8[.A-Z]%n", &port, flags, &off) == 2 && off && strlen(flags) == 8 &&
        port < 65536) {
        st->ports_answered++;
        *addr = st->sole_target;
        *claim = ST_CLAIM_UP;
        return true;
    }
    if (strncmp(line, "Not responding ports:", 21))
        return false;
    unsigned silent = 0;
    for (const char *p = line + 21; (p = strchr(p, '(')); p++)
        silent++;
    if (st->ports_answered)
        return true; /* said already */
    if (!silent || (st->scan_ports && silent == st->scan_ports)) {
        *addr = st->sole_target;
        *claim = silent ? ST_CLAIM_DOWN : ST_CLAIM_UP;
    }
    return true;
}

/* zmap CSV (-O csv, -f "saddr,..."): the header names the columns, a row is
 * up unless its success column says 0. */
static bool zmap_csv(const char *line, struct st_claim_state *st, uint32_t *addr,
                     enum st_claim *claim)
{
    char buf[1024];
    if (strlen(line) >= sizeof buf || !strchr(line, ','))
        return false;
    snprintf(buf, sizeof buf, "%s", line);
    int col = 0;
    bool header = st->csv_saddr < 0;
    const char *saddr = NULL, *success = NULL;
    for (char *save = NULL, *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
        if (header && !strcmp(f, "saddr"))
            st->csv_saddr = col;
        else if (header && !strcmp(f, "success"))
            st->csv_success = col;
        else if (!header && col == st->csv_saddr)
            saddr = line + (f - buf);
        else if (!header && col == st->csv_success)
            success = f;
        col++;
    }
    *addr = 0;
    *claim = ST_CLAIM_NONE;
    if (header)
        return st->csv_saddr >= 0;
    if (!saddr || !ip_at(saddr, addr, NULL))
        return false;
    *claim = success && !strcmp(success, "0") ? ST_CLAIM_NONE : ST_CLAIM_UP; /* as zmap_json */
    return true;
}

/* zmap's default output and fping -a / -u: one address per line; fping
 * -A -d names it as fping_host does, -e puts the time after it, "X (0.077
 * ms)" */
static bool address_list(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    const char *end;
    if (!fping_host(line, addr, &end))
        return false;
    if (!strncmp(end, " (", 2)) {
        size_t n = strspn(end + 2, "0123456789.");
        if (n && !strncmp(end + 2 + n, " ms)", 4))
            end += 2 + n + 4;
    }
    if (end[strspn(end, " \t\r")])
        return false;
    *claim = st->list_is_down ? ST_CLAIM_DOWN : ST_CLAIM_UP;
    return true;
}

const struct st_claim_reader st_claim_readers[] = {
    {"nmap-normal", nmap_normal},
    {"nmap-grepable", nmap_grepable},
    {"xml", xml},
    {"masscan-console", masscan_console},
    {"masscan-list", masscan_list},
    {"masscan-json", masscan_json},
    {"masscan-grepable", masscan_grepable},
    {"zmap-json", zmap_json},
    {"fping", fping_lines},
    {"hping3", hping3_lines},
    {"hping3-scan", hping3_scan},
    {"ping", ping_lines},
    {"zmap-csv", zmap_csv},
    {"address-list", address_list},
    {NULL, NULL},
};
