/* The audit log's hash chain on SQLite: the append that links each row to
 * the one before (inside the writer thread, so appends never race), the end
 * of an audited write, and the walk's reading of the chain in seq order. */
#include "core/auditlog.h"
#include "store/sqlite/internal.h"

#include <string.h>

int ch_sq_audit_append(sq_conn *c, const ch_audit_row *row, ch_error *err)
{
    static const char last_sql[] = "SELECT seq, hash FROM audit WHERE seq IS NOT NULL"
                                   " ORDER BY seq DESC LIMIT 1";
    static const char insert_sql[] =
        "INSERT INTO audit(at, user_id, action, object, object_id, remote, seq, prev_hash, hash)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = ch_sq_stmt(c, last_sql, err);
    if (!st)
        return CH_E_STORE;
    int64_t last_seq = 0;
    char last_hash[CH_AUDITLOG_HEX] = "";
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        last_seq = sqlite3_column_int64(st, 0);
        const unsigned char *h = sqlite3_column_text(st, 1);
        if (h && strlen((const char *)h) == CH_AUDITLOG_HEX - 1)
            memcpy(last_hash, h, CH_AUDITLOG_HEX);
    } else if (step != SQLITE_DONE) {
        return ch_sq_error(c, err, "reading the end of the audit chain");
    }
    sqlite3_reset(st);
    ch_auditlog_entry e = ch_store_audit_entry(row);
    char prev[CH_AUDITLOG_HEX], hash[CH_AUDITLOG_HEX];
    if (ch_auditlog_link(&e, last_seq, last_seq ? last_hash : NULL, prev, hash))
        return ch_error_set(err, CH_E_INVALID, "the audit row is too long to record");
    if (!(st = ch_sq_stmt(c, insert_sql, err)))
        return CH_E_STORE;
    sqlite3_bind_int64(st, 1, row->at);
    ch_sq_bind_id(st, 2, row->user_id);
    ch_sq_bind_text(st, 3, row->action);
    ch_sq_bind_text(st, 4, row->object);
    ch_sq_bind_id(st, 5, row->object_id);
    ch_sq_bind_text(st, 6, row->remote);
    sqlite3_bind_int64(st, 7, e.seq);
    ch_sq_bind_text(st, 8, prev);
    ch_sq_bind_text(st, 9, hash);
    return sqlite3_step(st) == SQLITE_DONE ? CH_OK : ch_sq_error(c, err, "writing the audit log");
}

/* A write that has run its audit rows alone, as one job. */
static int append_all(sq_conn *c, void *arg, ch_error *err)
{
    ch_audit_pending *p = arg;
    int rc = CH_OK;
    for (size_t i = 0; i < p->n && rc == CH_OK; i++)
        rc = ch_sq_audit_append(c, &p->rows[i], err);
    return rc;
}

int ch_sq_audit_finish(ch_store *base, int rc, ch_error *err)
{
    /* The writer took the rows into the write's own job; rows still
     * attached mean the write never reached the database. A write that
     * failed there needs no audit; one that succeeded without writing
     * still gets its rows, alone. */
    ch_audit_pending p;
    if (!ch_store_audit_take(base, &p) || rc != CH_OK || !p.n)
        return rc;
    ch_store_audit_resolve(&p);
    return ch_sq_write((sq *)base, append_all, &p, err);
}

int ch_sq_audit_chain(ch_store *base, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                      int64_t *unchained_max_id, ch_error *err)
{
    static const char chain_sql[] =
        "SELECT id, at, user_id, action, object, object_id, remote, seq, prev_hash, hash"
        " FROM audit WHERE seq IS NOT NULL ORDER BY seq";
    static const char loose_sql[] = "SELECT count(*), max(id) FROM audit WHERE seq IS NULL";
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = CH_OK, step;
    /* One read transaction, so the walk and the count see one state. */
    if ((rc = ch_sq_exec(c, "BEGIN", err)))
        goto out;
    sqlite3_stmt *st = ch_sq_stmt(c, chain_sql, err);
    if (!st) {
        rc = CH_E_STORE;
        goto end;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        ch_audit_row row = {
            .id = sqlite3_column_int64(st, 0),
            .at = sqlite3_column_int64(st, 1),
            .user_id = sqlite3_column_int64(st, 2),
            .action = (const char *)sqlite3_column_text(st, 3),
            .object = (const char *)sqlite3_column_text(st, 4),
            .object_id = sqlite3_column_int64(st, 5),
            .remote = (const char *)sqlite3_column_text(st, 6),
            .seq = sqlite3_column_int64(st, 7),
            .prev_hash = (const char *)sqlite3_column_text(st, 8),
            .hash = (const char *)sqlite3_column_text(st, 9),
        };
        if ((rc = fn(ctx, &row, err)))
            goto end;
    }
    if (step != SQLITE_DONE) {
        rc = ch_sq_error(c, err, "reading the audit chain");
        goto end;
    }
    if (!(st = ch_sq_stmt(c, loose_sql, err))) {
        rc = CH_E_STORE;
        goto end;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = ch_sq_error(c, err, "counting unchained audit rows");
        goto end;
    }
    *unchained = sqlite3_column_int64(st, 0);
    *unchained_max_id = sqlite3_column_int64(st, 1);
end:
    for (int i = 0; i < c->nactive; i++)
        sqlite3_reset(c->active[i]);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
out:
    ch_sq_unlock(c);
    return rc;
}

