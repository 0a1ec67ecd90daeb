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
    size_t page = (size_t)sysconf(_SC_PAGESIZE), to = done ? r->len : off / page * page;
    st_json_drop(r->text + r->dropped, to - r->dropped);
    r->dropped = done ? 0 : to; /* done: a next walk starts from the beginning */
}

/* Past the container opening at s[i]; 0 when it does not end, or holds
 * what only json-c knows (a comment, a single-quoted string). With r, a
 * mapped text's pages behind are given back between its elements. */
static size_t skip_container(struct st_run_json *r, const char *s, size_t i, size_t n)
{
    size_t depth = 0;
    while (i < n) {
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

/* The top-level object's member key (its quoted form, kn bytes) when its
 * value is an array: its bounds. false when the walk cannot read the text
 * (json-c reads it whole). */
static bool find_array(struct st_run_json *r, const char *key, size_t kn, size_t *at, size_t *end)
{
    const char *s = r->text;
    size_t n = r->len;
    size_t i = skip_ws(s, 0, n);
    bool found = false;
    if (i >= n || s[i] != '{')
        return false;
    i = skip_ws(s, i + 1, n);
    while (i < n && s[i] == '"') {
        size_t k = i, key_end = skip_string(s, i, n);
        if (!key_end || (i = skip_ws(s, key_end, n)) >= n || s[i] != ':')
            return false;
        i = skip_ws(s, i + 1, n);
        size_t v_end = skip_value(r, s, i, n);
        if (!v_end)
            return false;
        if (key_end - k == kn && !memcmp(s + k, key, kn)) {
            found = s[i] == '['; /* json-c keeps the last of a repeated key: so here */
            *at = i;
            *end = v_end;
        }
        i = skip_ws(s, v_end, n);
        if (i >= n || s[i] != ',')
            break;
        i = skip_ws(s, i + 1, n);
    }
    return found && i < n && s[i] == '}';
}

/* The hosts array's elements counted, as each_host will walk them. */
static bool count_hosts(struct st_run_json *r)
{
    size_t pos = r->hosts_at + 1, from, to, i = 0;
    bool bad = false;
    r->dropped = 0; /* a walk again over what find_array walked */
    while (next_elem(r->text, r->hosts_end, &pos, i, &from, &to, &bad)) {
        drop_behind(r, to, false);
        i++;
    }
    drop_behind(r, 0, true);
    r->nhosts = i;
    return !bad;
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
    snprintf(r->why, sizeof r->why, "line %zu: %s", line_of(r->text, stop), reason);
}

static int split_parse(struct st_run_json *r, const char *text, size_t len, const char *key,
                       bool mapped);

int st_run_json_parse(struct st_run_json *r, const char *text, size_t len)
{
    return split_parse(r, text, len, "hosts", false);
}

int st_run_json_parse_mapped(struct st_run_json *r, const char *text, size_t len)
{
    return split_parse(r, text, len, "hosts", true);
}

int st_json_split_parse(struct st_run_json *r, const char *text, size_t len, const char *key)
{
    return split_parse(r, text, len, key, false);
}

static int split_parse(struct st_run_json *r, const char *text, size_t len, const char *key,
                       bool mapped)
{
    char quoted[64];
    int kn = snprintf(quoted, sizeof quoted, "\"%s\"", key);
    memset(r, 0, sizeof *r);
    r->mapped = mapped;
    r->key = key;
    r->text = text;
    r->len = len;
    if (skip_ws(text, 0, len) == len) {
        snprintf(r->why, sizeof r->why, "empty file");
        return -1;
    }
    r->split = kn > 0 && (size_t)kn < sizeof quoted &&
               find_array(r, quoted, (size_t)kn, &r->hosts_at, &r->hosts_end) && count_hosts(r);
    /* split: the text up to the array's '[' and from its ']', no copy */
    struct piece pc[2] = {{text, len}, {NULL, 0}};
    if (r->split) {
        pc[0].n = r->hosts_at + 1;
        pc[1] = (struct piece){text + r->hosts_end - 1, len - (r->hosts_end - 1)};
    }
    size_t stop;
    json_tokener *tok = json_tokener_new();
    bool ok;
    const char *reason;
    r->doc = parse_pieces(tok, pc, r->split ? 2 : 1, &ok, &stop, &reason);
    json_tokener_free(tok);
    if (!ok) {
        /* past the emptied array, the offsets are the text's less its elements */
        if (r->split && stop >= r->hosts_at + 1)
            stop += r->hosts_end - r->hosts_at - 2;
        say_why(r, stop, reason);
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
