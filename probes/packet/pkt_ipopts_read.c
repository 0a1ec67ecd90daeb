/*
 * nmap's text of IPv4 options read back into bytes (pkt_ipopts.h).
 *
 * The text shows most of an option's bytes (addresses, times, stream ids,
 * "\xHH" dumps) but not all: a route's or timestamp's length, a pointer on
 * the entries' grid, a timestamp's flags 0, 1 and 3. Each option's text is
 * read into the bytes it shows, the hidden ones guessed from its marks ('#'
 * before the entry the pointer names, '@' in entries of flags 1); when the
 * guess does not print as the text (nmap's walk mangles pointers that point
 * into a dump, flags that a skew hides), every pointer and flags value is
 * tried. Nothing is accepted that does not format back to the text read,
 * option by option and then as a whole.
 */
#include <stdlib.h>
#include <string.h>

#include "pkt_ipopts.h"
#include "util.h"

/* One option's bytes as read, and which of them the text did not show. */
struct opt {
    uint8_t b[ST_MAX_IPOPT];
    int n;
    int ptr_at, fl_at;        /* the pointer's and the flags' byte, or -1 */
    bool ptr_shown, fl_shown; /* "[bad ptr=NN]", "[bad flags=\xN]" */
    bool bad;
};

struct rd {
    const char *s, *end;
};

static bool rd_at(const struct rd *r, const char *lit)
{
    size_t k = strlen(lit);
    return (size_t)(r->end - r->s) >= k && memcmp(r->s, lit, k) == 0;
}

static bool rd_lit(struct rd *r, const char *lit)
{
    if (!rd_at(r, lit))
        return false;
    r->s += strlen(lit);
    return true;
}

static void put(struct opt *o, unsigned long v)
{
    if (o->n >= ST_MAX_IPOPT || v > 255)
        o->bad = true;
    else
        o->b[o->n++] = (uint8_t)v;
}

/* A number in the text (decimal, or hex after "\x"), at most `max`. */
static bool rd_num(struct rd *r, int base, unsigned long max, unsigned long *v)
{
    char *e;
    if (r->s >= r->end || !strchr(base == 16 ? "0123456789abcdefABCDEF" : "0123456789", *r->s))
        return false;
    *v = strtoul(r->s, &e, base);
    if (e > r->end || *v > max)
        return false;
    r->s = e;
    return true;
}

/* "\xHH" bytes, as many as there are. */
static void rd_hex(struct rd *r, struct opt *o)
{
    unsigned long v;
    while (!o->bad && rd_lit(r, "\\x")) {
        const char *at = r->s;
        if (!rd_num(r, 16, 255, &v) || r->s - at != 2)
            o->bad = true;
        else
            put(o, v);
    }
}

static void rd_quad(struct rd *r, struct opt *o)
{
    unsigned long v;
    for (int i = 0; i < 4 && !o->bad; i++) {
        if ((i && !rd_lit(r, ".")) || !rd_num(r, 10, 255, &v))
            o->bad = true;
        else
            put(o, v);
    }
}

/* "[bad ptr=NN]" and the like: the number, if the text is there. */
static bool rd_bracket(struct rd *r, const char *head, int base, unsigned long *v)
{
    const char *save = r->s;
    if (rd_lit(r, head) && rd_num(r, base, 255, v) && rd_lit(r, "]"))
        return true;
    r->s = save;
    return false;
}

/* Whether the digits at r->s are an address (a '.' follows them). */
static bool at_quad(const struct rd *r)
{
    const char *q = r->s;
    while (q < r->end && *q >= '0' && *q <= '9')
        q++;
    return q < r->end && *q == '.';
}

/* A route's or timestamp's entries up to and with its '}': skewed and
 * dumped bytes, addresses, "address@time" and times (`times`), marks. */
static void rd_body(struct rd *r, struct opt *o, bool times)
{
    unsigned long v;
    while (!o->bad && r->s < r->end && *r->s != '}') {
        char c = *r->s;
        if (c == '\\') {
            if (!rd_at(r, "\\x"))
                o->bad = true; /* a backslash is only ever a "\xHH" byte */
            rd_hex(r, o);
        } else if (c == ' ' || c == '#') {
            r->s++;
            if (c == '#' && !o->ptr_shown && o->ptr_at >= 0)
                o->b[o->ptr_at] = (uint8_t)(o->n + 1); /* the entry at byte n, 1-based */
        } else if (at_quad(r)) {
            rd_quad(r, o);
            if (times && !rd_lit(r, "@"))
                o->bad = true;
            else if (times && !o->fl_shown)
                o->b[o->fl_at] = (uint8_t)((o->b[o->fl_at] & 0xf0) | 1); /* 3 prints alike */
        } else if (times && rd_num(r, 10, 0xffffffffUL, &v)) {
            for (int k = 24; k >= 0; k -= 8)
                put(o, (v >> k) & 0xff);
        } else {
            o->bad = true;
        }
    }
    o->bad = o->bad || !rd_lit(r, "}");
}

/* " RR{", " LSRR{", " SSRR{" after the heading: [bad ptr], entries. */
static void rd_route(struct rd *r, struct opt *o, int kind)
{
    unsigned long v;
    put(o, (unsigned long)kind);
    put(o, 0);
    if (rd_lit(r, "}")) /* no room for a pointer (or one hidden by it: same text) */
        return;
    o->ptr_at = o->n;
    o->ptr_shown = rd_bracket(r, " [bad ptr=", 10, &v);
    put(o, o->ptr_shown ? v : 4);
    rd_body(r, o, false);
}

