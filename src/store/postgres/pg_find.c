/* The finders for people and organisations in the PostgreSQL backend: each
 * word begins a word of the name (or the email, or its domain). People are
 * matched by text search on an indexed expression (CH_PG_PERSON_WORDS),
 * organisations with ILIKE, as the SQLite backend does with LIKE. */
#include "store/postgres/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_TUPLES_OK;
}

/* " AND (...)" for each word and its escaped text as the next parameter. */
static int words_clause(char *sql, size_t size, size_t *used, pg_params *p,
                        const char *const *words, size_t nwords, bool email, ch_arena *a,
                        ch_error *err)
{
    for (size_t i = 0; i < nwords; i++) {
        char *like = ch_store_like_escape(a, words[i]);
        if (!like)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        ch_pg_text(p, like);
        int k = p->n;
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                  " AND (name ILIKE ($%d || '%%') ESCAPE '\\'"
                                  " OR name ILIKE ('%% ' || $%d || '%%') ESCAPE '\\'",
                                  k, k);
        if (email)
            *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                      " OR email ILIKE ($%d || '%%') ESCAPE '\\'"
                                      " OR email ILIKE ('%%@' || $%d || '%%') ESCAPE '\\'",
                                      k, k);
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, ")");
    }
    return CH_OK;
}

int ch_pg_person_words(pg_params *p, const char *const *words, size_t n, ch_arena *a, ch_error *err)
{
    /* Each word is a phrase of its parts between @ and dots, only the last
     * a prefix, as SQLite's FTS5 reads "a.lovelace"*: 'a' <-> 'lovelace':*.
     * A byte of a word takes at most 7 (a part of one byte quoted, and
     * " <-> "); each word adds " & " and ":*". */
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(words[i]) * 7 + 8;
    char *q = ch_arena_alloc(a, len), *w = q;
    if (!q)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bool open = false, any = false;
        for (const char *c = words[i];; c++) {
            bool brk = !*c || *c == '@' || *c == '.' || *c == ' ';
            if (brk && open) {
                *w++ = '\'';
                open = false;
            }
            if (!*c)
                break;
            if (brk)
                continue;
            if (!open) {
                const char *join = any ? " <-> " : w != q ? " & " : "";
                memcpy(w, join, strlen(join));
                w += strlen(join);
                *w++ = '\'';
                open = any = true;
            }
            if (*c == '\'' || *c == '\\')
                *w++ = *c;
            *w++ = *c;
        }
        if (any)
            memcpy(w, ":*", 2), w += 2;
    }
    *w = '\0';
    ch_pg_text(p, q); /* p keeps the pointer: the text lives in a */
    return CH_OK;
}

int ch_pg_people_find(ch_store *base, const char *const *words, size_t nwords,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                      ch_person **out, size_t *n, ch_error *err)
{
    char sql[8192];
    pg_params p = {0};
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT id, name, email, phone, date_of_birth, organisation_id,"
                                   " created_at FROM people p WHERE merged_into IS NULL");
    if (nwords) {
        int rc = ch_pg_person_words(&p, words, nwords, a, err);
        if (rc)
            return rc;
        used += (size_t)snprintf(sql + used, sizeof(sql) - used,
                                 " AND " CH_PG_PERSON_WORDS " @@ to_tsquery('simple', $%d)", p.n);
    }
    if (services) {
        if (nservices == 0 || nservices > 100)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_store_person_scope_sql(sql, sizeof(sql), &used, "p", '$', p.n + 1, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    ch_pg_int(&p, (int64_t)limit);
    used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s LIMIT $%d",
                             nwords ? CH_PG_FOUND_ORDER : " ORDER BY lower(name), id", p.n);
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "finding people");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_person *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].name = ch_pg_get_text(a, res, i, 1);
        list[i].email = ch_pg_get_text(a, res, i, 2);
        list[i].phone = ch_pg_get_text(a, res, i, 3);
        list[i].date_of_birth = ch_pg_get_text(a, res, i, 4);
        list[i].organisation_id = ch_pg_get_int(res, i, 5);
        list[i].created_at = ch_pg_get_int(res, i, 6);
    }
    PQclear(res);
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

int ch_pg_organisations_find(ch_store *base, const char *const *words, size_t nwords, size_t limit,
                             ch_arena *a, ch_organisation **out, size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    size_t used = (size_t)snprintf(
        sql, sizeof(sql), "SELECT id, name, kind, created_at FROM organisations WHERE true");
    int rc = words_clause(sql, sizeof(sql), &used, &p, words, nwords, false, a, err);
    if (rc)
        return rc;
    ch_pg_int(&p, (int64_t)limit);
    used += (size_t)snprintf(sql + used, sizeof(sql) - used, " ORDER BY lower(name), id LIMIT $%d",
                             p.n);
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "finding organisations");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_organisation *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].name = ch_pg_get_text(a, res, i, 1);
        list[i].kind = ch_pg_get_text(a, res, i, 2);
        list[i].created_at = ch_pg_get_int(res, i, 3);
    }
    PQclear(res);
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}
