/* Purchased hours in the SQLite backend: contracts, visits and the ledger.
 * Every change that moves hours is one write, so a visit's end and its
 * charge, or a year end and the contract's closing, land together or not
 * at all. The ledger table refuses updates and deletes by trigger. */
#include "store/hours_sql.h"
#include "store/sqlite/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void read_entry(ch_arena *a, sqlite3_stmt *st, void *row)
{
    ch_ledger_row *r = row;
    r->id = sqlite3_column_int64(st, 0);
    r->contract_id = sqlite3_column_int64(st, 1);
    r->at = sqlite3_column_int64(st, 2);
    r->kind = ch_sq_text(a, st, 3);
    r->minutes = sqlite3_column_int64(st, 4);
    r->visit_id = sqlite3_column_int64(st, 5);
    r->reason = ch_sq_text(a, st, 6);
    r->created_by = sqlite3_column_int64(st, 7);
    r->created_at = sqlite3_column_int64(st, 8);
}

/* Steps st to its end, reading each row with read into a growing array of
 * elem-sized rows in a. */
static int collect(sq_conn *c, sqlite3_stmt *st, ch_arena *a, size_t elem,
                   void (*read)(ch_arena *, sqlite3_stmt *, void *), void **out, size_t *n,
                   const char *doing, ch_error *err)
{
    size_t cap = 0, count = 0;
    char *rows = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, elem)))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        read(a, st, rows + count++ * elem);
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, doing);
    *out = rows;
    *n = count;
    return CH_OK;
}

/* Every row sql (one parameter: an id) finds, read with read into an
 * arena array of elem-sized rows. */
static int list_of(ch_store *base, const char *sql, int64_t id, ch_arena *a, size_t elem,
                   void (*read)(ch_arena *, sqlite3_stmt *, void *), void **out, size_t *n,
                   const char *doing, ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_E_STORE;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    *out = NULL;
    *n = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        rc = collect(c, st, a, elem, read, out, n, doing, err);
    }
    ch_sq_unlock(c);
    return rc;
}

/* One row by id, read with read into out; what names it in the answer
 * when there is none ("there is no visit 12"). */
static int get_one(ch_store *base, const char *sql, int64_t id, ch_arena *a,
                   void (*read)(ch_arena *, sqlite3_stmt *, void *), void *out, const char *what,
                   ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read(a, st, out);
    else if (step == SQLITE_DONE)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no %s %lld", what, (long long)id);
    else
        rc = ch_sq_error(c, err, "reading a record");
out:
    ch_sq_unlock(c);
    return rc;
}

static void read_contract(ch_arena *a, sqlite3_stmt *st, void *row)
{
    ch_contract *c = row;
    c->id = sqlite3_column_int64(st, 0);
    c->organisation_id = sqlite3_column_int64(st, 1);
    c->organisation = ch_sq_text(a, st, 2);
    c->service = ch_sq_text(a, st, 3);
    c->year = ch_sq_text(a, st, 4);
    c->starts = (ch_date)sqlite3_column_int64(st, 5);
    c->ends = (ch_date)sqlite3_column_int64(st, 6);
    c->amount = sqlite3_column_int64(st, 7);
    c->unit = ch_sq_text(a, st, 8);
    c->purchased = sqlite3_column_int64(st, 9);
    c->block = (int32_t)sqlite3_column_int64(st, 10);
    c->prep_counts = sqlite3_column_int64(st, 11) != 0;
    c->contact_name = ch_sq_text(a, st, 12);
    c->contact_email = ch_sq_text(a, st, 13);
    c->consultant_id = sqlite3_column_int64(st, 14);
    c->consultant = ch_sq_text(a, st, 15);
    c->shortfall_policy = ch_sq_text(a, st, 16);
    c->status = ch_sq_text(a, st, 17);
    c->created_by = sqlite3_column_int64(st, 18);
    c->created_at = sqlite3_column_int64(st, 19);
    c->balance = sqlite3_column_int64(st, 20);
    c->booked = sqlite3_column_int64(st, 21);
    c->shortfall = sqlite3_column_int64(st, 22);
    c->scope = ch_sq_text(a, st, 23);
}

