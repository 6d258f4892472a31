/* What a storage backend provides: a table of functions, first member of
 * the backend's own struct (as libgit2's odb backends). store.c holds the
 * thin wrappers that dispatch through it. */
#ifndef CH_STORE_BACKEND_H
#define CH_STORE_BACKEND_H

#include "store/store.h"

/* The sentence for a write refused because the database's disk is full
 * (CH_E_UNAVAILABLE), the same from either backend. */
#define CH_STORE_DISK_FULL                                                                         \
    "the disk that holds the desk's database is full, so nothing was saved; ask your "             \
    "administrator to free space, then try again"

/* The case list as SQL (case_list.c), for a backend whose placeholders are
 * mark ('?' or '$') and a number; parameters are bound in order, text or
 * (text NULL) a number. */
typedef struct ch_list_param {
    const char *text;
    int64_t num;
} ch_list_param;

typedef struct ch_list_sql {
    char sql[32768];
    ch_list_param params[256];
    int nparams, parts;
    size_t used;
    char mark;
    bool overflow; /* sql did not fit: too many services */
} ch_list_sql;

/* Fills q with the page of f (count false, columns its columns) or how many
 * match f in all (count true); false when f can match nothing. The page's
 * read is index ranges merged in id order and the count a sum of
 * case_counts, which each backend's schema keeps. */
bool ch_store_list_sql(const ch_case_filter *f, bool count, char mark, const char *columns,
                       ch_list_sql *q);

