/* Mail in the PostgreSQL backend: inbound messages (committed before the
 * call returns, deduplicated by a unique index however many mailgates run
 * at once), threads, the outbox (claimed FOR UPDATE SKIP LOCKED, so
 * several servers' workers never send one message twice), notifications,
 * and the one transaction that files a message with everything it does. */
#include "store/postgres/internal.h"

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

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs a fixed statement (or built SQL) on c; the result in *out (cleared
 * when out is NULL), also on failure so the SQLSTATE can be read. */
static int run_as(pg_conn *c, bool built, const char *sql, const pg_params *p, const char *doing,
                  PGresult **out, ch_error *err)
{
    PGresult *res =
        built ? ch_pg_run_built(c, sql, p, err, doing) : ch_pg_run(c, sql, p, err, doing);
    int rc = ok(res) ? CH_OK : (err->code ? err->code : CH_E_STORE);
    if (out)
        *out = res;
    else
        PQclear(res);
    return rc;
}

static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    return run_as(c, false, sql, p, doing, out, err);
}

/* A foreign key that does not hold is the caller's mistake (no such case,
 * contact, user or obligation), not the database failing. */
static int write_error(int rc, const PGresult *res, const char *doing, ch_error *err)
{
    if (ch_pg_violation(res, "23503"))
        return ch_error_set(err, CH_E_INVALID,
                            "%s names a case, contact, user or obligation that does not exist",
                            doing);
    return rc;
}

/* Ends the transaction begun on c: COMMIT when rc is 0, else ROLLBACK. */
static int finish(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_OK)
        return ch_pg_exec(c, "COMMIT", err);
    ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    return rc;
}

/* bytea column col of row as bytes in a (NUL-terminated); NULL when out
 * of memory. */
static const unsigned char *bytea_copy(ch_arena *a, const PGresult *res, int row, int col,
                                       size_t *len)
{
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, col), &n);
    unsigned char *out = raw ? ch_arena_alloc(a, n + 1) : NULL;
    if (out && n)
        memcpy(out, raw, n);
    PQfreemem(raw);
    *len = n;
    return out;
}

static int read_mail_in(ch_arena *a, const PGresult *res, int i, bool with_raw, ch_mail_in *m,
                        ch_error *err)
{
    memset(m, 0, sizeof(*m));
    m->id = ch_pg_get_int(res, i, 0);
    m->service = ch_pg_get_text(a, res, i, 1);
    m->message_id = ch_pg_get_text(a, res, i, 2);
    m->received_at = ch_pg_get_int(res, i, 3);
    m->state = ch_pg_get_text(a, res, i, 4);
    m->case_id = ch_pg_get_int(res, i, 5);
    m->contact_id = ch_pg_get_int(res, i, 6);
    m->error = ch_pg_get_text(a, res, i, 7);
    m->len = (size_t)ch_pg_get_int(res, i, 8);
    if (with_raw && !(m->raw = bytea_copy(a, res, i, 9, &m->len)))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    return CH_OK;
}

static int read_outbox(ch_arena *a, const PGresult *res, int i, bool with_raw, ch_outbox_row *r,
                       ch_error *err)
{
    memset(r, 0, sizeof(*r));
    r->id = ch_pg_get_int(res, i, 0);
    r->service = ch_pg_get_text(a, res, i, 1);
    r->case_id = ch_pg_get_int(res, i, 2);
    r->contact_id = ch_pg_get_int(res, i, 3);
    r->user_id = ch_pg_get_int(res, i, 4);
    r->purpose = ch_pg_get_text(a, res, i, 5);
    r->mail_from = ch_pg_get_text(a, res, i, 6);
    r->rcpts = ch_pg_get_text(a, res, i, 7);
    r->message_id = ch_pg_get_text(a, res, i, 8);
    r->require_tls = ch_pg_get_int(res, i, 9) != 0;
    r->state = ch_pg_get_text(a, res, i, 10);
    r->attempts = (int)ch_pg_get_int(res, i, 11);
    r->created_at = ch_pg_get_int(res, i, 12);
    r->next_attempt_at = ch_pg_get_int(res, i, 13);
    r->sent_at = ch_pg_get_int(res, i, 14);
    r->last_error = ch_pg_get_text(a, res, i, 15);
    r->len = (size_t)ch_pg_get_int(res, i, 16);
    if (with_raw && !(r->raw = bytea_copy(a, res, i, 17, &r->len)))
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    return CH_OK;
}

