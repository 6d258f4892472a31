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
enum { CH_PG_POOL = 64, CH_PG_STMTS = 256, CH_PG_PARAMS = 256 };

typedef struct pg_conn {
    PGconn *db;
    pthread_mutex_t mu;
    const char *prepared[CH_PG_STMTS]; /* SQL (by address) prepared as "s<index>" */
    int nprepared;
    char *built[16]; /* SQL built at run time (by text), prepared as "b<index>" */
    unsigned next_built;
    bool stale; /* reopened, but its session is not set up yet (pg.c revive) */
} pg_conn;

typedef struct pg {
    ch_store base;
    pg_conn pool[CH_PG_POOL];
    size_t npool;
    unsigned next;
    pg_conn *importing; /* held, in a transaction, between import_begin and import_end */
    char conninfo[1024], schema[48]; /* to open a session again after the server restarts */
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
/* len bytes in bytea's hex input form (\x and two digits a byte), to be
 * freed; NULL when out of memory. */
char *ch_pg_bytea_hex(const unsigned char *data, size_t len);

/* A pooled connection, locked; release with ch_pg_release. */
pg_conn *ch_pg_acquire(pg *s);
void ch_pg_release(pg_conn *c);
/* The audit chain (pg_auditlog.c). While this thread has an audit row
 * attached (ch_store_audit_attach), ch_pg_audit_conn gives the one
 * connection its write runs on, in a transaction begun for it (NULL when no
 * row is attached); ch_pg_release keeps it (ch_pg_audit_holds) until
 * ch_pg_audit_finish writes the audit row and commits; and the write's own
 * BEGIN, COMMIT and ROLLBACK become a savepoint's (ch_pg_audit_nested). */
pg_conn *ch_pg_pool_acquire(pg *s);
pg_conn *ch_pg_audit_conn(pg *s);
bool ch_pg_audit_holds(const pg_conn *c);
const char *ch_pg_audit_nested(const char *sql);
int ch_pg_audit_finish(ch_store *base, int rc, ch_error *err);
int ch_pg_audit_chain(ch_store *base, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                      int64_t *unchained_max_id, ch_error *err);
/* Writes row as the chain's next link on c, inside c's open transaction:
 * takes the chain's lock (held to COMMIT), reads its end, inserts. */
int ch_pg_audit_append(pg_conn *c, const ch_audit_row *row, ch_error *err);

/* Runs a fixed statement (prepared once per connection, by address) or
 * built SQL (unprepared); returns the result, or NULL after filling err.
 * The caller PQclear()s the result. */
PGresult *ch_pg_run(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                    const char *doing);
PGresult *ch_pg_run_built(pg_conn *c, const char *sql, const pg_params *p, ch_error *err,
                          const char *doing);
int ch_pg_exec(pg_conn *c, const char *sql, ch_error *err);
/* rc, after a COMMIT was sent: a connection lost then says the change may
 * or may not have been kept, since the server may have committed it. */
int ch_pg_commit_checked(pg_conn *c, int rc, ch_error *err);
/* Runs n fixed statements (p[i] may be NULL) in one round trip, in order,
 * each in the transaction state the last left; res[i] gets each result
 * (NULL for those not reached), which the caller PQclear()s. A failure
 * fills err with the first statement's that failed: those after it did
 * not run, and an open transaction is left aborted for the caller's
 * ROLLBACK. Why: a round trip is what an audited write waits on while it
 * holds the chain's lock. */
int ch_pg_pipeline(pg_conn *c, size_t n, const char *const sql[], const pg_params *const p[],
                   PGresult *res[], ch_error *err, const char *doing);
/* Fills err for a failed statement (res may be NULL) and returns its code:
 * a lost or refused connection, a server shutting down or starting up, or
 * a full disk is CH_E_UNAVAILABLE (nothing was saved, the same request may
 * work in a minute, and the administrator can fix it), else CH_E_STORE. */
int ch_pg_failed(pg_conn *c, const PGresult *res, ch_error *err, const char *doing,
                 const char *msg);

/* Whether res failed with a unique or foreign-key violation. */
bool ch_pg_violation(const PGresult *res, const char *sqlstate);

int64_t ch_pg_get_int(const PGresult *res, int row, int col); /* NULL reads as 0 */
const char *ch_pg_get_text(ch_arena *a, const PGresult *res, int row, int col);

#define CH_PG_CASE_COLUMNS                                                                         \
    "id, service, kind, channel, subject, status, received_at, deemed_at, requester_name,"         \
    " requester_email, organisation, officer_id, flags, version, next_due_at, created_at,"         \
    " updated_at, person_id, organisation_id"

/* Plain words as the text of a tsquery matching every one as the start of
 * a word; malloc'd (the caller frees), NULL when out of memory. */
char *ch_pg_tsquery_text(const char *words);
/* A person's name and email as words: the expression of the index
 * people_words (PostgreSQL migration 30), which it must match to use it. The
 * email's @ and dots part its words, as SQLite's tokenizer does. */
#define CH_PG_PERSON_WORDS                                                                         \
    "to_tsvector('simple', name || ' ' || translate(coalesce(email, ''), '@.', '  '))"
/* The order of people found by words: by name, written so the name index
 * cannot serve it. PostgreSQL guesses that any words match one person in
 * fifty; read in name order, a rare word would then test every person. */
#define CH_PG_FOUND_ORDER " ORDER BY (lower(name) || ''), id"
/* Adds the tsquery for words to p, its text in a (the @ and dots of an
 * email typed are word breaks, as in CH_PG_PERSON_WORDS); CH_E_NOMEM when
 * out of memory. */
int ch_pg_person_words(pg_params *p, const char *const *words, size_t n, ch_arena *a,
                       ch_error *err);

void ch_pg_read_case(ch_arena *a, const PGresult *res, int row, ch_case_row *c);
int ch_pg_case_rows(const PGresult *res, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
void ch_pg_in_list(char *sql, size_t size, size_t *used, const char *column, int first, size_t n);

/* The case operations (pg_cases.c). */
int ch_pg_case_insert(ch_store *base, ch_case_row *c, ch_error *err);
/* The bodies of a case insert and a case update, for transactions that do
 * more (pg_mail.c); run only between BEGIN and COMMIT on c. */
int ch_pg_case_insert_in(pg_conn *c, ch_case_row *row, ch_error *err);
int ch_pg_case_update_in(pg_conn *c, const ch_case_update *u, int64_t *new_version, ch_error *err);
/* Adds an attachment (contact_id as given) on c; sets a->id. */
int ch_pg_attachment_insert_in(pg_conn *c, ch_attachment *a, ch_error *err);
int ch_pg_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err);
int ch_pg_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err);
int ch_pg_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err);
int ch_pg_queue_count(ch_store *base, const ch_queue_query *q, int64_t cap, bool later,
                      int64_t *total, ch_error *err);
