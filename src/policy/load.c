/* The policy loader's top level: the document, its services and promises,
 * cross-references between them, and the final build of every calendar. */
#include "policy/load_internal.h"
#include "core/text.h"
#include "policy/zone.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
    "charter",    "id",       "organisation",   "time_zone", "review_by", "holidays_file",
    "calendars",  "services", "promises",       "notes",     "routes",    "restriction_notice",
    "complaints", "contact",  "privacy_notice", "themes",    "audits",    "retention",
    NULL,
};
static const char *const service_keys[] = {
    "id",          "name",        "calendar", "visit_calendar",      "day_length",      "half_day",
    "visit_block", "contingency", "notes",    "cancellation_notice", "training_notice", "mail",
    "survey",      NULL};
static const char *const promise_keys[] = {
    "id",    "text",     "applies_to",          "obligation", "within",   "counting",
    "from",  "calendar", "roll_to_working_day", "receipt",    "schedule", "notes",
    "every", "internal", "warn_before",         NULL,
};
static const char *const applies_keys[] = {"channels", "kinds",  "flags", "without_flags",
                                           "services", "stages", NULL};
static const char *const channel_words[] = {"phone", "voicemail", "email",  "letter",
                                            "web",   "in-person", "social", NULL};
static const char *const kind_words[] = {"enquiry", "service-order", "complaint",  "feedback",
                                         "foi",     "sar",           "compliment", NULL};
static const char *const obligation_words[] = {"acknowledge", "respond", "resolve",
                                               "update",      "process", NULL};

static const struct {
    const char *name;
    ch_unit unit;
} unit_words[] = {
    {"working days", CH_UNIT_WORKING_DAYS},
    {"working day", CH_UNIT_WORKING_DAYS},
    {"working hours", CH_UNIT_WORKING_HOURS},
    {"working hour", CH_UNIT_WORKING_HOURS},
    {"working minutes", CH_UNIT_WORKING_MINUTES},
    {"working minute", CH_UNIT_WORKING_MINUTES},
    {"calendar days", CH_UNIT_CALENDAR_DAYS},
    {"calendar day", CH_UNIT_CALENDAR_DAYS},
    {"days", CH_UNIT_CALENDAR_DAYS},
    {"day", CH_UNIT_CALENDAR_DAYS},
    {"calendar months", CH_UNIT_CALENDAR_MONTHS},
    {"calendar month", CH_UNIT_CALENDAR_MONTHS},
    {"months", CH_UNIT_CALENDAR_MONTHS},
    {"month", CH_UNIT_CALENDAR_MONTHS},
};
static const char *const unit_list[] = {"working days",  "working hours",   "working minutes",
                                        "calendar days", "calendar months", NULL};

static const char *read_id(loader *ld, struct fy_node *map, const char *what)
{
    struct fy_node *v = ld_get(map, "id");
    if (!v) {
        ld_problem(ld, map, "%s has no id; add e.g. \"id: enquiries\"", what);
        return NULL;
    }
    const char *id = ld_scalar(ld, v, "id");
    if (id && !ch_name_ok(id)) {
        ld_problem(ld, v, "id '%s' must be 1-64 lower-case letters, digits or hyphens", id);
        return NULL;
    }
    return id;
}

static const char *required_text(loader *ld, struct fy_node *map, const char *key, const char *what)
{
    struct fy_node *v = ld_get(map, key);
    if (!v) {
        ld_problem(ld, map, "%s has no %s", what, key);
        return NULL;
    }
    const char *s = ld_scalar(ld, v, key);
    if (s && !*s) {
        ld_problem(ld, v, "%s is empty", key);
        return NULL;
    }
    return s;
}

/* "7 hours", "7h", "6.5 hours" into minutes, for key (day_length, half_day
 * or visit_block). */