static int outbox_rows(ch_arena *a, const PGresult *res, bool with_raw, ch_outbox_row **out,
                       size_t *n, ch_error *err)
{
    int rows = PQntuples(res), rc;
    ch_outbox_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; i < rows; i++)
        if ((rc = read_outbox(a, res, i, with_raw, &list[i], err)))
            return rc;
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

static int notification_rows(ch_arena *a, const PGresult *res, ch_notification **out, size_t *n,
                             ch_error *err)
{
    int rows = PQntuples(res);
    ch_notification *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; i < rows; i++) {
        ch_notification *k = &list[i];
        k->id = ch_pg_get_int(res, i, 0);
        k->user_id = ch_pg_get_int(res, i, 1);
        k->case_id = ch_pg_get_int(res, i, 2);
        k->obligation_id = ch_pg_get_int(res, i, 3);
        k->kind = ch_pg_get_text(a, res, i, 4);
        k->text = ch_pg_get_text(a, res, i, 5);
        k->created_at = ch_pg_get_int(res, i, 6);
        k->read_at = ch_pg_get_int(res, i, 7);
        k->emailed_at = ch_pg_get_int(res, i, 8);
    }
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

/* ---- inbound messages ---- */

int ch_pg_mail_in_insert(ch_store *base, ch_mail_in *m, bool *duplicate, ch_error *err)
{
    /* The unique index decides between mailgates racing with one message:
     * the second waits for the first to commit, then takes nothing. */
    static const char ins[] =
        "INSERT INTO mail_in(service, message_id, raw, received_at, state)"
        " VALUES($1, $2, $3::bytea, $4, 'received') ON CONFLICT DO NOTHING RETURNING id";
    static const char find[] = "SELECT id FROM mail_in WHERE coalesce(service, '') ="
                               " coalesce($1::text, '') AND message_id = $2";
    char *hex = ch_pg_bytea_hex(m->raw, m->len);
    PGresult *res = NULL;
    if (!hex)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    pg_params p = {0};
    ch_pg_text(&p, m->service);
    ch_pg_text(&p, m->message_id);
    ch_pg_text(&p, hex);
    ch_pg_int(&p, m->received_at);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, ins, &p, "storing an inbound message", &res, err);
    free(hex);
    if (rc)
        goto out;
    if (PQntuples(res) == 1) {
        m->id = ch_pg_get_int(res, 0, 0);
        m->state = "received";
        goto out;
    }
    PQclear(res);
    pg_params q = {0};
    ch_pg_text(&q, m->service);
    ch_pg_text(&q, m->message_id);
    if ((rc = run(c, find, &q, "looking for a message already received", &res, err)))
        goto out;
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_STORE, "an inbound message was neither stored nor found");
        goto out;
    }
    m->id = ch_pg_get_int(res, 0, 0);
    *duplicate = true;
out:
    PQclear(res);
    ch_pg_release(c);
    return rc;
}

int ch_pg_mail_in_get(ch_store *base, int64_t id, ch_arena *a, ch_mail_in *out, ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS ", raw FROM mail_in WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading an inbound message", &res, err);
    ch_pg_release(c);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no inbound message %lld", (long long)id);
    if (!rc)
        rc = read_mail_in(a, res, 0, true, out, err);
    PQclear(res);
    return rc;
}

/* The rows sql (with its parameters p) reads, with raw when with_raw. */
static int mail_in_rows(ch_store *base, const char *sql, pg_params *p, bool with_raw, ch_arena *a,
                        ch_mail_in **out, size_t *n, ch_error *err)
{
    PGresult *res = NULL;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, p, "listing inbound messages", &res, err);
    ch_pg_release(c);
    if (rc)
        goto out;
    int rows = PQntuples(res);
    ch_mail_in *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++)
        if ((rc = read_mail_in(a, res, i, with_raw, &list[i], err)))
            goto out;
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

