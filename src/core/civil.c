/* Day-number arithmetic for the proleptic Gregorian calendar. The conversion
 * counts 400-year eras from 1 March 0000 so that the leap day falls at the end
 * of each computed year, which keeps every step integer and branch-light. */
#include "core/civil.h"

#include <stdio.h>

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

ch_date ch_date_from_ymd(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = floor_div(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12; /* March is 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (ch_date)(era * 146097 + doe - 719468);
}

void ch_date_to_ymd(ch_date date, int *y, int *m, int *d)
{
    int64_t z = (int64_t)date + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int ch_date_weekday(ch_date date)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)(((int64_t)date % 7 + 7 + 3) % 7);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ch_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool ch_ymd_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= ch_days_in_month(y, m);
}

ch_date ch_date_add_months(ch_date date, int months)
{
    int y, m, d;
    ch_date_to_ymd(date, &y, &m, &d);
    int64_t idx = (int64_t)y * 12 + (m - 1) + months;
    int ny = (int)floor_div(idx, 12);
    int nm = (int)(idx - (int64_t)ny * 12) + 1;
    int last = ch_days_in_month(ny, nm);
    return ch_date_from_ymd(ny, nm, d > last ? last : d);
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int ch_date_parse(const char *s, size_t n, ch_date *out, ch_error *err)
{
    int y, m, d;
    if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
        !digits(s + 8, 2, &d))
        return ch_error_set(err, CH_E_INVALID, "'%.*s' is not a date; write it as YYYY-MM-DD",
                            (int)(n > 40 ? 40 : n), s);
    if (!ch_ymd_valid(y, m, d))
        return ch_error_set(err, CH_E_INVALID, "%.10s is not a real date: check the day and month",
                            s);
    *out = ch_date_from_ymd(y, m, d);
    return CH_OK;
}

int ch_clock_parse(const char *s, size_t n, int32_t *secs, ch_error *err)
{
    int h, m, sec = 0;
    bool ok = (n == 5 || (n == 8 && s[5] == ':')) && s[2] == ':' && digits(s, 2, &h) &&
              digits(s + 3, 2, &m) && (n == 5 || digits(s + 6, 2, &sec));
    if (!ok)
        return ch_error_set(err, CH_E_INVALID, "'%.*s' is not a time of day; write it as HH:MM",
                            (int)(n > 40 ? 40 : n), s);
    if (m > 59 || sec > 59 || h > 24 || (h == 24 && (m || sec)))
        return ch_error_set(err, CH_E_INVALID,
                            "%.*s is not a time of day: hours run 00-23 (or 24:00 for midnight "
                            "at the end of the day) and minutes 00-59",
                            (int)n, s);
    *secs = h * 3600 + m * 60 + sec;
    return CH_OK;
}

void ch_date_format(ch_date date, char *buf, size_t size)
{
    int y, m, d;
    ch_date_to_ymd(date, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

void ch_clock_format(int32_t secs, char *buf, size_t size)
{
    if (secs % 60)
        snprintf(buf, size, "%02d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    else
        snprintf(buf, size, "%02d:%02d", secs / 3600, secs / 60 % 60);
}

ch_date ch_time_utc_date(ch_time t)
{
    return (ch_date)floor_div(t, CH_DAY_SECS);
}
