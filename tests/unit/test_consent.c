/* The consent check with worked examples from Cognus's charter: the person
 * a case is about, parents of children and of adults, advocates with and
 * without consent, consent for one enquiry, expiry, withdrawal, and ages
 * counted on the day. */
#include "helpers.h"

#include <string.h>

#include "core/civil.h"
#include "core/consent.h"
#include "core/person.h"

enum { SAM = 1, PRIYA = 2, ALEX = 3, JO = 4, CASE = 12, OTHER_CASE = 14 };

static ch_date day(int y, int m, int d)
{
    return ch_date_from_ymd(y, m, d);
}

/* A question about case 12 (Sam Lee's) put on 1 July 2026 at noon UTC. */
static ch_consent_question ask(int64_t with, const char *name, ch_date dob, bool has_dob)
{
    ch_consent_question q = {0};
    q.case_id = CASE;
    q.subject = (ch_consent_party){SAM, "Sam Lee", has_dob, dob};
    q.with = (ch_consent_party){with, name, false, 0};
    q.on = day(2026, 7, 1);
    q.at = (ch_time)q.on * CH_DAY_SECS + 12 * 3600;
    return q;
}

static const ch_relationship rels[] = {
    {1, PRIYA, "parent", SAM, 0, NULL, 0, 0, "Priya Lee", "Sam Lee", NULL},
    {2, ALEX, "advocate", SAM, 0, NULL, 0, 0, "Alex Khan", "Sam Lee", NULL},
    {3, JO, "professional", SAM, 0, NULL, 0, 0, "Jo Park", "Sam Lee", NULL},
};

static ch_consent consent(int64_t id, int64_t grantor, const char *gname, int64_t grantee,
                          int64_t case_id, ch_date given)
{
    ch_consent c = {0};
    c.id = id;
    c.grantor_id = grantor;
    c.grantor_name = gname;
    c.grantee_id = grantee;
    c.case_id = case_id;
    c.given_on = given;
    c.evidence = "Signed letter";
    return c;
}

static void check(const ch_consent_question *q, ch_consent_answer *a)
{
    ch_error err = {0};
    assert_int_equal(ch_consent_check(q, a, &err), CH_OK);
}

static void ages_count_whole_years_on_the_day(void **state)
{
    (void)state;
    assert_int_equal(ch_person_age_on(day(2008, 7, 1), day(2026, 7, 1)), 18);
    assert_int_equal(ch_person_age_on(day(2008, 7, 2), day(2026, 7, 1)), 17);
    assert_int_equal(ch_person_age_on(day(2008, 12, 31), day(2026, 7, 1)), 17);
    assert_int_equal(ch_person_age_on(day(2026, 7, 1), day(2026, 7, 1)), 0);
    assert_int_equal(ch_person_age_on(day(2026, 7, 2), day(2026, 7, 1)), -1);
    /* Born on 29 February: a year older on 1 March in other years. */
    assert_int_equal(ch_person_age_on(day(2008, 2, 29), day(2026, 2, 28)), 17);
    assert_int_equal(ch_person_age_on(day(2008, 2, 29), day(2026, 3, 1)), 18);
    assert_int_equal(ch_person_age_on(day(2008, 2, 29), day(2028, 2, 29)), 20);
}

static void the_person_the_case_is_about_may_always_be_told(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(SAM, "Sam Lee", day(2015, 1, 1), true);
    check(&q, &a);
    assert_true(a.allowed);
    assert_int_equal(a.basis, CH_BASIS_SUBJECT);
    q.subject.has_dob = false;
    check(&q, &a);
    assert_true(a.allowed);
}

static void a_parent_may_be_told_about_a_child_under_18(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(PRIYA, "Priya Lee", day(2008, 7, 2), true); /* 17 */
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_true(a.allowed);
    assert_int_equal(a.basis, CH_BASIS_PARENT_OF_CHILD);
    assert_int_equal(a.age, 17);
    assert_string_equal(a.relation, "parent");
    assert_non_null(strstr(a.reason, "Sam Lee is 17"));
    /* A carer counts as a parent does. */
    ch_relationship carer = rels[0];
    carer.kind = "carer";
    q.rels = &carer;
    q.nrels = 1;
    check(&q, &a);
    assert_true(a.allowed);
}

