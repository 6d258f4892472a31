/* Retention and erasure in the SQLite backend: legal holds, the per-kind
 * retention statements (count, or delete / anonymise), and the erasure of a
 * person in one transaction with secure_delete on, so the pages the
 * personal data leaves are zeroed and a VACUUM leaves no trace of it. */
#include "core/retention.h"
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Binds ?1..?n as ids (0 as NULL), as many as the statement takes. */
static void bind_ids(sqlite3_stmt *st, const int64_t *v, int n)
{
    int have = sqlite3_bind_parameter_count(st);
    for (int i = 0; i < n && i < have; i++)
        ch_sq_bind_id(st, i + 1, v[i]);
}

/* Runs each fixed statement with the same ids; *changes (when given) gets
 * the rows the first changed. */
static int run_steps(sq_conn *c, const char *const *steps, size_t n, const int64_t *ids, int nids,
                     const char *doing, ch_error *err)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = ch_sq_stmt(c, steps[i], err);
        if (!st)
            return CH_E_STORE;
        bind_ids(st, ids, nids);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, doing);
    }
    return CH_OK;
}

/* ---- legal holds ---- */

typedef struct hold_args {
    ch_legal_hold *h;
    int64_t person_id, case_id;
} hold_args;

static int hold_place_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_legal_hold *h = ((hold_args *)arg)->h;
    static const char person[] = "SELECT 1 FROM people WHERE id = ?";
    static const char kase[] = "SELECT 1 FROM cases WHERE id = ?";
    static const char upd[] = "UPDATE legal_holds SET reason = ?1, placed_by = ?2, placed_at = ?3"
                              " WHERE person_id IS ?4 AND case_id IS ?5";
    static const char ins[] = "INSERT INTO legal_holds(reason, placed_by, placed_at, person_id,"
                              " case_id) VALUES(?1, ?2, ?3, ?4, ?5)";
    static const char id[] = "SELECT id FROM legal_holds WHERE person_id IS ?1 AND case_id IS ?2";
    sqlite3_stmt *st = ch_sq_stmt(c, h->person_id ? person : kase, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, h->person_id ? h->person_id : h->case_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no %s %lld",
                            h->person_id ? "person" : "case",
                            (long long)(h->person_id ? h->person_id : h->case_id));
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "placing a legal hold");
    for (int pass = 0; pass < 2; pass++) {
        if (!(st = ch_sq_stmt(c, pass ? ins : upd, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, h->reason);
        ch_sq_bind_id(st, 2, h->placed_by);
        sqlite3_bind_int64(st, 3, h->placed_at);
        ch_sq_bind_id(st, 4, h->person_id);
        ch_sq_bind_id(st, 5, h->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "placing a legal hold");
        if (sqlite3_changes(c->db) > 0)
            break;
    }
    if (!(st = ch_sq_stmt(c, id, err)))
        return CH_E_STORE;
    ch_sq_bind_id(st, 1, h->person_id);
    ch_sq_bind_id(st, 2, h->case_id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return ch_sq_error(c, err, "placing a legal hold");
    h->id = sqlite3_column_int64(st, 0);
    return CH_OK;
}

int ch_sq_hold_place(ch_store *base, ch_legal_hold *h, ch_error *err)
{
    hold_args a = {h, 0, 0};
    return ch_sq_write((sq *)base, hold_place_fn, &a, err);
}

static int hold_release_fn(sq_conn *c, void *arg, ch_error *err)
{
    hold_args *a = arg;
    static const char sql[] = "DELETE FROM legal_holds WHERE person_id IS ?1 AND case_id IS ?2";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_id(st, 1, a->person_id);
    ch_sq_bind_id(st, 2, a->case_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "releasing a legal hold");
    if (sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "%s %lld is not under a legal hold",
                            a->person_id ? "person" : "case",
                            (long long)(a->person_id ? a->person_id : a->case_id));
    return CH_OK;
}

int ch_sq_hold_release(ch_store *base, int64_t person_id, int64_t case_id, ch_error *err)
{
    hold_args a = {NULL, person_id, case_id};
    return ch_sq_write((sq *)base, hold_release_fn, &a, err);
}

int ch_sq_hold_get(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                   ch_legal_hold *out, ch_error *err)
{
    static const char sql[] = "SELECT id, reason, placed_by, placed_at FROM legal_holds"
                              " WHERE person_id IS ?1 AND case_id IS ?2";
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    int rc = CH_OK;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_id(st, 1, person_id);
    ch_sq_bind_id(st, 2, case_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "%s %lld is not under a legal hold",
                          person_id ? "person" : "case",
                          (long long)(person_id ? person_id : case_id));
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "reading a legal hold");
        goto out;
    }
    *out = (ch_legal_hold){.id = sqlite3_column_int64(st, 0),
                           .person_id = person_id,
                           .case_id = case_id,
                           .reason = ch_sq_text(a, st, 1),
                           .placed_by = sqlite3_column_int64(st, 2),
                           .placed_at = sqlite3_column_int64(st, 3)};
    if (!out->reason)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
out:
    ch_sq_unlock(c);
    return rc;
}

