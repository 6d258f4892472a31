/* Fixtures shared by the unit tests; see helpers.h. */
#include "helpers.h"

#include <stdlib.h>

#include "policy/zone.h"

const ch_tz *t_london(void)
{
    static ch_tz tz;
    static int ready;
    ch_error err;
    if (!ready) {
        assert_int_equal(ch_zone_load(&tz, "Europe/London", &err), CH_OK);
        ready = 1;
    }
    return &tz;
}

ch_time t_at(const char *s)
{
    ch_time t = 0;
    ch_error err = {0};
    int rc = ch_time_parse(s, t_london(), &t, &err);
    if (rc)
        fail_msg("cannot parse %s: %s", s, err.msg);
    return t;
}

ch_calendar *t_office(const ch_closure *closures, size_t nclosures, const ch_date_range *terms,
                      size_t nterms, int32_t cutoff)
{
    const ch_holidays *h;
    ch_error err;
    ch_calendar_spec spec = {0};
    ch_date *dates;
    size_t n;
    ch_calendar *cal = NULL;
    assert_int_equal(ch_holidays_builtin(&h, &err), CH_OK);
    assert_int_equal(
        ch_holidays_select(h, CH_REGION_ENGLAND_WALES, &dates, &n, &spec.first, &spec.last, &err),
        CH_OK);
    spec.tz = *t_london();
    for (int d = 0; d < 5; d++) {
        spec.week.spans[d][0] = (ch_span){9 * 3600, 17 * 3600};
        spec.week.nspans[d] = 1;
    }
    spec.holidays = dates;
    spec.nholidays = n;
    spec.closures = closures;
    spec.nclosures = nclosures;
    spec.terms = terms;
    spec.nterms = nterms;
    spec.term_time = nterms > 0;
    spec.cutoff = cutoff;
    if (nterms) {
        spec.first = terms[0].first;
        spec.last = terms[nterms - 1].last;
    }
    assert_int_equal(ch_calendar_build(&cal, &spec, &err), CH_OK);
    free(dates);
    return cal;
}
