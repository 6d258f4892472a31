/* The one storage interface of the case desk. Every backend (SQLite first,
 * PostgreSQL next) is a table of functions behind these wrappers; nothing
 * above this header knows which one is in use. The store persists what the
 * edges and the core decided: it never decides anything itself.
 *
 * Strings handed back live in the arena the caller passes, and die with it. */
#ifndef CH_STORE_H
#define CH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/civil.h"

typedef enum ch_role { CH_ROLE_OFFICER, CH_ROLE_MANAGER, CH_ROLE_ADMIN } ch_role;

const char *ch_role_name(ch_role r);
int ch_role_parse(const char *s, ch_role *out);

typedef struct ch_user {
    int64_t id;
    const char *email, *name;
    ch_role role;
    const char *password_hash; /* argon2id string; NULL when never set */
    const char **services;     /* "policy/service" names the user belongs to */
    size_t nservices;
} ch_user;

typedef struct ch_obligation_row {
    int64_t id;
    const char *promise, *kind, *text;
    ch_time due_at;
    const char *state; /* pending, met, breached, paused */
    ch_time met_at;    /* 0 when not met */
} ch_obligation_row;

typedef struct ch_contact_row {
    int64_t id;
    const char *direction, *channel, *who, *summary, *outcome;
    ch_time at;
    int64_t created_by;
} ch_contact_row;

typedef struct ch_event_row {
    int64_t id;
    ch_time at;
    int64_t actor; /* user id, 0 for the system */
    const char *what, *detail;
} ch_event_row;

/* A customer: a parent or carer, a young person, an advocate, a school's
 * contact. */
typedef struct ch_person {
    int64_t id;
    const char *name, *email, *phone;
    const char *date_of_birth; /* YYYY-MM-DD or NULL */
    int64_t organisation_id;
    ch_time created_at;
} ch_person;

typedef struct ch_organisation {
    int64_t id;
    const char *name, *kind; /* kind: school, agency, other */
    ch_time created_at;
} ch_organisation;

/* A stretch of time the case's clocks stood still; to is 0 while open. */
typedef struct ch_pause_row {
    ch_time from, to;
} ch_pause_row;

typedef struct ch_case_row {
    int64_t id;
    const char *service; /* policy/service */
    const char *kind, *channel, *subject, *status;
    ch_time received_at, deemed_at, created_at, updated_at;
    const char *requester_name, *requester_email, *organisation;
    /* The person and organisation records behind requester and organisation:
     * found by email and by name when the case is stored, or created. */
    int64_t person_id, organisation_id;
    int64_t officer_id; /* 0 when unassigned */
    const char **flags;
    size_t nflags;
    int64_t version;     /* bumped by every change: the ETag */
    ch_time next_due_at; /* soonest pending due time, 0 when none: queues sort on it */
    ch_obligation_row *obligations;
    size_t nobligations;
    ch_contact_row *contacts;
    size_t ncontacts;
    ch_event_row *events;
    size_t nevents;
    ch_pause_row *pauses;
    size_t npauses;
} ch_case_row;

/* One line of the audit log: who did what to which record, from where. */
typedef struct ch_audit_row {
    int64_t id;
    ch_time at;
    int64_t user_id;
    const char *action, *object; /* "read"/"create"/..., "case"/"person" */
    int64_t object_id;
    const char *remote;
} ch_audit_row;

typedef enum ch_queue {
    CH_QUEUE_MINE,
    CH_QUEUE_DUE_TODAY,
    CH_QUEUE_AT_RISK,
    CH_QUEUE_OVERDUE,
    CH_QUEUE_UNASSIGNED,
} ch_queue;

/* A queue query: which queue, for whom, and the instants that bound it
 * (computed by the caller from the services' calendars). */
typedef struct ch_queue_query {
    ch_queue queue;
    int64_t user_id;
    const char *const *services; /* visible services; NULL means all */
    size_t nservices;
    ch_time now;
    /* due-today and at-risk: per service, the instant a due time must fall
     * before; parallel to services (or a single bound when services is NULL). */
    const ch_time *before;
    size_t limit, offset;
} ch_queue_query;

typedef struct ch_store ch_store;

/* Opens the store named by url: "sqlite:PATH", a bare PATH (SQLite), or
 * "postgres://..." once that backend exists. Runs pending migrations. On
 * success *out belongs to the caller: close it with ch_store_close. */
int ch_store_open(ch_store **out, const char *url, ch_error *err);
void ch_store_close(ch_store *store);

