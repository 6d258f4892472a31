/* Relationships between people and their written consents in the
 * PostgreSQL backend. A withdrawn consent is marked, never deleted, and a
 * withdrawal happens once even when two servers are asked at the same time. */
#include "store/postgres/internal.h"

#include <string.h>

static bool ok(PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One statement on a pooled connection; *out holds the result (also on
 * failure, for its SQLSTATE) and the caller clears it. */
static int run(pg *s, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    *out = ch_pg_run(c, sql, p, err, doing);
    ch_pg_release(c);
    return ok(*out) ? CH_OK : (err->code ? err->code : CH_E_STORE);
}

int ch_pg_relationship_insert(ch_store *base, ch_relationship *r, ch_error *err)
{
    static const char sql[] = "INSERT INTO relationships(person_id, kind, other_id,"
                              " organisation_id, note, created_by, created_at)"
                              " VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, r->person_id);
    ch_pg_text(&p, r->kind);
    ch_pg_id(&p, r->other_id);
    ch_pg_id(&p, r->organisation_id);
    ch_pg_text(&p, r->note);
    ch_pg_id(&p, r->created_by);
    ch_pg_int(&p, r->created_at);
    int rc = run((pg *)base, sql, &p, "adding a relationship", &res, err);
    if (rc && ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_INVALID,
                          "a person or organisation named in the relationship does not exist");
    else if (!rc)
        r->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int ch_pg_relationship_delete(ch_store *base, int64_t id, ch_error *err)
{
    static const char sql[] = "DELETE FROM relationships WHERE id = $1 RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    int rc = run((pg *)base, sql, &p, "removing a relationship", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no relationship %lld", (long long)id);
    PQclear(res);
    return rc;
}

int ch_pg_relationships(ch_store *base, int64_t id, int64_t person_id, ch_arena *a,
                        ch_relationship **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT r.id, r.person_id, r.kind, r.other_id, r.organisation_id, r.note, r.created_by,"
        " r.created_at, p.name, o.name, g.name FROM relationships r"
        " JOIN people p ON p.id = r.person_id LEFT JOIN people o ON o.id = r.other_id"
        " LEFT JOIN organisations g ON g.id = r.organisation_id"
        " WHERE ($1::bigint = 0 OR r.id = $1::bigint) AND ($2::bigint = 0 OR"
        " r.person_id = $2::bigint OR r.other_id = $2::bigint) ORDER BY r.id LIMIT 500";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    ch_pg_int(&p, person_id);
    int rc = run((pg *)base, sql, &p, "reading relationships", &res, err);
    int rows = rc ? 0 : PQntuples(res);
    if (rows > 0 && !(*out = ch_arena_alloc(a, (size_t)rows * sizeof(**out))))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_relationship *r = &(*out)[(*n)++];
        r->id = ch_pg_get_int(res, i, 0);
        r->person_id = ch_pg_get_int(res, i, 1);
        r->kind = ch_pg_get_text(a, res, i, 2);
        r->other_id = ch_pg_get_int(res, i, 3);
        r->organisation_id = ch_pg_get_int(res, i, 4);
        r->note = ch_pg_get_text(a, res, i, 5);
        r->created_by = ch_pg_get_int(res, i, 6);
        r->created_at = ch_pg_get_int(res, i, 7);
        r->person_name = ch_pg_get_text(a, res, i, 8);
        r->other_name = ch_pg_get_text(a, res, i, 9);
        r->organisation_name = ch_pg_get_text(a, res, i, 10);
    }
    PQclear(res);
    return rc;
}

