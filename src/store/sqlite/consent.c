/* Relationships between people and their written consents in the SQLite
 * backend. A withdrawn consent is marked, never deleted: the record of what
 * was allowed when stays. */
#include "store/sqlite/internal.h"

#include <string.h>

#define REL_SELECT                                                                                 \
    "SELECT r.id, r.person_id, r.kind, r.other_id, r.organisation_id, r.note, r.created_by,"       \
    " r.created_at, p.name, o.name, g.name FROM relationships r"                                   \
    " JOIN people p ON p.id = r.person_id LEFT JOIN people o ON o.id = r.other_id"                 \
    " LEFT JOIN organisations g ON g.id = r.organisation_id"

#define CONSENT_SELECT                                                                             \
    "SELECT c.id, c.grantor_id, c.grantee_id, c.case_id, c.evidence, c.given_on, c.expires_on,"    \
    " c.withdrawn_at, c.withdrawn_by, c.withdrawn_reason, c.created_by, c.created_at, g.name,"     \
    " e.name FROM consents c JOIN people g ON g.id = c.grantor_id"                                 \
    " JOIN people e ON e.id = c.grantee_id"

static int relationship_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_relationship *r = arg;
    static const char sql[] = "INSERT INTO relationships(person_id, kind, other_id,"
                              " organisation_id, note, created_by, created_at)"
                              " VALUES(?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, r->person_id);
    ch_sq_bind_text(st, 2, r->kind);
    ch_sq_bind_id(st, 3, r->other_id);
    ch_sq_bind_id(st, 4, r->organisation_id);
    ch_sq_bind_text(st, 5, r->note);
    ch_sq_bind_id(st, 6, r->created_by);
    sqlite3_bind_int64(st, 7, r->created_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "a person or organisation named in the relationship does not exist");
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a relationship");
    r->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_relationship_insert(ch_store *base, ch_relationship *r, ch_error *err)
{
    return ch_sq_write((sq *)base, relationship_fn, r, err);
}

