/* GET /api/v1/audit: reading the audit log. By record (?case=, ?person=:
 * who read or changed this person's records, their cases included) or by
 * member of staff (?user=: what they viewed and did), between two dates,
 * newest first, a page at a time; with none of these, the latest rows.
 * Managers see only rows about records of their own services. */
#include "core/calendar.h"
#include "http/complaints.h"
#include "http/json_case.h"
#include "http/jsonw.h"
#include "http/request.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many pages' worth of rows one request reads at most while looking for
 * rows a manager may see, so that a member of staff who mostly works in
 * other services cannot make one request scan the whole log. */
#define SCAN_ROUNDS 8

static const char *const known_args[] = {"case", "person", "user",   "from",
                                         "to",   "limit",  "cursor", NULL};

/* A positive id query argument, 0 when absent, -1 when bad. */
static int64_t arg_id(ch_req *r, const char *name)
{
    const char *s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    char *end;
    if (!s)
        return 0;
    if (strlen(s) > 19)
        return -1;
    long long v = strtoll(s, &end, 10);
    return (end == s || *end || v < 1) ? -1 : (int64_t)v;
}

/* The instant local midnight begins day d, in the desk's first charter's
 * time zone (the one "today" is worked out in), UTC without one. */
static ch_time day_start(ch_req *r, ch_date d)
{
    ch_time t = (ch_time)d * CH_DAY_SECS;
    if (r->desk->npolicies && r->desk->policies[0].policy->nservices) {
        const ch_policy *p = r->desk->policies[0].policy;
        const ch_calendar *cal = ch_policy_service_calendar(p, &p->services[0]);
        ch_time local;
        if (cal && ch_tz_from_local(ch_calendar_tz(cal), d, 0, &local, NULL) == CH_OK)
            t = local;
    }
    return t;
}

/* What the manager may see, remembered per record for one request: a page
 * is mostly rows about a few records. */
typedef struct seen {
    const char *object;
    int64_t id;
    bool visible;
} seen;

typedef struct seen_set {
    seen *items;
    size_t n, cap;
} seen_set;

/* Lines about a person's incidents or restrictions list name the person,
 * and are seen as the person is. */
static bool about_person(const char *object)
{
    return strcmp(object, "person") == 0 || strcmp(object, "incidents") == 0 ||
           strcmp(object, "restrictions") == 0;
}

/* Whether a manager may see the audit row about object/id: only rows about
 * cases, people, contracts and visits in their own services. Who read a
 * record of another service, when and from where, is itself personal data
 * of that service, so everything else is for administrators. (Officers,
 * for whom some complaints are hidden, never read the log.) */
static bool object_visible(ch_req *r, const char *object, int64_t id)
{
    ch_error err = {0};
    if (strcmp(object, "case") == 0) {
        ch_case_row c;
        return ch_store_case_get(r->desk->store, id, &r->arena, &c, &err) == CH_OK &&
               ch_desk_can_see(r, c.service) && !ch_http_complaint_hidden(r, &c);
    }
    if (about_person(object)) {
        ch_person p;
        return ch_http_person_visible(r, id, &p, &err) == CH_OK;
    }
    if (strcmp(object, "attachment") == 0) {
        /* A file is seen as the record it is on is. */
        ch_attachment f;
        if (ch_store_attachment_get(r->desk->store, id, &r->arena, &f, &err) != CH_OK)
            return false;
        return f.person_id ? object_visible(r, "person", f.person_id)
                           : object_visible(r, "case", f.case_id);
    }
    int64_t contract_id = 0;
    if (strcmp(object, "contract") == 0) {
        contract_id = id;
    } else if (strcmp(object, "visit") == 0) {
        ch_visit v;
        if (ch_store_visit_get(r->desk->store, id, &r->arena, &v, &err) == CH_OK)
            contract_id = v.contract_id;
    }
    ch_contract k;
    return contract_id &&
           ch_store_contract_get(r->desk->store, contract_id, &r->arena, &k, &err) == CH_OK &&
           ch_desk_can_see(r, k.service);
}

static seen *seen_find(seen_set *set, const char *object, int64_t id)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].id == id && strcmp(set->items[i].object, object) == 0)
            return &set->items[i];
    return NULL;
}

