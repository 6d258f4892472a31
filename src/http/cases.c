/* /api/v1/cases: open a case (the engine computes its obligations), read
 * one, and log a contact that may meet its promises. */
#include "core/casework.h"
#include "core/timefmt.h"
#include "http/json_case.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Field errors gathered over a whole request, answered together as 400. */
typedef struct problems {
    json_t *fields;
    char detail[1024];
} problems;

static void bad(problems *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(problems *p, const char *field, const char *fmt, ...)
{
    size_t used = strlen(p->detail);
    va_list ap;
    if (!p->fields)
        p->fields = json_array();
    json_array_append_new(p->fields, json_string(field));
    if (used && used + 2 < sizeof(p->detail))
        p->detail[used++] = ' ', p->detail[used] = '\0';
    va_start(ap, fmt);
    vsnprintf(p->detail + used, sizeof(p->detail) - used, fmt, ap);
    va_end(ap);
}

/* An optional string member no longer than max; NULL when absent. */
static const char *text(problems *p, json_t *obj, const char *key, size_t max, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            bad(p, key, "%s is required.", key);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s) {
        bad(p, key, "%s must be a string.", key);
        return NULL;
    }
    if (strlen(s) > max || (required && !*s)) {
        bad(p, key, "%s must be 1 to %zu characters.", key, max);
        return NULL;
    }
    return s;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static json_t *parse_body(ch_req *r, enum MHD_Result *res)
{
    json_error_t jerr;
    json_t *body = r->len ? json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!body || !json_is_object(body)) {
        char detail[300];
        if (!body && r->len)
            snprintf(detail, sizeof(detail), "The body is not valid JSON (line %d, column %d: %s).",
                     jerr.line, jerr.column, jerr.text);
        else
            snprintf(detail, sizeof(detail), "Send a JSON object as the request body.");
        json_decref(body);
        *res = ch_http_problem(r, 400, "The request body is not a JSON object", detail, NULL);
        return NULL;
    }
    return body;
}

static char *etag_of(ch_req *r, int64_t version)
{
    char *e = ch_arena_alloc(&r->arena, 32);
    if (e)
        snprintf(e, 32, "\"%lld\"", (long long)version);
    return e;
}

