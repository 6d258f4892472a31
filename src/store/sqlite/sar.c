/* Subject access on SQLite: releasing an export (the contact that meets
 * the promise, the file and the export's row in one transaction), the
 * exports released, and the audit rows about a person. */
#include "store/sqlite/internal.h"

#include <string.h>

static const char audit_sql[] =
    "SELECT id, at, user_id, action, object, object_id, remote FROM audit"
    " WHERE (object = 'person' AND object_id = ?1)"
    " OR (object = 'case' AND object_id IN (SELECT id FROM cases WHERE person_id = ?1))"
    " OR (object = 'attachment' AND object_id IN (SELECT id FROM attachments"
    " WHERE person_id = ?1 OR case_id IN (SELECT id FROM cases WHERE person_id = ?1)))"
    " ORDER BY id LIMIT ?2";

typedef struct release_job {
    ch_sar_release *rel;
    int64_t version;
} release_job;

static int release_fn(sq_conn *c, void *arg, ch_error *err)
{
    static const char seen[] = "SELECT 1 FROM sar_exports WHERE case_id = ?";
    static const char add[] = "INSERT INTO sar_exports(case_id, person_id, attachment_id,"
                              " contact_id, released_by, released_at) VALUES(?, ?, ?, ?, ?, ?)";
    release_job *job = arg;
    ch_sar_release *rel = job->rel;
    sqlite3_stmt *st = ch_sq_stmt(c, seen, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, rel->row.case_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return ch_error_set(err, CH_E_CONFLICT,
                            "the export for case %lld has already been released; download it "
                            "from the case",
                            (long long)rel->row.case_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "releasing an export");
    int rc = ch_sq_case_update_in(c, rel->update, &job->version, err);
    if (rc)
        return rc;
    rel->row.contact_id = rel->update->contact ? rel->update->contact->id : 0;
    rel->file.contact_id = rel->row.contact_id;
    if ((rc = ch_sq_attachment_insert_in(c, &rel->file, err)))
        return rc;
    rel->row.attachment_id = rel->file.id;
    if (!(st = ch_sq_stmt(c, add, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, rel->row.case_id);
    ch_sq_bind_id(st, 2, rel->row.person_id);
    sqlite3_bind_int64(st, 3, rel->row.attachment_id);
    ch_sq_bind_id(st, 4, rel->row.contact_id);
    ch_sq_bind_id(st, 5, rel->row.released_by);
    sqlite3_bind_int64(st, 6, rel->row.released_at);
    if (sqlite3_step(st) != SQLITE_DONE)
        return ch_sq_error(c, err, "recording an export");
    rel->row.id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

int ch_sq_sar_release(ch_store *base, ch_sar_release *rel, int64_t *new_version, ch_error *err)
{
    release_job job = {rel, 0};
    int rc = ch_sq_write((sq *)base, release_fn, &job, err);
    if (rc == CH_OK && new_version)
        *new_version = job.version;
    return rc;
}

int ch_sq_sar_exports(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                      ch_sar_export **out, size_t *n, ch_error *err)
{
    static const char by_person[] =
        "SELECT id, case_id, person_id, attachment_id, contact_id, released_by, released_at"
        " FROM sar_exports WHERE person_id = ? ORDER BY id";
    static const char by_case[] =
        "SELECT id, case_id, person_id, attachment_id, contact_id, released_by, released_at"
        " FROM sar_exports WHERE case_id = ? ORDER BY id";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_sar_export *list = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, person_id ? by_person : by_case, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id ? person_id : case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_sar_export *e = &list[(*n)++];
        e->id = sqlite3_column_int64(st, 0);
        e->case_id = sqlite3_column_int64(st, 1);
        e->person_id = sqlite3_column_int64(st, 2);
        e->attachment_id = sqlite3_column_int64(st, 3);
        e->contact_id = sqlite3_column_int64(st, 4);
        e->released_by = sqlite3_column_int64(st, 5);
        e->released_at = sqlite3_column_int64(st, 6);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "listing exports");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_sar_audit(ch_store *base, int64_t person_id, size_t limit, ch_arena *a,
                    ch_audit_row **out, size_t *n, ch_error *err)
{
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_audit_row *rows = NULL;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = ch_sq_stmt(c, audit_sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(rows = ch_arena_room(a, rows, *n, &cap, sizeof(*rows)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        ch_audit_row *r = &rows[(*n)++];
        r->id = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        r->user_id = sqlite3_column_int64(st, 2);
        r->action = ch_sq_text(a, st, 3);
        r->object = ch_sq_text(a, st, 4);
        r->object_id = sqlite3_column_int64(st, 5);
        r->remote = ch_sq_text(a, st, 6);
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "reading the audit log");
    *out = rows;
out:
    ch_sq_unlock(c);
    return rc;
}

/* Everyone else on record, for scrubbing: erased people have nothing
 * left to scrub, and duplicates merged into the subject are the subject. */
#define OTHERS_SQL(p)                                                                              \
    "SELECT name, email FROM people p WHERE p.id != " p " AND p.merged_into IS NOT " p             \
    " AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.object = 'person' AND e.object_id = p.id)"

int ch_sq_sar_others(ch_store *base, int64_t person_id, ch_arena *a, ch_sar_other **out, size_t *n,
                     ch_error *err)
{
    static const char sql[] = OTHERS_SQL("?1");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0;
    ch_sar_other *list = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(list = ch_arena_room(a, list, *n, &cap, sizeof(*list)))) {
            rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
            goto out;
        }
        list[*n].name = ch_sq_text(a, st, 0);
        list[*n].email = ch_sq_text(a, st, 1);
        (*n)++;
    }
    if (step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "listing people on record");
    *out = list;
out:
    ch_sq_unlock(c);
    return rc;
}