static void parse_hours(loader *ld, struct fy_node *v, const char *key, int32_t *minutes)
{
    const char *s = ld_scalar(ld, v, key);
    if (!s)
        return;
    char *end;
    double h = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (end == s ||
        !(strcmp(end, "h") == 0 || strcmp(end, "hours") == 0 || strcmp(end, "hour") == 0) ||
        !(h > 0 && h <= 24)) {
        ld_problem(ld, v, "%s '%s' must be a number of hours from 0 to 24, e.g. \"%s\"", key, s,
                   strcmp(key, "day_length") == 0 ? "7 hours"
                   : strcmp(key, "half_day") == 0 ? "3.5 hours"
                                                  : "2.5 hours");
        return;
    }
    *minutes = (int32_t)(h * 60 + 0.5);
}

/* "10%" into 10: the share of consultants' time kept back. */
static void parse_percent(loader *ld, struct fy_node *v, int32_t *percent)
{
    const char *s = ld_scalar(ld, v, "contingency");
    if (!s)
        return;
    char *end;
    long p = strtol(s, &end, 10);
    if (end == s || !isdigit((unsigned char)s[0]) || strcmp(end, "%") != 0 || p > 90) {
        ld_problem(ld, v, "contingency '%s' must be a percentage from 0%% to 90%%, e.g. \"10%%\"",
                   s);
        return;
    }
    *percent = (int32_t)p;
}

/* "1 working day", "5 working days" into *days, for key. */
static void working_days(loader *ld, struct fy_node *v, const char *key, const char *example,
                         int32_t *days)
{
    ch_target t = {0};
    if (!ld_within(ld, v, key, &t))
        return;
    if (t.unit != CH_UNIT_WORKING_DAYS || t.amount > 60)
        ld_problem(ld, v, "%s is a number of working days (0 to 60), e.g. \"%s\"", key, example);
    else
        *days = t.amount;
}

static void parse_services(loader *ld, struct fy_node *seq, ch_policy *pol)
{
    if (!seq || !fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq,
                   "services must be a list with at least one service, e.g. one with "
                   "\"id: enquiries\"");
        return;
    }
    int n = fy_node_sequence_item_count(seq);
    pol->services = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*pol->services));
    if (!pol->services)
        return;
    for (int i = 0; i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i), *v;
        ch_service *s = &pol->services[pol->nservices];
        if (!ld_check_keys(ld, m, service_keys, "a service"))
            continue;
        if (!(s->id = read_id(ld, m, "a service")))
            continue;
        if (ch_policy_service(pol, s->id)) {
            ld_problem(ld, ld_get(m, "id"), "a service with id '%s' is already defined", s->id);
            continue;
        }
        s->name = required_text(ld, m, "name", "a service");
        const char *cal = required_text(ld, m, "calendar", "a service");
        if (cal) {
            int k = ld_calendar_find(ld, cal);
            if (k < 0)
                ld_problem(ld, ld_get(m, "calendar"),
                           "service '%s' names calendar '%s', which is not defined under "
                           "calendars",
                           s->id, cal);
            s->calendar = k < 0 ? 0 : (size_t)k;
        }
        s->visit_calendar = s->calendar;
        const char *vcal =
            (v = ld_get(m, "visit_calendar")) ? ld_scalar(ld, v, "visit_calendar") : NULL;
        if (vcal) {
            int k = ld_calendar_find(ld, vcal);
            if (k < 0)
                ld_problem(ld, v,
                           "service '%s' books visits on calendar '%s', which is not defined "
                           "under calendars",
                           s->id, vcal);
            else
                s->visit_calendar = (size_t)k;
        }
        if ((v = ld_get(m, "day_length")))
            parse_hours(ld, v, "day_length", &s->day_length);
        if ((v = ld_get(m, "half_day"))) {
            parse_hours(ld, v, "half_day", &s->half_day);
            if (s->half_day && !s->day_length)
                ld_problem(ld, v,
                           "half_day needs day_length: a service sold by the day says how "
                           "long its day is");
            else if (s->half_day && s->half_day >= s->day_length)
                ld_problem(ld, v, "half_day must be shorter than the day_length");
        }
        if ((v = ld_get(m, "visit_block")))
            parse_hours(ld, v, "visit_block", &s->visit_block);
        if ((v = ld_get(m, "contingency")))
            parse_percent(ld, v, &s->contingency);
        s->cancellation_days = 1;
        if ((v = ld_get(m, "cancellation_notice")))
            working_days(ld, v, "cancellation_notice", "1 working day", &s->cancellation_days);
        if ((v = ld_get(m, "training_notice")))
            working_days(ld, v, "training_notice", "5 working days", &s->training_days);
        if ((v = ld_get(m, "mail")))
            ld_service_mail(ld, v, s, pol);
        if ((v = ld_get(m, "survey")))
            ld_service_survey(ld, v, s);
        pol->nservices++;
    }
}

