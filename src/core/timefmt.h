/* Instants as text: RFC 3339 in and out (UTC with a Z), and local wall times
 * in a calendar's zone for people ("Wed 23 Dec 2026 17:00"). */
#ifndef CH_TIMEFMT_H
#define CH_TIMEFMT_H

#include "core/tz.h"

/* Parses an RFC 3339 time with an offset or Z (2026-12-18T16:45:00+00:00),
 * or a local wall time without one (2026-12-18T16:45 or with :SS), which is
 * read in tz. A local time skipped or repeated by a clock change is refused
 * with a message asking for an explicit offset. */
int ch_time_parse(const char *s, const ch_tz *tz, ch_time *out, ch_error *err);

/* 2026-12-23T17:00:00Z; buf needs 21 bytes. */
void ch_time_format_utc(ch_time t, char *buf, size_t size);

/* Wed 23 Dec 2026 17:00 in tz; buf needs 24 bytes. */
void ch_time_format_local(const ch_tz *tz, ch_time t, char *buf, size_t size);

/* Wed 23 Dec 2026 for a date. */
void ch_date_format_long(ch_date d, char *buf, size_t size);

#endif