int ch_pg_mail_in_pending(ch_store *base, size_t limit, ch_arena *a, ch_mail_in **out, size_t *n,
                          ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS ", raw FROM mail_in"
                              " WHERE state = 'received' ORDER BY id LIMIT $1";
    pg_params p = {0};
    ch_pg_int(&p, (int64_t)limit);
    return mail_in_rows(base, sql, &p, true, a, out, n, err);
}

int ch_pg_mail_in_of_case(ch_store *base, int64_t case_id, size_t limit, ch_arena *a,
                          ch_mail_in **out, size_t *n, ch_error *err)
{
    static const char sql[] = "SELECT " MAIL_IN_COLUMNS " FROM mail_in"
                              " WHERE case_id = $1 ORDER BY id DESC LIMIT $2";
    pg_params p = {0};
    ch_pg_int(&p, case_id);
    ch_pg_int(&p, (int64_t)limit);
    return mail_in_rows(base, sql, &p, false, a, out, n, err);
}

int ch_pg_mail_thread_case(ch_store *base, const char *const *ids, size_t n, int64_t *case_id,
                           ch_error *err)
{
    static const char sql[] = "SELECT case_id FROM mail_threads WHERE message_id = $1";
    int rc = CH_OK;
    pg_conn *c = ch_pg_acquire((pg *)base);
    for (size_t i = 0; i < n && !*case_id && !rc; i++) {
        if (!ids[i] || !*ids[i])
            continue;
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_text(&p, ids[i]);
        if (!(rc = run(c, sql, &p, "finding a message's case", &res, err)) && PQntuples(res))
            *case_id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    ch_pg_release(c);
    return rc;
}

/* ---- the outbox ---- */

/* Queues r on c (inside a transaction), with a row per recipient for the
 * rate count; sets its id, state and times. */
static int outbox_insert_in(pg_conn *c, ch_outbox_row *r, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO outbox(service, case_id, contact_id, user_id, purpose, mail_from, rcpts,"
        " message_id, raw, require_tls, state, attempts, created_at, next_attempt_at)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9::bytea, $10, 'queued', 0, $11, $12)"
        " RETURNING id";
    static const char rcpt[] = "INSERT INTO outbox_rcpts(outbox_id, rcpt) VALUES($1, $2)"
                               " ON CONFLICT DO NOTHING";
    ch_arena scratch = {0};
    char **addrs, *hex = NULL;
    size_t naddrs;
    PGresult *res = NULL;
    int rc = ch_store_rcpts_split(&scratch, r->rcpts, &addrs, &naddrs, err);
    if (rc)
        goto out;
    if (!(hex = ch_pg_bytea_hex(r->raw, r->len))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if (!r->created_at)
        r->created_at = (ch_time)time(NULL);
    if (!r->next_attempt_at)
        r->next_attempt_at = r->created_at;
    pg_params p = {0};
    ch_pg_text(&p, r->service);
    ch_pg_id(&p, r->case_id);
    ch_pg_id(&p, r->contact_id);
    ch_pg_id(&p, r->user_id);
    ch_pg_text(&p, r->purpose);
    ch_pg_text(&p, r->mail_from);
    ch_pg_text(&p, r->rcpts);
    ch_pg_text(&p, r->message_id);
    ch_pg_text(&p, hex);
    ch_pg_int(&p, r->require_tls ? 1 : 0);
    ch_pg_int(&p, r->created_at);
    ch_pg_int(&p, r->next_attempt_at);
    if ((rc = run(c, ins, &p, "queueing a message", &res, err))) {
        rc = write_error(rc, res, "queueing a message", err);
        goto out;
    }
    r->id = ch_pg_get_int(res, 0, 0);
    r->state = "queued";
    r->attempts = 0;
    r->sent_at = 0;
    for (size_t i = 0; i < naddrs && !rc; i++) {
        pg_params q = {0};
        ch_pg_int(&q, r->id);
        ch_pg_text(&q, addrs[i]);
        rc = run(c, rcpt, &q, "noting a message's recipients", NULL, err);
    }
out:
    PQclear(res);
    free(hex);
    ch_arena_free(&scratch);
    return rc;
}

int ch_pg_outbox_insert(ch_store *base, ch_outbox_row *rows, size_t n, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc) {
        for (size_t i = 0; i < n && !rc; i++)
            rc = outbox_insert_in(c, &rows[i], err);
        rc = finish(c, rc, err);
    }
    ch_pg_release(c);
    return rc;
}

int ch_pg_outbox_claim(ch_store *base, ch_time now, ch_time lease_until, size_t limit, ch_arena *a,
                       ch_outbox_row **out, size_t *n, ch_error *err)
{
    /* One statement: rows another worker holds are skipped, not waited
     * for, and those taken move past the lease as they are taken. */
    static const char sql[] =
        "WITH due AS (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $1"
        "  ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED),"
        " taken AS (UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2"
        "  WHERE id IN (SELECT id FROM due) RETURNING " OUTBOX_COLUMNS ", raw)"
        " SELECT * FROM taken ORDER BY id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, now);
    ch_pg_int(&p, lease_until);
    ch_pg_int(&p, (int64_t)limit);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "claiming messages to send", &res, err);
    ch_pg_release(c);
    if (!rc)
        rc = outbox_rows(a, res, true, out, n, err);
    PQclear(res);
    return rc;
}

int ch_pg_outbox_result(ch_store *base, int64_t id, const char *state, ch_time at,
                        const char *error, ch_time next_attempt_at, ch_error *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = $1::text, last_error = $2,"
        " sent_at = CASE WHEN $1::text = 'sent' THEN $3::bigint ELSE sent_at END,"
        " next_attempt_at = CASE WHEN $1::text = 'queued' THEN $4::bigint"
        " ELSE next_attempt_at END WHERE id = $5";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, state);
    ch_pg_text(&p, error);
    ch_pg_int(&p, at);
    ch_pg_int(&p, next_attempt_at);
    ch_pg_int(&p, id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "recording what became of a message", &res, err);
    ch_pg_release(c);
    if (!rc && strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no outbox message %lld", (long long)id);
    PQclear(res);
    return rc;
}

/* The filter's SQL (the page, or count) into sql with its parameters in p. */
static int outbox_sql(const ch_outbox_filter *f, bool count, ch_arena *a, char *sql, size_t size,
                      pg_params *p, ch_error *err)
{
    if (f->services && f->nservices > MAX_SERVICES)
        return ch_error_set(err, CH_E_INVALID, "at most %d services at once", MAX_SERVICES);
    size_t used = (size_t)snprintf(sql, size, "SELECT %s FROM outbox WHERE true",
                                   count ? "count(*)" : OUTBOX_COLUMNS);
#define ADD(...) used += (size_t)snprintf(sql + used, used < size ? size - used : 0, __VA_ARGS__)
    if (f->case_id) {
        ch_pg_int(p, f->case_id);
        ADD(" AND case_id = $%d", p->n);
    }
    if (f->state) {
        ch_pg_text(p, f->state);
        ADD(" AND state = $%d", p->n);
    }
    if (f->purpose) {
        ch_pg_text(p, f->purpose);
        ADD(" AND purpose = $%d", p->n);
    }
    if (f->rcpt) {
        char **addrs;
        size_t naddrs;
        int rc = ch_store_rcpts_split(a, f->rcpt, &addrs, &naddrs, err);
        if (rc)
            return rc;
        ch_pg_text(p, addrs[0]);
        ADD(" AND id IN (SELECT outbox_id FROM outbox_rcpts WHERE rcpt = $%d)", p->n);
    }
    if (f->since) {
        ch_pg_int(p, f->since);
        ADD(" AND created_at >= $%d", p->n);
    }
    if (f->services) {
        ch_pg_in_list(sql, size, &used, "service", p->n + 1, f->nservices);
        for (size_t i = 0; i < f->nservices; i++)
            ch_pg_text(p, f->services[i]);
    }
    if (!count) {
        ch_pg_int(p, (int64_t)f->limit);
        ADD(" ORDER BY id DESC LIMIT $%d", p->n);
    }
#undef ADD
    return used < size ? CH_OK : ch_error_set(err, CH_E_INVALID, "the outbox filter is too long");
}

int ch_pg_outbox_list(ch_store *base, const ch_outbox_filter *f, ch_arena *a, ch_outbox_row **out,
                      size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    PGresult *res = NULL;
    int rc = outbox_sql(f, false, a, sql, sizeof(sql), &p, err);
    if (rc)
        return rc;
    pg_conn *c = ch_pg_acquire((pg *)base);
    rc = run_as(c, true, sql, &p, "listing the outbox", &res, err);
    ch_pg_release(c);
    if (!rc)
        rc = outbox_rows(a, res, false, out, n, err);
    PQclear(res);
    return rc;
}

int ch_pg_outbox_count(ch_store *base, const ch_outbox_filter *f, int64_t *count, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    PGresult *res = NULL;
    ch_arena scratch = {0};
    int rc = outbox_sql(f, true, &scratch, sql, sizeof(sql), &p, err);
    if (!rc) {
        pg_conn *c = ch_pg_acquire((pg *)base);
        rc = run_as(c, true, sql, &p, "counting the outbox", &res, err);
        ch_pg_release(c);
    }
    if (!rc)
        *count = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    ch_arena_free(&scratch);
    return rc;
}

int ch_pg_outbox_by_message_id(ch_store *base, const char *message_id, ch_arena *a,
                               ch_outbox_row *out, ch_error *err)
{
    static const char sql[] =
        "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE message_id = $1 ORDER BY id LIMIT 1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, message_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "finding a message sent", &res, err);
    ch_pg_release(c);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "we sent no message with Message-ID <%.200s>",
                          message_id);
    if (!rc)
        rc = read_outbox(a, res, 0, false, out, err);
    PQclear(res);
    return rc;
}

