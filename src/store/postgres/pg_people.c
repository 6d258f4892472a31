/* Changes to people in the PostgreSQL backend: edits, the paged list,
 * merging a duplicate into the record kept (under row locks, so two merges
 * cannot cross), and files attached to a person or a case (bytea). */
#include "store/postgres/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One statement on c (fixed, or built at run time when built is set); the
 * result in *out (or cleared), 0 or the error. */
static int run_as(pg_conn *c, bool built, const char *sql, const pg_params *p, const char *doing,
                  PGresult **out, ch_error *err)
{
    PGresult *res =
        built ? ch_pg_run_built(c, sql, p, err, doing) : ch_pg_run(c, sql, p, err, doing);
    if (!ok(res)) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return err->code ? err->code : CH_E_STORE;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return CH_OK;
}

static int run(pg_conn *c, const char *sql, const pg_params *p, const char *doing, PGresult **out,
               ch_error *err)
{
    return run_as(c, false, sql, p, doing, out, err);
}

int ch_pg_person_update(ch_store *base, const ch_person *person, ch_error *err)
{
    static const char sql[] = "UPDATE people SET name = $1, email = $2, phone = $3,"
                              " date_of_birth = $4, organisation_id = $5, needs = $6 WHERE id = $7";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_text(&p, person->name);
    ch_pg_text(&p, person->email);
    ch_pg_text(&p, person->phone);
    ch_pg_text(&p, person->date_of_birth);
    ch_pg_id(&p, person->organisation_id);
    ch_pg_text(&p, person->needs);
    ch_pg_int(&p, person->id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "changing a person", &res, err);
    ch_pg_release(c);
    if (rc && ch_pg_violation(res, "23503"))
        rc = ch_error_set(err, CH_E_INVALID, "there is no organisation %lld",
                          (long long)person->organisation_id);
    else if (!rc && strcmp(PQcmdTuples(res), "0") == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)person->id);
    PQclear(res);
    return rc;
}

/* The list's FROM and WHERE, its parameters added to p. */
static int list_where(char *sql, size_t size, size_t *used, pg_params *p, const ch_people_query *q,
                      ch_arena *a, ch_error *err)
{
    *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                              " FROM people p WHERE merged_into IS NULL");
    if (q->nwords) {
        int rc = ch_pg_person_words(p, q->words, q->nwords, a, err);
        if (rc)
            return rc;
        *used += (size_t)snprintf(sql + *used, *used < size ? size - *used : 0,
                                  " AND " CH_PG_PERSON_WORDS " @@ to_tsquery('simple', $%d)", p->n);
    }
    if (q->services) {
        ch_store_person_scope_sql(sql, size, used, "p", '$', p->n + 1, q->nservices);
        for (size_t i = 0; i < q->nservices; i++)
            ch_pg_text(p, q->services[i]);
    }
    return CH_OK;
}

