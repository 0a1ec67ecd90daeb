/*
 * nmap's text of IPv4 options, and back (doc/nmap-notes.md, "IP options").
 *
 * nmap walks the options once, byte by byte, with a small state per option:
 * where it starts and ends, its pointer and (timestamps) its flags. Record
 * route and source routes print their addresses, the one the pointer names
 * after a '#'; timestamps print their entries the same way; anything that
 * does not fit its option's layout is dumped as "\xHH" bytes up to the
 * option's end. The writer below follows those rules; the reader parses the
 * text into bytes and accepts them only if they format back to the same text.
 */
#include "pkt_ipopts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { NEXT = -1, DUMP = -2 };

struct walk {
    const uint8_t *b;
    int n;              /* option bytes */
    int pt;             /* next byte */
    int sta, end;       /* the current option's first byte, one past its last */
    int kind, len, ptr; /* NEXT between options, DUMP while dumping */
    int fl;             /* timestamp flags */
    char out[256];      /* nmap's buffer: what does not fit is lost */
    size_t used;
};

static void put(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct walk *w, const char *fmt, ...)
{
    if (w->used >= sizeof w->out - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(w->out + w->used, sizeof w->out - w->used, fmt, ap);
    va_end(ap);
    if (r > 0)
        w->used += (size_t)r;
    if (w->used > sizeof w->out - 1)
        w->used = sizeof w->out - 1;
}

static void put_addr(struct walk *w, char mark, const char *after)
{
    char s[16];
    uint32_t a = (uint32_t)w->b[w->pt] << 24 | (uint32_t)w->b[w->pt + 1] << 16 |
                 (uint32_t)w->b[w->pt + 2] << 8 | w->b[w->pt + 3];
    w->pt += 4;
    if (mark)
        put(w, "%c", mark);
    put(w, "%s%s", st_ip4_str(a, s), after);
}

/* The bytes before an entry that a pointer off the entries' grid skips. */
static void put_skew(struct walk *w, int s)
{
    for (int i = 0; i < s; i++)
        put(w, "\\x%02x", w->b[w->pt++]);
    w->ptr -= s;
}

/* Whether byte `at` is past the option: the rest is dumped. */
static bool past(struct walk *w, int at)
{
    if (at < w->end)
        return false;
    w->kind = DUMP;
    return true;
}

/* Record route, loose and strict source route: addresses. */
static void step_route(struct walk *w)
{
    if (w->pt - w->sta == 2) {
        put(w, " %sRR{", w->kind == 131 ? "LS" : w->kind == 137 ? "SS" : "");
        if (past(w, w->pt))
            return;
        w->ptr = w->b[w->pt++];
        if (w->ptr % 4 || w->sta + w->ptr - 1 > w->end || w->ptr < 4)
            put(w, " [bad ptr=%02i]", w->ptr);
    }
    if (past(w, w->pt + 3))
        return;
    put_skew(w, w->ptr % 4);
    if (past(w, w->pt + 3))
        return;
    put_addr(w, w->pt + 1 - w->sta == w->ptr ? '#' : ' ', "");
    if (w->pt == w->end && w->pt - w->sta == w->ptr - 1)
        put(w, "#");
}

/* The timestamp option's header: pointer, overflow count and flags. */
static bool ts_head(struct walk *w)
{
    put(w, " TM{");
    if (past(w, w->pt))
        return false;
    w->ptr = w->b[w->pt++];
    if (w->ptr % 4 != 1 || w->sta + w->ptr - 1 > w->end || w->ptr < 5)
        put(w, " [bad ptr=%02i]", w->ptr);
    if (past(w, w->pt))
        return false;
    w->fl = w->b[w->pt++];
    if ((w->fl & 0x0c) || (w->fl & 3) == 2)
        put(w, " [bad flags=\\x%x]", w->fl & 0x0f);
    put(w, "[%i hosts not recorded]", w->fl >> 4);
    w->fl &= 3;
    return true;
}

/* Internet timestamp: times, or address@time pairs. */
static void step_ts(struct walk *w)
{
    if (w->pt - w->sta == 2 && !ts_head(w))
        return;
    int size = w->fl ? 8 : 4;
    if (past(w, w->pt + size - 1))
        return;
    put_skew(w, (w->ptr + 3) % size);
    put(w, "%c", w->pt + 1 - w->sta == w->ptr ? '#' : ' ');
    if (w->fl) {
        if (past(w, w->pt + 3))
            return;
        put_addr(w, 0, "@");
    }
    if (past(w, w->pt + 3))
        return;
    const uint8_t *t = w->b + w->pt;
    put(w, "%lu",
        (unsigned long)t[0] << 24 | (unsigned long)t[1] << 16 | (unsigned long)t[2] << 8 | t[3]);
    w->pt += 4;
    if (w->pt == w->end)
        put(w, "%s", w->pt - w->sta == w->ptr - 1 ? "#" : " ");
}

/* Stream identifier. */
static void step_satid(struct walk *w)
{
    if (w->pt - w->sta != 2) {
        w->kind = DUMP;
        return;
    }
    put(w, " SI{");
    if (w->sta + w->len > w->n || w->len != 4)
        put(w, "[bad len %02i]", w->len);
    if (past(w, w->pt + 1))
        return;
    put(w, "id=%u", (unsigned)w->b[w->pt] << 8 | w->b[w->pt + 1]);
    w->pt += 2;
    if (w->pt != w->end)
        w->kind = DUMP;
}

static void step_dump(struct walk *w)
{
    if (w->pt == w->end) {
        put(w, "}");
        w->kind = NEXT;
        return;
    }
    put(w, "\\x%02x", w->b[w->pt++]);
}

/* An option nmap does not know: kind and length, then its bytes. */
static void step_unknown(struct walk *w)
{
    put(w, " ??{\\x%02x\\x%02x", w->kind, w->len);
    if (w->len < w->n) {
        int e = w->sta + w->len > w->sta + 2 ? w->sta + w->len : w->sta + 2;
        w->end = e < w->n ? e : w->n;
    } else {
        w->end = 255;
    }
    w->kind = DUMP;
}

/* Start the option at w->pt; false when its kind is the last byte (then
 * the bytes are dumped to the end, without a heading). */
static bool start_option(struct walk *w)
{
    w->sta = w->pt;
    w->kind = w->b[w->pt++];
    if (w->kind == 0 || w->kind == 1)
        return true;
    if (w->pt >= w->n) {
        w->kind = DUMP;
        w->pt--;
        w->end = 255;
        return false;
    }
    w->len = w->b[w->pt++];
    int e = w->sta + w->len < w->n ? w->sta + w->len : w->n;
    w->end = e > w->sta + 2 ? e : w->sta + 2;
    return true;
}

static void step(struct walk *w)
{
    switch (w->kind) {
    case 0:
    case 1:
        put(w, w->kind ? " NOP" : " EOL");
        w->kind = NEXT;
        break;
    case 7:
    case 131:
    case 137:
        step_route(w);
        break;
    case 68:
        step_ts(w);
        break;
    case 136:
        step_satid(w);
        break;
    case DUMP:
        step_dump(w);
        break;
    default:
        step_unknown(w);
        break;
    }
}

void st_ipopts_format(struct st_sb *sb, const uint8_t *opts, size_t len)
{
    struct walk w = {.b = opts, .n = (int)len, .kind = NEXT};
    while (w.pt < w.n) {
        if (w.kind == NEXT && !start_option(&w))
            continue;
        step(&w);
        if (w.pt == w.end && w.kind != NEXT) {
            put(&w, "}");
            w.kind = NEXT;
        }
    }
    if (w.kind != NEXT)
        put(&w, "}");
    w.out[w.used] = '\0';
    st_sb_puts(sb, w.out);
}

/* ---- reading the text back ---------------------------------------------- */

struct rd {
    const char *s, *end;
    uint8_t *o; /* option bytes written so far */
    int n;
    bool bad;
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

static void rd_byte(struct rd *r, unsigned long v)
{
    if (r->n >= ST_MAX_IPOPT || v > 255)
        r->bad = true;
    else
        r->o[r->n++] = (uint8_t)v;
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
static void rd_hex(struct rd *r)
{
    unsigned long v;
    while (!r->bad && rd_at(r, "\\x")) {
        r->s += 2;
        const char *at = r->s;
        if (!rd_num(r, 16, 255, &v) || r->s - at != 2)
            r->bad = true;
        else
            rd_byte(r, v);
    }
}

static bool rd_addr(struct rd *r)
{
    unsigned long v;
    for (int i = 0; i < 4; i++) {
        if ((i && !rd_lit(r, ".")) || !rd_num(r, 10, 255, &v))
            return false;
        rd_byte(r, v);
    }
    return true;
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

/* Whether the timestamp entry at r->s is "address@time". */
static bool rd_has_addr(const struct rd *r)
{
    for (const char *q = r->s; q < r->end && *q != ' ' && *q != '#' && *q != '}'; q++)
        if (*q == '@')
            return true;
    return false;
}

static void rd_time(struct rd *r, uint8_t *flags)
{
    unsigned long v;
    if (rd_has_addr(r)) {
        *flags |= 1; /* flags 3 (prespecified) prints the same */
        r->bad = r->bad || !rd_addr(r) || !rd_lit(r, "@");
    }
    if (r->bad || !rd_num(r, 10, 0xffffffffUL, &v)) {
        r->bad = true;
        return;
    }
    for (int k = 24; k >= 0; k -= 8)
        rd_byte(r, (v >> k) & 0xff);
}

/* Entries of a route or timestamp option up to its '}': the pointer from the
 * '#' mark (before an entry: that entry; after the last: past the end). */
static void rd_entries(struct rd *r, int sta, uint8_t *flags, int *ptr)
{
    while (!r->bad && r->s < r->end && *r->s != '}') {
        rd_hex(r);
        if (r->s >= r->end || *r->s == '}')
            break;
        if (r->s + 1 >= r->end || (*r->s != '#' && *r->s != ' ')) {
            r->bad = true;
            break;
        }
        char mark = *r->s++;
        if (mark == '#')
            *ptr = r->n - sta + 1;
        if (*r->s == '}')
            break;
        if (flags)
            rd_time(r, flags);
        else
            r->bad = r->bad || !rd_addr(r);
    }
    r->bad = r->bad || !rd_lit(r, "}");
}

/* " RR{...}", " LSRR{...}", " SSRR{...}" after the kind was read. */
static void rd_route(struct rd *r, int kind)
{
    int sta = r->n;
    unsigned long v;
    int ptr = 4;
    rd_byte(r, (unsigned long)kind);
    rd_byte(r, 0);
    bool has_ptr = !rd_at(r, "}");
    bool bad_ptr = rd_bracket(r, " [bad ptr=", 10, &v);
    if (has_ptr)
        rd_byte(r, 0);
    rd_entries(r, sta, NULL, &ptr);
    if (bad_ptr)
        ptr = (int)v; /* the byte itself; a '#' shows it less its skew */
    if (has_ptr && !r->bad)
        r->o[sta + 2] = (uint8_t)ptr;
    if (!r->bad)
        r->o[sta + 1] = (uint8_t)(r->n - sta);
}

/* " TM{...}" after its heading. */
static void rd_ts(struct rd *r)
{
    int sta = r->n;
    unsigned long bad_ptr = 0, bad_fl = 0, over = 0;
    bool has_ptr = rd_bracket(r, " [bad ptr=", 10, &bad_ptr);
    bool has_fl = rd_bracket(r, " [bad flags=\\x", 16, &bad_fl);
    rd_byte(r, 68);
    rd_byte(r, 0);
    if (rd_at(r, "}")) { /* no flags byte: the pointer alone, if shown */
        r->s++;
        if (has_ptr)
            rd_byte(r, bad_ptr);
        r->o[sta + 1] = (uint8_t)(r->n - sta);
        return;
    }
    if (!rd_lit(r, "[") || !rd_num(r, 10, 15, &over) || !rd_lit(r, " hosts not recorded]")) {
        r->bad = true;
        return;
    }
    rd_byte(r, 0);
    rd_byte(r, over << 4 | (has_fl ? bad_fl : 0));
    int ptr = 5;
    uint8_t flags = 0;
    rd_entries(r, sta, &flags, &ptr);
    if (r->bad)
        return;
    r->o[sta + 1] = (uint8_t)(r->n - sta);
    r->o[sta + 2] = (uint8_t)(has_ptr ? (int)bad_ptr : ptr);
    if (!has_fl)
        r->o[sta + 3] |= flags;
}

/* " SI{[bad len NN]id=N}" and any bytes dumped after it. */
static void rd_satid(struct rd *r)
{
    unsigned long len = 4, id;
    rd_byte(r, 136);
    rd_bracket(r, "[bad len ", 10, &len);
    rd_byte(r, len);
    if (!rd_lit(r, "id=") || !rd_num(r, 10, 65535, &id)) {
        r->bad = true;
        return;
    }
    rd_byte(r, id >> 8);
    rd_byte(r, id & 0xff);
    rd_hex(r);
    r->bad = r->bad || !rd_lit(r, "}");
}

/* One option, or false at the closing '}' of the whole list. */
static bool rd_option(struct rd *r)
{
    if (rd_lit(r, " EOL"))
        rd_byte(r, 0);
    else if (rd_lit(r, " NOP"))
        rd_byte(r, 1);
    else if (rd_lit(r, " RR{"))
        rd_route(r, 7);
    else if (rd_lit(r, " LSRR{"))
        rd_route(r, 131);
    else if (rd_lit(r, " SSRR{"))
        rd_route(r, 137);
    else if (rd_lit(r, " TM{"))
        rd_ts(r);
    else if (rd_lit(r, " SI{"))
        rd_satid(r);
    else if (rd_lit(r, " ??{")) {
        rd_hex(r); /* kind, length, then the bytes */
        r->bad = r->bad || !rd_lit(r, "}");
    } else if (rd_at(r, "\\x")) {
        rd_hex(r); /* a kind without its length: dumped to the end */
        r->bad = r->bad || !rd_lit(r, "}");
    } else
        return false;
    return !r->bad;
}

size_t st_ipopts_parse(const char *s, size_t n, uint8_t opts[ST_MAX_IPOPT], uint8_t *len)
{
    struct rd r = {.s = s, .end = s + n, .o = opts};
    while (rd_option(&r))
        ;
    if (r.bad || r.n == 0 || !rd_lit(&r, "}"))
        return 0;
    /* accepted only if the bytes print as the text read */
    char buf[300];
    struct st_sb sb;
    st_sb_init(&sb, buf, sizeof buf);
    st_ipopts_format(&sb, opts, (size_t)r.n);
    size_t used = (size_t)(r.s - s);
    if (st_sb_result(&sb) < 0 || (size_t)sb.len != used - 1 || memcmp(buf, s, used - 1) != 0)
        return 0;
    *len = (uint8_t)r.n;
    return used;
}

bool st_ipopts_route_target(const struct st_ipv4 *ip, uint32_t *target)
{
    for (size_t k = 0; k < ip->optlen;) {
        uint8_t kind = ip->opts[k];
        if (kind == 0)
            return false;
        if (kind == 1 || k + 1 >= ip->optlen) {
            k++;
            continue;
        }
        size_t len = ip->opts[k + 1];
        if (len < 2 || k + len > ip->optlen)
            return false;
        if ((kind == 131 || kind == 137) && len >= 7) {
            const uint8_t *a = ip->opts + k + len - 4;
            *target = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
            return true;
        }
        k += len;
    }
    return false;
}
