/* Cases in the PostgreSQL backend: each write one transaction, changes
 * checked against the case's version under a row lock (so two servers never
 * lose an update), queues as index range scans, and the breach sweep taking
 * its rows with FOR UPDATE SKIP LOCKED so it runs once however many servers
 * share the database. */
#include "store/postgres/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As in the SQLite backend: no due time sorts after every due time. */
#define NO_DUE ((int64_t)253402300799)

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs a statement inside the current transaction; 0 or the error. */
static int step(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
                ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, doing);
    if (!ok(res)) {
        PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return CH_OK;
}

static char *flags_join(const char *const *flags, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(flags[i]) + 1;
    char *out = malloc(len), *p = out;
    if (!out)
        return NULL;
    *p = '\0';
    if (n == 0)
        return out;
    *p++ = ',';
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(flags[i]);
        memcpy(p, flags[i], k);
        p += k;
        *p++ = ',';
    }
    *p = '\0';
    return out;
}

void ch_pg_read_case(ch_arena *a, const PGresult *res, int row, ch_case_row *c)
{
    memset(c, 0, sizeof(*c));
    c->id = ch_pg_get_int(res, row, 0);
    c->service = ch_pg_get_text(a, res, row, 1);
    c->kind = ch_pg_get_text(a, res, row, 2);
    c->channel = ch_pg_get_text(a, res, row, 3);
    c->subject = ch_pg_get_text(a, res, row, 4);
    c->status = ch_pg_get_text(a, res, row, 5);
    c->received_at = ch_pg_get_int(res, row, 6);
    c->deemed_at = ch_pg_get_int(res, row, 7);
    c->requester_name = ch_pg_get_text(a, res, row, 8);
    c->requester_email = ch_pg_get_text(a, res, row, 9);
    c->organisation = ch_pg_get_text(a, res, row, 10);
    c->officer_id = ch_pg_get_int(res, row, 11);
    const char *flags = PQgetvalue(res, row, 12);
    size_t n = 0;
    for (const char *p = flags; *p; p++)
        n += *p == ',';
    if (n > 1 && (c->flags = ch_arena_alloc(a, n * sizeof(char *)))) {
        const char *p = flags + 1;
        while (*p) {
            const char *comma = strchr(p, ',');
            if (!comma)
                break;
            if (comma > p)
                c->flags[c->nflags++] = ch_arena_strndup(a, p, (size_t)(comma - p));
            p = comma + 1;
        }
    }
    c->version = ch_pg_get_int(res, row, 13);
    c->next_due_at = ch_pg_get_int(res, row, 14);
    if (c->next_due_at == NO_DUE)
        c->next_due_at = 0;
    c->created_at = ch_pg_get_int(res, row, 15);
    c->updated_at = ch_pg_get_int(res, row, 16);
    c->person_id = ch_pg_get_int(res, row, 17);
    c->organisation_id = ch_pg_get_int(res, row, 18);
}

int ch_pg_case_rows(const PGresult *res, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err)
{
    int rows = PQntuples(res);
    ch_case_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (int i = 0; i < rows; i++)
        ch_pg_read_case(a, res, i, &list[i]);
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

void ch_pg_in_list(char *sql, size_t size, size_t *used, const char *column, int first, size_t n)
{
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, " AND %s IN (", column);
    for (size_t i = 0; i < n; i++)
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, "%s$%d",
                                  i ? ", " : "", first + (int)i);
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, ")");
}

static int index_text(pg_conn *c, int64_t case_id, const char *const *parts, size_t n,
                      ch_error *err)
{
    static const char sql[] =
        "INSERT INTO search(case_id, body) VALUES($1, to_tsvector('simple', $2))";
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += parts[i] ? strlen(parts[i]) + 1 : 0;
    char *body = malloc(len), *p = body;
    if (!body)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!parts[i])
            continue;
        size_t k = strlen(parts[i]);
        memcpy(p, parts[i], k);
        p += k;
        *p++ = '\n';
    }
    *p = '\0';
    pg_params q = {0};
    ch_pg_int(&q, case_id);
    ch_pg_text(&q, body);
    int rc = step(c, sql, &q, "indexing a case for search", NULL, err);
    free(body);
    return rc;
}

/* Finds the person by email, or the organisation by name, or adds it; a
 * person is added with its email (with_key), an organisation by name only. */
/* with_key: a person, found by key (their email) and added with it and
 * with service; otherwise an organisation, by name. */
