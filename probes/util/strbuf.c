#include "strbuf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void st_sb_init(struct st_sb *sb, char *buf, size_t size)
{
    sb->buf = buf;
    sb->size = size;
    sb->len = 0;
    sb->overflow = size == 0;
    if (size)
        buf[0] = '\0';
}

void st_sb_puts(struct st_sb *sb, const char *s)
{
    size_t n = strlen(s);

    if (sb->overflow || n >= sb->size - sb->len) {
        sb->overflow = true;
        return;
    }
    memcpy(sb->buf + sb->len, s, n + 1);
    sb->len += n;
}

/*
 * The formats the packet formatter uses most ("ttl=%u id=%u iplen=%u",
 * "csum=0x%04x") are done here without vsnprintf, which was most of a
 * trace line's cost: only %u, %x, %X (with a zero-padded width), %s and
 * %%. Anything else goes to vsnprintf. The output is printf's.
 */
static bool simple_format(const char *fmt)
{
    for (const char *f = fmt; (f = strchr(f, '%')); f++) {
        f++;
        if (*f == '0')
            f++;
        while (*f >= '0' && *f <= '9')
            f++;
        if (*f != 'u' && *f != 'x' && *f != 'X' && *f != 's' && *f != '%')
            return false;
    }
    return true;
}

static void put_char(struct st_sb *sb, char c)
{
    if (sb->len + 1 >= sb->size) {
        sb->overflow = true;
        return;
    }
    sb->buf[sb->len++] = c;
}

static void put_num(struct st_sb *sb, unsigned v, unsigned base, bool upper, bool zero, int width)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char d[16];
    int n = 0;
    do {
        d[n++] = dig[v % base];
        v /= base;
    } while (v);
    for (; width > n; width--)
        put_char(sb, zero ? '0' : ' ');
    while (n)
        put_char(sb, d[--n]);
}

static void fast_printf(struct st_sb *sb, const char *fmt, va_list ap)
{
    for (const char *f = fmt; *f && !sb->overflow; f++) {
        if (*f != '%') {
            put_char(sb, *f);
            continue;
        }
        f++;
        bool zero = *f == '0';
        if (zero)
            f++;
        int width = 0;
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        switch (*f) {
        case 'u':
            put_num(sb, va_arg(ap, unsigned), 10, false, zero, width);
            break;
        case 'x':
        case 'X':
            put_num(sb, va_arg(ap, unsigned), 16, *f == 'X', zero, width);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = (int)strlen(s);
            for (; width > n; width--)
                put_char(sb, ' ');
            for (; *s; s++)
                put_char(sb, *s);
            break;
        }
        default:
            put_char(sb, '%');
            break;
        }
    }
    if (sb->overflow)
        return;
    sb->buf[sb->len] = '\0';
}

void st_sb_printf(struct st_sb *sb, const char *fmt, ...)
{
    va_list ap;

    if (sb->overflow)
        return;
    if (simple_format(fmt)) {
        size_t len = sb->len;
        va_start(ap, fmt);
        fast_printf(sb, fmt, ap);
        va_end(ap);
        if (sb->overflow) { /* as vsnprintf's failure: nothing of it kept */
            sb->len = len;
            sb->buf[len] = '\0';
        }
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sb->size - sb->len) {
        sb->overflow = true;
        sb->buf[sb->len] = '\0';
        return;
    }
    sb->len += (size_t)n;
}

int st_sb_result(const struct st_sb *sb)
{
    return sb->overflow ? -1 : (int)sb->len;
}