/* Users and their services. */
int ch_store_user_insert(ch_store *s, const ch_user *user, int64_t *id, ch_error *err);
int ch_store_user_by_email(ch_store *s, const char *email, ch_arena *arena, ch_user *out,
                           ch_error *err);
int ch_store_user_by_id(ch_store *s, int64_t id, ch_arena *arena, ch_user *out, ch_error *err);
int ch_store_user_count(ch_store *s, int64_t *count, ch_error *err);
/* Every staff user with their services (no password hashes), by email. */
int ch_store_user_list(ch_store *s, ch_arena *arena, ch_user **out, size_t *n, ch_error *err);

/* API tokens and sessions, both kept only as hashes. A session expires at
 * expires; a token lives until revoked. */
int ch_store_token_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], ch_error *err);
int ch_store_session_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                            ch_time expires, ch_error *err);
/* Finds the user a token or an unexpired session hash belongs to, with
 * their services (no password hash), and for a session its CSRF token;
 * strings are copied into arena. CH_E_NOTFOUND when none. */
int ch_store_credential_user(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                             ch_user *user, const char **csrf, ch_error *err);

/* Policies, kept with their history: a new version when the text changes. */
int ch_store_policy_save(ch_store *s, const char *policy_id, const char *text, ch_time now,
                         int64_t *version, ch_error *err);

/* Inserts c (its obligations and first event with it) in one transaction;
 * sets c->id and each obligation's id. */
int ch_store_case_insert(ch_store *s, ch_case_row *c, ch_error *err);

/* Loads a case with its obligations, contacts and events into arena. */
int ch_store_case_get(ch_store *s, int64_t id, ch_arena *arena, ch_case_row *out, ch_error *err);

/* One change to a case, applied in a single transaction when the case is
 * still at version expect (0 skips the check; CH_E_CONFLICT otherwise):
 * an optional contact to add, obligation states to update, the event for
 * the timeline, and the case's new status and soonest due time. */
typedef struct ch_case_update {
    int64_t case_id, expect;
    ch_contact_row *contact;          /* may be NULL; its id is set */
    const ch_obligation_row *changed; /* by id: new state, met_at and due_at */
    size_t nchanged;
    const ch_obligation_row *added; /* obligations that now apply */
    size_t nadded;
    const int64_t *removed; /* obligation ids that no longer apply */
    size_t nremoved;
    const ch_event_row *event;
    const char *status;
    ch_time next_due_at;
    ch_time now;
    bool set_officer; /* officer_id below replaces the case's (0 unassigns) */
    int64_t officer_id;
    const char *kind; /* non-NULL: the case's new kind */
    bool set_flags;   /* flags below replace the case's */
    const char **flags;
    size_t nflags;
    ch_time pause_from; /* non-zero: a pause starts then */
    ch_time pause_to;   /* non-zero: the open pause ends then */
} ch_case_update;

int ch_store_case_update(ch_store *s, const ch_case_update *u, int64_t *new_version, ch_error *err);

/* Cases in a queue, soonest due first, each with only its pending
 * obligations loaded. */
int ch_store_queue(ch_store *s, const ch_queue_query *q, ch_arena *arena, ch_case_row **out,
                   size_t *n, ch_error *err);

/* Marks every pending obligation whose due time is before now as breached,
 * with an event on its case and a new case version; *count is how many. */
int ch_store_breach_sweep(ch_store *s, ch_time now, int64_t *count, ch_error *err);

/* A filtered list of cases, newest first: NULL or 0 fields do not filter;
 * officer_id -1 means unassigned. */
typedef struct ch_case_filter {
    const char *const *services; /* visible services; NULL for all */
    size_t nservices;
    const char *service, *kind, *status;
    int64_t officer_id;
    size_t limit, offset;
} ch_case_filter;

int ch_store_case_list(ch_store *s, const ch_case_filter *f, ch_arena *arena, ch_case_row **out,
                       size_t *n, ch_error *err);

/* Cases whose subject, requester, organisation or contact text match every
 * word of words (plain words, not a query language), best match first, in
 * the given services (NULL for all). */
int ch_store_search(ch_store *s, const char *words, const char *const *services, size_t nservices,
                    size_t limit, ch_arena *arena, ch_case_row **out, size_t *n, ch_error *err);

/* One obligation for a compliance report. */
typedef struct ch_report_row {
    const char *service, *promise, *state;
    ch_time due_at, met_at, deemed_at;
} ch_report_row;

