/*
 * nmap's text of IPv4 options, and back (doc/nmap-notes.md, "IP options").
 *
 * nmap walks the options once, byte by byte, with a small state per option:
 * where it starts and ends, its pointer and (timestamps) its flags. Record
 * route and source routes print their addresses, the one the pointer names
 * after a '#'; timestamps print their entries the same way; anything that
 * does not fit its option's layout is dumped as "\xHH" bytes up to the
 * option's end. The writer below follows those rules; pkt_ipopts_read.c
 * reads the text back.
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

bool st_ipopts_format(struct st_sb *sb, const uint8_t *opts, size_t len)
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
    return w.used < sizeof w.out - 1;
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
