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
    static const char ins[] =
        "INSERT INTO users(email, name, role, password_hash, created_at, notify)"
        " VALUES(?, ?, ?, ?, strftime('%s','now'), coalesce(?, 'each'))";
    static const char svc[] = "INSERT INTO user_services(user_id, service) VALUES(?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, ins, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, u->email);
    ch_sq_bind_text(st, 2, u->name);
    ch_sq_bind_text(st, 3, ch_role_name(u->role));
    ch_sq_bind_text(st, 4, u->password_hash);
    ch_sq_bind_text(st, 5, u->notify);
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
        "SELECT id, email, name, role, password_hash, active, notify FROM users WHERE email = ?";
    static const char by_id[] =
        "SELECT id, email, name, role, password_hash, active, notify FROM users WHERE id = ?";
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
    out->inactive = sqlite3_column_int64(st, 5) == 0;
    out->notify = ch_sq_text(a, st, 6);
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
        " (SELECT service FROM user_services WHERE user_id = users.id ORDER BY service)),"
        " active, notify FROM users ORDER BY email";
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
        u->inactive = sqlite3_column_int64(st, 5) == 0;
        u->notify = ch_sq_text(a, st, 6);
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
    pthread_mutex_destroy(&s->pool_mu);
    free(s->path);
    free(s);
}

