/* The SQLite backend of the store: one connection in WAL mode with
 * synchronous=FULL, so a commit that returned is on disk before the caller
 * answers. Every statement is prepared with bound parameters; the fixed ones
 * are prepared once and kept. One mutex serialises use of the connection. */
#include "store/sqlite/internal.h"
#include "store/sqlite/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ch_sq_error(sq *s, ch_error *err, const char *doing)
{
    return ch_error_set(err, CH_E_STORE, "the database failed while %s: %s", doing,
                        sqlite3_errmsg(s->db));
}

static void mark_active(sq *s, sqlite3_stmt *st)
{
    for (int i = 0; i < s->nactive; i++)
        if (s->active[i] == st)
            return;
    if (s->nactive < CH_SQ_CACHE)
        s->active[s->nactive++] = st;
}

/* A prepared statement for a fixed SQL string, reset and ready to bind. */
sqlite3_stmt *ch_sq_stmt(sq *s, const char *sql, ch_error *err)
{
    int free_slot = -1;
    for (int i = 0; i < CH_SQ_CACHE; i++) {
        if (s->cache[i].sql == sql) {
            sqlite3_reset(s->cache[i].st);
            sqlite3_clear_bindings(s->cache[i].st);
            mark_active(s, s->cache[i].st);
            return s->cache[i].st;
        }
        if (!s->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        ch_sq_error(s, err, "preparing a statement");
        return NULL;
    }
    if (free_slot >= 0) {
        s->cache[free_slot].sql = sql;
        s->cache[free_slot].st = st;
    }
    mark_active(s, st);
    return st; /* uncached only if the cache is full: a leak we size away */
}

int ch_sq_exec(sq *s, const char *sql, ch_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ch_error_set(err, CH_E_STORE, "the database failed: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return CH_E_STORE;
    }
    return CH_OK;
}

void ch_sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void ch_sq_bind_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

const char *ch_sq_text(ch_arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? ch_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* Ends a transaction begun with BEGIN IMMEDIATE: commit when rc is 0. */
int ch_sq_finish(sq *s, int rc, ch_error *err)
{
    if (rc == CH_OK)
        return ch_sq_exec(s, "COMMIT", err);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void sq_close(ch_store *base)
{
    sq *s = (sq *)base;
    for (int i = 0; i < CH_SQ_CACHE; i++)
        if (s->cache[i].st)
            sqlite3_finalize(s->cache[i].st);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- users and credentials ---- */

static int sq_user_insert(ch_store *base, const ch_user *u, int64_t *id, ch_error *err)
{
    sq *s = (sq *)base;
    static const char ins[] = "INSERT INTO users(email, name, role, password_hash, created_at)"
                              " VALUES(?, ?, ?, ?, strftime('%s','now'))";
    static const char svc[] = "INSERT INTO user_services(user_id, service) VALUES(?, ?)";
    int rc = CH_OK;
    ch_sq_lock(s);
    if ((rc = ch_sq_exec(s, "BEGIN IMMEDIATE", err)))
        goto out;
    sqlite3_stmt *st = ch_sq_stmt(s, ins, err);
    if (!st) {
        rc = ch_sq_finish(s, CH_E_STORE, err);
        goto out;
    }
    ch_sq_bind_text(st, 1, u->email);
    ch_sq_bind_text(st, 2, u->name);
    ch_sq_bind_text(st, 3, ch_role_name(u->role));
    ch_sq_bind_text(st, 4, u->password_hash);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT) {
        rc = ch_sq_finish(
            s, ch_error_set(err, CH_E_CONFLICT, "a user with email %s already exists", u->email),
            err);
        goto out;
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_finish(s, ch_sq_error(s, err, "adding a user"), err);
        goto out;
    }
    *id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < u->nservices && !rc; i++) {
        if (!(st = ch_sq_stmt(s, svc, err))) {
            rc = CH_E_STORE;
            break;
        }
        sqlite3_bind_int64(st, 1, *id);
        ch_sq_bind_text(st, 2, u->services[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ch_sq_error(s, err, "adding a user's services");
    }
    rc = ch_sq_finish(s, rc, err);
out:
    ch_sq_unlock(s);
    return rc;
}

static int sq_user_get(ch_store *base, const char *email, int64_t id, ch_arena *a, ch_user *out,
                       ch_error *err)
{
    sq *s = (sq *)base;
    static const char by_email[] =
        "SELECT id, email, name, role, password_hash FROM users WHERE email = ?";
    static const char by_id[] =
        "SELECT id, email, name, role, password_hash FROM users WHERE id = ?";
    static const char svc[] =
        "SELECT service FROM user_services WHERE user_id = ? ORDER BY service";
    int rc = CH_OK;
    ch_sq_lock(s);
    sqlite3_stmt *st = ch_sq_stmt(s, email ? by_email : by_id, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    if (email)
        ch_sq_bind_text(st, 1, email);
    else
        sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "no such user");
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = ch_sq_error(s, err, "reading a user");
        goto out;
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->email = ch_sq_text(a, st, 1);
    out->name = ch_sq_text(a, st, 2);
    const char *role = (const char *)sqlite3_column_text(st, 3);
    if (!role || ch_role_parse(role, &out->role))
        out->role = CH_ROLE_OFFICER;
    out->password_hash = ch_sq_text(a, st, 4);
    if (!(st = ch_sq_stmt(s, svc, err))) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, out->id);
    size_t cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nservices == cap) {
            cap = cap ? cap * 2 : 8;
            out->services = ch_arena_grow(a, out->services, out->nservices, cap, sizeof(char *));
            if (!out->services) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        out->services[out->nservices++] = ch_sq_text(a, st, 0);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(s, err, "reading a user's services");
out:
    ch_sq_unlock(s);
    return rc;
}

static int count_rows(sq *s, const char *sql, int64_t *count, ch_error *err)
{
    int rc = CH_OK;
    ch_sq_lock(s);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st)
        rc = CH_E_STORE;
    else if (sqlite3_step(st) != SQLITE_ROW)
        rc = ch_sq_error(s, err, "counting");
    else
        *count = sqlite3_column_int64(st, 0);
    ch_sq_unlock(s);
    return rc;
}

static int sq_user_count(ch_store *base, int64_t *count, ch_error *err)
{
    static const char sql[] = "SELECT count(*) FROM users";
    return count_rows((sq *)base, sql, count, err);
}

static int credential_insert(sq *s, int64_t user_id, const uint8_t hash[32], const char *kind,
                             const char *csrf, ch_time expires, ch_error *err)
{
    static const char sql[] = "INSERT INTO credentials(hash, user_id, kind, csrf, expires_at,"
                              " created_at) VALUES(?, ?, ?, ?, ?, strftime('%s','now'))";
    int rc = CH_OK;
    ch_sq_lock(s);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user_id);
    ch_sq_bind_text(st, 3, kind);
    ch_sq_bind_text(st, 4, csrf);
    ch_sq_bind_id(st, 5, expires);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = ch_sq_error(s, err, "saving a credential");
out:
    ch_sq_unlock(s);
    return rc;
}

static int sq_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], ch_error *err)
{
    return credential_insert((sq *)base, user_id, hash, "token", NULL, 0, err);
}

