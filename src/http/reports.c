/* The compliance report and the case list. The report groups the
 * obligations that fall due in each month by service and promise (or, for
 * managers, by officer, channel or theme): how many fell due, how many were
 * kept on time, late or not at all, how many are still pending, and the
 * median working time taken to keep them, counted on the service's own
 * calendar. JSON, CSV or an Excel workbook. */
#include "core/compliance.h"
#include "core/timefmt.h"
#include "http/json_case.h"
#include "http/hours.h"
#include "http/request.h"
#include "export/themes.h"
#include "http/themes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct group {
    const char *service, *promise;
    int month;  /* year * 12 + month - 1 */
    bool ended; /* the month was over, in the service's zone, as at the report */
    ch_tally tally;
    double *hours;
    size_t nhours;
    double median; /* of hours, -1 when none */
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

/* The month (year * 12 + month - 1) of instant t in cal's zone, or in UTC
 * without a calendar. */
static int month_of(const ch_calendar *cal, ch_time t)
{
    ch_date local;
    int32_t secs;
    int y, m, d;
    if (cal)
        ch_tz_to_local(ch_calendar_tz(cal), t, &local, &secs);
    else
        local = ch_time_utc_date(t);
    ch_date_to_ymd(local, &y, &m, &d);
    return y * 12 + m - 1;
}

/* Appends printf-style text of bounded length (numbers) to the CSV. */
static void csv_fmt(ch_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void csv_fmt(ch_jw *w, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof(buf))
        w->failed = true; /* never with the formats below; refuse rather than cut */
    else
        ch_jw_raw(w, buf, (size_t)k);
}

/* What by= groups on, as the store and the column name know it. */
static const char *const by_names[] = {"officer", "channel", "theme", "promise"};

/* The workbook of the report: one row a group, figures as numbers. */
static enum MHD_Result send_xlsx(ch_req *r, const group *groups, size_t ngroups, const char *by,
                                 const char *fm, const char *tm, const char *as_at)
{
    ch_error err = {0};
    const char *head[] = {"Service",  "Promise",      "Month",
                          "Due",      "Kept on time", "Kept late",
                          "Not kept", "On-time rate", "Median working hours",
                          "Pending",  "Withdrawn",    "Complete"};
    static const char *const titles[] = {"Officer", "Channel", "Theme", "Promise"};
    for (size_t k = 0; k < 4; k++)
        if (strcmp(by, by_names[k]) == 0)
            head[1] = titles[k];
    enum { NCOLS = 12 };
    ch_table_cell *cells = ch_arena_alloc(&r->arena, (ngroups + 1) * NCOLS * sizeof(*cells));
    if (!cells)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    for (size_t g = 0; g < ngroups; g++) {
        const group *gr = &groups[g];
        const ch_tally *t = &gr->tally;
        ch_table_cell *c = &cells[g * NCOLS];
        char month[24];
        double rate;
        snprintf(month, sizeof(month), "%04d-%02d", gr->month / 12, gr->month % 12 + 1);
        c[0] = (ch_table_cell){gr->service, 0};
        c[1] = (ch_table_cell){*gr->promise ? gr->promise : "(none)", 0};
        c[2] = (ch_table_cell){ch_arena_strdup(&r->arena, month), 0};
        c[3] = (ch_table_cell){NULL, (double)t->due};
        c[4] = (ch_table_cell){NULL, (double)t->on_time};
        c[5] = (ch_table_cell){NULL, (double)t->late};
        c[6] = (ch_table_cell){NULL, (double)t->not_met};
        c[7] = ch_tally_rate(t, &rate) ? (ch_table_cell){NULL, rate} : (ch_table_cell){"", 0};
        c[8] = gr->median >= 0 ? (ch_table_cell){NULL, gr->median} : (ch_table_cell){"", 0};
        c[9] = (ch_table_cell){NULL, (double)t->pending};
        c[10] = (ch_table_cell){NULL, (double)t->withdrawn};
        c[11] = (ch_table_cell){ch_tally_complete(t, gr->ended) ? "yes" : "so far", 0};
    }
    char period[160], asat[160], title[64];
    snprintf(period, sizeof(period), "Promises falling due from %s to %s, by %s and month.", fm, tm,
             by);
    snprintf(asat, sizeof(asat), "As at %s. The on-time rate is over those with a known outcome.",
             as_at);
    snprintf(title, sizeof(title), "Promises kept by %s", by);
    const char *notes[] = {period, asat};
    ch_report_table tb = {title, notes, 2, head, NCOLS, cells, ngroups};
    char *data = NULL, name[80];
    size_t len = 0;
    if (ch_report_table_xlsx(&tb, &data, &len, &err))
        return ch_http_error(r, &err);
    snprintf(name, sizeof(name), "compliance-by-%s-%s-to-%s.xlsx", by, fm, tm);
    return ch_http_download(r, CH_XLSX_TYPE, name, data, len);
}