static int link(pg_conn *c, const char *find, const char *ins, const char *key, bool with_key,
                const char *name, const char *service, ch_time now, int64_t *id, ch_error *err)
{
    PGresult *res = NULL;
    pg_params p = {0};
    int rc;
    if (key) {
        ch_pg_text(&p, key);
        if ((rc = step(c, find, &p, "finding a person or organisation", &res, err)))
            return rc;
        if (PQntuples(res) > 0) {
            *id = ch_pg_get_int(res, 0, 0);
            PQclear(res);
            return CH_OK;
        }
        PQclear(res);
    }
    pg_params q = {0};
    ch_pg_text(&q, name);
    if (with_key)
        ch_pg_text(&q, key);
    ch_pg_int(&q, now);
    if (with_key)
        ch_pg_text(&q, service);
    if ((rc = step(c, ins, &q, "adding a person or organisation", &res, err)))
        return rc;
    *id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return CH_OK;
}

static int insert_obligation(pg_conn *c, int64_t case_id, const ch_obligation_row *o, int64_t *id,
                             ch_error *err)
{
    static const char sql[] =
        "INSERT INTO obligations(case_id, promise, kind, text, due_at,"
        " state, met_at, reason, service) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " RETURNING id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, case_id);
    ch_pg_text(&p, o->promise);
    ch_pg_text(&p, o->kind);
    ch_pg_text(&p, o->text);
    ch_pg_int(&p, o->due_at);
    ch_pg_text(&p, o->state);
    ch_pg_id(&p, o->met_at);
    ch_pg_text(&p, o->reason);
    ch_pg_text(&p, o->service);
    int rc = step(c, sql, &p, "adding an obligation", &res, err);
    if (!rc && id)
        *id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

static int insert_event(pg_conn *c, int64_t case_id, const ch_event_row *e, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO events(case_id, at, actor, what, detail) VALUES($1, $2, $3, $4, $5)";
    pg_params p = {0};
    ch_pg_int(&p, case_id);
    ch_pg_int(&p, e->at);
    ch_pg_id(&p, e->actor);
    ch_pg_text(&p, e->what);
    ch_pg_text(&p, e->detail);
    return step(c, sql, &p, "adding an event", NULL, err);
}

int ch_pg_case_insert_in(pg_conn *c, ch_case_row *row, ch_error *err)
{
    static const char person_find[] =
        "SELECT coalesce(merged_into, id) FROM people WHERE lower(email) = lower($1)"
        " ORDER BY merged_into IS NOT NULL, id LIMIT 1";
    static const char person_ins[] =
        "INSERT INTO people(name, email, created_at, service) VALUES($1, $2, $3, $4) RETURNING id";
    static const char org_find[] = "SELECT id FROM organisations WHERE name = $1";
    static const char org_ins[] = "INSERT INTO organisations(name, kind, created_at)"
                                  " VALUES($1, 'other', $2) ON CONFLICT (name) DO UPDATE"
                                  " SET name = EXCLUDED.name RETURNING id";
    static const char ins[] =
        "INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at,"
        " requester_name, requester_email, organisation, officer_id, flags, version, next_due_at,"
        " created_at, updated_at, person_id, organisation_id)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $14, $15, $16)"
        " RETURNING id";
    int rc = CH_OK;
    if (!row->person_id && (row->requester_email || row->requester_name))
        rc = link(c, person_find, person_ins, row->requester_email, true,
                  row->requester_name ? row->requester_name : row->requester_email, row->service,
                  row->created_at, &row->person_id, err);
    if (!rc && !row->organisation_id && row->organisation)
        rc = link(c, org_find, org_ins, row->organisation, false, row->organisation, NULL,
                  row->created_at, &row->organisation_id, err);
    if (rc)
        return rc;
    char *flags = flags_join(row->flags, row->nflags);
    if (!flags)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, row->service);
    ch_pg_text(&p, row->kind);
    ch_pg_text(&p, row->channel);
    ch_pg_text(&p, row->subject);
    ch_pg_text(&p, row->status);
    ch_pg_int(&p, row->received_at);
    ch_pg_int(&p, row->deemed_at);
    ch_pg_text(&p, row->requester_name);
    ch_pg_text(&p, row->requester_email);
    ch_pg_text(&p, row->organisation);
    ch_pg_id(&p, row->officer_id);
    ch_pg_text(&p, flags);
    ch_pg_int(&p, row->next_due_at ? row->next_due_at : NO_DUE);
    ch_pg_int(&p, row->created_at);
    ch_pg_id(&p, row->person_id);
    ch_pg_id(&p, row->organisation_id);
    rc = step(c, ins, &p, "adding a case", &res, err);
    free(flags);
    if (rc)
        return rc;
    row->id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    row->version = 1;
    row->updated_at = row->created_at;
    const char *words[] = {row->subject, row->requester_name, row->requester_email,
                           row->organisation};
    if ((rc = index_text(c, row->id, words, 4, err)))
        return rc;
    for (size_t i = 0; i < row->nobligations; i++)
        if ((rc =
                 insert_obligation(c, row->id, &row->obligations[i], &row->obligations[i].id, err)))
            return rc;
    for (size_t i = 0; i < row->nevents; i++)
        if ((rc = insert_event(c, row->id, &row->events[i], err)))
            return rc;
    return CH_OK;
}

