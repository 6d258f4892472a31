/* The retention schedule: periods as written in a policy (and mistakes
 * placed at their line and column), the cutoff counted back by calendar
 * months, and a legal hold keeping a record however old it is. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/retention.h"
#include "policy/load.h"

static char *seed_text(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/policies/%s", CHARTER_SOURCE_DIR, name);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, fp);
    buf[*len] = '\0';
    fclose(fp);
    return buf;
}

/* The seed policy with one line of its retention block replaced; the
 * line number (1-based) of the change in *line. */
static ch_diags load_changed(const char *from, const char *to, int *line)
{
    size_t len;
    char *text = seed_text("sutton.yaml", &len);
    char *at = strstr(text, from);
    assert_non_null(at);
    *line = 1;
    for (char *p = text; p < at; p++)
        *line += *p == '\n';
    size_t nf = strlen(from), nt = strlen(to);
    char *out = malloc(len - nf + nt + 1);
    assert_non_null(out);
    memcpy(out, text, (size_t)(at - text));
    memcpy(out + (at - text), to, nt);
    memcpy(out + (at - text) + nt, at + nf, strlen(at + nf) + 1);
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_not_equal(ch_policy_load_text(&pol, "sutton.yaml", out, strlen(out), NULL, &d),
                         CH_OK);
    assert_null(pol);
    free(text);
    free(out);
    return d;
}

static void assert_diag(const ch_diags *d, int line, int col, const char *fragment)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && d->items[i].col == col && strstr(d->items[i].msg, fragment))
            return;
    ch_diags_print(d, stderr);
    fail_msg("no diagnostic at %d:%d containing '%s'", line, col, fragment);
}

static void the_seed_schedule_loads(void **state)
{
    (void)state;
    char path[512];
    ch_policy *pol = NULL;
    ch_diags d = {0};
    snprintf(path, sizeof(path), "%s/policies/sutton.yaml", CHARTER_SOURCE_DIR);
    assert_int_equal(ch_policy_load_file(&pol, path, &d), CH_OK);
    assert_non_null(pol->retention);
    assert_true(pol->retention->set[CH_RETAIN_CLOSED_CASES]);
    assert_int_equal(pol->retention->span[CH_RETAIN_CLOSED_CASES].years, 6);
    assert_int_equal(pol->retention->span[CH_RETAIN_SURVEY_RESPONSES].years, 2);
    assert_int_equal(pol->retention->span[CH_RETAIN_INBOUND_MAIL].years, 1);
    assert_true(pol->retention->set[CH_RETAIN_AUDIT]);
    assert_int_equal(pol->retention->span[CH_RETAIN_AUDIT].years, 7);
    assert_int_equal(ch_retention_action_of(CH_RETAIN_CLOSED_CASES), CH_RETAIN_ANONYMISE);
    assert_int_equal(ch_retention_action_of(CH_RETAIN_SURVEY_RESPONSES), CH_RETAIN_DELETE);
    assert_string_equal(ch_retention_noun_n(CH_RETAIN_CLOSED_CASES, 1), "closed case");
    assert_string_equal(ch_retention_noun_n(CH_RETAIN_CLOSED_CASES, 12), "closed cases");
    assert_string_equal(ch_retention_noun_n(CH_RETAIN_INBOUND_MAIL, 0),
                        "raw inbound mail messages");
    ch_policy_free(pol);
    ch_diags_free(&d);
}

static void mistakes_are_placed(void **state)
{
    (void)state;
    int line;
    ch_diags d = load_changed("  closed_cases: 6 years", "  closed_case: 6 years", &line);
    assert_diag(&d, line, 3, "did you mean 'closed_cases'");
    ch_diags_free(&d);
    d = load_changed("  closed_cases: 6 years", "  closed_cases: 6 yrs", &line);
    assert_diag(&d, line, 17, "not a retention period");
    ch_diags_free(&d);
    d = load_changed("  audit: 7 years", "  audit: 7 days", &line);
    assert_diag(&d, line, 10, "at least 1 year");
    ch_diags_free(&d);
}

