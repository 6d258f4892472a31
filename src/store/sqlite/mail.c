/* Mail in the SQLite backend: inbound messages kept whole (durable before
 * the call returns, as every write of the group-commit writer is), the
 * message ids that thread a case, the outbox and its claims, notifications,
 * and the one write that files a message with everything it does. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAIL_IN_COLUMNS                                                                            \
    "id, service, message_id, received_at, state, case_id, contact_id, error, length(raw)"
#define OUTBOX_COLUMNS                                                                             \
    "id, service, case_id, contact_id, user_id, purpose, mail_from, rcpts, message_id,"            \
    " require_tls, state, attempts, created_at, next_attempt_at, sent_at, last_error, length(raw)"
#define NOTIFICATION_COLUMNS                                                                       \
    "id, user_id, case_id, obligation_id, kind, text, created_at, read_at, emailed_at"

enum { MAX_SERVICES = 200 };

/* A copy of blob column i in a (NUL-terminated, for the text it usually
 * is); NULL when out of memory. */
static const unsigned char *blob_copy(ch_arena *a, sqlite3_stmt *st, int i, size_t *len)
{
    const void *blob = sqlite3_column_blob(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    unsigned char *out = ch_arena_alloc(a, n + 1);
    if (out && n)
        memcpy(out, blob, n);
    *len = n;
    return out;
}

static int read_mail_in(ch_arena *a, sqlite3_stmt *st, bool with_raw, ch_mail_in *m, ch_error *err)
{
    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(st, 0);
    m->service = ch_sq_text(a, st, 1);
    m->message_id = ch_sq_text(a, st, 2);
    m->received_at = sqlite3_column_int64(st, 3);
    m->state = ch_sq_text(a, st, 4);
    m->case_id = sqlite3_column_int64(st, 5);
    m->contact_id = sqlite3_column_int64(st, 6);
    m->error = ch_sq_text(a, st, 7);
    m->len = (size_t)sqlite3_column_int64(st, 8);
    if (with_raw && !(m->raw = blob_copy(a, st, 9, &m->len)))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    return CH_OK;
}

static int read_outbox(ch_arena *a, sqlite3_stmt *st, bool with_raw, ch_outbox_row *r,
                       ch_error *err)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->service = ch_sq_text(a, st, 1);
    r->case_id = sqlite3_column_int64(st, 2);
    r->contact_id = sqlite3_column_int64(st, 3);
    r->user_id = sqlite3_column_int64(st, 4);
    r->purpose = ch_sq_text(a, st, 5);
    r->mail_from = ch_sq_text(a, st, 6);
    r->rcpts = ch_sq_text(a, st, 7);
    r->message_id = ch_sq_text(a, st, 8);
    r->require_tls = sqlite3_column_int64(st, 9) != 0;
    r->state = ch_sq_text(a, st, 10);
    r->attempts = (int)sqlite3_column_int64(st, 11);
    r->created_at = sqlite3_column_int64(st, 12);
    r->next_attempt_at = sqlite3_column_int64(st, 13);
    r->sent_at = sqlite3_column_int64(st, 14);
    r->last_error = ch_sq_text(a, st, 15);
    r->len = (size_t)sqlite3_column_int64(st, 16);
    if (with_raw && !(r->raw = blob_copy(a, st, 17, &r->len)))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    return CH_OK;
}

static void read_notification(ch_arena *a, sqlite3_stmt *st, ch_notification *n)
{
    memset(n, 0, sizeof(*n));
    n->id = sqlite3_column_int64(st, 0);
    n->user_id = sqlite3_column_int64(st, 1);
    n->case_id = sqlite3_column_int64(st, 2);
    n->obligation_id = sqlite3_column_int64(st, 3);
    n->kind = ch_sq_text(a, st, 4);
    n->text = ch_sq_text(a, st, 5);
    n->created_at = sqlite3_column_int64(st, 6);
    n->read_at = sqlite3_column_int64(st, 7);
    n->emailed_at = sqlite3_column_int64(st, 8);
}