/* BEGIN, body, COMMIT (or ROLLBACK when body fails). */
static int in_transaction(pg_conn *c, int rc, ch_error *err)
{
    if (rc == CH_OK)
        return ch_pg_exec(c, "COMMIT", err);
    ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    return rc;
}

int ch_pg_case_insert(ch_store *base, ch_case_row *row, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = in_transaction(c, ch_pg_case_insert_in(c, row, err), err);
    ch_pg_release(c);
    return rc;
}

static int load_case(pg_conn *c, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err)
{
    static const char cas[] = "SELECT " CH_PG_CASE_COLUMNS " FROM cases WHERE id = $1";
    static const char obl[] = "SELECT id, promise, kind, text, due_at, state, met_at,"
                              " met_by_contact, reason, service"
                              " FROM obligations WHERE case_id = $1 ORDER BY due_at, id";
    static const char con[] =
        "SELECT id, direction, channel, who, summary, outcome, at,"
        " created_by, handed_to, with_person_id, channel_reason FROM contacts WHERE case_id = $1"
        " ORDER BY at, id";
    static const char evt[] =
        "SELECT id, at, actor, what, detail FROM events WHERE case_id = $1 ORDER BY at, id";
    static const char pau[] =
        "SELECT from_at, to_at FROM pauses WHERE case_id = $1 ORDER BY from_at, id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    int rc = step(c, cas, &p, "reading a case", &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)id);
    }
    ch_pg_read_case(a, res, 0, out);
    PQclear(res);
    if ((rc = step(c, obl, &p, "reading obligations", &res, err)))
        return rc;
    int n = PQntuples(res);
    out->obligations = n ? ch_arena_alloc(a, (size_t)n * sizeof(*out->obligations)) : NULL;
    for (int i = 0; i < n && out->obligations; i++) {
        ch_obligation_row *o = &out->obligations[out->nobligations++];
        o->id = ch_pg_get_int(res, i, 0);
        o->promise = ch_pg_get_text(a, res, i, 1);
        o->kind = ch_pg_get_text(a, res, i, 2);
        o->text = ch_pg_get_text(a, res, i, 3);
        o->due_at = ch_pg_get_int(res, i, 4);
        o->state = ch_pg_get_text(a, res, i, 5);
        o->met_at = ch_pg_get_int(res, i, 6);
        o->met_by_contact = ch_pg_get_int(res, i, 7);
        o->reason = ch_pg_get_text(a, res, i, 8);
        o->service = ch_pg_get_text(a, res, i, 9);
    }
    PQclear(res);
    if ((rc = step(c, con, &p, "reading contacts", &res, err)))
        return rc;
    n = PQntuples(res);
    out->contacts = n ? ch_arena_alloc(a, (size_t)n * sizeof(*out->contacts)) : NULL;
    for (int i = 0; i < n && out->contacts; i++) {
        ch_contact_row *k = &out->contacts[out->ncontacts++];
        k->id = ch_pg_get_int(res, i, 0);
        k->direction = ch_pg_get_text(a, res, i, 1);
        k->channel = ch_pg_get_text(a, res, i, 2);
        k->who = ch_pg_get_text(a, res, i, 3);
        k->summary = ch_pg_get_text(a, res, i, 4);
        k->outcome = ch_pg_get_text(a, res, i, 5);
        k->at = ch_pg_get_int(res, i, 6);
        k->created_by = ch_pg_get_int(res, i, 7);
        k->handed_to = ch_pg_get_int(res, i, 8);
        k->with_person_id = ch_pg_get_int(res, i, 9);
        k->channel_reason = ch_pg_get_text(a, res, i, 10);
    }
    PQclear(res);
    if ((rc = step(c, evt, &p, "reading events", &res, err)))
        return rc;
    n = PQntuples(res);
    out->events = n ? ch_arena_alloc(a, (size_t)n * sizeof(*out->events)) : NULL;
    for (int i = 0; i < n && out->events; i++) {
        ch_event_row *e = &out->events[out->nevents++];
        e->id = ch_pg_get_int(res, i, 0);
        e->at = ch_pg_get_int(res, i, 1);
        e->actor = ch_pg_get_int(res, i, 2);
        e->what = ch_pg_get_text(a, res, i, 3);
        e->detail = ch_pg_get_text(a, res, i, 4);
    }
    PQclear(res);
    if ((rc = step(c, pau, &p, "reading pauses", &res, err)))
        return rc;
    n = PQntuples(res);
    out->pauses = n ? ch_arena_alloc(a, (size_t)n * sizeof(*out->pauses)) : NULL;
    for (int i = 0; i < n && out->pauses; i++) {
        out->pauses[out->npauses].from = ch_pg_get_int(res, i, 0);
        out->pauses[out->npauses++].to = ch_pg_get_int(res, i, 1);
    }
    PQclear(res);
    return CH_OK;
}

