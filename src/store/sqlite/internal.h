/* Shared by the SQLite backend's files. Two connections: readers share one,
 * and every write goes to a writer thread that commits whatever has queued
 * up in one transaction (group commit), each write in its own savepoint, and
 * answers each caller only once the commit is on disk. */
#ifndef CH_SQLITE_INTERNAL_H
#define CH_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/backend.h"

/* Room for every fixed statement of the backend on each connection. */
enum { CH_SQ_CACHE = 256, CH_SQ_READERS = 8 }; /* room for every fixed statement */

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
    /* The audit rows attached to this write (ch_store_audit_attach),
     * written in the job's savepoint once fn succeeds. */
    ch_audit_pending audit;
} sq_job;

typedef struct sq {
    ch_store base;
    sq_conn w;
    sq_conn r[CH_SQ_READERS]; /* WAL readers run side by side */
    /* Readers are opened as concurrency asks for them (the first with the
     * store), so a one-message process such as mailgate opens two
     * connections, not nine; nreaders only grows, under pool_mu. */
    unsigned nreaders;
    pthread_mutex_t pool_mu;
    char *path;
    unsigned next_reader;
    pthread_t writer;
    bool writer_running, stopping;
    pthread_mutex_t qmu;
    pthread_cond_t queued, committed;
    sq_job *head, *tail;
} sq;

/* Opens c on the database at path with the backend's settings. */
int ch_sq_conn_open(sq_conn *c, const char *path, ch_error *err);
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
/* The FTS5 query that matches every one of words as the start of a word,
 * in a (NULL when out of memory). */
char *ch_sq_words_query(ch_arena *a, const char *const *words, size_t n);
/* The condition that person p has every word of the query bound at ?1
 * (ch_sq_words_query) starting a word of their name or email. */
#define CH_SQ_PERSON_WORDS                                                                         \
    " AND p.id IN (SELECT rowid FROM people_words WHERE people_words MATCH ?1)"

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
/* The bodies of a case insert and a case update, for writes that do more
 * in the same transaction (mail.c); run only inside a ch_sq_write job. */
int ch_sq_case_insert_in(sq_conn *c, ch_case_row *row, ch_error *err);
int ch_sq_case_update_in(sq_conn *c, const ch_case_update *u, int64_t *new_version, ch_error *err);
/* Adds an attachment (contact_id as given, never CH_CONTACT_NEW) inside a
 * write job; sets a->id. */
int ch_sq_attachment_insert_in(sq_conn *c, ch_attachment *a, ch_error *err);
int ch_sq_case_get(ch_store *base, int64_t id, ch_arena *a, ch_case_row *out, ch_error *err);
int ch_sq_case_update(ch_store *base, const ch_case_update *u, int64_t *new_version, ch_error *err);
int ch_sq_queue(ch_store *base, const ch_queue_query *q, ch_arena *a, ch_case_row **out, size_t *n,
                ch_error *err);
int ch_sq_queue_count(ch_store *base, const ch_queue_query *q, int64_t cap, bool later,
                      int64_t *total, ch_error *err);
int ch_sq_breach_sweep(ch_store *base, ch_time now, int64_t *count, ch_error *err);
int ch_sq_case_list(ch_store *base, const ch_case_filter *f, ch_arena *a, ch_case_row **out,
                    size_t *n, ch_error *err);
int ch_sq_case_count(ch_store *base, const ch_case_filter *f, int64_t *total, ch_error *err);
int ch_sq_search(ch_store *base, const char *words, const char *const *services, size_t nservices,
                 size_t limit, ch_arena *a, ch_case_row **out, size_t *n, ch_error *err);
int ch_sq_people_find(ch_store *base, const char *const *words, size_t nwords,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                      ch_person **out, size_t *n, ch_error *err);
int ch_sq_organisations_find(ch_store *base, const char *const *words, size_t nwords, size_t limit,
                             ch_arena *a, ch_organisation **out, size_t *n, ch_error *err);
