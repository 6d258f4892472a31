/* iCalendar import; see ical.h. */
#include "policy/ical.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ICAL = 4 << 20, MAX_EVENTS = 10000 };

typedef struct ranges {
    ch_closure *items;
    size_t n, cap;
} ranges;

static int push(ranges *r, ch_date first, ch_date last, int32_t from, int32_t to)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ch_closure *p = realloc(r->items, cap * sizeof(*p));
        if (!p)
            return CH_E_NOMEM;
        r->items = p;
        r->cap = cap;
    }
    r->items[r->n++] = (ch_closure){first, last, from, to};
    return CH_OK;
}

static bool plausible(struct icaltimetype t)
{
    return t.year >= 1970 && t.year <= 2200 && ch_ymd_valid(t.year, t.month, t.day) &&
           t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 &&
           t.second < 61;
}

static ch_time instant(struct icaltimetype t, const ch_tz *tz)
{
    ch_date d = ch_date_from_ymd(t.year, t.month, t.day);
    int32_t secs = t.hour * 3600 + t.minute * 60 + (t.second > 59 ? 59 : t.second);
    if (icaltime_is_utc(t))
        return (ch_time)d * CH_DAY_SECS + secs;
    if (t.zone)
        return (ch_time)icaltime_as_timet_with_zone(t, t.zone);
    ch_time out;
    ch_tz_from_local(tz, d, secs, &out, NULL);
    return out;
}

static int add_event(ranges *r, icalcomponent *ev, const ch_tz *tz, ch_error *err)
{
    const char *summary = icalcomponent_get_summary(ev);
    summary = summary ? summary : "(no summary)";
    if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
        icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY))
        return ch_error_set(err, CH_E_INVALID,
                            "event \"%.80s\" repeats (RRULE/RDATE), which Charter does not "
                            "expand; list each occurrence as its own event",
                            summary);
    struct icaltimetype s = icalcomponent_get_dtstart(ev);
    struct icaltimetype e = icalcomponent_get_dtend(ev);
    if (icaltime_is_null_time(s) || !plausible(s))
        return ch_error_set(err, CH_E_INVALID, "event \"%.80s\" has no valid DTSTART", summary);
    if (s.is_date) {
        ch_date first = ch_date_from_ymd(s.year, s.month, s.day), last = first;
        if (!icaltime_is_null_time(e) && plausible(e)) /* DTEND of a date is exclusive */
            last = ch_date_from_ymd(e.year, e.month, e.day) - 1;
        if (last < first)
            last = first;
        return push(r, first, last, 0, CH_DAY_SECS) ? ch_error_set(err, CH_E_NOMEM, "out of memory")
                                                    : CH_OK;
    }
    if (icaltime_is_null_time(e) || !plausible(e))
        return ch_error_set(err, CH_E_INVALID, "timed event \"%.80s\" has no valid DTEND", summary);
    ch_time a = instant(s, tz), b = instant(e, tz);
    if (b <= a)
        return ch_error_set(err, CH_E_INVALID, "event \"%.80s\" ends before it starts", summary);
    ch_date da, db;
    int32_t sa, sb;
    ch_tz_to_local(tz, a, &da, &sa);
    ch_tz_to_local(tz, b, &db, &sb);
    int rc;
    if (da == db)
        rc = push(r, da, da, sa, sb);
    else {
        rc = push(r, da, da, sa, CH_DAY_SECS);
        if (!rc && db - da > 1)
            rc = push(r, da + 1, db - 1, 0, CH_DAY_SECS);
        if (!rc && sb > 0)
            rc = push(r, db, db, 0, sb);
    }
    return rc ? ch_error_set(err, CH_E_NOMEM, "out of memory") : CH_OK;
}

static int walk(ranges *r, icalcomponent *c, const ch_tz *tz, int depth, ch_error *err)
{
    if (icalcomponent_isa(c) == ICAL_VEVENT_COMPONENT) {
        if (r->n >= MAX_EVENTS)
            return ch_error_set(err, CH_E_INVALID, "more than %d events in one file", MAX_EVENTS);
        return add_event(r, c, tz, err);
    }
    if (depth > 4)
        return CH_OK;
    for (icalcomponent *k = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); k;
         k = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        int rc = walk(r, k, tz, depth + 1, err);
        if (rc)
            return rc;
    }
    return CH_OK;
}

int ch_ical_parse(const char *text, size_t len, const ch_tz *tz, ch_closure **out, size_t *n,
                  ch_error *err)
{
    int rc = CH_OK;
    ranges r = {0};
    icalcomponent *root = NULL;
    char *copy = NULL;
    if (len > MAX_ICAL)
        return ch_error_set(err, CH_E_INVALID, "the iCalendar file is over %d MB", MAX_ICAL >> 20);
    if (memchr(text, '\0', len))
        return ch_error_set(err, CH_E_INVALID, "the iCalendar file contains a NUL byte");
    copy = malloc(len + 1);
    if (!copy)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    icalerror_set_errors_are_fatal(0);
    root = icalparser_parse_string(copy);
    if (!root) {
        rc = ch_error_set(err, CH_E_INVALID,
                          "not an iCalendar file: expected BEGIN:VCALENDAR ... END:VCALENDAR");
        goto out;
    }
    if ((rc = walk(&r, root, tz, 0, err)))
        goto out;
    if (r.n == 0) {
        rc = ch_error_set(err, CH_E_INVALID, "the iCalendar file holds no events (VEVENT)");
        goto out;
    }
    *out = r.items;
    *n = r.n;
    r.items = NULL;
out:
    if (root)
        icalcomponent_free(root);
    free(copy);
    free(r.items);
    return rc;
}
