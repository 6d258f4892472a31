/* Changes to a case: contacts logged on it (which may meet its promises)
 * and PATCH (assign, flag, pause, resume, close), each checked against the
 * case's version so no update is lost. */
#include "core/casework.h"
#include "core/sar.h"
#include "core/timefmt.h"
#include "http/case_changes.h"
#include "http/consent.h"
#include "http/availability.h"
#include "http/behaviour.h"
#include "http/json_case.h"
#include "http/person_json.h"
#include "http/complaints.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

static int case_facts(ch_req *r, const ch_case_row *c, const char *kind, const char **flags,
                      size_t nflags, ch_time resume_at, ch_contact *out);

void ch_http_meets_read(problems *p, json_t *jm, const ch_case_row *c, bool outbound,
                        unsigned *meets)
{
    *meets = 0;
    if (jm && !json_is_array(jm)) {
        ch_req_bad(p, "meets", "meets must be a list such as [\"respond\"].");
        return;
    }
    for (size_t i = 0; jm && i < json_array_size(jm); i++) {
        const char *k = json_string_value(json_array_get(jm, i));
        ch_obligation_kind kind;
        bool known = k && ch_obligation_kind_parse(k, &kind) == CH_OK;
        /* A promise's id names its kind through the case's obligation. */
        for (size_t o = 0; k && !known && o < c->nobligations; o++)
            known = !c->obligations[o].service && strcmp(c->obligations[o].promise, k) == 0 &&
                    ch_obligation_kind_parse(c->obligations[o].kind, &kind) == CH_OK;
        if (!known || !(CH_MEETABLE & (1u << kind))) {
            ch_req_bad(p, "meets",
                       "meets may hold acknowledge, respond, resolve, process and update, or the "
                       "ids of the case's open promises.");
            return;
        }
        *meets |= 1u << kind;
    }
    if (*meets && !outbound)
        ch_req_bad(p, "meets", "only an outbound contact (one we made) can meet a promise.");
    /* Saying a contact meets what the case does not owe would be dropped
     * without a word; say so instead. */
    for (int k = 0; outbound && k < CH_OBLIGATION_COUNT; k++) {
        if (!(*meets & (1u << k)))
            continue;
        bool owed = false;
        for (size_t i = 0; i < c->nobligations && !owed; i++)
            owed = !c->obligations[i].service &&
                   strcmp(c->obligations[i].kind, ch_obligation_kind_name((ch_obligation_kind)k)) ==
                       0 &&
                   (strcmp(c->obligations[i].state, "pending") == 0 ||
                    strcmp(c->obligations[i].state, "breached") == 0);
        if (!owed) {
            ch_req_bad(p, "meets",
                       "case %lld owes no %s promise still open, so this contact cannot meet one; "
                       "leave %s out of meets.",
                       (long long)c->id, ch_obligation_kind_name((ch_obligation_kind)k),
                       ch_obligation_kind_name((ch_obligation_kind)k));
            return;
        }
    }
}

