/* POSIX TZ rule parsing and evaluation; see tz.h. */
#include "core/tz.h"

#include <ctype.h>
#include <string.h>

typedef struct cursor {
    const char *p;
} cursor;

static bool parse_name(cursor *c)
{
    const char *p = c->p;
    if (*p == '<') {
        const char *end = strchr(p, '>');
        if (!end || end - p < 4)
            return false;
        c->p = end + 1;
        return true;
    }
    while (isalpha((unsigned char)*p))
        p++;
    if (p - c->p < 3)
        return false;
    c->p = p;
    return true;
}

static bool parse_num(cursor *c, int max, int *out)
{
    int v = 0, n = 0;
    while (isdigit((unsigned char)*c->p)) {
        v = v * 10 + (*c->p++ - '0');
        if (++n > 3 || v > max)
            return false;
    }
    *out = v;
    return n > 0;
}

/* [+-]hh[:mm[:ss]] with hours up to 167, as newer tzdata uses for rule times. */
static bool parse_hms(cursor *c, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (*c->p == '+' || *c->p == '-')
        sign = *c->p++ == '-' ? -1 : 1;
    if (!parse_num(c, 167, &h))
        return false;
    if (*c->p == ':') {
        c->p++;
        if (!parse_num(c, 59, &m))
            return false;
        if (*c->p == ':') {
            c->p++;
            if (!parse_num(c, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool parse_rule(cursor *c, ch_tz_rule *r)
{
    r->time = 7200;
    if (*c->p == 'M') {
        c->p++;
        r->kind = 'M';
        if (!parse_num(c, 12, &r->month) || r->month < 1 || *c->p++ != '.' ||
            !parse_num(c, 5, &r->week) || r->week < 1 || *c->p++ != '.' ||
            !parse_num(c, 6, &r->day))
            return false;
    } else if (*c->p == 'J') {
        c->p++;
        r->kind = 'J';
        if (!parse_num(c, 365, &r->day) || r->day < 1)
            return false;
    } else {
        r->kind = 'D';
        if (!parse_num(c, 365, &r->day))
            return false;
    }
    if (*c->p == '/') {
        c->p++;
        return parse_hms(c, &r->time);
    }
    return true;
}

static ch_date rule_date(const ch_tz_rule *r, int year);

/* The clock changes of CH_TZ_YEARS years, in order: a year whose two
 * changes would not fall between the last one's and the next one's (a rule
 * no real zone has) stops the table there, and the rule is worked out. */
static void tabulate(ch_tz *tz)
{
    tz->nchanges = 0;
    for (int y = CH_TZ_FIRST_YEAR; y < CH_TZ_FIRST_YEAR + CH_TZ_YEARS; y++) {
        ch_time start =
            (ch_time)rule_date(&tz->start, y) * CH_DAY_SECS + tz->start.time - tz->std_off;
        ch_time end = (ch_time)rule_date(&tz->end, y) * CH_DAY_SECS + tz->end.time - tz->dst_off;
        bool start_first = start < end;
        ch_time a = start_first ? start : end, b = start_first ? end : start;
        if ((tz->nchanges && a <= tz->changes[tz->nchanges - 1]) || b <= a)
            return;
        tz->changes[tz->nchanges] = a;
        tz->to_dst[tz->nchanges++] = start_first;
        tz->changes[tz->nchanges] = b;
        tz->to_dst[tz->nchanges++] = !start_first;
    }
}

int ch_tz_parse(ch_tz *tz, const char *posix, ch_error *err)
{
    cursor c = {posix};
    int32_t off;
    memset(tz, 0, sizeof(*tz));
    if (!parse_name(&c) || !parse_hms(&c, &off))
        goto bad;
    tz->std_off = -off; /* POSIX counts west of Greenwich as positive */
    tz->dst_off = tz->std_off;
    if (*c.p == '\0')
        return CH_OK;
    if (!parse_name(&c))
        goto bad;
    tz->has_dst = true;
    tz->dst_off = tz->std_off + 3600;
    if (*c.p != ',' && *c.p != '\0') {
        if (!parse_hms(&c, &off))
            goto bad;
        tz->dst_off = -off;
    }
    if (*c.p++ != ',' || !parse_rule(&c, &tz->start) || *c.p++ != ',' ||
        !parse_rule(&c, &tz->end) || *c.p != '\0')
        goto bad;
    tabulate(tz);
    return CH_OK;
bad:
    return ch_error_set(err, CH_E_INVALID, "time zone rule '%.60s' is not a POSIX TZ rule", posix);
}

static ch_date rule_date(const ch_tz_rule *r, int year)
{
    ch_date jan1 = ch_date_from_ymd(year, 1, 1);
    if (r->kind == 'D')
        return jan1 + r->day;
    if (r->kind == 'J') {
        /* Julian days never count 29 February. */
        bool leap = ch_days_in_month(year, 2) == 29;
        return jan1 + r->day - 1 + (leap && r->day >= 60);
    }
    ch_date first = ch_date_from_ymd(year, r->month, 1);
    int sunday_based = (ch_date_weekday(first) + 1) % 7;
    ch_date d = first + (r->day - sunday_based + 7) % 7 + 7 * (r->week - 1);
    while (d >= first + ch_days_in_month(year, r->month))
        d -= 7;
    return d;
}

int32_t ch_tz_offset_at(const ch_tz *tz, ch_time t)
{
    if (!tz->has_dst)
        return tz->std_off;
    if (tz->nchanges && t >= tz->changes[0] && t < tz->changes[tz->nchanges - 1]) {
        size_t lo = 0, hi = tz->nchanges - 1; /* changes[lo] <= t < changes[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (tz->changes[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        return tz->to_dst[lo] ? tz->dst_off : tz->std_off;
    }
    int y, m, d;
    ch_date_to_ymd(ch_time_utc_date(t + tz->std_off), &y, &m, &d);
    ch_time start = (ch_time)rule_date(&tz->start, y) * CH_DAY_SECS + tz->start.time - tz->std_off;
    ch_time end = (ch_time)rule_date(&tz->end, y) * CH_DAY_SECS + tz->end.time - tz->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? tz->dst_off : tz->std_off;
}

void ch_tz_to_local(const ch_tz *tz, ch_time t, ch_date *date, int32_t *secs)
{
    ch_time local = t + ch_tz_offset_at(tz, t);
    *date = ch_time_utc_date(local);
    *secs = (int32_t)(local - (ch_time)*date * CH_DAY_SECS);
}

int ch_tz_from_local(const ch_tz *tz, ch_date date, int32_t secs, ch_time *out, bool *ambiguous)
{
    ch_time local = (ch_time)date * CH_DAY_SECS + secs;
    ch_time as_std = local - tz->std_off, as_dst = local - tz->dst_off;
    bool std_ok = ch_tz_offset_at(tz, as_std) == tz->std_off;
    bool dst_ok = tz->has_dst && ch_tz_offset_at(tz, as_dst) == tz->dst_off;
    if (ambiguous)
        *ambiguous = std_ok && dst_ok && as_std != as_dst;
    if (std_ok && dst_ok) {
        *out = as_std < as_dst ? as_std : as_dst;
        return CH_OK;
    }
    if (std_ok || dst_ok) {
        *out = std_ok ? as_std : as_dst;
        return CH_OK;
    }
    /* In the gap: the wall clock reads this time only after the jump. */
    *out = as_std > as_dst ? as_std : as_dst;
    return CH_E_INVALID;
}
