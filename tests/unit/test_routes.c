/* Where requests go: routes and internal targets as the loader reads them
 * (and every mistake at its line and column), who may move a case, and
 * what a transfer or referral leaves the case owing. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/transfer.h"
#include "policy/load.h"

static ch_policy *seed(const char *name)
{
    char path[512];
    ch_policy *pol = NULL;
    ch_diags d = {0};
    snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, name);
    if (ch_policy_load_file(&pol, path, &d)) {
        ch_diags_print(&d, stderr);
        fail_msg("%s did not load", name);
    }
    ch_diags_free(&d);
    return pol;
}

static const ch_promise *promise(const ch_policy *pol, const char *id)
{
    for (size_t i = 0; i < pol->npromises; i++)
        if (strcmp(pol->promises[i].id, id) == 0)
            return &pol->promises[i];
    fail_msg("no promise %s", id);
    return NULL;
}

static void the_seeds_route_foi_to_the_council_and_mark_internal_targets(void **state)
{
    (void)state;
    ch_policy *cognus = seed("cognus.yaml"), *care = seed("customer-care-template.yaml");
    const ch_service *enq = ch_policy_service(cognus, "enquiries");
    const ch_route *r = ch_policy_route(cognus, enq, CH_KIND_FOI);
    assert_non_null(r);
    assert_ptr_equal(ch_policy_route(cognus, enq, CH_KIND_SAR), r);
    assert_string_equal(r->to, "sutton/information-requests");
    assert_non_null(strstr(r->text, "London Borough of Sutton"));
    assert_null(ch_policy_route(cognus, enq, CH_KIND_ENQUIRY));
    assert_true(promise(care, "feedback-response")->internal);
    assert_false(promise(care, "written-reply")->internal);
    /* A message through the website is written correspondence. */
    assert_true(promise(cognus, "written-reply")->channels & (1u << CH_CHANNEL_WEB));
    ch_policy_free(cognus);
    ch_policy_free(care);
}

static ch_diags load_bad(const char *text)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", text, strlen(text), NULL, &d),
                         CH_OK);
    assert_null(pol);
    return d;
}

static void assert_diag(const ch_diags *d, int line, int col, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++) {
        const ch_diag *x = &d->items[i];
        if (x->line == line && x->col == col && strstr(x->msg, fragment))
            return;
    }
    ch_diags_print(d, stderr);
    fail_msg("no diagnostic at %d:%d containing '%s'", line, col, fragment);
}

#define HEAD                                                                                       \
    "charter: 1\n"                                                                                 \
    "id: test\n"                                                                                   \
    "organisation: Test\n"                                                                         \
    "review_by: 2027-01-01\n"                                                                      \
    "calendars:\n"                                                                                 \
    "  office:\n"                                                                                  \
    "    hours:\n"                                                                                 \
    "      monday-friday: 09:00-17:00\n"                                                           \
    "services:\n"                                                                                  \
    "  - id: enquiries\n"                                                                          \
    "    name: Enquiries\n"                                                                        \
    "    calendar: office\n" /* line 12 */

static void a_route_and_an_internal_target_load(void **state)
{
    (void)state;
    const char *text = HEAD "promises:\n"
                            "  - id: feedback\n"
                            "    text: Every complaint is answered.\n"
                            "    internal: true\n"
                            "    applies_to: {kinds: [complaint]}\n"
                            "    obligation: respond\n"
                            "    within: 10 working days\n"
                            "routes:\n"
                            "  - kinds: [foi]\n"
                            "    services: [enquiries]\n"
                            "    to: council/foi\n"
                            "    text: The council answers FOI requests.\n";
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_equal(ch_policy_load_text(&pol, "good.yaml", text, strlen(text), NULL, &d), CH_OK);
    assert_true(pol->promises[0].internal);
    assert_int_equal(pol->nroutes, 1);
    assert_int_equal(pol->routes[0].kinds, 1u << CH_KIND_FOI);
    assert_int_equal(pol->routes[0].nservices, 1);
    assert_string_equal(pol->routes[0].to, "council/foi");
    ch_policy_free(pol);
}