enum MHD_Result ch_http_contacts_create(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {
        {"direction", NULL},      {"channel", NULL}, {"at", NULL},
        {"summary", NULL},        {"who", NULL},     {"outcome", NULL},
        {"handed_to", NULL},      {"meets", NULL},   {"with_person_id", NULL},
        {"channel_reason", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect;
    if (!ch_req_case_version(r, false, &expect, &res))
        goto out;
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    const char *direction = ch_req_text(&p, body, "direction", 16, true);
    const char *channel = ch_req_text(&p, body, "channel", 32, true);
    const char *at_s = ch_req_text(&p, body, "at", 40, false);
    const char *summary = ch_req_text(&p, body, "summary", 20000, false);
    const char *who = ch_req_text(&p, body, "who", 200, false);
    const char *outcome = ch_req_text(&p, body, "outcome", 32, false);
    const char *channel_reason = ch_req_text(&p, body, "channel_reason", 500, false);
    json_t *handed = json_object_get(body, "handed_to");
    json_t *with_j = json_object_get(body, "with_person_id");
    if (with_j && !json_is_null(with_j) &&
        (!json_is_integer(with_j) || json_integer_value(with_j) <= 0))
        ch_req_bad(&p, "with_person_id",
                   "with_person_id must be the id of the person spoken with.");
    int64_t with = json_is_integer(with_j) ? (int64_t)json_integer_value(with_j) : 0;
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
    if (channel_reason && direction && !outbound)
        ch_req_bad(&p, "channel_reason",
                   "channel_reason goes with an outbound contact: why we used a channel the "
                   "person asked us not to.");
    if (direction && !outbound && strcmp(direction, "inbound") != 0)
        ch_req_bad(&p, "direction", "direction must be inbound or outbound.");
    ch_channel ch;
    if (channel && ch_channel_parse(channel, &ch))
        ch_req_bad(&p, "channel",
                   "channel must be phone, voicemail, email, letter, web, in-person or social.");
    ch_desk_service ds;
    ch_time at = r->now;
    if (ch_desk_service_find(r->desk, c.service, &ds, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (at_s &&
        ch_time_parse(at_s, ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service)), &at,
                      &err))
        ch_req_bad(&p, "at", "at: %s", err.msg);
    else if (at > r->now + 300)
        ch_req_bad(&p, "at", "at is in the future; give when the contact really happened.");
    else if (at < c.received_at)
        ch_req_bad(&p, "at",
                   "at is before case %lld arrived; a contact on the case happens after it, so "
                   "check the date (or open a case for the earlier contact).",
                   (long long)id);
    unsigned meets = 0;
    ch_http_meets_read(&p, json_object_get(body, "meets"), &c, outbound, &meets);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    ch_contact_ask ask = {direction,
                          channel,
                          ch,
                          at,
                          who,
                          summary,
                          channel_reason,
                          resolved,
                          handover,
                          handover ? (int64_t)json_integer_value(handed) : 0,
                          meets,
                          with};
    ch_contact_plan *plan = ch_arena_alloc(&r->arena, sizeof(*plan));
    if (!plan) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    if (!ch_http_contact_plan(r, &c, &ds, &ask, plan, &res))
        goto out;
    int64_t version;
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r, ch_store_case_update(r->desk->store, &plan->update, &version, &err),
                             &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (handover)
        ch_desk_notify_assigned(r, &c, plan->colleague.id, "handed-over");
    ch_case_row fresh;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_case_with(r, 201, &fresh, ch_req_etag(r, version),
                            handover ? ch_http_assign_warning(r, plan->colleague.id, c.service)
                                     : NULL);
out:
    json_decref(body);
    return res;
}

bool ch_http_contact_plan(ch_req *r, const ch_case_row *cr, const ch_desk_service *dsp,
                          const ch_contact_ask *ask, ch_contact_plan *plan, enum MHD_Result *res)
{
    ch_error err = {0};
    ch_case_row c = *cr;
    ch_desk_service ds = *dsp;
    int64_t id = c.id;
    const char *direction = ask->direction, *channel = ask->channel, *who = ask->who;
    const char *summary = ask->summary, *channel_reason = ask->channel_reason;
    ch_channel ch = ask->ch;
    ch_time at = ask->at;
    bool outbound = strcmp(direction, "outbound") == 0;
    bool resolved = ask->resolved, handover = ask->handover;
    unsigned meets = ask->meets;
    int64_t with = ask->with_person_id;
    const char *outcome = resolved ? "resolved" : handover ? "handed-over" : NULL;
    memset(plan, 0, sizeof(*plan));
    /* A channel the person asked us not to use needs a stated reason. */
    if (outbound && !ch_http_channel_check(r, &c, ch, channel_reason, res))
        return false;
    /* Nothing is told to anyone but the case's person without the consent
     * the charter asks for; the check is the core's, at the contact's time.
     * An outbound contact with nobody named was with the case's person. */
    ch_person with_person = {0};
    if (with && ch_store_person_get(r->desk->store, with, &r->arena, &with_person, &err)) {
        if (err.code != CH_E_NOTFOUND) {
            *res = ch_http_error(r, &err);
            return false;
        }
        *res = ch_http_problem(r, 400, "Some fields need attention",
                               "with_person_id must be the id of a person on the desk.",
                               json_pack("[s]", "with_person_id"));
        return false;
    }
    if (outbound && !with)
        with = c.person_id;
    if (outbound && with && with != c.person_id) {
        ch_consent_answer answer;
        if (ch_http_consent_ask(r, &c, with, at, &answer, &err)) {
            *res = ch_http_error(r, &err);
            return false;
        }
        if (!answer.allowed) {
            *res = ch_http_consent_refuse(r, id, with, &answer, "with_person_id");
            return false;
        }
    }
    if (!who && with_person.name)
        who = with_person.name;
    /* A restriction on the person refuses what it does not allow, and
     * routes what they send to the named point of contact. */
    int64_t route_to = 0;
    const char *restricted = NULL;
    if (ch_http_contact_refused(r, &c, outbound, ch, meets, &route_to, &restricted, res))
        return false;
    /* A handover passes the case to a named colleague of its service. */
    ch_user colleague = {0};
    if (handover) {
        int rc = ch_store_user_by_id(r->desk->store, ask->handed_to, &r->arena, &colleague, &err);
        bool member = rc == CH_OK && colleague.role == CH_ROLE_ADMIN;
        for (size_t i = 0; rc == CH_OK && i < colleague.nservices && !member; i++)
            member = strcmp(colleague.services[i], c.service) == 0;
        if (rc == CH_E_NOTFOUND || (rc == CH_OK && !member)) {
            *res = ch_http_problem(r, 400, "Cannot hand over to that person",
                                   "handed_to must be a colleague in the case's service.",
                                   json_pack("[s]", "handed_to"));
            return false;
        }
        if (rc) {
            *res = ch_http_error(r, &err);
            return false;
        }
    }
    /* The core decides what this contact meets; the store records it. */
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*changed));
    ch_time *due = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*due));
    ch_ostate *state = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*state));
    ch_obligation_kind *kinds = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*kinds));
    size_t nchanged = 0;
    char met[400] = "";
    for (size_t i = 0; changed && due && state && kinds && i < c.nobligations; i++) {
        ch_obligation_row *o = &c.obligations[i];
        ch_obligation_kind k;
        ch_ostate s;
        if (o->service || ch_obligation_kind_parse(o->kind, &k) || ch_ostate_parse(o->state, &s))
            s = CH_OSTATE_MET, k = CH_OBLIGATION_UPDATE; /* unknown, or left behind by a move */
        if (ch_contact_meets(outbound, resolved, meets, k, s)) {
            s = CH_OSTATE_MET;
            changed[nchanged] = *o;
            changed[nchanged].state = "met";
            changed[nchanged].met_at = at;
            changed[nchanged].met_by_contact = CH_CONTACT_NEW;
            nchanged++;
            size_t used = strlen(met);
            snprintf(met + used, sizeof(met) - used, "%s%s", used ? ", " : "met ", o->promise);
        }
        due[i] = o->due_at;
        state[i] = s;
        kinds[i] = k;
    }
    if (!changed || !due || !state || !kinds) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        *res = ch_http_error(r, &err);
        return false;
    }
    /* Updates are owed until the answer: once it is given, the next one
     * still to come is withdrawn rather than left to fall due. */
    bool answered = ch_case_answered(kinds, state, c.nobligations);
    for (size_t i = 0; answered && i < c.nobligations; i++) {
        const ch_promise *pr = ch_policy_promise(ds.policy, c.obligations[i].promise);
        if (!pr || !pr->recurs || (state[i] != CH_OSTATE_PENDING && state[i] != CH_OSTATE_PAUSED))
            continue;
        changed[nchanged] = c.obligations[i];
        changed[nchanged].state = "withdrawn";
        changed[nchanged++].reason = "the answer was given, so no further update is owed";
        state[i] = CH_OSTATE_WITHDRAWN;
    }
    /* A recurring update that was just made starts the next one. */
    ch_obligation_row *next = ch_arena_alloc(&r->arena, (nchanged + 1) * sizeof(*next));
    size_t nnext = 0;
    for (size_t i = 0; next && !answered && i < nchanged && strcmp(c.status, "closed") != 0; i++) {
        const ch_promise *pr = ch_policy_promise(ds.policy, changed[i].promise);
        if (!pr || !pr->recurs)
            continue;
        ch_contact facts;
        ch_time when;
        if (case_facts(r, &c, c.kind, c.flags, c.nflags, 0, &facts) ||
            ch_promise_recurrence_due(ds.policy, ds.service, pr, at, facts.pauses, facts.npauses,
                                      &when, &err)) {
            if (!err.code)
                ch_error_set(&err, CH_E_STORE, "the case's facts could not be read");
            *res = ch_http_error(r, &err);
            return false;
        }
        bool paused = strcmp(c.status, "paused") == 0;
        ch_ostate st = ch_ostate_at(paused, when, r->now);
        next[nnext++] = ch_obligation_row_for(pr, when, st);
    }
    if (!next) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        *res = ch_http_error(r, &err);
        return false;
    }
    ch_time soonest = ch_next_due(due, state, c.nobligations);
    for (size_t i = 0; i < nnext; i++)
        if (strcmp(next[i].state, "paused") != 0 && (!soonest || next[i].due_at < soonest))
            soonest = next[i].due_at;
    plan->contact = (ch_contact_row){0,  direction,  channel,      who,  summary,       outcome,
                                     at, r->user.id, colleague.id, with, channel_reason};
    plan->colleague = colleague;
    char *detail = plan->detail;
    const size_t detail_size = sizeof(plan->detail);
    snprintf(detail, detail_size, "%s %s contact%s%s%s%s", direction, channel,
             resolved ? ", resolved at first contact" : "", handover ? ", handed to " : "",
             handover ? colleague.name : "", *met ? "; " : "");
    size_t dl = strlen(detail);
    snprintf(detail + dl, detail_size - dl, "%s", met);
    plan->event = (ch_event_row){0, r->now, r->user.id, "contact", detail};
    ch_case_update *up = &plan->update;
    *up = (ch_case_update){.case_id = id,
                           .expect = c.version,
                           .contact = &plan->contact,
                           .changed = changed,
                           .nchanged = nchanged,
                           .event = &plan->event,
                           .status = c.status,
                           .added = next,
                           .nadded = nnext,
                           .next_due_at = soonest,
                           .now = r->now,
                           .set_officer = handover,
                           .officer_id = colleague.id};
    if (!handover && route_to && route_to != c.officer_id) {
        up->set_officer = true;
        up->officer_id = route_to;
    }
    if (restricted) {
        dl = strlen(detail);
        snprintf(detail + dl, detail_size - dl, "; %s", restricted);
    }
    return true;
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
    ch_error err = {0}; /* a complaint's later stage counts from when it began */
    return ch_http_complaint_facts(r, c, out, &err);
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
        held[i] = (ch_held){c->obligations[i].promise, CH_OSTATE_PENDING, c->obligations[i].due_at,
                            c->obligations[i].met_at};
        ch_ostate_parse(c->obligations[i].state, &held[i].state);
        if (c->obligations[i].service) /* left behind by a move: history, left alone */
            held[i].state = CH_OSTATE_WITHDRAWN;
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
        rows[k] = ch_obligation_row_for(added[k].promise, added[k].due, st);
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