/* A foreign key that does not hold is the caller's mistake (no such case,
 * contact or user), not the database failing. */
static int write_error(sq_conn *c, ch_error *err, const char *doing)
{
    if (sqlite3_errcode(c->db) == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "%s names a case, contact, user or obligation that does not exist "
                            "(%s)",
                            doing, sqlite3_errmsg(c->db));
    return ch_sq_error(c, err, doing);
}

/* ---- inbound messages ---- */

typedef struct mail_in_arg {
    ch_mail_in *m;
    bool *duplicate;
} mail_in_arg;

static int mail_in_insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    mail_in_arg *a = arg;
    ch_mail_in *m = a->m;
    static const char find[] = "SELECT id FROM mail_in WHERE coalesce(service, '') ="
                               " coalesce(?, '') AND message_id = ?";
    static const char ins[] = "INSERT INTO mail_in(service, message_id, raw, received_at, state)"
                              " VALUES(?, ?, ?, ?, 'received')";
    sqlite3_stmt *st;
    int step;
    /* Only the writer thread writes, so looking first is race-free. */
    if (m->message_id) {
        if (!(st = ch_sq_stmt(c, find, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, m->service);
        ch_sq_bind_text(st, 2, m->message_id);
        if ((step = sqlite3_step(st)) == SQLITE_ROW) {
            m->id = sqlite3_column_int64(st, 0);
            *a->duplicate = true;
            return CH_OK;
        }
        if (step != SQLITE_DONE)
            return ch_sq_error(c, err, "looking for a message already received");
    }
    if (!(st = ch_sq_stmt(c, ins, err)))
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, m->service);
    ch_sq_bind_text(st, 2, m->message_id);
    sqlite3_bind_blob64(st, 3, m->raw, (sqlite3_uint64)m->len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, m->received_at);
    step = sqlite3_step(st);
    sqlite3_bind_null(st, 3); /* cached: let go of the caller's bytes */
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "storing an inbound message");
    m->id = sqlite3_last_insert_rowid(c->db);
    m->state = "received";
    return CH_OK;
}

int ch_sq_mail_in_insert(ch_store *base, ch_mail_in *m, bool *duplicate, ch_error *err)
{
    mail_in_arg a = {m, duplicate};
    return ch_sq_write((sq *)base, mail_in_insert_fn, &a, err);
}

int ch_sq_mail_in_get(ch_store *base, int64_t id, ch_arena *a, ch_mail_in *out, ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS ", raw FROM mail_in WHERE id = ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    if ((step = sqlite3_step(st)) == SQLITE_DONE)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no inbound message %lld", (long long)id);
    else if (step != SQLITE_ROW)
        rc = ch_sq_error(c, err, "reading an inbound message");
    else
        rc = read_mail_in(a, st, true, out, err);
out:
    ch_sq_unlock(c);
    return rc;
}

/* The rows sql (bound by its one or two integers) reads, with raw when
 * with_raw. */
static int mail_in_rows(ch_store *base, const char *sql, int64_t a1, int64_t a2, bool with_raw,
                        ch_arena *a, ch_mail_in **out, size_t *n, ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_mail_in *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, a1);
    if (a2 >= 0)
        sqlite3_bind_int64(st, 2, a2);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        if ((rc = read_mail_in(a, st, with_raw, &rows[count++], err)))
            goto out;
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing inbound messages");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_mail_in_pending(ch_store *base, size_t limit, ch_arena *a, ch_mail_in **out, size_t *n,
                          ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS ", raw FROM mail_in"
                              " WHERE state = 'received' ORDER BY id LIMIT ?";
    return mail_in_rows(base, sql, (int64_t)limit, -1, true, a, out, n, err);
}

int ch_sq_mail_in_of_case(ch_store *base, int64_t case_id, size_t limit, ch_arena *a,
                          ch_mail_in **out, size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS " FROM mail_in"
                              " WHERE case_id = ? ORDER BY id DESC LIMIT ?";
    return mail_in_rows(base, sql, case_id, (int64_t)limit, false, a, out, n, err);
}

