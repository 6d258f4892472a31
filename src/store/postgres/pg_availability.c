/* Staff availability in the PostgreSQL backend: the same contract as the
 * SQLite backend's availability.c, one row per person replaced whole. */
#include "store/postgres/internal.h"

#include <string.h>

int ch_pg_availability_set(ch_store *base, const ch_availability_row *row, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO user_availability(user_id, pattern, absences, updated_at)"
        " VALUES($1, $2, $3, $4) ON CONFLICT(user_id) DO UPDATE SET pattern = excluded.pattern,"
        " absences = excluded.absences, updated_at = excluded.updated_at";
    pg_params p = {0};
    ch_pg_int(&p, row->user_id);
    ch_pg_text(&p, row->pattern);
    ch_pg_text(&p, row->absences);
    ch_pg_int(&p, row->updated_at);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "recording availability");
    ch_pg_release(c);
    int rc = CH_OK;
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)row->user_id);
    else if (st != PGRES_COMMAND_OK)
        rc = err->code ? err->code : CH_E_STORE;
    PQclear(res);
    return rc;
}

int ch_pg_availability_list(ch_store *base, ch_arena *a, ch_availability_row **out, size_t *n,
                            ch_error *err)
{
    static const char sql[] = "SELECT user_id, pattern, absences, updated_at"
                              " FROM user_availability ORDER BY user_id";
    pg_params p = {0};
    int rc = CH_OK;
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "reading availability");
    ch_pg_release(c);
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    int rows = PQntuples(res);
    ch_availability_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        list[i].user_id = ch_pg_get_int(res, i, 0);
        list[i].pattern = ch_pg_get_text(a, res, i, 1);
        list[i].absences = ch_pg_get_text(a, res, i, 2);
        list[i].updated_at = ch_pg_get_int(res, i, 3);
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}
