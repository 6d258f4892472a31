/* Themes on cases in the SQLite backend: the themes a case carries, one a
 * row, replaced whole in the same transaction as the case's event, and
 * the rows the themes report and the managers' reports count. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

/* A case's outcome for the themes report: see ch_theme_row. */
#define OUTCOME                                                                                    \
    "CASE WHEN c.status != 'closed' THEN 'open' WHEN EXISTS(SELECT 1 FROM obligations o"           \
    " WHERE o.case_id = c.id AND (o.state = 'breached' OR (o.state = 'met' AND"                    \
    " o.met_at > o.due_at))) THEN 'closed-late' ELSE 'closed-on-time' END"

typedef struct set_arg {
    int64_t case_id, expect;
    const char *const *ids;
    size_t n;
    const ch_event_row *ev;
    ch_time now;
    int64_t *version;
} set_arg;

static int set_fn(sq_conn *c, void *arg, ch_error *err)
{
    set_arg *a = arg;
    static const char bump[] = "UPDATE cases SET version = version + 1, updated_at = ?2"
                               " WHERE id = ?1 AND (?3 = 0 OR version = ?3) RETURNING version";
    static const char drop[] = "DELETE FROM case_themes WHERE case_id = ?1";
    static const char add[] =
        "INSERT INTO case_themes(case_id, theme, position) VALUES(?1, ?2, ?3)";
    static const char evt[] =
        "INSERT INTO events(case_id, at, actor, what, detail) VALUES(?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = ch_sq_stmt(c, bump, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->case_id);
    sqlite3_bind_int64(st, 2, a->now);
    sqlite3_bind_int64(st, 3, a->expect);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE && a->expect)
        return ch_error_set(err, CH_E_CONFLICT,
                            "someone changed case %lld since you read it; reload it and "
                            "choose its themes again",
                            (long long)a->case_id);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)a->case_id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "setting a case's themes");
    *a->version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!(st = ch_sq_stmt(c, drop, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->case_id);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "setting a case's themes");
    for (size_t i = 0; i < a->n; i++) {
        if (!(st = ch_sq_stmt(c, add, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, a->case_id);
        ch_sq_bind_text(st, 2, a->ids[i]);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)i);
        step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            return ch_sq_error(c, err, "setting a case's themes");
    }
    if (!(st = ch_sq_stmt(c, evt, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, a->case_id);
    sqlite3_bind_int64(st, 2, a->ev->at);
    ch_sq_bind_id(st, 3, a->ev->actor);
    ch_sq_bind_text(st, 4, a->ev->what);
    ch_sq_bind_text(st, 5, a->ev->detail);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "recording a case's themes");
    return CH_OK;
}

int ch_sq_case_themes_set(ch_store *base, int64_t case_id, int64_t expect, const char *const *ids,
                          size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                          ch_error *err)
{
    set_arg a = {case_id, expect, ids, n, ev, now, new_version};
    return ch_sq_write((sq *)base, set_fn, &a, err);
}

int ch_sq_case_themes(ch_store *base, int64_t case_id, ch_arena *a, const char ***out, size_t *n,
                      ch_error *err)
{
    static const char sql[] =
        "SELECT theme FROM case_themes WHERE case_id = ?1 ORDER BY position, theme";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    const char **ids = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    *out = NULL;
    *n = 0;
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            if (!(ids = ch_arena_grow(a, ids, count, cap, sizeof(*ids)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ids[count++] = ch_sq_text(a, st, 0);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading a case's themes");
        goto out;
    }
    *out = ids;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_theme_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                     size_t nservices, ch_arena *a, ch_theme_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    *out = NULL;
    *n = 0;
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT c.service, t.theme, c.channel, " OUTCOME
                                   ", c.received_at FROM case_themes t JOIN cases c"
                                   " ON c.id = t.case_id WHERE c.received_at >= ? AND"
                                   " c.received_at < ?");
    if (services) {
        if (nservices == 0 || nservices > 200)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_sq_in_list(sql, sizeof(sql), &used, "c.service", nservices);
    }
    /* No ORDER BY: the handler sorts by quarter, which SQL cannot know. */
    (void)used;
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_theme_row *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    if (!st) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, (int)k + 3, services[k]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 256;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_theme_row *r = &rows[count++];
        r->service = ch_sq_text(a, st, 0);
        r->theme = ch_sq_text(a, st, 1);
        r->channel = ch_sq_text(a, st, 2);
        r->outcome = ch_sq_text(a, st, 3);
        r->received_at = sqlite3_column_int64(st, 4);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading the themes report");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}

/* An obligation counts for the service whose promise it was. */
#define SERVICE_OF "coalesce(o.service, c.service)"

int ch_sq_report_rows_by(ch_store *base, ch_report_by by, ch_time from, ch_time to,
                         const char *const *services, size_t nservices, ch_arena *a,
                         ch_report_row **out, size_t *n, ch_error *err)
{
    static const char *const key[] = {
        [CH_REPORT_BY_OFFICER] = "coalesce(u.name, '')",
        [CH_REPORT_BY_CHANNEL] = "c.channel",
        [CH_REPORT_BY_THEME] = "coalesce(t.theme, '')",
    };
    static const char *const join[] = {
        [CH_REPORT_BY_OFFICER] = " LEFT JOIN users u ON u.id = c.officer_id",
        [CH_REPORT_BY_CHANNEL] = "",
        [CH_REPORT_BY_THEME] = " LEFT JOIN case_themes t ON t.case_id = c.id",
    };
    char sql[4096];
    *out = NULL;
    *n = 0;
    if ((unsigned)by > CH_REPORT_BY_THEME)
        return ch_error_set(err, CH_E_INVALID, "no such report grouping");
    size_t used =
        (size_t)snprintf(sql, sizeof(sql),
                         "SELECT " SERVICE_OF ", %s, o.state, o.due_at, o.met_at,"
                         " c.deemed_at FROM obligations o JOIN cases c ON c.id = o.case_id"
                         "%s WHERE o.due_at >= ? AND o.due_at < ?",
                         key[by], join[by]);
    if (services) {
        if (nservices == 0 || nservices > 200)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_sq_in_list(sql, sizeof(sql), &used, SERVICE_OF, nservices);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY 1, 2, o.due_at");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_report_row *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    if (!st) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    for (size_t k = 0; services && k < nservices; k++)
        ch_sq_bind_text(st, (int)k + 3, services[k]);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            if (!(rows = ch_arena_grow(a, rows, count, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_report_row *r = &rows[count++];
        r->service = ch_sq_text(a, st, 0);
        r->promise = ch_sq_text(a, st, 1);
        r->state = ch_sq_text(a, st, 2);
        r->due_at = sqlite3_column_int64(st, 3);
        r->met_at = sqlite3_column_int64(st, 4);
        r->deemed_at = sqlite3_column_int64(st, 5);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading a report");
        goto out;
    }
    *out = rows;
    *n = count;
out:
    ch_sq_unlock(c);
    return rc;
}
