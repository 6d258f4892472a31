/* /api/v1/queues/{mine|due-today|at-risk|overdue|unassigned}, the services
 * a user can see and the colleagues in each (the audit log is in audit_view.c). Queues are index
 * range scans: the bounds that need a calendar (end of today, N working hours from now) are worked
 * out here, per service, before the store is asked. */
#include "core/review.h"
#include "core/timefmt.h"
#include "http/availability.h"
#include "http/complaints.h"
#include "http/json_case.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A non-negative integer query argument, or def when absent; -1 when bad. */
static long arg_long(ch_req *r, const char *name, long def, long max)
{
    const char *s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    char *end;
    if (!s)
        return def;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < 0 || v > max) ? -1 : v;
}

/* Whether the signed-in user covers colleague today: the colleague is
 * away and names them as the alternative contact. */
static bool covers(ch_req *r, const ch_avail_set *set, int64_t colleague, ch_away *away)
{
    const ch_staff_avail *a = ch_avail_find(set, colleague);
    const ch_user *u = ch_avail_user(set, colleague);
    *away = (ch_away){0};
    if (!a || !u)
        return false;
    ch_away_on(a->absences, a->nabsences, &a->pattern,
               ch_http_today(r, u->nservices ? u->services[0] : NULL), away);
    return away->away && away->absence->cover_id == r->user.id;
}

/* mine?officer=ID: a colleague's own queue, for whoever covers them while
 * they are away (and managers); *of is 0 for one's own. */
