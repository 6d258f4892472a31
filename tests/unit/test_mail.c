/* Which addresses the desk will write into a mail header. */
#include "helpers.h"

#include "mail/mail.h"

#include <string.h>

static void addresses_that_can_go_into_a_header(void **state)
{
    (void)state;
    assert_true(ch_mail_address_ok("bm@oak.example"));
    assert_true(ch_mail_address_ok("first.last+hours@school.sch.uk"));
    const char *bad[] = {
        NULL,
        "",
        "@",
        "a@",
        "@b",
        "no-at.example",
        "two@@example.org",
        "a@b@c",
        "sp ace@example.org",
        "line@example.org\r\nBcc: x@y",
        "<a@b>",
        "a,b@c",
        "a;b@c",
        "quote\"@example.org",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(ch_mail_address_ok(bad[i]));
    char longest[300];
    memset(longest, 'a', 251);
    memcpy(longest + 251, "@b.c", 5);
    assert_false(ch_mail_address_ok(longest)); /* 255 characters: 254 at most */
    memcpy(longest + 250, "@b.c", 5);
    assert_true(ch_mail_address_ok(longest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(addresses_that_can_go_into_a_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