int ch_pg_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err);
int ch_pg_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err);
int ch_pg_people_find(ch_store *base, const char *const *words, size_t nwords,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                      ch_person **out, size_t *n, ch_error *err);
int ch_pg_organisations_find(ch_store *base, const char *const *words, size_t nwords, size_t limit,
                             ch_arena *a, ch_organisation **out, size_t *n, ch_error *err);
int ch_pg_case_count(ch_store *base, const ch_case_filter *f, int64_t *total, ch_error *err);
int ch_pg_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
int ch_pg_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err);
int ch_pg_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err);
int ch_pg_person_update(ch_store *base, const ch_person *p, ch_error *err);
int ch_pg_person_in(ch_store *base, int64_t id, const char *const *services, size_t nservices,
                    bool *in, ch_error *err);
int ch_pg_people_list(ch_store *base, const ch_people_query *q, ch_arena *a, ch_person **out,
                      size_t *n, int64_t *total, ch_error *err);
int ch_pg_person_merge(ch_store *base, int64_t keep, int64_t duplicate, int64_t *moved,
                       ch_error *err);
int ch_pg_attachment_insert(ch_store *base, ch_attachment *a, ch_error *err);
int ch_pg_attachment_list(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                          ch_attachment **out, size_t *n, ch_error *err);
int ch_pg_attachment_get(ch_store *base, int64_t id, ch_arena *a, ch_attachment *out,
                         ch_error *err);
