/* A consultant's timetable (see timetable.h): two half-open spans overlap
 * when each starts before the other ends. */
#include "core/timetable.h"

static ch_time slot_end(ch_slot s)
{
    return s.start + (ch_time)s.minutes * 60;
}

ptrdiff_t ch_timetable_clash(const ch_slot *booked, size_t n, ch_slot want)
{
    if (want.minutes <= 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (booked[i].minutes > 0 && booked[i].start < slot_end(want) &&
            want.start < slot_end(booked[i]))
            return (ptrdiff_t)i;
    return -1;
}

bool ch_timetable_within(ch_time open, ch_time close, ch_slot want)
{
    return want.start >= open && slot_end(want) <= close;
}

bool ch_timetable_term_edge(const ch_calendar *cal, ch_date d, const char **edge, size_t *term)
{
    size_t n;
    const ch_date_range *terms = ch_calendar_terms(cal, &n);
    for (size_t i = 0; i < n; i++)
        if (d == terms[i].first || d == terms[i].last) {
            *edge = d == terms[i].first ? "first" : "last";
            *term = i;
            return true;
        }
    return false;
}

int ch_timetable_notice_due(const ch_calendar *cal, ch_time t, int32_t n, ch_time *due,
                            ch_error *err)
{
    size_t day;
    int rc = ch_calendar_day_at(cal, t, true, &day, err);
    if (rc)
        return rc;
    size_t back = n > 0 ? (size_t)n : 0;
    *due = ch_calendar_day_close(cal, day >= back ? day - back : 0);
    return CH_OK;
}