int ch_sq_report_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *a, ch_report_row **out, size_t *n, ch_error *err);
int ch_sq_person_insert(ch_store *base, ch_person *p, ch_error *err);
int ch_sq_person_get(ch_store *base, int64_t id, ch_arena *a, ch_person *out, ch_error *err);
int ch_sq_person_update(ch_store *base, const ch_person *p, ch_error *err);
int ch_sq_person_in(ch_store *base, int64_t id, const char *const *services, size_t nservices,
                    bool *in, ch_error *err);
int ch_sq_people_list(ch_store *base, const ch_people_query *q, ch_arena *a, ch_person **out,
                      size_t *n, int64_t *total, ch_error *err);
int ch_sq_person_merge(ch_store *base, int64_t keep, int64_t duplicate, int64_t *moved,
                       ch_error *err);
int ch_sq_attachment_insert(ch_store *base, ch_attachment *a, ch_error *err);
int ch_sq_attachment_list(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                          ch_attachment **out, size_t *n, ch_error *err);
int ch_sq_attachment_get(ch_store *base, int64_t id, ch_arena *a, ch_attachment *out,
                         ch_error *err);
int ch_sq_organisation_insert(ch_store *base, ch_organisation *o, ch_error *err);
int ch_sq_organisation_get(ch_store *base, int64_t id, ch_arena *a, ch_organisation *out,
                           ch_error *err);
int ch_sq_cases_of(ch_store *base, int64_t person_id, int64_t organisation_id,
                   const char *const *services, size_t nservices, size_t limit, ch_arena *a,
                   ch_case_row **out, size_t *n, ch_error *err);
/* Finds the person with this email, or the organisation with this name,
 * creating it when there is none (a new person recorded under service, the
 * case's); sets *id. */
int ch_sq_person_link(sq_conn *c, const char *name, const char *email, const char *service,
                      ch_time now, int64_t *id, ch_error *err);
int ch_sq_organisation_link(sq_conn *c, const char *name, ch_time now, int64_t *id, ch_error *err);
int ch_sq_table_count(ch_store *base, const ch_store_table *t, int64_t *count, ch_error *err);
int ch_sq_table_each(ch_store *base, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                     ch_error *err);
int ch_sq_audit_insert(ch_store *base, const ch_audit_row *row, ch_error *err);
/* The audit chain (auditlog.c). ch_sq_audit_append writes row (its seq and
 * hashes computed here) as the chain's next link; run only inside a write
 * job, which the writer thread serialises. */
int ch_sq_audit_append(sq_conn *c, const ch_audit_row *row, ch_error *err);
int ch_sq_audit_finish(ch_store *base, int rc, ch_error *err);
int ch_sq_audit_chain(ch_store *base, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                      int64_t *unchained_max_id, ch_error *err);
int ch_sq_audit_list(ch_store *base, int64_t object_id, size_t limit, ch_arena *a,
                     ch_audit_row **out, size_t *n, ch_error *err);

/* Accounts: changes to users, sessions and API tokens (accounts.c). */
int ch_sq_user_update(ch_store *base, const ch_user_change *ch, ch_error *err);
int ch_sq_token_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *label,
                       ch_time expires, int64_t *id, ch_error *err);
int ch_sq_session_insert(ch_store *base, int64_t user_id, const uint8_t hash[32], const char *csrf,
                         ch_time expires, ch_error *err);
int ch_sq_credential_user(ch_store *base, const uint8_t hash[32], ch_time now, ch_arena *a,
                          ch_user *user, ch_credential *cred, ch_error *err);
int ch_sq_credential_used(ch_store *base, int64_t id, ch_time now, ch_error *err);
int ch_sq_credential_delete(ch_store *base, const uint8_t hash[32], ch_error *err);
int ch_sq_token_list(ch_store *base, int64_t user_id, ch_arena *a, ch_token_row **out, size_t *n,
                     ch_error *err);
