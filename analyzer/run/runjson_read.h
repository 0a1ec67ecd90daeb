/*
 * run.json's text, read in two parts: every member but the hosts as one
 * json-c document, and the "hosts" array one element at a time. A sweep's
 * run.json is a verdict per host (a /16's: 12 MB); parsed whole, json-c
 * made an object and a hash table of each (100 MB, a third of a second of
 * a /16's compare, before any frame was read; a /8's would not fit in
 * memory). Read so, a host's objects are freed before the next is made.
 */
#ifndef ST_RUNJSON_READ_H
#define ST_RUNJSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct st_run_json {
    const char *key; /* the array split off: "hosts" in run.json */
    /* every member; "hosts", when it is split off, an empty array */
    json_object *doc;
    const char *text; /* the file's text (borrowed from the caller) */
    size_t len;
    /* where the hosts array's elements are in text (nhosts of them), or
     * split false: the text was not read so (json-c's extensions, comments
     * and single quotes, or no "hosts" array) and doc holds them all */
    bool split;
    size_t hosts_at, hosts_end, nhosts;
    bool mapped;       /* text is st_json_map's: walked pages are given back */
    size_t dropped;    /* mapped: text before this offset given back so far */
    const char *whole; /* the text this one is a part of (st_json_split_parse_part), or NULL */
    char why[160];     /* the reason, when parse or each_host fail */
};

/* Parse text (len bytes, no NUL needed; kept by the caller until free).
 * 0, or -1 when it is not JSON, with a one-line reason (its line) in why. */
int st_run_json_parse(struct st_run_json *r, const char *text, size_t len);

/* The same for text mapped by st_json_map: the hosts' pages are given back
 * behind the walk (and after each_host's), so that a run.json of gigabytes
 * (a sharded /8's) is never resident whole; the caller touches no element
 * text itself. */
int st_run_json_parse_mapped(struct st_run_json *r, const char *text, size_t len);

/* The same for any JSON object, splitting off its member key (an array,
 * up to 60 bytes): report.json's "packets", which diff does not read. */
int st_json_split_parse(struct st_run_json *r, const char *text, size_t len, const char *key);

/*
 * The same for the object at whole[from..to) (a file's text, or an element
 * of an array in it: report.json's modes, each with its hosts), splitting
 * off its member key and leaving out its member skip (NULL: none) unread.
 * A reason's line is counted in whole. mapped: whole is st_json_map's, and
 * its pages are given back behind the walks (never for other memory:
 * given back, anonymous pages read as zeros).
 */
int st_json_split_parse_part(struct st_run_json *r, const char *whole, size_t from, size_t to,
                             const char *key, const char *skip, bool mapped);

/* fn with each element of the split array in turn, as its bounds in
 * r->text (not parsed). 0, fn's nonzero return, or -1 when the array cannot
 * be walked (r->split false: json-c read it whole). */
int st_json_each_part(struct st_run_json *r, int (*fn)(size_t from, size_t to, size_t i, void *ctx),
                      void *ctx);

/* fn with each element of the hosts array in turn (borrowed: freed after
 * fn returns), and its index. 0; fn's nonzero return; or -1 when an element
 * is not JSON (the reason in r->why). */
int st_run_json_each_host(struct st_run_json *r, int (*fn)(json_object *h, size_t i, void *ctx),
                          void *ctx);

/* The number of elements in the hosts array (0 when it is not an array). */
size_t st_run_json_nhosts(const struct st_run_json *r);

void st_run_json_free(struct st_run_json *r);

/* path's text mapped read-only (an empty file: ""), or false with the
 * reason in why; st_json_unmap() gives it back. */
bool st_json_map(const char *path, const char **text, size_t *len, char *why, size_t whysz);
void st_json_unmap(const char *text, size_t len);
/* A mapping's pages given back to the page cache; touched again, they are
 * read again from the file. */
void st_json_drop(const char *text, size_t len);

#endif
