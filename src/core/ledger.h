/* Purchased hours: what a school bought, how visits draw it down, termly
 * statements and the year-end settlement. Everything is in minutes, so a
 * 2.5-hour block or a 3.5-hour half day is exact. The ledger is append-only:
 * the balance is the sum of its entries. Pure computation; the store keeps
 * contracts, visits and entries. */
#ifndef CH_LEDGER_H
#define CH_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"

typedef enum ch_amount_unit {
    CH_AMOUNT_HOURS,
    CH_AMOUNT_DAYS,      /* the service's day length (7 hours, 6 for some services) */
    CH_AMOUNT_HALF_DAYS, /* half the service's day unless its policy says otherwise */
} ch_amount_unit;

int ch_amount_unit_parse(const char *s, ch_amount_unit *out);

/* Minutes in an amount bought in unit, for a service whose day is
 * day_minutes long (0 when it is not sold by the day) and whose half day is
 * half_minutes (0 for half the day: a charter may say a half day is 3.5 hours
 * of a 6-hour day). The amount is in
 * hundredths (250 is 2.5) so half hours and quarter days are exact.
 * CH_E_INVALID, with the reason, when the amount is not positive, is not a
 * whole number of minutes, or is in days on a service not sold by the day. */
int ch_amount_minutes(int64_t hundredths, ch_amount_unit unit, int32_t day_minutes,
                      int32_t half_minutes, int64_t *minutes, ch_error *err);

/* How many whole visits of block minutes fit in minutes, and what is left
 * over: 18 hours in 2.5-hour blocks is 7 visits and 30 minutes. */
void ch_visits_fit(int64_t minutes, int32_t block, int64_t *visits, int64_t *left);

typedef enum ch_visit_status {
    CH_VISIT_BOOKED,             /* not yet happened */
    CH_VISIT_DELIVERED,          /* charged the time actually spent */
    CH_VISIT_COVERED,            /* a representative went: charged as delivered */
    CH_VISIT_CANCELLED_EARLY,    /* the school cancelled in good time: not charged */
    CH_VISIT_CANCELLED_LATE,     /* the school cancelled late: charged as booked */
    CH_VISIT_NOT_NEEDED,         /* found not needed on arrival: charged as booked */
    CH_VISIT_CANCELLED_PROVIDER, /* we cancelled: not charged, and owed as shortfall */
    CH_VISIT_RESCHEDULED,        /* moved to another time: the new visit is charged */
    CH_VISIT_STATUS_COUNT
} ch_visit_status;

const char *ch_visit_status_name(ch_visit_status s);
int ch_visit_status_parse(const char *s, ch_visit_status *out);

/* What ending a booked visit with outcome o draws from the contract, and
 * what it adds to the provider's shortfall. CH_E_INVALID when the outcome
 * needs the time actually spent and actual is not positive, or when o is
 * not an ending. */
int ch_visit_charge(ch_visit_status o, int32_t booked, int32_t actual, int64_t *charged,
                    int64_t *shortfall, ch_error *err);

/* How a school's cancellation of a visit starting at starts is charged,
 * from when the school told us (notice_at) and the policy's notice in
 * working days on the service's calendar cal: cancelled early, and free,
 * when the working day the notice counts from (one that reaches us after
 * the close or the cut-off counts from the next) is at least notice_days
 * working days before the visit's day; cancelled late, and charged as
 * booked, otherwise. A notice after the visit began is late. */
ch_visit_status ch_cancellation_charge(const ch_calendar *cal, int32_t notice_days,
                                       ch_time notice_at, ch_time starts);

typedef enum ch_entry_kind {
    CH_ENTRY_PURCHASE,   /* + minutes bought */
    CH_ENTRY_DRAWDOWN,   /* - a visit, a report, other logged time */
    CH_ENTRY_ADJUSTMENT, /* +/- by a manager, with a reason */
    CH_ENTRY_ROLLOVER,   /* shortfall carried out of one year (-) into the next (+) */
    CH_ENTRY_REFUND,     /* - shortfall paid back */
    CH_ENTRY_LAPSE,      /* - unused hours at the year end that nobody owes */
    /* A note, not a movement: minutes the provider failed to deliver other
     * than by cancelling a visit (a consultant on long-term illness), owed
     * like a cancelled visit and settled at the year end. It leaves the
     * balance alone. */
    CH_ENTRY_OWED,
    CH_ENTRY_KIND_COUNT
} ch_entry_kind;

const char *ch_entry_kind_name(ch_entry_kind k);
int ch_entry_kind_parse(const char *s, ch_entry_kind *out);

typedef struct ch_entry {
    ch_entry_kind kind;
    int64_t minutes; /* signed: positive adds to the balance */
    ch_time at;
} ch_entry;