int ch_pg_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    /* One snapshot for the case and its parts. */
    int rc = ch_pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (!rc) {
        rc = load_case(c, id, a, out, err);
        ch_pg_exec(c, rc ? "ROLLBACK" : "COMMIT", &(ch_error){0});
    }
    ch_pg_release(c);
    return rc;
}

int ch_pg_case_update_in(pg_conn *c, const ch_case_update *u, int64_t *new_version, ch_error *err)
{
    static const char ver[] = "SELECT version FROM cases WHERE id = $1 FOR UPDATE";
    static const char con[] =
        "INSERT INTO contacts(case_id, direction, channel, at, who, summary,"
        " outcome, created_by, created_at, handed_to, with_person_id, channel_reason)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    static const char obl[] =
        "UPDATE obligations SET state = $1, met_at = $2, due_at = $3, met_by_contact = $4,"
        " reason = $5, service = coalesce($6, service) WHERE id = $7 AND case_id = $8";
    static const char del[] = "DELETE FROM obligations WHERE id = $1 AND case_id = $2";
    static const char off[] = "UPDATE cases SET officer_id = $1 WHERE id = $2";
    static const char knd[] = "UPDATE cases SET kind = $1 WHERE id = $2";
    static const char flg[] = "UPDATE cases SET flags = $1 WHERE id = $2";
    static const char pend[] = "UPDATE pauses SET to_at = $1 WHERE case_id = $2 AND to_at IS NULL";
    static const char pin[] = "INSERT INTO pauses(case_id, from_at) VALUES($1, $2)";
    static const char mov[] = "UPDATE cases SET service = $1, deemed_at = $2 WHERE id = $3";
    static const char cas[] = "UPDATE cases SET version = version + 1, status = $1,"
                              " next_due_at = $2, updated_at = $3 WHERE id = $4";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, u->case_id);
    int rc = step(c, ver, &p, "locking a case", &res, err);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)u->case_id);
    }
    int64_t version = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    if (u->expect && u->expect != version)
        return ch_error_set(err, CH_E_CONFLICT,
                            "case %lld has changed since version %lld (it is now at %lld); "
                            "reload it and try again",
                            (long long)u->case_id, (long long)u->expect, (long long)version);
    if (u->contact) {
        ch_contact_row *k = u->contact;
        pg_params q = {0};
        ch_pg_int(&q, u->case_id);
        ch_pg_text(&q, k->direction);
        ch_pg_text(&q, k->channel);
        ch_pg_int(&q, k->at);
        ch_pg_text(&q, k->who);
        ch_pg_text(&q, k->summary);
        ch_pg_text(&q, k->outcome);
        ch_pg_id(&q, k->created_by);
        ch_pg_int(&q, u->now);
        ch_pg_id(&q, k->handed_to);
        ch_pg_id(&q, k->with_person_id);
        ch_pg_text(&q, k->channel_reason);
        if ((rc = step(c, con, &q, "adding a contact", &res, err)))
            return rc;
        k->id = ch_pg_get_int(res, 0, 0);
        PQclear(res);
        const char *words[] = {k->who, k->summary, k->outcome};
        if ((rc = index_text(c, u->case_id, words, 3, err)))
            return rc;
    }
    for (size_t i = 0; i < u->nchanged; i++) {
        pg_params q = {0};
        ch_pg_text(&q, u->changed[i].state);
        ch_pg_id(&q, u->changed[i].met_at);
        ch_pg_int(&q, u->changed[i].due_at);
        ch_pg_id(&q, ch_case_update_met_by(u, &u->changed[i]));
        ch_pg_text(&q, u->changed[i].reason);
        ch_pg_text(&q, u->changed[i].service);
        ch_pg_int(&q, u->changed[i].id);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, obl, &q, "updating an obligation", NULL, err)))
            return rc;
    }
    for (size_t i = 0; i < u->nadded; i++)
        if ((rc = insert_obligation(c, u->case_id, &u->added[i], NULL, err)))
            return rc;
    for (size_t i = 0; i < u->nremoved; i++) {
        pg_params q = {0};
        ch_pg_int(&q, u->removed[i]);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, del, &q, "removing an obligation", NULL, err)))
            return rc;
    }
    if (u->set_officer) {
        pg_params q = {0};
        ch_pg_id(&q, u->officer_id);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, off, &q, "assigning a case", NULL, err)))
            return rc;
    }
    if (u->kind) {
        pg_params q = {0};
        ch_pg_text(&q, u->kind);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, knd, &q, "changing a case's kind", NULL, err)))
            return rc;
    }
    if (u->set_flags) {
        char *joined = flags_join(u->flags, u->nflags);
        if (!joined)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        pg_params q = {0};
        ch_pg_text(&q, joined);
        ch_pg_int(&q, u->case_id);
        rc = step(c, flg, &q, "setting a case's flags", NULL, err);
        free(joined);
        if (rc)
            return rc;
    }
    if (u->service) {
        pg_params q = {0};
        ch_pg_text(&q, u->service);
        ch_pg_int(&q, u->deemed_at);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, mov, &q, "moving a case to another service", NULL, err)))
            return rc;
    }
    if (u->pause_to) {
        pg_params q = {0};
        ch_pg_int(&q, u->pause_to);
        ch_pg_int(&q, u->case_id);
        if ((rc = step(c, pend, &q, "ending a pause", NULL, err)))
            return rc;
    }
    if (u->pause_from) {
        pg_params q = {0};
        ch_pg_int(&q, u->case_id);
        ch_pg_int(&q, u->pause_from);
        if ((rc = step(c, pin, &q, "starting a pause", NULL, err)))
            return rc;
    }
    if (u->event && (rc = insert_event(c, u->case_id, u->event, err)))
        return rc;
    pg_params q = {0};
    ch_pg_text(&q, u->status);
    ch_pg_int(&q, u->next_due_at ? u->next_due_at : NO_DUE);
    ch_pg_int(&q, u->now);
    ch_pg_int(&q, u->case_id);
    if ((rc = step(c, cas, &q, "updating a case", NULL, err)))
        return rc;
    *new_version = version + 1;
    return CH_OK;
}

