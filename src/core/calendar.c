/* Expands a calendar spec into open intervals and answers queries on them by
 * binary search; see calendar.h. Running totals (cum) hold the working seconds
 * before each interval, so working time between two instants is a subtraction. */
#include "core/calendar.h"

#include <stdlib.h>
#include <string.h>

typedef struct cal_interval {
    ch_time start, end;
    int64_t cum;  /* working seconds before start */
    uint32_t day; /* index into days */
} cal_interval;

typedef struct cal_day {
    ch_date date;
    uint32_t first, count; /* its intervals */
    ch_time cutoff;        /* contacts at or after this go to the next day */
} cal_day;

struct ch_calendar {
    ch_tz tz;
    ch_time horizon_start, horizon_end;
    ch_date first, last;
    cal_interval *iv;
    size_t niv, capiv;
    cal_day *days;
    size_t ndays, capdays;
    ch_interval *plain; /* start/end pairs handed out by ch_calendar_intervals */
    ch_date_range *terms;
    size_t nterms;
    ch_week week;
    int32_t cutoff;
    /* by_day[k]: how many intervals start before horizon_start + k days, so
     * finding an instant's interval searches that day's few, not all. */
    uint32_t *by_day;
    size_t nby_day;
};

static int cmp_date(const void *a, const void *b)
{
    ch_date x = *(const ch_date *)a, y = *(const ch_date *)b;
    return (x > y) - (x < y);
}

static int cmp_range(const void *a, const void *b)
{
    ch_date x = ((const ch_date_range *)a)->first, y = ((const ch_date_range *)b)->first;
    return (x > y) - (x < y);
}

static bool in_terms(const ch_calendar_spec *spec, ch_date d)
{
    for (size_t i = 0; i < spec->nterms; i++)
        if (d >= spec->terms[i].first && d <= spec->terms[i].last)
            return true;
    return false;
}

/* Removes [from, to) from the spans in place; a closure in the middle of a
 * span splits it in two. */
static int subtract(ch_span *spans, int n, int32_t from, int32_t to)
{
    ch_span out[CH_MAX_DAY_SPANS * 2];
    int m = 0;
    for (int i = 0; i < n; i++) {
        ch_span s = spans[i];
        if (to <= s.open || from >= s.close) {
            out[m++] = s;
            continue;
        }
        if (from > s.open)
            out[m++] = (ch_span){s.open, from};
        if (to < s.close)
            out[m++] = (ch_span){to, s.close};
    }
    if (m > CH_MAX_DAY_SPANS)
        m = CH_MAX_DAY_SPANS;
    memcpy(spans, out, (size_t)m * sizeof(*out));
    return m;
}

static int push_interval(ch_calendar *cal, ch_time start, ch_time end)
{
    if (cal->niv == cal->capiv) {
        size_t cap = cal->capiv ? cal->capiv * 2 : 1024;
        cal_interval *p = realloc(cal->iv, cap * sizeof(*p));
        if (!p)
            return CH_E_NOMEM;
        cal->iv = p;
        cal->capiv = cap;
    }
    int64_t cum = 0;
    if (cal->niv) {
        cal_interval *prev = &cal->iv[cal->niv - 1];
        cum = prev->cum + (prev->end - prev->start);
    }
    cal->iv[cal->niv++] = (cal_interval){start, end, cum, (uint32_t)cal->ndays};
    return CH_OK;
}

static int push_day(ch_calendar *cal, ch_date date, uint32_t first, uint32_t count, ch_time cutoff)
{
    if (cal->ndays == cal->capdays) {
        size_t cap = cal->capdays ? cal->capdays * 2 : 512;
        cal_day *p = realloc(cal->days, cap * sizeof(*p));
        if (!p)
            return CH_E_NOMEM;
        cal->days = p;
        cal->capdays = cap;
    }
    cal->days[cal->ndays++] = (cal_day){date, first, count, cutoff};
    return CH_OK;
}

/* Local wall time to an instant, taking the later reading inside a spring
 * gap so that hours written in local time stay in order. */
static ch_time local_instant(const ch_tz *tz, ch_date d, int32_t secs)
{
    ch_time t;
    ch_tz_from_local(tz, d, secs, &t, NULL);
    return t;
}

static int build_day(ch_calendar *cal, const ch_calendar_spec *spec, ch_date d,
                     const ch_date *holidays)
{
    if (spec->term_time && !in_terms(spec, d))
        return CH_OK;
    if (spec->nholidays && bsearch(&d, holidays, spec->nholidays, sizeof(*holidays), cmp_date))
        return CH_OK;
    int wd = ch_date_weekday(d);
    ch_span spans[CH_MAX_DAY_SPANS];
    int n = spec->week.nspans[wd];
    memcpy(spans, spec->week.spans[wd], (size_t)n * sizeof(*spans));
    for (size_t i = 0; i < spec->nclosures && n; i++) {
        const ch_closure *c = &spec->closures[i];
        if (d >= c->first && d <= c->last)
            n = subtract(spans, n, c->from, c->to);
    }
    if (!n)
        return CH_OK;
    uint32_t first = (uint32_t)cal->niv;
    for (int i = 0; i < n; i++) {
        ch_time a = local_instant(&spec->tz, d, spans[i].open);
        ch_time b = local_instant(&spec->tz, d, spans[i].close);
        if (b > a && push_interval(cal, a, b))
            return CH_E_NOMEM;
    }
    if (cal->niv == first)
        return CH_OK;
    ch_time cutoff = spec->cutoff >= 0 ? local_instant(&spec->tz, d, spec->cutoff) : INT64_MAX;
    return push_day(cal, d, first, (uint32_t)(cal->niv - first), cutoff);
}

