/* Moving a case: POST /api/v1/cases/{id}/transfer re-homes it in another
 * service (a transfer within the organisation, or a referral to another
 * body's), and GET /api/v1/cases/{id}/destinations lists where the signed-in
 * person may send it. The core decides who may and what the case then owes;
 * this file parses, asks and answers. */
#include "core/transfer.h"
#include "http/json_case.h"
#include "http/complaints.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

/* The case's current service, when its policy is still on the desk. */
static bool source_of(ch_req *r, const ch_case_row *c, ch_desk_service *out)
{
    ch_error err;
    return ch_desk_service_find(r->desk, c->service, out, &err) == CH_OK;
}

static const ch_route *route_of(const ch_desk_service *src, bool have, const ch_case_row *c)
{
    ch_case_kind kind;
    if (!have || ch_case_kind_parse(c->kind, &kind))
        return NULL;
    return ch_policy_route(src->policy, src->service, kind);
}

/* The facts the new service's promises count from: the contact as it first
 * arrived, with the pauses that have ended (an open one is counted when the
 * case resumes). */
static int facts_of(ch_req *r, const ch_case_row *c, ch_contact *out)
{
    ch_pause *pauses = ch_arena_alloc(&r->arena, (c->npauses + 1) * sizeof(*pauses));
    if (!pauses)
        return CH_E_NOMEM;
    memset(out, 0, sizeof(*out));
    if (ch_channel_parse(c->channel, &out->channel) || ch_case_kind_parse(c->kind, &out->kind))
        return CH_E_INVALID;
    out->flags = (const char *const *)c->flags;
    out->nflags = c->nflags;
    out->received = c->received_at;
    for (size_t i = 0; i < c->npauses; i++)
        if (c->pauses[i].to)
            pauses[out->npauses++] = (ch_pause){c->pauses[i].from, c->pauses[i].to};
    out->pauses = pauses;
    return CH_OK;
}

enum MHD_Result ch_http_case_destinations(ch_req *r, int64_t id)
{
    ch_case_row c;
    ch_desk_service src;
    enum MHD_Result res;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    bool have = source_of(r, &c, &src);
    const ch_route *route = route_of(&src, have, &c);
    bool manager = r->user.role != CH_ROLE_OFFICER;
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "case_id");
    ch_jw_int(&w, c.id);
    ch_jw_key(&w, "destinations");
    ch_jw_arr(&w);
    /* The route the charter names first, then the rest in policy order. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->desk->npolicies; i++) {
            const ch_policy *p = r->desk->policies[i].policy;
            for (size_t k = 0; k < p->nservices; k++) {
                char full[140];
                snprintf(full, sizeof(full), "%s/%s", p->id, p->services[k].id);
                bool routed = route && strcmp(route->to, full) == 0;
                if (strcmp(full, c.service) == 0 || routed != (pass == 0) ||
                    !ch_move_allowed(manager, ch_desk_can_see(r, full), route, full))
                    continue;
                ch_jw_obj(&w);
                ch_jw_key(&w, "service");
                ch_jw_str(&w, full);
                ch_jw_key(&w, "organisation");
                ch_jw_str(&w, p->organisation);
                ch_jw_key(&w, "name");
                ch_jw_str(&w, p->services[k].name);
                ch_jw_key(&w, "referral");
                ch_jw_bool(&w, !have || src.policy != p);
                ch_jw_key(&w, "route_text");
                ch_jw_str(&w, routed ? route->text : NULL);
                ch_jw_obj_end(&w);
            }
        }
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* Whether the case's officer may keep it in the new service. */
static bool officer_stays(ch_req *r, const ch_case_row *c, const char *dest)
{
    ch_user who;
    ch_error err;
    if (!c->officer_id || ch_store_user_by_id(r->desk->store, c->officer_id, &r->arena, &who, &err))
        return false;
    if (who.role == CH_ROLE_ADMIN)
        return true;
    for (size_t i = 0; i < who.nservices; i++)
        if (strcmp(who.services[i], dest) == 0)
            return true;
    return false;
}

