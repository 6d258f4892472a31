/* The "calendars" section of a policy file: weekly hours, bank holidays,
 * closures, term dates and cut-offs, with one calendar based on another. */
#include "policy/load_internal.h"
#include "policy/ical.h"

#include <stdlib.h>
#include <string.h>

static const char *const calendar_keys[] = {
    "hours",      "bank_holidays", "closures", "closures_ical", "terms",
    "terms_ical", "cutoff",        "based_on", "notes",         NULL,
};
static const char *const closure_keys[] = {"date", "from", "to", "hours", "reason", NULL};
static const char *const term_keys[] = {"name", "from", "to", "half_term", NULL};
static const char *const span_keys[] = {"from", "to", NULL};
static const char *const day_names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday",    NULL};
static const char *const day_words[] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",  "mon", "tue",
    "wed",    "thu",     "fri",       "sat",      "sun",    "weekdays", "weekend", NULL,
};

static int day_index(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++) {
        if ((n == strlen(day_names[i]) || n == 3) && strncmp(s, day_names[i], n) == 0)
            return i;
    }
    return -1;
}

/* "monday", "mon-fri", "weekdays", "saturday-sunday" into a day range. */
static bool day_range(const char *s, int *lo, int *hi)
{
    if (strcmp(s, "weekdays") == 0) {
        *lo = 0, *hi = 4;
        return true;
    }
    if (strcmp(s, "weekend") == 0) {
        *lo = 5, *hi = 6;
        return true;
    }
    const char *dash = strchr(s, '-');
    if (!dash) {
        *lo = *hi = day_index(s, strlen(s));
        return *lo >= 0;
    }
    *lo = day_index(s, (size_t)(dash - s));
    *hi = day_index(dash + 1, strlen(dash + 1));
    return *lo >= 0 && *hi >= *lo;
}

/* "09:00-17:00" into a span. */
static bool span_parse(loader *ld, struct fy_node *node, const char *s, ch_span *out)
{
    const char *dash = strchr(s, '-');
    ch_error err;
    if (!dash) {
        ld_problem(ld, node,
                   "'%s' is not a span of time; write it as HH:MM-HH:MM, e.g. 09:00-17:00", s);
        return false;
    }
    if (ch_clock_parse(s, (size_t)(dash - s), &out->open, &err) ||
        ch_clock_parse(dash + 1, strlen(dash + 1), &out->close, &err)) {
        ld_problem(ld, node, "%s", err.msg);
        return false;
    }
    if (out->close <= out->open) {
        ld_problem(ld, node, "'%s' closes before it opens; write the earlier time first", s);
        return false;
    }
    return true;
}

static int cmp_span(const void *a, const void *b)
{
    int32_t x = ((const ch_span *)a)->open, y = ((const ch_span *)b)->open;
    return (x > y) - (x < y);
}

static void add_span(loader *ld, cal_src *c, struct fy_node *node, int day, ch_span sp)
{
    if (c->week.nspans[day] == CH_MAX_DAY_SPANS) {
        ld_problem(ld, node, "at most %d opening spans a day", CH_MAX_DAY_SPANS);
        return;
    }
    c->week.spans[day][c->week.nspans[day]++] = sp;
}

