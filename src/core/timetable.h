/* A consultant's timetable, without I/O: whether a visit clashes with one
 * already booked for the same person, and whether it fits inside the
 * working day it falls on. A consultant can be in one school at a time,
 * and is booked only while the service is open. */
#ifndef CH_TIMETABLE_H
#define CH_TIMETABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/civil.h"

/* A span of time someone is booked for: from start, minutes long. */
typedef struct ch_slot {
    ch_time start;
    int32_t minutes;
} ch_slot;

/* The index of the first of booked (n, in any order) that overlaps want,
 * or -1. Touching ends (one ends at 11:00, the next starts at 11:00) do not
 * clash; a slot of no minutes clashes with nothing. */
ptrdiff_t ch_timetable_clash(const ch_slot *booked, size_t n, ch_slot want);

/* Whether want lies wholly inside [open, close), the working hours of its
 * day. */
bool ch_timetable_within(ch_time open, ch_time close, ch_slot want);

/* Whether local date d is the first or last day of one of the calendar's
 * terms, common days for a school's staff training (INSET): training booked
 * then is to be agreed with the school. *edge is "first" or "last", and
 * *term the term's index. */
bool ch_timetable_term_edge(const ch_calendar *cal, ch_date d, const char **edge, size_t *term);

/* The close of the working day n working days before the working day of t
 * on cal, into *due: by when the school is told what a training session
 * needs (a room, a projector). The calendar's first day when it has fewer. */
int ch_timetable_notice_due(const ch_calendar *cal, ch_time t, int32_t n, ch_time *due,
                            ch_error *err);

#endif
