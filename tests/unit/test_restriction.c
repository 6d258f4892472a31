/* Restrictions on contact: what an active restriction refuses and says,
 * how a restricted person's next reply is paced, the notice template's
 * placeholders, and the policy loader's checks of them. */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/restriction.h"
#include "policy/load.h"

static const ch_contact_limits email_via_sam = {
    .active = true,
    .channels = 1u << CH_CHANNEL_EMAIL,
    .point_of_contact = "Sam Adviser",
    .replies = 1,
    .per_days = 10,
};

static void a_restriction_reads_as_a_sentence(void **state)
{
    (void)state;
    char buf[300];
    ch_restriction_describe(&email_via_sam, buf, sizeof(buf));
    assert_string_equal(buf, "email only, through Sam Adviser; one reply each 10 working days");
    ch_contact_limits two = {.channels = (1u << CH_CHANNEL_EMAIL) | (1u << CH_CHANNEL_LETTER) |
                                         (1u << CH_CHANNEL_PHONE),
                             .refuse_service = true};
    ch_restriction_describe(&two, buf, sizeof(buf));
    assert_string_equal(buf, "no further service; contact by phone, email or letter only");
    /* A buffer too small is cut, never overrun. */
    char tiny[8];
    ch_restriction_describe(&email_via_sam, tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), 7);
}

static void outbound_contacts_are_refused_only_while_active(void **state)
{
    (void)state;
    char why[600];
    unsigned respond = 1u << CH_OBLIGATION_RESPOND;
    assert_int_equal(ch_restriction_outbound(&email_via_sam, CH_CHANNEL_PHONE, 0, why, sizeof(why)),
                     CH_RESTRICT_CHANNEL);
    assert_non_null(strstr(why, "email only"));
    assert_non_null(strstr(why, "by phone"));
    assert_int_equal(
        ch_restriction_outbound(&email_via_sam, CH_CHANNEL_EMAIL, respond, why, sizeof(why)),
        CH_RESTRICT_ALLOW);
    ch_contact_limits waiting = email_via_sam;
    waiting.active = false; /* not yet noticed: not enforced */
    assert_int_equal(ch_restriction_outbound(&waiting, CH_CHANNEL_PHONE, 0, why, sizeof(why)),
                     CH_RESTRICT_ALLOW);
    assert_int_equal(ch_restriction_outbound(NULL, CH_CHANNEL_PHONE, 0, why, sizeof(why)),
                     CH_RESTRICT_ALLOW);
    ch_contact_limits refused = email_via_sam;
    refused.refuse_service = true;
    assert_int_equal(ch_restriction_outbound(&refused, CH_CHANNEL_EMAIL, respond, why, sizeof(why)),
                     CH_RESTRICT_SERVICE);
    assert_non_null(strstr(why, "acknowledgement"));
    /* An acknowledgement, or the notice itself (keeping no promise), goes. */
    assert_int_equal(ch_restriction_outbound(&refused, CH_CHANNEL_EMAIL,
                                             1u << CH_OBLIGATION_ACKNOWLEDGE, why, sizeof(why)),
                     CH_RESTRICT_ALLOW);
    assert_int_equal(ch_restriction_outbound(&refused, CH_CHANNEL_EMAIL, 0, why, sizeof(why)),
                     CH_RESTRICT_ALLOW);
    /* The channel is checked first: a refused channel is refused. */
    assert_int_equal(ch_restriction_outbound(&refused, CH_CHANNEL_PHONE, 0, why, sizeof(why)),
                     CH_RESTRICT_CHANNEL);
}

static void periods_are_working_days(void **state)
{
    (void)state;
    ch_error err;
    int32_t days = 0;
    assert_int_equal(ch_restriction_period_parse("10 working days", &days, &err), CH_OK);
    assert_int_equal(days, 10);
    assert_int_equal(ch_restriction_period_parse("1 working day", &days, &err), CH_OK);
    assert_int_equal(days, 1);
    assert_int_equal(ch_restriction_period_parse("10 days", &days, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "working days"));
    assert_int_equal(ch_restriction_period_parse("0 working days", &days, &err), CH_E_INVALID);
    assert_int_equal(ch_restriction_period_parse("261 working days", &days, &err), CH_E_INVALID);
    assert_int_equal(ch_restriction_period_parse("working days", &days, &err), CH_E_INVALID);
}

