/* Themes on cases and the themes report. A case carries themes from its
 * charter's list, set through /api/v1/cases/{id}/themes; the report counts
 * themed cases by quarter and theme, then by channel and by outcome, for
 * the local authority and partners, with small counts hidden so that none
 * can be worked back from the exact totals (core/themes.h). Services by
 * name; no personal names, no free text. */
#include "http/themes.h"
#include "core/themes.h"
#include "core/timefmt.h"
#include "export/themes.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result ch_http_download(ch_req *r, const char *type, const char *name, char *data,
                                 size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    char disposition[160];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", name);
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

void ch_csv_field(ch_jw *w, const char *s)
{
    /* A spreadsheet reads a cell starting with these as a formula (a tab
     * or a carriage return first, too): such text is kept as text. */
    bool formula = s[0] && strchr("=+-@\t\r", s[0]);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        ch_jw_raw(w, s, strlen(s));
        return;
    }
    ch_jw_raw(w, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ch_jw_raw(w, "\"", 1);
        ch_jw_raw(w, p, 1);
    }
    ch_jw_raw(w, "\"", 1);
}

/* ---- themes on a case ---- */

/* The case's themes and those its charter allows, as the answer to both
 * the read and the change. */
static enum MHD_Result send_themes(ch_req *r, const ch_case_row *c, const char *const *ids,
                                   size_t n, int64_t version)
{
    ch_desk_service ds;
    ch_error err = {0};
    const ch_theme *allowed = NULL;
    size_t nallowed = 0;
    if (ch_desk_service_find(r->desk, c->service, &ds, &err) == CH_OK) {
        allowed = ds.policy->themes;
        nallowed = ds.policy->nthemes;
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "case_id");
    ch_jw_int(&w, c->id);
    ch_jw_key(&w, "themes");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const ch_theme *t = ch_theme_find(allowed, nallowed, ids[i]);
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_str(&w, ids[i]);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, t ? t->name : ids[i]); /* a theme since taken out of the charter */
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "allowed");
    ch_jw_arr(&w);
    for (size_t i = 0; i < nallowed; i++) {
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_str(&w, allowed[i].id);
        ch_jw_key(&w, "name");
        ch_jw_str(&w, allowed[i].name);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, ch_req_etag(r, version));
}

enum MHD_Result ch_http_case_themes_get(ch_req *r, int64_t id)
{
    ch_case_row c;
    enum MHD_Result res;
    ch_error err = {0};
    const char **ids;
    size_t n;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (ch_store_case_themes(r->desk->store, id, &r->arena, &ids, &n, &err))
        return ch_http_error(r, &err);
    return send_themes(r, &c, ids, n, c.version);
}

/* PUT replaces the whole list: what the desk shows is what it sends, so an
 * unticked theme goes and nothing is merged behind anyone's back. */
