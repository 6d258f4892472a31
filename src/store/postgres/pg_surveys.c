/* Customer surveys in the PostgreSQL backend, with the SQL the SQLite
 * backend uses (surveys_sql.h): an invitation and its mail in one
 * transaction, and an answer that takes its invitation with a guarded
 * UPDATE, so two servers answering the same link store one answer. */
#include "store/postgres/internal.h"
#include "store/surveys_sql.h"

#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs sql on c; *out holds the result (also on failure, for its SQLSTATE). */
static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    *out = ch_pg_run(c, sql, p, err, doing);
    return ok(*out) ? CH_OK : (err->code ? err->code : CH_E_STORE);
}

/* A read on a pooled connection; the caller PQclear()s *out. */
static int query(pg *s, const char *sql, const pg_params *p, const char *doing, PGresult **out,
                 ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    int rc = run(c, sql, p, doing, out, err);
    ch_pg_release(c);
    if (rc) {
        PQclear(*out);
        *out = NULL;
    }
    return rc;
}

static int finish(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_OK)
        return ch_pg_exec(c, "COMMIT", err);
    ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    return rc;
}

int ch_pg_survey_candidates(ch_store *base, const char *service, const char *kinds,
                            ch_time closed_from, ch_time closed_to, size_t limit, ch_arena *a,
                            ch_survey_candidate **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_CANDIDATES("$1", "$2::text", "$3", "$4", "$5", "strpos");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_text(&p, service);
    ch_pg_text(&p, kinds);
    ch_pg_int(&p, closed_from);
    ch_pg_int(&p, closed_to);
    ch_pg_int(&p, (int64_t)(limit ? limit : 100));
    int rc = query((pg *)base, sql, &p, "finding closed cases to survey", &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_survey_candidate *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_survey_candidate *k = &list[i];
        k->case_id = ch_pg_get_int(res, i, 0);
        k->service = ch_pg_get_text(a, res, i, 1);
        k->kind = ch_pg_get_text(a, res, i, 2);
        k->subject = ch_pg_get_text(a, res, i, 3);
        k->name = ch_pg_get_text(a, res, i, 4);
        k->email = ch_pg_get_text(a, res, i, 5);
        k->closed_at = ch_pg_get_int(res, i, 6);
    }
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_survey_invite(ch_store *base, ch_survey_invitation *inv, ch_outbox_row *mail,
                        ch_error *err)
{
    static const char sql[] = SURVEY_INVITE(
        "$1, $2, $3, $4, $5, $6, $7") " ON CONFLICT (case_id) DO NOTHING RETURNING id";
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = NULL;
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    mail->case_id = inv->case_id;
    if ((rc = ch_pg_outbox_insert_in(c, mail, err)))
        goto done;
    pg_params p = {0};
    ch_pg_int(&p, inv->case_id);
    ch_pg_text(&p, inv->service);
    ch_pg_text(&p, inv->token_hash);
    ch_pg_int(&p, mail->id);
    ch_pg_int(&p, inv->sent_at);
    ch_pg_int(&p, inv->expires_at);
    ch_pg_int(&p, inv->anonymous_allowed ? 1 : 0);
    if ((rc = run(c, sql, &p, "storing a survey invitation", &res, err))) {
        if (ch_pg_violation(res, "23503"))
            rc = ch_error_set(err, CH_E_CONFLICT, "case %lld no longer exists",
                              (long long)inv->case_id);
        goto done;
    }
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_CONFLICT, "case %lld already has a survey invitation",
                          (long long)inv->case_id);
        goto done;
    }
    inv->id = ch_pg_get_int(res, 0, 0);
    inv->outbox_id = mail->id;
done:
    rc = finish(c, rc, err);
out:
    PQclear(res);
    ch_pg_release(c);
    return rc;
}

static void read_invitation(ch_arena *a, const PGresult *res, int i, ch_survey_invitation *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->id = ch_pg_get_int(res, i, 0);
    inv->case_id = ch_pg_get_int(res, i, 1);
    inv->outbox_id = ch_pg_get_int(res, i, 2);
    inv->service = ch_pg_get_text(a, res, i, 3);
    inv->sent_at = ch_pg_get_int(res, i, 4);
    inv->expires_at = ch_pg_get_int(res, i, 5);
    inv->anonymous_allowed = ch_pg_get_int(res, i, 6) != 0;
    inv->used = ch_pg_get_int(res, i, 7) != 0;
    inv->responded_at = ch_pg_get_int(res, i, 8);
}