int ch_pg_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err);
int ch_pg_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err);

/* Accounts: changes to users, sessions and API tokens (pg_accounts.c). */
int ch_pg_user_update(ch_store *base, const ch_user_change *ch, ch_error *err);
int ch_pg_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *label,
                       ch_time expires, int64_t *id, ch_error *err);
int ch_pg_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *csrf,
                         ch_time expires, ch_error *err);
int ch_pg_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                          ch_user *user, ch_credential *cred, ch_error *err);
int ch_pg_credential_used(ch_store *base, int64_t id, ch_time now, ch_error *err);
int ch_pg_credential_delete(ch_store *base, const uint8_t hash[32], ch_error *err);
int ch_pg_token_list(ch_store *base, int64_t user_id, ch_arena *a, ch_token_row **out, size_t *n,
                     ch_error *err);
int ch_pg_token_delete(ch_store *base, int64_t id, int64_t owner, int64_t *user_id, ch_error *err);

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
int ch_pg_school_token_insert(ch_store *base, const char *kind, const char *email,
                              const uint8_t hash[32], const char *csrf, ch_time now,
                              ch_time expires, ch_error *err);
int ch_pg_school_token_take(ch_store *base, const char *kind, const uint8_t hash[32], ch_time now,
                            ch_arena *arena, const char **email, const char **csrf, ch_error *err);
int ch_pg_school_token_end(ch_store *base, const uint8_t hash[32], ch_time now, ch_error *err);
int ch_pg_visit_notices(ch_store *base, int64_t visit_id, ch_arena *a, ch_visit_notice **out,
                        size_t *n, ch_error *err);

int ch_pg_availability_set(ch_store *base, const ch_availability_row *row, ch_error *err);
int ch_pg_availability_list(ch_store *base, ch_arena *a, ch_availability_row **out, size_t *n,
                            ch_error *err);
int ch_pg_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err);
int ch_pg_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err);

int ch_pg_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err);

/* Relationships and consents (pg_consent.c). */
int ch_pg_relationship_insert(ch_store *base, ch_relationship *r, ch_error *err);
int ch_pg_relationship_delete(ch_store *base, int64_t id, ch_error *err);
int ch_pg_relationships(ch_store *base, int64_t id, int64_t person_id, ch_arena *a,
                        ch_relationship **out, size_t *n, ch_error *err);
int ch_pg_consent_insert(ch_store *base, ch_consent *c, ch_error *err);
int ch_pg_consent_withdraw(ch_store *base, int64_t id, ch_time at, int64_t by, const char *reason,
                           ch_error *err);
int ch_pg_consents(ch_store *base, int64_t id, int64_t person_id, ch_arena *a, ch_consent **out,
                   size_t *n, ch_error *err);
/* Safeguards on a person (safeguards SQL in store/safeguards_sql.h). */
int ch_pg_incident_insert(ch_store *base, ch_incident *i, ch_error *err);
int ch_pg_incident_list(ch_store *base, int64_t person_id, ch_arena *a, ch_incident **out,
                        size_t *n, ch_error *err);
int ch_pg_restriction_insert(ch_store *base, ch_restriction *r, ch_error *err);
int ch_pg_restriction_get(ch_store *base, int64_t id, ch_arena *a, ch_restriction *out,
                          ch_error *err);
int ch_pg_restriction_list(ch_store *base, const ch_restriction_filter *f, ch_arena *a,
                           ch_restriction **out, size_t *n, ch_error *err);
int ch_pg_restriction_change(ch_store *base, const ch_restriction_change *ch, ch_error *err);

/* Mail (pg_mail.c). */
int ch_pg_mail_in_insert(ch_store *base, ch_mail_in *m, bool *duplicate, ch_error *err);
int ch_pg_mail_in_get(ch_store *base, int64_t id, ch_arena *a, ch_mail_in *out, ch_error *err);
int ch_pg_mail_in_of_case(ch_store *base, int64_t case_id, size_t limit, ch_arena *a,
                          ch_mail_in **out, size_t *n, ch_error *err);
