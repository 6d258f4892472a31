/* Retention and erasure in the PostgreSQL backend: legal holds, the
 * per-kind retention statements, and the erasure of a person in one
 * transaction (the person's row locked, so two erasures cannot cross).
 * The text search rows (tsvector) of the person's cases go with them. */
#include "core/retention.h"
#include "store/postgres/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One fixed statement; the result in *out (or cleared), 0 or the error. */
static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    int rc = ok(res) ? CH_OK : err->code ? err->code : CH_E_STORE;
    if (out)
        *out = res;
    else
        PQclear(res);
    return rc;
}

/* Runs fn(c, arg) inside BEGIN ... COMMIT on one connection. */
static int in_tx(pg *s, int (*fn)(pg_conn *, void *, ch_error *), void *arg, ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc) {
        rc = fn(c, arg, err);
        if (rc == CH_OK)
            rc = ch_pg_exec(c, "COMMIT", err);
        else
            ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    }
    ch_pg_release(c);
    return rc;
}

/* Each statement with the one id $1. */
static int run_steps(pg_conn *c, const char *const *steps, size_t n, int64_t id, const char *doing,
                     ch_error *err)
{
    for (size_t i = 0; i < n; i++) {
        pg_params p = {0};
        ch_pg_int(&p, id);
        int rc = run(c, steps[i], &p, doing, NULL, err);
        if (rc)
            return rc;
    }
    return CH_OK;
}

/* ---- legal holds ---- */

typedef struct hold_args {
    ch_legal_hold *h;
    int64_t person_id, case_id;
} hold_args;

static int hold_place_fn(pg_conn *c, void *arg, ch_error *err)
{
    ch_legal_hold *h = ((hold_args *)arg)->h;
    static const char person[] = "SELECT 1 FROM people WHERE id = $1 FOR UPDATE";
    static const char kase[] = "SELECT 1 FROM cases WHERE id = $1 FOR UPDATE";
    static const char upd_person[] = "UPDATE legal_holds SET reason = $1, placed_by = $2,"
                                     " placed_at = $3 WHERE person_id = $4 RETURNING id";
    static const char upd_case[] = "UPDATE legal_holds SET reason = $1, placed_by = $2,"
                                   " placed_at = $3 WHERE case_id = $4 RETURNING id";
    static const char ins_person[] = "INSERT INTO legal_holds(reason, placed_by, placed_at,"
                                     " person_id) VALUES($1, $2, $3, $4) RETURNING id";
    static const char ins_case[] = "INSERT INTO legal_holds(reason, placed_by, placed_at,"
                                   " case_id) VALUES($1, $2, $3, $4) RETURNING id";
    int64_t target = h->person_id ? h->person_id : h->case_id;
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, target);
    int rc = run(c, h->person_id ? person : kase, &p, "placing a legal hold", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no %s %lld",
                          h->person_id ? "person" : "case", (long long)target);
    PQclear(res);
    for (int pass = 0; !rc && pass < 2; pass++) {
        const char *sql =
            pass ? (h->person_id ? ins_person : ins_case) : (h->person_id ? upd_person : upd_case);
        p = (pg_params){0};
        ch_pg_text(&p, h->reason);
        ch_pg_id(&p, h->placed_by);
        ch_pg_int(&p, h->placed_at);
        ch_pg_int(&p, target);
        if ((rc = run(c, sql, &p, "placing a legal hold", &res, err)) == CH_OK &&
            PQntuples(res) == 1) {
            h->id = ch_pg_get_int(res, 0, 0);
            PQclear(res);
            break;
        }
        PQclear(res);
    }
    return rc;
}

int ch_pg_hold_place(ch_store *base, ch_legal_hold *h, ch_error *err)
{
    hold_args a = {h, 0, 0};
    return in_tx((pg *)base, hold_place_fn, &a, err);
}

int ch_pg_hold_release(ch_store *base, int64_t person_id, int64_t case_id, ch_error *err)
{
    static const char person[] = "DELETE FROM legal_holds WHERE person_id = $1";
    static const char kase[] = "DELETE FROM legal_holds WHERE case_id = $1";
    pg_conn *c = ch_pg_acquire((pg *)base);
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, person_id ? person_id : case_id);
    int rc = run(c, person_id ? person : kase, &p, "releasing a legal hold", &res, err);
    if (!rc && strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "%s %lld is not under a legal hold",
                          person_id ? "person" : "case",
                          (long long)(person_id ? person_id : case_id));
    PQclear(res);
    ch_pg_release(c);
    return rc;
}

