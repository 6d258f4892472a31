/* What a restriction on contact allows. After unreasonable behaviour a
 * service may limit how a person contacts it (which channels, through one
 * named member of staff, how often we reply) or refuse further service; it
 * binds only once the person has been told in writing. These functions
 * decide; the edges ask and the store records. */
#ifndef CH_RESTRICTION_H
#define CH_RESTRICTION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy.h"

typedef struct ch_contact_limits {
    bool active;                  /* the notice has been sent and the restriction not ended */
    unsigned channels;            /* bit (1 << ch_channel) per channel contact may use */
    const char *point_of_contact; /* the named member of staff, or NULL */
    int32_t replies, per_days;    /* replies per so many working days; 0 replies: no limit */
    bool refuse_service;
} ch_contact_limits;

typedef enum ch_restrict_verdict {
    CH_RESTRICT_ALLOW,
    CH_RESTRICT_CHANNEL, /* by a channel the restriction does not allow */
    CH_RESTRICT_SERVICE, /* a substantive reply while service is refused */
} ch_restrict_verdict;

/* Promise kinds a reply counts as substantive by: respond, resolve,
 * process and update (an acknowledgement, or a contact keeping no promise,
 * such as the notice itself, is not). */
#define CH_SUBSTANTIVE                                                                             \
    ((1u << CH_OBLIGATION_RESPOND) | (1u << CH_OBLIGATION_RESOLVE) |                               \
     (1u << CH_OBLIGATION_PROCESS) | (1u << CH_OBLIGATION_UPDATE))

/* Whether we may make an outbound contact by channel, meeting the promise
 * kinds in meets (bits of ch_obligation_kind). When refused, why is a
 * sentence saying why and what is allowed. An inactive restriction allows
 * everything. */
ch_restrict_verdict ch_restriction_outbound(const ch_contact_limits *l, ch_channel channel,
                                            unsigned meets, char *why, size_t n);

/* Whether a restriction recorded by service binds a contact on a case of
 * case_service: it binds every service of its own organisation (the part
 * of the name before '/'), since a council team restricts contact with
 * itself, not with another body's services. One from before services were
 * kept (NULL) binds everywhere. */
bool ch_restriction_binds(const char *service, const char *case_service);

/* The restriction in a few words: "email only, through Sam Adviser; one
 * reply each 10 working days" (or "no further service ..."). */
void ch_restriction_describe(const ch_contact_limits *l, char *buf, size_t n);

/* The channels allowed, as words: "email or letter". */
void ch_restriction_channels_text(unsigned channels, char *buf, size_t n);

/* Parses a frequency period such as "10 working days" (1 to 260); 0 with
 * *days set, or CH_E_INVALID with a sentence. */
int ch_restriction_period_parse(const char *s, int32_t *days, ch_error *err);

/* When a new case's respond promise falls due under the restriction's
 * frequency: no sooner than the next reply slot, which is the last
 * substantive reply plus per_days / replies working days (at least one),
 * counted to the close of that working day. due is left as it is when the
 * restriction sets no frequency, is not active, or there was no reply yet. */
int ch_restriction_reply_due(const ch_calendar *cal, const ch_contact_limits *l, ch_time last_reply,
                             ch_time due, ch_time *out, ch_error *err);

/* The notice a restricted person is sent is a policy's template with these
 * placeholders, written {name}; values are given in this order. */
enum {
    CH_NOTICE_NAME,
    CH_NOTICE_ORGANISATION,
    CH_NOTICE_CHANNELS,
    CH_NOTICE_POINT_OF_CONTACT,
    CH_NOTICE_FREQUENCY,
    CH_NOTICE_REVIEW_ON,
    CH_NOTICE_REASON,
    CH_NOTICE_DATE,
    CH_NOTICE_COUNT
};
extern const char *const ch_notice_placeholders[CH_NOTICE_COUNT + 1]; /* NULL-terminated */

/* Whether a placeholder at text[0] ('{') names a known one: its index, or
 * -1 (then *len is the length of "{word}" when it looks like one, else 0). */
int ch_notice_placeholder(const char *text, size_t *len);

/* The template with every placeholder replaced by its value (NULL values
 * read as empty), into out; CH_E_INVALID when it does not fit. */
int ch_notice_fill(const char *tmpl, const char *const values[CH_NOTICE_COUNT], char *out, size_t n,
                   ch_error *err);

#endif