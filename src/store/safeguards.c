/* Safeguards on a person (incidents and restrictions): the wrappers that
 * dispatch to the backend, and the comma-separated text both backends keep
 * their lists as. */
#include "store/backend.h"

#include <stdlib.h>
#include <string.h>

int ch_store_incident_insert(ch_store *s, ch_incident *i, ch_error *err)
{
    return s->ops->incident_insert(s, i, err);
}

int ch_store_incident_list(ch_store *s, int64_t person_id, ch_arena *arena, ch_incident **out,
                           size_t *n, ch_error *err)
{
    return s->ops->incident_list(s, person_id, arena, out, n, err);
}

int ch_store_restriction_insert(ch_store *s, ch_restriction *r, ch_error *err)
{
    return s->ops->restriction_insert(s, r, err);
}

int ch_store_restriction_get(ch_store *s, int64_t id, ch_arena *arena, ch_restriction *out,
                             ch_error *err)
{
    return s->ops->restriction_get(s, id, arena, out, err);
}

int ch_store_restriction_list(ch_store *s, const ch_restriction_filter *f, ch_arena *arena,
                              ch_restriction **out, size_t *n, ch_error *err)
{
    return s->ops->restriction_list(s, f, arena, out, n, err);
}

int ch_store_restriction_change(ch_store *s, const ch_restriction_change *ch, ch_error *err)
{
    return s->ops->restriction_change(s, ch, err);
}

char *ch_store_list_join(ch_arena *arena, const char *const *items, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    if (!len)
        return NULL;
    char *out = ch_arena_alloc(arena, len), *p = out;
    for (size_t i = 0; out && i < n; i++) {
        size_t k = strlen(items[i]);
        memcpy(p, items[i], k);
        p += k;
        *p++ = i + 1 < n ? ',' : '\0';
    }
    return out;
}

int ch_store_list_split(ch_arena *arena, const char *text, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!text || !*text)
        return CH_OK;
    size_t count = 1;
    for (const char *p = text; *p; p++)
        count += *p == ',';
    const char **items = ch_arena_alloc(arena, count * sizeof(*items));
    if (!items)
        return CH_E_NOMEM;
    const char *start = text;
    for (size_t i = 0; i < count; i++) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        char *item = ch_arena_alloc(arena, len + 1);
        if (!item)
            return CH_E_NOMEM;
        memcpy(item, start, len);
        item[len] = '\0';
        items[i] = item;
        start = end ? end + 1 : start + len;
    }
    *out = items;
    *n = count;
    return CH_OK;
}

char *ch_store_ids_join(ch_arena *arena, const int64_t *ids, size_t n)
{
    if (!n)
        return NULL;
    char *out = ch_arena_alloc(arena, n * 21), *p = out;
    for (size_t i = 0; out && i < n; i++) {
        char digits[21];
        int k = 0;
        uint64_t v = ids[i] > 0 ? (uint64_t)ids[i] : 0;
        do
            digits[k++] = (char)('0' + v % 10);
        while ((v /= 10) && k < 20);
        while (k)
            *p++ = digits[--k];
        *p++ = i + 1 < n ? ',' : '\0';
    }
    return out;
}

int ch_store_ids_split(ch_arena *arena, const char *text, const int64_t **out, size_t *n)
{
    const char **items;
    size_t count;
    *out = NULL;
    *n = 0;
    if (ch_store_list_split(arena, text, &items, &count))
        return CH_E_NOMEM;
    int64_t *ids = count ? ch_arena_alloc(arena, count * sizeof(*ids)) : NULL;
    if (count && !ids)
        return CH_E_NOMEM;
    for (size_t i = 0; i < count; i++)
        ids[i] = strtoll(items[i], NULL, 10);
    *out = ids;
    *n = count;
    return CH_OK;
}
