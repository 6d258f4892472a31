/* Shared fixtures for the unit tests: the London zone, the shipped bank
 * holidays, and a quick way to write instants in local time. */
#ifndef CH_TEST_HELPERS_H
#define CH_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "core/timefmt.h"
#include "policy/holidays.h"

/* Europe/London, read from tzdata as the loader does. */
const ch_tz *t_london(void);

/* "2026-12-18T16:45" in London (or with an offset) as an instant; fails the
 * test when the text does not parse. */
ch_time t_at(const char *s);

/* Asserts that instant t reads as expected (UTC, RFC 3339). */
#define assert_time(t, expected)                                                                   \
    do {                                                                                           \
        char buf_[32];                                                                             \
        ch_time_format_utc((t), buf_, sizeof(buf_));                                               \
        assert_string_equal(buf_, (expected));                                                     \
    } while (0)

/* A weekday 09:00-17:00 calendar with England and Wales bank holidays, plus
 * optional closures, terms and cut-off. Caller frees with ch_calendar_free. */
ch_calendar *t_office(const ch_closure *closures, size_t nclosures, const ch_date_range *terms,
                      size_t nterms, int32_t cutoff);

#endif