/* ---- anonymising one case ---- */

/* Everything personal about a case, given its id as ?1: what it is about
 * and who asked, the texts and names of its contacts, event details,
 * complaint findings, its files, the mail that came and went, staff
 * notifications, survey comments and its search entries. What remains
 * (service, kind, channel, dates, obligations kept or broken) is what the
 * reports count. */
static const char *const case_steps[] = {
    "UPDATE cases SET subject = 'Anonymised case', requester_name = NULL,"
    " requester_email = NULL, organisation = NULL, person_id = NULL, version = version + 1"
    " WHERE id = ?1",
    "UPDATE contacts SET who = NULL, summary = NULL, outcome = NULL, channel_reason = NULL,"
    " with_person_id = NULL WHERE case_id = ?1",
    "UPDATE events SET detail = NULL WHERE case_id = ?1",
    "UPDATE complaint_stages SET outcome = NULL, lessons = NULL, findings = NULL,"
    " letter_id = NULL WHERE case_id = ?1",
    "UPDATE complaint_stages SET letter_id = NULL"
    " WHERE letter_id IN (SELECT id FROM attachments WHERE case_id = ?1)",
    "DELETE FROM attachments WHERE case_id = ?1",
    "DELETE FROM mail_in WHERE case_id = ?1",
    "DELETE FROM mail_threads WHERE case_id = ?1",
    "DELETE FROM outbox_rcpts WHERE outbox_id IN (SELECT id FROM outbox WHERE case_id = ?1)",
    "UPDATE outbox SET raw = X'', rcpts = '', last_error = CASE WHEN state = 'queued'"
    " THEN 'erased before it was sent' END, state = CASE WHEN state = 'queued' THEN 'failed' ELSE "
    "state END WHERE case_id = ?1",
    "DELETE FROM notifications WHERE case_id = ?1",
    "UPDATE survey_responses SET comment = NULL"
    " WHERE invitation_id IN (SELECT id FROM survey_invitations WHERE case_id = ?1)",
    "DELETE FROM search WHERE case_id = ?1",
    "INSERT INTO erasures(object, object_id, how, by_user, at)"
    " VALUES('case', ?1, 'anonymised', ?2, ?3) ON CONFLICT DO NOTHING",
};

static int case_anonymise(sq_conn *c, int64_t id, int64_t by, ch_time now, ch_error *err)
{
    int64_t ids[3] = {id, by, now};
    return run_steps(c, case_steps, sizeof(case_steps) / sizeof(*case_steps), ids, 3,
                     "anonymising a case", err);
}

/* ---- retention ---- */

#define CASE_HELD(c)                                                                               \
    "EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = " c ".id OR h.person_id = " c           \
    ".person_id)"
