/*
 * run.json in two parts (runjson_read.h). The text is walked once to find the
 * top-level "hosts" array and its elements' bounds (strings, brackets,
 * commas: no value is made); json-c then parses the rest with that array
 * left empty, and each element when it is asked for. What the walk does not
 * know (json-c's comments and single quotes, an escaped key) is left to
 * json-c whole, as before. Unlike json_object_from_file, text after the
 * document is refused (a file written twice over is not one run).
 */
#include "runjson_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK ((size_t)1 << 30) /* json-c takes an int length */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* Past the string opening at s[i], or 0 when it does not end. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* Text of a mapped file walked so far before its pages are given back. */
#define DROP_BEHIND (16u << 20)

/* A mapped text's pages before offset off given back (all, when done), in
 * steps of DROP_BEHIND: its resident part stays that small. */
static void drop_behind(struct st_run_json *r, size_t off, bool done)
{
    if (!r->mapped || (!done && (off < r->dropped || off - r->dropped < DROP_BEHIND)))
        return;
    /* the text may be a part of the mapping (a report's mode): its pages
     * are the mapping's, whole ones below the walk's point */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = (uintptr_t)(r->text + r->dropped) / page * page;
    uintptr_t to = (uintptr_t)(r->text + (done ? r->len : off)) / page * page;
    if (done)
        to = (uintptr_t)(r->text + r->len);
    if (to > from)
        st_json_drop((const char *)from, to - from);
    r->dropped = done ? 0 : off; /* done: a next walk starts from the beginning */
}

/* Past the container opening at s[i]; 0 when it does not end, or holds
 * what only json-c knows (a comment, a single-quoted string). With r, a
 * mapped text's pages behind are given back between its elements. */
static size_t skip_container(struct st_run_json *r, const char *s, size_t i, size_t n)
{
    /* the bytes the walk stops at; it passes over the others in a loop of its own */
    static const bool stop[256] = {
        ['"'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1, [','] = 1, ['/'] = 1, ['\''] = 1};
    size_t depth = 0;
    while (i < n) {
        while (i < n && !stop[(unsigned char)s[i]])
            i++;
        if (i == n)
            break;
        char c = s[i];
        if (c == '"') {
            if (!(i = skip_string(s, i, n)))
                return 0;
            continue;
        }
        if (c == '/' || c == '\'')
            return 0;
        if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
        else if (r && depth == 1 && c == ',')
            drop_behind(r, i, false);
        i++;
    }
    return 0;
}

/* Past the value at s[i] (its syntax is json-c's to check), or 0. */
static size_t skip_value(struct st_run_json *r, const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[')
        return skip_container(r, s, i, n);
    size_t start = i;
    for (; i < n; i++) {
        char c = s[i];
        if (is_ws(c) || c == ',' || c == '}' || c == ']')
            break;
        if (c == '/' || c == '\'' || c == '"' || c == '{' || c == '[')
            return 0;
    }
    return i > start ? i : 0;
}

/* The next element of an array ending at end, walked from *pos (past its
 * '[' for element 0, past the element before for the others): its bounds.
 * false at the array's end, and with *bad on what the walk cannot read. */
static bool next_elem(const char *s, size_t end, size_t *pos, size_t i, size_t *from, size_t *to,
                      bool *bad)
{
    size_t p = skip_ws(s, *pos, end);
    if (p < end && s[p] == ']')
        return false;
    if (i > 0) {
        if (p >= end || s[p] != ',')
            return (*bad = true), false;
        p = skip_ws(s, p + 1, end);
    }
    size_t e = skip_value(NULL, s, p, end);
    if (!e)
        return (*bad = true), false;
    *from = p;
    *to = *pos = e;
    return true;
}

/* The elements of the array opening at s[at] counted (the walk each_host
 * makes, every element a value, commas between): past its ']', or 0 when
 * the walk cannot read it. Pages behind are given back as it goes. */
static size_t count_elems(struct st_run_json *r, size_t at, size_t *count)
{
    size_t pos = at + 1, from, to, i = 0;
    bool bad = false;
    while (next_elem(r->text, r->len, &pos, i, &from, &to, &bad)) {
        drop_behind(r, to, false);
        i++;
    }
    size_t p = skip_ws(r->text, pos, r->len);
    if (bad || p >= r->len || r->text[p] != ']')
        return 0;
    *count = i;
    return p + 1;
}

/* What find_arrays looks for: a top-level member (its quoted name, n bytes;
 * n 0: none) whose value is an array, counted when count is set. */
struct wanted {
    const char *quoted;
    size_t n;
    bool count;
    bool found;
    size_t at, end, elems;
};

/* The top-level object's members walked once, the wanted ones' arrays
 * found (json-c keeps the last of a repeated key: so here). false when the
 * walk cannot read the text (json-c reads it whole). */
static bool find_arrays(struct st_run_json *r, struct wanted *w, size_t nw)
{
    const char *s = r->text;
    size_t n = r->len;
    size_t i = skip_ws(s, 0, n);
    if (i >= n || s[i] != '{')
        return false;
    i = skip_ws(s, i + 1, n);
    while (i < n && s[i] == '"') {
        size_t k = i, key_end = skip_string(s, i, n);
        if (!key_end || (i = skip_ws(s, key_end, n)) >= n || s[i] != ':')
            return false;
        i = skip_ws(s, i + 1, n);
        struct wanted *hit = NULL;
        for (size_t j = 0; j < nw; j++)
            if (w[j].n && key_end - k == w[j].n && !memcmp(s + k, w[j].quoted, w[j].n))
                hit = &w[j];
        size_t v_end = hit && hit->count && i < n && s[i] == '[' ? count_elems(r, i, &hit->elems)
                                                                 : skip_value(r, s, i, n);
        if (!v_end)
            return false;
        if (hit) {
            hit->found = s[i] == '[';
            hit->at = i;
            hit->end = v_end;
        }
        i = skip_ws(s, v_end, n);
        if (i >= n || s[i] != ',')
            break;
        i = skip_ws(s, i + 1, n);
    }
    drop_behind(r, 0, true);
    return i < n && s[i] == '}';
}

static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + off - p))); p++)
        line++;
    return line;
}