/* GET /api/v1/reports/compliance: every obligation due in each month,
 * counted by its outcome as at the report's instant (now, or as_at) with
 * the one rule in core/compliance.h, so one not yet due is pending. by=
 * groups by promise (the default), officer, channel or theme. */
enum MHD_Result ch_http_report(ch_req *r)
{
    ch_error err = {0};
    const char *from_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from");
    const char *to_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to");
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    const char *as_at_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "as_at");
    const char *by = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "by");
    ch_time at = r->now;
    ch_tz utc = {0};
    if (as_at_s && (strlen(as_at_s) > 40 || ch_time_parse(as_at_s, &utc, &at, &err) ||
                    at > r->now || at < (ch_time)ch_date_from_ymd(2000, 1, 1) * CH_DAY_SECS))
        return ch_http_problem(r, 400, "Bad report time",
                               "as_at is an instant in the past, as RFC 3339 "
                               "(2026-12-01T09:00:00Z), for the report as it stood then; leave it "
                               "out for now.",
                               json_pack("[s]", "as_at"));
    int by_k = 3;
    if (by) {
        by_k = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(by, by_names[k]) == 0)
                by_k = k;
        if (by_k < 0)
            return ch_http_problem(r, 400, "Bad report grouping",
                                   "by is promise, officer, channel or theme; leave it out for "
                                   "promise.",
                                   json_pack("[s]", "by"));
    }
    by = by_names[by_k];
    /* How each named officer keeps promises is for those who manage them. */
    if (by_k == CH_REPORT_BY_OFFICER && r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "For managers",
                               "The report by officer is for managers; group by promise, channel "
                               "or theme instead.",
                               json_pack("[s]", "by"));
    int to = to_s ? parse_month(to_s) : month_of(NULL, at);
    int from = from_s ? parse_month(from_s) : to - 11;
    bool csv = format && strcmp(format, "csv") == 0;
    bool xlsx = format && strcmp(format, "xlsx") == 0;
    if (from < 0 || to < 0 || from > to || to - from > 60 ||
        (format && !csv && !xlsx && strcmp(format, "json") != 0))
        return ch_http_problem(r, 400, "Bad report range",
                               "from and to are months as YYYY-MM, from not after to, at most "
                               "five years apart; format is json, csv or xlsx.",
                               NULL);
    /* A day's margin each side: months are counted in each service's zone. */
    ch_time t0 = (ch_time)ch_date_from_ymd(from / 12, from % 12 + 1, 1) * CH_DAY_SECS - 86400;
    ch_time t1 =
        (ch_time)ch_date_from_ymd((to + 1) / 12, (to + 1) % 12 + 1, 1) * CH_DAY_SECS + 86400;
    size_t nsvc = 0, nrows = 0, ngroups = 0;
    const char **services = ch_req_services(r, &nsvc);
    ch_report_row *rows = NULL;
    if (by_k == 3 ? ch_store_report_rows(r->desk->store, t0, t1, services, nsvc, &r->arena, &rows,
                                         &nrows, &err)
                  : ch_store_report_rows_by(r->desk->store, (ch_report_by)by_k, t0, t1, services,
                                            nsvc, &r->arena, &rows, &nrows, &err))
        return ch_http_error(r, &err);
    /* The termly statements promised to schools count as promises too. */
    if (by_k == 3 &&
        ch_http_termly_rows(r->desk, services, nsvc, t0, t1, &r->arena, &rows, &nrows, &err))
        return ch_http_error(r, &err);
    group *groups = ch_arena_alloc(&r->arena, (nrows + 1) * sizeof(*groups));
    double *hours = ch_arena_alloc(&r->arena, (nrows + 1) * sizeof(*hours));
    if (!groups || !hours)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    /* Rows come sorted by service, group and due time, so the rows of a
     * group are contiguous. */
    for (size_t i = 0; i < nrows; i++) {
        const ch_report_row *row = &rows[i];
        ch_desk_service ds;
        const ch_calendar *cal = NULL;
        if (ch_desk_service_find(r->desk, row->service, &ds, &err) == CH_OK)
            cal = ch_policy_service_calendar(ds.policy, ds.service);
        int month = month_of(cal, row->due_at);
        if (month < from || month > to)
            continue;
        size_t g = 0;
        while (g < ngroups &&
               !(groups[g].month == month && strcmp(groups[g].promise, row->promise) == 0 &&
                 strcmp(groups[g].service, row->service) == 0))
            g++;
        if (g == ngroups)
            groups[ngroups++] = (group){
                row->service, row->promise, month, month < month_of(cal, at), {0}, NULL, 0, -1};
        group *gr = &groups[g];
        ch_outcome o = ch_outcome_at(row->state, row->due_at, row->met_at, at);
        ch_tally_add(&gr->tally, o);
        int64_t worked;
        if ((o == CH_OUTCOME_ON_TIME || o == CH_OUTCOME_LATE) && row->met_at > 0 &&
            row->deemed_at > 0 && cal &&
            ch_calendar_working_between(cal, row->deemed_at, row->met_at, &worked, &err) == CH_OK) {
            if (!gr->hours)
                gr->hours = hours + i; /* never more than the group's rows from here */
            gr->hours[gr->nhours++] = (double)worked / 3600.0;
        }
    }
    for (size_t g = 0; g < ngroups; g++) {
        group *gr = &groups[g];
        if (gr->nhours) {
            qsort(gr->hours, gr->nhours, sizeof(double), cmp_double);
            gr->median = gr->nhours % 2
                             ? gr->hours[gr->nhours / 2]
                             : (gr->hours[gr->nhours / 2 - 1] + gr->hours[gr->nhours / 2]) / 2;
        }
    }
    char as_at[32], fm[24], tm[24];
    ch_time_format_utc(at, as_at, sizeof(as_at));
    snprintf(fm, sizeof(fm), "%04d-%02d", from / 12, from % 12 + 1);
    snprintf(tm, sizeof(tm), "%04d-%02d", to / 12, to % 12 + 1);
    if (xlsx)
        return send_xlsx(r, groups, ngroups, by, fm, tm, as_at);
    json_t *list = csv ? NULL : json_array();
    ch_jw out;
    ch_jw_init(&out);
    if (csv)
        csv_fmt(&out,
                "service,%s,month,due,met_on_time,met_late,not_met,"
                "on_time_rate,median_working_hours,pending,withdrawn,complete,"
                "as_at\r\n",
                by);
    for (size_t g = 0; g < ngroups; g++) {
        group *gr = &groups[g];
        const ch_tally *t = &gr->tally;
        double median = gr->median, rate;
        char month[24];
        snprintf(month, sizeof(month), "%04d-%02d", gr->month / 12, gr->month % 12 + 1);
        bool known = ch_tally_rate(t, &rate);
        bool complete = ch_tally_complete(t, gr->ended);
        if (csv) {
            ch_csv_field(&out, gr->service);
            ch_jw_raw(&out, ",", 1);
            /* As the workbook has it: no theme or officer is "(none)". */
            ch_csv_field(&out, *gr->promise ? gr->promise : "(none)");
            csv_fmt(&out, ",%s,%ld,%ld,%ld,%ld,", month, t->due, t->on_time, t->late, t->not_met);
            if (known)
                csv_fmt(&out, "%.3f", rate);
            ch_jw_raw(&out, ",", 1);
            if (median >= 0)
                csv_fmt(&out, "%.2f", median);
            csv_fmt(&out, ",%ld,%ld,%s,%s\r\n", t->pending, t->withdrawn,
                    complete ? "true" : "false", as_at);
        } else {
            json_t *row = json_pack(
                "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:b}", "service", gr->service,
                "month", month, "due", (json_int_t)t->due, "met_on_time", (json_int_t)t->on_time,
                "met_late", (json_int_t)t->late, "not_met", (json_int_t)t->not_met, "pending",
                (json_int_t)t->pending, "withdrawn", (json_int_t)t->withdrawn, "on_time_rate",
                known ? json_real(rate) : json_null(), "median_working_hours",
                median >= 0 ? json_real(median) : json_null(), "complete", complete);
            /* The group under its own name; an unassigned officer or a case
             * without a theme is null. */
            json_object_set_new(row, by, *gr->promise ? json_string(gr->promise) : json_null());
            json_array_append_new(list, row);
        }
    }
    if (csv) {
        size_t len;
        char *text = ch_jw_take(&out, &len);
        if (!text)
            return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        enum MHD_Result res = ch_http_bytes(r, 200, "text/csv; charset=utf-8", text, len);
        free(text);
        return res;
    }
    ch_jw_free(&out);
    return ch_http_json(r, 200,
                        json_pack("{s:s, s:s, s:s, s:s, s:o}", "from", fm, "to", tm, "as_at", as_at,
                                  "by", by, "rows", list),
                        NULL);
}

