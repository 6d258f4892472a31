/* Deadlines: the worked examples of DESIGN.md and every counting rule, on a
 * weekday 09:00-17:00 calendar with England and Wales bank holidays. */
#include "helpers.h"

#include "core/deadline.h"

static ch_time due_on(const ch_calendar *cal, ch_target tg, const char *start, ch_anchor anchor,
                      const ch_pause *pauses, size_t n)
{
    ch_time due = 0;
    ch_error err = {0};
    int rc = ch_deadline_compute(cal, &tg, t_at(start), anchor, pauses, n, &due, &err);
    if (rc)
        fail_msg("deadline from %s failed: %s", start, err.msg);
    return due;
}

static const ch_target three_days = {3, CH_UNIT_WORKING_DAYS, CH_COUNT_CLOSE_OF_DAY, false, false};

static void matches_the_worked_examples(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    assert_time(due_on(cal, three_days, "2026-12-18T16:45", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-23T17:00:00Z");
    assert_time(due_on(cal, three_days, "2026-12-24T10:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-31T17:00:00Z");
    /* After hours on Friday counts from Monday. */
    assert_time(due_on(cal, three_days, "2026-12-18T17:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-24T17:00:00Z");
    ch_calendar_free(cal);
}

static void same_day_promises_close_that_day_or_the_next(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, 15 * 3600);
    ch_target same = {0, CH_UNIT_WORKING_DAYS, CH_COUNT_CLOSE_OF_DAY, false, false};
    assert_time(due_on(cal, same, "2026-12-17T14:59:59", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-17T17:00:00Z");
    assert_time(due_on(cal, same, "2026-12-17T15:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-18T17:00:00Z");
    assert_time(due_on(cal, same, "2026-12-18T15:30", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-21T17:00:00Z");
    ch_calendar_free(cal);
}

static void counts_across_both_clock_changes(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    /* Thursday in GMT, due Tuesday 17:00 BST (16:00 UTC). */
    assert_time(due_on(cal, three_days, "2026-03-26T10:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-03-31T16:00:00Z");
    /* Friday in BST, due Wednesday 17:00 GMT. */
    assert_time(due_on(cal, three_days, "2026-10-23T10:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-10-28T17:00:00Z");
    ch_calendar_free(cal);
}

static void term_time_skips_half_term(void **state)
{
    (void)state;
    ch_closure half_term = {ch_date_from_ymd(2026, 10, 26), ch_date_from_ymd(2026, 10, 30), 0,
                            86400};
    ch_date_range autumn = {ch_date_from_ymd(2026, 9, 1), ch_date_from_ymd(2026, 12, 18)};
    ch_calendar *cal = t_office(&half_term, 1, &autumn, 1, 15 * 3600);
    ch_target same = {0, CH_UNIT_WORKING_DAYS, CH_COUNT_CLOSE_OF_DAY, false, false};
    assert_time(due_on(cal, same, "2026-10-23T15:30", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-11-02T17:00:00Z");
    assert_time(due_on(cal, same, "2026-10-27T11:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-11-02T17:00:00Z");
    ch_calendar_free(cal);
}

static void calendar_months_handle_leap_days_and_month_ends(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_target month = {1, CH_UNIT_CALENDAR_MONTHS, CH_COUNT_CLOSE_OF_DAY, true, false};
    assert_time(due_on(cal, month, "2028-01-31T12:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2028-02-29T23:59:59Z");
    /* 28 February 2027 is a Sunday: rolled to Monday 1 March. */
    assert_time(due_on(cal, month, "2027-01-31T12:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2027-03-01T23:59:59Z");
    /* 30 September 2026 is a Wednesday; in BST, so 22:59:59 UTC. */
    assert_time(due_on(cal, month, "2026-08-31T12:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-09-30T22:59:59Z");
    /* Without rolling, a weekend date stands. */
    month.roll_to_working_day = false;
    assert_time(due_on(cal, month, "2027-01-31T12:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2027-02-28T23:59:59Z");
    ch_target week = {7, CH_UNIT_CALENDAR_DAYS, CH_COUNT_CLOSE_OF_DAY, false, false};
    assert_time(due_on(cal, week, "2026-12-21T11:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-28T23:59:59Z");
    ch_calendar_free(cal);
}

static void a_pause_over_a_weekend_moves_the_due_time(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_pause weekend = {t_at("2026-12-11T16:00"), t_at("2026-12-14T09:00")};
    assert_time(due_on(cal, three_days, "2026-12-09T10:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-14T17:00:00Z");
    /* Stopped on Friday, restarted on Monday: one working day given back. */
    assert_time(due_on(cal, three_days, "2026-12-09T10:00", CH_ANCHOR_RECEIPT, &weekend, 1),
                "2026-12-15T17:00:00Z");
    /* A pause within one day gives no day back. */
    ch_pause hour = {t_at("2026-12-10T10:00"), t_at("2026-12-10T11:00")};
    assert_time(due_on(cal, three_days, "2026-12-09T10:00", CH_ANCHOR_RECEIPT, &hour, 1),
                "2026-12-14T17:00:00Z");
    /* Elapsed hours: the pause's working hour (Friday 16-17) is added. */
    ch_target hours = {16, CH_UNIT_WORKING_HOURS, CH_COUNT_ELAPSED, false, false};
    assert_time(due_on(cal, hours, "2026-12-10T10:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-14T10:00:00Z");
    assert_time(due_on(cal, hours, "2026-12-10T10:00", CH_ANCHOR_RECEIPT, &weekend, 1),
                "2026-12-14T11:00:00Z");
    /* A pause after the due time changes nothing. */
    ch_pause late = {t_at("2026-12-16T10:00"), t_at("2026-12-17T10:00")};
    assert_time(due_on(cal, three_days, "2026-12-09T10:00", CH_ANCHOR_RECEIPT, &late, 1),
                "2026-12-14T17:00:00Z");
    ch_calendar_free(cal);
}

static void elapsed_days_keep_the_time_of_day(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_target elapsed = {3, CH_UNIT_WORKING_DAYS, CH_COUNT_ELAPSED, false, false};
    assert_time(due_on(cal, elapsed, "2026-12-21T14:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-24T14:00:00Z");
    assert_time(due_on(cal, elapsed, "2026-12-23T14:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-30T14:00:00Z");
    ch_calendar_free(cal);
}

static void an_earlier_obligation_anchors_on_its_own_day(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_target ten = {10, CH_UNIT_WORKING_DAYS, CH_COUNT_CLOSE_OF_DAY, false, false};
    /* An acknowledgement due at Tuesday's close counts Tuesday as day 0. */
    assert_time(due_on(cal, ten, "2026-12-29T17:00", CH_ANCHOR_EVENT, NULL, 0),
                "2027-01-13T17:00:00Z");
    /* A contact arriving at the same instant counts from the next day. */
    assert_time(due_on(cal, ten, "2026-12-29T17:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2027-01-14T17:00:00Z");
    ch_calendar_free(cal);
}

static void the_date_of_receipt_can_be_day_zero(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_target foi = {1, CH_UNIT_WORKING_DAYS, CH_COUNT_CLOSE_OF_DAY, false, true};
    /* Saturday's request: Monday is the first working day after it. */
    assert_time(due_on(cal, foi, "2026-12-19T11:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-21T17:00:00Z");
    /* Deemed receipt would have made Monday day 0. */
    foi.from_receipt_date = false;
    assert_time(due_on(cal, foi, "2026-12-19T11:00", CH_ANCHOR_RECEIPT, NULL, 0),
                "2026-12-22T17:00:00Z");
    ch_calendar_free(cal);
}

static void reports_the_horizon_instead_of_guessing(void **state)
{
    (void)state;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, -1);
    ch_time due;
    ch_error err;
    assert_int_equal(ch_deadline_compute(cal, &three_days, t_at("2030-12-30T10:00"),
                                         CH_ANCHOR_RECEIPT, NULL, 0, &due, &err),
                     CH_E_HORIZON);
    ch_target month = {1, CH_UNIT_CALENDAR_MONTHS, CH_COUNT_CLOSE_OF_DAY, true, false};
    assert_int_equal(ch_deadline_compute(cal, &month, t_at("2030-12-10T10:00"), CH_ANCHOR_RECEIPT,
                                         NULL, 0, &due, &err),
                     CH_E_HORIZON);
    ch_pause backwards = {t_at("2026-12-10T10:00"), t_at("2026-12-09T10:00")};
    assert_int_equal(ch_deadline_compute(cal, &three_days, t_at("2026-12-08T10:00"),
                                         CH_ANCHOR_RECEIPT, &backwards, 1, &due, &err),
                     CH_E_INVALID);
    ch_calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_the_worked_examples),
        cmocka_unit_test(same_day_promises_close_that_day_or_the_next),
        cmocka_unit_test(counts_across_both_clock_changes),
        cmocka_unit_test(term_time_skips_half_term),
        cmocka_unit_test(calendar_months_handle_leap_days_and_month_ends),
        cmocka_unit_test(a_pause_over_a_weekend_moves_the_due_time),
        cmocka_unit_test(elapsed_days_keep_the_time_of_day),
        cmocka_unit_test(an_earlier_obligation_anchors_on_its_own_day),
        cmocka_unit_test(the_date_of_receipt_can_be_day_zero),
        cmocka_unit_test(reports_the_horizon_instead_of_guessing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