static void parse_hours(loader *ld, cal_src *c, struct fy_node *map)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    struct fy_node *where[7] = {0};
    if (!fy_node_is_mapping(map)) {
        ld_problem(ld, map, "hours must map days to times, e.g. \"monday-friday: 09:00-17:00\"");
        return;
    }
    c->has_hours = true;
    while ((pair = fy_node_mapping_iterate(map, &it))) {
        struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair);
        const char *days = ld_scalar(ld, k, "a day");
        int lo, hi;
        if (!days)
            continue;
        if (!day_range(days, &lo, &hi)) {
            const char *near = ld_suggest(days, day_words);
            ld_problem(ld, k,
                       "'%s' is not a day or range of days%s%s%s; use monday..sunday, mon-fri, "
                       "weekdays or weekend",
                       days, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            continue;
        }
        if (!v) {
            ld_problem(ld, k, "'%s' has no hours; give HH:MM-HH:MM or \"closed\"", days);
            continue;
        }
        int n = fy_node_is_sequence(v) ? fy_node_sequence_item_count(v) : 1;
        for (int i = 0; i < n; i++) {
            struct fy_node *item = fy_node_is_sequence(v) ? fy_node_sequence_get_by_index(v, i) : v;
            const char *s = ld_scalar(ld, item, "opening hours");
            ch_span sp;
            if (!s || strcmp(s, "closed") == 0 || !span_parse(ld, item, s, &sp))
                continue;
            for (int d = lo; d <= hi; d++) {
                add_span(ld, c, item, d, sp);
                where[d] = item;
            }
        }
    }
    for (int d = 0; d < 7; d++) {
        ch_span *s = c->week.spans[d];
        int n = c->week.nspans[d];
        qsort(s, (size_t)n, sizeof(*s), cmp_span);
        for (int i = 1; i < n; i++) {
            if (s[i].open < s[i - 1].close) {
                char a[3][10], b[10];
                ch_clock_format(s[i - 1].open, a[0], sizeof(a[0]));
                ch_clock_format(s[i - 1].close, a[1], sizeof(a[1]));
                ch_clock_format(s[i].open, a[2], sizeof(a[2]));
                ch_clock_format(s[i].close, b, sizeof(b));
                ld_problem(ld, where[d],
                           "opening hours on %s overlap (%s-%s and %s-%s); make each span end "
                           "before the next begins",
                           day_names[d], a[0], a[1], a[2], b);
                break;
            }
        }
    }
}

static void push_closure(loader *ld, cal_src *c, ch_closure cl)
{
    if (c->nclosures == c->capclosures) {
        size_t cap = c->capclosures ? c->capclosures * 2 : 16;
        ch_closure *p = ch_arena_grow(ld->arena, c->closures, c->nclosures, cap, sizeof(*p));
        if (!p)
            return;
        c->closures = p;
        c->capclosures = cap;
    }
    c->closures[c->nclosures++] = cl;
}

static void push_term(loader *ld, cal_src *c, ch_date_range r)
{
    if (c->nterms == c->capterms) {
        size_t cap = c->capterms ? c->capterms * 2 : 8;
        ch_date_range *p = ch_arena_grow(ld->arena, c->terms, c->nterms, cap, sizeof(*p));
        if (!p)
            return;
        c->terms = p;
        c->capterms = cap;
    }
    c->terms[c->nterms++] = r;
}

/* A date range written as {from, to} (or, when allow_date, {date}). */
static bool range_parse(loader *ld, struct fy_node *map, bool allow_date, ch_date *first,
                        ch_date *last)
{
    struct fy_node *d = allow_date ? ld_get(map, "date") : NULL;
    struct fy_node *f = ld_get(map, "from"), *t = ld_get(map, "to");
    if (d && !f && !t)
        return ld_date(ld, d, "date", first) && (*last = *first, true);
    if (!f || !t || d) {
        ld_problem(ld, map, "give either a date, or both from and to dates");
        return false;
    }
    if (!ld_date(ld, f, "from", first) || !ld_date(ld, t, "to", last))
        return false;
    if (*last < *first) {
        ld_problem(ld, t, "the range ends before it starts; put the earlier date in from");
        return false;
    }
    return true;
}

static void parse_closures(loader *ld, cal_src *c, struct fy_node *seq)
{
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "closures must be a list of dates or {from, to} ranges");
        return;
    }
    int n = fy_node_sequence_item_count(seq);
    for (int i = 0; i < n; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        ch_closure cl = {0, 0, 0, CH_DAY_SECS};
        if (item && fy_node_is_scalar(item)) {
            if (ld_date(ld, item, "a closure", &cl.first)) {
                cl.last = cl.first;
                push_closure(ld, c, cl);
            }
            continue;
        }
        if (!ld_check_keys(ld, item, closure_keys, "a closure") ||
            !range_parse(ld, item, true, &cl.first, &cl.last))
            continue;
        struct fy_node *h = ld_get(item, "hours");
        if (h) {
            const char *s = ld_scalar(ld, h, "closed hours");
            ch_span sp;
            if (!s || !span_parse(ld, h, s, &sp))
                continue;
            cl.from = sp.open;
            cl.to = sp.close;
        }
        push_closure(ld, c, cl);
    }
}

