/*
 * Modes named as nmap's users name them: the -P options, with their port or
 * protocol lists ("-PE", "-PS22,443", "-PO1,2,4"), "default" when none was
 * given, "connect" without raw sockets. One scheme for scantrace's passes,
 * nmap's command lines and the runs written before it (whose passes were
 * "echo", "syn:22,443", "echo+ack:80").
 */
#include "nmap_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct flag_word {
    const char *word;          /* scantrace's older pass word */
    char letter;               /* the option is "-P" letter */
    const char *default_ports; /* NULL: the option takes no list */
};

/* In nmap's order of -P options (the order its ping probes go out). */
static const struct flag_word flags[] = {
    {"echo", 'E', NULL},
    {"timestamp", 'P', NULL},
    {"mask", 'M', NULL},
    {"syn", 'S', ST_NMAP_TCP_PROBE_PORTS},
    {"ack", 'A', ST_NMAP_TCP_PROBE_PORTS},
    {"udp", 'U', ST_NMAP_UDP_PROBE_PORTS},
    {"sctp", 'Y', ST_NMAP_SCTP_PROBE_PORTS},
    {"proto", 'O', ST_NMAP_PROTO_PROBE_PORTS},
    {"arp", 'R', NULL},
    {"nd", 'R', NULL},
};
#define NFLAGS (sizeof flags / sizeof flags[0])

static const struct flag_word *by_word(const char *w, size_t n)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (strlen(flags[i].word) == n && !strncmp(flags[i].word, w, n))
            return &flags[i];
    return NULL;
}

static const struct flag_word *by_letter(char c)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (flags[i].letter == c)
            return &flags[i];
    return NULL;
}

/* Append "sep-PX" and the list to out (len in *len); false when it does not fit. */
static bool put(char *out, size_t size, size_t *len, char letter, const char *list, size_t nlist)
{
    int k = snprintf(out + *len, size - *len, "%s-P%c%.*s", *len ? " " : "", letter, (int)nlist,
                     list ? list : "");
    if (k < 0 || (size_t)k >= size - *len)
        return false;
    *len += (size_t)k;
    return true;
}

/* Whether s (n bytes) is a port or protocol list: digits, ',' and '-'. */
static bool is_list(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789,-", s[i]))
            return false;
    return true;
}

bool st_nmap_mode_label(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s", name);
    if (name[0] == '-') { /* a PASS line's one word: "-PE+-PS443" */
        for (char *c = out; (c = strstr(c, "+-P"));)
            *c = ' ';
        return true;
    }
    if (!name[0] || !strcmp(name, "default") || !strcmp(name, "connect"))
        return name[0] != '\0';
    size_t len = 0;
    for (const char *w = name; *w;) {
        size_t n = strcspn(w, "+");
        size_t wn = strcspn(w, ":+");
        const struct flag_word *f = by_word(w, wn);
        const char *list = wn < n ? w + wn + 1 : NULL;
        size_t nlist = wn < n ? n - wn - 1 : 0;
        if (!f || (list && (!f->default_ports || !is_list(list, nlist))) ||
            !put(out, size, &len, f->letter, list, nlist)) {
            snprintf(out, size, "%s", name);
            return false;
        }
        w += n + (w[n] == '+');
    }
    return true;
}

/*
 * One -P option of nmap's command line into out (nmap.cc's case 'P'): -PI is
 * -PE, -PT -PA, a bare -P -PE, and -PB the default ping with its ACK ports.
 * 0 added, 1 not a ping of its own (-Pn, -P0, -PB: skipped), -1 no room.
 */
static int asked_one(const char *opt, char *out, size_t size, size_t *len)
{
    char letter = opt[2] == 'I' || !opt[2] ? 'E' : opt[2] == 'T' ? 'A' : opt[2];
    const char *list = opt[2] ? opt + 3 : "";
    const struct flag_word *f = by_letter(letter);
    if (!f || (*list && (!f->default_ports || !is_list(list, strlen(list)))))
        return 1;
    if (!*list)
        list = f->default_ports;
    return put(out, size, len, letter, list, list ? strlen(list) : 0) ? 0 : -1;
}

