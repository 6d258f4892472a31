/* Shared by the SQLite backend's files. Two connections: readers share one,
 * and every write goes to a writer thread that commits whatever has queued
 * up in one transaction (group commit), each write in its own savepoint, and
 * answers each caller only once the commit is on disk. */
#ifndef CH_SQLITE_INTERNAL_H
#define CH_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/backend.h"

enum { CH_SQ_CACHE = 48, CH_SQ_READERS = 8 };

typedef struct sq_conn {
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
    /* Statements built at run time (queues with their service lists),
     * kept by their text; the oldest is replaced when all are taken. */
    struct {
        char *sql;
        sqlite3_stmt *st;
    } built[16];
    unsigned next_built;
} sq_conn;

/* One write waiting for the writer thread. */
typedef int (*sq_write_fn)(sq_conn *c, void *arg, ch_error *err);
typedef struct sq_job {
    sq_write_fn fn;
    void *arg;
    ch_error *err;
    int rc;
    bool done;
    struct sq_job *next;
} sq_job;

typedef struct sq {
    ch_store base;
    sq_conn w;
    sq_conn r[CH_SQ_READERS]; /* WAL readers run side by side */
    unsigned next_reader;
    pthread_t writer;
    bool writer_running, stopping;
    pthread_mutex_t qmu;
    pthread_cond_t queued, committed;
    sq_job *head, *tail;
} sq;

void ch_sq_lock(sq_conn *c);
/* A reader connection, locked: release it with ch_sq_unlock. */
sq_conn *ch_sq_reader(sq *s);
void ch_sq_unlock(sq_conn *c);
int ch_sq_error(sq_conn *c, ch_error *err, const char *doing);
/* A cached statement for a fixed SQL string (compared by address). */
sqlite3_stmt *ch_sq_stmt(sq_conn *c, const char *sql, ch_error *err);
/* A cached statement for SQL built at run time (compared by text). Like
 * ch_sq_stmt it is reset when the connection is unlocked. */
sqlite3_stmt *ch_sq_stmt_built(sq_conn *c, const char *sql, ch_error *err);
int ch_sq_exec(sq_conn *c, const char *sql, ch_error *err);
void ch_sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void ch_sq_bind_id(sqlite3_stmt *st, int i, int64_t v);
const char *ch_sq_text(ch_arena *a, sqlite3_stmt *st, int i);

/* Runs fn inside the next group commit and returns its status once the
 * transaction holding it is durable (or has failed). */
int ch_sq_write(sq *s, sq_write_fn fn, void *arg, ch_error *err);
int ch_sq_writer_start(sq *s, ch_error *err);
/* Commits what is queued, then ends the writer thread. */
void ch_sq_writer_stop(sq *s);

/* Adds text about case_id to the search index (NULL parts are skipped). */
int ch_sq_index(sq_conn *c, int64_t case_id, const char *const *parts, size_t n, ch_error *err);

/* Appends " AND column IN (?, ...)" with n placeholders to sql. */
void ch_sq_in_list(char *sql, size_t size, size_t *used, const char *column, size_t n);

/* Steps st to its end, reading each row (CH_SQ_CASE_COLUMNS) as a case into
 * a growing array in a. */
int ch_sq_case_rows(sq_conn *c, sqlite3_stmt *st, ch_arena *a, ch_case_row **out, size_t *n,
                    const char *doing, ch_error *err);

/* Reads a case row from the columns of CH_SQ_CASE_COLUMNS. */
void ch_sq_read_case(ch_arena *a, sqlite3_stmt *st, ch_case_row *c);

#define CH_SQ_CASE_COLUMNS                                                                         \
    "id, service, kind, channel, subject, status, received_at, deemed_at, requester_name,"         \
    " requester_email, organisation, officer_id, flags, version, next_due_at, created_at,"         \
    " updated_at, person_id, organisation_id"

int ch_sq_case_insert(ch_store *base, ch_case_row *c, ch_error *err);
int ch_sq_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err);
int ch_sq_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err);
int ch_sq_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err);
int ch_sq_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err);
int ch_sq_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err);
int ch_sq_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
int ch_sq_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err);
int ch_sq_person_insert(ch_store *base, ch_person *p, ch_error *err);
int ch_sq_person_get(ch_store *base, int64_t id, ch_arena *a, ch_person *out, ch_error *err);
int ch_sq_organisation_insert(ch_store *base, ch_organisation *o, ch_error *err);
int ch_sq_organisation_get(ch_store *base, int64_t id, ch_arena *a, ch_organisation *out,
                           ch_error *err);
int ch_sq_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err);
/* Finds the person with this email, or the organisation with this name,
 * creating it when there is none; sets *id. */
int ch_sq_person_link(sq_conn *c, const char *name, const char *email, ch_time now, int64_t *id,
                      ch_error *err);
int ch_sq_organisation_link(sq_conn *c, const char *name, ch_time now, int64_t *id, ch_error *err);
int ch_sq_table_count(ch_store *base, const ch_store_table *t, int64_t *count, ch_error *err);
int ch_sq_table_each(ch_store *base, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                     ch_error *err);
int ch_sq_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err);
int ch_sq_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err);

/* Purchased hours (hours.c). */
int ch_sq_contract_insert(ch_store *base, ch_contract *c, ch_error *err);
int ch_sq_contract_get(ch_store *base, int64_t id, ch_arena *a, ch_contract *out, ch_error *err);
int ch_sq_contract_list(ch_store *base, const ch_contract_filter *f, ch_arena *a, ch_contract **out,
                        size_t *n, ch_error *err);
int ch_sq_ledger_list(ch_store *base, int64_t contract_id, ch_arena *a, ch_ledger_row **out,
                      size_t *n, ch_error *err);
int ch_sq_ledger_append(ch_store *base, ch_ledger_row *entries, size_t n, int64_t close_contract,
                        ch_error *err);
int ch_sq_visit_insert(ch_store *base, ch_visit *v, const ch_contract *seen, ch_error *err);
int ch_sq_visit_get(ch_store *base, int64_t id, ch_arena *a, ch_visit *out, ch_error *err);
int ch_sq_visit_list(ch_store *base, const ch_visit_filter *f, ch_arena *a, ch_visit **out,
                     size_t *n, ch_error *err);
int ch_sq_visit_change(ch_store *base, ch_visit_change *ch, ch_error *err);

int ch_sq_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err);
int ch_sq_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err);

int ch_sq_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err);

#endif