static void seen_add(ch_req *r, seen_set *set, const char *object, int64_t id, bool visible)
{
    seen *items = ch_arena_room(&r->arena, set->items, set->n, &set->cap, sizeof(*items));
    if (items) {
        set->items = items;
        set->items[set->n++] = (seen){object, id, visible};
    }
}

static bool row_visible(ch_req *r, seen_set *set, const char *object, int64_t id)
{
    if (r->user.role == CH_ROLE_ADMIN)
        return true;
    const char *key = about_person(object) ? "person" : object;
    seen *s = seen_find(set, key, id);
    if (s)
        return s->visible;
    bool visible = object_visible(r, object, id);
    seen_add(r, set, key, id, visible);
    return visible;
}

/* Whether a manager may see the line; a line about a case carries the
 * case's service, and the page's people were looked up by see_people. */
static bool line_visible(ch_req *r, seen_set *set, const ch_audit_view_row *row)
{
    if (r->user.role == CH_ROLE_ADMIN)
        return true;
    if (strcmp(row->object, "case") == 0)
        return row->case_service && ch_desk_can_see(r, row->case_service);
    return row_visible(r, set, row->object, row->object_id);
}

/* Decides, in one store query, which of the people the page's lines are
 * about a manager may see (one of their cases is in the manager's services,
 * or they have none: the desk's rule for people), into set. */
static int see_people(ch_req *r, seen_set *set, const ch_audit_view_row *rows, size_t n,
                      ch_error *err)
{
    if (r->user.role == CH_ROLE_ADMIN || n == 0)
        return CH_OK;
    int64_t *ids = ch_arena_alloc(&r->arena, n * sizeof(*ids));
    size_t nids = 0, first = set->n;
    if (!ids)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (about_person(rows[i].object) && !seen_find(set, "person", rows[i].object_id)) {
            ids[nids++] = rows[i].object_id;
            seen_add(r, set, "person", rows[i].object_id, false);
        }
    if (nids == 0)
        return CH_OK;
    ch_person_service *ps = NULL;
    size_t nps = 0;
    int rc = ch_store_people_services(r->desk->store, ids, nids, &r->arena, &ps, &nps, err);
    if (rc)
        return rc;
    for (size_t i = first; i < set->n; i++) {
        bool any = false, mine = false;
        for (size_t k = 0; k < nps; k++)
            if (ps[k].person_id == set->items[i].id) {
                any = true;
                mine = mine || ch_desk_can_see(r, ps[k].service);
            }
        set->items[i].visible = mine || !any;
    }
    return CH_OK;
}

/* The latest rows of the whole log (no record or member of staff named),
 * as before paging by record existed. */
static enum MHD_Result latest(ch_req *r, size_t limit)
{
    ch_error err = {0};
    ch_audit_row *rows = NULL;
    size_t n = 0;
    seen_set set = {0};
    if (ch_store_audit_list(r->desk->store, 0, limit, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        if (row_visible(r, &set, rows[i].object, rows[i].object_id))
            json_array_append_new(
                list,
                json_pack("{s:I, s:o, s:I, s:s, s:s, s:I, s:s?}", "id", (json_int_t)rows[i].id,
                          "at", ch_json_time(rows[i].at), "user_id", (json_int_t)rows[i].user_id,
                          "action", rows[i].action, "object", rows[i].object, "object_id",
                          (json_int_t)rows[i].object_id, "remote", rows[i].remote));
    return ch_http_json(r, 200, json_pack("{s:o}", "audit", list), NULL);
}

static void row_json(ch_jw *w, const ch_audit_view_row *row)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, row->id);
    ch_jw_key(w, "at");
    ch_jw_time(w, row->at);
    ch_jw_key(w, "user_id");
    ch_jw_id(w, row->user_id);
    ch_jw_key(w, "user");
    ch_jw_str(w, row->user_name);
    ch_jw_key(w, "action");
    ch_jw_str(w, row->action);
    ch_jw_key(w, "object");
    ch_jw_str(w, row->object);
    ch_jw_key(w, "object_id");
    ch_jw_id(w, row->object_id);
    ch_jw_key(w, "remote");
    ch_jw_str(w, row->remote);
    ch_jw_obj_end(w);
}

