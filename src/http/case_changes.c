/* Changes to a case: contacts logged on it (which may meet its promises)
 * and PATCH (assign, flag, pause, resume, close), each checked against the
 * case's version so no update is lost. */
#include "core/casework.h"
#include "core/timefmt.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

enum MHD_Result ch_http_contacts_create(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    json_t *body = ch_req_body(r, &res);
    if (!body)
        return res;
    int64_t expect = ch_req_if_match(r);
    if (expect < 0) {
        res = ch_http_problem(r, 400, "Unreadable If-Match",
                              "If-Match must be the ETag of the case, e.g. \"3\".", NULL);
        goto out;
    }
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    const char *direction = ch_req_text(&p, body, "direction", 16, true);
    const char *channel = ch_req_text(&p, body, "channel", 32, true);
    const char *at_s = ch_req_text(&p, body, "at", 40, false);
    const char *summary = ch_req_text(&p, body, "summary", 20000, false);
    const char *who = ch_req_text(&p, body, "who", 200, false);
    const char *outcome = ch_req_text(&p, body, "outcome", 32, false);
    json_t *handed = json_object_get(body, "handed_to");
    bool outbound = direction && strcmp(direction, "outbound") == 0;
    bool resolved = outcome && strcmp(outcome, "resolved") == 0;
    bool handover = outcome && strcmp(outcome, "handed-over") == 0;
    if (outcome && !resolved && !handover)
        ch_req_bad(&p, "outcome",
                   "outcome must be resolved (settled at first contact) or handed-over (to the "
                   "colleague in handed_to).");
    if (handover && (!json_is_integer(handed) || json_integer_value(handed) <= 0))
        ch_req_bad(&p, "handed_to", "a handover names the colleague: handed_to is their user id.");
    if (handed && !handover)
        ch_req_bad(&p, "handed_to", "handed_to goes with outcome handed-over.");
    if (direction && !outbound && strcmp(direction, "inbound") != 0)
        ch_req_bad(&p, "direction", "direction must be inbound or outbound.");
    ch_channel ch;
    if (channel && ch_channel_parse(channel, &ch))
        ch_req_bad(&p, "channel",
                   "channel must be phone, voicemail, email, letter, web, in-person or social.");
    ch_desk_service ds;
    ch_time at = r->now;
    if (at_s && ch_desk_service_find(r->desk, c.service, &ds, &err) == CH_OK &&
        ch_time_parse(at_s, ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service)), &at,
                      &err))
        ch_req_bad(&p, "at", "at: %s", err.msg);
    unsigned meets = 0;
    json_t *jm = json_object_get(body, "meets");
    if (jm && !json_is_array(jm))
        ch_req_bad(&p, "meets", "meets must be a list such as [\"respond\"].");
    for (size_t i = 0; jm && i < json_array_size(jm); i++) {
        const char *k = json_string_value(json_array_get(jm, i));
        ch_obligation_kind kind;
        if (!k || ch_obligation_kind_parse(k, &kind) || !(CH_MEETABLE & (1u << kind))) {
            ch_req_bad(&p, "meets", "meets may hold acknowledge, respond and resolve.");
            break;
        }
        meets |= 1u << kind;
    }
    if (meets && direction && !outbound)
        ch_req_bad(&p, "meets", "only an outbound contact (one we made) can meet a promise.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (expect && expect != c.version) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "Case %lld has changed since version %lld (it is now at %lld); reload it and "
                 "try again.",
                 (long long)id, (long long)expect, (long long)c.version);
        res = ch_http_problem(r, 409, "Changed by someone else", detail, NULL);
        goto out;
    }
    /* A handover passes the case to a named colleague of its service. */
    ch_user colleague = {0};
    if (handover) {
        int rc = ch_store_user_by_id(r->desk->store, (int64_t)json_integer_value(handed), &r->arena,
                                     &colleague, &err);
        bool member = rc == CH_OK && colleague.role == CH_ROLE_ADMIN;
        for (size_t i = 0; rc == CH_OK && i < colleague.nservices && !member; i++)
            member = strcmp(colleague.services[i], c.service) == 0;
        if (rc == CH_E_NOTFOUND || (rc == CH_OK && !member)) {
            res = ch_http_problem(r, 400, "Cannot hand over to that person",
                                  "handed_to must be a colleague in the case's service.",
                                  json_pack("[s]", "handed_to"));
            goto out;
        }
        if (rc) {
            res = ch_http_error(r, &err);
            goto out;
        }
    }
    /* The core decides what this contact meets; the store records it. */
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*changed));
    ch_time *due = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*due));
    ch_ostate *state = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*state));
    size_t nchanged = 0;
    char met[400] = "";
    for (size_t i = 0; changed && due && state && i < c.nobligations; i++) {
        ch_obligation_row *o = &c.obligations[i];
        ch_obligation_kind k;
        ch_ostate s;
        if (ch_obligation_kind_parse(o->kind, &k) || ch_ostate_parse(o->state, &s))
            s = CH_OSTATE_MET, k = CH_OBLIGATION_UPDATE; /* unknown: leave alone */
        if (ch_contact_meets(outbound, resolved, meets, k, s)) {
            s = CH_OSTATE_MET;
            changed[nchanged] = *o;
            changed[nchanged].state = "met";
            changed[nchanged].met_at = at;
            nchanged++;
            size_t used = strlen(met);
            snprintf(met + used, sizeof(met) - used, "%s%s", used ? ", " : "met ", o->promise);
        }
        due[i] = o->due_at;
        state[i] = s;
    }
    if (!changed || !due || !state) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_contact_row contact = {0, direction, channel, who, summary, outcome, at, r->user.id};
    char detail[800];
    snprintf(detail, sizeof(detail), "%s %s contact%s%s%s%s", direction, channel,
             resolved ? ", resolved at first contact" : "", handover ? ", handed to " : "",
             handover ? colleague.name : "", *met ? "; " : "");
    size_t dl = strlen(detail);
    snprintf(detail + dl, sizeof(detail) - dl, "%s", met);
    ch_event_row event = {0, r->now, r->user.id, "contact", detail};
    ch_case_update u = {.case_id = id,
                        .expect = c.version,
                        .contact = &contact,
                        .changed = changed,
                        .nchanged = nchanged,
                        .event = &event,
                        .status = c.status,
                        .next_due_at = ch_next_due(due, state, c.nobligations),
                        .now = r->now,
                        .set_officer = handover,
                        .officer_id = colleague.id};
    int64_t version;
    if (ch_store_case_update(r->desk->store, &u, &version, &err) ||
        ch_desk_audit(r, "update", "case", id)) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_case_row fresh;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_case(r, 201, &fresh, ch_req_etag(r, version));