int ch_sq_token_delete(ch_store *base, int64_t id, int64_t owner, int64_t *user_id, ch_error *err);

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
int ch_sq_school_token_insert(ch_store *base, const char *kind, const char *email,
                              const uint8_t hash[32], const char *csrf, ch_time now,
                              ch_time expires, ch_error *err);
int ch_sq_school_token_take(ch_store *base, const char *kind, const uint8_t hash[32], ch_time now,
                            ch_arena *arena, const char **email, const char **csrf, ch_error *err);
int ch_sq_school_token_end(ch_store *base, const uint8_t hash[32], ch_time now, ch_error *err);
int ch_sq_visit_notices(ch_store *base, int64_t visit_id, ch_arena *a, ch_visit_notice **out,
                        size_t *n, ch_error *err);

int ch_sq_availability_set(ch_store *base, const ch_availability_row *row, ch_error *err);
int ch_sq_availability_list(ch_store *base, ch_arena *a, ch_availability_row **out, size_t *n,
                            ch_error *err);
int ch_sq_statement_sent(ch_store *base, const ch_statement_sent *row, ch_error *err);
int ch_sq_statements_sent(ch_store *base, const char *term, ch_arena *a, ch_statement_sent **out,
                          size_t *n, ch_error *err);

int ch_sq_contract_update(ch_store *base, const ch_contract_change *ch, ch_error *err);

/* Relationships and consents (consent.c). */
int ch_sq_relationship_insert(ch_store *base, ch_relationship *r, ch_error *err);
int ch_sq_relationship_delete(ch_store *base, int64_t id, ch_error *err);
int ch_sq_relationships(ch_store *base, int64_t id, int64_t person_id, ch_arena *a,
                        ch_relationship **out, size_t *n, ch_error *err);
int ch_sq_consent_insert(ch_store *base, ch_consent *c, ch_error *err);
int ch_sq_consent_withdraw(ch_store *base, int64_t id, ch_time at, int64_t by, const char *reason,
                           ch_error *err);
int ch_sq_consents(ch_store *base, int64_t id, int64_t person_id, ch_arena *a, ch_consent **out,
                   size_t *n, ch_error *err);
/* Safeguards on a person (safeguards SQL in store/safeguards_sql.h). */
int ch_sq_incident_insert(ch_store *base, ch_incident *i, ch_error *err);
int ch_sq_incident_list(ch_store *base, int64_t person_id, ch_arena *a, ch_incident **out,
                        size_t *n, ch_error *err);
int ch_sq_restriction_insert(ch_store *base, ch_restriction *r, ch_error *err);
int ch_sq_restriction_get(ch_store *base, int64_t id, ch_arena *a, ch_restriction *out,
                          ch_error *err);
int ch_sq_restriction_list(ch_store *base, const ch_restriction_filter *f, ch_arena *a,
                           ch_restriction **out, size_t *n, ch_error *err);
int ch_sq_restriction_change(ch_store *base, const ch_restriction_change *ch, ch_error *err);

/* Mail (mail.c). */
int ch_sq_mail_in_insert(ch_store *base, ch_mail_in *m, bool *duplicate, ch_error *err);
int ch_sq_mail_in_get(ch_store *base, int64_t id, ch_arena *a, ch_mail_in *out, ch_error *err);
int ch_sq_mail_in_of_case(ch_store *base, int64_t case_id, size_t limit, ch_arena *a,
                          ch_mail_in **out, size_t *n, ch_error *err);
int ch_sq_mail_in_pending(ch_store *base, size_t limit, ch_arena *a, ch_mail_in **out, size_t *n,
                          ch_error *err);
int ch_sq_mail_thread_case(ch_store *base, const char *const *ids, size_t n, int64_t *case_id,
                           ch_error *err);