int ch_pg_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc)
        rc = in_transaction(c, ch_pg_case_update_in(c, u, new_version, err), err);
    ch_pg_release(c);
    return rc;
}

/* The queue's SQL with its parameters in p: the page of cases, or (count)
 * a row for each case up to a limit, to be counted (see queue_count). */
static void queue_sql(const ch_queue_query *q, bool count, bool later, char *sql, size_t size,
                      pg_params *p)
{
    bool due_queue = q->queue != CH_QUEUE_MINE && q->queue != CH_QUEUE_UNASSIGNED;
    size_t used = (size_t)snprintf(sql, size, "SELECT %s FROM cases WHERE %s",
                                   count ? "1" : CH_PG_CASE_COLUMNS,
                                   due_queue ? "status = 'open'" : "status <> 'closed'");
#define ADD(...) used += (size_t)snprintf(sql + used, used < size ? size - used : 0, __VA_ARGS__)
    switch (q->queue) {
    case CH_QUEUE_MINE:
        ch_pg_int(p, q->user_id);
        ADD(" AND officer_id = $%d", p->n);
        break;
    case CH_QUEUE_UNASSIGNED:
        ADD(" AND officer_id IS NULL");
        break;
    case CH_QUEUE_OVERDUE:
        ch_pg_int(p, q->now);
        ADD(later ? " AND next_due_at >= $%d" : " AND next_due_at < $%d", p->n);
        break;
    case CH_QUEUE_DUE_TODAY:
    case CH_QUEUE_AT_RISK:
        ch_pg_int(p, q->now);
        ADD(" AND next_due_at >= $%d AND (", p->n);
        for (size_t i = 0; i < (q->services ? q->nservices : 1); i++) {
            if (q->services) {
                ch_pg_text(p, q->services[i]);
                ch_pg_int(p, q->before[i]);
                ADD("%s(service = $%d AND next_due_at < $%d)", i ? " OR " : "", p->n - 1, p->n);
            } else {
                ch_pg_int(p, q->before[0]);
                ADD("next_due_at < $%d", p->n);
            }
        }
        ADD(")");
        break;
    }
    if (q->services && !(q->queue == CH_QUEUE_DUE_TODAY || q->queue == CH_QUEUE_AT_RISK)) {
        ch_pg_in_list(sql, size, &used, "service", p->n + 1, q->nservices);
        for (size_t i = 0; i < q->nservices; i++)
            ch_pg_text(p, q->services[i]);
    }
    if (q->hide_staff_named)
        ADD("%s", CH_STORE_HIDE_STAFF_NAMED);
    if (count) {
        ADD(" LIMIT $%d", p->n + 1); /* the caller adds the cap */
    } else {
        ch_pg_int(p, (int64_t)q->limit);
        ch_pg_int(p, (int64_t)q->offset);
        /* officer_id first for unassigned: IS NULL is no equality to the
         * planner, so without it PostgreSQL did not see that the
         * (officer_id, next_due_at, id) index is already in this order, and
         * sorted every unassigned case for a page (127 ms at 50,000). */
        ADD(" ORDER BY %snext_due_at, id LIMIT $%d OFFSET $%d",
            q->queue == CH_QUEUE_UNASSIGNED ? "officer_id, " : "", p->n - 1, p->n);
    }
#undef ADD
}

