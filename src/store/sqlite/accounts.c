/* The SQLite backend's accounts: changing a user (name, role, services,
 * whether active, password) in one write, and the sessions and API tokens
 * they sign in with, found by hash on every request, listed and revoked. */
#include "store/sqlite/internal.h"

#include <string.h>

/* ---- changing a user ---- */

static int active_admins(sq_conn *c, int64_t *count, ch_error *err)
{
    static const char sql[] = "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    if (sqlite3_step(st) != SQLITE_ROW)
        return ch_sq_error(c, err, "counting administrators");
    *count = sqlite3_column_int64(st, 0);
    return CH_OK;
}

static int run_id(sq_conn *c, const char *sql, int64_t id, const char *doing, ch_error *err)
{
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, doing);
}

static int user_update_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_user_change *ch = arg;
    static const char exists[] = "SELECT 1 FROM users WHERE id = ?";
    static const char name[] = "UPDATE users SET name = ? WHERE id = ?";
    static const char role[] = "UPDATE users SET role = ? WHERE id = ?";
    static const char active[] = "UPDATE users SET active = ? WHERE id = ?";
    static const char password[] = "UPDATE users SET password_hash = ? WHERE id = ?";
    static const char notify[] = "UPDATE users SET notify = ? WHERE id = ?";
    static const char clear[] = "DELETE FROM user_services WHERE user_id = ?";
    static const char svc[] = "INSERT OR IGNORE INTO user_services(user_id, service) VALUES(?, ?)";
    static const char sessions[] = "DELETE FROM credentials WHERE user_id = ? AND kind = 'session'"
                                   " AND (? IS NULL OR hash != ?)";
    static const char tokens[] = "DELETE FROM credentials WHERE user_id = ? AND kind = 'token'";
    sqlite3_stmt *st = ch_sq_stmt(c, exists, err);
    int rc;
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, ch->id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)ch->id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "reading a user");
    struct {
        const char *sql, *text;
        int64_t value;
        bool set;
    } sets[] = {
        {name, ch->name, 0, ch->name != NULL},
        {role, ch_role_name(ch->role), 0, ch->set_role},
        {active, NULL, ch->active, ch->active >= 0},
        {password, ch->password_hash, 0, ch->password_hash != NULL},
        {notify, ch->notify, 0, ch->notify != NULL},
    };
    for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
        if (!sets[i].set)
            continue;
        if (!(st = ch_sq_stmt(c, sets[i].sql, err)))
            return CH_E_STORE;
        if (sets[i].text)
            ch_sq_bind_text(st, 1, sets[i].text);
        else
            sqlite3_bind_int64(st, 1, sets[i].value);
        sqlite3_bind_int64(st, 2, ch->id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "changing a user");
    }
    if (ch->set_services) {
        if ((rc = run_id(c, clear, ch->id, "changing a user's services", err)))
            return rc;
        for (size_t i = 0; i < ch->nservices; i++) {
            if (!(st = ch_sq_stmt(c, svc, err)))
                return CH_E_STORE;
            sqlite3_bind_int64(st, 1, ch->id);
            ch_sq_bind_text(st, 2, ch->services[i]);
            if (sqlite3_step(st) != SQLITE_DONE)
                return ch_sq_error(c, err, "changing a user's services");
        }
    }
    if (ch->end_sessions) {
        if (!(st = ch_sq_stmt(c, sessions, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, ch->id);
        if (ch->keep_session) {
            sqlite3_bind_blob(st, 2, ch->keep_session, 32, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 3, ch->keep_session, 32, SQLITE_TRANSIENT);
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "ending a user's sessions");
    }
    if (ch->end_tokens && (rc = run_id(c, tokens, ch->id, "revoking a user's tokens", err)))
        return rc;
    /* Only the writer thread writes, so counting here is race-free. */
    int64_t admins = 0;
    if ((rc = active_admins(c, &admins, err)))
        return rc;
    if (admins == 0)
        return ch_error_set(err, CH_E_CONFLICT,
                            "this would leave the desk without an active administrator; make "
                            "someone else an administrator first");
    return CH_OK;
}

int ch_sq_user_update(ch_store *base, const ch_user_change *ch, ch_error *err)
{
    return ch_sq_write((sq *)base, user_update_fn, (void *)ch, err);
}

/* ---- sessions and tokens ---- */

typedef struct credential_arg {
    int64_t user_id;
    const uint8_t *hash;
    const char *kind, *csrf, *label;
    ch_time expires;
    int64_t *id;
} credential_arg;

static int credential_fn(sq_conn *c, void *arg, ch_error *err)
{
    credential_arg *a = arg;
    static const char sql[] =
        "INSERT INTO credentials(hash, user_id, kind, csrf, expires_at, label, created_at)"
        " VALUES(?, ?, ?, ?, ?, ?, strftime('%s','now'))";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_blob(st, 1, a->hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->user_id);
    ch_sq_bind_text(st, 3, a->kind);
    ch_sq_bind_text(st, 4, a->csrf);
    ch_sq_bind_id(st, 5, a->expires);
    ch_sq_bind_text(st, 6, a->label);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)a->user_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "saving a credential");
    if (a->id)
        *a->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *label,
                       ch_time expires, int64_t *id, ch_error *err)
{
    credential_arg a = {user_id, hash, "token", NULL, label, expires, id};
    return ch_sq_write((sq *)base, credential_fn, &a, err);
}

