/* One reader per scanner output format (claims.h). Each knows its own lines
 * only, so that output of no known format stays "unknown". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"

/* The address at s (IPv4 digits and dots, or IPv6; hosts.h), with *end
 * after it. */
static bool ip_at(const char *s, uint32_t *a, const char **end)
{
    char buf[48];
    size_t n = strspn(s, "0123456789abcdefABCDEF:.");
    if (n < 2 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    if ((strchr(buf, ':') == NULL && n < 7) || !st_host_parse(buf, a))
        return false;
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
     * first line alone says nothing (a run cut short claims nothing) */
    if (!strncmp(line, "Nmap done: ", 11)) {
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
 * (with -f success) says it was no success */
static bool zmap_json(const char *line, struct st_claim_state *st, uint32_t *addr,
                      enum st_claim *claim)
{
    (void)st;
    if (line[0] != '{' ||
        (!ip_after(line, "\"saddr\": \"", addr) && !ip_after(line, "\"saddr\":\"", addr)))
        return false;
    bool failed = strstr(line, "\"success\": 0") || strstr(line, "\"success\":0") ||
                  strstr(line, "\"success\": false") || strstr(line, "\"success\":false");
    *claim = failed ? ST_CLAIM_DOWN : ST_CLAIM_UP;
    return true;
}

/* fping: "X is alive", "X is unreachable" (also with -c/-C statistics) */
static bool fping_lines(const char *line, struct st_claim_state *st, uint32_t *addr,
                        enum st_claim *claim)
{
    (void)st;
    const char *end;
    if (!ip_at(line, addr, &end))
        return false;
    if (!strncmp(end, " is alive", 9))
        *claim = ST_CLAIM_UP;
    else if (!strncmp(end, " is unreachable", 15))
        *claim = ST_CLAIM_DOWN;
    else
        return false;
    return true;
}

/* hping3: "len=46 ip=X ttl=64 ..." for each reply; an ICMP error as "ICMP
 * Port Unreachable from ip=X ...": a port or protocol unreachable is the
 * host's own word (up, as nmap reads it), another error a router's about
 * someone else, which claims nothing */
static bool hping3_lines(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    (void)st;
    /* its banner and statistics claim nothing, but say whose output it is
     * (a run where nothing answered prints only those) */
    if (!strncmp(line, "HPING ", 6) || (!strncmp(line, "--- ", 4) && strstr(line, "hping"))) {
        *addr = 0;
        *claim = ST_CLAIM_NONE;
        return true;
    }
    if (!strncmp(line, "ICMP ", 5) && ip_after(line, " from ip=", addr)) {
        bool own = !strncmp(line, "ICMP Port Unreachable", 21) ||
                   !strncmp(line, "ICMP Protocol Unreachable", 25);
        *claim = own ? ST_CLAIM_UP : ST_CLAIM_NONE;
        if (!own)
            *addr = 0;
        return true;
    }
    if (strncmp(line, "len=", 4) || !ip_after(line, " ip=", addr))
        return false;
    *claim = ST_CLAIM_UP;
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
    *claim = success && !strcmp(success, "0") ? ST_CLAIM_DOWN : ST_CLAIM_UP;
    return true;
}

/* zmap's default output and fping -a / -u: one address per line */
static bool address_list(const char *line, struct st_claim_state *st, uint32_t *addr,
                         enum st_claim *claim)
{
    const char *end;
    if (!ip_at(line, addr, &end) || end[strspn(end, " \t\r")])
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
    {"zmap-csv", zmap_csv},
    {"address-list", address_list},
    {NULL, NULL},
};