static void a_parent_of_someone_18_needs_their_own_consent(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(PRIYA, "Priya Lee", day(2007, 3, 4), true); /* 19 */
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    assert_int_equal(a.age, 19);
    assert_string_equal(a.sentence,
                        "Case 12 is about Sam Lee (19). Priya Lee is their parent, and Sam Lee is "
                        "18 or over, so we need Sam Lee's own written consent before we speak to "
                        "Priya Lee about this case; record it under Sam Lee's record, Consents.");
    assert_string_equal(a.reason, "Sam Lee is 19; Sam Lee's own consent is needed");
    /* On the 18th birthday itself the parent already needs consent. */
    q = ask(PRIYA, "Priya Lee", day(2008, 7, 1), true);
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    /* With Sam's own consent for Priya, yes. */
    ch_consent c = consent(7, SAM, "Sam Lee", PRIYA, 0, day(2026, 6, 1));
    q.consents = &c;
    q.nconsents = 1;
    check(&q, &a);
    assert_true(a.allowed);
    assert_int_equal(a.basis, CH_BASIS_CONSENT);
    assert_int_equal(a.consent_id, 7);
    assert_string_equal(a.reason, "Sam Lee's written consent of 1 June 2026 covers every matter");
    /* A parent cannot consent for themselves about an adult child. */
    c.grantor_id = PRIYA;
    check(&q, &a);
    assert_false(a.allowed);
}

static void a_parent_of_someone_whose_age_is_unknown_is_refused(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(PRIYA, "Priya Lee", 0, false);
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    assert_int_equal(a.age, -1);
    assert_non_null(strstr(a.sentence, "whose date of birth is not recorded"));
    assert_non_null(strstr(a.sentence, "record Sam Lee's date of birth"));
}

static void an_advocate_needs_current_consent_for_this_case(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(ALEX, "Alex Khan", day(2000, 1, 1), true);
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    assert_string_equal(a.relation, "advocate");
    assert_string_equal(a.sentence,
                        "Case 12 is about Sam Lee (26). Alex Khan is their advocate, so we need "
                        "Sam Lee's written consent, current and covering this case, before we "
                        "speak to Alex Khan about it; record it under Sam Lee's record, Consents.");
    /* Consent for this case. */
    ch_consent c = consent(8, SAM, "Sam Lee", ALEX, CASE, day(2026, 6, 1));
    q.consents = &c;
    q.nconsents = 1;
    check(&q, &a);
    assert_true(a.allowed);
    assert_string_equal(a.reason, "Sam Lee's written consent of 1 June 2026 covers this case");
    /* Consent gained for a specific enquiry does not cover another. */
    c.case_id = OTHER_CASE;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "covers case 14 only"));
    assert_non_null(strstr(a.reason, "covers case 14 only"));
    /* Consent naming someone else does not count for Alex. */
    c.case_id = 0;
    c.grantee_id = JO;
    check(&q, &a);
    assert_false(a.allowed);
    /* Nor does consent from someone the case is not about. */
    c.grantee_id = ALEX;
    c.grantor_id = JO;
    check(&q, &a);
    assert_false(a.allowed);
}

static void consent_counts_only_between_its_dates(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(ALEX, "Alex Khan", day(2000, 1, 1), true);
    ch_consent c = consent(9, SAM, "Sam Lee", ALEX, 0, day(2026, 7, 1));
    c.expires = true;
    c.expires_on = day(2026, 7, 2);
    q.consents = &c;
    q.nconsents = 1;
    check(&q, &a); /* given today, expires tomorrow */
    assert_true(a.allowed);
    q.on = day(2026, 7, 2); /* the day it expires it no longer counts */
    q.at = (ch_time)q.on * CH_DAY_SECS;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "expired on 2 July 2026"));
    assert_int_equal(ch_consent_state_at(&c, q.at, q.on), CH_CONSENT_EXPIRED);
    q.on = day(2026, 6, 30); /* before it was given */
    q.at = (ch_time)q.on * CH_DAY_SECS;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "after this contact"));
    assert_int_equal(ch_consent_state_at(&c, q.at, q.on), CH_CONSENT_NOT_YET);
    /* A refusal explains the consent that would have covered this case
     * before a later one for another case. */
    q.on = day(2026, 7, 2);
    q.at = (ch_time)q.on * CH_DAY_SECS;
    ch_consent two[2] = {c, consent(13, SAM, "Sam Lee", ALEX, OTHER_CASE, day(2026, 7, 2))};
    q.consents = two;
    q.nconsents = 2;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "expired on 2 July 2026"));
    assert_null(strstr(a.sentence, "covers case 14"));
}

