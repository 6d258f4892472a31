/* A school contact's sign-in, as the SQLite store keeps it: one-time links
 * used up by the statement that reads them, and sessions. */
#include "store/postgres/internal.h"

#include <string.h>

int ch_pg_school_token_insert(ch_store *base, const char *kind, const char *email,
                              const uint8_t hash[32], const char *csrf, ch_time now,
                              ch_time expires, ch_error *err)
{
    static const char sql[] = "INSERT INTO school_tokens(kind, email, hash, csrf, created_at,"
                              " expires_at) SELECT $1, $2, $3, $4, $5, $6 WHERE $1 <> 'link' OR"
                              " (SELECT count(*) FROM school_tokens WHERE kind = 'link' AND"
                              " email = $2 AND created_at > $5::bigint - " CH_SCHOOL_LINK_WINDOW
                              ") < " CH_SCHOOL_LINK_MAX_TEXT " RETURNING id";
    static const char purge[] = "DELETE FROM school_tokens WHERE expires_at < $1::bigint - 86400";
    pg_params q = {0};
    ch_pg_int(&q, now);
    pg_conn *pc = ch_pg_acquire((pg *)base);
    PQclear(ch_pg_run(pc, purge, &q, &(ch_error){0}, "clearing spent sign-ins"));
    ch_pg_release(pc);
    pg_params p = {0};
    ch_pg_text(&p, kind);
    ch_pg_text(&p, email);
    ch_pg_bytes32(&p, hash);
    ch_pg_text(&p, csrf);
    ch_pg_int(&p, now);
    ch_pg_int(&p, expires);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "keeping a sign-in");
    ch_pg_release(c);
    int rc = !res || PQresultStatus(res) != PGRES_TUPLES_OK ? (err->code ? err->code : CH_E_STORE)
             : PQntuples(res) == 0
                 ? ch_error_set(err, CH_E_CONFLICT, "enough sign-in links went to %s lately", email)
                 : CH_OK;
    PQclear(res);
    return rc;
}

int ch_pg_school_token_take(ch_store *base, const char *kind, const uint8_t hash[32], ch_time now,
                            ch_arena *arena, const char **email, const char **csrf, ch_error *err)
{
    static const char use[] = "UPDATE school_tokens SET used_at = $2 WHERE kind = 'link'"
                              " AND hash = $1 AND used_at IS NULL AND expires_at > $2"
                              " RETURNING email, csrf";
    static const char read[] = "SELECT email, csrf FROM school_tokens WHERE kind = 'session'"
                               " AND hash = $1 AND expires_at > $2";
    pg_params p = {0};
    ch_pg_bytes32(&p, hash);
    ch_pg_int(&p, now);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res =
        ch_pg_run(c, strcmp(kind, "link") == 0 ? use : read, &p, err, "checking a sign-in");
    ch_pg_release(c);
    int rc;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = err->code ? err->code : CH_E_STORE;
    else if (PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "that sign-in has expired or was used");
    else {
        *email = ch_pg_get_text(arena, res, 0, 0);
        if (csrf)
            *csrf = ch_pg_get_text(arena, res, 0, 1);
        rc = *email ? CH_OK : ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    PQclear(res);
    return rc;
}

int ch_pg_school_token_end(ch_store *base, const uint8_t hash[32], ch_time now, ch_error *err)
{
    static const char sql[] = "UPDATE school_tokens SET expires_at = $2 WHERE kind = 'session'"
                              " AND hash = $1 AND expires_at > $2";
    pg_params p = {0};
    ch_pg_bytes32(&p, hash);
    ch_pg_int(&p, now);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "ending a sign-in");
    ch_pg_release(c);
    int rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? CH_OK
                                                            : (err->code ? err->code : CH_E_STORE);
    PQclear(res);
    return rc;
}