enum MHD_Result ch_http_case_themes_put(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"themes", NULL}, {NULL, NULL}};
    ch_case_row c;
    ch_desk_service ds;
    enum MHD_Result res;
    ch_error err = {0};
    int64_t expect, version;
    if (!ch_req_case(r, id, &c, &res) || !ch_req_case_version(r, false, &expect, &res) ||
        !ch_req_case_current(r, id, c.version, expect, &res))
        return res;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    json_t *list = json_object_get(body, "themes");
    const char *ids[CH_THEMES_PER_CASE + 1];
    size_t n = json_array_size(list);
    if (!json_is_array(list)) {
        res = ch_http_problem(r, 400, "Themes need a list",
                              "Send themes as a list of theme ids, e.g. {\"themes\": "
                              "[\"school-transport\"]}; an empty list takes them all off.",
                              json_pack("[s]", "themes"));
        goto out;
    }
    if (ch_desk_service_find(r->desk, c.service, &ds, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    for (size_t i = 0; i < n && i <= CH_THEMES_PER_CASE; i++) {
        ids[i] = json_string_value(json_array_get(list, i));
        if (!ids[i] || strlen(ids[i]) > 64) {
            res = ch_http_problem(r, 400, "A theme is not a theme id",
                                  "Each theme is the id of one of the charter's themes, as "
                                  "text of at most 64 characters.",
                                  json_pack("[s]", "themes"));
            goto out;
        }
    }
    if (ch_themes_check(ds.policy->themes, ds.policy->nthemes, ids,
                        n > CH_THEMES_PER_CASE ? CH_THEMES_PER_CASE + 1 : n, &err)) {
        res = ch_http_problem(r, 400, "Unknown or repeated theme", err.msg,
                              json_pack("[s]", "themes"));
        goto out;
    }
    /* The case's history says what it is now about, in its charter's words. */
    char detail[600];
    size_t used = (size_t)snprintf(detail, sizeof(detail), "%s", n ? "themes: " : "themes cleared");
    for (size_t i = 0; i < n && used < sizeof(detail); i++)
        used +=
            (size_t)snprintf(detail + used, sizeof(detail) - used, "%s%s", i ? ", " : "",
                             ch_theme_find(ds.policy->themes, ds.policy->nthemes, ids[i])->name);
    ch_event_row ev = {0, r->now, r->user.id, "themes", detail};
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r,
                             ch_store_case_themes_set(r->desk->store, id, expect, ids, n, &ev,
                                                      r->now, &version, &err),
                             &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_themes(r, &c, ids, n, version);
out:
    json_decref(body);
    return res;
}

/* ---- the themes report ---- */

typedef struct item {
    int quarter;
    const char *service, *theme, *channel, *outcome;
} item;

static int cmp_item(const void *a, const void *b)
{
    const item *x = a, *y = b;
    int d;
    if (x->quarter != y->quarter)
        return x->quarter < y->quarter ? -1 : 1;
    if ((d = strcmp(x->service, y->service)) || (d = strcmp(x->theme, y->theme)) ||
        (d = strcmp(x->channel, y->channel)))
        return d;
    return strcmp(x->outcome, y->outcome);
}

static const char *outcome_words(const char *o)
{
    if (strcmp(o, "open") == 0)
        return "Still open";
    if (strcmp(o, "closed-on-time") == 0)
        return "Closed, all on time";
    if (strcmp(o, "closed-late") == 0)
        return "Closed, some late or missed";
    return o;
}

/* The words of an outcome, and its place in a list (open first). */
static int outcome_rank(const char *o)
{
    static const char *const order[] = {"open", "closed-on-time", "closed-late"};
    for (int k = 0; k < 3; k++)
        if (strcmp(o, order[k]) == 0)
            return k;
    return 3;
}

/* One line of the report as published: a theme's total (channel and
 * outcome NULL), or one count of its margin by channel (outcome NULL) or
 * by outcome (channel NULL). */
typedef struct line {
    char quarter[12];
    const char *service, *service_name, *theme, *theme_name, *channel, *outcome;
    ch_figure cases;
} line;

static const char rule_text[] =
    "A theme's total is exact when it is 5 or more; a theme with fewer than 5 cases in a "
    "quarter reads \"fewer than 5\" and is not broken down. Otherwise its cases are counted "
    "by channel and, separately, by outcome. In each, a count from 1 to 4 is hidden, and so is "
    "the next smallest whenever what is hidden could otherwise be worked out from the total "
    "(one hidden alone, or hidden counts that could only be all 1s or all 4s). Every hidden "
    "count reads \"hidden to protect small numbers\", whichever way it came to be hidden, so "
    "at least one of them is under 5 but not which. A case with two themes counts under each.";

static void figure_json(ch_jw *w, ch_figure f)
{
    char buf[40];
    if (f.kind == CH_FIGURE_EXACT) {
        ch_jw_int(w, f.value);
        return;
    }
    ch_figure_text(f, buf, sizeof(buf));
    ch_jw_str(w, buf);
}

/* Appends one margin (its keys and counts) to lines as published, each
 * line a copy of the theme's total but for the key and the figure. */
static void add_margin(line *lines, size_t *nl, const line *total, bool by_channel,
                       const char **keys, const int64_t *counts, ch_figure *figs, size_t n)
{
    ch_figure_margin(counts, n, figs);
    for (size_t k = 0; k < n; k++) {
        line *l = &lines[(*nl)++];
        *l = *total;
        l->channel = by_channel ? keys[k] : NULL;
        l->outcome = by_channel ? NULL : keys[k];
        l->cases = figs[k];
    }
}

/* Groups the items (sorted) into published lines: per quarter, service
 * and theme, its total, then its margin by channel and by outcome. */
static int build_lines(ch_req *r, const item *items, size_t nitems, line **out, size_t *nout)
{
    line *lines = ch_arena_alloc(&r->arena, (3 * nitems + 1) * sizeof(*lines));
    int64_t *counts = ch_arena_alloc(&r->arena, (nitems + 1) * sizeof(*counts));
    ch_figure *figs = ch_arena_alloc(&r->arena, (nitems + 1) * sizeof(*figs));
    const char **keys = ch_arena_alloc(&r->arena, (nitems + 1) * sizeof(*keys));
    if (!lines || !counts || !figs || !keys)
        return CH_E_NOMEM;
    size_t nl = 0;
    for (size_t i = 0; i < nitems;) {
        size_t j = i;
        while (j < nitems && items[j].quarter == items[i].quarter &&
               strcmp(items[j].service, items[i].service) == 0 &&
               strcmp(items[j].theme, items[i].theme) == 0)
            j++;
        /* items i..j-1 are one theme's cases in one quarter. */
        line total = {{0},
                      items[i].service,
                      items[i].service,
                      items[i].theme,
                      items[i].theme,
                      NULL,
                      NULL,
                      ch_figure_total((int64_t)(j - i))};
        ch_quarter_format(items[i].quarter, total.quarter, sizeof(total.quarter));
        ch_desk_service ds;
        ch_error err;
        if (ch_desk_service_find(r->desk, items[i].service, &ds, &err) == CH_OK) {
            const ch_theme *t =
                ch_theme_find(ds.policy->themes, ds.policy->nthemes, items[i].theme);
            if (t)
                total.theme_name = t->name;
            if (ds.service->name && *ds.service->name)
                total.service_name = ds.service->name;
        }
        lines[nl++] = total;
        if (!ch_figure_breakdown_shown(total.cases)) {
            i = j;
            continue;
        }
        /* Sorted by channel within the theme: each channel's run counted. */
        size_t n = 0;
        for (size_t k = i; k < j; k++) {
            if (n == 0 || strcmp(keys[n - 1], items[k].channel)) {
                keys[n] = items[k].channel;
                counts[n++] = 0;
            }
            counts[n - 1]++;
        }
        add_margin(lines, &nl, &total, true, keys, counts, figs, n);
        /* Outcomes in their own order (open first), gathered by insertion. */
        n = 0;
        for (size_t k = i; k < j; k++) {
            const char *o = items[k].outcome;
            size_t at = 0;
            while (at < n && strcmp(keys[at], o) &&
                   (outcome_rank(keys[at]) < outcome_rank(o) ||
                    (outcome_rank(keys[at]) == outcome_rank(o) && strcmp(keys[at], o) < 0)))
                at++;
            if (at < n && strcmp(keys[at], o) == 0) {
                counts[at]++;
                continue;
            }
            memmove(keys + at + 1, keys + at, (n - at) * sizeof(*keys));
            memmove(counts + at + 1, counts + at, (n - at) * sizeof(*counts));
            keys[at] = o;
            counts[at] = 1;
            n++;
        }
        add_margin(lines, &nl, &total, false, keys, counts, figs, n);
        i = j;
    }
    *out = lines;
    *nout = nl;
    return CH_OK;
}

static void table_figure(ch_table_cell *c, ch_req *r, ch_figure f)
{
    char buf[40];
    if (f.kind == CH_FIGURE_EXACT) {
        *c = (ch_table_cell){NULL, (double)f.value};
        return;
    }
    ch_figure_text(f, buf, sizeof(buf));
    *c = (ch_table_cell){ch_arena_strdup(&r->arena, buf), 0};
}

enum MHD_Result ch_http_themes_report(ch_req *r)
{
    ch_error err = {0};
    const char *from_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from");
    const char *to_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to");
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    if (!format)
        format = "json";
    ch_date today = ch_time_utc_date(r->now);
    int y, m, d;
    ch_date_to_ymd(today, &y, &m, &d);
    /* Each fault named by its own field, in its own sentence. */
    problems p = {0};
    int to = to_s ? ch_quarter_parse(to_s) : ch_quarter_of(y, m);
    int from = from_s ? ch_quarter_parse(from_s) : to - 3;
    if (from_s && from < 0)
        ch_req_bad(&p, "from",
                   "from is a quarter such as 2026-Q3, or a month (2026-07) or date (2026-07-15) "
                   "inside one, from 2000 to 2100.");
    if (to_s && to < 0)
        ch_req_bad(&p, "to",
                   "to is a quarter such as 2026-Q3, or a month (2026-07) or date (2026-07-15) "
                   "inside one, from 2000 to 2100.");
    if (from >= 0 && to >= 0 && from > to) {
        ch_req_bad(&p, "from", "from comes after to; give the earlier quarter as from.");
        json_array_append_new(p.fields, json_string("to"));
    } else if (from >= 0 && to >= 0 && to - from >= 20) {
        ch_req_bad(&p, "from",
                   "from and to are more than five years apart; ask for at most 20 "
                   "quarters at a time.");
        json_array_append_new(p.fields, json_string("to"));
    }
    if (strcmp(format, "json") && strcmp(format, "csv") && strcmp(format, "xlsx") &&
        strcmp(format, "pdf"))
        ch_req_bad(&p, "format", "format is json, csv, xlsx or pdf; leave it out for json.");
    if (p.fields)
        return ch_http_problem(r, 400, "Bad themes report request", p.detail, p.fields);
    /* Whole quarters only, so reports over different ranges agree on each
     * quarter and cannot be subtracted from one another. A day's margin
     * each side: quarters are counted in each service's zone. */
    ch_time t0 = (ch_time)ch_date_from_ymd(from / 4, from % 4 * 3 + 1, 1) * CH_DAY_SECS - 86400;
    ch_time t1 =
        (ch_time)ch_date_from_ymd((to + 1) / 4, (to + 1) % 4 * 3 + 1, 1) * CH_DAY_SECS + 86400;
    size_t nsvc = 0, nrows = 0, nitems = 0, nlines = 0;
    const char **services = ch_req_services(r, &nsvc);
    ch_theme_row *rows = NULL;
    if (ch_store_theme_rows(r->desk->store, t0, t1, services, nsvc, &r->arena, &rows, &nrows, &err))
        return ch_http_error(r, &err);
    item *items = ch_arena_alloc(&r->arena, (nrows + 1) * sizeof(*items));
    if (!items)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    const char *last_service = NULL;
    const ch_calendar *cal = NULL;
    for (size_t i = 0; i < nrows; i++) {
        const ch_theme_row *row = &rows[i];
        if (!last_service || strcmp(last_service, row->service)) {
            ch_desk_service ds;
            cal = ch_desk_service_find(r->desk, row->service, &ds, &err) == CH_OK
                      ? ch_policy_service_calendar(ds.policy, ds.service)
                      : NULL;
            last_service = row->service;
        }
        ch_date local;
        int32_t secs;
        if (cal)
            ch_tz_to_local(ch_calendar_tz(cal), row->received_at, &local, &secs);
        else
            local = ch_time_utc_date(row->received_at);
        ch_date_to_ymd(local, &y, &m, &d);
        int q = ch_quarter_of(y, m);
        if (q < from || q > to)
            continue;
        items[nitems++] = (item){q, row->service, row->theme, row->channel, row->outcome};
    }
    qsort(items, nitems, sizeof(*items), cmp_item);
    line *lines;
    if (build_lines(r, items, nitems, &lines, &nlines))
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    char fq[12], tq[12], name[64], period[80];
    ch_quarter_format(from, fq, sizeof(fq));
    ch_quarter_format(to, tq, sizeof(tq));
    snprintf(name, sizeof(name), "themes-%s-to-%s.%s", fq, tq, format);
    snprintf(period, sizeof(period), "Cases received from %s to %s, by calendar quarter.", fq, tq);
    if (strcmp(format, "json") == 0) {
        ch_jw w;
        ch_jw_init(&w);
        ch_jw_obj(&w);
        ch_jw_key(&w, "from");
        ch_jw_str(&w, fq);
        ch_jw_key(&w, "to");
        ch_jw_str(&w, tq);
        ch_jw_key(&w, "threshold");
        ch_jw_int(&w, CH_THEME_SMALL);
        ch_jw_key(&w, "rule");
        ch_jw_str(&w, rule_text);
        ch_jw_key(&w, "rows");
        ch_jw_arr(&w);
        for (size_t i = 0; i < nlines;) {
            const line *t = &lines[i++];
            ch_jw_obj(&w);
            ch_jw_key(&w, "quarter");
            ch_jw_str(&w, t->quarter);
            ch_jw_key(&w, "service");
            ch_jw_str(&w, t->service);
            ch_jw_key(&w, "service_name");
            ch_jw_str(&w, t->service_name);
            ch_jw_key(&w, "theme");
            ch_jw_str(&w, t->theme);
            ch_jw_key(&w, "theme_name");
            ch_jw_str(&w, t->theme_name);
            ch_jw_key(&w, "cases");
            figure_json(&w, t->cases);
            ch_jw_key(&w, "by_channel");
            ch_jw_arr(&w);
            for (; i < nlines && lines[i].channel; i++) {
                ch_jw_obj(&w);
                ch_jw_key(&w, "channel");
                ch_jw_str(&w, lines[i].channel);
                ch_jw_key(&w, "cases");
                figure_json(&w, lines[i].cases);
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
            ch_jw_key(&w, "by_outcome");
            ch_jw_arr(&w);
            for (; i < nlines && lines[i].outcome; i++) {
                ch_jw_obj(&w);
                ch_jw_key(&w, "outcome");
                ch_jw_str(&w, lines[i].outcome);
                ch_jw_key(&w, "outcome_name");
                ch_jw_str(&w, outcome_words(lines[i].outcome));
                ch_jw_key(&w, "cases");
                figure_json(&w, lines[i].cases);
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
            ch_jw_obj_end(&w);
        }
        ch_jw_arr_end(&w);
        ch_jw_obj_end(&w);
        return ch_http_jw(r, 200, &w, NULL);
    }
    if (strcmp(format, "csv") == 0) {
        ch_jw w;
        char buf[40];
        static const char header[] =
            "quarter,service,service_name,theme,theme_name,channel,outcome,cases\r\n";
        ch_jw_init(&w);
        ch_jw_raw(&w, header, sizeof(header) - 1);
        for (size_t i = 0; i < nlines; i++) {
            const line *l = &lines[i];
            const char *parts[] = {l->quarter,
                                   l->service,
                                   l->service_name,
                                   l->theme,
                                   l->theme_name,
                                   l->channel ? l->channel : "all",
                                   l->outcome ? l->outcome : "all"};
            for (size_t k = 0; k < sizeof(parts) / sizeof(*parts); k++) {
                ch_csv_field(&w, parts[k]);
                ch_jw_raw(&w, ",", 1);
            }
            ch_figure_text(l->cases, buf, sizeof(buf));
            ch_csv_field(&w, buf);
            ch_jw_raw(&w, "\r\n", 2);
        }
        size_t len;
        char *text = ch_jw_take(&w, &len);
        if (!text)
            return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        return ch_http_download(r, "text/csv; charset=utf-8", name, text, len);
    }
    static const char *const head[] = {"Quarter", "Service", "Theme",
                                       "Channel", "Outcome", "Cases"};
    ch_table_cell *cells = ch_arena_alloc(&r->arena, (nlines + 1) * 6 * sizeof(*cells));
    if (!cells)
        return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
    for (size_t i = 0; i < nlines; i++) {
        const line *l = &lines[i];
        ch_table_cell *c = &cells[i * 6];
        c[0] = (ch_table_cell){l->quarter, 0};
        c[1] = (ch_table_cell){l->service_name, 0};
        c[2] = (ch_table_cell){l->theme_name, 0};
        c[3] = (ch_table_cell){l->channel ? l->channel : "All channels", 0};
        c[4] = (ch_table_cell){l->outcome ? outcome_words(l->outcome) : "All outcomes", 0};
        table_figure(&c[5], r, l->cases);
    }
    const char *notes[] = {period, rule_text, "No names and no free text are included."};
    ch_report_table t = {"Themes of cases", notes, 3, head, 6, cells, nlines};
    char *data = NULL;
    size_t len = 0;
    bool xlsx = strcmp(format, "xlsx") == 0;
    if (xlsx ? ch_report_table_xlsx(&t, &data, &len, &err)
             : ch_report_table_pdf(&t, &data, &len, &err))
        return ch_http_error(r, &err);
    return ch_http_download(r, xlsx ? CH_XLSX_TYPE : "application/pdf", name, data, len);
}
