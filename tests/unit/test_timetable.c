/* The consultant's timetable: a booking that overlaps another of the same
 * person is found, touching ends are not a clash, and a visit fits its
 * day only when it starts at or after opening and ends by closing. */
#include "helpers.h"

#include "core/timetable.h"

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