/* The query's dates (0 when not given) and cursor into q;
 * faults recorded in p. */
static void read_bounds(ch_req *r, problems *p, ch_audit_query *q, ch_date *from, ch_date *to)
{
    ch_error err = {0};
    const char *f = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from");
    const char *t = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to");
    const char *cur = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "cursor");
    bool fok = false, tok = false;
    *from = *to = 0;
    q->from = 0;
    q->before_at = INT64_MAX;
    q->before_id = 0;
    if (f && (strlen(f) != 10 || ch_date_parse(f, 10, from, &err)))
        ch_req_bad(p, "from", "from is a date like 2026-01-31: the first day to show.");
    else if (f)
        q->from = day_start(r, *from), fok = true;
    if (t && (strlen(t) != 10 || ch_date_parse(t, 10, to, &err)))
        ch_req_bad(p, "to", "to is a date like 2026-01-31: the last day to show.");
    else if (t)
        q->before_at = day_start(r, *to + 1), tok = true;
    if (fok && tok && *from > *to)
        ch_req_bad(p, "from", "from must be no later than to; swap them.");
    if (!fok)
        *from = 0;
    if (!tok)
        *to = 0;
    if (cur) {
        long long at, id;
        int used = 0;
        if (strlen(cur) > 40 || sscanf(cur, "%lld.%lld%n", &at, &id, &used) != 2 ||
            used != (int)strlen(cur) || at < 0 || id < 1)
            ch_req_bad(p, "cursor",
                       "cursor is the next value of a previous page; leave it out to start "
                       "from the newest row.");
        else if (at < q->before_at) {
            q->before_at = at;
            q->before_id = id;
        }
    }
}

/* The 404 for a person or member of staff the user may not see, or the
 * store's error. */
static enum MHD_Result subject_missing(ch_req *r, const ch_error *err, const char *detail)
{
    if (err->code == CH_E_NOTFOUND)
        return ch_http_problem(r, 404, "Not found", detail, NULL);
    return ch_http_error(r, err);
}