/* A part of the text json-c reads, the parts one after the other. */
struct piece {
    const char *s;
    size_t n;
};

/* Whether nothing but white space follows offset off of piece p. */
static bool only_ws_after(const struct piece *pc, size_t np, size_t p, size_t off)
{
    for (; p < np; p++, off = 0)
        if (skip_ws(pc[p].s, off, pc[p].n) != pc[p].n)
            return false;
    return true;
}

/*
 * The pieces parsed by json-c as one text, in chunks, then its end (a
 * number ends only there). *ok with the value (NULL is JSON's null), else
 * the reason and the offset where json-c stopped (in the pieces joined) in
 * *stop. A value followed by more than white space is not one value
 * (json-c alone would take the first).
 */
static json_object *parse_pieces(json_tokener *tok, const struct piece *pc, size_t np, bool *ok,
                                 size_t *stop, const char **reason)
{
    json_tokener_reset(tok);
    json_object *o = NULL;
    enum json_tokener_error e = json_tokener_continue;
    size_t done = 0, p, off = 0;
    for (p = 0; p < np; p++) {
        for (off = 0; off < pc[p].n && e == json_tokener_continue;) {
            size_t k = pc[p].n - off < CHUNK ? pc[p].n - off : CHUNK;
            o = json_tokener_parse_ex(tok, pc[p].s + off, (int)k);
            e = json_tokener_get_error(tok);
            off += e == json_tokener_continue ? k : json_tokener_get_parse_end(tok);
        }
        if (e != json_tokener_continue)
            break;
        done += pc[p].n;
    }
    if (e == json_tokener_continue) {
        o = json_tokener_parse_ex(tok, "", 1);
        e = json_tokener_get_error(tok);
    }
    *stop = p < np ? done + off : done;
    *ok = e == json_tokener_success && only_ws_after(pc, np, p, off);
    *reason = e != json_tokener_success ? json_tokener_error_desc(e) : "more than one value";
    if (!*ok && o) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

/* The reason json-c gives at offset stop of the text (its line). */
static void say_why(struct st_run_json *r, size_t stop, const char *reason)
{
    const char *whole = r->whole ? r->whole : r->text;
    snprintf(r->why, sizeof r->why, "line %zu: %s",
             line_of(whole, (size_t)(r->text - whole) + stop), reason);
}

/* What split_parse reads text as. */
struct split {
    const char *key;  /* the array split off (r->hosts_at...) */
    const char *skip; /* an array left out, never parsed; NULL none */
    bool mapped;
    const char *whole; /* the text text is a part of (lines are counted there), or NULL */
};

static int split_parse(struct st_run_json *r, const char *text, size_t len,
                       const struct split *how);

int st_run_json_parse(struct st_run_json *r, const char *text, size_t len)
{
    return split_parse(r, text, len, &(struct split){"hosts", NULL, false, NULL});
}

int st_run_json_parse_mapped(struct st_run_json *r, const char *text, size_t len)
{
    return split_parse(r, text, len, &(struct split){"hosts", NULL, true, NULL});
}

int st_json_split_parse(struct st_run_json *r, const char *text, size_t len, const char *key)
{
    return split_parse(r, text, len, &(struct split){key, NULL, false, NULL});
}

int st_json_split_parse_part(struct st_run_json *r, const char *whole, size_t from, size_t to,
                             const char *key, const char *skip, bool mapped)
{
    return split_parse(r, whole + from, to - from, &(struct split){key, skip, mapped, whole});
}

/* The quoted form of key, or 0 when it is too long to be looked for. */
static size_t quote(const char *key, char q[64])
{
    int n = snprintf(q, 64, "\"%s\"", key);
    return n > 0 && n < 64 ? (size_t)n : 0;
}

/* The text's pieces json-c reads: all of it but the elements of the split
 * array and of the skipped one (at most two gaps), in order. How many. */
static size_t pieces_of(const struct st_run_json *r, size_t skip_at, size_t skip_end,
                        struct piece pc[3])
{
    size_t gaps[2][2], ng = 0, np = 0, from = 0;
    if (r->split)
        gaps[ng][0] = r->hosts_at, gaps[ng++][1] = r->hosts_end;
    if (skip_end) {
        gaps[ng][0] = skip_at, gaps[ng][1] = skip_end;
        if (ng && skip_at < r->hosts_at) { /* in text order */
            gaps[1][0] = gaps[0][0], gaps[1][1] = gaps[0][1];
            gaps[0][0] = skip_at, gaps[0][1] = skip_end;
        }
        ng++;
    }
    for (size_t g = 0; g < ng; g++) {
        pc[np++] = (struct piece){r->text + from, gaps[g][0] + 1 - from}; /* to its '[' */
        from = gaps[g][1] - 1;                                            /* from its ']' */
    }
    pc[np++] = (struct piece){r->text + from, r->len - from};
    return np;
}

/* An offset in the pieces joined, as an offset in the text. */
static size_t text_offset(const struct piece *pc, size_t np, const char *text, size_t stop)
{
    for (size_t p = 0; p < np; p++) {
        if (stop < pc[p].n || p + 1 == np)
            return (size_t)(pc[p].s - text) + stop;
        stop -= pc[p].n;
    }
    return stop;
}

static int split_parse(struct st_run_json *r, const char *text, size_t len, const struct split *how)
{
    char quoted[64], qskip[64];
    size_t kn = quote(how->key, quoted), sn = how->skip ? quote(how->skip, qskip) : 0;
    memset(r, 0, sizeof *r);
    r->mapped = how->mapped;
    r->key = how->key;
    r->text = text;
    r->len = len;
    r->whole = how->whole;
    if (skip_ws(text, 0, len) == len) {
        snprintf(r->why, sizeof r->why, "empty file");
        return -1;
    }
    struct wanted w[2] = {{quoted, kn, true, false, 0, 0, 0}, {qskip, sn, false, false, 0, 0, 0}};
    bool walked = find_arrays(r, w, 2);
    r->split = walked && w[0].found;
    if (r->split) {
        r->hosts_at = w[0].at;
        r->hosts_end = w[0].end;
        r->nhosts = w[0].elems;
    }
    size_t skip_at = walked && w[1].found ? w[1].at : 0;
    size_t skip_end = walked && w[1].found ? w[1].end : 0;
    /* the text but the arrays' elements, no copy */
    struct piece pc[3];
    size_t np = pieces_of(r, skip_at, skip_end, pc);
    size_t stop;
    json_tokener *tok = json_tokener_new();
    bool ok;
    const char *reason;
    r->doc = parse_pieces(tok, pc, np, &ok, &stop, &reason);
    json_tokener_free(tok);
    if (!ok) {
        say_why(r, text_offset(pc, np, text, stop), reason);
        return -1;
    }
    return 0;
}

/* The hosts of a document json-c read whole. */
static json_object *doc_hosts(const struct st_run_json *r)
{
    json_object *h;
    return json_object_is_type(r->doc, json_type_object) &&
                   json_object_object_get_ex(r->doc, r->key, &h) &&
                   json_object_is_type(h, json_type_array)
               ? h
               : NULL;
}

size_t st_run_json_nhosts(const struct st_run_json *r)
{
    json_object *h = r->split ? NULL : doc_hosts(r);
    return r->split ? r->nhosts : h ? json_object_array_length(h) : 0;
}

int st_run_json_each_host(struct st_run_json *r, int (*fn)(json_object *h, size_t i, void *ctx),
                          void *ctx)
{
    int rc = 0;
    if (!r->split) {
        json_object *a = doc_hosts(r);
        for (size_t i = 0; !rc && a && i < json_object_array_length(a); i++)
            rc = fn(json_object_array_get_idx(a, i), i, ctx);
        return rc;
    }
    json_tokener *tok = json_tokener_new();
    size_t pos = r->hosts_at + 1, from, to, stop;
    bool bad = false, ok;
    const char *reason;
    for (size_t i = 0; !rc && next_elem(r->text, r->hosts_end, &pos, i, &from, &to, &bad); i++) {
        struct piece pc = {r->text + from, to - from};
        json_object *h = parse_pieces(tok, &pc, 1, &ok, &stop, &reason);
        if (!ok) {
            say_why(r, from + stop, reason);
            rc = -1;
            break;
        }
        rc = fn(h, i, ctx);
        drop_behind(r, to, false);
        json_object_put(h);
    }
    json_tokener_free(tok);
    drop_behind(r, 0, true);
    return rc;
}

int st_json_each_part(struct st_run_json *r, int (*fn)(size_t from, size_t to, size_t i, void *ctx),
                      void *ctx)
{
    if (!r->split)
        return -1;
    size_t pos = r->hosts_at + 1, from, to;
    bool bad = false;
    int rc = 0;
    for (size_t i = 0; !rc && next_elem(r->text, r->hosts_end, &pos, i, &from, &to, &bad); i++)
        rc = fn(from, to, i, ctx);
    return rc ? rc : bad ? -1 : 0;
}

void st_run_json_free(struct st_run_json *r)
{
    json_object_put(r->doc);
    r->doc = NULL;
}

bool st_json_map(const char *path, const char **text, size_t *len, char *why, size_t whysz)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    errno = 0;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(why, whysz, "%s", fd < 0 || errno ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return false;
    }
    *len = (size_t)sb.st_size;
    void *map = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : (void *)"";
    int err = errno;
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(why, whysz, "%s", strerror(err));
        return false;
    }
    *text = map;
    return true;
}

void st_json_unmap(const char *text, size_t len)
{
    if (len)
        munmap((void *)(uintptr_t)text, len);
}

void st_json_drop(const char *text, size_t len)
{
    if (len)
        madvise((void *)(uintptr_t)text, len, MADV_DONTNEED);
}
