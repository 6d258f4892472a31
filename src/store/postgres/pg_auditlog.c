/* The audit log's hash chain on PostgreSQL: an audited write keeps one
 * connection in one transaction from its first statement to its audit row,
 * appends take a transaction-scoped advisory lock so two servers never link
 * to the same end, and the walk reads the chain in seq order in pages. */
#include "core/auditlog.h"
#include "store/postgres/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* This thread's audited write: its store and the connection it holds. */
static _Thread_local struct {
    pg *s;
    pg_conn *c;
} held;

pg_conn *ch_pg_audit_conn(pg *s)
{
    if (held.s == s && held.c)
        return held.c;
    if (!ch_store_audit_pending(&s->base))
        return NULL;
    pg_conn *c = ch_pg_pool_acquire(s);
    /* Should BEGIN fail, the write's own statements fail after it and the
     * finish rolls back: the connection is held either way. */
    PQclear(PQexec(c->db, "BEGIN"));
    held.s = s;
    held.c = c;
    return c;
}

bool ch_pg_audit_holds(const pg_conn *c)
{
    return held.c && held.c == c;
}

const char *ch_pg_audit_nested(const char *sql)
{
    /* The write's transaction is the audited one; its own becomes a
     * savepoint inside it, so a ROLLBACK still undoes just its part. */
    if (strncmp(sql, "BEGIN", 5) == 0)
        return "SAVEPOINT ch_write";
    if (strcmp(sql, "COMMIT") == 0)
        return "RELEASE SAVEPOINT ch_write";
    if (strcmp(sql, "ROLLBACK") == 0)
        return "ROLLBACK TO SAVEPOINT ch_write";
    return sql;
}

/* Links row to the chain's end and inserts it; with commit, the COMMIT
 * goes in the insert's round trip. The lock is held from the moment it is
 * granted to COMMIT, and every appender waits on it, so the appends' time
 * under it is kept to one round trip: the lock and the read of the end
 * travel together (the read, a statement of its own, sees the end as the
 * last holder committed it), as do the insert and the COMMIT. */
static int append(pg_conn *c, const ch_audit_row *row, bool commit, ch_error *err)
{
    /* One lock per schema, so two servers never link to the same end. */
    static const char lock_sql[] =
        "SELECT pg_advisory_xact_lock(hashtext('charter.audit.' || current_schema()))";
    static const char last_sql[] = "SELECT seq, hash FROM audit WHERE seq IS NOT NULL"
                                   " ORDER BY seq DESC LIMIT 1";
    static const char insert_sql[] =
        "INSERT INTO audit(at, user_id, action, object, object_id, remote, seq, prev_hash, hash)"
        " VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    static const char commit_sql[] = "COMMIT";
    PGresult *res[2];
    int rc = ch_pg_pipeline(c, 2, (const char *const[]){lock_sql, last_sql},
                            (const pg_params *const[]){NULL, NULL}, res, err,
                            "reading the end of the audit chain");
    int64_t last_seq = 0;
    char last_hash[CH_AUDITLOG_HEX] = "";
    if (rc == CH_OK && PQntuples(res[1]) == 1) {
        last_seq = ch_pg_get_int(res[1], 0, 0);
        if (PQgetlength(res[1], 0, 1) == CH_AUDITLOG_HEX - 1)
            memcpy(last_hash, PQgetvalue(res[1], 0, 1), CH_AUDITLOG_HEX);
    }
    PQclear(res[0]);
    PQclear(res[1]);
    if (rc)
        return rc;
    ch_auditlog_entry e = ch_store_audit_entry(row);
    char prev[CH_AUDITLOG_HEX], hash[CH_AUDITLOG_HEX];
    if (ch_auditlog_link(&e, last_seq, last_seq ? last_hash : NULL, prev, hash))
        return ch_error_set(err, CH_E_INVALID, "the audit row is too long to record");
    pg_params p = {0};
    ch_pg_int(&p, row->at);
    ch_pg_id(&p, row->user_id);
    ch_pg_text(&p, row->action);
    ch_pg_text(&p, row->object);
    ch_pg_id(&p, row->object_id);
    ch_pg_text(&p, row->remote);
    ch_pg_int(&p, e.seq);
    ch_pg_text(&p, prev);
    ch_pg_text(&p, hash);
    rc = ch_pg_pipeline(c, commit ? 2 : 1, (const char *const[]){insert_sql, commit_sql},
                        (const pg_params *const[]){&p, NULL}, res, err, "writing the audit log");
    PQclear(res[0]);
    if (commit)
        PQclear(res[1]);
    return commit ? ch_pg_commit_checked(c, rc, err) : rc;
}

