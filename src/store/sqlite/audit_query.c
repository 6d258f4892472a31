/* Reading the audit log back in the SQLite backend: the rows about one
 * person (and their cases), or one member of staff, or one case, between
 * two instants, newest first, as range scans of audit_object_at and
 * audit_user_at, paged by the last row's (at, id); and the services of a
 * page's people, for deciding which lines a manager may see. */
#include "store/sqlite/internal.h"

#include <inttypes.h>
#include <stdio.h>

/* The three readings share their columns, their bounds and their order;
 * ?1 is the person, user or case, ?2 from, (?3, ?4) the page's upper bound
 * and ?5 the limit. Each line about a case carries the case's service. */
#define AQ_COLS "a.id, a.at, a.user_id, a.action, a.object, a.object_id, a.remote"
#define AQ_BOUNDS " AND a.at >= ?2 AND (a.at, a.id) < (?3, ?4)"
#define AQ_JOINS                                                                                   \
    " LEFT JOIN users u ON u.id = x.user_id"                                                       \
    " LEFT JOIN cases c ON x.object = 'case' AND c.id = x.object_id"
#define AQ_TAIL AQ_JOINS " ORDER BY x.at DESC, x.id DESC LIMIT ?5"
#define AQ_HEAD                                                                                    \
    "SELECT x.id, x.at, x.user_id, u.name, x.action, x.object, x.object_id, x.remote, c.service"   \
    " FROM ("

/* The person's rows come from three arms (their own record's lines, their
 * cases' and their files', on the person or a case of theirs, so a
 * download shows); the cases and files arms name their ids through IN, so that they probe the
 * index per record rather than walking every case line of the log. The arms
 * give only (id, at), read from the index alone, and only the page's rows
 * are then fetched from the table: a person may have thousands of lines in
 * a year, and a table lookup per line is what would cost. */
#define AQ_KEYS "SELECT a.id, a.at FROM audit a"
static const char person_sql[] = AQ_HEAD
    "SELECT " AQ_COLS " FROM (SELECT id, at FROM (" AQ_KEYS
    " WHERE a.object IN ('person', 'incidents', 'restrictions') AND a.object_id = ?1" AQ_BOUNDS
    " UNION ALL " AQ_KEYS " WHERE a.object = 'case' AND a.object_id IN (SELECT id FROM cases"
    " WHERE person_id = ?1)" AQ_BOUNDS " UNION ALL " AQ_KEYS " WHERE a.object = 'attachment' AND"
    " a.object_id IN (SELECT id FROM attachments WHERE person_id = ?1 UNION ALL SELECT f.id"
    " FROM attachments f JOIN cases fc ON fc.id = f.case_id WHERE fc.person_id = ?1)" AQ_BOUNDS
    ") ORDER BY at DESC, id DESC LIMIT ?5) k"
    " JOIN audit a ON a.id = k.id) x" AQ_TAIL;
#define AQ_ORDER " ORDER BY a.at DESC, a.id DESC LIMIT ?5"
static const char user_sql[] =
    AQ_HEAD "SELECT " AQ_COLS " FROM audit a WHERE a.user_id = ?1" AQ_BOUNDS AQ_ORDER ") x" AQ_TAIL;
static const char case_sql[] = AQ_HEAD
    "SELECT " AQ_COLS
    " FROM audit a WHERE a.object = 'case' AND a.object_id = ?1" AQ_BOUNDS AQ_ORDER ") x" AQ_TAIL;

int ch_sq_audit_query(ch_store *base, const ch_audit_query *q, ch_arena *a, ch_audit_view_row **out,
                      size_t *n, ch_error *err)
{
    int rc = CH_OK, step;
    size_t cap = 0, count = 0;
    ch_audit_view_row *rows = NULL;
    const char *sql = q->person_id ? person_sql : q->user_id ? user_sql : case_sql;
    sq_conn *s = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, q->person_id ? q->person_id : q->user_id ? q->user_id : q->case_id);
    sqlite3_bind_int64(st, 2, q->from);
    sqlite3_bind_int64(st, 3, q->before_at);
    sqlite3_bind_int64(st, 4, q->before_id);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)q->limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_audit_view_row *r = &rows[count++];
        r->id = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        r->user_id = sqlite3_column_int64(st, 2);
        r->user_name = ch_sq_text(a, st, 3);
        r->action = ch_sq_text(a, st, 4);
        r->object = ch_sq_text(a, st, 5);
        r->object_id = sqlite3_column_int64(st, 6);
        r->remote = ch_sq_text(a, st, 7);
        r->case_service = ch_sq_text(a, st, 8);
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

/* The ids go in as one JSON array, so that one prepared statement serves
 * any number of them. */
int ch_sq_people_services(ch_store *base, const int64_t *ids, size_t n, ch_arena *a,
                          ch_person_service **out, size_t *nout, ch_error *err)
{
    static const char sql[] = "SELECT DISTINCT person_id, service FROM cases"
                              " WHERE person_id IN (SELECT value FROM json_each(?1))";
    int rc = CH_OK, step;
    size_t cap = 0, count = 0, used = 0, size = n * 21 + 3;
    ch_person_service *rows = NULL;
    sq_conn *s = NULL;
    char *list = ch_arena_alloc(a, size);
    if (!list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    used += (size_t)snprintf(list, size, "[");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(list + used, size - used, "%s%" PRId64, i ? "," : "", ids[i]);
    snprintf(list + used, size - used, "]");
    s = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = ch_sq_stmt(s, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    ch_sq_bind_text(st, 1, list);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, count, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        rows[count].person_id = sqlite3_column_int64(st, 0);
        rows[count++].service = ch_sq_text(a, st, 1);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(s, err, "reading the services of people's cases");
        goto out;
    }
    *out = rows;
    *nout = count;
out:
    ch_sq_unlock(s);
    return rc;
}
