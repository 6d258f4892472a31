/* Safeguards on a person over HTTP: incidents of unreasonable behaviour
 * (managers record and read them), restrictions on contact (managers make,
 * notice, review and end them; everyone who may see the person sees what
 * they allow), the notice letter as a PDF, and the review queue. Every read
 * of an incident and every change is audited. */
#include "http/behaviour.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/casework.h"
#include "core/timefmt.h"
#include "export/notice.h"
#include "http/json_case.h"

static const char *const incident_kinds[] = {"threatening",
                                             "abusive",
                                             "discriminatory-language",
                                             "excessive-contact",
                                             "unreasonable-demands",
                                             "unsubstantiated-allegations",
                                             NULL};
static const char *const incident_actions[] = {
    "call-ended",    "post-deleted",  "warning-issued",      "contact-refused",
    "meeting-ended", "police-called", "reported-to-manager", NULL};

/* How many days before its review date a restriction joins the queue. */
enum { REVIEW_AHEAD_DAYS = 14 };

static bool one_of(const char *s, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    return false;
}

static bool is_manager(const ch_req *r)
{
    return r->user.role >= CH_ROLE_MANAGER;
}

static enum MHD_Result managers_only(ch_req *r, const char *what)
{
    char detail[200];
    snprintf(detail, sizeof(detail), "Only a manager can %s; ask your manager.", what);
    return ch_http_problem(r, 403, "Managers only", detail, NULL);
}

static enum MHD_Result audit_failed(ch_req *r)
{
    ch_error err;
    ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
    return ch_http_error(r, &err);
}

/* Whether the user may see person id (ch_http_person_visible's rule),
 * loading them into *out. */
static int person_sees(ch_req *r, int64_t id, ch_person *out, bool *visible, ch_error *err)
{
    int rc = ch_http_person_visible(r, id, out, err);
    *visible = rc == CH_OK;
    if (rc == CH_E_NOTFOUND) {
        *err = (ch_error){0};
        return CH_OK;
    }
    return rc;
}

/* Whether the user works in the organisation of service, the one an
 * incident or restriction recorded by it belongs to: its own staff across
 * the organisation see it (a restriction binds them all), another body's
 * do not. NULL (from before services were kept) is seen by all. */
static bool org_seen(ch_req *r, const char *service)
{
    size_t n;
    const char **mine = ch_req_services(r, &n);
    if (!mine || !service)
        return true;
    for (size_t i = 0; i < n; i++)
        if (ch_restriction_binds(service, mine[i]))
            return true;
    return false;
}

/* The service of the person's newest case the user sees, or NULL. */
static const char *latest_service(ch_req *r, int64_t person_id)
{
    ch_case_row *rows = NULL;
    size_t n = 0, nservices;
    ch_error err = {0};
    const char **services = ch_req_services(r, &nservices);
    if (ch_store_cases_of(r->desk->store, person_id, 0, (const char *const *)services, nservices, 1,
                          &r->arena, &rows, &n, &err) ||
        n == 0)
        return NULL;
    return rows[0].service;
}

