#include "wire_side.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fping_opts.h"
#include "hosts.h"
#include "packet.h"
#include "run_read.h"
#include "shell_words.h"
#include "util.h"

/* A target spec naming more addresses than this is not expanded: no scan a
 * capture can hold probes a /15 one address at a time. */
#define MAX_TARGETS (1u << 17)

static bool ip4(const char *s, uint32_t *a)
{
    struct in_addr in;
    if (inet_pton(AF_INET, s, &in) != 1)
        return false;
    *a = ntohl(in.s_addr);
    return true;
}

/* A whole-address range "A-B" (masscan) or "fping -g A B"; whether it was one. */
static bool range_read(const char *start, const char *end, struct st_targets *t)
{
    uint32_t lo, hi;
    char err[160];
    return ip4(start, &lo) && ip4(end, &hi) && hi >= lo && hi - lo < MAX_TARGETS &&
           st_targets_add_range(t, lo, hi, err, sizeof err) == 0;
}

/* More targets than MAX_TARGETS are not listed: every address probed may
 * be one (targets_set), as with a target given by name. So a spec is cut
 * one past the limit as it is read, and a list of many such once past
 * twice it: a /8 ("fping -g 10.0.0.0/8") or two hundred /9s are not
 * expanded and sorted whole, and the overflow still shows. */
static void bound_targets(struct st_targets *t, size_t before)
{
    if (t->n - before > MAX_TARGETS)
        t->n = before + MAX_TARGETS + 1;
    if (t->n > 2 * MAX_TARGETS) {
        size_t n = st_sort_unique(t->addr, t->n, sizeof *t->addr, st_cmp_u32);
        t->n = n <= MAX_TARGETS ? n : MAX_TARGETS + 1;
    }
}

/* One spec as nmap reads it (targets.h) or a whole-address range, expanded
 * into t; whether it was one. Words of the command line that are not specs
 * (options, their values) are not targets: their error is expected. */
static bool spec_read(const char *arg, struct st_targets *t)
{
    char err[160], start[64];
    const char *dash = strchr(arg, '-');
    if (arg[0] == '-')
        return false;
    if (dash && (size_t)(dash - arg) < sizeof start && strchr(dash + 1, '.')) {
        snprintf(start, sizeof start, "%.*s", (int)(dash - arg), arg);
        if (range_read(start, dash + 1, t))
            return true;
    }
    size_t before = t->n;
    if (st_targets_add(t, arg, err, sizeof err))
        return false;
    bound_targets(t, before);
    return true;
}

/* An IPv6 address, or a prefix of at most MAX_TARGETS addresses
 * ("2001:2:0:100::/120"), as host ids (hosts.h) appended to t; whether arg
 * was one. An IPv6 target is its id: targets are looked up, not ordered. */
static bool spec6_read(const char *arg, struct st_targets *t)
{
    char buf[64];
    const char *slash = strchr(arg, '/');
    unsigned bits = 128;
    uint8_t a[16];
    if (!strchr(arg, ':') || strlen(arg) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%.*s", slash ? (int)(slash - arg) : (int)strlen(arg), arg);
    buf[strcspn(buf, "%")] = 0; /* fe80::1%lan0: the zone names no address */
    if (inet_pton(AF_INET6, buf, a) != 1)
        return false;
    if (slash && (sscanf(slash + 1, "%u", &bits) != 1 || bits > 128 || 128 - bits > 17))
        return false;
    uint32_t count = 1u << (128 - bits),
             base = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
    if (count > 1)
        base &= ~(count - 1); /* the prefix's first address */
    for (uint32_t k = 0; k < count; k++) {
        uint32_t v = base + k;
        a[12] = (uint8_t)(v >> 24), a[13] = (uint8_t)(v >> 16), a[14] = (uint8_t)(v >> 8),
        a[15] = (uint8_t)v;
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 64;
            uint32_t *g = realloc(t->addr, t->cap * sizeof *g);
            if (!g)
                abort();
            t->addr = g;
        }
        t->addr[t->n++] = st_host6(a);
    }
    bound_targets(t, t->n);
    return true;
}

