/* Calendar queries: open or closed, next opening, adding and measuring
 * working time, deemed receipt, cut-offs, breaks, closures and the horizon. */
#include "helpers.h"

#include <string.h>

static void knows_when_the_office_is_open(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_error err;
    bool open;
    struct {
        const char *at;
        bool open;
    } cases[] = {
        {"2026-12-18T09:00", true},  {"2026-12-18T08:59:59", false}, {"2026-12-18T16:59:59", true},
        {"2026-12-18T17:00", false}, {"2026-12-19T12:00", false}, /* Saturday */
        {"2026-12-25T12:00", false},                              /* Christmas Day */
        {"2026-12-28T12:00", false},                              /* Boxing Day, substitute */
        {"2026-12-29T12:00", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        assert_int_equal(ch_calendar_is_open(cal, t_at(cases[i].at), &open, &err), CH_OK);
        if (open != cases[i].open)
            fail_msg("%s: expected %s", cases[i].at, cases[i].open ? "open" : "closed");
    }
    ch_calendar_free(cal);
}

static void finds_the_next_opening_over_holidays_and_the_year_end(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_time t;
    ch_error err;
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-18T17:30"), &t, &err), CH_OK);
    assert_time(t, "2026-12-21T09:00:00Z");
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-24T17:00"), &t, &err), CH_OK);
    assert_time(t, "2026-12-29T09:00:00Z");
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-31T17:00"), &t, &err), CH_OK);
    assert_time(t, "2027-01-04T09:00:00Z");
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-29T10:15"), &t, &err), CH_OK);
    assert_time(t, "2026-12-29T10:15:00Z");
    ch_calendar_free(cal);
}

static void adds_and_measures_working_time(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_time t;
    int64_t secs;
    ch_error err;
    /* A full day from opening ends at that day's close, not next morning. */
    assert_int_equal(ch_calendar_add_working(cal, t_at("2026-12-21T09:00"), 8 * 3600, &t, &err),
                     CH_OK);
    assert_time(t, "2026-12-21T17:00:00Z");
    assert_int_equal(ch_calendar_add_working(cal, t_at("2026-12-21T16:00"), 2 * 3600, &t, &err),
                     CH_OK);
    assert_time(t, "2026-12-22T10:00:00Z");
    /* Over the spring clock change: Friday 16:00 GMT + 2h is Monday 10:00 BST. */
    assert_int_equal(ch_calendar_add_working(cal, t_at("2026-03-27T16:00"), 2 * 3600, &t, &err),
                     CH_OK);
    assert_time(t, "2026-03-30T09:00:00Z");
    /* Over the autumn one: Friday 16:00 BST + 2h is Monday 10:00 GMT. */
    assert_int_equal(ch_calendar_add_working(cal, t_at("2026-10-23T16:00"), 2 * 3600, &t, &err),
                     CH_OK);
    assert_time(t, "2026-10-26T10:00:00Z");
    assert_int_equal(ch_calendar_working_between(cal, t_at("2026-12-07T09:00"),
                                                 t_at("2026-12-14T09:00"), &secs, &err),
                     CH_OK);
    assert_int_equal(secs, 40 * 3600);
    assert_int_equal(ch_calendar_working_between(cal, t_at("2026-12-21T09:00"),
                                                 t_at("2026-12-29T09:00"), &secs, &err),
                     CH_OK);
    assert_int_equal(secs, 32 * 3600); /* 21-24 December; 25 and 28 are holidays */
    ch_calendar_free(cal);
}

static void deems_receipt_at_opening_and_closing(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_time t;
    size_t day;
    ch_error err;
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-18T09:00"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-18T09:00:00Z");
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-18T17:00"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-21T09:00:00Z");
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-18T06:10"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-18T09:00:00Z");
    ch_calendar_free(cal);
}

static void applies_the_cut_off_to_the_second(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, 15 * 3600);
    ch_time t;
    size_t day;
    ch_error err;
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-17T14:59:59"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-17T14:59:59Z");
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-17T15:00:00"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-18T09:00:00Z");
    ch_calendar_free(cal);
}