/* " TM{" after the heading: [bad ptr], [bad flags], overflow, entries. */
static void rd_ts(struct rd *r, struct opt *o)
{
    unsigned long ptr = 5, fl = 0, over = 0;
    put(o, 68);
    put(o, 0);
    o->ptr_shown = rd_bracket(r, " [bad ptr=", 10, &ptr);
    if (rd_lit(r, "}")) { /* no flags byte: the pointer alone, if shown */
        if (o->ptr_shown)
            put(o, ptr);
        return;
    }
    o->fl_shown = rd_bracket(r, " [bad flags=\\x", 16, &fl);
    if (!rd_lit(r, "[") || !rd_num(r, 10, 15, &over) || !rd_lit(r, " hosts not recorded]")) {
        o->bad = true;
        return;
    }
    o->ptr_at = o->n;
    put(o, ptr);
    o->fl_at = o->n;
    put(o, over << 4 | fl);
    rd_body(r, o, true);
}

/* " SI{" after the heading: [bad len NN], id=N, dumped bytes. */
static void rd_satid(struct rd *r, struct opt *o)
{
    unsigned long len = 4, id = 0;
    put(o, 136);
    rd_bracket(r, "[bad len ", 10, &len);
    put(o, len);
    if (rd_lit(r, "id=")) {
        if (!rd_num(r, 10, 65535, &id))
            o->bad = true;
        put(o, id >> 8);
        put(o, id & 0xff);
    }
    rd_hex(r, o);
    o->bad = o->bad || !rd_lit(r, "}");
}

/* Whether the option's bytes print as `text` (n characters). */
static bool prints_as(const struct opt *o, const char *text, size_t n)
{
    char buf[300];
    struct st_sb sb;
    st_sb_init(&sb, buf, sizeof buf);
    st_ipopts_format(&sb, o->b, (size_t)o->n);
    return st_sb_result(&sb) >= 0 && (size_t)sb.len == n && memcmp(buf, text, n) == 0;
}

/* The hidden pointer and flags: every value, until one prints as the text. */
static bool search_hidden(struct opt *o, const char *text, size_t n)
{
    static const uint8_t low[] = {0, 1, 3}; /* the flags that print no "[bad flags]" */
    int ptrs = o->ptr_at >= 0 && !o->ptr_shown ? 256 : 1;
    int fls = o->fl_at >= 0 && !o->fl_shown ? 3 : 1;
    for (int p = 0; p < ptrs; p++) {
        if (ptrs > 1)
            o->b[o->ptr_at] = (uint8_t)p;
        for (int f = 0; f < fls; f++) {
            if (fls > 1)
                o->b[o->fl_at] = (uint8_t)((o->b[o->fl_at] & 0xf0) | low[f]);
            if (prints_as(o, text, n))
                return true;
        }
    }
    return false;
}

/* One option's text into its bytes; false at the list's closing '}' or on
 * text that no bytes print as. */
static bool rd_option(struct rd *r, struct opt *o)
{
    const char *from = r->s;
    *o = (struct opt){.ptr_at = -1, .fl_at = -1};
    if (rd_lit(r, " EOL") || rd_lit(r, " NOP")) {
        put(o, from[1] == 'E' ? 0 : 1);
        return true;
    }
    if (rd_lit(r, " RR{"))
        rd_route(r, o, 7);
    else if (rd_lit(r, " LSRR{"))
        rd_route(r, o, 131);
    else if (rd_lit(r, " SSRR{"))
        rd_route(r, o, 137);
    else if (rd_lit(r, " TM{"))
        rd_ts(r, o);
    else if (rd_lit(r, " SI{"))
        rd_satid(r, o);
    else if (rd_lit(r, " ??{") || rd_at(r, "\\x")) {
        rd_hex(r, o); /* kind, length and bytes; or a last kind without its length */
        o->bad = o->bad || !rd_lit(r, "}");
    } else
        return false;
    if (o->bad || o->n < 1)
        return false;
    if (o->b[0] == 7 || o->b[0] == 131 || o->b[0] == 137 || o->b[0] == 68)
        o->b[1] = (uint8_t)o->n; /* a length past the list's end prints alike */
    size_t n = (size_t)(r->s - from);
    o->bad = !prints_as(o, from, n) && !search_hidden(o, from, n);
    return !o->bad;
}

size_t st_ipopts_parse(const char *s, size_t n, uint8_t opts[ST_MAX_IPOPT], uint8_t *len)
{
    struct rd r = {.s = s, .end = s + n};
    struct opt o;
    int total = 0;
    while (rd_option(&r, &o)) {
        if (total + o.n > ST_MAX_IPOPT)
            return 0;
        memcpy(opts + total, o.b, (size_t)o.n);
        total += o.n;
    }
    if (o.bad || total == 0 || !rd_lit(&r, "}"))
        return 0;
    /* options read alone print as they do together, but say so only when
     * the whole list does */
    struct opt all = {.n = total};
    memcpy(all.b, opts, (size_t)total);
    size_t used = (size_t)(r.s - s);
    if (!prints_as(&all, s, used - 1))
        return 0;
    *len = (uint8_t)total;
    return used;
}
