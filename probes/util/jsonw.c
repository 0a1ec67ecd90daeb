#include "jsonw.h"

#include <math.h>
#include <string.h>

void st_jw_init(struct st_jw *w, FILE *f, bool spaced)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->spaced = spaced;
}

/* The writer runs on one thread per stream: stdio's unlocked calls spare a
 * lock per character (a sweep's report.json is tens of megabytes). */
static void indent(FILE *f, int n)
{
    static const char spaces[2 * ST_JW_MAX_DEPTH] =
        "                                                                ";
    fwrite_unlocked(spaces, 1, (size_t)(2 * n), f);
}

/* What precedes any value: inside a container, the separator from the
 * member before (an opening bracket is followed by a newline already) and
 * the indentation; inside an object, the key. */
static void member(struct st_jw *w, const char *key)
{
    if (w->depth > 0) {
        uint64_t bit = 1ull << (w->depth - 1);
        if (w->used & bit)
            fputs_unlocked(",\n", w->f);
        w->used |= bit;
        indent(w->f, w->depth);
    }
    if (key) {
        fputc_unlocked('"', w->f);
        st_jw_escaped(w->f, key);
        fputs_unlocked(w->spaced ? "\": " : "\":", w->f);
    }
}

static void open_container(struct st_jw *w, const char *key, char open)
{
    member(w, key);
    fputc_unlocked(open, w->f);
    fputc_unlocked('\n', w->f);
    if (w->depth < ST_JW_MAX_DEPTH)
        w->depth++;
    w->used &= ~(1ull << (w->depth - 1));
}

void st_jw_object(struct st_jw *w, const char *key)
{
    open_container(w, key, '{');
}

void st_jw_array(struct st_jw *w, const char *key)
{
    open_container(w, key, '[');
}

void st_jw_end(struct st_jw *w, char close)
{
    if (w->depth == 0)
        return;
    uint64_t bit = 1ull << (w->depth - 1);
    w->depth--;
    if (w->used & bit)
        fputc_unlocked('\n', w->f);
    indent(w->f, w->depth);
    fputc_unlocked(close, w->f);
}

void st_jw_escaped(FILE *f, const char *s)
{
    static const char special[] = "\b\n\r\t\f\"\\", letter[] = "bnrtf\"\\";
    static const char hex[] = "0123456789abcdef";
    /* what needs escaping: the specials and every other control character */
    static const char reject[] = "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e"
                                 "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                 "\x1d\x1e\x1f";
    const char *p = s;
    for (;;) {
        size_t n = strcspn(p, reject);
        fwrite_unlocked(p, 1, n, f);
        p += n;
        if (!*p)
            return;
        const char *k = strchr(special, *p);
        if (k) {
            fputc_unlocked('\\', f);
            fputc_unlocked(letter[k - special], f);
        } else {
            fprintf(f, "\\u00%c%c", hex[(unsigned char)*p >> 4], hex[*p & 0xf]);
        }
        p++;
    }
}

void st_jw_string(struct st_jw *w, const char *key, const char *s)
{
    member(w, key);
    fputc_unlocked('"', w->f);
    st_jw_escaped(w->f, s ? s : "");
    fputc_unlocked('"', w->f);
}

void st_jw_int(struct st_jw *w, const char *key, int64_t v)
{
    member(w, key);
    fprintf(w->f, "%lld", (long long)v);
}

void st_jw_bool(struct st_jw *w, const char *key, bool v)
{
    member(w, key);
    fputs_unlocked(v ? "true" : "false", w->f);
}

void st_jw_null(struct st_jw *w, const char *key)
{
    member(w, key);
    fputs_unlocked("null", w->f);
}

void st_jw_double(struct st_jw *w, const char *key, double v)
{
    char buf[64];
    member(w, key);
    if (isnan(v)) {
        fputs_unlocked("NaN", w->f);
        return;
    }
    if (isinf(v)) {
        fputs_unlocked(v > 0 ? "Infinity" : "-Infinity", w->f);
        return;
    }
    snprintf(buf, sizeof buf, "%.17g", v);
    if (!strchr(buf, '.') && !strchr(buf, 'e'))
        strcat(buf, ".0");
    fputs_unlocked(buf, w->f);
}

void st_jw_number(struct st_jw *w, const char *key, const char *text)
{
    member(w, key);
    fputs_unlocked(text, w->f);
}
