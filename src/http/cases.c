/* /api/v1/cases: open a case (the engine computes its obligations), with
 * what the person said as its first contact, and read one. */
#include "core/casework.h"
#include "core/timefmt.h"
#include "http/behaviour.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum MHD_Result ch_http_cases_create(ch_req *r)
{
    static const ch_req_key requester[] = {{"name", NULL}, {"email", NULL}, {NULL, NULL}};
    static const ch_req_key keys[] = {{"service", NULL},        {"kind", NULL},
                                      {"channel", NULL},        {"received_at", NULL},
                                      {"subject", NULL},        {"organisation", NULL},
                                      {"requester", requester}, {"flags", NULL},
                                      {"message", NULL},        {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_desk_service ds;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    const char *service = ch_req_text(&p, body, "service", 140, true);
    const char *kind = ch_req_text(&p, body, "kind", 32, false);
    const char *channel = ch_req_text(&p, body, "channel", 32, true);
    const char *received = ch_req_text(&p, body, "received_at", 40, false);
    const char *subject = ch_req_text(&p, body, "subject", 300, true);
    const char *organisation = ch_req_text(&p, body, "organisation", 200, false);
    /* What they wrote or said, kept as the case's first (inbound) contact. */
    const char *message = ch_req_text(&p, body, "message", 20000, false);
    json_t *req = json_object_get(body, "requester");
    const char *rname = NULL, *remail = NULL;
    if (req && !json_is_null(req)) {
        if (!json_is_object(req))
            ch_req_bad(&p, "requester", "requester must be an object with name and email.");
        rname = ch_req_text(&p, req, "name", 200, false);
        remail = ch_req_text(&p, req, "email", 254, false);
    }
    ch_contact contact = {0};
    const char *flags[16];
    json_t *jflags = json_object_get(body, "flags");
    if (jflags && !json_is_array(jflags))
        ch_req_bad(&p, "flags", "flags must be a list of names.");
    else if (json_array_size(jflags) > 16)
        ch_req_bad(&p, "flags", "at most 16 flags.");
    else {
        for (size_t i = 0; i < json_array_size(jflags); i++) {
            const char *f = json_string_value(json_array_get(jflags, i));
            if (!f || !ch_name_ok(f)) {
                ch_req_bad(&p, "flags", "each flag must be lower-case letters, digits or hyphens.");
                break;
            }
            flags[contact.nflags++] = f;
        }
    }
    contact.flags = flags;
    if (kind && ch_case_kind_parse(kind, &contact.kind))
        ch_req_bad(&p, "kind",
                   "kind must be enquiry, service-order, complaint, feedback, foi or sar.");
    if (channel && ch_channel_parse(channel, &contact.channel))
        ch_req_bad(&p, "channel",
                   "channel must be phone, voicemail, email, letter, web, in-person or social.");
    bool have_service = service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK;
    if (service && !have_service)
        ch_req_bad(&p, "service", "%s", err.msg);
    const ch_calendar *cal =
        have_service ? ch_policy_service_calendar(ds.policy, ds.service) : NULL;
    contact.received = r->now;
    ch_tz utc = {0}; /* without a service, still say whether the time is readable */
    if (received &&
        ch_time_parse(received, cal ? ch_calendar_tz(cal) : &utc, &contact.received, &err))
        ch_req_bad(&p, "received_at", "received_at: %s", err.msg);
    if (contact.received > r->now + 300)
        ch_req_bad(&p, "received_at", "received_at is in the future; give when it really arrived.");
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
        /* A case logged late (a letter found in the post room) may already
         * be past a due time: it is breached from the start. */
        states[i] = ch_ostate_at(false, ob[i].due, r->now);
        rows[i] = ch_obligation_row_for(ob[i].promise, ob[i].due, states[i]);
        due[i] = ob[i].due;
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
    /* The case and its audit row commit together, or neither does. */
    ch_desk_audit_attach(r, "create", "case", &c.id);
    if (ch_desk_audit_finish(r, ch_store_case_insert(r->desk->store, &c, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_http_case_restrict(r, &c, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    c.ncontacts = 0;
    if (message && *message) {
        ch_contact_row first = {0,       "inbound", c.channel,     rname,
                                message, NULL,      c.received_at, r->user.id};
        char said[64];
        snprintf(said, sizeof(said), "inbound %s contact", c.channel);
        ch_event_row ev = {0, r->now, r->user.id, "contact", said};
        ch_case_update u = {.case_id = c.id,
                            .expect = c.version,
                            .contact = &first,
                            .event = &ev,
                            .status = c.status,
                            .next_due_at = c.next_due_at,
                            .now = r->now};
        ch_case_row fresh;
        if (ch_store_case_update(r->desk->store, &u, &c.version, &err) ||
            ch_store_case_get(r->desk->store, c.id, &r->arena, &fresh, &err)) {
            res = ch_http_error(r, &err);
            goto out;
        }
        res = ch_http_case(r, 201, &fresh, ch_req_etag(r, fresh.version));
        goto out;
    }
    res = ch_http_case(r, 201, &c, ch_req_etag(r, c.version));
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_case_get(ch_req *r, int64_t id)
{
    ch_case_row c;
    enum MHD_Result res;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (ch_desk_audit(r, "read", "case", id)) {
        ch_error err;
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    return ch_http_case(r, 200, &c, ch_req_etag(r, c.version));
}
