/* The charter model: calendars, services and promises as loaded from a policy
 * file, and the rule that turns one contact into the obligations it creates.
 * The loader (src/policy) builds it; everything here is computation. */
#ifndef CH_POLICY_H
#define CH_POLICY_H

#include "core/arena.h"
#include "core/deadline.h"

typedef enum ch_channel {
    CH_CHANNEL_PHONE,
    CH_CHANNEL_VOICEMAIL,
    CH_CHANNEL_EMAIL,
    CH_CHANNEL_LETTER,
    CH_CHANNEL_WEB,
    CH_CHANNEL_IN_PERSON,
    CH_CHANNEL_SOCIAL,
    CH_CHANNEL_COUNT
} ch_channel;

typedef enum ch_case_kind {
    CH_KIND_ENQUIRY,
    CH_KIND_SERVICE_ORDER,
    CH_KIND_COMPLAINT,
    CH_KIND_FEEDBACK,
    CH_KIND_FOI,
    CH_KIND_SAR,
    CH_KIND_COMPLIMENT, /* praise, naming the staff it is for */
    CH_KIND_COUNT
} ch_case_kind;

typedef enum ch_obligation_kind {
    CH_OBLIGATION_ACKNOWLEDGE,
    CH_OBLIGATION_RESPOND,
    CH_OBLIGATION_RESOLVE,
    CH_OBLIGATION_UPDATE,
    CH_OBLIGATION_PROCESS,
    CH_OBLIGATION_COUNT
} ch_obligation_kind;

/* Names as written in policies and on the command line ("in-person"),
 * and their parses: 0 with *out set, or CH_E_NOTFOUND. */
const char *ch_channel_name(ch_channel c);
const char *ch_case_kind_name(ch_case_kind k);
const char *ch_obligation_kind_name(ch_obligation_kind k);
int ch_channel_parse(const char *s, ch_channel *out);
int ch_case_kind_parse(const char *s, ch_case_kind *out);
int ch_obligation_kind_parse(const char *s, ch_obligation_kind *out);

/* Enough for any charter; the loader refuses more. */
#define CH_POLICY_MAX_PROMISES 256

typedef enum ch_schedule {
    CH_SCHEDULE_NONE,
    CH_SCHEDULE_TERMLY, /* by the last working day of each term */
} ch_schedule;

/* Whether s is a name as ids and flags are written: 1-64 lower-case
 * letters, digits or hyphens. */
bool ch_name_ok(const char *s);

typedef struct ch_named_calendar {
    const char *id;
    ch_calendar *cal;
} ch_named_calendar;

typedef struct ch_service {
    const char *id, *name;
    size_t calendar; /* index into the policy's calendars */
    /* The calendar visits to schools follow (`visit_calendar:`): school
     * terms, where the office stays open all year. Without it, calendar. */
    size_t visit_calendar;
    int32_t day_length;  /* minutes in a purchased day, 0 when not sold by the day */
    int32_t half_day;    /* minutes in a purchased half day, 0 for half of day_length */
    int32_t visit_block; /* minutes in the usual visit, 0 when it visits by no block */
    int32_t contingency; /* percent of consultants' time kept free for absence */
    /* Working days' notice a school gives for a cancellation to be free
     * (`cancellation_notice:`; 1 when the policy is silent). */
    int32_t cancellation_days;
    /* Working days before a training session by which the school is told
     * what it needs (`training_notice:`); 0 for no such promise. */
    int32_t training_days;
    /* Email (the policy's `mail:` on the service); all NULL/0 when the
     * service takes no mail. */
    const char **mail_to; /* recipient addresses that reach this service */
    size_t nmail_to;
    const char *mail_from, *mail_name; /* its From address and display name */
    bool mail_acknowledge;             /* a new case by email gets an acknowledgement */
    bool mail_secure;                  /* mail holding personal data leaves only over TLS */
    /* Surveys (the service's `survey:`; core/survey.h): NULL for none. */
    const struct ch_survey_rule *survey;
} ch_service;

typedef struct ch_promise {
    const char *id, *text;
    /* An internal target: the desk tracks its due time, but the public is
     * not promised it (the charter names no time). */
    bool internal;
    unsigned channels; /* bit (1 << ch_channel) per channel; 0 means every channel */
    unsigned kinds;    /* bit per ch_case_kind */
    const char **flags_all;
    size_t nflags_all; /* applies only when the contact has all of these */
    const char **flags_none;
    size_t nflags_none; /* and none of these */
    const char **services;
    size_t nservices; /* empty means every service */
    ch_obligation_kind obligation;
    ch_target target;
    int from;     /* index of the earlier promise counted from, -1 for the contact */
    int calendar; /* index into the policy's calendars, -1 for the service's own */
    /* A promise kept on a schedule rather than per contact ("we tell you
     * termly how many hours are left"): it never attaches to a contact, and
     * the module that owns the schedule (contracts) reads it. */
    ch_schedule schedule;
    /* An update promise may recur while the case is open ("we keep you
     * informed every 5 working days"): each update that meets one starts
     * the next, counted from when it was made. */
    bool recurs;
    ch_target every;
    /* Staff are warned this long before it falls due (`warn_before:`). */
    bool warns;
    ch_target warn_before;
    /* Complaint stages (`applies_to: stages:`): bit i for the policy's
     * stage i; 0 means the promise is not tied to a stage. A staged promise
     * counts from when its stage began (core/complaint.h). */
    unsigned stage_bits;
} ch_promise;