static void the_next_reply_waits_for_its_slot(void **state)
{
    (void)state;
    ch_error err;
    ch_calendar *cal = t_office(NULL, 0, NULL, 0, 0);
    ch_time due = t_at("2026-11-05T17:00"), out;
    /* The last reply was on Monday 2 November: the next slot is the close
     * of the 10th working day after, Monday 16 November. */
    assert_int_equal(
        ch_restriction_reply_due(cal, &email_via_sam, t_at("2026-11-02T10:00"), due, &out, &err),
        CH_OK);
    assert_time(out, "2026-11-16T17:00:00Z");
    /* Two replies each 10 days: every 5 working days. */
    ch_contact_limits two = email_via_sam;
    two.replies = 2;
    assert_int_equal(ch_restriction_reply_due(cal, &two, t_at("2026-11-02T10:00"), due, &out, &err),
                     CH_OK);
    assert_time(out, "2026-11-09T17:00:00Z");
    /* A promise already later than the slot keeps its time. */
    ch_time late = t_at("2026-11-20T17:00");
    assert_int_equal(
        ch_restriction_reply_due(cal, &email_via_sam, t_at("2026-11-02T10:00"), late, &out, &err),
        CH_OK);
    assert_int_equal(out, late);
    /* No reply yet, no frequency, or not active: unchanged. */
    assert_int_equal(ch_restriction_reply_due(cal, &email_via_sam, 0, due, &out, &err), CH_OK);
    assert_int_equal(out, due);
    ch_contact_limits unlimited = email_via_sam;
    unlimited.replies = 0;
    assert_int_equal(
        ch_restriction_reply_due(cal, &unlimited, t_at("2026-11-02T10:00"), due, &out, &err),
        CH_OK);
    assert_int_equal(out, due);
    unlimited = email_via_sam;
    unlimited.active = false;
    assert_int_equal(
        ch_restriction_reply_due(cal, &unlimited, t_at("2026-11-02T10:00"), due, &out, &err),
        CH_OK);
    assert_int_equal(out, due);
    ch_calendar_free(cal);
}

static void the_notice_fills_its_placeholders(void **state)
{
    (void)state;
    ch_error err;
    const char *values[CH_NOTICE_COUNT] = {
        [CH_NOTICE_NAME] = "Pat Parent", [CH_NOTICE_CHANNELS] = "email"};
    char out[200];
    assert_int_equal(ch_notice_fill("Dear {name}, by {channels} only. {reason}{unknown} {", values,
                                    out, sizeof(out), &err),
                     CH_OK);
    /* A missing value reads as empty; what is no placeholder stays. */
    assert_string_equal(out, "Dear Pat Parent, by email only. {unknown} {");
    char small[10];
    assert_int_equal(ch_notice_fill("Dear {name}", values, small, sizeof(small), &err),
                     CH_E_INVALID);
    size_t len;
    assert_int_equal(ch_notice_placeholder("{point_of_contact}.", &len),
                     CH_NOTICE_POINT_OF_CONTACT);
    assert_int_equal(len, 18);
    assert_int_equal(ch_notice_placeholder("{nmae}", &len), -1);
    assert_int_equal(len, 6);
    assert_int_equal(ch_notice_placeholder("{ not one", &len), -1);
    assert_int_equal(len, 0);
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

static bool has_diag(const ch_diags *d, int line, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && strstr(d->items[i].msg, fragment))
            return true;
    ch_diags_print(d, stderr);
    return false;
}

static void the_loader_checks_the_notice(void **state)
{
    (void)state;
    ch_policy *pol = NULL;
    ch_diags d = {0};
    static const char good[] = HEAD "restriction_notice:\n"
                                    "  title: How you may contact us\n"
                                    "  text: Dear {name}, by {channels} only.\n";
    assert_int_equal(ch_policy_load_text(&pol, "good.yaml", good, strlen(good), NULL, &d), CH_OK);
    assert_string_equal(pol->notice_title, "How you may contact us");
    assert_string_equal(pol->notice_text, "Dear {name}, by {channels} only.");
    ch_policy_free(pol);
    ch_diags_free(&d);

    static const char typo[] = HEAD "restriction_notice:\n"
                                    "  titel: How\n"
                                    "  text: Dear {nmae}, by {channels} only.\n";
    pol = NULL;
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", typo, strlen(typo), NULL, &d),
                         CH_OK);
    assert_true(has_diag(&d, 15, "did you mean 'title'"));
    assert_true(has_diag(&d, 16, "unknown placeholder {nmae} (did you mean {name}?)"));
    ch_diags_free(&d);

    static const char silent[] = HEAD "restriction_notice:\n"
                                      "  title: How\n"
                                      "  text: Dear {name}.\n";
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", silent, strlen(silent), NULL, &d),
                         CH_OK);
    assert_true(has_diag(&d, 16, "put {channels} in it"));
    ch_diags_free(&d);

    /* In a literal block, at the placeholder itself. */
    static const char block[] = HEAD "restriction_notice:\n"
                                     "  title: How\n"
                                     "  text: |\n"
                                     "    Dear {name},\n"
                                     "\n"
                                     "    Contact us by {channels}; {point_of_contct} replies.\n";
    assert_int_not_equal(ch_policy_load_text(&pol, "bad.yaml", block, strlen(block), NULL, &d),
                         CH_OK);
    assert_true(d.n == 1 && d.items[0].line == 19 && d.items[0].col == 31);
    ch_diags_free(&d);

    /* The shipped charters' letters load. */
    static const char *const files[] = {"cognus.yaml", "sendiass.yaml",
                                        "customer-care-template.yaml"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, files[i]);
        if (ch_policy_load_file(&pol, path, &d)) {
            ch_diags_print(&d, stderr);
            fail_msg("%s does not load", files[i]);
        }
        assert_non_null(pol->notice_text);
        assert_non_null(strstr(pol->notice_text, "{channels}"));
        ch_policy_free(pol);
        ch_diags_free(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_restriction_reads_as_a_sentence),
        cmocka_unit_test(outbound_contacts_are_refused_only_while_active),
        cmocka_unit_test(periods_are_working_days),
        cmocka_unit_test(the_next_reply_waits_for_its_slot),
        cmocka_unit_test(the_notice_fills_its_placeholders),
        cmocka_unit_test(the_loader_checks_the_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
