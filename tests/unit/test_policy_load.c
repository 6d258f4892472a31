/* Policy files: the seed policies load, and every kind of mistake a person
 * makes is reported at its line and column with a way to fix it. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/load.h"

static const char *const seeds[] = {
    "cognus.yaml", "hackney-services-for-schools.yaml", "sendiass.yaml",
    "beacon.yaml", "customer-care-template.yaml",       "uk-statutory.yaml",
};

static ch_policy *load_seed(const char *name)
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

static void every_seed_policy_loads_with_an_enquiries_service(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
        ch_policy *pol = load_seed(seeds[i]);
        assert_non_null(ch_policy_service(pol, "enquiries"));
        assert_true(pol->npromises > 0);
        ch_policy_free(pol);
    }
}

static void hackney_counts_specialist_teaching_days_as_six_hours(void **state)
{
    (void)state;
    ch_policy *pol = load_seed("hackney-services-for-schools.yaml");
    assert_int_equal(ch_policy_service(pol, "enquiries")->day_length, 7 * 60);
    assert_int_equal(ch_policy_service(pol, "specialist-teaching-inclusion")->day_length, 6 * 60);
    ch_policy_free(pol);
}

static void a_termly_promise_needs_terms_and_never_attaches_to_a_contact(void **state)
{
    (void)state;
    ch_policy *pol = load_seed("beacon.yaml");
    const ch_service *svc = ch_policy_service(pol, "consultancy");
    const ch_promise *termly = &pol->promises[1];
    assert_string_equal(termly->id, "termly-hours-statement");
    assert_int_equal(termly->schedule, CH_SCHEDULE_TERMLY);
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(ch_policy_service_calendar(pol, svc), &nterms);
    assert_int_equal(nterms, 6);
    assert_int_equal(terms[0].first, ch_date_from_ymd(2025, 9, 3));
    assert_int_equal(terms[5].last, ch_date_from_ymd(2027, 7, 21));
    ch_contact c = {
        .channel = CH_CHANNEL_EMAIL, .kind = CH_KIND_ENQUIRY, .received = t_at("2026-11-10T10:00")};
    assert_false(ch_promise_applies(termly, svc, &c));
    ch_policy_free(pol);
}

/* Loads text expected to fail; returns the diagnostics for inspection. */
static ch_diags load_bad(const char *text)
{
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", text, strlen(text), NULL, &d),
                         CH_OK);
    assert_null(pol);
    assert_true(d.n > 0);
    return d;
}

static void assert_diag(const ch_diags *d, int line, int col, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++) {
        const ch_diag *x = &d->items[i];
        if (x->line == line && (col == 0 || x->col == col) && strstr(x->msg, fragment))
            return;
    }
    ch_diags_print(d, stderr);
    fail_msg("no diagnostic at %d:%d containing '%s'", line, col, fragment);
}

#define GOOD_HEAD                                                                                  \
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
    "    calendar: office\n"

static const char good_promise[] = "promises:\n"
                                   "  - id: reply\n"
                                   "    text: We reply within 3 working days.\n"
                                   "    obligation: respond\n"
                                   "    within: 3 working days\n";

static void a_minimal_policy_loads(void **state)
{
    (void)state;
    char text[2048];
    ch_policy *pol = NULL;
    ch_diags d = {0};
    snprintf(text, sizeof(text), "%s%s", GOOD_HEAD, good_promise);
    assert_int_equal(ch_policy_load_text(&pol, "good.yaml", text, strlen(text), NULL, &d), CH_OK);
    assert_int_equal(pol->promises[0].target.amount, 3);
    assert_int_equal(pol->promises[0].kinds, 1u << CH_KIND_ENQUIRY);
    ch_policy_free(pol);
}

static void suggests_the_key_meant(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "promsies: []\n");
    assert_diag(&d, 13, 1, "did you mean 'promises'");
    ch_diags_free(&d);
}

static void suggests_the_unit_meant(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "promises:\n"
                                    "  - id: reply\n"
                                    "    text: We reply.\n"
                                    "    obligation: respond\n"
                                    "    within: 3 workng days\n");
    assert_diag(&d, 17, 13, "did you mean 'working days'");
    ch_diags_free(&d);
}