int ch_pg_mail_in_pending(ch_store *base, size_t limit, ch_arena *a, ch_mail_in **out, size_t *n,
                          ch_error *err);
int ch_pg_mail_thread_case(ch_store *base, const char *const *ids, size_t n, int64_t *case_id,
                           ch_error *err);
int ch_pg_outbox_insert(ch_store *base, ch_outbox_row *rows, size_t n, ch_error *err);
int ch_pg_outbox_claim(ch_store *base, ch_time now, ch_time lease_until, size_t limit, ch_arena *a,
                       ch_outbox_row **out, size_t *n, ch_error *err);
int ch_pg_outbox_result(ch_store *base, int64_t id, const char *state, ch_time at,
                        const char *error, ch_time next_attempt_at, ch_error *err);
int ch_pg_outbox_list(ch_store *base, const ch_outbox_filter *f, ch_arena *a, ch_outbox_row **out,
                      size_t *n, ch_error *err);
int ch_pg_outbox_count(ch_store *base, const ch_outbox_filter *f, int64_t *count, ch_error *err);
int ch_pg_outbox_by_message_id(ch_store *base, const char *message_id, ch_arena *a,
                               ch_outbox_row *out, ch_error *err);
int ch_pg_notification_insert(ch_store *base, ch_notification *n, bool *duplicate, ch_error *err);
int ch_pg_notification_list(ch_store *base, int64_t user_id, bool unread_only, size_t limit,
                            ch_arena *a, ch_notification **out, size_t *n, ch_error *err);
int ch_pg_notification_unread(ch_store *base, int64_t user_id, int64_t *count, ch_error *err);
int ch_pg_notification_read(ch_store *base, int64_t user_id, int64_t id, ch_time at, ch_error *err);
int ch_pg_notification_unemailed(ch_store *base, int64_t user_id, size_t limit, ch_arena *a,
                                 ch_notification **out, size_t *n, ch_error *err);
int ch_pg_notification_emailed(ch_store *base, const int64_t *ids, size_t n, ch_time at,
                               ch_outbox_row *outbox, ch_error *err);
int ch_pg_due_soon(ch_store *base, ch_time from, ch_time to, size_t limit, ch_arena *a,
                   ch_due_soon **out, size_t *n, ch_error *err);
int ch_pg_mail_commit(ch_store *base, ch_mail_commit *c, ch_error *err);

/* Complaints and compliments (pg_complaints.c). */
int ch_pg_stages(ch_store *base, int64_t case_id, ch_arena *a, ch_stage_row **out, size_t *n,
                 ch_error *err);
int ch_pg_stage_change(ch_store *base, ch_stage_change *m, int64_t *new_version, ch_error *err);
int ch_pg_case_staff(ch_store *base, int64_t case_id, ch_arena *a, ch_staff_named **out, size_t *n,
                     ch_error *err);
int ch_pg_case_staff_set(ch_store *base, const ch_case_update *u, const int64_t *ids, size_t n,
                         int64_t by, int64_t *new_version, ch_error *err);
int ch_pg_cases_staff_named(ch_store *base, const int64_t *ids, size_t n, bool *named,
                            ch_error *err);
int ch_pg_complaint_lines(ch_store *base, ch_time from, ch_time to, ch_arena *a,
                          ch_complaint_line **out, size_t *n, ch_error *err);

/* The public standards page's counts (pg_public.c). */
int ch_pg_kind_counts(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                      ch_error *err);

/* Themes on cases and the reports by them (pg_themes.c). */
int ch_pg_case_themes_set(ch_store *base, int64_t case_id, int64_t expect, const char *const *ids,
                          size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                          ch_error *err);
int ch_pg_case_themes(ch_store *base, int64_t case_id, ch_arena *a, const char ***out, size_t *n,
                      ch_error *err);
