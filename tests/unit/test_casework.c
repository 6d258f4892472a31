/* Casework rules: what a contact meets, obligation states, a case's next
 * due time, and recomputing obligations when a case changes. */
#include "helpers.h"

#include <stdio.h>

#include "core/casework.h"
#include "policy/load.h"

static void only_outbound_or_resolved_contacts_meet_promises(void **state)
{
    (void)state;
    unsigned respond = 1u << CH_OBLIGATION_RESPOND;
    assert_true(ch_contact_meets(true, false, respond, CH_OBLIGATION_RESPOND, CH_OSTATE_PENDING));
    assert_true(ch_contact_meets(true, false, respond, CH_OBLIGATION_RESPOND, CH_OSTATE_BREACHED));
    assert_false(ch_contact_meets(true, false, respond, CH_OBLIGATION_RESPOND, CH_OSTATE_MET));
    assert_false(ch_contact_meets(false, false, respond, CH_OBLIGATION_RESPOND, CH_OSTATE_PENDING));
    assert_false(
        ch_contact_meets(true, false, respond, CH_OBLIGATION_ACKNOWLEDGE, CH_OSTATE_PENDING));
    /* Settled on the call: every reply the case owed is given. */
    assert_true(ch_contact_meets(false, true, 0, CH_OBLIGATION_ACKNOWLEDGE, CH_OSTATE_PENDING));
    assert_true(ch_contact_meets(false, true, 0, CH_OBLIGATION_RESOLVE, CH_OSTATE_PENDING));
    /* A service order is processed, not answered by a call. */
    assert_false(ch_contact_meets(true, true, 0, CH_OBLIGATION_PROCESS, CH_OSTATE_PENDING));
}

static void states_and_the_next_due_time(void **state)
{
    (void)state;
    assert_int_equal(ch_ostate_at(false, 100, 99), CH_OSTATE_PENDING);
    assert_int_equal(ch_ostate_at(false, 100, 101), CH_OSTATE_BREACHED);
    assert_int_equal(ch_ostate_at(true, 100, 101), CH_OSTATE_PAUSED);
    ch_time due[] = {300, 100, 200, 50};
    ch_ostate st[] = {CH_OSTATE_PENDING, CH_OSTATE_MET, CH_OSTATE_BREACHED, CH_OSTATE_PAUSED};
    assert_int_equal(ch_next_due(due, st, 4), 200);
    assert_int_equal(ch_next_due(due, st, 0), 0);
}

static ch_policy *cognus(void)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    if (ch_policy_load_file(&pol, CHARTER_SOURCE_DIR "/policies/cognus.yaml", &d))
        fail_msg("cognus.yaml did not load");
    ch_diags_free(&d);
    return pol;
}

static void a_new_flag_swaps_the_promises_that_apply(void **state)
{
    (void)state;
    ch_policy *pol = cognus();
    const ch_service *svc = ch_policy_service(pol, "enquiries");
    const char *flags[] = {"complex"};
    ch_contact c = {.channel = CH_CHANNEL_EMAIL,
                    .kind = CH_KIND_ENQUIRY,
                    .flags = flags,
                    .nflags = 1,
                    .received = t_at("2026-12-18T16:45")};
    ch_held held[] = {{"written-reply", CH_OSTATE_PENDING, t_at("2026-12-23T17:00")}};
    ch_time due[1];
    ch_ostate st[1];
    bool removed[1];
    ch_obligation added[8];
    size_t nadded;
    ch_error err;
    assert_int_equal(ch_case_recompute(pol, svc, &c, false, t_at("2026-12-19T10:00"), held, 1, due,
                                       st, removed, added, 8, &nadded, &err),
                     CH_OK);
    assert_true(removed[0]);
    assert_int_equal(nadded, 2);
    assert_string_equal(added[0].promise->id, "complex-acknowledge");
    assert_time(added[0].due, "2026-12-23T17:00:00Z");
    assert_string_equal(added[1].promise->id, "complex-reply");
    /* A promise already kept is left as it was, even if it no longer applies. */
    held[0].state = CH_OSTATE_MET;
    assert_int_equal(ch_case_recompute(pol, svc, &c, false, t_at("2026-12-19T10:00"), held, 1, due,
                                       st, removed, added, 8, &nadded, &err),
                     CH_OK);
    assert_false(removed[0]);
    assert_int_equal(st[0], CH_OSTATE_MET);
    ch_policy_free(pol);
}

static void a_resumed_pause_moves_the_due_time(void **state)
{
    (void)state;
    ch_policy *pol = cognus();
    const ch_service *svc = ch_policy_service(pol, "enquiries");
    ch_pause weekend = {t_at("2026-12-11T16:00"), t_at("2026-12-14T09:00")};
    ch_contact c = {.channel = CH_CHANNEL_EMAIL,
                    .kind = CH_KIND_ENQUIRY,
                    .received = t_at("2026-12-09T10:00"),
                    .pauses = &weekend,
                    .npauses = 1};
    ch_held held[] = {{"written-reply", CH_OSTATE_PAUSED, t_at("2026-12-14T17:00")}};
    ch_time due[1];
    ch_ostate st[1];
    bool removed[1];
    ch_obligation added[8];
    size_t nadded;
    ch_error err;
    assert_int_equal(ch_case_recompute(pol, svc, &c, false, t_at("2026-12-14T09:00"), held, 1, due,
                                       st, removed, added, 8, &nadded, &err),
                     CH_OK);
    assert_time(due[0], "2026-12-15T17:00:00Z");
    assert_int_equal(st[0], CH_OSTATE_PENDING);
    assert_int_equal(nadded, 0);
    ch_policy_free(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_outbound_or_resolved_contacts_meet_promises),
        cmocka_unit_test(states_and_the_next_due_time),
        cmocka_unit_test(a_new_flag_swaps_the_promises_that_apply),
        cmocka_unit_test(a_resumed_pause_moves_the_due_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