enum MHD_Result ch_http_case_transfer(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"service", NULL}, {"reason", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    ch_desk_service src, dest;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect;
    if (!ch_req_case_version(r, true, &expect, &res))
        goto out;
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    const char *service = ch_req_text(&p, body, "service", 140, true);
    const char *reason = ch_req_text(&p, body, "reason", 500, true);
    if (reason && (!*reason || !ch_req_one_line(reason)))
        ch_req_bad(&p, "reason",
                   "reason must say in one line (up to 500 characters) why the "
                   "case is moving.");
    if (service && ch_desk_service_find(r->desk, service, &dest, &err))
        ch_req_bad(&p, "service",
                   "%s. GET /api/v1/cases/%lld/destinations lists where this case can go.", err.msg,
                   (long long)id);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    bool have = source_of(r, &c, &src);
    const ch_route *route = route_of(&src, have, &c);
    if (!ch_move_allowed(r->user.role != CH_ROLE_OFFICER, ch_desk_can_see(r, dest.name), route,
                         dest.name)) {
        res = ch_http_problem(r, 403, "Not a service you can send cases to",
                              "You can move a case to a service you belong to, or where the "
                              "charter routes its kind of request; ask a manager to send it "
                              "anywhere else.",
                              NULL);
        goto out;
    }
    /* The core decides what the case owes in its new home. */
    size_t n = c.nobligations, nadded = 0;
    ch_contact facts;
    ch_time deemed;
    bool paused = strcmp(c.status, "paused") == 0;
    ch_held *held = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*held));
    ch_ostate *state = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*state));
    ch_obligation *added = ch_arena_alloc(&r->arena, CH_POLICY_MAX_PROMISES * sizeof(*added));
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*changed));
    ch_obligation_row *rows = ch_arena_alloc(&r->arena, CH_POLICY_MAX_PROMISES * sizeof(*rows));
    ch_time *due = ch_arena_alloc(&r->arena, (n + CH_POLICY_MAX_PROMISES) * sizeof(*due));
    ch_ostate *live = ch_arena_alloc(&r->arena, (n + CH_POLICY_MAX_PROMISES) * sizeof(*live));
    if (!held || !state || !added || !changed || !rows || !due || !live ||
        facts_of(r, &c, &facts)) {
        ch_error_set(&err, CH_E_STORE, "the case's facts could not be read");
        res = ch_http_error(r, &err);
        goto out;
    }
    /* Within one charter a complaint keeps its stage and that stage's clock. */
    if (have && src.policy == dest.policy && ch_http_complaint_facts(r, &c, &facts, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        held[i] = (ch_held){c.obligations[i].promise, CH_OSTATE_PENDING, c.obligations[i].due_at};
        ch_ostate_parse(c.obligations[i].state, &held[i].state);
    }
    ch_time *moved = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*moved));
    bool *carried = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*carried));
    if (!moved || !carried ||
        ch_case_move(have ? src.policy : NULL, have ? src.service : NULL, dest.policy, dest.service,
                     &facts, strcmp(c.status, "closed") == 0, paused, r->now, held, n, state, moved,
                     carried, added, CH_POLICY_MAX_PROMISES, &nadded, &deemed, &err)) {
        if (!err.code)
            ch_error_set(&err, CH_E_NOMEM, "out of memory");
        res = ch_http_error(r, &err);
        goto out;
    }
    bool referral = !have || src.policy != dest.policy;
    char why[900];
    snprintf(why, sizeof(why), "%s to %s (%s): %s", referral ? "referred" : "transferred",
             referral ? dest.policy->organisation : dest.service->name, dest.name, reason);
    ch_case_update u = {.case_id = id,
                        .expect = expect,
                        .status = c.status,
                        .now = r->now,
                        .service = dest.name,
                        .deemed_at = deemed};
    /* What stays behind is the old service's history: it keeps its service,
     * counts in that service's figures, and no longer sets the case's place
     * in the queues. */
    size_t nlive = 0;
    for (size_t i = 0; i < n; i++) {
        bool behind = !carried[i] && !c.obligations[i].service;
        if (state[i] != held[i].state || moved[i] != held[i].due || behind) {
            changed[u.nchanged] = c.obligations[i];
            changed[u.nchanged].state = ch_ostate_name(state[i]);
            changed[u.nchanged].due_at = moved[i];
            if (state[i] == CH_OSTATE_WITHDRAWN)
                changed[u.nchanged].reason = why;
            if (behind)
                changed[u.nchanged].service = c.service;
            u.nchanged++;
        }
        if (carried[i]) {
            due[nlive] = moved[i];
            live[nlive++] = state[i];
        }
    }
    for (size_t k = 0; k < nadded; k++) {
        ch_ostate st = ch_ostate_at(paused, added[k].due, r->now);
        rows[k] = ch_obligation_row_for(added[k].promise, added[k].due, st);
        due[nlive] = added[k].due;
        live[nlive++] = st;
    }
    u.changed = changed;
    u.added = rows;
    u.nadded = nadded;
    u.next_due_at = paused ? 0 : ch_next_due(due, live, nlive);
    u.set_officer = !officer_stays(r, &c, dest.name);
    ch_event_row event = {0, r->now, r->user.id, referral ? "referred" : "transferred", why};
    u.event = &event;
    int64_t version;
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r, ch_store_case_update(r->desk->store, &u, &version, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_case_row fresh;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_case(r, 200, &fresh, ch_req_etag(r, version));
out:
    json_decref(body);
    return res;
}
