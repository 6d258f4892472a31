/* Behaviour audits in the PostgreSQL backend, with the SQL the SQLite
 * backend uses (store/audits_sql.h). Each statement is one autocommitted
 * write, so a submitted form is durable when the insert returns. */
#include "core/audit.h"
#include "store/audits_sql.h"
#include "store/postgres/internal.h"

#include <string.h>

/* Runs a fixed statement on a pooled connection. A unique violation is
 * CH_E_CONFLICT and a foreign-key one CH_E_INVALID, each with its sentence. */
static int run(pg *s, const char *sql, const pg_params *p, const char *doing, const char *dup,
               const char *missing, PGresult **out, ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    ch_pg_release(c);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        bool unique = ch_pg_violation(res, "23505"), fk = ch_pg_violation(res, "23503");
        PQclear(res);
        if (unique && dup)
            return ch_error_set(err, CH_E_CONFLICT, "%s", dup);
        if (fk && missing)
            return ch_error_set(err, CH_E_INVALID, "%s", missing);
        return err->code ? err->code : CH_E_STORE;
    }
    *out = res;
    return CH_OK;
}

int ch_pg_school_audit_insert(ch_store *base, ch_school_audit *a, ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_INSERT(
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14") " RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, a->service);
    ch_pg_text(&p, a->template_id);
    ch_pg_text(&p, a->school);
    ch_pg_id(&p, a->organisation_id);
    ch_pg_text(&p, a->intervention);
    ch_pg_id(&p, a->baseline_id);
    ch_pg_int(&p, a->opens_on);
    ch_pg_int(&p, a->closes_on);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        ch_pg_text(&p, a->codes[g]);
    ch_pg_id(&p, a->created_by);
    ch_pg_int(&p, a->created_at);
    int rc = run((pg *)base, sql, &p, "recording an audit",
                 "a group code is already in use by another audit; try again",
                 "the organisation or the baseline audit named does not exist", &res, err);
    if (!rc) {
        a->id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

static void read_audit(ch_arena *a, const PGresult *res, int k, ch_school_audit *out)
{
    memset(out, 0, sizeof(*out));
    out->id = ch_pg_get_int(res, k, 0);
    out->service = ch_pg_get_text(a, res, k, 1);
    out->template_id = ch_pg_get_text(a, res, k, 2);
    out->school = ch_pg_get_text(a, res, k, 3);
    out->organisation_id = ch_pg_get_int(res, k, 4);
    out->intervention = ch_pg_get_text(a, res, k, 5);
    out->baseline_id = ch_pg_get_int(res, k, 6);
    out->opens_on = (ch_date)ch_pg_get_int(res, k, 7);
    out->closes_on = (ch_date)ch_pg_get_int(res, k, 8);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        out->codes[g] = ch_pg_get_text(a, res, k, 9 + g);
    out->created_by = ch_pg_get_int(res, k, 13);
    out->created_at = ch_pg_get_int(res, k, 14);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        out->responses[g] = ch_pg_get_int(res, k, 15 + g);
}

static int one_audit(ch_store *base, const char *sql, pg_params *p, const char *missing,
                     ch_arena *a, ch_school_audit *out, ch_error *err)
{
    PGresult *res = NULL;
    int rc = run((pg *)base, sql, p, "reading an audit", NULL, NULL, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) < 1)
        rc = ch_error_set(err, CH_E_NOTFOUND, "%s", missing);
    else
        read_audit(a, res, 0, out);
    PQclear(res);
    return rc;
}

int ch_pg_school_audit_get(ch_store *base, int64_t id, ch_arena *a, ch_school_audit *out,
                           ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_GET("$1");
    pg_params p = {0};
    ch_pg_int(&p, id);
    return one_audit(base, sql, &p, "there is no such audit", a, out, err);
}

int ch_pg_school_audit_by_code(ch_store *base, const char *code, ch_arena *a, ch_school_audit *out,
                               const char **group, ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_BY_CODE("$1");
    pg_params p = {0};
    *group = NULL;
    ch_pg_text(&p, code);
    return one_audit(base, sql, &p, "no audit has this code", a, out, err);
}

int ch_pg_school_audit_dates(ch_store *base, int64_t id, ch_date opens_on, ch_date closes_on,
                             ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_DATES("$1", "$2", "$3");
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    ch_pg_int(&p, opens_on);
    ch_pg_int(&p, closes_on);
    int rc = run((pg *)base, sql, &p, "changing an audit's dates", NULL, NULL, &res, err);
    if (rc)
        return rc;
    if (strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no audit %lld", (long long)id);
    PQclear(res);
    return rc;
}

int ch_pg_school_audit_list(ch_store *base, size_t limit, ch_arena *a, ch_school_audit **out,
                            size_t *n, ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_LIST("$1");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, (int64_t)limit);
    int rc = run((pg *)base, sql, &p, "listing audits", NULL, NULL, &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_school_audit *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int k = 0; !rc && k < rows; k++)
        read_audit(a, res, k, &list[k]);
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_audit_response_insert(ch_store *base, ch_audit_response_row *row, ch_error *err)
{
    static const char sql[] = AUDIT_RESPONSE_INSERT("$1, $2, $3, $4, $5") " RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, row->audit_id);
    ch_pg_text(&p, row->group);
    ch_pg_int(&p, row->submitted_at);
    ch_pg_text(&p, row->answers);
    ch_pg_text(&p, row->form_id);
    int rc = run((pg *)base, sql, &p, "recording an audit response",
                 "these answers were saved already", "no audit", &res, err);
    if (rc == CH_E_INVALID)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no audit %lld", (long long)row->audit_id);
    if (!rc) {
        row->id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    return rc;
}

int ch_pg_audit_responses(ch_store *base, int64_t audit_id, ch_arena *a,
                          ch_audit_response_row **out, size_t *n, ch_error *err)
{
    static const char sql[] = AUDIT_RESPONSES("$1");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, audit_id);
    int rc = run((pg *)base, sql, &p, "reading audit responses", NULL, NULL, &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_audit_response_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int k = 0; !rc && k < rows; k++) {
        list[k].id = ch_pg_get_int(res, k, 0);
        list[k].audit_id = ch_pg_get_int(res, k, 1);
        list[k].group = ch_pg_get_text(a, res, k, 2);
        list[k].submitted_at = ch_pg_get_int(res, k, 3);
        list[k].answers = ch_pg_get_text(a, res, k, 4);
    }
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}