int ch_calendar_build(ch_calendar **out, const ch_calendar_spec *spec, ch_error *err)
{
    int rc = CH_OK;
    ch_date *holidays = NULL;
    ch_calendar *cal = calloc(1, sizeof(*cal));
    if (!cal)
        return ch_error_set(err, CH_E_NOMEM, "out of memory building a calendar");
    if (spec->last < spec->first) {
        rc = ch_error_set(err, CH_E_INVALID, "the calendar covers no days");
        goto out;
    }
    cal->tz = spec->tz;
    cal->week = spec->week;
    cal->cutoff = spec->cutoff;
    cal->first = spec->first;
    cal->last = spec->last;
    cal->horizon_start = local_instant(&spec->tz, spec->first, 0);
    cal->horizon_end = local_instant(&spec->tz, spec->last + 1, 0);
    if (spec->nholidays) {
        holidays = malloc(spec->nholidays * sizeof(*holidays));
        if (!holidays) {
            rc = CH_E_NOMEM;
            goto out;
        }
        memcpy(holidays, spec->holidays, spec->nholidays * sizeof(*holidays));
        qsort(holidays, spec->nholidays, sizeof(*holidays), cmp_date);
    }
    for (ch_date d = spec->first; d <= spec->last; d++) {
        if ((rc = build_day(cal, spec, d, holidays)) != CH_OK)
            goto out;
    }
    cal->plain = malloc((cal->niv ? cal->niv : 1) * sizeof(*cal->plain));
    if (!cal->plain) {
        rc = CH_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < cal->niv; i++)
        cal->plain[i] = (ch_interval){cal->iv[i].start, cal->iv[i].end};
    cal->nby_day = (size_t)((cal->horizon_end - cal->horizon_start) / CH_DAY_SECS) + 2;
    if (!(cal->by_day = malloc(cal->nby_day * sizeof(*cal->by_day)))) {
        rc = CH_E_NOMEM;
        goto out;
    }
    for (size_t k = 0, j = 0; k < cal->nby_day; k++) {
        while (j < cal->niv && cal->iv[j].start < cal->horizon_start + (ch_time)k * CH_DAY_SECS)
            j++;
        cal->by_day[k] = (uint32_t)j;
    }
    if (spec->term_time && spec->nterms) {
        cal->terms = malloc(spec->nterms * sizeof(*cal->terms));
        if (!cal->terms) {
            rc = CH_E_NOMEM;
            goto out;
        }
        memcpy(cal->terms, spec->terms, spec->nterms * sizeof(*cal->terms));
        cal->nterms = spec->nterms;
        qsort(cal->terms, cal->nterms, sizeof(*cal->terms), cmp_range);
    }
out:
    free(holidays);
    if (rc == CH_E_NOMEM)
        ch_error_set(err, rc, "out of memory building a calendar");
    if (rc) {
        ch_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return CH_OK;
}

void ch_calendar_free(ch_calendar *cal)
{
    if (!cal)
        return;
    free(cal->iv);
    free(cal->days);
    free(cal->plain);
    free(cal->terms);
    free(cal->by_day);
    free(cal);
}

const ch_tz *ch_calendar_tz(const ch_calendar *cal)
{
    return &cal->tz;
}

void ch_calendar_horizon(const ch_calendar *cal, ch_time *start, ch_time *end)
{
    *start = cal->horizon_start;
    *end = cal->horizon_end;
}

static int horizon_error(const ch_calendar *cal, ch_error *err)
{
    char a[11], b[11];
    ch_date_format(cal->first, a, sizeof(a));
    ch_date_format(cal->last, b, sizeof(b));
    return ch_error_set(err, CH_E_HORIZON,
                        "the answer falls outside %s to %s, the dates this calendar has data "
                        "for; add bank holidays (and term dates) for the years needed",
                        a, b);
}

static int check_horizon(const ch_calendar *cal, ch_time t, ch_error *err)
{
    if (t < cal->horizon_start || t >= cal->horizon_end)
        return horizon_error(cal, err);
    return CH_OK;
}

/* The number of intervals that start at or before t. */
static size_t upper(const ch_calendar *cal, ch_time t)
{
    size_t lo = 0, hi = cal->niv;
    if (t >= cal->horizon_start && t < cal->horizon_end) {
        size_t k = (size_t)((t - cal->horizon_start) / CH_DAY_SECS);
        lo = cal->by_day[k];
        hi = cal->by_day[k + 1];
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->iv[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Working seconds before t (from the horizon start). */
static int64_t cum_at(const ch_calendar *cal, ch_time t)
{
    size_t i = upper(cal, t);
    if (i == 0)
        return 0;
    const cal_interval *v = &cal->iv[i - 1];
    return v->cum + (t < v->end ? t - v->start : v->end - v->start);
}

int ch_calendar_is_open(const ch_calendar *cal, ch_time t, bool *open, ch_error *err)
{
    int rc = check_horizon(cal, t, err);
    if (rc)
        return rc;
    size_t i = upper(cal, t);
    *open = i > 0 && t < cal->iv[i - 1].end;
    return CH_OK;
}

int ch_calendar_next_open(const ch_calendar *cal, ch_time t, ch_time *out, ch_error *err)
{
    int rc = check_horizon(cal, t, err);
    if (rc)
        return rc;
    size_t i = upper(cal, t);
    if (i > 0 && t < cal->iv[i - 1].end) {
        *out = t;
        return CH_OK;
    }
    if (i == cal->niv)
        return horizon_error(cal, err);
    *out = cal->iv[i].start;
    return CH_OK;
}

int ch_calendar_add_working(const ch_calendar *cal, ch_time t, int64_t secs, ch_time *out,
                            ch_error *err)
{
    int rc = check_horizon(cal, t, err);
    if (rc)
        return rc;
    if (secs < 0)
        return ch_error_set(err, CH_E_INVALID, "working time to add cannot be negative");
    if (secs == 0)
        return ch_calendar_next_open(cal, t, out, err);
    int64_t target = cum_at(cal, t) + secs;
    /* The first interval whose end total reaches the target holds the answer. */
    size_t lo = 0, hi = cal->niv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const cal_interval *v = &cal->iv[mid];
        if (v->cum + (v->end - v->start) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == cal->niv)
        return horizon_error(cal, err);
    *out = cal->iv[lo].start + (target - cal->iv[lo].cum);
    return CH_OK;
}

int ch_calendar_working_between(const ch_calendar *cal, ch_time a, ch_time b, int64_t *secs,
                                ch_error *err)
{
    int rc = check_horizon(cal, a, err);
    if (!rc && b != cal->horizon_end)
        rc = check_horizon(cal, b, err);
    if (rc)
        return rc;
    *secs = cum_at(cal, b) - cum_at(cal, a);
    return CH_OK;
}

int ch_calendar_day_at(const ch_calendar *cal, ch_time t, bool inclusive, size_t *day,
                       ch_error *err)
{
    int rc = check_horizon(cal, t, err);
    if (rc)
        return rc;
    size_t i = upper(cal, t);
    /* Interval i-1 is the latest that started by t; if t is at or past its
     * end, the day it belongs to may still be open later (after lunch). */
    size_t d;
    if (i == 0) {
        d = 0;
    } else {
        d = cal->iv[i - 1].day;
        ch_time close = ch_calendar_day_close(cal, d);
        if (t > close || (t == close && !inclusive))
            d++;
    }
    if (d >= cal->ndays)
        return horizon_error(cal, err);
    *day = d;
    return CH_OK;
}

int ch_calendar_deem(const ch_calendar *cal, ch_time t, ch_time *deemed, size_t *day, ch_error *err)
{
    size_t d;
    ch_time at;
    int rc = ch_calendar_next_open(cal, t, &at, err);
    if (rc)
        return rc;
    d = cal->iv[upper(cal, at) - 1].day;
    while (at >= cal->days[d].cutoff) {
        if (++d >= cal->ndays)
            return horizon_error(cal, err);
        at = ch_calendar_day_open(cal, d);
    }
    *deemed = at;
    *day = d;
    return CH_OK;
}

size_t ch_calendar_day_count(const ch_calendar *cal)
{
    return cal->ndays;
}

ch_date ch_calendar_day_date(const ch_calendar *cal, size_t i)
{
    return cal->days[i].date;
}

ch_time ch_calendar_day_open(const ch_calendar *cal, size_t i)
{
    return cal->iv[cal->days[i].first].start;
}

ch_time ch_calendar_day_close(const ch_calendar *cal, size_t i)
{
    return cal->iv[cal->days[i].first + cal->days[i].count - 1].end;
}

size_t ch_calendar_day_on_or_after(const ch_calendar *cal, ch_date date)
{
    size_t lo = 0, hi = cal->ndays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->days[mid].date < date)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const ch_week *ch_calendar_week(const ch_calendar *cal)
{
    return &cal->week;
}

int32_t ch_calendar_cutoff(const ch_calendar *cal)
{
    return cal->cutoff;
}

const ch_date_range *ch_calendar_terms(const ch_calendar *cal, size_t *n)
{
    *n = cal->nterms;
    return cal->terms;
}

const ch_interval *ch_calendar_intervals(const ch_calendar *cal, size_t *n)
{
    *n = cal->niv;
    return cal->plain;
}
