/* Working-time calendars. A spec (weekly hours, bank holidays, closures, term
 * dates, a cut-off) is expanded once into a sorted array of open intervals in
 * UTC with running totals of working time, so every query is a binary search:
 * O(log n) in the number of open intervals, never a walk over days. */
#ifndef CH_CALENDAR_H
#define CH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/civil.h"
#include "core/tz.h"

#define CH_MAX_DAY_SPANS 8

/* Local opening time within a day: seconds after midnight, close up to 86400. */
typedef struct ch_span {
    int32_t open, close;
} ch_span;

typedef struct ch_week {
    ch_span spans[7][CH_MAX_DAY_SPANS]; /* [0] is Monday */
    int nspans[7];
} ch_week;

/* Closed from..to (local seconds) on each day first..last; 0..86400 closes
 * whole days. */
typedef struct ch_closure {
    ch_date first, last;
    int32_t from, to;
} ch_closure;

typedef struct ch_date_range {
    ch_date first, last; /* inclusive */
} ch_date_range;

typedef struct ch_calendar_spec {
    ch_tz tz;
    ch_week week;
    const ch_date *holidays;
    size_t nholidays;
    const ch_closure *closures;
    size_t nclosures;
    bool term_time; /* open only on days inside one of terms */
    const ch_date_range *terms;
    size_t nterms;
    int32_t cutoff;      /* contacts at or after this local time count from the next working
                            day; -1 for none */
    ch_date first, last; /* the days the calendar's data covers */
} ch_calendar_spec;

typedef struct ch_calendar ch_calendar;

typedef struct ch_interval {
    ch_time start, end;
} ch_interval;

/* Builds a calendar from spec. On success *out belongs to the caller, who
 * frees it with ch_calendar_free. The spec's arrays are not kept. */
int ch_calendar_build(ch_calendar **out, const ch_calendar_spec *spec, ch_error *err);
void ch_calendar_free(ch_calendar *cal);

const ch_tz *ch_calendar_tz(const ch_calendar *cal);

/* The instants the calendar's data covers: [*start, *end). */
void ch_calendar_horizon(const ch_calendar *cal, ch_time *start, ch_time *end);

int ch_calendar_is_open(const ch_calendar *cal, ch_time t, bool *open, ch_error *err);

/* t itself when open, else the next opening instant. */
int ch_calendar_next_open(const ch_calendar *cal, ch_time t, ch_time *out, ch_error *err);

/* The instant by which secs of working time have passed after t. An answer
 * exactly at a closing time is that closing time, not the next opening. */
int ch_calendar_add_working(const ch_calendar *cal, ch_time t, int64_t secs, ch_time *out,
                            ch_error *err);

/* Working seconds in [a, b); negative when b is before a. */
int ch_calendar_working_between(const ch_calendar *cal, ch_time a, ch_time b, int64_t *secs,
                                ch_error *err);

/* Deemed receipt: t when open and before the cut-off, else the opening of the
 * next working day (or the reopening after a break the same day). *day is the
 * index of the working day of deemed receipt. */
int ch_calendar_deem(const ch_calendar *cal, ch_time t, ch_time *deemed, size_t *day,
                     ch_error *err);

/* Index of the first working day that closes after t (or at t, when
 * inclusive): the day t falls in, or the next one. */
int ch_calendar_day_at(const ch_calendar *cal, ch_time t, bool inclusive, size_t *day,
                       ch_error *err);

size_t ch_calendar_day_count(const ch_calendar *cal);

/* For day index i (< ch_calendar_day_count): its local date, opening and
 * closing instants. */
ch_date ch_calendar_day_date(const ch_calendar *cal, size_t i);
ch_time ch_calendar_day_open(const ch_calendar *cal, size_t i);
ch_time ch_calendar_day_close(const ch_calendar *cal, size_t i);

/* Index of the first working day on or after date, or day_count if none. */
size_t ch_calendar_day_on_or_after(const ch_calendar *cal, ch_date date);

/* The weekly hours and cut-off (-1 for none) the calendar was built from,
 * for showing people; borrowed. */
const ch_week *ch_calendar_week(const ch_calendar *cal);
int32_t ch_calendar_cutoff(const ch_calendar *cal);

/* The terms of a term-time calendar (n is 0 for others), sorted; borrowed. */
const ch_date_range *ch_calendar_terms(const ch_calendar *cal, size_t *n);

/* The open intervals; borrowed, valid until the calendar is freed. */
const ch_interval *ch_calendar_intervals(const ch_calendar *cal, size_t *n);

#endif