/* One stage of the policy's complaints procedure (`complaints: stages:`),
 * in order: what it is called and what the letter closing it says the
 * complainant may do next (the next stage, or the ombudsman). */
typedef struct ch_stage {
    const char *id, *name, *escalation;
} ch_stage;

#define CH_POLICY_MAX_STAGES 8

typedef struct ch_policy {
    ch_arena arena; /* owns every string and array below */
    const char *id, *organisation, *time_zone;
    ch_date review_by;
    ch_named_calendar *calendars;
    size_t ncalendars;
    ch_service *services;
    size_t nservices;
    ch_promise *promises;
    size_t npromises;
    struct ch_route *routes; /* see core/transfer.h */
    size_t nroutes;
    /* The letter telling a person their contact is restricted (see
     * core/restriction.h for its placeholders); NULL: the desk's own. */
    const char *notice_title, *notice_text;
    /* The complaints procedure's stages, first to last; none when complaints
     * are handled in one go. */
    ch_stage *stages;
    size_t nstages;
    /* The public standards page (policy/load_contact.c): the points of
     * contact the charter names (see core/contact_point.h) and the address
     * of its privacy notice, NULL when it gives none. */
    struct ch_contact_point *contacts;
    size_t ncontacts;
    const char *privacy_notice;
    /* The themes its cases may carry, for the themes report (core/themes.h;
     * load_themes.c); none when the policy lists none. */
    const struct ch_theme *themes;
    size_t nthemes;
    /* Behaviour audits (`audits:`, see core/audit.h); NULL when the charter
     * runs none. */
    struct ch_audit_rules *audits;
    /* How long each kind of record is kept (`retention:`, see
     * core/retention.h); NULL when the charter sets no schedule. */
    struct ch_retention_rules *retention;
} ch_policy;

/* Frees the policy, its calendars and its arena. */
void ch_policy_free(ch_policy *policy);

/* Borrowed lookups by id; NULL when absent. */
const ch_service *ch_policy_service(const ch_policy *policy, const char *id);
const ch_calendar *ch_policy_service_calendar(const ch_policy *policy, const ch_service *svc);

/* The calendar the service's visits to schools are booked on. */
const ch_calendar *ch_policy_visit_calendar(const ch_policy *policy, const ch_service *svc);

typedef struct ch_contact {
    ch_channel channel;
    ch_case_kind kind;
    const char *const *flags;
    size_t nflags;
    ch_time received; /* when it really arrived */
    const ch_pause *pauses;
    size_t npauses;
    /* The complaint stage the case is at (0, the first, by default) and when
     * that stage began (0: at receipt); staged promises count from then. */
    size_t stage;
    ch_time stage_started;
} ch_contact;

typedef struct ch_obligation {
    const ch_promise *promise; /* borrowed from the policy */
    ch_time due;
} ch_obligation;

/* Whether promise applies to contact on service svc. */
bool ch_promise_applies(const ch_promise *p, const ch_service *svc, const ch_contact *contact);
/* The kinds of case (bit per ch_case_kind) that some per-contact promise of
 * policy covers in svc: where a case of that kind gets a clock. The desk's
 * forms offer a subject access request only on a service whose bits hold
 * CH_KIND_SAR's. */
unsigned ch_service_promised_kinds(const ch_policy *policy, const ch_service *svc);

/* The promise kept termly on svc (a statement of hours left, say), or
 * NULL when the policy makes none for it; borrowed. */
const ch_promise *ch_policy_termly_promise(const ch_policy *policy, const ch_service *svc);

/* When the next update of recurring promise p on svc falls due, counted
 * from the moment the last one was made (that working day is day 0), moved
 * on by any pauses after it. */
int ch_promise_recurrence_due(const ch_policy *policy, const ch_service *svc, const ch_promise *p,
                              ch_time last, const ch_pause *pauses, size_t npauses, ch_time *due,
                              ch_error *err);

/* A promise of policy by id, or NULL; borrowed. */
const ch_promise *ch_policy_promise(const ch_policy *policy, const char *id);

/* The obligations contact creates on svc, in policy order, written to out
 * (room for cap; CH_E_INVALID if more are needed) with their count in *n,
 * and the deemed receipt on the service's calendar in *deemed. */
int ch_policy_obligations(const ch_policy *policy, const ch_service *svc, const ch_contact *contact,
                          ch_obligation *out, size_t cap, size_t *n, ch_time *deemed,
                          ch_error *err);

#endif
