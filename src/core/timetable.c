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
