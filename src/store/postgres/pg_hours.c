/* Purchased hours in the PostgreSQL backend: the same contract as the
 * SQLite backend's hours.c. Each change is one transaction; a visit ends
 * only while it is still booked and a contract closes only while it is
 * open, so two servers acting at once charge or settle once. */
#include "store/hours_sql.h"
#include "store/postgres/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs sql; on failure returns the error, naming a missing reference
 * (a foreign-key violation) as what; *out (when given) is the result. */
static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing,
               const char *missing, PGresult **out, ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    if (!ok(res)) {
        bool fk = ch_pg_violation(res, "23503");
        PQclear(res);
        if (fk && missing)
            return ch_error_set(err, CH_E_INVALID, "%s", missing);
        return err->code ? err->code : CH_E_STORE;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return CH_OK;
}

static int finish(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_OK)
        rc = ch_pg_exec(c, "COMMIT", err);
    else
        ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    ch_pg_release(c);
    return rc;
}

static void read_contract(ch_arena *a, const PGresult *r, int i, ch_contract *c)
{
    c->id = ch_pg_get_int(r, i, 0);
    c->organisation_id = ch_pg_get_int(r, i, 1);
    c->organisation = ch_pg_get_text(a, r, i, 2);
    c->service = ch_pg_get_text(a, r, i, 3);
    c->year = ch_pg_get_text(a, r, i, 4);
    c->starts = (ch_date)ch_pg_get_int(r, i, 5);
    c->ends = (ch_date)ch_pg_get_int(r, i, 6);
    c->amount = ch_pg_get_int(r, i, 7);
    c->unit = ch_pg_get_text(a, r, i, 8);
    c->purchased = ch_pg_get_int(r, i, 9);
    c->block = (int32_t)ch_pg_get_int(r, i, 10);
    c->prep_counts = ch_pg_get_int(r, i, 11) != 0;
    c->contact_name = ch_pg_get_text(a, r, i, 12);
    c->contact_email = ch_pg_get_text(a, r, i, 13);
    c->consultant_id = ch_pg_get_int(r, i, 14);
    c->consultant = ch_pg_get_text(a, r, i, 15);
    c->shortfall_policy = ch_pg_get_text(a, r, i, 16);
    c->status = ch_pg_get_text(a, r, i, 17);
    c->created_by = ch_pg_get_int(r, i, 18);
    c->created_at = ch_pg_get_int(r, i, 19);
    c->balance = ch_pg_get_int(r, i, 20);
    c->booked = ch_pg_get_int(r, i, 21);
    c->shortfall = ch_pg_get_int(r, i, 22);
    c->scope = ch_pg_get_text(a, r, i, 23);
}

static void read_visit(ch_arena *a, const PGresult *r, int i, ch_visit *v)
{
    v->id = ch_pg_get_int(r, i, 0);
    v->contract_id = ch_pg_get_int(r, i, 1);
    v->consultant_id = ch_pg_get_int(r, i, 2);
    v->starts_at = ch_pg_get_int(r, i, 3);
    v->booked = (int32_t)ch_pg_get_int(r, i, 4);
    v->actual = (int32_t)ch_pg_get_int(r, i, 5);
    v->status = ch_pg_get_text(a, r, i, 6);
    v->reason = ch_pg_get_text(a, r, i, 7);
    v->note = ch_pg_get_text(a, r, i, 8);
    v->late_notice_at = ch_pg_get_int(r, i, 9);
    v->late_expected_at = ch_pg_get_int(r, i, 10);
    v->rescheduled_from = ch_pg_get_int(r, i, 11);
    v->over_balance = ch_pg_get_int(r, i, 12) != 0;
    v->created_by = ch_pg_get_int(r, i, 13);
    v->created_at = ch_pg_get_int(r, i, 14);
    v->updated_at = ch_pg_get_int(r, i, 15);
    v->school = ch_pg_get_text(a, r, i, 16);
    v->consultant = ch_pg_get_text(a, r, i, 17);
    v->service = ch_pg_get_text(a, r, i, 18);
    v->arrived_at = ch_pg_get_int(r, i, 19);
    v->kind = ch_pg_get_text(a, r, i, 20);
    v->resources_due_at = ch_pg_get_int(r, i, 21);
    v->resources_told_at = ch_pg_get_int(r, i, 22);
    v->release_for = ch_pg_get_text(a, r, i, 23);
    v->release_told_at = ch_pg_get_int(r, i, 24);
}

