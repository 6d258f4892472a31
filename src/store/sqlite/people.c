/* People and organisations in the SQLite backend: records of their own,
 * linked from cases (found by email or name when a case is stored). */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

int ch_sq_person_link(sq_conn *c, const char *name, const char *email, const char *service,
                      ch_time now, int64_t *id, ch_error *err)
{
    static const char find[] =
        "SELECT coalesce(merged_into, id) FROM people WHERE lower(email) = lower(?)"
        " ORDER BY merged_into IS NOT NULL, id LIMIT 1";
    static const char ins[] =
        "INSERT INTO people(name, email, created_at, service) VALUES(?, ?, ?, ?)";
    sqlite3_stmt *st;
    if (email) {
        if (!(st = ch_sq_stmt(c, find, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, email);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            *id = sqlite3_column_int64(st, 0);
            return CH_OK;
        }
        if (step != SQLITE_DONE)
            return ch_sq_error(c, err, "finding a person");
    }
    if (!(st = ch_sq_stmt(c, ins, err)))
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, name);
    ch_sq_bind_text(st, 2, email);
    sqlite3_bind_int64(st, 3, now);
    ch_sq_bind_text(st, 4, service);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a person");
    *id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_organisation_link(sq_conn *c, const char *name, ch_time now, int64_t *id, ch_error *err)
{
    static const char find[] = "SELECT id FROM organisations WHERE name = ?";
    static const char ins[] =
        "INSERT INTO organisations(name, kind, created_at) VALUES(?, 'other', ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, find, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, name);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        return CH_OK;
    }
    if (step != SQLITE_DONE || !(st = ch_sq_stmt(c, ins, err)))
        return ch_sq_error(c, err, "finding an organisation");
    ch_sq_bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "adding an organisation");
    *id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

static int person_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_person *p = arg;
    static const char sql[] = "INSERT INTO people(name, email, phone, date_of_birth,"
                              " organisation_id, created_at, service) VALUES(?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, p->name);
    ch_sq_bind_text(st, 2, p->email);
    ch_sq_bind_text(st, 3, p->phone);
    ch_sq_bind_text(st, 4, p->date_of_birth);
    ch_sq_bind_id(st, 5, p->organisation_id);
    sqlite3_bind_int64(st, 6, p->created_at);
    ch_sq_bind_text(st, 7, p->service);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID, "there is no organisation %lld",
                            (long long)p->organisation_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a person");
    p->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_person_insert(ch_store *base, ch_person *p, ch_error *err)
{
    return ch_sq_write((sq *)base, person_fn, p, err);
}

int ch_sq_person_get(ch_store *base, int64_t id, ch_arena *a, ch_person *out, ch_error *err)
{
    static const char sql[] = "SELECT id, name, email, phone, date_of_birth, organisation_id,"
                              " created_at, needs, merged_into, service FROM people WHERE id = ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    } else if (step != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "reading a person");
    } else {
        out->id = sqlite3_column_int64(st, 0);
        out->name = ch_sq_text(a, st, 1);
        out->email = ch_sq_text(a, st, 2);
        out->phone = ch_sq_text(a, st, 3);
        out->date_of_birth = ch_sq_text(a, st, 4);
        out->organisation_id = sqlite3_column_int64(st, 5);
        out->created_at = sqlite3_column_int64(st, 6);
        out->needs = ch_sq_text(a, st, 7);
        out->merged_into = sqlite3_column_int64(st, 8);
        out->service = ch_sq_text(a, st, 9);
    }
out:
    ch_sq_unlock(c);
    return rc;
}

static int organisation_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_organisation *o = arg;
    static const char sql[] = "INSERT INTO organisations(name, kind, created_at) VALUES(?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, o->name);
    ch_sq_bind_text(st, 2, o->kind);
    sqlite3_bind_int64(st, 3, o->created_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_CONFLICT, "an organisation called %s already exists",
                            o->name);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding an organisation");
    o->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_organisation_insert(ch_store *base, ch_organisation *o, ch_error *err)
{
    return ch_sq_write((sq *)base, organisation_fn, o, err);
}

int ch_sq_organisation_get(ch_store *base, int64_t id, ch_arena *a, ch_organisation *out,
                           ch_error *err)
{
    static const char sql[] = "SELECT id, name, kind, created_at FROM organisations WHERE id = ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no organisation %lld", (long long)id);
    } else if (step != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "reading an organisation");
    } else {
        out->id = sqlite3_column_int64(st, 0);
        out->name = ch_sq_text(a, st, 1);
        out->kind = ch_sq_text(a, st, 2);
        out->created_at = sqlite3_column_int64(st, 3);
    }
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    size_t used =
        (size_t)snprintf(sql, sizeof(sql), "SELECT " CH_SQ_CASE_COLUMNS " FROM cases WHERE %s = ?",
                         person_id ? "person_id" : "organisation_id");
    if (services) {
        if (nservices == 0 || nservices > 200) {
            *out = NULL;
            *n = 0;
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        }
        ch_sq_in_list(sql, sizeof(sql), &used, "service", nservices);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY received_at DESC, id DESC LIMIT ?");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, i = 2;
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id ? person_id : organisation_id);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, i++, services[k]);
    sqlite3_bind_int64(st, i, (sqlite3_int64)limit);
    rc = ch_sq_case_rows(c, st, a, out, n, "listing cases", err);
out:
    ch_sq_unlock(c);
    return rc;
}
