/* Shared by the purchased-hours handlers: loading a contract the user may
 * see, times and dates on the service's calendar, and contracts and visits
 * as JSON. */
#include "core/ledger.h"
#include "core/timefmt.h"
#include "http/hours.h"

#include <stdio.h>
#include <string.h>

bool ch_hours_manager(const ch_req *r)
{
    return r->user.role == CH_ROLE_MANAGER || r->user.role == CH_ROLE_ADMIN;
}

bool ch_hours_contract(ch_req *r, int64_t id, ch_contract *c, ch_desk_service *ds,
                       enum MHD_Result *res)
{
    ch_error err = {0};
    if (ch_store_contract_get(r->desk->store, id, &r->arena, c, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (!ch_desk_can_see(r, c->service)) {
        ch_error_set(&err, CH_E_NOTFOUND, "there is no contract %lld", (long long)id);
        *res = ch_http_error(r, &err);
        return false;
    }
    if (ch_desk_service_find(r->desk, c->service, ds, &err)) {
        *res = ch_http_problem(r, 409, "The charter is not loaded",
                               "No charter loaded on this desk has the contract's service; ask "
                               "an administrator to load it again.",
                               NULL);
        return false;
    }
    return true;
}

bool ch_hours_contract_body(ch_req *r, int64_t id, ch_contract *c, ch_desk_service *ds,
                            const ch_req_key *keys, json_t **body, enum MHD_Result *res)
{
    return ch_hours_contract(r, id, c, ds, res) && (*body = ch_req_body(r, keys, res)) != NULL;
}

ch_time ch_hours_day_start(const ch_calendar *cal, ch_date d)
{
    ch_time t;
    bool ambiguous;
    if (ch_tz_from_local(ch_calendar_tz(cal), d, 0, &t, &ambiguous))
        t = (ch_time)d * CH_DAY_SECS;
    return t;
}

ch_date ch_hours_local_date(const ch_calendar *cal, ch_time t)
{
    ch_date d;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(cal), t, &d, &secs);
    return d;
}

bool ch_hours_time(problems *p, json_t *obj, const char *key, const ch_calendar *cal, bool required,
                   ch_time *out)
{
    const char *s = ch_req_text(p, obj, key, 40, required);
    ch_error err = {0};
    if (!s)
        return false;
    if (ch_time_parse(s, ch_calendar_tz(cal), out, &err)) {
        ch_req_bad(p, key, "%s: %s", key, err.msg);
        return false;
    }
    return true;
}

void ch_jw_hours(ch_jw *w, int64_t minutes)
{
    char buf[32];
    ch_hours_text(minutes, buf, sizeof(buf));
    ch_jw_number(w, buf);
}

static void jw_date(ch_jw *w, ch_date d)
{
    char buf[16];
    ch_date_format(d, buf, sizeof(buf));
    ch_jw_str(w, buf);
}

void ch_jw_contract_members(ch_jw *w, const ch_contract *c)
{
    char amount[32];
    snprintf(amount, sizeof(amount), "%lld.%02lld", (long long)(c->amount / 100),
             (long long)(c->amount % 100));
    int64_t available = c->balance - c->booked, visits, left;
    ch_visits_fit(available, c->block, &visits, &left);
    ch_jw_key(w, "id");
    ch_jw_int(w, c->id);
    ch_jw_key(w, "school");
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, c->organisation_id);
    ch_jw_key(w, "name");
    ch_jw_str(w, c->organisation);
    ch_jw_obj_end(w);
    ch_jw_key(w, "service");
    ch_jw_str(w, c->service);
    ch_jw_key(w, "year");
    ch_jw_str(w, c->year);
    ch_jw_key(w, "starts");
    jw_date(w, c->starts);
    ch_jw_key(w, "ends");
    jw_date(w, c->ends);
    ch_jw_key(w, "amount");
    ch_jw_number(w, amount);
    ch_jw_key(w, "unit");
    ch_jw_str(w, c->unit);
    ch_jw_key(w, "purchased_minutes");
    ch_jw_int(w, c->purchased);
    ch_jw_key(w, "block_minutes");
    ch_jw_int(w, c->block);
    ch_jw_key(w, "prep_counts");
    ch_jw_bool(w, c->prep_counts);
    ch_jw_key(w, "scope");
    ch_jw_str(w, c->scope);
    ch_jw_key(w, "contact");
    ch_jw_obj(w);
    ch_jw_key(w, "name");
    ch_jw_str(w, c->contact_name);
    ch_jw_key(w, "email");
    ch_jw_str(w, c->contact_email);
    ch_jw_obj_end(w);
    ch_jw_key(w, "consultant");
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_id(w, c->consultant_id);
    ch_jw_key(w, "name");
    ch_jw_str(w, c->consultant);
    ch_jw_obj_end(w);
    ch_jw_key(w, "shortfall_policy");
    ch_jw_str(w, c->shortfall_policy);
    ch_jw_key(w, "status");
    ch_jw_str(w, c->status);
    ch_jw_key(w, "balance_minutes");
    ch_jw_int(w, c->balance);
    ch_jw_key(w, "balance_hours");
    ch_jw_hours(w, c->balance);
    ch_jw_key(w, "booked_minutes");
    ch_jw_int(w, c->booked);
    ch_jw_key(w, "available_minutes");
    ch_jw_int(w, available);
    ch_jw_key(w, "blocks_left");
    ch_jw_int(w, visits);
    ch_jw_key(w, "minutes_past_blocks");
    ch_jw_int(w, left);
    ch_jw_key(w, "shortfall_minutes");
    ch_jw_int(w, c->shortfall);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, c->created_at);
}

