/* Customer surveys after a case closes: the policy's rule for a service,
 * the one-time token a requester is sent, the ratings and how a quarter's
 * answers are scored. Pure: the random bytes and the clock come from the
 * caller. */
#ifndef CH_SURVEY_H
#define CH_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/civil.h"
#include "core/error.h"

/* A service's `survey:` block. */
typedef struct ch_survey_rule {
    int64_t delay;    /* seconds after the case closes before the invitation goes */
    int64_t expires;  /* seconds the link stays open once sent */
    bool anonymous;   /* a respondent may keep their answer apart from their name */
    unsigned kinds;   /* bit (1 << ch_case_kind) per kind of case surveyed */
    const char *site; /* where the public reaches the desk: https://host[:port] */
} ch_survey_rule;

enum {
    CH_SURVEY_TOKEN_BYTES = 16,                      /* 128 random bits */
    CH_SURVEY_TOKEN_LEN = CH_SURVEY_TOKEN_BYTES * 2, /* as lower-case hex */
    CH_SURVEY_COMMENT_MAX = 2000,                    /* characters of comment kept */
    CH_SURVEY_RATING_MIN = 1,
    CH_SURVEY_RATING_MAX = 5,
    /* The public page gives a quarter's scores only from this many ratings:
     * fewer would publish what one or two people said. */
    CH_SURVEY_PUBLISH_MIN = 5,
};

/* The default rule parts a policy may leave out. */
#define CH_SURVEY_DEFAULT_EXPIRES ((int64_t)28 * 86400)

/* raw as the token written in a link: CH_SURVEY_TOKEN_LEN lower-case hex
 * digits and a NUL. */
void ch_survey_token_format(const uint8_t raw[CH_SURVEY_TOKEN_BYTES],
                            char out[CH_SURVEY_TOKEN_LEN + 1]);
/* Whether s (len bytes) has a token's shape; anything else is never looked
 * up, so a mistyped link is answered without touching the store. */
bool ch_survey_token_ok(const char *s, size_t len);

/* "Very satisfied" ... "Very dissatisfied" for ratings 5 ... 1, NULL
 * outside them. */
const char *ch_survey_rating_words(int rating);
/* A rating as a form sends it ("1".."5") into *out; CH_E_INVALID with a
 * sentence otherwise (absent included). */
int ch_survey_rating_parse(const char *s, int *out, ch_error *err);

/* A span of the policy's `delay:` or `expires:` ("3 days", "12 hours",
 * "0 days") in seconds; CH_E_INVALID with a sentence otherwise. */
int ch_survey_span_parse(const char *s, int64_t *seconds, ch_error *err);

/* Calendar quarters (January to March is Q1) as year * 4 + quarter - 1. */
int ch_survey_quarter_of(ch_date d);
ch_date ch_survey_quarter_start(int quarter); /* its first day */
/* "2026-Q1" (or "2026-q1"), or a month or day ("2026-02", "2026-02-15")
 * standing for the quarter that holds it; -1 when s is none of these, or
 * is before 2000 or after 2100. */
int ch_survey_quarter_parse(const char *s);
void ch_survey_quarter_name(int quarter, char *buf, size_t size);  /* "2026-Q1" */
void ch_survey_quarter_words(int quarter, char *buf, size_t size); /* "January to March 2026" */

/* What a service's survey came to over a span. Invitations count when
 * they were sent and answered when they have been used; ratings count
 * when they were given. */
typedef struct ch_survey_tally {
    int64_t invited, answered;
    int64_t ratings[CH_SURVEY_RATING_MAX]; /* ratings[k] counts rating k + 1 */
} ch_survey_tally;

void ch_survey_tally_rating(ch_survey_tally *t, int rating);
int64_t ch_survey_tally_responses(const ch_survey_tally *t);
/* Whole percent of invitations answered; -1 when none were sent. */
int ch_survey_response_rate(const ch_survey_tally *t);
/* The mean rating times 100 (rounded: 420 is 4.2); -1 when none. */
int ch_survey_mean_x100(const ch_survey_tally *t);
/* Whole percent of ratings that were 4 or 5 (satisfied); -1 when none. */
int ch_survey_satisfied(const ch_survey_tally *t);

#endif