/* person_sees, queuing the 404 (or the error) when not. */
static bool person_visible(ch_req *r, int64_t id, ch_person *out, enum MHD_Result *res)
{
    ch_error err = {0};
    bool visible;
    if (person_sees(r, id, out, &visible, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (!visible) {
        ch_error_set(&err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
        *res = ch_http_error(r, &err);
    }
    return visible;
}

static void limits_of(const ch_restriction *rs, ch_contact_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    lim->active = rs->status && strcmp(rs->status, "active") == 0;
    for (size_t i = 0; i < rs->nchannels; i++) {
        ch_channel c;
        if (ch_channel_parse(rs->channels[i], &c) == CH_OK)
            lim->channels |= 1u << c;
    }
    lim->point_of_contact = rs->point_of_contact_name;
    lim->replies = rs->replies;
    lim->per_days = rs->per_days;
    lim->refuse_service = rs->refuse_service;
}

int ch_http_person_limits(ch_req *r, int64_t person_id, const char *service, ch_restriction *rs,
                          ch_contact_limits *lim, ch_error *err)
{
    ch_restriction *list;
    size_t n;
    ch_restriction_filter f = {.person_id = person_id, .status = "active", .limit = 50};
    memset(rs, 0, sizeof(*rs));
    memset(lim, 0, sizeof(*lim));
    if (!person_id)
        return CH_OK;
    int rc = ch_store_restriction_list(r->desk->store, &f, &r->arena, &list, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        if (ch_restriction_binds(list[i].service, service)) {
            *rs = list[i];
            limits_of(rs, lim);
            break;
        }
    }
    return rc;
}

bool ch_http_contact_refused(ch_req *r, const ch_case_row *c, bool outbound, ch_channel channel,
                             unsigned meets, int64_t *route_to, const char **note,
                             enum MHD_Result *res)
{
    ch_error err = {0};
    ch_restriction rs;
    ch_contact_limits lim;
    char why[800];
    *route_to = 0;
    *note = NULL;
    if (ch_http_person_limits(r, c->person_id, c->service, &rs, &lim, &err)) {
        *res = ch_http_error(r, &err);
        return true;
    }
    if (!lim.active)
        return false;
    if (!outbound) {
        /* What they send is logged whatever the channel; the timeline says
         * where it goes, and when it came by a channel not allowed. */
        char summary[300], said[500];
        ch_restriction_describe(&lim, summary, sizeof(summary));
        bool allowed = (lim.channels >> channel) & 1u;
        snprintf(said, sizeof(said), "contact is restricted (%s)%s%s%s", summary,
                 allowed ? "" : ", and this came by ", allowed ? "" : ch_channel_name(channel),
                 rs.point_of_contact && rs.point_of_contact != c->officer_id
                     ? "; the case goes to the point of contact"
                     : "");
        *route_to = rs.point_of_contact;
        *note = ch_arena_strdup(&r->arena, said);
        return false;
    }
    ch_restrict_verdict v = ch_restriction_outbound(&lim, channel, meets, why, sizeof(why));
    if (v == CH_RESTRICT_ALLOW)
        return false;
    if (ch_desk_audit(r, "refuse-contact", "restriction", rs.id)) {
        *res = audit_failed(r);
        return true;
    }
    if (v == CH_RESTRICT_CHANNEL)
        *res = ch_http_problem_typed(r, 409, "/problems/restricted-channel",
                                     "Contact is restricted", why, json_pack("[s]", "channel"));
    else
        *res = ch_http_problem_typed(r, 409, "/problems/service-refused", "Service is refused", why,
                                     json_pack("[s]", "meets"));
    return true;
}

int ch_http_case_restrict(ch_req *r, ch_case_row *c, ch_error *err)
{
    ch_restriction rs;
    ch_contact_limits lim;
    int rc = ch_http_person_limits(r, c->person_id, c->service, &rs, &lim, err);
    if (rc || !lim.active)
        return rc;
    ch_desk_service ds;
    if ((rc = ch_desk_service_find(r->desk, c->service, &ds, err)))
        return rc;
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    size_t n = c->nobligations;
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*changed));
    ch_time *due = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*due));
    ch_ostate *state = ch_arena_alloc(&r->arena, (n + 1) * sizeof(*state));
    if (!changed || !due || !state)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    size_t nchanged = 0;
    for (size_t i = 0; i < n; i++) {
        ch_obligation_row *o = &c->obligations[i];
        due[i] = o->due_at;
        if (ch_ostate_parse(o->state, &state[i]))
            state[i] = CH_OSTATE_MET;
        if (strcmp(o->kind, "respond") != 0 || state[i] == CH_OSTATE_MET)
            continue;
        ch_time when;
        if ((rc = ch_restriction_reply_due(cal, &lim, rs.last_reply_at, o->due_at, &when, err)))
            return rc;
        if (when == o->due_at)
            continue;
        state[i] = ch_ostate_at(false, when, r->now);
        due[i] = when;
        changed[nchanged] = *o;
        changed[nchanged].due_at = when;
        changed[nchanged].state = ch_ostate_name(state[i]);
        nchanged++;
    }
    bool route = rs.point_of_contact && rs.point_of_contact != c->officer_id;
    if (!nchanged && !route)
        return CH_OK;
    char summary[300], detail[400];
    ch_restriction_describe(&lim, summary, sizeof(summary));
    snprintf(detail, sizeof(detail), "contact is restricted (%s)%s%s", summary,
             route ? "; assigned to the point of contact" : "",
             nchanged ? "; the reply is due at the next reply slot" : "");
    ch_event_row ev = {0, r->now, r->user.id, "restricted", detail};
    ch_case_update u = {.case_id = c->id,
                        .expect = c->version,
                        .changed = changed,
                        .nchanged = nchanged,
                        .event = &ev,
                        .status = c->status,
                        .next_due_at = ch_next_due(due, state, n),
                        .now = r->now,
                        .set_officer = route,
                        .officer_id = rs.point_of_contact};
    int64_t version;
    if ((rc = ch_store_case_update(r->desk->store, &u, &version, err)))
        return rc;
    return ch_store_case_get(r->desk->store, c->id, &r->arena, c, err);
}

