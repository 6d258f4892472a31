/* Shared by the PostgreSQL backend's files: a pool of connections, each
 * with its own prepared statements, and helpers for text parameters and
 * results. Several `charter serve` processes may share one database, so
 * every change checks versions under row locks and background work takes
 * rows with FOR UPDATE SKIP LOCKED. */
#ifndef CH_PG_INTERNAL_H
#define CH_PG_INTERNAL_H

#include <libpq-fe.h>
#include <pthread.h>

#include "store/backend.h"

/* The pool is as large as the server's thread pool (charter serve passes
 * pool=N in the URL), so no request thread waits for a connection. */
enum { CH_PG_POOL = 64, CH_PG_STMTS = 64, CH_PG_PARAMS = 256 };

typedef struct pg_conn {
    PGconn *db;
    pthread_mutex_t mu;
    const char *prepared[CH_PG_STMTS]; /* SQL (by address) prepared as "s<index>" */
    int nprepared;
    char *built[16]; /* SQL built at run time (by text), prepared as "b<index>" */
    unsigned next_built;
} pg_conn;

typedef struct pg {
    ch_store base;
    pg_conn pool[CH_PG_POOL];
    size_t npool;
    unsigned next;
    pg_conn *importing; /* held, in a transaction, between import_begin and import_end */
} pg;

/* Parameters for one statement, all sent as text (NULL for SQL NULL). */
typedef struct pg_params {
    const char *v[CH_PG_PARAMS];
    char buf[CH_PG_PARAMS][72];
    int n;
} pg_params;

void ch_pg_text(pg_params *p, const char *s);
void ch_pg_int(pg_params *p, int64_t v);
void ch_pg_id(pg_params *p, int64_t v);             /* 0 is NULL */
void ch_pg_bytes32(pg_params *p, const uint8_t *b); /* bytea in hex form */

/* A pooled connection, locked; release with ch_pg_release. */
pg_conn *ch_pg_acquire(pg *s);
void ch_pg_release(pg_conn *c);

/* Runs a fixed statement (prepared once per connection, by address) or
 * built SQL (unprepared); returns the result, or NULL after filling err.
 * The caller PQclear()s the result. */
PGresult *ch_pg_run(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                    const char *doing);
PGresult *ch_pg_run_built(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                          const char *doing);
int ch_pg_exec(pg_conn *c, const char *sql, ch_error *err);

/* Whether res failed with a unique or foreign-key violation. */
bool ch_pg_violation(const PGresult *res, const char *sqlstate);

int64_t ch_pg_get_int(const PGresult *res, int row, int col); /* NULL reads as 0 */
const char *ch_pg_get_text(ch_arena *a, const PGresult *res, int row, int col);

#define CH_PG_CASE_COLUMNS                                                                         \
    "id, service, kind, channel, subject, status, received_at, deemed_at, requester_name,"         \
    " requester_email, organisation, officer_id, flags, version, next_due_at, created_at,"         \
    " updated_at, person_id, organisation_id"

void ch_pg_read_case(ch_arena *a, const PGresult *res, int row, ch_case_row *c);
int ch_pg_case_rows(const PGresult *res, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
void ch_pg_in_list(char *sql, size_t size, size_t *used, const char *column, int first, size_t n);

/* The case operations (pg_cases.c). */
int ch_pg_case_insert(ch_store *base, ch_case_row *c, ch_error *err);
int ch_pg_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err);
int ch_pg_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err);
int ch_pg_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err);
int ch_pg_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err);
int ch_pg_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err);
int ch_pg_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
int ch_pg_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err);
int ch_pg_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err);
int ch_pg_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err);
int ch_pg_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err);

/* Purchased hours (pg_hours.c). */
int ch_pg_contract_insert(ch_store *base, ch_contract *c, ch_error *err);
int ch_pg_contract_get(ch_store *base, int64_t id, ch_arena *a, ch_contract *out, ch_error *err);
int ch_pg_contract_list(ch_store *base, const ch_contract_filter *f, ch_arena *a, ch_contract **out,
                        size_t *n, ch_error *err);
int ch_pg_ledger_list(ch_store *base, int64_t contract_id, ch_arena *a, ch_ledger_row **out,
                      size_t *n, ch_error *err);
int ch_pg_ledger_append(ch_store *base, ch_ledger_row *entries, size_t n, int64_t close_contract,
                        ch_error *err);
int ch_pg_visit_insert(ch_store *base, ch_visit *v, const ch_contract *seen, ch_error *err);
int ch_pg_visit_get(ch_store *base, int64_t id, ch_arena *a, ch_visit *out, ch_error *err);
int ch_pg_visit_list(ch_store *base, const ch_visit_filter *f, ch_arena *a, ch_visit **out,
                     size_t *n, ch_error *err);
int ch_pg_visit_change(ch_store *base, ch_visit_change *ch, ch_error *err);

int ch_pg_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err);
int ch_pg_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err);

int ch_pg_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err);

#endif
