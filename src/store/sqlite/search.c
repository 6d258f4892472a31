/* Full-text search (FTS5, words matched by prefix) and the rows behind
 * compliance reports, in the SQLite backend. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ch_sq_index(sq_conn *c, int64_t case_id, const char *const *parts, size_t n, ch_error *err)
{
    static const char sql[] = "INSERT INTO search(case_id, body) VALUES(?, ?)";
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += parts[i] ? strlen(parts[i]) + 1 : 0;
    char *body = malloc(len), *p = body;
    if (!body)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        size_t k = strlen(parts[i]);
        memcpy(p, parts[i], k);
        p += k;
        *p++ = '\n';
    }
    *p = '\0';
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    int rc = CH_OK;
    if (!st) {
        rc = CH_E_STORE;
    } else {
        sqlite3_bind_int64(st, 1, case_id);
        sqlite3_bind_text(st, 2, body, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ch_sq_error(c, err, "indexing a case for search");
    }
    free(body);
    return rc;
}

/* Plain words into an FTS5 query that matches all of them, each as the
 * start of a word ("transp" finds "transport"): each word is quoted, so
 * nothing a person types is read as query syntax, and marked as a prefix.
 * A word of n bytes takes at most 2n + 4 (doubled quotes, the quotes, the
 * star and a space), and there are at most (len + 1) / 2 words. */
static char *fts_query(const char *words)
{
    size_t len = strlen(words);
    char *q = malloc(len * 4 + 8), *p = q;
    if (!q)
        return NULL;
    const char *w = words;
    while (*w) {
        while (*w == ' ' || *w == '\t' || *w == '\n')
            w++;
        if (!*w)
            break;
        if (p != q)
            *p++ = ' ';
        *p++ = '"';
        while (*w && *w != ' ' && *w != '\t' && *w != '\n') {
            if (*w == '"')
                *p++ = '"';
            *p++ = *w++;
        }
        *p++ = '"';
        *p++ = '*';
    }
    *p = '\0';
    return q;
}

char *ch_sq_words_query(ch_arena *a, const char *const *words, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(words[i]) + 1;
    char *joined = ch_arena_alloc(a, len), *p = joined;
    if (!joined)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(words[i]);
        memcpy(p, words[i], k);
        p += k;
        *p++ = ' ';
    }
    *p = '\0';
    char *q = fts_query(joined), *out = q ? ch_arena_strdup(a, q) : NULL;
    free(q);
    return out;
}

int ch_sq_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    size_t used = (size_t)snprintf(
        sql, sizeof(sql),
        "SELECT " CH_SQ_CASE_COLUMNS " FROM cases WHERE id IN"
        " (SELECT case_id FROM search WHERE search MATCH ?1 ORDER BY rowid DESC LIMIT 1000)");
    if (services) {
        if (nservices == 0 || nservices > 200) {
            *out = NULL;
            *n = 0;
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        }
        ch_sq_in_list(sql, sizeof(sql), &used, "service", nservices);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY updated_at DESC, id DESC LIMIT ?");
    char *q = fts_query(words);
    if (!q)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (!*q) {
        free(q);
        return ch_error_set(err, CH_E_INVALID, "give at least one word to search for");
    }
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, i = 2;
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, i++, services[k]);
    sqlite3_bind_int64(st, i, (sqlite3_int64)limit);
    rc = ch_sq_case_rows(c, st, a, out, n, "searching", err);
out:
    ch_sq_unlock(c);
    free(q);
    return rc;
}

/* An obligation counts for the service whose promise it was: the case's,
 * unless the case has since moved on. */
#define SERVICE_OF "coalesce(o.service, c.service)"

int ch_sq_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT " SERVICE_OF
                                   ", o.promise, o.state, o.due_at, o.met_at, c.deemed_at"
                                   " FROM obligations o JOIN cases c ON c.id = o.case_id"
                                   " WHERE o.due_at >= ?1 AND o.due_at < ?2");
    if (services) {
        if (nservices == 0 || nservices > 200) {
            *out = NULL;
            *n = 0;
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        }
        ch_sq_in_list(sql, sizeof(sql), &used, SERVICE_OF, nservices);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY " SERVICE_OF ", o.promise, o.due_at");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_report_row *rows = NULL;
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, (int)k + 3, services[k]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_report_row *r = &rows[count++];
        r->service = ch_sq_text(a, st, 0);
        r->promise = ch_sq_text(a, st, 1);
        r->state = ch_sq_text(a, st, 2);
        r->due_at = sqlite3_column_int64(st, 3);
        r->met_at = sqlite3_column_int64(st, 4);
        r->deemed_at = sqlite3_column_int64(st, 5);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading a report");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

/* Prepares the case list's query (ch_store_list_sql) on c with its
 * parameters bound; NULL (err set) or, in *none, that nothing can match. */
static sqlite3_stmt *list_stmt(sq_conn *c, const ch_case_filter *f, bool count, bool *none,
                               ch_error *err)
{
    ch_list_sql *q = malloc(sizeof(*q));
    sqlite3_stmt *st = NULL;
    *none = false;
    if (!q) {
        ch_error_set(err, CH_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!ch_store_list_sql(f, count, '?', CH_SQ_CASE_COLUMNS, q))
        *none = true;
    else if (q->overflow)
        ch_error_set(err, CH_E_INVALID, "too many services");
    else if ((st = ch_sq_stmt_built(c, q->sql, err))) {
        for (int i = 0; i < q->nparams; i++) {
            if (q->params[i].text)
                ch_sq_bind_text(st, i + 1, q->params[i].text);
            else
                sqlite3_bind_int64(st, i + 1, q->params[i].num);
        }
    }
    free(q);
    return st;
}

int ch_sq_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (f->services && f->nservices > 200)
        return ch_error_set(err, CH_E_INVALID, "too many services");
    sq_conn *c = ch_sq_reader((sq *)base);
    bool none;
    int rc = CH_OK;
    sqlite3_stmt *st = list_stmt(c, f, false, &none, err);
    if (st)
        rc = ch_sq_case_rows(c, st, a, out, n, "listing cases", err);
    else if (!none)
        rc = err->code;
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_case_count(ch_store *base, const ch_case_filter *f, int64_t *total, ch_error *err)
{
    *total = 0;
    if (f->services && f->nservices > 200)
        return ch_error_set(err, CH_E_INVALID, "too many services");
    sq_conn *c = ch_sq_reader((sq *)base);
    bool none;
    int rc = CH_OK;
    sqlite3_stmt *st = list_stmt(c, f, true, &none, err);
    if (!st)
        rc = none ? CH_OK : err->code;
    else if (sqlite3_step(st) != SQLITE_ROW)
        rc = ch_sq_error(c, err, "counting cases");
    else
        *total = sqlite3_column_int64(st, 0);
    ch_sq_unlock(c);
    return rc;
}
