/* The SQLite backend of the store: WAL mode with synchronous=FULL, so a
 * commit that returned is on disk before the caller answers. Reads share
 * one connection; writes are grouped into commits by the writer thread
 * (conn.c). Every statement is prepared with bound parameters. */
#include "store/sqlite/internal.h"
#include "store/sqlite/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- users and credentials ---- */

typedef struct user_insert_arg {
    const ch_user *user;
    int64_t *id;
} user_insert_arg;

static int user_insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    user_insert_arg *a = arg;
    const ch_user *u = a->user;
    static const char ins[] = "INSERT INTO users(email, name, role, password_hash, created_at)"
                              " VALUES(?, ?, ?, ?, strftime('%s','now'))";
    static const char svc[] = "INSERT INTO user_services(user_id, service) VALUES(?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, ins, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, u->email);
    ch_sq_bind_text(st, 2, u->name);
    ch_sq_bind_text(st, 3, ch_role_name(u->role));
    ch_sq_bind_text(st, 4, u->password_hash);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_CONFLICT, "a user with email %s already exists", u->email);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding a user");
    *a->id = sqlite3_last_insert_rowid(c->db);
    for (size_t i = 0; i < u->nservices; i++) {
        if (!(st = ch_sq_stmt(c, svc, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, *a->id);
        ch_sq_bind_text(st, 2, u->services[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "adding a user's services");
    }
    return CH_OK;
}

static int sq_user_insert(ch_store *base, const ch_user *u, int64_t *id, ch_error *err)
{
    user_insert_arg a = {u, id};
    return ch_sq_write((sq *)base, user_insert_fn, &a, err);
}

static int user_read(sq_conn *c, const char *email, int64_t id, ch_arena *a, ch_user *out,
                     ch_error *err)
{
    static const char by_email[] =
        "SELECT id, email, name, role, password_hash FROM users WHERE email = ?";
    static const char by_id[] =
        "SELECT id, email, name, role, password_hash FROM users WHERE id = ?";
    static const char svc[] =
        "SELECT service FROM user_services WHERE user_id = ? ORDER BY service";
    sqlite3_stmt *st = ch_sq_stmt(c, email ? by_email : by_id, err);
    if (!st)
        return CH_E_STORE;
    if (email)
        ch_sq_bind_text(st, 1, email);
    else
        sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "no such user");
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "reading a user");
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->email = ch_sq_text(a, st, 1);
    out->name = ch_sq_text(a, st, 2);
    const char *role = (const char *)sqlite3_column_text(st, 3);
    if (!role || ch_role_parse(role, &out->role))
        out->role = CH_ROLE_OFFICER;
    out->password_hash = ch_sq_text(a, st, 4);
    if (!(st = ch_sq_stmt(c, svc, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, out->id);
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nservices == cap) {
            cap = cap ? cap * 2 : 8;
            out->services = ch_arena_grow(a, out->services, out->nservices, cap, sizeof(char *));
            if (!out->services)
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
        }
        out->services[out->nservices++] = ch_sq_text(a, st, 0);
    }
    return step == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "reading a user's services");
}

static int sq_user_get(ch_store *base, const char *email, int64_t id, ch_arena *a, ch_user *out,
                       ch_error *err)
{
    sq *s = (sq *)base;
    sq_conn *c = ch_sq_reader(s);
    int rc = user_read(c, email, id, a, out, err);
    ch_sq_unlock(c);
    return rc;
}

static int sq_user_count(ch_store *base, int64_t *count, ch_error *err)
{
    sq *s = (sq *)base;
    static const char sql[] = "SELECT count(*) FROM users";
    int rc = CH_OK;
    sq_conn *c = ch_sq_reader(s);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        rc = CH_E_STORE;
    else if (sqlite3_step(st) != SQLITE_ROW)
        rc = ch_sq_error(c, err, "counting users");
    else
        *count = sqlite3_column_int64(st, 0);
    ch_sq_unlock(c);
    return rc;
}

static void split_services(ch_arena *a, char *services, ch_user *u)
{
    size_t n = 1;
    for (const char *q = services; q && *q; q++)
        n += *q == '\n';
    if (!services || !*services || !(u->services = ch_arena_alloc(a, n * sizeof(char *))))
        return;
    for (char *q = services, *nl; q; q = nl ? nl + 1 : NULL) {
        if ((nl = strchr(q, '\n')))
            *nl = '\0';
        u->services[u->nservices++] = q;
    }
}

