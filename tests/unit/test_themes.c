/* Themes: the suppression rule that lets counts leave the service (exact
 * totals from 5, margins with no count under 5 shown and none that can be
 * worked back), the check of a case's themes against its charter,
 * quarters, and the policy block. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/themes.h"
#include "policy/load.h"

static const ch_theme list[] = {
    {"ehcp-assessment", "EHCP assessment"},
    {"school-transport", "School transport"},
    {"exclusion", "Exclusion"},
};

/* What a margin publishes, as one letter a count: 'h' hidden, 'x' exact. */
static const char *margin(const int64_t *counts, size_t n)
{
    static char shape[16];
    ch_figure out[8];
    ch_figure_margin(counts, n, out);
    for (size_t i = 0; i < n; i++) {
        shape[i] = out[i].kind == CH_FIGURE_HIDDEN ? 'h' : 'x';
        if (out[i].kind == CH_FIGURE_HIDDEN)
            assert_int_equal(out[i].value, 0); /* the hidden count is not even carried */
        else
            assert_int_equal(out[i].value, counts[i]);
    }
    shape[n] = '\0';
    return shape;
}

static void totals_are_exact_from_5(void **state)
{
    (void)state;
    char buf[40];
    /* 10 EHCP cases: the figure a local authority wants, exact. */
    ch_figure t = ch_figure_total(10);
    assert_int_equal(t.kind, CH_FIGURE_EXACT);
    assert_int_equal(t.value, 10);
    assert_true(ch_figure_breakdown_shown(t));
    ch_figure_text(t, buf, sizeof(buf));
    assert_string_equal(buf, "10");
    t = ch_figure_total(5);
    assert_int_equal(t.kind, CH_FIGURE_EXACT);
    assert_int_equal(ch_figure_total(0).kind, CH_FIGURE_EXACT);
    /* Under 5: "fewer than 5", not carried, and not broken down. */
    for (int64_t k = 1; k < 5; k++) {
        t = ch_figure_total(k);
        assert_int_equal(t.kind, CH_FIGURE_FEWER);
        assert_int_equal(t.value, 0);
        assert_false(ch_figure_breakdown_shown(t));
        ch_figure_text(t, buf, sizeof(buf));
        assert_string_equal(buf, "fewer than 5");
    }
}

static void a_margin_with_nothing_small_is_exact(void **state)
{
    (void)state;
    int64_t counts[] = {10};
    assert_string_equal(margin(counts, 1), "x");
    int64_t two[] = {5, 7};
    assert_string_equal(margin(two, 2), "xx");
    char buf[40];
    ch_figure out[2];
    ch_figure_margin(two, 2, out);
    ch_figure_text(out[1], buf, sizeof(buf));
    assert_string_equal(buf, "7");
}

static void one_hidden_hides_the_next_smallest(void **state)
{
    (void)state;
    char buf[40];
    /* 9 cases, 6 by email and 3 by phone: the 3 alone would be 9 - 6. */
    int64_t counts[] = {6, 3};
    assert_string_equal(margin(counts, 2), "hh");
    ch_figure out[2];
    ch_figure_margin(counts, 2, out);
    ch_figure_text(out[0], buf, sizeof(buf));
    assert_string_equal(buf, "hidden to protect small numbers");
    /* The smallest shown goes, not a bigger one; the rest stay exact. */
    int64_t three[] = {20, 1, 6, 9};
    assert_string_equal(margin(three, 4), "xhhx");
    /* 1 and 7 would add to 8, two 4s as far as a reader knows: one more. */
    int64_t again[] = {20, 1, 7, 9};
    assert_string_equal(margin(again, 4), "xhhh");
    /* Of equals, the first. */
    int64_t ties[] = {8, 2, 8};
    assert_string_equal(margin(ties, 3), "hhx");
    /* Two small ones that pin nothing are enough on their own. */
    int64_t pair[] = {2, 3, 9};
    assert_string_equal(margin(pair, 3), "hhx");
    /* A 0 is never hidden (it protects nobody), and never secondarily. */
    int64_t zero[] = {0, 2, 6};
    assert_string_equal(margin(zero, 3), "xhh");
}

static void all_ones_or_all_fours_hide_one_more(void **state)
{
    (void)state;
    /* Two hidden adding to 2 are 1 and 1; to 8, 4 and 4. */
    int64_t ones[] = {1, 1, 9, 6};
    assert_string_equal(margin(ones, 4), "hhxh");
    int64_t fours[] = {4, 12, 4, 30};
    assert_string_equal(margin(fours, 4), "hhhx");
    int64_t three_ones[] = {1, 1, 1, 5, 5};
    assert_string_equal(margin(three_ones, 5), "hhhhx");
    /* One small one and the next smallest added, summing to k or 4k, hide
     * until safe: here 1 then 5 makes 6 over 2, safe. */
    int64_t after[] = {1, 5, 5};
    assert_string_equal(margin(after, 3), "hhx");
    /* Until nothing is left to hide: the reader has the total alone. */
    int64_t all[] = {4, 4};
    assert_string_equal(margin(all, 2), "hh");
    int64_t lone[] = {3, 5};
    assert_string_equal(margin(lone, 2), "hh");
    /* Whatever the small pair beside 8 and 20, the figures shown are the
     * same, and 8 goes too exactly when the pair would be all ones or all
     * fours. */
    for (int64_t a = 1; a < 5; a++)
        for (int64_t b = 1; b < 5; b++) {
            int64_t c[] = {8, a, 20, b};
            const char *shape = margin(c, 4);
            if (a + b == 2 || a + b == 8)
                assert_string_equal(shape, "hhxh");
            else
                assert_string_equal(shape, "xhxh");
        }
}

