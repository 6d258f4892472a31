/* Civil dates and clock times: proleptic Gregorian arithmetic on day numbers,
 * and strict parsers that reject dates which do not exist (2026-02-30). */
#ifndef CH_CIVIL_H
#define CH_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef int64_t ch_time; /* an instant: seconds since 1970-01-01T00:00:00Z */
typedef int32_t ch_date; /* a civil date: days since 1970-01-01 */

#define CH_DAY_SECS 86400

ch_date ch_date_from_ymd(int y, int m, int d);
void ch_date_to_ymd(ch_date date, int *y, int *m, int *d);

/* 0 for Monday through 6 for Sunday. */
int ch_date_weekday(ch_date date);

int ch_days_in_month(int y, int m);
bool ch_ymd_valid(int y, int m, int d);

/* Adds months keeping the day of the month, or the month's last day when the
 * target month is shorter (31 January + 1 month = 28 or 29 February). */
ch_date ch_date_add_months(ch_date date, int months);

/* Parses exactly YYYY-MM-DD (n bytes of s); the date must exist. */
int ch_date_parse(const char *s, size_t n, ch_date *out, ch_error *err);

/* Parses HH:MM or HH:MM:SS into seconds after midnight; 24:00 is allowed so
 * that a day can be open until midnight. */
int ch_clock_parse(const char *s, size_t n, int32_t *secs, ch_error *err);

/* Writes YYYY-MM-DD and a NUL into buf (at least 11 bytes). */
void ch_date_format(ch_date date, char *buf, size_t size);

/* Writes HH:MM (or HH:MM:SS when seconds are set) into buf. */
void ch_clock_format(int32_t secs, char *buf, size_t size);

/* Floor division of an instant into its UTC day and second of day. */
ch_date ch_time_utc_date(ch_time t);

#endif