int ch_sq_outbox_insert(ch_store *base, ch_outbox_row *rows, size_t n, ch_error *err);
int ch_sq_outbox_claim(ch_store *base, ch_time now, ch_time lease_until, size_t limit, ch_arena *a,
                       ch_outbox_row **out, size_t *n, ch_error *err);
int ch_sq_outbox_result(ch_store *base, int64_t id, const char *state, ch_time at,
                        const char *error, ch_time next_attempt_at, ch_error *err);
int ch_sq_outbox_list(ch_store *base, const ch_outbox_filter *f, ch_arena *a, ch_outbox_row **out,
                      size_t *n, ch_error *err);
int ch_sq_outbox_count(ch_store *base, const ch_outbox_filter *f, int64_t *count, ch_error *err);
int ch_sq_outbox_by_message_id(ch_store *base, const char *message_id, ch_arena *a,
                               ch_outbox_row *out, ch_error *err);
int ch_sq_notification_insert(ch_store *base, ch_notification *n, bool *duplicate, ch_error *err);
int ch_sq_notification_list(ch_store *base, int64_t user_id, bool unread_only, size_t limit,
                            ch_arena *a, ch_notification **out, size_t *n, ch_error *err);
int ch_sq_notification_unread(ch_store *base, int64_t user_id, int64_t *count, ch_error *err);
int ch_sq_notification_read(ch_store *base, int64_t user_id, int64_t id, ch_time at, ch_error *err);
int ch_sq_notification_unemailed(ch_store *base, int64_t user_id, size_t limit, ch_arena *a,
                                 ch_notification **out, size_t *n, ch_error *err);
int ch_sq_notification_emailed(ch_store *base, const int64_t *ids, size_t n, ch_time at,
                               ch_outbox_row *outbox, ch_error *err);
int ch_sq_due_soon(ch_store *base, ch_time from, ch_time to, size_t limit, ch_arena *a,
                   ch_due_soon **out, size_t *n, ch_error *err);
int ch_sq_mail_commit(ch_store *base, ch_mail_commit *c, ch_error *err);

/* Complaints and compliments (complaints.c). */
int ch_sq_stages(ch_store *base, int64_t case_id, ch_arena *a, ch_stage_row **out, size_t *n,
                 ch_error *err);
int ch_sq_stage_change(ch_store *base, ch_stage_change *m, int64_t *new_version, ch_error *err);
int ch_sq_case_staff(ch_store *base, int64_t case_id, ch_arena *a, ch_staff_named **out, size_t *n,
                     ch_error *err);
int ch_sq_case_staff_set(ch_store *base, const ch_case_update *u, const int64_t *ids, size_t n,
                         int64_t by, int64_t *new_version, ch_error *err);
int ch_sq_cases_staff_named(ch_store *base, const int64_t *ids, size_t n, bool *named,
                            ch_error *err);
int ch_sq_complaint_lines(ch_store *base, ch_time from, ch_time to, ch_arena *a,
                          ch_complaint_line **out, size_t *n, ch_error *err);

/* The public standards page's counts (public.c). */
int ch_sq_kind_counts(ch_store *base, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                      ch_error *err);

/* Themes on cases and the reports by them (themes.c). */
int ch_sq_case_themes_set(ch_store *base, int64_t case_id, int64_t expect, const char *const *ids,
                          size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                          ch_error *err);
int ch_sq_case_themes(ch_store *base, int64_t case_id, ch_arena *a, const char ***out, size_t *n,
                      ch_error *err);
int ch_sq_theme_rows(ch_store *base, ch_time from, ch_time to, const char *const *services,
                     size_t nservices, ch_arena *a, ch_theme_row **out, size_t *n, ch_error *err);
int ch_sq_report_rows_by(ch_store *base, ch_report_by by, ch_time from, ch_time to,
                         const char *const *services, size_t nservices, ch_arena *a,
                         ch_report_row **out, size_t *n, ch_error *err);

/* Queues one message inside a write job (mail.c), for writes that send
 * mail with their change; and customer surveys (surveys.c). */