int ch_pg_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err)
{
    char sql[8192];
    pg_params p = {0};
    if (q->services && q->nservices > 100)
        return ch_error_set(err, CH_E_INVALID, "at most 100 services in one queue");
    if (q->services && q->nservices == 0) {
        *out = NULL;
        *n = 0;
        return CH_OK;
    }
    queue_sql(q, false, false, sql, sizeof(sql), &p);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "reading a queue");
    ch_pg_release(c);
    int rc = ok(res) ? ch_pg_case_rows(res, a, out, n, err) : CH_E_STORE;
    PQclear(res);
    return rc;
}

/* A COUNT(*) query's one number. */
static int count_of(pg *s, const char *sql, const pg_params *p, int64_t *total, ch_error *err,
                    const char *doing)
{
    pg_conn *c = ch_pg_acquire(s);
    PGresult *res = ch_pg_run_built(c, sql, p, err, doing);
    ch_pg_release(c);
    int rc = CH_E_STORE;
    if (ok(res) && PQntuples(res) == 1) {
        *total = ch_pg_get_int(res, 0, 0);
        rc = CH_OK;
    } else if (res) {
        rc = ch_error_set(err, CH_E_STORE, "%s gave no number", doing);
    }
    PQclear(res);
    return rc;
}

int ch_pg_queue_count(ch_store *base, const ch_queue_query *q, int64_t cap, bool later,
                      int64_t *total, ch_error *err)
{
    char inner[8192], sql[8224];
    pg_params p = {0};
    *total = 0;
    if (q->services && q->nservices > 100)
        return ch_error_set(err, CH_E_INVALID, "at most 100 services in one queue");
    if (q->services && q->nservices == 0)
        return CH_OK;
    queue_sql(q, true, later, inner, sizeof(inner), &p);
    if (cap > 0)
        ch_pg_int(&p, cap);
    else
        ch_pg_text(&p, NULL); /* LIMIT NULL: no limit */
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (%s) AS q", inner);
    return count_of((pg *)base, sql, &p, total, err, "counting a queue");
}

