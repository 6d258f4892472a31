/* Incidents and restrictions on a person in the SQLite backend. Lists are
 * kept as comma-separated text; the SQL is shared with PostgreSQL. */
#include "store/safeguards_sql.h"
#include "store/sqlite/internal.h"

#include <string.h>

typedef struct incident_job {
    ch_incident *i;
    ch_arena arena;
} incident_job;

static void bind_time(sqlite3_stmt *st, int i, ch_time t)
{
    if (t)
        sqlite3_bind_int64(st, i, t);
    else
        sqlite3_bind_null(st, i);
}

static int incident_fn(sq_conn *c, void *arg, ch_error *err)
{
    incident_job *job = arg;
    ch_incident *i = job->i;
    static const char sql[] = INCIDENT_INSERT("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, i->person_id);
    ch_sq_bind_id(st, 2, i->case_id);
    sqlite3_bind_int64(st, 3, i->at);
    ch_sq_bind_text(st, 4, i->channel);
    ch_sq_bind_text(st, 5, i->kind);
    ch_sq_bind_text(st, 6, i->what);
    ch_sq_bind_text(st, 7, ch_store_ids_join(&job->arena, i->staff, i->nstaff));
    sqlite3_bind_int(st, 8, i->health_and_safety);
    ch_sq_bind_text(st, 9, i->police_reference);
    ch_sq_bind_text(st, 10,
                    ch_store_list_join(&job->arena, (const char *const *)i->actions, i->nactions));
    ch_sq_bind_id(st, 11, i->created_by);
    sqlite3_bind_int64(st, 12, i->created_at);
    ch_sq_bind_text(st, 13, i->service);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID, "there is no person %lld or no case %lld",
                            (long long)i->person_id, (long long)i->case_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording an incident");
    i->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_incident_insert(ch_store *base, ch_incident *i, ch_error *err)
{
    incident_job job = {i, {0}};
    int rc = ch_sq_write((sq *)base, incident_fn, &job, err);
    ch_arena_free(&job.arena);
    return rc;
}

int ch_sq_incident_list(ch_store *base, int64_t person_id, ch_arena *a, ch_incident **out,
                        size_t *n, ch_error *err)
{
    static const char sql[] = INCIDENT_LIST("?");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_incident *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            ch_incident *grown = ch_arena_alloc(a, ncap * sizeof(*grown));
            if (!grown) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
            if (list)
                memcpy(grown, list, *n * sizeof(*grown));
            list = grown;
            cap = ncap;
        }
        ch_incident *i = &list[(*n)++];
        memset(i, 0, sizeof(*i));
        i->id = sqlite3_column_int64(st, 0);
        i->person_id = sqlite3_column_int64(st, 1);
        i->case_id = sqlite3_column_int64(st, 2);
        i->at = sqlite3_column_int64(st, 3);
        i->channel = ch_sq_text(a, st, 4);
        i->kind = ch_sq_text(a, st, 5);
        i->what = ch_sq_text(a, st, 6);
        i->health_and_safety = sqlite3_column_int(st, 8) != 0;
        i->police_reference = ch_sq_text(a, st, 9);
        i->created_by = sqlite3_column_int64(st, 11);
        i->created_at = sqlite3_column_int64(st, 12);
        i->service = ch_sq_text(a, st, 13);
        if (ch_store_ids_split(a, ch_sq_text(a, st, 7), &i->staff, &i->nstaff) ||
            ch_store_list_split(a, ch_sq_text(a, st, 10), &i->actions, &i->nactions)) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading incidents");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct restriction_job {
    ch_restriction *r;
    ch_arena arena;
} restriction_job;

static int restriction_fn(sq_conn *c, void *arg, ch_error *err)
{
    restriction_job *job = arg;
    ch_restriction *r = job->r;
    static const char sql[] = RESTRICTION_INSERT("?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?");
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, r->person_id);
    ch_sq_bind_text(
        st, 2, ch_store_list_join(&job->arena, (const char *const *)r->channels, r->nchannels));
    ch_sq_bind_id(st, 3, r->point_of_contact);
    sqlite3_bind_int(st, 4, r->replies);
    sqlite3_bind_int(st, 5, r->per_days);
    sqlite3_bind_int(st, 6, r->refuse_service);
    ch_sq_bind_text(st, 7, r->reason);
    sqlite3_bind_int(st, 8, r->review_on);
    ch_sq_bind_text(st, 9, r->status);
    ch_sq_bind_id(st, 10, r->created_by);
    sqlite3_bind_int64(st, 11, r->created_at);
    ch_sq_bind_text(st, 12, r->service);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID,
                            "there is no person %lld or no user %lld to be the point of contact",
                            (long long)r->person_id, (long long)r->point_of_contact);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "recording a restriction");
    r->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_restriction_insert(ch_store *base, ch_restriction *r, ch_error *err)
{
    restriction_job job = {r, {0}};
    int rc = ch_sq_write((sq *)base, restriction_fn, &job, err);
    ch_arena_free(&job.arena);
    return rc;
}

