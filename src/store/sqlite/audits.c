/* Behaviour audits in the SQLite backend: the audits with a code per
 * group, and each submitted form, committed before the thank-you page is
 * sent. The SQL is shared with PostgreSQL (store/audits_sql.h). */
#include "core/audit.h"
#include "store/audits_sql.h"
#include "store/sqlite/internal.h"

#include <string.h>

static int insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_school_audit *a = arg;
    static const char sql[] = SCHOOL_AUDIT_INSERT("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, a->service);
    ch_sq_bind_text(st, 2, a->template_id);
    ch_sq_bind_text(st, 3, a->school);
    ch_sq_bind_id(st, 4, a->organisation_id);
    ch_sq_bind_text(st, 5, a->intervention);
    ch_sq_bind_id(st, 6, a->baseline_id);
    sqlite3_bind_int(st, 7, a->opens_on);
    sqlite3_bind_int(st, 8, a->closes_on);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        ch_sq_bind_text(st, 9 + g, a->codes[g]);
    ch_sq_bind_id(st, 13, a->created_by);
    sqlite3_bind_int64(st, 14, a->created_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT) {
        if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
            return ch_error_set(err, CH_E_CONFLICT,
                                "a group code is already in use by another audit; try again");
        return ch_error_set(err, CH_E_INVALID, "there is no organisation %lld or no audit %lld",
                            (long long)a->organisation_id, (long long)a->baseline_id);
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording an audit");
    a->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_school_audit_insert(ch_store *base, ch_school_audit *a, ch_error *err)
{
    return ch_sq_write((sq *)base, insert_fn, a, err);
}

static void read_audit(ch_arena *a, sqlite3_stmt *st, ch_school_audit *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->service = ch_sq_text(a, st, 1);
    out->template_id = ch_sq_text(a, st, 2);
    out->school = ch_sq_text(a, st, 3);
    out->organisation_id = sqlite3_column_int64(st, 4);
    out->intervention = ch_sq_text(a, st, 5);
    out->baseline_id = sqlite3_column_int64(st, 6);
    out->opens_on = sqlite3_column_int(st, 7);
    out->closes_on = sqlite3_column_int(st, 8);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        out->codes[g] = ch_sq_text(a, st, 9 + g);
    out->created_by = sqlite3_column_int64(st, 13);
    out->created_at = sqlite3_column_int64(st, 14);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        out->responses[g] = sqlite3_column_int64(st, 15 + g);
}

/* Runs a statement that names one audit (by id or by code) on a reader. */
static int one_audit(ch_store *base, const char *sql, int64_t id, const char *code, ch_arena *a,
                     ch_school_audit *out, ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    if (code)
        ch_sq_bind_text(st, 1, code);
    else
        sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read_audit(a, st, out);
    else if (step == SQLITE_DONE)
        rc = code ? ch_error_set(err, CH_E_NOTFOUND, "no audit has this code")
                  : ch_error_set(err, CH_E_NOTFOUND, "there is no audit %lld", (long long)id);
    else
        rc = ch_sq_error(c, err, "reading an audit");
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_school_audit_get(ch_store *base, int64_t id, ch_arena *a, ch_school_audit *out,
                           ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_GET("?");
    return one_audit(base, sql, id, NULL, a, out, err);
}

int ch_sq_school_audit_by_code(ch_store *base, const char *code, ch_arena *a, ch_school_audit *out,
                               const char **group, ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_BY_CODE("?1");
    *group = NULL;
    return one_audit(base, sql, 0, code, a, out, err);
}

typedef struct dates_job {
    int64_t id;
    ch_date opens_on, closes_on;
} dates_job;

static int dates_fn(sq_conn *c, void *arg, ch_error *err)
{
    dates_job *job = arg;
    static const char sql[] = SCHOOL_AUDIT_DATES("?1", "?2", "?3");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_int(st, 2, job->opens_on);
    sqlite3_bind_int(st, 3, job->closes_on);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "changing an audit's dates");
    if (sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no audit %lld", (long long)job->id);
    return CH_OK;
}

int ch_sq_school_audit_dates(ch_store *base, int64_t id, ch_date opens_on, ch_date closes_on,
                             ch_error *err)
{
    dates_job job = {id, opens_on, closes_on};
    return ch_sq_write((sq *)base, dates_fn, &job, err);
}

int ch_sq_school_audit_list(ch_store *base, size_t limit, ch_arena *a, ch_school_audit **out,
                            size_t *n, ch_error *err)
{
    static const char sql[] = SCHOOL_AUDIT_LIST("?");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_school_audit *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, (int64_t)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        read_audit(a, st, &list[(*n)++]);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "listing audits");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

static int response_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_audit_response_row *row = arg;
    static const char sql[] = AUDIT_RESPONSE_INSERT("?, ?, ?, ?, ?");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, row->audit_id);
    ch_sq_bind_text(st, 2, row->group);
    sqlite3_bind_int64(st, 3, row->submitted_at);
    ch_sq_bind_text(st, 4, row->answers);
    ch_sq_bind_text(st, 5, row->form_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT && sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_UNIQUE)
        return ch_error_set(err, CH_E_CONFLICT, "these answers were saved already");
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no audit %lld", (long long)row->audit_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording an audit response");
    row->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_audit_response_insert(ch_store *base, ch_audit_response_row *row, ch_error *err)
{
    return ch_sq_write((sq *)base, response_fn, row, err);
}

int ch_sq_audit_responses(ch_store *base, int64_t audit_id, ch_arena *a,
                          ch_audit_response_row **out, size_t *n, ch_error *err)
{
    static const char sql[] = AUDIT_RESPONSES("?");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_audit_response_row *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, audit_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_audit_response_row *r = &list[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->audit_id = sqlite3_column_int64(st, 1);
        r->group = ch_sq_text(a, st, 2);
        r->submitted_at = sqlite3_column_int64(st, 3);
        r->answers = ch_sq_text(a, st, 4);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading audit responses");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}
