/* Bank holidays: the gov.uk importer against a real copy of the feed, and the
 * shipped 2020-2030 data checked against it where they overlap. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s: the shared data must sit beside the checkout", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    return buf;
}

static bool has(const ch_holidays *h, int div, const char *date)
{
    ch_date d;
    ch_error err;
    assert_int_equal(ch_date_parse(date, strlen(date), &d, &err), CH_OK);
    for (size_t i = 0; i < h->n[div]; i++)
        if (h->dates[div][i] == d)
            return true;
    return false;
}

static void imports_the_govuk_feed(void **state)
{
    (void)state;
    size_t len;
    char *json = slurp(CHARTER_TEST_DATA "/govuk-bank-holidays.json", &len);
    ch_holidays h;
    ch_error err;
    assert_int_equal(ch_holidays_parse_govuk(&h, json, len, &err), CH_OK);
    assert_int_equal(h.n[CH_REGION_ENGLAND_WALES], 32);
    assert_true(has(&h, CH_REGION_ENGLAND_WALES, "2026-12-28")); /* Boxing Day substitute */
    assert_true(has(&h, CH_REGION_SCOTLAND, "2027-01-04"));      /* 2 January substitute */
    assert_true(has(&h, CH_REGION_NORTHERN_IRELAND, "2026-07-13"));
    assert_false(has(&h, CH_REGION_SCOTLAND, "2026-04-06")); /* no Easter Monday there */
    ch_holidays_free(&h);
    free(json);
}

static void shipped_data_matches_the_feed_and_covers_2020_to_2030(void **state)
{
    (void)state;
    size_t len;
    char *json = slurp(CHARTER_TEST_DATA "/govuk-bank-holidays.json", &len);
    ch_holidays feed;
    const ch_holidays *ours;
    ch_error err;
    assert_int_equal(ch_holidays_parse_govuk(&feed, json, len, &err), CH_OK);
    assert_int_equal(ch_holidays_builtin(&ours, &err), CH_OK);
    for (int div = 0; div < CH_DIVISIONS; div++) {
        assert_int_equal(ours->first[div], ch_date_from_ymd(2020, 1, 1));
        assert_int_equal(ours->last[div], ch_date_from_ymd(2030, 12, 31));
        size_t in_range = 0;
        for (size_t i = 0; i < ours->n[div]; i++) {
            ch_date d = ours->dates[div][i];
            if (d < feed.first[div] || d > feed.last[div])
                continue;
            in_range++;
            bool found = false;
            for (size_t k = 0; k < feed.n[div] && !found; k++)
                found = feed.dates[div][k] == d;
            if (!found)
                fail_msg("division %d: shipped holiday %d is not in the gov.uk feed", div, d);
        }
        assert_int_equal(in_range, feed.n[div]);
    }
    /* Days no rule predicts. */
    ch_holidays *o = (ch_holidays *)ours;
    assert_true(has(o, CH_REGION_ENGLAND_WALES, "2022-09-19"));
    assert_true(has(o, CH_REGION_ENGLAND_WALES, "2023-05-08"));
    assert_true(has(o, CH_REGION_ENGLAND_WALES, "2020-05-08"));
    assert_false(has(o, CH_REGION_ENGLAND_WALES, "2020-05-04"));
    assert_true(has(o, CH_REGION_SCOTLAND, "2030-12-02")); /* St Andrew's substitute */
    ch_holidays_free(&feed);
    free(json);
}

static void any_part_of_the_uk_is_the_union(void **state)
{
    (void)state;
    const ch_holidays *h;
    ch_date *dates, first, last;
    size_t n;
    ch_error err;
    assert_int_equal(ch_holidays_builtin(&h, &err), CH_OK);
    assert_int_equal(ch_holidays_select(h, CH_REGION_UK_ANY, &dates, &n, &first, &last, &err),
                     CH_OK);
    size_t per_year = 0;
    for (size_t i = 0; i < n; i++) {
        int y, m, d;
        ch_date_to_ymd(dates[i], &y, &m, &d);
        per_year += y == 2026;
    }
    /* 2026: 8 in England and Wales, plus 2 Jan, St Andrew's (30 Nov),
     * the first Monday of August, St Patrick's and the Boyne. */
    assert_int_equal(per_year, 13);
    free(dates);
}

static void refuses_broken_feeds(void **state)
{
    (void)state;
    ch_holidays h;
    ch_error err;
    const char *bad_json = "{\"england-and-wales\": {\"events\": [}";
    assert_int_equal(ch_holidays_parse_govuk(&h, bad_json, strlen(bad_json), &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "not valid JSON"));
    const char *bad_date = "{\"scotland\": {\"events\": [{\"date\": \"2026-02-30\"}]}}";
    assert_int_equal(ch_holidays_parse_govuk(&h, bad_date, strlen(bad_date), &err), CH_E_INVALID);
    assert_non_null(strstr(err.msg, "2026-02-30"));
    const char *no_division = "{\"wales\": {}}";
    assert_int_equal(ch_holidays_parse_govuk(&h, no_division, strlen(no_division), &err),
                     CH_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imports_the_govuk_feed),
        cmocka_unit_test(shipped_data_matches_the_feed_and_covers_2020_to_2030),
        cmocka_unit_test(any_part_of_the_uk_is_the_union),
        cmocka_unit_test(refuses_broken_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