#define DUE_CASES                                                                                  \
    " FROM cases c WHERE c.service = ?1 AND c.status = 'closed' AND c.updated_at <= ?2"            \
    " AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.object = 'case' AND e.object_id = c.id)"    \
    " AND NOT " CASE_HELD("c")
#define DUE_FILES                                                                                  \
    " FROM attachments a JOIN cases c ON c.id = a.case_id WHERE c.service = ?1"                    \
    " AND c.status = 'closed' AND c.updated_at <= ?2 AND NOT " CASE_HELD("c")
#define DUE_SURVEYS                                                                                \
    " FROM survey_responses r WHERE r.service = ?1 AND r.submitted_at <= ?2 AND NOT EXISTS"        \
    " (SELECT 1 FROM survey_invitations i JOIN cases c ON c.id = i.case_id"                        \
    " WHERE i.id = r.invitation_id AND " CASE_HELD("c") ")"
#define DUE_MAIL                                                                                   \
    " FROM mail_in m LEFT JOIN cases c ON c.id = m.case_id WHERE coalesce(m.service, c.service)"   \
    " = ?1 AND m.received_at <= ?2 AND m.state != 'received'"                                      \
    " AND NOT (c.id IS NOT NULL AND " CASE_HELD("c") ")"
#define DUE_NOTES                                                                                  \
    " FROM notifications n JOIN cases c ON c.id = n.case_id WHERE c.service = ?1"                  \
    " AND n.created_at <= ?2 AND NOT " CASE_HELD("c")

static const char *const count_sql[CH_RETAIN_COUNT] = {
    "SELECT count(*)" DUE_CASES, "SELECT count(*)" DUE_FILES, "SELECT count(*)" DUE_SURVEYS,
    "SELECT count(*)" DUE_MAIL,  "SELECT count(*)" DUE_NOTES,
};
static const char cases_batch[] = "SELECT c.id" DUE_CASES " ORDER BY c.id LIMIT 200";
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
    bool more; /* closed cases: a full batch was done; go again */
} retain_args;