static int insert_entry(pg_conn *c, ch_ledger_row *e, ch_error *err)
{
    static const char sql[] = "INSERT INTO ledger(contract_id, at, kind, minutes, visit_id,"
                              " reason, created_by, created_at)"
                              " VALUES($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, e->contract_id);
    ch_pg_int(&p, e->at);
    ch_pg_text(&p, e->kind);
    ch_pg_int(&p, e->minutes);
    ch_pg_id(&p, e->visit_id);
    ch_pg_text(&p, e->reason);
    ch_pg_id(&p, e->created_by);
    ch_pg_int(&p, e->created_at);
    int rc =
        run(c, sql, &p, "adding to the hours ledger", "that contract does not exist", &res, err);
    if (rc)
        return rc;
    e->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return CH_OK;
}

static int insert_contract(pg_conn *c, ch_contract *k, ch_error *err)
{
    static const char org[] = "INSERT INTO organisations(name, kind, created_at)"
                              " VALUES($1, 'other', $2) ON CONFLICT (name) DO UPDATE"
                              " SET name = EXCLUDED.name RETURNING id";
    static const char sql[] =
        "INSERT INTO contracts(organisation_id, service, year, starts_on, ends_on, amount, unit,"
        " purchased, block, prep_counts, contact_name, contact_email, consultant_id, shortfall,"
        " status, created_by, created_at, scope)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $16,"
        " $17) RETURNING id";
    PGresult *res = NULL;
    int rc;
    if (!k->organisation_id) {
        pg_params o = {0};
        ch_pg_text(&o, k->organisation);
        ch_pg_int(&o, k->created_at);
        if ((rc = run(c, org, &o, "finding the school", NULL, &res, err)))
            return rc;
        k->organisation_id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    pg_params p = {0};
    ch_pg_int(&p, k->organisation_id);
    ch_pg_text(&p, k->service);
    ch_pg_text(&p, k->year);
    ch_pg_int(&p, k->starts);
    ch_pg_int(&p, k->ends);
    ch_pg_int(&p, k->amount);
    ch_pg_text(&p, k->unit);
    ch_pg_int(&p, k->purchased);
    ch_pg_int(&p, k->block);
    ch_pg_int(&p, k->prep_counts);
    ch_pg_text(&p, k->contact_name);
    ch_pg_text(&p, k->contact_email);
    ch_pg_id(&p, k->consultant_id);
    ch_pg_text(&p, k->shortfall_policy);
    ch_pg_id(&p, k->created_by);
    ch_pg_int(&p, k->created_at);
    ch_pg_text(&p, k->scope);
    if ((rc = run(c, sql, &p, "adding a contract",
                  "the school (organisation_id) or consultant (consultant_id) named on the "
                  "contract does not exist; GET /api/v1/users lists the staff",
                  &res, err)))
        return rc;
    k->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    k->status = "open";
    ch_ledger_row buy = {.contract_id = k->id,
                         .at = k->purchased_at ? k->purchased_at : k->created_at,
                         .kind = "purchase",
                         .minutes = k->purchased,
                         .created_by = k->created_by,
                         .created_at = k->created_at};
    return insert_entry(c, &buy, err);
}

int ch_pg_contract_insert(ch_store *base, ch_contract *k, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = insert_contract(c, k, err);
    return finish(c, rc, err);
}

int ch_pg_contract_get(ch_store *base, int64_t id, ch_arena *a, ch_contract *out, ch_error *err)
{
    static const char sql[] = "SELECT " CONTRACT_COLUMNS " WHERE c.id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading a contract", NULL, &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no contract %lld", (long long)id);
    else
        read_contract(a, res, 0, out);
    PQclear(res);
    return rc;
}

int ch_pg_contract_list(ch_store *base, const ch_contract_filter *f, ch_arena *a, ch_contract **out,
                        size_t *n, ch_error *err)
{
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT " CONTRACT_COLUMNS
                                   " WHERE ($1::bigint = 0 OR c.organisation_id = $1)"
                                   " AND ($2::bigint = 0 OR c.consultant_id = $2)"
                                   " AND ($3::text IS NULL OR c.year = $3)"
                                   " AND ($4::text IS NULL OR c.status = $4)"
                                   " AND ($5::text IS NULL OR lower(c.contact_email) = lower($5))");
    if (f->services)
        ch_pg_in_list(sql, sizeof(sql), &used, "c.service", 6, f->nservices);
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY o.name, c.year DESC, c.id LIMIT %zu",
             f->limit ? f->limit : 500);
    pg_params p = {0};
    ch_pg_int(&p, f->organisation_id);
    ch_pg_int(&p, f->consultant_id);
    ch_pg_text(&p, f->year);
    ch_pg_text(&p, f->status);
    ch_pg_text(&p, f->contact_email);
    for (size_t i = 0; f->services && i < f->nservices && p.n < CH_PG_PARAMS; i++)
        ch_pg_text(&p, f->services[i]);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "listing contracts");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    int rows = PQntuples(res), rc = CH_OK;
    ch_contract *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < rows; i++)
            read_contract(a, res, i, &list[i]);
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_ledger_list(ch_store *base, int64_t contract_id, ch_arena *a, ch_ledger_row **out,
                      size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT id, contract_id, at, kind, minutes, visit_id, reason,"
                              " created_by, created_at FROM ledger WHERE contract_id = $1"
                              " ORDER BY at, id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, contract_id);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading the hours ledger", NULL, &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_ledger_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < rows; i++) {
            ch_ledger_row *r = &list[i];
            r->id = ch_pg_get_int(res, i, 0);
            r->contract_id = ch_pg_get_int(res, i, 1);
            r->at = ch_pg_get_int(res, i, 2);
            r->kind = ch_pg_get_text(a, res, i, 3);
            r->minutes = ch_pg_get_int(res, i, 4);
            r->visit_id = ch_pg_get_int(res, i, 5);
            r->reason = ch_pg_get_text(a, res, i, 6);
            r->created_by = ch_pg_get_int(res, i, 7);
            r->created_at = ch_pg_get_int(res, i, 8);
        }
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_ledger_append(ch_store *base, ch_ledger_row *entries, size_t n, int64_t close_contract,
                        ch_error *err)
{
    static const char close[] =
        "UPDATE contracts SET status = 'closed' WHERE id = $1 AND status = 'open' RETURNING id";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc && close_contract) {
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_int(&p, close_contract);
        if (!(rc = run(c, close, &p, "closing a contract", NULL, &res, err))) {
            if (PQntuples(res) != 1)
                rc = ch_error_set(err, CH_E_CONFLICT,
                                  "contract %lld has already been settled for the year",
                                  (long long)close_contract);
            PQclear(res);
        }
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc = insert_entry(c, &entries[i], err);
    return finish(c, rc, err);
}

