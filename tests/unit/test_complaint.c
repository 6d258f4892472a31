/* Complaint stages: uk-statutory's stages as loaded (and mistakes placed at
 * their line), each stage's clock from its start, the steps a request may be,
 * the closing letter's words, and who may see a complaint naming staff. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/complaint.h"
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

static ch_policy *statutory(void)
{
    return seed("uk-statutory.yaml");
}

static const ch_obligation *find(const ch_obligation *ob, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ob[i].promise->id, id) == 0)
            return &ob[i];
    return NULL;
}

static void each_stage_counts_from_when_it_began(void **state)
{
    (void)state;
    ch_policy *pol = statutory();
    const ch_service *svc = ch_policy_service(pol, "enquiries");
    ch_error err;
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    assert_int_equal(pol->nstages, 2);
    assert_string_equal(pol->stages[1].id, "stage-2");
    assert_non_null(strstr(pol->stages[1].escalation, "Ombudsman"));
    ch_contact c = {.channel = CH_CHANNEL_LETTER,
                    .kind = CH_KIND_COMPLAINT,
                    .received = t_at("2026-12-18T12:00")};
    /* A new complaint is at stage 1: its promises only. */
    assert_int_equal(
        ch_policy_obligations(pol, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &deemed, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_non_null(find(ob, n, "complaint-stage1-reply"));
    assert_time(find(ob, n, "complaint-stage1-reply")->due, "2027-01-13T17:00:00Z");
    /* Stage 2 began on 4 January: its clock runs from then, not from the
     * complaint's first receipt. */
    c.stage = 1;
    c.stage_started = t_at("2027-01-04T10:00");
    assert_int_equal(
        ch_complaint_stage_obligations(pol, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &err), CH_OK);
    assert_int_equal(n, 2);
    assert_null(find(ob, n, "complaint-stage1-reply"));
    assert_time(find(ob, n, "complaint-stage2-acknowledge")->due, "2027-01-11T17:00:00Z");
    assert_time(find(ob, n, "complaint-stage2-reply")->due, "2027-02-08T17:00:00Z");
    /* An FOI request has no stage: the stage facts change nothing. */
    c.kind = CH_KIND_FOI;
    assert_int_equal(
        ch_complaint_stage_obligations(pol, svc, &c, ob, CH_POLICY_MAX_PROMISES, &n, &err), CH_OK);
    assert_int_equal(n, 0);
    ch_policy_free(pol);
}

static void a_request_is_one_step_or_a_sentence(void **state)
{
    (void)state;
    ch_policy *pol = statutory();
    ch_stage_step s;
    ch_error err = {0};
    /* Open stage 1: a finding closes it, and may escalate with it. */
    assert_int_equal(ch_complaint_step(pol, 0, false, true, false, false, &s, &err), CH_OK);
    assert_true(s.close && !s.open_next);
    assert_int_equal(ch_complaint_step(pol, 0, false, true, true, false, &s, &err), CH_OK);
    assert_true(s.close && s.open_next);
    assert_int_equal(ch_complaint_step(pol, 0, false, false, true, false, &s, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "still open"));
    /* Closed stage 1: only escalation, without a second finding. */
    assert_int_equal(ch_complaint_step(pol, 0, true, false, true, false, &s, &err), CH_OK);
    assert_true(!s.close && s.open_next);
    assert_int_equal(ch_complaint_step(pol, 0, true, true, false, false, &s, &err), CH_E_CONFLICT);
    assert_int_equal(ch_complaint_step(pol, 0, true, false, false, false, &s, &err), CH_E_INVALID);
    /* The last stage has nowhere to go; a closed case takes no step. */
    assert_int_equal(ch_complaint_step(pol, 1, false, true, true, false, &s, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "last stage"));
    assert_int_equal(ch_complaint_step(pol, 0, false, true, false, true, &s, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "reopen"));
    ch_policy_free(pol);
}

static void the_letter_gives_the_finding_and_the_way_on(void **state)
{
    (void)state;
    ch_policy *pol = statutory();
    char text[4000], tiny[40];
    ch_finding f;
    assert_int_equal(ch_finding_parse("partly-upheld", &f), CH_OK);
    assert_int_equal(ch_finding_parse("maybe", &f), CH_E_NOTFOUND);
    ch_finding_parse("partly-upheld", &f);
    ch_complaint_letter(pol, 0, 12, "Transport", "Ada Parent", f, "We were late.", "Meg Manager",
                        text, sizeof(text));
    /* Signed, and saying how to reach us (uk-statutory names one contact). */
    assert_non_null(strstr(text, "Yours sincerely,\n\nMeg Manager\nStatutory timescales (UK)"));
    assert_non_null(strstr(text, "by email at requests@uk-statutory.example or by telephone on "
                                 "020 7946 0480"));
    assert_non_null(strstr(text, "Dear Ada Parent"));
    assert_non_null(strstr(text, "case 12"));
    assert_non_null(strstr(text, "partly upheld"));
    assert_non_null(strstr(text, "We were late."));
    assert_non_null(strstr(text, "take your complaint to stage 2"));
    ch_complaint_letter(pol, 1, 12, "Transport", NULL, CH_FINDING_NOT_UPHELD, NULL, NULL, text,
                        sizeof(text));
    assert_non_null(strstr(text, "Yours sincerely,\n\nStatutory timescales (UK)"));
    assert_non_null(strstr(text, "Ombudsman"));
    assert_non_null(strstr(text, "Sir or Madam"));
    ch_complaint_letter(pol, 1, 12, "Transport", NULL, CH_FINDING_NOT_UPHELD, NULL, NULL, tiny,
                        sizeof(tiny));
    assert_true(strlen(tiny) < sizeof(tiny));
    ch_policy_free(pol);
}

/* A charter without complaints: stages: (Cognus) has one stage, which
 * closes with an outcome and a letter like any last stage. */
static void a_one_stage_complaint_closes_with_its_outcome(void **state)
{
    (void)state;
    ch_policy *pol = seed("cognus.yaml");
    ch_stage_step s;
    ch_error err = {0};
    char text[4000];
    assert_int_equal(pol->nstages, 0);
    assert_int_equal(ch_complaint_stage_count(pol), 1);
    assert_string_equal(ch_complaint_stage_id(pol, 0), CH_COMPLAINT_ONE_STAGE);
    assert_null(ch_complaint_stage_id(pol, 1));
    assert_int_equal(ch_complaint_step(pol, 0, false, true, false, false, &s, &err), CH_OK);
    assert_true(s.close && !s.open_next);
    /* Escalating is refused as a conflict, with or without an outcome. */
    assert_int_equal(ch_complaint_step(pol, 0, false, true, true, false, &s, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "one stage"));
    assert_int_equal(ch_complaint_step(pol, 0, false, false, true, false, &s, &err), CH_E_CONFLICT);
    assert_int_equal(ch_complaint_step(pol, 0, true, true, false, false, &s, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "nothing more to record"));
    assert_null(strstr(err.msg, "escalate"));
    assert_int_equal(ch_complaint_step(pol, 0, true, false, false, false, &s, &err), CH_E_CONFLICT);
    assert_null(strstr(err.msg, "escalate"));
    ch_complaint_letter(pol, 0, 7, "Invoice", "Gus", CH_FINDING_UPHELD, NULL, "Cy", text,
                        sizeof(text));
    assert_non_null(strstr(text, "has been considered."));
    assert_non_null(strstr(text, "upheld"));
    assert_non_null(strstr(text, "ombudsman"));
    /* The last stage of a staged charter escalates nowhere, even while open. */
    ch_policy_free(pol);
    pol = statutory();
    assert_int_equal(ch_complaint_step(pol, 1, false, false, true, false, &s, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "last stage"));
    /* The sentences a person reads name outcomes in words. */
    assert_int_equal(ch_complaint_step(pol, 0, false, false, false, false, &s, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "partly upheld"));
    assert_null(strstr(err.msg, "partly-upheld"));
    ch_policy_free(pol);
}

static void a_complaint_naming_staff_is_for_managers(void **state)
{
    (void)state;
    assert_true(ch_complaint_managers_only(CH_KIND_COMPLAINT, 1));
    assert_false(ch_complaint_managers_only(CH_KIND_COMPLAINT, 0));
    assert_false(ch_complaint_managers_only(CH_KIND_COMPLIMENT, 2));
}

static bool has_diag(const ch_diags *d, int line, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && strstr(d->items[i].msg, fragment))
            return true;
    return false;
}

