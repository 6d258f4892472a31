/* Customer surveys in the SQLite backend: the closed cases still to
 * invite, an invitation stored with its mail in one write, and an answer
 * that uses its invitation in the same commit. The SQL is shared with
 * PostgreSQL (surveys_sql.h). */
#include "store/sqlite/internal.h"
#include "store/surveys_sql.h"

#include <string.h>

static void bind_limit(sqlite3_stmt *st, int i, size_t limit, size_t fallback)
{
    sqlite3_bind_int64(st, i, (sqlite3_int64)(limit ? limit : fallback));
}

int ch_sq_survey_candidates(ch_store *base, const char *service, const char *kinds,
                            ch_time closed_from, ch_time closed_to, size_t limit, ch_arena *a,
                            ch_survey_candidate **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_CANDIDATES("?1", "?2", "?3", "?4", "?5", "instr");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_survey_candidate *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, service);
    ch_sq_bind_text(st, 2, kinds);
    sqlite3_bind_int64(st, 3, closed_from);
    sqlite3_bind_int64(st, 4, closed_to);
    bind_limit(st, 5, limit, 100);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_survey_candidate *k = &list[(*n)++];
        k->case_id = sqlite3_column_int64(st, 0);
        k->service = ch_sq_text(a, st, 1);
        k->kind = ch_sq_text(a, st, 2);
        k->subject = ch_sq_text(a, st, 3);
        k->name = ch_sq_text(a, st, 4);
        k->email = ch_sq_text(a, st, 5);
        k->closed_at = sqlite3_column_int64(st, 6);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "finding closed cases to survey");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct invite_job {
    ch_survey_invitation *inv;
    ch_outbox_row *mail;
} invite_job;

/* The message first, so the invitation can name it; a second invitation
 * for the case fails on its UNIQUE case_id and the savepoint takes the
 * message back with it. */
static int invite_fn(sq_conn *c, void *arg, ch_error *err)
{
    invite_job *job = arg;
    ch_survey_invitation *inv = job->inv;
    static const char sql[] = SURVEY_INVITE("?, ?, ?, ?, ?, ?, ?");
    job->mail->case_id = inv->case_id;
    int rc = ch_sq_outbox_insert_in(c, job->mail, err);
    if (rc)
        return rc;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, inv->case_id);
    ch_sq_bind_text(st, 2, inv->service);
    ch_sq_bind_text(st, 3, inv->token_hash);
    sqlite3_bind_int64(st, 4, job->mail->id);
    sqlite3_bind_int64(st, 5, inv->sent_at);
    sqlite3_bind_int64(st, 6, inv->expires_at);
    sqlite3_bind_int(st, 7, inv->anonymous_allowed);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_CONFLICT,
                            "case %lld already has a survey invitation (or no longer exists)",
                            (long long)inv->case_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "storing a survey invitation");
    inv->id = sqlite3_last_insert_rowid(c->db);
    inv->outbox_id = job->mail->id;
    return CH_OK;
}

int ch_sq_survey_invite(ch_store *base, ch_survey_invitation *inv, ch_outbox_row *mail,
                        ch_error *err)
{
    invite_job job = {inv, mail};
    return ch_sq_write((sq *)base, invite_fn, &job, err);
}

static void read_invitation(ch_arena *a, sqlite3_stmt *st, ch_survey_invitation *inv)
{
    memset(inv, 0, sizeof(*inv));
    inv->id = sqlite3_column_int64(st, 0);
    inv->case_id = sqlite3_column_int64(st, 1);
    inv->outbox_id = sqlite3_column_int64(st, 2);
    inv->service = ch_sq_text(a, st, 3);
    inv->sent_at = sqlite3_column_int64(st, 4);
    inv->expires_at = sqlite3_column_int64(st, 5);
    inv->anonymous_allowed = sqlite3_column_int(st, 6) != 0;
    inv->used = sqlite3_column_int(st, 7) != 0;
    inv->responded_at = sqlite3_column_int64(st, 8);
}

int ch_sq_survey_find(ch_store *base, const char *token_hash, ch_arena *a,
                      ch_survey_invitation *out, ch_error *err)
{
    static const char sql[] = SURVEY_FIND("?");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, token_hash);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_invitation(a, st, out);
        out->token_hash = ch_arena_strdup(a, token_hash);
    } else if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no survey with this link");
    } else {
        rc = ch_sq_error(c, err, "reading a survey invitation");
    }
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct answer_job {
    const char *token_hash;
    ch_survey_response *r;
    ch_arena arena;
} answer_job;

