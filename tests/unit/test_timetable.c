/* The consultant's timetable: a booking that overlaps another of the same
 * person is found, touching ends are not a clash, and a visit fits its
 * day only when it starts at or after opening and ends by closing. */
#include "helpers.h"

#include <stdio.h>

#include "core/timetable.h"
#include "policy/load.h"

enum { NINE = 9 * 3600, HALF_NINE = NINE + 1800, ELEVEN = 11 * 3600 };

static void an_overlap_is_found_and_named_by_its_index(void **state)
{
    (void)state;
    const ch_slot booked[] = {{ELEVEN, 60}, {NINE, 150}};
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){HALF_NINE, 60}), 1);
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){HALF_NINE, 150}), 0);
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){NINE - 1800, 31}), 1);
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){ELEVEN + 3599, 10}), 0);
}

static void touching_ends_and_empty_slots_do_not_clash(void **state)
{
    (void)state;
    const ch_slot booked[] = {{NINE, 120}, {ELEVEN + 3600, 0}};
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){ELEVEN, 60}), -1);
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){NINE - 3600, 60}), -1);
    assert_int_equal(ch_timetable_clash(booked, 2, (ch_slot){NINE, 0}), -1);
    assert_int_equal(ch_timetable_clash(NULL, 0, (ch_slot){NINE, 60}), -1);
}

static ch_policy *beacon(void)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    char path[512];
    snprintf(path, sizeof(path), "%s/policies/beacon.yaml", CHARTER_SOURCE_DIR);
    if (ch_policy_load_file(&pol, path, &d))
        fail_msg("beacon.yaml did not load");
    ch_diags_free(&d);
    return pol;
}

/* Training on a term's first or last day is to be agreed; the school hears
 * what it needs a set number of working days before, holidays skipped. */
static void training_days_and_resources_notice(void **state)
{
    (void)state;
    ch_policy *pol = beacon();
    const ch_service *svc = ch_policy_service(pol, "consultancy");
    const ch_calendar *cal = ch_policy_service_calendar(pol, svc);
    const char *edge = NULL;
    size_t term = 99;
    assert_true(ch_timetable_term_edge(cal, ch_date_from_ymd(2027, 1, 4), &edge, &term));
    assert_string_equal(edge, "first");
    assert_true(ch_timetable_term_edge(cal, ch_date_from_ymd(2026, 12, 18), &edge, &term));
    assert_string_equal(edge, "last");
    assert_false(ch_timetable_term_edge(cal, ch_date_from_ymd(2027, 1, 5), &edge, &term));
    assert_int_equal(svc->training_days, 5);
    ch_time due, training = (ch_time)ch_date_from_ymd(2027, 1, 4) * CH_DAY_SECS + 9 * 3600;
    ch_error err;
    assert_int_equal(ch_timetable_notice_due(cal, training, 5, &due, &err), CH_OK);
    /* Five working days back over the Christmas holiday: Monday 14 December,
     * at the close (16:30; London is on UTC in winter). */
    assert_int_equal(due, (ch_time)ch_date_from_ymd(2026, 12, 14) * CH_DAY_SECS + 16 * 3600 + 1800);
    assert_int_equal(ch_timetable_notice_due(cal, training, 0, &due, &err), CH_OK);
    assert_int_equal(due, (ch_time)ch_date_from_ymd(2027, 1, 4) * CH_DAY_SECS + 16 * 3600 + 1800);
    ch_policy_free(pol);
}

static void a_visit_fits_its_working_day_or_not(void **state)
{
    (void)state;
    const ch_time open = 8 * 3600 + 1800, close = 16 * 3600 + 1800;
    assert_true(ch_timetable_within(open, close, (ch_slot){open, 150}));
    assert_true(ch_timetable_within(open, close, (ch_slot){close - 3600, 60}));
    assert_false(ch_timetable_within(open, close, (ch_slot){7 * 3600, 60}));
    assert_false(ch_timetable_within(open, close, (ch_slot){15 * 3600, 150}));
    assert_false(ch_timetable_within(open, close, (ch_slot){close, 30}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_overlap_is_found_and_named_by_its_index),
        cmocka_unit_test(touching_ends_and_empty_slots_do_not_clash),
        cmocka_unit_test(a_visit_fits_its_working_day_or_not),
        cmocka_unit_test(training_days_and_resources_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