static void read_visit(ch_arena *a, sqlite3_stmt *st, void *row)
{
    ch_visit *v = row;
    v->id = sqlite3_column_int64(st, 0);
    v->contract_id = sqlite3_column_int64(st, 1);
    v->consultant_id = sqlite3_column_int64(st, 2);
    v->starts_at = sqlite3_column_int64(st, 3);
    v->booked = (int32_t)sqlite3_column_int64(st, 4);
    v->actual = (int32_t)sqlite3_column_int64(st, 5);
    v->status = ch_sq_text(a, st, 6);
    v->reason = ch_sq_text(a, st, 7);
    v->note = ch_sq_text(a, st, 8);
    v->late_notice_at = sqlite3_column_int64(st, 9);
    v->late_expected_at = sqlite3_column_int64(st, 10);
    v->rescheduled_from = sqlite3_column_int64(st, 11);
    v->over_balance = sqlite3_column_int64(st, 12) != 0;
    v->created_by = sqlite3_column_int64(st, 13);
    v->created_at = sqlite3_column_int64(st, 14);
    v->updated_at = sqlite3_column_int64(st, 15);
    v->school = ch_sq_text(a, st, 16);
    v->consultant = ch_sq_text(a, st, 17);
    v->service = ch_sq_text(a, st, 18);
    v->arrived_at = sqlite3_column_int64(st, 19);
    v->kind = ch_sq_text(a, st, 20);
    v->resources_due_at = sqlite3_column_int64(st, 21);
    v->resources_told_at = sqlite3_column_int64(st, 22);
    v->release_for = ch_sq_text(a, st, 23);
    v->release_told_at = sqlite3_column_int64(st, 24);
}

static int insert_entry(sq_conn *c, ch_ledger_row *e, ch_error *err)
{
    static const char sql[] = "INSERT INTO ledger(contract_id, at, kind, minutes, visit_id,"
                              " reason, created_by, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, e->contract_id);
    sqlite3_bind_int64(st, 2, e->at);
    ch_sq_bind_text(st, 3, e->kind);
    sqlite3_bind_int64(st, 4, e->minutes);
    ch_sq_bind_id(st, 5, e->visit_id);
    ch_sq_bind_text(st, 6, e->reason);
    ch_sq_bind_id(st, 7, e->created_by);
    sqlite3_bind_int64(st, 8, e->created_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no contract %lld",
                            (long long)e->contract_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding to the hours ledger");
    e->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

static int contract_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_contract *k = arg;
    static const char sql[] =
        "INSERT INTO contracts(organisation_id, service, year, starts_on, ends_on, amount, unit,"
        " purchased, block, prep_counts, contact_name, contact_email, consultant_id, shortfall,"
        " status, created_by, created_at, scope)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)";
    int rc;
    if (!k->organisation_id &&
        (rc = ch_sq_organisation_link(c, k->organisation, k->created_at, &k->organisation_id, err)))
        return rc;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, k->organisation_id);
    ch_sq_bind_text(st, 2, k->service);
    ch_sq_bind_text(st, 3, k->year);
    sqlite3_bind_int64(st, 4, k->starts);
    sqlite3_bind_int64(st, 5, k->ends);
    sqlite3_bind_int64(st, 6, k->amount);
    ch_sq_bind_text(st, 7, k->unit);
    sqlite3_bind_int64(st, 8, k->purchased);
    sqlite3_bind_int64(st, 9, k->block);
    sqlite3_bind_int(st, 10, k->prep_counts);
    ch_sq_bind_text(st, 11, k->contact_name);
    ch_sq_bind_text(st, 12, k->contact_email);
    ch_sq_bind_id(st, 13, k->consultant_id);
    ch_sq_bind_text(st, 14, k->shortfall_policy);
    ch_sq_bind_id(st, 15, k->created_by);
    sqlite3_bind_int64(st, 16, k->created_at);
    ch_sq_bind_text(st, 17, k->scope);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "the school (organisation_id) or consultant (consultant_id) named on "
                            "the contract does not exist; GET /api/v1/users lists the staff");
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a contract");
    k->id = sqlite3_last_insert_rowid(c->db);
    k->status = "open";
    ch_ledger_row buy = {.contract_id = k->id,
                         .at = k->purchased_at ? k->purchased_at : k->created_at,
                         .kind = "purchase",
                         .minutes = k->purchased,
                         .created_by = k->created_by,
                         .created_at = k->created_at};
    return insert_entry(c, &buy, err);
}