int ch_pg_people_list(ch_store *base, const ch_people_query *q, ch_arena *a, ch_person **out,
                      size_t *n, int64_t *total, ch_error *err)
{
    char sql[8192], count[8192];
    pg_params p = {0}, cp = {0};
    if (q->services && (q->nservices == 0 || q->nservices > 100))
        return q->nservices ? ch_error_set(err, CH_E_INVALID, "too many services") : CH_OK;
    size_t used = (size_t)snprintf(sql, sizeof(sql),
                                   "SELECT id, name, email, phone, date_of_birth, organisation_id,"
                                   " created_at, needs, merged_into, service");
    size_t cused = (size_t)snprintf(count, sizeof(count), "SELECT count(*)");
    int rc;
    if (!q->nwords && !q->services) /* everyone: the maintained count */
        cused = (size_t)snprintf(count, sizeof(count),
                                 "SELECT CAST(coalesce(sum(n), 0) AS bigint) FROM people_counts");
    else if ((rc = list_where(count, sizeof(count), &cused, &cp, q, a, err)))
        return rc;
    if ((rc = list_where(sql, sizeof(sql), &used, &p, q, a, err)))
        return rc;
    ch_pg_int(&p, (int64_t)q->limit);
    ch_pg_int(&p, (int64_t)q->offset);
    used += (size_t)snprintf(
        sql + used, used < sizeof(sql) ? sizeof(sql) - used : 0, "%s LIMIT $%d OFFSET $%d",
        q->nwords ? CH_PG_FOUND_ORDER : " ORDER BY lower(name), id", p.n - 1, p.n);
    if (used >= sizeof(sql) || cused >= sizeof(count))
        return ch_error_set(err, CH_E_INVALID, "too many words to find");
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = NULL;
    rc = run_as(c, true, count, &cp, "counting people", &res, err);
    if (!rc) {
        *total = ch_pg_get_int(res, 0, 0);
        PQclear(res);
        res = NULL;
        rc = run_as(c, true, sql, &p, "listing people", &res, err);
    }
    ch_pg_release(c);
    if (rc) {
        PQclear(res);
        return rc;
    }
    int rows = PQntuples(res);
    ch_person *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++) {
        list[i].id = ch_pg_get_int(res, i, 0);
        list[i].name = ch_pg_get_text(a, res, i, 1);
        list[i].email = ch_pg_get_text(a, res, i, 2);
        list[i].phone = ch_pg_get_text(a, res, i, 3);
        list[i].date_of_birth = ch_pg_get_text(a, res, i, 4);
        list[i].organisation_id = ch_pg_get_int(res, i, 5);
        list[i].created_at = ch_pg_get_int(res, i, 6);
        list[i].needs = ch_pg_get_text(a, res, i, 7);
        list[i].merged_into = ch_pg_get_int(res, i, 8);
        list[i].service = ch_pg_get_text(a, res, i, 9);
    }
    PQclear(res);
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

int ch_pg_person_in(ch_store *base, int64_t id, const char *const *services, size_t nservices,
                    bool *in, ch_error *err)
{
    char sql[16384];
    pg_params p = {0};
    size_t used = (size_t)snprintf(sql, sizeof(sql), "SELECT 1 FROM people p WHERE p.id = $1");
    ch_store_person_scope_sql(sql, sizeof(sql), &used, "p", '$', 2, nservices);
    if (used >= sizeof(sql))
        return ch_error_set(err, CH_E_INVALID, "too many services");
    ch_pg_int(&p, id);
    for (size_t i = 0; i < nservices; i++)
        ch_pg_text(&p, services[i]);
    pg_conn *c = ch_pg_acquire((pg *)base);
    PGresult *res = NULL;
    int rc = run_as(c, true, sql, &p, "finding whose person this is", &res, err);
    ch_pg_release(c);
    *in = !rc && PQntuples(res) > 0;
    PQclear(res);
    return rc;
}

