/* Search and the compliance report. The report groups the obligations that
 * fell due in each month by service and promise: how many fell due, how many
 * were kept on time, late or not at all, and the median working time taken
 * to keep them, counted on the service's own calendar. JSON or CSV. */
#include "core/timefmt.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result ch_http_search(ch_req *r)
{
    ch_error err = {0};
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    if (!q || !*q || strlen(q) > 200)
        return ch_http_problem(r, 400, "Nothing to search for",
                               "Give the words to find as ?q=..., up to 200 characters.",
                               json_pack("[s]", "q"));
    size_t n = 0, count = 0;
    const char **services = ch_req_services(r, &n);
    ch_case_row *rows = NULL;
    if (ch_store_search(r->desk->store, q, services, n, 50, &r->arena, &rows, &count, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "q");
    ch_jw_str(&w, q);
    ch_jw_cases(&w, rows, count);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

typedef struct group {
    const char *service, *promise;
    int month; /* year * 12 + month - 1 */
    long due, on_time, late, not_met;
    double *hours;
    size_t nhours;
} group;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "2026-03" into year * 12 + month - 1; -1 when malformed. */
static int parse_month(const char *s)
{
    int y, m;
    char extra;
    if (!s || sscanf(s, "%4d-%2d%c", &y, &m, &extra) != 2 || y < 2000 || y > 2100 || m < 1 ||
        m > 12 || strlen(s) != 7)
        return -1;
    return y * 12 + m - 1;
}

enum MHD_Result ch_http_report(ch_req *r)
{
    ch_error err = {0};
    const char *from_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from");
    const char *to_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to");
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    int y, m, d;
    ch_date_to_ymd(ch_time_utc_date(r->now), &y, &m, &d);
    int to = to_s ? parse_month(to_s) : y * 12 + m - 1;
    int from = from_s ? parse_month(from_s) : to - 11;
    bool csv = format && strcmp(format, "csv") == 0;
    if (from < 0 || to < 0 || from > to || to - from > 60 ||
        (format && !csv && strcmp(format, "json") != 0))
        return ch_http_problem(r, 400, "Bad report range",
                               "from and to are months as YYYY-MM, from not after to, at most "
                               "five years apart; format is json or csv.",
                               NULL);
    /* A day's margin each side: months are counted in each service's zone. */
    ch_time t0 = (ch_time)ch_date_from_ymd(from / 12, from % 12 + 1, 1) * CH_DAY_SECS - 86400;
    ch_time t1 =
        (ch_time)ch_date_from_ymd((to + 1) / 12, (to + 1) % 12 + 1, 1) * CH_DAY_SECS + 86400;
    size_t nsvc = 0, nrows = 0, ngroups = 0;
    const char **services = ch_req_services(r, &nsvc);
    ch_report_row *rows = NULL;
    if (ch_store_report_rows(r->desk->store, t0, t1, services, nsvc, &r->arena, &rows, &nrows,
                             &err))
        return ch_http_error(r, &err);
    group *groups = ch_arena_alloc(&r->arena, (nrows + 1) * sizeof(*groups));
    double *hours = ch_arena_alloc(&r->arena, (nrows + 1) * sizeof(*hours));
    if (!groups || !hours)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    /* Rows come sorted by service and promise, so groups of a (service,
     * promise) are contiguous apart from their months. */
    for (size_t i = 0; i < nrows; i++) {
        const ch_report_row *row = &rows[i];
        ch_desk_service ds;
        const ch_calendar *cal = NULL;
        if (ch_desk_service_find(r->desk, row->service, &ds, &err) == CH_OK)
            cal = ch_policy_service_calendar(ds.policy, ds.service);
        ch_date local;
        int32_t secs;
        if (cal)
            ch_tz_to_local(ch_calendar_tz(cal), row->due_at, &local, &secs);
        else
            local = ch_time_utc_date(row->due_at);
        ch_date_to_ymd(local, &y, &m, &d);
        int month = y * 12 + m - 1;
        if (month < from || month > to)
            continue;
        size_t g = 0;
        while (g < ngroups &&
               !(groups[g].month == month && strcmp(groups[g].promise, row->promise) == 0 &&
                 strcmp(groups[g].service, row->service) == 0))
            g++;
        if (g == ngroups)
            groups[ngroups++] = (group){row->service, row->promise, month, 0, 0, 0, 0, NULL, 0};
        group *gr = &groups[g];
        gr->due++;
        if (strcmp(row->state, "met") == 0 && row->met_at) {
            if (row->met_at <= row->due_at)
                gr->on_time++;
            else
                gr->late++;
            int64_t worked;
            if (cal && ch_calendar_working_between(cal, row->deemed_at, row->met_at, &worked,
                                                   &err) == CH_OK) {
                if (!gr->hours)
                    gr->hours = hours + i; /* a group's rows are contiguous per month */
                gr->hours[gr->nhours++] = (double)worked / 3600.0;
            }
        } else {
            gr->not_met++;
        }
    }
    json_t *list = json_array();
    size_t cap = 256 + ngroups * 160, used = 0;
    char *out = csv ? ch_arena_alloc(&r->arena, cap) : NULL;
    if (csv && out)
        used += (size_t)snprintf(out, cap,
                                 "service,promise,month,due,met_on_time,met_late,not_met,"
                                 "on_time_rate,median_working_hours\r\n");
    for (size_t g = 0; g < ngroups; g++) {
        group *gr = &groups[g];
        double median = -1;
        if (gr->nhours) {
            qsort(gr->hours, gr->nhours, sizeof(double), cmp_double);
            median = gr->nhours % 2
                         ? gr->hours[gr->nhours / 2]
                         : (gr->hours[gr->nhours / 2 - 1] + gr->hours[gr->nhours / 2]) / 2;
        }
        char month[24];
        snprintf(month, sizeof(month), "%04d-%02d", gr->month / 12, gr->month % 12 + 1);
        double rate = gr->due ? (double)gr->on_time / (double)gr->due : 0;
        if (csv && out) {
            used += (size_t)snprintf(out + used, cap - used, "%s,%s,%s,%ld,%ld,%ld,%ld,%.3f,",
                                     gr->service, gr->promise, month, gr->due, gr->on_time,
                                     gr->late, gr->not_met, rate);
            used += (size_t)(median >= 0 ? snprintf(out + used, cap - used, "%.2f\r\n", median)
                                         : snprintf(out + used, cap - used, "\r\n"));
        } else {
            json_array_append_new(
                list,
                json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:o}", "service", gr->service,
                          "promise", gr->promise, "month", month, "due", (json_int_t)gr->due,
                          "met_on_time", (json_int_t)gr->on_time, "met_late", (json_int_t)gr->late,
                          "not_met", (json_int_t)gr->not_met, "on_time_rate", rate,
                          "median_working_hours", median >= 0 ? json_real(median) : json_null()));
        }
    }
    if (csv) {
        json_decref(list);
        return out ? ch_http_bytes(r, 200, "text/csv; charset=utf-8", out, used)
                   : ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    }
    char fm[24], tm[24];
    snprintf(fm, sizeof(fm), "%04d-%02d", from / 12, from % 12 + 1);
    snprintf(tm, sizeof(tm), "%04d-%02d", to / 12, to % 12 + 1);
    return ch_http_json(r, 200, json_pack("{s:s, s:s, s:o}", "from", fm, "to", tm, "rows", list),
                        NULL);
}