int ch_sq_contract_insert(ch_store *base, ch_contract *c, ch_error *err)
{
    return ch_sq_write((sq *)base, contract_fn, c, err);
}

int ch_sq_contract_get(ch_store *base, int64_t id, ch_arena *a, ch_contract *out, ch_error *err)
{
    static const char sql[] = "SELECT " CONTRACT_COLUMNS " WHERE c.id = ?";
    return get_one(base, sql, id, a, read_contract, out, "contract", err);
}

int ch_sq_contract_list(ch_store *base, const ch_contract_filter *f, ch_arena *a, ch_contract **out,
                        size_t *n, ch_error *err)
{
    char sql[2048];
    size_t used =
        (size_t)snprintf(sql, sizeof(sql),
                         "SELECT " CONTRACT_COLUMNS " WHERE (?1 = 0 OR c.organisation_id = ?1)"
                         " AND (?2 = 0 OR c.consultant_id = ?2)"
                         " AND (?3 IS NULL OR c.year = ?3)"
                         " AND (?4 IS NULL OR c.status = ?4)"
                         " AND (?5 IS NULL OR lower(c.contact_email) = lower(?5))");
    if (f->services)
        ch_sq_in_list(sql, sizeof(sql), &used, "c.service", f->nservices);
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY o.name, c.year DESC, c.id LIMIT %zu",
             f->limit ? f->limit : 500);
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    *out = NULL;
    *n = 0;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, f->organisation_id);
    sqlite3_bind_int64(st, 2, f->consultant_id);
    ch_sq_bind_text(st, 3, f->year);
    ch_sq_bind_text(st, 4, f->status);
    ch_sq_bind_text(st, 5, f->contact_email);
    for (size_t i = 0; f->services && i < f->nservices; i++)
        ch_sq_bind_text(st, 6 + (int)i, f->services[i]);
    rc = collect(c, st, a, sizeof(**out), read_contract, (void **)out, n, "listing contracts", err);
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_ledger_list(ch_store *base, int64_t contract_id, ch_arena *a, ch_ledger_row **out,
                      size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT id, contract_id, at, kind, minutes, visit_id, reason,"
                              " created_by, created_at FROM ledger WHERE contract_id = ?"
                              " ORDER BY at, id";
    return list_of(base, sql, contract_id, a, sizeof(**out), read_entry, (void **)out, n,
                   "reading the hours ledger", err);
}

typedef struct append_args {
    ch_ledger_row *entries;
    size_t n;
    int64_t close;
} append_args;

static int append_fn(sq_conn *c, void *arg, ch_error *err)
{
    append_args *x = arg;
    static const char close[] =
        "UPDATE contracts SET status = 'closed' WHERE id = ? AND status = 'open'";
    int rc;
    if (x->close) {
        sqlite3_stmt *st = ch_sq_stmt(c, close, err);
        if (!st)
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, x->close);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "closing a contract");
        if (sqlite3_changes(c->db) != 1)
            return ch_error_set(err, CH_E_CONFLICT,
                                "contract %lld has already been settled for the year",
                                (long long)x->close);
    }
    for (size_t i = 0; i < x->n; i++)
        if ((rc = insert_entry(c, &x->entries[i], err)))
            return rc;
    return CH_OK;
}

int ch_sq_ledger_append(ch_store *base, ch_ledger_row *entries, size_t n, int64_t close_contract,
                        ch_error *err)
{
    append_args x = {entries, n, close_contract};
    return ch_sq_write((sq *)base, append_fn, &x, err);
}

/* CH_E_CONFLICT when the consultant already holds time overlapping v. The
 * writer runs one write at a time, so nothing books between this and the
 * insert. */