enum MHD_Result ch_http_cases_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_desk_service ds;
    json_t *body = parse_body(r, &res);
    if (!body)
        return res;
    const char *service = text(&p, body, "service", 140, true);
    const char *kind = text(&p, body, "kind", 32, false);
    const char *channel = text(&p, body, "channel", 32, true);
    const char *received = text(&p, body, "received_at", 40, false);
    const char *subject = text(&p, body, "subject", 300, true);
    const char *organisation = text(&p, body, "organisation", 200, false);
    json_t *req = json_object_get(body, "requester");
    const char *rname = NULL, *remail = NULL;
    if (req && !json_is_null(req)) {
        if (!json_is_object(req))
            bad(&p, "requester", "requester must be an object with name and email.");
        rname = text(&p, req, "name", 200, false);
        remail = text(&p, req, "email", 254, false);
    }
    ch_contact contact = {0};
    const char *flags[16];
    json_t *jflags = json_object_get(body, "flags");
    if (jflags && !json_is_array(jflags))
        bad(&p, "flags", "flags must be a list of names.");
    else if (json_array_size(jflags) > 16)
        bad(&p, "flags", "at most 16 flags.");
    else {
        for (size_t i = 0; i < json_array_size(jflags); i++) {
            const char *f = json_string_value(json_array_get(jflags, i));
            if (!f || !name_ok(f)) {
                bad(&p, "flags", "each flag must be lower-case letters, digits or hyphens.");
                break;
            }
            flags[contact.nflags++] = f;
        }
    }
    contact.flags = flags;
    if (kind && ch_case_kind_parse(kind, &contact.kind))
        bad(&p, "kind", "kind must be enquiry, service-order, complaint, feedback, foi or sar.");
    if (channel && ch_channel_parse(channel, &contact.channel))
        bad(&p, "channel",
            "channel must be phone, voicemail, email, letter, web, in-person or social.");
    bool have_service = service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK;
    if (service && !have_service)
        bad(&p, "service", "%s", err.msg);
    const ch_calendar *cal =
        have_service ? ch_policy_service_calendar(ds.policy, ds.service) : NULL;
    contact.received = r->now;
    ch_tz utc = {0}; /* without a service, still say whether the time is readable */
    if (received &&
        ch_time_parse(received, cal ? ch_calendar_tz(cal) : &utc, &contact.received, &err))
        bad(&p, "received_at", "received_at: %s", err.msg);
    if (contact.received > r->now + 300)
        bad(&p, "received_at", "received_at is in the future; give when it really arrived.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_desk_can_see(r, ds.name)) {
        res = ch_http_problem(r, 403, "Not your service",
                              "You do not belong to this service, so you cannot open its cases.",
                              NULL);
        goto out;
    }
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    size_t n;
    ch_time deemed;
    if (ch_policy_obligations(ds.policy, ds.service, &contact, ob, CH_POLICY_MAX_PROMISES, &n,
                              &deemed, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_case_row c = {0};
    ch_obligation_row rows[CH_POLICY_MAX_PROMISES];
    ch_time due[CH_POLICY_MAX_PROMISES];
    ch_ostate states[CH_POLICY_MAX_PROMISES];
    for (size_t i = 0; i < n; i++) {
        rows[i] = (ch_obligation_row){0,
                                      ob[i].promise->id,
                                      ch_obligation_kind_name(ob[i].promise->obligation),
                                      ob[i].promise->text,
                                      ob[i].due,
                                      "pending",
                                      0};
        due[i] = ob[i].due;
        states[i] = CH_OSTATE_PENDING;
    }
    ch_event_row created = {0, r->now, r->user.id, "created", subject};
    c.service = ds.name;
    c.kind = ch_case_kind_name(contact.kind);
    c.channel = ch_channel_name(contact.channel);
    c.subject = subject;
    c.status = "open";
    c.received_at = contact.received;
    c.deemed_at = deemed;
    c.created_at = r->now;
    c.requester_name = rname;
    c.requester_email = remail;
    c.organisation = organisation;
    c.flags = flags;
    c.nflags = contact.nflags;
    c.obligations = rows;
    c.nobligations = n;
    c.events = &created;
    c.nevents = 1;
    c.next_due_at = ch_next_due(due, states, n);
    if (ch_store_case_insert(r->desk->store, &c, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_desk_audit(r, "create", "case", c.id)) {
        ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
        res = ch_http_error(r, &err);
        goto out;
    }
    c.ncontacts = 0;
    res = ch_http_json(r, 201, ch_json_case(&c, true), etag_of(r, c.version));
out:
    json_decref(body);
    return res;
}

/* Loads a case the user may see; queues 404 otherwise (a case in another
 * team's service is not admitted to exist). */
static bool load_visible(ch_req *r, int64_t id, ch_case_row *c, enum MHD_Result *res)
{
    ch_error err = {0};
    int rc = ch_store_case_get(r->desk->store, id, &r->arena, c, &err);
    if (rc == CH_OK && !ch_desk_can_see(r, c->service))
        rc = ch_error_set(&err, CH_E_NOTFOUND, "there is no case %lld", (long long)id);
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    return true;
}

enum MHD_Result ch_http_case_get(ch_req *r, int64_t id)
{
    ch_case_row c;
    enum MHD_Result res;
    if (!load_visible(r, id, &c, &res))
        return res;
    if (ch_desk_audit(r, "read", "case", id)) {
        ch_error err;
        ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
        return ch_http_error(r, &err);
    }
    return ch_http_json(r, 200, ch_json_case(&c, true), etag_of(r, c.version));
}

/* If-Match: "N" (or N) into a version; 0 when absent, -1 when unreadable. */
static int64_t if_match(ch_req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
    long long v;
    if (!h)
        return 0;
    if (sscanf(h, "\"%lld\"", &v) == 1 || sscanf(h, "%lld", &v) == 1)
        return v > 0 ? v : -1;
    return -1;
}

enum MHD_Result ch_http_contacts_create(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    json_t *body = parse_body(r, &res);
    if (!body)
        return res;
    int64_t expect = if_match(r);
    if (expect < 0) {
        res = ch_http_problem(r, 400, "Unreadable If-Match",
                              "If-Match must be the ETag of the case, e.g. \"3\".", NULL);
        goto out;
    }
    if (!load_visible(r, id, &c, &res))
        goto out;
    const char *direction = text(&p, body, "direction", 16, true);
    const char *channel = text(&p, body, "channel", 32, true);
    const char *at_s = text(&p, body, "at", 40, false);
    const char *summary = text(&p, body, "summary", 20000, false);
    const char *who = text(&p, body, "who", 200, false);
    const char *outcome = text(&p, body, "outcome", 200, false);
    bool outbound = direction && strcmp(direction, "outbound") == 0;
    if (direction && !outbound && strcmp(direction, "inbound") != 0)
        bad(&p, "direction", "direction must be inbound or outbound.");
    ch_channel ch;
    if (channel && ch_channel_parse(channel, &ch))
        bad(&p, "channel",
            "channel must be phone, voicemail, email, letter, web, in-person or social.");
    ch_desk_service ds;
    ch_time at = r->now;
    if (at_s && ch_desk_service_find(r->desk, c.service, &ds, &err) == CH_OK &&
        ch_time_parse(at_s, ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service)), &at,
                      &err))
        bad(&p, "at", "at: %s", err.msg);
    unsigned meets = 0;
    json_t *jm = json_object_get(body, "meets");
    if (jm && !json_is_array(jm))
        bad(&p, "meets", "meets must be a list such as [\"respond\"].");
    for (size_t i = 0; jm && i < json_array_size(jm); i++) {
        const char *k = json_string_value(json_array_get(jm, i));
        ch_obligation_kind kind;
        if (!k || ch_obligation_kind_parse(k, &kind) || !(CH_MEETABLE & (1u << kind))) {
            bad(&p, "meets", "meets may hold acknowledge, respond and resolve.");
            break;
        }
        meets |= 1u << kind;
    }
    if (meets && direction && !outbound)
        bad(&p, "meets", "only an outbound contact (one we made) can meet a promise.");
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
        if (ch_contact_meets(outbound, meets, k, s)) {
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
    char detail[600];
    snprintf(detail, sizeof(detail), "%s %s contact%s%s", direction, channel, *met ? "; " : "",
             met);
    ch_event_row event = {0, r->now, r->user.id, "contact", detail};
    ch_case_update u = {id,       c.version, &contact, changed,
                        nchanged, &event,    c.status, ch_next_due(due, state, c.nobligations),
                        r->now};
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
    res = ch_http_json(r, 201, ch_json_case(&fresh, true), etag_of(r, version));
out:
    json_decref(body);
    return res;
}
