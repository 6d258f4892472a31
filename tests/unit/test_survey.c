/* Customer surveys' pure rules: the token's shape, ratings, the spans a
 * policy writes, calendar quarters, the scores a quarter comes to (rates
 * rounded half up, "none" kept apart from zero), and the seed policies'
 * survey: blocks as loaded. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/survey.h"
#include "policy/load.h"

static void tokens_have_one_shape(void **state)
{
    (void)state;
    uint8_t raw[CH_SURVEY_TOKEN_BYTES];
    for (size_t i = 0; i < sizeof(raw); i++)
        raw[i] = (uint8_t)(i * 17 + 1);
    char t[CH_SURVEY_TOKEN_LEN + 1];
    ch_survey_token_format(raw, t);
    assert_string_equal(t, "0112233445566778899aabbccddeef00");
    assert_true(ch_survey_token_ok(t, strlen(t)));
    assert_false(ch_survey_token_ok(t, strlen(t) - 1));
    assert_false(ch_survey_token_ok("0112233445566778899AABBCCDDEEFF0", 32)); /* lower case only */
    assert_false(ch_survey_token_ok("0112233445566778899aabbccddeeffg", 32));
    assert_false(ch_survey_token_ok("../../../../../../../../etc/pass", 32));
    assert_false(ch_survey_token_ok(NULL, 0));
}

static void ratings_are_one_to_five(void **state)
{
    (void)state;
    ch_error err = {0};
    int r = 0;
    assert_int_equal(ch_survey_rating_parse("5", &r, &err), CH_OK);
    assert_int_equal(r, 5);
    assert_int_equal(ch_survey_rating_parse("1", &r, &err), CH_OK);
    assert_int_equal(r, 1);
    assert_int_equal(ch_survey_rating_parse(NULL, &r, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "Choose how satisfied"));
    const char *bads[] = {"0", "6", "10", " 3", "3 ", "x", ""};
    for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++)
        assert_int_equal(ch_survey_rating_parse(bads[i], &r, &err), CH_E_INVALID);
    assert_string_equal(ch_survey_rating_words(5), "Very satisfied");
    assert_string_equal(ch_survey_rating_words(1), "Very dissatisfied");
    assert_null(ch_survey_rating_words(0));
    assert_null(ch_survey_rating_words(6));
}

static void spans_are_days_or_hours(void **state)
{
    (void)state;
    ch_error err = {0};
    int64_t s = -1;
    assert_int_equal(ch_survey_span_parse("0 days", &s, &err), CH_OK);
    assert_int_equal(s, 0);
    assert_int_equal(ch_survey_span_parse("2 days", &s, &err), CH_OK);
    assert_int_equal(s, 2 * 86400);
    assert_int_equal(ch_survey_span_parse("1 day", &s, &err), CH_OK);
    assert_int_equal(s, 86400);
    assert_int_equal(ch_survey_span_parse("12 hours", &s, &err), CH_OK);
    assert_int_equal(s, 12 * 3600);
    const char *bads[] = {"soon",     "days",          "2",     "2 weeks",        "-1 days",
                          "367 days", "99999999 days", "2days", "2 working days", ""};
    for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++) {
        assert_int_equal(ch_survey_span_parse(bads[i], &s, &err), CH_E_INVALID);
        assert_non_null(strstr(err.msg, "\"3 days\""));
    }
}

