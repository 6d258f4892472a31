/* Casework rules: what a contact meets, obligation states, a case's next
 * due time, and recomputing obligations when a case changes. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

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
    /* Every kind a policy may name can be kept by a contact that says so. */
    for (int k = 0; k < CH_OBLIGATION_COUNT; k++)
        assert_true(
            ch_contact_meets(true, false, 1u << k, (ch_obligation_kind)k, CH_OSTATE_PENDING));
    assert_false(ch_contact_meets(true, false, 1u << CH_OBLIGATION_PROCESS, CH_OBLIGATION_PROCESS,
                                  CH_OSTATE_WITHDRAWN));
}

static void closing_settles_every_open_obligation(void **state)
{
    (void)state;
    ch_time now = t_at("2026-12-01T12:00");
    ch_closing o[] = {
        {1, "reply", CH_OBLIGATION_RESPOND, CH_OSTATE_PENDING, t_at("2026-12-03T17:00"),
         CH_SETTLE_NONE, NULL},
        {2, "sorted", CH_OBLIGATION_RESOLVE, CH_OSTATE_PENDING, t_at("2026-12-10T17:00"),
         CH_SETTLE_NONE, NULL},
        {3, "ack", CH_OBLIGATION_ACKNOWLEDGE, CH_OSTATE_BREACHED, t_at("2026-11-20T17:00"),
         CH_SETTLE_NONE, NULL},
        {4, "kept", CH_OBLIGATION_RESPOND, CH_OSTATE_MET, t_at("2026-11-20T17:00"), CH_SETTLE_NONE,
         NULL},
        {5, "late", CH_OBLIGATION_UPDATE, CH_OSTATE_PENDING, t_at("2026-11-30T17:00"),
         CH_SETTLE_NONE, NULL},
    };
    ch_ostate st[5];
    const char *why[5];
    bool changed[5];
    ch_error err;
    /* A promise not yet due needs a decision; nothing else does. */
    assert_int_equal(ch_case_close(o, 5, now, st, why, changed, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "obligation 1 (reply) is not yet due"));
    assert_null(strstr(err.msg, "obligation 2"));
    o[0].asked = CH_SETTLE_WITHDRAWN;
    assert_int_equal(ch_case_close(o, 5, now, st, why, changed, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "say why"));
    o[0].reason = "The school withdrew the request.";
    assert_int_equal(ch_case_close(o, 5, now, st, why, changed, &err), CH_OK);
    assert_int_equal(st[0], CH_OSTATE_WITHDRAWN);
    assert_string_equal(why[0], "The school withdrew the request.");
    assert_int_equal(st[1], CH_OSTATE_MET); /* closing is the resolution */
    assert_int_equal(st[2], CH_OSTATE_BREACHED);
    assert_non_null(why[2]);
    assert_false(changed[3]);
    assert_int_equal(st[4], CH_OSTATE_BREACHED); /* past due, not yet swept */
    /* A kept promise cannot be settled again. */
    o[3].asked = CH_SETTLE_BREACHED;
    assert_int_equal(ch_case_close(o, 5, now, st, why, changed, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "obligation 4 (kept) is already settled"));
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

static void an_update_recurs_from_the_last_one_made(void **state)
{
    (void)state;
    ch_policy *pol = cognus();
    const ch_service *svc = ch_policy_service(pol, "enquiries");
    const ch_promise *p = ch_policy_promise(pol, "keep-informed");
    assert_non_null(p);
    assert_true(p->recurs);
    ch_time due;
    ch_error err;
    /* Friday 13 November 10:00 is day 0; five working days on is Friday 20th. */
    assert_int_equal(
        ch_promise_recurrence_due(pol, svc, p, t_at("2026-11-13T10:00"), NULL, 0, &due, &err),
        CH_OK);
    assert_time(due, "2026-11-20T17:00:00Z");
    /* A pause after it (a working day waiting for them) moves it on; one
     * before it does not. */
    ch_pause pauses[] = {{t_at("2026-11-02T09:00"), t_at("2026-11-04T09:00")},
                         {t_at("2026-11-16T09:00"), t_at("2026-11-17T09:00")}};
    assert_int_equal(
        ch_promise_recurrence_due(pol, svc, p, t_at("2026-11-13T10:00"), pauses, 2, &due, &err),
        CH_OK);
    assert_time(due, "2026-11-23T17:00:00Z");
    assert_int_equal(ch_promise_recurrence_due(pol, svc, ch_policy_promise(pol, "written-reply"),
                                               t_at("2026-11-13T10:00"), NULL, 0, &due, &err),
                     CH_E_INVALID);
    /* The recompute keeps the next one counted from the last one made. */
    const char *flags[] = {"delayed"};
    ch_contact c = {.channel = CH_CHANNEL_EMAIL,
                    .kind = CH_KIND_ENQUIRY,
                    .flags = flags,
                    .nflags = 1,
                    .received = t_at("2026-11-02T09:30")};
    ch_held held[] = {
        {"written-reply", CH_OSTATE_MET, t_at("2026-11-05T17:00"), t_at("2026-11-04T10:00")},
        {"keep-informed", CH_OSTATE_MET, t_at("2026-11-16T17:00"), t_at("2026-11-13T10:00")},
        {"keep-informed", CH_OSTATE_PENDING, t_at("2026-11-20T17:00"), 0},
    };
    ch_time dues[3];
    ch_ostate st[3];
    bool removed[3];
    ch_obligation added[8];
    size_t nadded;
    assert_int_equal(ch_case_recompute(pol, svc, &c, false, t_at("2026-11-18T10:00"), held, 3, dues,
                                       st, removed, added, 8, &nadded, &err),
                     CH_OK);
    assert_time(dues[2], "2026-11-20T17:00:00Z");
    assert_int_equal(st[2], CH_OSTATE_PENDING);
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
        cmocka_unit_test(closing_settles_every_open_obligation),
        cmocka_unit_test(an_update_recurs_from_the_last_one_made),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
