/* The public page's points of contact: which telephone numbers and links a
 * policy may publish, the tel: link a number becomes, and the seeds' contact
 * blocks as the loader reads them (Hackney's Services for Schools line,
 * Cognus's address by appointment only). */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "core/contact_point.h"
#include "policy/load.h"

static void telephone_numbers_are_checked(void **state)
{
    (void)state;
    assert_true(ch_telephone_ok("020 8820 7566"));
    assert_true(ch_telephone_ok("+44 20 8820 7566"));
    assert_true(ch_telephone_ok("(020) 8820-7566"));
    assert_true(ch_telephone_ok("999"));
    assert_false(ch_telephone_ok(""));
    assert_false(ch_telephone_ok("99"));                    /* too few digits */
    assert_false(ch_telephone_ok("0208 8207 5661 2345 6")); /* too many */
    assert_false(ch_telephone_ok("call 020 8820 7566"));
    assert_false(ch_telephone_ok("020  8820 7566")); /* two spaces together */
    assert_false(ch_telephone_ok(" 020 8820 7566"));
    assert_false(ch_telephone_ok("020 8820 7566 "));
    assert_false(ch_telephone_ok("020 +8820"));
    assert_false(ch_telephone_ok("(020 8820 7566"));
    assert_false(ch_telephone_ok("020) 8820 7566"));
    assert_false(ch_telephone_ok("020 8820 7566 ext. 2"));
}

static void a_number_becomes_a_tel_link(void **state)
{
    (void)state;
    char buf[32];
    assert_true(ch_telephone_href("020 8820 7566", buf, sizeof(buf)));
    assert_string_equal(buf, "tel:02088207566");
    assert_true(ch_telephone_href("+44 (20) 8820-7566", buf, sizeof(buf)));
    assert_string_equal(buf, "tel:+442088207566");
    assert_false(ch_telephone_href("020 8820 7566", buf, 8)); /* no room */
    assert_false(ch_telephone_href("020", buf, 4));
}

static void public_links_are_checked(void **state)
{
    (void)state;
    assert_true(ch_public_link_ok("https://www.cognus.example/privacy-notice"));
    assert_true(ch_public_link_ok("http://www.cognus.example/privacy?lang=en#data"));
    assert_false(ch_public_link_ok("www.cognus.example/privacy"));
    assert_false(ch_public_link_ok("javascript:alert(1)"));
    assert_false(ch_public_link_ok("https://"));
    assert_false(ch_public_link_ok("https:///privacy"));
    assert_false(ch_public_link_ok("https://www.cognus.example/a b"));
    assert_false(ch_public_link_ok("https://www.cognus.example/\"onmouseover=x"));
    assert_false(ch_public_link_ok("https://www.cognus.example/<script>"));
    assert_false(ch_public_link_ok("https://www.cognus.example/\xc3\xa9"));
    char longer[520];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    memcpy(longer, "https://", 8);
    assert_false(ch_public_link_ok(longer));
}

static ch_policy *load(const char *name)
{
    char path[1024];
    ch_diags d = {0};
    ch_policy *p = NULL;
    snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, name);
    int rc = ch_policy_load_file(&p, path, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s:%d:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].col,
                d.items[i].msg);
    ch_diags_free(&d);
    assert_int_equal(rc, CH_OK);
    return p;
}

static void the_seeds_name_their_points_of_contact(void **state)
{
    (void)state;
    ch_policy *hackney = load("hackney-services-for-schools.yaml"), *cognus = load("cognus.yaml"),
              *beacon = load("beacon.yaml");
    assert_int_equal(hackney->ncontacts, 1);
    const ch_contact_point *c = &hackney->contacts[0];
    assert_string_equal(c->name, "Services for Schools team");
    assert_string_equal(c->telephone, "020 8820 7566");
    assert_string_equal(c->email, "s4s@hackney-schools.example");
    assert_int_equal(c->nservices, 0);
    assert_non_null(hackney->privacy_notice);

    assert_int_equal(cognus->ncontacts, 3);
    c = &cognus->contacts[1];
    assert_null(c->telephone);
    assert_string_equal(c->address,
                        "Cognus Limited\nCantium House\nRailway Approach\nWallington\nSM6 0DZ");
    assert_int_equal(c->appointment, CH_APPOINTMENT_REQUIRED);
    assert_string_equal(cognus->privacy_notice, "https://www.cognus.example/privacy-notice");

    /* Beacon's points of contact are each for one service. */
    assert_int_equal(beacon->ncontacts, 2);
    assert_int_equal(beacon->contacts[0].nservices, 1);
    assert_string_equal(beacon->contacts[0].services[0], "enquiries");
    ch_policy_free(hackney);
    ch_policy_free(cognus);
    ch_policy_free(beacon);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(telephone_numbers_are_checked),
        cmocka_unit_test(a_number_becomes_a_tel_link),
        cmocka_unit_test(public_links_are_checked),
        cmocka_unit_test(the_seeds_name_their_points_of_contact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
