/* Incidents and restrictions on a person in the PostgreSQL backend, with
 * the SQL the SQLite backend uses. */
#include "store/postgres/internal.h"
#include "store/safeguards_sql.h"

#include <stdio.h>
#include <string.h>

/* Runs a fixed statement on a pooled connection; a foreign-key violation
 * is the caller's missing sentence (CH_E_INVALID). */
static int run(pg *s, const char *sql, const pg_params *p, const char *doing, const char *missing,
               PGresult **out, ch_error *err)
{
    pg_conn *c = ch_pg_acquire(s);
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    ch_pg_release(c);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        bool fk = ch_pg_violation(res, "23503");
        PQclear(res);
        if (fk && missing)
            return ch_error_set(err, CH_E_INVALID, "%s", missing);
        return err->code ? err->code : CH_E_STORE;
    }
    *out = res;
    return CH_OK;
}

static void time_param(pg_params *p, ch_time t)
{
    if (t)
        ch_pg_int(p, t);
    else
        ch_pg_text(p, NULL);
}

int ch_pg_incident_insert(ch_store *base, ch_incident *i, ch_error *err)
{
    static const char sql[] =
        INCIDENT_INSERT("$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13") " RETURNING id";
    pg_params p = {0};
    ch_arena a = {0};
    PGresult *res = NULL;
    char missing[160];
    snprintf(missing, sizeof(missing), "there is no person %lld or no case %lld",
             (long long)i->person_id, (long long)i->case_id);
    ch_pg_int(&p, i->person_id);
    ch_pg_id(&p, i->case_id);
    ch_pg_int(&p, i->at);
    ch_pg_text(&p, i->channel);
    ch_pg_text(&p, i->kind);
    ch_pg_text(&p, i->what);
    ch_pg_text(&p, ch_store_ids_join(&a, i->staff, i->nstaff));
    ch_pg_int(&p, i->health_and_safety);
    ch_pg_text(&p, i->police_reference);
    ch_pg_text(&p, ch_store_list_join(&a, (const char *const *)i->actions, i->nactions));
    ch_pg_id(&p, i->created_by);
    ch_pg_int(&p, i->created_at);
    ch_pg_text(&p, i->service);
    int rc = run((pg *)base, sql, &p, "recording an incident", missing, &res, err);
    if (!rc) {
        i->id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    ch_arena_free(&a);
    return rc;
}

int ch_pg_incident_list(ch_store *base, int64_t person_id, ch_arena *a, ch_incident **out,
                        size_t *n, ch_error *err)
{
    static const char sql[] = INCIDENT_LIST("$1");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, person_id);
    int rc = run((pg *)base, sql, &p, "reading incidents", NULL, &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_incident *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int k = 0; !rc && k < rows; k++) {
        ch_incident *i = &list[k];
        i->id = ch_pg_get_int(res, k, 0);
        i->person_id = ch_pg_get_int(res, k, 1);
        i->case_id = ch_pg_get_int(res, k, 2);
        i->at = ch_pg_get_int(res, k, 3);
        i->channel = ch_pg_get_text(a, res, k, 4);
        i->kind = ch_pg_get_text(a, res, k, 5);
        i->what = ch_pg_get_text(a, res, k, 6);
        i->health_and_safety = ch_pg_get_int(res, k, 8) != 0;
        i->police_reference = ch_pg_get_text(a, res, k, 9);
        i->created_by = ch_pg_get_int(res, k, 11);
        i->created_at = ch_pg_get_int(res, k, 12);
        i->service = ch_pg_get_text(a, res, k, 13);
        if (ch_store_ids_split(a, ch_pg_get_text(a, res, k, 7), &i->staff, &i->nstaff) ||
            ch_store_list_split(a, ch_pg_get_text(a, res, k, 10), &i->actions, &i->nactions))
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_restriction_insert(ch_store *base, ch_restriction *r, ch_error *err)
{
    static const char sql[] =
        RESTRICTION_INSERT("$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12") " RETURNING id";
    pg_params p = {0};
    ch_arena a = {0};
    PGresult *res = NULL;
    char missing[160];
    snprintf(missing, sizeof(missing),
             "there is no person %lld or no user %lld to be the point of contact",
             (long long)r->person_id, (long long)r->point_of_contact);
    ch_pg_int(&p, r->person_id);
    ch_pg_text(&p, ch_store_list_join(&a, (const char *const *)r->channels, r->nchannels));
    ch_pg_id(&p, r->point_of_contact);
    ch_pg_int(&p, r->replies);
    ch_pg_int(&p, r->per_days);
    ch_pg_int(&p, r->refuse_service);
    ch_pg_text(&p, r->reason);
    ch_pg_int(&p, r->review_on);
    ch_pg_text(&p, r->status);
    ch_pg_id(&p, r->created_by);
    ch_pg_int(&p, r->created_at);
    ch_pg_text(&p, r->service);
    int rc = run((pg *)base, sql, &p, "recording a restriction", missing, &res, err);
    if (!rc) {
        r->id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
    }
    ch_arena_free(&a);
    return rc;
}

static int read_restriction(ch_arena *a, const PGresult *res, int k, ch_restriction *r)
{
    memset(r, 0, sizeof(*r));
    r->id = ch_pg_get_int(res, k, 0);
    r->person_id = ch_pg_get_int(res, k, 1);
    r->point_of_contact = ch_pg_get_int(res, k, 3);
    r->replies = (int32_t)ch_pg_get_int(res, k, 4);
    r->per_days = (int32_t)ch_pg_get_int(res, k, 5);
    r->refuse_service = ch_pg_get_int(res, k, 6) != 0;
    r->reason = ch_pg_get_text(a, res, k, 7);
    r->review_on = (ch_date)ch_pg_get_int(res, k, 8);
    r->status = ch_pg_get_text(a, res, k, 9);
    r->notice_sent_at = ch_pg_get_int(res, k, 10);
    r->notice_how = ch_pg_get_text(a, res, k, 11);
    r->ended_at = ch_pg_get_int(res, k, 12);
    r->end_reason = ch_pg_get_text(a, res, k, 13);
    r->review_note = ch_pg_get_text(a, res, k, 14);
    r->created_by = ch_pg_get_int(res, k, 15);
    r->created_at = ch_pg_get_int(res, k, 16);
    r->point_of_contact_name = ch_pg_get_text(a, res, k, 17);
    r->person_name = ch_pg_get_text(a, res, k, 18);
    r->last_reply_at = ch_pg_get_int(res, k, 19);
    r->service = ch_pg_get_text(a, res, k, 20);
    return ch_store_list_split(a, ch_pg_get_text(a, res, k, 2), &r->channels, &r->nchannels);
}

int ch_pg_restriction_get(ch_store *base, int64_t id, ch_arena *a, ch_restriction *out,
                          ch_error *err)
{
    static const char sql[] = RESTRICTION_GET("$1");
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    int rc = run((pg *)base, sql, &p, "reading a restriction", NULL, &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no restriction %lld", (long long)id);
    else if (read_restriction(a, res, 0, out))
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    PQclear(res);
    return rc;
}

int ch_pg_restriction_list(ch_store *base, const ch_restriction_filter *f, ch_arena *a,
                           ch_restriction **out, size_t *n, ch_error *err)
{
    static const char sql[] = RESTRICTION_LIST("$1::bigint", "$2::text", "$3::bigint", "$4");
    pg_params p = {0};
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, f->person_id);
    ch_pg_text(&p, f->status);
    ch_pg_int(&p, f->review_by);
    ch_pg_int(&p, f->limit ? (int64_t)f->limit : 200);
    int rc = run((pg *)base, sql, &p, "reading restrictions", NULL, &res, err);
    if (rc)
        return rc;
    int rows = PQntuples(res);
    ch_restriction *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int k = 0; !rc && k < rows; k++)
        if (read_restriction(a, res, k, &list[k]))
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (!rc) {
        *out = list;
        *n = (size_t)rows;
    }
    PQclear(res);
    return rc;
}

int ch_pg_restriction_change(ch_store *base, const ch_restriction_change *ch, ch_error *err)
{
    static const char sql[] =
        RESTRICTION_CHANGE("$1", "$2::text", "$3::bigint", "$4::text", "$5::bigint", "$6::text",
                           "$7::bigint", "$8::text", "$9") " RETURNING id";
    static const char exists[] = "SELECT status FROM restrictions WHERE id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, ch->id);
    ch_pg_text(&p, ch->status);
    time_param(&p, ch->notice_sent_at);
    ch_pg_text(&p, ch->notice_how);
    time_param(&p, ch->ended_at);
    ch_pg_text(&p, ch->end_reason);
    time_param(&p, ch->review_on);
    ch_pg_text(&p, ch->review_note);
    ch_pg_text(&p, ch->expect);
    int rc = run((pg *)base, sql, &p, "changing a restriction", NULL, &res, err);
    if (rc)
        return rc;
    int changed = PQntuples(res);
    PQclear(res);
    if (changed == 1)
        return CH_OK;
    pg_params q = {0};
    ch_pg_int(&q, ch->id);
    if ((rc = run((pg *)base, exists, &q, "reading a restriction", NULL, &res, err)))
        return rc;
    if (PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no restriction %lld", (long long)ch->id);
    else
        rc = ch_error_set(err, CH_E_CONFLICT, "restriction %lld is %s, not %s", (long long)ch->id,
                          PQgetvalue(res, 0, 0), ch->expect);
    PQclear(res);
    return rc;
}