static int merge_body(pg_conn *c, int64_t keep, int64_t duplicate, int64_t *moved, ch_error *err)
{
    static const char lock[] =
        "SELECT id, merged_into FROM people WHERE id IN ($1, $2) ORDER BY id FOR UPDATE";
    static const char cases[] =
        "UPDATE cases SET person_id = $1, version = version + 1 WHERE person_id = $2";
    static const char files[] = "UPDATE attachments SET person_id = $1 WHERE person_id = $2";
    static const char mark[] = "UPDATE people SET merged_into = $1 WHERE id = $2";
    /* Records merged into the duplicate before now point at the one kept. */
    static const char chain[] = "UPDATE people SET merged_into = $1 WHERE merged_into = $2";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, keep);
    ch_pg_int(&p, duplicate);
    int rc = run(c, lock, &p, "locking people", &res, err);
    if (rc) {
        PQclear(res);
        return rc;
    }
    bool seen[2] = {false, false};
    for (int i = 0; i < PQntuples(res) && !rc; i++) {
        int64_t id = ch_pg_get_int(res, i, 0), into = ch_pg_get_int(res, i, 1);
        seen[id == keep ? 0 : 1] = true;
        if (into)
            rc = ch_error_set(err, CH_E_CONFLICT, "person %lld was already merged into person %lld",
                              (long long)id, (long long)into);
    }
    PQclear(res);
    res = NULL;
    for (int k = 0; k < 2 && !rc; k++)
        if (!seen[k])
            rc = ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld",
                              (long long)(k ? duplicate : keep));
    if (rc)
        return rc;
    if ((rc = run(c, cases, &p, "merging people", &res, err))) {
        PQclear(res);
        return rc;
    }
    *moved = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if ((rc = run(c, files, &p, "merging people", NULL, err)))
        return rc;
    /* Everything that keeps the person safe follows them: their needs (when
     * the record kept has none), restrictions, incidents, consents either
     * way, relationships either side, and whom contacts were with. */
    static const char needs[] = "UPDATE people SET needs = (SELECT needs FROM people WHERE id = $2)"
                                " WHERE id = $1 AND (needs IS NULL OR needs IN ('', '{}'))";
    static const char limits[] = "UPDATE restrictions SET person_id = $1 WHERE person_id = $2";
    static const char incidents[] = "UPDATE incidents SET person_id = $1 WHERE person_id = $2";
    static const char grantor[] = "UPDATE consents SET grantor_id = $1 WHERE grantor_id = $2";
    static const char grantee[] = "UPDATE consents SET grantee_id = $1 WHERE grantee_id = $2";
    static const char holder[] = "UPDATE relationships SET person_id = $1 WHERE person_id = $2";
    static const char other[] = "UPDATE relationships SET other_id = $1 WHERE other_id = $2";
    static const char with[] = "UPDATE contacts SET with_person_id = $1 WHERE with_person_id = $2";
    const char *const steps[] = {mark,    chain,   needs,  limits, incidents,
                                 grantor, grantee, holder, other,  with};
    for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++)
        if ((rc = run(c, steps[i], &p, "merging people", NULL, err)))
            return rc;
    return CH_OK;
}

int ch_pg_person_merge(ch_store *base, int64_t keep, int64_t duplicate, int64_t *moved,
                       ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN", err);
    if (!rc) {
        rc = merge_body(c, keep, duplicate, moved, err);
        if (rc == CH_OK)
            rc = ch_pg_exec(c, "COMMIT", err);
        else
            ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    }
    ch_pg_release(c);
    return rc;
}

int ch_pg_attachment_insert_in(pg_conn *c, ch_attachment *f, ch_error *err)
{
    static const char sql[] = "INSERT INTO attachments(person_id, case_id, filename, content_type,"
                              " size, data, uploaded_by, uploaded_at, contact_id)"
                              " VALUES($1, $2, $3, $4, $5, $6::bytea, $7, $8, $9) RETURNING id";
    char *hex = ch_pg_bytea_hex(f->data, (size_t)f->size);
    if (!hex)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_id(&p, f->person_id);
    ch_pg_id(&p, f->case_id);
    ch_pg_text(&p, f->filename);
    ch_pg_text(&p, f->content_type);
    ch_pg_int(&p, f->size);
    ch_pg_text(&p, hex);
    ch_pg_id(&p, f->uploaded_by);
    ch_pg_int(&p, f->uploaded_at);
    ch_pg_id(&p, f->contact_id);
    int rc = run(c, sql, &p, "adding an attachment", &res, err);
    if (rc && ch_pg_violation(res, "23503")) {
        const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        if (constraint && strstr(constraint, "contact"))
            rc = ch_error_set(err, CH_E_INVALID, "there is no contact %lld",
                              (long long)f->contact_id);
        else
            rc = ch_error_set(err, CH_E_INVALID, "there is no %s %lld",
                              f->person_id ? "person" : "case",
                              (long long)(f->person_id ? f->person_id : f->case_id));
    } else if (!rc) {
        f->id = ch_pg_get_int(res, 0, 0);
    }
    PQclear(res);
    free(hex);
    return rc;
}

