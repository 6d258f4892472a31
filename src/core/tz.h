/* Time zones as POSIX TZ rules ("GMT0BST,M3.5.0/1,M10.5.0"). The core holds
 * only the rule, so it does no I/O; src/policy reads the rule for a zone name
 * from the system's tzdata. The rule is exact for years where the zone's law
 * has not changed, which covers the UK from 1996 onwards. */
#ifndef CH_TZ_H
#define CH_TZ_H

#include <stdbool.h>

#include "core/civil.h"

typedef struct ch_tz_rule {
    char kind;    /* 'M' month.week.day, 'J' Julian day 1-365, 'D' zero-based day */
    int month;    /* 1-12 for 'M' */
    int week;     /* 1-5 for 'M', 5 meaning the last */
    int day;      /* weekday 0 (Sunday)-6 for 'M', else the day number */
    int32_t time; /* local seconds after midnight when the change happens */
} ch_tz_rule;

/* The years whose clock changes are worked out once, when the rule is
 * parsed: every deadline converts times several times, and a binary search
 * of the changes costs a fraction of working out a "last Sunday" again. */
enum { CH_TZ_FIRST_YEAR = 1970, CH_TZ_YEARS = 160 };

typedef struct ch_tz {
    int32_t std_off; /* seconds east of UTC in standard time */
    int32_t dst_off; /* seconds east of UTC in summer time */
    bool has_dst;
    ch_tz_rule start, end;
    /* With DST: the instants the clocks change, in order, and whether
     * summer time starts at each; outside them the rule is worked out. */
    size_t nchanges;
    ch_time changes[2 * CH_TZ_YEARS];
    bool to_dst[2 * CH_TZ_YEARS];
} ch_tz;

/* Parses a POSIX TZ string into tz. */
int ch_tz_parse(ch_tz *tz, const char *posix, ch_error *err);

/* UTC offset in seconds at the instant t. */
int32_t ch_tz_offset_at(const ch_tz *tz, ch_time t);

/* The local date and seconds after local midnight at instant t. */
void ch_tz_to_local(const ch_tz *tz, ch_time t, ch_date *date, int32_t *secs);

/* Converts a wall-clock time to an instant. Returns CH_E_INVALID when the
 * wall time is skipped by clocks going forward (and still sets *out to the
 * instant the clocks show once they have jumped); sets *ambiguous when it
 * happens twice as clocks go back, and then gives the earlier instant. */
int ch_tz_from_local(const ch_tz *tz, ch_date date, int32_t secs, ch_time *out, bool *ambiguous);

#endif