/* Pausing: every obligation still to keep stops with the case's clocks. */
static void pause_all(ch_req *r, const ch_case_row *c, ch_case_update *u)
{
    ch_obligation_row *changed =
        ch_arena_alloc(&r->arena, (c->nobligations + 1) * sizeof(*changed));
    if (!changed)
        return;
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        if ((strcmp(o->state, "pending") != 0 && strcmp(o->state, "breached") != 0) || o->service)
            continue; /* settled already, or another service's, left behind by a move */
        changed[u->nchanged] = *o;
        changed[u->nchanged++].state = "paused";
    }
    u->changed = changed;
    u->next_due_at = 0;
}

/* Reads "settle": [{obligation, outcome, reason}] onto the case's
 * obligations; false after noting the trouble in p. */
static bool read_settle(problems *p, json_t *js, const ch_case_row *c, ch_closing *o)
{
    if (!json_is_array(js) || json_array_size(js) > c->nobligations) {
        ch_req_bad(p, "settle",
                   "settle must be a list of {obligation, outcome, reason}, one per obligation "
                   "of the case at most.");
        return false;
    }
    for (size_t i = 0; i < json_array_size(js); i++) {
        json_t *e = json_array_get(js, i);
        json_t *jid = json_object_get(e, "obligation");
        const char *outcome = json_string_value(json_object_get(e, "outcome"));
        json_t *jr = json_object_get(e, "reason");
        const char *reason = json_string_value(jr);
        ch_settle how;
        size_t k = 0;
        while (json_is_integer(jid) && k < c->nobligations &&
               c->obligations[k].id != json_integer_value(jid))
            k++;
        if (!json_is_object(e)) {
            ch_req_bad(p, "settle", "each entry of settle holds obligation, outcome and reason.");
            return false;
        }
        if (!json_is_integer(jid)) {
            ch_req_bad(p, "settle", "each entry of settle names its obligation by id.");
            return false;
        }
        if (k == c->nobligations) {
            ch_req_bad(p, "settle", "case %lld has no obligation %lld.", (long long)c->id,
                       (long long)json_integer_value(jid));
            return false;
        }
        if (!outcome || ch_settle_parse(outcome, &how)) {
            ch_req_bad(p, "settle", "each outcome in settle must be met, breached or withdrawn.");
            return false;
        }
        if ((jr && !json_is_null(jr) && !reason) || (reason && strlen(reason) > 1000)) {
            ch_req_bad(p, "settle", "a reason in settle is text of up to 1000 characters.");
            return false;
        }
        if (o[k].asked != CH_SETTLE_NONE) {
            ch_req_bad(p, "settle", "settle names obligation %lld twice.", (long long)o[k].id);
            return false;
        }
        o[k].asked = how;
        o[k].reason = reason;
    }
    return true;
}

