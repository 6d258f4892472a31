/* Subject access requests on the desk: a manager's preview of a person's
 * export, and on a SAR case its clock (with the two-month extension for a
 * complex request) and the export's release, which keeps the promise to
 * reply and leaves the zip on the case to be downloaded again. */
#include "http/sar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sar.h"
#include "core/timefmt.h"
#include "export/sar.h"
#include "http/case_changes.h"
#include "http/json_case.h"
#include "http/request.h"

static enum MHD_Result send_zip(ch_req *r, const char *data, size_t len, const char *name)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    char disp[200];
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
    MHD_add_response_header(resp, "Content-Type", "application/zip");
    MHD_add_response_header(resp, "Content-Disposition", disp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result res = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return res;
}

static enum MHD_Result managers_only(ch_req *r, const char *what)
{
    char detail[300];
    snprintf(detail, sizeof(detail),
             "Only a manager or an administrator can %s; ask your manager to do it.", what);
    return ch_http_problem(r, 403, "Managers only", detail, NULL);
}

/* The clock an export's PDF reads times on: the charter of the service
 * (the SAR case's; for a preview, the first the manager works in). */
static ch_sar_zone zone_of(ch_req *r, const char *service)
{
    ch_sar_zone z = {0};
    ch_desk_service ds;
    ch_error err = {0};
    size_t n = 0;
    const char **mine = ch_req_services(r, &n);
    const ch_policy *p = NULL;
    const ch_service *svc = NULL;
    if (!service && n)
        service = mine[0];
    if (service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK) {
        p = ds.policy;
        svc = ds.service;
    } else if (r->desk->npolicies && r->desk->policies[0].policy->nservices) {
        p = r->desk->policies[0].policy;
        svc = &p->services[0];
    }
    const ch_calendar *cal = p ? ch_policy_service_calendar(p, svc) : NULL;
    if (cal) {
        z.tz = ch_calendar_tz(cal);
        z.name = p->time_zone;
        z.organisation = p->organisation;
    }
    return z;
}

enum MHD_Result ch_http_person_export(ch_req *r, int64_t id)
{
    ch_error err = {0};
    ch_person person;
    ch_sar_bundle b;
    char *zip = NULL, name[80];
    size_t len = 0, nservices = 0;
    enum MHD_Result res;
    if (ch_http_person_visible(r, id, &person, &err))
        return ch_http_error(r, &err);
    if (r->user.role == CH_ROLE_OFFICER)
        return managers_only(r, "download everything held about a person");
    const char **services = ch_req_services(r, &nservices);
    ch_sar_zone zone = zone_of(r, NULL);
    if (ch_store_sar_bundle(r->desk->store, id, services, nservices, &r->arena, &b, &err) ||
        ch_sar_zip(&b, 0, r->now, &zone, &r->arena, &zip, &len, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "export", "person", id)) {
        free(zip);
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    ch_sar_filename(0, id, name, sizeof(name));
    res = send_zip(r, zip, len, name);
    free(zip);
    return res;
}

/* The case's open reply (respond) obligation and whether it is extended. */
static const ch_obligation_row *reply_of(const ch_case_row *c)
{
    const ch_obligation_row *found = NULL;
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        if (strcmp(o->kind, "respond") != 0 || o->service)
            continue;
        if (!found || strcmp(o->state, "met") != 0)
            found = o;
    }
    return found;
}

static bool extended(const ch_case_row *c)
{
    for (size_t i = 0; i < c->nflags; i++)
        if (strcmp(c->flags[i], CH_SAR_EXTENDED_FLAG) == 0)
            return true;
    return false;
}

/* Who may handle a SAR case's export: the officer the case is given to,
 * as they would send any reply, or a manager. */
static bool may_handle(const ch_req *r, const ch_case_row *c)
{
    return r->user.role != CH_ROLE_OFFICER || c->officer_id == r->user.id;
}

static json_t *export_json(const ch_sar_export *e)
{
    char href[64];
    snprintf(href, sizeof(href), "/api/v1/attachments/%lld", (long long)e->attachment_id);
    return json_pack("{s:I, s:I, s:I, s:o, s:o, s:s}", "id", (json_int_t)e->id, "attachment_id",
                     (json_int_t)e->attachment_id, "contact_id", (json_int_t)e->contact_id,
                     "released_by", e->released_by ? json_integer(e->released_by) : json_null(),
                     "released_at", ch_json_time(e->released_at), "href", href);
}

