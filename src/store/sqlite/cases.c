/* Cases, their obligations, contacts and timeline, queues and the audit log
 * in the SQLite backend. Each write is one transaction; queues are range
 * scans on the indexed next_due_at column. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_COLUMNS CH_SQ_CASE_COLUMNS

/* Flags are stored as ",a,b," (names are [a-z0-9-], so commas are safe). */
/* A case with nothing left to keep sorts after every due time: storing a
 * far-future instant rather than NULL lets every queue read its order
 * straight from the (status, next_due_at) index. */
#define NO_DUE ((sqlite3_int64)253402300799) /* 9999-12-31T23:59:59Z */

static char *flags_join(const ch_case_row *c)
{
    size_t len = 2;
    for (size_t i = 0; i < c->nflags; i++)
        len += strlen(c->flags[i]) + 1;
    char *out = malloc(len + 1), *p = out;
    if (!out)
        return NULL;
    *p++ = ',';
    for (size_t i = 0; i < c->nflags; i++) {
        size_t n = strlen(c->flags[i]);
        memcpy(p, c->flags[i], n);
        p += n;
        *p++ = ',';
    }
    *p = '\0';
    if (c->nflags == 0)
        out[0] = '\0';
    return out;
}

static void flags_split(ch_arena *a, const char *s, ch_case_row *c)
{
    size_t n = 0;
    for (const char *p = s; p && *p; p++)
        n += *p == ',';
    c->nflags = 0;
    c->flags = n ? ch_arena_alloc(a, n * sizeof(char *)) : NULL;
    if (!c->flags)
        return;
    const char *p = s + (*s == ',');
    while (*p) {
        const char *comma = strchr(p, ',');
        if (!comma)
            break;
        if (comma > p)
            c->flags[c->nflags++] = ch_arena_strndup(a, p, (size_t)(comma - p));
        p = comma + 1;
    }
}

void ch_sq_in_list(char *sql, size_t size, size_t *used, const char *column, size_t n)
{
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, " AND %s IN (", column);
    for (size_t i = 0; i < n; i++)
        *used +=
            (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, "%s?", i ? ", " : "");
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0, ")");
}

int ch_sq_case_rows(sq_conn *c, sqlite3_stmt *st, ch_arena *a, ch_case_row **out, size_t *n,
                    const char *doing, ch_error *err)
{
    size_t cap = 0, count = 0;
    ch_case_row *rows = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows))))
                return ch_error_set(err, CH_E_NOMEM, "out of memory");
        }
        ch_sq_read_case(a, st, &rows[count++]);
    }
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, doing);
    *out = rows;
    *n = count;
    return CH_OK;
}

void ch_sq_read_case(ch_arena *a, sqlite3_stmt *st, ch_case_row *c)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(st, 0);
    c->service = ch_sq_text(a, st, 1);
    c->kind = ch_sq_text(a, st, 2);
    c->channel = ch_sq_text(a, st, 3);
    c->subject = ch_sq_text(a, st, 4);
    c->status = ch_sq_text(a, st, 5);
    c->received_at = sqlite3_column_int64(st, 6);
    c->deemed_at = sqlite3_column_int64(st, 7);
    c->requester_name = ch_sq_text(a, st, 8);
    c->requester_email = ch_sq_text(a, st, 9);
    c->organisation = ch_sq_text(a, st, 10);
    c->officer_id = sqlite3_column_int64(st, 11);
    const char *flags = (const char *)sqlite3_column_text(st, 12);
    flags_split(a, flags ? flags : "", c);
    c->version = sqlite3_column_int64(st, 13);
    c->next_due_at = sqlite3_column_int64(st, 14);
    if (c->next_due_at == NO_DUE)
        c->next_due_at = 0;
    c->created_at = sqlite3_column_int64(st, 15);
    c->updated_at = sqlite3_column_int64(st, 16);
    c->person_id = sqlite3_column_int64(st, 17);
    c->organisation_id = sqlite3_column_int64(st, 18);
}