bool st_nmap_mode_asked(const char *const *argv, size_t argc, char *out, size_t size)
{
    size_t i = 0, len = 0;
    while (i < argc) {
        const char *base = strrchr(argv[i], '/');
        if (!strcmp(base ? base + 1 : argv[i], "nmap"))
            break;
        i++;
    }
    if (i == argc || size == 0)
        return false;
    out[0] = '\0';
    bool unpriv = false;
    for (i++; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--unprivileged"))
            unpriv = true;
        else if (!strncmp(a, "-P", 2) && asked_one(a, out, size, &len) < 0)
            return false;
    }
    if (unpriv)
        snprintf(out, size, "connect");
    else if (!len)
        snprintf(out, size, "default");
    return true;
}

bool st_nmap_no_ping(const char *const *argv, size_t argc)
{
    bool nmap = false;
    for (size_t i = 0; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        if (!nmap)
            nmap = !strcmp(base ? base + 1 : argv[i], "nmap");
        else if (!strcmp(argv[i], "-Pn") || !strcmp(argv[i], "-PN") || !strcmp(argv[i], "-P0"))
            return true;
    }
    return false;
}

size_t st_nmap_port_list(const uint16_t *ports, size_t n, char *out, size_t size)
{
    size_t len = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < n && len + 1 < size;) {
        size_t j = i;
        while (j + 1 < n && ports[j + 1] == ports[j] + 1)
            j++;
        int k = j - i >= 2
                    ? snprintf(out + len, size - len, "%s%u-%u", i ? "," : "", ports[i], ports[j])
                    : snprintf(out + len, size - len, "%s%u", i ? "," : "", ports[i]);
        if (k < 0 || (size_t)k >= size - len)
            return size ? size - 1 : 0;
        len += (size_t)k;
        i = j - i >= 2 ? j + 1 : i + 1;
    }
    return len;
}

/* One item of a port list: "53", "1-100", "1-", "-100", "-" (all), or a
 * name or pattern ("domain", "http*"), which may be any port. */
static bool item_holds(const char *item, size_t len, unsigned port)
{
    char buf[32];
    if (len >= 2 && item[1] == ':' && strchr("TUSP", item[0]))
        item += 2, len -= 2; /* the protocol's prefix: "T:53", "U:53" */
    if (!len || len >= sizeof buf)
        return len != 0;
    memcpy(buf, item, len);
    buf[len] = '\0';
    if (strspn(buf, "0123456789-") != len)
        return true;
    char *dash = strchr(buf, '-'), *end;
    unsigned long lo = dash == buf ? 0 : strtoul(buf, &end, 10);
    unsigned long hi = !dash ? lo : dash[1] ? strtoul(dash + 1, &end, 10) : 65535;
    return lo <= port && port <= hi;
}

bool st_nmap_ports_hold(const char *list, unsigned port)
{
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (item_holds(p, len, port))
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/* The value of option opt ("-p") in argv[*i]: "-p53", "-p=53" or the next
 * word; NULL when argv[*i] is not that option. */
static const char *option_value(const char *const *argv, size_t argc, size_t *i, const char *opt)
{
    size_t n = strlen(opt);
    if (strncmp(argv[*i], opt, n))
        return NULL;
    if (argv[*i][n])
        return argv[*i] + n + (argv[*i][n] == '=');
    return *i + 1 < argc ? argv[++*i] : NULL;
}

bool st_nmap_probes_port(const char *const *argv, size_t argc, unsigned port)
{
    size_t i = 0;
    while (i < argc && strcmp(strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i], "nmap"))
        i++;
    bool scan = true, listed = false, in_ping = false, in_scan = false, proto_scan = false;
    for (i++; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "-sn") || !strcmp(a, "-sP") || !strcmp(a, "-sL"))
            scan = false;
        else if (!strcmp(a, "-sO"))
            proto_scan = true; /* its -p names protocols */
        else if (!strncmp(a, "-P", 2) && a[2] && strchr("SAUY", a[2]) && a[3])
            in_ping |= st_nmap_ports_hold(a + 3, port);
        else if ((v = option_value(argv, argc, &i, "--top-ports")))
            listed = true, in_scan |= atoi(v) >= ST_NMAP_TOP_RANK_53;
        else if (!strncmp(a, "-p", 2) && (v = option_value(argv, argc, &i, "-p")))
            listed = true, in_scan |= st_nmap_ports_hold(v, port);
    }
    /* without a list nmap scans its most frequent ports (-F the 100 first):
     * DNS's is among them */
    return in_ping || (scan && !proto_scan && (in_scan || !listed));
}
