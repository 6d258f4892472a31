/* The PostgreSQL backend's accounts: changing a user in one transaction
 * (with the administrators locked, so two servers cannot each remove "the
 * other" last administrator), and the sessions and API tokens users sign
 * in with. */
#include "store/postgres/internal.h"

#include <string.h>

static bool good(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs one statement on c; *out (when given) receives the result to clear. */
static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    int rc = good(res) ? CH_OK : (err->code ? err->code : CH_E_STORE);
    if (out && !rc)
        *out = res;
    else
        PQclear(res);
    return rc;
}

/* The same on a pooled connection of its own, for one-statement calls. */
static int run_once(pg *s, const char *sql, const pg_params *p, const char *doing, PGresult **out,
                    ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    int rc = run(c, sql, p, doing, out, err);
    ch_pg_release(c);
    return rc;
}

/* ---- changing a user ---- */

static int user_update_in(pg_conn *c, const ch_user_change *ch, ch_error *err)
{
    static const char lock_admins[] =
        "SELECT id FROM users WHERE role = 'admin' AND active = 1 FOR UPDATE";
    static const char update[] =
        "UPDATE users SET name = coalesce($2, name), role = coalesce($3, role),"
        " active = coalesce($4::bigint, active), password_hash = coalesce($5, password_hash),"
        " notify = coalesce($6, notify) WHERE id = $1";
    static const char clear[] = "DELETE FROM user_services WHERE user_id = $1";
    static const char svc[] = "INSERT INTO user_services(user_id, service) VALUES($1, $2)"
                              " ON CONFLICT DO NOTHING";
    static const char sessions[] = "DELETE FROM credentials WHERE user_id = $1 AND kind = 'session'"
                                   " AND ($2::bytea IS NULL OR hash <> $2::bytea)";
    static const char tokens[] = "DELETE FROM credentials WHERE user_id = $1 AND kind = 'token'";
    static const char admins[] = "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1";
    PGresult *res = NULL;
    pg_params p = {0};
    int rc;
    if ((rc = run(c, lock_admins, NULL, "locking the administrators", NULL, err)))
        return rc;
    ch_pg_int(&p, ch->id);
    ch_pg_text(&p, ch->name);
    ch_pg_text(&p, ch->set_role ? ch_role_name(ch->role) : NULL);
    if (ch->active >= 0)
        ch_pg_int(&p, ch->active);
    else
        ch_pg_text(&p, NULL);
    ch_pg_text(&p, ch->password_hash);
    ch_pg_text(&p, ch->notify);
    if ((rc = run(c, update, &p, "changing a user", &res, err)))
        return rc;
    bool found = strcmp(PQcmdTuples(res), "0") != 0;
    PQclear(res);
    if (!found)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)ch->id);
    pg_params one = {0};
    ch_pg_int(&one, ch->id);
    if (ch->set_services) {
        if ((rc = run(c, clear, &one, "changing a user's services", NULL, err)))
            return rc;
        for (size_t i = 0; i < ch->nservices; i++) {
            pg_params q = {0};
            ch_pg_int(&q, ch->id);
            ch_pg_text(&q, ch->services[i]);
            if ((rc = run(c, svc, &q, "changing a user's services", NULL, err)))
                return rc;
        }
    }
    if (ch->end_sessions) {
        pg_params q = {0};
        ch_pg_int(&q, ch->id);
        if (ch->keep_session)
            ch_pg_bytes32(&q, ch->keep_session);
        else
            ch_pg_text(&q, NULL);
        if ((rc = run(c, sessions, &q, "ending a user's sessions", NULL, err)))
            return rc;
    }
    if (ch->end_tokens && (rc = run(c, tokens, &one, "revoking a user's tokens", NULL, err)))
        return rc;
    if ((rc = run(c, admins, NULL, "counting administrators", &res, err)))
        return rc;
    int64_t left = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    if (left == 0)
        return ch_error_set(err, CH_E_CONFLICT,
                            "this would leave the desk without an active administrator; make "
                            "someone else an administrator first");
    return CH_OK;
}

int ch_pg_user_update(ch_store *base, const ch_user_change *ch, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    if ((rc = user_update_in(c, ch, err)) == CH_OK)
        rc = ch_pg_exec(c, "COMMIT", err);
    else
        ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
out:
    ch_pg_release(c);
    return rc;
}

/* ---- sessions and tokens ---- */

static int credential_insert(pg *s, int64_t user_id, const uint8_t *hash, const char *kind,
                             const char *csrf, const char *label, ch_time expires, int64_t *id,
                             ch_error *err)
{
    static const char sql[] =
        "INSERT INTO credentials(hash, user_id, kind, csrf, expires_at, label, created_at)"
        " VALUES($1, $2, $3, $4, $5, $6, extract(epoch from now())::bigint) RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_bytes32(&p, hash);
    ch_pg_int(&p, user_id);
    ch_pg_text(&p, kind);
    ch_pg_text(&p, csrf);
    ch_pg_id(&p, expires);
    ch_pg_text(&p, label);
    pg_conn *c = ch_pg_acquire(s);
    res = ch_pg_run(c, sql, &p, err, "saving a credential");
    ch_pg_release(c);
    int rc = CH_OK;
    if (!good(res))
        rc = ch_pg_violation(res, "23503")
                 ? ch_error_set(err, CH_E_NOTFOUND, "there is no user %lld", (long long)user_id)
                 : CH_E_STORE;
    else if (id)
        *id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

int ch_pg_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *label,
                       ch_time expires, int64_t *id, ch_error *err)
{
    return credential_insert((pg *)base, user_id, hash, "token", NULL, label, expires, id, err);
}

