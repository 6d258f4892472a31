/* Connections, cached statements and the group-commit writer thread of the
 * SQLite backend; see internal.h. */
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ch_sq_lock(sq_conn *c)
{
    pthread_mutex_lock(&c->mu);
}

sq_conn *ch_sq_reader(sq *s)
{
    /* Take the first free reader, starting from a rotating position; when
     * all are busy, wait for the one at that position. */
    unsigned open = __atomic_load_n(&s->nreaders, __ATOMIC_ACQUIRE);
    unsigned start = __atomic_fetch_add(&s->next_reader, 1, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < open; i++) {
        sq_conn *c = &s->r[(start + i) % open];
        if (pthread_mutex_trylock(&c->mu) == 0)
            return c;
    }
    /* Every open reader is busy: open another while there is room. One
     * that fails to open is no loss; the caller waits for an open one. */
    if (open < CH_SQ_READERS) {
        pthread_mutex_lock(&s->pool_mu);
        unsigned n = s->nreaders;
        ch_error err;
        if (n < CH_SQ_READERS && ch_sq_conn_open(&s->r[n], s->path, &err) == CH_OK) {
            pthread_mutex_lock(&s->r[n].mu);
            __atomic_store_n(&s->nreaders, n + 1, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&s->pool_mu);
            return &s->r[n];
        }
        if (n < CH_SQ_READERS && s->r[n].db) {
            sqlite3_close(s->r[n].db);
            s->r[n].db = NULL;
        }
        open = s->nreaders;
        pthread_mutex_unlock(&s->pool_mu);
    }
    sq_conn *c = &s->r[start % open];
    pthread_mutex_lock(&c->mu);
    return c;
}

void ch_sq_unlock(sq_conn *c)
{
    for (int i = 0; i < c->nactive; i++)
        sqlite3_reset(c->active[i]);
    c->nactive = 0;
    pthread_mutex_unlock(&c->mu);
}

/* A full or failing disk is the administrator's to fix, not a fault in
 * the request, and the desk recovers once it is fixed: say which. (What
 * was being done is left out there: the server's log names the request.) */
static int failure(int sqlite_rc, ch_error *err, const char *doing, const char *msg)
{
    /* A failed sync comes after the change was written: it may be kept
     * (a restart can find it whole in the WAL), so the desk does not say
     * it was not, lest a retry record it twice. */
    if (sqlite_rc == SQLITE_IOERR_FSYNC || sqlite_rc == SQLITE_IOERR_DIR_FSYNC)
        return ch_error_set(err, CH_E_UNAVAILABLE,
                            "the disk that holds the desk's database failed to confirm the "
                            "change was written, so it may or may not have been kept; ask your "
                            "administrator to check the disk, and look for it before trying "
                            "again");
    switch (sqlite_rc & 0xff) {
    case SQLITE_FULL:
        return ch_error_set(err, CH_E_UNAVAILABLE, CH_STORE_DISK_FULL);
    case SQLITE_IOERR:
        return ch_error_set(err, CH_E_UNAVAILABLE,
                            "the disk that holds the desk's database reported an error, so "
                            "nothing was saved; ask your administrator to check it, then try "
                            "again");
    default:
        return ch_error_set(err, CH_E_STORE, "the database failed while %s: %s", doing, msg);
    }
}

int ch_sq_error(sq_conn *c, ch_error *err, const char *doing)
{
    return failure(sqlite3_extended_errcode(c->db), err, doing, sqlite3_errmsg(c->db));
}

static void mark_active(sq_conn *c, sqlite3_stmt *st)
{
    for (int i = 0; i < c->nactive; i++)
        if (c->active[i] == st)
            return;
    if (c->nactive < CH_SQ_CACHE)
        c->active[c->nactive++] = st;
}

sqlite3_stmt *ch_sq_stmt(sq_conn *c, const char *sql, ch_error *err)
{
    int free_slot = -1;
    for (int i = 0; i < CH_SQ_CACHE; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].st);
            sqlite3_clear_bindings(c->cache[i].st);
            mark_active(c, c->cache[i].st);
            return c->cache[i].st;
        }
        if (!c->cache[i].sql && free_slot < 0)
            free_slot = i;
    }
    sqlite3_stmt *st = NULL;
    if (free_slot < 0) {
        ch_error_set(err, CH_E_STORE, "too many distinct statements for the cache");
        return NULL;
    }
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        ch_sq_error(c, err, "preparing a statement");
        return NULL;
    }
    c->cache[free_slot].sql = sql;
    c->cache[free_slot].st = st;
    mark_active(c, st);
    return st;
}

sqlite3_stmt *ch_sq_stmt_built(sq_conn *c, const char *sql, ch_error *err)
{
    enum { N = sizeof(c->built) / sizeof(c->built[0]) };
    for (unsigned i = 0; i < N; i++) {
        if (c->built[i].sql && strcmp(c->built[i].sql, sql) == 0) {
            sqlite3_reset(c->built[i].st);
            sqlite3_clear_bindings(c->built[i].st);
            mark_active(c, c->built[i].st);
            return c->built[i].st;
        }
    }
    sqlite3_stmt *st = NULL;
    char *copy = strdup(sql);
    if (!copy) {
        ch_error_set(err, CH_E_NOMEM, "out of memory");
        return NULL;
    }
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(copy);
        ch_sq_error(c, err, "preparing a statement");
        return NULL;
    }
    unsigned slot = c->next_built++ % N;
    if (c->built[slot].st) {
        /* It may be active in this very call only if it was found above. */
        sqlite3_finalize(c->built[slot].st);
        free(c->built[slot].sql);
    }
    c->built[slot].sql = copy;
    c->built[slot].st = st;
    mark_active(c, st);
    return st;
}