/* ---- notifications ---- */

/* Stores n on c; a second warning about one obligation is not stored:
 * *duplicate is set and n->id is the first's. */
static int notification_insert_in(pg_conn *c, ch_notification *n, bool *duplicate, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO notifications(user_id, case_id, obligation_id, kind, text, created_at)"
        " VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id";
    static const char first[] =
        "SELECT id FROM notifications WHERE obligation_id = $1 AND kind = 'warning'";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, n->user_id);
    ch_pg_id(&p, n->case_id);
    ch_pg_id(&p, n->obligation_id);
    ch_pg_text(&p, n->kind);
    ch_pg_text(&p, n->text);
    ch_pg_int(&p, n->created_at);
    int rc = run(c, ins, &p, "storing a notification", &res, err);
    if (rc) {
        rc = write_error(rc, res, "a notification", err);
        PQclear(res);
        return rc;
    }
    *duplicate = PQntuples(res) == 0;
    n->id = *duplicate ? 0 : ch_pg_get_int(res, 0, 0);
    PQclear(res);
    if (!*duplicate)
        return CH_OK;
    pg_params q = {0};
    ch_pg_id(&q, n->obligation_id);
    if ((rc = run(c, first, &q, "finding a warning already given", &res, err)) == CH_OK &&
        PQntuples(res))
        n->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int ch_pg_notification_insert(ch_store *base, ch_notification *n, bool *duplicate, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = notification_insert_in(c, n, duplicate, err);
    ch_pg_release(c);
    return rc;
}

