/*
 * A bounded string builder over a caller's buffer. Appends past the end are
 * dropped and remembered, so a formatter writes straight through and checks
 * once at the end.
 */
#ifndef ST_STRBUF_H
#define ST_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct st_sb {
    char *buf;
    size_t size;
    size_t len;
    bool overflow;
};

void st_sb_init(struct st_sb *sb, char *buf, size_t size);
void st_sb_puts(struct st_sb *sb, const char *s);
void st_sb_printf(struct st_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The length written, or -1 when something did not fit. */
int st_sb_result(const struct st_sb *sb);

/* The plural "s" of a count's noun: "1 frame", "2 frames". */
#define ST_S(n) ((n) == 1 ? "" : "s")

#endif
