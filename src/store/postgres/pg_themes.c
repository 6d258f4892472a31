/* Themes on cases in the PostgreSQL backend: the same contract as the
 * SQLite backend's themes.c. Setting themes locks the case row first, so
 * two desks setting a case's themes at once leave one whole list. */
#include "store/postgres/internal.h"

#include <stdio.h>
#include <string.h>

#define OUTCOME                                                                                    \
    "CASE WHEN c.status != 'closed' THEN 'open' WHEN EXISTS(SELECT 1 FROM obligations o"           \
    " WHERE o.case_id = c.id AND (o.state = 'breached' OR (o.state = 'met' AND"                    \
    " o.met_at > o.due_at))) THEN 'closed-late' ELSE 'closed-on-time' END"

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int set_in(pg_conn *c, int64_t case_id, int64_t expect, const char *const *ids, size_t n,
                  const ch_event_row *ev, ch_time now, int64_t *version, ch_error *err)
{
    static const char bump[] =
        "UPDATE cases SET version = version + 1, updated_at = $2"
        " WHERE id = $1 AND ($3::bigint = 0 OR version = $3::bigint) RETURNING version";
    static const char drop[] = "DELETE FROM case_themes WHERE case_id = $1";
    static const char add[] =
        "INSERT INTO case_themes(case_id, theme, position) VALUES($1, $2, $3)";
    static const char evt[] =
        "INSERT INTO events(case_id, at, actor, what, detail) VALUES($1, $2, $3, $4, $5)";
    int rc = CH_OK;
    pg_params p = {0};
    ch_pg_int(&p, case_id);
    ch_pg_int(&p, now);
    ch_pg_int(&p, expect);
    PGresult *res = ch_pg_run(c, bump, &p, err, "setting a case's themes");
    if (!ok(res)) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    if (PQntuples(res) == 0) {
        rc = expect ? ch_error_set(err, CH_E_CONFLICT,
                                   "someone changed case %lld since you read it; reload it and "
                                   "choose its themes again",
                                   (long long)case_id)
                    : ch_error_set(err, CH_E_NOTFOUND, "there is no case %lld", (long long)case_id);
        goto out;
    }
    *version = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    p = (pg_params){0};
    ch_pg_int(&p, case_id);
    if (!ok(res = ch_pg_run(c, drop, &p, err, "setting a case's themes"))) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        PQclear(res);
        p = (pg_params){0};
        ch_pg_int(&p, case_id);
        ch_pg_text(&p, ids[i]);
        ch_pg_int(&p, (int64_t)i);
        if (!ok(res = ch_pg_run(c, add, &p, err, "setting a case's themes"))) {
            rc = err->code ? err->code : CH_E_STORE;
            goto out;
        }
    }
    PQclear(res);
    p = (pg_params){0};
    ch_pg_int(&p, case_id);
    ch_pg_int(&p, ev->at);
    ch_pg_id(&p, ev->actor);
    ch_pg_text(&p, ev->what);
    ch_pg_text(&p, ev->detail);
    if (!ok(res = ch_pg_run(c, evt, &p, err, "recording a case's themes")))
        rc = err->code ? err->code : CH_E_STORE;
out:
    PQclear(res);
    return rc;
}

int ch_pg_case_themes_set(ch_store *base, int64_t case_id, int64_t expect, const char *const *ids,
                          size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                          ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (rc)
        goto out;
    if ((rc = set_in(c, case_id, expect, ids, n, ev, now, new_version, err)) == CH_OK)
        rc = ch_pg_exec(c, "COMMIT", err);
    else
        ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
out:
    ch_pg_release(c);
    return rc;
}

