/* RFC 3339 parsing and formatting; see timefmt.h. */
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>

static const char *const wday[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool two(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

int ch_time_parse(const char *s, const ch_tz *tz, ch_time *out, ch_error *err)
{
    size_t n = strlen(s);
    ch_date date;
    int32_t secs;
    char clock[9];
    if (n > 40)
        return ch_error_set(err, CH_E_INVALID, "time is too long; write e.g. 2026-12-18T16:45");
    if (n < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
        return ch_error_set(err, CH_E_INVALID,
                            "'%s' is not a time; write e.g. 2026-12-18T16:45 (local) or "
                            "2026-12-18T16:45:00Z",
                            s);
    if (ch_date_parse(s, 10, &date, err))
        return CH_E_INVALID;
    size_t clen = (n >= 19 && s[16] == ':') ? 8 : 5;
    memcpy(clock, s + 11, clen);
    clock[clen] = '\0';
    if (ch_clock_parse(clock, clen, &secs, err) || secs >= CH_DAY_SECS)
        return ch_error_set(err, CH_E_INVALID, "'%s' has no valid time of day (00:00-23:59)", s);
    const char *rest = s + 11 + clen;
    if (*rest == '.') { /* fractions of a second are accepted and dropped */
        rest++;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    if (*rest == '\0') {
        bool ambiguous;
        char when[20];
        snprintf(when, sizeof(when), "%.10s %.5s", s, s + 11);
        if (ch_tz_from_local(tz, date, secs, out, &ambiguous))
            return ch_error_set(err, CH_E_INVALID,
                                "%s does not exist locally: the clocks go forward then; give "
                                "the time with its offset, e.g. ...+01:00",
                                when);
        if (ambiguous)
            return ch_error_set(err, CH_E_INVALID,
                                "%s happens twice locally as the clocks go back; give the time "
                                "with its offset: +01:00 for the first, +00:00 for the second",
                                when);
        return CH_OK;
    }
    int off = 0, oh, om;
    if ((rest[0] == 'Z' || rest[0] == 'z') && rest[1] == '\0') {
        off = 0;
    } else if ((rest[0] == '+' || rest[0] == '-') && strlen(rest) == 6 && rest[3] == ':' &&
               two(rest + 1, &oh) && two(rest + 4, &om) && oh < 24 && om < 60) {
        off = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
    } else {
        return ch_error_set(err, CH_E_INVALID,
                            "'%s' ends in an offset Charter cannot read; use Z or +HH:MM", s);
    }
    *out = (ch_time)date * CH_DAY_SECS + secs - off;
    return CH_OK;
}

static char *digits2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void ch_time_format_utc(ch_time t, char *buf, size_t size)
{
    /* Written digit by digit: every case in every response carries several
     * of these, and printf's machinery showed in the profile. */
    ch_date d = ch_time_utc_date(t);
    int32_t secs = (int32_t)(t - (ch_time)d * CH_DAY_SECS);
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    if (size < 21 || y < 0 || y > 9999) {
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, dd, secs / 3600, secs / 60 % 60,
                 secs % 60);
        return;
    }
    char *p = digits2(digits2(buf, y / 100), y % 100);
    *p++ = '-';
    p = digits2(p, m);
    *p++ = '-';
    p = digits2(p, dd);
    *p++ = 'T';
    p = digits2(p, secs / 3600);
    *p++ = ':';
    p = digits2(p, secs / 60 % 60);
    *p++ = ':';
    p = digits2(p, secs % 60);
    *p++ = 'Z';
    *p = '\0';
}

void ch_date_format_long(ch_date d, char *buf, size_t size)
{
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, size, "%s %02d %s %04d", wday[ch_date_weekday(d)], dd, mon[m - 1], y);
}

void ch_time_format_local(const ch_tz *tz, ch_time t, char *buf, size_t size)
{
    ch_date d;
    int32_t secs;
    char day[20];
    ch_tz_to_local(tz, t, &d, &secs);
    ch_date_format_long(d, day, sizeof(day));
    if (secs % 60)
        snprintf(buf, size, "%s %02d:%02d:%02d", day, secs / 3600, secs / 60 % 60, secs % 60);
    else
        snprintf(buf, size, "%s %02d:%02d", day, secs / 3600, secs / 60 % 60);
}