static void withdrawal_takes_effect_at_once(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(ALEX, "Alex Khan", day(2000, 1, 1), true);
    ch_consent c = consent(10, SAM, "Sam Lee", ALEX, 0, day(2026, 1, 5));
    c.withdrawn_at = q.at + 1;
    q.consents = &c;
    q.nconsents = 1;
    check(&q, &a); /* a contact a second before the withdrawal */
    assert_true(a.allowed);
    c.withdrawn_at = q.at;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "was withdrawn on 1 July 2026"));
    assert_non_null(strstr(a.reason, "withdrawn"));
    /* Another, current consent still counts. */
    ch_consent two[2] = {c, consent(11, SAM, "Sam Lee", ALEX, CASE, day(2026, 6, 1))};
    q.consents = two;
    q.nconsents = 2;
    check(&q, &a);
    assert_true(a.allowed);
    assert_int_equal(a.consent_id, 11);
}

static void for_a_child_a_parent_may_consent_for_an_advocate(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(ALEX, "Alex Khan", day(2012, 5, 5), true); /* 14 */
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "from Sam Lee or from their parent or carer (Priya Lee)"));
    ch_consent c = consent(12, PRIYA, "Priya Lee", ALEX, CASE, day(2026, 6, 1));
    q.consents = &c;
    q.nconsents = 1;
    check(&q, &a);
    assert_true(a.allowed);
    assert_string_equal(a.reason, "Priya Lee's written consent of 1 June 2026 covers this case");
    /* Once Sam is 18 the parent's consent no longer speaks for them. */
    q.subject.dob = day(2008, 5, 5);
    check(&q, &a);
    assert_false(a.allowed);
    /* Someone who is not a parent cannot consent for the child. */
    q.subject.dob = day(2012, 5, 5);
    c.grantor_id = JO;
    check(&q, &a);
    assert_false(a.allowed);
}

static void a_professional_and_a_stranger_need_consent_too(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(JO, "Jo Park", day(2000, 1, 1), true);
    q.rels = rels;
    q.nrels = 3;
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "Jo Park is a professional acting for them"));
    q = ask(99, "Kim Stone", day(2000, 1, 1), true);
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "Kim Stone has no recorded relationship to them"));
}

static void a_case_about_nobody_discloses_to_nobody_else(void **state)
{
    (void)state;
    ch_consent_answer a;
    ch_consent_question q = ask(JO, "Jo Park", 0, false);
    q.subject = (ch_consent_party){0};
    check(&q, &a);
    assert_false(a.allowed);
    assert_non_null(strstr(a.sentence, "does not name the person it is about"));
    ch_error err = {0};
    q.with.name = NULL;
    assert_int_equal(ch_consent_check(&q, &a, &err), CH_E_INVALID);
}

static void relation_names_read_back(void **state)
{
    (void)state;
    ch_relation r;
    for (int i = 0; i < CH_REL_COUNT; i++) {
        assert_int_equal(ch_relation_parse(ch_relation_name((ch_relation)i), &r), CH_OK);
        assert_int_equal(r, i);
    }
    assert_int_equal(ch_relation_parse("friend", &r), CH_E_NOTFOUND);
    assert_int_equal(ch_relation_parse(NULL, &r), CH_E_NOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ages_count_whole_years_on_the_day),
        cmocka_unit_test(the_person_the_case_is_about_may_always_be_told),
        cmocka_unit_test(a_parent_may_be_told_about_a_child_under_18),
        cmocka_unit_test(a_parent_of_someone_18_needs_their_own_consent),
        cmocka_unit_test(a_parent_of_someone_whose_age_is_unknown_is_refused),
        cmocka_unit_test(an_advocate_needs_current_consent_for_this_case),
        cmocka_unit_test(consent_counts_only_between_its_dates),
        cmocka_unit_test(withdrawal_takes_effect_at_once),
        cmocka_unit_test(for_a_child_a_parent_may_consent_for_an_advocate),
        cmocka_unit_test(a_professional_and_a_stranger_need_consent_too),
        cmocka_unit_test(a_case_about_nobody_discloses_to_nobody_else),
        cmocka_unit_test(relation_names_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