/* Options whose value is one of the scanner's own addresses, not a target. */
static bool own_address_option(const char *scanner, const char *opt)
{
    static const struct st_pair own[] = {
        {"nmap", "-S"},
        {"nmap", "-D"},
        {"zmap", "-S"},
        {"zmap", "--source-ip"},
        {"masscan", "--source-ip"},
        {"masscan", "--adapter-ip"},
        {"masscan", "--router-ip"},
        {"hping3", "-a"},
        {"hping3", "--spoof"},
    };
    return st_pair_find(own, ST_PAIRS_N(own), scanner, opt) != NULL;
}

/* t, sorted and unique, as s's targets (s owns its array then). */
static void targets_set(struct st_targets *t, struct st_scanner_cmd *s)
{
    size_t n = st_sort_unique(t->addr, t->n, sizeof *t->addr, st_cmp_u32);
    s->ntargets = n <= MAX_TARGETS ? n : 0;
    s->targets = t->addr;
    if (n > MAX_TARGETS) /* too many to list (a /8 sweep): any address probed may be one */
        s->targets_read = false;
}

/* Whether a target operand is a host name ("r1x", "www.example.org"):
 * letters, digits, dots and hyphens, a letter among them, not an option. */
static bool host_name(const char *w)
{
    bool letter = false;
    if (!*w || *w == '-' || *w == '.')
        return false;
    for (const char *p = w; *p; p++) {
        bool alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        if (!alpha && !(*p >= '0' && *p <= '9') && *p != '.' && *p != '-')
            return false;
        letter |= alpha;
    }
    return letter;
}

/* Whether a word names port 53 ("-p 53", "-p53", "-PU53", "--dport=53",
 * "22,53"): the number alone, not a digit run that holds it, nor a part of
 * an address ("--dns-servers 198.18.1.53", "2001:db8::53"). */
static bool names_port53(const char *w)
{
    if (strchr(w, '.') || strstr(w, "::"))
        return false;
    for (const char *p = strstr(w, "53"); p; p = strstr(p + 1, "53"))
        if ((p == w || p[-1] < '0' || p[-1] > '9') && (p[2] < '0' || p[2] > '9'))
            return true;
    return false;
}

/* Options whose value is an interface or a file, whose name could pass
 * for a host's: "zmap ... -i wan0", "-o out.txt" last. */
static bool names_a_file(const char *opt)
{
    static const char *const list = " -i -I -e --interface -o -O -oL -oJ -oX -oG -oN -oA -oS -w "
                                    "-f -iL -b --output-file --blacklist-file --whitelist-file ";
    char w[40];
    snprintf(w, sizeof w, " %s ", opt);
    return strstr(list, w) != NULL;
}

/* A target given by name resolves to an address the command does not
 * say: any address the probes went to may be it (targets unknown). */
static void named_target(struct st_scanner_cmd *s, const char *w)
{
    if (!s->named_target[0])
        snprintf(s->named_target, sizeof s->named_target, "%s", w);
}

/* What an -iL file's words make: its specs' addresses, its first name. */
struct list_read {
    struct st_targets t;
    struct st_scanner_cmd *s;
};

/* One word of an -iL file: a spec, or a name (its address unknown here). */
static int list_word(void *ctx, const char *w, char *err, size_t errsz)
{
    struct list_read *r = ctx;
    (void)err, (void)errsz;
    if (spec6_read(w, &r->t) || spec_read(w, &r->t))
        r->s->targets_read = true;
    else if (host_name(w))
        named_target(r->s, w);
    return 0;
}

