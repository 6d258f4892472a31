/* iCalendar import: all-day and timed events into closures and terms. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "policy/ical.h"

static const char closures_ics[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Charter tests//EN\r\n"
    "BEGIN:VEVENT\r\nUID:1@test\r\nSUMMARY:Half term\r\n"
    "DTSTART;VALUE=DATE:20261026\r\nDTEND;VALUE=DATE:20261031\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:2@test\r\nSUMMARY:Staff training afternoon\r\n"
    "DTSTART:20261118T130000\r\nDTEND:20261118T170000\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:3@test\r\nSUMMARY:Summer staff day\r\n"
    "DTSTART:20260701T080000Z\r\nDTEND:20260701T120000Z\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:4@test\r\nSUMMARY:Snow day\r\n"
    "DTSTART;VALUE=DATE:20261201\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void reads_all_day_and_timed_events(void **state)
{
    (void)state;
    ch_closure *c = NULL;
    size_t n = 0;
    ch_error err;
    assert_int_equal(ch_ical_parse(closures_ics, strlen(closures_ics), t_london(), &c, &n, &err),
                     CH_OK);
    assert_int_equal(n, 4);
    /* DTEND of a date is exclusive: 26 to 30 October. */
    assert_int_equal(c[0].first, ch_date_from_ymd(2026, 10, 26));
    assert_int_equal(c[0].last, ch_date_from_ymd(2026, 10, 30));
    assert_int_equal(c[0].from, 0);
    assert_int_equal(c[0].to, 86400);
    /* A floating time is local. */
    assert_int_equal(c[1].first, ch_date_from_ymd(2026, 11, 18));
    assert_int_equal(c[1].from, 13 * 3600);
    assert_int_equal(c[1].to, 17 * 3600);
    /* A UTC time in summer is an hour later locally. */
    assert_int_equal(c[2].from, 9 * 3600);
    assert_int_equal(c[2].to, 13 * 3600);
    /* An all-day event without DTEND is one day. */
    assert_int_equal(c[3].first, c[3].last);
    free(c);
}

static void refuses_repeating_and_broken_files(void **state)
{
    (void)state;
    ch_closure *c = NULL;
    size_t n = 0;
    ch_error err;
    const char *rrule = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Weekly\r\n"
                        "DTSTART;VALUE=DATE:20261026\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
                        "END:VCALENDAR\r\n";
    assert_int_equal(ch_ical_parse(rrule, strlen(rrule), t_london(), &c, &n, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "repeats"));
    const char *empty = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    assert_int_equal(ch_ical_parse(empty, strlen(empty), t_london(), &c, &n, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "no events"));
    const char *junk = "this is not a calendar";
    assert_int_equal(ch_ical_parse(junk, strlen(junk), t_london(), &c, &n, &err), CH_E_INVALID);
    const char *backwards = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Odd\r\n"
                            "DTSTART:20261118T170000\r\nDTEND:20261118T130000\r\nEND:VEVENT\r\n"
                            "END:VCALENDAR\r\n";
    assert_int_equal(ch_ical_parse(backwards, strlen(backwards), t_london(), &c, &n, &err),
                     CH_E_INVALID);
    assert_non_null(strstr(err.msg, "ends before it starts"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_all_day_and_timed_events),
        cmocka_unit_test(refuses_repeating_and_broken_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