static void parse_terms(loader *ld, cal_src *c, struct fy_node *seq)
{
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "terms must be a list of {from, to} date ranges");
        return;
    }
    c->term_time = true;
    int n = fy_node_sequence_item_count(seq);
    for (int i = 0; i < n; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        ch_date_range r;
        if (!ld_check_keys(ld, item, term_keys, "a term") ||
            !range_parse(ld, item, false, &r.first, &r.last))
            continue;
        push_term(ld, c, r);
        struct fy_node *ht = ld_get(item, "half_term");
        ch_closure cl = {0, 0, 0, CH_DAY_SECS};
        if (ht && ld_check_keys(ld, ht, span_keys, "a half term") &&
            range_parse(ld, ht, false, &cl.first, &cl.last)) {
            if (cl.first < r.first || cl.last > r.last)
                ld_problem(ld, ht, "the half term lies outside its term's dates");
            else
                push_closure(ld, c, cl);
        }
    }
}

static void parse_ical(loader *ld, cal_src *c, struct fy_node *node, bool terms)
{
    const char *name = ld_scalar(ld, node, "an iCalendar file name");
    size_t len, n = 0;
    ch_closure *ranges = NULL;
    ch_error err;
    if (!name)
        return;
    char *text = ld_read_file(ld, node, name, 4 << 20, &len);
    if (!text)
        return;
    if (!ld->tz_ok) {
        free(text);
        return;
    }
    if (ch_ical_parse(text, len, &ld->tz, &ranges, &n, &err)) {
        ld_problem(ld, node, "%s: %s", name, err.msg);
    } else {
        if (terms)
            c->term_time = true;
        for (size_t i = 0; i < n; i++) {
            if (terms)
                push_term(ld, c, (ch_date_range){ranges[i].first, ranges[i].last});
            else
                push_closure(ld, c, ranges[i]);
        }
    }
    free(ranges);
    free(text);
}

static void parse_calendar(loader *ld, cal_src *c)
{
    struct fy_node *map = c->node, *v;
    if (!ld_check_keys(ld, map, calendar_keys, "a calendar"))
        return;
    c->cutoff = -1;
    c->region = CH_REGION_ENGLAND_WALES;
    if ((v = ld_get(map, "hours")))
        parse_hours(ld, c, v);
    if ((v = ld_get(map, "bank_holidays"))) {
        const char *s = ld_scalar(ld, v, "bank_holidays");
        static const char *const regions[] = {
            "england-and-wales", "scotland", "northern-ireland", "uk-any", "none", NULL};
        c->has_region = true;
        if (s && ch_region_parse(s, &c->region)) {
            const char *near = ld_suggest(s, regions);
            ld_problem(ld, v,
                       "unknown bank holidays '%s'%s%s%s; use england-and-wales, scotland, "
                       "northern-ireland, uk-any (a holiday anywhere in the UK) or none",
                       s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
        }
    }
    if ((v = ld_get(map, "closures")))
        parse_closures(ld, c, v);
    if ((v = ld_get(map, "closures_ical")))
        parse_ical(ld, c, v, false);
    if ((v = ld_get(map, "terms")))
        parse_terms(ld, c, v);
    if ((v = ld_get(map, "terms_ical")))
        parse_ical(ld, c, v, true);
    if ((v = ld_get(map, "cutoff"))) {
        const char *s = ld_scalar(ld, v, "cutoff");
        ch_error err;
        c->has_cutoff = true;
        if (s && ch_clock_parse(s, strlen(s), &c->cutoff, &err))
            ld_problem(ld, v, "cutoff: %s", err.msg);
    }
    if ((v = ld_get(map, "based_on")))
        c->based_on = ld_scalar(ld, v, "based_on");
    if (!c->has_hours && !c->based_on)
        ld_problem(ld, c->key,
                   "calendar '%s' has no hours; add e.g. \"hours: {monday-friday: "
                   "09:00-17:00}\" or base it on another with based_on",
                   c->id);
}

int ld_calendar_find(loader *ld, const char *id)
{
    for (size_t i = 0; i < ld->ncals; i++)
        if (strcmp(ld->cals[i].id, id) == 0)
            return (int)i;
    return -1;
}

void ld_calendars(loader *ld, struct fy_node *map)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    if (!fy_node_is_mapping(map) || fy_node_mapping_item_count(map) == 0) {
        ld_problem(ld, map, "calendars must map names to calendars, e.g. \"office: {hours: ...}\"");
        return;
    }
    ld->cals = ch_arena_alloc(ld->arena, (size_t)fy_node_mapping_item_count(map) * sizeof(cal_src));
    if (!ld->cals)
        return;
    while ((pair = fy_node_mapping_iterate(map, &it))) {
        cal_src *c = &ld->cals[ld->ncals];
        c->key = fy_node_pair_key(pair);
        c->node = fy_node_pair_value(pair);
        c->id = ld_scalar(ld, c->key, "a calendar name");
        if (!c->id)
            continue;
        if (!c->node) {
            ld_problem(ld, c->key, "calendar '%s' is empty", c->id);
            continue;
        }
        ld->ncals++;
        int before = ld->errors;
        parse_calendar(ld, c);
        c->ok = ld->errors == before;
    }
}

