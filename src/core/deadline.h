/* When a promise falls due: a target (3 working days, 4 working hours, 7
 * calendar days, 1 calendar month) counted on a calendar from a start
 * instant, moved on by any pauses. Pure computation over a built calendar. */
#ifndef CH_DEADLINE_H
#define CH_DEADLINE_H

#include "core/calendar.h"

typedef enum ch_unit {
    CH_UNIT_WORKING_DAYS,
    CH_UNIT_WORKING_HOURS,
    CH_UNIT_WORKING_MINUTES,
    CH_UNIT_CALENDAR_DAYS,
    CH_UNIT_CALENDAR_MONTHS,
} ch_unit;

typedef enum ch_counting {
    /* By the close of the working day the time runs out on (the default for
     * working days: "3 working days" from Friday is close of Wednesday). */
    CH_COUNT_CLOSE_OF_DAY,
    /* Exactly that much working time later (the default for hours). */
    CH_COUNT_ELAPSED,
} ch_counting;

typedef struct ch_target {
    int amount;
    ch_unit unit;
    ch_counting counting;
    /* Calendar units only: a due date that is not a working day moves to the
     * next working day (the subject-access rule). */
    bool roll_to_working_day;
    /* Working days only: count from the calendar date of receipt rather than
     * deemed receipt, so a request on a Saturday or at 18:00 has that date as
     * day 0 (the FOI rule: "the 20th working day after the day of receipt"). */
    bool from_receipt_date;
} ch_target;

/* A stopped clock, [from, to). */
typedef struct ch_pause {
    ch_time from, to;
} ch_pause;

typedef enum ch_anchor {
    /* A contact's arrival: deemed receipt applies (outside hours or after the
     * cut-off counts from the next working day). */
    CH_ANCHOR_RECEIPT,
    /* An earlier obligation's moment: the working day it falls in counts as
     * day 0 even when that moment is the close of the day. */
    CH_ANCHOR_EVENT,
} ch_anchor;

/* Computes the due instant of target counted on cal from start. Calendar
 * units are due at the end (23:59:59 local) of their due date. Pauses, sorted
 * or not, each move the due time on by the working time (or, for day
 * counting, the working days; for calendar units, the dates) they covered. */
int ch_deadline_compute(const ch_calendar *cal, const ch_target *target, ch_time start,
                        ch_anchor anchor, const ch_pause *pauses, size_t npauses, ch_time *due,
                        ch_error *err);

/* The unit's name as written in policies ("working days"), and its parse. */
const char *ch_unit_name(ch_unit unit);

#endif
