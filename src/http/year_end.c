/* GET and POST /api/v1/contracts/{id}/year-end: the reconciliation a
 * manager reads and then confirms, once, after the academic year has ended:
 * what we owe is refunded or carried into next year's contract, and the
 * rest lapses. */
#include "core/ledger.h"
#include "core/timefmt.h"
#include "http/hours.h"

#include <stdio.h>
#include <string.h>

static void jw_year_end(ch_jw *w, const ch_contract *c, const ch_year_end *y)
{
    ch_jw_key(w, "contract_id");
    ch_jw_int(w, c->id);
    ch_jw_key(w, "year");
    ch_jw_str(w, c->year);
    ch_jw_key(w, "status");
    ch_jw_str(w, c->status);
    ch_jw_key(w, "shortfall_policy");
    ch_jw_str(w, c->shortfall_policy);
    ch_jw_key(w, "balance_minutes");
    ch_jw_int(w, y->balance);
    ch_jw_key(w, "shortfall_minutes");
    ch_jw_int(w, y->shortfall);
    ch_jw_key(w, "owed_minutes");
    ch_jw_int(w, y->owed);
    ch_jw_key(w, "lapsed_minutes");
    ch_jw_int(w, y->lapsed);
    ch_jw_key(w, "carry_minutes");
    ch_jw_int(w, y->carry);
    ch_jw_key(w, "still_booked_minutes");
    ch_jw_int(w, c->booked);
}

enum MHD_Result ch_http_year_end(ch_req *r, int64_t id, bool confirm)
{
    enum MHD_Result res = MHD_NO;
    problems p = {0};
    ch_error err = {0};
    ch_contract c, into = {0};
    ch_desk_service ds;
    json_t *body = NULL;
    if (!ch_hours_contract(r, id, &c, &ds, &res))
        return res;
    ch_shortfall_policy sp = CH_SHORTFALL_REFUND;
    ch_shortfall_policy_parse(c.shortfall_policy, &sp);
    ch_year_end y;
    ch_year_end_settle(c.balance, c.shortfall, sp, r->now, &y);
    if (confirm) {
        static const ch_req_key keys[] = {{"confirm", NULL}, {"into", NULL}, {NULL, NULL}};
        if (!(body = ch_req_body(r, keys, &res)))
            return res;
        bool yes = false;
        int64_t into_id = 0;
        ch_req_bool(&p, body, "confirm", &yes);
        ch_req_int(&p, body, "into", 1, INT64_MAX, false, &into_id);
        if (!yes)
            ch_req_bad(&p, "confirm", "send confirm: true once you have read the figures.");
        if (y.carry > 0 && !into_id)
            ch_req_bad(&p, "into",
                       "this contract rolls its shortfall over: give into, the id of the "
                       "school's contract for the next year (create it first).");
        if (p.fields) {
            res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
            goto out;
        }
        if (!ch_hours_manager(r)) {
            res = ch_http_problem(r, 403, "A manager settles the year",
                                  "Only a manager can confirm a contract's year end.", NULL);
            goto out;
        }
        ch_date today =
            ch_hours_local_date(ch_policy_service_calendar(ds.policy, ds.service), r->now);
        if (today <= c.ends) {
            char ends[32];
            ch_date_format_long(c.ends, ends, sizeof(ends));
            char detail[200];
            snprintf(detail, sizeof(detail),
                     "The academic year %s runs until %s; settle it after that.", c.year, ends);
            res = ch_http_problem(r, 409, "The year has not ended", detail, NULL);
            goto out;
        }
        if (c.booked > 0) {
            res = ch_http_problem(r, 409, "Visits are still booked",
                                  "Record how each booked visit ended before settling the year.",
                                  NULL);
            goto out;
        }
        if (y.carry > 0) {
            if (ch_store_contract_get(r->desk->store, into_id, &r->arena, &into, &err)) {
                res = ch_http_error(r, &err);
                goto out;
            }
            if (into.id == c.id || into.organisation_id != c.organisation_id ||
                strcmp(into.service, c.service) != 0 || strcmp(into.status, "open") != 0) {
                res = ch_http_problem(r, 400, "Not the next contract",
                                      "into must be an open contract of the same school for the "
                                      "same service.",
                                      NULL);
                goto out;
            }
        }
        /* Settled as of the year's last moment, so the closing entries fall
         * in its summer statement and the carry opens the next year. */
        ch_time year_end =
            ch_hours_day_start(ch_policy_service_calendar(ds.policy, ds.service), c.ends + 1);
        ch_ledger_row rows[3];
        size_t n = 0;
        char why[3][200];
        for (size_t i = 0; i < y.nclosing; i++, n++) {
            snprintf(why[n], sizeof(why[n]), "Year end %s: %s", c.year,
                     y.closing[i].kind == CH_ENTRY_LAPSE    ? "unused hours lapse"
                     : y.closing[i].kind == CH_ENTRY_REFUND ? "hours we could not deliver refunded"
                                                            : "hours we could not deliver carried");
            rows[n] = (ch_ledger_row){.contract_id = id,
                                      .at = year_end - 1,
                                      .kind = ch_entry_kind_name(y.closing[i].kind),
                                      .minutes = y.closing[i].minutes,
                                      .reason = why[n],
                                      .created_by = r->user.id,
                                      .created_at = r->now};
        }
        if (y.carry > 0) {
            snprintf(why[n], sizeof(why[n]), "Carried from contract %lld (%s)", (long long)c.id,
                     c.year);
            rows[n] = (ch_ledger_row){.contract_id = into.id,
                                      .at = year_end,
                                      .kind = "rollover",
                                      .minutes = y.carry,
                                      .reason = why[n],
                                      .created_by = r->user.id,
                                      .created_at = r->now};
            n++;
        }
        ch_desk_audit_attach(r, "update", "contract", &id);
        if (ch_desk_audit_finish(r, ch_store_ledger_append(r->desk->store, rows, n, id, &err),
                                 &err)) {
            res = ch_http_error(r, &err);
            goto out;
        }
        c.status = "closed";
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    jw_year_end(&w, &c, &y);
    ch_jw_key(&w, "into");
    ch_jw_id(&w, into.id);
    ch_jw_obj_end(&w);
    res = ch_http_jw(r, 200, &w, NULL);
out:
    json_decref(body);
    return res;
}

/* Minutes a closed contract settled as kind (refund, rollover, lapse). */
static int64_t settled(const ch_ledger_row *rows, size_t n, int64_t contract_id, const char *kind)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].contract_id == contract_id && strcmp(rows[i].kind, kind) == 0)
            sum -= rows[i].minutes;
    return sum;
}