/* A span of time as policies write it ("3 working days"), under key
 * (within, every, warn_before). */
bool ld_within(loader *ld, struct fy_node *v, const char *key, ch_target *t)
{
    const char *s = ld_scalar(ld, v, key);
    if (!s)
        return false;
    if (strcmp(s, "same working day") == 0) {
        t->amount = 0;
        t->unit = CH_UNIT_WORKING_DAYS;
        return true;
    }
    char *end;
    long amount = strtol(s, &end, 10);
    if (end == s || !isdigit((unsigned char)s[0]) || *end != ' ' || amount > 10000) {
        ld_problem(ld, v,
                   "%s '%s' must be a whole number (0-10000) and a unit, e.g. "
                   "\"3 working days\"",
                   key, s);
        return false;
    }
    while (*end == ' ')
        end++;
    for (size_t i = 0; i < sizeof(unit_words) / sizeof(*unit_words); i++) {
        if (strcmp(end, unit_words[i].name) == 0) {
            t->amount = (int)amount;
            t->unit = unit_words[i].unit;
            return true;
        }
    }
    const char *near = ld_suggest(end, unit_list);
    ld_problem(ld, v,
               "unknown unit '%s'%s%s%s; use working days, working hours, working "
               "minutes, calendar days or calendar months",
               end, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    return false;
}

/* A list of names from a fixed vocabulary into a bit set. */
static unsigned parse_words(loader *ld, struct fy_node *seq, const char *what,
                            const char *const *words)
{
    unsigned bits = 0;
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "%s must be a list, e.g. [%s, %s]", what, words[0], words[1]);
        return 0;
    }
    for (int i = 0; i < fy_node_sequence_item_count(seq); i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, what);
        int found = -1;
        if (!s)
            continue;
        for (int k = 0; words[k] && found < 0; k++)
            if (strcmp(s, words[k]) == 0)
                found = k;
        if (found >= 0) {
            bits |= 1u << found;
            continue;
        }
        const char *near = ld_suggest(s, words);
        ld_problem(ld, item, "unknown %s '%s'%s%s%s", what, s, near ? "; did you mean '" : "",
                   near ? near : "", near ? "'?" : "");
    }
    return bits;
}

static const char **parse_names(loader *ld, struct fy_node *seq, const char *what, size_t *n)
{
    *n = 0;
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "%s must be a list of names", what);
        return NULL;
    }
    int count = fy_node_sequence_item_count(seq);
    const char **out = ch_arena_alloc(ld->arena, (size_t)(count ? count : 1) * sizeof(*out));
    for (int i = 0; out && i < count; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, what);
        if (s && !ch_name_ok(s))
            ld_problem(ld, item, "%s '%s' must be lower-case letters, digits or hyphens", what, s);
        else if (s)
            out[(*n)++] = s;
    }
    return out;
}