int ch_sq_mail_thread_case(ch_store *base, const char *const *ids, size_t n, int64_t *case_id,
                           ch_error *err)
{
    static const char sql[] = "SELECT case_id FROM mail_threads WHERE message_id = ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    for (size_t i = 0; i < n && !*case_id; i++) {
        if (!ids[i] || !*ids[i])
            continue;
        sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
        if (!st) {
            rc = CH_E_STORE;
            break;
        }
        ch_sq_bind_text(st, 1, ids[i]);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            *case_id = sqlite3_column_int64(st, 0);
        else if (step != SQLITE_DONE) {
            rc = ch_sq_error(c, err, "finding a message's case");
            break;
        }
    }
    ch_sq_unlock(c);
    return rc;
}

/* ---- the outbox ---- */

/* Queues r inside a write job, with a row per recipient for the rate
 * count; sets its id, state and times. */
static int outbox_insert_in(sq_conn *c, ch_outbox_row *r, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO outbox(service, case_id, contact_id, user_id, purpose, mail_from, rcpts,"
        " message_id, raw, require_tls, state, attempts, created_at, next_attempt_at)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)";
    static const char rcpt[] = "INSERT OR IGNORE INTO outbox_rcpts(outbox_id, rcpt) VALUES(?, ?)";
    ch_arena scratch = {0};
    char **addrs;
    size_t naddrs;
    int rc = ch_store_rcpts_split(&scratch, r->rcpts, &addrs, &naddrs, err);
    if (rc)
        goto out;
    if (!r->created_at)
        r->created_at = (ch_time)time(NULL);
    if (!r->next_attempt_at)
        r->next_attempt_at = r->created_at;
    sqlite3_stmt *st = ch_sq_stmt(c, ins, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, r->service);
    ch_sq_bind_id(st, 2, r->case_id);
    ch_sq_bind_id(st, 3, r->contact_id);
    ch_sq_bind_id(st, 4, r->user_id);
    ch_sq_bind_text(st, 5, r->purpose);
    ch_sq_bind_text(st, 6, r->mail_from);
    ch_sq_bind_text(st, 7, r->rcpts);
    ch_sq_bind_text(st, 8, r->message_id);
    sqlite3_bind_blob64(st, 9, r->raw, (sqlite3_uint64)r->len, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, r->require_tls);
    sqlite3_bind_int64(st, 11, r->created_at);
    sqlite3_bind_int64(st, 12, r->next_attempt_at);
    int step = sqlite3_step(st);
    sqlite3_bind_null(st, 9);
    if (step != SQLITE_DONE) {
        rc = write_error(c, err, "queueing a message");
        goto out;
    }
    r->id = sqlite3_last_insert_rowid(c->db);
    r->state = "queued";
    r->attempts = 0;
    r->sent_at = 0;
    for (size_t i = 0; i < naddrs; i++) {
        if (!(st = ch_sq_stmt(c, rcpt, err))) {
            rc = CH_E_STORE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, r->id);
        ch_sq_bind_text(st, 2, addrs[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = ch_sq_error(c, err, "noting a message's recipients");
            goto out;
        }
    }
out:
    ch_arena_free(&scratch);
    return rc;
}

typedef struct outbox_arg {
    ch_outbox_row *rows;
    size_t n;
} outbox_arg;

static int outbox_insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    outbox_arg *a = arg;
    for (size_t i = 0; i < a->n; i++) {
        int rc = outbox_insert_in(c, &a->rows[i], err);
        if (rc)
            return rc;
    }
    return CH_OK;
}

int ch_sq_outbox_insert(ch_store *base, ch_outbox_row *rows, size_t n, ch_error *err)
{
    outbox_arg a = {rows, n};
    return ch_sq_write((sq *)base, outbox_insert_fn, &a, err);
}

typedef struct claim_arg {
    ch_time now, lease_until;
    size_t limit;
    ch_arena *arena;
    ch_outbox_row **out;
    size_t *n;
} claim_arg;

static int by_id(const void *x, const void *y)
{
    const ch_outbox_row *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

static int claim_fn(sq_conn *c, void *arg, ch_error *err)
{
    claim_arg *a = arg;
    /* One statement takes the rows and moves them past the lease; the
     * writer runs one job at a time, so no two claims see the same row. */
    static const char sql[] =
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?1"
        " WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?2"
        " ORDER BY id LIMIT ?3) RETURNING " OUTBOX_COLUMNS ", raw";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    size_t cap = 0, count = 0;
    ch_outbox_row *rows = NULL;
    int step, rc;
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->lease_until);
    sqlite3_bind_int64(st, 2, a->now);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)a->limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a->arena, rows, count, &cap, sizeof(*rows))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        if ((rc = read_outbox(a->arena, st, true, &rows[count++], err)))
            return rc;
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "claiming messages to send");
    if (count > 1)
        qsort(rows, count, sizeof(*rows), by_id);
    *a->out = rows;
    *a->n = count;
    return CH_OK;
}

