/* Complaints and compliments in the PostgreSQL backend: a complaint's stages
 * with their outcomes and letters, and the staff a case names. A stage moves
 * in one transaction with its letter and case update (which locks the row). */
#include "store/postgres/internal.h"

#include <string.h>

enum { MAX_NAMED = 64, MAX_LINES = 100000 };

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One statement on c; *out holds the result (also on failure, for its
 * SQLSTATE) unless out is NULL. */
static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    int rc = ok(res) ? CH_OK : (err->code ? err->code : CH_E_STORE);
    if (out)
        *out = res;
    else
        PQclear(res);
    return rc;
}

/* One statement on a pooled connection of its own. */
static int run_pooled(ch_store *base, const char *sql, const pg_params *p, const char *doing,
                      PGresult **out, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, p, doing, out, err);
    ch_pg_release(c);
    return rc;
}

static int finish(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_OK)
        return ch_pg_exec(c, "COMMIT", err);
    ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    return rc;
}

int ch_pg_stages(ch_store *base, int64_t case_id, ch_arena *a, ch_stage_row **out, size_t *n,
                 ch_error *err)
{
    static const char sql[] = "SELECT id, case_id, seq, stage, started_at, closed_at, outcome,"
                              " lessons, findings, closed_by, letter_id FROM complaint_stages"
                              " WHERE case_id = $1 ORDER BY seq";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, case_id);
    int rc = run_pooled(base, sql, &p, "reading a complaint's stages", &res, err);
    int rows = rc ? 0 : PQntuples(res);
    if (rows > 0 && !(*out = ch_arena_alloc(a, (size_t)rows * sizeof(**out))))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_stage_row *r = &(*out)[(*n)++];
        r->id = ch_pg_get_int(res, i, 0);
        r->case_id = ch_pg_get_int(res, i, 1);
        r->seq = ch_pg_get_int(res, i, 2);
        r->stage = ch_pg_get_text(a, res, i, 3);
        r->started_at = ch_pg_get_int(res, i, 4);
        r->closed_at = ch_pg_get_int(res, i, 5);
        r->outcome = ch_pg_get_text(a, res, i, 6);
        r->lessons = ch_pg_get_text(a, res, i, 7);
        r->findings = ch_pg_get_text(a, res, i, 8);
        r->closed_by = ch_pg_get_int(res, i, 9);
        r->letter_id = ch_pg_get_int(res, i, 10);
    }
    PQclear(res);
    return rc;
}

/* Writes one stage row by (case_id, seq): a new one, or the open one now
 * closed. */
static int stage_put(pg_conn *c, const ch_stage_row *r, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO complaint_stages(case_id, seq, stage, started_at, closed_at, outcome,"
        " lessons, findings, closed_by, letter_id) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT(case_id, seq) DO UPDATE SET closed_at = excluded.closed_at,"
        " outcome = excluded.outcome, lessons = excluded.lessons, findings = excluded.findings,"
        " closed_by = excluded.closed_by, letter_id = excluded.letter_id"
        " WHERE complaint_stages.closed_at IS NULL RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, r->case_id);
    ch_pg_int(&p, r->seq);
    ch_pg_text(&p, r->stage);
    ch_pg_int(&p, r->started_at);
    ch_pg_id(&p, r->closed_at);
    ch_pg_text(&p, r->outcome);
    ch_pg_text(&p, r->lessons);
    ch_pg_text(&p, r->findings);
    ch_pg_id(&p, r->closed_by);
    ch_pg_id(&p, r->letter_id);
    int rc = run(c, sql, &p, "recording a complaint stage", &res, err);
    if (!rc && PQntuples(res) == 0) /* closed already, by a request just before */
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "stage %lld of case %lld is closed already; reload the case",
                          (long long)r->seq + 1, (long long)r->case_id);
    PQclear(res);
    return rc;
}

/* Moves a closed stage's close back to r->closed_at (never later). */
static int stage_backdate(pg_conn *c, const ch_stage_row *r, ch_error *err)
{
    static const char sql[] = "UPDATE complaint_stages SET closed_at = $1 WHERE case_id = $2"
                              " AND seq = $3 AND closed_at IS NOT NULL AND closed_at >= $1"
                              " RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, r->closed_at);
    ch_pg_int(&p, r->case_id);
    ch_pg_int(&p, r->seq);
    int rc = run(c, sql, &p, "recording when a complaint stage closed", &res, err);
    if (!rc && PQntuples(res) != 1)
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "stage %lld of case %lld was changed by someone else; reload it",
                          (long long)r->seq + 1, (long long)r->case_id);
    PQclear(res);
    return rc;
}

static int stage_change_in(pg_conn *c, ch_stage_change *m, int64_t *new_version, ch_error *err)
{
    int rc = ch_pg_case_update_in(c, m->update, new_version, err);
    if (rc)
        return rc;
    if (m->letter) {
        m->letter->contact_id = m->update->contact ? m->update->contact->id : 0;
        if ((rc = ch_pg_attachment_insert_in(c, m->letter, err)))
            return rc;
        if (m->close)
            m->close->letter_id = m->letter->id;
    }
    if (m->backdate && (rc = stage_backdate(c, m->backdate, err)))
        return rc;
    if (m->close && (rc = stage_put(c, m->close, err)))
        return rc;
    if (m->open && (rc = stage_put(c, m->open, err)))
        return rc;
    return CH_OK;
}

int ch_pg_stage_change(ch_store *base, ch_stage_change *m, int64_t *new_version, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = finish(c, stage_change_in(c, m, new_version, err), err);
    ch_pg_release(c);
    return rc;
}

