/* gov.uk bank-holiday JSON import and the shipped copy; see holidays.h. */
#include "policy/holidays.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

extern const char ch_holidays_builtin_json[];
extern const size_t ch_holidays_builtin_json_len;

static const char *const division_keys[CH_DIVISIONS] = {
    "england-and-wales",
    "scotland",
    "northern-ireland",
};
static const char *const region_names[] = {
    "england-and-wales", "scotland", "northern-ireland", "uk-any", "none",
};

int ch_region_parse(const char *s, ch_region *out)
{
    for (size_t i = 0; i < sizeof(region_names) / sizeof(*region_names); i++) {
        if (strcmp(s, region_names[i]) == 0) {
            *out = (ch_region)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

const char *ch_region_name(ch_region r)
{
    return (unsigned)r <= CH_REGION_NONE ? region_names[r] : "?";
}

void ch_holidays_free(ch_holidays *h)
{
    for (int i = 0; i < CH_DIVISIONS; i++) {
        free(h->dates[i]);
        h->dates[i] = NULL;
        h->n[i] = 0;
    }
}

static int parse_division(ch_holidays *out, int div, json_t *obj, ch_error *err)
{
    json_t *events = json_object_get(obj, "events");
    if (!json_is_array(events))
        return ch_error_set(err, CH_E_INVALID,
                            "the \"%s\" division has no \"events\" list of holidays",
                            division_keys[div]);
    size_t n = json_array_size(events);
    if (n == 0)
        return CH_OK;
    out->dates[div] = malloc(n * sizeof(ch_date));
    if (!out->dates[div])
        return ch_error_set(err, CH_E_NOMEM, "out of memory reading bank holidays");
    int miny = 9999, maxy = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_object_get(json_array_get(events, i), "date"));
        ch_date d;
        if (!s)
            return ch_error_set(err, CH_E_INVALID, "holiday %zu of \"%s\" has no \"date\" string",
                                i + 1, division_keys[div]);
        if (ch_date_parse(s, strlen(s), &d, err))
            return CH_E_INVALID;
        int y, m, dd;
        ch_date_to_ymd(d, &y, &m, &dd);
        miny = y < miny ? y : miny;
        maxy = y > maxy ? y : maxy;
        out->dates[div][out->n[div]++] = d;
    }
    out->first[div] = ch_date_from_ymd(miny, 1, 1);
    out->last[div] = ch_date_from_ymd(maxy, 12, 31);
    return CH_OK;
}

int ch_holidays_parse_govuk(ch_holidays *out, const char *json, size_t len, ch_error *err)
{
    json_error_t jerr;
    int rc = CH_OK;
    memset(out, 0, sizeof(*out));
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return ch_error_set(err, CH_E_INVALID,
                            "bank holidays are not valid JSON (line %d, column %d: %s)", jerr.line,
                            jerr.column, jerr.text);
    if (!json_is_object(root)) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "bank holidays must be a JSON object keyed by division, as gov.uk "
                          "publishes them");
        goto out;
    }
    int found = 0;
    for (int i = 0; i < CH_DIVISIONS; i++) {
        json_t *div = json_object_get(root, division_keys[i]);
        if (!div)
            continue;
        found++;
        if ((rc = parse_division(out, i, div, err)))
            goto out;
    }
    if (!found)
        rc = ch_error_set(err, CH_E_INVALID,
                          "no \"england-and-wales\", \"scotland\" or \"northern-ireland\" "
                          "division in the bank holidays");
out:
    json_decref(root);
    if (rc)
        ch_holidays_free(out);
    return rc;
}

int ch_holidays_builtin(const ch_holidays **out, ch_error *err)
{
    /* Parsed once; the CLI and tests are single-threaded at load time and
     * the server will load policies before it starts its threads. */
    static ch_holidays cached;
    static int state; /* 0 unparsed, 1 ready */
    if (!state) {
        int rc = ch_holidays_parse_govuk(&cached, ch_holidays_builtin_json,
                                         ch_holidays_builtin_json_len, err);
        if (rc)
            return rc;
        state = 1;
    }
    *out = &cached;
    return CH_OK;
}

static int cmp_date(const void *a, const void *b)
{
    ch_date x = *(const ch_date *)a, y = *(const ch_date *)b;
    return (x > y) - (x < y);
}

int ch_holidays_select(const ch_holidays *h, ch_region r, ch_date **dates, size_t *n,
                       ch_date *first, ch_date *last, ch_error *err)
{
    int lo = r == CH_REGION_UK_ANY ? 0 : (int)r, hi = r == CH_REGION_UK_ANY ? 2 : (int)r;
    size_t total = 0;
    *dates = NULL;
    *n = 0;
    for (int i = lo; i <= hi; i++) {
        if (!h->n[i])
            return ch_error_set(err, CH_E_NOTFOUND, "the bank holidays hold no dates for %s",
                                division_keys[i]);
        total += h->n[i];
    }
    ch_date *all = malloc(total * sizeof(*all));
    if (!all)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    *first = h->first[lo];
    *last = h->last[lo];
    size_t k = 0;
    for (int i = lo; i <= hi; i++) {
        memcpy(all + k, h->dates[i], h->n[i] * sizeof(*all));
        k += h->n[i];
        /* Known only where every division's data reaches. */
        *first = h->first[i] > *first ? h->first[i] : *first;
        *last = h->last[i] < *last ? h->last[i] : *last;
    }
    qsort(all, total, sizeof(*all), cmp_date);
    size_t u = 0;
    for (size_t i = 0; i < total; i++)
        if (u == 0 || all[u - 1] != all[i])
            all[u++] = all[i];
    *dates = all;
    *n = u;
    return CH_OK;
}