/* nmap -iL FILE: its targets are the file's, the command line's words none
 * (st_nmap_input); the file is read again now, by the name it was given.
 * -iR's random addresses, stdin's list, a file gone since: unknown, any
 * address may be one. Whether the targets come from elsewhere than argv. */
static bool read_nmap_input(const char *const *argv, size_t argc, struct st_scanner_cmd *s)
{
    const char *file;
    char err[256];
    enum st_nmap_input in = st_nmap_input(argv, argc, &file);
    if (in == ST_NMAP_INPUT_ARGV)
        return false;
    struct list_read r = {{0}, s};
    if (in == ST_NMAP_INPUT_FILE && strcmp(file, "-") &&
        st_targets_file_each(file, list_word, &r, err, sizeof err))
        s->targets_read = false;
    targets_set(&r.t, s);
    return true;
}

static void read_targets(const char *const *argv, size_t argc, struct st_scanner_cmd *s)
{
    struct st_targets t = {0};
    if (!strcmp(s->name, "nmap") && read_nmap_input(argv, argc, s))
        return;
    for (size_t i = 1; i < argc; i++) {
        if (i > 1 && own_address_option(s->name, argv[i - 1]))
            continue;
        if (spec6_read(argv[i], &t) || spec_read(argv[i], &t))
            s->targets_read = true;
    }
    /* the last word is a target for every one of them (ping, hping3,
     * nping, nmap HOST): a name there is a target of unknown address */
    if (argc > 1 && host_name(argv[argc - 1]) && !(argc > 2 && names_a_file(argv[argc - 2])))
        named_target(s, argv[argc - 1]);
    targets_set(&t, s);
}

/* fping's targets: its operands, two addresses with -g a range. */
static void read_fping_targets(const struct st_fping_opts *o, struct st_scanner_cmd *s)
{
    struct st_targets t = {0};
    if (o->generate && o->noperands == 2 && range_read(o->operands[0], o->operands[1], &t))
        s->targets_read = true;
    else
        for (size_t i = 0; i < o->noperands; i++)
            if (spec6_read(o->operands[i], &t) || spec_read(o->operands[i], &t))
                s->targets_read = true;
            else if (host_name(o->operands[i]))
                named_target(s, o->operands[i]);
    /* fping prints a target as it was given, a name as a name, unless -A */
    if (s->named_target[0] && !o->addrs)
        s->by_name = true;
    targets_set(&t, s);
}

static void mode_append(struct st_scanner_cmd *s, const char *word)
{
    size_t len = strlen(s->mode);
    snprintf(s->mode + len, sizeof s->mode - len, "%s%s", len ? " " : "", word);
}

/* A port option of zmap (-p, --target-port), masscan (-p, --ports, -pN,
 * --ports=N) or hping3 (-p, --destport) as "-p N"; whether a is one. The
 * port is in the mode's name: a SYN scan of 443 and one of 80 are two modes. */