/* Obligations due in [from, to) in the given services (NULL for all). */
int ch_store_report_rows(ch_store *s, ch_time from, ch_time to, const char *const *services,
                         size_t nservices, ch_arena *arena, ch_report_row **out, size_t *n,
                         ch_error *err);

int ch_store_person_insert(ch_store *s, ch_person *p, ch_error *err);
int ch_store_person_get(ch_store *s, int64_t id, ch_arena *arena, ch_person *out, ch_error *err);
int ch_store_organisation_insert(ch_store *s, ch_organisation *o, ch_error *err);
int ch_store_organisation_get(ch_store *s, int64_t id, ch_arena *arena, ch_organisation *out,
                              ch_error *err);

/* The cases of a person (person_id) or an organisation (organisation_id; the
 * other 0) in the given services (NULL for all), newest first. */
int ch_store_cases_of(ch_store *s, int64_t person_id, int64_t organisation_id,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                      ch_case_row **out, size_t *n, ch_error *err);

/* Copying a whole desk between backends (charter migrate). ch_store_tables
 * lists every table in an order that respects references, each with its
 * columns; rows travel as text (NULL for SQL NULL). */
typedef struct ch_store_table {
    const char *name;
    const char *const *columns;
    size_t ncolumns;
} ch_store_table;
extern const ch_store_table ch_store_tables[];
extern const size_t ch_store_ntables;

typedef int (*ch_store_row_fn)(void *ctx, const char *const *values, ch_error *err);

int ch_store_table_count(ch_store *s, const ch_store_table *t, int64_t *count, ch_error *err);
/* Calls fn for every row of t, in id order. */
int ch_store_table_each(ch_store *s, const ch_store_table *t, ch_store_row_fn fn, void *ctx,
                        ch_error *err);
/* Writes rows into an empty desk: begin, put each row, then end (which
 * commits, rebuilds the search index and moves id sequences past the ids
 * copied). */
int ch_store_import_begin(ch_store *s, ch_error *err);
int ch_store_import_row(ch_store *s, const ch_store_table *t, const char *const *values,
                        ch_error *err);
int ch_store_import_end(ch_store *s, bool commit, ch_error *err);

/* Purchased hours (see core/ledger.h for the rules). A contract is what one
 * school bought of one service for one academic year. */
typedef struct ch_contract {
    int64_t id;
    int64_t organisation_id;  /* the school */
    const char *organisation; /* its name: read back, or linked by name when id is 0 */
    const char *service;
    const char *year;                         /* "2026-27" */
    ch_date starts, ends;                     /* inclusive */
    int64_t amount;                           /* as bought, in hundredths of unit */
    const char *unit;                         /* hours, days, half-days */
    int64_t purchased;                        /* minutes */
    int32_t block;                            /* minutes in the usual visit */
    bool prep_counts;                         /* preparation and follow-up time count against it */
    const char *contact_name, *contact_email; /* the school's named contact */
    int64_t consultant_id;
    const char *consultant;       /* the consultant's name, read back */
    const char *shortfall_policy; /* refund or rollover */
    const char *status;           /* open, or closed after the year end */
    int64_t created_by;
    ch_time created_at;
    ch_time purchased_at; /* when the purchase entry counts from (the year's start) */
    /* Read back: the ledger's sum, minutes booked on visits not yet ended,
     * and minutes of visits we cancelled. */
    int64_t balance, booked, shortfall;
} ch_contract;

/* One movement of the append-only ledger. */
typedef struct ch_ledger_row {
    int64_t id, contract_id;
    ch_time at; /* when it happened: the visit, the report, the purchase */
    const char *kind;
    int64_t minutes;  /* signed */
    int64_t visit_id; /* 0 when not from a visit */
    const char *reason;
    int64_t created_by;
    ch_time created_at;
} ch_ledger_row;

typedef struct ch_visit {
    int64_t id, contract_id, consultant_id;
    ch_time starts_at;
    int32_t booked, actual;                   /* minutes; actual 0 until delivered */
    const char *status;                       /* booked, or how it ended */
    const char *reason;                       /* why it is not the usual block, or NULL */
    const char *note;                         /* who covered, why it was cancelled */
    ch_time late_notice_at, late_expected_at; /* a late arrival, 0 when none */
    int64_t rescheduled_from;
    bool over_balance; /* a manager agreed to book past the balance */
    int64_t created_by;
    ch_time created_at, updated_at;
    const char *school, *consultant, *service; /* read back */
} ch_visit;

/* Adds a contract and its purchase entry in one write; sets c->id (and
 * c->organisation_id when linked by name). */
