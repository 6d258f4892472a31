/* The streaming JSON writer; see jsonw.h. */
#include "http/jsonw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

static void grow(ch_jw *w, size_t need)
{
    size_t cap = w->cap ? w->cap : 16384;
    while (cap < need)
        cap *= 2;
    char *p = realloc(w->buf, cap);
    if (!p) {
        w->failed = true;
        return;
    }
    w->buf = p;
    w->cap = cap;
}

void ch_jw_init(ch_jw *w)
{
    memset(w, 0, sizeof(*w));
}

void ch_jw_free(ch_jw *w)
{
    free(w->buf);
    ch_jw_init(w);
}

char *ch_jw_take(ch_jw *w, size_t *len)
{
    if (!w->failed && !w->buf)
        grow(w, 1);
    if (!w->failed)
        w->buf[w->len] = '\0'; /* grow and put always leave room for it */
    char *out = w->failed ? NULL : w->buf;
    *len = w->len;
    if (w->failed)
        free(w->buf);
    ch_jw_init(w);
    return out;
}

/* The hot path of every response: a bounds check and a copy. The NUL is
 * added only when the text is taken. */
static inline void put(ch_jw *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap) {
        if (w->failed)
            return;
        grow(w, w->len + n + 1);
        if (w->failed)
            return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Before a value or a key: a comma when one came before at this level. */
static void sep(ch_jw *w)
{
    if (w->need_sep)
        put(w, ",", 1);
    w->need_sep = true;
}

void ch_jw_obj(ch_jw *w)
{
    sep(w);
    put(w, "{", 1);
    w->need_sep = false;
}

void ch_jw_obj_end(ch_jw *w)
{
    put(w, "}", 1);
    w->need_sep = true;
}

void ch_jw_arr(ch_jw *w)
{
    sep(w);
    put(w, "[", 1);
    w->need_sep = false;
}

void ch_jw_arr_end(ch_jw *w)
{
    put(w, "]", 1);
    w->need_sep = true;
}

static void escaped(ch_jw *w, const char *s)
{
    put(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(s - run));
        char esc[8];
        switch (c) {
        case '"':
            put(w, "\\\"", 2);
            break;
        case '\\':
            put(w, "\\\\", 2);
            break;
        case '\n':
            put(w, "\\n", 2);
            break;
        case '\r':
            put(w, "\\r", 2);
            break;
        case '\t':
            put(w, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            put(w, esc, 6);
        }
        run = s + 1;
    }
    put(w, run, (size_t)(s - run));
    put(w, "\"", 1);
}

void ch_jw_key(ch_jw *w, const char *key)
{
    sep(w);
    escaped(w, key);
    put(w, ":", 1);
    w->need_sep = false;
}

void ch_jw_str(ch_jw *w, const char *s)
{
    sep(w);
    if (s)
        escaped(w, s);
    else
        put(w, "null", 4);
}

void ch_jw_number(ch_jw *w, const char *text)
{
    sep(w);
    put(w, text, strlen(text));
}

void ch_jw_bool(ch_jw *w, bool v)
{
    ch_jw_number(w, v ? "true" : "false");
}

void ch_jw_int(ch_jw *w, int64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sep(w);
    put(w, p, (size_t)(buf + sizeof(buf) - p));
}

void ch_jw_id(ch_jw *w, int64_t v)
{
    if (v) {
        ch_jw_int(w, v);
    } else {
        sep(w);
        put(w, "null", 4);
    }
}

void ch_jw_time(ch_jw *w, ch_time t)
{
    char buf[32];
    if (!t) {
        sep(w);
        put(w, "null", 4);
        return;
    }
    ch_time_format_utc(t, buf, sizeof(buf));
    sep(w);
    put(w, "\"", 1);
    put(w, buf, strlen(buf));
    put(w, "\"", 1);
}

void ch_jw_raw(ch_jw *w, const char *s, size_t n)
{
    put(w, s, n);
}