static int check_clash(sq_conn *c, const ch_visit *v, ch_error *err)
{
    static const char sql[] = VISIT_CLASH("?1", "?2", "?3");
    if (!v->consultant_id)
        return CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, v->consultant_id);
    sqlite3_bind_int64(st, 2, v->starts_at);
    sqlite3_bind_int64(st, 3, v->starts_at + (int64_t)v->booked * 60);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return ch_error_set(err, CH_E_CONFLICT, VISIT_CLASH_TEXT,
                            (long long)sqlite3_column_int64(st, 0));
    return step == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "checking a consultant's timetable");
}

static int insert_visit(sq_conn *c, ch_visit *v, ch_error *err)
{
    int rc = check_clash(c, v, err);
    if (rc)
        return rc;
    static const char sql[] =
        "INSERT INTO visits(contract_id, consultant_id, starts_at, booked, status, reason,"
        " note, rescheduled_from, over_balance, created_by, created_at, updated_at, kind,"
        " resources_due_at, release_for) VALUES(?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?,"
        " coalesce(?, 'visit'), ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, v->contract_id);
    ch_sq_bind_id(st, 2, v->consultant_id);
    sqlite3_bind_int64(st, 3, v->starts_at);
    sqlite3_bind_int64(st, 4, v->booked);
    ch_sq_bind_text(st, 5, v->reason);
    ch_sq_bind_text(st, 6, v->note);
    ch_sq_bind_id(st, 7, v->rescheduled_from);
    sqlite3_bind_int(st, 8, v->over_balance);
    ch_sq_bind_id(st, 9, v->created_by);
    sqlite3_bind_int64(st, 10, v->created_at);
    sqlite3_bind_int64(st, 11, v->created_at);
    ch_sq_bind_text(st, 12, v->kind);
    ch_sq_bind_id(st, 13, v->resources_due_at);
    ch_sq_bind_text(st, 14, v->release_for);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "the consultant (consultant_id) named on the visit does not exist; GET "
                            "/api/v1/users lists the staff");
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "booking a visit");
    v->id = sqlite3_last_insert_rowid(c->db);
    v->status = "booked";
    return CH_OK;
}

typedef struct book_args {
    ch_visit *v;
    const ch_contract *seen;
} book_args;

/* The balance and booked minutes are read inside the write transaction;
 * the writer thread runs one write at a time, so nothing books between the
 * check and the insert. */
static int visit_fn(sq_conn *c, void *arg, ch_error *err)
{
    static const char figures[] = CONTRACT_FIGURES "?";
    book_args *x = arg;
    if (x->seen) {
        sqlite3_stmt *st = ch_sq_stmt(c, figures, err);
        if (!st)
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, x->v->contract_id);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return ch_sq_error(c, err, "reading a contract's balance");
        if (step == SQLITE_DONE || sqlite3_column_int64(st, 0) != x->seen->balance ||
            sqlite3_column_int64(st, 1) != x->seen->booked)
            return ch_error_set(err, CH_E_CONFLICT,
                                "the contract's hours changed while you were booking (someone "
                                "else booked or logged time); look again and book once more");
    }
    return insert_visit(c, x->v, err);
}

int ch_sq_visit_insert(ch_store *base, ch_visit *v, const ch_contract *seen, ch_error *err)
{
    book_args x = {v, seen};
    return ch_sq_write((sq *)base, visit_fn, &x, err);
}

int ch_sq_visit_get(ch_store *base, int64_t id, ch_arena *a, ch_visit *out, ch_error *err)
{
    static const char sql[] = "SELECT " VISIT_COLUMNS " WHERE v.id = ?";
    return get_one(base, sql, id, a, read_visit, out, "visit", err);
}