static void quarters_are_calendar_quarters(void **state)
{
    (void)state;
    char buf[40];
    int q = ch_survey_quarter_of(ch_date_from_ymd(2026, 3, 31));
    ch_survey_quarter_name(q, buf, sizeof(buf));
    assert_string_equal(buf, "2026-Q1");
    ch_survey_quarter_words(q + 1, buf, sizeof(buf));
    assert_string_equal(buf, "April to June 2026");
    assert_int_equal(ch_survey_quarter_of(ch_date_from_ymd(2026, 4, 1)), q + 1);
    assert_int_equal(ch_survey_quarter_start(q + 3), ch_date_from_ymd(2026, 10, 1));
    assert_int_equal(ch_survey_quarter_start(q + 4), ch_date_from_ymd(2027, 1, 1));
    assert_int_equal(ch_survey_quarter_parse("2026-Q1"), q);
    assert_int_equal(ch_survey_quarter_parse("2026-Q4"), q + 3);
    /* Lower case, a month and a day are read as the quarter holding them. */
    assert_int_equal(ch_survey_quarter_parse("2026-q2"), q + 1);
    assert_int_equal(ch_survey_quarter_parse("2026-03"), q);
    assert_int_equal(ch_survey_quarter_parse("2026-10-01"), q + 3);
    assert_int_equal(ch_survey_quarter_parse("2026-12-31"), q + 3);
    const char *bads[] = {"2026-Q5", "2026-Q0", "2026Q1",     "1999-Q4",    "2101-Q1",
                          "26-Q1",   "2026-13", "2026-02-30", "2026-1-01",  "2026-10-01x",
                          "2026-00", "",        "2026-q",     "2026-02-3a", "2026/03/01"};
    for (size_t i = 0; i < sizeof(bads) / sizeof(*bads); i++)
        assert_int_equal(ch_survey_quarter_parse(bads[i]), -1);
    ch_survey_quarter_name(q, buf, 4); /* bounded */
    assert_string_equal(buf, "202");
}

static void scores_round_and_say_none(void **state)
{
    (void)state;
    ch_survey_tally t = {0};
    assert_int_equal(ch_survey_response_rate(&t), -1);
    assert_int_equal(ch_survey_mean_x100(&t), -1);
    assert_int_equal(ch_survey_satisfied(&t), -1);
    t.invited = 3;
    assert_int_equal(ch_survey_response_rate(&t), 0); /* asked, none answered: 0%, not none */
    assert_int_equal(ch_survey_mean_x100(&t), -1);
    t.answered = 2;
    ch_survey_tally_rating(&t, 5);
    ch_survey_tally_rating(&t, 4);
    ch_survey_tally_rating(&t, 9); /* not a rating: not counted */
    assert_int_equal(ch_survey_tally_responses(&t), 2);
    assert_int_equal(ch_survey_response_rate(&t), 67); /* 66.67 */
    assert_int_equal(ch_survey_mean_x100(&t), 450);
    assert_int_equal(ch_survey_satisfied(&t), 100);
    ch_survey_tally_rating(&t, 1);
    ch_survey_tally_rating(&t, 3);
    ch_survey_tally_rating(&t, 3);
    ch_survey_tally_rating(&t, 3);
    ch_survey_tally_rating(&t, 3);
    ch_survey_tally_rating(&t, 3);
    /* 5+4+1+15 = 25 over 8: 3.125, two satisfied of 8: 25%. */
    assert_int_equal(ch_survey_mean_x100(&t), 313);
    assert_int_equal(ch_survey_satisfied(&t), 25);
}

static ch_policy *load(const char *name)
{
    char path[512];
    ch_diags d = {0};
    ch_policy *p = NULL;
    snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, name);
    int rc = ch_policy_load_file(&p, path, &d);
    if (rc)
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", d.items[i].msg);
    ch_diags_free(&d);
    assert_int_equal(rc, CH_OK);
    return p;
}

static void seeds_survey_as_their_charters_say(void **state)
{
    (void)state;
    ch_policy *p = load("sendiass.yaml");
    const ch_survey_rule *r = ch_policy_service(p, "enquiries")->survey;
    assert_non_null(r);
    assert_int_equal(r->delay, 2 * 86400);
    assert_int_equal(r->expires, 28 * 86400);
    assert_true(r->anonymous);
    assert_int_equal(r->kinds, 1u << CH_KIND_ENQUIRY);
    assert_string_equal(r->site, "https://desk.sendiass.example");
    ch_policy_free(p);
    p = load("customer-care-template.yaml");
    r = ch_policy_service(p, "enquiries")->survey;
    assert_non_null(r);
    assert_int_equal(r->delay, 3 * 86400);
    assert_int_equal(r->expires, CH_SURVEY_DEFAULT_EXPIRES);
    assert_false(r->anonymous);
    ch_policy_free(p);
    p = load("cognus.yaml");
    assert_null(ch_policy_service(p, "enquiries")->survey); /* its charter promises none */
    ch_policy_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_have_one_shape),
        cmocka_unit_test(ratings_are_one_to_five),
        cmocka_unit_test(spans_are_days_or_hours),
        cmocka_unit_test(quarters_are_calendar_quarters),
        cmocka_unit_test(scores_round_and_say_none),
        cmocka_unit_test(seeds_survey_as_their_charters_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
