/* The one rule for whether a promise was kept: an obligation not yet due is
 * pending, never "not met", and a report as at an instant sees only what
 * had happened by then. */
#include "helpers.h"

#include "core/compliance.h"

static void outcome_as_at_an_instant(void **state)
{
    (void)state;
    ch_time due = t_at("2026-12-23T17:00");
    ch_time before = t_at("2026-12-01T09:00"), after = t_at("2026-12-24T09:00");
    /* Not yet due: pending, whatever the stored state says. */
    assert_int_equal(ch_outcome_at("pending", due, 0, before), CH_OUTCOME_PENDING);
    assert_int_equal(ch_outcome_at("breached", due, 0, before), CH_OUTCOME_PENDING);
    /* Due and passed, not met: not met, even before the sweep has run. */
    assert_int_equal(ch_outcome_at("pending", due, 0, after), CH_OUTCOME_NOT_MET);
    assert_int_equal(ch_outcome_at("breached", due, 0, after), CH_OUTCOME_NOT_MET);
    /* At the due time itself it is still in time. */
    assert_int_equal(ch_outcome_at("pending", due, 0, due), CH_OUTCOME_PENDING);
    assert_int_equal(ch_outcome_at("met", due, due, due), CH_OUTCOME_ON_TIME);
    /* Met: on time or late by its met time, counted only once it happened. */
    ch_time early = t_at("2026-12-22T10:00"), late = t_at("2026-12-29T10:00");
    assert_int_equal(ch_outcome_at("met", due, early, after), CH_OUTCOME_ON_TIME);
    assert_int_equal(ch_outcome_at("met", due, early, before), CH_OUTCOME_PENDING);
    assert_int_equal(ch_outcome_at("met", due, late, t_at("2026-12-30T09:00")), CH_OUTCOME_LATE);
    assert_int_equal(ch_outcome_at("met", due, late, after), CH_OUTCOME_NOT_MET);
    /* A stopped clock and a withdrawn promise. */
    assert_int_equal(ch_outcome_at("paused", due, 0, after), CH_OUTCOME_PENDING);
    assert_int_equal(ch_outcome_at("withdrawn", due, 0, after), CH_OUTCOME_WITHDRAWN);
    assert_int_equal(ch_outcome_at("withdrawn", due, early, after), CH_OUTCOME_WITHDRAWN);
}

/* 1 December: 29 fell due in December, one kept on time, the other 28 not
 * yet due. That is 100% kept so far, not 3%. */
static void a_month_still_running_is_so_far(void **state)
{
    (void)state;
    ch_tally t = {0};
    double rate;
    assert_false(ch_tally_rate(&t, &rate));
    assert_true(ch_tally_complete(&t, true));
    ch_tally_add(&t, CH_OUTCOME_ON_TIME);
    for (int i = 0; i < 28; i++)
        ch_tally_add(&t, CH_OUTCOME_PENDING);
    ch_tally_add(&t, CH_OUTCOME_WITHDRAWN);
    assert_int_equal(t.due, 29);
    assert_int_equal(t.pending, 28);
    assert_int_equal(t.withdrawn, 1);
    assert_int_equal(t.not_met, 0);
    assert_int_equal(ch_tally_known(&t), 1);
    assert_true(ch_tally_rate(&t, &rate));
    assert_true(rate == 1.0);
    assert_false(ch_tally_complete(&t, false));
    assert_false(ch_tally_complete(&t, true)); /* ended, but some still pending */

    ch_tally done = {0};
    ch_tally_add(&done, CH_OUTCOME_ON_TIME);
    ch_tally_add(&done, CH_OUTCOME_LATE);
    ch_tally_add(&done, CH_OUTCOME_NOT_MET);
    ch_tally_add(&done, CH_OUTCOME_ON_TIME);
    assert_true(ch_tally_rate(&done, &rate));
    assert_true(rate == 0.5);
    assert_true(ch_tally_complete(&done, true));
    assert_false(ch_tally_complete(&done, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcome_as_at_an_instant),
        cmocka_unit_test(a_month_still_running_is_so_far),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