/* GET /api/v1/cases: the case list, filtered by service, kind, status and
 * officer ("me", "none" or an id), optionally matching words (q). */
enum MHD_Result ch_http_case_list(ch_req *r)
{
    ch_error err = {0};
    ch_case_filter f = {.hide_staff_named = r->user.role == CH_ROLE_OFFICER};
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
    if (q && ch_http_words_fault(q))
        ch_req_bad(&p, "q", "%s", ch_http_words_fault(q));
    char *end = NULL;
    long limit = 50, offset = 0;
    /* Paging numbers are whole numbers or an error, never half read. */
    if ((arg = ARG("limit")) &&
        ((limit = strtol(arg, &end, 10)) < 1 || limit > 200 || end == arg || *end))
        ch_req_bad(&p, "limit", "limit is a whole number from 1 to 200.");
    if ((arg = ARG("offset")) &&
        ((offset = strtol(arg, &end, 10)) < 0 || offset > 1000000 || end == arg || *end))
        ch_req_bad(&p, "offset", "offset is a whole number from 0 to 1000000.");
#undef ARG
    if (p.fields)
        return ch_http_problem(r, 400, "Bad filter", p.detail, p.fields);
    f.limit = (size_t)limit;
    f.offset = (size_t)offset;
    ch_case_row *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (q) {
        /* Words first, then the other filters on what matched. */
        if (ch_http_find_cases(r, q, 200, &rows, &n, &err))
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
        total = (int64_t)kept;
        n = kept > f.offset ? kept - f.offset : 0;
        if (rows && kept > f.offset)
            rows += f.offset;
        n = n > f.limit ? f.limit : n;
    } else if (ch_store_case_list(r->desk->store, &f, &r->arena, &rows, &n, &err) ||
               ch_store_case_count(r->desk->store, &f, &total, &err)) {
        return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "limit");
    ch_jw_int(&w, limit);
    ch_jw_key(&w, "offset");
    ch_jw_int(&w, offset);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, total);
    ch_jw_cases(&w, rows, n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