static void parse_applies(loader *ld, struct fy_node *m, ch_promise *p, const ch_policy *pol)
{
    struct fy_node *v;
    p->kinds = 1u << CH_KIND_ENQUIRY;
    if (!m)
        return;
    if (!ld_check_keys(ld, m, applies_keys, "applies_to"))
        return;
    if ((v = ld_get(m, "channels")))
        p->channels = parse_words(ld, v, "channel", channel_words);
    if ((v = ld_get(m, "kinds")))
        p->kinds = parse_words(ld, v, "case kind", kind_words);
    if ((v = ld_get(m, "flags")))
        p->flags_all = parse_names(ld, v, "flag", &p->nflags_all);
    if ((v = ld_get(m, "without_flags")))
        p->flags_none = parse_names(ld, v, "flag", &p->nflags_none);
    if ((v = ld_get(m, "services"))) {
        p->services = parse_names(ld, v, "service", &p->nservices);
        for (size_t i = 0; i < p->nservices; i++)
            if (!ch_policy_service(pol, p->services[i]))
                ld_problem(ld, fy_node_sequence_get_by_index(v, (int)i),
                           "promise '%s' names service '%s', which is not defined under services",
                           p->id, p->services[i]);
    }
    if ((v = ld_get(m, "stages")))
        ld_promise_stages(ld, v, p, pol);
}

