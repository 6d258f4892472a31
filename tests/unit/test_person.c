/* The person rules in the core: age on a given day (birthdays, 29 February)
 * and communication needs turned into alert sentences and channel checks. */
#include "helpers.h"

#include <string.h>

#include "core/person.h"

static ch_date d(int y, int m, int day)
{
    return ch_date_from_ymd(y, m, day);
}

static void age_counts_whole_years_from_the_birthday(void **state)
{
    (void)state;
    assert_int_equal(ch_person_age_on(d(2010, 3, 14), d(2026, 3, 13)), 15);
    assert_int_equal(ch_person_age_on(d(2010, 3, 14), d(2026, 3, 14)), 16);
    assert_int_equal(ch_person_age_on(d(2010, 3, 14), d(2010, 3, 14)), 0);
    /* Born on 29 February: 28 February is still before the birthday in a
     * common year, 1 March is after it. */
    assert_int_equal(ch_person_age_on(d(2008, 2, 29), d(2026, 2, 28)), 17);
    assert_int_equal(ch_person_age_on(d(2008, 2, 29), d(2026, 3, 1)), 18);
    assert_int_equal(ch_person_age_on(d(2008, 2, 29), d(2028, 2, 29)), 20);
    assert_int_equal(ch_person_age_on(d(2010, 3, 14), d(2009, 1, 1)), -1);
}

static void needs_become_sentences(void **state)
{
    (void)state;
    ch_person_alerts a;
    ch_person_needs none = {0};
    ch_person_alerts_make(&none, &a);
    assert_int_equal(a.n, 0);
    ch_person_needs n = {.set_preferred = true,
                         .preferred = CH_CHANNEL_EMAIL,
                         .avoid = 1u << CH_CHANNEL_PHONE | 1u << CH_CHANNEL_VOICEMAIL |
                                  1u << CH_CHANNEL_IN_PERSON,
                         .format = "easy-read",
                         .language = "Polish",
                         .interpreter = true,
                         .bsl = true,
                         .avoid_times = "before 10:00",
                         .note = "Deaf."};
    ch_person_alerts_make(&n, &a);
    assert_int_equal(a.n, 6);
    assert_string_equal(
        a.text[0], "Prefers email; please do not phone, leave a voicemail or visit in person.");
    assert_string_equal(
        a.text[1], "Uses British Sign Language: book a BSL interpreter for calls and meetings.");
    assert_string_equal(a.text[2], "Speaks Polish: an interpreter is needed.");
    assert_string_equal(a.text[3], "Send written information in easy read.");
    assert_string_equal(a.text[4], "Times to avoid: before 10:00.");
    assert_string_equal(a.text[5], "Note: Deaf.");
    ch_person_needs only_avoid = {.avoid = 1u << CH_CHANNEL_LETTER};
    ch_person_alerts_make(&only_avoid, &a);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.text[0], "Please do not write by letter.");
}

static void an_avoided_channel_is_caught_and_explained(void **state)
{
    (void)state;
    ch_person_needs n = {
        .set_preferred = true, .preferred = CH_CHANNEL_EMAIL, .avoid = 1u << CH_CHANNEL_PHONE};
    assert_true(ch_person_channel_avoided(&n, CH_CHANNEL_PHONE));
    assert_false(ch_person_channel_avoided(&n, CH_CHANNEL_EMAIL));
    assert_false(ch_person_channel_avoided(&n, CH_CHANNEL_LETTER));
    /* Not to be phoned is not to be left a voicemail either. */
    assert_true(ch_person_channel_avoided(&n, CH_CHANNEL_VOICEMAIL));
    char buf[400];
    ch_person_channel_advice(&n, CH_CHANNEL_PHONE, buf, sizeof(buf));
    assert_non_null(strstr(buf, "asked us not to phone; they prefer email"));
    assert_non_null(strstr(buf, "channel_reason"));
    assert_true(ch_person_format_known("large-print"));
    assert_false(ch_person_format_known("tiny"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(age_counts_whole_years_from_the_birthday),
        cmocka_unit_test(needs_become_sentences),
        cmocka_unit_test(an_avoided_channel_is_caught_and_explained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
