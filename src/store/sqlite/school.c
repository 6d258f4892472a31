/* A school contact's sign-in: one-time links sent by email and the
 * sessions they open, each kept as the hash of its token. A link is used
 * up inside the write that reads it, so two clicks cannot both sign in. */
#include "store/sqlite/internal.h"

#include <string.h>

typedef struct token_arg {
    const char *kind, *email, *csrf;
    const uint8_t *hash;
    ch_time now, expires;
    ch_arena *arena;
    const char **email_out, **csrf_out;
} token_arg;

static int insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    token_arg *a = arg;
    static const char sql[] = "INSERT INTO school_tokens(kind, email, hash, csrf, created_at,"
                              " expires_at) VALUES(?, ?, ?, ?, ?, ?)";
    static const char purge[] = "DELETE FROM school_tokens WHERE expires_at < ? - 86400";
    static const char recent[] = "SELECT count(*) FROM school_tokens WHERE kind = 'link'"
                                 " AND email = ? AND created_at > ? - " CH_SCHOOL_LINK_WINDOW;
    /* Spent sign-ins go a day after they end: nothing keeps them. */
    sqlite3_stmt *st = ch_sq_stmt(c, purge, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->now);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "clearing spent sign-ins");
    if (strcmp(a->kind, "link") == 0) {
        if (!(st = ch_sq_stmt(c, recent, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, a->email);
        sqlite3_bind_int64(st, 2, a->now);
        if (sqlite3_step(st) != SQLITE_ROW)
            return ch_sq_error(c, err, "counting sign-in links");
        if (sqlite3_column_int64(st, 0) >= CH_SCHOOL_LINK_MAX)
            return ch_error_set(err, CH_E_CONFLICT, "enough sign-in links went to %s lately",
                                a->email);
    }
    if (!(st = ch_sq_stmt(c, sql, err)))
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, a->kind);
    ch_sq_bind_text(st, 2, a->email);
    sqlite3_bind_blob(st, 3, a->hash, 32, SQLITE_TRANSIENT);
    ch_sq_bind_text(st, 4, a->csrf);
    sqlite3_bind_int64(st, 5, a->now);
    sqlite3_bind_int64(st, 6, a->expires);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "keeping a sign-in");
}

int ch_sq_school_token_insert(ch_store *base, const char *kind, const char *email,
                              const uint8_t hash[32], const char *csrf, ch_time now,
                              ch_time expires, ch_error *err)
{
    token_arg a = {
        .kind = kind, .email = email, .csrf = csrf, .hash = hash, .now = now, .expires = expires};
    return ch_sq_write((sq *)base, insert_fn, &a, err);
}

static int read_token(sq_conn *c, sqlite3_stmt *st, token_arg *a, ch_error *err)
{
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "that sign-in has expired or was used");
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "checking a sign-in");
    *a->email_out = ch_sq_text(a->arena, st, 0);
    if (a->csrf_out)
        *a->csrf_out = ch_sq_text(a->arena, st, 1);
    return *a->email_out ? CH_OK : ch_error_set(err, CH_E_NOMEM, "out of memory");
}

static int use_fn(sq_conn *c, void *arg, ch_error *err)
{
    token_arg *a = arg;
    static const char sql[] = "UPDATE school_tokens SET used_at = ?2 WHERE kind = 'link'"
                              " AND hash = ?1 AND used_at IS NULL AND expires_at > ?2"
                              " RETURNING email, csrf";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_blob(st, 1, a->hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->now);
    int rc = read_token(c, st, a, err);
    /* RETURNING rows are all produced by the first step; finish the update. */
    while (rc == CH_OK && sqlite3_step(st) == SQLITE_ROW)
        ;
    return rc;
}

int ch_sq_school_token_take(ch_store *base, const char *kind, const uint8_t hash[32], ch_time now,
                            ch_arena *arena, const char **email, const char **csrf, ch_error *err)
{
    token_arg a = {.kind = kind,
                   .hash = hash,
                   .now = now,
                   .arena = arena,
                   .email_out = email,
                   .csrf_out = csrf};
    if (strcmp(kind, "link") == 0)
        return ch_sq_write((sq *)base, use_fn, &a, err);
    static const char sql[] = "SELECT email, csrf FROM school_tokens WHERE kind = 'session'"
                              " AND hash = ? AND expires_at > ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_E_STORE;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (st) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now);
        rc = read_token(c, st, &a, err);
    }
    ch_sq_unlock(c);
    return rc;
}

static int end_fn(sq_conn *c, void *arg, ch_error *err)
{
    token_arg *a = arg;
    static const char sql[] = "UPDATE school_tokens SET expires_at = ?2 WHERE kind = 'session'"
                              " AND hash = ?1 AND expires_at > ?2";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_blob(st, 1, a->hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a->now);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "ending a sign-in");
}

int ch_sq_school_token_end(ch_store *base, const uint8_t hash[32], ch_time now, ch_error *err)
{
    token_arg a = {.hash = hash, .now = now};
    return ch_sq_write((sq *)base, end_fn, &a, err);
}
