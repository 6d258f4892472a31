/* Due-time arithmetic on a built calendar; see deadline.h for the rules.
 * Every step is a calendar query (binary search), so a deadline costs a
 * handful of O(log n) lookups whatever the target. */
#include "core/deadline.h"

#include <stdlib.h>
#include <string.h>

const char *ch_unit_name(ch_unit unit)
{
    switch (unit) {
    case CH_UNIT_WORKING_DAYS:
        return "working days";
    case CH_UNIT_WORKING_HOURS:
        return "working hours";
    case CH_UNIT_WORKING_MINUTES:
        return "working minutes";
    case CH_UNIT_CALENDAR_DAYS:
        return "calendar days";
    case CH_UNIT_CALENDAR_MONTHS:
        return "calendar months";
    }
    return "?";
}

static int cmp_pause(const void *a, const void *b)
{
    ch_time x = ((const ch_pause *)a)->from, y = ((const ch_pause *)b)->from;
    return (x > y) - (x < y);
}

static int horizon(const ch_calendar *cal, ch_error *err)
{
    ch_time a, b;
    ch_calendar_horizon(cal, &a, &b);
    /* Reuse the calendar's own wording by asking it about its end. */
    return ch_calendar_next_open(cal, b, &a, err);
}

/* Working day counted from, and the instant counting starts. */
static int anchor_day(const ch_calendar *cal, ch_time start, ch_anchor anchor, size_t *day,
                      ch_time *from, ch_error *err)
{
    if (anchor == CH_ANCHOR_RECEIPT)
        return ch_calendar_deem(cal, start, from, day, err);
    int rc = ch_calendar_day_at(cal, start, true, day, err);
    if (rc)
        return rc;
    ch_time open = ch_calendar_day_open(cal, *day);
    *from = start > open ? start : open;
    return CH_OK;
}

static int working_days(const ch_calendar *cal, const ch_target *tg, ch_time start,
                        ch_anchor anchor, const ch_pause *pauses, size_t np, ch_time *due,
                        ch_error *err)
{
    size_t d0, idx;
    ch_time from;
    int rc = anchor_day(cal, start, anchor, &d0, &from, err);
    if (rc)
        return rc;
    size_t ndays = ch_calendar_day_count(cal);
    idx = d0 + (size_t)tg->amount;
    if (tg->from_receipt_date && anchor == CH_ANCHOR_RECEIPT) {
        ch_date date;
        int32_t secs;
        ch_tz_to_local(ch_calendar_tz(cal), start, &date, &secs);
        idx = tg->amount == 0 ? ch_calendar_day_on_or_after(cal, date)
                              : ch_calendar_day_on_or_after(cal, date + 1) + (size_t)tg->amount - 1;
    }
    if (idx >= ndays)
        return horizon(cal, err);
    if (tg->counting == CH_COUNT_CLOSE_OF_DAY) {
        for (size_t i = 0; i < np; i++) {
            size_t p, r;
            if (pauses[i].from >= ch_calendar_day_close(cal, idx))
                break;
            if ((rc = ch_calendar_day_at(cal, pauses[i].from, false, &p, err)) ||
                (rc = ch_calendar_day_at(cal, pauses[i].to, false, &r, err)))
                return rc;
            idx += r - p;
            if (idx >= ndays)
                return horizon(cal, err);
        }
        *due = ch_calendar_day_close(cal, idx);
        return CH_OK;
    }
    /* Elapsed: the same point into the working day, amount days later. */
    int64_t offset, len;
    ch_time open = ch_calendar_day_open(cal, idx);
    if ((rc =
             ch_calendar_working_between(cal, ch_calendar_day_open(cal, d0), from, &offset, err)) ||
        (rc = ch_calendar_working_between(cal, open, ch_calendar_day_close(cal, idx), &len, err)))
        return rc;
    if ((rc = ch_calendar_add_working(cal, open, offset < len ? offset : len, due, err)))
        return rc;
    for (size_t i = 0; i < np && pauses[i].from < *due; i++) {
        int64_t paused;
        if ((rc = ch_calendar_working_between(cal, pauses[i].from, pauses[i].to, &paused, err)) ||
            (rc = ch_calendar_add_working(cal, *due, paused, due, err)))
            return rc;
    }
    return CH_OK;
}

