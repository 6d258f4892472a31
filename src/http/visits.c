/* Visits booked against contracts: booking (in the usual block unless there
 * is a reason; past the balance only with a manager), how each visit ended
 * and what it cost, late arrivals, a consultant's timetable, and capacity
 * against working time less the charter's contingency. */
#include "core/ledger.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "core/timetable.h"
#include "http/availability.h"
#include "http/hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum MHD_Result send_visit(ch_req *r, unsigned status, const ch_visit *v,
                                  const ch_visit *rebooked, const char *warning)
{
    ch_visit_notice *notices;
    size_t nnotices;
    ch_error err = {0};
    if (ch_store_visit_notices(r->desk->store, v->id, &r->arena, &notices, &nnotices, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_visit_members(&w, v);
    /* Every notice as given: a second late call does not hide the first. */
    ch_jw_key(&w, "notices");
    ch_jw_visit_notices(&w, notices, nnotices);
    if (warning && *warning) {
        ch_jw_key(&w, "warning");
        ch_jw_str(&w, warning);
    }
    if (rebooked) {
        ch_jw_key(&w, "rebooked");
        ch_jw_obj(&w);
        ch_jw_visit_members(&w, rebooked);
        ch_jw_obj_end(&w);
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

/* Whether a visit at t lies inside the contract's academic year. */
static bool in_year(const ch_contract *c, const ch_calendar *cal, ch_time t)
{
    ch_date d = ch_hours_local_date(cal, t);
    return d >= c->starts && d <= c->ends;
}

/* Whether a visit in this state holds the consultant's time. */
static bool takes_time(const char *status)
{
    return strcmp(status, "booked") == 0 || strcmp(status, "delivered") == 0 ||
           strcmp(status, "not-needed") == 0 || strcmp(status, "cancelled-late") == 0;
}

/* Where a visit at t on the service's calendar falls in the term's
 * statement period, and that period's bounds. */
static bool in_term(const ch_calendar *cal, const char *term, ch_time t)
{
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
    ch_date a, b, d = ch_hours_local_date(cal, t);
    ch_error err;
    return ch_term_period(terms, nterms, term, &a, &b, &err) == CH_OK && d >= a && d <= b;
}

/* Working minutes in a term on the service's calendar (the part its data
 * covers). */
static int term_working(const ch_desk_service *ds, const char *term, int64_t *minutes,
                        ch_error *err)
{
    const ch_calendar *cal = ch_policy_visit_calendar(ds->policy, ds->service);
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
    ch_date a, b;
    ch_time t0, t1, h0, h1;
    int64_t secs = 0;
    int rc = ch_term_period(terms, nterms, term, &a, &b, err);
    if (rc)
        return rc;
    t0 = ch_hours_day_start(cal, a);
    t1 = ch_hours_day_start(cal, b + 1);
    ch_calendar_horizon(cal, &h0, &h1);
    t0 = t0 < h0 ? h0 : t0;
    t1 = t1 > h1 ? h1 : t1;
    if (t1 > t0 && (rc = ch_calendar_working_between(cal, t0, t1, &secs, err)))
        return rc;
    *minutes = secs / 60;
    return CH_OK;
}

/* One person's load in a term, over every service they are booked in:
 * their working time is counted once. Where their services' calendars
 * differ, the longest is taken as theirs, and the largest contingency. */
typedef struct person_load {
    int64_t consultant;
    const char *name;
    const char *services[16];
    size_t nservices;
    int64_t booked, working;
    int32_t contingency;
    bool visible; /* the user sees one of the services they are booked in */
} person_load;

/* Adds a visit of service ds (booked minutes) to load l. */
static int load_add(ch_arena *a, person_load *l, const ch_desk_service *ds, const char *term,
                    int64_t booked, ch_error *err)
{
    l->booked += booked;
    for (size_t i = 0; i < l->nservices; i++)
        if (strcmp(l->services[i], ds->name) == 0)
            return CH_OK;
    int64_t working = 0;
    int rc = term_working(ds, term, &working, err);
    if (rc)
        return rc;
    const char *name = ch_arena_strdup(a, ds->name);
    if (!name)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    if (l->nservices < sizeof(l->services) / sizeof(*l->services))
        l->services[l->nservices++] = name;
    if (working > l->working)
        l->working = working;
    if (ds->service->contingency > l->contingency)
        l->contingency = ds->service->contingency;
    return CH_OK;
}

/* The term's load of consultant, in every service, with want (of service
 * ds, or none) added: the booking a desk is deciding on. */
static int person_term_load(ch_req *r, int64_t consultant, const char *term, ch_time around,
                            const ch_desk_service *ds, int64_t want, person_load *l, ch_error *err)
{
    ch_visit *rows;
    size_t n;
    int rc;
    memset(l, 0, sizeof(*l));
    l->consultant = consultant;
    ch_visit_filter f = {.consultant_id = consultant,
                         .from = around - 200 * (ch_time)CH_DAY_SECS,
                         .to = around + 200 * (ch_time)CH_DAY_SECS,
                         .limit = 100000};
    if ((rc = ch_store_visit_list(r->desk->store, &f, &r->arena, &rows, &n, err)))
        return rc;
    if (ds && (rc = load_add(&r->arena, l, ds, term, want, err)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        ch_desk_service vs;
        if (!takes_time(rows[i].status) ||
            ch_desk_service_find(r->desk, rows[i].service, &vs, err) ||
            !in_term(ch_policy_service_calendar(vs.policy, vs.service), term, rows[i].starts_at))
            continue;
        l->name = rows[i].consultant;
        if ((rc = load_add(&r->arena, l, &vs, term, rows[i].booked, err)))
            return rc;
    }
    return CH_OK;
}

/* The capacity warning or refusal for consultant's load l, into buf. */
static void capacity_text(const person_load *l, const char *who, const char *verb, const char *term,
                          char *buf, size_t size)
{
    ch_capacity cap;
    char have[32], can[32];
    ch_capacity_compute(l->working, l->contingency, l->booked, &cap);
    ch_minutes_format(l->booked, have, sizeof(have));
    ch_minutes_format(cap.available, can, sizeof(can));
    snprintf(buf, size,
             "%s %s booked for %s in %s across all their services, more than the %s their "
             "working time leaves once %d%% is kept free for illness and absence.",
             who ? who : "The consultant", verb, have, term, can, l->contingency);
}

/* A booking's place in its consultant's term: their load with it, and
 * whether that is past what the term leaves bookable. */
typedef struct capacity_view {
    person_load load;
    char term[32];
    bool over;
} capacity_view;

/* Whether booking want minutes of consultant's time on service ds at t
 * stays within what their term leaves bookable; when not, a manager must
 * agree (confirm), and *res is the 403 or 409 that says so. *view is the
 * load with the booking, for the warning once it is booked. */
static bool capacity_ok(ch_req *r, const ch_desk_service *ds, int64_t consultant, ch_time t,
                        int64_t want, bool confirm, capacity_view *view, enum MHD_Result *res)
{
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
    char detail[600];
    ch_error err = {0};
    person_load *l = &view->load;
    ch_capacity cap;
    view->over = false;
    if (!consultant)
        return true;
    ch_term_name_of(terms, nterms, ch_hours_local_date(cal, t), view->term, sizeof(view->term));
    if (person_term_load(r, consultant, view->term, t, ds, want, l, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    ch_capacity_compute(l->working, l->contingency, l->booked, &cap);
    view->over = cap.over;
    if (!cap.over || (confirm && ch_hours_manager(r)))
        return true;
    capacity_text(l, l->name, "would be", view->term, detail, sizeof(detail) - 80);
    size_t used = strlen(detail);
    snprintf(detail + used, sizeof(detail) - used, " %s",
             ch_hours_manager(r) ? "Send confirm_over_capacity: true to book it anyway."
                                 : "A manager must agree to book it.");
    *res = ch_http_problem_typed(r, ch_hours_manager(r) ? 409 : 403, "/problems/past-capacity",
                                 "Past the consultant's bookable time", detail,
                                 json_pack("[s]", "consultant_id"));
    return false;
}

/* Adds to buf (the capacity warning, or "") when the consultant is away
 * on the day of the visit: the booking stands, but someone else may go. */
static void away_warning(ch_req *r, const ch_desk_service *ds, const ch_visit *v, char *buf,
                         size_t size)
{
    char text[800];
    if (!v->consultant_id)
        return;
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    if (!ch_http_away_text(r, v->consultant_id, ch_hours_local_date(cal, v->starts_at), text,
                           sizeof(text)))
        return;
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%sThe consultant is away on the day of this visit: %s",
             used ? " " : "", text);
}

/* Whether a visit at t falls on one of the service's working days: schools
 * are visited when they and the service are open, never at a weekend, on a
 * bank holiday or (for a term-time service) in the holidays. Records the
 * problem against field when not. */
static bool on_working_day(problems *p, const char *field, const ch_calendar *cal, ch_time t)
{
    ch_date d = ch_hours_local_date(cal, t);
    size_t i = ch_calendar_day_on_or_after(cal, d);
    ch_time h0, h1;
    char day[32];
    if (i < ch_calendar_day_count(cal) && ch_calendar_day_date(cal, i) == d)
        return true;
    ch_date_format_long(d, day, sizeof(day));
    ch_calendar_horizon(cal, &h0, &h1);
    if (t < h0 || t >= h1)
        ch_req_bad(p, field, "%s is past the dates this service's calendar covers.", day);
    else
        ch_req_bad(p, field,
                   "%s is not a working day for this service (a weekend, a bank holiday or a "
                   "school holiday); choose another day.",
                   day);
    return false;
}

/* "09:30" for t on the service's clock, into buf (6 bytes or more). */
static void clock_of(const ch_calendar *cal, ch_time t, char *buf, size_t size)
{
    ch_date d;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(cal), t, &d, &secs);
    unsigned h = (unsigned)(secs / 3600) % 24u, m = (unsigned)(secs / 60) % 60u;
    snprintf(buf, size, "%02u:%02u", h, m);
}

/* Whether a visit of minutes from start fits the working hours of its day
 * (a working day, on_working_day says); records the problem on field when
 * not. Schools are visited while the service is open. */
static bool in_hours(problems *p, const char *field, const ch_calendar *cal, ch_slot want)
{
    size_t i = ch_calendar_day_on_or_after(cal, ch_hours_local_date(cal, want.start));
    if (i >= ch_calendar_day_count(cal))
        return false;
    ch_time open = ch_calendar_day_open(cal, i), close = ch_calendar_day_close(cal, i);
    if (ch_timetable_within(open, close, want))
        return true;
    char a[16], b[16], o[16], c[16];
    clock_of(cal, want.start, a, sizeof(a));
    clock_of(cal, want.start + (ch_time)want.minutes * 60, b, sizeof(b));
    clock_of(cal, open, o, sizeof(o));
    clock_of(cal, close, c, sizeof(c));
    ch_req_bad(p, field,
               "the visit would run %s to %s, outside the service's working hours that day (%s to "
               "%s); book it within them.",
               a, b, o, c);
    return false;
}

int ch_hours_visit_during(ch_req *r, int64_t consultant, int64_t except, ch_slot want,
                          ch_visit *found, ch_error *err)
{
    ch_visit *list;
    size_t n;
    /* No visit is longer than 12 hours, so one starting a day before is the
     * earliest that can reach into this one. */
    ch_visit_filter f = {.consultant_id = consultant,
                         .from = want.start - 86400,
                         .to = want.start + (ch_time)want.minutes * 60,
                         .limit = 500};
    int rc;
    if (!consultant)
        return CH_E_NOTFOUND;
    if ((rc = ch_store_visit_list(r->desk->store, &f, &r->arena, &list, &n, err)))
        return rc;
    ch_slot *slots = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*slots));
    if (!slots)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bool holds = list[i].id != except && (strcmp(list[i].status, "booked") == 0 ||
                                              strcmp(list[i].status, "delivered") == 0);
        slots[i] = (ch_slot){list[i].starts_at, holds ? list[i].booked : 0};
    }
    ptrdiff_t k = ch_timetable_clash(slots, n, want);
    if (k < 0)
        return CH_E_NOTFOUND;
    *found = list[k];
    return CH_OK;
}

void ch_hours_clock(const ch_calendar *cal, ch_time t, char *buf, size_t size)
{
    clock_of(cal, t, buf, size);
}

/* Whether consultant is free for want: no other visit of theirs (except
 * visit "except") that is booked or was delivered overlaps it. Queues the
 * 409 naming the other visit when not. */
static bool consultant_free(ch_req *r, const ch_calendar *cal, int64_t consultant, int64_t except,
                            ch_slot want, enum MHD_Result *res)
{
    ch_error err = {0};
    ch_visit other;
    int rc = ch_hours_visit_during(r, consultant, except, want, &other, &err);
    if (rc == CH_E_NOTFOUND)
        return true;
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    const ch_visit *o = &other;
    char day[40], a[16], b[16], detail[600];
    ch_date_format_long(ch_hours_local_date(cal, o->starts_at), day, sizeof(day));
    clock_of(cal, o->starts_at, a, sizeof(a));
    clock_of(cal, o->starts_at + (ch_time)o->booked * 60, b, sizeof(b));
    snprintf(detail, sizeof(detail),
             "%s is already booked at %s from %s to %s on %s (visit %lld); a consultant can be in "
             "one place at a time. Choose another time or another consultant.",
             o->consultant ? o->consultant : "The consultant", o->school ? o->school : "a school",
             a, b, day, (long long)o->id);
    *res = ch_http_problem_typed(r, 409, "/problems/timetable-clash", "The consultant is busy",
                                 detail, json_pack("[s]", "starts_at"));
    return false;
}

/* A training session v: when the school is to be told what it needs (the
 * policy's training_notice before it, on the service's calendar), and,
 * into buf, the warning when it falls on a term's first or last day, the
 * common days for a school's own staff training. */
static bool training_plan(const ch_desk_service *ds, ch_visit *v, char *buf, size_t size,
                          ch_error *err)
{
    const ch_calendar *visits = ch_policy_visit_calendar(ds->policy, ds->service);
    const char *edge;
    size_t term;
    char day[40];
    ch_date d = ch_hours_local_date(visits, v->starts_at);
    if (ch_timetable_term_edge(visits, d, &edge, &term)) {
        size_t nterms;
        const ch_date_range *terms = ch_calendar_terms(visits, &nterms);
        char first[40];
        ch_date_format_long(d, day, sizeof(day));
        ch_date_format_long(terms[term].first, first, sizeof(first));
        snprintf(buf, size,
                 "%s is the %s day of the term that begins on %s, a common INSET day for the "
                 "school's own staff training: agree the date with the school.",
                 day, edge, first);
    }
    if (ds->service->training_days > 0 &&
        ch_timetable_notice_due(ch_policy_service_calendar(ds->policy, ds->service), v->starts_at,
                                ds->service->training_days, &v->resources_due_at, err))
        return false;
    return true;
}

enum MHD_Result ch_http_visits_create(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    capacity_view capacity;
    static const ch_req_key keys[] = {{"starts_at", NULL},
                                      {"minutes", NULL},
                                      {"consultant_id", NULL},
                                      {"reason", NULL},
                                      {"confirm_over_balance", NULL},
                                      {"confirm_over_capacity", NULL},
                                      {"kind", NULL},
                                      {"release", NULL},
                                      {NULL, NULL}};
    json_t *body = NULL;
    if (!ch_hours_contract_body(r, id, &c, &ds, keys, &body, &res))
        return res;
    const ch_calendar *cal = ch_policy_visit_calendar(ds.policy, ds.service);
    ch_visit v = {.contract_id = id, .consultant_id = c.consultant_id};
    int64_t minutes = c.block, consultant = 0;
    bool confirm = false, confirm_capacity = false;
    ch_hours_time(&p, body, "starts_at", cal, true, &v.starts_at);
    ch_req_bool(&p, body, "confirm_over_capacity", &confirm_capacity);
    ch_req_int(&p, body, "minutes", 15, 12 * 60, false, &minutes);
    ch_req_int(&p, body, "consultant_id", 1, INT64_MAX, false, &consultant);
    ch_req_bool(&p, body, "confirm_over_balance", &confirm);
    v.reason = ch_req_text(&p, body, "reason", 300, false);
    v.kind = ch_req_text(&p, body, "kind", 16, false);
    v.release_for = ch_req_text(&p, body, "release", 100, false);
    if (v.release_for && (!ch_text_said(v.release_for) || !ch_req_one_line(v.release_for)))
        ch_req_bad(&p, "release",
                   "release names who at the school is released for the visit, on one line, "
                   "e.g. \"SENCO\".");
    bool training = v.kind && strcmp(v.kind, "training") == 0;
    if (v.kind && !training && strcmp(v.kind, "visit") != 0)
        ch_req_bad(&p, "kind", "kind is visit (the default) or training.");
    if (minutes != c.block && (!v.reason || !*v.reason))
        ch_req_bad(&p, "reason",
                   "a visit of other than the usual %d minutes needs a reason the school can read.",
                   c.block);
    if (v.starts_at && !in_year(&c, cal, v.starts_at))
        ch_req_bad(&p, "starts_at", "the visit falls outside the contract's academic year %s.",
                   c.year);
    else if (v.starts_at && on_working_day(&p, "starts_at", cal, v.starts_at))
        in_hours(&p, "starts_at", cal, (ch_slot){v.starts_at, (int32_t)minutes});
    if (consultant)
        ch_hours_consultant_ok(r, &p, "consultant_id", consultant, ds.name);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (strcmp(c.status, "open") != 0) {
        res = ch_http_problem(r, 409, "The contract is closed",
                              "This contract was settled at the year end; book on the school's "
                              "contract for the new year.",
                              NULL);
        goto out;
    }
    if (consultant)
        v.consultant_id = consultant;
    v.booked = (int32_t)minutes;
    if (!consultant_free(r, cal, v.consultant_id, 0, (ch_slot){v.starts_at, v.booked}, &res) ||
        !capacity_ok(r, &ds, v.consultant_id, v.starts_at, v.booked, confirm_capacity, &capacity,
                     &res))
        goto out;
    if (ch_booking_needs_manager(c.balance, c.booked, v.booked)) {
        char left[32], detail[400];
        ch_minutes_format(c.balance - c.booked, left, sizeof(left));
        snprintf(detail, sizeof(detail),
                 "%s has %s left once the visits already booked are counted, so this visit "
                 "would take it past what it bought. %s",
                 c.organisation, left,
                 ch_hours_manager(r) ? "Send confirm_over_balance: true to book it anyway."
                                     : "A manager must agree to book it.");
        if (!ch_hours_manager(r)) {
            res = ch_http_problem(r, 403, "Past the school's hours", detail, NULL);
            goto out;
        }
        if (!confirm) {
            res = ch_http_problem_typed(r, 409, "/problems/past-balance", "Past the school's hours",
                                        detail, NULL);
            goto out;
        }
        v.over_balance = true;
    }
    char edge[400] = "";
    if (training && !training_plan(&ds, &v, edge, sizeof(edge), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    v.created_by = r->user.id;
    v.created_at = r->now;
    ch_desk_audit_attach(r, "create", "visit", &v.id);
    if (ch_desk_audit_finish(r, ch_store_visit_insert(r->desk->store, &v, &c, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_visit saved;
    char warning[1200];
    if (ch_store_visit_get(r->desk->store, v.id, &r->arena, &saved, &err)) {
        res = ch_http_error(r, &err);
    } else {
        /* Past the bookable time only when a manager agreed: say so. */
        warning[0] = '\0';
        if (capacity.over)
            capacity_text(&capacity.load, saved.consultant, "is now", capacity.term, warning,
                          sizeof(warning));
        away_warning(r, &ds, &saved, warning, sizeof(warning));
        size_t used = strlen(warning);
        if (*edge)
            snprintf(warning + used, sizeof(warning) - used, "%s%s", used ? " " : "", edge);
        res = send_visit(r, 201, &saved, NULL, warning);
    }
out:
    json_decref(body);
    return res;
}

/* A visit the user may see, with its contract and service. */
static bool load_visit(ch_req *r, int64_t id, ch_visit *v, ch_contract *c, ch_desk_service *ds,
                       enum MHD_Result *res)
{
    ch_error err = {0};
    if (ch_store_visit_get(r->desk->store, id, &r->arena, v, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (!ch_desk_can_see(r, v->service)) {
        ch_error_set(&err, CH_E_NOTFOUND, "there is no visit %lld", (long long)id);
        *res = ch_http_error(r, &err);
        return false;
    }
    return ch_hours_contract(r, v->contract_id, c, ds, res);
}

enum MHD_Result ch_http_visit_get(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_visit v;
    ch_contract c;
    ch_desk_service ds;
    if (!load_visit(r, id, &v, &c, &ds, &res))
        return res;
    return send_visit(r, 200, &v, NULL, NULL);
}

/* Reads the body's late or cancel notice for visit v into *n (kind and
 * party set); false when there is none or it cannot be read. */
static bool read_notice(ch_req *r, problems *p, json_t *body, const ch_visit *v,
                        const ch_calendar *cal, ch_visit_notice *n)
{
    json_t *late = json_object_get(body, "late"), *cancel = json_object_get(body, "cancel");
    json_t *resources = json_object_get(body, "resources");
    json_t *release = json_object_get(body, "release");
    if (release && !json_is_null(release)) {
        *n = (ch_visit_notice){.kind = "release", .party = "provider"};
        if (!v->release_for) {
            ch_req_bad(p, "release",
                       "this visit needs no one released; book it with release to "
                       "say who.");
            return false;
        }
        return ch_hours_notice_read(r, p, release, "release", cal, n);
    }
    if (resources && !json_is_null(resources)) {
        *n = (ch_visit_notice){.kind = "resources", .party = "provider"};
        if (!v->kind || strcmp(v->kind, "training") != 0) {
            ch_req_bad(p, "resources",
                       "resources are agreed for a training session; this is a "
                       "visit.");
            return false;
        }
        if (!ch_hours_notice_read(r, p, resources, "resources", cal, n))
            return false;
        if (!ch_text_said(n->note)) {
            ch_req_bad(p, "resources",
                       "resources.note says what the session needs (a room, a projector), for "
                       "the school to read.");
            return false;
        }
        return true;
    }
    if (late && !json_is_null(late)) {
        *n = (ch_visit_notice){.kind = "late", .party = "provider"};
        if (!ch_hours_notice_read(r, p, late, "late", cal, n))
            return false;
        if (!ch_hours_time(p, late, "expected_at", cal, true, &n->expected_at))
            return false;
        if (n->expected_at <= v->starts_at) {
            ch_req_bad(p, "late", "late.expected_at must be after the visit's booked start.");
            return false;
        }
        return true;
    }
    if (!cancel || json_is_null(cancel))
        return false;
    *n = (ch_visit_notice){.kind = "cancelled"};
    const char *by = json_is_object(cancel) ? ch_req_text(p, cancel, "by", 16, true) : NULL;
    if (!ch_hours_notice_read(r, p, cancel, "cancel", cal, n))
        return false;
    if (!by || (strcmp(by, "school") != 0 && strcmp(by, "provider") != 0)) {
        ch_req_bad(p, "cancel", "cancel.by is school (the school cancelled) or provider (we did).");
        return false;
    }
    n->party = strcmp(by, "school") == 0 ? "school" : "provider";
    return true;
}

/* PATCH /api/v1/visits/{id}: how the visit ended (with what it costs the
 * contract), that the consultant will be late, or that either side
 * cancelled it. A cancellation's charge follows from when the school told
 * us and the charter's notice period, never from a choice. */
enum MHD_Result ch_http_visit_patch(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_visit v;
    ch_contract c;
    ch_desk_service ds;
    static const ch_req_key notice_keys[] = {{"notice_at", NULL}, {"expected_at", NULL},
                                             {"channel", NULL},   {"told", NULL},
                                             {"note", NULL},      {NULL, NULL}};
    static const ch_req_key cancel_keys[] = {{"by", NULL},   {"notice_at", NULL}, {"channel", NULL},
                                             {"told", NULL}, {"note", NULL},      {NULL, NULL}};
    static const ch_req_key resource_keys[] = {
        {"notice_at", NULL}, {"channel", NULL}, {"told", NULL}, {"note", NULL}, {NULL, NULL}};
    static const ch_req_key keys[] = {{"outcome", NULL},
                                      {"note", NULL},
                                      {"representative", NULL},
                                      {"actual_minutes", NULL},
                                      {"arrived_at", NULL},
                                      {"late", notice_keys},
                                      {"cancel", cancel_keys},
                                      {"new_starts_at", NULL},
                                      {"resources", resource_keys},
                                      {"release", resource_keys},
                                      {NULL, NULL}};
    char *raw = NULL;
    if (!load_visit(r, id, &v, &c, &ds, &res))
        return res;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    const ch_calendar *cal = ch_policy_visit_calendar(ds.policy, ds.service);
    const ch_calendar *office = ch_policy_service_calendar(ds.policy, ds.service);
    ch_visit_change ch = {.visit_id = id, .at = r->now};
    const char *outcome = ch_req_text(&p, body, "outcome", 32, false);
    const char *note = ch_req_text(&p, body, "note", 500, false);
    const char *rep = ch_req_text(&p, body, "representative", 200, false);
    int64_t actual = 0;
    ch_req_int(&p, body, "actual_minutes", 1, 24 * 60, false, &actual);
    ch_visit_notice notice;
    bool told = read_notice(r, &p, body, &v, cal, &notice);
    bool cancelling = told && strcmp(notice.kind, "cancelled") == 0;
    if (json_object_get(body, "late") && json_object_get(body, "cancel"))
        ch_req_bad(&p, "cancel", "send late or cancel, not both: a cancelled visit is not late.");
    if (json_object_get(body, "arrived_at"))
        ch_hours_time(&p, body, "arrived_at", cal, true, &ch.arrived_at);
    ch_visit_status st = CH_VISIT_BOOKED;
    if (outcome && (ch_visit_status_parse(outcome, &st) || st == CH_VISIT_BOOKED))
        ch_req_bad(&p, "outcome",
                   "outcome must be delivered, covered, not-needed or rescheduled; a "
                   "cancellation is sent as cancel.");
    else if (outcome && (st == CH_VISIT_CANCELLED_EARLY || st == CH_VISIT_CANCELLED_LATE ||
                         st == CH_VISIT_CANCELLED_PROVIDER))
        ch_req_bad(&p, "outcome",
                   "say who cancelled and when the other side was told: send cancel: {by: school "
                   "or provider, notice_at, channel}. Whether it is charged follows from the "
                   "notice and the charter's notice period.");
    if (outcome && cancelling)
        ch_req_bad(&p, "outcome", "send outcome or cancel, not both.");
    int said = !!outcome + !!json_object_get(body, "late") + !!json_object_get(body, "cancel") +
               !!json_object_get(body, "resources") + !!json_object_get(body, "release");
    if (!said && !p.fields)
        ch_req_bad(&p, "outcome",
                   "send outcome (how the visit ended), late (who will be late), cancel, or "
                   "resources (what a training session needs).");
    else if (said > 1 && json_object_get(body, "resources"))
        ch_req_bad(&p, "resources", "send resources on its own.");
    else if (said > 1 && json_object_get(body, "release"))
        ch_req_bad(&p, "release", "send release on its own.");
    if (ch.arrived_at && st != CH_VISIT_DELIVERED && st != CH_VISIT_COVERED)
        ch_req_bad(&p, "arrived_at", "arrived_at goes with a delivered or covered visit.");
    if ((st == CH_VISIT_DELIVERED || st == CH_VISIT_COVERED || st == CH_VISIT_NOT_NEEDED) &&
        v.starts_at > r->now)
        ch_req_bad(&p, "outcome", "the visit has not started yet; record how it went afterwards.");
    if (st == CH_VISIT_COVERED && !rep)
        ch_req_bad(&p, "representative", "name the representative who covered the visit.");
    ch_visit rebook = {0};
    if (st == CH_VISIT_RESCHEDULED) {
        if (ch_hours_time(&p, body, "new_starts_at", cal, true, &rebook.starts_at) &&
            !in_year(&c, cal, rebook.starts_at))
            ch_req_bad(&p, "new_starts_at",
                       "the new time falls outside the contract's academic year %s.", c.year);
        else if (rebook.starts_at && rebook.starts_at < r->now)
            ch_req_bad(&p, "new_starts_at",
                       "the new time has already passed; a visit can only be moved to a time "
                       "still to come (record how the visit ended instead).");
        else if (rebook.starts_at && on_working_day(&p, "new_starts_at", cal, rebook.starts_at))
            in_hours(&p, "new_starts_at", cal, (ch_slot){rebook.starts_at, v.booked});
    }
    /* The school's notice decides the charge; ours is always owed back. */
    if (cancelling)
        st = strcmp(notice.party, "provider") == 0
                 ? CH_VISIT_CANCELLED_PROVIDER
                 : ch_cancellation_charge(office, ds.service->cancellation_days, notice.notice_at,
                                          v.starts_at);
    int64_t charged = 0, shortfall = 0;
    if ((outcome || cancelling) && st != CH_VISIT_BOOKED &&
        ch_visit_charge(st, v.booked, (int32_t)actual, &charged, &shortfall, &err))
        ch_req_bad(&p, "actual_minutes", "%s.", err.msg);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (strcmp(v.status, "booked") != 0) {
        ch_error_set(&err, CH_E_CONFLICT, "visit %lld has already ended (%s); reload it",
                     (long long)id, v.status);
        res = ch_http_error(r, &err);
        goto out;
    }
    char text[600], day[32];
    ch_date_format_long(ch_hours_local_date(cal, v.starts_at), day, sizeof(day));
    if (rep)
        snprintf(text, sizeof(text), "Covered by %s%s%s", rep, note ? ". " : "", note ? note : "");
    ch.note = rep ? text : note ? note : told ? notice.note : NULL;
    ch_ledger_row charge = {0};
    char why[300];
    if (st != CH_VISIT_BOOKED) {
        ch.status = ch_visit_status_name(st);
        ch.actual =
            (int32_t)(charged && (st == CH_VISIT_DELIVERED || st == CH_VISIT_COVERED) ? actual : 0);
        if (charged) {
            snprintf(why, sizeof(why), "Visit on %s: %s", day, ch.status);
            charge = (ch_ledger_row){.contract_id = c.id,
                                     .at = v.starts_at,
                                     .kind = "drawdown",
                                     .minutes = -charged,
                                     .visit_id = id,
                                     .reason = why,
                                     .created_by = r->user.id,
                                     .created_at = r->now};
            ch.charge = &charge;
        }
        if (st == CH_VISIT_RESCHEDULED) {
            if (!consultant_free(r, cal, v.consultant_id, id, (ch_slot){rebook.starts_at, v.booked},
                                 &res))
                goto out;
            rebook.contract_id = c.id;
            rebook.consultant_id = v.consultant_id;
            rebook.booked = v.booked;
            rebook.reason = v.reason;
            rebook.kind = v.kind;
            rebook.release_for = v.release_for;
            if (v.kind && strcmp(v.kind, "training") == 0 &&
                !training_plan(&ds, &rebook, text, sizeof(text), &err)) {
                res = ch_http_error(r, &err);
                goto out;
            }
            rebook.rescheduled_from = id;
            rebook.created_by = r->user.id;
            rebook.created_at = r->now;
            ch.rebook = &rebook;
        }
    }
    ch_outbox_row mail;
    if (told) {
        notice.visit_id = id;
        notice.created_by = r->user.id;
        notice.created_at = r->now;
        ch.notice = &notice;
        if (strcmp(notice.kind, "late") == 0) {
            ch.late_notice_at = notice.notice_at;
            ch.late_expected_at = notice.expected_at;
        }
        if (strcmp(notice.kind, "resources") == 0)
            ch.resources_told_at = notice.notice_at;
        if (strcmp(notice.kind, "release") == 0)
            ch.release_told_at = notice.notice_at;
        /* What we tell the school by email goes with the notice, at once. */
        if (strcmp(notice.party, "provider") == 0 && strcmp(notice.channel, "email") == 0) {
            if (ch_hours_notice_mail(r, &c, &ds, &v, &notice, &mail, &raw, &err)) {
                res = err.code == CH_E_CONFLICT
                          ? ch_http_problem(r, 409, "The school cannot be emailed", err.msg,
                                            json_pack("[s]", notice.kind[0] == 'r' ? notice.kind
                                                             : cancelling          ? "cancel"
                                                                                   : "late"))
                          : ch_http_error(r, &err);
                goto out;
            }
            mail.created_at = r->now;
            ch.mail = &mail;
        }
    }
    ch_desk_audit_attach(r, "update", "visit", &id);
    if (ch_desk_audit_finish(r, ch_store_visit_change(r->desk->store, &ch, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_visit now, again;
    if (ch_store_visit_get(r->desk->store, id, &r->arena, &now, &err) ||
        (ch.rebook && ch_store_visit_get(r->desk->store, rebook.id, &r->arena, &again, &err)))
        res = ch_http_error(r, &err);
    else
        res = send_visit(r, 200, &now, ch.rebook ? &again : NULL, NULL);
out:
    free(raw);
    json_decref(body);
    return res;
}

/* "YYYY-MM-DD" query parameters as instants (UTC midnight; a day's margin
 * is the caller's). */
static bool query_date(ch_req *r, const char *name, ch_date *out)
{
    const char *s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    ch_error err;
    return s && strlen(s) == 10 && ch_date_parse(s, 10, out, &err) == CH_OK;
}

/* GET /api/v1/visits?consultant=ID&from=DATE&to=DATE: a timetable. */
enum MHD_Result ch_http_visits_list(ch_req *r)
{
    ch_error err = {0};
    ch_visit_filter f = {0};
    const char *who = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "consultant");
    char *end;
    if (who && ((f.consultant_id = strtoll(who, &end, 10)) <= 0 || *end))
        return ch_http_problem(r, 400, "Bad filter", "consultant must be a user's id.", NULL);
    ch_date from = ch_time_utc_date(r->now) - 7, to = from + 42;
    bool has_from = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from") != NULL;
    bool has_to = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to") != NULL;
    if ((has_from && !query_date(r, "from", &from)) || (has_to && !query_date(r, "to", &to)) ||
        to < from || to - from > 400)
        return ch_http_problem(r, 400, "Bad dates",
                               "from and to are dates as YYYY-MM-DD, from not after to, at most "
                               "400 days apart.",
                               NULL);
    /* Half a day's margin each side covers every UK offset. */
    f.from = (ch_time)from * CH_DAY_SECS - 43200;
    f.to = (ch_time)(to + 1) * CH_DAY_SECS + 43200;
    f.limit = 2000;
    ch_visit *rows;
    size_t n;
    if (ch_store_visit_list(r->desk->store, &f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "visits");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        ch_desk_service ds;
        if (!ch_desk_can_see(r, rows[i].service) ||
            ch_desk_service_find(r->desk, rows[i].service, &ds, &err))
            continue;
        ch_date d = ch_hours_local_date(ch_policy_service_calendar(ds.policy, ds.service),
                                        rows[i].starts_at);
        if (d < from || d > to)
            continue;
        ch_jw_obj(&w);
        ch_jw_visit_members(&w, &rows[i]);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* GET /api/v1/capacity?term=autumn-2026: per consultant, the time booked in
 * the term in every service, against their working time (counted once)
 * less the contingency. */
enum MHD_Result ch_http_capacity(ch_req *r)
{
    ch_error err = {0};
    enum MHD_Result res;
    char current[32];
    const char *term =
        ch_hours_term(r, MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "term"),
                      current, sizeof(current), &res);
    if (!term)
        return res;
    ch_date first, last;
    ch_term_period(NULL, 0, term, &first, &last, &err);
    /* Read a generous window; each service's own term dates decide below. */
    ch_visit_filter f = {.from = (ch_time)(first - 40) * CH_DAY_SECS,
                         .to = (ch_time)(last + 40) * CH_DAY_SECS,
                         .limit = 100000};
    ch_visit *rows;
    size_t n, nloads = 0;
    if (ch_store_visit_list(r->desk->store, &f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    person_load *loads = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*loads));
    if (!loads)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    for (size_t i = 0; i < n; i++) {
        const ch_visit *v = &rows[i];
        ch_desk_service ds;
        /* Every service counts towards a person's load; the report lists
         * only the people the user works beside. */
        if (!v->consultant_id || !takes_time(v->status) ||
            ch_desk_service_find(r->desk, v->service, &ds, &err))
            continue;
        if (!in_term(ch_policy_service_calendar(ds.policy, ds.service), term, v->starts_at))
            continue;
        size_t k = 0;
        while (k < nloads && loads[k].consultant != v->consultant_id)
            k++;
        if (k == nloads) {
            memset(&loads[nloads], 0, sizeof(*loads));
            loads[nloads].consultant = v->consultant_id;
            loads[nloads++].name = v->consultant;
        }
        loads[k].visible = loads[k].visible || ch_desk_can_see(r, v->service);
        if (load_add(&r->arena, &loads[k], &ds, term, v->booked, &err))
            return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "term");
    ch_jw_str(&w, term);
    ch_jw_key(&w, "consultants");
    ch_jw_arr(&w);
    for (size_t k = 0; k < nloads; k++) {
        ch_capacity cap;
        if (!loads[k].visible)
            continue;
        ch_capacity_compute(loads[k].working, loads[k].contingency, loads[k].booked, &cap);
        ch_jw_obj(&w);
        ch_jw_key(&w, "consultant");
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, loads[k].consultant);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, loads[k].name);
        ch_jw_obj_end(&w);
        ch_jw_key(&w, "services");
        ch_jw_arr(&w);
        for (size_t i = 0; i < loads[k].nservices; i++)
            ch_jw_str(&w, loads[k].services[i]);
        ch_jw_arr_end(&w);
        ch_jw_key(&w, "working_minutes");
        ch_jw_int(&w, cap.working);
        ch_jw_key(&w, "contingency_percent");
        ch_jw_int(&w, loads[k].contingency);
        ch_jw_key(&w, "available_minutes");
        ch_jw_int(&w, cap.available);
        ch_jw_key(&w, "booked_minutes");
        ch_jw_int(&w, cap.booked);
        ch_jw_key(&w, "over");
        ch_jw_bool(&w, cap.over);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
