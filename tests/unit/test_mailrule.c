/* Inbound mail's decisions: addresses, subjects' case references, the
 * service an address reaches (and refusing one two services claim), when to
 * acknowledge and what it says, with the seed policies' mail: blocks. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailrule.h"
#include "policy/load.h"

static void addresses_are_checked(void **state)
{
    (void)state;
    assert_true(ch_mailrule_address_ok("enquiries@cognus.example"));
    assert_true(ch_mailrule_address_ok("jo.bloggs+case@parent.example"));
    assert_true(ch_mailrule_address_ok("o'neill@school.example"));
    assert_false(ch_mailrule_address_ok(""));
    assert_false(ch_mailrule_address_ok(NULL));
    assert_false(ch_mailrule_address_ok("enquiries"));
    assert_false(ch_mailrule_address_ok("@cognus.example"));
    assert_false(ch_mailrule_address_ok("jo@localhost")); /* one label */
    assert_false(ch_mailrule_address_ok("jo@@cognus.example"));
    assert_false(ch_mailrule_address_ok("jo@cognus..example"));
    assert_false(ch_mailrule_address_ok("jo@cognus.example."));
    assert_false(ch_mailrule_address_ok("jo@-cognus.example"));
    assert_false(ch_mailrule_address_ok(".jo@cognus.example"));
    assert_false(ch_mailrule_address_ok("jo..b@cognus.example"));
    assert_false(ch_mailrule_address_ok("Jo <jo@cognus.example>"));
    assert_false(ch_mailrule_address_ok("jo bloggs@cognus.example"));
    assert_false(ch_mailrule_address_ok("jo@cognus.example, m@evil.example"));
    char local[80], big[300];
    memset(local, 'a', 65);
    local[65] = '\0';
    snprintf(big, sizeof(big), "%s@cognus.example", local);
    assert_false(ch_mailrule_address_ok(big)); /* a 65-character local part */
    assert_true(ch_mail_address_same("Enquiries@Cognus.Example", "enquiries@cognus.example"));
    assert_false(ch_mail_address_same("enquiries@cognus.example", "enquiries@cognus.example.org"));
    assert_false(ch_mail_address_same(NULL, "a@b.example"));
}

