/* Time zones: London's clock changes from the POSIX rule, wall-time
 * conversion in both directions, and RFC 3339 parsing. */
#include "helpers.h"

#include <string.h>

static void london_changes_on_the_last_sundays(void **state)
{
    (void)state;
    const ch_tz *tz = t_london();
    /* 2026: BST from 01:00 UTC on 29 March to 01:00 UTC on 25 October. */
    ch_time spring = (ch_time)ch_date_from_ymd(2026, 3, 29) * 86400 + 3600;
    ch_time autumn = (ch_time)ch_date_from_ymd(2026, 10, 25) * 86400 + 3600;
    assert_int_equal(ch_tz_offset_at(tz, spring - 1), 0);
    assert_int_equal(ch_tz_offset_at(tz, spring), 3600);
    assert_int_equal(ch_tz_offset_at(tz, autumn - 1), 3600);
    assert_int_equal(ch_tz_offset_at(tz, autumn), 0);
    /* 2027: 28 March and 31 October. */
    assert_int_equal(ch_tz_offset_at(tz, (ch_time)ch_date_from_ymd(2027, 3, 28) * 86400 + 3599), 0);
    assert_int_equal(ch_tz_offset_at(tz, (ch_time)ch_date_from_ymd(2027, 10, 31) * 86400), 3600);
}

/* The table of clock changes made at parsing gives what the rule gives, at
 * each change, a second either side, and through every year it holds, in
 * the north and in the south (where summer spans the new year). */
static void the_table_of_changes_agrees_with_the_rule(void **state)
{
    (void)state;
    static const char *const rules[] = {"GMT0BST,M3.5.0/1,M10.5.0", "AEST-10AEDT,M10.1.0,M4.1.0/3",
                                        "EST5EDT,M3.2.0,M11.1.0"};
    for (size_t r = 0; r < 3; r++) {
        ch_tz tz, rule;
        ch_error err;
        assert_int_equal(ch_tz_parse(&tz, rules[r], &err), CH_OK);
        assert_int_equal(tz.nchanges, 2 * CH_TZ_YEARS);
        rule = tz;
        rule.nchanges = 0; /* worked out from the rule every time */
        for (size_t i = 0; i < tz.nchanges; i++)
            for (ch_time t = tz.changes[i] - 1; t <= tz.changes[i] + 1; t++)
                assert_int_equal(ch_tz_offset_at(&tz, t), ch_tz_offset_at(&rule, t));
        for (ch_time t = tz.changes[0] - 86400; t < tz.changes[tz.nchanges - 1] + 86400;
             t += 7 * 3600 + 13)
            assert_int_equal(ch_tz_offset_at(&tz, t), ch_tz_offset_at(&rule, t));
    }
}

static void wall_times_in_the_gap_and_overlap_are_flagged(void **state)
{
    (void)state;
    ch_time t;
    bool amb;
    const ch_tz *tz = t_london();
    ch_date spring = ch_date_from_ymd(2026, 3, 29), autumn = ch_date_from_ymd(2026, 10, 25);
    assert_int_equal(ch_tz_from_local(tz, spring, 3600 + 1800, &t, &amb), CH_E_INVALID);
    assert_int_equal(ch_tz_from_local(tz, autumn, 3600 + 1800, &t, &amb), CH_OK);
    assert_true(amb);
    assert_time(t, "2026-10-25T00:30:00Z"); /* the earlier, in BST */
    assert_int_equal(ch_tz_from_local(tz, autumn, 9 * 3600, &t, &amb), CH_OK);
    assert_false(amb);
    assert_time(t, "2026-10-25T09:00:00Z");
}

static void parses_local_and_offset_times(void **state)
{
    (void)state;
    assert_time(t_at("2026-12-18T16:45"), "2026-12-18T16:45:00Z");
    assert_time(t_at("2026-06-18T16:45"), "2026-06-18T15:45:00Z");
    assert_time(t_at("2026-06-18T16:45:30"), "2026-06-18T15:45:30Z");
    assert_time(t_at("2026-06-18T16:45:00Z"), "2026-06-18T16:45:00Z");
    assert_time(t_at("2026-06-18T16:45:00+02:00"), "2026-06-18T14:45:00Z");
    assert_time(t_at("2026-06-18T16:45:00.250-01:30"), "2026-06-18T18:15:00Z");
}

static void refuses_times_that_do_not_exist_or_repeat(void **state)
{
    (void)state;
    ch_time t;
    ch_error err;
    assert_int_equal(ch_time_parse("2026-03-29T01:30", t_london(), &t, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "does not exist"));
    assert_int_equal(ch_time_parse("2026-10-25T01:30", t_london(), &t, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(ch_time_parse("2026-02-30T10:00", t_london(), &t, &err), CH_E_INVALID);
    assert_int_equal(ch_time_parse("2026-12-18T25:00", t_london(), &t, &err), CH_E_INVALID);
    assert_int_equal(ch_time_parse("yesterday", t_london(), &t, &err), CH_E_INVALID);
    assert_int_equal(ch_time_parse("2026-12-18T10:00+1", t_london(), &t, &err), CH_E_INVALID);
}

static void parses_posix_rules(void **state)
{
    (void)state;
    ch_tz tz;
    ch_error err;
    assert_int_equal(ch_tz_parse(&tz, "CET-1CEST,M3.5.0,M10.5.0/3", &err), CH_OK);
    assert_int_equal(tz.std_off, 3600);
    assert_int_equal(tz.dst_off, 7200);
    assert_int_equal(ch_tz_parse(&tz, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", &err), CH_OK);
    assert_int_equal(tz.std_off, 37800);
    /* Southern hemisphere: summer time spans the new year. */
    assert_int_equal(ch_tz_offset_at(&tz, (ch_time)ch_date_from_ymd(2027, 1, 10) * 86400), 39600);
    assert_int_equal(ch_tz_parse(&tz, "UTC0", &err), CH_OK);
    assert_false(tz.has_dst);
    assert_int_equal(ch_tz_parse(&tz, "GMT0BST,M13.5.0", &err), CH_E_INVALID);
    assert_int_equal(ch_tz_parse(&tz, "X", &err), CH_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(london_changes_on_the_last_sundays),
        cmocka_unit_test(the_table_of_changes_agrees_with_the_rule),
        cmocka_unit_test(wall_times_in_the_gap_and_overlap_are_flagged),
        cmocka_unit_test(parses_local_and_offset_times),
        cmocka_unit_test(refuses_times_that_do_not_exist_or_repeat),
        cmocka_unit_test(parses_posix_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