static bool port_option(const char *scanner, const char *a, const char *next, char *out,
                        size_t outsz)
{
    static const struct st_pair with_value[] = {
        {"zmap", "-p"},    {"zmap", "--target-port"}, {"zmap", "--target-ports"},
        {"masscan", "-p"}, {"masscan", "--ports"},    {"masscan", "--port"},
        {"hping3", "-p"},  {"hping3", "--destport"},
    };
    const char *eq = strchr(a, '=');
    char opt[32];
    snprintf(opt, sizeof opt, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
    if (st_pair_find(with_value, ST_PAIRS_N(with_value), scanner, opt)) {
        snprintf(out, outsz, "-p %s", eq ? eq + 1 : next);
        return true;
    }
    if (!strcmp(scanner, "masscan") && !strncmp(a, "-p", 2) && a[2] >= '0' && a[2] <= '9') {
        snprintf(out, outsz, "-p %s", a + 2);
        return true;
    }
    return false;
}

/* How many ports hping3's --scan list names ("22,80,443", "1-1000"), 0
 * when it cannot tell ("known", "all", a negation). */
static unsigned scan_port_count(const char *list)
{
    unsigned n = 0, lo, hi;
    int used;
    for (const char *p = list; *p; p += *p == ',') {
        if (sscanf(p, "%u-%u%n", &lo, &hi, &used) == 2 && lo <= hi && hi < 65536)
            n += hi - lo + 1;
        else if (sscanf(p, "%u%n", &lo, &used) == 1 && lo < 65536)
            n++;
        else
            return 0;
        p += used;
        if (*p && *p != ',')
            return 0;
    }
    return n;
}

/* The options that choose what a scanner sends, so two runs of one scanner
 * in one mode get one name (diff pairs modes by it). */
static void name_mode(const char *const *argv, size_t argc, struct st_scanner_cmd *s)
{
    mode_append(s, s->name);
    bool zmap_module = false;
    char port[64] = "";
    for (size_t i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(s->name, "nmap") && a[0] == '-' && (a[1] == 's' || a[1] == 'P') && a[2])
            mode_append(s, a);
        else if (!strcmp(s->name, "zmap") && (!strcmp(a, "-M") || !strcmp(a, "--probe-module"))) {
            mode_append(s, "-M");
            mode_append(s, next);
            zmap_module = true;
        } else if (!strcmp(s->name, "zmap") && !strncmp(a, "--probe-module=", 15)) {
            mode_append(s, "-M");
            mode_append(s, a + 15);
            zmap_module = true;
        } else if (port_option(s->name, a, next, port, sizeof port)) {
            s->port53 |= st_nmap_ports_hold(port + 3, 53); /* "-p 1-1000" */
            continue;
        } else if (!strcmp(s->name, "masscan") && !strcmp(a, "--ping"))
            mode_append(s, a);
        else if (!strcmp(s->name, "hping3") && (!strcmp(a, "--scan") || !strcmp(a, "-8"))) {
            mode_append(s, "--scan");
            mode_append(s, next);
            s->scan_ports = scan_port_count(next);
            s->port53 |= st_nmap_ports_hold(next, 53);
        } else if (!strcmp(s->name, "hping3") &&
                   (!strcmp(a, "--icmp") || !strcmp(a, "-1") || !strcmp(a, "--udp") ||
                    !strcmp(a, "-2") || !strcmp(a, "-S") || !strcmp(a, "--syn") ||
                    !strcmp(a, "-A") || !strcmp(a, "--ack") || !strcmp(a, "--rawip") ||
                    !strcmp(a, "-0") || !strcmp(a, "--traceroute") || !strcmp(a, "-T")))
            mode_append(s, a);
        else if (!strcmp(s->name, "hping3") && (!strcmp(a, "-C") || !strcmp(a, "--icmptype"))) {
            mode_append(s, a); /* the ICMP type it sends: 13 timestamp, 17 mask */
            mode_append(s, next);
        }
    }
    if (!strcmp(s->name, "zmap") && !zmap_module)
        mode_append(s, "-M tcp_synscan"); /* zmap's default module */
    if (port[0])
        mode_append(s, port); /* the last one given, as the scanners read them */
}

/* Whether option a (value next) sends the scanner's results to a file:
 * zmap -o/--output-file, masscan's -oX/-oJ/-oL/-oG/-oB/-oD/-oU and
 * --output-filename, each with a name other than "-" (standard output). */
static bool output_to_file(const char *scanner, const char *a, const char *next)
{
    if (!strcmp(scanner, "zmap"))
        return ((!strcmp(a, "-o") || !strcmp(a, "--output-file")) && strcmp(next, "-")) ||
               (!strncmp(a, "--output-file=", 14) && strcmp(a + 14, "-"));
    if (!strcmp(scanner, "masscan")) {
        const char *eq = strchr(a, '=');
        bool opt = (a[0] == '-' && a[1] == 'o' && a[2] && strchr("XJLGBDU", a[2]) && !a[3]) ||
                   !strncmp(a, "--output-filename", 17) || !strncmp(a, "--output-file", 13);
        return opt && strcmp(eq ? eq + 1 : next, "-");
    }
    return false;
}