static void mistakes_in_routes_and_internal_are_reported_where_they_are(void **state)
{
    (void)state;
    ch_diags d = load_bad(HEAD "promises:\n"
                               "  - id: feedback\n"
                               "    text: Every complaint is answered.\n"
                               "    internal: yes\n" /* line 16 */
                               "    obligation: respond\n"
                               "    within: 10 working days\n"
                               "routes:\n"
                               "  - kinds: [fio]\n" /* line 20 */
                               "    too: council/foi\n"
                               "    text: The council answers.\n"
                               "  - kinds: [sar]\n"
                               "    services: [helpdesk]\n" /* line 24 */
                               "    to: council\n"
                               "    text: The council answers.\n"
                               "  - kinds: [sar]\n"
                               "    to: test/nowhere\n" /* line 28 */
                               "    text: \"\"\n");
    assert_diag(&d, 16, 15, "internal must be true");
    assert_diag(&d, 20, 13, "did you mean 'foi'");
    assert_diag(&d, 21, 5, "did you mean 'to'");
    assert_diag(&d, 24, 16, "service 'helpdesk', which is not defined");
    assert_diag(&d, 25, 9, "POLICY/SERVICE");
    assert_diag(&d, 28, 9, "service 'nowhere', which is not defined");
    assert_diag(&d, 29, 12, "text is empty");
    ch_diags_free(&d);
    d = load_bad(HEAD "promises: []\nroutes: {to: x}\n");
    assert_diag(&d, 14, 10, "routes must be a list");
    ch_diags_free(&d);
    d = load_bad(HEAD "promises: []\nroutes:\n  - kinds: [foi]\n");
    assert_diag(&d, 15, 5, "no \"to\"");
    assert_diag(&d, 15, 5, "no text");
    ch_diags_free(&d);
}

static void who_may_move_a_case(void **state)
{
    (void)state;
    ch_route r = {.kinds = 1u << CH_KIND_FOI, .to = "sutton/information-requests"};
    assert_true(ch_move_allowed(true, false, NULL, "sendiass/enquiries")); /* a manager */
    assert_true(ch_move_allowed(false, true, NULL, "sendiass/enquiries")); /* their service */
    assert_true(ch_move_allowed(false, false, &r, "sutton/information-requests")); /* route */
    assert_false(ch_move_allowed(false, false, &r, "sendiass/enquiries"));
    assert_false(ch_move_allowed(false, false, NULL, "sutton/information-requests"));
}

enum { CAP = 16 };

static void a_referral_counts_the_statutory_clock_from_first_receipt(void **state)
{
    (void)state;
    ch_policy *cognus = seed("cognus.yaml"), *sutton = seed("sutton.yaml");
    ch_contact c = {
        .channel = CH_CHANNEL_EMAIL, .kind = CH_KIND_FOI, .received = t_at("2026-11-02T10:00")};
    ch_obligation added[CAP];
    size_t nadded;
    ch_time deemed;
    ch_error err;
    assert_int_equal(ch_case_move(cognus, ch_policy_service(cognus, "enquiries"), sutton,
                                  ch_policy_service(sutton, "information-requests"), &c, false,
                                  false, t_at("2026-11-20T12:00"), NULL, 0, NULL, NULL, NULL, added,
                                  CAP, &nadded, &deemed, &err),
                     CH_OK);
    assert_int_equal(nadded, 1);
    assert_string_equal(added[0].promise->id, "foi-reply");
    /* 20 UK working days after Monday 2 November: St Andrew's Day (30
     * November, a Scottish bank holiday) does not count. */
    assert_time(added[0].due, "2026-12-01T23:59:59Z");
    assert_time(deemed, "2026-11-02T10:00:00Z");
    ch_policy_free(cognus);
    ch_policy_free(sutton);
}