static void periods_are_read_strictly(void **state)
{
    (void)state;
    ch_retention_span s;
    ch_error err;
    char buf[32];
    assert_int_equal(ch_retention_span_parse("6 years", &s, &err), CH_OK);
    assert_int_equal(s.years, 6);
    assert_int_equal(ch_retention_span_parse("1 month", &s, &err), CH_OK);
    assert_int_equal(s.months, 1);
    ch_retention_span_format(&s, buf, sizeof(buf));
    assert_string_equal(buf, "1 month");
    assert_int_equal(ch_retention_span_parse("30 days", &s, &err), CH_OK);
    assert_int_equal(s.days, 30);
    const char *bad[] = {"",        "6",       "years",    "0 years",     "101 years", "6years",
                         "-1 days", "6 weeks", "6 years ", "999999 days", NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_int_equal(ch_retention_span_parse(bad[i], &s, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "e.g. \"6 years\""));
}

static void what_is_due_on_a_day(void **state)
{
    (void)state;
    ch_retention_rules r = {0};
    ch_time cutoff;
    r.set[CH_RETAIN_CLOSED_CASES] = true;
    r.span[CH_RETAIN_CLOSED_CASES] = (ch_retention_span){.years = 6};
    r.set[CH_RETAIN_NOTIFICATIONS] = true;
    r.span[CH_RETAIN_NOTIFICATIONS] = (ch_retention_span){.days = 30};
    ch_time now = t_at("2032-03-01T10:00");
    assert_true(ch_retention_cutoff(&r, CH_RETAIN_CLOSED_CASES, now, &cutoff));
    assert_int_equal(cutoff, t_at("2026-03-01T10:00"));
    /* Closed at the very moment six years ago: due; a second later: not. */
    assert_true(ch_retention_due(&r, CH_RETAIN_CLOSED_CASES, cutoff, now, false));
    assert_false(ch_retention_due(&r, CH_RETAIN_CLOSED_CASES, cutoff + 1, now, false));
    /* However old, a held record is not due. */
    assert_false(ch_retention_due(&r, CH_RETAIN_CLOSED_CASES, t_at("2001-01-01T00:00"), now, true));
    /* A kind the policy does not name is kept for ever. */
    assert_false(ch_retention_cutoff(&r, CH_RETAIN_SURVEY_RESPONSES, now, &cutoff));
    assert_false(ch_retention_due(&r, CH_RETAIN_SURVEY_RESPONSES, 0, now, false));
    assert_false(ch_retention_due(NULL, CH_RETAIN_CLOSED_CASES, 0, now, false));
    /* Years move the date: 29 February counts back to 28 February. */
    assert_true(ch_retention_cutoff(&r, CH_RETAIN_CLOSED_CASES, t_at("2034-02-28T00:00"), &cutoff));
    assert_int_equal(cutoff, t_at("2028-02-28T00:00"));
    assert_true(ch_retention_cutoff(&r, CH_RETAIN_NOTIFICATIONS, now, &cutoff));
    assert_int_equal(cutoff, t_at("2032-01-31T10:00"));
}

/* The audit log is one chain for every service: it is purged to the
 * longest period any charter gives, and not at all while one gives none. */
static void audit_keeps_the_longest_period(void **state)
{
    (void)state;
    ch_retention_rules a = {0}, b = {0}, none = {0};
    a.set[CH_RETAIN_AUDIT] = b.set[CH_RETAIN_AUDIT] = true;
    a.span[CH_RETAIN_AUDIT] = (ch_retention_span){.years = 7};
    b.span[CH_RETAIN_AUDIT] = (ch_retention_span){.years = 10};
    const ch_retention_rules *both[] = {&a, &b}, *with_none[] = {&a, &none, NULL};
    const char *ids[] = {"sutton", "cognus", "hackney"};
    ch_time now = t_at("2036-06-01T09:00"), cutoff = 0;
    char why[300];
    assert_true(ch_retention_audit_cutoff(both, ids, 2, now, &cutoff, why, sizeof(why)));
    assert_int_equal(cutoff, t_at("2026-06-01T09:00"));
    assert_false(ch_retention_audit_cutoff(with_none, ids, 2, now, &cutoff, why, sizeof(why)));
    assert_non_null(strstr(why, "the cognus charter gives no audit period"));
    /* A policy with no retention block at all keeps them too. */
    assert_false(ch_retention_audit_cutoff(with_none + 2, ids, 1, now, &cutoff, why, sizeof(why)));
    assert_false(ch_retention_audit_cutoff(both, ids, 0, now, &cutoff, why, sizeof(why)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_seed_schedule_loads),        cmocka_unit_test(mistakes_are_placed),
        cmocka_unit_test(periods_are_read_strictly),      cmocka_unit_test(what_is_due_on_a_day),
        cmocka_unit_test(audit_keeps_the_longest_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