int ch_pg_notification_list(ch_store *base, int64_t user_id, bool unread_only, size_t limit,
                            ch_arena *a, ch_notification **out, size_t *n, ch_error *err)
{
    static const char all[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
                              " WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2";
    static const char unread[] =
        "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
        " WHERE user_id = $1 AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, user_id);
    ch_pg_int(&p, (int64_t)limit);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, unread_only ? unread : all, &p, "reading notifications", &res, err);
    ch_pg_release(c);
    if (!rc)
        rc = notification_rows(a, res, out, n, err);
    PQclear(res);
    return rc;
}

int ch_pg_notification_unread(ch_store *base, int64_t user_id, int64_t *count, ch_error *err)
{
    static const char sql[] =
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, user_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "counting unread notifications", &res, err);
    ch_pg_release(c);
    if (!rc)
        *count = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int ch_pg_notification_read(ch_store *base, int64_t user_id, int64_t id, ch_time at, ch_error *err)
{
    static const char one[] = "UPDATE notifications SET read_at = coalesce(read_at, $1)"
                              " WHERE id = $2 AND user_id = $3";
    static const char all[] =
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, at);
    if (id)
        ch_pg_int(&p, id);
    ch_pg_int(&p, user_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, id ? one : all, &p, "marking notifications read", &res, err);
    ch_pg_release(c);
    if (!rc && id && strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "you have no notification %lld", (long long)id);
    PQclear(res);
    return rc;
}