int ch_pg_case_staff(ch_store *base, int64_t case_id, ch_arena *a, ch_staff_named **out, size_t *n,
                     ch_error *err)
{
    static const char sql[] = "SELECT s.user_id, u.name, u.email, s.named_by, s.named_at"
                              " FROM case_staff s JOIN users u ON u.id = s.user_id"
                              " WHERE s.case_id = $1 ORDER BY u.name, s.user_id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, case_id);
    int rc = run_pooled(base, sql, &p, "reading the staff a case names", &res, err);
    int rows = rc ? 0 : PQntuples(res);
    if (rows > 0 && !(*out = ch_arena_alloc(a, (size_t)rows * sizeof(**out))))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_staff_named *r = &(*out)[(*n)++];
        r->user_id = ch_pg_get_int(res, i, 0);
        r->name = ch_pg_get_text(a, res, i, 1);
        r->email = ch_pg_get_text(a, res, i, 2);
        r->named_by = ch_pg_get_int(res, i, 3);
        r->named_at = ch_pg_get_int(res, i, 4);
    }
    PQclear(res);
    return rc;
}

static int staff_set_in(pg_conn *c, const ch_case_update *u, const int64_t *ids, size_t n,
                        int64_t by, int64_t *new_version, ch_error *err)
{
    static const char del[] = "DELETE FROM case_staff WHERE case_id = $1";
    static const char ins[] = "INSERT INTO case_staff(case_id, user_id, named_by, named_at)"
                              " VALUES($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    int rc = ch_pg_case_update_in(c, u, new_version, err);
    if (rc)
        return rc;
    pg_params p = {0};
    ch_pg_int(&p, u->case_id);
    if ((rc = run(c, del, &p, "changing the staff a case names", NULL, err)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        PGresult *res = NULL;
        pg_params q = {0};
        ch_pg_int(&q, u->case_id);
        ch_pg_int(&q, ids[i]);
        ch_pg_id(&q, by);
        ch_pg_int(&q, u->now);
        rc = run(c, ins, &q, "naming a member of staff on a case", &res, err);
        if (rc && ch_pg_violation(res, "23503"))
            rc = ch_error_set(err, CH_E_INVALID, "there is no member of staff %lld",
                              (long long)ids[i]);
        PQclear(res);
        if (rc)
            return rc;
    }
    return CH_OK;
}

int ch_pg_case_staff_set(ch_store *base, const ch_case_update *u, const int64_t *ids, size_t n,
                         int64_t by, int64_t *new_version, ch_error *err)
{
    if (n > MAX_NAMED)
        return ch_error_set(err, CH_E_INVALID, "a case may name at most %d members of staff",
                            MAX_NAMED);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = finish(c, staff_set_in(c, u, ids, n, by, new_version, err), err);
    ch_pg_release(c);
    return rc;
}

int ch_pg_cases_staff_named(ch_store *base, const int64_t *ids, size_t n, bool *named,
                            ch_error *err)
{
    static const char sql[] = "SELECT EXISTS(SELECT 1 FROM cases c JOIN case_staff s"
                              " ON s.case_id = c.id WHERE c.id = $1 AND c.kind = 'complaint')";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = CH_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        PGresult *res = NULL;
        pg_params p = {0};
        ch_pg_int(&p, ids[i]);
        rc = run(c, sql, &p, "reading which cases name staff", &res, err);
        if (!rc)
            named[i] = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
    }
    ch_pg_release(c);
    return rc;
}

int ch_pg_complaint_lines(ch_store *base, ch_time from, ch_time to, ch_arena *a,
                          ch_complaint_line **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.service, c.kind, c.received_at, s.stage, s.outcome, s.seq, 0, NULL,"
        " c.status"
        " FROM cases c LEFT JOIN complaint_stages s ON s.case_id = c.id"
        " WHERE c.kind IN ('complaint', 'compliment') AND c.received_at >= $1"
        " AND c.received_at < $2"
        " UNION ALL SELECT c.id, c.service, c.kind, c.received_at, NULL, NULL, 0, u.id, u.name,"
        " c.status"
        " FROM cases c JOIN case_staff cs ON cs.case_id = c.id JOIN users u ON u.id = cs.user_id"
        " WHERE c.kind IN ('complaint', 'compliment') AND c.received_at >= $1"
        " AND c.received_at < $2 ORDER BY 1, 8, 7 LIMIT $3";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    ch_pg_int(&p, MAX_LINES + 1);
    int rc = run_pooled(base, sql, &p, "reading the complaints report", &res, err);
    int rows = rc ? 0 : PQntuples(res);
    if (rows > MAX_LINES)
        rc = ch_error_set(err, CH_E_INVALID,
                          "the period holds more than %d lines; ask for a shorter one", MAX_LINES);
    else if (rows > 0 && !(*out = ch_arena_alloc(a, (size_t)rows * sizeof(**out))))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        ch_complaint_line *r = &(*out)[(*n)++];
        r->case_id = ch_pg_get_int(res, i, 0);
        r->service = ch_pg_get_text(a, res, i, 1);
        r->kind = ch_pg_get_text(a, res, i, 2);
        r->received_at = ch_pg_get_int(res, i, 3);
        r->stage = ch_pg_get_text(a, res, i, 4);
        r->outcome = ch_pg_get_text(a, res, i, 5);
        r->seq = ch_pg_get_int(res, i, 6);
        r->staff_id = ch_pg_get_int(res, i, 7);
        r->staff_name = ch_pg_get_text(a, res, i, 8);
        r->status = ch_pg_get_text(a, res, i, 9);
    }
    PQclear(res);
    return rc;
}
