/* Staff availability in the SQLite backend: one row per person holding
 * the working pattern and absences the desk wrote, replaced whole. */
#include "store/sqlite/internal.h"

#include <string.h>

static int set_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_availability_row *row = arg;
    static const char sql[] =
        "INSERT INTO user_availability(user_id, pattern, absences, updated_at)"
        " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO UPDATE SET pattern = excluded.pattern,"
        " absences = excluded.absences, updated_at = excluded.updated_at";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, row->user_id);
    ch_sq_bind_text(st, 2, row->pattern);
    ch_sq_bind_text(st, 3, row->absences);
    sqlite3_bind_int64(st, 4, row->updated_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)row->user_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording availability");
    return CH_OK;
}

int ch_sq_availability_set(ch_store *base, const ch_availability_row *row, ch_error *err)
{
    return ch_sq_write((sq *)base, set_fn, (void *)row, err);
}

int ch_sq_availability_list(ch_store *base, ch_arena *a, ch_availability_row **out, size_t *n,
                            ch_error *err)
{
    static const char sql[] = "SELECT user_id, pattern, absences, updated_at"
                              " FROM user_availability ORDER BY user_id";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_availability_row *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    *out = NULL;
    *n = 0;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows));
            if (!rows) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_availability_row *r = &rows[count++];
        r->user_id = sqlite3_column_int64(st, 0);
        r->pattern = ch_sq_text(a, st, 1);
        r->absences = ch_sq_text(a, st, 2);
        r->updated_at = sqlite3_column_int64(st, 3);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading availability");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}
