/* Behaviour audits: reading a form's answers against its question, the
 * tallies, means and shares the reports are made of, the open and close
 * dates, and the policy loader's checks of a survey template. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/policy.h"
#include "policy/load.h"

static const char *const yes_no[] = {"Yes", "No", "Not sure"};
static const ch_audit_question scale = {.id = "safe",
                                        .text = "I feel safe.",
                                        .kind = CH_AUDIT_SCALE,
                                        .points = 5,
                                        .groups = 0xf,
                                        .required = true};
static const ch_audit_question single = {.id = "bullying",
                                         .text = "Is bullying dealt with?",
                                         .kind = CH_AUDIT_SINGLE,
                                         .options = (const char **)yes_no,
                                         .noptions = 3,
                                         .groups = 0xf,
                                         .required = true};
static const ch_audit_question multiple = {.id = "where",
                                           .text = "Where?",
                                           .kind = CH_AUDIT_MULTIPLE,
                                           .options = (const char **)yes_no,
                                           .noptions = 3,
                                           .groups = 1u << CH_AUDIT_PARENTS};
static const ch_audit_question text = {
    .id = "change", .text = "One change?", .kind = CH_AUDIT_TEXT, .groups = 0xf};

static void answers_are_read_and_refused_in_sentences(void **state)
{
    (void)state;
    ch_audit_answer a;
    ch_error err = {0};
    const char *four[] = {"4"}, *six[] = {"6"}, *word[] = {"four"}, *blank[] = {"  "};
    assert_int_equal(ch_audit_answer_read(&scale, four, 1, &a, &err), CH_OK);
    assert_true(a.given);
    assert_int_equal(a.value, 4);
    assert_int_equal(ch_audit_answer_read(&scale, six, 1, &a, &err), CH_E_INVALID);
    assert_string_equal(err.msg, "Choose one point from 1 to 5.");
    assert_int_equal(ch_audit_answer_read(&scale, word, 1, &a, &err), CH_E_INVALID);
    assert_int_equal(ch_audit_answer_read(&scale, blank, 1, &a, &err), CH_E_INVALID);
    assert_string_equal(err.msg, "Choose an answer to this question.");
    assert_int_equal(ch_audit_answer_read(&scale, NULL, 0, &a, &err), CH_E_INVALID);
    const char *two[] = {"2"}, *three[] = {"3"};
    assert_int_equal(ch_audit_answer_read(&single, two, 1, &a, &err), CH_OK);
    assert_int_equal(a.value, 2);
    assert_int_equal(ch_audit_answer_read(&single, three, 1, &a, &err), CH_E_INVALID);
    const char *both[] = {"0", "2"}, *bad[] = {"0", "7"};
    assert_int_equal(ch_audit_answer_read(&multiple, both, 2, &a, &err), CH_OK);
    assert_int_equal(a.choices, 5u);
    assert_int_equal(ch_audit_answer_read(&multiple, bad, 2, &a, &err), CH_E_INVALID);
    /* Optional questions may be left blank: not given, no fault. */
    assert_int_equal(ch_audit_answer_read(&multiple, NULL, 0, &a, &err), CH_OK);
    assert_false(a.given);
    assert_int_equal(ch_audit_answer_read(&text, blank, 1, &a, &err), CH_OK);
    assert_false(a.given);
    char long_text[CH_AUDIT_TEXT_MAX + 2];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    const char *longer[] = {long_text};
    assert_int_equal(ch_audit_answer_read(&text, longer, 1, &a, &err), CH_E_INVALID);
}

static void responses_are_tallied_per_group_and_overall(void **state)
{
    (void)state;
    ch_audit_question qs[] = {scale, single, multiple, text};
    ch_audit_template t = {
        .id = "t", .title = "T", .questions = qs, .nquestions = 4, .groups = 0xf};
    ch_audit_answer a1[] = {
        {true, 5, 0, NULL}, {true, 0, 0, NULL}, {false, 0, 0, NULL}, {true, 0, 0, "More staff"}};
    ch_audit_answer a2[] = {
        {true, 2, 0, NULL}, {true, 1, 0, NULL}, {true, 0, 3, NULL}, {false, 0, 0, NULL}};
    ch_audit_answer a3[] = {
        {true, 4, 0, NULL}, {true, 9, 0, NULL}, {true, 0, 1u << 5, NULL}, {false, 0, 0, NULL}};
    ch_audit_response rs[] = {{1, CH_AUDIT_PUPILS, 0, a1, 4},
                              {2, CH_AUDIT_PARENTS, 0, a2, 4},
                              {3, CH_AUDIT_PUPILS, 0, a3, 4}};
    ch_arena arena = {0};
    ch_audit_results res;
    ch_error err = {0};
    assert_int_equal(ch_audit_results_build(&t, rs, 3, &arena, &res, &err), CH_OK);
    assert_int_equal(res.total, 3);
    assert_int_equal(res.responses[CH_AUDIT_PUPILS], 2);
    assert_int_equal(res.responses[CH_AUDIT_PARENTS], 1);
    assert_int_equal(res.responses[CH_AUDIT_GOVERNORS], 0);
    double mean, share;
    assert_true(ch_audit_mean(ch_audit_tally_of(&res, 0, CH_AUDIT_PUPILS), &mean));
    assert_true(mean > 4.49 && mean < 4.51);
    assert_true(ch_audit_mean(ch_audit_tally_of(&res, 0, CH_AUDIT_GROUPS), &mean));
    assert_true(mean > 3.66 && mean < 3.67);
    assert_false(ch_audit_mean(ch_audit_tally_of(&res, 0, CH_AUDIT_GOVERNORS), &mean));
    assert_int_equal(ch_audit_tally_of(&res, 0, CH_AUDIT_GROUPS)->counts[1], 1);
    /* An option the template no longer has is left out, not miscounted. */
    assert_int_equal(ch_audit_tally_of(&res, 1, CH_AUDIT_GROUPS)->answered, 2);
    assert_true(ch_audit_share(ch_audit_tally_of(&res, 1, CH_AUDIT_GROUPS), 0, &share));
    assert_true(share > 0.49 && share < 0.51);
    assert_int_equal(ch_audit_tally_of(&res, 2, CH_AUDIT_GROUPS)->answered, 1);
    assert_int_equal(ch_audit_tally_of(&res, 2, CH_AUDIT_PARENTS)->counts[1], 1);
    assert_int_equal(ch_audit_tally_of(&res, 3, CH_AUDIT_PUPILS)->answered, 1);
    ch_arena_free(&arena);
}

