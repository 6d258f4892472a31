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
#include "core/auditlog.h"
#include "core/civil.h"
#include "core/casework.h"
#include "core/consent.h"

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
    bool inactive; /* deactivated: cannot sign in, and no credential of theirs works */
    /* How they hear of their work by email: "each" (a message per
     * notification), "digest" (one a day), "none". */
    const char *notify;
} ch_user;

/* A change to a user, applied in one write. The store refuses (CH_E_CONFLICT)
 * a change that would leave no active administrator. */
typedef struct ch_user_change {
    int64_t id;
    const char *name; /* NULL leaves it */
    bool set_role;
    ch_role role;
    bool set_services; /* services below replace the user's */
    const char *const *services;
    size_t nservices;
    int active;                  /* -1 leaves it, 0 deactivates, 1 reactivates */
    const char *password_hash;   /* NULL leaves it */
    bool end_sessions;           /* deletes the user's sessions... */
    const uint8_t *keep_session; /* ...but this one (a hash; NULL for none) */
    bool end_tokens;             /* deletes the user's API tokens */
    const char *notify;          /* NULL leaves it; else each, digest or none */
} ch_user_change;

/* An API token as listed: never its secret. */
typedef struct ch_token_row {
    int64_t id, user_id;
    const char *label; /* may be NULL */
    ch_time created_at, expires_at;
    ch_time last_used_at; /* to the hour; 0 when never used */
} ch_token_row;

/* The credential a request came with. */
typedef struct ch_credential {
    int64_t id;
    bool session;         /* a browser session; otherwise an API token */
    const char *csrf;     /* a session's CSRF token */
    ch_time last_used_at; /* 0 when never */
} ch_credential;

typedef struct ch_obligation_row {
    int64_t id;
    const char *promise, *kind, *text;
    ch_time due_at;
    const char *state; /* pending, met, breached, paused, withdrawn */
    ch_time met_at;    /* 0 when not met */
    /* The contact that met it: 0 for none, CH_CONTACT_NEW in an update for
     * the contact that update adds. */
    int64_t met_by_contact;
    const char *reason; /* why it was settled as it was (withdrawn: why), or NULL */
    /* The service whose promise it was, when the case has since moved on
     * (NULL: the case's own); reports count it there. Once set it stays. */
    const char *service;
} ch_obligation_row;

#define CH_CONTACT_NEW (-1)

/* A new obligation's row for promise p (borrowed from the policy), due then
 * and in state st, not yet met. */
ch_obligation_row ch_obligation_row_for(const ch_promise *p, ch_time due, ch_ostate st);

typedef struct ch_contact_row {
    int64_t id;
    const char *direction, *channel, *who, *summary, *outcome;
    ch_time at;
    int64_t created_by;
    int64_t handed_to;      /* the colleague a handed-over contact passed the case to, or 0 */
    int64_t with_person_id; /* the person spoken with or heard from, or 0 when not recorded */
    /* Why a channel the person asked us not to use was used, or NULL. */
    const char *channel_reason;
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
    /* Communication needs as the JSON object the API took (validated above
     * the store), or NULL when none are recorded. */
    const char *needs;
    int64_t merged_into; /* the person this record was merged into, or 0 */
    /* The service that recorded the person (a case's service when a case
     * brought them in), or NULL for one from before services were kept. */
    const char *service;
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
    /* The hash chain (core/auditlog.h): set by the store when it writes the
     * row, read back by ch_store_audit_chain; 0 and NULL before the chain. */
    int64_t seq;
    const char *prev_hash, *hash;
} ch_audit_row;

/* The row as the chain's code sees it (core/auditlog.h), its strings
 * borrowed: one copy of the mapping for the backends, verify and tests. */
static inline ch_auditlog_entry ch_store_audit_entry(const ch_audit_row *row)
{
    return (ch_auditlog_entry){.id = row->id,
                               .seq = row->seq,
                               .at = row->at,
                               .user_id = row->user_id,
                               .action = row->action,
                               .object = row->object,
                               .object_id = row->object_id,
                               .remote = row->remote,
                               .prev_hash = row->prev_hash,
                               .hash = row->hash};
}

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
    bool hide_staff_named; /* leaves out complaints naming staff (for officers) */
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
/* CH_E_NOTFOUND when there is no such user. */
int ch_store_user_update(ch_store *s, const ch_user_change *ch, ch_error *err);

/* API tokens and sessions, both kept only as hashes; each expires at
 * expires. A token has an optional label and *id is set (id may be NULL). */
int ch_store_token_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *label,
                          ch_time expires, int64_t *id, ch_error *err);
int ch_store_session_insert(ch_store *s, int64_t user_id, const uint8_t hash[32], const char *csrf,
                            ch_time expires, ch_error *err);
/* Finds the active user an unexpired token or session hash belongs to,
 * with their services (no password hash), and the credential itself (cred
 * may be NULL); strings are copied into arena. CH_E_NOTFOUND when none. */
int ch_store_credential_user(ch_store *s, const uint8_t hash[32], ch_time now, ch_arena *arena,
                             ch_user *user, ch_credential *cred, ch_error *err);
/* Records that credential id was used at now. */
int ch_store_credential_used(ch_store *s, int64_t id, ch_time now, ch_error *err);
/* Deletes the session or token with this hash (signing out); CH_E_NOTFOUND
 * when there is none. */
int ch_store_credential_delete(ch_store *s, const uint8_t hash[32], ch_error *err);
/* A user's API tokens, expired ones too, newest first. */
int ch_store_token_list(ch_store *s, int64_t user_id, ch_arena *arena, ch_token_row **out,
                        size_t *n, ch_error *err);
/* Deletes API token id when it belongs to owner (0: to anyone), setting
 * *user_id to whose it was; CH_E_NOTFOUND otherwise. */
int ch_store_token_delete(ch_store *s, int64_t id, int64_t owner, int64_t *user_id, ch_error *err);

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
    /* A transfer or referral: non-NULL, the case's new "policy/service",
     * with its deemed receipt on that service's calendar. */
    const char *service;
    ch_time deemed_at;
} ch_case_update;

/* The contact an updated obligation was met by, once the update's own
 * contact has its id (CH_CONTACT_NEW); 0 for none. */
int64_t ch_case_update_met_by(const ch_case_update *u, const ch_obligation_row *o);

int ch_store_case_update(ch_store *s, const ch_case_update *u, int64_t *new_version, ch_error *err);

/* Cases in a queue, soonest due first, each with only its pending
 * obligations loaded. */
int ch_store_queue(ch_store *s, const ch_queue_query *q, ch_arena *arena, ch_case_row **out,
                   size_t *n, ch_error *err);
/* How many cases the whole queue holds (its limit and offset ignored), so a
 * page can say "1-50 of 237". */