int ch_sq_visit_list(ch_store *base, const ch_visit_filter *f, ch_arena *a, ch_visit **out,
                     size_t *n, ch_error *err)
{
    static const char by_consultant[] = VISIT_LIST_BY_CONSULTANT("?1", "?2", "?3", "?4", "?5");
    static const char by_contract[] = VISIT_LIST_BY_CONTRACT("?1", "?2", "?3", "?4", "?5");
    static const char any[] = VISIT_LIST_ANY("?1", "?2", "?3", "?4", "?5");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c,
                                  f->consultant_id ? by_consultant
                                  : f->contract_id ? by_contract
                                                   : any,
                                  err);
    *out = NULL;
    *n = 0;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, f->contract_id);
    sqlite3_bind_int64(st, 2, f->consultant_id);
    sqlite3_bind_int64(st, 3, f->from);
    sqlite3_bind_int64(st, 4, f->to ? f->to : INT64_MAX);
    sqlite3_bind_int64(st, 5, f->limit ? (sqlite3_int64)f->limit : 1000);
    rc = collect(c, st, a, sizeof(**out), read_visit, (void **)out, n, "listing visits", err);
out:
    ch_sq_unlock(c);
    return rc;
}

static int insert_notice(sq_conn *c, ch_visit_notice *n, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO visit_notices(visit_id, kind, party, notice_at, expected_at, channel,"
        " contact, note, outbox_id, created_by, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, n->visit_id);
    ch_sq_bind_text(st, 2, n->kind);
    ch_sq_bind_text(st, 3, n->party);
    sqlite3_bind_int64(st, 4, n->notice_at);
    ch_sq_bind_id(st, 5, n->expected_at);
    ch_sq_bind_text(st, 6, n->channel);
    ch_sq_bind_text(st, 7, n->contact);
    ch_sq_bind_text(st, 8, n->note);
    ch_sq_bind_id(st, 9, n->outbox_id);
    ch_sq_bind_id(st, 10, n->created_by);
    sqlite3_bind_int64(st, 11, n->created_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "keeping a visit's notice");
    n->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

static void read_notice(ch_arena *a, sqlite3_stmt *st, void *row)
{
    ch_visit_notice *n = row;
    n->id = sqlite3_column_int64(st, 0);
    n->visit_id = sqlite3_column_int64(st, 1);
    n->kind = ch_sq_text(a, st, 2);
    n->party = ch_sq_text(a, st, 3);
    n->notice_at = sqlite3_column_int64(st, 4);
    n->expected_at = sqlite3_column_int64(st, 5);
    n->channel = ch_sq_text(a, st, 6);
    n->contact = ch_sq_text(a, st, 7);
    n->note = ch_sq_text(a, st, 8);
    n->outbox_id = sqlite3_column_int64(st, 9);
    n->created_by = sqlite3_column_int64(st, 10);
    n->created_at = sqlite3_column_int64(st, 11);
}

int ch_sq_visit_notices(ch_store *base, int64_t visit_id, ch_arena *a, ch_visit_notice **out,
                        size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT id, visit_id, kind, party, notice_at, expected_at, channel,"
                              " contact, note, outbox_id, created_by, created_at FROM visit_notices"
                              " WHERE visit_id = ? ORDER BY id";
    return list_of(base, sql, visit_id, a, sizeof(**out), read_notice, (void **)out, n,
                   "reading visit notices", err);
}

static int change_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_visit_change *ch = arg;
    static const char end[] =
        "UPDATE visits SET status = coalesce(?2, status), actual = coalesce(?3, actual),"
        " note = coalesce(?4, note), late_notice_at = coalesce(?5, late_notice_at),"
        " late_expected_at = coalesce(?6, late_expected_at), updated_at = ?7,"
        " arrived_at = coalesce(?8, arrived_at),"
        " resources_told_at = coalesce(?9, resources_told_at),"
        " release_told_at = coalesce(?10, release_told_at) WHERE id = ?1 AND status = 'booked'";
    sqlite3_stmt *st = ch_sq_stmt(c, end, err);
    int rc;
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, ch->visit_id);
    ch_sq_bind_text(st, 2, ch->status);
    ch_sq_bind_id(st, 3, ch->actual);
    ch_sq_bind_text(st, 4, ch->note);
    ch_sq_bind_id(st, 5, ch->late_notice_at);
    ch_sq_bind_id(st, 6, ch->late_expected_at);
    sqlite3_bind_int64(st, 7, ch->at);
    ch_sq_bind_id(st, 8, ch->arrived_at);
    ch_sq_bind_id(st, 9, ch->resources_told_at);
    ch_sq_bind_id(st, 10, ch->release_told_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "changing a visit");
    if (sqlite3_changes(c->db) != 1)
        return ch_error_set(err, CH_E_CONFLICT,
                            "visit %lld has already ended (or does not exist); reload it",
                            (long long)ch->visit_id);
    if (ch->charge && (rc = insert_entry(c, ch->charge, err)))
        return rc;
    if (ch->rebook && (rc = insert_visit(c, ch->rebook, err)))
        return rc;
    if (ch->mail && (rc = ch_sq_outbox_insert_in(c, ch->mail, err)))
        return rc;
    if (ch->notice) {
        if (ch->mail)
            ch->notice->outbox_id = ch->mail->id;
        if ((rc = insert_notice(c, ch->notice, err)))
            return rc;
    }
    return CH_OK;
}

