/* Subject access decisions: staff named by role, third parties withheld,
 * names taken out of free text (longest first, any ASCII case), and when a
 * SAR case may be extended or its export released. */
#include "helpers.h"

#include <string.h>

#include "core/sar.h"

static void staff_are_named_by_role_and_service(void **state)
{
    (void)state;
    char buf[200];
    const char *svc[] = {"sutton/information-requests", "cognus/enquiries"};
    ch_sar_staff_label(7, "officer", svc, 1, buf, sizeof(buf));
    assert_string_equal(buf, "an officer of sutton/information-requests");
    ch_sar_staff_label(8, "manager", svc, 2, buf, sizeof(buf));
    assert_string_equal(buf, "a manager of sutton/information-requests, cognus/enquiries");
    ch_sar_staff_label(9, "admin", NULL, 0, buf, sizeof(buf));
    assert_string_equal(buf, "an administrator");
    ch_sar_staff_label(0, NULL, NULL, 0, buf, sizeof(buf));
    assert_string_equal(buf, "the desk (automatic)");
}

static void other_people_are_withheld(void **state)
{
    (void)state;
    assert_string_equal(ch_sar_party(4, 4, "Dana Okafor"), "Dana Okafor");
    assert_string_equal(ch_sar_party(5, 4, "Olu Brown"), CH_SAR_WITHHELD);
    assert_true(ch_sar_contact_withheld(5, 4));
    assert_false(ch_sar_contact_withheld(4, 4));
    assert_false(ch_sar_contact_withheld(0, 4)); /* the case's own requester */
}

static void names_leave_free_text(void **state)
{
    (void)state;
    ch_arena a = {0};
    const ch_sar_name names[] = {{"Ann", "[A]"}, {"Ann Smith", "an officer"}, {"Al", "[never]"}};
    ch_sar_scrubber sc;
    assert_int_equal(ch_sar_scrubber_init(&sc, &a, names, 3), 0);
    assert_int_equal(sc.n, 2); /* "Al" is too short to take out */
    assert_string_equal(ch_sar_scrub(&a, "assigned to ann smith; Ann called Al", &sc),
                        "assigned to an officer; [A] called Al");
    assert_null(ch_sar_scrub(&a, NULL, &sc));
    assert_string_equal(ch_sar_scrub(&a, "", &sc), "");
    /* Whole words only: a name inside a longer word is left alone. */
    assert_string_equal(ch_sar_scrub(&a, "Annual review; Joanne; Ann.", &sc),
                        "Annual review; Joanne; [A].");
    /* A label longer than the name grows the text. */
    const ch_sar_name long_label[] = {{"Bob", "a much longer label for Bob"}};
    assert_int_equal(ch_sar_scrubber_init(&sc, &a, long_label, 1), 0);
    assert_string_equal(ch_sar_scrub(&a, "Bob Bob", &sc),
                        "a much longer label for Bob a much longer label for Bob");
    /* Many names sharing a first word, an email, and a name in UTF-8. */
    const ch_sar_name many[] = {{"Amira Khan", "[X]"},
                                {"Amira Jones", "[Y]"},
                                {"Amira", "[Z]"},
                                {"amira.khan@example.org", "[E]"},
                                {"Zo\xc3\xab Adams", "[U]"},
                                {"Amir Said", "[W]"}};
    assert_int_equal(ch_sar_scrubber_init(&sc, &a, many, 6), 0);
    assert_string_equal(
        ch_sar_scrub(&a,
                     "amira jones met Amira Khan (amira.khan@example.org), then Amira; "
                     "Zo\xc3\xab Adams and Amir Said came",
                     &sc),
        "[Y] met [X] ([E]), then [Z]; [U] and [W] came");
    ch_arena_free(&a);
}

/* Who else on record is taken out of the subject's copy: full names and
 * email addresses, never a name that is part of the subject's own. */