enum MHD_Result ch_http_sar_get(ch_req *r, int64_t id)
{
    ch_error err = {0};
    enum MHD_Result res;
    ch_case_row c;
    ch_sar_export *ex = NULL;
    size_t nex = 0;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (strcmp(c.kind, "sar") != 0)
        return ch_http_problem(r, 404, "Not a subject access request",
                               "This case is not a subject access request (kind sar).", NULL);
    if (ch_store_sar_exports(r->desk->store, 0, id, &r->arena, &ex, &nex, &err))
        return ch_http_error(r, &err);
    const ch_obligation_row *o = reply_of(&c);
    /* What the desk would refuse next is not offered: a release once one
     * was made, an extension once extended or once the reply is met. */
    bool may_release = nex == 0 && may_handle(r, &c);
    bool may_extend = r->user.role != CH_ROLE_OFFICER && nex == 0 && !extended(&c) && o &&
                      strcmp(o->state, "met") != 0;
    return ch_http_json(r, 200,
                        json_pack("{s:I, s:I, s:b, s:o, s:o, s:o, s:b, s:b}", "case_id",
                                  (json_int_t)id, "person_id", (json_int_t)c.person_id, "extended",
                                  extended(&c), "due_at", o ? ch_json_time(o->due_at) : json_null(),
                                  "reply_state", o ? json_string(o->state) : json_null(), "export",
                                  nex ? export_json(&ex[0]) : json_null(), "may_release",
                                  may_release, "may_extend", may_extend),
                        ch_req_etag(r, c.version));
}