/* Commands that run another (`timeout 20 masscan ...`): the options each
 * takes a value with, and how many words follow them before the command
 * (timeout's duration). */
struct wrapper {
    const char *name;
    const char *value_opts; /* " -s -k " */
    size_t operands;
};

static const struct wrapper wrappers[] = {
    {"timeout", " -s -k --signal --kill-after ", 1},
    {"nice", " -n --adjustment ", 0},
    {"stdbuf", " -i -o -e ", 0},
    {"env", " -u --unset -C --chdir -S --split-string ", 0},
    {"setsid", "", 0},
    {"sudo",
     " -u -g -C -D -h -p -r -t -U -T --user --group --close-from --chdir --host "
     "--prompt --role --type --other-user --command-timeout ",
     0},
    {"doas", " -u -C ", 0},
    /* sh -c "exec fping ...", and what lab scripts put before a scanner */
    {"exec", " -a ", 0},
    {"nohup", "", 0},
    {"ionice", " -c -n --class --classdata ", 0},
    {"taskset", "", 1},        /* the CPU mask */
    {"chrt", " -T -P -D ", 1}, /* the priority */
};

static const char *base_of(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* The index in cmd of the scanner a wrapper runs (0: cmd[0] is no wrapper). */
static size_t skip_wrappers(const char *const *cmd, size_t n)
{
    size_t i = 0;
    for (;;) {
        const struct wrapper *w = NULL;
        for (size_t k = 0; k < sizeof wrappers / sizeof *wrappers; k++)
            if (i < n && !strcmp(base_of(cmd[i]), wrappers[k].name))
                w = &wrappers[k];
        if (!w)
            return i;
        size_t j = i + 1, left = w->operands;
        char opt[40];
        while (j < n) {
            snprintf(opt, sizeof opt, " %s ", cmd[j]);
            if (!strcmp(cmd[j], "--")) {
                j++;
                break;
            }
            if (cmd[j][0] == '-' && cmd[j][1])
                j += strchr(cmd[j], '=') || !strstr(w->value_opts, opt) ? 1 : 2;
            else if (!strcmp(w->name, "env") && strchr(cmd[j], '='))
                j++; /* VAR=VALUE */
            else if (left)
                j++, left--;
            else
                break;
        }
        if (j >= n)
            return i; /* nothing run: the wrapper is the command */
        i = j;
    }
}

/* Why nmap printed no packet trace: a list scan (-sL) sends nothing, it was
 * not asked to, or a machine format took stdout (-oX -, -oG -, -oS -: nmap
 * then keeps every other line off it, its packet trace too; -oN - keeps
 * it). getopt_long_only: one dash or two, "=VALUE" or the next word. */
static const char *nmap_no_trace_why(const char *const *cmd, size_t n)
{
    bool traced = false, list = false;
    const char *machine = NULL;
    for (size_t k = 1; k < n; k++) {
        const char *a = cmd[k] + (cmd[k][0] == '-') + (cmd[k][0] == '-' && cmd[k][1] == '-');
        if (cmd[k][0] != '-')
            continue;
        if (!strcmp(a, "packet-trace"))
            traced = true;
        list |= !strcmp(cmd[k], "-sL");
        if (a[0] == 'o' && a[1] && strchr("XGS", a[1]) &&
            ((!a[2] && k + 1 < n && !strcmp(cmd[k + 1], "-")) || !strcmp(a + 2, "=-")))
            machine = a[1] == 'X'   ? "nmap prints none when -oX - puts its XML on stdout "
                                      "(-oX FILE keeps it)"
                      : a[1] == 'G' ? "nmap prints none when -oG - puts its grepable output on "
                                      "stdout (-oG FILE keeps it)"
                                    : "nmap prints none when -oS - puts its output on stdout";
    }
    if (list)
        return "nmap -sL lists its targets and sends no probe";
    if (!traced)
        return "nmap was run without --packet-trace";
    return machine;
}

static int parse_cmd(const char *const *cmd, size_t n, struct st_scanner_cmd *s)
{
    size_t w = skip_wrappers(cmd, n);
    for (size_t k = 0; k < w; k++)
        s->timed |= !strcmp(base_of(cmd[k]), "timeout");
    cmd += w, n -= w;
    if (!n)
        return -1;
    snprintf(s->name, sizeof s->name, "%s", base_of(cmd[0]));
    name_mode(cmd, n, s);
    for (size_t k = 1; k < n; k++)
        s->port53 |= names_port53(cmd[k]);
    if (!strcmp(s->name, "nmap"))
        s->port53 |= st_nmap_probes_port(cmd, n, 53);
    for (size_t k = 1; k < n && !strcmp(s->name, "nmap"); k++) {
        s->kernel_link |= !strcmp(cmd[k], "--send-ip");
        /* getopt_long_only: -open as --open */
        s->open_only |= !strcmp(cmd[k], "--open") || !strcmp(cmd[k], "-open");
    }
    if (!strcmp(s->name, "fping")) {
        struct st_fping_opts o;
        st_fping_opts_read(cmd, n, &o);
        s->unreach_list = o.unreach;
        s->addr_list = o.alive || o.unreach;
        s->count_mode = o.count;
        s->by_name = o.names && !o.addrs;
        s->quiet = o.quiet;
        read_fping_targets(&o, s);
        st_fping_opts_free(&o);
        return 0;
    }
    for (size_t k = 1; k < n; k++)
        if (output_to_file(s->name, cmd[k], k + 1 < n ? cmd[k + 1] : ""))
            s->to_file = true;
    if (!strcmp(s->name, "nmap"))
        s->no_trace_why = nmap_no_trace_why(cmd, n);
    read_targets(cmd, n, s);
    return 0;
}

/* Another run of the same scanner in the shell's string: its targets join
 * s's (the wire side's probes are to either's), its mode s's name. */
static void join_command(struct st_scanner_cmd *s, struct st_scanner_cmd *o)
{
    if (!o->targets_read || !s->targets_read) {
        s->targets_read = false; /* one run's targets unknown: any address may be one */
    } else {
        struct st_targets t = {0};
        t.addr = malloc((s->ntargets + o->ntargets + 1) * sizeof *t.addr);
        if (!t.addr)
            abort();
        memcpy(t.addr, s->targets, s->ntargets * sizeof *t.addr);
        memcpy(t.addr + s->ntargets, o->targets, o->ntargets * sizeof *t.addr);
        t.n = s->ntargets + o->ntargets;
        free(s->targets);
        targets_set(&t, s);
    }
    size_t len = strlen(s->mode);
    if (strcmp(s->mode, o->mode) && len + 2 + strlen(o->mode) < sizeof s->mode)
        snprintf(s->mode + len, sizeof s->mode - len, "; %s", o->mode);
    s->to_file |= o->to_file;
    s->open_only |= o->open_only;
    if (!s->no_trace_why)
        s->no_trace_why = o->no_trace_why;
}

/* The shell's later simple commands (`sh -c "nmap ...; sleep 1; nmap
 * ..."`): those of s's scanner joined to it. */
static void join_later_commands(const char *const *argv, size_t argc, struct st_scanner_cmd *s)
{
    char **words;
    bool redirected;
    for (size_t k = 1; k < 64; k++) {
        size_t n = st_shell_expand_nth(argv, argc, k, &words, &redirected);
        if (!words)
            return;
        struct st_scanner_cmd o = {.exit_status = -1};
        if (n && !parse_cmd((const char *const *)words, n, &o) && !strcmp(o.name, s->name)) {
            o.to_file |= redirected;
            join_command(s, &o);
        }
        free(o.targets);
        st_shell_words_free(words, n);
    }
}

int st_scanner_cmd_parse(const char *const *argv, size_t argc, struct st_scanner_cmd *s)
{
    memset(s, 0, sizeof *s);
    s->exit_status = -1;
    size_t i = 0;
    while (i < argc && strcmp(argv[i], "--"))
        i++;
    if (i + 1 >= argc)
        return -1;
    /* a shell's command string (sh -c "fping -a ... | tee out") as words */
    char **words;
    bool redirected;
    size_t n = st_shell_expand(argv + i + 1, argc - i - 1, &words, &redirected);
    int rc = parse_cmd((const char *const *)words, n, s);
    st_shell_words_free(words, n);
    /* its output went elsewhere: an empty stdout claims nothing */
    s->to_file |= redirected;
    if (!rc)
        join_later_commands(argv + i + 1, argc - i - 1, s);
    return rc;
}

int st_scanner_cmd_json(struct json_object *command_line, struct st_scanner_cmd *s)
{
    memset(s, 0, sizeof *s);
    if (!command_line || !json_object_is_type(command_line, json_type_array))
        return -1;
    size_t n = json_object_array_length(command_line);
    const char **argv = calloc(n + 1, sizeof *argv);
    if (!argv)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *a = json_object_get_string(json_object_array_get_idx(command_line, i));
        argv[i] = a ? a : "";
    }
    int rc = st_scanner_cmd_parse(argv, n, s);
    free(argv);
    return rc;
}