out:
    json_decref(body);
    return res;
}

/* The contact facts a case was opened with, for the engine to count again;
 * pauses are the case's closed pauses plus, when resuming, the open one
 * ending now. */
static int case_facts(ch_req *r, const ch_case_row *c, const char *kind, const char **flags,
                      size_t nflags, ch_time resume_at, ch_contact *out)
{
    ch_pause *pauses = ch_arena_alloc(&r->arena, (c->npauses + 1) * sizeof(*pauses));
    if (!pauses)
        return CH_E_NOMEM;
    memset(out, 0, sizeof(*out));
    if (ch_channel_parse(c->channel, &out->channel) || ch_case_kind_parse(kind, &out->kind))
        return CH_E_INVALID;
    out->flags = flags;
    out->nflags = nflags;
    out->received = c->received_at;
    for (size_t i = 0; i < c->npauses; i++) {
        ch_time to = c->pauses[i].to ? c->pauses[i].to : resume_at;
        if (to)
            pauses[out->npauses++] = (ch_pause){c->pauses[i].from, to};
    }
    out->pauses = pauses;
    return CH_OK;
}

/* The obligations after a recompute, as store changes, and the new soonest
 * due time. */
static int recompute(ch_req *r, const ch_case_row *c, const ch_contact *facts, bool paused,
                     ch_case_update *u, ch_error *err)
{
    ch_desk_service ds;
    size_t n = c->nobligations, nadded = 0;
    if (ch_desk_service_find(r->desk, c->service, &ds, err))
        return err->code;
    ch_held *held = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*held));
    ch_time *due = ch_arena_alloc(&r->arena, (n + CH_POLICY_MAX_PROMISES) * sizeof(*due));
    ch_ostate *state = ch_arena_alloc(&r->arena, (n + CH_POLICY_MAX_PROMISES) * sizeof(*state));
    bool *removed = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*removed));
    ch_obligation *added = ch_arena_alloc(&r->arena, CH_POLICY_MAX_PROMISES * sizeof(*added));
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*changed));
    ch_obligation_row *rows = ch_arena_alloc(&r->arena, CH_POLICY_MAX_PROMISES * sizeof(*rows));
    int64_t *gone = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*gone));
    if (!held || !due || !state || !removed || !added || !changed || !rows || !gone)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        held[i] = (ch_held){c->obligations[i].promise, CH_OSTATE_PENDING, c->obligations[i].due_at};
        ch_ostate_parse(c->obligations[i].state, &held[i].state);
    }
    int rc = ch_case_recompute(ds.policy, ds.service, facts, paused, r->now, held, n, due, state,
                               removed, added, CH_POLICY_MAX_PROMISES, &nadded, err);
    if (rc)
        return rc;
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        if (removed[i]) {
            gone[u->nremoved++] = c->obligations[i].id;
            continue;
        }
        if (due[i] != held[i].due || state[i] != held[i].state) {
            changed[u->nchanged] = c->obligations[i];
            changed[u->nchanged].due_at = due[i];
            changed[u->nchanged++].state = ch_ostate_name(state[i]);
        }
        due[live] = due[i];
        state[live++] = state[i];
    }
    for (size_t k = 0; k < nadded; k++) {
        ch_ostate st = ch_ostate_at(paused, added[k].due, r->now);
        rows[k] = (ch_obligation_row){0,
                                      added[k].promise->id,
                                      ch_obligation_kind_name(added[k].promise->obligation),
                                      added[k].promise->text,
                                      added[k].due,
                                      ch_ostate_name(st),
                                      0};
        due[live] = added[k].due;
        state[live++] = st;
    }
    u->changed = changed;
    u->added = rows;
    u->nadded = nadded;
    u->removed = gone;
    u->next_due_at = paused ? 0 : ch_next_due(due, state, live);
    return CH_OK;
}