int ch_pg_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *csrf,
                         ch_time expires, ch_error *err)
{
    return credential_insert((pg *)base, user_id, hash, "session", csrf, NULL, expires, NULL, err);
}

int ch_pg_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                          ch_user *user, ch_credential *cred, ch_error *err)
{
    static const char sql[] =
        "SELECT u.id, u.email, u.name, u.role, c.csrf,"
        " (SELECT string_agg(service, E'\\n' ORDER BY service) FROM user_services"
        "  WHERE user_id = u.id), c.id, c.kind, c.last_used_at, u.notify"
        " FROM credentials c JOIN users u ON u.id = c.user_id"
        " WHERE c.hash = $1 AND (c.expires_at IS NULL OR c.expires_at > $2) AND u.active = 1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_bytes32(&p, hash);
    ch_pg_int(&p, now);
    int rc = run_once((pg *)base, sql, &p, "checking a credential", &res, err);
    if (rc)
        goto out;
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "no such credential");
        goto out;
    }
    memset(user, 0, sizeof(*user));
    user->id = ch_pg_get_int(res, 0, 0);
    user->email = ch_pg_get_text(a, res, 0, 1);
    user->name = ch_pg_get_text(a, res, 0, 2);
    if (ch_role_parse(PQgetvalue(res, 0, 3), &user->role))
        user->role = CH_ROLE_OFFICER;
    user->notify = ch_pg_get_text(a, res, 0, 9);
    if (cred) {
        cred->csrf = ch_pg_get_text(a, res, 0, 4);
        cred->id = ch_pg_get_int(res, 0, 6);
        cred->session = strcmp(PQgetvalue(res, 0, 7), "session") == 0;
        cred->last_used_at = ch_pg_get_int(res, 0, 8);
    }
    char *services = (char *)ch_pg_get_text(a, res, 0, 5);
    size_t n = 1;
    for (const char *q = services; q && *q; q++)
        n += *q == '\n';
    if (services && *services) {
        if (!(user->services = ch_arena_alloc(a, n * sizeof(char *)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        for (char *q = services, *nl; q; q = nl ? nl + 1 : NULL) {
            if ((nl = strchr(q, '\n')))
                *nl = '\0';
            user->services[user->nservices++] = q;
        }
    }
out:
    PQclear(res);
    return rc;
}

int ch_pg_credential_used(ch_store *base, int64_t id, ch_time now, ch_error *err)
{
    static const char sql[] = "UPDATE credentials SET last_used_at = $2 WHERE id = $1";
    pg_params p = {0};
    ch_pg_int(&p, id);
    ch_pg_int(&p, now);
    return run_once((pg *)base, sql, &p, "noting a token's use", NULL, err);
}

int ch_pg_credential_delete(ch_store *base, const uint8_t hash[32], ch_error *err)
{
    static const char sql[] = "DELETE FROM credentials WHERE hash = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_bytes32(&p, hash);
    int rc = run_once((pg *)base, sql, &p, "ending a session", &res, err);
    if (!rc && strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "the session has already ended");
    PQclear(res);
    return rc;
}

int ch_pg_token_list(ch_store *base, int64_t user_id, ch_arena *a, ch_token_row **out, size_t *n,
                     ch_error *err)
{
    static const char sql[] = "SELECT id, user_id, label, created_at, expires_at, last_used_at"
                              " FROM credentials WHERE user_id = $1 AND kind = 'token'"
                              " ORDER BY id DESC";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, user_id);
    int rc = run_once((pg *)base, sql, &p, "listing tokens", &res, err);
    if (rc)
        goto out;
    int rows = PQntuples(res);
    ch_token_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].user_id = ch_pg_get_int(res, i, 1);
        list[i].label = ch_pg_get_text(a, res, i, 2);
        list[i].created_at = ch_pg_get_int(res, i, 3);
        list[i].expires_at = ch_pg_get_int(res, i, 4);
        list[i].last_used_at = ch_pg_get_int(res, i, 5);
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

int ch_pg_token_delete(ch_store *base, int64_t id, int64_t owner, int64_t *user_id, ch_error *err)
{
    static const char sql[] = "DELETE FROM credentials WHERE id = $1 AND kind = 'token'"
                              " AND ($2::bigint = 0 OR user_id = $2::bigint) RETURNING user_id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    ch_pg_int(&p, owner);
    int rc = run_once((pg *)base, sql, &p, "revoking a token", &res, err);
    if (rc)
        goto out;
    if (PQntuples(res) == 0) {
        rc = ch_error_set(err, CH_E_NOTFOUND,
                          "there is no token %lld of yours; GET /api/v1/tokens lists them",
                          (long long)id);
        goto out;
    }
    *user_id = ch_pg_get_int(res, 0, 0);
out:
    PQclear(res);
    return rc;
}