/* Closing: the core settles every obligation still open, so none stays
 * pending on a closed case; false after queuing why not. */
static bool close_case(ch_req *r, const ch_case_row *c, ch_closing *o, ch_case_update *u,
                       enum MHD_Result *res)
{
    size_t n = c->nobligations;
    ch_ostate *state = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*state));
    const char **reason = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*reason));
    bool *changed = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*changed));
    ch_obligation_row *rows = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*rows));
    ch_error err = {0};
    if (!state || !reason || !changed || !rows) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        *res = ch_http_error(r, &err);
        return false;
    }
    if (ch_case_close(o, n, r->now, state, reason, changed, &err)) {
        char detail[1200];
        snprintf(detail, sizeof(detail),
                 "To close case %lld, settle each promise still open in settle: %s.",
                 (long long)c->id, err.msg);
        *res = ch_http_problem(r, 400, "Some promises need a decision", detail,
                               json_pack("[s]", "settle"));
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!changed[i])
            continue;
        rows[u->nchanged] = c->obligations[i];
        rows[u->nchanged].state = ch_ostate_name(state[i]);
        rows[u->nchanged].reason = reason[i];
        if (state[i] == CH_OSTATE_MET)
            rows[u->nchanged].met_at = r->now;
        u->nchanged++;
    }
    u->changed = rows;
    u->next_due_at = 0;
    return true;
}

