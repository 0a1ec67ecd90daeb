#include "textfile.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* A UTF-16 file read through a cookie stream: code units in, UTF-8 out. */
struct utf16 {
    FILE *f;
    bool big_endian;
    uint8_t pend[4]; /* the UTF-8 of a character the last read had no room for */
    uint8_t npend, off;
};

/* The next code unit, or -1 at the end (an odd last byte is dropped). */
static int32_t unit(struct utf16 *u)
{
    int a = getc(u->f), b = a == EOF ? EOF : getc(u->f);
    if (b == EOF)
        return -1;
    return u->big_endian ? a << 8 | b : b << 8 | a;
}

static uint8_t utf8(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80)
        return out[0] = (uint8_t)cp, 1;
    if (cp < 0x800)
        return out[0] = (uint8_t)(0xc0 | cp >> 6), out[1] = (uint8_t)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* The next character: a surrogate pair joined, a lone surrogate U+FFFD. */
static int32_t character(struct utf16 *u)
{
    int32_t w = unit(u);
    if (w < 0xd800 || w >= 0xe000)
        return w;
    if (w >= 0xdc00)
        return 0xfffd;
    int32_t lo = unit(u);
    if (lo < 0xdc00 || lo >= 0xe000)
        return 0xfffd;
    return 0x10000 + ((w - 0xd800) << 10) + (lo - 0xdc00);
}

static ssize_t utf16_read(void *cookie, char *buf, size_t size)
{
    struct utf16 *u = cookie;
    size_t n = 0;
    while (n < size) {
        if (u->off < u->npend) {
            buf[n++] = (char)u->pend[u->off++];
            continue;
        }
        int32_t cp = character(u);
        if (cp < 0)
            break;
        u->npend = utf8((uint32_t)cp, u->pend);
        u->off = 0;
    }
    return !n && ferror(u->f) ? -1 : (ssize_t)n;
}

static int utf16_close(void *cookie)
{
    struct utf16 *u = cookie;
    int rc = fclose(u->f);
    free(u);
    return rc;
}

static FILE *utf16_stream(FILE *f, bool big_endian)
{
    struct utf16 *u = calloc(1, sizeof *u);
    if (!u) {
        fclose(f);
        return NULL;
    }
    u->f = f;
    u->big_endian = big_endian;
    FILE *s =
        fopencookie(u, "r", (cookie_io_functions_t){.read = utf16_read, .close = utf16_close});
    if (!s)
        utf16_close(u);
    return s;
}

FILE *st_text_fopen(const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    int a = getc(f), b = a == EOF ? EOF : getc(f);
    if ((a == 0xff && b == 0xfe) || (a == 0xfe && b == 0xff))
        return utf16_stream(f, a == 0xfe);
    int c = a == 0xef && b == 0xbb ? getc(f) : EOF;
    if (c == 0xbf)
        return f; /* UTF-8's mark, skipped */
    /* not a mark: the bytes go back (glibc takes several back, a pipe too) */
    if (c != EOF)
        ungetc(c, f);
    if (b != EOF)
        ungetc(b, f);
    if (a != EOF)
        ungetc(a, f);
    return f;
}

/* The end of an escape sequence starting at s[i] (an ESC): CSI ("\e[" then
 * parameters up to a final byte 0x40-0x7e), OSC ("\e]" up to BEL or "\e\\"),
 * or ESC and one more byte. *erase is set for CSI's "erase to the end of
 * the line" (K, its parameter 0 or none). */
static size_t escape_end(const char *s, size_t i, size_t n, bool *erase)
{
    *erase = false;
    if (i + 1 >= n)
        return n;
    if (s[i + 1] == '[') {
        size_t j = i + 2;
        while (j < n && ((unsigned char)s[j] < 0x40 || (unsigned char)s[j] > 0x7e))
            j++;
        if (j < n && s[j] == 'K' && (j == i + 2 || (j == i + 3 && s[i + 2] == '0')))
            *erase = true;
        return j < n ? j + 1 : n;
    }
    if (s[i + 1] == ']') {
        for (size_t j = i + 2; j < n; j++) {
            if (s[j] == '\a')
                return j + 1;
            if (s[j] == 0x1b && j + 1 < n && s[j + 1] == '\\')
                return j + 2;
        }
        return n;
    }
    return i + 2;
}

size_t st_text_screen_line(char *line, size_t n)
{
    size_t end = n; /* the text, without its line end */
    bool nl = end && line[end - 1] == '\n';
    if (nl)
        end--;
    while (end && line[end - 1] == '\r')
        end--;
    size_t i = 0;
    while (i < end && line[i] != 0x1b && line[i] != '\r' && line[i] != '\b')
        i++;
    if (i == end)
        return n; /* plain text (its CRLF read as it always was) */
    /* a cursor over the line: what is written lands at its column, so the
     * screen shows the last text written at each column (the overlay is
     * never longer than the line: written in place, behind the reading) */
    size_t col = i, len = i;
    while (i < end) {
        char c = line[i];
        if (c == 0x1b) {
            bool erase;
            i = escape_end(line, i, end, &erase);
            if (erase)
                len = col;
            continue;
        }
        i++;
        if (c == '\r')
            col = 0;
        else if (c == '\b')
            col -= col > 0;
        else {
            line[col++] = c;
            if (col > len)
                len = col;
        }
    }
    if (nl)
        line[len++] = '\n';
    line[len] = 0;
    return len;
}