enum MHD_Result ch_http_audit(ch_req *r)
{
    ch_error err = {0};
    enum MHD_Result res;
    problems p = {0};
    const char *unknown = NULL;
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "Managers only",
                               "The audit log is open to managers and administrators; ask one "
                               "of them who viewed a record.",
                               NULL);
    if ((unknown = ch_req_unknown_arg(r, known_args)))
        ch_req_bad(&p, unknown,
                   "The audit log takes case, person or user, from, to, limit and cursor; "
                   "'%.40s' is not one of them.",
                   unknown);
    ch_audit_query q = {0};
    q.case_id = arg_id(r, "case");
    q.person_id = arg_id(r, "person");
    q.user_id = arg_id(r, "user");
    if (q.case_id < 0)
        ch_req_bad(&p, "case", "case is a case id.");
    if (q.person_id < 0)
        ch_req_bad(&p, "person", "person is a person id.");
    if (q.user_id < 0)
        ch_req_bad(&p, "user", "user is a member of staff's user id.");
    if ((q.case_id != 0) + (q.person_id != 0) + (q.user_id != 0) > 1)
        ch_req_bad(&p, "person",
                   "Ask about one record or one member of staff at a time: give one of case, "
                   "person and user.");
    const char *ls = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "limit");
    char *end = NULL;
    long limit = ls ? strtol(ls, &end, 10) : 100;
    if (ls && (end == ls || *end || limit < 1 || limit > 1000))
        ch_req_bad(&p, "limit", "limit is how many rows a page holds, 1-1000.");
    ch_date from, to;
    read_bounds(r, &p, &q, &from, &to);
    bool subject = q.case_id > 0 || q.person_id > 0 || q.user_id > 0;
    if (!subject && !p.fields &&
        (MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from") ||
         MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to") ||
         MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "cursor")))
        ch_req_bad(&p, "person",
                   "from, to and cursor go with case, person or user: say whose records or "
                   "which member of staff.");
    if (p.fields)
        return ch_http_problem(r, 400, "Bad query", p.detail, p.fields);
    if (!subject)
        return latest(r, (size_t)limit);

    /* The subject first: a record the user cannot see has no audit for them. */
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    if (q.case_id) {
        ch_case_row c;
        if (!ch_req_case(r, q.case_id, &c, &res)) {
            ch_jw_free(&w);
            return res;
        }
        ch_jw_key(&w, "case");
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, c.id);
        ch_jw_key(&w, "subject");
        ch_jw_str(&w, c.subject);
        ch_jw_obj_end(&w);
    } else if (q.person_id) {
        ch_person person;
        if (ch_http_person_visible(r, q.person_id, &person, &err)) {
            ch_jw_free(&w);
            return subject_missing(r, &err,
                                   "There is no such person among your services' records; "
                                   "find them on the People page and follow its link.");
        }
        ch_jw_key(&w, "person");
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, person.id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, person.name);
        ch_jw_obj_end(&w);
    } else {
        ch_user u;
        if (ch_store_user_by_id(r->desk->store, q.user_id, &r->arena, &u, &err)) {
            ch_jw_free(&w);
            return subject_missing(r, &err,
                                   "There is no member of staff with that id; the Staff page "
                                   "lists them.");
        }
        ch_jw_key(&w, "user");
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, u.id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, u.name);
        ch_jw_obj_end(&w);
    }

    /* Read a page and one row more (is there a next page?); rows a manager
     * may not see are skipped, reading on for up to SCAN_ROUNDS pages. */
    q.limit = (size_t)limit + 1;
    seen_set set = {0};
    size_t shown = 0;
    bool more = false;
    ch_time next_at = 0;
    int64_t next_id = 0;
    ch_jw_key(&w, "audit");
    ch_jw_arr(&w);
    for (int round = 0; round < SCAN_ROUNDS && !more; round++) {
        ch_audit_view_row *rows = NULL;
        size_t n = 0;
        if (ch_store_audit_query(r->desk->store, &q, &r->arena, &rows, &n, &err)) {
            ch_jw_free(&w);
            return ch_http_error(r, &err);
        }
        if (see_people(r, &set, rows, n, &err)) {
            ch_jw_free(&w);
            return ch_http_error(r, &err);
        }
        for (size_t i = 0; i < n && !more; i++) {
            /* A case's page shows every row about the case, already checked. */
            if (!q.case_id && !line_visible(r, &set, &rows[i]))
                continue;
            if (shown == (size_t)limit) {
                more = true;
                break;
            }
            row_json(&w, &rows[i]);
            shown++;
            next_at = rows[i].at;
            next_id = rows[i].id;
        }
        if (more || n < q.limit)
            break;
        /* Every row of this batch was read: go on after its last one. */
        q.before_at = rows[n - 1].at;
        q.before_id = rows[n - 1].id;
        if (round == SCAN_ROUNDS - 1) {
            more = true;
            next_at = q.before_at;
            next_id = q.before_id;
        }
    }
    ch_jw_arr_end(&w);
    char cursor[48], day[11];
    snprintf(cursor, sizeof(cursor), "%" PRId64 ".%" PRId64, (int64_t)next_at, next_id);
    ch_jw_key(&w, "more");
    ch_jw_bool(&w, more);
    ch_jw_key(&w, "next");
    ch_jw_str(&w, more ? cursor : NULL);
    ch_jw_key(&w, "from");
    if (from)
        ch_date_format(from, day, sizeof(day));
    ch_jw_str(&w, from ? day : NULL);
    ch_jw_key(&w, "to");
    if (to)
        ch_date_format(to, day, sizeof(day));
    ch_jw_str(&w, to ? day : NULL);
    ch_jw_obj_end(&w);
    /* Looking at who viewed a person, or at what a member of staff viewed,
     * is itself a reading of personal data, so it is recorded too. */
    if ((q.person_id && ch_desk_audit(r, "read-audit", "person", q.person_id)) ||
        (q.user_id && ch_desk_audit(r, "read-audit", "user", q.user_id))) {
        ch_jw_free(&w);
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    return ch_http_jw(r, 200, &w, NULL);
}