int ch_pg_audit_append(pg_conn *c, const ch_audit_row *row, ch_error *err)
{
    return append(c, row, false, err);
}

int ch_pg_audit_finish(ch_store *base, int rc, ch_error *err)
{
    pg *s = (pg *)base;
    ch_audit_pending p = {0};
    ch_store_audit_take(base, &p);
    pg_conn *c = held.s == s ? held.c : NULL;
    if (c)
        held.s = NULL, held.c = NULL;
    if (rc == CH_OK)
        ch_store_audit_resolve(&p);
    if (!c) {
        /* The write never reached the database: a failure needs no audit;
         * a success that wrote nothing still gets its rows, alone. */
        if (rc != CH_OK || !p.n)
            return rc;
        c = ch_pg_pool_acquire(s);
        rc = ch_pg_exec(c, "BEGIN", err);
    } else if (rc == CH_OK && PQtransactionStatus(c->db) != PQTRANS_INTRANS) {
        rc = PQstatus(c->db) != CONNECTION_OK
                 ? ch_pg_failed(c, NULL, err, "saving the change", NULL)
                 : ch_error_set(err, CH_E_STORE, "the database failed: the change was not applied");
    }
    for (size_t i = 0; i < p.n && rc == CH_OK; i++)
        rc = append(c, &p.rows[i], i + 1 == p.n, err);
    if (rc == CH_OK && !p.n)
        rc = ch_pg_exec(c, "COMMIT", err);
    else if (rc)
        PQclear(PQexec(c->db, "ROLLBACK"));
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int ch_pg_audit_chain(ch_store *base, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                      int64_t *unchained_max_id, ch_error *err)
{
    /* Pages by seq, so ten million rows never sit in memory at once; one
     * snapshot for them all. */
    static const char page_sql[] =
        "SELECT id, at, user_id, action, object, object_id, remote, seq, prev_hash, hash"
        " FROM audit WHERE seq IS NOT NULL AND seq > $1 ORDER BY seq LIMIT 5000";
    static const char loose_sql[] = "SELECT count(*), max(id) FROM audit WHERE seq IS NULL";
    pg_conn *c = ch_pg_pool_acquire((pg *)base);
    int rc = ch_pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    PGresult *res = NULL;
    int64_t after = 0;
    for (int rows = 5000; !rc && rows == 5000;) {
        pg_params p = {0};
        ch_pg_int(&p, after);
        res = ch_pg_run(c, page_sql, &p, err, "reading the audit chain");
        if (!ok(res)) {
            rc = CH_E_STORE;
            break;
        }
        rows = PQntuples(res);
        for (int i = 0; i < rows && !rc; i++) {
            ch_audit_row row = {
                .id = ch_pg_get_int(res, i, 0),
                .at = ch_pg_get_int(res, i, 1),
                .user_id = ch_pg_get_int(res, i, 2),
                .action = PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3),
                .object = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4),
                .object_id = ch_pg_get_int(res, i, 5),
                .remote = PQgetisnull(res, i, 6) ? NULL : PQgetvalue(res, i, 6),
                .seq = ch_pg_get_int(res, i, 7),
                .prev_hash = PQgetisnull(res, i, 8) ? NULL : PQgetvalue(res, i, 8),
                .hash = PQgetisnull(res, i, 9) ? NULL : PQgetvalue(res, i, 9),
            };
            after = row.seq;
            rc = fn(ctx, &row, err);
        }
        PQclear(res);
        res = NULL;
    }
    if (!rc) {
        res = ch_pg_run(c, loose_sql, NULL, err, "counting unchained audit rows");
        if (ok(res) && PQntuples(res) == 1) {
            *unchained = ch_pg_get_int(res, 0, 0);
            *unchained_max_id = ch_pg_get_int(res, 0, 1);
        } else {
            rc = CH_E_STORE;
        }
        PQclear(res);
    }
    ch_pg_exec(c, rc ? "ROLLBACK" : "COMMIT", &(ch_error){0});
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* ---- audit retention ---- */