void ch_jw_visit_members(ch_jw *w, const ch_visit *v)
{
    ch_jw_key(w, "id");
    ch_jw_int(w, v->id);
    ch_jw_key(w, "contract_id");
    ch_jw_int(w, v->contract_id);
    ch_jw_key(w, "school");
    ch_jw_str(w, v->school);
    ch_jw_key(w, "service");
    ch_jw_str(w, v->service);
    ch_jw_key(w, "consultant");
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_id(w, v->consultant_id);
    ch_jw_key(w, "name");
    ch_jw_str(w, v->consultant);
    ch_jw_obj_end(w);
    ch_jw_key(w, "starts_at");
    ch_jw_time(w, v->starts_at);
    ch_jw_key(w, "booked_minutes");
    ch_jw_int(w, v->booked);
    ch_jw_key(w, "actual_minutes");
    ch_jw_id(w, v->actual);
    ch_jw_key(w, "status");
    ch_jw_str(w, v->status);
    ch_jw_key(w, "reason");
    ch_jw_str(w, v->reason);
    ch_jw_key(w, "note");
    ch_jw_str(w, v->note);
    ch_jw_key(w, "late");
    if (v->late_notice_at || v->late_expected_at) {
        ch_jw_obj(w);
        ch_jw_key(w, "notice_at");
        ch_jw_time(w, v->late_notice_at);
        ch_jw_key(w, "expected_at");
        ch_jw_time(w, v->late_expected_at);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    ch_jw_key(w, "arrived_at");
    ch_jw_time(w, v->arrived_at);
    ch_jw_key(w, "kind");
    ch_jw_str(w, v->kind ? v->kind : "visit");
    /* A training session: by when the school is to hear what it needs. */
    ch_jw_key(w, "resources");
    if (v->resources_due_at || v->resources_told_at) {
        ch_jw_obj(w);
        ch_jw_key(w, "due_at");
        ch_jw_time(w, v->resources_due_at);
        ch_jw_key(w, "told_at");
        ch_jw_time(w, v->resources_told_at);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    /* Someone at the school released for the visit, and when it was said. */
    ch_jw_key(w, "release");
    if (v->release_for) {
        ch_jw_obj(w);
        ch_jw_key(w, "for");
        ch_jw_str(w, v->release_for);
        ch_jw_key(w, "told_at");
        ch_jw_time(w, v->release_told_at);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    ch_jw_key(w, "rescheduled_from");
    ch_jw_id(w, v->rescheduled_from);
    ch_jw_key(w, "over_balance");
    ch_jw_bool(w, v->over_balance);
}

const char *ch_hours_term(ch_req *r, const char *given, char *buf, size_t size,
                          enum MHD_Result *res)
{
    ch_date first, last;
    ch_error err = {0};
    if (!given) {
        ch_term_name_of(NULL, 0, ch_time_utc_date(r->now), buf, size);
        return buf;
    }
    if (strlen(given) > 20 || ch_term_period(NULL, 0, given, &first, &last, &err)) {
        *res = ch_http_problem(r, 400, "Bad term",
                               err.code ? err.msg : "a term is written like autumn-2026", NULL);
        return NULL;
    }
    return given;
}

bool ch_hours_runs_in(const ch_contract *c, const char *term)
{
    return ch_term_in_year(term, c->starts);
}

bool ch_hours_statement_term(ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                             const char *term, bool to_send, enum MHD_Result *res)
{
    char detail[400], day[32];
    if (!ch_hours_runs_in(c, term)) {
        ch_year_terms t;
        ch_term_names_of_year(c->starts, &t);
        snprintf(detail, sizeof(detail),
                 "%s's contract is for %s, so its statements are for %s, %s and %s; %.20s is "
                 "outside it. Choose one of those terms.",
                 c->organisation, c->year, t.name[0], t.name[1], t.name[2], term);
        *res = ch_http_problem(r, 400, "Not a term of this contract", detail,
                               json_pack("[s]", "term"));
        return false;
    }
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    ch_date first = ch_hours_term_first(ds, term);
    if (!to_send || first <= ch_hours_local_date(cal, r->now))
        return true;
    ch_date_format_long(first, day, sizeof(day));
    snprintf(detail, sizeof(detail),
             "The %.20s statement covers a term that begins on %s, so there is nothing to send "
             "yet; send it once the term has begun.",
             term, day);
    *res = ch_http_problem_typed(r, 409, "/problems/term-not-begun", "The term has not begun",
                                 detail, json_pack("[s]", "term"));
    return false;
}

ch_date ch_hours_term_first(const ch_desk_service *ds, const char *term)
{
    size_t nterms;
    const ch_date_range *terms =
        ch_calendar_terms(ch_policy_service_calendar(ds->policy, ds->service), &nterms);
    ch_date first = 0, last;
    ch_error err;
    ch_term_period(terms, nterms, term, &first, &last, &err);
    return first;
}

void ch_hours_contract_term(const ch_req *r, const ch_contract *c, const ch_desk_service *ds,
                            char *buf, size_t size)
{
    const ch_calendar *cal = ch_policy_service_calendar(ds->policy, ds->service);
    size_t nterms;
    const ch_date_range *terms = ch_calendar_terms(cal, &nterms);
    ch_term_for_year(terms, nterms, ch_hours_local_date(cal, r->now), c->starts, c->ends, buf,
                     size);
}

bool ch_hours_consultant_ok(ch_req *r, problems *p, const char *field, int64_t id,
                            const char *service)
{
    ch_user u;
    ch_error err = {0};
    if (ch_store_user_by_id(r->desk->store, id, &r->arena, &u, &err) || u.inactive) {
        ch_req_bad(p, field, "%s must be the user id of an active member of staff.", field);
        return false;
    }
    for (size_t i = 0; i < u.nservices; i++)
        if (strcmp(u.services[i], service) == 0)
            return true;
    ch_req_bad(p, field,
               "%s does not work in %s, so cannot be its consultant; choose one of its staff "
               "(GET /api/v1/users lists them).",
               u.name, service);
    return false;
}