static void a_subject_names_its_case(void **state)
{
    (void)state;
    assert_int_equal(ch_mail_subject_case("Re: Transport to school [Case #123]"), 123);
    assert_int_equal(ch_mail_subject_case("RE: Fwd: case #77 update"), 77);
    assert_int_equal(ch_mail_subject_case("[CASE #9]"), 9);
    assert_int_equal(ch_mail_subject_case("Re: question"), 0);
    assert_int_equal(ch_mail_subject_case(NULL), 0);
    /* Not ours: a bare number, another body's reference, a word ending in
     * "case", a number running into letters, case 0. */
    assert_int_equal(ch_mail_subject_case("Ref: 123"), 0);
    assert_int_equal(ch_mail_subject_case("Invoice #4456"), 0);
    assert_int_equal(ch_mail_subject_case("Suitcase #12"), 0);
    assert_int_equal(ch_mail_subject_case("Case #12b"), 0);
    assert_int_equal(ch_mail_subject_case("Case #0"), 0);
    assert_int_equal(ch_mail_subject_case("Case # 12"), 0);
    /* A number too long to be an id is no reference. */
    assert_int_equal(ch_mail_subject_case("Case #1234567890123456789"), 0);
    /* The first reference wins. */
    assert_int_equal(ch_mail_subject_case("[Case #5] about Case #6"), 5);
    char tag[32];
    ch_mail_case_tag(42, tag, sizeof(tag));
    assert_string_equal(tag, "[Case #42]");
    assert_int_equal(ch_mail_subject_case(tag), 42);
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

static ch_policy *load_text(const char *text)
{
    ch_diags d = {0};
    ch_policy *p = NULL;
    int rc = ch_policy_load_text(&p, "test.yaml", text, strlen(text), NULL, &d);
    if (rc)
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", d.items[i].msg);
    ch_diags_free(&d);
    assert_int_equal(rc, CH_OK);
    return p;
}

static void a_reply_subject_carries_one_tag_ours(void **state)
{
    (void)state;
    char b[400];
    ch_mail_reply_subject("Cais [Case #75]", true, 80, b, sizeof(b));
    assert_string_equal(b, "Re: Cais [Case #80]");
    assert_int_equal(ch_mail_subject_case(b), 80);
    ch_mail_reply_subject("RE: Statement for Year 6", true, 76, b, sizeof(b));
    assert_string_equal(b, "RE: Statement for Year 6 [Case #76]");
    ch_mail_reply_subject("Re: Visit [case #76]  [Case #12] times", true, 76, b, sizeof(b));
    assert_string_equal(b, "Re: Visit times [Case #76]");
    ch_mail_reply_subject(NULL, true, 5, b, sizeof(b));
    assert_string_equal(b, "Re: your message [Case #5]");
    ch_mail_reply_subject("Your statement", false, 9, b, sizeof(b));
    assert_string_equal(b, "Your statement [Case #9]");
    /* Not a tag: kept as written. */
    ch_mail_reply_subject("[Case #] and [Case #3x]", false, 9, b, sizeof(b));
    assert_string_equal(b, "[Case #] and [Case #3x] [Case #9]");
}

static void the_seed_policies_take_mail(void **state)
{
    (void)state;
    ch_policy *cognus = load("cognus.yaml"), *sutton = load("sutton.yaml");
    const ch_service *s = ch_policy_service(cognus, "enquiries");
    assert_int_equal(s->nmail_to, 2);
    assert_string_equal(s->mail_to[0], "enquiries@cognus.example");
    assert_string_equal(s->mail_from, "enquiries@cognus.example");
    assert_string_equal(s->mail_name, "Cognus Enquiries");
    assert_true(s->mail_acknowledge);
    assert_false(s->mail_secure);
    const ch_promise *p = ch_policy_promise(cognus, "written-reply");
    assert_true(p->warns);
    assert_int_equal(p->warn_before.amount, 1);
    assert_int_equal(p->warn_before.unit, CH_UNIT_WORKING_DAYS);
    assert_false(ch_policy_promise(cognus, "service-order")->warns);
    assert_true(ch_policy_service(sutton, "information-requests")->mail_secure);

    const ch_policy *both[] = {cognus, sutton};
    ch_mail_route r;
    ch_error err;
    assert_int_equal(ch_mail_route_find(both, 2, "Info@Cognus.Example", &r, &err), CH_OK);
    assert_int_equal(r.policy, 0);
    assert_string_equal(both[r.policy]->services[r.service].id, "enquiries");
    /* A +detail reaches the mailbox it details. */
    assert_int_equal(ch_mail_route_find(both, 2, "foi+2026@sutton.example", &r, &err), CH_OK);
    assert_int_equal(r.policy, 1);
    assert_int_equal(ch_mail_route_find(both, 2, "nobody@cognus.example", &r, &err), CH_E_NOTFOUND);
    assert_non_null(strstr(err.msg, "no service takes mail for nobody@cognus.example"));
    assert_int_equal(ch_mail_route_find(both, 2, "", &r, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_mail_route_named(both, 2, "cognus/enquiries", &r, &err), CH_OK);
    assert_int_equal(r.policy, 0);
    assert_int_equal(ch_mail_route_named(both, 2, "information-requests", &r, &err), CH_OK);
    assert_int_equal(r.policy, 1);
    assert_int_equal(ch_mail_route_named(both, 2, "sutton/enquiries", &r, &err), CH_E_NOTFOUND);
    assert_int_equal(ch_mail_route_named(both, 2, "cog/enquiries", &r, &err), CH_E_NOTFOUND);
    assert_true(ch_mail_address_ours(both, 2, "ENQUIRIES@cognus.example"));
    assert_true(ch_mail_address_ours(both, 2, "dataprotection@sutton.example"));
    assert_false(ch_mail_address_ours(both, 2, "parent@parent.example"));

    /* Another policy claiming Cognus's address: refused, never guessed. */
    ch_policy *rival = load_text("charter: 1\nid: rival\norganisation: Rival\n"
                                 "review_by: 2027-01-01\ncalendars:\n  office:\n    hours:\n"
                                 "      monday-friday: 09:00-17:00\nservices:\n"
                                 "  - id: enquiries\n    name: Rival desk\n    calendar: office\n"
                                 "    mail:\n      addresses: [info@cognus.example]\n"
                                 "promises: []\n");
    const ch_policy *three[] = {cognus, sutton, rival};
    assert_int_equal(ch_mail_route_find(three, 3, "info@cognus.example", &r, &err), CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "cognus/enquiries and rival/enquiries"));
    assert_int_equal(ch_mail_route_find(three, 3, "enquiries@cognus.example", &r, &err), CH_OK);
    assert_int_equal(ch_mail_route_named(three, 3, "enquiries", &r, &err), CH_E_CONFLICT);
    size_t later = 0;
    assert_int_equal(ch_mail_routes_check(both, 2, &later, &err), CH_OK);
    assert_int_equal(ch_mail_routes_check(three, 3, &later, &err), CH_E_CONFLICT);
    assert_int_equal(later, 2);
    assert_non_null(strstr(err.msg, "info@cognus.example is given to two services"));
    /* Defaults: From is the first address, the name the service's. */
    const ch_service *rs = ch_policy_service(rival, "enquiries");
    assert_string_equal(rs->mail_from, "info@cognus.example");
    assert_string_equal(rs->mail_name, "Rival desk");
    assert_false(rs->mail_acknowledge);
    ch_policy_free(rival);
    ch_policy_free(cognus);
    ch_policy_free(sutton);
}

static void acknowledgements_go_only_where_safe(void **state)
{
    (void)state;
    char why[600];
    ch_ack_facts f = {.policy_asks = true};
    assert_true(ch_mail_ack_allowed(&f, why, sizeof(why)));
    assert_string_equal(why, "");
    f.sent_in_hour = CH_MAIL_ACK_PER_HOUR - 1;
    assert_true(ch_mail_ack_allowed(&f, why, sizeof(why)));
    /* The fourth in an hour to one address. */
    f.sent_in_hour = CH_MAIL_ACK_PER_HOUR;
    assert_false(ch_mail_ack_allowed(&f, why, sizeof(why)));
    assert_non_null(strstr(why, "3 have gone to this address in the last hour"));
    f.sent_in_hour = 0;
    f.automatic = true;
    assert_false(ch_mail_ack_allowed(&f, why, sizeof(why)));
    assert_non_null(strstr(why, "sent automatically"));
    f.automatic = false;
    f.from_ours = true;
    assert_false(ch_mail_ack_allowed(&f, why, sizeof(why)));
    assert_non_null(strstr(why, "our own addresses"));
    f.from_ours = false;
    f.no_sender = true;
    assert_false(ch_mail_ack_allowed(&f, NULL, 0));
    f.no_sender = false;
    /* A restriction to letters only allows no email; one by email through a
     * named officer allows it; one not yet in force binds nothing. */
    ch_contact_limits letters = {.active = true, .channels = 1u << CH_CHANNEL_LETTER};
    f.limits = &letters;
    assert_false(ch_mail_ack_allowed(&f, why, sizeof(why)));
    assert_non_null(strstr(why, "No acknowledgement: "));
    ch_contact_limits by_email = {.active = true,
                                  .channels = 1u << CH_CHANNEL_EMAIL,
                                  .refuse_service = true,
                                  .point_of_contact = "Sam Adviser"};
    f.limits = &by_email;
    assert_true(ch_mail_ack_allowed(&f, why, sizeof(why)));
    letters.active = false;
    f.limits = &letters;
    assert_true(ch_mail_ack_allowed(&f, why, sizeof(why)));
    f.policy_asks = false;
    assert_false(ch_mail_ack_allowed(&f, why, sizeof(why)));
}

static void the_acknowledgement_says_what_was_promised(void **state)
{
    (void)state;
    ch_arena arena = {0};
    ch_error err;
    char subject[300];
    const char *body;
    ch_ack_promise promises[] = {
        {"We acknowledge complex queries within 3 working days.", CH_OBLIGATION_ACKNOWLEDGE, false,
         t_at("2027-01-06T17:00")},
        {"We reply to emails within 3 working days.", CH_OBLIGATION_RESPOND, false,
         t_at("2027-01-06T17:00")},
        {"We keep you informed.", CH_OBLIGATION_UPDATE, true, 0},
    };
    ch_absence leave = {.from = 0, .to = 0, .cover_text = "the duty desk on 020 7946 0000"};
    ch_away away = {.away = true,
                    .absence = &leave,
                    .last = ch_date_from_ymd(2027, 1, 8),
                    .back_known = true,
                    .back = ch_date_from_ymd(2027, 1, 11)};
    ch_ack_text a = {.case_id = 123,
                     .requester_name = "Jo Bloggs",
                     .subject = "Transport to school",
                     .organisation = "Cognus Limited",
                     .service_name = "Cognus Enquiries",
                     .tz = t_london(),
                     .promises = promises,
                     .npromises = 3,
                     .officer_name = "Sam Officer",
                     .away = &away,
                     .cover_name = "Alex Cover",
                     .cover_email = "alex@cognus.example",
                     .reply_address = "enquiries@cognus.example"};
    assert_int_equal(ch_mail_ack_compose(&a, &arena, subject, sizeof(subject), &body, &err), CH_OK);
    assert_string_equal(subject, "Re: Transport to school [Case #123]");
    assert_non_null(strstr(body, "Hello Jo Bloggs,\n"));
    assert_non_null(strstr(body, "its reference is case 123."));
    assert_non_null(strstr(body, "Please keep [Case #123] in the subject"));
    assert_non_null(strstr(body, "- We will reply by Wednesday 6 January 2027.\n"
                                 "  (We reply to emails within 3 working days.)\n"));
    assert_null(strstr(body, "We acknowledge complex")); /* this message is the acknowledgement */
    assert_non_null(strstr(body, "- We keep you informed. We do not promise a time for this.\n"));
    assert_non_null(strstr(body, "Your contact is Sam Officer. Sam Officer is away until "
                                 "Friday 8 January 2027 and back at work on Monday 11 January "
                                 "2027. For anything urgent, contact Alex Cover "
                                 "(alex@cognus.example), or the duty desk on 020 7946 0000."));
    assert_non_null(strstr(body, "write to enquiries@cognus.example"));
    assert_non_null(strstr(body, "Cognus Limited, Cognus Enquiries\n"));

    /* Their own "Re:" and our tag are not doubled; no name, no officer, no
     * promise says so plainly. A late-evening due time is said on its
     * London date. */
    ch_ack_promise late[] = {
        {"We reply by the next day.", CH_OBLIGATION_RESPOND, false, t_at("2027-07-01T23:30")}};
    ch_ack_text b = {.case_id = 7,
                     .subject = "RE: [Case #7] more",
                     .service_name = "Cognus Enquiries",
                     .tz = t_london(),
                     .promises = late,
                     .npromises = 1};
    assert_int_equal(ch_mail_ack_compose(&b, &arena, subject, sizeof(subject), &body, &err), CH_OK);
    assert_string_equal(subject, "RE: more [Case #7]");
    assert_non_null(strstr(body, "Hello,\n"));
    assert_non_null(strstr(body, "by Thursday 1 July 2027."));
    assert_non_null(strstr(body, "Your contact is the Cognus Enquiries team"));
    b.npromises = 0;
    b.subject = "";
    assert_int_equal(ch_mail_ack_compose(&b, &arena, subject, sizeof(subject), &body, &err), CH_OK);
    assert_string_equal(subject, "Re: your message [Case #7]");
    assert_non_null(strstr(body, "do not promise a time for answering"));
    /* A subject too long for the buffer is cut, never overrun. */
    char small[16];
    assert_int_equal(ch_mail_ack_compose(&a, &arena, small, sizeof(small), &body, &err), CH_OK);
    assert_int_equal(strlen(small), 15);
    ch_arena_free(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addresses_are_checked),
        cmocka_unit_test(a_subject_names_its_case),
        cmocka_unit_test(a_reply_subject_carries_one_tag_ours),
        cmocka_unit_test(the_seed_policies_take_mail),
        cmocka_unit_test(acknowledgements_go_only_where_safe),
        cmocka_unit_test(the_acknowledgement_says_what_was_promised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