static bool mine_of(ch_req *r, ch_avail_set *set, int64_t *of, enum MHD_Result *res)
{
    ch_error err = {0};
    long id = arg_long(r, "officer", 0, 0x7fffffffL);
    *of = 0;
    if (id < 0) {
        *res = ch_http_problem(r, 400, "Bad query", "officer is a colleague's user id.",
                               json_pack("[s]", "officer"));
        return false;
    }
    if (ch_avail_load(r->desk->store, &r->arena, set, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (id == 0 || id == r->user.id)
        return true;
    ch_away away;
    if (!ch_avail_user(set, id) ||
        (r->user.role == CH_ROLE_OFFICER && !covers(r, set, id, &away))) {
        *res = ch_http_problem(r, 403, "Not covering",
                               "You see a colleague's queue while they are away and name you as "
                               "their alternative contact; ask a manager otherwise.",
                               json_pack("[s]", "officer"));
        return false;
    }
    *of = id;
    return true;
}

/* The colleagues the user covers today, each with how many cases of theirs
 * the user can see, and (for ?officer=) whose queue this is. */
static bool covering_json(ch_req *r, ch_jw *w, const ch_avail_set *set, const ch_queue_query *q,
                          int64_t of, ch_error *err)
{
    ch_away away;
    if (of) {
        const ch_user *u = ch_avail_user(set, of);
        ch_jw_key(w, "officer");
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, of);
        ch_jw_key(w, "name");
        ch_jw_str(w, u ? u->name : NULL);
        ch_jw_key(w, "covered_by_you");
        ch_jw_bool(w, covers(r, set, of, &away));
        ch_jw_obj_end(w);
    }
    ch_jw_key(w, "covering");
    ch_jw_arr(w);
    for (size_t i = 0; i < set->nusers; i++) {
        const ch_user *u = &set->users[i];
        if (u->id == r->user.id || !covers(r, set, u->id, &away))
            continue;
        ch_queue_query theirs = *q;
        int64_t total = 0;
        char d[11];
        theirs.user_id = u->id;
        if (ch_store_queue_count(r->desk->store, &theirs, &total, err))
            return false;
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, u->id);
        ch_jw_key(w, "name");
        ch_jw_str(w, u->name);
        ch_jw_key(w, "back_on");
        ch_date_format(away.back, d, sizeof(d));
        ch_jw_str(w, away.back_known ? d : NULL);
        ch_jw_key(w, "cases");
        ch_jw_int(w, total);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    return true;
}

enum MHD_Result ch_http_queue(ch_req *r, const char *name)
{
    static const struct {
        const char *name;
        ch_queue queue;
    } queues[] = {{"mine", CH_QUEUE_MINE},
                  {"due-today", CH_QUEUE_DUE_TODAY},
                  {"at-risk", CH_QUEUE_AT_RISK},
                  {"overdue", CH_QUEUE_OVERDUE},
                  {"unassigned", CH_QUEUE_UNASSIGNED}};
    ch_queue_query q = {.hide_staff_named = r->user.role == CH_ROLE_OFFICER};
    ch_error err = {0};
    bool found = false;
    for (size_t i = 0; i < sizeof(queues) / sizeof(*queues) && !found; i++)
        if (strcmp(name, queues[i].name) == 0)
            q.queue = queues[i].queue, found = true;
    if (!found)
        return ch_http_problem(r, 404, "No such queue",
                               "Queues are mine, due-today, at-risk, overdue and unassigned.",
                               NULL);
    long limit = arg_long(r, "limit", 50, 200), offset = arg_long(r, "offset", 0, 1000000);
    long hours = arg_long(r, "hours", 4, 200);
    if (limit < 1 || offset < 0 || hours < 0) {
        json_t *fields = json_array();
        if (limit < 1)
            json_array_append_new(fields, json_string("limit"));
        if (offset < 0)
            json_array_append_new(fields, json_string("offset"));
        if (hours < 0)
            json_array_append_new(fields, json_string("hours"));
        return ch_http_problem(r, 400, "Bad paging",
                               "limit is 1-200, offset 0 or more, hours (at-risk) 0-200.", fields);
    }
    q.user_id = r->user.id;
    ch_avail_set set = {0};
    int64_t of = 0;
    if (q.queue == CH_QUEUE_MINE) {
        enum MHD_Result res;
        if (!mine_of(r, &set, &of, &res))
            return res;
        if (of)
            q.user_id = of;
    }
    q.now = r->now;
    q.limit = (size_t)limit;
    q.offset = (size_t)offset;
    /* The services this user sees; for bounded queues every one of them with
     * its own bound, since each keeps its own hours and time zone. */
    size_t total = 0;
    for (size_t i = 0; i < r->desk->npolicies; i++)
        total += r->desk->policies[i].policy->nservices;
    const char **names = ch_arena_alloc(&r->arena, (total + 1) * sizeof(*names));
    ch_time *before = ch_arena_alloc(&r->arena, (total + 1) * sizeof(*before));
    if (!names || !before)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    size_t n = 0;
    bool bounded = q.queue == CH_QUEUE_DUE_TODAY || q.queue == CH_QUEUE_AT_RISK;
    /* An administrator's unbounded queue covers every service: no list. */
    for (size_t i = 0; (bounded || r->user.role != CH_ROLE_ADMIN) && i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t k = 0; k < p->nservices; k++) {
            char full[140];
            snprintf(full, sizeof(full), "%s/%s", p->id, p->services[k].id);
            if (!ch_desk_can_see(r, full))
                continue;
            const ch_calendar *cal = ch_policy_service_calendar(p, &p->services[k]);
            ch_time bound = r->now, h0, h1;
            ch_calendar_horizon(cal, &h0, &h1);
            if (!bounded) {
                /* mine, overdue, unassigned: no per-service bound */
            } else if (q.queue == CH_QUEUE_DUE_TODAY) {
                ch_date today;
                int32_t secs;
                ch_tz_to_local(ch_calendar_tz(cal), r->now, &today, &secs);
                ch_tz_from_local(ch_calendar_tz(cal), today + 1, 0, &bound, NULL);
            } else if (q.queue == CH_QUEUE_AT_RISK &&
                       ch_calendar_add_working(cal, r->now, hours * 3600, &bound, &err)) {
                bound = h1; /* past the calendar's data: everything still due is at risk */
            }
            names[n] = ch_arena_strdup(&r->arena, full);
            before[n++] = bound;
        }
    }
    /* ?service=... narrows the queue to one service the user sees. */
    const char *only = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "service");
    if (only) {
        ch_desk_service ds;
        if (strlen(only) > 140 || ch_desk_service_find(r->desk, only, &ds, &err) ||
            !ch_desk_can_see(r, ds.name))
            return ch_http_problem(r, 404, "No such service",
                                   "There is no service by that name among yours; GET "
                                   "/api/v1/services lists them.",
                                   json_pack("[s]", "service"));
        ch_time bound = r->now;
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], ds.name) == 0)
                bound = before[i];
        names[0] = ch_arena_strdup(&r->arena, ds.name);
        before[0] = bound;
        n = 1;
        if (r->user.role == CH_ROLE_ADMIN && !bounded) {
            q.services = names;
            q.nservices = 1;
        }
    }
    if (r->user.role != CH_ROLE_ADMIN || bounded) {
        q.services = names;
        q.nservices = n;
        q.before = before;
    }
    ch_case_row *rows = NULL;
    size_t count = 0;
    int64_t all = 0;
    if (ch_store_queue(r->desk->store, &q, &r->arena, &rows, &count, &err) ||
        ch_store_queue_count(r->desk->store, &q, &all, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "queue");
    ch_jw_str(&w, name);
    ch_jw_key(&w, "limit");
    ch_jw_int(&w, limit);
    ch_jw_key(&w, "offset");
    ch_jw_int(&w, offset);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, all);
    ch_jw_cases(&w, rows, count);
    if (q.queue == CH_QUEUE_MINE && !covering_json(r, &w, &set, &q, of, &err)) {
        ch_jw_free(&w);
        return ch_http_error(r, &err);
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_services(ch_req *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t k = 0; k < p->nservices; k++) {
            char full[140];
            snprintf(full, sizeof(full), "%s/%s", p->id, p->services[k].id);
            if (!ch_desk_can_see(r, full))
                continue;
            const ch_service *s = &p->services[k];
            /* Which kinds of case get a clock here: the subject access
             * form offers only services that promise a SAR reply. */
            json_t *kinds = json_array();
            unsigned bits = ch_service_promised_kinds(p, s);
            for (int kind = 0; kind < CH_KIND_COUNT; kind++)
                if (bits & (1u << kind))
                    json_array_append_new(kinds,
                                          json_string(ch_case_kind_name((ch_case_kind)kind)));
            /* Visit blocks and day lengths say the service sells time to
             * schools: the contract form offers only those. */
            json_array_append_new(
                list,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:o}", "service", full,
                          "policy", p->id, "organisation", p->organisation, "name", s->name,
                          "calendar", p->calendars[s->calendar].id, "visit_block_minutes",
                          (int)s->visit_block, "day_length_minutes", (int)s->day_length,
                          "half_day_minutes", (int)(s->half_day ? s->half_day : s->day_length / 2),
                          "promised_kinds", kinds));
        }
    }
    return ch_http_json(r, 200, json_pack("{s:o}", "services", list), NULL);
}

