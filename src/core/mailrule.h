/* The decisions inbound mail needs, without I/O: addresses, the case a
 * subject names, the service an address reaches, whether to acknowledge,
 * and the acknowledgement's words. src/mail/ingest.c asks. */
#ifndef CH_MAILRULE_H
#define CH_MAILRULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/availability.h"
#include "core/policy.h"
#include "core/restriction.h"

/* The longest address taken (RFC 5321's path limit less its brackets). */
#define CH_MAIL_ADDRESS_MAX 254

/* Whether s is an address as a policy writes one: a dot-atom local part of
 * at most 64 characters, "@", and a domain of at least two labels
 * (letters, digits, hyphens), 254 characters in all. No display name, no
 * angle brackets, no quoted local part. */
bool ch_mailrule_address_ok(const char *s);

/* Whether two addresses are the same mailbox: compared without regard to
 * case (every mail system we meet treats local parts so). */
bool ch_mail_address_same(const char *a, const char *b);

/* The case a subject names, or 0. We write "[Case #123]" into every
 * subject we send; "Case #123" (any case, the brackets lost by a mail
 * client's rewriting) is taken too. A bare number, "Ref: 123" or "#123"
 * is not: other organisations' references look like those. */
int64_t ch_mail_subject_case(const char *subject);

/* The "[Case #123]" tag for case_id into buf (room for 32 is enough). */
void ch_mail_case_tag(int64_t case_id, char *buf, size_t size);

/* The subject of mail about case_id: theirs (NULL: "your message") with
 * every case tag in it removed and ours at the end, after "Re: " when re
 * and it has none ("RE:" counts). */
void ch_mail_reply_subject(const char *theirs, bool re, int64_t case_id, char *buf, size_t size);

/* Where a recipient's mail goes: policy index and service index. */
typedef struct ch_mail_route {
    size_t policy, service;
} ch_mail_route;

/* The service whose mail: addresses hold recipient, across policies. An
 * address with a "+detail" is tried whole, then without the detail.
 * CH_E_NOTFOUND when none does; CH_E_CONFLICT, with a sentence naming both,
 * when two services claim it (a policy error the desk refuses to guess). */
int ch_mail_route_find(const ch_policy *const *policies, size_t n, const char *recipient,
                       ch_mail_route *out, ch_error *err);

/* CH_E_CONFLICT, with route_find's sentence and *policy the index of the
 * later policy, when an address reaches services in two of policies;
 * CH_OK when each reaches one. */
int ch_mail_routes_check(const ch_policy *const *policies, size_t n, size_t *policy, ch_error *err);

/* The service named "policy/service", or a bare service id when exactly one
 * policy has it. CH_E_NOTFOUND or CH_E_CONFLICT with a sentence. */
int ch_mail_route_named(const ch_policy *const *policies, size_t n, const char *name,
                        ch_mail_route *out, ch_error *err);

/* Whether addr is one of ours: any service's mail address or From. Mail
 * from ourselves is never acknowledged (two desks would answer each other
 * for ever). */
bool ch_mail_address_ours(const ch_policy *const *policies, size_t n, const char *addr);

/* Acknowledgements to one address within an hour, at most. */
#define CH_MAIL_ACK_PER_HOUR 3

/* What decides whether a new case by email is acknowledged. */
typedef struct ch_ack_facts {
    bool policy_asks;     /* the service's mail: acknowledge: true */
    bool automatic;       /* auto-submitted, bulk, list or daemon mail (RFC 3834) */
    bool from_ours;       /* the sender is one of our own addresses */
    bool no_sender;       /* no usable address to answer */
    int64_t sent_in_hour; /* acknowledgements already queued to the sender in the last hour */
    const ch_contact_limits *limits; /* a restriction on the sender's person, or NULL */
} ch_ack_facts;

/* true when an acknowledgement may go; otherwise false with why, a
 * sentence for the timeline (why may be NULL). */
bool ch_mail_ack_allowed(const ch_ack_facts *f, char *why, size_t n);

/* One promise's date for the acknowledgement. */
typedef struct ch_ack_promise {
    const char *text; /* the promise as the charter words it */
    ch_obligation_kind kind;
    bool internal; /* tracked, not promised: said without a date */
    ch_time due;
} ch_ack_promise;

/* Everything the acknowledgement says. */
typedef struct ch_ack_text {
    int64_t case_id;
    const char *requester_name; /* NULL or "": "Hello," */
    const char *subject;        /* theirs, as decoded */
    const char *organisation;   /* the policy's organisation */
    const char *service_name;
    const ch_tz *tz; /* dates are said in the service's zone */
    const ch_ack_promise *promises;
    size_t npromises;
    /* The named contact: the assigned officer (NULL: the service's team) */
    const char *officer_name;
    /* their out-of-office when they are away today (away->away), with the
     * colleague covering (either may be NULL) */
    const ch_away *away;
    const char *cover_name, *cover_email;
    const char *reply_address; /* where to write back: the service's From */
} ch_ack_text;

/* The acknowledgement's subject ("Re: THEIRS [Case #N]", without a second
 * "Re:" and the tag once) into subject, and its plain text body (lines
 * ending \n) in arena into *body. CH_E_NOMEM when the arena is full. */
int ch_mail_ack_compose(const ch_ack_text *a, ch_arena *arena, char *subject, size_t subject_size,
                        const char **body, ch_error *err);

#endif