int ch_sq_outbox_insert_in(sq_conn *c, ch_outbox_row *r, ch_error *err);
int ch_sq_survey_candidates(ch_store *base, const char *service, const char *kinds,
                            ch_time closed_from, ch_time closed_to, size_t limit, ch_arena *a,
                            ch_survey_candidate **out, size_t *n, ch_error *err);
int ch_sq_survey_invite(ch_store *base, ch_survey_invitation *inv, ch_outbox_row *mail,
                        ch_error *err);
int ch_sq_survey_find(ch_store *base, const char *token_hash, ch_arena *a,
                      ch_survey_invitation *out, ch_error *err);
int ch_sq_survey_answer(ch_store *base, const char *token_hash, ch_survey_response *r,
                        ch_error *err);
int ch_sq_survey_invitations(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                             ch_survey_invitation **out, size_t *n, ch_error *err);
int ch_sq_survey_responses(ch_store *base, const ch_survey_filter *f, ch_arena *a,
                           ch_survey_response **out, size_t *n, ch_error *err);

/* Behaviour audits (audits.c; SQL in store/audits_sql.h). */
struct ch_school_audit;
int ch_sq_school_audit_insert(ch_store *base, struct ch_school_audit *a, ch_error *err);
int ch_sq_school_audit_get(ch_store *base, int64_t id, ch_arena *a, struct ch_school_audit *out,
                           ch_error *err);
int ch_sq_school_audit_by_code(ch_store *base, const char *code, ch_arena *a,
                               struct ch_school_audit *out, const char **group, ch_error *err);
int ch_sq_school_audit_dates(ch_store *base, int64_t id, ch_date opens_on, ch_date closes_on,
                             ch_error *err);
int ch_sq_school_audit_list(ch_store *base, size_t limit, ch_arena *a, struct ch_school_audit **out,
                            size_t *n, ch_error *err);
int ch_sq_audit_response_insert(ch_store *base, ch_audit_response_row *row, ch_error *err);
int ch_sq_audit_responses(ch_store *base, int64_t audit_id, ch_arena *a,
                          ch_audit_response_row **out, size_t *n, ch_error *err);

/* Subject access (sar.c). */
int ch_sq_sar_release(ch_store *base, ch_sar_release *rel, int64_t *new_version, ch_error *err);
int ch_sq_sar_exports(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                      ch_sar_export **out, size_t *n, ch_error *err);
int ch_sq_sar_others(ch_store *base, int64_t person_id, ch_arena *a, ch_sar_other **out, size_t *n,
                     ch_error *err);
int ch_sq_sar_audit(ch_store *base, int64_t person_id, size_t limit, ch_arena *a,
                    ch_audit_row **out, size_t *n, ch_error *err);
/* Retention and erasure (retention.c / pg_retention.c). */
int ch_sq_hold_place(ch_store *base, ch_legal_hold *h, ch_error *err);
int ch_sq_hold_release(ch_store *base, int64_t person_id, int64_t case_id, ch_error *err);
int ch_sq_hold_get(ch_store *base, int64_t person_id, int64_t case_id, ch_arena *a,
                   ch_legal_hold *out, ch_error *err);
int ch_sq_audit_purge(ch_store *base, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                      int64_t *count, ch_error *err);
int ch_sq_retention_apply(ch_store *base, int kind, const char *service, ch_time cutoff,
                          bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err);
int ch_sq_person_erase(ch_store *base, ch_erasure *e, ch_error *err);
int ch_sq_person_erased(ch_store *base, int64_t person_id, ch_time *at, ch_error *err);

int ch_sq_people_services(ch_store *base, const int64_t *ids, size_t n, ch_arena *a,
                          ch_person_service **out, size_t *nout, ch_error *err);
int ch_sq_audit_query(ch_store *base, const ch_audit_query *q, ch_arena *a, ch_audit_view_row **out,
                      size_t *n, ch_error *err);

#endif