typedef struct ch_store_ops {
    const char *name;
    void (*close)(ch_store *s);
    int (*user_insert)(ch_store *s, const ch_user *user, int64_t *id, ch_error *err);
    int (*user_get)(ch_store *s, const char *email, int64_t id, ch_arena *arena, ch_user *out,
                    ch_error *err);
    int (*user_count)(ch_store *s, int64_t *count, ch_error *err);
    int (*user_list)(ch_store *s, ch_arena *arena, ch_user **out, size_t *n, ch_error *err);
    int (*user_update)(ch_store *s, const ch_user_change *ch, ch_error *err);
    int (*token_insert)(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *label,
                        ch_time expires, int64_t *id, ch_error *err);
    int (*session_insert)(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                          ch_time expires, ch_error *err);
    int (*credential_user)(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                           ch_user *user, ch_credential *cred, ch_error *err);
    int (*credential_used)(ch_store *s, int64_t id, ch_time now, ch_error *err);
    int (*credential_delete)(ch_store *s, const uint8_t hash[32], ch_error *err);
    int (*token_list)(ch_store *s, int64_t user_id, ch_arena *arena, ch_token_row **out, size_t *n,
                      ch_error *err);
    int (*token_delete)(ch_store *s, int64_t id, int64_t owner, int64_t *user_id, ch_error *err);
    int (*policy_save)(ch_store *s, const char *policy_id, const char *text, ch_time now,
                       int64_t *version, ch_error *err);
    int (*case_insert)(ch_store *s, ch_case_row *c, ch_error *err);
    int (*case_get)(ch_store *s, int64_t id, ch_arena *arena, ch_case_row *out, ch_error *err);
    int (*case_update)(ch_store *s, const ch_case_update *u, int64_t *new_version, ch_error *err);
    int (*queue)(ch_store *s, const ch_queue_query *q, ch_arena *arena, ch_case_row **out,
                 size_t *n, ch_error *err);
    /* How many cases the queue holds, or at most cap of them when cap > 0.
     * With later, an overdue query counts the open cases not yet due
     * instead, so the store can count whichever side is smaller. */
    int (*queue_count)(ch_store *s, const ch_queue_query *q, int64_t cap, bool later,
                       int64_t *total, ch_error *err);
    int (*breach_sweep)(ch_store *s, ch_time now, int64_t *count, ch_error *err);
    int (*case_list)(ch_store *s, const ch_case_filter *f, ch_arena *arena, ch_case_row **out,
                     size_t *n, ch_error *err);
    int (*case_count)(ch_store *s, const ch_case_filter *f, int64_t *total, ch_error *err);
    int (*search)(ch_store *s, const char *words, const char *const *services, size_t nservices,
                  size_t limit, ch_arena *arena, ch_case_row **out, size_t *n, ch_error *err);
    int (*report_rows)(ch_store *s, ch_time from, ch_time to, const char *const *services,
                       size_t nservices, ch_arena *arena, ch_report_row **out, size_t *n,
                       ch_error *err);
    int (*person_insert)(ch_store *s, ch_person *p, ch_error *err);
    int (*person_get)(ch_store *s, int64_t id, ch_arena *arena, ch_person *out, ch_error *err);
    int (*person_update)(ch_store *s, const ch_person *p, ch_error *err);
    int (*people_list)(ch_store *s, const ch_people_query *q, ch_arena *arena, ch_person **out,
                       size_t *n, int64_t *total, ch_error *err);
    int (*person_merge)(ch_store *s, int64_t keep, int64_t duplicate, int64_t *moved,
                        ch_error *err);
    int (*person_in)(ch_store *s, int64_t id, const char *const *services, size_t nservices,
                     bool *in, ch_error *err);
    int (*attachment_insert)(ch_store *s, ch_attachment *a, ch_error *err);
    int (*attachment_list)(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                           ch_attachment **out, size_t *n, ch_error *err);
    int (*attachment_get)(ch_store *s, int64_t id, ch_arena *arena, ch_attachment *out,
                          ch_error *err);
    int (*organisation_insert)(ch_store *s, ch_organisation *o, ch_error *err);
    int (*organisation_get)(ch_store *s, int64_t id, ch_arena *arena, ch_organisation *out,
                            ch_error *err);
    int (*cases_of)(ch_store *s, int64_t person_id, int64_t organisation_id,
                    const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                    ch_case_row **out, size_t *n, ch_error *err);
    int (*people_find)(ch_store *s, const char *const *words, size_t nwords,
                       const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                       ch_person **out, size_t *n, ch_error *err);
    int (*organisations_find)(ch_store *s, const char *const *words, size_t nwords, size_t limit,
                              ch_arena *arena, ch_organisation **out, size_t *n, ch_error *err);
    int (*table_count)(ch_store *s, const ch_store_table *t, int64_t *count, ch_error *err);
    int (*table_each)(ch_store *s, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                      ch_error *err);
    int (*import_begin)(ch_store *s, ch_error *err);
    int (*import_row)(ch_store *s, const ch_store_table *t, const char *const *values,
                      ch_error *err);
    int (*import_end)(ch_store *s, bool commit, ch_error *err);
    int (*availability_set)(ch_store *s, const ch_availability_row *row, ch_error *err);
    int (*availability_list)(ch_store *s, ch_arena *arena, ch_availability_row **out, size_t *n,
                             ch_error *err);
    int (*audit_insert)(ch_store *s, const ch_audit_row *row, ch_error *err);
    int (*audit_list)(ch_store *s, int64_t object_id, size_t limit, ch_arena *arena,
                      ch_audit_row **out, size_t *n, ch_error *err);
    /* The audit chain (sqlite/auditlog.c, postgres/pg_auditlog.c). */
    int (*audit_finish)(ch_store *s, int rc, ch_error *err);
    int (*audit_chain)(ch_store *s, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                       int64_t *unchained_max_id, ch_error *err);
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
    int (*visit_notices)(ch_store *s, int64_t visit_id, ch_arena *arena, ch_visit_notice **out,
                         size_t *n, ch_error *err);
    int (*school_token_insert)(ch_store *s, const char *kind, const char *email,
                               const uint8_t hash[32], const char *csrf, ch_time now,
                               ch_time expires, ch_error *err);
    int (*school_token_end)(ch_store *s, const uint8_t hash[32], ch_time now, ch_error *err);
    int (*school_token_take)(ch_store *s, const char *kind, const uint8_t hash[32], ch_time now,
                             ch_arena *arena, const char **email, const char **csrf, ch_error *err);
    int (*statement_sent)(ch_store *s, const ch_statement_sent *row, ch_error *err);
    int (*statements_sent)(ch_store *s, const char *term, ch_arena *arena, ch_statement_sent **out,
                           size_t *n, ch_error *err);
    int (*relationship_insert)(ch_store *s, ch_relationship *r, ch_error *err);
    int (*relationship_delete)(ch_store *s, int64_t id, ch_error *err);
    int (*relationships)(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena,
                         ch_relationship **out, size_t *n, ch_error *err);
    int (*consent_insert)(ch_store *s, ch_consent *c, ch_error *err);
    int (*consent_withdraw)(ch_store *s, int64_t id, ch_time at, int64_t by, const char *reason,
                            ch_error *err);
    int (*consents)(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena, ch_consent **out,
                    size_t *n, ch_error *err);
    int (*incident_insert)(ch_store *s, ch_incident *i, ch_error *err);
    int (*incident_list)(ch_store *s, int64_t person_id, ch_arena *arena, ch_incident **out,
                         size_t *n, ch_error *err);
    int (*restriction_insert)(ch_store *s, ch_restriction *r, ch_error *err);
    int (*restriction_get)(ch_store *s, int64_t id, ch_arena *arena, ch_restriction *out,
                           ch_error *err);
    int (*restriction_list)(ch_store *s, const ch_restriction_filter *f, ch_arena *arena,
                            ch_restriction **out, size_t *n, ch_error *err);
    int (*restriction_change)(ch_store *s, const ch_restriction_change *ch, ch_error *err);
    /* Mail (store/mail.c holds the wrappers). */
    int (*mail_in_insert)(ch_store *s, ch_mail_in *m, bool *duplicate, ch_error *err);
    int (*mail_in_get)(ch_store *s, int64_t id, ch_arena *arena, ch_mail_in *out, ch_error *err);
    int (*mail_in_of_case)(ch_store *s, int64_t case_id, size_t limit, ch_arena *arena,
                           ch_mail_in **out, size_t *n, ch_error *err);
    int (*mail_in_pending)(ch_store *s, size_t limit, ch_arena *arena, ch_mail_in **out, size_t *n,
                           ch_error *err);
    int (*mail_thread_case)(ch_store *s, const char *const *ids, size_t n, int64_t *case_id,
                            ch_error *err);
    int (*outbox_insert)(ch_store *s, ch_outbox_row *rows, size_t n, ch_error *err);
    int (*outbox_claim)(ch_store *s, ch_time now, ch_time lease_until, size_t limit,
                        ch_arena *arena, ch_outbox_row **out, size_t *n, ch_error *err);
    int (*outbox_result)(ch_store *s, int64_t id, const char *state, ch_time at, const char *error,
                         ch_time next_attempt_at, ch_error *err);
    int (*outbox_list)(ch_store *s, const ch_outbox_filter *f, ch_arena *arena, ch_outbox_row **out,
                       size_t *n, ch_error *err);
    int (*outbox_count)(ch_store *s, const ch_outbox_filter *f, int64_t *count, ch_error *err);
    int (*outbox_by_message_id)(ch_store *s, const char *message_id, ch_arena *arena,
                                ch_outbox_row *out, ch_error *err);
    int (*notification_insert)(ch_store *s, ch_notification *n, bool *duplicate, ch_error *err);
    int (*notification_list)(ch_store *s, int64_t user_id, bool unread_only, size_t limit,
                             ch_arena *arena, ch_notification **out, size_t *n, ch_error *err);
    int (*notification_unread)(ch_store *s, int64_t user_id, int64_t *count, ch_error *err);
    int (*notification_read)(ch_store *s, int64_t user_id, int64_t id, ch_time at, ch_error *err);
    int (*notification_unemailed)(ch_store *s, int64_t user_id, size_t limit, ch_arena *arena,
                                  ch_notification **out, size_t *n, ch_error *err);
    int (*notification_emailed)(ch_store *s, const int64_t *ids, size_t n, ch_time at,
                                ch_outbox_row *outbox, ch_error *err);
    int (*due_soon)(ch_store *s, ch_time from, ch_time to, size_t limit, ch_arena *arena,
                    ch_due_soon **out, size_t *n, ch_error *err);
    int (*mail_commit)(ch_store *s, ch_mail_commit *c, ch_error *err);
    /* Complaints and compliments. */
    int (*stages)(ch_store *s, int64_t case_id, ch_arena *arena, ch_stage_row **out, size_t *n,
                  ch_error *err);
    int (*stage_change)(ch_store *s, ch_stage_change *m, int64_t *new_version, ch_error *err);
    int (*case_staff)(ch_store *s, int64_t case_id, ch_arena *arena, ch_staff_named **out,
                      size_t *n, ch_error *err);
    int (*case_staff_set)(ch_store *s, const ch_case_update *u, const int64_t *ids, size_t n,
                          int64_t by, int64_t *new_version, ch_error *err);
    int (*cases_staff_named)(ch_store *s, const int64_t *ids, size_t n, bool *named, ch_error *err);
    int (*complaint_lines)(ch_store *s, ch_time from, ch_time to, ch_arena *arena,
                           ch_complaint_line **out, size_t *n, ch_error *err);
    /* The public standards page (publicpage). */
    int (*kind_counts)(ch_store *s, ch_time from, ch_time to, const char *const *services,
                       size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                       ch_error *err);
    /* Themes on cases and the reports by them (themes.c, pg_themes.c). */
    int (*case_themes_set)(ch_store *s, int64_t case_id, int64_t expect, const char *const *ids,
                           size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                           ch_error *err);
    int (*case_themes)(ch_store *s, int64_t case_id, ch_arena *arena, const char ***out, size_t *n,
                       ch_error *err);
    int (*theme_rows)(ch_store *s, ch_time from, ch_time to, const char *const *services,
                      size_t nservices, ch_arena *arena, ch_theme_row **out, size_t *n,
                      ch_error *err);
    int (*report_rows_by)(ch_store *s, ch_report_by by, ch_time from, ch_time to,
                          const char *const *services, size_t nservices, ch_arena *arena,
                          ch_report_row **out, size_t *n, ch_error *err);
    /* Customer surveys (store/surveys.c). */
    int (*survey_candidates)(ch_store *s, const char *service, const char *kinds,
                             ch_time closed_from, ch_time closed_to, size_t limit, ch_arena *arena,
                             ch_survey_candidate **out, size_t *n, ch_error *err);
    int (*survey_invite)(ch_store *s, ch_survey_invitation *inv, ch_outbox_row *mail,
                         ch_error *err);
    int (*survey_find)(ch_store *s, const char *token_hash, ch_arena *arena,
                       ch_survey_invitation *out, ch_error *err);
    int (*survey_answer)(ch_store *s, const char *token_hash, ch_survey_response *r, ch_error *err);
    int (*survey_invitations)(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                              ch_survey_invitation **out, size_t *n, ch_error *err);
    int (*survey_responses)(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                            ch_survey_response **out, size_t *n, ch_error *err);
    /* Behaviour audits (store/audits.c holds the wrappers). */
    int (*school_audit_insert)(ch_store *s, struct ch_school_audit *a, ch_error *err);
    int (*school_audit_get)(ch_store *s, int64_t id, ch_arena *arena, struct ch_school_audit *out,
                            ch_error *err);
    int (*school_audit_by_code)(ch_store *s, const char *code, ch_arena *arena,
                                struct ch_school_audit *out, const char **group, ch_error *err);
    int (*school_audit_dates)(ch_store *s, int64_t id, ch_date opens_on, ch_date closes_on,
                              ch_error *err);
    int (*school_audit_list)(ch_store *s, size_t limit, ch_arena *arena,
                             struct ch_school_audit **out, size_t *n, ch_error *err);
    int (*audit_response_insert)(ch_store *s, ch_audit_response_row *row, ch_error *err);
    int (*audit_responses)(ch_store *s, int64_t audit_id, ch_arena *arena,
                           ch_audit_response_row **out, size_t *n, ch_error *err);
    /* Subject access (sqlite/sar.c, postgres/pg_sar.c). */
    int (*sar_release)(ch_store *s, ch_sar_release *rel, int64_t *new_version, ch_error *err);
    int (*sar_exports)(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                       ch_sar_export **out, size_t *n, ch_error *err);
    int (*sar_audit)(ch_store *s, int64_t person_id, size_t limit, ch_arena *arena,
                     ch_audit_row **out, size_t *n, ch_error *err);
    int (*sar_others)(ch_store *s, int64_t person_id, ch_arena *arena, ch_sar_other **out,
                      size_t *n, ch_error *err);
    int (*hold_place)(ch_store *s, ch_legal_hold *h, ch_error *err);
    int (*hold_release)(ch_store *s, int64_t person_id, int64_t case_id, ch_error *err);
    int (*hold_get)(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                    ch_legal_hold *out, ch_error *err);
    int (*retention_apply)(ch_store *s, int kind, const char *service, ch_time cutoff, bool dry_run,
                           ch_time now, int64_t by, int64_t *count, ch_error *err);
    int (*audit_purge)(ch_store *s, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                       int64_t *count, ch_error *err);
    int (*person_erase)(ch_store *s, ch_erasure *e, ch_error *err);
    int (*person_erased)(ch_store *s, int64_t person_id, ch_time *at, ch_error *err);
    int (*audit_query)(ch_store *s, const ch_audit_query *q, ch_arena *arena,
                       ch_audit_view_row **out, size_t *n, ch_error *err);
    int (*people_services)(ch_store *s, const int64_t *ids, size_t n, ch_arena *arena,
                           ch_person_service **out, size_t *nout, ch_error *err);
} ch_store_ops;