static void respects_a_lunch_break_and_part_day_closures(void **state)
{
    (void)state;
    ch_calendar_spec spec = {0};
    ch_calendar *cal;
    ch_time t;
    size_t day;
    ch_error err;
    ch_closure half_day = {ch_date_from_ymd(2026, 12, 24), ch_date_from_ymd(2026, 12, 24),
                           13 * 3600, 17 * 3600};
    spec.tz = *t_london();
    for (int d = 0; d < 5; d++) {
        spec.week.spans[d][0] = (ch_span){9 * 3600, 12 * 3600 + 1800};
        spec.week.spans[d][1] = (ch_span){13 * 3600 + 1800, 17 * 3600};
        spec.week.nspans[d] = 2;
    }
    spec.closures = &half_day;
    spec.nclosures = 1;
    spec.cutoff = -1;
    spec.first = ch_date_from_ymd(2026, 1, 1);
    spec.last = ch_date_from_ymd(2027, 12, 31);
    assert_int_equal(ch_calendar_build(&cal, &spec, &err), CH_OK);
    /* A call at lunch counts from the afternoon's opening, the same day. */
    assert_int_equal(ch_calendar_deem(cal, t_at("2026-12-17T12:45"), &t, &day, &err), CH_OK);
    assert_time(t, "2026-12-17T13:30:00Z");
    assert_int_equal(ch_calendar_add_working(cal, t_at("2026-12-17T11:00"), 3 * 3600, &t, &err),
                     CH_OK);
    assert_time(t, "2026-12-17T15:00:00Z");
    /* Christmas Eve closes at 13:00, so its day ends at the lunch break. */
    assert_int_equal(ch_calendar_day_close(
                         cal, ch_calendar_day_on_or_after(cal, ch_date_from_ymd(2026, 12, 24))),
                     t_at("2026-12-24T12:30"));
    ch_calendar_free(cal);
}

static void closes_whole_days_and_term_holidays(void **state)
{
    (void)state;
    ch_closure snow = {ch_date_from_ymd(2026, 11, 24), ch_date_from_ymd(2026, 11, 24), 0, 86400};
    ch_date_range terms[] = {
        {ch_date_from_ymd(2026, 9, 1), ch_date_from_ymd(2026, 10, 23)},
        {ch_date_from_ymd(2026, 11, 2), ch_date_from_ymd(2026, 12, 18)},
    };
    ch_calendar *cal = t_office(&snow, 1, terms, 2, -1);
    ch_time t;
    bool open;
    ch_error err;
    assert_int_equal(ch_calendar_is_open(cal, t_at("2026-11-24T10:00"), &open, &err), CH_OK);
    assert_false(open);
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-10-23T17:00"), &t, &err), CH_OK);
    assert_time(t, "2026-11-02T09:00:00Z"); /* half term passed over */
    /* After the last term we do not know; the answer is an error, not a guess. */
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-18T17:00"), &t, &err), CH_E_HORIZON);
    ch_calendar_free(cal);
}

static void refuses_to_answer_past_its_horizon(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_time t;
    size_t day;
    bool open;
    ch_error err;
    assert_int_equal(ch_calendar_is_open(cal, t_at("2031-01-02T10:00"), &open, &err), CH_E_HORIZON);
    assert_non_null(strstr(err.msg, "2030-12-31"));
    assert_int_equal(ch_calendar_deem(cal, t_at("2030-12-31T17:30"), &t, &day, &err), CH_E_HORIZON);
    assert_int_equal(ch_calendar_add_working(cal, t_at("2030-12-20T10:00"), 100 * 3600, &t, &err),
                     CH_E_HORIZON);
    assert_int_equal(ch_calendar_is_open(cal, t_at("2019-12-31T10:00"), &open, &err), CH_E_HORIZON);
    ch_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(knows_when_the_office_is_open),
        cmocka_unit_test(finds_the_next_opening_over_holidays_and_the_year_end),
        cmocka_unit_test(adds_and_measures_working_time),
        cmocka_unit_test(deems_receipt_at_opening_and_closing),
        cmocka_unit_test(applies_the_cut_off_to_the_second),
        cmocka_unit_test(respects_a_lunch_break_and_part_day_closures),
        cmocka_unit_test(closes_whole_days_and_term_holidays),
        cmocka_unit_test(refuses_to_answer_past_its_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