static int sq_user_list(ch_store *base, ch_arena *a, ch_user **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT id, email, name, role, (SELECT group_concat(service, char(10)) FROM"
        " (SELECT service FROM user_services WHERE user_id = users.id ORDER BY service))"
        " FROM users ORDER BY email";
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_user *list = NULL;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(list = ch_arena_grow(a, list, count, cap, sizeof(*list)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_user *u = &list[count++];
        memset(u, 0, sizeof(*u));
        u->id = sqlite3_column_int64(st, 0);
        u->email = ch_sq_text(a, st, 1);
        u->name = ch_sq_text(a, st, 2);
        const char *role = (const char *)sqlite3_column_text(st, 3);
        if (!role || ch_role_parse(role, &u->role))
            u->role = CH_ROLE_OFFICER;
        split_services(a, (char *)ch_sq_text(a, st, 4), u);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing users");
        goto out;
    }
    *out = list;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct credential_arg {
    int64_t user_id;
    const uint8_t *hash;
    const char *kind, *csrf;
    ch_time expires;
} credential_arg;

static int credential_fn(sq_conn *c, void *arg, ch_error *err)
{
    credential_arg *a = arg;
    static const char sql[] = "INSERT INTO credentials(hash, user_id, kind, csrf, expires_at,"
                              " created_at) VALUES(?, ?, ?, ?, ?, strftime('%s','now'))";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_blob(st, 1, a->hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->user_id);
    ch_sq_bind_text(st, 3, a->kind);
    ch_sq_bind_text(st, 4, a->csrf);
    ch_sq_bind_id(st, 5, a->expires);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "saving a credential");
}

static int sq_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], ch_error *err)
{
    credential_arg a = {user_id, hash, "token", NULL, 0};
    return ch_sq_write((sq *)base, credential_fn, &a, err);
}

static int sq_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32],
                             const char *csrf, ch_time expires, ch_error *err)
{
    credential_arg a = {user_id, hash, "session", csrf, expires};
    return ch_sq_write((sq *)base, credential_fn, &a, err);
}

static int sq_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                              ch_user *user, const char **csrf, ch_error *err)
{
    sq *s = (sq *)base;
    /* One statement for the credential, its user and their services: this
     * runs for every request. */
    static const char sql[] =
        "SELECT u.id, u.email, u.name, u.role, c.csrf,"
        " (SELECT group_concat(service, char(10)) FROM user_services WHERE user_id = u.id)"
        " FROM credentials c JOIN users u ON u.id = c.user_id"
        " WHERE c.hash = ? AND (c.expires_at IS NULL OR c.expires_at > ?)";
    int rc = CH_OK;
    sq_conn *c = ch_sq_reader(s);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "no such credential");
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "checking a credential");
        goto out;
    }
    memset(user, 0, sizeof(*user));
    user->id = sqlite3_column_int64(st, 0);
    user->email = ch_sq_text(a, st, 1);
    user->name = ch_sq_text(a, st, 2);
    const char *role = (const char *)sqlite3_column_text(st, 3);
    if (!role || ch_role_parse(role, &user->role))
        user->role = CH_ROLE_OFFICER;
    if (csrf)
        *csrf = ch_sq_text(a, st, 4);
    char *services = (char *)ch_sq_text(a, st, 5);
    size_t n = 0;
    for (const char *p = services; p && *p; p++)
        n += *p == '\n';
    if (services && *services) {
        user->services = ch_arena_alloc(a, (n + 1) * sizeof(char *));
        if (!user->services) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        for (char *p = services, *nl; p; p = nl ? nl + 1 : NULL) {
            nl = strchr(p, '\n');
            if (nl)
                *nl = '\0';
            user->services[user->nservices++] = p;
        }
    }
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct policy_arg {
    const char *policy_id, *text;
    ch_time now;
    int64_t *version;
} policy_arg;

static int policy_fn(sq_conn *c, void *arg, ch_error *err)
{
    policy_arg *a = arg;
    static const char last[] = "SELECT version, text FROM policies WHERE policy_id = ?"
                               " ORDER BY version DESC LIMIT 1";
    static const char ins[] =
        "INSERT INTO policies(policy_id, version, text, saved_at) VALUES(?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, last, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, a->policy_id);
    *a->version = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *a->version = sqlite3_column_int64(st, 0);
        const char *old = (const char *)sqlite3_column_text(st, 1);
        if (old && strcmp(old, a->text) == 0)
            return CH_OK; /* unchanged: no new version */
    }
    if (!(st = ch_sq_stmt(c, ins, err)))
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, a->policy_id);
    sqlite3_bind_int64(st, 2, ++*a->version);
    ch_sq_bind_text(st, 3, a->text);
    sqlite3_bind_int64(st, 4, a->now);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "saving a policy");
}

static int sq_policy_save(ch_store *base, const char *policy_id, const char *text, ch_time now,
                          int64_t *version, ch_error *err)
{
    policy_arg a = {policy_id, text, now, version};
    return ch_sq_write((sq *)base, policy_fn, &a, err);
}

static void conn_close(sq_conn *c)
{
    for (int i = 0; i < CH_SQ_CACHE; i++)
        if (c->cache[i].st)
            sqlite3_finalize(c->cache[i].st);
    for (size_t i = 0; i < sizeof(c->built) / sizeof(c->built[0]); i++) {
        if (c->built[i].st)
            sqlite3_finalize(c->built[i].st);
        free(c->built[i].sql);
    }
    if (c->db)
        sqlite3_close(c->db);
    pthread_mutex_destroy(&c->mu);
}