static void an_audit_is_open_between_its_dates(void **state)
{
    (void)state;
    ch_school_audit a = {.opens_on = ch_date_from_ymd(2026, 10, 5),
                         .closes_on = ch_date_from_ymd(2026, 10, 16)};
    assert_string_equal(ch_audit_state(&a, ch_date_from_ymd(2026, 10, 4)), "scheduled");
    assert_string_equal(ch_audit_state(&a, ch_date_from_ymd(2026, 10, 5)), "open");
    assert_string_equal(ch_audit_state(&a, ch_date_from_ymd(2026, 10, 16)), "open");
    assert_string_equal(ch_audit_state(&a, ch_date_from_ymd(2026, 10, 17)), "closed");
    assert_true(ch_audit_code_ok("XdOBHqWrBqpy"));
    assert_false(ch_audit_code_ok("short"));
    assert_false(ch_audit_code_ok("has a space in"));
    assert_false(ch_audit_code_ok(NULL));
    ch_audit_group g;
    assert_int_equal(ch_audit_group_parse("governors", &g), CH_OK);
    assert_int_equal(g, CH_AUDIT_GOVERNORS);
    assert_int_equal(ch_audit_group_parse("staff", &g), CH_E_NOTFOUND);
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
    "    calendar: office\n"                                                                       \
    "promises: []\n"

static bool has_diag(const ch_diags *d, int line, int col, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && (!col || d->items[i].col == col) &&
            strstr(d->items[i].msg, fragment))
            return true;
    ch_diags_print(d, stderr);
    return false;
}

static void the_loader_reads_and_checks_templates(void **state)
{
    (void)state;
    ch_policy *pol = NULL;
    ch_diags d = {0};
    static const char good[] =
        HEAD "audits:\n"                         /* 14 */
             "  require_tls: true\n"             /* 15 */
             "  problem_service: enquiries\n"    /* 16 */
             "  templates:\n"                    /* 17 */
             "    - id: behaviour\n"             /* 18 */
             "      title: Behaviour\n"          /* 19 */
             "      groups: [pupils, parents]\n" /* 20 */
             "      questions:\n"                /* 21 */
             "        - {id: safe, text: Safe?, type: scale, points: 4}\n"
             "        - {id: how, text: How?, type: single, options: [A, B]}\n"
             "        - {id: home, text: Home?, type: text, groups: [parents]}\n";
    assert_int_equal(ch_policy_load_text(&pol, "good.yaml", good, strlen(good), NULL, &d), CH_OK);
    assert_non_null(pol->audits);
    assert_true(pol->audits->require_tls);
    const ch_audit_template *t = ch_audit_template_find(pol->audits, "behaviour");
    assert_non_null(t);
    assert_int_equal(t->nquestions, 3);
    assert_int_equal(t->groups, (1u << CH_AUDIT_PUPILS) | (1u << CH_AUDIT_PARENTS));
    assert_int_equal(t->questions[0].points, 4);
    assert_true(t->questions[0].required);
    assert_int_equal(t->questions[1].noptions, 2);
    assert_false(t->questions[2].required);
    assert_false(ch_audit_asks(&t->questions[2], CH_AUDIT_PUPILS));
    ch_policy_free(pol);
    ch_diags_free(&d);

    static const char bad[] = HEAD "audits:\n"                      /* 14 */
                                   "  problem_service: enquires\n"  /* 15 */
                                   "  templates:\n"                 /* 16 */
                                   "    - id: behaviour\n"          /* 17 */
                                   "      title: Behaviour\n"       /* 18 */
                                   "      questions:\n"             /* 19 */
                                   "        - id: safe\n"           /* 20 */
                                   "          text: Safe?\n"        /* 21 */
                                   "          type: scael\n"        /* 22 */
                                   "        - id: how\n"            /* 23 */
                                   "          text: How?\n"         /* 24 */
                                   "          type: single\n"       /* 25 */
                                   "          points: 5\n"          /* 26 */
                                   "          groups: [parnets]\n"; /* 27 */
    pol = NULL;
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", bad, strlen(bad), NULL, &d), CH_OK);
    assert_true(has_diag(&d, 15, 20,
                         "problem_service names 'enquires', which is not defined under services; "
                         "did you mean 'enquiries'?"));
    assert_true(has_diag(&d, 22, 17, "unknown question type 'scael' (did you mean 'scale'?)"));
    assert_true(has_diag(&d, 23, 11, "question 'how' is a choice but has no options"));
    assert_true(has_diag(&d, 26, 19, "points belongs to a scale question"));
    assert_true(has_diag(&d, 27, 0, "unknown group 'parnets' (did you mean 'parents'?)"));
    ch_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_are_read_and_refused_in_sentences),
        cmocka_unit_test(responses_are_tallied_per_group_and_overall),
        cmocka_unit_test(an_audit_is_open_between_its_dates),
        cmocka_unit_test(the_loader_reads_and_checks_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
