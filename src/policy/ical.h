/* iCalendar (RFC 5545) files into date ranges, for closures and term dates:
 * an all-day event closes (or, for terms, opens) whole days; a timed event
 * closes part of a day. Reads through libical. */
#ifndef CH_ICAL_H
#define CH_ICAL_H

#include "core/calendar.h"

/* Parses len bytes of text. Times without a zone are taken in tz. On
 * success *out (a malloc'd array of *n ranges) belongs to the caller.
 * Repeating events are refused rather than half-read. */
int ch_ical_parse(const char *text, size_t len, const ch_tz *tz, ch_closure **out, size_t *n,
                  ch_error *err);

#endif