int ch_sq_outbox_claim(ch_store *base, ch_time now, ch_time lease_until, size_t limit, ch_arena *a,
                       ch_outbox_row **out, size_t *n, ch_error *err)
{
    claim_arg arg = {now, lease_until, limit, a, out, n};
    int rc = ch_sq_write((sq *)base, claim_fn, &arg, err);
    if (rc) {
        *out = NULL;
        *n = 0;
    }
    return rc;
}

typedef struct result_arg {
    int64_t id;
    const char *state;
    ch_time at;
    const char *error;
    ch_time next;
} result_arg;

static int result_fn(sq_conn *c, void *arg, ch_error *err)
{
    result_arg *a = arg;
    static const char sql[] =
        "UPDATE outbox SET state = ?1, last_error = ?2,"
        " sent_at = CASE WHEN ?1 = 'sent' THEN ?3 ELSE sent_at END,"
        " next_attempt_at = CASE WHEN ?1 = 'queued' THEN ?4 ELSE next_attempt_at END"
        " WHERE id = ?5";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, a->state);
    ch_sq_bind_text(st, 2, a->error);
    sqlite3_bind_int64(st, 3, a->at);
    sqlite3_bind_int64(st, 4, a->next);
    sqlite3_bind_int64(st, 5, a->id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "recording what became of a message");
    if (sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no outbox message %lld",
                            (long long)a->id);
    return CH_OK;
}

int ch_sq_outbox_result(ch_store *base, int64_t id, const char *state, ch_time at,
                        const char *error, ch_time next_attempt_at, ch_error *err)
{
    result_arg a = {id, state, at, error, next_attempt_at};
    return ch_sq_write((sq *)base, result_fn, &a, err);
}

/* The filter's SQL (the page, or count) into buf; binds follow the same
 * order in outbox_bind. */
static void outbox_sql(const ch_outbox_filter *f, bool count, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "SELECT %s FROM outbox WHERE 1 = 1",
                                   count ? "count(*)" : OUTBOX_COLUMNS);
#define ADD(...) used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__)
    if (f->case_id)
        ADD(" AND case_id = ?");
    if (f->state)
        ADD(" AND state = ?");
    if (f->purpose)
        ADD(" AND purpose = ?");
    if (f->rcpt)
        ADD(" AND id IN (SELECT outbox_id FROM outbox_rcpts WHERE rcpt = ?)");
    if (f->since)
        ADD(" AND created_at >= ?");
    if (f->services)
        ch_sq_in_list(buf, size, &used, "service", f->nservices);
    if (!count)
        ADD(" ORDER BY id DESC LIMIT ?");
#undef ADD
}

