/* Who may be told about a case: the relationships between people, the
 * written consents they give, and the one check every disclosure goes
 * through. The check is pure: the edges load the records, the core decides,
 * and a refusal comes with a sentence saying what is missing and where to
 * record it.
 *
 * The rules (after Cognus's charter, section 8):
 * - the person the case is about may always be spoken to;
 * - a parent or carer of someone under 18 on the day may be spoken to
 *   without the young person's consent;
 * - anyone else (an advocate, a professional, a school's contact, a parent
 *   of someone 18 or over, anyone with no recorded relationship) needs a
 *   current written consent naming them, covering every matter or this
 *   case: from the person the case is about, or, while that person is
 *   under 18, from one of their parents or carers;
 * - an age not recorded is not taken to be under 18. */
#ifndef CH_CONSENT_H
#define CH_CONSENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/civil.h"

typedef enum ch_relation {
    CH_REL_PARENT,       /* parent of other */
    CH_REL_CARER,        /* carer of other */
    CH_REL_ADVOCATE,     /* advocate for other */
    CH_REL_PROFESSIONAL, /* a professional acting for other */
    CH_REL_CONTACT_AT,   /* a contact at an organisation */
    CH_REL_COUNT
} ch_relation;

const char *ch_relation_name(ch_relation r);
int ch_relation_parse(const char *s, ch_relation *out);

/* person_id holds the role (the parent, the advocate) for other_id, or is
 * a contact at organisation_id (contact-at). */
typedef struct ch_relationship {
    int64_t id, person_id;
    const char *kind; /* a ch_relation name */
    int64_t other_id, organisation_id;
    const char *note;
    int64_t created_by;
    ch_time created_at;
    const char *person_name, *other_name, *organisation_name; /* read back */
} ch_relationship;

/* A written consent: grantor (whose information it is) lets us speak to
 * grantee about every matter (case_id 0) or about one case. It covers the
 * days from given_on up to the day before expires_on (none when !expires),
 * until the instant it is withdrawn. */
typedef struct ch_consent {
    int64_t id, grantor_id, grantee_id, case_id;
    const char *evidence; /* the written document, described */
    ch_date given_on;
    bool expires;
    ch_date expires_on;
    ch_time withdrawn_at; /* 0 while in force */
    const char *withdrawn_reason;
    int64_t withdrawn_by, created_by;
    ch_time created_at;
    const char *grantor_name, *grantee_name; /* read back */
} ch_consent;

/* The state of a consent at an instant and on its civil day. */
typedef enum ch_consent_state {
    CH_CONSENT_CURRENT,
    CH_CONSENT_NOT_YET, /* given after that day */
    CH_CONSENT_EXPIRED,
    CH_CONSENT_WITHDRAWN
} ch_consent_state;

ch_consent_state ch_consent_state_at(const ch_consent *c, ch_time at, ch_date on);
const char *ch_consent_state_name(ch_consent_state s);

typedef struct ch_consent_party {
    int64_t id; /* 0: nobody (a case that names no one) */
    const char *name;
    bool has_dob;
    ch_date dob;
} ch_consent_party;

/* May we speak to with about case case_id, whose subject is subject, at
 * instant at (whose day in the service's zone is on)? rels are the
 * relationships that involve the subject; consents those given by the
 * subject and by the subject's parents and carers (others are ignored). */
typedef struct ch_consent_question {
    int64_t case_id;
    ch_consent_party subject, with;
    ch_time at;
    ch_date on;
    const ch_relationship *rels;
    size_t nrels;
    const ch_consent *consents;
    size_t nconsents;
} ch_consent_question;

typedef enum ch_consent_basis {
    CH_BASIS_SUBJECT,         /* they are the person the case is about */
    CH_BASIS_PARENT_OF_CHILD, /* a parent or carer of someone under 18 */
    CH_BASIS_CONSENT,         /* a current written consent covers it */
    CH_BASIS_NONE             /* refused */
} ch_consent_basis;

typedef struct ch_consent_answer {
    bool allowed;
    ch_consent_basis basis;
    int64_t consent_id;   /* the consent relied on, for CH_BASIS_CONSENT */
    int age;              /* the subject's age on the day, -1 when not known */
    const char *relation; /* with's relationship to the subject, or NULL */
    /* For a refusal: what is missing and how to record it, in full. */
    char sentence[2048];
    /* Short, for a list: why yes or why no. */
    char reason[512];
} ch_consent_answer;

/* Answers q into out; CH_E_INVALID when a party has no name. */
int ch_consent_check(const ch_consent_question *q, ch_consent_answer *out, ch_error *err);

#endif