/* Applies based_on: a calendar inherits what it does not set itself, and
 * adds its own closures to its base's. */
static bool resolve(loader *ld, cal_src *c)
{
    if (c->state == 2)
        return c->ok;
    if (c->state == 1) {
        ld_problem(ld, c->key, "calendar '%s' is based on itself through based_on; break the loop",
                   c->id);
        return c->ok = false;
    }
    c->state = 1;
    if (c->based_on) {
        int j = ld_calendar_find(ld, c->based_on);
        if (j < 0) {
            ld_problem(ld, ld_get(c->node, "based_on"), "based_on names no calendar '%s'",
                       c->based_on);
            c->ok = false;
        } else if (!resolve(ld, &ld->cals[j])) {
            c->ok = false;
        } else {
            cal_src *b = &ld->cals[j];
            if (!c->has_hours)
                c->week = b->week;
            if (!c->has_region)
                c->region = b->region;
            if (!c->has_cutoff)
                c->cutoff = b->cutoff;
            for (size_t i = 0; i < b->nclosures; i++)
                push_closure(ld, c, b->closures[i]);
            if (!c->term_time && b->term_time) {
                c->term_time = true;
                for (size_t i = 0; i < b->nterms; i++)
                    push_term(ld, c, b->terms[i]);
            }
        }
    }
    c->state = 2;
    return c->ok;
}

ch_calendar *ld_calendar_build(loader *ld, size_t i)
{
    cal_src *c = &ld->cals[i];
    ch_calendar *cal = NULL;
    ch_date *hol = NULL;
    size_t nhol = 0;
    ch_error err;
    const ch_holidays *h = &ld->custom;
    ch_calendar_spec spec = {0};
    if (!resolve(ld, c) || !ld->tz_ok)
        return NULL;
    if (!ld->has_custom && ch_holidays_builtin(&h, &err)) {
        ld_problem(ld, c->key, "the built-in bank holidays are unreadable: %s", err.msg);
        return NULL;
    }
    ch_region sel = c->region == CH_REGION_NONE ? CH_REGION_ENGLAND_WALES : c->region;
    if (ch_holidays_select(h, sel, &hol, &nhol, &spec.first, &spec.last, &err)) {
        ld_problem(ld, c->key, "calendar '%s': %s", c->id, err.msg);
        return NULL;
    }
    if (c->region == CH_REGION_NONE)
        nhol = 0; /* kept only for the years the data covers */
    spec.tz = ld->tz;
    spec.week = c->week;
    spec.holidays = hol;
    spec.nholidays = nhol;
    spec.closures = c->closures;
    spec.nclosures = c->nclosures;
    spec.term_time = c->term_time;
    spec.terms = c->terms;
    spec.nterms = c->nterms;
    spec.cutoff = c->cutoff;
    if (c->term_time) {
        /* Outside the listed terms we do not know when the service is open. */
        ch_date lo = INT32_MAX, hi = INT32_MIN;
        for (size_t k = 0; k < c->nterms; k++) {
            lo = c->terms[k].first < lo ? c->terms[k].first : lo;
            hi = c->terms[k].last > hi ? c->terms[k].last : hi;
        }
        spec.first = lo > spec.first ? lo : spec.first;
        spec.last = hi < spec.last ? hi : spec.last;
    }
    if (spec.last < spec.first) {
        ld_problem(ld, c->key, "calendar '%s' has no dates inside the bank holiday data's years",
                   c->id);
    } else if (ch_calendar_build(&cal, &spec, &err)) {
        ld_problem(ld, c->key, "calendar '%s': %s", c->id, err.msg);
        cal = NULL;
    }
    free(hol);
    return cal;
}
