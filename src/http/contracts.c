/* /api/v1/contracts: what schools bought, the hours ledger behind each
 * contract, logged time and manager adjustments. The rules (what counts,
 * what is owed) are the core's; this file reads the request, asks the core,
 * and has the store write. */
#include "core/ledger.h"
#include "core/text.h"
#include "core/timefmt.h"
#include "http/hours.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* "2026-27" into its first and last days: 1 September to 31 August. */
static bool year_parse(const char *s, ch_date *first, ch_date *last)
{
    int y, y2, used = 0;
    if (!s || sscanf(s, "%4d-%2d%n", &y, &y2, &used) != 2 || used != 7 || s[used] || y < 2000 ||
        y > 2100 || y2 != (y + 1) % 100)
        return false;
    *first = ch_date_from_ymd(y, 9, 1);
    *last = ch_date_from_ymd(y + 1, 8, 31);
    return true;
}

/* A JSON number with at most two decimals, in hundredths. */
static bool hundredths_of(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i <= 0 || i > 100000)
            return false;
        *out = (int64_t)i * 100;
        return true;
    }
    if (!json_is_real(v))
        return false;
    double x = json_real_value(v) * 100.0;
    double rounded = round(x);
    if (!(x > 0 && x <= 1e7) || fabs(x - rounded) > 1e-6)
        return false;
    *out = (int64_t)rounded;
    return true;
}