static void sq_close(ch_store *base)
{
    sq *s = (sq *)base;
    ch_sq_writer_stop(s);
    for (int i = 0; i < CH_SQ_READERS; i++)
        conn_close(&s->r[i]);
    conn_close(&s->w);
    free(s);
}

static const ch_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_count = sq_user_count,
    .user_list = sq_user_list,
    .token_insert = sq_token_insert,
    .session_insert = sq_session_insert,
    .credential_user = sq_credential_user,
    .policy_save = sq_policy_save,
    .case_insert = ch_sq_case_insert,
    .case_get = ch_sq_case_get,
    .case_update = ch_sq_case_update,
    .queue = ch_sq_queue,
    .breach_sweep = ch_sq_breach_sweep,
    .case_list = ch_sq_case_list,
    .search = ch_sq_search,
    .report_rows = ch_sq_report_rows,
    .person_insert = ch_sq_person_insert,
    .person_get = ch_sq_person_get,
    .organisation_insert = ch_sq_organisation_insert,
    .organisation_get = ch_sq_organisation_get,
    .cases_of = ch_sq_cases_of,
    .table_count = ch_sq_table_count,
    .table_each = ch_sq_table_each,
    .audit_insert = ch_sq_audit_insert,
    .audit_list = ch_sq_audit_list,
    .contract_insert = ch_sq_contract_insert,
    .contract_get = ch_sq_contract_get,
    .contract_list = ch_sq_contract_list,
    .contract_update = ch_sq_contract_update,
    .ledger_list = ch_sq_ledger_list,
    .ledger_append = ch_sq_ledger_append,
    .visit_insert = ch_sq_visit_insert,
    .visit_get = ch_sq_visit_get,
    .visit_list = ch_sq_visit_list,
    .visit_change = ch_sq_visit_change,
    .statement_sent = ch_sq_statement_sent,
    .statements_sent = ch_sq_statements_sent,
};

static int migrate(sq_conn *c, ch_error *err)
{
    int rc =
        ch_sq_exec(c, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err);
    if (rc)
        return rc;
    int64_t have = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT max(version) FROM schema_version", -1, &st, NULL))
        return ch_sq_error(c, err, "reading the schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    int64_t want = (int64_t)(sizeof(ch_sqlite_migrations) / sizeof(*ch_sqlite_migrations));
    if (have > want)
        return ch_error_set(err, CH_E_STORE,
                            "the database is at schema version %lld, newer than this charter "
                            "(%lld); upgrade charter",
                            (long long)have, (long long)want);
    for (int64_t v = have + 1; v <= want; v++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES(%lld)", (long long)v);
        if ((rc = ch_sq_exec(c, "BEGIN IMMEDIATE", err)))
            return rc;
        if ((rc = ch_sq_exec(c, ch_sqlite_migrations[v - 1], err)) ||
            (rc = ch_sq_exec(c, sql, err)) || (rc = ch_sq_exec(c, "COMMIT", err))) {
            sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
            return rc;
        }
    }
    return CH_OK;
}

/* CHARTER_SQL_TRACE=1 prints each statement run and its time on stderr. */
static int trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type == SQLITE_TRACE_PROFILE) {
        char *sql = sqlite3_expanded_sql(p);
        fprintf(stderr, "sql %.3f ms: %s\n", (double)*(sqlite3_int64 *)x / 1e6, sql ? sql : "?");
        sqlite3_free(sql);
    }
    return 0;
}

static int conn_open(sq_conn *c, const char *path, ch_error *err)
{
    if (sqlite3_open_v2(path, &c->db,
                        /* Each connection is used under our own lock (one thread at a
                           time), so SQLite's per-call mutex would only add cost. */
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return ch_error_set(err, CH_E_STORE, "cannot open the database %s: %s", path,
                            c->db ? sqlite3_errmsg(c->db) : "out of memory");
    sqlite3_busy_timeout(c->db, 5000);
    const char *t = getenv("CHARTER_SQL_TRACE");
    if (t && *t == '1')
        sqlite3_trace_v2(c->db, SQLITE_TRACE_PROFILE, trace, NULL);
    /* WAL for concurrent readers; FULL so each commit is fsynced. */
    return ch_sq_exec(c,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                      "PRAGMA foreign_keys=ON",
                      err);
}

int ch_store_sqlite_open(ch_store **out, const char *path, ch_error *err)
{
    sq *s = calloc(1, sizeof(*s));
    int rc;
    if (!s)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    s->base.ops = &sqlite_ops;
    pthread_mutex_init(&s->w.mu, NULL);
    for (int i = 0; i < CH_SQ_READERS; i++)
        pthread_mutex_init(&s->r[i].mu, NULL);
    if ((rc = conn_open(&s->w, path, err)) || (rc = migrate(&s->w, err)))
        goto fail;
    for (int i = 0; i < CH_SQ_READERS; i++)
        if ((rc = conn_open(&s->r[i], path, err)))
            goto fail;
    if ((rc = ch_sq_writer_start(s, err)))
        goto fail;
    *out = &s->base;
    return CH_OK;
fail:
    sq_close(&s->base);
    return rc;
}