int ch_pg_survey_find(ch_store *base, const char *token_hash, ch_arena *a,
                      ch_survey_invitation *out, ch_error *err)
{
    static const char sql[] = SURVEY_FIND("$1");
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, token_hash);
    int rc = query((pg *)base, sql, &p, "reading a survey invitation", &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no survey with this link");
    } else {
        read_invitation(a, res, 0, out);
        out->token_hash = ch_arena_strdup(a, token_hash);
    }
    PQclear(res);
    return rc;
}

int ch_pg_survey_answer(ch_store *base, const char *token_hash, ch_survey_response *r,
                        ch_error *err)
{
    static const char use[] = SURVEY_USE("$1::bigint", "$2", "$3");
    static const char why[] = "SELECT used FROM survey_invitations WHERE token_hash = $1";
    static const char ins[] = SURVEY_RESPOND("$1, $2, $3, $4, $5, $6") " RETURNING id";
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = NULL;
    ch_arena scratch = {0};
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    pg_params p = {0};
    if (r->anonymous)
        ch_pg_text(&p, NULL);
    else
        ch_pg_int(&p, r->submitted_at);
    ch_pg_text(&p, token_hash);
    ch_pg_int(&p, r->submitted_at);
    if ((rc = run(c, use, &p, "using a survey invitation", &res, err)))
        goto done;
    if (PQntuples(res) == 0) {
        PQclear(res);
        pg_params q = {0};
        ch_pg_text(&q, token_hash);
        if ((rc = run(c, why, &q, "reading a survey invitation", &res, err)))
            goto done;
        if (PQntuples(res) && ch_pg_get_int(res, 0, 0))
            rc = ch_error_set(err, CH_E_CONFLICT, "this survey has already been answered");
        else
            rc = ch_error_set(err, CH_E_NOTFOUND, "there is no open survey with this link");
        goto done;
    }
    int64_t invitation = ch_pg_get_int(res, 0, 0);
    r->case_id = r->anonymous ? 0 : ch_pg_get_int(res, 0, 1);
    r->invitation_id = r->anonymous ? 0 : invitation;
    const char *service = ch_pg_get_text(&scratch, res, 0, 2);
    PQclear(res);
    res = NULL;
    pg_params v = {0};
    ch_pg_id(&v, r->invitation_id);
    ch_pg_text(&v, service);
    ch_pg_int(&v, r->rating);
    ch_pg_text(&v, r->comment);
    ch_pg_int(&v, r->anonymous ? 1 : 0);
    ch_pg_int(&v, r->submitted_at);
    if ((rc = run(c, ins, &v, "storing a survey answer", &res, err)))
        goto done;
    r->id = ch_pg_get_int(res, 0, 0);
done:
    rc = finish(c, rc, err);
out:
    PQclear(res);
    ch_pg_release(c);
    ch_arena_free(&scratch);
    return rc;
}

static void filter_params(pg_params *p, const ch_survey_filter *f)
{
    ch_pg_int(p, f->from);
    ch_pg_int(p, f->to);
    ch_pg_text(p, f->service);
    ch_pg_int(p, (int64_t)(f->limit ? f->limit : 100000));
}

int ch_pg_survey_invitations(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                             ch_survey_invitation **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_INVITATIONS("$1", "$2", "$3", "$4");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    filter_params(&p, f);
    int rc = query((pg *)base, sql, &p, "reading survey invitations", &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_survey_invitation *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++)
        read_invitation(a, res, i, &list[i]);
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_survey_responses(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                           ch_survey_response **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_RESPONSES("$1", "$2", "$3", "$4");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    filter_params(&p, f);
    int rc = query((pg *)base, sql, &p, "reading survey answers", &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_survey_response *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_survey_response *r = &list[i];
        memset(r, 0, sizeof(*r));
        r->id = ch_pg_get_int(res, i, 0);
        r->invitation_id = ch_pg_get_int(res, i, 1);
        r->case_id = ch_pg_get_int(res, i, 2);
        r->service = ch_pg_get_text(a, res, i, 3);
        r->rating = (int)ch_pg_get_int(res, i, 4);
        r->comment = ch_pg_get_text(a, res, i, 5);
        r->anonymous = ch_pg_get_int(res, i, 6) != 0;
        r->submitted_at = ch_pg_get_int(res, i, 7);
    }
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}
