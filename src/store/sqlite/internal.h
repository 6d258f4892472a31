/* Shared by the SQLite backend's files: the backend struct and the helpers
 * for statements, transactions and columns. */
#ifndef CH_SQLITE_INTERNAL_H
#define CH_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/backend.h"

enum { CH_SQ_CACHE = 48 };

typedef struct sq {
    ch_store base;
    sqlite3 *db;
    pthread_mutex_t mu;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[CH_SQ_CACHE];
    /* Statements used since the lock was taken: reset on unlock, so none
     * keeps a read transaction (and an old snapshot) open between calls. */
    sqlite3_stmt *active[CH_SQ_CACHE];
    int nactive;
} sq;

static inline void ch_sq_lock(sq *s)
{
    pthread_mutex_lock(&s->mu);
}

static inline void ch_sq_unlock(sq *s)
{
    for (int i = 0; i < s->nactive; i++)
        sqlite3_reset(s->active[i]);
    s->nactive = 0;
    pthread_mutex_unlock(&s->mu);
}

int ch_sq_error(sq *s, ch_error *err, const char *doing);
/* A cached statement for a fixed SQL string (compared by address). */
sqlite3_stmt *ch_sq_stmt(sq *s, const char *sql, ch_error *err);
int ch_sq_exec(sq *s, const char *sql, ch_error *err);
/* Ends a BEGIN IMMEDIATE transaction: COMMIT when rc is 0, else ROLLBACK. */
int ch_sq_finish(sq *s, int rc, ch_error *err);
void ch_sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void ch_sq_bind_id(sqlite3_stmt *st, int i, int64_t v);
const char *ch_sq_text(ch_arena *a, sqlite3_stmt *st, int i);

int ch_sq_case_insert(ch_store *base, ch_case_row *c, ch_error *err);
int ch_sq_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err);
int ch_sq_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err);
int ch_sq_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err);
int ch_sq_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err);
int ch_sq_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err);

#endif