enum MHD_Result ch_http_sar_extend(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"reason", NULL}, {NULL, NULL}};
    ch_error err = {0};
    enum MHD_Result res;
    problems p = {0};
    ch_case_row c;
    int64_t expect = 0, version = 0;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (!ch_req_case_version(r, false, &expect, &res) || !ch_req_case(r, id, &c, &res))
        goto out;
    const char *reason = ch_req_text(&p, body, "reason", 1000, true);
    if (reason && ch_req_blank(reason))
        ch_req_bad(&p, "reason", "reason must say why the request is complex.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        p.fields = NULL;
        goto out;
    }
    if (r->user.role == CH_ROLE_OFFICER) {
        res = managers_only(r, "extend the time for a subject access request");
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    const ch_obligation_row *o = reply_of(&c);
    ch_ostate st = CH_OSTATE_PENDING;
    if (o)
        ch_ostate_parse(o->state, &st);
    if (ch_sar_extend_check(c.kind, c.status, extended(&c), o != NULL, st, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    const char **flags = ch_arena_alloc(&r->arena, (c.nflags + 1) * sizeof(*flags));
    if (!flags) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    if (c.nflags)
        memcpy(flags, c.flags, c.nflags * sizeof(*flags));
    flags[c.nflags] = CH_SAR_EXTENDED_FLAG;
    ch_case_update u = {.case_id = id,
                        .expect = c.version,
                        .now = r->now,
                        .status = c.status,
                        .set_flags = true,
                        .flags = flags,
                        .nflags = c.nflags + 1};
    if (ch_http_case_reflag(r, &c, flags, c.nflags + 1, &u, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    /* The charter must hold the longer promise, or the flag would take the
     * month away and leave nothing in its place. */
    ch_time due = 0;
    for (size_t i = 0; i < u.nadded; i++)
        if (strcmp(u.added[i].kind, "respond") == 0)
            due = u.added[i].due_at;
    if (!due) {
        res = ch_http_problem(r, 409, "No extended promise",
                              "This service's charter has no promise for an extended subject "
                              "access request (applies_to flags: [sar-extended]); add one to the "
                              "policy first (see docs/policy.md).",
                              NULL);
        goto out;
    }
    char was[40], now_due[40], detail[1300];
    ch_time_format_utc(o->due_at, was, sizeof(was));
    ch_time_format_utc(due, now_due, sizeof(now_due));
    snprintf(detail, sizeof(detail),
             "extended by two calendar months for a complex request (due %s, was %s): %s", now_due,
             was, reason);
    ch_event_row event = {0, r->now, r->user.id, "extended", detail};
    u.event = &event;
    ch_desk_audit_attach(r, "extend", "case", &id);
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
    json_decref(p.fields);
    json_decref(body);
    return res;
}

/* The services of the case's organisation (its policy): a subject access
 * answer covers everything that controller holds, not only what the
 * officer releasing it may open. */
static const char **controller_services(ch_req *r, const ch_case_row *c, size_t *n)
{
    size_t plen = strcspn(c->service, "/");
    const ch_policy *pol = ch_desk_policy_named(r->desk, c->service, plen);
    *n = 0;
    if (!pol)
        return NULL;
    const char **names = ch_arena_alloc(&r->arena, (pol->nservices + 1) * sizeof(*names));
    for (size_t k = 0; names && k < pol->nservices; k++) {
        char full[140];
        snprintf(full, sizeof(full), "%s/%s", pol->id, pol->services[k].id);
        names[(*n)++] = ch_arena_strdup(&r->arena, full);
    }
    return names;
}

enum MHD_Result ch_http_sar_preview(ch_req *r, int64_t id)
{
    ch_error err = {0};
    enum MHD_Result res;
    ch_case_row c;
    ch_sar_bundle b;
    char *zip = NULL, name[80];
    size_t len = 0, nservices = 0;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (!may_handle(r, &c))
        return ch_http_problem(r, 403, "Not your case",
                               "Only the officer the case is assigned to, or a manager, can see "
                               "a subject access export; ask to be assigned first.",
                               NULL);
    if (ch_sar_release_check(c.kind, "open", c.person_id, &err))
        return ch_http_error(r, &err);
    const char **services = controller_services(r, &c, &nservices);
    ch_sar_zone zone = zone_of(r, c.service);
    if (ch_store_sar_bundle(r->desk->store, c.person_id, services, nservices, &r->arena, &b,
                            &err) ||
        ch_sar_zip(&b, id, r->now, &zone, &r->arena, &zip, &len, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "export", "person", c.person_id)) {
        free(zip);
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    ch_sar_filename(0, c.person_id, name, sizeof(name));
    res = send_zip(r, zip, len, name);
    free(zip);
    return res;
}

enum MHD_Result ch_http_sar_release(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"channel", NULL}, {"note", NULL}, {NULL, NULL}};
    ch_error err = {0};
    enum MHD_Result res;
    problems p = {0};
    ch_case_row c;
    ch_desk_service ds;
    ch_sar_bundle b;
    char *zip = NULL, name[80], summary[2400];
    size_t len = 0, nservices = 0;
    int64_t expect = 0, version = 0;
    json_t *body = NULL;
    /* An empty body is the plain release. */
    if (r->len == 0)
        body = json_object();
    else if (!(body = ch_req_body(r, keys, &res)))
        return res;
    if (!ch_req_case_version(r, false, &expect, &res) || !ch_req_case(r, id, &c, &res))
        goto out;
    const char *channel = ch_req_text(&p, body, "channel", 16, false);
    const char *note = ch_req_text(&p, body, "note", 2000, false);
    ch_channel chv = CH_CHANNEL_EMAIL;
    if (!channel)
        channel = c.requester_email ? "email" : "letter";
    if (ch_channel_parse(channel, &chv))
        ch_req_bad(&p, "channel", "channel must be email, letter or in-person: how the copy went.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        p.fields = NULL;
        goto out;
    }
    if (!may_handle(r, &c)) {
        res = ch_http_problem(r, 403, "Not your case",
                              "Only the officer the case is assigned to, or a manager, can "
                              "release a subject access export; ask to be assigned first.",
                              NULL);
        goto out;
    }
    if (ch_sar_release_check(c.kind, c.status, c.person_id, &err) ||
        !ch_req_case_current(r, id, c.version, expect, &res)) {
        if (err.code)
            res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_desk_service_find(r->desk, c.service, &ds, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    const char **services = controller_services(r, &c, &nservices);
    ch_sar_zone zone = zone_of(r, c.service);
    if (ch_store_sar_bundle(r->desk->store, c.person_id, services, nservices, &r->arena, &b,
                            &err) ||
        ch_sar_zip(&b, id, r->now, &zone, &r->arena, &zip, &len, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_sar_filename(id, c.person_id, name, sizeof(name));
    snprintf(summary, sizeof(summary),
             "Subject access export released: %s (%zu cases, %zu files).%s%s", name, b.ncases,
             b.nfiles, note ? " " : "", note ? note : "");
    ch_contact_ask ask = {.direction = "outbound",
                          .channel = channel,
                          .ch = chv,
                          .at = r->now,
                          .who = c.requester_name,
                          .summary = summary,
                          .meets = 1u << CH_OBLIGATION_RESPOND};
    ch_contact_plan *plan = ch_arena_alloc(&r->arena, sizeof(*plan));
    if (!plan) {
        res = ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        goto out;
    }
    if (!ch_http_contact_plan(r, &c, &ds, &ask, plan, &res))
        goto out;
    plan->update.expect = c.version;
    ch_sar_release rel = {.row = {.case_id = id,
                                  .person_id = c.person_id,
                                  .released_by = r->user.id,
                                  .released_at = r->now},
                          .file = {.case_id = id,
                                   .filename = name,
                                   .content_type = "application/zip",
                                   .size = (int64_t)len,
                                   .data = (const unsigned char *)zip,
                                   .uploaded_by = r->user.id,
                                   .uploader = r->user.name,
                                   .uploaded_at = r->now},
                          .update = &plan->update};
    ch_desk_audit_attach(r, "release", "case", &id);
    ch_desk_audit_attach(r, "create", "attachment", &rel.file.id);
    if (ch_desk_audit_finish(r, ch_store_sar_release(r->desk->store, &rel, &version, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    json_t *out = export_json(&rel.row);
    json_object_set_new(out, "filename", json_string(name));
    json_object_set_new(out, "size", json_integer((json_int_t)len));
    json_object_set_new(out, "case_version", json_integer(version));
    res = ch_http_json(r, 201, out, ch_req_etag(r, version));
out:
    free(zip);
    json_decref(p.fields);
    json_decref(body);
    return res;
}