static void mistakes_in_stages_are_placed(void **state)
{
    (void)state;
    static const char text[] = "charter: 1\n"                           /* 1 */
                               "id: t\n"                                /* 2 */
                               "organisation: T\n"                      /* 3 */
                               "review_by: 2027-09-01\n"                /* 4 */
                               "calendars:\n"                           /* 5 */
                               "  office:\n"                            /* 6 */
                               "    hours:\n"                           /* 7 */
                               "      monday-friday: 09:00-17:00\n"     /* 8 */
                               "    bank_holidays: england-and-wales\n" /* 9 */
                               "services:\n"                            /* 10 */
                               "  - id: s\n"                            /* 11 */
                               "    name: S\n"                          /* 12 */
                               "    calendar: office\n"                 /* 13 */
                               "complaints:\n"                          /* 14 */
                               "  stages:\n"                            /* 15 */
                               "    - id: one\n"                        /* 16 */
                               "      name: One\n"                      /* 17 */
                               "      escalation: Ask for two.\n"       /* 18 */
                               "    - id: two\n"                        /* 19 */
                               "      name: Two\n"                      /* 20 */
                               "      escalaton: The ombudsman.\n"      /* 21 */
                               "promises:\n"                            /* 22 */
                               "  - id: p\n"                            /* 23 */
                               "    text: We reply.\n"                  /* 24 */
                               "    applies_to:\n"                      /* 25 */
                               "      kinds: [complaint]\n"             /* 26 */
                               "      stages: [tow]\n"                  /* 27 */
                               "    obligation: respond\n"              /* 28 */
                               "    within: 5 working days\n"           /* 29 */
                               "  - id: q\n"                            /* 30 */
                               "    text: We reply.\n"                  /* 31 */
                               "    applies_to:\n"                      /* 32 */
                               "      stages: [one]\n"                  /* 33 */
                               "    obligation: respond\n"              /* 34 */
                               "    within: 5 working days\n";          /* 35 */
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_not_equal(ch_policy_load_text(&pol, "t.yaml", text, strlen(text), NULL, &d), CH_OK);
    assert_null(pol);
    /* The misspelling is the one mistake: not also "has no escalation". */
    assert_false(has_diag(&d, 19, "has no escalation"));
    assert_true(has_diag(&d, 21, "did you mean 'escalation'"));
    assert_true(has_diag(&d, 27, "unknown stage 'tow'"));
    assert_true(has_diag(&d, 33, "only complaints have"));
    ch_diags_free(&d);
}

