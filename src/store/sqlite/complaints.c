/* Complaints and compliments in the SQLite backend: a complaint's stages
 * with their outcomes and closing letters, and the staff a case names. A
 * stage moves in one transaction with the letter and its case update. */
#include "store/sqlite/internal.h"

#include <string.h>

enum { MAX_NAMED = 64, MAX_LINES = 100000 };

int ch_sq_stages(ch_store *base, int64_t case_id, ch_arena *a, ch_stage_row **out, size_t *n,
                 ch_error *err)
{
    static const char sql[] = "SELECT id, case_id, seq, stage, started_at, closed_at, outcome,"
                              " lessons, findings, closed_by, letter_id FROM complaint_stages"
                              " WHERE case_id = ? ORDER BY seq";
    sq_conn *c = ch_sq_reader((sq *)base);
    size_t cap = 0;
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(*out = ch_arena_room(a, *out, *n, &cap, sizeof(**out)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_stage_row *r = &(*out)[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->case_id = sqlite3_column_int64(st, 1);
        r->seq = sqlite3_column_int64(st, 2);
        r->stage = ch_sq_text(a, st, 3);
        r->started_at = sqlite3_column_int64(st, 4);
        r->closed_at = sqlite3_column_int64(st, 5);
        r->outcome = ch_sq_text(a, st, 6);
        r->lessons = ch_sq_text(a, st, 7);
        r->findings = ch_sq_text(a, st, 8);
        r->closed_by = sqlite3_column_int64(st, 9);
        r->letter_id = sqlite3_column_int64(st, 10);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading a complaint's stages");
out:
    ch_sq_unlock(c);
    return rc;
}

/* Writes one stage row by (case_id, seq): a new one, or the open one now
 * closed. */
static int stage_put(sq_conn *c, const ch_stage_row *r, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO complaint_stages(case_id, seq, stage, started_at, closed_at, outcome,"
        " lessons, findings, closed_by, letter_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(case_id, seq) DO UPDATE SET closed_at = excluded.closed_at,"
        " outcome = excluded.outcome, lessons = excluded.lessons, findings = excluded.findings,"
        " closed_by = excluded.closed_by, letter_id = excluded.letter_id"
        " WHERE complaint_stages.closed_at IS NULL";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, r->case_id);
    sqlite3_bind_int64(st, 2, r->seq);
    ch_sq_bind_text(st, 3, r->stage);
    sqlite3_bind_int64(st, 4, r->started_at);
    ch_sq_bind_id(st, 5, r->closed_at);
    ch_sq_bind_text(st, 6, r->outcome);
    ch_sq_bind_text(st, 7, r->lessons);
    ch_sq_bind_text(st, 8, r->findings);
    ch_sq_bind_id(st, 9, r->closed_by);
    ch_sq_bind_id(st, 10, r->letter_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_CONFLICT,
                            "stage %lld of case %lld was changed by someone else; reload it",
                            (long long)r->seq + 1, (long long)r->case_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording a complaint stage");
    if (sqlite3_changes(c->db) == 0) /* closed already, by a request just before */
        return ch_error_set(err, CH_E_CONFLICT,
                            "stage %lld of case %lld is closed already; reload the case",
                            (long long)r->seq + 1, (long long)r->case_id);
    return CH_OK;
}

/* Moves a closed stage's close back to r->closed_at (never later). */
static int stage_backdate(sq_conn *c, const ch_stage_row *r, ch_error *err)
{
    static const char sql[] = "UPDATE complaint_stages SET closed_at = ?1 WHERE case_id = ?2"
                              " AND seq = ?3 AND closed_at IS NOT NULL AND closed_at >= ?1";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, r->closed_at);
    sqlite3_bind_int64(st, 2, r->case_id);
    sqlite3_bind_int64(st, 3, r->seq);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "recording when a complaint stage closed");
    if (sqlite3_changes(c->db) != 1)
        return ch_error_set(err, CH_E_CONFLICT,
                            "stage %lld of case %lld was changed by someone else; reload it",
                            (long long)r->seq + 1, (long long)r->case_id);
    return CH_OK;
}

typedef struct stage_job {
    ch_stage_change *m;
    int64_t *new_version;
} stage_job;

static int stage_change_fn(sq_conn *c, void *arg, ch_error *err)
{
    stage_job *j = arg;
    ch_stage_change *m = j->m;
    int rc = ch_sq_case_update_in(c, m->update, j->new_version, err);
    if (rc)
        return rc;
    if (m->letter) {
        m->letter->contact_id = m->update->contact ? m->update->contact->id : 0;
        if ((rc = ch_sq_attachment_insert_in(c, m->letter, err)))
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

int ch_sq_stage_change(ch_store *base, ch_stage_change *m, int64_t *new_version, ch_error *err)
{
    stage_job j = {m, new_version};
    return ch_sq_write((sq *)base, stage_change_fn, &j, err);
}

int ch_sq_case_staff(ch_store *base, int64_t case_id, ch_arena *a, ch_staff_named **out, size_t *n,
                     ch_error *err)
{
    static const char sql[] = "SELECT s.user_id, u.name, u.email, s.named_by, s.named_at"
                              " FROM case_staff s JOIN users u ON u.id = s.user_id"
                              " WHERE s.case_id = ? ORDER BY u.name, s.user_id";
    sq_conn *c = ch_sq_reader((sq *)base);
    size_t cap = 0;
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(*out = ch_arena_room(a, *out, *n, &cap, sizeof(**out)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_staff_named *r = &(*out)[(*n)++];
        r->user_id = sqlite3_column_int64(st, 0);
        r->name = ch_sq_text(a, st, 1);
        r->email = ch_sq_text(a, st, 2);
        r->named_by = sqlite3_column_int64(st, 3);
        r->named_at = sqlite3_column_int64(st, 4);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading the staff a case names");
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct staff_job {
    const ch_case_update *u;
    const int64_t *ids;
    size_t n;
    int64_t by;
    int64_t *new_version;
} staff_job;

static int staff_set_fn(sq_conn *c, void *arg, ch_error *err)
{
    static const char del[] = "DELETE FROM case_staff WHERE case_id = ?";
    static const char ins[] = "INSERT OR IGNORE INTO case_staff(case_id, user_id, named_by,"
                              " named_at) VALUES(?, ?, ?, ?)";
    staff_job *j = arg;
    int rc = ch_sq_case_update_in(c, j->u, j->new_version, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = ch_sq_stmt(c, del, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, j->u->case_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "changing the staff a case names");
    for (size_t i = 0; i < j->n; i++) {
        if (!(st = ch_sq_stmt(c, ins, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, j->u->case_id);
        sqlite3_bind_int64(st, 2, j->ids[i]);
        ch_sq_bind_id(st, 3, j->by);
        sqlite3_bind_int64(st, 4, j->u->now);
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step == SQLITE_CONSTRAINT)
            return ch_error_set(err, CH_E_INVALID, "there is no member of staff %lld",
                                (long long)j->ids[i]);
        if (step != SQLITE_DONE)
            return ch_sq_error(c, err, "naming a member of staff on a case");
    }
    return CH_OK;
}

int ch_sq_case_staff_set(ch_store *base, const ch_case_update *u, const int64_t *ids, size_t n,
                         int64_t by, int64_t *new_version, ch_error *err)
{
    if (n > MAX_NAMED)
        return ch_error_set(err, CH_E_INVALID, "a case may name at most %d members of staff",
                            MAX_NAMED);
    staff_job j = {u, ids, n, by, new_version};
    return ch_sq_write((sq *)base, staff_set_fn, &j, err);
}

int ch_sq_cases_staff_named(ch_store *base, const int64_t *ids, size_t n, bool *named,
                            ch_error *err)
{
    static const char sql[] = "SELECT EXISTS(SELECT 1 FROM cases c JOIN case_staff s"
                              " ON s.case_id = c.id WHERE c.id = ? AND c.kind = 'complaint')";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
        if (!st) {
            rc = CH_E_STORE;
            break;
        }
        sqlite3_bind_int64(st, 1, ids[i]);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = ch_sq_error(c, err, "reading which cases name staff");
            break;
        }
        named[i] = sqlite3_column_int(st, 0) != 0;
        sqlite3_reset(st);
    }
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_complaint_lines(ch_store *base, ch_time from, ch_time to, ch_arena *a,
                          ch_complaint_line **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.service, c.kind, c.received_at, s.stage, s.outcome, s.seq, 0, NULL,"
        " c.status"
        " FROM cases c LEFT JOIN complaint_stages s ON s.case_id = c.id"
        " WHERE c.kind IN ('complaint', 'compliment') AND c.received_at >= ?1"
        " AND c.received_at < ?2"
        " UNION ALL SELECT c.id, c.service, c.kind, c.received_at, NULL, NULL, 0, u.id, u.name,"
        " c.status"
        " FROM cases c JOIN case_staff cs ON cs.case_id = c.id JOIN users u ON u.id = cs.user_id"
        " WHERE c.kind IN ('complaint', 'compliment') AND c.received_at >= ?1"
        " AND c.received_at < ?2 ORDER BY 1, 8, 7 LIMIT ?3";
    sq_conn *c = ch_sq_reader((sq *)base);
    size_t cap = 0;
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, MAX_LINES + 1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == MAX_LINES) {
            rc = ch_error_set(err, CH_E_INVALID,
                              "the period holds more than %d lines; ask for a shorter one",
                              MAX_LINES);
            goto out;
        }
        if (!(*out = ch_arena_room(a, *out, *n, &cap, sizeof(**out)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_complaint_line *r = &(*out)[(*n)++];
        r->case_id = sqlite3_column_int64(st, 0);
        r->service = ch_sq_text(a, st, 1);
        r->kind = ch_sq_text(a, st, 2);
        r->received_at = sqlite3_column_int64(st, 3);
        r->stage = ch_sq_text(a, st, 4);
        r->outcome = ch_sq_text(a, st, 5);
        r->seq = sqlite3_column_int64(st, 6);
        r->staff_id = sqlite3_column_int64(st, 7);
        r->staff_name = ch_sq_text(a, st, 8);
        r->status = ch_sq_text(a, st, 9);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading the complaints report");
out:
    ch_sq_unlock(c);
    return rc;
}