static int read_restriction(ch_arena *a, sqlite3_stmt *st, ch_restriction *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    r->person_id = sqlite3_column_int64(st, 1);
    r->point_of_contact = sqlite3_column_int64(st, 3);
    r->replies = sqlite3_column_int(st, 4);
    r->per_days = sqlite3_column_int(st, 5);
    r->refuse_service = sqlite3_column_int(st, 6) != 0;
    r->reason = ch_sq_text(a, st, 7);
    r->review_on = sqlite3_column_int(st, 8);
    r->status = ch_sq_text(a, st, 9);
    r->notice_sent_at = sqlite3_column_int64(st, 10);
    r->notice_how = ch_sq_text(a, st, 11);
    r->ended_at = sqlite3_column_int64(st, 12);
    r->end_reason = ch_sq_text(a, st, 13);
    r->review_note = ch_sq_text(a, st, 14);
    r->created_by = sqlite3_column_int64(st, 15);
    r->created_at = sqlite3_column_int64(st, 16);
    r->point_of_contact_name = ch_sq_text(a, st, 17);
    r->person_name = ch_sq_text(a, st, 18);
    r->last_reply_at = sqlite3_column_int64(st, 19);
    r->service = ch_sq_text(a, st, 20);
    return ch_store_list_split(a, ch_sq_text(a, st, 2), &r->channels, &r->nchannels);
}

int ch_sq_restriction_get(ch_store *base, int64_t id, ch_arena *a, ch_restriction *out,
                          ch_error *err)
{
    static const char sql[] = RESTRICTION_GET("?");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no restriction %lld", (long long)id);
    else if (step != SQLITE_ROW)
        rc = ch_sq_error(c, err, "reading a restriction");
    else if (read_restriction(a, st, out))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_restriction_list(ch_store *base, const ch_restriction_filter *f, ch_arena *a,
                           ch_restriction **out, size_t *n, ch_error *err)
{
    static const char sql[] = RESTRICTION_LIST("?1", "?2", "?3", "?4");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_restriction *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, f->person_id);
    ch_sq_bind_text(st, 2, f->status);
    sqlite3_bind_int(st, 3, f->review_by);
    sqlite3_bind_int64(st, 4, f->limit ? (int64_t)f->limit : 200);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            ch_restriction *grown = ch_arena_alloc(a, ncap * sizeof(*grown));
            if (!grown) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
            if (list)
                memcpy(grown, list, *n * sizeof(*grown));
            list = grown;
            cap = ncap;
        }
        if (read_restriction(a, st, &list[(*n)++])) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading restrictions");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

static int change_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_restriction_change *ch = arg;
    static const char sql[] =
        RESTRICTION_CHANGE("?1", "?2", "?3", "?4", "?5", "?6", "?7", "?8", "?9");
    static const char exists[] = "SELECT status FROM restrictions WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, ch->id);
    ch_sq_bind_text(st, 2, ch->status);
    bind_time(st, 3, ch->notice_sent_at);
    ch_sq_bind_text(st, 4, ch->notice_how);
    bind_time(st, 5, ch->ended_at);
    ch_sq_bind_text(st, 6, ch->end_reason);
    if (ch->review_on)
        sqlite3_bind_int(st, 7, ch->review_on);
    else
        sqlite3_bind_null(st, 7);
    ch_sq_bind_text(st, 8, ch->review_note);
    ch_sq_bind_text(st, 9, ch->expect);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "changing a restriction");
    if (sqlite3_changes(c->db) == 1)
        return CH_OK;
    if (!(st = ch_sq_stmt(c, exists, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, ch->id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return ch_error_set(err, CH_E_CONFLICT, "restriction %lld is %s, not %s", (long long)ch->id,
                            (const char *)sqlite3_column_text(st, 0), ch->expect);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no restriction %lld", (long long)ch->id);
    return ch_sq_error(c, err, "reading a restriction");
}

int ch_sq_restriction_change(ch_store *base, const ch_restriction_change *ch, ch_error *err)
{
    return ch_sq_write((sq *)base, change_fn, (void *)ch, err);
}
