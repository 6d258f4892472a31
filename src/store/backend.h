/* What a storage backend provides: a table of functions, first member of
 * the backend's own struct (as libgit2's odb backends). store.c holds the
 * thin wrappers that dispatch through it. */
#ifndef CH_STORE_BACKEND_H
#define CH_STORE_BACKEND_H

#include "store/store.h"

typedef struct ch_store_ops {
    const char *name;
    void (*close)(ch_store *s);
    int (*user_insert)(ch_store *s, const ch_user *user, int64_t *id, ch_error *err);
    int (*user_get)(ch_store *s, const char *email, int64_t id, ch_arena *arena, ch_user *out,
                    ch_error *err);
    int (*user_count)(ch_store *s, int64_t *count, ch_error *err);
    int (*user_list)(ch_store *s, ch_arena *arena, ch_user **out, size_t *n, ch_error *err);
    int (*token_insert)(ch_store *s, int64_t user_id, const uint8_t hash[32], ch_error *err);
    int (*session_insert)(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                          ch_time expires, ch_error *err);
    int (*credential_user)(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                           ch_user *user, const char **csrf, ch_error *err);
    int (*policy_save)(ch_store *s, const char *policy_id, const char *text, ch_time now,
                       int64_t *version, ch_error *err);
    int (*case_insert)(ch_store *s, ch_case_row *c, ch_error *err);
    int (*case_get)(ch_store *s, int64_t id, ch_arena *arena, ch_case_row *out, ch_error *err);
    int (*case_update)(ch_store *s, const ch_case_update *u, int64_t *new_version, ch_error *err);
    int (*queue)(ch_store *s, const ch_queue_query *q, ch_arena *arena, ch_case_row **out,
                 size_t *n, ch_error *err);
    int (*breach_sweep)(ch_store *s, ch_time now, int64_t *count, ch_error *err);
    int (*case_list)(ch_store *s, const ch_case_filter *f, ch_arena *arena, ch_case_row **out,
                     size_t *n, ch_error *err);
    int (*search)(ch_store *s, const char *words, const char *const *services, size_t nservices,
                  size_t limit, ch_arena *arena, ch_case_row **out, size_t *n, ch_error *err);
    int (*report_rows)(ch_store *s, ch_time from, ch_time to, const char *const *services,
                       size_t nservices, ch_arena *arena, ch_report_row **out, size_t *n,
                       ch_error *err);
    int (*person_insert)(ch_store *s, ch_person *p, ch_error *err);
    int (*person_get)(ch_store *s, int64_t id, ch_arena *arena, ch_person *out, ch_error *err);
    int (*organisation_insert)(ch_store *s, ch_organisation *o, ch_error *err);
    int (*organisation_get)(ch_store *s, int64_t id, ch_arena *arena, ch_organisation *out,
                            ch_error *err);
    int (*cases_of)(ch_store *s, int64_t person_id, int64_t organisation_id,
                    const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                    ch_case_row **out, size_t *n, ch_error *err);
    int (*table_count)(ch_store *s, const ch_store_table *t, int64_t *count, ch_error *err);
    int (*table_each)(ch_store *s, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                      ch_error *err);
    int (*import_begin)(ch_store *s, ch_error *err);
    int (*import_row)(ch_store *s, const ch_store_table *t, const char *const *values,
                      ch_error *err);
    int (*import_end)(ch_store *s, bool commit, ch_error *err);
    int (*audit_insert)(ch_store *s, const ch_audit_row *row, ch_error *err);
    int (*audit_list)(ch_store *s, int64_t object_id, size_t limit, ch_arena *arena,
                      ch_audit_row **out, size_t *n, ch_error *err);
    int (*contract_insert)(ch_store *s, ch_contract *c, ch_error *err);
    int (*contract_get)(ch_store *s, int64_t id, ch_arena *arena, ch_contract *out, ch_error *err);
    int (*contract_update)(ch_store *s, const ch_contract_change *ch, ch_error *err);
    int (*contract_list)(ch_store *s, const ch_contract_filter *f, ch_arena *arena,
                         ch_contract **out, size_t *n, ch_error *err);
    int (*ledger_list)(ch_store *s, int64_t contract_id, ch_arena *arena, ch_ledger_row **out,
                       size_t *n, ch_error *err);
    int (*ledger_append)(ch_store *s, ch_ledger_row *entries, size_t n, int64_t close_contract,
                         ch_error *err);
    int (*visit_insert)(ch_store *s, ch_visit *v, const ch_contract *seen, ch_error *err);
    int (*visit_get)(ch_store *s, int64_t id, ch_arena *arena, ch_visit *out, ch_error *err);
    int (*visit_list)(ch_store *s, const ch_visit_filter *f, ch_arena *arena, ch_visit **out,
                      size_t *n, ch_error *err);
    int (*visit_change)(ch_store *s, ch_visit_change *ch, ch_error *err);
    int (*statement_sent)(ch_store *s, const ch_statement_sent *row, ch_error *err);
    int (*statements_sent)(ch_store *s, const char *term, ch_arena *arena, ch_statement_sent **out,
                           size_t *n, ch_error *err);
} ch_store_ops;

struct ch_store {
    const ch_store_ops *ops;
};

/* The PostgreSQL backend: url is a libpq connection URL, optionally with
 * schema=NAME in its query to keep the tables in that schema and pool=N
 * for the number of connections (default 16). */
int ch_store_postgres_open(ch_store **out, const char *url, ch_error *err);

/* The SQLite backend: path is a file name. */
int ch_store_sqlite_open(ch_store **out, const char *path, ch_error *err);

#endif