static int answer_fn(sq_conn *c, void *arg, ch_error *err)
{
    answer_job *job = arg;
    ch_survey_response *r = job->r;
    static const char use[] = SURVEY_USE("?1", "?2", "?3");
    static const char why[] = "SELECT used FROM survey_invitations WHERE token_hash = ?";
    static const char ins[] = SURVEY_RESPOND("?, ?, ?, ?, ?, ?");
    sqlite3_stmt *st = ch_sq_stmt(c, use, err);
    if (!st)
        return CH_E_STORE;
    if (r->anonymous)
        sqlite3_bind_null(st, 1);
    else
        sqlite3_bind_int64(st, 1, r->submitted_at);
    ch_sq_bind_text(st, 2, job->token_hash);
    sqlite3_bind_int64(st, 3, r->submitted_at);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        int64_t invitation = sqlite3_column_int64(st, 0);
        r->case_id = r->anonymous ? 0 : sqlite3_column_int64(st, 1);
        r->invitation_id = r->anonymous ? 0 : invitation;
        r->service = ch_sq_text(&job->arena, st, 2);
        step = sqlite3_step(st); /* to its end, so the update is complete */
    } else if (step == SQLITE_DONE) {
        sqlite3_stmt *q = ch_sq_stmt(c, why, err);
        if (!q)
            return CH_E_STORE;
        ch_sq_bind_text(q, 1, job->token_hash);
        step = sqlite3_step(q);
        if (step == SQLITE_ROW && sqlite3_column_int(q, 0))
            return ch_error_set(err, CH_E_CONFLICT, "this survey has already been answered");
        if (step == SQLITE_ROW || step == SQLITE_DONE)
            return ch_error_set(err, CH_E_NOTFOUND, "there is no open survey with this link");
        return ch_sq_error(c, err, "reading a survey invitation");
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "using a survey invitation");
    if (!r->service)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (!(st = ch_sq_stmt(c, ins, err)))
        return CH_E_STORE;
    ch_sq_bind_id(st, 1, r->invitation_id);
    ch_sq_bind_text(st, 2, r->service);
    sqlite3_bind_int(st, 3, r->rating);
    ch_sq_bind_text(st, 4, r->comment);
    sqlite3_bind_int(st, 5, r->anonymous);
    sqlite3_bind_int64(st, 6, r->submitted_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "storing a survey answer");
    r->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_survey_answer(ch_store *base, const char *token_hash, ch_survey_response *r,
                        ch_error *err)
{
    answer_job job = {token_hash, r, {0}};
    int rc = ch_sq_write((sq *)base, answer_fn, &job, err);
    /* The service named lives in the job's arena: the caller's own is
     * what it passed in r, so copy nothing back but the facts. */
    r->service = NULL;
    ch_arena_free(&job.arena);
    return rc;
}

/* Binds a filter's span, service and limit to parameters 1-4. */
static void bind_filter(sqlite3_stmt *st, const ch_survey_filter *f)
{
    sqlite3_bind_int64(st, 1, f->from);
    sqlite3_bind_int64(st, 2, f->to);
    ch_sq_bind_text(st, 3, f->service);
    bind_limit(st, 4, f->limit, 100000);
}

int ch_sq_survey_invitations(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                             ch_survey_invitation **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_INVITATIONS("?1", "?2", "?3", "?4");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_survey_invitation *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    bind_filter(st, f);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        read_invitation(a, st, &list[(*n)++]);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading survey invitations");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_survey_responses(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                           ch_survey_response **out, size_t *n, ch_error *err)
{
    static const char sql[] = SURVEY_RESPONSES("?1", "?2", "?3", "?4");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_survey_response *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    bind_filter(st, f);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_survey_response *r = &list[(*n)++];
        memset(r, 0, sizeof(*r));
        r->id = sqlite3_column_int64(st, 0);
        r->invitation_id = sqlite3_column_int64(st, 1);
        r->case_id = sqlite3_column_int64(st, 2);
        r->service = ch_sq_text(a, st, 3);
        r->rating = sqlite3_column_int(st, 4);
        r->comment = ch_sq_text(a, st, 5);
        r->anonymous = sqlite3_column_int(st, 6) != 0;
        r->submitted_at = sqlite3_column_int64(st, 7);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading survey answers");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}
