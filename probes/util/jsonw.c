#include "jsonw.h"

#include <math.h>
#include <string.h>

void st_jw_init(struct st_jw *w, FILE *f, bool spaced)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->spaced = spaced;
}

static void indent(FILE *f, int n)
{
    for (int i = 0; i < n; i++)
        fputs("  ", f);
}

/* What precedes any value: inside a container, the separator from the
 * member before (an opening bracket is followed by a newline already) and
 * the indentation; inside an object, the key. */
static void member(struct st_jw *w, const char *key)
{
    if (w->depth > 0) {
        uint64_t bit = 1ull << (w->depth - 1);
        if (w->used & bit)
            fputs(",\n", w->f);
        w->used |= bit;
        indent(w->f, w->depth);
    }
    if (key) {
        fputc('"', w->f);
        st_jw_escaped(w->f, key);
        fputs(w->spaced ? "\": " : "\":", w->f);
    }
}

static void open_container(struct st_jw *w, const char *key, char open)
{
    member(w, key);
    fputc(open, w->f);
    fputc('\n', w->f);
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
        fputc('\n', w->f);
    indent(w->f, w->depth);
    fputc(close, w->f);
}

void st_jw_escaped(FILE *f, const char *s)
{
    static const char special[] = "\b\n\r\t\f\"\\", letter[] = "bnrtf\"\\";
    static const char hex[] = "0123456789abcdef";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *k = strchr(special, *p);
        if (k)
            fprintf(f, "\\%c", letter[k - special]);
        else if (*p < ' ')
            fprintf(f, "\\u00%c%c", hex[*p >> 4], hex[*p & 0xf]);
        else
            fputc(*p, f);
    }
}

void st_jw_string(struct st_jw *w, const char *key, const char *s)
{
    member(w, key);
    fputc('"', w->f);
    st_jw_escaped(w->f, s ? s : "");
    fputc('"', w->f);
}

void st_jw_int(struct st_jw *w, const char *key, int64_t v)
{
    member(w, key);
    fprintf(w->f, "%lld", (long long)v);
}

void st_jw_bool(struct st_jw *w, const char *key, bool v)
{
    member(w, key);
    fputs(v ? "true" : "false", w->f);
}

void st_jw_null(struct st_jw *w, const char *key)
{
    member(w, key);
    fputs("null", w->f);
}

void st_jw_double(struct st_jw *w, const char *key, double v)
{
    char buf[64];
    member(w, key);
    if (isnan(v)) {
        fputs("NaN", w->f);
        return;
    }
    if (isinf(v)) {
        fputs(v > 0 ? "Infinity" : "-Infinity", w->f);
        return;
    }
    snprintf(buf, sizeof buf, "%.17g", v);
    if (!strchr(buf, '.') && !strchr(buf, 'e'))
        strcat(buf, ".0");
    fputs(buf, w->f);
}

void st_jw_number(struct st_jw *w, const char *key, const char *text)
{
    member(w, key);
    fputs(text, w->f);
}
