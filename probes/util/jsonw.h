/*
 * A streaming JSON writer: documents of any size written as they are
 * produced, in constant memory, laid out exactly as json-c's
 * JSON_C_TO_STRING_PRETTY (| JSON_C_TO_STRING_SPACED) with
 * JSON_C_TO_STRING_NOSLASHESCAPE lays them out, so a report written by
 * either reads the same, byte for byte. `key` is the member's name inside
 * an object and NULL inside an array or for the document itself.
 */
#ifndef ST_JSONW_H
#define ST_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ST_JW_MAX_DEPTH 32

struct st_jw {
    FILE *f;
    bool spaced;   /* "key": value, as json-c's SPACED (else "key":value) */
    int depth;     /* containers open */
    uint64_t used; /* bit d: the container at depth d has a member */
};

void st_jw_init(struct st_jw *w, FILE *f, bool spaced);
void st_jw_object(struct st_jw *w, const char *key);
void st_jw_array(struct st_jw *w, const char *key);
/* Close the innermost object or array. */
void st_jw_end(struct st_jw *w, char close);
void st_jw_string(struct st_jw *w, const char *key, const char *s);
void st_jw_int(struct st_jw *w, const char *key, int64_t v);
void st_jw_bool(struct st_jw *w, const char *key, bool v);
void st_jw_null(struct st_jw *w, const char *key);
/* A double as json-c prints one ("%.17g", ".0" added to a whole number). */
void st_jw_double(struct st_jw *w, const char *key, double v);
/* A number already formatted (e.g. seconds to the nanosecond). */
void st_jw_number(struct st_jw *w, const char *key, const char *text);

#define st_jw_end_object(w) st_jw_end((w), '}')
#define st_jw_end_array(w)  st_jw_end((w), ']')

/* `s` as a JSON string's contents, escaped as json-c does. */
void st_jw_escaped(FILE *f, const char *s);

#endif