static void others_on_record_are_chosen_with_care(void **state)
{
    (void)state;
    assert_true(ch_sar_other_scrubbed("Amira Khan", "Ben Okafor"));
    assert_true(ch_sar_other_scrubbed("amira@example.org", "Ben Okafor"));
    assert_false(ch_sar_other_scrubbed("Amira", "Ben Okafor"));
    assert_false(ch_sar_other_scrubbed("Ben Okafor", "Ben Okafor Junior"));
    assert_false(ch_sar_other_scrubbed("Al", "Ben Okafor"));
    assert_false(ch_sar_other_scrubbed(NULL, "Ben Okafor"));
    assert_true(ch_sar_other_scrubbed("Okafor Ben", "Ben Okafor"));
}

static void an_extension_comes_within_the_month(void **state)
{
    (void)state;
    ch_error err = {0};
    assert_int_equal(ch_sar_extend_check("sar", "open", false, true, CH_OSTATE_PENDING, &err),
                     CH_OK);
    assert_int_equal(ch_sar_extend_check("sar", "paused", false, true, CH_OSTATE_PAUSED, &err),
                     CH_OK);
    assert_int_equal(ch_sar_extend_check("foi", "open", false, true, CH_OSTATE_PENDING, &err),
                     CH_E_INVALID);
    assert_int_equal(ch_sar_extend_check("sar", "closed", false, true, CH_OSTATE_PENDING, &err),
                     CH_E_CONFLICT);
    assert_int_equal(ch_sar_extend_check("sar", "open", true, true, CH_OSTATE_PENDING, &err),
                     CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "one extension"));
    assert_int_equal(ch_sar_extend_check("sar", "open", false, true, CH_OSTATE_BREACHED, &err),
                     CH_E_CONFLICT);
    assert_non_null(strstr(err.msg, "within the first month"));
    assert_int_equal(ch_sar_extend_check("sar", "open", false, true, CH_OSTATE_MET, &err),
                     CH_E_CONFLICT);
    assert_int_equal(ch_sar_extend_check("sar", "open", false, false, CH_OSTATE_PENDING, &err),
                     CH_E_CONFLICT);
}

static void a_release_needs_an_open_sar_about_someone(void **state)
{
    (void)state;
    ch_error err = {0};
    assert_int_equal(ch_sar_release_check("sar", "open", 3, &err), CH_OK);
    assert_int_equal(ch_sar_release_check("enquiry", "open", 3, &err), CH_E_INVALID);
    assert_int_equal(ch_sar_release_check("sar", "closed", 3, &err), CH_E_CONFLICT);
    assert_int_equal(ch_sar_release_check("sar", "open", 0, &err), CH_E_INVALID);
    char name[80];
    ch_sar_filename(12, 3, name, sizeof(name));
    assert_string_equal(name, "subject-access-case-12.zip");
    ch_sar_filename(0, 3, name, sizeof(name));
    assert_string_equal(name, "subject-access-person-3-preview.zip");
}

static void the_extension_flag_is_not_edited(void **state)
{
    (void)state;
    ch_error err = {0};
    const char *none[] = {"delayed"}, *ext[] = {"delayed", CH_SAR_EXTENDED_FLAG};
    assert_int_equal(ch_sar_flags_check(none, 1, none, 0, &err), CH_OK);
    assert_int_equal(ch_sar_flags_check(ext, 2, ext + 1, 1, &err), CH_OK);
    assert_int_equal(ch_sar_flags_check(none, 1, ext, 2, &err), CH_E_INVALID);
    assert_int_equal(ch_sar_flags_check(ext, 2, none, 1, &err), CH_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_are_named_by_role_and_service),
        cmocka_unit_test(other_people_are_withheld),
        cmocka_unit_test(names_leave_free_text),
        cmocka_unit_test(others_on_record_are_chosen_with_care),
        cmocka_unit_test(an_extension_comes_within_the_month),
        cmocka_unit_test(a_release_needs_an_open_sar_about_someone),
        cmocka_unit_test(the_extension_flag_is_not_edited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