static int outbox_bind(sqlite3_stmt *st, const ch_outbox_filter *f, const char *rcpt)
{
    int i = 1;
    if (f->case_id)
        sqlite3_bind_int64(st, i++, f->case_id);
    if (f->state)
        ch_sq_bind_text(st, i++, f->state);
    if (f->purpose)
        ch_sq_bind_text(st, i++, f->purpose);
    if (f->rcpt)
        ch_sq_bind_text(st, i++, rcpt);
    if (f->since)
        sqlite3_bind_int64(st, i++, f->since);
    for (size_t k = 0; f->services && k < f->nservices; k++)
        ch_sq_bind_text(st, i++, f->services[k]);
    return i;
}

/* The address f->rcpt is matched as (see ch_store_rcpts_split). */
static int filter_rcpt(ch_arena *a, const ch_outbox_filter *f, const char **rcpt, ch_error *err)
{
    char **addrs;
    size_t n;
    *rcpt = NULL;
    if (!f->rcpt)
        return CH_OK;
    int rc = ch_store_rcpts_split(a, f->rcpt, &addrs, &n, err);
    if (rc)
        return rc;
    *rcpt = addrs[0];
    return CH_OK;
}

int ch_sq_outbox_list(ch_store *base, const ch_outbox_filter *f, ch_arena *a, ch_outbox_row **out,
                      size_t *n, ch_error *err)
{
    char sql[4096];
    const char *rcpt;
    size_t cap = 0, count = 0;
    ch_outbox_row *rows = NULL;
    int rc, step;
    if (f->services && f->nservices > MAX_SERVICES)
        return ch_error_set(err, CH_E_INVALID, "at most %d services at once", MAX_SERVICES);
    if ((rc = filter_rcpt(a, f, &rcpt, err)))
        return rc;
    outbox_sql(f, false, sql, sizeof(sql));
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    if (!st) {
        rc = err->code;
        goto out;
    }
    int i = outbox_bind(st, f, rcpt);
    sqlite3_bind_int64(st, i, (sqlite3_int64)f->limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        read_outbox(a, st, false, &rows[count++], err);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing the outbox");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_outbox_count(ch_store *base, const ch_outbox_filter *f, int64_t *count, ch_error *err)
{
    char sql[4096];
    const char *rcpt;
    ch_arena scratch = {0};
    int rc;
    if (f->services && f->nservices > MAX_SERVICES)
        return ch_error_set(err, CH_E_INVALID, "at most %d services at once", MAX_SERVICES);
    if ((rc = filter_rcpt(&scratch, f, &rcpt, err))) {
        ch_arena_free(&scratch);
        return rc;
    }
    outbox_sql(f, true, sql, sizeof(sql));
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    if (!st) {
        rc = err->code;
        goto out;
    }
    outbox_bind(st, f, rcpt);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "counting the outbox");
        goto out;
    }
    *count = sqlite3_column_int64(st, 0);
out:
    ch_sq_unlock(c);
    ch_arena_free(&scratch);
    return rc;
}

int ch_sq_outbox_by_message_id(ch_store *base, const char *message_id, ch_arena *a,
                               ch_outbox_row *out, ch_error *err)
{
    static const char sql[] =
        "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE message_id = ? ORDER BY id LIMIT 1";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, message_id);
    if ((step = sqlite3_step(st)) == SQLITE_DONE)
        rc = ch_error_set(err, CH_E_NOTFOUND, "we sent no message with Message-ID <%.200s>",
                          message_id);
    else if (step != SQLITE_ROW)
        rc = ch_sq_error(c, err, "finding a message sent");
    else
        rc = read_outbox(a, st, false, out, err);
out:
    ch_sq_unlock(c);
    return rc;
}

/* ---- notifications ---- */

/* Stores n inside a write job; a second warning about one obligation is
 * not stored: *duplicate is set and n->id is the first's. */