/* The balance: the sum of the entries that move it (every kind but owed). */
int64_t ch_ledger_balance(const ch_entry *entries, size_t n);

/* Whether booking booked minutes, on top of visits already booked but not
 * yet charged, would take the balance below zero: a manager must agree. */
bool ch_booking_needs_manager(int64_t balance, int64_t already_booked, int32_t booked);

typedef enum ch_shortfall_policy {
    CH_SHORTFALL_REFUND,   /* pay back what we could not deliver */
    CH_SHORTFALL_ROLLOVER, /* carry it into next year's contract */
} ch_shortfall_policy;

int ch_shortfall_policy_parse(const char *s, ch_shortfall_policy *out);

/* The year-end reconciliation of one contract. */
typedef struct ch_year_end {
    int64_t balance;   /* before settling */
    int64_t shortfall; /* provider cancellations in the year */
    int64_t owed;      /* shortfall that is refunded or rolled over */
    int64_t lapsed;    /* the rest: the school's own unused or cancelled hours */
    ch_entry closing[2];
    size_t nclosing; /* entries that bring the balance to zero */
    int64_t carry;   /* minutes to add to next year's contract (rollover) */
} ch_year_end;

/* Settles a year: what the provider failed to deliver (no more than what is
 * left) is refunded or rolled over as the contract says, and everything
 * else lapses. The closing entries are dated at. */
void ch_year_end_settle(int64_t balance, int64_t shortfall, ch_shortfall_policy policy, ch_time at,
                        ch_year_end *out);

/* Terms by name ("autumn-2026"). A statement covers from the start of its
 * term to the day before the next one starts, so every movement lands in
 * exactly one statement. Terms start on 1 September, 1 January and 1 April,
 * or earlier when the calendar lists a term that starts earlier (an autumn
 * term beginning in late August). */
int ch_term_period(const ch_date_range *terms, size_t nterms, const char *name, ch_date *first,
                   ch_date *last, ch_error *err);

/* The academic year a term belongs to, as the calendar year it starts in:
 * autumn-2026, spring-2027 and summer-2027 are all 2026 (the year 2026-27
 * a contract is bought for). CH_E_INVALID when name is not a term. */
int ch_term_year(const char *name, int *year, ch_error *err);

/* The names of the three terms of the academic year that starts on
 * year_start: autumn-2026, spring-2027, summer-2027. */
typedef struct ch_year_terms {
    char name[3][24];
} ch_year_terms;
void ch_term_names_of_year(ch_date year_start, ch_year_terms *out);

/* Whether term is one of the three terms of the academic year that starts
 * on year_start (a contract's first day). */
bool ch_term_in_year(const char *term, ch_date year_start);

/* The term to show of an academic year year_start..year_end when none is
 * named: the one holding today, or the year's nearest (its summer once the
 * year is over, its autumn before it begins), into buf. */
void ch_term_for_year(const ch_date_range *terms, size_t nterms, ch_date today, ch_date year_start,
                      ch_date year_end, char *buf, size_t size);

/* The name of the term whose statement period holds date d, into buf. */
void ch_term_name_of(const ch_date_range *terms, size_t nterms, ch_date d, char *buf, size_t size);

/* When a promise kept termly falls due for term: the close of the last
 * working day of the calendar's term in that statement period.
 * CH_E_NOTFOUND when the calendar lists no term there. */
int ch_term_due(const ch_calendar *cal, const char *term, ch_time *due, ch_error *err);

/* A termly statement: opening balance, the movements in the period,
 * closing balance. Entries must be in time order. */
typedef struct ch_statement {
    int64_t opening, in, out, closing;
    size_t first, count; /* the movements: entries[first .. first+count) */
} ch_statement;

void ch_statement_build(const ch_entry *entries, size_t n, ch_time from, ch_time to,
                        ch_statement *out);

/* A consultant's capacity in a term: working minutes less the contingency
 * the policy sets aside (a percentage), against minutes booked. */
typedef struct ch_capacity {
    int64_t working, contingency, available, booked;
    bool over;
} ch_capacity;

void ch_capacity_compute(int64_t working, int32_t contingency_percent, int64_t booked,
                         ch_capacity *out);

/* Minutes as hours with two decimals, rounded to the nearest hundredth,
 * into buf: 150 is "2.50", 20 is "0.33", -45 is "-0.75". Every statement
 * (JSON, PDF, the command line) writes hours this way, as Excel shows its
 * numbers with two decimals, so the figures agree everywhere. */
void ch_hours_text(int64_t minutes, char *buf, size_t size);

/* Minutes as "7h 30m", "45m" or "-2h 30m" into buf. */
void ch_minutes_format(int64_t minutes, char *buf, size_t size);

#endif