/* ---- audit retention ---- */

/* Whether the audit row a is about a held record: a held person, a held
 * case, or a case about a held person. The unary + keeps SQLite from
 * answering the OR through the object and user indexes: that gathers and
 * sorts every row (23 s at ten million, under the write lock) where the
 * purge wants the seq index walked from the oldest row until it stops. */
#define HELD(a)                                                                                    \
    "((+" a ".object = 'person' AND +" a ".object_id IN (SELECT person_id FROM legal_holds))"      \
    " OR (+" a ".object = 'case' AND (+" a ".object_id IN (SELECT case_id FROM legal_holds)"       \
    " OR +" a ".object_id IN (SELECT c.id FROM cases c JOIN legal_holds h"                         \
    " ON h.person_id = c.person_id))))"

typedef struct purge_args {
    ch_time cutoff, now;
    int64_t by, *count;
    bool dry_run;
} purge_args;

static int64_t one_int(sq_conn *c, const char *sql, bool bind_cutoff, ch_time cutoff, int *rc,
                       ch_error *err)
{
    sqlite3_stmt *st = ch_sq_stmt(c, sql, err);
    int64_t v = 0;
    if (!st) {
        *rc = CH_E_STORE;
        return 0;
    }
    if (bind_cutoff)
        sqlite3_bind_int64(st, 1, cutoff);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (step != SQLITE_DONE)
        *rc = ch_sq_error(c, err, "reading the audit log for retention");
    sqlite3_reset(st);
    return v;
}

/* Counts (and unless dry_run deletes) what is due; the reader and the
 * writer both run it, so the dry run counts what the run deletes. */
static int purge_fn(sq_conn *c, void *arg, ch_error *err)
{
    purge_args *a = arg;
    /* The purge is a prefix: it ends before the first row to keep, found
     * by walking the seq index from the oldest row. */
    static const char keep_sql[] =
        "SELECT seq FROM audit a WHERE seq IS NOT NULL AND (+at > ?1 OR " HELD(
            "a") ") ORDER BY seq LIMIT 1";
    static const char first_sql[] = "SELECT min(seq) FROM audit";
    static const char last_sql[] = "SELECT max(seq) FROM audit";
    static const char loose_sql[] =
        "SELECT count(*) FROM audit a WHERE seq IS NULL AND at <= ?1 AND NOT " HELD("a");
    static const char permit_sql[] = "INSERT INTO audit_purge(upto) VALUES(?1)";
    static const char chained_sql[] = "DELETE FROM audit WHERE seq <= ?1";
    static const char loose_del_sql[] =
        "DELETE FROM audit WHERE id IN (SELECT id FROM audit a WHERE seq IS NULL AND at <= ?1"
        " AND NOT " HELD("a") ")";
    int rc = CH_OK;
    int64_t keep = one_int(c, keep_sql, true, a->cutoff, &rc, err);
    int64_t first = rc ? 0 : one_int(c, first_sql, false, 0, &rc, err);
    int64_t upto = rc ? 0 : keep ? keep - 1 : one_int(c, last_sql, false, 0, &rc, err);
    int64_t loose = rc ? 0 : one_int(c, loose_sql, true, a->cutoff, &rc, err);
    if (rc)
        return rc;
    int64_t chained = first && upto >= first ? upto - first + 1 : 0;
    *a->count = chained + loose;
    if (a->dry_run || !*a->count)
        return CH_OK;
    sqlite3_stmt *st;
    const char *const steps[] = {permit_sql, chained_sql, loose_del_sql};
    const int64_t binds[] = {chained ? upto : 0, upto, a->cutoff};
    for (int i = 0; i < 3; i++) {
        if (!(st = ch_sq_stmt(c, steps[i], err)))
            return CH_E_STORE;
        sqlite3_bind_int64(st, 1, binds[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            return ch_sq_error(c, err, "purging the audit log");
    }
    if ((rc = ch_sq_exec(c, "DELETE FROM audit_purge", err)))
        return rc;
    ch_audit_row row = {.at = a->now,
                        .user_id = a->by,
                        .action = CH_AUDITLOG_PURGE,
                        .object = "audit",
                        .object_id = chained ? upto : 0};
    return ch_sq_audit_append(c, &row, err);
}

int ch_sq_audit_purge(ch_store *base, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                      int64_t *count, ch_error *err)
{
    purge_args a = {cutoff, now, by, count, dry_run};
    if (!dry_run)
        return ch_sq_write((sq *)base, purge_fn, &a, err);
    sq_conn *c = ch_sq_reader((sq *)base);
    int rc = ch_sq_exec(c, "BEGIN", err);
    if (!rc)
        rc = purge_fn(c, &a, err);
    for (int i = 0; i < c->nactive; i++)
        sqlite3_reset(c->active[i]);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    ch_sq_unlock(c);
    return rc;
}