int ch_pg_theme_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                     size_t nservices, ch_arena *a, ch_theme_row **out, size_t *n, ch_error *err);
int ch_pg_report_rows_by(ch_store *base, ch_report_by by, ch_time from, ch_time to,
                         const char *const *services, size_t nservices, ch_arena *a,
                         ch_report_row **out, size_t *n, ch_error *err);

/* Queues one message on c inside a transaction (pg_mail.c), for changes
 * that send mail with them; and customer surveys (pg_surveys.c). */
int ch_pg_outbox_insert_in(pg_conn *c, ch_outbox_row *r, ch_error *err);
int ch_pg_survey_candidates(ch_store *base, const char *service, const char *kinds,
                            ch_time closed_from, ch_time closed_to, size_t limit, ch_arena *a,
                            ch_survey_candidate **out, size_t *n, ch_error *err);
int ch_pg_survey_invite(ch_store *base, ch_survey_invitation *inv, ch_outbox_row *mail,
                        ch_error *err);
int ch_pg_survey_find(ch_store *base, const char *token_hash, ch_arena *a,
                      ch_survey_invitation *out, ch_error *err);
int ch_pg_survey_answer(ch_store *base, const char *token_hash, ch_survey_response *r,
                        ch_error *err);
int ch_pg_survey_invitations(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                             ch_survey_invitation **out, size_t *n, ch_error *err);
int ch_pg_survey_responses(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                           ch_survey_response **out, size_t *n, ch_error *err);

/* Behaviour audits (pg_audits.c; SQL in store/audits_sql.h). */
struct ch_school_audit;
int ch_pg_school_audit_insert(ch_store *base, struct ch_school_audit *a, ch_error *err);
int ch_pg_school_audit_get(ch_store *base, int64_t id, ch_arena *a, struct ch_school_audit *out,
                           ch_error *err);
int ch_pg_school_audit_by_code(ch_store *base, const char *code, ch_arena *a,
                               struct ch_school_audit *out, const char **group, ch_error *err);
int ch_pg_school_audit_dates(ch_store *base, int64_t id, ch_date opens_on, ch_date closes_on,
                             ch_error *err);
int ch_pg_school_audit_list(ch_store *base, size_t limit, ch_arena *a, struct ch_school_audit **out,
                            size_t *n, ch_error *err);
int ch_pg_audit_response_insert(ch_store *base, ch_audit_response_row *row, ch_error *err);
int ch_pg_audit_responses(ch_store *base, int64_t audit_id, ch_arena *a,
                          ch_audit_response_row **out, size_t *n, ch_error *err);

/* Subject access (sar.c). */
int ch_pg_sar_release(ch_store *base, ch_sar_release *rel, int64_t *new_version, ch_error *err);
int ch_pg_sar_exports(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                      ch_sar_export **out, size_t *n, ch_error *err);
int ch_pg_sar_others(ch_store *base, int64_t person_id, ch_arena *a, ch_sar_other **out, size_t *n,
                     ch_error *err);
int ch_pg_sar_audit(ch_store *base, int64_t person_id, size_t limit, ch_arena *a,
                    ch_audit_row **out, size_t *n, ch_error *err);
/* Retention and erasure (retention.c / pg_retention.c). */
int ch_pg_hold_place(ch_store *base, ch_legal_hold *h, ch_error *err);
int ch_pg_hold_release(ch_store *base, int64_t person_id, int64_t case_id, ch_error *err);
int ch_pg_hold_get(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                   ch_legal_hold *out, ch_error *err);
int ch_pg_audit_purge(ch_store *base, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                      int64_t *count, ch_error *err);
int ch_pg_retention_apply(ch_store *base, int kind, const char *service, ch_time cutoff,
                          bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err);
int ch_pg_person_erase(ch_store *base, ch_erasure *e, ch_error *err);
int ch_pg_person_erased(ch_store *base, int64_t person_id, ch_time *at, ch_error *err);

int ch_pg_people_services(ch_store *base, const int64_t *ids, size_t n, ch_arena *a,
                          ch_person_service **out, size_t *nout, ch_error *err);
int ch_pg_audit_query(ch_store *base, const ch_audit_query *q, ch_arena *a, ch_audit_view_row **out,
                      size_t *n, ch_error *err);

#endif