int ch_store_queue_count(ch_store *s, const ch_queue_query *q, int64_t *total, ch_error *err);

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
    bool hide_staff_named; /* leaves out complaints naming staff (for officers) */
} ch_case_filter;

int ch_store_case_list(ch_store *s, const ch_case_filter *f, ch_arena *arena, ch_case_row **out,
                       size_t *n, ch_error *err);
/* How many cases match f in all, its limit and offset ignored. */
int ch_store_case_count(ch_store *s, const ch_case_filter *f, int64_t *total, ch_error *err);

/* Cases whose subject, requester, organisation or contact text match every
 * word of words (plain words, not a query language; each word matches as
 * the start of a word, so "transp" finds "transport"), the most recently
 * changed first, in the given services (NULL for all). Of more than a
 * thousand matches, the thousand newest entries in the index are the ones
 * looked at: ranking every match of a common word would cost as many
 * matches, and an officer who gets a thousand adds a word. */
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
/* Writes every field of p over person p->id (NULL clears); CH_E_NOTFOUND
 * for no such person, CH_E_INVALID for no such organisation. */
int ch_store_person_update(ch_store *s, const ch_person *p, ch_error *err);

/* People as listed: every word (at most CH_STORE_FIND_WORDS) matches as in
 * ch_store_people_find (none lists everyone), visible to services as there
 * (NULL for all), merged records left out; by name, a page of limit from
 * offset, with *total the count of all that match. */
typedef struct ch_people_query {
    const char *const *words;
    size_t nwords;
    const char *const *services;
    size_t nservices;
    size_t limit, offset;
} ch_people_query;
int ch_store_people_list(ch_store *s, const ch_people_query *q, ch_arena *arena, ch_person **out,
                         size_t *n, int64_t *total, ch_error *err);
/* Whether person id is in one of services (1 to 200 of them): recorded by
 * one, or with a case, an incident or a restriction in one. The same rule
 * narrows ch_people_query.services. *in false for no such person. */
int ch_store_person_in(ch_store *s, int64_t id, const char *const *services, size_t nservices,
                       bool *in, ch_error *err);

/* Merges person duplicate into keep in one transaction: the duplicate's
 * cases and attachments move to keep, and the duplicate is marked merged
 * into keep (kept, so the audit log still names it). *moved is how many
 * cases moved. CH_E_NOTFOUND for either missing, CH_E_CONFLICT when either
 * is already merged. */
int ch_store_person_merge(ch_store *s, int64_t keep, int64_t duplicate, int64_t *moved,
                          ch_error *err);

/* A file attached to a person or a case (exactly one of the two ids). */
typedef struct ch_attachment {
    int64_t id, person_id, case_id;
    int64_t contact_id; /* the contact (an email) it came with or went with, or 0 */
    const char *filename, *content_type;
    int64_t size;
    const unsigned char *data; /* NULL when listed */
    int64_t uploaded_by;
    const char *uploader; /* the uploader's name, read back */
    ch_time uploaded_at;
} ch_attachment;

/* Stores a (with its data); sets a->id. CH_E_INVALID when the person or
 * case does not exist. */
int ch_store_attachment_insert(ch_store *s, ch_attachment *a, ch_error *err);
/* The attachments of a person (person_id) or a case (case_id; the other 0),
 * oldest first, without their data. */
int ch_store_attachment_list(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                             ch_attachment **out, size_t *n, ch_error *err);
/* One attachment with its data; CH_E_NOTFOUND when there is none. */
int ch_store_attachment_get(ch_store *s, int64_t id, ch_arena *arena, ch_attachment *out,
                            ch_error *err);

int ch_store_organisation_insert(ch_store *s, ch_organisation *o, ch_error *err);
int ch_store_organisation_get(ch_store *s, int64_t id, ch_arena *arena, ch_organisation *out,
                              ch_error *err);

/* Finders for people and organisations: each of words (at most
 * CH_STORE_FIND_WORDS) must begin a word of the name, or begin the email or
 * its domain (people only), ignoring the case of ASCII letters. People are
 * only those the given services may see (one of their cases is in them, or
 * they have no case yet; NULL services for all), and not merged into
 * another; by name, at most limit. */
#define CH_STORE_FIND_WORDS 12
int ch_store_people_find(ch_store *s, const char *const *words, size_t nwords,
                         const char *const *services, size_t nservices, size_t limit,
                         ch_arena *arena, ch_person **out, size_t *n, ch_error *err);
int ch_store_organisations_find(ch_store *s, const char *const *words, size_t nwords, size_t limit,
                                ch_arena *arena, ch_organisation **out, size_t *n, ch_error *err);

/* The cases of a person (person_id) or an organisation (organisation_id; the
 * other 0) in the given services (NULL for all), newest first. */
int ch_store_cases_of(ch_store *s, int64_t person_id, int64_t organisation_id,
                      const char *const *services, size_t nservices, size_t limit, ch_arena *arena,
                      ch_case_row **out, size_t *n, ch_error *err);

/* Relationships between people (core/consent.h): r->id is set. CH_E_INVALID
 * when a person or organisation named does not exist. */
int ch_store_relationship_insert(ch_store *s, ch_relationship *r, ch_error *err);
/* CH_E_NOTFOUND when there is no such relationship. */
int ch_store_relationship_delete(ch_store *s, int64_t id, ch_error *err);
/* The relationship id (person_id 0), or every relationship person_id is on
 * either side of (id 0), with names, oldest first; at most 500. */
int ch_store_relationships(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena,
                           ch_relationship **out, size_t *n, ch_error *err);

/* Written consents (core/consent.h): c->id is set. CH_E_INVALID when a
 * person or the case named does not exist. */
int ch_store_consent_insert(ch_store *s, ch_consent *c, ch_error *err);
/* Marks consent id withdrawn at at, by whom and why; it is kept.
 * CH_E_NOTFOUND for no such consent, CH_E_CONFLICT when already withdrawn. */
int ch_store_consent_withdraw(ch_store *s, int64_t id, ch_time at, int64_t by, const char *reason,
                              ch_error *err);
/* The consent id (person_id 0), or every consent person_id gave or was
 * given (id 0), with names, most recently given first; at most 500. */
int ch_store_consents(ch_store *s, int64_t id, int64_t person_id, ch_arena *arena, ch_consent **out,
                      size_t *n, ch_error *err);

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
    const char *scope; /* what the consultancy covers, as agreed with the school; NULL none */
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
    ch_time late_notice_at, late_expected_at; /* the latest late notice, 0 when none */
    ch_time arrived_at;                       /* when the consultant arrived, 0 unknown */
    const char *kind;                         /* visit, or training; NULL is visit */
    /* Training: when the school is to be told what resources to have
     * ready (fixed at booking), and when it was; 0 for none. */
    ch_time resources_due_at, resources_told_at;
    /* Someone at the school to be released for the visit ("SENCO"), and
     * when the school was told; NULL and 0 for none. */
    const char *release_for;
    ch_time release_told_at;
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
    bool set_scope;
    const char *scope; /* NULL clears */
} ch_contract_change;

