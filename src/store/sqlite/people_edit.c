/* Changes to people in the SQLite backend: edits, the paged list, merging
 * a duplicate into the record kept, and the files attached to a person or
 * a case (kept as BLOBs). */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

static int update_fn(sq_conn *c, void *arg, ch_error *err)
{
    const ch_person *p = arg;
    static const char sql[] = "UPDATE people SET name = ?, email = ?, phone = ?,"
                              " date_of_birth = ?, organisation_id = ?, needs = ? WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    ch_sq_bind_text(st, 1, p->name);
    ch_sq_bind_text(st, 2, p->email);
    ch_sq_bind_text(st, 3, p->phone);
    ch_sq_bind_text(st, 4, p->date_of_birth);
    ch_sq_bind_id(st, 5, p->organisation_id);
    ch_sq_bind_text(st, 6, p->needs);
    sqlite3_bind_int64(st, 7, p->id);
    int step = sqlite3_step(st);
    if (step == SQLITE_CONSTRAINT)
        return ch_error_set(err, CH_E_INVALID, "there is no organisation %lld",
                            (long long)p->organisation_id);
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "changing a person");
    if (sqlite3_changes(c->db) == 0)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)p->id);
    return CH_OK;
}

int ch_sq_person_update(ch_store *base, const ch_person *p, ch_error *err)
{
    return ch_sq_write((sq *)base, update_fn, (void *)p, err);
}

/* The WHERE clause of the list, its words bound at ?1 (one FTS5 query) and
 * its services after them. */
static size_t list_where(char *sql, size_t size, size_t used, const ch_people_query *q)
{
    used += (size_t)snprintf(sql + used, used < size ? size - used : 0,
                             " FROM people p WHERE merged_into IS NULL%s",
                             q->nwords ? CH_SQ_PERSON_WORDS : "");
    if (q->services)
        ch_store_person_scope_sql(sql, size, &used, "p", '?', q->nwords ? 2 : 1, q->nservices);
    return used;
}

static int bind_query(sqlite3_stmt *st, const ch_people_query *q, ch_arena *a, ch_error *err)
{
    int i = 1;
    if (q->nwords) {
        char *match = ch_sq_words_query(a, q->words, q->nwords);
        if (!match)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        sqlite3_bind_text(st, i++, match, -1, SQLITE_TRANSIENT);
    }
    for (size_t k = 0; q->services && k < q->nservices; k++)
        ch_sq_bind_text(st, i++, q->services[k]);
    return CH_OK;
}