/* Every obligation still to keep takes the given state (pausing, closing). */
static void settle(ch_req *r, const ch_case_row *c, ch_ostate to, bool resolve_meets,
                   ch_case_update *u)
{
    ch_obligation_row *changed =
        ch_arena_alloc(&r->arena, (c->nobligations + 1) * sizeof(*changed));
    if (!changed)
        return;
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        if (strcmp(o->state, "met") == 0)
            continue;
        changed[u->nchanged] = *o;
        if (resolve_meets && strcmp(o->kind, "resolve") == 0) {
            changed[u->nchanged].state = "met";
            changed[u->nchanged].met_at = r->now;
        } else if (to == CH_OSTATE_PAUSED) {
            changed[u->nchanged].state = "paused";
        } else {
            continue;
        }
        u->nchanged++;
    }
    u->changed = changed;
    u->next_due_at = 0;
}

enum MHD_Result ch_http_case_patch(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    ch_case_update u = {.case_id = id, .now = r->now};
    char detail[600] = "";
    json_t *body = ch_req_body(r, &res);
    if (!body)
        return res;
    int64_t expect = ch_req_if_match(r);
    if (expect <= 0) {
        res = expect == 0 ? ch_http_problem(r, 428, "If-Match needed",
                                            "Send If-Match with the case's ETag so that no one "
                                            "else's change is overwritten.",
                                            NULL)
                          : ch_http_problem(r, 400, "Unreadable If-Match",
                                            "If-Match must be the case's ETag, e.g. \"3\".", NULL);
        goto out;
    }
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    const char *status = ch_req_text(&p, body, "status", 16, false);
    const char *kind = ch_req_text(&p, body, "kind", 32, false);
    ch_case_kind kind_value;
    if (kind && ch_case_kind_parse(kind, &kind_value))
        ch_req_bad(&p, "kind",
                   "kind must be enquiry, service-order, complaint, feedback, foi or sar.");
    const char *note = ch_req_text(&p, body, "note", 2000, false);
    json_t *officer = json_object_get(body, "officer_id");
    json_t *jflags = json_object_get(body, "flags");
    const char **flags = c.flags;
    size_t nflags = c.nflags;
    if (status && strcmp(status, "open") && strcmp(status, "paused") && strcmp(status, "closed"))
        ch_req_bad(&p, "status", "status must be open, paused or closed.");
    if (officer && !json_is_null(officer) &&
        (!json_is_integer(officer) || json_integer_value(officer) <= 0))
        ch_req_bad(&p, "officer_id", "officer_id must be a user id, or null to unassign.");
    if (jflags) {
        if (!json_is_array(jflags) || json_array_size(jflags) > 16) {
            ch_req_bad(&p, "flags", "flags must be a list of at most 16 names.");
        } else {
            flags = ch_arena_alloc(&r->arena, (json_array_size(jflags) + 1) * sizeof(*flags));
            nflags = 0;
            for (size_t i = 0; flags && i < json_array_size(jflags); i++) {
                const char *f = json_string_value(json_array_get(jflags, i));
                if (!f || !ch_name_ok(f)) {
                    ch_req_bad(&p, "flags",
                               "each flag must be lower-case letters, digits or "
                               "hyphens.");
                    break;
                }
                flags[nflags++] = ch_arena_strdup(&r->arena, f);
            }
        }
    }
    if (!status && !officer && !jflags && !note && !kind)
        ch_req_bad(&p, "status",
                   "Nothing to change: give status, kind, officer_id, flags or note.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (expect != c.version) {
        char d[200];
        snprintf(d, sizeof(d),
                 "Case %lld has changed since version %lld (it is now at %lld); reload it and "
                 "try again.",
                 (long long)id, (long long)expect, (long long)c.version);
        res = ch_http_problem(r, 409, "Changed by someone else", d, NULL);
        goto out;
    }
    if (officer) {
        ch_user who;
        u.set_officer = true;
        u.officer_id = json_is_null(officer) ? 0 : (int64_t)json_integer_value(officer);
        if (u.officer_id) {
            int rc = ch_store_user_by_id(r->desk->store, u.officer_id, &r->arena, &who, &err);
            bool member = rc == CH_OK && who.role == CH_ROLE_ADMIN;
            for (size_t i = 0; rc == CH_OK && i < who.nservices && !member; i++)
                member = strcmp(who.services[i], c.service) == 0;
            if (rc == CH_E_NOTFOUND || (rc == CH_OK && !member)) {
                res = ch_http_problem(r, 400, "Cannot assign to that person",
                                      "officer_id must be a member of the case's service.",
                                      json_pack("[s]", "officer_id"));
                goto out;
            }
            if (rc) {
                res = ch_http_error(r, &err);
                goto out;
            }
            snprintf(detail, sizeof(detail), "assigned to %s", who.name);
        } else {
            snprintf(detail, sizeof(detail), "unassigned");
        }
    }
    const char *to = status ? status : c.status;
    bool was_paused = strcmp(c.status, "paused") == 0;
    bool flags_changed = jflags != NULL || (kind && strcmp(kind, c.kind) != 0);
    if (kind && strcmp(kind, c.kind) != 0)
        u.kind = kind;
    u.status = to;
    u.next_due_at = c.next_due_at;
    if (jflags) {
        u.set_flags = true;
        u.flags = flags;
        u.nflags = nflags;
    }
    size_t used = strlen(detail);
    if (strcmp(to, c.status) != 0)
        snprintf(detail + used, sizeof(detail) - used, "%s%s", used ? "; " : "",
                 strcmp(to, "open") == 0 ? (was_paused ? "resumed" : "reopened") : to);
    used = strlen(detail);
    if (flags_changed)
        snprintf(detail + used, sizeof(detail) - used, "%s%s", used ? "; " : "",
                 u.kind ? "kind changed" : "flags changed");
    used = strlen(detail);
    if (note)
        snprintf(detail + used, sizeof(detail) - used, "%s%s", used ? ": " : "", note);
    ch_contact facts;
    if (strcmp(to, "closed") == 0) {
        if (was_paused)
            u.pause_to = r->now;
        settle(r, &c, CH_OSTATE_MET, true, &u);
    } else if (strcmp(to, "paused") == 0) {
        if (!was_paused)
            u.pause_from = r->now;
        settle(r, &c, CH_OSTATE_PAUSED, false, &u);
    } else if (was_paused || flags_changed || strcmp(c.status, "closed") == 0) {
        if (was_paused)
            u.pause_to = r->now;
        if (case_facts(r, &c, u.kind ? u.kind : c.kind, flags, nflags, was_paused ? r->now : 0,
                       &facts) ||
            recompute(r, &c, &facts, false, &u, &err)) {
            if (!err.code)
                ch_error_set(&err, CH_E_STORE, "the case's facts could not be read");
            res = ch_http_error(r, &err);
            goto out;
        }
    }
    ch_event_row event = {0, r->now, r->user.id, "changed", detail};
    u.event = &event;
    u.expect = expect;
    int64_t version;
    if (ch_store_case_update(r->desk->store, &u, &version, &err) ||
        ch_desk_audit(r, "update", "case", id)) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
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