int ch_pg_hold_get(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                   ch_legal_hold *out, ch_error *err)
{
    static const char person[] =
        "SELECT id, reason, placed_by, placed_at FROM legal_holds WHERE person_id = $1";
    static const char kase[] =
        "SELECT id, reason, placed_by, placed_at FROM legal_holds WHERE case_id = $1";
    pg_conn *c = ch_pg_acquire((pg *)base);
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, person_id ? person_id : case_id);
    int rc = run(c, person_id ? person : kase, &p, "reading a legal hold", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "%s %lld is not under a legal hold",
                          person_id ? "person" : "case",
                          (long long)(person_id ? person_id : case_id));
    if (!rc) {
        *out = (ch_legal_hold){.id = ch_pg_get_int(res, 0, 0),
                               .person_id = person_id,
                               .case_id = case_id,
                               .reason = ch_pg_get_text(a, res, 0, 1),
                               .placed_by = ch_pg_get_int(res, 0, 2),
                               .placed_at = ch_pg_get_int(res, 0, 3)};
        if (!out->reason)
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    PQclear(res);
    ch_pg_release(c);
    return rc;
}

/* ---- anonymising one case (see the SQLite backend for what and why) ---- */

static const char *const case_steps[] = {
    "UPDATE cases SET subject = 'Anonymised case', requester_name = NULL,"
    " requester_email = NULL, organisation = NULL, person_id = NULL, version = version + 1"
    " WHERE id = $1",
    "UPDATE contacts SET who = NULL, summary = NULL, outcome = NULL, channel_reason = NULL,"
    " with_person_id = NULL WHERE case_id = $1",
    "UPDATE events SET detail = NULL WHERE case_id = $1",
    "UPDATE complaint_stages SET outcome = NULL, lessons = NULL, findings = NULL,"
    " letter_id = NULL WHERE case_id = $1",
    "UPDATE complaint_stages SET letter_id = NULL"
    " WHERE letter_id IN (SELECT id FROM attachments WHERE case_id = $1)",
    "DELETE FROM attachments WHERE case_id = $1",
    "DELETE FROM mail_in WHERE case_id = $1",
    "DELETE FROM mail_threads WHERE case_id = $1",
    "DELETE FROM outbox_rcpts WHERE outbox_id IN (SELECT id FROM outbox WHERE case_id = $1)",
    "UPDATE outbox SET raw = ''::bytea, rcpts = '', last_error = CASE WHEN state = 'queued'"
    " THEN 'erased before it was sent' END, state = CASE WHEN state = 'queued' THEN 'failed' ELSE "
    "state END WHERE case_id = $1",
    "DELETE FROM notifications WHERE case_id = $1",
    "UPDATE survey_responses SET comment = NULL"
    " WHERE invitation_id IN (SELECT id FROM survey_invitations WHERE case_id = $1)",
    "DELETE FROM search WHERE case_id = $1",
};

static int case_anonymise(pg_conn *c, int64_t id, int64_t by, ch_time now, ch_error *err)
{
    static const char mark[] = "INSERT INTO erasures(object, object_id, how, by_user, at)"
                               " VALUES('case', $1, 'anonymised', $2, $3) ON CONFLICT DO NOTHING";
    int rc = run_steps(c, case_steps, sizeof(case_steps) / sizeof(*case_steps), id,
                       "anonymising a case", err);
    if (rc)
        return rc;
    pg_params p = {0};
    ch_pg_int(&p, id);
    ch_pg_id(&p, by);
    ch_pg_int(&p, now);
    return run(c, mark, &p, "anonymising a case", NULL, err);
}

/* ---- retention ---- */

#define CASE_HELD(c)                                                                               \
    "EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = " c ".id OR h.person_id = " c           \
    ".person_id)"
#define DUE_CASES                                                                                  \
    " FROM cases c WHERE c.service = $1 AND c.status = 'closed' AND c.updated_at <= $2"            \
    " AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.object = 'case' AND e.object_id = c.id)"    \
    " AND NOT " CASE_HELD("c")
#define DUE_FILES                                                                                  \
    " FROM attachments a JOIN cases c ON c.id = a.case_id WHERE c.service = $1"                    \
    " AND c.status = 'closed' AND c.updated_at <= $2 AND NOT " CASE_HELD("c")
#define DUE_SURVEYS                                                                                \
    " FROM survey_responses r WHERE r.service = $1 AND r.submitted_at <= $2 AND NOT EXISTS"        \
    " (SELECT 1 FROM survey_invitations i JOIN cases c ON c.id = i.case_id"                        \
    " WHERE i.id = r.invitation_id AND " CASE_HELD("c") ")"
#define DUE_MAIL                                                                                   \
    " FROM mail_in m LEFT JOIN cases c ON c.id = m.case_id WHERE coalesce(m.service, c.service)"   \
    " = $1 AND m.received_at <= $2 AND m.state <> 'received'"                                      \
    " AND NOT (c.id IS NOT NULL AND " CASE_HELD("c") ")"
