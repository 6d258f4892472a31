/* A small JSON writer into a growing buffer, for the responses the desk
 * sends most (queue pages): one pass, no tree of nodes, no per-value
 * allocation. Strings are escaped; they are already valid UTF-8 (they came
 * in through the JSON parser or from our own code). */
#ifndef CH_JSONW_H
#define CH_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil.h"

typedef struct ch_jw {
    char *buf;
    size_t len, cap;
    bool failed;   /* out of memory: the output is unusable */
    bool need_sep; /* a value was written at this level: the next needs a comma */
} ch_jw;

void ch_jw_init(ch_jw *w);
/* The text so far; ownership passes to the caller (free it). */
char *ch_jw_take(ch_jw *w, size_t *len);
void ch_jw_free(ch_jw *w);

void ch_jw_obj(ch_jw *w);
void ch_jw_obj_end(ch_jw *w);
void ch_jw_arr(ch_jw *w);
void ch_jw_arr_end(ch_jw *w);
/* A member name; the next call writes its value. */
void ch_jw_key(ch_jw *w, const char *key);
void ch_jw_str(ch_jw *w, const char *s); /* NULL writes null */
void ch_jw_int(ch_jw *w, int64_t v);
void ch_jw_id(ch_jw *w, int64_t v);   /* 0 writes null */
void ch_jw_time(ch_jw *w, ch_time t); /* RFC 3339 UTC; 0 writes null */
void ch_jw_bool(ch_jw *w, bool v);
/* A number already written as JSON text ("2.50"). */
void ch_jw_number(ch_jw *w, const char *text);

/* Appends bytes as they are, with no separator: the buffer under other
 * writers (HTML pages). */
void ch_jw_raw(ch_jw *w, const char *s, size_t n);

#endif