static int insert_event(sq_conn *s, int64_t case_id, const ch_event_row *e, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO events(case_id, at, actor, what, detail) VALUES(?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, e->at);
    ch_sq_bind_id(st, 3, e->actor);
    ch_sq_bind_text(st, 4, e->what);
    ch_sq_bind_text(st, 5, e->detail);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(s, err, "adding an event");
}

static int insert_obligation(sq_conn *s, int64_t case_id, const ch_obligation_row *o, int64_t *id,
                             ch_error *err)
{
    static const char sql[] = "INSERT INTO obligations(case_id, promise, kind, text, due_at, state,"
                              " met_at, reason, service) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, case_id);
    ch_sq_bind_text(st, 2, o->promise);
    ch_sq_bind_text(st, 3, o->kind);
    ch_sq_bind_text(st, 4, o->text);
    sqlite3_bind_int64(st, 5, o->due_at);
    ch_sq_bind_text(st, 6, o->state);
    ch_sq_bind_id(st, 7, o->met_at);
    ch_sq_bind_text(st, 8, o->reason);
    ch_sq_bind_text(st, 9, o->service);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(s, err, "adding an obligation");
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return CH_OK;
}

/* The case-level changes of an update other than obligations: officer,
 * flags and pauses. */
static int update_case_fields(sq_conn *s, const ch_case_update *u, ch_error *err)
{
    static const char off[] = "UPDATE cases SET officer_id = ? WHERE id = ?";
    static const char flg[] = "UPDATE cases SET flags = ? WHERE id = ?";
    static const char knd[] = "UPDATE cases SET kind = ? WHERE id = ?";
    static const char del[] = "DELETE FROM obligations WHERE id = ? AND case_id = ?";
    static const char pin[] = "INSERT INTO pauses(case_id, from_at) VALUES(?, ?)";
    static const char pend[] = "UPDATE pauses SET to_at = ? WHERE case_id = ? AND to_at IS NULL";
    static const char mov[] = "UPDATE cases SET service = ?, deemed_at = ? WHERE id = ?";
    sqlite3_stmt *st;
    for (size_t i = 0; i < u->nadded; i++) {
        int rc = insert_obligation(s, u->case_id, &u->added[i], NULL, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < u->nremoved; i++) {
        if (!(st = ch_sq_stmt(s, del, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, u->removed[i]);
        sqlite3_bind_int64(st, 2, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "removing an obligation");
    }
    if (u->set_officer) {
        if (!(st = ch_sq_stmt(s, off, err)))
            return CH_E_STORE;
        ch_sq_bind_id(st, 1, u->officer_id);
        sqlite3_bind_int64(st, 2, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "assigning a case");
    }
    if (u->kind) {
        if (!(st = ch_sq_stmt(s, knd, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, u->kind);
        sqlite3_bind_int64(st, 2, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "changing a case's kind");
    }
    if (u->set_flags) {
        ch_case_row tmp = {.flags = u->flags, .nflags = u->nflags};
        char *joined = flags_join(&tmp);
        if (!joined || !(st = ch_sq_stmt(s, flg, err))) {
            free(joined);
            return joined ? CH_E_STORE : ch_error_set(err, CH_E_NOMEM, "out of memory");
        }
        ch_sq_bind_text(st, 1, joined);
        sqlite3_bind_int64(st, 2, u->case_id);
        int step = sqlite3_step(st);
        free(joined);
        if (step != SQLITE_DONE)
            return ch_sq_error(s, err, "setting a case's flags");
    }
    if (u->service) {
        if (!(st = ch_sq_stmt(s, mov, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, u->service);
        sqlite3_bind_int64(st, 2, u->deemed_at);
        sqlite3_bind_int64(st, 3, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "moving a case to another service");
    }
    if (u->pause_to) {
        if (!(st = ch_sq_stmt(s, pend, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, u->pause_to);
        sqlite3_bind_int64(st, 2, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "ending a pause");
    }
    if (u->pause_from) {
        if (!(st = ch_sq_stmt(s, pin, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, u->case_id);
        sqlite3_bind_int64(st, 2, u->pause_from);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "starting a pause");
    }
    return CH_OK;
}

int ch_sq_case_insert_in(sq_conn *s, ch_case_row *c, ch_error *err)
{
    static const char ins[] =
        "INSERT INTO cases(service, kind, channel, subject, status, received_at, deemed_at,"
        " requester_name, requester_email, organisation, officer_id, flags, version, next_due_at,"
        " created_at, updated_at, person_id, organisation_id)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)";
    int lrc = CH_OK;
    if (!c->person_id && (c->requester_email || c->requester_name))
        lrc = ch_sq_person_link(s, c->requester_name ? c->requester_name : c->requester_email,
                                c->requester_email, c->service, c->created_at, &c->person_id, err);
    if (!lrc && !c->organisation_id && c->organisation)
        lrc = ch_sq_organisation_link(s, c->organisation, c->created_at, &c->organisation_id, err);
    if (lrc)
        return lrc;
    sqlite3_stmt *st = ch_sq_stmt(s, ins, err);
    char *flags = flags_join(c);
    if (!st || !flags) {
        free(flags);
        return st ? ch_error_set(err, CH_E_NOMEM, "out of memory") : CH_E_STORE;
    }
    ch_sq_bind_text(st, 1, c->service);
    ch_sq_bind_text(st, 2, c->kind);
    ch_sq_bind_text(st, 3, c->channel);
    ch_sq_bind_text(st, 4, c->subject);
    ch_sq_bind_text(st, 5, c->status);
    sqlite3_bind_int64(st, 6, c->received_at);
    sqlite3_bind_int64(st, 7, c->deemed_at);
    ch_sq_bind_text(st, 8, c->requester_name);
    ch_sq_bind_text(st, 9, c->requester_email);
    ch_sq_bind_text(st, 10, c->organisation);
    ch_sq_bind_id(st, 11, c->officer_id);
    ch_sq_bind_text(st, 12, flags);
    sqlite3_bind_int64(st, 13, c->next_due_at ? c->next_due_at : NO_DUE);
    sqlite3_bind_int64(st, 14, c->created_at);
    sqlite3_bind_int64(st, 15, c->created_at);
    ch_sq_bind_id(st, 16, c->person_id);
    ch_sq_bind_id(st, 17, c->organisation_id);
    int step = sqlite3_step(st);
    free(flags);
    if (step != SQLITE_DONE)
        return ch_sq_error(s, err, "adding a case");
    c->id = sqlite3_last_insert_rowid(s->db);
    c->version = 1;
    const char *words[] = {c->subject, c->requester_name, c->requester_email, c->organisation};
    int irc = ch_sq_index(s, c->id, words, 4, err);
    if (irc)
        return irc;
    c->updated_at = c->created_at;
    for (size_t i = 0; i < c->nobligations; i++) {
        int rc = insert_obligation(s, c->id, &c->obligations[i], &c->obligations[i].id, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < c->nevents; i++) {
        int rc = insert_event(s, c->id, &c->events[i], err);
        if (rc)
            return rc;
    }
    return CH_OK;
}

static int case_insert_fn(sq_conn *c, void *arg, ch_error *err)
{
    return ch_sq_case_insert_in(c, arg, err);
}

int ch_sq_case_insert(ch_store *base, ch_case_row *c, ch_error *err)
{
    return ch_sq_write((sq *)base, case_insert_fn, c, err);
}

static int load_children(sq_conn *s, ch_arena *a, ch_case_row *c, ch_error *err)
{
    static const char obl[] = "SELECT id, promise, kind, text, due_at, state, met_at,"
                              " met_by_contact, reason, service"
                              " FROM obligations WHERE case_id = ? ORDER BY due_at, id";
    static const char con[] =
        "SELECT id, direction, channel, who, summary, outcome, at,"
        " created_by, handed_to, with_person_id, channel_reason FROM contacts WHERE case_id = ?"
        " ORDER BY at, id";
    static const char evt[] =
        "SELECT id, at, actor, what, detail FROM events WHERE case_id = ? ORDER BY at, id";
    static const char pau[] =
        "SELECT from_at, to_at FROM pauses WHERE case_id = ? ORDER BY from_at, id";
    sqlite3_stmt *st;
    size_t cap = 0;
    int step;
    if (!(st = ch_sq_stmt(s, obl, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, c->id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(c->obligations =
                  ch_arena_room(a, c->obligations, c->nobligations, &cap, sizeof(*c->obligations))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        ch_obligation_row *o = &c->obligations[c->nobligations++];
        o->id = sqlite3_column_int64(st, 0);
        o->promise = ch_sq_text(a, st, 1);
        o->kind = ch_sq_text(a, st, 2);
        o->text = ch_sq_text(a, st, 3);
        o->due_at = sqlite3_column_int64(st, 4);
        o->state = ch_sq_text(a, st, 5);
        o->met_at = sqlite3_column_int64(st, 6);
        o->met_by_contact = sqlite3_column_int64(st, 7);
        o->reason = ch_sq_text(a, st, 8);
        o->service = ch_sq_text(a, st, 9);
    }
    if (step != SQLITE_DONE || !(st = ch_sq_stmt(s, con, err)))
        return ch_sq_error(s, err, "reading obligations");
    sqlite3_bind_int64(st, 1, c->id);
    cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(c->contacts =
                  ch_arena_room(a, c->contacts, c->ncontacts, &cap, sizeof(*c->contacts))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        ch_contact_row *k = &c->contacts[c->ncontacts++];
        k->id = sqlite3_column_int64(st, 0);
        k->direction = ch_sq_text(a, st, 1);
        k->channel = ch_sq_text(a, st, 2);
        k->who = ch_sq_text(a, st, 3);
        k->summary = ch_sq_text(a, st, 4);
        k->outcome = ch_sq_text(a, st, 5);
        k->at = sqlite3_column_int64(st, 6);
        k->created_by = sqlite3_column_int64(st, 7);
        k->handed_to = sqlite3_column_int64(st, 8);
        k->with_person_id = sqlite3_column_int64(st, 9);
        k->channel_reason = ch_sq_text(a, st, 10);
    }
    if (step != SQLITE_DONE || !(st = ch_sq_stmt(s, evt, err)))
        return ch_sq_error(s, err, "reading contacts");
    sqlite3_bind_int64(st, 1, c->id);
    cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(c->events = ch_arena_room(a, c->events, c->nevents, &cap, sizeof(*c->events))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        ch_event_row *e = &c->events[c->nevents++];
        e->id = sqlite3_column_int64(st, 0);
        e->at = sqlite3_column_int64(st, 1);
        e->actor = sqlite3_column_int64(st, 2);
        e->what = ch_sq_text(a, st, 3);
        e->detail = ch_sq_text(a, st, 4);
    }
    if (step != SQLITE_DONE || !(st = ch_sq_stmt(s, pau, err)))
        return ch_sq_error(s, err, "reading events");
    sqlite3_bind_int64(st, 1, c->id);
    cap = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(c->pauses = ch_arena_room(a, c->pauses, c->npauses, &cap, sizeof(*c->pauses))))
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        c->pauses[c->npauses].from = sqlite3_column_int64(st, 0);
        c->pauses[c->npauses++].to = sqlite3_column_int64(st, 1);
    }
    return step == SQLITE_DONE ? CH_OK : ch_sq_error(s, err, "reading pauses");
}

int ch_sq_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err)
{
    sq_conn *s;
    static const char sql[] = "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?";
    int rc = CH_OK;
    s = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)id);
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = ch_sq_error(s, err, "reading a case");
        goto out;
    }
    ch_sq_read_case(a, st, out);
    rc = load_children(s, a, out, err);
out:
    ch_sq_unlock(s);
    return rc;
}

int ch_sq_case_update_in(sq_conn *s, const ch_case_update *u, int64_t *new_version, ch_error *err)
{
    static const char ver[] = "SELECT version FROM cases WHERE id = ?";
    static const char con[] =
        "INSERT INTO contacts(case_id, direction, channel, at, who, summary,"
        " outcome, created_by, created_at, handed_to, with_person_id, channel_reason)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char obl[] =
        "UPDATE obligations SET state = ?, met_at = ?, due_at = ?, met_by_contact = ?, reason = ?,"
        " service = coalesce(?, service) WHERE id = ? AND case_id = ?";
    static const char cas[] = "UPDATE cases SET version = version + 1, status = ?,"
                              " next_due_at = ?, updated_at = ? WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(s, ver, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, u->case_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)u->case_id);
    if (step != SQLITE_ROW)
        return ch_sq_error(s, err, "reading a case's version");
    int64_t version = sqlite3_column_int64(st, 0);
    if (u->expect && u->expect != version)
        return ch_error_set(err, CH_E_CONFLICT,
                            "case %lld has changed since version %lld (it is now at %lld); "
                            "reload it and try again",
                            (long long)u->case_id, (long long)u->expect, (long long)version);
    if (u->contact) {
        ch_contact_row *k = u->contact;
        if (!(st = ch_sq_stmt(s, con, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, u->case_id);
        ch_sq_bind_text(st, 2, k->direction);
        ch_sq_bind_text(st, 3, k->channel);
        sqlite3_bind_int64(st, 4, k->at);
        ch_sq_bind_text(st, 5, k->who);
        ch_sq_bind_text(st, 6, k->summary);
        ch_sq_bind_text(st, 7, k->outcome);
        ch_sq_bind_id(st, 8, k->created_by);
        sqlite3_bind_int64(st, 9, u->now);
        ch_sq_bind_id(st, 10, k->handed_to);
        ch_sq_bind_id(st, 11, k->with_person_id);
        ch_sq_bind_text(st, 12, k->channel_reason);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "adding a contact");
        k->id = sqlite3_last_insert_rowid(s->db);
        const char *words[] = {k->who, k->summary, k->outcome};
        int irc = ch_sq_index(s, u->case_id, words, 3, err);
        if (irc)
            return irc;
    }
    for (size_t i = 0; i < u->nchanged; i++) {
        const ch_obligation_row *o = &u->changed[i];
        if (!(st = ch_sq_stmt(s, obl, err)))
            return CH_E_STORE;
        ch_sq_bind_text(st, 1, o->state);
        ch_sq_bind_id(st, 2, o->met_at);
        sqlite3_bind_int64(st, 3, o->due_at);
        ch_sq_bind_id(st, 4, ch_case_update_met_by(u, o));
        ch_sq_bind_text(st, 5, o->reason);
        ch_sq_bind_text(st, 6, o->service);
        sqlite3_bind_int64(st, 7, o->id);
        sqlite3_bind_int64(st, 8, u->case_id);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "updating an obligation");
    }
    int rc = update_case_fields(s, u, err);
    if (rc)
        return rc;
    if (u->event && (rc = insert_event(s, u->case_id, u->event, err)))
        return rc;
    if (!(st = ch_sq_stmt(s, cas, err)))
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, u->status);
    sqlite3_bind_int64(st, 2, u->next_due_at ? u->next_due_at : NO_DUE);
    sqlite3_bind_int64(st, 3, u->now);
    sqlite3_bind_int64(st, 4, u->case_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(s, err, "updating a case");
    *new_version = version + 1;
    return CH_OK;
}

typedef struct update_arg {
    const ch_case_update *u;
    int64_t *new_version;
} update_arg;

static int case_update_fn(sq_conn *c, void *arg, ch_error *err)
{
    update_arg *a = arg;
    return ch_sq_case_update_in(c, a->u, a->new_version, err);
}

int ch_sq_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err)
{
    update_arg a = {u, new_version};
    return ch_sq_write((sq *)base, case_update_fn, &a, err);
}

/* Builds the queue's SQL into buf: the page of cases, or (count) a row for
 * each case up to a limit, to be counted (see ch_sq_queue_count); every
 * value is a bound parameter. */
static void queue_sql(const ch_queue_query *q, bool count, bool later, char *buf, size_t size)
{
    /* Paused cases wait for the customer, so they are in no due queue; and
     * an equality on status lets the (status, next_due_at) index serve. */
    bool due_queue = q->queue != CH_QUEUE_MINE && q->queue != CH_QUEUE_UNASSIGNED;
    size_t used =
        (size_t)snprintf(buf, size, "SELECT %s FROM cases WHERE %s", count ? "1" : CASE_COLUMNS,
                         due_queue ? "status = 'open'" : "status != 'closed'");
#define ADD(...) used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__)
    switch (q->queue) {
    case CH_QUEUE_MINE:
        ADD(" AND officer_id = ?");
        break;
    case CH_QUEUE_UNASSIGNED:
        ADD(" AND officer_id IS NULL");
        break;
    case CH_QUEUE_OVERDUE:
        ADD(later ? " AND next_due_at >= ?" : " AND next_due_at < ?");
        break;
    case CH_QUEUE_DUE_TODAY:
    case CH_QUEUE_AT_RISK:
        ADD(" AND next_due_at >= ? AND (");
        for (size_t i = 0; i < (q->services ? q->nservices : 1); i++)
            ADD("%s%s", i ? " OR " : "",
                q->services ? "(service = ? AND next_due_at < ?)" : "next_due_at < ?");
        ADD(")");
        break;
    }
    if (q->services && q->queue != CH_QUEUE_DUE_TODAY && q->queue != CH_QUEUE_AT_RISK)
        ch_sq_in_list(buf, size, &used, "service", q->nservices);
    if (q->hide_staff_named)
        ADD("%s", CH_STORE_HIDE_STAFF_NAMED);
    ADD(count ? " LIMIT ?" : " ORDER BY next_due_at, id LIMIT ? OFFSET ?");
#undef ADD
}

/* Binds the values queue_sql's conditions name; returns the next index. */
static int queue_bind(sqlite3_stmt *st, const ch_queue_query *q)
{
    int i = 1;
    if (q->queue == CH_QUEUE_MINE)
        sqlite3_bind_int64(st, i++, q->user_id);
    else if (q->queue == CH_QUEUE_OVERDUE)
        sqlite3_bind_int64(st, i++, q->now);
    else if (q->queue != CH_QUEUE_UNASSIGNED) {
        sqlite3_bind_int64(st, i++, q->now);
        for (size_t k = 0; k < (q->services ? q->nservices : 1); k++) {
            if (q->services)
                ch_sq_bind_text(st, i++, q->services[k]);
            sqlite3_bind_int64(st, i++, q->before[k]);
        }
    }
    if (q->services && q->queue != CH_QUEUE_DUE_TODAY && q->queue != CH_QUEUE_AT_RISK)
        for (size_t k = 0; k < q->nservices; k++)
            ch_sq_bind_text(st, i++, q->services[k]);
    return i;
}

enum { MAX_QUEUE_SERVICES = 200 };

int ch_sq_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err)
{
    sq_conn *s;
    char sql[8192];
    sqlite3_stmt *st = NULL;
    int rc = CH_OK;
    if (q->services && q->nservices > MAX_QUEUE_SERVICES)
        return ch_error_set(err, CH_E_INVALID, "at most %d services in one queue",
                            MAX_QUEUE_SERVICES);
    if (q->services && q->nservices == 0) { /* sees no service: an empty queue */
        *out = NULL;
        *n = 0;
        return CH_OK;
    }
    queue_sql(q, false, false, sql, sizeof(sql));
    s = ch_sq_reader((sq *)base);
    if (!(st = ch_sq_stmt_built(s, sql, err))) {
        rc = err->code;
        goto out;
    }
    int i = queue_bind(st, q);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)q->limit);
    sqlite3_bind_int64(st, i++, (sqlite3_int64)q->offset);
    rc = ch_sq_case_rows(s, st, a, out, n, "reading a queue", err);
out:
    ch_sq_unlock(s);
    return rc;
}

int ch_sq_queue_count(ch_store *base, const ch_queue_query *q, int64_t cap, bool later,
                      int64_t *total, ch_error *err)
{
    sq_conn *s;
    char inner[8192], sql[8224];
    sqlite3_stmt *st = NULL;
    int rc = CH_OK;
    *total = 0;
    if (q->services && q->nservices > MAX_QUEUE_SERVICES)
        return ch_error_set(err, CH_E_INVALID, "at most %d services in one queue",
                            MAX_QUEUE_SERVICES);
    if (q->services && q->nservices == 0)
        return CH_OK;
    queue_sql(q, true, later, inner, sizeof(inner));
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (%s)", inner);
    s = ch_sq_reader((sq *)base);
    if (!(st = ch_sq_stmt_built(s, sql, err))) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, queue_bind(st, q), cap > 0 ? cap : -1); /* -1: no limit */
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = ch_sq_error(s, err, "counting a queue");
        goto out;
    }
    *total = sqlite3_column_int64(st, 0);
out:
    ch_sq_unlock(s);
    return rc;
}

typedef struct sweep_arg {
    ch_time now;
    int64_t *count;
} sweep_arg;

static int sweep_fn(sq_conn *s, void *arg, ch_error *err)
{
    sweep_arg *a = arg;
    static const char evt[] = "INSERT INTO events(case_id, at, actor, what, detail)"
                              " SELECT case_id, ?1, NULL, 'breached', 'missed ' || promise"
                              " FROM obligations WHERE state = 'pending' AND due_at < ?1";
    static const char ver[] = "UPDATE cases SET version = version + 1, updated_at = ?1 WHERE id IN"
                              " (SELECT case_id FROM obligations"
                              "  WHERE state = 'pending' AND due_at < ?1)";
    static const char upd[] =
        "UPDATE obligations SET state = 'breached' WHERE state = 'pending' AND due_at < ?1";
    const char *steps[] = {evt, ver, upd};
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st = ch_sq_stmt(s, steps[i], err);
        if (!st)
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, a->now);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(s, err, "marking breaches");
    }
    *a->count = sqlite3_changes(s->db);
    return CH_OK;
}