#define DUE_NOTES                                                                                  \
    " FROM notifications n JOIN cases c ON c.id = n.case_id WHERE c.service = $1"                  \
    " AND n.created_at <= $2 AND NOT " CASE_HELD("c")

static const char *const count_sql[CH_RETAIN_COUNT] = {
    "SELECT count(*)" DUE_CASES, "SELECT count(*)" DUE_FILES, "SELECT count(*)" DUE_SURVEYS,
    "SELECT count(*)" DUE_MAIL,  "SELECT count(*)" DUE_NOTES,
};
static const char cases_batch[] =
    "SELECT c.id" DUE_CASES " ORDER BY c.id LIMIT 200 FOR UPDATE OF c SKIP LOCKED";
static const char files_letters[] =
    "UPDATE complaint_stages SET letter_id = NULL WHERE letter_id IN (SELECT a.id" DUE_FILES ")";
static const char *const delete_sql[CH_RETAIN_COUNT] = {
    NULL,
    "DELETE FROM attachments WHERE id IN (SELECT a.id" DUE_FILES ")",
    "DELETE FROM survey_responses WHERE id IN (SELECT r.id" DUE_SURVEYS ")",
    "DELETE FROM mail_in WHERE id IN (SELECT m.id" DUE_MAIL ")",
    "DELETE FROM notifications WHERE id IN (SELECT n.id" DUE_NOTES ")",
};

typedef struct retain_args {
    int kind;
    const char *service;
    ch_time cutoff, now;
    int64_t by, *count;
    bool more;
} retain_args;

static int retain_fn(pg_conn *c, void *arg, ch_error *err)
{
    retain_args *r = arg;
    pg_params p = {0};
    PGresult *res = NULL;
    int rc;
    ch_pg_text(&p, r->service);
    ch_pg_int(&p, r->cutoff);
    if (r->kind == CH_RETAIN_CLOSED_CASES) {
        if ((rc = run(c, cases_batch, &p, "finding cases due for anonymising", &res, err))) {
            PQclear(res);
            return rc;
        }
        int n = PQntuples(res);
        for (int i = 0; !rc && i < n; i++)
            rc = case_anonymise(c, ch_pg_get_int(res, i, 0), r->by, r->now, err);
        PQclear(res);
        *r->count += rc ? 0 : n;
        r->more = !rc && n == 200;
        return rc;
    }
    if (r->kind == CH_RETAIN_CASE_ATTACHMENTS &&
        (rc = run(c, files_letters, &p, "deleting records due under the retention schedule", NULL,
                  err)))
        return rc;
    if ((rc = run(c, delete_sql[r->kind], &p, "deleting records due under the retention schedule",
                  &res, err)) == CH_OK)
        *r->count += strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return rc;
}

int ch_pg_retention_apply(ch_store *base, int kind, const char *service, ch_time cutoff,
                          bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err)
{
    if (kind < 0 || kind >= CH_RETAIN_COUNT)
        return ch_error_set(err, CH_E_INVALID, "no such kind of record");
    if (dry_run) {
        pg_conn *c = ch_pg_acquire((pg *)base);
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_text(&p, service);
        ch_pg_int(&p, cutoff);
        int rc = run(c, count_sql[kind], &p, "counting records due under the retention schedule",
                     &res, err);
        if (!rc)
            *count = ch_pg_get_int(res, 0, 0);
        PQclear(res);
        ch_pg_release(c);
        return rc;
    }
    retain_args r = {kind, service, cutoff, now, by, count, false};
    int rc;
    do {
        r.more = false;
        rc = in_tx((pg *)base, retain_fn, &r, err);
    } while (!rc && r.more);
    return rc;
}

/* ---- erasure ---- */

#define PSET "(SELECT $1::bigint UNION SELECT id FROM people WHERE merged_into = $1)"

static const char *const person_steps[] = {
    "UPDATE contacts SET with_person_id = NULL WHERE with_person_id IN " PSET,
    "DELETE FROM relationships WHERE person_id IN " PSET " OR other_id IN " PSET,
    "DELETE FROM consents WHERE grantor_id IN " PSET " OR grantee_id IN " PSET,
    "UPDATE complaint_stages SET letter_id = NULL"
    " WHERE letter_id IN (SELECT id FROM attachments WHERE person_id IN " PSET ")",
    "DELETE FROM attachments WHERE person_id IN " PSET,
    "DELETE FROM incidents WHERE person_id IN " PSET,
    "DELETE FROM restrictions WHERE person_id IN " PSET,
    "UPDATE outbox SET raw = ''::bytea, rcpts = '', last_error = CASE WHEN state = 'queued'"
    " THEN 'erased before it was sent' END, state = CASE WHEN state = 'queued' THEN 'failed' ELSE "
    "state END"
    " WHERE id IN (SELECT outbox_id FROM outbox_rcpts WHERE rcpt IN"
    " (SELECT lower(email) FROM people WHERE id IN " PSET " AND email IS NOT NULL))",
    "DELETE FROM outbox_rcpts WHERE rcpt IN"
    " (SELECT lower(email) FROM people WHERE id IN " PSET " AND email IS NOT NULL)",
    "UPDATE people SET name = 'Erased person', email = NULL, phone = NULL, date_of_birth = NULL,"
    " organisation_id = NULL, needs = NULL WHERE id IN " PSET,
};

