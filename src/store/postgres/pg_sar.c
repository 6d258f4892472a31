/* Subject access on PostgreSQL: releasing an export (the contact that
 * meets the promise, the file and the export's row in one transaction),
 * the exports released, and the audit rows about a person. */
#include "store/postgres/internal.h"

#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int already(int64_t case_id, ch_error *err)
{
    return ch_error_set(err, CH_E_CONFLICT,
                        "the export for case %lld has already been released; download it from "
                        "the case",
                        (long long)case_id);
}

static int release_in(pg_conn *c, ch_sar_release *rel, int64_t *new_version, ch_error *err)
{
    static const char seen[] = "SELECT 1 FROM sar_exports WHERE case_id = $1";
    static const char add[] = "INSERT INTO sar_exports(case_id, person_id, attachment_id,"
                              " contact_id, released_by, released_at)"
                              " VALUES($1, $2, $3, $4, $5, $6) RETURNING id";
    pg_params p = {0};
    ch_pg_int(&p, rel->row.case_id);
    PGresult *res = ch_pg_run(c, seen, &p, err, "releasing an export");
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int found = PQntuples(res);
    PQclear(res);
    if (found)
        return already(rel->row.case_id, err);
    int rc = ch_pg_case_update_in(c, rel->update, new_version, err);
    if (rc)
        return rc;
    rel->row.contact_id = rel->update->contact ? rel->update->contact->id : 0;
    rel->file.contact_id = rel->row.contact_id;
    if ((rc = ch_pg_attachment_insert_in(c, &rel->file, err)))
        return rc;
    rel->row.attachment_id = rel->file.id;
    p = (pg_params){0};
    ch_pg_int(&p, rel->row.case_id);
    ch_pg_id(&p, rel->row.person_id);
    ch_pg_int(&p, rel->row.attachment_id);
    ch_pg_id(&p, rel->row.contact_id);
    ch_pg_id(&p, rel->row.released_by);
    ch_pg_int(&p, rel->row.released_at);
    res = ch_pg_run(c, add, &p, err, "recording an export");
    /* Two releases at once: the case's row lock orders them, and the
     * second meets the unique case_id. */
    if (!ok(res) && ch_pg_violation(res, "23505")) {
        PQclear(res);
        return already(rel->row.case_id, err);
    }
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    rel->row.id = ch_pg_get_int(res, 0, 0);
    PQclear(res);
    return CH_OK;
}

int ch_pg_sar_release(ch_store *base, ch_sar_release *rel, int64_t *new_version, ch_error *err)
{
    int64_t version = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc) {
        rc = release_in(c, rel, &version, err);
        if (rc == CH_OK)
            rc = ch_pg_exec(c, "COMMIT", err);
        else
            ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    }
    ch_pg_release(c);
    if (rc == CH_OK && new_version)
        *new_version = version;
    return rc;
}

int ch_pg_sar_exports(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                      ch_sar_export **out, size_t *n, ch_error *err)
{
    static const char by_person[] =
        "SELECT id, case_id, person_id, attachment_id, contact_id, released_by, released_at"
        " FROM sar_exports WHERE person_id = $1 ORDER BY id";
    static const char by_case[] =
        "SELECT id, case_id, person_id, attachment_id, contact_id, released_by, released_at"
        " FROM sar_exports WHERE case_id = $1 ORDER BY id";
    pg_params p = {0};
    ch_pg_int(&p, person_id ? person_id : case_id);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, person_id ? by_person : by_case, &p, err, "listing exports");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_sar_export *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++)
        list[i] = (ch_sar_export){ch_pg_get_int(res, i, 0), ch_pg_get_int(res, i, 1),
                                  ch_pg_get_int(res, i, 2), ch_pg_get_int(res, i, 3),
                                  ch_pg_get_int(res, i, 4), ch_pg_get_int(res, i, 5),
                                  ch_pg_get_int(res, i, 6)};
    PQclear(res);
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

int ch_pg_sar_audit(ch_store *base, int64_t person_id, size_t limit, ch_arena *a,
                    ch_audit_row **out, size_t *n, ch_error *err)
{
    static const char sql[] =
        "SELECT id, at, user_id, action, object, object_id, remote FROM audit"
        " WHERE (object = 'person' AND object_id = $1)"
        " OR (object = 'case' AND object_id IN (SELECT id FROM cases WHERE person_id = $1))"
        " OR (object = 'attachment' AND object_id IN (SELECT id FROM attachments"
        " WHERE person_id = $1 OR case_id IN (SELECT id FROM cases WHERE person_id = $1)))"
        " ORDER BY id LIMIT $2";
    pg_params p = {0};
    ch_pg_int(&p, person_id);
    ch_pg_int(&p, (int64_t)limit);
    *out = NULL;
    *n = 0;
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "reading the audit log");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_audit_row *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
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

int ch_pg_sar_others(ch_store *base, int64_t person_id, ch_arena *a, ch_sar_other **out, size_t *n,
                     ch_error *err)
{
    /* As on SQLite: not the subject, their merged duplicates or the erased. */
    static const char sql[] =
        "SELECT name, email FROM people p WHERE p.id != $1 AND p.merged_into IS DISTINCT FROM $1"
        " AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.object = 'person'"
        " AND e.object_id = p.id)";
    pg_params p = {0};
    ch_pg_int(&p, person_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = ch_pg_run(c, sql, &p, err, "listing people on record");
    ch_pg_release(c);
    if (!ok(res)) {
        PQclear(res);
        return CH_E_STORE;
    }
    int rows = PQntuples(res);
    ch_sar_other *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    if (rows && !list) {
        PQclear(res);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < rows; i++) {
        list[i].name = ch_pg_get_text(a, res, i, 0);
        list[i].email = ch_pg_get_text(a, res, i, 1);
    }
    PQclear(res);
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}