/* GET /api/v1/cases: the case list, filtered by service, kind, status and
 * officer ("me", "none" or an id), optionally matching words (q). */
enum MHD_Result ch_http_case_list(ch_req *r)
{
    ch_error err = {0};
    ch_case_filter f = {0};
    ch_desk_service ds;
    problems p = {0};
    const char *arg;
#define ARG(name) MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name)
    f.services = ch_req_services(r, &f.nservices);
    f.kind = ARG("kind");
    f.status = ARG("status");
    const char *q = ARG("q");
    ch_case_kind kind;
    if (f.kind && ch_case_kind_parse(f.kind, &kind))
        ch_req_bad(&p, "kind",
                   "kind must be enquiry, service-order, complaint, feedback, foi or "
                   "sar.");
    if (f.status && strcmp(f.status, "open") && strcmp(f.status, "paused") &&
        strcmp(f.status, "closed"))
        ch_req_bad(&p, "status", "status must be open, paused or closed.");
    if ((arg = ARG("service"))) {
        if (strlen(arg) > 140 || ch_desk_service_find(r->desk, arg, &ds, &err) ||
            !ch_desk_can_see(r, ds.name))
            ch_req_bad(&p, "service", "There is no such service among yours.");
        else
            f.service = ch_arena_strdup(&r->arena, ds.name);
    }
    if ((arg = ARG("officer_id"))) {
        char *end;
        long long v = strtoll(arg, &end, 10);
        if (strcmp(arg, "me") == 0)
            f.officer_id = r->user.id;
        else if (strcmp(arg, "none") == 0)
            f.officer_id = -1;
        else if (*end || v <= 0)
            ch_req_bad(&p, "officer_id", "officer_id is me, none or a user's id.");
        else
            f.officer_id = v;
    }
    if (q && (strlen(q) > 200 || !*q))
        ch_req_bad(&p, "q", "q is up to 200 characters of words to find.");
    char *end;
    long limit = ARG("limit") ? strtol(ARG("limit"), &end, 10) : 50;
    long offset = ARG("offset") ? strtol(ARG("offset"), &end, 10) : 0;
    if (limit < 1 || limit > 200 || offset < 0)
        ch_req_bad(&p, "limit", "limit is 1-200 and offset 0 or more.");
#undef ARG
    if (p.fields)
        return ch_http_problem(r, 400, "Bad filter", p.detail, p.fields);
    f.limit = (size_t)limit;
    f.offset = (size_t)offset;
    ch_case_row *rows = NULL;
    size_t n = 0;
    if (q) {
        /* Words first, then the other filters on what matched. */
        if (ch_store_search(r->desk->store, q, f.services, f.nservices, 200, &r->arena, &rows, &n,
                            &err))
            return ch_http_error(r, &err);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            const ch_case_row *c = &rows[i];
            if ((f.service && strcmp(c->service, f.service)) ||
                (f.kind && strcmp(c->kind, f.kind)) || (f.status && strcmp(c->status, f.status)) ||
                (f.officer_id > 0 && c->officer_id != f.officer_id) ||
                (f.officer_id < 0 && c->officer_id != 0))
                continue;
            rows[kept++] = *c;
        }
        n = kept > f.offset ? kept - f.offset : 0;
        if (rows && kept > f.offset)
            rows += f.offset;
        n = n > f.limit ? f.limit : n;
    } else if (ch_store_case_list(r->desk->store, &f, &r->arena, &rows, &n, &err)) {
        return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "limit");
    ch_jw_int(&w, limit);
    ch_jw_key(&w, "offset");
    ch_jw_int(&w, offset);
    ch_jw_cases(&w, rows, n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