static int relationship_delete_fn(sq_conn *c, void *arg, ch_error *err)
{
    const int64_t *id = arg;
    static const char sql[] = "DELETE FROM relationships WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, *id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "removing a relationship");
    if (sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no relationship %lld", (long long)*id);
    return CH_OK;
}

int ch_sq_relationship_delete(ch_store *base, int64_t id, ch_error *err)
{
    return ch_sq_write((sq *)base, relationship_delete_fn, &id, err);
}

int ch_sq_relationships(ch_store *base, int64_t id, int64_t person_id, ch_arena *a,
                        ch_relationship **out, size_t *n, ch_error *err)
{
    static const char sql[] = REL_SELECT " WHERE (?1 = 0 OR r.id = ?1) AND (?2 = 0 OR"
                                         " r.person_id = ?2 OR r.other_id = ?2)"
                                         " ORDER BY r.id LIMIT 500";
    sq_conn *c = ch_sq_reader((sq *)base);
    size_t cap = 0;
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, person_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(*out = ch_arena_room(a, *out, *n, &cap, sizeof(**out)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_relationship *r = &(*out)[(*n)++];
        memset(r, 0, sizeof(*r));
        r->id = sqlite3_column_int64(st, 0);
        r->person_id = sqlite3_column_int64(st, 1);
        r->kind = ch_sq_text(a, st, 2);
        r->other_id = sqlite3_column_int64(st, 3);
        r->organisation_id = sqlite3_column_int64(st, 4);
        r->note = ch_sq_text(a, st, 5);
        r->created_by = sqlite3_column_int64(st, 6);
        r->created_at = sqlite3_column_int64(st, 7);
        r->person_name = ch_sq_text(a, st, 8);
        r->other_name = ch_sq_text(a, st, 9);
        r->organisation_name = ch_sq_text(a, st, 10);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading relationships");
out:
    ch_sq_unlock(c);
    return rc;
}

static int consent_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_consent *k = arg;
    static const char sql[] = "INSERT INTO consents(grantor_id, grantee_id, case_id, evidence,"
                              " given_on, expires_on, created_by, created_at)"
                              " VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, k->grantor_id);
    sqlite3_bind_int64(st, 2, k->grantee_id);
    ch_sq_bind_id(st, 3, k->case_id);
    ch_sq_bind_text(st, 4, k->evidence);
    sqlite3_bind_int64(st, 5, k->given_on);
    if (k->expires)
        sqlite3_bind_int64(st, 6, k->expires_on);
    else
        sqlite3_bind_null(st, 6);
    ch_sq_bind_id(st, 7, k->created_by);
    sqlite3_bind_int64(st, 8, k->created_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "a person or the case named in the consent does not exist");
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a consent");
    k->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_consent_insert(ch_store *base, ch_consent *c, ch_error *err)
{
    return ch_sq_write((sq *)base, consent_fn, c, err);
}

typedef struct withdrawal {
    int64_t id, by;
    ch_time at;
    const char *reason;
} withdrawal;

static int withdraw_fn(sq_conn *c, void *arg, ch_error *err)
{
    const withdrawal *w = arg;
    static const char find[] = "SELECT withdrawn_at FROM consents WHERE id = ?";
    static const char sql[] = "UPDATE consents SET withdrawn_at = ?, withdrawn_by = ?,"
                              " withdrawn_reason = ? WHERE id = ? AND withdrawn_at IS NULL";
    sqlite3_stmt *st = ch_sq_stmt(c, find, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, w->id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no consent %lld", (long long)w->id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "reading a consent");
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
        return ch_error_set(err, CH_E_CONFLICT, "consent %lld is already withdrawn",
                            (long long)w->id);
    if (!(st = ch_sq_stmt(c, sql, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, w->at);
    ch_sq_bind_id(st, 2, w->by);
    ch_sq_bind_text(st, 3, w->reason);
    sqlite3_bind_int64(st, 4, w->id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "withdrawing a consent");
    return CH_OK;
}

int ch_sq_consent_withdraw(ch_store *base, int64_t id, ch_time at, int64_t by, const char *reason,
                           ch_error *err)
{
    withdrawal w = {id, by, at, reason};
    return ch_sq_write((sq *)base, withdraw_fn, &w, err);
}

int ch_sq_consents(ch_store *base, int64_t id, int64_t person_id, ch_arena *a, ch_consent **out,
                   size_t *n, ch_error *err)
{
    static const char sql[] = CONSENT_SELECT " WHERE (?1 = 0 OR c.id = ?1) AND (?2 = 0 OR"
                                             " c.grantor_id = ?2 OR c.grantee_id = ?2)"
                                             " ORDER BY c.given_on DESC, c.id DESC LIMIT 500";
    sq_conn *c = ch_sq_reader((sq *)base);
    size_t cap = 0;
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, person_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(*out = ch_arena_room(a, *out, *n, &cap, sizeof(**out)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_consent *k = &(*out)[(*n)++];
        memset(k, 0, sizeof(*k));
        k->id = sqlite3_column_int64(st, 0);
        k->grantor_id = sqlite3_column_int64(st, 1);
        k->grantee_id = sqlite3_column_int64(st, 2);
        k->case_id = sqlite3_column_int64(st, 3);
        k->evidence = ch_sq_text(a, st, 4);
        k->given_on = (ch_date)sqlite3_column_int64(st, 5);
        k->expires = sqlite3_column_type(st, 6) != SQLITE_NULL;
        k->expires_on = (ch_date)sqlite3_column_int64(st, 6);
        k->withdrawn_at = sqlite3_column_int64(st, 7);
        k->withdrawn_by = sqlite3_column_int64(st, 8);
        k->withdrawn_reason = ch_sq_text(a, st, 9);
        k->created_by = sqlite3_column_int64(st, 10);
        k->created_at = sqlite3_column_int64(st, 11);
        k->grantor_name = ch_sq_text(a, st, 12);
        k->grantee_name = ch_sq_text(a, st, 13);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading consents");
out:
    ch_sq_unlock(c);
    return rc;
}