static void checks_the_purchased_time_keys(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "    visit_blok: 2.5 hours\n"
                                    "  - id: consultancy\n"
                                    "    name: Consultancy\n"
                                    "    calendar: office\n"
                                    "    visit_block: two hours\n"
                                    "    contingency: 95%\n");
    assert_diag(&d, 13, 5, "did you mean 'visit_block'");
    assert_diag(&d, 17, 18, "visit_block 'two hours' must be a number of hours");
    assert_diag(&d, 18, 18, "from 0% to 90%");
    ch_diags_free(&d);
    /* A half day needs a day to be half of, and must be shorter than it. */
    d = load_bad(GOOD_HEAD "    half_day: 3.5 hours\n"
                           "  - id: consultancy\n"
                           "    name: Consultancy\n"
                           "    calendar: office\n"
                           "    day_length: 3 hours\n"
                           "    half_day: 3.5 hours\n");
    assert_diag(&d, 13, 15, "half_day needs day_length");
    assert_diag(&d, 18, 15, "shorter than the day_length");
    ch_diags_free(&d);
    d = load_bad(GOOD_HEAD "    cancellation_notice: 2 calendar days\n");
    assert_diag(&d, 13, 26, "cancellation_notice is a number of working days");
    ch_diags_free(&d);
    d = load_bad(GOOD_HEAD "    visit_calendar: schools\n");
    assert_diag(&d, 13, 21, "books visits on calendar 'schools', which is not defined");
    ch_diags_free(&d);
}

static void catches_overlapping_hours(void **state)
{
    (void)state;
    ch_diags d = load_bad("charter: 1\nid: t\norganisation: T\nreview_by: 2027-01-01\n"
                          "calendars:\n  office:\n    hours:\n"
                          "      monday: [09:00-13:00, 12:00-17:00]\n"
                          "services:\n  - {id: enquiries, name: E, calendar: office}\n"
                          "promises: []\n");
    assert_diag(&d, 8, 0, "overlap");
    ch_diags_free(&d);
}

static void catches_a_missing_calendar(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "promises:\n"
                                    "  - id: reply\n"
                                    "    text: We reply.\n"
                                    "    obligation: respond\n"
                                    "    within: 3 working days\n"
                                    "    calendar: ofice\n");
    assert_diag(&d, 18, 15, "names calendar 'ofice'");
    ch_diags_free(&d);
}

static void reports_every_problem_at_once(void **state)
{
    (void)state;
    ch_diags d = load_bad("charter: 1\nid: Bad Id\norganisation: T\nreview_by: 2026-02-30\n"
                          "time_zone: Europe/Londn\n"
                          "calendars:\n  office:\n    hours:\n      mon-fry: 09:00-17:00\n"
                          "      tuesday: 17:00-09:00\n"
                          "    bank_holidays: englnd-and-wales\n"
                          "services:\n  - {id: enquiries, name: E, calendar: office}\n"
                          "  - {id: enquiries, name: F, calendar: office}\n"
                          "promises:\n"
                          "  - id: second\n    text: T\n    obligation: reply\n"
                          "    within: 3 working days\n    from: first\n"
                          "    applies_to: {channels: [e-mail], kinds: [complaints]}\n");
    assert_diag(&d, 2, 5, "lower-case");
    assert_diag(&d, 4, 12, "not a real date");
    assert_diag(&d, 5, 12, "unknown time zone");
    assert_diag(&d, 9, 7, "not a day");
    assert_diag(&d, 10, 16, "closes before it opens");
    assert_diag(&d, 11, 20, "did you mean 'england-and-wales'");
    assert_diag(&d, 14, 10, "already defined");
    assert_diag(&d, 18, 17, "unknown obligation 'reply'");
    assert_diag(&d, 20, 11, "not a promise defined above");
    assert_diag(&d, 21, 29, "did you mean 'email'");
    assert_diag(&d, 21, 46, "did you mean 'complaint'");
    ch_diags_free(&d);
}

static void reports_yaml_syntax_errors_with_their_position(void **state)
{
    (void)state;
    ch_diags d = load_bad("charter: 1\nid: t\ncalendars:\n  office: [unclosed\n");
    assert_true(d.items[0].line >= 4);
    assert_non_null(strstr(d.items[0].msg, "YAML"));
    ch_diags_free(&d);
    d = load_bad("");
    ch_diags_free(&d);
    d = load_bad("- just\n- a list\n");
    ch_diags_free(&d);
}

static void refuses_aliases_and_files_without_a_folder(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "notes: &a x\npromises:\n"
                                    "  - id: reply\n    text: *a\n    obligation: respond\n"
                                    "    within: 3 working days\n");
    assert_diag(&d, 16, 12, "aliases");
    ch_diags_free(&d);
    d = load_bad("charter: 1\nid: t\norganisation: T\nreview_by: 2027-01-01\n"
                 "holidays_file: /etc/passwd\ncalendars: {}\nservices: []\npromises: []\n");
    assert_diag(&d, 5, 16, "not loaded from a file");
    ch_diags_free(&d);
}

