#include "strbuf.h"

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

void st_sb_printf(struct st_sb *sb, const char *fmt, ...)
{
    va_list ap;

    if (sb->overflow)
        return;
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