int ch_sq_exec(sq_conn *c, const char *sql, ch_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        rc = failure(sqlite3_extended_errcode(c->db), err, "saving", msg ? msg : "?");
        sqlite3_free(msg);
        return rc;
    }
    return CH_OK;
}

void ch_sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void ch_sq_bind_id(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

const char *ch_sq_text(ch_arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? ch_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

int ch_sq_write(sq *s, sq_write_fn fn, void *arg, ch_error *err)
{
    sq_job job = {.fn = fn, .arg = arg, .err = err, .rc = CH_OK};
    ch_store_audit_take(&s->base, &job.audit);
    pthread_mutex_lock(&s->qmu);
    if (s->tail)
        s->tail->next = &job;
    else
        s->head = &job;
    s->tail = &job;
    pthread_cond_signal(&s->queued);
    while (!job.done)
        pthread_cond_wait(&s->committed, &s->qmu);
    pthread_mutex_unlock(&s->qmu);
    return job.rc;
}

/* One group: every queued job in one transaction, each in a savepoint so a
 * failing one is undone alone, with the audit row it carries. */
static void commit_group(sq *s, sq_job *jobs)
{
    ch_error err;
    sq_conn *c = &s->w;
    ch_sq_lock(c);
    int rc = ch_sq_exec(c, "BEGIN IMMEDIATE", &err);
    for (sq_job *j = jobs; j; j = j->next) {
        if (rc) {
            j->rc = rc;
            *j->err = err;
            continue;
        }
        if ((j->rc = ch_sq_exec(c, "SAVEPOINT job", j->err)) == CH_OK) {
            j->rc = j->fn(c, j->arg, j->err);
            /* The audit row shares the change's savepoint: both or neither. */
            if (j->rc == CH_OK && j->audit.n) {
                ch_store_audit_resolve(&j->audit);
                for (size_t i = 0; i < j->audit.n && j->rc == CH_OK; i++)
                    j->rc = ch_sq_audit_append(c, &j->audit.rows[i], j->err);
            }
            /* Statements stepped by the job must not hold the savepoint. */
            for (int i = 0; i < c->nactive; i++)
                sqlite3_reset(c->active[i]);
            if (j->rc)
                sqlite3_exec(c->db, "ROLLBACK TO job", NULL, NULL, NULL);
            sqlite3_exec(c->db, "RELEASE job", NULL, NULL, NULL);
        }
        /* A full disk or an I/O error can make SQLite undo the whole
         * transaction: the jobs before this one are gone with it, and the
         * ones after must not run (each would commit alone, outside the
         * group, and then be reported as failed). */
        if (sqlite3_get_autocommit(c->db)) {
            if (j->rc == CH_E_UNAVAILABLE || j->rc == CH_E_STORE)
                err = *j->err;
            else
                ch_error_set(&err, CH_E_STORE,
                             "the database undid the change after a failure; nothing was saved; "
                             "try again");
            rc = err.code;
            for (sq_job *k = jobs; k != j->next; k = k->next) {
                if (k->rc == CH_OK) {
                    k->rc = rc;
                    *k->err = err;
                }
            }
        }
    }
    if (!rc && (rc = ch_sq_exec(c, "COMMIT", &err)) != CH_OK) {
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        for (sq_job *j = jobs; j; j = j->next) {
            if (j->rc == CH_OK) {
                j->rc = rc;
                *j->err = err;
            }
        }
    }
    ch_sq_unlock(c);
}

static void *writer_main(void *arg)
{
    sq *s = arg;
    pthread_mutex_lock(&s->qmu);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->queued, &s->qmu);
        if (!s->head && s->stopping)
            break;
        sq_job *jobs = s->head;
        s->head = s->tail = NULL;
        pthread_mutex_unlock(&s->qmu);
        commit_group(s, jobs);
        pthread_mutex_lock(&s->qmu);
        for (sq_job *j = jobs, *next; j; j = next) {
            next = j->next; /* the waiter may return as soon as done is set */
            j->done = true;
        }
        pthread_cond_broadcast(&s->committed);
    }
    pthread_mutex_unlock(&s->qmu);
    return NULL;
}

int ch_sq_writer_start(sq *s, ch_error *err)
{
    pthread_mutex_init(&s->qmu, NULL);
    pthread_cond_init(&s->queued, NULL);
    pthread_cond_init(&s->committed, NULL);
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
        return ch_error_set(err, CH_E_STORE, "cannot start the database writer thread");
    s->writer_running = true;
    return CH_OK;
}

void ch_sq_writer_stop(sq *s)
{
    if (!s->writer_running)
        return;
    pthread_mutex_lock(&s->qmu);
    s->stopping = true;
    pthread_cond_signal(&s->queued);
    pthread_mutex_unlock(&s->qmu);
    pthread_join(s->writer, NULL);
    s->writer_running = false;
}