enum MHD_Result ch_http_case_patch(ch_req *r, int64_t id)
{
    static const ch_req_key settle[] = {
        {"obligation", NULL}, {"outcome", NULL}, {"reason", NULL}, {NULL, NULL}};
    static const ch_req_key keys[] = {{"status", NULL},     {"kind", NULL},  {"note", NULL},
                                      {"officer_id", NULL}, {"flags", NULL}, {"settle", settle},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    ch_case_update u = {.case_id = id, .now = r->now};
    char detail[600] = "";
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect;
    if (!ch_req_case_version(r, true, &expect, &res))
        goto out;
    if (!ch_req_case(r, id, &c, &res))
        goto out;
    const char *status = ch_req_text(&p, body, "status", 16, false);
    const char *kind = ch_req_text(&p, body, "kind", 32, false);
    ch_case_kind kind_value;
    if (kind && ch_case_kind_parse(kind, &kind_value))
        ch_req_bad(&p, "kind",
                   "kind must be enquiry, service-order, complaint, feedback, foi or sar.");
    const char *note = ch_req_text(&p, body, "note", 2000, false);
    json_t *jsettle = json_object_get(body, "settle");
    ch_closing *closing = ch_arena_alloc(&r->arena, (c.nobligations + 1) * sizeof(*closing));
    if (!closing) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        res = ch_http_error(r, &err);
        goto out;
    }
    for (size_t i = 0; i < c.nobligations; i++) {
        const ch_obligation_row *o = &c.obligations[i];
        closing[i] =
            (ch_closing){o->id,          o->promise, CH_OBLIGATION_UPDATE, CH_OSTATE_MET, o->due_at,
                         CH_SETTLE_NONE, NULL};
        ch_obligation_kind_parse(o->kind, &closing[i].kind);
        ch_ostate_parse(o->state, &closing[i].state);
        if (o->service) /* another service's, left behind by a move: history */
            closing[i].state = CH_OSTATE_WITHDRAWN;
    }
    if (jsettle && !(status && strcmp(status, "closed") == 0))
        ch_req_bad(&p, "settle", "settle goes with status closed: it says how each promise ended.");
    else if (jsettle)
        read_settle(&p, jsettle, &c, closing);
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
    ch_error reserved = {0}; /* the extension goes with a reason, through its own endpoint */
    if (jflags && flags && ch_sar_flags_check(c.flags, c.nflags, flags, nflags, &reserved))
        ch_req_bad(&p, "flags", "%s", reserved.msg);
    if (!status && !officer && !jflags && !note && !kind)
        ch_req_bad(&p, "status",
                   "Nothing to change: give status, kind, officer_id, flags or note.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
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
    if (strcmp(to, "closed") == 0 && strcmp(c.status, "closed") != 0) {
        if (was_paused)
            u.pause_to = r->now;
        if (!close_case(r, &c, closing, &u, &res))
            goto out;
    } else if (strcmp(to, "closed") == 0) {
        u.next_due_at = 0;
    } else if (strcmp(to, "paused") == 0) {
        if (!was_paused)
            u.pause_from = r->now;
        pause_all(r, &c, &u);
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
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r, ch_store_case_update(r->desk->store, &u, &version, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (u.set_officer && u.officer_id && u.officer_id != c.officer_id)
        ch_desk_notify_assigned(r, &c, u.officer_id, "assigned");
    ch_case_row fresh;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res =
        ch_http_case_with(r, 200, &fresh, ch_req_etag(r, version),
                          u.officer_id ? ch_http_assign_warning(r, u.officer_id, c.service) : NULL);
out:
    json_decref(body);
    return res;
}

int ch_http_case_reflag(ch_req *r, const ch_case_row *c, const char **flags, size_t nflags,
                        ch_case_update *u, ch_error *err)
{
    ch_contact facts;
    if (case_facts(r, c, c->kind, flags, nflags, 0, &facts))
        return err->code ? err->code
                         : ch_error_set(err, CH_E_STORE, "the case's facts could not be read");
    return recompute(r, c, &facts, strcmp(c->status, "paused") == 0, u, err);
}