int ch_store_contract_insert(ch_store *s, ch_contract *c, ch_error *err);
int ch_store_contract_get(ch_store *s, int64_t id, ch_arena *arena, ch_contract *out,
                          ch_error *err);

/* What may change on an open contract: who to tell and who visits, how
 * shortfall is settled, the usual visit and whether preparation counts.
 * What was bought changes only through the ledger. */
typedef struct ch_contract_change {
    int64_t id;
    bool set_contact;
    const char *contact_name, *contact_email; /* NULL clears */
    bool set_consultant;
    int64_t consultant_id;        /* 0 for none */
    const char *shortfall_policy; /* NULL leaves it */
    int32_t block;                /* 0 leaves it */
    int prep_counts;              /* -1 leaves it, else 0 or 1 */
} ch_contract_change;

/* CH_E_CONFLICT when the contract is closed (or gone), CH_E_INVALID for a
 * consultant who does not exist. */
int ch_store_contract_update(ch_store *s, const ch_contract_change *ch, ch_error *err);

typedef struct ch_contract_filter {
    int64_t organisation_id, consultant_id; /* 0 for any */
    const char *const *services;            /* NULL for all */
    size_t nservices;
    const char *year, *status; /* NULL for any */
    size_t limit;
} ch_contract_filter;

int ch_store_contract_list(ch_store *s, const ch_contract_filter *f, ch_arena *arena,
                           ch_contract **out, size_t *n, ch_error *err);

/* A contract's ledger in time order. */
int ch_store_ledger_list(ch_store *s, int64_t contract_id, ch_arena *arena, ch_ledger_row **out,
                         size_t *n, ch_error *err);

/* Appends entries in one write. When close_contract is set, that contract
 * moves from open to closed in the same write (CH_E_CONFLICT when it was
 * already closed): the year end settles once. Ids are set on return. */
int ch_store_ledger_append(ch_store *s, ch_ledger_row *entries, size_t n, int64_t close_contract,
                           ch_error *err);

/* Books v. When seen is given, the visit is booked only if the contract's
 * balance and booked minutes are still what seen holds (CH_E_CONFLICT
 * otherwise), so two people booking the last hours at once cannot both
 * pass the balance check. */
int ch_store_visit_insert(ch_store *s, ch_visit *v, const ch_contract *seen, ch_error *err);
int ch_store_visit_get(ch_store *s, int64_t id, ch_arena *arena, ch_visit *out, ch_error *err);

typedef struct ch_visit_filter {
    int64_t contract_id, consultant_id; /* 0 for any */
    ch_time from, to;                   /* starts_at in [from, to); 0 for unbounded */
    size_t limit;
} ch_visit_filter;

/* Visits in start order. */
int ch_store_visit_list(ch_store *s, const ch_visit_filter *f, ch_arena *arena, ch_visit **out,
                        size_t *n, ch_error *err);

/* The end of a booked visit, or news that it will start late. */
typedef struct ch_visit_change {
    int64_t visit_id;
    const char *status; /* how it ended; NULL records only the late arrival */
    int32_t actual;
    const char *note;
    ch_time late_notice_at, late_expected_at; /* 0 leaves them as they are */
    ch_ledger_row *charge;                    /* a drawdown to append, or NULL */
    ch_visit *rebook; /* the new visit when rescheduled, or NULL; id set on return */
    ch_time at;
} ch_visit_change;

/* A termly statement recorded as sent to the school. */
typedef struct ch_statement_sent {
    int64_t contract_id;
    const char *term; /* "autumn-2026" */
    ch_time sent_at;
    int64_t sent_by;
    const char *sent_to;
} ch_statement_sent;

/* Records it; CH_E_CONFLICT when that contract's statement for that term is
 * already recorded, CH_E_NOTFOUND for no such contract. */
int ch_store_statement_sent(ch_store *s, const ch_statement_sent *row, ch_error *err);

/* Every statement recorded as sent for term. */
int ch_store_statements_sent(ch_store *s, const char *term, ch_arena *arena,
                             ch_statement_sent **out, size_t *n, ch_error *err);

/* Applies the change in one write; CH_E_CONFLICT when the visit has
 * already ended (two people closing the same visit charge it once). */
int ch_store_visit_change(ch_store *s, ch_visit_change *ch, ch_error *err);

int ch_store_audit_insert(ch_store *s, const ch_audit_row *row, ch_error *err);
int ch_store_audit_list(ch_store *s, int64_t object_id, size_t limit, ch_arena *arena,
                        ch_audit_row **out, size_t *n, ch_error *err);

#endif