static enum MHD_Result send_contract(ch_req *r, unsigned status, const ch_contract *c,
                                     const ch_ledger_row *rows, size_t n, const ch_visit *visits,
                                     size_t nv)
{
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_contract_members(&w, c);
    if (rows) {
        ch_jw_key(&w, "ledger");
        ch_jw_arr(&w);
        int64_t balance = 0;
        for (size_t i = 0; i < n; i++) {
            /* Hours owed are a note beside the movements: no balance change. */
            if (strcmp(rows[i].kind, "owed") != 0)
                balance += rows[i].minutes;
            ch_jw_obj(&w);
            ch_jw_key(&w, "id");
            ch_jw_int(&w, rows[i].id);
            ch_jw_key(&w, "at");
            ch_jw_time(&w, rows[i].at);
            ch_jw_key(&w, "kind");
            ch_jw_str(&w, rows[i].kind);
            ch_jw_key(&w, "minutes");
            ch_jw_int(&w, rows[i].minutes);
            ch_jw_key(&w, "balance_minutes");
            ch_jw_int(&w, balance);
            ch_jw_key(&w, "visit_id");
            ch_jw_id(&w, rows[i].visit_id);
            ch_jw_key(&w, "reason");
            ch_jw_str(&w, rows[i].reason);
            ch_jw_key(&w, "created_by");
            ch_jw_id(&w, rows[i].created_by);
            ch_jw_obj_end(&w);
        }
        ch_jw_arr_end(&w);
        ch_jw_key(&w, "visits");
        ch_jw_arr(&w);
        for (size_t i = 0; i < nv; i++) {
            ch_jw_obj(&w);
            ch_jw_visit_members(&w, &visits[i]);
            ch_jw_obj_end(&w);
        }
        ch_jw_arr_end(&w);
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

/* A school's named contact, in a contract. */
static const ch_req_key contact_keys[] = {{"name", NULL}, {"email", NULL}, {NULL, NULL}};

enum MHD_Result ch_http_contracts_create(ch_req *r)
{
    static const ch_req_key keys[] = {{"school", NULL},
                                      {"organisation_id", NULL},
                                      {"service", NULL},
                                      {"year", NULL},
                                      {"unit", NULL},
                                      {"amount", NULL},
                                      {"block_minutes", NULL},
                                      {"consultant_id", NULL},
                                      {"prep_counts", NULL},
                                      {"shortfall_policy", NULL},
                                      {"contact", contact_keys},
                                      {"scope", NULL},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_desk_service ds;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    ch_contract c = {0};
    c.organisation = ch_req_text(&p, body, "school", 200, false);
    ch_req_int(&p, body, "organisation_id", 1, INT64_MAX, false, &c.organisation_id);
    if (!c.organisation && !c.organisation_id && !json_object_get(body, "organisation_id"))
        ch_req_bad(&p, "school", "name the school (school) or give its organisation_id.");
    const char *service = ch_req_text(&p, body, "service", 140, true);
    c.year = ch_req_text(&p, body, "year", 7, true);
    if (c.year && !year_parse(c.year, &c.starts, &c.ends))
        ch_req_bad(&p, "year", "year must be an academic year such as 2026-27.");
    c.unit = ch_req_text(&p, body, "unit", 16, true);
    ch_amount_unit unit = CH_AMOUNT_HOURS;
    if (c.unit && ch_amount_unit_parse(c.unit, &unit))
        ch_req_bad(&p, "unit", "unit must be hours, days or half-days.");
    json_t *amount = json_object_get(body, "amount");
    if (!amount || !hundredths_of(amount, &c.amount))
        ch_req_bad(&p, "amount",
                   "amount must be a number more than 0 with at most two decimals, e.g. 3 or "
                   "2.5.");
    int64_t block = 0, consultant = 0;
    ch_req_int(&p, body, "block_minutes", 15, 480, false, &block);
    ch_req_int(&p, body, "consultant_id", 1, INT64_MAX, false, &consultant);
    c.consultant_id = consultant;
    c.prep_counts = true;
    ch_req_bool(&p, body, "prep_counts", &c.prep_counts);
    c.scope = ch_req_text(&p, body, "scope", 2000, false);
    c.shortfall_policy = ch_req_text(&p, body, "shortfall_policy", 16, false);
    ch_shortfall_policy sp = CH_SHORTFALL_REFUND;
    if (!c.shortfall_policy)
        c.shortfall_policy = "refund";
    else if (ch_shortfall_policy_parse(c.shortfall_policy, &sp))
        ch_req_bad(&p, "shortfall_policy", "shortfall_policy must be refund or rollover.");
    json_t *contact = json_object_get(body, "contact");
    if (contact && !json_is_null(contact)) {
        if (!json_is_object(contact))
            ch_req_bad(&p, "contact", "contact must be an object with name and email.");
        c.contact_name = ch_req_text(&p, contact, "name", 200, false);
        c.contact_email = ch_req_text(&p, contact, "email", 254, false);
        if (c.contact_email && !strchr(c.contact_email, '@'))
            ch_req_bad(&p, "contact", "contact.email must be an email address.");
    }
    if (!ch_req_one_line(c.organisation))
        ch_req_bad(&p, "school", "school must be one line of text.");
    if (!ch_req_one_line(c.contact_name) || !ch_req_one_line(c.contact_email))
        ch_req_bad(&p, "contact", "the contact's name and email must each be one line of text.");
    bool have_service = service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK;
    if (service && !have_service)
        ch_req_bad(&p, "service", "%s", err.msg);
    if (have_service && c.amount && c.unit &&
        ch_amount_minutes(c.amount, unit, ds.service->day_length, ds.service->half_day,
                          &c.purchased, &err))
        ch_req_bad(&p, "amount", "%s.", err.msg);
    if (have_service && consultant)
        ch_hours_consultant_ok(r, &p, "consultant_id", consultant, ds.name);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_hours_manager(r) || !ch_desk_can_see(r, ds.name)) {
        res = ch_http_problem(r, 403, "Managers record contracts",
                              "Only a manager of this service can record what a school bought.",
                              NULL);
        goto out;
    }
    c.service = ds.name;
    c.block = (int32_t)(block ? block : ds.service->visit_block ? ds.service->visit_block : 150);
    c.created_by = r->user.id;
    c.created_at = r->now;
    /* The hours are there from the first day of the year they were bought
     * for, so each term's statement opens with the right balance. */
    c.purchased_at =
        ch_hours_day_start(ch_policy_service_calendar(ds.policy, ds.service), c.starts);
    ch_desk_audit_attach(r, "create", "contract", &c.id);
    if (ch_desk_audit_finish(r, ch_store_contract_insert(r->desk->store, &c, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_contract saved;
    if (ch_store_contract_get(r->desk->store, c.id, &r->arena, &saved, &err))
        res = ch_http_error(r, &err);
    else
        res = send_contract(r, 201, &saved, NULL, 0, NULL, 0);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_contracts_list(ch_req *r)
{
    ch_error err = {0};
    const char *school = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "school");
    const char *consultant =
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "consultant");
    ch_contract_filter f = {0};
    f.year = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "year");
    f.status = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "status");
    char *end;
    if (school && ((f.organisation_id = strtoll(school, &end, 10)) <= 0 || *end))
        return ch_http_problem(r, 400, "Bad filter", "school must be an organisation's id.", NULL);
    if (consultant && ((f.consultant_id = strtoll(consultant, &end, 10)) <= 0 || *end))
        return ch_http_problem(r, 400, "Bad filter", "consultant must be a user's id.", NULL);
    if ((f.year && strlen(f.year) > 7) || (f.status && strlen(f.status) > 8))
        return ch_http_problem(r, 400, "Bad filter",
                               "year is like 2026-27 and status is open or closed.", NULL);
    f.services = ch_req_services(r, &f.nservices);
    ch_contract *rows;
    size_t n;
    if (ch_store_contract_list(r->desk->store, &f, &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "contracts");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        ch_jw_obj(&w);
        ch_jw_contract_members(&w, &rows[i]);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_contract_get(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    ch_ledger_row *rows;
    ch_visit *visits;
    size_t n, nv;
    if (!ch_hours_contract(r, id, &c, &ds, &res))
        return res;
    ch_visit_filter vf = {.contract_id = id};
    if (ch_store_ledger_list(r->desk->store, id, &r->arena, &rows, &n, &err) ||
        ch_store_visit_list(r->desk->store, &vf, &r->arena, &visits, &nv, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "read", "contract", id))
        return ch_http_error(r, (ch_error_set(&err, CH_E_STORE, "the audit log failed"), &err));
    return send_contract(r, 200, &c, rows, n, visits, nv);
}

/* PATCH /api/v1/contracts/{id}: a manager changes who is told and who
 * visits, how shortfall is settled, the usual visit or whether preparation
 * counts. Hours bought change only through the ledger. */
enum MHD_Result ch_http_contract_patch(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    static const ch_req_key keys[] = {{"contact", contact_keys},
                                      {"consultant_id", NULL},
                                      {"shortfall_policy", NULL},
                                      {"block_minutes", NULL},
                                      {"prep_counts", NULL},
                                      {"scope", NULL},
                                      {NULL, NULL}};
    json_t *body = NULL;
    if (!ch_hours_contract(r, id, &c, &ds, &res) ||
        !(body = ch_req_body_hint(r, keys,
                                  "What was bought changes through an adjustment (POST "
                                  "/api/v1/contracts/{id}/entries), not here.",
                                  &res)))
        return res;
    ch_contract_change ch = {.id = id, .prep_counts = -1};
    json_t *contact = json_object_get(body, "contact");
    if (contact) {
        ch.set_contact = true;
        if (!json_is_object(contact)) {
            ch_req_bad(&p, "contact", "contact must be an object with name and email.");
        } else {
            ch.contact_name = ch_req_text(&p, contact, "name", 200, false);
            ch.contact_email = ch_req_text(&p, contact, "email", 254, false);
            if (!ch_req_one_line(ch.contact_name) || !ch_req_one_line(ch.contact_email) ||
                (ch.contact_email && !strchr(ch.contact_email, '@')))
                ch_req_bad(&p, "contact",
                           "the contact's name and email must each be one line, the email an "
                           "address.");
        }
    }
    json_t *consultant = json_object_get(body, "consultant_id");
    if (consultant) {
        ch.set_consultant = true;
        if (!json_is_null(consultant) &&
            ch_req_int(&p, body, "consultant_id", 1, INT64_MAX, true, &ch.consultant_id))
            ch_hours_consultant_ok(r, &p, "consultant_id", ch.consultant_id, ds.name);
    }
    ch.shortfall_policy = ch_req_text(&p, body, "shortfall_policy", 16, false);
    ch_shortfall_policy sp;
    if (ch.shortfall_policy && ch_shortfall_policy_parse(ch.shortfall_policy, &sp))
        ch_req_bad(&p, "shortfall_policy", "shortfall_policy must be refund or rollover.");
    int64_t block = 0;
    ch_req_int(&p, body, "block_minutes", 15, 480, false, &block);
    ch.block = (int32_t)block;
    /* What the consultancy covers is agreed with the school; null clears it. */
    if (json_object_get(body, "scope")) {
        ch.set_scope = true;
        ch.scope = ch_req_text(&p, body, "scope", 2000, false);
    }
    bool prep = c.prep_counts;
    if (json_object_get(body, "prep_counts")) {
        ch_req_bool(&p, body, "prep_counts", &prep);
        ch.prep_counts = prep;
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_hours_manager(r)) {
        res = ch_http_problem(r, 403, "Managers change contracts",
                              "Only a manager can change a school's contract.", NULL);
        goto out;
    }
    ch_contract now;
    ch_desk_audit_attach(r, "update", "contract", &id);
    if (ch_desk_audit_finish(r, ch_store_contract_update(r->desk->store, &ch, &err), &err) ||
        ch_store_contract_get(r->desk->store, id, &r->arena, &now, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_contract(r, 200, &now, NULL, 0, NULL, 0);
out:
    json_decref(body);
    return res;
}

/* Whether a report written by the user from at, for minutes, stays clear
 * of their own visits: the charter says reports are not written on site,
 * so the time cannot fall inside a visit they are booked on or made.
 * Queues the 409 naming the visit when it does. */
static bool report_off_site(ch_req *r, const ch_desk_service *ds, ch_time at, int64_t minutes,
                            enum MHD_Result *res)
{
    ch_error err = {0};
    ch_visit v;
    int rc = ch_hours_visit_during(r, r->user.id, 0, (ch_slot){at, (int32_t)minutes}, &v, &err);
    if (rc == CH_E_NOTFOUND)
        return true;
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    char day[40], a[16], b[16], detail[600];
    ch_date_format_long(ch_hours_local_date(cal, v.starts_at), day, sizeof(day));
    ch_hours_clock(cal, v.starts_at, a, sizeof(a));
    ch_hours_clock(cal, v.starts_at + (ch_time)v.booked * 60, b, sizeof(b));
    snprintf(detail, sizeof(detail),
             "That time falls inside your visit to %s from %s to %s on %s (visit %lld), and "
             "reports are written away from the school, not during a visit. Give the time the "
             "report was actually written (at).",
             v.school ? v.school : "a school", a, b, day, (long long)v.id);
    *res = ch_http_problem_typed(r, 409, "/problems/report-on-site",
                                 "Reports are not written on site", detail, json_pack("[s]", "at"));
    return false;
}

/* POST /api/v1/contracts/{id}/entries: time logged against the contract
 * (a report, preparation), a manager's adjustment, or hours a manager
 * records as owed (time we could not provide other than by cancelling a
 * visit). Purchases, refunds, rollovers and lapses come only from the
 * contract and its year end. */
enum MHD_Result ch_http_entries_create(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_contract c;
    ch_desk_service ds;
    static const ch_req_key keys[] = {{"kind", NULL},    {"what", NULL},
                                      {"reason", NULL},  {"at", NULL},
                                      {"minutes", NULL}, {"confirm_over_balance", NULL},
                                      {NULL, NULL}};
    json_t *body = NULL;
    if (!ch_hours_contract_body(r, id, &c, &ds, keys, &body, &res))
        return res;
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    const char *kind = ch_req_text(&p, body, "kind", 16, true);
    const char *what = ch_req_text(&p, body, "what", 16, false);
    const char *reason = ch_req_text(&p, body, "reason", 300, false);
    int64_t minutes = 0;
    ch_time at = r->now;
    bool confirm = false;
    ch_hours_time(&p, body, "at", cal, false, &at);
    ch_req_bool(&p, body, "confirm_over_balance", &confirm);
    bool adjustment = kind && strcmp(kind, "adjustment") == 0;
    bool drawdown = kind && strcmp(kind, "drawdown") == 0;
    bool owed = kind && strcmp(kind, "owed") == 0;
    if (kind && !adjustment && !drawdown && !owed)
        ch_req_bad(&p, "kind",
                   "kind must be drawdown (time used), adjustment or owed (time we could not "
                   "provide); purchases, refunds, rollovers and lapses come from the contract "
                   "and its year end.");
    if (owed)
        ch_req_int(&p, body, "minutes", 1, 100000, true, &minutes);
    if (drawdown)
        ch_req_int(&p, body, "minutes", 1, 24 * 60, true, &minutes);
    if (adjustment && ch_req_int(&p, body, "minutes", -100000, 100000, true, &minutes) &&
        minutes == 0)
        ch_req_bad(&p, "minutes", "an adjustment of 0 minutes changes nothing.");
    static const char *const whats[] = {"report", "preparation", "follow-up", "other"};
    static const char *const labels[] = {"Report writing", "Preparation", "Follow-up",
                                         "Other time"};
    int w = -1;
    for (int i = 0; what && i < 4; i++)
        if (strcmp(what, whats[i]) == 0)
            w = i;
    if (drawdown && w < 0)
        ch_req_bad(&p, "what", "what must be report, preparation, follow-up or other.");
    if ((adjustment || owed) && !ch_text_said(reason))
        ch_req_bad(&p, "reason", "%s needs a reason the school can read.",
                   owed ? "hours owed" : "an adjustment");
    if (at > r->now + 300)
        ch_req_bad(&p, "at", "at is in the future; log time once it is spent.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (drawdown && (w == 1 || w == 2) && !c.prep_counts) {
        res = ch_http_problem(r, 400, "Preparation is not charged on this contract",
                              "This school's contract does not count preparation or follow-up "
                              "time against its hours, so it cannot be logged here.",
                              NULL);
        goto out;
    }
    if ((adjustment || owed) && !ch_hours_manager(r)) {
        res = ch_http_problem(r, 403, "A manager adjusts hours",
                              "Only a manager can adjust a school's hours or record hours we "
                              "owe; ask one to do it with the reason.",
                              NULL);
        goto out;
    }
    if (strcmp(c.status, "open") != 0) {
        res = ch_http_problem(r, 409, "The contract is closed",
                              "This contract was settled at the year end; record the time on "
                              "the school's contract for the new year.",
                              NULL);
        goto out;
    }
    if (drawdown && w == 0 && !report_off_site(r, &ds, at, minutes, &res))
        goto out;
    /* Time logged past what the school bought is agreed by a manager, as
     * a booking past it is: the school is told it owes more. */
    bool past = drawdown && c.balance - minutes < 0;
    if (past) {
        char left[32], detail[400];
        ch_minutes_format(c.balance, left, sizeof(left));
        snprintf(detail, sizeof(detail),
                 "%s has %s left, so logging %lld minutes would take it past what it bought. %s",
                 c.organisation, left, (long long)minutes,
                 ch_hours_manager(r) ? "Send confirm_over_balance: true to log it anyway."
                                     : "A manager must agree to log it.");
        if (!ch_hours_manager(r) || !confirm) {
            res = ch_http_problem_typed(r, ch_hours_manager(r) ? 409 : 403,
                                        "/problems/past-balance", "Past the school's hours", detail,
                                        json_pack("[s]", "minutes"));
            goto out;
        }
    }
    char text[400];
    if (drawdown)
        snprintf(text, sizeof(text), "%s%s%s%s", labels[w], reason && *reason ? ": " : "",
                 reason ? reason : "", past ? " (past the balance, agreed by a manager)" : "");
    else
        snprintf(text, sizeof(text), "%s: %s", owed ? "Owed by us" : "Adjustment", reason);
    /* Owed minutes are kept positive: a note of what we owe, which leaves
     * the balance alone until the year end settles it. */
    ch_ledger_row e = {.contract_id = id,
                       .at = at,
                       .kind = kind,
                       .minutes = drawdown ? -minutes : minutes,
                       .reason = text,
                       .created_by = r->user.id,
                       .created_at = r->now};
    ch_desk_audit_attach(r, "update", "contract", &id);
    if (ch_desk_audit_finish(r, ch_store_ledger_append(r->desk->store, &e, 1, 0, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_contract now;
    if (ch_store_contract_get(r->desk->store, id, &r->arena, &now, &err))
        res = ch_http_error(r, &err);
    else
        res = send_contract(r, 201, &now, NULL, 0, NULL, 0);
out:
    json_decref(body);
    return res;
}