int ch_pg_case_themes(ch_store *base, int64_t case_id, ch_arena *a, const char ***out, size_t *n,
                      ch_error *err)
{
    static const char sql[] =
        "SELECT theme FROM case_themes WHERE case_id = $1 ORDER BY position, theme";
    pg_params p = {0};
    int rc = CH_OK;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, case_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "reading a case's themes");
    ch_pg_release(c);
    if (!ok(res)) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    int rows = PQntuples(res);
    const char **ids = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*ids)) : NULL;
    if (rows && !ids) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++)
        ids[i] = ch_pg_get_text(a, res, i, 0);
    *out = ids;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

int ch_pg_theme_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                     size_t nservices, ch_arena *a, ch_theme_row **out, size_t *n, ch_error *err)
{
    char sql[4096];
    pg_params p = {0};
    int rc = CH_OK;
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT c.service, t.theme, c.channel, " OUTCOME
                                   ", c.received_at FROM case_themes t JOIN cases c"
                                   " ON c.id = t.case_id WHERE c.received_at >= $1 AND"
                                   " c.received_at < $2");
    if (services) {
        if (nservices == 0 || nservices > 100)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_pg_in_list(sql, sizeof(sql), &used, "c.service", 3, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    /* No ORDER BY: the handler sorts by quarter, which SQL cannot know. */
    (void)used;
    pg_conn *c = ch_pg_acquire((pg *)base);
    res = ch_pg_run_built(c, sql, &p, err, "reading the themes report");
    ch_pg_release(c);
    if (!ok(res)) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    int rows = PQntuples(res);
    ch_theme_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        list[i].service = ch_pg_get_text(a, res, i, 0);
        list[i].theme = ch_pg_get_text(a, res, i, 1);
        list[i].channel = ch_pg_get_text(a, res, i, 2);
        list[i].outcome = ch_pg_get_text(a, res, i, 3);
        list[i].received_at = ch_pg_get_int(res, i, 4);
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}

#define SERVICE_OF "coalesce(o.service, c.service)"

int ch_pg_report_rows_by(ch_store *base, ch_report_by by, ch_time from, ch_time to,
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
    pg_params p = {0};
    int rc = CH_OK;
    PGresult *res = NULL;
    *out = NULL;
    *n = 0;
    if ((unsigned)by > CH_REPORT_BY_THEME)
        return ch_error_set(err, CH_E_INVALID, "no such report grouping");
    ch_pg_int(&p, from);
    ch_pg_int(&p, to);
    size_t used =
        (size_t)snprintf(sql, sizeof(sql),
                         "SELECT " SERVICE_OF ", %s, o.state, o.due_at, o.met_at,"
                         " c.deemed_at FROM obligations o JOIN cases c ON c.id = o.case_id"
                         "%s WHERE o.due_at >= $1 AND o.due_at < $2",
                         key[by], join[by]);
    if (services) {
        if (nservices == 0 || nservices > 100)
            return nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
        ch_pg_in_list(sql, sizeof(sql), &used, SERVICE_OF, 3, nservices);
        for (size_t i = 0; i < nservices; i++)
            ch_pg_text(&p, services[i]);
    }
    snprintf(sql + used, sizeof(sql) - used, " ORDER BY 1, 2, o.due_at");
    pg_conn *c = ch_pg_acquire((pg *)base);
    res = ch_pg_run_built(c, sql, &p, err, "reading a report");
    ch_pg_release(c);
    if (!ok(res)) {
        rc = err->code ? err->code : CH_E_STORE;
        goto out;
    }
    int rows = PQntuples(res);
    ch_report_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < rows; i++) {
        list[i].service = ch_pg_get_text(a, res, i, 0);
        list[i].promise = ch_pg_get_text(a, res, i, 1);
        list[i].state = ch_pg_get_text(a, res, i, 2);
        list[i].due_at = ch_pg_get_int(res, i, 3);
        list[i].met_at = ch_pg_get_int(res, i, 4);
        list[i].deemed_at = ch_pg_get_int(res, i, 5);
    }
    *out = list;
    *n = (size_t)rows;
out:
    PQclear(res);
    return rc;
}