static void write_restriction(ch_jw *w, const ch_restriction *rs, bool manager)
{
    ch_contact_limits lim;
    char buf[400];
    limits_of(rs, &lim);
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, rs->id);
    ch_jw_key(w, "person_id");
    ch_jw_int(w, rs->person_id);
    ch_jw_key(w, "person_name");
    ch_jw_str(w, rs->person_name);
    ch_jw_key(w, "service");
    ch_jw_str(w, rs->service);
    ch_jw_key(w, "status");
    ch_jw_str(w, rs->status);
    ch_jw_key(w, "active");
    ch_jw_bool(w, lim.active);
    ch_jw_key(w, "allowed_channels");
    ch_jw_arr(w);
    for (size_t i = 0; i < rs->nchannels; i++)
        ch_jw_str(w, rs->channels[i]);
    ch_jw_arr_end(w);
    ch_jw_key(w, "point_of_contact");
    if (rs->point_of_contact) {
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, rs->point_of_contact);
        ch_jw_key(w, "name");
        ch_jw_str(w, rs->point_of_contact_name);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    ch_jw_key(w, "frequency");
    if (rs->replies > 0) {
        ch_jw_obj(w);
        ch_jw_key(w, "replies");
        ch_jw_int(w, rs->replies);
        ch_jw_key(w, "per");
        snprintf(buf, sizeof(buf), "%d working day%s", (int)rs->per_days,
                 rs->per_days == 1 ? "" : "s");
        ch_jw_str(w, buf);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    ch_jw_key(w, "refuse_service");
    ch_jw_bool(w, rs->refuse_service);
    ch_jw_key(w, "summary");
    ch_restriction_describe(&lim, buf, sizeof(buf));
    ch_jw_str(w, buf);
    ch_jw_key(w, "review_on");
    ch_date_format(rs->review_on, buf, sizeof(buf));
    ch_jw_str(w, buf);
    ch_jw_key(w, "notice_sent_at");
    ch_jw_time(w, rs->notice_sent_at);
    ch_jw_key(w, "notice_how");
    ch_jw_str(w, rs->notice_how);
    ch_jw_key(w, "ended_at");
    ch_jw_time(w, rs->ended_at);
    ch_jw_key(w, "last_reply_at");
    ch_jw_time(w, rs->last_reply_at);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, rs->created_at);
    /* Why, and how it was reviewed or ended, is for managers: officers see
     * only that it applies and what it allows. */
    if (manager) {
        ch_jw_key(w, "reason");
        ch_jw_str(w, rs->reason);
        ch_jw_key(w, "review_note");
        ch_jw_str(w, rs->review_note);
        ch_jw_key(w, "end_reason");
        ch_jw_str(w, rs->end_reason);
    }
    ch_jw_obj_end(w);
}

static void write_incident(ch_jw *w, const ch_incident *i)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, i->id);
    ch_jw_key(w, "person_id");
    ch_jw_int(w, i->person_id);
    ch_jw_key(w, "case_id");
    ch_jw_id(w, i->case_id);
    ch_jw_key(w, "service");
    ch_jw_str(w, i->service);
    ch_jw_key(w, "at");
    ch_jw_time(w, i->at);
    ch_jw_key(w, "channel");
    ch_jw_str(w, i->channel);
    ch_jw_key(w, "kind");
    ch_jw_str(w, i->kind);
    ch_jw_key(w, "what");
    ch_jw_str(w, i->what);
    ch_jw_key(w, "staff_affected");
    ch_jw_arr(w);
    for (size_t k = 0; k < i->nstaff; k++)
        ch_jw_int(w, i->staff[k]);
    ch_jw_arr_end(w);
    ch_jw_key(w, "health_and_safety");
    ch_jw_bool(w, i->health_and_safety);
    ch_jw_key(w, "police_reference");
    ch_jw_str(w, i->police_reference);
    ch_jw_key(w, "actions");
    ch_jw_arr(w);
    for (size_t k = 0; k < i->nactions; k++)
        ch_jw_str(w, i->actions[k]);
    ch_jw_arr_end(w);
    ch_jw_key(w, "created_by");
    ch_jw_id(w, i->created_by);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, i->created_at);
    ch_jw_obj_end(w);
}

/* Restrictions not yet ended, newest first: those binding service's
 * organisation, or (service NULL) those the user's organisations see. */
static int open_restrictions(ch_req *r, int64_t person_id, const char *service,
                             ch_restriction **out, size_t *n, ch_error *err)
{
    ch_restriction *all;
    size_t nall;
    ch_restriction_filter f = {.person_id = person_id, .limit = 50};
    int rc = ch_store_restriction_list(r->desk->store, &f, &r->arena, &all, &nall, err);
    *out = all;
    *n = 0;
    for (size_t i = 0; !rc && i < nall; i++)
        if (strcmp(all[i].status, "ended") != 0 &&
            (service ? ch_restriction_binds(all[i].service, service) : org_seen(r, all[i].service)))
            all[(*n)++] = all[i];
    return rc;
}