static int working_time(const ch_calendar *cal, const ch_target *tg, ch_time start,
                        ch_anchor anchor, const ch_pause *pauses, size_t np, ch_time *due,
                        ch_error *err)
{
    size_t d0;
    ch_time from;
    int rc = anchor_day(cal, start, anchor, &d0, &from, err);
    if (rc)
        return rc;
    int64_t secs = (int64_t)tg->amount * (tg->unit == CH_UNIT_WORKING_HOURS ? 3600 : 60);
    if ((rc = ch_calendar_add_working(cal, from, secs, due, err)))
        return rc;
    for (size_t i = 0; i < np && pauses[i].from < *due; i++) {
        int64_t paused;
        if ((rc = ch_calendar_working_between(cal, pauses[i].from, pauses[i].to, &paused, err)) ||
            (rc = ch_calendar_add_working(cal, *due, paused, due, err)))
            return rc;
    }
    if (tg->counting == CH_COUNT_CLOSE_OF_DAY) {
        size_t d;
        if ((rc = ch_calendar_day_at(cal, *due, true, &d, err)))
            return rc;
        *due = ch_calendar_day_close(cal, d);
    }
    return CH_OK;
}

static ch_time end_of_date(const ch_tz *tz, ch_date d)
{
    ch_time t;
    ch_tz_from_local(tz, d + 1, 0, &t, NULL);
    return t - 1;
}

static int calendar_units(const ch_calendar *cal, const ch_target *tg, ch_time start,
                          const ch_pause *pauses, size_t np, ch_time *due, ch_error *err)
{
    const ch_tz *tz = ch_calendar_tz(cal);
    ch_time h0, h1;
    ch_date date, d;
    int32_t secs;
    ch_calendar_horizon(cal, &h0, &h1);
    if (start < h0 || start >= h1)
        return horizon(cal, err);
    ch_tz_to_local(tz, start, &date, &secs);
    date = tg->unit == CH_UNIT_CALENDAR_DAYS ? date + tg->amount
                                             : ch_date_add_months(date, tg->amount);
    for (size_t i = 0; i < np && pauses[i].from <= end_of_date(tz, date); i++) {
        ch_date a, b;
        ch_tz_to_local(tz, pauses[i].from, &a, &secs);
        ch_tz_to_local(tz, pauses[i].to, &b, &secs);
        date += b - a;
    }
    if (tg->roll_to_working_day) {
        size_t idx = ch_calendar_day_on_or_after(cal, date);
        if (idx >= ch_calendar_day_count(cal))
            return horizon(cal, err);
        date = ch_calendar_day_date(cal, idx);
    }
    ch_tz_to_local(tz, h1 - 1, &d, &secs);
    if (date > d)
        return horizon(cal, err);
    *due = end_of_date(tz, date);
    return CH_OK;
}

int ch_deadline_compute(const ch_calendar *cal, const ch_target *target, ch_time start,
                        ch_anchor anchor, const ch_pause *pauses, size_t npauses, ch_time *due,
                        ch_error *err)
{
    int rc;
    ch_pause *sorted = NULL;
    if (target->amount < 0)
        return ch_error_set(err, CH_E_INVALID, "a promise's time limit cannot be negative");
    for (size_t i = 0; i < npauses; i++)
        if (pauses[i].to < pauses[i].from)
            return ch_error_set(err, CH_E_INVALID, "a pause cannot end before it starts");
    /* Pauses that ended before counting started (an earlier obligation's,
     * already counted in its due time) do not move this one. */
    size_t kept = 0;
    if (npauses) {
        sorted = malloc(npauses * sizeof(*sorted));
        if (!sorted)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        for (size_t i = 0; i < npauses; i++)
            if (pauses[i].to > start)
                sorted[kept++] = pauses[i];
        qsort(sorted, kept, sizeof(*sorted), cmp_pause);
    }
    npauses = kept;
    switch (target->unit) {
    case CH_UNIT_WORKING_DAYS:
        rc = working_days(cal, target, start, anchor, sorted, npauses, due, err);
        break;
    case CH_UNIT_WORKING_HOURS:
    case CH_UNIT_WORKING_MINUTES:
        rc = working_time(cal, target, start, anchor, sorted, npauses, due, err);
        break;
    default:
        rc = calendar_units(cal, target, start, sorted, npauses, due, err);
        break;
    }
    free(sorted);
    return rc;
}
