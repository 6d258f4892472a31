/* Staff availability decided in one place: is someone away on a day, when
 * are they back, who covers, and the sentences the desk and the email
 * channel give (the out-of-office reply and the signature). No I/O. */
#include "core/availability.h"
#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const day_names[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

/* Appends to buf at *used, never past size; a long text is cut short. */
static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = (size_t)n >= size - *used ? size : *used + (size_t)n;
}

int ch_pattern_check(const ch_work_pattern *p, ch_error *err)
{
    if (p->days == 0 || (p->days & ~(unsigned)CH_ALL_DAYS))
        return ch_error_set(err, CH_E_INVALID,
                            "a working pattern needs at least one day of the week");
    if (p->start == 0 && p->end == 0)
        return CH_OK;
    if (p->start < 0 || p->end > CH_DAY_SECS || p->start >= p->end)
        return ch_error_set(err, CH_E_INVALID,
                            "the working hours must start before they end, within one day");
    if (p->start % 60 || p->end % 60)
        return ch_error_set(err, CH_E_INVALID, "give working hours to the minute, as 09:00");
    return CH_OK;
}

int ch_absences_check(const ch_absence *a, size_t n, int64_t self, ch_error *err)
{
    char d1[11], d2[11];
    if (n > CH_ABSENCES_MAX)
        return ch_error_set(err, CH_E_INVALID, "at most %d absences can be recorded at once",
                            CH_ABSENCES_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!a[i].open && a[i].to < a[i].from) {
            ch_date_format(a[i].from, d1, sizeof(d1));
            ch_date_format(a[i].to, d2, sizeof(d2));
            return ch_error_set(err, CH_E_INVALID,
                                "absence %zu ends (%s) before it starts (%s); put the dates "
                                "the right way round",
                                i + 1, d2, d1);
        }
        if (!a[i].cover_id && !ch_text_said(a[i].cover_text))
            return ch_error_set(err, CH_E_INVALID,
                                "absence %zu names no alternative contact: give a colleague "
                                "(cover_user_id) or how to reach someone (cover_text)",
                                i + 1);
        if (a[i].cover_id && a[i].cover_id == self)
            return ch_error_set(err, CH_E_INVALID,
                                "absence %zu names the absent person as their own cover; "
                                "choose a colleague",
                                i + 1);
        for (size_t k = 0; k < i; k++) {
            bool before = !a[i].open && a[i].to < a[k].from;
            bool after = !a[k].open && a[k].to < a[i].from;
            if (!before && !after)
                return ch_error_set(err, CH_E_INVALID,
                                    "absences %zu and %zu overlap; make them one absence or "
                                    "move the dates",
                                    k + 1, i + 1);
        }
    }
    return CH_OK;
}

bool ch_pattern_works(const ch_work_pattern *p, ch_date day)
{
    unsigned days = p && p->days ? p->days : CH_WEEKDAYS;
    return (days >> ch_date_weekday(day)) & 1u;
}

static const ch_absence *absence_on(const ch_absence *a, size_t n, ch_date day)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].from <= day && (a[i].open || day <= a[i].to))
            return &a[i];
    return NULL;
}

void ch_away_on(const ch_absence *a, size_t n, const ch_work_pattern *p, ch_date day, ch_away *out)
{
    *out = (ch_away){0};
    const ch_absence *cur = absence_on(a, n, day);
    if (!cur)
        return;
    out->away = true;
    out->absence = cur;
    /* Follow absences that begin by the next working day. At most n steps:
     * each step moves to a later absence. */
    for (size_t step = 0; step <= n; step++) {
        if (cur->open)
            return;
        out->last = cur->to;
        ch_date next = cur->to + 1;
        for (int k = 0; k < 7 && !ch_pattern_works(p, next); k++)
            next++;
        const ch_absence *more = absence_on(a, n, next);
        if (!more || more == cur) {
            out->back_known = true;
            out->back = next;
            return;
        }
        cur = more;
    }
}

void ch_date_format_full(ch_date d, char *buf, size_t size)
{
    int y, m, dd;
    ch_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, size, "%s %d %s %d", day_names[ch_date_weekday(d)], dd, month_names[m - 1], y);
}

void ch_out_of_office_text(const char *name, const ch_away *away, const char *cover_name,
                           const char *cover_email, char *buf, size_t size)
{
    size_t used = 0;
    char last[40], back[40];
    buf[0] = '\0';
    if (!away->away)
        return;
    if (away->back_known) {
        ch_date_format_full(away->last, last, sizeof(last));
        ch_date_format_full(away->back, back, sizeof(back));
        put(buf, size, &used, "%s is away until %s and back at work on %s.", name, last, back);
    } else {
        put(buf, size, &used, "%s is away and the return date is not known yet.", name);
    }
    const char *text = away->absence->cover_text;
    bool has_text = text && *text;
    if (!cover_name && !has_text)
        return;
    put(buf, size, &used, " For anything urgent, contact ");
    if (cover_name) {
        put(buf, size, &used, "%s", cover_name);
        if (cover_email && *cover_email)
            put(buf, size, &used, " (%s)", cover_email);
        if (has_text)
            put(buf, size, &used, ", or ");
    }
    if (has_text) {
        size_t n = strlen(text);
        put(buf, size, &used, "%.*s", (int)(n && text[n - 1] == '.' ? n - 1 : n), text);
    }
    put(buf, size, &used, ".");
}

bool ch_pattern_unusual(const ch_work_pattern *p)
{
    return p && p->days && (p->days != CH_WEEKDAYS || p->term_time || p->start != 0 || p->end != 0);
}

static void clock_words(int32_t secs, char *buf, size_t size)
{
    int h = secs / 3600, m = secs / 60 % 60;
    if (secs == 0 || secs == CH_DAY_SECS) {
        snprintf(buf, size, "midnight");
        return;
    }
    if (h == 12 && m == 0) {
        snprintf(buf, size, "noon");
        return;
    }
    int h12 = h % 12 ? h % 12 : 12;
    if (m)
        snprintf(buf, size, "%d:%02d%s", h12, m, h < 12 ? "am" : "pm");
    else
        snprintf(buf, size, "%d%s", h12, h < 12 ? "am" : "pm");
}

/* "Monday to Wednesday", "Tuesday and Thursday", "Monday, Wednesday and Friday". */
static void days_words(unsigned days, char *buf, size_t size, size_t *used)
{
    int first = -1, last = -1, count = 0;
    for (int d = 0; d < 7; d++)
        if ((days >> d) & 1u) {
            if (first < 0)
                first = d;
            last = d;
            count++;
        }
    if (count >= 3 && last - first + 1 == count) {
        put(buf, size, used, "%s to %s", day_names[first], day_names[last]);
        return;
    }
    int seen = 0;
    for (int d = 0; d < 7; d++) {
        if (!((days >> d) & 1u))
            continue;
        seen++;
        put(buf, size, used, "%s%s", seen == 1 ? "" : seen == count ? " and " : ", ", day_names[d]);
    }
}

void ch_signature_text(const char *name, const ch_work_pattern *p, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    put(buf, size, &used, "%s", name);
    if (!ch_pattern_unusual(p))
        return;
    put(buf, size, &used, ". I work ");
    days_words(p->days, buf, size, &used);
    if (p->start || p->end) {
        char a[16], b[16];
        clock_words(p->start, a, sizeof(a));
        clock_words(p->end, b, sizeof(b));
        put(buf, size, &used, ", %s to %s", a, b);
    }
    if (p->term_time)
        put(buf, size, &used, ", in term time");
    put(buf, size, &used, ".");
}