int ch_pg_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err)
{
    /* Rows another server is already marking are skipped, not waited for:
     * each breach is recorded once. */
    static const char sql[] =
        "WITH due AS (SELECT id, case_id, promise FROM obligations"
        "  WHERE state = 'pending' AND due_at < $1 FOR UPDATE SKIP LOCKED),"
        " ev AS (INSERT INTO events(case_id, at, actor, what, detail)"
        "  SELECT case_id, $1, NULL, 'breached', 'missed ' || promise FROM due),"
        " up AS (UPDATE obligations o SET state = 'breached' FROM due WHERE o.id = due.id"
        "  RETURNING o.case_id),"
        " cs AS (UPDATE cases SET version = version + 1, updated_at = $1"
        "  WHERE id IN (SELECT case_id FROM up) RETURNING id)"
        " SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM cs)";
    pg_params p = {0};
    ch_pg_int(&p, now);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "marking breaches");
    ch_pg_release(c);
    int rc = ok(res) ? CH_OK : CH_E_STORE;
    if (!rc)
        *count = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return rc;
}

/* Plain words into a tsquery that matches all of them, each as the start
 * of a word ('transp':* & 'school':*). Each word is quoted, with quotes and
 * backslashes doubled, so nothing typed is query syntax; to_tsquery then
 * splits it as the index was split. A word of n bytes takes at most
 * 2n + 7, and there are at most (len + 1) / 2 words. NULL when out of
 * memory; "" when there is no word. */
char *ch_pg_tsquery_text(const char *words)
{
    size_t len = strlen(words);
    char *q = malloc(len * 6 + 8), *p = q;
    if (!q)
        return NULL;
    const char *w = words;
    while (*w) {
        while (*w == ' ' || *w == '\t' || *w == '\n')
            w++;
        if (!*w)
            break;
        if (p != q) {
            memcpy(p, " & ", 3);
            p += 3;
        }
        *p++ = '\'';
        while (*w && *w != ' ' && *w != '\t' && *w != '\n') {
            if (*w == '\'' || *w == '\\')
                *p++ = *w;
            *p++ = *w++;
        }
        memcpy(p, "':*", 3);
        p += 3;
    }
    *p = '\0';
    return q;
}

/* The thousand newest matches come from the word index and are then
 * sorted: ordered by case_id + 0, which no index gives, since PostgreSQL
 * would otherwise read search newest first testing every row, guessing that
 * any words match one row in fifty. */
int ch_pg_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    char *q = ch_pg_tsquery_text(words);
    if (!q)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    int rc = CH_OK;
    ch_pg_text(&p, q);
    size_t used =
        (size_t)snprintf(sql, sizeof(sql),
                         "SELECT " CH_PG_CASE_COLUMNS " FROM cases WHERE id IN"
                         " (SELECT case_id FROM search WHERE body @@ to_tsquery('simple', $1)"
                         " ORDER BY case_id + 0 DESC LIMIT 1000)");
    if (!*q) {
        rc = ch_error_set(err, CH_E_INVALID, "give at least one word to search for");
        goto out;
    }
    if (services) {
        if (nservices == 0 || nservices > 100) {
            *out = NULL;
            *n = 0;
            rc = nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
            goto out;
        }
        ch_pg_in_list(sql, sizeof(sql), &used, "service", 2, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    ch_pg_int(&p, (int64_t)limit);
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY updated_at DESC, id DESC LIMIT $%d", p.n);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "searching");
    ch_pg_release(c);
    rc = ok(res) ? ch_pg_case_rows(res, a, out, n, err) : CH_E_STORE;
    PQclear(res);
out:
    free(q);
    return rc;
}

/* An obligation counts for the service whose promise it was: the case's,
 * unless the case has since moved on. */
#define SERVICE_OF "coalesce(o.service, c.service)"

int ch_pg_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT " SERVICE_OF ", o.promise, o.state, o.due_at, o.met_at,"
                                   " c.deemed_at FROM obligations o JOIN cases c"
                                   " ON c.id = o.case_id WHERE o.due_at >= $1 AND o.due_at < $2");
    if (services) {
        if (nservices == 0 || nservices > 100) {
            *out = NULL;
            *n = 0;
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        }
        ch_pg_in_list(sql, sizeof(sql), &used, SERVICE_OF, 3, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY " SERVICE_OF ", o.promise, o.due_at");
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "reading a report");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_report_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        list[i].service = ch_pg_get_text(a, res, i, 0);
        list[i].promise = ch_pg_get_text(a, res, i, 1);
        list[i].state = ch_pg_get_text(a, res, i, 2);
        list[i].due_at = ch_pg_get_int(res, i, 3);
        list[i].met_at = ch_pg_get_int(res, i, 4);
        list[i].deemed_at = ch_pg_get_int(res, i, 5);
    }
    PQclear(res);
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