int ch_pg_consent_insert(ch_store *base, ch_consent *k, ch_error *err)
{
    static const char sql[] = "INSERT INTO consents(grantor_id, grantee_id, case_id, evidence,"
                              " given_on, expires_on, created_by, created_at)"
                              " VALUES($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, k->grantor_id);
    ch_pg_int(&p, k->grantee_id);
    ch_pg_id(&p, k->case_id);
    ch_pg_text(&p, k->evidence);
    ch_pg_int(&p, k->given_on);
    if (k->expires)
        ch_pg_int(&p, k->expires_on);
    else
        ch_pg_text(&p, NULL);
    ch_pg_id(&p, k->created_by);
    ch_pg_int(&p, k->created_at);
    int rc = run((pg *)base, sql, &p, "adding a consent", &res, err);
    if (rc && ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_INVALID,
                          "a person or the case named in the consent does not exist");
    else if (!rc)
        k->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int ch_pg_consent_withdraw(ch_store *base, int64_t id, ch_time at, int64_t by, const char *reason,
                           ch_error *err)
{
    static const char sql[] = "UPDATE consents SET withdrawn_at = $1, withdrawn_by = $2,"
                              " withdrawn_reason = $3 WHERE id = $4 AND withdrawn_at IS NULL"
                              " RETURNING id";
    static const char find[] = "SELECT 1 FROM consents WHERE id = $1";
    pg_params p = {0}, q = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, at);
    ch_pg_id(&p, by);
    ch_pg_text(&p, reason);
    ch_pg_int(&p, id);
    int rc = run((pg *)base, sql, &p, "withdrawing a consent", &res, err);
    bool done = !rc && PQntuples(res) == 1;
    PQclear(res);
    if (rc || done)
        return rc;
    ch_pg_int(&q, id);
    if ((rc = run((pg *)base, find, &q, "reading a consent", &res, err)) == CH_OK)
        rc = PQntuples(res)
                 ? ch_error_set(err, CH_E_CONFLICT, "consent %lld is already withdrawn",
                                (long long)id)
                 : ch_error_set(err, CH_E_NOTFOUND, "there is no consent %lld", (long long)id);
    PQclear(res);
    return rc;
}

int ch_pg_consents(ch_store *base, int64_t id, int64_t person_id, ch_arena *a, ch_consent **out,
                   size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.grantor_id, c.grantee_id, c.case_id, c.evidence, c.given_on,"
        " c.expires_on, c.withdrawn_at, c.withdrawn_by, c.withdrawn_reason, c.created_by,"
        " c.created_at, g.name, e.name FROM consents c JOIN people g ON g.id = c.grantor_id"
        " JOIN people e ON e.id = c.grantee_id WHERE ($1::bigint = 0 OR c.id = $1::bigint) AND"
        " ($2::bigint = 0 OR c.grantor_id = $2::bigint OR c.grantee_id = $2::bigint)"
        " ORDER BY c.given_on DESC, c.id DESC LIMIT 500";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    ch_pg_int(&p, person_id);
    int rc = run((pg *)base, sql, &p, "reading consents", &res, err);
    int rows = rc ? 0 : PQntuples(res);
    if (rows > 0 && !(*out = ch_arena_alloc(a, (size_t)rows * sizeof(**out))))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_consent *k = &(*out)[(*n)++];
        k->id = ch_pg_get_int(res, i, 0);
        k->grantor_id = ch_pg_get_int(res, i, 1);
        k->grantee_id = ch_pg_get_int(res, i, 2);
        k->case_id = ch_pg_get_int(res, i, 3);
        k->evidence = ch_pg_get_text(a, res, i, 4);
        k->given_on = (ch_date)ch_pg_get_int(res, i, 5);
        k->expires = !PQgetisnull(res, i, 6);
        k->expires_on = (ch_date)ch_pg_get_int(res, i, 6);
        k->withdrawn_at = ch_pg_get_int(res, i, 7);
        k->withdrawn_by = ch_pg_get_int(res, i, 8);
        k->withdrawn_reason = ch_pg_get_text(a, res, i, 9);
        k->created_by = ch_pg_get_int(res, i, 10);
        k->created_at = ch_pg_get_int(res, i, 11);
        k->grantor_name = ch_pg_get_text(a, res, i, 12);
        k->grantee_name = ch_pg_get_text(a, res, i, 13);
    }
    PQclear(res);
    return rc;
}