int ch_sq_visit_change(ch_store *base, ch_visit_change *ch, ch_error *err)
{
    return ch_sq_write((sq *)base, change_fn, ch, err);
}

static int sent_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_statement_sent *row = arg;
    static const char sql[] = "INSERT INTO statements_sent(contract_id, term, sent_at, sent_by,"
                              " sent_to) VALUES(?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, row->contract_id);
    ch_sq_bind_text(st, 2, row->term);
    sqlite3_bind_int64(st, 3, row->sent_at);
    ch_sq_bind_id(st, 4, row->sent_by);
    ch_sq_bind_text(st, 5, row->sent_to);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_FOREIGNKEY
                   ? ch_error_set(err, CH_E_NOTFOUND, "there is no contract %lld",
                                  (long long)row->contract_id)
                   : ch_error_set(err, CH_E_CONFLICT,
                                  "the %s statement of contract %lld is already recorded as sent",
                                  row->term, (long long)row->contract_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording a statement as sent");
    return CH_OK;
}

int ch_sq_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err)
{
    return ch_sq_write((sq *)base, sent_fn, (void *)row, err);
}

static void read_sent(ch_arena *a, sqlite3_stmt *st, void *out)
{
    ch_statement_sent *r = out;
    r->contract_id = sqlite3_column_int64(st, 0);
    r->term = ch_sq_text(a, st, 1);
    r->sent_at = sqlite3_column_int64(st, 2);
    r->sent_by = sqlite3_column_int64(st, 3);
    r->sent_to = ch_sq_text(a, st, 4);
}

int ch_sq_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT contract_id, term, sent_at, sent_by, sent_to"
                              " FROM statements_sent WHERE term = ? ORDER BY contract_id";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    *out = NULL;
    *n = 0;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, term);
    rc = collect(c, st, a, sizeof(**out), read_sent, (void **)out, n, "reading sent statements",
                 err);
out:
    ch_sq_unlock(c);
    return rc;
}

static int update_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_contract_change *ch = arg;
    static const char sql[] =
        CONTRACT_UPDATE("?1", "?2", "?3", "?4", "?5", "?6", "?7", "?8", "?9", "?10", "?11");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, ch->id);
    sqlite3_bind_int(st, 2, ch->set_contact);
    ch_sq_bind_text(st, 3, ch->contact_name);
    ch_sq_bind_text(st, 4, ch->contact_email);
    sqlite3_bind_int(st, 5, ch->set_consultant);
    ch_sq_bind_id(st, 6, ch->consultant_id);
    ch_sq_bind_text(st, 7, ch->shortfall_policy);
    ch_sq_bind_id(st, 8, ch->block);
    if (ch->prep_counts < 0)
        sqlite3_bind_null(st, 9);
    else
        sqlite3_bind_int(st, 9, ch->prep_counts);
    sqlite3_bind_int(st, 10, ch->set_scope);
    ch_sq_bind_text(st, 11, ch->scope);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID, "there is no user %lld to be the consultant",
                            (long long)ch->consultant_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "changing a contract");
    if (sqlite3_changes(c->db) != 1)
        return ch_error_set(err, CH_E_CONFLICT,
                            "contract %lld is closed (or gone) and cannot be changed",
                            (long long)ch->id);
    return CH_OK;
}

int ch_sq_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err)
{
    return ch_sq_write((sq *)base, update_fn, (void *)ch, err);
}
