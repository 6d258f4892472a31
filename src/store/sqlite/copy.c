/* Reading whole tables out of the SQLite backend, for charter migrate. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

/* A column as text; a BLOB (credential hashes) in PostgreSQL's hex form. */
static size_t column_sql(const char *table, const char *column, char *out, size_t size)
{
    if (strcmp(table, "credentials") == 0 && strcmp(column, "hash") == 0)
        return (size_t)snprintf(out, size, "'\\x' || lower(hex(hash))");
    if (strcmp(table, "attachments") == 0 && strcmp(column, "data") == 0)
        return (size_t)snprintf(out, size, "'\\x' || lower(hex(data))");
    if (strcmp(column, "raw") == 0) /* mail_in and outbox: messages as received or built */
        return (size_t)snprintf(out, size, "'\\x' || lower(hex(raw))");
    return (size_t)snprintf(out, size, "%s", column);
}

static int count_fn(sq_conn *c, const ch_store_table *t, int64_t *count, ch_error *err)
{
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", t->name);
    if (!(st = ch_sq_stmt_built(c, sql, err)))
        return err->code;
    if (sqlite3_step(st) != SQLITE_ROW)
        return ch_sq_error(c, err, "counting rows");
    *count = sqlite3_column_int64(st, 0);
    return CH_OK;
}

int ch_sq_table_count(ch_store *base, const ch_store_table *t, int64_t *count, ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = count_fn(c, t, count, err);
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_table_each(ch_store *base, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                     ch_error *err)
{
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
    for (size_t i = 0; i < t->ncolumns; i++) {
        used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s", i ? ", " : "");
        used += column_sql(t->name, t->columns[i], sql + used, sizeof(sql) - used);
    }
    snprintf(sql + used, sizeof(sql) - used, " FROM %s ORDER BY rowid", t->name);
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = ch_sq_error(c, err, "reading a table");
        goto out;
    }
    const char *values[32];
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        for (size_t i = 0; i < t->ncolumns && i < 32; i++)
            values[i] = (const char *)sqlite3_column_text(st, (int)i);
        if ((rc = fn(ctx, values, err)))
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading a table");
out:
    sqlite3_finalize(st);
    ch_sq_unlock(c);
    return rc;
}