static void refuses_bytes_that_are_not_utf8_text(void **state)
{
    (void)state;
    ch_diags d = load_bad("charter: 1\nid: t\norganisation: Caf\xc3\xa9 \xff\n");
    assert_diag(&d, 3, 20, "not UTF-8");
    ch_diags_free(&d);
    static const char nul[] = "charter: 1\n%\0\0\0";
    ch_policy *pol = NULL;
    d = (ch_diags){0};
    assert_int_equal(ch_policy_load_text(&pol, "nul.yaml", nul, sizeof(nul) - 1, NULL, &d),
                     CH_E_INVALID);
    assert_diag(&d, 2, 2, "not UTF-8");
    ch_diags_free(&d);
}

static void refuses_a_termly_promise_without_terms(void **state)
{
    (void)state;
    ch_diags d = load_bad(GOOD_HEAD "promises:\n"
                                    "  - id: statement\n"
                                    "    text: Termly statements.\n"
                                    "    obligation: update\n"
                                    "    schedule: termly\n");
    assert_diag(&d, 17, 15, "has no terms");
    ch_diags_free(&d);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void imports_terms_and_closures_from_icalendar_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/charter-test-XXXXXX", path[512];
    assert_non_null(mkdtemp(dir));
    write_file(dir, "terms.ics",
               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
               "BEGIN:VEVENT\r\nSUMMARY:Autumn\r\nDTSTART;VALUE=DATE:20260901\r\n"
               "DTEND;VALUE=DATE:20261219\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    write_file(dir, "closures.ics",
               "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
               "BEGIN:VEVENT\r\nSUMMARY:Half term\r\nDTSTART;VALUE=DATE:20261026\r\n"
               "DTEND;VALUE=DATE:20261031\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    write_file(dir, "p.yaml",
               "charter: 1\nid: t\norganisation: T\nreview_by: 2027-01-01\n"
               "calendars:\n  school:\n    hours: {weekdays: 08:30-16:00}\n"
               "    terms_ical: terms.ics\n    closures_ical: closures.ics\n"
               "services:\n  - {id: enquiries, name: E, calendar: school}\n"
               "promises:\n  - {id: r, text: T, obligation: respond, within: 1 working days}\n");
    snprintf(path, sizeof(path), "%s/p.yaml", dir);
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_equal(ch_policy_load_file(&pol, path, &d), CH_OK);
    const ch_calendar *cal = pol->calendars[0].cal;
    ch_time t;
    ch_error err;
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-10-23T17:00"), &t, &err), CH_OK);
    assert_time(t, "2026-11-02T08:30:00Z");
    assert_int_equal(ch_calendar_next_open(cal, t_at("2026-12-18T16:00"), &t, &err), CH_E_HORIZON);
    ch_policy_free(pol);
    write_file(dir, "closures.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    assert_int_not_equal(ch_policy_load_file(&pol, path, &d), CH_OK);
    assert_diag(&d, 9, 20, "closures.ics: the iCalendar file holds no events");
    ch_diags_free(&d);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

static void a_newer_holiday_feed_sets_the_horizon(void **state)
{
    (void)state;
    char text[2048];
    ch_policy *pol = NULL;
    ch_diags d = {0};
    snprintf(text, sizeof(text),
             "charter: 1\nid: t\norganisation: T\nreview_by: 2027-01-01\n"
             "holidays_file: %s/govuk-bank-holidays.json\n"
             "calendars:\n  office:\n    hours: {weekdays: 09:00-17:00}\n"
             "services:\n  - {id: enquiries, name: E, calendar: office}\npromises: []\n",
             CHARTER_TEST_DATA);
    assert_int_equal(ch_policy_load_text(&pol, "feed.yaml", text, strlen(text), "/", &d), CH_OK);
    ch_time a, b;
    ch_calendar_horizon(pol->calendars[0].cal, &a, &b);
    assert_time(a, "2024-01-01T00:00:00Z");
    assert_time(b, "2028-01-01T00:00:00Z");
    ch_policy_free(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_seed_policy_loads_with_an_enquiries_service),
        cmocka_unit_test(hackney_counts_specialist_teaching_days_as_six_hours),
        cmocka_unit_test(a_minimal_policy_loads),
        cmocka_unit_test(a_termly_promise_needs_terms_and_never_attaches_to_a_contact),
        cmocka_unit_test(refuses_a_termly_promise_without_terms),
        cmocka_unit_test(suggests_the_key_meant),
        cmocka_unit_test(suggests_the_unit_meant),
        cmocka_unit_test(checks_the_purchased_time_keys),
        cmocka_unit_test(catches_overlapping_hours),
        cmocka_unit_test(catches_a_missing_calendar),
        cmocka_unit_test(reports_every_problem_at_once),
        cmocka_unit_test(reports_yaml_syntax_errors_with_their_position),
        cmocka_unit_test(refuses_aliases_and_files_without_a_folder),
        cmocka_unit_test(refuses_bytes_that_are_not_utf8_text),
        cmocka_unit_test(imports_terms_and_closures_from_icalendar_files),
        cmocka_unit_test(a_newer_holiday_feed_sets_the_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