int ch_pg_attachment_insert(ch_store *base, ch_attachment *f, ch_error *err)
{
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = ch_pg_attachment_insert_in(c, f, err);
    ch_pg_release(c);
    return rc;
}

#define ATTACHMENT_COLUMNS                                                                         \
    "a.id, a.person_id, a.case_id, a.filename, a.content_type, a.size, a.uploaded_by, u.name,"     \
    " a.uploaded_at, a.contact_id"

static void read_attachment(ch_arena *a, const PGresult *res, int row, ch_attachment *f)
{
    f->id = ch_pg_get_int(res, row, 0);
    f->person_id = ch_pg_get_int(res, row, 1);
    f->case_id = ch_pg_get_int(res, row, 2);
    f->filename = ch_pg_get_text(a, res, row, 3);
    f->content_type = ch_pg_get_text(a, res, row, 4);
    f->size = ch_pg_get_int(res, row, 5);
    f->uploaded_by = ch_pg_get_int(res, row, 6);
    f->uploader = ch_pg_get_text(a, res, row, 7);
    f->uploaded_at = ch_pg_get_int(res, row, 8);
    f->contact_id = ch_pg_get_int(res, row, 9);
    f->data = NULL;
}

int ch_pg_attachment_list(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                          ch_attachment **out, size_t *n, ch_error *err)
{
    static const char by_person[] = "SELECT " ATTACHMENT_COLUMNS " FROM attachments a"
                                    " LEFT JOIN users u ON u.id = a.uploaded_by"
                                    " WHERE a.person_id = $1 ORDER BY a.uploaded_at, a.id";
    static const char by_case[] = "SELECT " ATTACHMENT_COLUMNS " FROM attachments a"
                                  " LEFT JOIN users u ON u.id = a.uploaded_by"
                                  " WHERE a.case_id = $1 ORDER BY a.uploaded_at, a.id";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, person_id ? person_id : case_id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, person_id ? by_person : by_case, &p, "listing attachments", &res, err);
    ch_pg_release(c);
    if (rc) {
        PQclear(res);
        return rc;
    }
    int rows = PQntuples(res);
    ch_attachment *list = rows ? ch_arena_alloc(a, (size_t)rows * sizeof(*list)) : NULL;
    for (int i = 0; i < rows && list; i++)
        read_attachment(a, res, i, &list[i]);
    PQclear(res);
    if (rows && !list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *out = list;
    *n = (size_t)rows;
    return CH_OK;
}

int ch_pg_attachment_get(ch_store *base, int64_t id, ch_arena *a, ch_attachment *out, ch_error *err)
{
    static const char sql[] = "SELECT " ATTACHMENT_COLUMNS ", a.data FROM attachments a"
                              " LEFT JOIN users u ON u.id = a.uploaded_by WHERE a.id = $1";
    pg_params p = {0};
    PGresult *res = NULL;
    ch_pg_int(&p, id);
    pg_conn *c = ch_pg_acquire((pg *)base);
    int rc = run(c, sql, &p, "reading an attachment", &res, err);
    ch_pg_release(c);
    if (!rc && PQntuples(res) == 0)
        rc = ch_error_set(err, CH_E_NOTFOUND, "there is no attachment %lld", (long long)id);
    if (rc) {
        PQclear(res);
        return rc;
    }
    read_attachment(a, res, 0, out);
    size_t len = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 10), &len);
    PQclear(res);
    unsigned char *data = raw ? ch_arena_alloc(a, len + 1) : NULL;
    if (data && len)
        memcpy(data, raw, len);
    PQfreemem(raw);
    if (!data)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    out->data = data;
    out->size = (int64_t)len;
    return CH_OK;
}
