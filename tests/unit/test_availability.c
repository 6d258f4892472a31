/* Staff availability: whether someone is away, when they are back, who
 * covers, the out-of-office reply (Cognus) and the signature, and the
 * charter review warning (SENDIASS reviews its policy every year). */
#include "helpers.h"

#include <string.h>

#include "core/availability.h"
#include "core/review.h"

static ch_date day(int y, int m, int d)
{
    return ch_date_from_ymd(y, m, d);
}

static void a_christmas_absence_ends_on_the_next_working_day(void **state)
{
    (void)state;
    /* Away 21 Dec 2026 to Thu 31 Dec; Fri 1 Jan is not in her pattern
     * (Mon-Thu), so she is back on Mon 4 Jan 2027. */
    ch_work_pattern p = {.days = 0x0f};
    ch_absence a[] = {{.from = day(2026, 12, 21), .to = day(2026, 12, 31), .cover_id = 7}};
    ch_away w;
    ch_away_on(a, 1, &p, day(2026, 12, 24), &w);
    assert_true(w.away);
    assert_true(w.back_known);
    assert_int_equal(w.back, day(2027, 1, 4));
    assert_int_equal(w.absence->cover_id, 7);
    ch_away_on(a, 1, &p, day(2026, 12, 18), &w);
    assert_false(w.away);
    ch_away_on(a, 1, &p, day(2027, 1, 4), &w);
    assert_false(w.away);

    char buf[400];
    ch_away_on(a, 1, &p, day(2026, 12, 21), &w);
    ch_out_of_office_text("Sam Adviser", &w, "Priya Shah", "priya@cognus.example", buf,
                          sizeof(buf));
    assert_string_equal(buf, "Sam Adviser is away until Thursday 31 December 2026 and back at "
                             "work on Monday 4 January 2027. For anything urgent, contact "
                             "Priya Shah (priya@cognus.example).");
}

static void absences_that_follow_on_give_the_real_return(void **state)
{
    (void)state;
    /* Leave to Friday, then a course from the Monday: back the Wednesday. */
    ch_absence a[] = {
        {.from = day(2027, 1, 11), .to = day(2027, 1, 15), .cover_text = "the duty line"},
        {.from = day(2027, 1, 18), .to = day(2027, 1, 19), .cover_text = "the duty line"},
    };
    ch_away w;
    ch_away_on(a, 2, NULL, day(2027, 1, 12), &w);
    assert_true(w.away);
    assert_int_equal(w.last, day(2027, 1, 19));
    assert_int_equal(w.back, day(2027, 1, 20));
    char buf[400];
    ch_out_of_office_text("Olu", &w, NULL, NULL, buf, sizeof(buf));
    assert_string_equal(buf, "Olu is away until Tuesday 19 January 2027 and back at work on "
                             "Wednesday 20 January 2027. For anything urgent, contact the duty "
                             "line.");
    /* No return date known: said so, not guessed. */
    ch_absence open[] = {{.from = day(2027, 2, 1),
                          .open = true,
                          .cover_id = 3,
                          .cover_text = "the office on 020 7946 0000."}};
    ch_away_on(open, 1, NULL, day(2027, 3, 1), &w);
    assert_true(w.away);
    assert_false(w.back_known);
    ch_out_of_office_text("Olu", &w, "Priya Shah", NULL, buf, sizeof(buf));
    assert_string_equal(buf, "Olu is away and the return date is not known yet. For anything "
                             "urgent, contact Priya Shah, or the office on 020 7946 0000.");
}

static void absences_are_checked(void **state)
{
    (void)state;
    ch_error err = {0};
    ch_absence back[] = {{.from = day(2027, 1, 5), .to = day(2027, 1, 4), .cover_id = 2}};
    assert_int_equal(ch_absences_check(back, 1, 1, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "before it starts"));
    ch_absence nobody[] = {{.from = day(2027, 1, 4), .to = day(2027, 1, 4)}};
    assert_int_equal(ch_absences_check(nobody, 1, 1, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "alternative contact"));
    ch_absence self[] = {{.from = day(2027, 1, 4), .to = day(2027, 1, 4), .cover_id = 1}};
    assert_int_equal(ch_absences_check(self, 1, 1, &err), CH_E_INVALID);
    ch_absence overlap[] = {
        {.from = day(2027, 1, 4), .to = day(2027, 1, 8), .cover_id = 2},
        {.from = day(2027, 1, 8), .to = day(2027, 1, 9), .cover_id = 2},
    };
    assert_int_equal(ch_absences_check(overlap, 2, 1, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "overlap"));
    ch_absence good[] = {
        {.from = day(2027, 1, 4), .to = day(2027, 1, 4), .cover_id = 2},
        {.from = day(2027, 2, 1), .open = true, .cover_text = "x"},
    };
    assert_int_equal(ch_absences_check(good, 2, 1, &err), CH_OK);

    ch_work_pattern none = {0}, wrong = {.days = 1, .start = 15 * 3600, .end = 9 * 3600};
    ch_work_pattern ok = {.days = 7, .start = 9 * 3600, .end = 15 * 3600, .term_time = true};
    assert_int_equal(ch_pattern_check(&none, &err), CH_E_INVALID);
    assert_int_equal(ch_pattern_check(&wrong, &err), CH_E_INVALID);
    assert_int_equal(ch_pattern_check(&ok, &err), CH_OK);
}

static void a_signature_states_an_unusual_pattern(void **state)
{
    (void)state;
    char buf[300];
    ch_work_pattern p = {.days = 0x07, .start = 9 * 3600, .end = 15 * 3600, .term_time = true};
    ch_signature_text("Sam Adviser", &p, buf, sizeof(buf));
    assert_string_equal(buf, "Sam Adviser. I work Monday to Wednesday, 9am to 3pm, in term time.");
    ch_work_pattern q = {.days = 0x15, .start = 9 * 3600 + 30 * 60, .end = 12 * 3600};
    ch_signature_text("Olu", &q, buf, sizeof(buf));
    assert_string_equal(buf, "Olu. I work Monday, Wednesday and Friday, 9:30am to noon.");
    ch_work_pattern two = {.days = 0x0a};
    ch_signature_text("Olu", &two, buf, sizeof(buf));
    assert_string_equal(buf, "Olu. I work Tuesday and Thursday.");
    ch_work_pattern standard = {.days = CH_WEEKDAYS};
    ch_signature_text("Olu", &standard, buf, sizeof(buf));
    assert_string_equal(buf, "Olu");
    ch_signature_text("Olu", NULL, buf, sizeof(buf));
    assert_string_equal(buf, "Olu");
    /* A short buffer is cut, never overrun. */
    char tiny[8];
    ch_signature_text("Sam Adviser", &p, tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), 7);
}

static void a_charter_past_its_review_date_warns(void **state)
{
    (void)state;
    char buf[300];
    assert_true(ch_policy_review_overdue("Cognus Limited", day(2025, 12, 1), day(2026, 12, 1), buf,
                                         sizeof(buf)));
    assert_string_equal(buf, "The Cognus Limited charter was due for review by Monday 1 "
                             "December 2025; review it and set a new review_by.");
    assert_false(ch_policy_review_overdue("Cognus Limited", day(2026, 12, 1), day(2026, 12, 1), buf,
                                          sizeof(buf)));
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_christmas_absence_ends_on_the_next_working_day),
        cmocka_unit_test(absences_that_follow_on_give_the_real_return),
        cmocka_unit_test(absences_are_checked),
        cmocka_unit_test(a_signature_states_an_unusual_pattern),
        cmocka_unit_test(a_charter_past_its_review_date_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