static void at_another_body_open_promises_are_withdrawn_and_history_stays(void **state)
{
    (void)state;
    ch_policy *cognus = seed("cognus.yaml"), *sendiass = seed("sendiass.yaml");
    ch_contact c = {
        .channel = CH_CHANNEL_EMAIL, .kind = CH_KIND_ENQUIRY, .received = t_at("2026-11-02T10:00")};
    ch_held held[] = {{"written-reply", CH_OSTATE_PENDING, t_at("2026-11-05T17:00")},
                      {"message-picked-up", CH_OSTATE_MET, t_at("2026-11-02T17:00")},
                      {"complex-acknowledge", CH_OSTATE_BREACHED, t_at("2026-11-05T17:00")},
                      {"complex-reply", CH_OSTATE_PAUSED, t_at("2026-11-16T17:00")}};
    ch_ostate st[4];
    ch_time due[4];
    bool carried[4];
    ch_obligation added[CAP];
    size_t nadded;
    ch_time deemed;
    ch_error err;
    assert_int_equal(ch_case_move(cognus, ch_policy_service(cognus, "enquiries"), sendiass,
                                  ch_policy_service(sendiass, "enquiries"), &c, false, false,
                                  t_at("2026-11-03T12:00"), held, 4, st, due, carried, added, CAP,
                                  &nadded, &deemed, &err),
                     CH_OK);
    assert_int_equal(st[0], CH_OSTATE_WITHDRAWN);
    assert_int_equal(st[1], CH_OSTATE_MET);
    assert_int_equal(st[2], CH_OSTATE_BREACHED); /* a broken promise stays broken */
    assert_int_equal(st[3], CH_OSTATE_WITHDRAWN);
    assert_int_equal(due[0], held[0].due);
    for (int i = 0; i < 4; i++) /* all of it stays behind as Cognus's history */
        assert_false(carried[i]);
    assert_int_equal(nadded, 1);
    assert_string_equal(added[0].promise->id, "enquiry-reply");
    assert_time(added[0].due, "2026-11-09T16:30:00Z"); /* 5 days on SENDIASS's 09:30-16:30 */
    ch_policy_free(cognus);
    ch_policy_free(sendiass);
}

static void within_one_organisation_its_promises_go_with_the_case(void **state)
{
    (void)state;
    ch_policy *h = seed("hackney-services-for-schools.yaml");
    const ch_service *from = ch_policy_service(h, "enquiries");
    const ch_service *to = ch_policy_service(h, "school-improvement");
    ch_contact c = {
        .channel = CH_CHANNEL_EMAIL, .kind = CH_KIND_ENQUIRY, .received = t_at("2026-11-02T10:00")};
    ch_held held[] = {{"written-acknowledge", CH_OSTATE_MET, t_at("2026-11-04T17:00")},
                      {"written-reply", CH_OSTATE_PENDING, t_at("2026-11-16T17:00")},
                      {"call-returned", CH_OSTATE_PENDING, t_at("2026-11-03T17:00")}};
    ch_ostate st[3];
    ch_time due[3];
    bool carried[3];
    ch_obligation added[CAP];
    size_t nadded;
    ch_time deemed;
    ch_error err;
    assert_int_equal(ch_case_move(h, from, h, to, &c, false, true, t_at("2026-11-03T12:00"), held,
                                  3, st, due, carried, added, CAP, &nadded, &deemed, &err),
                     CH_OK);
    assert_int_equal(st[0], CH_OSTATE_MET);    /* acknowledged once is enough */
    assert_int_equal(st[1], CH_OSTATE_PAUSED); /* still owed, and the case is paused */
    assert_time(due[1], "2026-11-16T17:00:00Z");
    assert_int_equal(st[2], CH_OSTATE_WITHDRAWN); /* a callback promise for phone calls only */
    assert_false(carried[0]);                     /* kept by the enquiries team: its history */
    assert_true(carried[1]);
    assert_false(carried[2]);
    assert_int_equal(nadded, 0);
    /* Nowhere to go, or nothing to move. */
    assert_int_equal(ch_case_move(h, from, h, from, &c, false, false, 0, held, 3, st, due, carried,
                                  added, CAP, &nadded, &deemed, &err),
                     CH_E_INVALID);
    assert_non_null(strstr(err.msg, "already with"));
    assert_int_equal(ch_case_move(h, from, h, to, &c, true, false, 0, held, 3, st, due, carried,
                                  added, CAP, &nadded, &deemed, &err),
                     CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "reopen it first"));
    ch_policy_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_seeds_route_foi_to_the_council_and_mark_internal_targets),
        cmocka_unit_test(a_route_and_an_internal_target_load),
        cmocka_unit_test(mistakes_in_routes_and_internal_are_reported_where_they_are),
        cmocka_unit_test(who_may_move_a_case),
        cmocka_unit_test(a_referral_counts_the_statutory_clock_from_first_receipt),
        cmocka_unit_test(at_another_body_open_promises_are_withdrawn_and_history_stays),
        cmocka_unit_test(within_one_organisation_its_promises_go_with_the_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
