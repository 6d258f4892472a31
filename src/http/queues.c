/* /api/v1/queues/{mine|due-today|at-risk|overdue|unassigned}, the services
 * a user can see, and the audit log. Queues are index range scans: the
 * bounds that need a calendar (end of today, N working hours from now) are
 * worked out here, per service, before the store is asked. */
#include "core/timefmt.h"
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
    ch_queue_query q = {0};
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
    if (ch_store_queue(r->desk->store, &q, &r->arena, &rows, &count, &err))
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
    ch_jw_cases(&w, rows, count);
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
            /* Visit blocks and day lengths say the service sells time to
             * schools: the contract form offers only those. */
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "service", full, "policy",
                                p->id, "organisation", p->organisation, "name", s->name, "calendar",
                                p->calendars[s->calendar].id, "visit_block_minutes",
                                (int)s->visit_block, "day_length_minutes", (int)s->day_length));
        }
    }
    return ch_http_json(r, 200, json_pack("{s:o}", "services", list), NULL);
}

enum MHD_Result ch_http_audit(ch_req *r)
{
    ch_error err = {0};
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "Managers only",
                               "The audit log is open to managers and administrators.", NULL);
    long case_id = arg_long(r, "case", 0, 0x7fffffffL), limit = arg_long(r, "limit", 100, 1000);
    if (case_id < 0 || limit < 1)
        return ch_http_problem(r, 400, "Bad query", "case is a case id; limit is 1-1000.", NULL);
    ch_audit_row *rows = NULL;
    size_t n = 0;
    if (ch_store_audit_list(r->desk->store, case_id, (size_t)limit, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:I, s:o, s:I, s:s, s:s, s:I, s:s?}", "id", (json_int_t)rows[i].id,
                            "at", ch_json_time(rows[i].at), "user_id", (json_int_t)rows[i].user_id,
                            "action", rows[i].action, "object", rows[i].object, "object_id",
                            (json_int_t)rows[i].object_id, "remote", rows[i].remote));
    return ch_http_json(r, 200, json_pack("{s:o}", "audit", list), NULL);
}

enum MHD_Result ch_http_policies(ch_req *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        char review[11];
        ch_date_format(p->review_by, review, sizeof(review));
        json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:s, s:I, s:I}", "id", p->id,
                                              "organisation", p->organisation, "version",
                                              (json_int_t)r->desk->policies[i].version, "review_by",
                                              review, "services", (json_int_t)p->nservices,
                                              "promises", (json_int_t)p->npromises));
    }
    return ch_http_json(r, 200, json_pack("{s:o}", "policies", list), NULL);
}