static int notification_insert_in(sq_conn *c, ch_notification *n, bool *duplicate, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO notifications(user_id, case_id, obligation_id, kind, text, created_at)"
        " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    static const char first[] =
        "SELECT id FROM notifications WHERE obligation_id = ? AND kind = 'warning'";
    sqlite3_stmt *st = ch_sq_stmt(c, ins, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, n->user_id);
    ch_sq_bind_id(st, 2, n->case_id);
    ch_sq_bind_id(st, 3, n->obligation_id);
    ch_sq_bind_text(st, 4, n->kind);
    ch_sq_bind_text(st, 5, n->text);
    sqlite3_bind_int64(st, 6, n->created_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return write_error(c, err, "storing a notification");
    *duplicate = sqlite3_changes(c->db) == 0;
    if (!*duplicate) {
        n->id = sqlite3_last_insert_rowid(c->db);
        return CH_OK;
    }
    if (!(st = ch_sq_stmt(c, first, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, n->obligation_id);
    n->id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    return CH_OK;
}

typedef struct notification_arg {
    ch_notification *n;
    bool *duplicate;
} notification_arg;

static int notification_insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    notification_arg *a = arg;
    return notification_insert_in(c, a->n, a->duplicate, err);
}

int ch_sq_notification_insert(ch_store *base, ch_notification *n, bool *duplicate, ch_error *err)
{
    notification_arg a = {n, duplicate};
    return ch_sq_write((sq *)base, notification_insert_fn, &a, err);
}

/* Steps st to its end, reading notifications into a growing array. */
static int notification_rows(sq_conn *c, sqlite3_stmt *st, ch_arena *a, ch_notification **out,
                             size_t *n, ch_error *err)
{
    size_t cap = 0, count = 0;
    ch_notification *rows = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        read_notification(a, st, &rows[count++]);
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "reading notifications");
    *out = rows;
    *n = count;
    return CH_OK;
}

int ch_sq_notification_list(ch_store *base, int64_t user_id, bool unread_only, size_t limit,
                            ch_arena *a, ch_notification **out, size_t *n, ch_error *err)
{
    static const char all[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
                              " WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?";
    static const char unread[] =
        "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
        " WHERE user_id = ? AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc;
    sqlite3_stmt *st = ch_sq_stmt(c, unread_only ? unread : all, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    rc = notification_rows(c, st, a, out, n, err);
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_notification_unread(ch_store *base, int64_t user_id, int64_t *count, ch_error *err)
{
    static const char sql[] =
        "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        rc = CH_E_STORE;
    else {
        sqlite3_bind_int64(st, 1, user_id);
        if (sqlite3_step(st) != SQLITE_ROW)
            rc = ch_sq_error(c, err, "counting unread notifications");
        else
            *count = sqlite3_column_int64(st, 0);
    }
    ch_sq_unlock(c);
    return rc;
}

typedef struct read_arg {
    int64_t user_id, id;
    ch_time at;
} read_arg;

static int read_fn(sq_conn *c, void *arg, ch_error *err)
{
    read_arg *a = arg;
    static const char one[] = "UPDATE notifications SET read_at = coalesce(read_at, ?)"
                              " WHERE id = ? AND user_id = ?";
    static const char all[] =
        "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL";
    sqlite3_stmt *st = ch_sq_stmt(c, a->id ? one : all, err);
    if (!st)
        return CH_E_STORE;
    int i = 1;
    sqlite3_bind_int64(st, i++, a->at);
    if (a->id)
        sqlite3_bind_int64(st, i++, a->id);
    sqlite3_bind_int64(st, i, a->user_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "marking notifications read");
    if (a->id && sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "you have no notification %lld", (long long)a->id);
    return CH_OK;
}

int ch_sq_notification_read(ch_store *base, int64_t user_id, int64_t id, ch_time at, ch_error *err)
{
    read_arg a = {user_id, id, at};
    return ch_sq_write((sq *)base, read_fn, &a, err);
}

int ch_sq_notification_unemailed(ch_store *base, int64_t user_id, size_t limit, ch_arena *a,
                                 ch_notification **out, size_t *n, ch_error *err)
{
    static const char all[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
                              " WHERE emailed_at IS NULL ORDER BY created_at, id LIMIT ?";
    static const char one[] =
        "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
        " WHERE emailed_at IS NULL AND user_id = ? ORDER BY created_at, id LIMIT ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc, i = 1;
    sqlite3_stmt *st = ch_sq_stmt(c, user_id ? one : all, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    if (user_id)
        sqlite3_bind_int64(st, i++, user_id);
    sqlite3_bind_int64(st, i, (sqlite3_int64)limit);
    rc = notification_rows(c, st, a, out, n, err);
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct emailed_arg {
    const int64_t *ids;
    size_t n;
    ch_time at;
    ch_outbox_row *outbox;
} emailed_arg;

static int emailed_fn(sq_conn *c, void *arg, ch_error *err)
{
    emailed_arg *a = arg;
    static const char sql[] =
        "UPDATE notifications SET emailed_at = ? WHERE id = ? AND emailed_at IS NULL";
    int rc;
    for (size_t i = 0; i < a->n; i++) {
        sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
        if (!st)
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, a->at);
        sqlite3_bind_int64(st, 2, a->ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "marking notifications emailed");
        /* Told already (by another worker) or gone: queue nothing twice. */
        if (sqlite3_changes(c->db) == 0)
            return ch_error_set(err, CH_E_CONFLICT,
                                "notification %lld was already emailed or does not exist",
                                (long long)a->ids[i]);
    }
    if (a->outbox && (rc = outbox_insert_in(c, a->outbox, err)))
        return rc;
    return CH_OK;
}

int ch_sq_notification_emailed(ch_store *base, const int64_t *ids, size_t n, ch_time at,
                               ch_outbox_row *outbox, ch_error *err)
{
    emailed_arg a = {ids, n, at, outbox};
    return ch_sq_write((sq *)base, emailed_fn, &a, err);
}

int ch_sq_due_soon(ch_store *base, ch_time from, ch_time to, size_t limit, ch_arena *a,
                   ch_due_soon **out, size_t *n, ch_error *err)
{
    /* A paused case's clocks stand still, so only open cases are warned of. */
    static const char sql[] =
        "SELECT o.id, o.case_id, c.officer_id, coalesce(o.service, c.service), o.promise,"
        " c.subject, o.due_at FROM obligations o JOIN cases c ON c.id = o.case_id"
        " WHERE o.state = 'pending' AND o.due_at >= ? AND o.due_at < ? AND c.status = 'open'"
        " ORDER BY o.due_at, o.id LIMIT ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_due_soon *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_due_soon *d = &rows[count++];
        d->obligation_id = sqlite3_column_int64(st, 0);
        d->case_id = sqlite3_column_int64(st, 1);
        d->officer_id = sqlite3_column_int64(st, 2);
        d->service = ch_sq_text(a, st, 3);
        d->promise = ch_sq_text(a, st, 4);
        d->subject = ch_sq_text(a, st, 5);
        d->due_at = sqlite3_column_int64(st, 6);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "finding promises about to break");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

/* ---- filing a message with all it does ---- */

/* Takes inbound message id for filing: only one filing wins, so a message
 * retried after a crash never opens its case twice. */
static int mail_in_take(sq_conn *c, int64_t id, const char *state, ch_error *err)
{
    static const char take[] = "UPDATE mail_in SET state = ? WHERE id = ? AND state = 'received'";
    static const char has[] = "SELECT state FROM mail_in WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, take, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, state);
    sqlite3_bind_int64(st, 2, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "filing an inbound message");
    if (sqlite3_changes(c->db) == 1)
        return CH_OK;
    if (!(st = ch_sq_stmt(c, has, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no inbound message %lld", (long long)id);
    return ch_error_set(err, CH_E_CONFLICT, "inbound message %lld is already %s", (long long)id,
                        (const char *)sqlite3_column_text(st, 0));
}

/* A file already on the case goes with the commit's contact: linked, not
 * copied, so the case's files list it once. */
static int link_attachment(sq_conn *c, const ch_attachment *f, ch_error *err)
{
    static const char sql[] = "UPDATE attachments SET contact_id = ?"
                              " WHERE id = ? AND case_id = ? AND contact_id IS NULL";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_id(st, 1, f->contact_id);
    sqlite3_bind_int64(st, 2, f->id);
    sqlite3_bind_int64(st, 3, f->case_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "linking a file to its email");
    if (sqlite3_changes(c->db) != 1)
        return ch_error_set(err, CH_E_CONFLICT,
                            "file %lld is no longer on the case unsent; choose the files again",
                            (long long)f->id);
    return CH_OK;
}

static int commit_fn(sq_conn *c, void *arg, ch_error *err)
{
    ch_mail_commit *m = arg;
    static const char thread[] =
        "INSERT INTO mail_threads(message_id, case_id) VALUES(?, ?) ON CONFLICT DO NOTHING";
    static const char filed[] =
        "UPDATE mail_in SET case_id = ?, contact_id = ?, error = ? WHERE id = ?";
    int rc;
    if (m->mail_in_id && (rc = mail_in_take(c, m->mail_in_id, m->mail_in_state, err)))
        return rc;
    if (m->open && (rc = ch_sq_case_insert_in(c, m->open, err)))
        return rc;
    if (m->open)
        m->new_version = m->open->version;
    if (m->update) {
        if (m->update->case_id == 0)
            m->update->case_id = m->open->id;
        if ((rc = ch_sq_case_update_in(c, m->update, &m->new_version, err)))
            return rc;
    }
    int64_t case_id = 0, none = 0;
    int64_t contact_id = m->update && m->update->contact ? m->update->contact->id : 0;
    ch_store_mail_commit_refs(m, 0, &case_id, 0, &none, err);
    for (size_t i = 0; i < m->nattachments; i++) {
        ch_attachment *f = &m->attachments[i];
        int64_t *case_slot = f->person_id ? NULL : &f->case_id; /* a person's file stays theirs */
        if ((rc = ch_store_mail_commit_refs(m, f->case_id, case_slot, f->contact_id, &f->contact_id,
                                            err)) ||
            (rc = f->id ? link_attachment(c, f, err) : ch_sq_attachment_insert_in(c, f, err)))
            return rc;
    }
    for (size_t i = 0; i < m->nthread_ids; i++) {
        if (!m->thread_ids[i] || !*m->thread_ids[i])
            continue;
        if (!case_id)
            return ch_error_set(err, CH_E_INVALID, "message ids thread a case; there is none");
        sqlite3_stmt *st = ch_sq_stmt(c, thread, err);
        if (!st)
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, m->thread_ids[i]);
        sqlite3_bind_int64(st, 2, case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "threading a message to its case");
    }
    for (size_t i = 0; i < m->noutbox; i++) {
        ch_outbox_row *r = &m->outbox[i];
        if ((rc = ch_store_mail_commit_refs(m, r->case_id, &r->case_id, r->contact_id,
                                            &r->contact_id, err)) ||
            (rc = outbox_insert_in(c, r, err)))
            return rc;
    }
    for (size_t i = 0; i < m->nnotify; i++) {
        ch_notification *n = &m->notify[i];
        bool duplicate;
        if (!n->case_id)
            n->case_id = case_id;
        if ((rc = notification_insert_in(c, n, &duplicate, err)))
            return rc;
        if (duplicate)
            n->id = 0; /* warned of already: nothing new was stored */
    }
    if (m->mail_in_id) {
        sqlite3_stmt *st = ch_sq_stmt(c, filed, err);
        if (!st)
            return CH_E_STORE;
        ch_sq_bind_id(st, 1, case_id);
        ch_sq_bind_id(st, 2, contact_id);
        ch_sq_bind_text(st, 3, m->mail_in_error);
        sqlite3_bind_int64(st, 4, m->mail_in_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "filing an inbound message");
    }
    return CH_OK;
}

int ch_sq_mail_commit(ch_store *base, ch_mail_commit *c, ch_error *err)
{
    return ch_sq_write((sq *)base, commit_fn, c, err);
}

int ch_sq_outbox_insert_in(sq_conn *c, ch_outbox_row *r, ch_error *err)
{
    return outbox_insert_in(c, r, err);
}