struct ch_store {
    const ch_store_ops *ops;
};

/* The audit rows attached to this thread's next write on s
 * (ch_store_audit_attach), if any: true, a copy in *out (each row's
 * object_id filled in from its pointer by ch_store_audit_resolve, once the
 * write has succeeded), and the attachment cleared; false when none. */
bool ch_store_audit_take(ch_store *s, ch_audit_pending *out);
void ch_store_audit_resolve(ch_audit_pending *p);
/* Whether this thread has an audit row attached for its next write on s. */
bool ch_store_audit_pending(const ch_store *s);

/* word with LIKE's wildcards (% and _) and its escape character (a
 * backslash) escaped, in arena, for "LIKE ... ESCAPE '\'" on either backend:
 * a finder matches what was typed, never a pattern. NULL when out of memory. */
char *ch_store_like_escape(ch_arena *arena, const char *word);

/* The envelope recipients of an outbox row ("a@x.example, b@y.example")
 * as the addresses they are matched by: trimmed, ASCII lower-case, empty
 * ones and repeats left out, in arena. CH_E_INVALID when there are none. */
int ch_store_rcpts_split(ch_arena *arena, const char *rcpts, char ***out, size_t *n, ch_error *err);

/* What case_id 0 and contact_id CH_CONTACT_NEW stand for in a mail
 * commit (case_out NULL: only the contact): the update's case (or the one
 * opened) and the update's contact, once those are stored. CH_E_INVALID
 * for "the new contact" when the update adds none. */
int ch_store_mail_commit_refs(const ch_mail_commit *m, int64_t case_id, int64_t *case_out,
                              int64_t contact_id, int64_t *contact_out, ch_error *err);

/* The PostgreSQL backend: url is a libpq connection URL, optionally with
 * schema=NAME in its query to keep the tables in that schema and pool=N
 * for the number of connections (default 16). */
int ch_store_postgres_open(ch_store **out, const char *url, ch_error *err);

/* Appends to sql (at *used, as snprintf counts) the condition that person
 * alias is in services, for ch_store_person_in and the people list: the
 * services are placeholders mark+first .. mark+first+n-1 ("?" for SQLite,
 * "$" for PostgreSQL), each used in every arm. */
void ch_store_person_scope_sql(char *sql, size_t size, size_t *used, const char *alias, char mark,
                               int first, size_t n);

/* The SQLite backend: path is a file name. */
int ch_store_sqlite_open(ch_store **out, const char *path, ch_error *err);

#endif