/* GET /api/v1/year-end?year=2025-26: the reconciliation report for a year,
 * every contract in the services the manager sees: what each open one would
 * settle and whether it can be settled yet, and what each closed one did. */
enum MHD_Result ch_http_year_end_report(ch_req *r)
{
    ch_error err = {0};
    const char *year = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "year");
    int y, y2, used = 0;
    if (!ch_hours_manager(r))
        return ch_http_problem(r, 403, "Managers only",
                               "The year-end reconciliation is for managers.", NULL);
    if (!year || strlen(year) != 7 || sscanf(year, "%4d-%2d%n", &y, &y2, &used) != 2 || used != 7 ||
        y2 != (y + 1) % 100)
        return ch_http_problem(r, 400, "Bad year", "year is an academic year such as 2025-26.",
                               NULL);
    ch_contract_filter f = {.year = year, .limit = 5000};
    f.services = ch_req_services(r, &f.nservices);
    ch_contract *rows;
    size_t n;
    if (ch_store_contract_list(r->desk->store, &f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "year");
    ch_jw_str(&w, year);
    ch_jw_key(&w, "contracts");
    ch_jw_arr(&w);
    int64_t owed = 0, lapsed = 0;
    for (size_t i = 0; i < n; i++) {
        const ch_contract *c = &rows[i];
        ch_desk_service ds;
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_int(&w, c->id);
        ch_jw_key(&w, "school");
        ch_jw_str(&w, c->organisation);
        ch_jw_key(&w, "service");
        ch_jw_str(&w, c->service);
        if (strcmp(c->status, "open") != 0) {
            ch_ledger_row *entries;
            size_t ne;
            if (ch_store_ledger_list(r->desk->store, c->id, &r->arena, &entries, &ne, &err)) {
                ch_jw_free(&w);
                return ch_http_error(r, &err);
            }
            ch_jw_key(&w, "status");
            ch_jw_str(&w, "settled");
            ch_jw_key(&w, "refunded_minutes");
            ch_jw_int(&w, settled(entries, ne, c->id, "refund"));
            ch_jw_key(&w, "rolled_over_minutes");
            ch_jw_int(&w, settled(entries, ne, c->id, "rollover"));
            ch_jw_key(&w, "lapsed_minutes");
            ch_jw_int(&w, settled(entries, ne, c->id, "lapse"));
            ch_jw_obj_end(&w);
            continue;
        }
        ch_shortfall_policy sp = CH_SHORTFALL_REFUND;
        ch_shortfall_policy_parse(c->shortfall_policy, &sp);
        ch_year_end ye;
        ch_year_end_settle(c->balance, c->shortfall, sp, r->now, &ye);
        bool ended = ch_desk_service_find(r->desk, c->service, &ds, &err) == CH_OK &&
                     ch_hours_local_date(ch_policy_service_calendar(ds.policy, ds.service),
                                         r->now) > c->ends;
        owed += ye.owed;
        lapsed += ye.lapsed;
        ch_jw_key(&w, "status");
        ch_jw_str(&w, !ended ? "year not ended" : c->booked ? "visits still booked" : "ready");
        ch_jw_key(&w, "shortfall_policy");
        ch_jw_str(&w, c->shortfall_policy);
        ch_jw_key(&w, "owed_minutes");
        ch_jw_int(&w, ye.owed);
        ch_jw_key(&w, "lapsed_minutes");
        ch_jw_int(&w, ye.lapsed);
        ch_jw_key(&w, "still_booked_minutes");
        ch_jw_int(&w, c->booked);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "open_owed_minutes");
    ch_jw_int(&w, owed);
    ch_jw_key(&w, "open_lapsed_minutes");
    ch_jw_int(&w, lapsed);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