/* Whether the audit row a is about a held record (see sqlite/auditlog.c). */
#define HELD(a)                                                                                    \
    "((" a ".object = 'person' AND " a ".object_id IN (SELECT person_id FROM legal_holds"          \
    " WHERE person_id IS NOT NULL)) OR (" a ".object = 'case' AND (" a ".object_id IN"             \
    " (SELECT case_id FROM legal_holds WHERE case_id IS NOT NULL) OR " a ".object_id IN"           \
    " (SELECT c.id FROM cases c JOIN legal_holds h ON h.person_id = c.person_id))))"

/* The first row of the one-row result of sql, as an integer (0 for NULL). */
static int one_int(pg_conn *c, const char *sql, const pg_params *p, int64_t *out, ch_error *err)
{
    PGresult *res = ch_pg_run(c, sql, p, err, "reading the audit log for retention");
    int rc = ok(res) ? CH_OK : CH_E_STORE;
    *out = rc == CH_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? ch_pg_get_int(res, 0, 0)
                                                                         : 0;
    PQclear(res);
    return rc;
}

int ch_pg_audit_purge(ch_store *base, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                      int64_t *count, ch_error *err)
{
    /* Taken first, so no append links to a row the purge is deleting and
     * the purge row follows the last row written. */
    static const char lock_sql[] =
        "SELECT pg_advisory_xact_lock(hashtext('charter.audit.' || current_schema()))";
    static const char keep_sql[] =
        "SELECT seq FROM audit a WHERE seq IS NOT NULL AND (at > $1 OR " HELD(
            "a") ") ORDER BY seq LIMIT 1";
    static const char first_sql[] = "SELECT min(seq) FROM audit";
    static const char last_sql[] = "SELECT max(seq) FROM audit";
    static const char loose_sql[] =
        "SELECT count(*) FROM audit a WHERE seq IS NULL AND at <= $1 AND NOT " HELD("a");
    static const char permit_sql[] = "INSERT INTO audit_purge(upto) VALUES($1)";
    static const char chained_sql[] = "DELETE FROM audit WHERE seq <= $1";
    static const char loose_del_sql[] =
        "DELETE FROM audit a WHERE seq IS NULL AND at <= $1 AND NOT " HELD("a");
    pg_conn *c = ch_pg_pool_acquire((pg *)base);
    int64_t keep = 0, first = 0, upto = 0, loose = 0, chained = 0;
    pg_params pc = {0};
    ch_pg_int(&pc, cutoff);
    int rc =
        ch_pg_exec(c, dry_run ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", err);
    if (!rc && !dry_run)
        rc = one_int(c, lock_sql, NULL, &(int64_t){0}, err);
    if (!rc)
        rc = one_int(c, keep_sql, &pc, &keep, err);
    if (!rc)
        rc = one_int(c, first_sql, NULL, &first, err);
    if (!rc && keep)
        upto = keep - 1;
    else if (!rc)
        rc = one_int(c, last_sql, NULL, &upto, err);
    if (!rc)
        rc = one_int(c, loose_sql, &pc, &loose, err);
    if (rc)
        goto out;
    chained = first && upto >= first ? upto - first + 1 : 0;
    *count = chained + loose;
    if (dry_run || !*count)
        goto out;
    const char *const steps[] = {permit_sql, chained_sql, loose_del_sql, "DELETE FROM audit_purge"};
    const int64_t binds[] = {chained ? upto : 0, upto, cutoff};
    for (int i = 0; i < 4 && !rc; i++) {
        pg_params p = {0};
        if (i < 3)
            ch_pg_int(&p, binds[i]);
        PGresult *res = ch_pg_run(c, steps[i], i < 3 ? &p : NULL, err, "purging the audit log");
        rc = ok(res) ? CH_OK : CH_E_STORE;
        PQclear(res);
    }
    if (!rc) {
        ch_audit_row row = {.at = now,
                            .user_id = by,
                            .action = CH_AUDITLOG_PURGE,
                            .object = "audit",
                            .object_id = chained ? upto : 0};
        rc = ch_pg_audit_append(c, &row, err);
    }
out:
    if (rc == CH_OK)
        rc = ch_pg_exec(c, dry_run ? "ROLLBACK" : "COMMIT", err);
    else
        ch_pg_exec(c, "ROLLBACK", &(ch_error){0});
    pthread_mutex_unlock(&c->mu);
    return rc;
}