static int promise_find(const ch_policy *pol, const char *id)
{
    for (size_t i = 0; i < pol->npromises; i++)
        if (strcmp(pol->promises[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* Whether calendar k (or one it is based on) lists terms. */
static bool has_terms(loader *ld, int k)
{
    for (int hops = 0; k >= 0 && (size_t)k < ld->ncals && hops < 16; hops++) {
        if (ld->cals[k].term_time)
            return true;
        k = ld->cals[k].based_on ? ld_calendar_find(ld, ld->cals[k].based_on) : -1;
    }
    return false;
}

/* A termly promise needs terms on every calendar it is kept on. */
static bool termly_ok(loader *ld, const ch_promise *p, const ch_policy *pol)
{
    if (p->calendar >= 0)
        return has_terms(ld, p->calendar);
    for (size_t i = 0; i < pol->nservices; i++) {
        bool named = p->nservices == 0;
        for (size_t k = 0; k < p->nservices && !named; k++)
            named = strcmp(p->services[k], pol->services[i].id) == 0;
        if (named && !has_terms(ld, (int)pol->services[i].calendar))
            return false;
    }
    return true;
}

/* "every: 5 working days" on an update promise: each update starts the
 * next. A span of nothing would make updates due the moment they are made. */
static void parse_every(loader *ld, struct fy_node *v, ch_promise *p)
{
    if (p->obligation != CH_OBLIGATION_UPDATE || p->schedule != CH_SCHEDULE_NONE) {
        ld_problem(ld, v,
                   "only an update promise kept per case may recur; \"every\" does not "
                   "go with this promise");
        return;
    }
    ch_target t = {0};
    if (!ld_within(ld, v, "every", &t))
        return;
    if (t.amount <= 0) {
        ld_problem(ld, v, "every must be at least 1 of its unit, e.g. \"5 working days\"");
        return;
    }
    t.counting = t.unit == CH_UNIT_WORKING_DAYS ? CH_COUNT_CLOSE_OF_DAY : CH_COUNT_ELAPSED;
    p->every = t;
    p->recurs = true;
}

static void parse_promise(loader *ld, struct fy_node *m, ch_promise *p, ch_policy *pol)
{
    struct fy_node *v;
    const char *s;
    p->from = -1;
    p->calendar = -1;
    p->text = required_text(ld, m, "text", "a promise");
    if ((v = ld_get(m, "internal")))
        ld_promise_internal(ld, v, p);
    parse_applies(ld, ld_get(m, "applies_to"), p, pol);
    if ((s = required_text(ld, m, "obligation", "a promise")) &&
        ch_obligation_kind_parse(s, &p->obligation)) {
        const char *near = ld_suggest(s, obligation_words);
        ld_problem(ld, ld_get(m, "obligation"),
                   "unknown obligation '%s'%s%s%s; use acknowledge, respond, resolve, update or "
                   "process",
                   s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    if ((v = ld_get(m, "schedule")) && (s = ld_scalar(ld, v, "schedule"))) {
        if (strcmp(s, "termly") == 0)
            p->schedule = CH_SCHEDULE_TERMLY;
        else
            ld_problem(ld, v, "schedule '%s' must be termly", s);
        if (ld_get(m, "within"))
            ld_problem(ld, ld_get(m, "within"),
                       "a promise kept on a schedule has no \"within\"; remove one of the two");
    } else if ((v = ld_get(m, "within"))) {
        ld_within(ld, v, "within", &p->target);
    } else {
        ld_problem(ld, m,
                   "promise '%s' has no time limit; add e.g. \"within: 3 working days\" or "
                   "\"schedule: termly\"",
                   p->id);
    }
    bool day_unit = p->target.unit == CH_UNIT_WORKING_DAYS;
    p->target.counting = day_unit ? CH_COUNT_CLOSE_OF_DAY : CH_COUNT_ELAPSED;
    if ((v = ld_get(m, "counting")) && (s = ld_scalar(ld, v, "counting"))) {
        if (strcmp(s, "close-of-day") == 0)
            p->target.counting = CH_COUNT_CLOSE_OF_DAY;
        else if (strcmp(s, "elapsed") == 0)
            p->target.counting = CH_COUNT_ELAPSED;
        else
            ld_problem(ld, v, "counting '%s' must be close-of-day or elapsed", s);
    }
    if ((v = ld_get(m, "roll_to_working_day")) && (s = ld_scalar(ld, v, "roll_to_working_day"))) {
        if (strcmp(s, "true") && strcmp(s, "false"))
            ld_problem(ld, v, "roll_to_working_day must be true or false");
        p->target.roll_to_working_day = strcmp(s, "true") == 0;
    }
    if ((v = ld_get(m, "receipt")) && (s = ld_scalar(ld, v, "receipt"))) {
        if (strcmp(s, "date") == 0 && day_unit)
            p->target.from_receipt_date = true;
        else if (strcmp(s, "deemed") != 0)
            ld_problem(ld, v,
                       "receipt '%s' must be deemed (the default) or date, and date "
                       "applies only to working days",
                       s);
    }
    if ((v = ld_get(m, "from")) && (s = ld_scalar(ld, v, "from")) && strcmp(s, "contact") != 0) {
        p->from = promise_find(pol, s);
        if (p->from < 0)
            ld_problem(ld, v,
                       "from names '%s', which is not a promise defined above this one; use "
                       "\"contact\" or the id of an earlier promise",
                       s);
    }
    if ((v = ld_get(m, "calendar")) && (s = ld_scalar(ld, v, "calendar"))) {
        p->calendar = ld_calendar_find(ld, s);
        if (p->calendar < 0)
            ld_problem(ld, v,
                       "promise '%s' names calendar '%s', which is not defined under "
                       "calendars",
                       p->id, s);
    }
    if ((v = ld_get(m, "every")))
        parse_every(ld, v, p);
    if ((v = ld_get(m, "warn_before")))
        ld_promise_warn(ld, v, p);
    if (p->schedule == CH_SCHEDULE_TERMLY && !termly_ok(ld, p, pol))
        ld_problem(ld, ld_get(m, "schedule"),
                   "promise '%s' is kept termly, but its calendar has no terms; give it a "
                   "term-time calendar with calendar:",
                   p->id);
}

static void parse_promises(loader *ld, struct fy_node *seq, ch_policy *pol)
{
    if (!seq || !fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "promises must be a list of promises");
        return;
    }
    int n = fy_node_sequence_item_count(seq);
    if (n > CH_POLICY_MAX_PROMISES) {
        ld_problem(ld, seq, "a policy may hold at most %d promises; split it into several",
                   CH_POLICY_MAX_PROMISES);
        return;
    }
    pol->promises = ch_arena_alloc(ld->arena, (size_t)(n ? n : 1) * sizeof(*pol->promises));
    if (!pol->promises)
        return;
    for (int i = 0; i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i);
        ch_promise *p = &pol->promises[pol->npromises];
        if (!ld_check_keys(ld, m, promise_keys, "a promise"))
            continue;
        if (!(p->id = read_id(ld, m, "a promise")))
            continue;
        if (promise_find(pol, p->id) >= 0) {
            ld_problem(ld, ld_get(m, "id"), "a promise with id '%s' is already defined", p->id);
            continue;
        }
        parse_promise(ld, m, p, pol);
        pol->npromises++;
    }
}

static void parse_top(loader *ld, struct fy_node *root, ch_policy *pol)
{
    struct fy_node *v;
    const char *s;
    ch_error err;
    if (!ld_check_keys(ld, root, top_keys, "a policy"))
        return;
    if (!(v = ld_get(root, "charter")) || !(s = ld_scalar(ld, v, "charter")) || strcmp(s, "1"))
        ld_problem(ld, v ? v : root, "a policy must start with \"charter: 1\", the format version");
    pol->id = read_id(ld, root, "the policy");
    pol->organisation = required_text(ld, root, "organisation", "the policy");
    if ((v = ld_get(root, "review_by")))
        ld_date(ld, v, "review_by", &pol->review_by);
    else
        ld_problem(ld, root,
                   "the policy has no review_by date; add the date by which it must "
                   "be reviewed, e.g. \"review_by: 2027-09-01\"");
    pol->time_zone = "Europe/London";
    if ((v = ld_get(root, "time_zone")) && !(pol->time_zone = ld_scalar(ld, v, "time_zone")))
        pol->time_zone = "Europe/London";
    if (ch_zone_load(&ld->tz, pol->time_zone, &err))
        ld_problem(ld, v ? v : root, "%s", err.msg);
    else
        ld->tz_ok = true;
    if ((v = ld_get(root, "holidays_file")) && (s = ld_scalar(ld, v, "holidays_file"))) {
        size_t len;
        char *text = ld_read_file(ld, v, s, 4 << 20, &len);
        if (text && ch_holidays_parse_govuk(&ld->custom, text, len, &err))
            ld_problem(ld, v, "%s: %s", s, err.msg);
        else if (text)
            ld->has_custom = true;
        free(text);
    }
    if ((v = ld_get(root, "calendars")))
        ld_calendars(ld, v);
    else
        ld_problem(ld, root, "the policy has no calendars; add at least one, e.g. \"office\"");
    parse_services(ld, ld_get(root, "services"), pol);
    if ((v = ld_get(root, "complaints")))
        ld_complaints(ld, v, pol);
    parse_promises(ld, ld_get(root, "promises"), pol);
    if ((v = ld_get(root, "routes")))
        ld_routes(ld, v, pol);
    if ((v = ld_get(root, "restriction_notice")))
        ld_notices(ld, v, pol);
    ld_public(ld, ld_get(root, "contact"), ld_get(root, "privacy_notice"), pol);
    if ((v = ld_get(root, "themes")))
        ld_themes(ld, v, pol);
    if ((v = ld_get(root, "audits")))
        ld_audits(ld, v, pol);
    if ((v = ld_get(root, "retention")))
        ld_retention(ld, v, pol);
}

static void collect_yaml_errors(loader *ld, struct fy_diag *diag)
{
    void *it = NULL;
    struct fy_diag_error *e;
    while ((e = fy_diag_errors_iterate(diag, &it))) {
        ch_diags_add(ld->diags, ld->file, e->line + 1, e->column + 1, "YAML: %s", e->msg);
        ld->errors++;
    }
    if (!ld->errors) {
        ch_diags_add(ld->diags, ld->file, 1, 1, "the file is not valid YAML");
        ld->errors++;
    }
}

int ch_policy_load_text(ch_policy **out, const char *name, const char *text, size_t len,
                        const char *base_dir, ch_diags *diags)
{
    ch_arena arena = {0};
    loader ld = {.file = name,
                 .base_dir = base_dir,
                 .diags = diags,
                 .arena = &arena,
                 .src = text,
                 .srclen = len};
    struct fy_diag_cfg dcfg;
    struct fy_diag *diag = NULL;
    struct fy_document *doc = NULL;
    ch_policy *pol = NULL;
    int rc = CH_E_INVALID;

    /* Policies are UTF-8 text. Checking first also keeps libfyaml 0.7.12
     * out of two endless loops that fuzzing found: a directive followed by
     * NUL bytes, and one holding invalid UTF-8. */
    size_t bad = ch_utf8_invalid_at(text, len);
    if (bad < len) {
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) { /* columns count characters, not bytes */
            if (text[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)text[i] & 0xc0) != 0x80)
                col++;
        }
        ch_diags_add(diags, name, line, col,
                     "this byte is not UTF-8 text (or is a NUL); save the policy as UTF-8");
        return CH_E_INVALID;
    }
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.colorize = false;
    if (!(diag = fy_diag_create(&dcfg)))
        goto out;
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG, .diag = diag};
    if (!(pol = ch_arena_alloc(&arena, sizeof(*pol)))) {
        rc = CH_E_NOMEM;
        goto out;
    }
    doc = fy_document_build_from_string(&cfg, text, len);
    if (!doc || fy_diag_got_error(diag)) {
        collect_yaml_errors(&ld, diag);
        goto out;
    }
    if (!fy_document_root(doc)) {
        ld_problem(&ld, NULL, "the policy file is empty");
        goto out;
    }
    parse_top(&ld, fy_document_root(doc), pol);
    if (ld.errors)
        goto out;
    /* Everything is consistent: expand the calendars. */
    pol->calendars = ch_arena_alloc(&arena, (ld.ncals ? ld.ncals : 1) * sizeof(*pol->calendars));
    for (size_t i = 0; pol->calendars && i < ld.ncals; i++) {
        ch_calendar *cal = ld_calendar_build(&ld, i);
        if (!cal)
            continue;
        pol->calendars[pol->ncalendars].id = ld.cals[i].id;
        pol->calendars[pol->ncalendars++].cal = cal;
    }
    if (ld.errors || !pol->calendars)
        goto out;
    pol->arena = arena;
    *out = pol;
    pol = NULL;
    rc = CH_OK;
out:
    if (pol) {
        for (size_t i = 0; i < pol->ncalendars; i++)
            ch_calendar_free(pol->calendars[i].cal);
        ch_arena_free(&arena);
    }
    if (ld.has_custom)
        ch_holidays_free(&ld.custom);
    if (doc)
        fy_document_destroy(doc);
    if (diag)
        fy_diag_destroy(diag);
    return rc;
}

enum { MAX_POLICY = 1 << 20 };

int ch_policy_load_file(ch_policy **out, const char *path, ch_diags *diags)
{
    FILE *fp = fopen(path, "rb");
    char dir[1024];
    if (!fp) {
        ch_diags_add(diags, path, 0, 0, "cannot open the policy file; check the path");
        return CH_E_IO;
    }
    char *buf = malloc(MAX_POLICY + 1);
    size_t n = buf ? fread(buf, 1, MAX_POLICY + 1, fp) : 0;
    bool bad = !buf || ferror(fp) || n > MAX_POLICY;
    fclose(fp);
    if (bad) {
        ch_diags_add(diags, path, 0, 0, "cannot read the policy file, or it is over 1 MB");
        free(buf);
        return CH_E_IO;
    }
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof(dir), ".");
    int rc = ch_policy_load_text(out, path, buf, n, dir, diags);
    free(buf);
    return rc;
}
