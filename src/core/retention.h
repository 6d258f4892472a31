/* The retention schedule: how long each kind of record is kept after the
 * moment it is counted from, whether it is then deleted or anonymised, and
 * the decision of what is due on a given day (a legal hold keeps a record
 * whatever its age). Pure computation: the store applies the decision. */
#ifndef CH_RETENTION_H
#define CH_RETENTION_H

#include "core/civil.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

/* The kinds of record a policy's `retention:` names, in report order. The
 * audit log is one chain for every service, so its period is applied
 * across policies (ch_retention_audit_cutoff), oldest rows first. */
typedef enum ch_retention_kind {
    CH_RETAIN_CLOSED_CASES,     /* anonymised: kept for statistics */
    CH_RETAIN_CASE_ATTACHMENTS, /* files on closed cases: deleted */
    CH_RETAIN_SURVEY_RESPONSES, /* deleted */
    CH_RETAIN_INBOUND_MAIL,     /* the raw messages kept on arrival: deleted */
    CH_RETAIN_NOTIFICATIONS,    /* staff notifications about cases: deleted */
    CH_RETAIN_AUDIT,            /* the oldest audit rows, a purge row left in their place */
    CH_RETAIN_COUNT
} ch_retention_kind;

typedef enum ch_retention_action {
    CH_RETAIN_DELETE,
    CH_RETAIN_ANONYMISE,
} ch_retention_action;

/* A span of calendar time: years and months move the date (29 February
 * plus a year is 28 February), days are 86,400 seconds. */
typedef struct ch_retention_span {
    int years, months, days;
} ch_retention_span;

/* One policy's schedule: set[k] when the policy names kind k (a kind it
 * does not name is kept for ever). */
typedef struct ch_retention_rules {
    bool set[CH_RETAIN_COUNT];
    ch_retention_span span[CH_RETAIN_COUNT];
} ch_retention_rules;

/* The key a kind is written under in a policy ("closed_cases"), a phrase
 * for counts ("closed cases"), what happens to it, and the moment its age
 * is counted from, in words; all static. */
const char *ch_retention_key(ch_retention_kind k);
const char *ch_retention_noun(ch_retention_kind k);
/* The noun for n records: "1 closed case", "12 closed cases". */
const char *ch_retention_noun_n(ch_retention_kind k, int64_t n);
ch_retention_action ch_retention_action_of(ch_retention_kind k);
const char *ch_retention_counted_from(ch_retention_kind k);

/* "6 years", "18 months", "30 days" (singular too) into *out; CH_E_INVALID
 * with a sentence saying how to write one. Up to 100 years; at least a day. */
int ch_retention_span_parse(const char *s, ch_retention_span *out, ch_error *err);

/* The span written back as parsed ("6 years"), into buf. */
void ch_retention_span_format(const ch_retention_span *span, char *buf, size_t size);

/* The latest moment a record of kind k may be counted from and be due on
 * now: a record counted from at or before *cutoff is due. false when the
 * rules keep kind k for ever. */
bool ch_retention_cutoff(const ch_retention_rules *rules, ch_retention_kind k, ch_time now,
                         ch_time *cutoff);

/* The cutoff for audit rows when n policies share one log: the longest
 * audit period among them, since a purge removes rows of every service.
 * false, with a sentence in why, when any policy names no audit period (its
 * rows, and so everyone's, are kept). */
bool ch_retention_audit_cutoff(const ch_retention_rules *const *rules, const char *const *ids,
                               size_t n, ch_time now, ch_time *cutoff, char *why, size_t why_size);

/* The shortest audit period a policy may give: the access log answers
 * subject access requests and complaints that come long after a contact. */
#define CH_RETENTION_AUDIT_MIN_YEARS 1

/* Whether a record of kind k counted from `from` is due for deletion or
 * anonymisation on now; never when it is held. */
bool ch_retention_due(const ch_retention_rules *rules, ch_retention_kind k, ch_time from,
                      ch_time now, bool held);

#endif