int ch_pg_notification_unemailed(ch_store *base, int64_t user_id, size_t limit, ch_arena *a,
                                 ch_notification **out, size_t *n, ch_error *err)
{
    static const char all[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
                              " WHERE emailed_at IS NULL ORDER BY created_at, id LIMIT $1";
    static const char one[] =
        "SELECT " NOTIFICATION_COLUMNS " FROM notifications"
        " WHERE emailed_at IS NULL AND user_id = $2 ORDER BY created_at, id LIMIT $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, (int64_t)limit);
    if (user_id)
        ch_pg_int(&p, user_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, user_id ? one : all, &p, "reading notifications to email", &res, err);
    ch_pg_release(c);
    if (!rc)
        rc = notification_rows(a, res, out, n, err);
    PQclear(res);
    return rc;
}

int ch_pg_notification_emailed(ch_store *base, const int64_t *ids, size_t n, ch_time at,
                               ch_outbox_row *outbox, ch_error *err)
{
    /* A worker on another server emailing the same ones waits on the row
     * locks, then finds them emailed and queues nothing. */
    static const char sql[] =
        "UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND emailed_at IS NULL";
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    for (size_t i = 0; i < n && !rc; i++) {
        pg_params p = {0};
        PGresult *res = NULL;
        ch_pg_int(&p, at);
        ch_pg_int(&p, ids[i]);
        rc = run(c, sql, &p, "marking notifications emailed", &res, err);
        if (!rc && strcmp(PQcmdTuples(res), "0") == 0)
            rc = ch_error_set(err, CH_E_CONFLICT,
                              "notification %lld was already emailed or does not exist",
                              (long long)ids[i]);
        PQclear(res);
    }
    if (!rc && outbox)
        rc = outbox_insert_in(c, outbox, err);
    rc = finish(c, rc, err);
out:
    ch_pg_release(c);
    return rc;
}

int ch_pg_due_soon(ch_store *base, ch_time from, ch_time to, size_t limit, ch_arena *a,
                   ch_due_soon **out, size_t *n, ch_error *err)
{
    /* A paused case's clocks stand still, so only open cases are warned of. */
    static const char sql[] =
        "SELECT o.id, o.case_id, c.officer_id, coalesce(o.service, c.service), o.promise,"
        " c.subject, o.due_at FROM obligations o JOIN cases c ON c.id = o.case_id"
        " WHERE o.state = 'pending' AND o.due_at >= $1 AND o.due_at < $2 AND c.status = 'open'"
        " ORDER BY o.due_at, o.id LIMIT $3";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    ch_pg_int(&p, (int64_t)limit);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "finding promises about to break", &res, err);
    ch_pg_release(c);
    if (rc)
        goto out;
    int rows = PQntuples(res);
    ch_due_soon *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        ch_due_soon *d = &list[i];
        d->obligation_id = ch_pg_get_int(res, i, 0);
        d->case_id = ch_pg_get_int(res, i, 1);
        d->officer_id = ch_pg_get_int(res, i, 2);
        d->service = ch_pg_get_text(a, res, i, 3);
        d->promise = ch_pg_get_text(a, res, i, 4);
        d->subject = ch_pg_get_text(a, res, i, 5);
        d->due_at = ch_pg_get_int(res, i, 6);
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

/* ---- filing a message with all it does ---- */

/* Takes inbound message id for filing, holding its row: of two servers
 * filing one message (a retry after a crash), the second waits, then finds
 * it filed and opens nothing. */
static int mail_in_take(pg_conn *c, int64_t id, const char *state, ch_error *err)
{
    static const char take[] = "UPDATE mail_in SET state = $1 WHERE id = $2 AND state = 'received'";
    static const char has[] = "SELECT state FROM mail_in WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, state);
    ch_pg_int(&p, id);
    int rc = run(c, take, &p, "filing an inbound message", &res, err);
    bool taken = !rc && strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (rc || taken)
        return rc;
    pg_params q = {0};
    ch_pg_int(&q, id);
    if ((rc = run(c, has, &q, "filing an inbound message", &res, err)) == CH_OK) {
        if (PQntuples(res) == 0)
            rc =
                ch_error_set(err, CH_E_NOTFOUND, "there is no inbound message %lld", (long long)id);
        else
            rc = ch_error_set(err, CH_E_CONFLICT, "inbound message %lld is already %s",
                              (long long)id, PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* A file already on the case goes with the commit's contact: linked, not
 * copied, so the case's files list it once. */
static int link_attachment(pg_conn *c, const ch_attachment *f, ch_error *err)
{
    static const char sql[] = "UPDATE attachments SET contact_id = $1"
                              " WHERE id = $2 AND case_id = $3 AND contact_id IS NULL";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, f->contact_id);
    ch_pg_int(&p, f->id);
    ch_pg_int(&p, f->case_id);
    int rc = run(c, sql, &p, "linking a file to its email", &res, err);
    if (!rc && strcmp(PQcmdTuples(res), "1") != 0)
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "file %lld is no longer on the case unsent; choose the files again",
                          (long long)f->id);
    PQclear(res);
    return rc;
}

static int commit_in(pg_conn *c, ch_mail_commit *m, ch_error *err)
{
    static const char thread[] = "INSERT INTO mail_threads(message_id, case_id) VALUES($1, $2)"
                                 " ON CONFLICT DO NOTHING";
    static const char filed[] =
        "UPDATE mail_in SET case_id = $1, contact_id = $2, error = $3 WHERE id = $4";
    int rc;
    if (m->mail_in_id && (rc = mail_in_take(c, m->mail_in_id, m->mail_in_state, err)))
        return rc;
    if (m->open && (rc = ch_pg_case_insert_in(c, m->open, err)))
        return rc;
    if (m->open)
        m->new_version = m->open->version;
    if (m->update) {
        if (m->update->case_id == 0)
            m->update->case_id = m->open->id;
        if ((rc = ch_pg_case_update_in(c, m->update, &m->new_version, err)))
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
            (rc = f->id ? link_attachment(c, f, err) : ch_pg_attachment_insert_in(c, f, err)))
            return rc;
    }
    for (size_t i = 0; i < m->nthread_ids; i++) {
        if (!m->thread_ids[i] || !*m->thread_ids[i])
            continue;
        if (!case_id)
            return ch_error_set(err, CH_E_INVALID, "message ids thread a case; there is none");
        pg_params p = {0};
        ch_pg_text(&p, m->thread_ids[i]);
        ch_pg_int(&p, case_id);
        if ((rc = run(c, thread, &p, "threading a message to its case", NULL, err)))
            return rc;
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
        pg_params p = {0};
        ch_pg_id(&p, case_id);
        ch_pg_id(&p, contact_id);
        ch_pg_text(&p, m->mail_in_error);
        ch_pg_int(&p, m->mail_in_id);
        if ((rc = run(c, filed, &p, "filing an inbound message", NULL, err)))
            return rc;
    }
    return CH_OK;
}

int ch_pg_mail_commit(ch_store *base, ch_mail_commit *m, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = finish(c, commit_in(c, m, err), err);
    ch_pg_release(c);
    return rc;
}

int ch_pg_outbox_insert_in(pg_conn *c, ch_outbox_row *r, ch_error *err)
{
    return outbox_insert_in(c, r, err);
}