int ch_pg_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    ch_pg_int(&p, person_id ? person_id : organisation_id);
    size_t used =
        (size_t)snprintf(sql, sizeof(sql), "SELECT " CH_PG_CASE_COLUMNS " FROM cases WHERE %s = $1",
                         person_id ? "person_id" : "organisation_id");
    if (services) {
        if (nservices == 0 || nservices > 100) {
            *out = NULL;
            *n = 0;
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        }
        ch_pg_in_list(sql, sizeof(sql), &used, "service", 2, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    ch_pg_int(&p, (int64_t)limit);
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY received_at DESC, id DESC LIMIT $%d", p.n);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run_built(c, sql, &p, err, "listing cases");
    ch_pg_release(c);
    int rc = ok(res) ? ch_pg_case_rows(res, a, out, n, err) : CH_E_STORE;
    PQclear(res);
    return rc;
}

int ch_pg_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err)
{
    pg_conn *c = ch_pg_pool_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc && !(rc = ch_pg_audit_append(c, row, err)))
        rc = ch_pg_exec(c, "COMMIT", err);
    if (rc)
        ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int ch_pg_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err)
{
    static const char all[] = "SELECT id, at, user_id, action, object, object_id, remote"
                              " FROM audit ORDER BY id DESC LIMIT $1";
    static const char one[] = "SELECT id, at, user_id, action, object, object_id, remote"
                              " FROM audit WHERE object = 'case' AND object_id = $1"
                              " ORDER BY id DESC LIMIT $2";
    pg_params p = {0};
    if (object_id)
        ch_pg_int(&p, object_id);
    ch_pg_int(&p, (int64_t)limit);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, object_id ? one : all, &p, err, "reading the audit log");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_audit_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].at = ch_pg_get_int(res, i, 1);
        list[i].user_id = ch_pg_get_int(res, i, 2);
        list[i].action = ch_pg_get_text(a, res, i, 3);
        list[i].object = ch_pg_get_text(a, res, i, 4);
        list[i].object_id = ch_pg_get_int(res, i, 5);
        list[i].remote = ch_pg_get_text(a, res, i, 6);
    }
    PQclear(res);
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

/* The case list's query (ch_store_list_sql) run on s: its rows, NULL with
 * err set, or NULL with *none when nothing can match. */
static PGresult *list_run(pg *s, const ch_case_filter *f, bool count, bool *none, ch_error *err)
{
    ch_list_sql *q = malloc(sizeof(*q));
    pg_params *p = calloc(1, sizeof(*p));
    PGresult *res = NULL;
    *none = false;
    if (!q || !p) {
        ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if (!ch_store_list_sql(f, count, '$', CH_PG_CASE_COLUMNS, q)) {
        *none = true;
        goto out;
    }
    if (q->overflow || q->nparams > CH_PG_PARAMS) {
        ch_error_set(err, CH_E_INVALID, "too many services");
        goto out;
    }
    for (int i = 0; i < q->nparams; i++) {
        if (q->params[i].text)
            ch_pg_text(p, q->params[i].text);
        else
            ch_pg_int(p, q->params[i].num);
    }
    pg_conn *c = ch_pg_acquire(s);
    res = ch_pg_run_built(c, q->sql, p, err, count ? "counting cases" : "listing cases");
    ch_pg_release(c);
out:
    free(q);
    free(p);
    return res;
}

int ch_pg_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err)
{
    *out = NULL;
    *n = 0;
    if (f->services && f->nservices > 100)
        return ch_error_set(err, CH_E_INVALID, "too many services");
    bool none;
    PGresult *res = list_run((pg *)base, f, false, &none, err);
    int rc = none ? CH_OK : ok(res) ? ch_pg_case_rows(res, a, out, n, err) : err->code;
    PQclear(res);
    return rc;
}

int ch_pg_case_count(ch_store *base, const ch_case_filter *f, int64_t *total, ch_error *err)
{
    *total = 0;
    if (f->services && f->nservices > 100)
        return ch_error_set(err, CH_E_INVALID, "too many services");
    bool none;
    PGresult *res = list_run((pg *)base, f, true, &none, err);
    int rc = none ? CH_OK : err->code;
    if (!none && ok(res) && PQntuples(res) == 1) {
        *total = ch_pg_get_int(res, 0, 0);
        rc = CH_OK;
    } else if (!none && ok(res)) {
        rc = ch_error_set(err, CH_E_STORE, "counting cases gave no number");
    }
    PQclear(res);
    return rc;
}