/* Names and roles only: an officer needs to know whom to hand a case to,
 * not the staff list's email addresses. */
enum MHD_Result ch_http_colleagues(ch_req *r)
{
    ch_error err = {0};
    ch_desk_service ds;
    const char *name = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "service");
    if (!name || strlen(name) > 140 || ch_desk_service_find(r->desk, name, &ds, &err) ||
        !ch_desk_can_see(r, ds.name))
        return ch_http_problem(r, name ? 404 : 400, name ? "No such service" : "Which service?",
                               "Give service=POLICY/SERVICE, one of yours; GET /api/v1/services "
                               "lists them.",
                               json_pack("[s]", "service"));
    ch_user *users = NULL;
    size_t n = 0;
    if (ch_store_user_list(r->desk->store, &r->arena, &users, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "service");
    ch_jw_str(&w, ds.name);
    ch_jw_key(&w, "colleagues");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        bool member = users[i].role == CH_ROLE_ADMIN;
        for (size_t k = 0; k < users[i].nservices && !member; k++)
            member = strcmp(users[i].services[k], ds.name) == 0;
        if (!member)
            continue;
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, users[i].id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, users[i].name);
        ch_jw_key(&w, "role");
        ch_jw_str(&w, ch_role_name(users[i].role));
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_policies(ch_req *r)
{
    json_t *list = json_array(), *warnings = json_array();
    ch_date today = ch_http_today(r, NULL);
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        char review[11], warning[400];
        ch_date_format(p->review_by, review, sizeof(review));
        bool overdue = ch_policy_review_overdue(p->organisation, p->review_by, today, warning,
                                                sizeof(warning));
        if (overdue)
            json_array_append_new(warnings, json_string(warning));
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:b, s:s?, s:I, s:I}", "id",
                                              p->id, "organisation", p->organisation, "version",
                                              (json_int_t)r->desk->policies[i].version, "review_by",
                                              review, "review_overdue", overdue, "review_warning",
                                              overdue ? warning : NULL, "services",
                                              (json_int_t)p->nservices, "promises",
                                              (json_int_t)p->npromises));
    }
    return ch_http_json(r, 200, json_pack("{s:o, s:o}", "policies", list, "warnings", warnings),
                        NULL);
}