/* CH_E_CONFLICT when the consultant already holds time overlapping v. A
 * lock per consultant, held to the end of the transaction, makes two
 * bookings of one person wait for each other; the second then reads the
 * first's visit (read committed reads afresh per statement). */
static int check_clash(pg_conn *c, const ch_visit *v, ch_error *err)
{
    static const char lock[] = "SELECT pg_advisory_xact_lock(7301, CAST($1 AS integer))";
    static const char sql[] = VISIT_CLASH("$1", "$2", "$3");
    pg_params p = {0}, q = {0};
    PGresult *res = NULL;
    if (!v->consultant_id)
        return CH_OK;
    ch_pg_int(&p, v->consultant_id);
    ch_pg_int(&q, v->consultant_id);
    ch_pg_int(&q, v->starts_at);
    ch_pg_int(&q, v->starts_at + (int64_t)v->booked * 60);
    int rc = run(c, lock, &p, "locking a consultant's timetable", NULL, NULL, err);
    if (!rc && !(rc = run(c, sql, &q, "checking a consultant's timetable", NULL, &res, err))) {
        if (PQntuples(res) > 0)
            rc = ch_error_set(err, CH_E_CONFLICT, VISIT_CLASH_TEXT,
                              (long long)ch_pg_get_int(res, 0, 0));
        PQclear(res);
    }
    return rc;
}