static int erase_allowed(pg_conn *c, int64_t id, ch_error *err)
{
    static const char person[] = "SELECT 1 FROM people WHERE id = $1 FOR UPDATE";
    static const char done[] = "SELECT at FROM erasures WHERE object = 'person' AND object_id = $1";
    static const char held[] =
        "SELECT person_id, case_id, reason, placed_at FROM legal_holds WHERE person_id IN " PSET
        " OR case_id IN (SELECT id FROM cases WHERE person_id IN " PSET ") ORDER BY id LIMIT 1";
    pg_params p = {0};
    PGresult *res = NULL;
    char day[16];
    ch_pg_int(&p, id);
    int rc = run(c, person, &p, "erasing a person", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    PQclear(res);
    if (rc)
        return rc;
    if (!(rc = run(c, done, &p, "erasing a person", &res, err)) && PQntuples(res) > 0) {
        ch_date_format(ch_time_utc_date(ch_pg_get_int(res, 0, 0)), day, sizeof(day));
        rc = ch_error_set(err, CH_E_CONFLICT, "person %lld was already erased on %s", (long long)id,
                          day);
    }
    PQclear(res);
    if (rc)
        return rc;
    if (!(rc = run(c, held, &p, "erasing a person", &res, err)) && PQntuples(res) > 0) {
        const char *reason = PQgetvalue(res, 0, 2);
        ch_date_format(ch_time_utc_date(ch_pg_get_int(res, 0, 3)), day, sizeof(day));
        if (!PQgetisnull(res, 0, 1))
            rc = ch_error_set(err, CH_E_CONFLICT,
                              "case %lld about person %lld is under a legal hold placed on %s "
                              "(\"%.200s\"); the hold must be released before the person can "
                              "be erased",
                              (long long)ch_pg_get_int(res, 0, 1), (long long)id, day, reason);
        else
            rc = ch_error_set(err, CH_E_CONFLICT,
                              "person %lld is under a legal hold placed on %s (\"%.200s\"); the "
                              "hold must be released before they can be erased",
                              (long long)id, day, reason);
    }
    PQclear(res);
    return rc;
}

static int erase_fn(pg_conn *c, void *arg, ch_error *err)
{
    ch_erasure *e = arg;
    static const char cases[] = "SELECT id FROM cases WHERE person_id IN " PSET " ORDER BY id";
    static const char mark[] = "INSERT INTO erasures(object, object_id, how, reason, by_user, at)"
                               " VALUES('person', $1, 'erased', $2, $3, $4)";
    pg_params p = {0};
    PGresult *res = NULL;
    int rc;
    if ((rc = erase_allowed(c, e->person_id, err)))
        return rc;
    ch_pg_int(&p, e->person_id);
    if ((rc = run(c, cases, &p, "erasing a person", &res, err))) {
        PQclear(res);
        return rc;
    }
    int n = PQntuples(res);
    for (int i = 0; !rc && i < n; i++)
        rc = case_anonymise(c, ch_pg_get_int(res, i, 0), e->by, e->at, err);
    PQclear(res);
    if (rc)
        return rc;
    e->cases = n;
    if ((rc = run_steps(c, person_steps, sizeof(person_steps) / sizeof(*person_steps), e->person_id,
                        "erasing a person", err)))
        return rc;
    p = (pg_params){0};
    ch_pg_int(&p, e->person_id);
    ch_pg_text(&p, e->reason);
    ch_pg_id(&p, e->by);
    ch_pg_int(&p, e->at);
    return run(c, mark, &p, "recording an erasure", NULL, err);
}

int ch_pg_person_erase(ch_store *base, ch_erasure *e, ch_error *err)
{
    return in_tx((pg *)base, erase_fn, e, err);
}

int ch_pg_person_erased(ch_store *base, int64_t person_id, ch_time *at, ch_error *err)
{
    static const char sql[] = "SELECT at FROM erasures WHERE object = 'person' AND object_id = $1";
    pg_conn *c = ch_pg_acquire((pg *)base);
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, person_id);
    int rc = run(c, sql, &p, "reading an erasure", &res, err);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "person %lld was never erased", (long long)person_id);
    if (!rc)
        *at = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    ch_pg_release(c);
    return rc;
}