int ch_sq_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *csrf,
                         ch_time expires, ch_error *err)
{
    credential_arg a = {user_id, hash, "session", csrf, NULL, expires, NULL};
    return ch_sq_write((sq *)base, credential_fn, &a, err);
}

int ch_sq_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                          ch_user *user, ch_credential *cred, ch_error *err)
{
    sq *s = (sq *)base;
    /* One statement for the credential, its user and their services: this
     * runs for every request. A deactivated user's credentials are gone,
     * and the active test keeps it so even if one were left. */
    static const char sql[] =
        "SELECT u.id, u.email, u.name, u.role, c.csrf,"
        " (SELECT group_concat(service, char(10)) FROM user_services WHERE user_id = u.id),"
        " c.id, c.kind, c.last_used_at, u.notify"
        " FROM credentials c JOIN users u ON u.id = c.user_id"
        " WHERE c.hash = ? AND (c.expires_at IS NULL OR c.expires_at > ?) AND u.active = 1";
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
    user->notify = ch_sq_text(a, st, 9);
    if (cred) {
        const char *kind = (const char *)sqlite3_column_text(st, 7);
        cred->csrf = ch_sq_text(a, st, 4);
        cred->id = sqlite3_column_int64(st, 6);
        cred->session = kind && strcmp(kind, "session") == 0;
        cred->last_used_at = sqlite3_column_int64(st, 8);
    }
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

typedef struct used_arg {
    int64_t id;
    ch_time now;
} used_arg;

static int used_fn(sq_conn *c, void *arg, ch_error *err)
{
    used_arg *a = arg;
    static const char sql[] = "UPDATE credentials SET last_used_at = ? WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->now);
    sqlite3_bind_int64(st, 2, a->id);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "noting a token's use");
}

int ch_sq_credential_used(ch_store *base, int64_t id, ch_time now, ch_error *err)
{
    used_arg a = {id, now};
    return ch_sq_write((sq *)base, used_fn, &a, err);
}

static int delete_fn(sq_conn *c, void *arg, ch_error *err)
{
    static const char sql[] = "DELETE FROM credentials WHERE hash = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_blob(st, 1, arg, 32, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "ending a session");
    return sqlite3_changes(c->db)
               ? CH_OK
               : ch_error_set(err, CH_E_NOTFOUND, "the session has already ended");
}

int ch_sq_credential_delete(ch_store *base, const uint8_t hash[32], ch_error *err)
{
    return ch_sq_write((sq *)base, delete_fn, (void *)hash, err);
}

int ch_sq_token_list(ch_store *base, int64_t user_id, ch_arena *a, ch_token_row **out, size_t *n,
                     ch_error *err)
{
    static const char sql[] = "SELECT id, user_id, label, created_at, expires_at, last_used_at"
                              " FROM credentials WHERE user_id = ? AND kind = 'token'"
                              " ORDER BY id DESC";
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    ch_token_row *list = NULL;
    size_t cap = 0, count = 0;
    int rc = CH_OK, step;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, user_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            if (!(list = ch_arena_grow(a, list, count, cap, sizeof(*list)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_token_row *t = &list[count++];
        t->id = sqlite3_column_int64(st, 0);
        t->user_id = sqlite3_column_int64(st, 1);
        t->label = ch_sq_text(a, st, 2);
        t->created_at = sqlite3_column_int64(st, 3);
        t->expires_at = sqlite3_column_int64(st, 4);
        t->last_used_at = sqlite3_column_int64(st, 5);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing tokens");
        goto out;
    }
    *out = list;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct token_delete_arg {
    int64_t id, owner, *user_id;
} token_delete_arg;

static int token_delete_fn(sq_conn *c, void *arg, ch_error *err)
{
    token_delete_arg *a = arg;
    static const char sql[] = "DELETE FROM credentials WHERE id = ? AND kind = 'token'"
                              " AND (? = 0 OR user_id = ?) RETURNING user_id";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->id);
    sqlite3_bind_int64(st, 2, a->owner);
    sqlite3_bind_int64(st, 3, a->owner);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND,
                            "there is no token %lld of yours; GET /api/v1/tokens lists them",
                            (long long)a->id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "revoking a token");
    *a->user_id = sqlite3_column_int64(st, 0);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "revoking a token");
}

int ch_sq_token_delete(ch_store *base, int64_t id, int64_t owner, int64_t *user_id, ch_error *err)
{
    token_delete_arg a = {id, owner, user_id};
    return ch_sq_write((sq *)base, token_delete_fn, &a, err);
}