static int sq_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32],
                             const char *csrf, ch_time expires, ch_error *err)
{
    return credential_insert((sq *)base, user_id, hash, "session", csrf, expires, err);
}

static int sq_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                              int64_t *user_id, const char **csrf, ch_error *err)
{
    sq *s = (sq *)base;
    static const char sql[] = "SELECT user_id, csrf FROM credentials WHERE hash = ?"
                              " AND (expires_at IS NULL OR expires_at > ?)";
    int rc = CH_OK;
    ch_sq_lock(s);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *user_id = sqlite3_column_int64(st, 0);
        if (csrf)
            *csrf = ch_sq_text(a, st, 1);
    } else if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "no such credential");
    } else {
        rc = ch_sq_error(s, err, "checking a credential");
    }
out:
    ch_sq_unlock(s);
    return rc;
}

static int sq_policy_save(ch_store *base, const char *policy_id, const char *text, ch_time now,
                          int64_t *version, ch_error *err)
{
    sq *s = (sq *)base;
    static const char last[] = "SELECT version, text FROM policies WHERE policy_id = ?"
                               " ORDER BY version DESC LIMIT 1";
    static const char ins[] =
        "INSERT INTO policies(policy_id, version, text, saved_at) VALUES(?, ?, ?, ?)";
    int rc;
    ch_sq_lock(s);
    if ((rc = ch_sq_exec(s, "BEGIN IMMEDIATE", err)))
        goto out;
    sqlite3_stmt *st = ch_sq_stmt(s, last, err);
    if (!st) {
        rc = ch_sq_finish(s, CH_E_STORE, err);
        goto out;
    }
    ch_sq_bind_text(st, 1, policy_id);
    *version = 0;
    bool same = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        const char *old = (const char *)sqlite3_column_text(st, 1);
        same = old && strcmp(old, text) == 0;
    }
    if (!same) {
        if (!(st = ch_sq_stmt(s, ins, err))) {
            rc = ch_sq_finish(s, CH_E_STORE, err);
            goto out;
        }
        ch_sq_bind_text(st, 1, policy_id);
        sqlite3_bind_int64(st, 2, ++*version);
        ch_sq_bind_text(st, 3, text);
        sqlite3_bind_int64(st, 4, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ch_sq_error(s, err, "saving a policy");
    }
    rc = ch_sq_finish(s, rc, err);
out:
    ch_sq_unlock(s);
    return rc;
}

static const ch_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_count = sq_user_count,
    .token_insert = sq_token_insert,
    .session_insert = sq_session_insert,
    .credential_user = sq_credential_user,
    .policy_save = sq_policy_save,
    .case_insert = ch_sq_case_insert,
    .case_get = ch_sq_case_get,
    .case_update = ch_sq_case_update,
    .queue = ch_sq_queue,
    .audit_insert = ch_sq_audit_insert,
    .audit_list = ch_sq_audit_list,
};

static int migrate(sq *s, ch_error *err)
{
    int rc =
        ch_sq_exec(s, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err);
    if (rc)
        return rc;
    int64_t have = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT max(version) FROM schema_version", -1, &st, NULL))
        return ch_sq_error(s, err, "reading the schema version");
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
        if ((rc = ch_sq_exec(s, "BEGIN IMMEDIATE", err)))
            return rc;
        rc = ch_sq_exec(s, ch_sqlite_migrations[v - 1], err);
        if (!rc)
            rc = ch_sq_exec(s, sql, err);
        if ((rc = ch_sq_finish(s, rc, err)))
            return rc;
    }
    return CH_OK;
}

int ch_store_sqlite_open(ch_store **out, const char *path, ch_error *err)
{
    sq *s = calloc(1, sizeof(*s));
    int rc;
    if (!s)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    s->base.ops = &sqlite_ops;
    pthread_mutex_init(&s->mu, NULL);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        rc = ch_error_set(err, CH_E_STORE, "cannot open the database %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL for concurrent readers; FULL so each commit is fsynced. */
    if ((rc = ch_sq_exec(
             s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", err)) ||
        (rc = migrate(s, err)))
        goto fail;
    *out = &s->base;
    return CH_OK;
fail:
    sq_close(&s->base);
    return rc;
}