/* A misspelt key on a stage is one mistake: the stage is kept, so the
 * promises naming it are not told it is unknown. */
static void a_misspelt_key_keeps_its_stage(void **state)
{
    (void)state;
    static const char text[] = "charter: 1\n"                           /* 1 */
                               "id: t\n"                                /* 2 */
                               "organisation: T\n"                      /* 3 */
                               "review_by: 2027-09-01\n"                /* 4 */
                               "calendars:\n"                           /* 5 */
                               "  office:\n"                            /* 6 */
                               "    hours:\n"                           /* 7 */
                               "      monday-friday: 09:00-17:00\n"     /* 8 */
                               "    bank_holidays: england-and-wales\n" /* 9 */
                               "services:\n"                            /* 10 */
                               "  - id: s\n"                            /* 11 */
                               "    name: S\n"                          /* 12 */
                               "    calendar: office\n"                 /* 13 */
                               "complaints:\n"                          /* 14 */
                               "  stages:\n"                            /* 15 */
                               "    - id: stage-1\n"                    /* 16 */
                               "      name: One\n"                      /* 17 */
                               "      escalaton: Ask for stage 2.\n"    /* 18 */
                               "    - id: stage-2\n"                    /* 19 */
                               "      name: Two\n"                      /* 20 */
                               "      notes: No escalation yet.\n"      /* 21 */
                               "promises:\n"                            /* 22 */
                               "  - id: p\n"                            /* 23 */
                               "    text: We reply.\n"                  /* 24 */
                               "    applies_to:\n"                      /* 25 */
                               "      kinds: [complaint]\n"             /* 26 */
                               "      stages: [stage-1]\n"              /* 27 */
                               "    obligation: respond\n"              /* 28 */
                               "    within: 5 working days\n"           /* 29 */
                               "  - id: q\n"                            /* 30 */
                               "    text: We reply.\n"                  /* 31 */
                               "    applies_to:\n"                      /* 32 */
                               "      kinds: [complaint]\n"             /* 33 */
                               "      stages: [stage-3]\n"              /* 34 */
                               "    obligation: respond\n"              /* 35 */
                               "    within: 5 working days\n";          /* 36 */
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_not_equal(ch_policy_load_text(&pol, "t.yaml", text, strlen(text), NULL, &d), CH_OK);
    assert_null(pol);
    assert_true(has_diag(&d, 18, "did you mean 'escalation'"));
    assert_true(has_diag(&d, 19, "stage 'stage-2' has no escalation"));
    assert_false(has_diag(&d, 27, "unknown stage"));
    assert_true(has_diag(&d, 34, "unknown stage 'stage-3' (did you mean 'stage-"));
    for (size_t i = 0; i < d.n; i++)
        assert_null(strstr(d.items[i].msg, "?;"));
    ch_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_stage_counts_from_when_it_began),
        cmocka_unit_test(a_request_is_one_step_or_a_sentence),
        cmocka_unit_test(the_letter_gives_the_finding_and_the_way_on),
        cmocka_unit_test(a_complaint_naming_staff_is_for_managers),
        cmocka_unit_test(mistakes_in_stages_are_placed),
        cmocka_unit_test(a_one_stage_complaint_closes_with_its_outcome),
        cmocka_unit_test(a_misspelt_key_keeps_its_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