static const ch_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .user_insert = sq_user_insert,
    .user_get = sq_user_get,
    .user_count = sq_user_count,
    .user_list = sq_user_list,
    .user_update = ch_sq_user_update,
    .token_insert = ch_sq_token_insert,
    .session_insert = ch_sq_session_insert,
    .credential_user = ch_sq_credential_user,
    .credential_used = ch_sq_credential_used,
    .credential_delete = ch_sq_credential_delete,
    .token_list = ch_sq_token_list,
    .token_delete = ch_sq_token_delete,
    .policy_save = sq_policy_save,
    .case_insert = ch_sq_case_insert,
    .case_get = ch_sq_case_get,
    .case_update = ch_sq_case_update,
    .queue = ch_sq_queue,
    .queue_count = ch_sq_queue_count,
    .breach_sweep = ch_sq_breach_sweep,
    .case_list = ch_sq_case_list,
    .case_count = ch_sq_case_count,
    .search = ch_sq_search,
    .people_find = ch_sq_people_find,
    .organisations_find = ch_sq_organisations_find,
    .report_rows = ch_sq_report_rows,
    .person_insert = ch_sq_person_insert,
    .person_get = ch_sq_person_get,
    .person_update = ch_sq_person_update,
    .people_list = ch_sq_people_list,
    .person_in = ch_sq_person_in,
    .person_merge = ch_sq_person_merge,
    .attachment_insert = ch_sq_attachment_insert,
    .attachment_list = ch_sq_attachment_list,
    .attachment_get = ch_sq_attachment_get,
    .organisation_insert = ch_sq_organisation_insert,
    .organisation_get = ch_sq_organisation_get,
    .cases_of = ch_sq_cases_of,
    .table_count = ch_sq_table_count,
    .table_each = ch_sq_table_each,
    .audit_insert = ch_sq_audit_insert,
    .audit_list = ch_sq_audit_list,
    .audit_finish = ch_sq_audit_finish,
    .audit_chain = ch_sq_audit_chain,
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
    .visit_notices = ch_sq_visit_notices,
    .school_token_insert = ch_sq_school_token_insert,
    .school_token_take = ch_sq_school_token_take,
    .school_token_end = ch_sq_school_token_end,
    .availability_set = ch_sq_availability_set,
    .availability_list = ch_sq_availability_list,
    .statement_sent = ch_sq_statement_sent,
    .statements_sent = ch_sq_statements_sent,
    .relationship_insert = ch_sq_relationship_insert,
    .relationship_delete = ch_sq_relationship_delete,
    .relationships = ch_sq_relationships,
    .consent_insert = ch_sq_consent_insert,
    .consent_withdraw = ch_sq_consent_withdraw,
    .consents = ch_sq_consents,
    .incident_insert = ch_sq_incident_insert,
    .incident_list = ch_sq_incident_list,
    .restriction_insert = ch_sq_restriction_insert,
    .restriction_get = ch_sq_restriction_get,
    .restriction_list = ch_sq_restriction_list,
    .restriction_change = ch_sq_restriction_change,
    .mail_in_insert = ch_sq_mail_in_insert,
    .mail_in_get = ch_sq_mail_in_get,
    .mail_in_pending = ch_sq_mail_in_pending,
    .mail_in_of_case = ch_sq_mail_in_of_case,
    .mail_thread_case = ch_sq_mail_thread_case,
    .outbox_insert = ch_sq_outbox_insert,
    .outbox_claim = ch_sq_outbox_claim,
    .outbox_result = ch_sq_outbox_result,
    .outbox_list = ch_sq_outbox_list,
    .outbox_count = ch_sq_outbox_count,
    .outbox_by_message_id = ch_sq_outbox_by_message_id,
    .notification_insert = ch_sq_notification_insert,
    .notification_list = ch_sq_notification_list,
    .notification_unread = ch_sq_notification_unread,
    .notification_read = ch_sq_notification_read,
    .notification_unemailed = ch_sq_notification_unemailed,
    .notification_emailed = ch_sq_notification_emailed,
    .due_soon = ch_sq_due_soon,
    .mail_commit = ch_sq_mail_commit,
    /* Complaints and compliments. */
    .stages = ch_sq_stages,
    .stage_change = ch_sq_stage_change,
    .case_staff = ch_sq_case_staff,
    .case_staff_set = ch_sq_case_staff_set,
    .cases_staff_named = ch_sq_cases_staff_named,
    .complaint_lines = ch_sq_complaint_lines,
    .kind_counts = ch_sq_kind_counts, /* publicpage */
    .case_themes_set = ch_sq_case_themes_set,
    .case_themes = ch_sq_case_themes,
    .theme_rows = ch_sq_theme_rows,
    .report_rows_by = ch_sq_report_rows_by,
    .survey_candidates = ch_sq_survey_candidates,
    .survey_invite = ch_sq_survey_invite,
    .survey_find = ch_sq_survey_find,
    .survey_answer = ch_sq_survey_answer,
    .survey_invitations = ch_sq_survey_invitations,
    .survey_responses = ch_sq_survey_responses,
    .school_audit_insert = ch_sq_school_audit_insert,
    .school_audit_get = ch_sq_school_audit_get,
    .school_audit_by_code = ch_sq_school_audit_by_code,
    .school_audit_dates = ch_sq_school_audit_dates,
    .school_audit_list = ch_sq_school_audit_list,
    .audit_response_insert = ch_sq_audit_response_insert,
    .audit_responses = ch_sq_audit_responses,
    .sar_release = ch_sq_sar_release,
    .sar_exports = ch_sq_sar_exports,
    .sar_audit = ch_sq_sar_audit,
    .sar_others = ch_sq_sar_others,
    .hold_place = ch_sq_hold_place,
    .hold_release = ch_sq_hold_release,
    .hold_get = ch_sq_hold_get,
    .retention_apply = ch_sq_retention_apply,
    .audit_purge = ch_sq_audit_purge,
    .person_erase = ch_sq_person_erase,
    .person_erased = ch_sq_person_erased,
    .audit_query = ch_sq_audit_query,
    .people_services = ch_sq_people_services,
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

int ch_sq_conn_open(sq_conn *c, const char *path, ch_error *err)
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
    pthread_mutex_init(&s->pool_mu, NULL);
    for (int i = 0; i < CH_SQ_READERS; i++)
        pthread_mutex_init(&s->r[i].mu, NULL);
    if (!(s->path = strdup(path))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto fail;
    }
    if ((rc = ch_sq_conn_open(&s->w, path, err)) || (rc = migrate(&s->w, err)) ||
        (rc = ch_sq_conn_open(&s->r[0], path, err)))
        goto fail;
    s->nreaders = 1;
    if ((rc = ch_sq_writer_start(s, err)))
        goto fail;
    *out = &s->base;
    return CH_OK;
fail:
    sq_close(&s->base);
    return rc;
}
