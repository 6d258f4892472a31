/* Reading the audit log back in the PostgreSQL backend: the rows about one
 * person (and their cases), or one member of staff, or one case, between
 * two instants, newest first, as range scans of audit_object_at and
 * audit_user_at, paged by the last row's (at, id); and the services of a
 * page's people, for deciding which lines a manager may see. */
#include "store/postgres/internal.h"

#include <inttypes.h>
#include <stdio.h>

/* $1 is the person, user or case, $2 from, ($3, $4) the page's upper
 * bound and $5 the limit. Each line about a case carries its service. */
#define AQ_COLS "a.id, a.at, a.user_id, a.action, a.object, a.object_id, a.remote"
#define AQ_BOUNDS " AND a.at >= $2 AND (a.at, a.id) < ($3, $4)"
#define AQ_ORDER " ORDER BY a.at DESC, a.id DESC LIMIT $5"
#define AQ_JOINS                                                                                   \
    " LEFT JOIN users u ON u.id = x.user_id"                                                       \
    " LEFT JOIN cases c ON x.object = 'case' AND c.id = x.object_id"
#define AQ_TAIL AQ_JOINS " ORDER BY x.at DESC, x.id DESC"
#define AQ_HEAD                                                                                    \
    "SELECT x.id, x.at, x.user_id, u.name, x.action, x.object, x.object_id, x.remote, c.service"   \
    " FROM ("

/* Each arm of the person's query is ordered and limited on its own and
 * gives only (id, at), which the index holds (an index-only scan once the
 * table is vacuumed); only the page's rows are then fetched. */
#define AQ_KEYS "SELECT a.id, a.at FROM audit a"
static const char person_sql[] = AQ_HEAD
    "SELECT " AQ_COLS " FROM (SELECT id, at FROM ((" AQ_KEYS
    " WHERE a.object = ANY('{person,incidents,restrictions}'::text[]) AND a.object_id = "
    "$1" AQ_BOUNDS AQ_ORDER ") UNION ALL (" AQ_KEYS " WHERE a.object = 'case' AND a.object_id IN"
    " (SELECT id FROM cases WHERE person_id = $1)" AQ_BOUNDS AQ_ORDER ") UNION ALL (" AQ_KEYS
    " WHERE a.object = 'attachment' AND a.object_id IN (SELECT id FROM attachments WHERE"
    " person_id = $1 UNION ALL SELECT f.id FROM attachments f JOIN cases fc ON fc.id = f.case_id"
    " WHERE fc.person_id = $1)" AQ_BOUNDS AQ_ORDER ")) arms"
    " ORDER BY at DESC, id DESC LIMIT $5) k JOIN audit a ON a.id = k.id) x" AQ_TAIL;
static const char user_sql[] =
    AQ_HEAD "SELECT " AQ_COLS " FROM audit a WHERE a.user_id = $1" AQ_BOUNDS AQ_ORDER ") x" AQ_TAIL;
static const char case_sql[] = AQ_HEAD
    "SELECT " AQ_COLS
    " FROM audit a WHERE a.object = 'case' AND a.object_id = $1" AQ_BOUNDS AQ_ORDER ") x" AQ_TAIL;

int ch_pg_audit_query(ch_store *base, const ch_audit_query *q, ch_arena *a, ch_audit_view_row **out,
                      size_t *n, ch_error *err)
{
    pg_params p = {0};
    ch_pg_int(&p, q->person_id ? q->person_id : q->user_id ? q->user_id : q->case_id);
    ch_pg_int(&p, q->from);
    ch_pg_int(&p, q->before_at);
    ch_pg_int(&p, q->before_id);
    ch_pg_int(&p, (int64_t)q->limit);
    const char *sql = q->person_id ? person_sql : q->user_id ? user_sql : case_sql;
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "reading the audit log");
    ch_pg_release(c);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_audit_view_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].at = ch_pg_get_int(res, i, 1);
        list[i].user_id = ch_pg_get_int(res, i, 2);
        list[i].user_name = ch_pg_get_text(a, res, i, 3);
        list[i].action = ch_pg_get_text(a, res, i, 4);
        list[i].object = ch_pg_get_text(a, res, i, 5);
        list[i].object_id = ch_pg_get_int(res, i, 6);
        list[i].remote = ch_pg_get_text(a, res, i, 7);
        list[i].case_service = ch_pg_get_text(a, res, i, 8);
    }
    PQclear(res);
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

/* The ids go in as one array literal, so that one prepared statement
 * serves any number of them. */
int ch_pg_people_services(ch_store *base, const int64_t *ids, size_t n, ch_arena *a,
                          ch_person_service **out, size_t *nout, ch_error *err)
{
    static const char sql[] = "SELECT DISTINCT person_id, service FROM cases"
                              " WHERE person_id = ANY($1::bigint[])";
    size_t used = 0, size = n * 21 + 3;
    char *list = ch_arena_alloc(a, size);
    if (!list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    used += (size_t)snprintf(list, size, "{");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(list + used, size - used, "%s%" PRId64, i ? "," : "", ids[i]);
    snprintf(list + used, size - used, "}");
    pg_params p = {0};
    ch_pg_text(&p, list);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "reading the services of people's cases");
    ch_pg_release(c);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_person_service *set = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*set)) : NULL;
    if (rows && !set) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        set[i].person_id = ch_pg_get_int(res, i, 0);
        set[i].service = ch_pg_get_text(a, res, i, 1);
    }
    PQclear(res);
    *out = set;
    *nout = (size_t)rows;
    return CH_OK;
}