/* The incidents of person_id the user's organisations see, in place. */
static int seen_incidents(ch_req *r, int64_t person_id, ch_incident **out, size_t *n, ch_error *err)
{
    int rc = ch_store_incident_list(r->desk->store, person_id, &r->arena, out, n, err);
    size_t kept = 0;
    for (size_t i = 0; !rc && i < *n; i++)
        if (org_seen(r, (*out)[i].service))
            (*out)[kept++] = (*out)[i];
    if (!rc)
        *n = kept;
    return rc;
}

int ch_http_person_restrictions(ch_req *r, ch_jw *w, int64_t person_id, ch_error *err)
{
    ch_restriction *list;
    size_t n;
    int rc = open_restrictions(r, person_id, NULL, &list, &n, err);
    if (rc)
        return rc;
    ch_jw_key(w, "restrictions");
    ch_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        write_restriction(w, &list[i], is_manager(r));
    ch_jw_arr_end(w);
    if (!is_manager(r))
        return CH_OK;
    ch_incident *inc;
    size_t ninc;
    if ((rc = seen_incidents(r, person_id, &inc, &ninc, err)))
        return rc;
    if (ninc && ch_desk_audit(r, "read", "incidents", person_id))
        return ch_error_set(err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
    ch_jw_key(w, "incidents");
    ch_jw_arr(w);
    for (size_t i = 0; i < ninc; i++)
        write_incident(w, &inc[i]);
    ch_jw_arr_end(w);
    return CH_OK;
}

/* A list of names from words, into out (at most max), recorded in p when
 * it is not one. */
static size_t name_list(problems *p, json_t *body, const char *key, const char *const *words,
                        const char *what, const char **out, size_t max)
{
    json_t *v = json_object_get(body, key);
    size_t n = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > max) {
        ch_req_bad(p, key, "%s must be a list of at most %zu %s.", key, max, what);
        return 0;
    }
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *s = json_string_value(json_array_get(v, i));
        if (!s || !one_of(s, words)) {
            char known[300] = "";
            size_t used = 0;
            for (size_t k = 0; words[k] && used < sizeof(known); k++) {
                int wrote =
                    snprintf(known + used, sizeof(known) - used, "%s%s", k ? ", " : "", words[k]);
                used += wrote > 0 ? (size_t)wrote : 0;
            }
            ch_req_bad(p, key, "%s may hold only %s.", key, known);
            return 0;
        }
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(out[k], s) == 0;
        if (!seen)
            out[n++] = s;
    }
    return n;
}

static const char *const channel_words[] = {"phone", "voicemail", "email",  "letter",
                                            "web",   "in-person", "social", NULL};