static int insert_visit(pg_conn *c, ch_visit *v, ch_error *err)
{
    int rc = check_clash(c, v, err);
    if (rc)
        return rc;
    static const char sql[] =
        "INSERT INTO visits(contract_id, consultant_id, starts_at, booked, status, reason,"
        " note, rescheduled_from, over_balance, created_by, created_at, updated_at, kind,"
        " resources_due_at, release_for) VALUES($1, $2, $3, $4, 'booked', $5, $6, $7, $8, $9,"
        " $10, $10, coalesce($11, 'visit'), $12, $13) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, v->contract_id);
    ch_pg_id(&p, v->consultant_id);
    ch_pg_int(&p, v->starts_at);
    ch_pg_int(&p, v->booked);
    ch_pg_text(&p, v->reason);
    ch_pg_text(&p, v->note);
    ch_pg_id(&p, v->rescheduled_from);
    ch_pg_int(&p, v->over_balance);
    ch_pg_id(&p, v->created_by);
    ch_pg_int(&p, v->created_at);
    ch_pg_text(&p, v->kind);
    ch_pg_id(&p, v->resources_due_at);
    ch_pg_text(&p, v->release_for);
    rc = run(c, sql, &p, "booking a visit",
             "the consultant (consultant_id) named on the visit does not exist; GET "
             "/api/v1/users lists the staff",
             &res, err);
    if (rc)
        return rc;
    v->id = ch_pg_get_int(res, 0, 0);
    v->status = "booked";
    PQclear(res);
    return CH_OK;
}

/* With seen, the contract's row is locked first: a second booking waits
 * for the first to commit, then reads figures that include it. */
int ch_pg_visit_insert(ch_store *base, ch_visit *v, const ch_contract *seen, ch_error *err)
{
    static const char lock[] = "SELECT id FROM contracts WHERE id = $1 FOR UPDATE";
    static const char figures[] = CONTRACT_FIGURES "$1";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc && seen) {
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_int(&p, v->contract_id);
        if (!(rc = run(c, lock, &p, "locking a contract", NULL, NULL, err)) &&
            !(rc = run(c, figures, &p, "reading a contract's balance", NULL, &res, err))) {
            if (PQntuples(res) != 1 || ch_pg_get_int(res, 0, 0) != seen->balance ||
                ch_pg_get_int(res, 0, 1) != seen->booked)
                rc = ch_error_set(err, CH_E_CONFLICT,
                                  "the contract's hours changed while you were booking (someone "
                                  "else booked or logged time); look again and book once more");
            PQclear(res);
        }
    }
    if (!rc)
        rc = insert_visit(c, v, err);
    return finish(c, rc, err);
}

