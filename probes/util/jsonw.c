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

/* What needs escaping (1): the quote, the backslash, every control
 * character; and the end (2). A table, not strcspn(): with 33 bytes to
 * reject glibc builds its own table at every call (a /16's report.json
 * spent 5% of compare there). */
static const unsigned char escape_of[256] = {
    [0] = 2,  [1] = 1,  [2] = 1,  [3] = 1,  [4] = 1,  [5] = 1,   [6] = 1,    [7] = 1,  [8] = 1,
    [9] = 1,  [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,  [15] = 1,   [16] = 1, [17] = 1,
    [18] = 1, [19] = 1, [20] = 1, [21] = 1, [22] = 1, [23] = 1,  [24] = 1,   [25] = 1, [26] = 1,
    [27] = 1, [28] = 1, [29] = 1, [30] = 1, [31] = 1, ['"'] = 1, ['\\'] = 1,
};

void st_jw_escaped(FILE *f, const char *s)
{
    static const char special[] = "\b\n\r\t\f\"\\", letter[] = "bnrtf\"\\";
    static const char hex[] = "0123456789abcdef";
    const char *p = s;
    for (;;) {
        const char *q = p;
        while (!escape_of[(unsigned char)*q])
            q++;
        fwrite_unlocked(p, 1, (size_t)(q - p), f);
        p = q;
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
    /* by hand, not fprintf: reports print millions (a line and a frame
     * number per packet) */
    char buf[24], *e = buf + sizeof buf, *d = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--d = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--d = '-';
    member(w, key);
    fwrite_unlocked(d, 1, (size_t)(e - d), w->f);
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