enum MHD_Result ch_http_incidents_create(ch_req *r, int64_t person_id)
{
    static const ch_req_key keys[] = {{"at", NULL},
                                      {"channel", NULL},
                                      {"kind", NULL},
                                      {"what", NULL},
                                      {"staff_affected", NULL},
                                      {"health_and_safety", NULL},
                                      {"actions", NULL},
                                      {"police_reference", NULL},
                                      {"case_id", NULL},
                                      {"service", NULL},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person person;
    if (!is_manager(r))
        return managers_only(r, "record an incident");
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (!person_visible(r, person_id, &person, &res))
        goto out;
    ch_incident inc = {.person_id = person_id, .at = r->now};
    const char *at = ch_req_text(&p, body, "at", 40, false);
    inc.channel = ch_req_text(&p, body, "channel", 32, true);
    inc.kind = ch_req_text(&p, body, "kind", 40, true);
    inc.what = ch_req_text(&p, body, "what", 10000, true);
    inc.police_reference = ch_req_text(&p, body, "police_reference", 60, false);
    ch_req_bool(&p, body, "health_and_safety", &inc.health_and_safety);
    ch_req_int(&p, body, "case_id", 1, INT64_MAX, false, &inc.case_id);
    if (inc.channel && !one_of(inc.channel, channel_words))
        ch_req_bad(&p, "channel",
                   "channel must be phone, voicemail, email, letter, web, in-person or social.");
    if (inc.kind && !one_of(inc.kind, incident_kinds))
        ch_req_bad(&p, "kind",
                   "kind must be threatening, abusive, discriminatory-language, "
                   "excessive-contact, unreasonable-demands or unsubstantiated-allegations.");
    if (inc.what && !*inc.what)
        ch_req_bad(&p, "what", "what is empty; say what happened.");
    if (inc.police_reference && !ch_req_one_line(inc.police_reference))
        ch_req_bad(&p, "police_reference", "police_reference must be one line.");
    const char *acts[16];
    inc.nactions = name_list(&p, body, "actions", incident_actions, "actions", acts, 16);
    inc.actions = acts;
    int64_t staff[32];
    json_t *js = json_object_get(body, "staff_affected");
    if (js && (!json_is_array(js) || json_array_size(js) > 32))
        ch_req_bad(&p, "staff_affected", "staff_affected must be a list of at most 32 user ids.");
    for (size_t i = 0; js && json_is_array(js) && i < json_array_size(js) && i < 32; i++) {
        json_t *v = json_array_get(js, i);
        ch_user u;
        if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
            ch_store_user_by_id(r->desk->store, (int64_t)json_integer_value(v), &r->arena, &u,
                                &err)) {
            ch_req_bad(&p, "staff_affected", "staff_affected must list staff by their user id.");
            break;
        }
        staff[inc.nstaff++] = u.id;
    }
    inc.staff = staff;
    ch_tz utc = {0};
    if (at && ch_time_parse(at, &utc, &inc.at, &err))
        ch_req_bad(&p, "at", "at: %s", err.msg);
    if (inc.at > r->now + 300)
        ch_req_bad(&p, "at", "at is in the future; give when it happened.");
    ch_case_row c;
    if (!p.fields && inc.case_id && !ch_req_case(r, inc.case_id, &c, &res))
        goto out;
    if (!p.fields && inc.case_id && c.person_id != person_id)
        ch_req_bad(&p, "case_id", "case %lld is not about this person.", (long long)inc.case_id);
    if (!p.fields)
        inc.service = ch_req_record_service(r, &p, body,
                                            inc.case_id ? c.service : latest_service(r, person_id));
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    inc.created_by = r->user.id;
    inc.created_at = r->now;
    ch_desk_audit_attach(r, "create", "incident", &inc.id);
    if (ch_desk_audit_finish(r, ch_store_incident_insert(r->desk->store, &inc, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_jw w;
    ch_jw_init(&w);
    write_incident(&w, &inc);
    res = ch_http_jw(r, 201, &w, NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_incidents_list(ch_req *r, int64_t person_id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_person person;
    if (!is_manager(r))
        return managers_only(r, "read incidents");
    if (!person_visible(r, person_id, &person, &res))
        return res;
    ch_incident *inc;
    size_t n;
    if (seen_incidents(r, person_id, &inc, &n, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "read", "incidents", person_id))
        return audit_failed(r);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "incidents");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        write_incident(&w, &inc[i]);
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, (int64_t)n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

static enum MHD_Result send_restriction(ch_req *r, unsigned status, const ch_restriction *rs)
{
    ch_jw w;
    ch_jw_init(&w);
    write_restriction(&w, rs, is_manager(r));
    return ch_http_jw(r, status, &w, NULL);
}

enum MHD_Result ch_http_restrictions_create(ch_req *r, int64_t person_id)
{
    static const ch_req_key freq[] = {{"replies", NULL}, {"per", NULL}, {NULL, NULL}};
    static const ch_req_key keys[] = {{"allowed_channels", NULL}, {"point_of_contact", NULL},
                                      {"frequency", freq},        {"refuse_service", NULL},
                                      {"reason", NULL},           {"review_on", NULL},
                                      {"service", NULL},          {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person person;
    if (!is_manager(r))
        return managers_only(r, "restrict how a person contacts us");
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (!person_visible(r, person_id, &person, &res))
        goto out;
    ch_restriction rs = {.person_id = person_id, .status = "awaiting-notice"};
    const char *channels[CH_CHANNEL_COUNT];
    rs.nchannels = name_list(&p, body, "allowed_channels", channel_words, "channels", channels,
                             CH_CHANNEL_COUNT);
    rs.channels = channels;
    if (!rs.nchannels && !p.fields)
        ch_req_bad(&p, "allowed_channels",
                   "allowed_channels must name at least one channel the person may use, such "
                   "as [\"email\"].");
    int64_t poc = 0;
    ch_user contact = {0};
    if (ch_req_int(&p, body, "point_of_contact", 1, INT64_MAX, false, &poc)) {
        if (ch_store_user_by_id(r->desk->store, poc, &r->arena, &contact, &err) || contact.inactive)
            ch_req_bad(&p, "point_of_contact",
                       "point_of_contact must be the user id of an active member of staff.");
        else
            rs.point_of_contact = poc;
    }
    json_t *jf = json_object_get(body, "frequency");
    if (jf && !json_is_null(jf)) {
        int64_t replies = 0;
        const char *per = NULL;
        if (!json_is_object(jf))
            ch_req_bad(&p, "frequency",
                       "frequency must be an object such as {\"replies\": 1, \"per\": \"10 "
                       "working days\"}.");
        else if (ch_req_int(&p, jf, "replies", 1, 20, true, &replies) &&
                 (per = ch_req_text(&p, jf, "per", 40, true))) {
            ch_error perr = {0};
            if (ch_restriction_period_parse(per, &rs.per_days, &perr))
                ch_req_bad(&p, "frequency.per", "frequency.per: %s.", perr.msg);
            else
                rs.replies = (int32_t)replies;
        }
    }
    ch_req_bool(&p, body, "refuse_service", &rs.refuse_service);
    rs.reason = ch_req_text(&p, body, "reason", 2000, true);
    if (rs.reason && !*rs.reason)
        ch_req_bad(&p, "reason", "reason is empty; say why contact is restricted.");
    const char *review = ch_req_text(&p, body, "review_on", 10, true);
    if (review && (ch_date_parse(review, strlen(review), &rs.review_on, &err) ||
                   rs.review_on <= ch_time_utc_date(r->now)))
        ch_req_bad(&p, "review_on", "review_on must be a date after today, YYYY-MM-DD.");
    if (!p.fields)
        rs.service = ch_req_record_service(r, &p, body, latest_service(r, person_id));
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    ch_restriction *open;
    size_t nopen;
    if (open_restrictions(r, person_id, rs.service, &open, &nopen, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (nopen) {
        char detail[300];
        snprintf(detail, sizeof(detail),
                 "%s already has restriction %lld (%s); review or end it before making another.",
                 person.name, (long long)open[0].id, open[0].status);
        res = ch_http_problem(r, 409, "Already restricted", detail, NULL);
        goto out;
    }
    rs.created_by = r->user.id;
    rs.created_at = r->now;
    ch_desk_audit_attach(r, "create", "restriction", &rs.id);
    if (ch_desk_audit_finish(r, ch_store_restriction_insert(r->desk->store, &rs, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_restriction fresh;
    if (ch_store_restriction_get(r->desk->store, rs.id, &r->arena, &fresh, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_restriction(r, 201, &fresh);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_restrictions_list(ch_req *r, int64_t person_id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_person person;
    if (!person_visible(r, person_id, &person, &res))
        return res;
    ch_restriction *list;
    size_t n;
    ch_restriction_filter f = {.person_id = person_id, .limit = 50};
    if (ch_store_restriction_list(r->desk->store, &f, &r->arena, &list, &n, &err))
        return ch_http_error(r, &err);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (org_seen(r, list[i].service))
            list[kept++] = list[i];
    n = kept;
    if (ch_desk_audit(r, "read", "restrictions", person_id))
        return audit_failed(r);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "restrictions");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++)
        write_restriction(&w, &list[i], is_manager(r));
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, (int64_t)n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* Loads restriction id when the user may see its person. */
static bool restriction_visible(ch_req *r, int64_t id, ch_restriction *rs, enum MHD_Result *res)
{
    ch_error err = {0};
    ch_person person;
    if (ch_store_restriction_get(r->desk->store, id, &r->arena, rs, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (!person_visible(r, rs->person_id, &person, res))
        return false;
    if (!org_seen(r, rs->service)) {
        ch_error_set(&err, CH_E_NOTFOUND, "there is no restriction %lld", (long long)id);
        *res = ch_http_error(r, &err);
        return false;
    }
    return true;
}

enum MHD_Result ch_http_restriction_get(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_restriction rs;
    if (!restriction_visible(r, id, &rs, &res))
        return res;
    if (ch_desk_audit(r, "read", "restriction", id))
        return audit_failed(r);
    return send_restriction(r, 200, &rs);
}

/* The policy whose letter and name a person's notice goes out under: the
 * one named in ?policy=, else that of the person's newest case the user
 * sees, else the first loaded. */
static const ch_policy *notice_policy(ch_req *r, const ch_restriction *rs, enum MHD_Result *res)
{
    int64_t person_id = rs->person_id;
    ch_error err = {0};
    const char *want = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "policy");
    if (want) {
        for (size_t i = 0; i < r->desk->npolicies; i++)
            if (strcmp(r->desk->policies[i].policy->id, want) == 0)
                return r->desk->policies[i].policy;
        *res = ch_http_problem(r, 404, "No such policy",
                               "No loaded policy has that id; leave policy out to use the one "
                               "of the person's latest case.",
                               json_pack("[s]", "policy"));
        return NULL;
    }
    ch_case_row *rows;
    size_t n, nservices;
    const char **services = ch_req_services(r, &nservices);
    ch_desk_service ds;
    /* The letter comes from the organisation that made the restriction. */
    if (rs->service && ch_desk_service_find(r->desk, rs->service, &ds, &err) == CH_OK)
        return ds.policy;
    err = (ch_error){0};
    if (ch_store_cases_of(r->desk->store, person_id, 0, (const char *const *)services, nservices, 1,
                          &r->arena, &rows, &n, &err)) {
        *res = ch_http_error(r, &err);
        return NULL;
    }
    if (n && ch_desk_service_find(r->desk, rows[0].service, &ds, &err) == CH_OK)
        return ds.policy;
    if (r->desk->npolicies)
        return r->desk->policies[0].policy;
    *res = ch_http_problem(r, 409, "No policy loaded",
                           "The desk has no policy loaded, so there is no organisation to write "
                           "the notice from.",
                           NULL);
    return NULL;
}

static const char default_title[] = "How you may contact us";
static const char default_text[] =
    "Dear {name},\n\n"
    "We are writing to tell you that, from the date of this letter, we are limiting how you "
    "contact {organisation}.\n\n"
    "Why: {reason}\n\n"
    "From now on please contact us by {channels} only. {point_of_contact} will deal with "
    "everything you send us. {frequency}\n\n"
    "We will review this arrangement on {review_on} and write to you again then. If you "
    "disagree with this decision you may complain through our complaints procedure.\n\n"
    "Yours sincerely,\n\n{organisation}";

static enum MHD_Result send_pdf(ch_req *r, const char *name, char *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    char disposition[160];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", name);
    MHD_add_response_header(resp, "Content-Type", "application/pdf");
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result ch_http_restriction_notice(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_restriction rs;
    if (!is_manager(r))
        return managers_only(r, "make a restriction notice");
    if (!restriction_visible(r, id, &rs, &res))
        return res;
    const ch_policy *pol = notice_policy(r, &rs, &res);
    if (!pol)
        return res;
    ch_contact_limits lim;
    limits_of(&rs, &lim);
    char channels[128], contact[260], frequency[200], review[40], today[40];
    ch_restriction_channels_text(lim.channels, channels, sizeof(channels));
    if (rs.point_of_contact_name)
        snprintf(contact, sizeof(contact), "%s", rs.point_of_contact_name);
    else
        snprintf(contact, sizeof(contact), "The member of staff who replies");
    if (rs.refuse_service)
        snprintf(frequency, sizeof(frequency),
                 "We will not provide further service on your case; we will only acknowledge "
                 "what you send.");
    else if (rs.replies > 0)
        snprintf(frequency, sizeof(frequency),
                 "We will reply to you no more than %d time%s every %d working day%s.",
                 (int)rs.replies, rs.replies == 1 ? "" : "s", (int)rs.per_days,
                 rs.per_days == 1 ? "" : "s");
    else
        frequency[0] = '\0';
    ch_date_format_long(rs.review_on, review, sizeof(review));
    ch_date_format_long(ch_time_utc_date(r->now), today, sizeof(today));
    const char *values[CH_NOTICE_COUNT] = {
        [CH_NOTICE_NAME] = rs.person_name, [CH_NOTICE_ORGANISATION] = pol->organisation,
        [CH_NOTICE_CHANNELS] = channels,   [CH_NOTICE_POINT_OF_CONTACT] = contact,
        [CH_NOTICE_FREQUENCY] = frequency, [CH_NOTICE_REVIEW_ON] = review,
        [CH_NOTICE_REASON] = rs.reason,    [CH_NOTICE_DATE] = today};
    char *text = ch_arena_alloc(&r->arena, 16384);
    char *data = NULL;
    size_t len;
    if (!text) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        return ch_http_error(r, &err);
    }
    if (ch_notice_fill(pol->notice_text ? pol->notice_text : default_text, values, text, 16384,
                       &err) ||
        ch_notice_pdf(pol->organisation, today,
                      pol->notice_title ? pol->notice_title : default_title, text, &data, &len,
                      &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "notice", "restriction", id)) {
        free(data);
        return audit_failed(r);
    }
    char name[64];
    snprintf(name, sizeof(name), "restriction-notice-%lld.pdf", (long long)id);
    return send_pdf(r, name, data, len);
}

enum MHD_Result ch_http_restriction_notice_sent(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"sent_on", NULL}, {"how", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_restriction rs;
    if (!is_manager(r))
        return managers_only(r, "record a restriction notice as sent");
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (!restriction_visible(r, id, &rs, &res))
        goto out;
    const char *sent_on = ch_req_text(&p, body, "sent_on", 10, false);
    const char *how = ch_req_text(&p, body, "how", 16, true);
    static const char *const hows[] = {"letter", "email", "by-hand", NULL};
    if (how && !one_of(how, hows))
        ch_req_bad(&p, "how", "how must be letter, email or by-hand.");
    ch_date today = ch_time_utc_date(r->now), day = today;
    if (sent_on && (ch_date_parse(sent_on, strlen(sent_on), &day, &err) || day > today ||
                    day < ch_time_utc_date(rs.created_at)))
        ch_req_bad(&p, "sent_on",
                   "sent_on must be a date from the day the restriction was made to today, "
                   "YYYY-MM-DD.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    /* It binds from the moment it is recorded, or from the start of an
     * earlier day the letter went out on. */
    ch_restriction_change ch = {.id = id,
                                .expect = "awaiting-notice",
                                .status = "active",
                                .notice_sent_at = day == today ? r->now : (ch_time)day * 86400,
                                .notice_how = how};
    ch_desk_audit_attach(r, "notice-sent", "restriction", &id);
    if (ch_desk_audit_finish(r, ch_store_restriction_change(r->desk->store, &ch, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_store_restriction_get(r->desk->store, id, &r->arena, &rs, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_restriction(r, 200, &rs);
out:
    json_decref(body);
    return res;
}

/* A review (end false: kept, with a new review date) or the end of a
 * restriction; either needs a restriction not yet ended. */
static enum MHD_Result review_or_end(ch_req *r, int64_t id, bool end)
{
    static const ch_req_key review_keys[] = {{"review_on", NULL}, {"note", NULL}, {NULL, NULL}};
    static const ch_req_key end_keys[] = {{"reason", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_restriction rs;
    if (!is_manager(r))
        return managers_only(r, end ? "end a restriction" : "review a restriction");
    json_t *body = ch_req_body(r, end ? end_keys : review_keys, &res);
    if (!body)
        return res;
    if (!restriction_visible(r, id, &rs, &res))
        goto out;
    ch_restriction_change ch = {.id = id, .expect = rs.status};
    if (end) {
        ch.end_reason = ch_req_text(&p, body, "reason", 2000, true);
        ch.status = "ended";
        ch.ended_at = r->now;
    } else {
        const char *review = ch_req_text(&p, body, "review_on", 10, true);
        ch.review_note = ch_req_text(&p, body, "note", 2000, true);
        if (review && (ch_date_parse(review, strlen(review), &ch.review_on, &err) ||
                       ch.review_on <= ch_time_utc_date(r->now)))
            ch_req_bad(&p, "review_on",
                       "review_on must be the next review's date, after today, YYYY-MM-DD.");
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (strcmp(rs.status, "ended") == 0) {
        res = ch_http_problem(r, 409, "Already ended",
                              "This restriction has ended; make a new one if contact must be "
                              "restricted again.",
                              NULL);
        goto out;
    }
    ch_desk_audit_attach(r, end ? "end" : "review", "restriction", &id);
    if (ch_desk_audit_finish(r, ch_store_restriction_change(r->desk->store, &ch, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_store_restriction_get(r->desk->store, id, &r->arena, &rs, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_restriction(r, 200, &rs);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_restriction_review(ch_req *r, int64_t id)
{
    return review_or_end(r, id, false);
}

enum MHD_Result ch_http_restriction_end(ch_req *r, int64_t id)
{
    return review_or_end(r, id, true);
}

enum MHD_Result ch_http_restriction_reviews(ch_req *r)
{
    ch_error err = {0};
    if (!is_manager(r))
        return managers_only(r, "see the restriction reviews");
    ch_date by = ch_time_utc_date(r->now) + REVIEW_AHEAD_DAYS;
    static const char *const states[] = {"awaiting-notice", "active"};
    ch_restriction *all[2];
    size_t n[2];
    for (int k = 0; k < 2; k++) {
        ch_restriction_filter f = {.status = states[k], .review_by = by, .limit = 200};
        if (ch_store_restriction_list(r->desk->store, &f, &r->arena, &all[k], &n[k], &err))
            return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "due_by");
    char buf[16];
    ch_date_format(by, buf, sizeof(buf));
    ch_jw_str(&w, buf);
    ch_jw_key(&w, "restrictions");
    ch_jw_arr(&w);
    int64_t total = 0;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < n[k]; i++) {
            ch_person person;
            bool visible;
            /* Only people the manager may see: another team's clients stay
             * invisible. */
            if (person_sees(r, all[k][i].person_id, &person, &visible, &err)) {
                ch_jw_free(&w);
                return ch_http_error(r, &err);
            }
            if (!visible || !org_seen(r, all[k][i].service))
                continue;
            write_restriction(&w, &all[k][i], true);
            total++;
        }
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, total);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