static int visit_rows(ch_store *base, const char *sql, const pg_params *p, ch_arena *a,
                      ch_visit **out, size_t *n, ch_error *err)
{
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, p, "reading visits", NULL, &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_visit *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < rows; i++)
            read_visit(a, res, i, &list[i]);
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_visit_get(ch_store *base, int64_t id, ch_arena *a, ch_visit *out, ch_error *err)
{
    static const char sql[] = "SELECT " VISIT_COLUMNS " WHERE v.id = $1";
    pg_params p = {0};
    ch_pg_int(&p, id);
    ch_visit *rows;
    size_t n;
    int rc = visit_rows(base, sql, &p, a, &rows, &n, err);
    if (rc)
        return rc;
    if (n == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no visit %lld", (long long)id);
    *out = rows[0];
    return CH_OK;
}

int ch_pg_visit_list(ch_store *base, const ch_visit_filter *f, ch_arena *a, ch_visit **out,
                     size_t *n, ch_error *err)
{
    static const char by_consultant[] = VISIT_LIST_BY_CONSULTANT(
        "$1::bigint", "$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint");
    static const char by_contract[] = VISIT_LIST_BY_CONTRACT(
        "$1::bigint", "$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint");
    static const char any[] =
        VISIT_LIST_ANY("$1::bigint", "$2::bigint", "$3::bigint", "$4::bigint", "$5::bigint");
    pg_params p = {0};
    ch_pg_int(&p, f->contract_id);
    ch_pg_int(&p, f->consultant_id);
    ch_pg_int(&p, f->from);
    ch_pg_int(&p, f->to ? f->to : INT64_MAX);
    ch_pg_int(&p, f->limit ? (int64_t)f->limit : 1000);
    return visit_rows(base,
                      f->consultant_id ? by_consultant
                      : f->contract_id ? by_contract
                                       : any,
                      &p, a, out, n, err);
}

static int insert_notice(pg_conn *c, ch_visit_notice *n, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO visit_notices(visit_id, kind, party, notice_at, expected_at, channel,"
        " contact, note, outbox_id, created_by, created_at)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, n->visit_id);
    ch_pg_text(&p, n->kind);
    ch_pg_text(&p, n->party);
    ch_pg_int(&p, n->notice_at);
    ch_pg_id(&p, n->expected_at);
    ch_pg_text(&p, n->channel);
    ch_pg_text(&p, n->contact);
    ch_pg_text(&p, n->note);
    ch_pg_id(&p, n->outbox_id);
    ch_pg_id(&p, n->created_by);
    ch_pg_int(&p, n->created_at);
    int rc = run(c, sql, &p, "keeping a visit's notice", NULL, &res, err);
    if (rc)
        return rc;
    n->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return CH_OK;
}

int ch_pg_visit_change(ch_store *base, ch_visit_change *ch, ch_error *err)
{
    static const char end[] =
        "UPDATE visits SET status = coalesce($2, status), actual = coalesce($3, actual),"
        " note = coalesce($4, note), late_notice_at = coalesce($5, late_notice_at),"
        " late_expected_at = coalesce($6, late_expected_at), updated_at = $7,"
        " arrived_at = coalesce($8, arrived_at), resources_told_at = coalesce($9,"
        " resources_told_at), release_told_at = coalesce($10, release_told_at)"
        " WHERE id = $1 AND status = 'booked' RETURNING id";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc) {
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_int(&p, ch->visit_id);
        ch_pg_text(&p, ch->status);
        ch_pg_id(&p, ch->actual);
        ch_pg_text(&p, ch->note);
        ch_pg_id(&p, ch->late_notice_at);
        ch_pg_id(&p, ch->late_expected_at);
        ch_pg_int(&p, ch->at);
        ch_pg_id(&p, ch->arrived_at);
        ch_pg_id(&p, ch->resources_told_at);
        ch_pg_id(&p, ch->release_told_at);
        if (!(rc = run(c, end, &p, "changing a visit", NULL, &res, err))) {
            if (PQntuples(res) != 1)
                rc = ch_error_set(err, CH_E_CONFLICT,
                                  "visit %lld has already ended (or does not exist); reload it",
                                  (long long)ch->visit_id);
            PQclear(res);
        }
    }
    if (!rc && ch->charge)
        rc = insert_entry(c, ch->charge, err);
    if (!rc && ch->rebook)
        rc = insert_visit(c, ch->rebook, err);
    if (!rc && ch->mail)
        rc = ch_pg_outbox_insert_in(c, ch->mail, err);
    if (!rc && ch->notice) {
        if (ch->mail)
            ch->notice->outbox_id = ch->mail->id;
        rc = insert_notice(c, ch->notice, err);
    }
    return finish(c, rc, err);
}

int ch_pg_visit_notices(ch_store *base, int64_t visit_id, ch_arena *a, ch_visit_notice **out,
                        size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT id, visit_id, kind, party, notice_at, expected_at, channel,"
                              " contact, note, outbox_id, created_by, created_at FROM visit_notices"
                              " WHERE visit_id = $1 ORDER BY id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, visit_id);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading visit notices", NULL, &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_visit_notice *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < rows; i++) {
            ch_visit_notice *x = &list[i];
            x->id = ch_pg_get_int(res, i, 0);
            x->visit_id = ch_pg_get_int(res, i, 1);
            x->kind = ch_pg_get_text(a, res, i, 2);
            x->party = ch_pg_get_text(a, res, i, 3);
            x->notice_at = ch_pg_get_int(res, i, 4);
            x->expected_at = ch_pg_get_int(res, i, 5);
            x->channel = ch_pg_get_text(a, res, i, 6);
            x->contact = ch_pg_get_text(a, res, i, 7);
            x->note = ch_pg_get_text(a, res, i, 8);
            x->outbox_id = ch_pg_get_int(res, i, 9);
            x->created_by = ch_pg_get_int(res, i, 10);
            x->created_at = ch_pg_get_int(res, i, 11);
        }
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err)
{
    static const char sql[] = "INSERT INTO statements_sent(contract_id, term, sent_at, sent_by,"
                              " sent_to) VALUES($1, $2, $3, $4, $5)";
    pg_params p = {0};
    ch_pg_int(&p, row->contract_id);
    ch_pg_text(&p, row->term);
    ch_pg_int(&p, row->sent_at);
    ch_pg_id(&p, row->sent_by);
    ch_pg_text(&p, row->sent_to);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "recording a statement as sent");
    ch_pg_release(c);
    int rc = CH_OK;
    if (ch_pg_violation(res, "23505"))
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "the %s statement of contract %lld is already recorded as sent",
                          row->term, (long long)row->contract_id);
    else if (ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no contract %lld",
                          (long long)row->contract_id);
    else if (!ok(res))
        rc = err->code ? err->code : CH_E_STORE;
    PQclear(res);
    return rc;
}