/* CH_E_CONFLICT when the contract is closed (or gone), CH_E_INVALID for a
 * consultant who does not exist. */
int ch_store_contract_update(ch_store *s, const ch_contract_change *ch, ch_error *err);

typedef struct ch_contract_filter {
    int64_t organisation_id, consultant_id; /* 0 for any */
    const char *const *services;            /* NULL for all */
    size_t nservices;
    const char *year, *status; /* NULL for any */
    const char *contact_email; /* the school's named contact, any case; NULL for any */
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
/* A notice about a visit, kept as given: the consultant running late, or
 * the visit cancelled by either side, with when and how the other side was
 * told. */
typedef struct ch_visit_notice {
    int64_t id, visit_id;
    const char *kind;    /* late, cancelled */
    const char *party;   /* provider (we told the school) or school (it told us) */
    ch_time notice_at;   /* when the other side was told */
    ch_time expected_at; /* late: the expected arrival; 0 otherwise */
    const char *channel; /* phone, email, in-person, letter */
    const char *contact; /* who was told, or who told us; may be NULL */
    const char *note;
    int64_t outbox_id; /* the email that told the school, 0 for none */
    int64_t created_by;
    ch_time created_at;
} ch_visit_notice;

typedef struct ch_visit_change {
    int64_t visit_id;
    const char *status; /* how it ended; NULL records only the late arrival */
    int32_t actual;
    const char *note;
    ch_time late_notice_at, late_expected_at; /* 0 leaves them as they are */
    ch_time arrived_at;                       /* 0 leaves it */
    ch_time resources_told_at;                /* 0 leaves it */
    ch_time release_told_at;                  /* 0 leaves it */
    ch_ledger_row *charge;                    /* a drawdown to append, or NULL */
    ch_visit *rebook; /* the new visit when rescheduled, or NULL; id set on return */
    /* A notice to keep, and the email that carries it to the school (its
     * id becomes the notice's outbox_id), both in the same write; NULL for
     * none. */
    ch_visit_notice *notice;
    struct ch_outbox_row *mail;
    ch_time at;
} ch_visit_change;

/* A school contact's sign-in (kind "link", sent by email and good once, or
 * "session", the cookie a link opens), kept as the hash of its token with
 * the email it belongs to and, for a session, its CSRF token. */
/* At most CH_SCHOOL_LINK_MAX links to one address in CH_SCHOOL_LINK_WINDOW
 * seconds: a form anyone can use must not flood a school's inbox. */
#define CH_SCHOOL_LINK_MAX 3
#define CH_SCHOOL_LINK_MAX_TEXT "3"
#define CH_SCHOOL_LINK_WINDOW "1800"
/* Inserting a link past that limit is CH_E_CONFLICT; tokens a day past
 * their end are cleared as a new one is kept. */
int ch_store_school_token_insert(ch_store *s, const char *kind, const char *email,
                                 const uint8_t hash[32], const char *csrf, ch_time now,
                                 ch_time expires, ch_error *err);
/* The email (and csrf, when not NULL) behind a live token of kind, in
 * arena. A link is used up by this call, atomically: a second call finds
 * nothing. CH_E_NOTFOUND when there is none, it has expired or was used. */
int ch_store_school_token_take(ch_store *s, const char *kind, const uint8_t hash[32], ch_time now,
                               ch_arena *arena, const char **email, const char **csrf,
                               ch_error *err);

/* Ends the session with token hash now (signing out); a session already
 * gone is no error. */
int ch_store_school_token_end(ch_store *s, const uint8_t hash[32], ch_time now, ch_error *err);

/* A visit's notices, oldest first. */
int ch_store_visit_notices(ch_store *s, int64_t visit_id, ch_arena *arena, ch_visit_notice **out,
                           size_t *n, ch_error *err);

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

/* A person's working pattern and absences, as the desk wrote them (JSON
 * text it reads back; the store keeps them and does not interpret them). */
typedef struct ch_availability_row {
    int64_t user_id;
    const char *pattern;  /* NULL: no pattern recorded */
    const char *absences; /* NULL: none */
    ch_time updated_at;
} ch_availability_row;

/* Replaces the user's row; CH_E_NOTFOUND when there is no such user. */
int ch_store_availability_set(ch_store *s, const ch_availability_row *row, ch_error *err);
/* Every user's row that has one, by user id. */
int ch_store_availability_list(ch_store *s, ch_arena *arena, ch_availability_row **out, size_t *n,
                               ch_error *err);

/* Writes row as the next link of the audit chain, in its own transaction
 * (for reads: committed before the data is sent). */
int ch_store_audit_insert(ch_store *s, const ch_audit_row *row, ch_error *err);
/* An audited write, in the same transaction as its audit rows:
 *     ch_store_audit_attach(s, &row, &made.id);
 *     rc = ch_store_audit_finish(s, ch_store_case_insert(s, &made, &err), &err);
 * attach keeps row (and the strings it points to, which must outlive the
 * write) for this thread's next write on s; up to CH_STORE_AUDIT_ROWS rows
 * may be attached, written in order. object_id, when not NULL, is read
 * once the write has succeeded, so a create's audit names the new record.
 * finish takes the write's status: when it is CH_OK the audit rows are
 * committed with the change or, failing that, neither is; otherwise the
 * change and its audit are both rolled back. Returns the write's status or
 * the audit's failure. Every attach must be followed by a finish on the
 * same thread; attach returns CH_E_INVALID (and keeps nothing more) when
 * the rows are full. */
enum { CH_STORE_AUDIT_ROWS = 4 };
typedef struct ch_audit_pending {
    ch_audit_row rows[CH_STORE_AUDIT_ROWS];
    const int64_t *object_id[CH_STORE_AUDIT_ROWS];
    size_t n;
} ch_audit_pending;
int ch_store_audit_attach(ch_store *s, const ch_audit_row *row, const int64_t *object_id);
int ch_store_audit_finish(ch_store *s, int rc, ch_error *err);
/* Calls fn for every chained audit row in seq order (strings valid during
 * the call), then sets *unchained to how many rows carry no seq (written
 * before the chain began) and *unchained_max_id to the largest of their
 * ids. Stops with fn's status when it is not CH_OK. */
typedef int (*ch_store_audit_fn)(void *ctx, const ch_audit_row *row, ch_error *err);
int ch_store_audit_chain(ch_store *s, ch_store_audit_fn fn, void *ctx, int64_t *unchained,
                         int64_t *unchained_max_id, ch_error *err);
int ch_store_audit_list(ch_store *s, int64_t object_id, size_t limit, ch_arena *arena,
                        ch_audit_row **out, size_t *n, ch_error *err);

/* Mail: what arrived (kept whole, first, so nothing accepted is lost), the
 * message ids that thread a case, the outbox every message leaves through,
 * and the notifications that tell staff of their work. */

/* An inbound message as it reached us. */
typedef struct ch_mail_in {
    int64_t id;
    const char *service;    /* "policy/service" it was taken for; NULL when unknown */
    const char *message_id; /* without angle brackets; NULL when it had none */
    const unsigned char *raw;
    size_t len;                  /* the message exactly as received; raw NULL when listed */
    ch_time received_at;         /* when it reached our server */
    const char *state;           /* received, filed, failed */
    int64_t case_id, contact_id; /* once filed; 0 before */
    const char *error;           /* why it could not be filed, or NULL */
} ch_mail_in;

/* Stores m durably (committed before it returns) in state "received";
 * sets m->id. A message whose message_id was already taken for the same
 * service is not stored twice: *duplicate is set and m->id is the first. */
int ch_store_mail_in_insert(ch_store *s, ch_mail_in *m, bool *duplicate, ch_error *err);
/* One inbound message with its raw text; CH_E_NOTFOUND when there is none. */
int ch_store_mail_in_get(ch_store *s, int64_t id, ch_arena *arena, ch_mail_in *out, ch_error *err);
/* Up to limit messages still "received" (not yet filed), oldest first, with
 * their raw text: what a crash left half done, to file again. */
/* Up to limit messages filed on case_id, newest first, without their raw
 * text: what a reply answers and threads under. */
int ch_store_mail_in_of_case(ch_store *s, int64_t case_id, size_t limit, ch_arena *arena,
                             ch_mail_in **out, size_t *n, ch_error *err);
int ch_store_mail_in_pending(ch_store *s, size_t limit, ch_arena *arena, ch_mail_in **out,
                             size_t *n, ch_error *err);

/* The case that one of ids (message ids, no angle brackets) belongs to, the
 * first found in the order given; *case_id 0 when none is known. */
int ch_store_mail_thread_case(ch_store *s, const char *const *ids, size_t n, int64_t *case_id,
                              ch_error *err);

/* A message waiting to leave, or gone. */
typedef struct ch_outbox_row {
    int64_t id;
    const char *service;         /* whose From it carries; may be NULL (a staff digest) */
    int64_t case_id, contact_id; /* the case and outbound contact it is, 0 for none */
    int64_t user_id;             /* the member of staff it tells, for notifications; else 0 */
    const char *purpose;    /* reply, acknowledgement, statement, notice, notification, digest */
    const char *mail_from;  /* envelope sender: an address */
    const char *rcpts;      /* envelope recipients, comma-separated addresses */
    const char *message_id; /* without angle brackets */
    const unsigned char *raw;
    size_t len;        /* the whole RFC 5322 message; raw NULL when listed */
    bool require_tls;  /* only through a relay that speaks TLS */
    const char *state; /* queued, sent, failed (given up), bounced */
    int attempts;
    ch_time created_at, next_attempt_at, sent_at; /* sent_at 0 until sent */
    const char *last_error; /* the relay's or the network's reason, or a bounce's */
} ch_outbox_row;

/* Queues rows (each in state queued, due now) in one transaction; sets ids.
 * created_at 0 is taken as now; a non-zero next_attempt_at holds a row
 * back until then. Each recipient is kept for the rate count; none at all
 * is CH_E_INVALID. */
int ch_store_outbox_insert(ch_store *s, ch_outbox_row *rows, size_t n, ch_error *err);
/* Takes up to limit queued messages due by now, oldest first, with their
 * raw text, counting an attempt on each and moving its next attempt to
 * lease_until, so another worker (or this one after a crash) leaves them
 * until then. PostgreSQL takes them FOR UPDATE SKIP LOCKED. */
int ch_store_outbox_claim(ch_store *s, ch_time now, ch_time lease_until, size_t limit,
                          ch_arena *arena, ch_outbox_row **out, size_t *n, ch_error *err);
/* Records what became of an attempt: state "sent" (sent_at then), "queued"
 * again with the error and its next attempt, "failed" or "bounced" with the
 * error. */
int ch_store_outbox_result(ch_store *s, int64_t id, const char *state, ch_time at,
                           const char *error, ch_time next_attempt_at, ch_error *err);
typedef struct ch_outbox_filter {
    int64_t case_id;     /* 0: any */
    const char *state;   /* NULL: any */
    const char *purpose; /* NULL: any */
    const char *rcpt;    /* an address among the recipients (exact, ASCII case aside), NULL: any */
    ch_time since;       /* created at or after; 0: any */
    const char *const *services; /* visible services; NULL means all */
    size_t nservices;
    size_t limit; /* 0: 100 */
} ch_outbox_filter;
/* Messages matching f, newest first, without their raw text. */
int ch_store_outbox_list(ch_store *s, const ch_outbox_filter *f, ch_arena *arena,
                         ch_outbox_row **out, size_t *n, ch_error *err);
/* How many match f (limit ignored): the auto-reply rate per address. */
int ch_store_outbox_count(ch_store *s, const ch_outbox_filter *f, int64_t *count, ch_error *err);
/* The message we sent with message_id, without its raw text;
 * CH_E_NOTFOUND when there is none (a bounce names it). */
int ch_store_outbox_by_message_id(ch_store *s, const char *message_id, ch_arena *arena,
                                  ch_outbox_row *out, ch_error *err);

/* Something a member of staff should know: a case assigned or handed to
 * them, a new message on their case, a promise about to break. */
typedef struct ch_notification {
    int64_t id, user_id, case_id;
    int64_t obligation_id; /* the promise a warning is about, else 0 */
    const char *kind;      /* assigned, handed-over, message, warning */
    const char *text;      /* one sentence */
    ch_time created_at;
    ch_time read_at;    /* 0 while unread */
    ch_time emailed_at; /* 0 until told by email (alone or in a digest) */
} ch_notification;

/* Stores one (sets id). A warning about an obligation already warned of is
 * not stored twice: *duplicate is set (duplicate may be NULL) and id is the
 * first warning's. CH_E_INVALID for no such user, case or obligation. */
int ch_store_notification_insert(ch_store *s, ch_notification *n, bool *duplicate, ch_error *err);
/* A user's notifications, newest first; only the unread when unread_only. */
int ch_store_notification_list(ch_store *s, int64_t user_id, bool unread_only, size_t limit,
                               ch_arena *arena, ch_notification **out, size_t *n, ch_error *err);
/* How many of the user's are unread. */
int ch_store_notification_unread(ch_store *s, int64_t user_id, int64_t *count, ch_error *err);
/* Marks one read (id) or all of the user's (id 0); CH_E_NOTFOUND when id is
 * not theirs. One already read keeps the time it was first read. */
int ch_store_notification_read(ch_store *s, int64_t user_id, int64_t id, ch_time at, ch_error *err);
/* Not yet emailed, oldest first, of every user (user_id 0) or one. */
int ch_store_notification_unemailed(ch_store *s, int64_t user_id, size_t limit, ch_arena *arena,
                                    ch_notification **out, size_t *n, ch_error *err);
/* Marks ids as emailed at, and queues the message telling of them (outbox,
 * may be NULL) in the same transaction. CH_E_CONFLICT, with nothing
 * changed, when one was already emailed (by another worker) or is gone. */
int ch_store_notification_emailed(ch_store *s, const int64_t *ids, size_t n, ch_time at,
                                  ch_outbox_row *outbox, ch_error *err);

/* Obligations still pending on open cases whose due time falls in
 * [from, to), with their case's id, officer and service, soonest first: the
 * ones a warning may be due for. */
typedef struct ch_due_soon {
    int64_t obligation_id, case_id, officer_id;
    const char *service, *promise, *subject;
    ch_time due_at;
} ch_due_soon;
int ch_store_due_soon(ch_store *s, ch_time from, ch_time to, size_t limit, ch_arena *arena,
                      ch_due_soon **out, size_t *n, ch_error *err);

/* Everything one message in or out does to the desk, in one transaction:
 * the inbound message filed (or failed), a new case, the contact and
 * obligation changes on it, its attachments, the message ids that thread
 * it, the mail it sends, and the staff it tells. A crash leaves all or
 * none. Ids of what is inserted are set. */
typedef struct ch_mail_commit {
    int64_t mail_in_id;        /* the inbound message this files, 0 for none */
    const char *mail_in_state; /* "filed" or "failed" */
    const char *mail_in_error; /* why it failed, or NULL */
    ch_case_row *open;         /* a case to insert first, or NULL */
    ch_case_update *update;    /* applied to the case; case_id 0 means the one opened */
    int64_t new_version;       /* out: the case's version after */
    /* case_id 0: the case above; contact_id CH_CONTACT_NEW: the update's
     * contact. One with an id already is a file on the case, not yet sent
     * with any contact, that goes with this one: linked, not copied
     * (CH_E_CONFLICT if it has gone or been sent meanwhile). */
    ch_attachment *attachments;
    size_t nattachments;
    const char *const *thread_ids; /* message ids that now belong to the case */
    size_t nthread_ids;
    ch_outbox_row *outbox; /* case_id/contact_id as for attachments */
    size_t noutbox;
    ch_notification *notify; /* case_id 0: the case above */
    size_t nnotify;
} ch_mail_commit;
/* The inbound message must still be "received": filing one already filed
 * or failed is CH_E_CONFLICT (so a retry never opens a case twice). A
 * duplicate warning in notify is left out, its id 0. List calls of this
 * section take limit 0 as 100. */
int ch_store_mail_commit(ch_store *s, ch_mail_commit *c, ch_error *err);

/* Safeguards on a person: incidents of unreasonable behaviour, and the
 * restrictions on contact that follow them (see core/restriction.h for what
 * a restriction allows). Lists travel as arrays and are kept as
 * comma-separated text. */
typedef struct ch_incident {
    int64_t id, person_id, case_id; /* case_id 0 for none */
    ch_time at;
    const char *channel, *kind, *what, *police_reference;
    const int64_t *staff; /* the staff it affected */
    size_t nstaff;
    const char **actions; /* call-ended, post-deleted, warning-issued, ... */
    size_t nactions;
    bool health_and_safety; /* logged as a health and safety incident */
    int64_t created_by;
    ch_time created_at;
    /* The service that recorded it: who may see it, and (for a
     * restriction) whose organisation it binds. NULL only for a record
     * from before services were kept, which binds every organisation. */
    const char *service;
} ch_incident;

typedef struct ch_restriction {
    int64_t id, person_id;
    const char **channels; /* the channels contact may use */
    size_t nchannels;
    int64_t point_of_contact;  /* user id, 0 for none */
    int32_t replies, per_days; /* replies per so many working days; 0 replies: no limit */
    bool refuse_service;
    const char *reason;
    ch_date review_on;
    const char *status; /* awaiting-notice, active, ended */
    ch_time notice_sent_at;
    const char *notice_how;
    ch_time ended_at;
    const char *end_reason, *review_note;
    int64_t created_by;
    ch_time created_at;
    /* Read back: the point of contact's and the person's names, and the last
     * outbound contact that kept a respond or resolve promise on one of the
     * person's cases (0 for none). */
    const char *point_of_contact_name, *person_name;
    ch_time last_reply_at;
    const char *service; /* as for an incident */
} ch_restriction;

/* A change of a restriction's state, made only while its status is still
 * expect (CH_E_CONFLICT otherwise, CH_E_NOTFOUND when there is none). */
typedef struct ch_restriction_change {
    int64_t id;
    const char *expect, *status; /* status NULL leaves it */
    ch_time notice_sent_at;      /* 0 leaves these */
    const char *notice_how;
    ch_time ended_at;
    const char *end_reason;
    ch_date review_on; /* 0 leaves it */
    const char *review_note;
} ch_restriction_change;

typedef struct ch_restriction_filter {
    int64_t person_id;  /* 0 for anyone */
    const char *status; /* NULL for any */
    ch_date review_by;  /* non-zero: only those to review on or before it */
    size_t limit;
} ch_restriction_filter;

/* Sets i->id. CH_E_INVALID when the person or case does not exist. */
int ch_store_incident_insert(ch_store *s, ch_incident *i, ch_error *err);
/* A person's incidents, newest first. */
int ch_store_incident_list(ch_store *s, int64_t person_id, ch_arena *arena, ch_incident **out,
                           size_t *n, ch_error *err);
int ch_store_restriction_insert(ch_store *s, ch_restriction *r, ch_error *err);
int ch_store_restriction_get(ch_store *s, int64_t id, ch_arena *arena, ch_restriction *out,
                             ch_error *err);
/* Newest first, or by review date when review_by is given. */
int ch_store_restriction_list(ch_store *s, const ch_restriction_filter *f, ch_arena *arena,
                              ch_restriction **out, size_t *n, ch_error *err);
int ch_store_restriction_change(ch_store *s, const ch_restriction_change *ch, ch_error *err);

/* The comma-separated text a list is kept as, in arena (NULL for an empty
 * list or no memory), and its split back into an array. */
char *ch_store_list_join(ch_arena *arena, const char *const *items, size_t n);
int ch_store_list_split(ch_arena *arena, const char *text, const char ***out, size_t *n);
char *ch_store_ids_join(ch_arena *arena, const int64_t *ids, size_t n);
int ch_store_ids_split(ch_arena *arena, const char *text, const int64_t **out, size_t *n);

/* The condition, on a query of cases, that leaves out complaints naming a
 * member of staff (hide_staff_named above); the same on both backends. */
#define CH_STORE_HIDE_STAFF_NAMED                                                                  \
    " AND NOT (kind = 'complaint' AND EXISTS (SELECT 1 FROM case_staff cs"                         \
    " WHERE cs.case_id = cases.id))"

/* ---- Complaints and compliments (sqlite/complaints.c, postgres/pg_complaints.c):
 * the stages a complaint has been through, and the staff a complaint or a
 * compliment names. */

/* One stage of a complaint: seq 0 is the first. A stage with no row yet is
 * the first, open since the case was received. */
typedef struct ch_stage_row {
    int64_t id, case_id, seq;
    const char *stage;                        /* the policy's stage id */
    ch_time started_at, closed_at;            /* closed_at 0 while open */
    const char *outcome, *lessons, *findings; /* NULL while open */
    int64_t closed_by, letter_id;             /* the closing letter, an attachment on the case */
} ch_stage_row;

/* A complaint's stages, first to last. */
int ch_store_stages(ch_store *s, int64_t case_id, ch_arena *arena, ch_stage_row **out, size_t *n,
                    ch_error *err);

/* One step of a complaint, in one transaction: the case update (the letter
 * contact, obligations met and added, the event; version-checked), the
 * letter stored as an attachment with that contact (may be NULL), the stage
 * closed (written by case_id and seq, its letter_id set; may be NULL) and
 * the next stage opened (may be NULL). */
typedef struct ch_stage_change {
    const ch_case_update *update;
    ch_attachment *letter;
    ch_stage_row *close;
    const ch_stage_row *open;
    /* A stage closed already whose closed_at moves back to backdate's
     * (the next stage was asked for before the close was recorded); may
     * be NULL. */
    const ch_stage_row *backdate;
} ch_stage_change;
int ch_store_stage_change(ch_store *s, ch_stage_change *m, int64_t *new_version, ch_error *err);

/* A member of staff named by a complaint or praised by a compliment. */
typedef struct ch_staff_named {
    int64_t user_id;
    const char *name, *email;
    int64_t named_by;
    ch_time named_at;
} ch_staff_named;

int ch_store_case_staff(ch_store *s, int64_t case_id, ch_arena *arena, ch_staff_named **out,
                        size_t *n, ch_error *err);
/* Replaces the staff case_id names with ids (n of them, named by by at
 * u->now) together with case update u (its event; version-checked).
 * CH_E_INVALID when an id is not a user. */
int ch_store_case_staff_set(ch_store *s, const ch_case_update *u, const int64_t *ids, size_t n,
                            int64_t by, int64_t *new_version, ch_error *err);
/* Which of case ids (n of them) are complaints naming a member of staff:
 * named[i] for ids[i]. */
int ch_store_cases_staff_named(ch_store *s, const int64_t *ids, size_t n, bool *named,
                               ch_error *err);

/* One line for the complaints and compliments report: a case of kind
 * complaint or compliment received in the period, with one of its stages
 * (stage NULL when it has none) or one member of staff it names (staff_id
 * non-zero). */
typedef struct ch_complaint_line {
    int64_t case_id;
    const char *service, *kind;
    ch_time received_at;
    const char *stage, *outcome; /* outcome NULL while the stage is open */
    const char *status;          /* the case's status ("closed", ...) */
    int64_t seq;
    int64_t staff_id;
    const char *staff_name;
} ch_complaint_line;
/* The lines for cases received in [from, to), by case id; at most 100,000. */
int ch_store_complaint_lines(ch_store *s, ch_time from, ch_time to, ch_arena *arena,
                             ch_complaint_line **out, size_t *n, ch_error *err);

/* --- The public standards page (publicpage) --- */

/* How many cases of each of kinds (names such as "complaint") were received
 * in [from, to) by services ("policy/service" names, 1 to 100): counts[i]
 * for kinds[i], 1 to 16 of them. The public page says how many complaints
 * and compliments reached a charter last quarter. */
int ch_store_kind_counts(ch_store *s, ch_time from, ch_time to, const char *const *services,
                         size_t nservices, const char *const *kinds, size_t nkinds, int64_t *counts,
                         ch_error *err);

/* ---- Themes on cases and the reports that count them (sqlite/themes.c,
 * postgres/pg_themes.c) ---- */

/* Replaces the themes of case case_id with ids (n of them, already checked
 * against the policy), bumps the case's version and records event ev on
 * it, all in one transaction, if the case is still at version expect (0:
 * any). CH_E_CONFLICT when it is not, CH_E_NOTFOUND when there is none. */
int ch_store_case_themes_set(ch_store *s, int64_t case_id, int64_t expect, const char *const *ids,
                             size_t n, const ch_event_row *ev, ch_time now, int64_t *new_version,
                             ch_error *err);
/* The themes case_id carries, in the order they were given. */
int ch_store_case_themes(ch_store *s, int64_t case_id, ch_arena *arena, const char ***out,
                         size_t *n, ch_error *err);

/* One themed case for the themes report: a case with two themes gives two.
 * outcome is "open" (open or paused), "closed-on-time" (closed, every
 * promise kept in time) or "closed-late" (closed, a promise kept late or
 * not kept). No names and no free text leave the store this way. */
typedef struct ch_theme_row {
    const char *service, *theme, *channel, *outcome;
    ch_time received_at;
} ch_theme_row;

/* Themed cases received in [from, to) in the given services (NULL: all). */
int ch_store_theme_rows(ch_store *s, ch_time from, ch_time to, const char *const *services,
                        size_t nservices, ch_arena *arena, ch_theme_row **out, size_t *n,
                        ch_error *err);

/* What the managers' compliance report groups obligations by, besides
 * their promise. */
typedef enum ch_report_by {
    CH_REPORT_BY_OFFICER, /* the case's officer's name, "" when unassigned */
    CH_REPORT_BY_CHANNEL, /* the case's channel */
    CH_REPORT_BY_THEME,   /* each of the case's themes, "" when it has none */
} ch_report_by;

/* As ch_store_report_rows, but each row's promise field holds the group
 * (officer, channel or theme) instead, sorted by service, group, due. An
 * obligation on a case with two themes comes once for each. */
int ch_store_report_rows_by(ch_store *s, ch_report_by by, ch_time from, ch_time to,
                            const char *const *services, size_t nservices, ch_arena *arena,
                            ch_report_row **out, size_t *n, ch_error *err);

/* Customer surveys (store/surveys.c and each backend's surveys file): the
 * invitation a closed case's requester is sent, kept with the SHA-256 of
 * its one-time token (never the token), and the answers. An anonymous
 * answer is kept apart from its invitation: the invitation is only marked
 * used, and the answer names no case. */
typedef struct ch_survey_candidate {
    int64_t case_id;
    const char *service, *kind, *subject;
    const char *name, *email; /* the requester's, or the person's */
    ch_time closed_at;        /* the case's last change, which closed it */
} ch_survey_candidate;

/* Closed cases of service whose kind is one of kinds (comma-separated),
 * with an address to write to, closed in [closed_from, closed_to) and not
 * yet invited, oldest first, at most limit. */
int ch_store_survey_candidates(ch_store *s, const char *service, const char *kinds,
                               ch_time closed_from, ch_time closed_to, size_t limit,
                               ch_arena *arena, ch_survey_candidate **out, size_t *n,
                               ch_error *err);

typedef struct ch_survey_invitation {
    int64_t id, case_id, outbox_id;
    const char *service;
    const char *token_hash; /* lower-case hex of the token's SHA-256; NULL when listed */
    ch_time sent_at, expires_at;
    bool anonymous_allowed, used;
    ch_time responded_at; /* 0 while unused, and for an anonymous answer */
} ch_survey_invitation;

/* Queues mail (its case_id is inv's) and stores inv with the message's id,
 * in one transaction; sets both ids. CH_E_CONFLICT, with nothing stored,
 * when the case already has an invitation (another sweep sent it). */
int ch_store_survey_invite(ch_store *s, ch_survey_invitation *inv, ch_outbox_row *mail,
                           ch_error *err);
/* The invitation whose token hashes to token_hash; CH_E_NOTFOUND when none. */
int ch_store_survey_find(ch_store *s, const char *token_hash, ch_arena *arena,
                         ch_survey_invitation *out, ch_error *err);

typedef struct ch_survey_response {
    int64_t id, invitation_id, case_id; /* both 0 for an anonymous answer */
    const char *service;
    int rating;          /* 1-5 */
    const char *comment; /* NULL for none */
    bool anonymous;
    ch_time submitted_at;
} ch_survey_response;

/* Marks the invitation with token_hash used and stores r with its service
 * (and, unless anonymous, its case: r->case_id is set), committed to disk
 * before it returns; sets r->id.
 * CH_E_CONFLICT when it was already used, CH_E_NOTFOUND when there is none
 * or it expired by r->submitted_at; nothing is stored then. */
int ch_store_survey_answer(ch_store *s, const char *token_hash, ch_survey_response *r,
                           ch_error *err);

typedef struct ch_survey_filter {
    ch_time from, to;    /* [from, to) */
    const char *service; /* NULL: every service */
    size_t limit;        /* 0: 100000 */
} ch_survey_filter;
/* Invitations sent in the span, oldest first, without their token hash. */
int ch_store_survey_invitations(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                                ch_survey_invitation **out, size_t *n, ch_error *err);
/* Answers given in the span, newest first. */
int ch_store_survey_responses(ch_store *s, const ch_survey_filter *f, ch_arena *arena,
                              ch_survey_response **out, size_t *n, ch_error *err);

/* Behaviour audits (core/audit.h): one row per school audit with a code
 * per group asked, and one row per submitted form, its answers kept as
 * the JSON text the HTTP edge wrote (the store does not read them). */
struct ch_school_audit;
typedef struct ch_audit_response_row {
    int64_t id, audit_id;
    const char *group; /* pupils, parents, teachers, governors */
    ch_time submitted_at;
    const char *answers; /* JSON */
    const char *form_id; /* the form as served, so a second send is known; may be NULL */
} ch_audit_response_row;

/* Stores a (sets a->id); CH_E_CONFLICT when a code is already in use. */
int ch_store_school_audit_insert(ch_store *s, struct ch_school_audit *a, ch_error *err);
/* The audit with its responses so far per group; CH_E_NOTFOUND when none. */
int ch_store_school_audit_get(ch_store *s, int64_t id, ch_arena *arena, struct ch_school_audit *out,
                              ch_error *err);
/* The audit one of whose group codes is code, and that group's name in
 * *group; CH_E_NOTFOUND when no audit has it. */
int ch_store_school_audit_by_code(ch_store *s, const char *code, ch_arena *arena,
                                  struct ch_school_audit *out, const char **group, ch_error *err);
/* Moves the audit's open and close dates; CH_E_NOTFOUND when none. */
int ch_store_school_audit_dates(ch_store *s, int64_t id, ch_date opens_on, ch_date closes_on,
                                ch_error *err);
/* Audits, newest first, at most limit. */
int ch_store_school_audit_list(ch_store *s, size_t limit, ch_arena *arena,
                               struct ch_school_audit **out, size_t *n, ch_error *err);
/* Stores one submitted form durably (committed before it returns); sets
 * row->id. CH_E_NOTFOUND when the audit is gone, CH_E_CONFLICT when the
 * audit already has a response from the same form_id. */
int ch_store_audit_response_insert(ch_store *s, ch_audit_response_row *row, ch_error *err);
/* Every form submitted to the audit, oldest first. */
int ch_store_audit_responses(ch_store *s, int64_t audit_id, ch_arena *arena,
                             ch_audit_response_row **out, size_t *n, ch_error *err);

/* Subject access (store/sar.c gathers; the backends' sar.c hold the reads
 * and the release). An export released on a SAR case is kept as an
 * attachment of the case, and sar_exports says which, so it can be
 * downloaded again and erasure can find every copy. */
typedef struct ch_sar_export {
    int64_t id, case_id, person_id, attachment_id, contact_id, released_by;
    ch_time released_at;
} ch_sar_export;

/* A release: the case update (with its outbound contact) and the export's
 * file, stored in one transaction; the file goes with the update's contact.
 * row.case_id, person_id, released_by and released_at are given; the ids
 * are set. CH_E_CONFLICT when the case already has an export released (or
 * the update's version check fails). */
typedef struct ch_sar_release {
    ch_sar_export row;
    ch_attachment file;
    const ch_case_update *update;
} ch_sar_release;
int ch_store_sar_release(ch_store *s, ch_sar_release *rel, int64_t *new_version, ch_error *err);
/* The exports released for person_id, or for case_id (the other 0), oldest
 * first. */
int ch_store_sar_exports(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                         ch_sar_export **out, size_t *n, ch_error *err);
/* The audit rows about a person: the person's record, their cases and the
 * files of either, oldest first, at most limit. */
int ch_store_sar_audit(ch_store *s, int64_t person_id, size_t limit, ch_arena *arena,
                       ch_audit_row **out, size_t *n, ch_error *err);

/* Everything held about a person, gathered for a subject access export:
 * borrowed into arena. Cases are those in services (NULL for all), each
 * loaded whole; files carry their data (earlier exports are left out: they
 * are copies of this). */
/* Another person on record, as a subject access export needs them: only
 * what could appear in the subject's free text. */
typedef struct ch_sar_other {
    const char *name, *email;
} ch_sar_other;
/* Every person on record but person_id and the duplicates merged into them,
 * and none erased: their names and emails, in arena. */
int ch_store_sar_others(ch_store *s, int64_t person_id, ch_arena *arena, ch_sar_other **out,
                        size_t *n, ch_error *err);
typedef struct ch_sar_bundle {
    ch_person person;
    ch_organisation organisation; /* id 0 when none */
    ch_relationship *relationships;
    size_t nrelationships;
    ch_consent *consents;
    size_t nconsents;
    ch_case_row *cases;
    size_t ncases;
    ch_attachment *files;
    size_t nfiles;
    ch_incident *incidents;
    size_t nincidents;
    ch_restriction *restrictions;
    size_t nrestrictions;
    ch_audit_row *audit;
    size_t naudit;
    ch_user *staff; /* every user, for naming staff by role and service */
    size_t nstaff;
    ch_sar_other *others; /* everyone else on record, for scrubbing free text */
    size_t nothers;
    const char *const *services; /* the services whose records it holds (NULL: every one) */
    size_t nservices;
} ch_sar_bundle;
#define CH_SAR_MAX_CASES 500
#define CH_SAR_MAX_AUDIT 20000
int ch_store_sar_bundle(ch_store *s, int64_t person_id, const char *const *services,
                        size_t nservices, ch_arena *arena, ch_sar_bundle *out, ch_error *err);
/* Retention and erasure (issue 14). A legal hold stands on a person or a
 * case (one of person_id, case_id): while it stands, neither retention nor
 * erasure removes or anonymises the held records (a hold on a person
 * covers every case about them). */
typedef struct ch_legal_hold {
    int64_t id, person_id, case_id;
    const char *reason;
    int64_t placed_by;
    ch_time placed_at;
} ch_legal_hold;

/* Places h (or replaces the reason of the hold already there; sets h->id).
 * CH_E_NOTFOUND when the person or case does not exist. */
int ch_store_hold_place(ch_store *s, ch_legal_hold *h, ch_error *err);
/* Releases the hold on the person or case; CH_E_NOTFOUND when none stands. */
int ch_store_hold_release(ch_store *s, int64_t person_id, int64_t case_id, ch_error *err);
/* The hold on the person or case, strings in arena; CH_E_NOTFOUND when none. */
int ch_store_hold_get(ch_store *s, int64_t person_id, int64_t case_id, ch_arena *arena,
                      ch_legal_hold *out, ch_error *err);

/* Applies retention to one kind of record (a ch_retention_kind) on one
 * service: every record counted from at or before cutoff and not held is
 * deleted or anonymised (closed cases), or only counted when dry_run. The
 * number in *count. now and by (0: the desk itself) are recorded against
 * each case anonymised. */
int ch_store_retention_apply(ch_store *s, int kind, const char *service, ch_time cutoff,
                             bool dry_run, ch_time now, int64_t by, int64_t *count, ch_error *err);

/* Audit retention: deletes the oldest audit rows, those written at or
 * before cutoff, as a prefix of the chain (core/auditlog.h) that stops at
 * the first row about a held person or case (or a case of a held person),
 * with the rows from before the chain began of the same age; then appends,
 * in the same transaction, a purge row (action "purge", object "audit",
 * object_id the last seq deleted, user by). The number deleted in *count,
 * or only counted when dry_run. */
int ch_store_audit_purge(ch_store *s, ch_time cutoff, bool dry_run, ch_time now, int64_t by,
                         int64_t *count, ch_error *err);

/* Erasure of a person (and the duplicates merged into them): their
 * personal data removed from the person row, their relationships,
 * consents, attachments, incidents, restrictions and mail; every case
 * about them kept but anonymised, its contacts' texts and names cleared
 * and its search entries removed. One transaction; on SQLite with
 * secure_delete, so freed pages are zeroed. CH_E_NOTFOUND for no such
 * person; CH_E_CONFLICT, with a sentence naming it, when a hold stands or
 * the person was already erased. */
typedef struct ch_erasure {
    int64_t person_id, by;
    const char *reason;
    ch_time at;
    int64_t cases; /* set: the cases anonymised */
} ch_erasure;
int ch_store_person_erase(ch_store *s, ch_erasure *e, ch_error *err);
/* When person_id was erased, in *at; CH_E_NOTFOUND when they never were.
 * An erased record stays empty: the desk refuses to fill it in again. */
int ch_store_person_erased(ch_store *s, int64_t person_id, ch_time *at, ch_error *err);

/* Reading the audit log by whom it is about or who did it: exactly one of
 * person_id (rows about the person, their incidents and restrictions, and
 * every case of theirs), user_id (what that member of staff did) or case_id.
 * Rows with from <= at and (at, id) < (before_at, before_id), newest first,
 * at most limit: an index range scan, paged by the last row's (at, id). */
typedef struct ch_audit_query {
    int64_t person_id, user_id, case_id;
    ch_time from, before_at;
    int64_t before_id;
    size_t limit;
} ch_audit_query;

/* One audit line as read back, with the staff member's name. */
typedef struct ch_audit_view_row {
    int64_t id;
    ch_time at;
    int64_t user_id;
    const char *user_name, *action, *object; /* user_name NULL when the user is gone */
    int64_t object_id;
    const char *remote;
    const char *case_service; /* the case's service for a line about a case, else NULL */
} ch_audit_view_row;

/* The rows q asks for, in arena (owned by it). */
int ch_store_audit_query(ch_store *s, const ch_audit_query *q, ch_arena *arena,
                         ch_audit_view_row **out, size_t *n, ch_error *err);

/* One service a person has a case in. */
typedef struct ch_person_service {
    int64_t person_id;
    const char *service;
} ch_person_service;

/* The services in which each of the n people (n at most 2000) has cases,
 * in arena, each pair once: one query for a page of audit lines, whose
 * people a manager may see when one of their cases is visible, or they
 * have none. */
int ch_store_people_services(ch_store *s, const int64_t *ids, size_t n, ch_arena *arena,
                             ch_person_service **out, size_t *nout, ch_error *err);

#endif