int ch_sq_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err)
{
    sweep_arg a = {now, count};
    return ch_sq_write((sq *)base, sweep_fn, &a, err);
}

static int audit_fn(sq_conn *s, void *arg, ch_error *err)
{
    return ch_sq_audit_append(s, arg, err);
}

int ch_sq_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err)
{
    return ch_sq_write((sq *)base, audit_fn, (void *)row, err);
}

int ch_sq_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err)
{
    sq_conn *s;
    static const char all[] = "SELECT id, at, user_id, action, object, object_id, remote"
                              " FROM audit ORDER BY id DESC LIMIT ?";
    static const char one[] = "SELECT id, at, user_id, action, object, object_id, remote"
                              " FROM audit WHERE object = 'case' AND object_id = ?"
                              " ORDER BY id DESC LIMIT ?";
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_audit_row *rows = NULL;
    s = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(s, object_id ? one : all, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    if (object_id) {
        sqlite3_bind_int64(st, 1, object_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    } else {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_audit_row *r = &rows[count++];
        r->id = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        r->user_id = sqlite3_column_int64(st, 2);
        r->action = ch_sq_text(a, st, 3);
        r->object = ch_sq_text(a, st, 4);
        r->object_id = sqlite3_column_int64(st, 5);
        r->remote = ch_sq_text(a, st, 6);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(s, err, "reading the audit log");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(s);
    return rc;
}