int ch_pg_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT contract_id, term, sent_at, sent_by, sent_to"
                              " FROM statements_sent WHERE term = $1 ORDER BY contract_id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, term);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading sent statements", NULL, &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_statement_sent *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < rows; i++) {
            list[i].contract_id = ch_pg_get_int(res, i, 0);
            list[i].term = ch_pg_get_text(a, res, i, 1);
            list[i].sent_at = ch_pg_get_int(res, i, 2);
            list[i].sent_by = ch_pg_get_int(res, i, 3);
            list[i].sent_to = ch_pg_get_text(a, res, i, 4);
        }
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err)
{
    static const char sql[] =
        CONTRACT_UPDATE("$1", "$2::boolean", "$3", "$4", "$5::boolean", "$6::bigint", "$7::text",
                        "$8::bigint", "$9::bigint", "$10::boolean", "$11::text") " RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, ch->id);
    ch_pg_text(&p, ch->set_contact ? "true" : "false");
    ch_pg_text(&p, ch->contact_name);
    ch_pg_text(&p, ch->contact_email);
    ch_pg_text(&p, ch->set_consultant ? "true" : "false");
    ch_pg_id(&p, ch->consultant_id);
    ch_pg_text(&p, ch->shortfall_policy);
    ch_pg_id(&p, ch->block);
    if (ch->prep_counts < 0)
        ch_pg_text(&p, NULL);
    else
        ch_pg_int(&p, ch->prep_counts);
    ch_pg_text(&p, ch->set_scope ? "true" : "false");
    ch_pg_text(&p, ch->scope);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "changing a contract", "there is no such user to be the consultant",
                 &res, err);
    ch_pg_release(c);
    if (rc)
        return rc;
    if (PQntuples(res) != 1)
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "contract %lld is closed (or gone) and cannot be changed",
                          (long long)ch->id);
    PQclear(res);
    return rc;
}