static void case_themes_come_from_the_charter(void **state)
{
    (void)state;
    ch_error err = {0};
    const char *ok[] = {"exclusion", "school-transport"};
    assert_int_equal(ch_themes_check(list, 3, ok, 2, &err), CH_OK);
    assert_int_equal(ch_themes_check(list, 3, NULL, 0, &err), CH_OK);
    const char *bad[] = {"transport"};
    assert_int_equal(ch_themes_check(list, 3, bad, 1, &err), CH_E_INVALID);
    /* The sentence names the themes that are allowed. */
    assert_non_null(strstr(err.msg, "'transport'"));
    assert_non_null(strstr(err.msg, "ehcp-assessment, school-transport or exclusion"));
    const char *twice[] = {"exclusion", "exclusion"};
    assert_int_equal(ch_themes_check(list, 3, twice, 2, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "twice"));
    const char *many[9] = {"a", "b", "c", "d", "e", "f", "g", "h", "i"};
    assert_int_equal(ch_themes_check(list, 3, many, 9, &err), CH_E_INVALID);
    assert_int_equal(ch_themes_check(NULL, 0, ok, 1, &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "no themes"));
}

static void quarters(void **state)
{
    (void)state;
    char buf[12];
    assert_int_equal(ch_quarter_parse("2026-Q3"), 2026 * 4 + 2);
    assert_int_equal(ch_quarter_parse("2026-q4"), 2026 * 4 + 3);
    assert_int_equal(ch_quarter_parse("2026-x4"), -1);
    assert_int_equal(ch_quarter_parse("2026-08"), 2026 * 4 + 2);
    assert_int_equal(ch_quarter_parse("2026-09-30"), 2026 * 4 + 2);
    assert_int_equal(ch_quarter_parse("2026-10-01"), 2026 * 4 + 3);
    assert_int_equal(ch_quarter_parse("2026-01"), 2026 * 4);
    assert_int_equal(ch_quarter_parse("2026-Q5"), -1);
    assert_int_equal(ch_quarter_parse("2026-13"), -1);
    assert_int_equal(ch_quarter_parse("2026-Q3x"), -1);
    assert_int_equal(ch_quarter_parse("1999-Q1"), -1);
    assert_int_equal(ch_quarter_parse(""), -1);
    ch_quarter_format(2026 * 4 + 2, buf, sizeof(buf));
    assert_string_equal(buf, "2026-Q3");
}

static void the_policy_lists_its_themes(void **state)
{
    (void)state;
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_equal(ch_policy_load_file(&pol, CHARTER_SOURCE_DIR "/policies/sendiass.yaml", &d),
                     CH_OK);
    assert_true(pol->nthemes >= 3);
    const ch_theme *t = ch_theme_find(pol->themes, pol->nthemes, "ehcp-assessment");
    assert_non_null(t);
    assert_string_equal(t->name, "EHCP assessment");
    assert_non_null(ch_theme_find(pol->themes, pol->nthemes, "school-transport"));
    assert_non_null(ch_theme_find(pol->themes, pol->nthemes, "exclusion"));
    ch_policy_free(pol);
    ch_diags_free(&d);
}

/* A mistake in the block is reported where it is, with how to fix it. */
static void a_mistake_in_the_themes_is_placed(void **state)
{
    (void)state;
    FILE *f = fopen(CHARTER_SOURCE_DIR "/policies/sendiass.yaml", "rb");
    assert_non_null(f);
    static char text[65536];
    size_t len = fread(text, 1, sizeof(text) - 200, f);
    fclose(f);
    text[len] = '\0';
    char *at = strstr(text, "\nthemes:\n");
    assert_non_null(at);
    const char tail[] = "\nthemes:\n  - id: exclusion\n    name: Exclusion\n"
                        "  - id: exclusion\n    name: Again\n  - id: Bad Id\n    name: x\n"
                        "  - id: ok\n    nmae: Typo\n";
    memcpy(at, tail, sizeof(tail));
    ch_policy *pol = NULL;
    ch_diags d = {0};
    assert_int_equal(ch_policy_load_text(&pol, "sendiass.yaml", text, strlen(text), NULL, &d),
                     CH_E_INVALID);
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    ch_diags_print(&d, mem);
    fclose(mem);
    assert_non_null(strstr(out, "listed twice"));
    assert_non_null(strstr(out, "lower-case letters"));
    assert_non_null(strstr(out, "nmae"));
    assert_non_null(strstr(out, "sendiass.yaml:"));
    free(out);
    ch_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(totals_are_exact_from_5),
        cmocka_unit_test(a_margin_with_nothing_small_is_exact),
        cmocka_unit_test(one_hidden_hides_the_next_smallest),
        cmocka_unit_test(all_ones_or_all_fours_hide_one_more),
        cmocka_unit_test(case_themes_come_from_the_charter),
        cmocka_unit_test(quarters),
        cmocka_unit_test(the_policy_lists_its_themes),
        cmocka_unit_test(a_mistake_in_the_themes_is_placed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