int st_scanner_cmd_read(const char *rundir, struct st_scanner_cmd *s)
{
    memset(s, 0, sizeof *s);
    /* the parse compare's other readers share (a scan's run.json of a sweep
     * holds a verdict per host: not parsed whole again) */
    json_object *run = st_run_json_doc(rundir, NULL), *cl = NULL;
    if (!run)
        return -1;
    json_object_object_get_ex(run, "command_line", &cl);
    int rc = st_scanner_cmd_json(cl, s);
    json_object *cmd, *st;
    if (!rc && json_object_object_get_ex(run, "command", &cmd) &&
        json_object_object_get_ex(cmd, "exit_status", &st) &&
        json_object_is_type(st, json_type_int))
        s->exit_status = json_object_get_int(st);
    if (!rc && json_object_object_get_ex(run, "command", &cmd) &&
        json_object_object_get_ex(cmd, "signal", &st) && json_object_is_type(st, json_type_string))
        snprintf(s->signal, sizeof s->signal, "%s", json_object_get_string(st));
    return rc;
}

bool st_scanner_stopped(const struct st_scanner_cmd *s)
{
    /* 124: timeout stopped it; 128 + N: --preserve-status, or -s KILL */
    return s->signal[0] ||
           (s->timed && (s->exit_status == 124 || (s->exit_status > 128 && s->exit_status < 160)));
}

void st_scanner_cmd_free(struct st_scanner_cmd *s)
{
    free(s->targets);
    memset(s, 0, sizeof *s);
}

const char *st_scanner_silent_format(const struct st_scanner_cmd *s)
{
    if (s->to_file)
        return NULL;
    if (!strcmp(s->name, "zmap") && s->exit_status == 0)
        return "address-list";
    if (!strcmp(s->name, "masscan") && s->exit_status == 0)
        return "masscan-console";
    /* with -c/-C/-l the list is not printed: the summary on stderr says it */
    if (!strcmp(s->name, "fping") && s->addr_list && !s->count_mode &&
        (s->exit_status == 0 || s->exit_status == 1))
        return "address-list";
    return NULL;
}

bool st_scanner_targets(const struct st_scanner_cmd *s, uint32_t addr)
{
    if (!s->targets_read || s->named_target[0])
        return true;
    return st_u32_has(s->targets, s->ntargets, addr);
}
