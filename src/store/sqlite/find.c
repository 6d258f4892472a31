/* The finders for people and organisations in the SQLite backend: each word
 * begins a word of the name (or the email, or its domain). People are
 * matched in their FTS5 index (people_words), since they can be hundreds of
 * thousands; organisations, a few thousand, with LIKE, which ignores the
 * case of ASCII letters. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

/* " AND (...)" for each word, its escaped text bound at ?(i + 1). */
static void words_clause(char *sql, size_t size, size_t *used, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++) {
        int k = (int)i + 1;
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                  " AND (name LIKE (?%d || '%%') ESCAPE '\\'"
                                  " OR name LIKE ('%% ' || ?%d || '%%') ESCAPE '\\'",
                                  k, k);
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, ")");
    }
}

static int bind_words(sqlite3_stmt *st, const char *const *words, size_t nwords, ch_arena *a,
                      ch_error *err)
{
    for (size_t i = 0; i < nwords; i++) {
        char *like = ch_store_like_escape(a, words[i]);
        if (!like)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        sqlite3_bind_text(st, (int)i + 1, like, -1, SQLITE_TRANSIENT);
    }
    return CH_OK;
}

int ch_sq_people_find(ch_store *base, const char *const *words, size_t nwords,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                      ch_person **out, size_t *n, ch_error *err)
{
    char sql[8192];
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT id, name, email, phone, date_of_birth, organisation_id,"
                                   " created_at FROM people p WHERE merged_into IS NULL");
    int nw = nwords ? 1 : 0; /* the words are one FTS5 query */
    if (nwords)
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, CH_SQ_PERSON_WORDS);
    if (services) {
        if (nservices == 0 || nservices > 200)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_store_person_scope_sql(sql, sizeof(sql), &used, "p", '?', nw + 1, nservices);
    }
    used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                             " ORDER BY name COLLATE NOCASE, id LIMIT ?%d",
                             (int)(nw + (services ? nservices : 0) + 1));
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step, i = nw + 1;
    size_t cap = 0, count = 0;
    ch_person *rows = NULL;
    char *match = nwords ? ch_sq_words_query(a, words, nwords) : NULL;
    if (nwords && !match) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    if (match)
        sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, i++, services[k]);
    sqlite3_bind_int64(st, i, (sqlite3_int64)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_person *p = &rows[count++];
        p->id = sqlite3_column_int64(st, 0);
        p->name = ch_sq_text(a, st, 1);
        p->email = ch_sq_text(a, st, 2);
        p->phone = ch_sq_text(a, st, 3);
        p->date_of_birth = ch_sq_text(a, st, 4);
        p->organisation_id = sqlite3_column_int64(st, 5);
        p->created_at = sqlite3_column_int64(st, 6);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "finding people");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_organisations_find(ch_store *base, const char *const *words, size_t nwords, size_t limit,
                             ch_arena *a, ch_organisation **out, size_t *n, ch_error *err)
{
    char sql[4096];
    size_t used = (size_t)snprintf(
        sql, sizeof(sql), "SELECT id, name, kind, created_at FROM organisations WHERE 1 = 1");
    words_clause(sql, sizeof(sql), &used, nwords);
    used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                             " ORDER BY name COLLATE NOCASE, id LIMIT ?%d", (int)nwords + 1);
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_organisation *rows = NULL;
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = bind_words(st, words, nwords, a, err)))
        goto out;
    sqlite3_bind_int64(st, (int)nwords + 1, (sqlite3_int64)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_organisation *o = &rows[count++];
        o->id = sqlite3_column_int64(st, 0);
        o->name = ch_sq_text(a, st, 1);
        o->kind = ch_sq_text(a, st, 2);
        o->created_at = sqlite3_column_int64(st, 3);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "finding organisations");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}