static int retain_fn(sq_conn *c, void *arg, ch_error *err)
{
    retain_args *r = arg;
    sqlite3_stmt *st;
    if (r->kind == CH_RETAIN_CLOSED_CASES) {
        int64_t ids[200];
        int n = 0, step, rc;
        if (!(st = ch_sq_stmt(c, cases_batch, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, r->service);
        sqlite3_bind_int64(st, 2, r->cutoff);
        while (n < 200 && (step = sqlite3_step(st)) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        if (n < 200 && step != SQLITE_DONE)
            return ch_sq_error(c, err, "finding cases due for anonymising");
        sqlite3_reset(st);
        for (int i = 0; i < n; i++)
            if ((rc = case_anonymise(c, ids[i], r->by, r->now, err)))
                return rc;
        *r->count += n;
        r->more = n == 200;
        return CH_OK;
    }
    const char *const steps[] = {files_letters, delete_sql[r->kind]};
    for (size_t i = r->kind == CH_RETAIN_CASE_ATTACHMENTS ? 0 : 1; i < 2; i++) {
        if (!(st = ch_sq_stmt(c, steps[i], err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, r->service);
        sqlite3_bind_int64(st, 2, r->cutoff);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "deleting records due under the retention schedule");
        if (i == 1)
            *r->count += sqlite3_changes(c->db);
    }
    return CH_OK;
}

int ch_sq_retention_apply(ch_store *base, int kind, const char *service, ch_time cutoff,
                          bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err)
{
    if (kind < 0 || kind >= CH_RETAIN_COUNT)
        return ch_error_set(err, CH_E_INVALID, "no such kind of record");
    if (dry_run) {
        sq_conn *c = ch_sq_reader((sq *)base);
        sqlite3_stmt *st = ch_sq_stmt(c, count_sql[kind], err);
        int rc = CH_OK;
        if (!st) {
            rc = CH_E_STORE;
        } else {
            ch_sq_bind_text(st, 1, service);
            sqlite3_bind_int64(st, 2, cutoff);
            if (sqlite3_step(st) == SQLITE_ROW)
                *count = sqlite3_column_int64(st, 0);
            else
                rc = ch_sq_error(c, err, "counting records due under the retention schedule");
        }
        ch_sq_unlock(c);
        return rc;
    }
    retain_args r = {kind, service, cutoff, now, by, count, false};
    int rc;
    do {
        r.more = false;
        rc = ch_sq_write((sq *)base, retain_fn, &r, err);
    } while (!rc && r.more);
    return rc;
}

/* ---- erasure ---- */

/* The person (?1) and the duplicates merged into them. */
#define PSET "(SELECT ?1 UNION SELECT id FROM people WHERE merged_into = ?1)"

static const char *const person_steps[] = {
    "UPDATE contacts SET with_person_id = NULL WHERE with_person_id IN " PSET,
    "DELETE FROM relationships WHERE person_id IN " PSET " OR other_id IN " PSET,
    "DELETE FROM consents WHERE grantor_id IN " PSET " OR grantee_id IN " PSET,
    "UPDATE complaint_stages SET letter_id = NULL"
    " WHERE letter_id IN (SELECT id FROM attachments WHERE person_id IN " PSET ")",
    "DELETE FROM attachments WHERE person_id IN " PSET,
    "DELETE FROM incidents WHERE person_id IN " PSET,
    "DELETE FROM restrictions WHERE person_id IN " PSET,
    /* Mail to their address on no case of theirs, and its recipient rows. */
    "UPDATE outbox SET raw = X'', rcpts = '', last_error = CASE WHEN state = 'queued'"
    " THEN 'erased before it was sent' END, state = CASE WHEN state = 'queued' THEN 'failed' ELSE "
    "state END"
    " WHERE id IN (SELECT outbox_id FROM outbox_rcpts WHERE rcpt IN"
    " (SELECT lower(email) FROM people WHERE id IN " PSET " AND email IS NOT NULL))",
    "DELETE FROM outbox_rcpts WHERE rcpt IN"
    " (SELECT lower(email) FROM people WHERE id IN " PSET " AND email IS NOT NULL)",
    "UPDATE people SET name = 'Erased person', email = NULL, phone = NULL, date_of_birth = NULL,"
    " organisation_id = NULL, needs = NULL WHERE id IN " PSET,
};

/* CH_OK when nothing stops the erasure: the person exists, was not erased
 * before, and no hold stands on them or a case about them. */
static int erase_allowed(sq_conn *c, int64_t id, ch_error *err)
{
    static const char person[] = "SELECT 1 FROM people WHERE id = ?1";
    static const char done[] = "SELECT at FROM erasures WHERE object = 'person' AND object_id = ?1";
    static const char held[] =
        "SELECT person_id, case_id, reason, placed_at FROM legal_holds WHERE person_id IN " PSET
        " OR case_id IN (SELECT id FROM cases WHERE person_id IN " PSET ") ORDER BY id LIMIT 1";
    sqlite3_stmt *st = ch_sq_stmt(c, person, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "erasing a person");
    if (!(st = ch_sq_stmt(c, done, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char day[16];
        ch_date_format(ch_time_utc_date(sqlite3_column_int64(st, 0)), day, sizeof(day));
        return ch_error_set(err, CH_E_CONFLICT, "person %lld was already erased on %s",
                            (long long)id, day);
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "erasing a person");
    if (!(st = ch_sq_stmt(c, held, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char day[16];
        const char *reason = (const char *)sqlite3_column_text(st, 2);
        ch_date_format(ch_time_utc_date(sqlite3_column_int64(st, 3)), day, sizeof(day));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL)
            return ch_error_set(err, CH_E_CONFLICT,
                                "case %lld about person %lld is under a legal hold placed on %s "
                                "(\"%.200s\"); the hold must be released before the person can "
                                "be erased",
                                (long long)sqlite3_column_int64(st, 1), (long long)id, day,
                                reason ? reason : "");
        return ch_error_set(err, CH_E_CONFLICT,
                            "person %lld is under a legal hold placed on %s (\"%.200s\"); the "
                            "hold must be released before they can be erased",
                            (long long)id, day, reason ? reason : "");
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "erasing a person");
    return CH_OK;
}

static int erase_steps(sq_conn *c, ch_erasure *e, ch_error *err)
{
    static const char cases[] = "SELECT id FROM cases WHERE person_id IN " PSET " ORDER BY id";
    static const char mark[] = "INSERT INTO erasures(object, object_id, how, reason, by_user, at)"
                               " VALUES('person', ?1, 'erased', ?2, ?3, ?4)";
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc, step;
    if ((rc = erase_allowed(c, e->person_id, err)))
        return rc;
    sqlite3_stmt *st = ch_sq_stmt(c, cases, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, e->person_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            int64_t *grown = realloc(ids, (cap = cap ? cap * 2 : 16) * sizeof(*ids));
            if (!grown) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
            ids = grown;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "erasing a person");
        goto out;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++)
        if ((rc = case_anonymise(c, ids[i], e->by, e->at, err)))
            goto out;
    e->cases = (int64_t)n;
    if ((rc = run_steps(c, person_steps, sizeof(person_steps) / sizeof(*person_steps),
                        &e->person_id, 1, "erasing a person", err)))
        goto out;
    if (!(st = ch_sq_stmt(c, mark, err))) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, e->person_id);
    ch_sq_bind_text(st, 2, e->reason);
    ch_sq_bind_id(st, 3, e->by);
    sqlite3_bind_int64(st, 4, e->at);
    if (sqlite3_step(st) != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "recording an erasure");
        goto out;
    }
    /* Deleted rows of an FTS5 table stay in its segments until they are
     * merged: merging now leaves no erased word in either index. */
    rc = ch_sq_exec(c, "INSERT INTO search(search) VALUES('optimize')", err);
    if (!rc)
        rc = ch_sq_exec(c, "INSERT INTO people_words(people_words) VALUES('optimize')", err);
out:
    free(ids);
    return rc;
}

static int erase_fn(sq_conn *c, void *arg, ch_error *err)
{
    /* Freed pages and deleted cells are overwritten with zeros while this
     * runs, so the erased text is not left in the file's free space. */
    int rc = ch_sq_exec(c, "PRAGMA secure_delete = ON", err);
    if (!rc)
        rc = erase_steps(c, arg, err);
    ch_sq_exec(c, "PRAGMA secure_delete = OFF", &(ch_error){0});
    return rc;
}

int ch_sq_person_erase(ch_store *base, ch_erasure *e, ch_error *err)
{
    int rc = ch_sq_write((sq *)base, erase_fn, e, err);
    if (rc == CH_OK) {
        /* The WAL still holds the pages as they were before the erasure
         * until a checkpoint copies them back: copy them now and empty it,
         * so the erased data is not left in the -wal file. A reader that
         * holds an older snapshot can keep it from finishing; the next
         * automatic checkpoint then does it. */
        sq_conn *c = ch_sq_reader((sq *)base);
        sqlite3_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        ch_sq_unlock(c);
    }
    return rc;
}

int ch_sq_person_erased(ch_store *base, int64_t person_id, ch_time *at, ch_error *err)
{
    static const char sql[] = "SELECT at FROM erasures WHERE object = 'person' AND object_id = ?1";
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    int rc = CH_OK;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *at = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = ch_error_set(err, CH_E_NOTFOUND, "person %lld was never erased", (long long)person_id);
    else
        rc = ch_sq_error(c, err, "reading an erasure");
out:
    ch_sq_unlock(c);
    return rc;
}
