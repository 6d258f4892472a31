/* Civil dates: day numbers, leap years, month arithmetic and strict parsing. */
#include "helpers.h"

#include <string.h>

static void round_trips_every_day_2019_to_2031(void **state)
{
    (void)state;
    ch_date start = ch_date_from_ymd(2019, 1, 1), end = ch_date_from_ymd(2031, 12, 31);
    int y, m, d;
    for (ch_date x = start; x <= end; x++) {
        ch_date_to_ymd(x, &y, &m, &d);
        assert_true(ch_ymd_valid(y, m, d));
        assert_int_equal(ch_date_from_ymd(y, m, d), x);
    }
    assert_int_equal(end - start + 1, 365 * 13 + 3); /* leap years 2020, 2024, 2028 */
}

static void knows_weekdays_and_epoch(void **state)
{
    (void)state;
    assert_int_equal(ch_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(ch_date_weekday(ch_date_from_ymd(2026, 12, 18)), 4); /* Friday */
    assert_int_equal(ch_date_weekday(ch_date_from_ymd(2028, 2, 29)), 1);  /* Tuesday */
    assert_int_equal(ch_date_weekday(ch_date_from_ymd(1969, 12, 31)), 2); /* before epoch */
}

static void leap_days_exist_only_in_leap_years(void **state)
{
    (void)state;
    ch_date d;
    ch_error err;
    assert_int_equal(ch_date_parse("2028-02-29", 10, &d, &err), CH_OK);
    assert_int_equal(ch_date_parse("2027-02-29", 10, &d, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "not a real date"));
    assert_int_equal(ch_date_parse("2100-02-29", 10, &d, &err), CH_E_INVALID);
    assert_int_equal(ch_date_parse("2000-02-29", 10, &d, &err), CH_OK);
}

static void rejects_malformed_dates(void **state)
{
    (void)state;
    ch_date d;
    ch_error err;
    const char *bad[] = {"2026-02-30", "2026-13-01", "2026-00-10", "26-12-01",
                         "2026/12/01", "2026-12-1",  "",           "2026-12-01x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(ch_date_parse(bad[i], strlen(bad[i]), &d, &err), CH_E_INVALID);
}

static void adds_months_clamping_to_month_end(void **state)
{
    (void)state;
    char buf[11];
    ch_date_format(ch_date_add_months(ch_date_from_ymd(2027, 1, 31), 1), buf, sizeof(buf));
    assert_string_equal(buf, "2027-02-28");
    ch_date_format(ch_date_add_months(ch_date_from_ymd(2028, 1, 31), 1), buf, sizeof(buf));
    assert_string_equal(buf, "2028-02-29");
    ch_date_format(ch_date_add_months(ch_date_from_ymd(2026, 12, 5), 1), buf, sizeof(buf));
    assert_string_equal(buf, "2027-01-05");
    ch_date_format(ch_date_add_months(ch_date_from_ymd(2026, 8, 31), 3), buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-30");
}

static void parses_clock_times(void **state)
{
    (void)state;
    int32_t s;
    ch_error err;
    assert_int_equal(ch_clock_parse("09:30", 5, &s, &err), CH_OK);
    assert_int_equal(s, 9 * 3600 + 30 * 60);
    assert_int_equal(ch_clock_parse("24:00", 5, &s, &err), CH_OK);
    assert_int_equal(s, 86400);
    assert_int_equal(ch_clock_parse("23:59:59", 8, &s, &err), CH_OK);
    assert_int_equal(s, 86399);
    assert_int_equal(ch_clock_parse("24:01", 5, &s, &err), CH_E_INVALID);
    assert_int_equal(ch_clock_parse("12:60", 5, &s, &err), CH_E_INVALID);
    assert_int_equal(ch_clock_parse("9:30", 4, &s, &err), CH_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_every_day_2019_to_2031),
        cmocka_unit_test(knows_weekdays_and_epoch),
        cmocka_unit_test(leap_days_exist_only_in_leap_years),
        cmocka_unit_test(rejects_malformed_dates),
        cmocka_unit_test(adds_months_clamping_to_month_end),
        cmocka_unit_test(parses_clock_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