int ch_sq_people_list(ch_store *base, const ch_people_query *q, ch_arena *a, ch_person **out,
                      size_t *n, int64_t *total, ch_error *err)
{
    char sql[8192], count[8192];
    if (q->services && (q->nservices == 0 || q->nservices > 200))
        return q->nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
    int nbound = (q->nwords ? 1 : 0) + (int)(q->services ? q->nservices : 0);
    size_t used = list_where(sql, sizeof(sql),
                             (size_t)snprintf(sql, sizeof(sql),
                                              "SELECT id, name, email, phone, date_of_birth,"
                                              " organisation_id, created_at, needs, merged_into,"
                                              " service"),
                             q);
    used += (size_t)snprintf(sql + used, used < sizeof(sql) ? sizeof(sql) - used : 0,
                             " ORDER BY name COLLATE NOCASE, id LIMIT ?%d OFFSET ?%d", nbound + 1,
                             nbound + 2);
    size_t cused = !q->nwords && !q->services /* everyone: the maintained count */
                       ? (size_t)snprintf(count, sizeof(count), "SELECT n FROM people_count")
                       : list_where(count, sizeof(count),
                                    (size_t)snprintf(count, sizeof(count), "SELECT count(*)"), q);
    if (used >= sizeof(sql) || cused >= sizeof(count))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    sq_conn *c = ch_sq_reader((sq *)base);
    sqlite3_stmt *st = NULL;
    int rc = CH_OK, step;
    size_t cap = 0, got = 0;
    ch_person *rows = NULL;
    if (!(st = ch_sq_stmt_built(c, count, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = bind_query(st, q, a, err)))
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "counting people");
        goto out;
    }
    *total = sqlite3_column_int64(st, 0);
    if (!(st = ch_sq_stmt_built(c, sql, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = bind_query(st, q, a, err)))
        goto out;
    sqlite3_bind_int64(st, nbound + 1, (sqlite3_int64)q->limit);
    sqlite3_bind_int64(st, nbound + 2, (sqlite3_int64)q->offset);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (got == cap) {
            cap = cap ? cap * 2 : 16;
            if (!(rows = ch_arena_grow(a, rows, got, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        ch_person *p = &rows[got++];
        p->id = sqlite3_column_int64(st, 0);
        p->name = ch_sq_text(a, st, 1);
        p->email = ch_sq_text(a, st, 2);
        p->phone = ch_sq_text(a, st, 3);
        p->date_of_birth = ch_sq_text(a, st, 4);
        p->organisation_id = sqlite3_column_int64(st, 5);
        p->created_at = sqlite3_column_int64(st, 6);
        p->needs = ch_sq_text(a, st, 7);
        p->merged_into = sqlite3_column_int64(st, 8);
        p->service = ch_sq_text(a, st, 9);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing people");
        goto out;
    }
    *out = rows;
    *n = got;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_person_in(ch_store *base, int64_t id, const char *const *services, size_t nservices,
                    bool *in, ch_error *err)
{
    char sql[16384];
    size_t used = (size_t)snprintf(sql, sizeof(sql), "SELECT 1 FROM people p WHERE p.id = ?1");
    ch_store_person_scope_sql(sql, sizeof(sql), &used, "p", '?', 2, nservices);
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many services");
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt_built(c, sql, err);
    if (!st) {
        rc = err->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    for (size_t i = 0; i < nservices; i++)
        ch_sq_bind_text(st, (int)i + 2, services[i]);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = ch_sq_error(c, err, "finding whose person this is");
    *in = step == SQLITE_ROW;
out:
    ch_sq_unlock(c);
    return rc;
}

typedef struct merge_args {
    int64_t keep, duplicate, *moved;
} merge_args;

/* Whether person id exists unmerged: CH_OK, or the error. */
static int merge_party(sq_conn *c, int64_t id, ch_error *err)
{
    static const char sql[] = "SELECT merged_into FROM people WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "reading a person");
    if (sqlite3_column_type(st, 0) != SQLITE_NULL)
        return ch_error_set(err, CH_E_CONFLICT, "person %lld was already merged into person %lld",
                            (long long)id, (long long)sqlite3_column_int64(st, 0));
    return CH_OK;
}

static int merge_fn(sq_conn *c, void *arg, ch_error *err)
{
    merge_args *m = arg;
    static const char cases[] =
        "UPDATE cases SET person_id = ?, version = version + 1 WHERE person_id = ?";
    static const char files[] = "UPDATE attachments SET person_id = ? WHERE person_id = ?";
    static const char mark[] = "UPDATE people SET merged_into = ? WHERE id = ?";
    /* Records merged into the duplicate before now point at the one kept. */
    static const char chain[] = "UPDATE people SET merged_into = ? WHERE merged_into = ?";
    /* Everything that keeps the person safe follows them: their needs (when
     * the record kept has none), restrictions, incidents, consents either
     * way, relationships either side, and whom contacts were with. */
    static const char needs[] = "UPDATE people SET needs = (SELECT needs FROM people WHERE id = ?2)"
                                " WHERE id = ?1 AND (needs IS NULL OR needs IN ('', '{}'))";
    static const char limits[] = "UPDATE restrictions SET person_id = ?1 WHERE person_id = ?2";
    static const char incidents[] = "UPDATE incidents SET person_id = ?1 WHERE person_id = ?2";
    static const char grantor[] = "UPDATE consents SET grantor_id = ?1 WHERE grantor_id = ?2";
    static const char grantee[] = "UPDATE consents SET grantee_id = ?1 WHERE grantee_id = ?2";
    static const char holder[] = "UPDATE relationships SET person_id = ?1 WHERE person_id = ?2";
    static const char other[] = "UPDATE relationships SET other_id = ?1 WHERE other_id = ?2";
    static const char with[] = "UPDATE contacts SET with_person_id = ?1 WHERE with_person_id = ?2";
    const char *const steps[] = {cases,     files,   mark,    chain,  needs, limits,
                                 incidents, grantor, grantee, holder, other, with};
    int rc;
    if ((rc = merge_party(c, m->keep, err)) || (rc = merge_party(c, m->duplicate, err)))
        return rc;
    for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
        sqlite3_stmt *st = ch_sq_stmt(c, steps[i], err);
        if (!st)
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, m->keep);
        sqlite3_bind_int64(st, 2, m->duplicate);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "merging people");
        if (i == 0)
            *m->moved = sqlite3_changes(c->db);
    }
    return CH_OK;
}

int ch_sq_person_merge(ch_store *base, int64_t keep, int64_t duplicate, int64_t *moved,
                       ch_error *err)
{
    merge_args m = {keep, duplicate, moved};
    return ch_sq_write((sq *)base, merge_fn, &m, err);
}

int ch_sq_attachment_insert_in(sq_conn *c, ch_attachment *f, ch_error *err)
{
    static const char sql[] =
        "INSERT INTO attachments(person_id, case_id, filename, content_type,"
        " size, data, uploaded_by, uploaded_at, contact_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    static const char has_person[] = "SELECT 1 FROM people WHERE id = ?";
    static const char has_case[] = "SELECT 1 FROM cases WHERE id = ?";
    static const char has_contact[] = "SELECT 1 FROM contacts WHERE id = ?";
    sqlite3_stmt *st = ch_sq_stmt(c, f->person_id ? has_person : has_case, err);
    if (!st)
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, f->person_id ? f->person_id : f->case_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return ch_error_set(err, CH_E_INVALID, "there is no %s %lld",
                            f->person_id ? "person" : "case",
                            (long long)(f->person_id ? f->person_id : f->case_id));
    if (step != SQLITE_ROW)
        return ch_sq_error(c, err, "adding an attachment");
    if (f->contact_id) {
        if (!(st = ch_sq_stmt(c, has_contact, err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, f->contact_id);
        if ((step = sqlite3_step(st)) == SQLITE_DONE)
            return ch_error_set(err, CH_E_INVALID, "there is no contact %lld",
                                (long long)f->contact_id);
        if (step != SQLITE_ROW)
            return ch_sq_error(c, err, "adding an attachment");
    }
    if (!(st = ch_sq_stmt(c, sql, err)))
        return CH_E_STORE;
    ch_sq_bind_id(st, 1, f->person_id);
    ch_sq_bind_id(st, 2, f->case_id);
    ch_sq_bind_text(st, 3, f->filename);
    ch_sq_bind_text(st, 4, f->content_type);
    sqlite3_bind_int64(st, 5, f->size);
    sqlite3_bind_blob64(st, 6, f->data ? (const void *)f->data : "", (sqlite3_uint64)f->size,
                        SQLITE_STATIC);
    ch_sq_bind_id(st, 7, f->uploaded_by);
    sqlite3_bind_int64(st, 8, f->uploaded_at);
    ch_sq_bind_id(st, 9, f->contact_id);
    step = sqlite3_step(st);
    sqlite3_bind_null(st, 6); /* the statement is cached: let go of the caller's bytes */
    if (step != SQLITE_DONE)
        return ch_sq_error(c, err, "adding an attachment");
    f->id = sqlite3_last_insert_rowid(c->db);
    return CH_OK;
}

static int attachment_fn(sq_conn *c, void *arg, ch_error *err)
{
    return ch_sq_attachment_insert_in(c, arg, err);
}

int ch_sq_attachment_insert(ch_store *base, ch_attachment *a, ch_error *err)
{
    return ch_sq_write((sq *)base, attachment_fn, a, err);
}

#define ATTACHMENT_COLUMNS                                                                         \
    "a.id, a.person_id, a.case_id, a.filename, a.content_type, a.size, a.uploaded_by, u.name,"     \
    " a.uploaded_at, a.contact_id"

static void read_attachment(ch_arena *a, sqlite3_stmt *st, ch_attachment *f)
{
    f->id = sqlite3_column_int64(st, 0);
    f->person_id = sqlite3_column_int64(st, 1);
    f->case_id = sqlite3_column_int64(st, 2);
    f->filename = ch_sq_text(a, st, 3);
    f->content_type = ch_sq_text(a, st, 4);
    f->size = sqlite3_column_int64(st, 5);
    f->uploaded_by = sqlite3_column_int64(st, 6);
    f->uploader = ch_sq_text(a, st, 7);
    f->uploaded_at = sqlite3_column_int64(st, 8);
    f->contact_id = sqlite3_column_int64(st, 9);
    f->data = NULL;
}

int ch_sq_attachment_list(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                          ch_attachment **out, size_t *n, ch_error *err)
{
    static const char by_person[] = "SELECT " ATTACHMENT_COLUMNS " FROM attachments a"
                                    " LEFT JOIN users u ON u.id = a.uploaded_by"
                                    " WHERE a.person_id = ? ORDER BY a.uploaded_at, a.id";
    static const char by_case[] = "SELECT " ATTACHMENT_COLUMNS " FROM attachments a"
                                  " LEFT JOIN users u ON u.id = a.uploaded_by"
                                  " WHERE a.case_id = ? ORDER BY a.uploaded_at, a.id";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    size_t cap = 0, got = 0;
    ch_attachment *rows = NULL;
    sqlite3_stmt *st = ch_sq_stmt(c, person_id ? by_person : by_case, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, person_id ? person_id : case_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (got == cap) {
            cap = cap ? cap * 2 : 8;
            if (!(rows = ch_arena_grow(a, rows, got, cap, sizeof(*rows)))) {
                rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
                goto out;
            }
        }
        read_attachment(a, st, &rows[got++]);
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "listing attachments");
        goto out;
    }
    *out = rows;
    *n = got;
out:
    ch_sq_unlock(c);
    return rc;
}

int ch_sq_attachment_get(ch_store *base, int64_t id, ch_arena *a, ch_attachment *out, ch_error *err)
{
    static const char sql[] = "SELECT " ATTACHMENT_COLUMNS ", a.data FROM attachments a"
                              " LEFT JOIN users u ON u.id = a.uploaded_by WHERE a.id = ?";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK;
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    if (step == SQLITE_DONE) {
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no attachment %lld", (long long)id);
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "reading an attachment");
        goto out;
    }
    read_attachment(a, st, out);
    int len = sqlite3_column_bytes(st, 10);
    const void *blob = sqlite3_column_blob(st, 10);
    unsigned char *data = ch_arena_alloc(a, (size_t)len + 1);
    if (!data) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if (len > 0)
        memcpy(data, blob, (size_t)len);
    out->data = data;
    out->size = len;
out:
    ch_sq_unlock(c);
    return rc;
}
