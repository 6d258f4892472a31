/* The HTTP server: libmicrohttpd accepts connections on its own threads;
 * each request gets an arena, a bounded body buffer and one route. */
#include "http/audits.h"
#include "http/availability.h"
#include "http/complaints.h"
#include "http/desk.h"
#include "http/headwatch.h"
#include "http/themes.h"
#include "http/surveys.h"
#include "http/sar.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/timefmt.h"
#include "mail/outbox.h"

extern const char ch_openapi_yaml[];
extern const size_t ch_openapi_yaml_len;

enum MHD_Result ch_http_respond(ch_req *r, unsigned status, struct MHD_Response *resp)
{
    /* Each handler sets what its answer needs; what every answer must
     * carry is added here when it has not: no sniffing, no framing, no
     * referrer beyond the desk, and HTTPS remembered once people use it. */
    if (!MHD_get_response_header(resp, "X-Content-Type-Options"))
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (!MHD_get_response_header(resp, "Content-Security-Policy"))
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'none'; frame-ancestors 'none'");
    if (!MHD_get_response_header(resp, "Referrer-Policy"))
        MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (ch_desk_https(r->desk))
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    return MHD_queue_response(r->conn, status, resp);
}

/* Every answer goes out here. A 401 always says how to authenticate
 * (RFC 9110 asks for WWW-Authenticate on each one); header/value, when set,
 * is one more header such as Allow. */
static enum MHD_Result queue(ch_req *r, unsigned status, const char *type, const char *data,
                             size_t len, const char *etag, const char *header, const char *value)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"charter\"");
    if (header && value)
        MHD_add_response_header(resp, header, value);
    enum MHD_Result ok = ch_http_respond(r, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result ch_http_bytes(ch_req *r, unsigned status, const char *type, const char *data,
                              size_t len)
{
    return queue(r, status, type, data, len, NULL, NULL, NULL);
}

enum MHD_Result ch_http_json(ch_req *r, unsigned status, json_t *body, const char *etag)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s)
        return MHD_NO;
    enum MHD_Result ok = queue(r, status, "application/json", s, strlen(s), etag, NULL, NULL);
    free(s);
    return ok;
}

/* A problem with its type (NULL: "/problems/STATUS") and one more header
 * (Allow on a 405, Accept-Post on a 415). */
static enum MHD_Result problem_full(ch_req *r, unsigned status, const char *kind, const char *title,
                                    const char *detail, json_t *fields, const char *header,
                                    const char *value)
{
    json_t *p = json_object();
    char type[64];
    snprintf(type, sizeof(type), "/problems/%u", status);
    json_object_set_new(p, "type", json_string(kind ? kind : type));
    json_object_set_new(p, "title", json_string(title));
    json_object_set_new(p, "status", json_integer(status));
    /* Sentences from lower layers start in lower case; a person reads a
     * capital letter first, unless the sentence opens with a field's name
     * (handed_to, q), which is written as the API spells it. */
    char sentence[1024];
    snprintf(sentence, sizeof(sentence), "%s", detail);
    size_t first = strcspn(sentence, " ,.:;");
    bool field_name = memchr(sentence, '_', first) != NULL || (first == 1 && sentence[0] != 'a');
    const char *named = json_string_value(json_array_get(fields, 0));
    if (named && first <= 2 && strlen(named) == first && strncmp(sentence, named, first) == 0)
        field_name = true; /* "at is in the future" names the field at; "Reason must" reads */
    if (sentence[0] >= 'a' && sentence[0] <= 'z' && !field_name)
        sentence[0] = (char)(sentence[0] - 'a' + 'A');
    json_object_set_new(p, "detail", json_string(sentence));
    if (fields)
        json_object_set_new(p, "fields", fields);
    char *s = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!s)
        return MHD_NO;
    enum MHD_Result ok =
        queue(r, status, "application/problem+json", s, strlen(s), NULL, header, value);
    free(s);
    return ok;
}

static enum MHD_Result problem_with(ch_req *r, unsigned status, const char *title,
                                    const char *detail, json_t *fields, const char *header,
                                    const char *value)
{
    return problem_full(r, status, NULL, title, detail, fields, header, value);
}

enum MHD_Result ch_http_problem_typed(ch_req *r, unsigned status, const char *type,
                                      const char *title, const char *detail, json_t *fields)
{
    return problem_full(r, status, type, title, detail, fields, NULL, NULL);
}

enum MHD_Result ch_http_problem(ch_req *r, unsigned status, const char *title, const char *detail,
                                json_t *fields)
{
    return problem_with(r, status, title, detail, fields, NULL, NULL);
}

enum MHD_Result ch_http_error(ch_req *r, const ch_error *err)
{
    if (r->unavailable.code && err->code == CH_E_STORE)
        err = &r->unavailable; /* an audit row that could not be saved */
    switch (err->code) {
    case CH_E_NOTFOUND:
        return ch_http_problem(r, 404, "Not found", err->msg, NULL);
    case CH_E_CONFLICT:
        return ch_http_problem(r, 409, "This clashes with what is recorded", err->msg, NULL);
    case CH_E_INVALID:
        return ch_http_problem(r, 400, "The request is not valid", err->msg, NULL);
    case CH_E_HORIZON:
        return ch_http_problem(r, 422, "Outside the calendar", err->msg, NULL);
    case CH_E_UNAVAILABLE:
        /* Logged too: the administrator is the one who can act on it. */
        fprintf(stderr, "charter serve: %s %s: %s\n", r->method, r->url, err->msg);
        return problem_with(r, 503, "The desk cannot save just now", err->msg, NULL, "Retry-After",
                            "60");
    default:
        fprintf(stderr, "charter serve: %s %s: %s\n", r->method, r->url, err->msg);
        return ch_http_problem(r, 500, "Something went wrong on our side",
                               "The desk could not finish this request; nothing was changed. "
                               "Try again, and tell your administrator if it keeps happening.",
                               NULL);
    }
}

json_t *ch_json_time(ch_time t)
{
    char buf[32];
    if (!t)
        return json_null();
    ch_time_format_utc(t, buf, sizeof(buf));
    return json_string(buf);
}

typedef struct conn_limits {
    unsigned total, per_address;
} conn_limits;

/* How many connections the server holds: as many as the process may open
 * files, less a margin for the store and the mail, raised to the hard
 * limit first. One address may hold a quarter of them, so a single client
 * cannot take every connection, yet one office behind a router is not
 * starved either. */
static conn_limits connection_limits(void)
{
    struct rlimit rl;
    conn_limits l = {1000, 250};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
        if (rl.rlim_cur < want) {
            rl.rlim_cur = want;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur > 256)
            l.total = (unsigned)(rl.rlim_cur - 128 > 16384 ? 16384 : rl.rlim_cur - 128);
        l.per_address = l.total / 4;
    }
    return l;
}

unsigned ch_desk_threads(void)
{
    /* A write waits for its commit while holding its thread, so more
     * threads than cores let more writes share each group commit (measured:
     * 16 threads on 2 cores gave 5,500 creations a second, 4 gave 3,900). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n = cores > 0 ? (unsigned)cores * 8 : 16;
    return n < 4 ? 4 : n > 64 ? 64 : n;
}

const ch_policy *ch_desk_policy_named(const ch_desk *d, const char *id, size_t len)
{
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        if (strlen(p->id) == len && strncmp(p->id, id, len) == 0)
            return p;
    }
    return NULL;
}

int ch_desk_service_find(const ch_desk *d, const char *name, ch_desk_service *out, ch_error *err)
{
    const char *slash = strchr(name, '/');
    int found = 0;
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        if (slash && (strlen(p->id) != (size_t)(slash - name) ||
                      strncmp(p->id, name, (size_t)(slash - name)) != 0))
            continue;
        const ch_service *svc = ch_policy_service(p, slash ? slash + 1 : name);
        if (!svc)
            continue;
        if (found++)
            return ch_error_set(err, CH_E_INVALID,
                                "service '%.64s' exists in more than one policy; name it as "
                                "POLICY/SERVICE, e.g. %s/%s",
                                name, p->id, svc->id);
        out->policy = p;
        out->service = svc;
        snprintf(out->name, sizeof(out->name), "%s/%s", p->id, svc->id);
    }
    if (!found)
        return ch_error_set(err, CH_E_NOTFOUND,
                            "there is no service '%.64s'; GET /api/v1/services lists them", name);
    return CH_OK;
}

bool ch_desk_can_see(const ch_req *r, const char *service)
{
    if (r->user.role == CH_ROLE_ADMIN)
        return true;
    for (size_t i = 0; i < r->user.nservices; i++)
        if (strcmp(r->user.services[i], service) == 0)
            return true;
    return false;
}

int ch_desk_audit(ch_req *r, const char *action, const char *object, int64_t object_id)
{
    ch_error err;
    ch_audit_row row = {0, r->now, r->user.id, action, object, object_id, r->remote, 0, NULL, NULL};
    int rc = ch_store_audit_insert(r->desk->store, &row, &err);
    if (rc)
        fprintf(stderr, "charter serve: audit log: %s\n", err.msg);
    if (rc && err.code == CH_E_UNAVAILABLE)
        ch_error_set(&r->unavailable, CH_E_UNAVAILABLE,
                     "the desk records this in its audit log and could not: %s", err.msg);
    return rc;
}

void ch_desk_audit_attach(ch_req *r, const char *action, const char *object,
                          const int64_t *object_id)
{
    ch_audit_row row = {0, r->now, r->user.id, action, object, 0, r->remote, 0, NULL, NULL};
    if (ch_store_audit_attach(r->desk->store, &row, object_id))
        fprintf(stderr, "charter serve: audit log: too many audit rows for one write\n");
}

int ch_desk_audit_finish(ch_req *r, int rc, ch_error *err)
{
    int wrote = rc;
    rc = ch_store_audit_finish(r->desk->store, rc, err);
    if (rc && err->code == CH_E_UNAVAILABLE) {
        rc = CH_E_UNAVAILABLE; /* keep the reason: a full disk is not a failed audit */
    } else if (rc && wrote == CH_OK) {
        /* The change was rolled back with its audit row: say so. */
        fprintf(stderr, "charter serve: audit log: %s\n", err->msg);
        ch_error_set(err, CH_E_STORE,
                     "the audit log could not be written, so the change was not"
                     " made; try again");
    } else if (rc && !err->code) {
        /* Every caller answers with err: never leave it without a sentence. */
        ch_error_set(err, CH_E_STORE, "the change could not be saved; try again");
    }
    return rc;
}

static enum MHD_Result not_found(ch_req *r)
{
    return ch_http_problem(r, 404, "Not found",
                           "There is no such endpoint; see /api/v1/openapi.yaml for the API.",
                           NULL);
}

static enum MHD_Result healthz(ch_req *r)
{
    return ch_http_bytes(r, 200, "text/plain", "ok\n", 3);
}

static enum MHD_Result openapi(ch_req *r)
{
    return ch_http_bytes(r, 200, "application/yaml", ch_openapi_yaml, ch_openapi_yaml_len);
}

/* The desk lives under /app/. */
static enum MHD_Result root(ch_req *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Location", "/app/");
    enum MHD_Result ok = ch_http_respond(r, 302, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result policies_check(ch_req *r)
{
    return ch_http_policies_post(r, false);
}

static enum MHD_Result policies_load(ch_req *r)
{
    return ch_http_policies_post(r, true);
}

static enum MHD_Result year_end_read(ch_req *r, int64_t id)
{
    return ch_http_year_end(r, id, false);
}

static enum MHD_Result year_end_confirm(ch_req *r, int64_t id)
{
    return ch_http_year_end(r, id, true);
}

/* One endpoint. A pattern's segments are literal, {id} (a positive whole
 * number, given to with_id), {name} (any one segment) or a final * (the
 * rest); with_rest gets the path from the first of these on. Each route
 * has exactly one handler. */
typedef struct endpoint {
    const char *method, *pattern;
    bool open; /* answered before authentication: public pages, sign-in */
    bool raw;  /* the body is a file in its own Content-Type, not JSON */
    enum MHD_Result (*plain)(ch_req *r);
    enum MHD_Result (*with_id)(ch_req *r, int64_t id);
    enum MHD_Result (*with_rest)(ch_req *r, const char *rest);
} endpoint;

static enum MHD_Result school_root(ch_req *r)
{
    return ch_http_school(r, "");
}

static const endpoint routes[] = {
    {"GET", "/healthz", .open = true, .plain = healthz},
    {"GET", "/api/v1/openapi.yaml", .open = true, .plain = openapi},
    {"GET", "/", .open = true, .plain = root},
    {"GET", "/app/*", .open = true, .with_rest = ch_http_static},
    /* A school's own page (school.c): signed in by a link sent by email. */
    {"GET", "/school", .open = true, .plain = school_root},
    {"GET", "/school/*", .open = true, .with_rest = ch_http_school},
    {"POST", "/school/*", .open = true, .with_rest = ch_http_school},
    {"POST", "/api/v1/session", .open = true, .plain = ch_http_session},
    /* The public pages (and their style sheet) are HTML forms. */
    {"GET", "/public/{name}", .open = true, .with_rest = ch_http_public},
    {"GET", "/public/{name}/contact", .open = true, .with_rest = ch_http_public},
    {"POST", "/public/{name}/contact", .open = true, .with_rest = ch_http_public},
    {"GET", "/public/{name}/feedback", .open = true, .with_rest = ch_http_public},
    {"POST", "/public/{name}/feedback", .open = true, .with_rest = ch_http_public},
    /* Behaviour audits: each group's form and the technical-problem form. */
    {"GET", "/public/{name}/audit/{name}", .open = true, .with_rest = ch_http_audit_form},
    {"POST", "/public/{name}/audit/{name}", .open = true, .with_rest = ch_http_audit_form},
    {"GET", "/public/{name}/audit-problem", .open = true, .with_rest = ch_http_audit_problem},
    {"POST", "/public/{name}/audit-problem", .open = true, .with_rest = ch_http_audit_problem},
    {"GET", "/api/v1/session", .plain = ch_http_session_get},
    {"GET", "/api/v1/cases", .plain = ch_http_case_list},
    {"POST", "/api/v1/cases", .plain = ch_http_cases_create},
    {"GET", "/api/v1/cases/{id}", .with_id = ch_http_case_get},
    {"PATCH", "/api/v1/cases/{id}", .with_id = ch_http_case_patch},
    {"POST", "/api/v1/cases/{id}/contacts", .with_id = ch_http_contacts_create},
    {"POST", "/api/v1/cases/{id}/transfer", .with_id = ch_http_case_transfer},
    {"GET", "/api/v1/cases/{id}/destinations", .with_id = ch_http_case_destinations},
    {"GET", "/api/v1/queues/restriction-reviews", .plain = ch_http_restriction_reviews},
    {"GET", "/api/v1/queues/{name}", .with_rest = ch_http_queue},
    {"GET", "/api/v1/services", .plain = ch_http_services},
    {"GET", "/api/v1/colleagues", .plain = ch_http_colleagues},
    {"GET", "/api/v1/audit", .plain = ch_http_audit},
    {"GET", "/api/v1/search", .plain = ch_http_search},
    {"GET", "/api/v1/policies", .plain = ch_http_policies},
    {"POST", "/api/v1/policies", .plain = policies_load},
    {"POST", "/api/v1/policies/check", .plain = policies_check},
    {"GET", "/api/v1/users", .plain = ch_http_users_list},
    {"POST", "/api/v1/users", .plain = ch_http_users_create},
    {"DELETE", "/api/v1/session", .plain = ch_http_session_delete},
    {"PATCH", "/api/v1/users/{id}", .with_id = ch_http_user_patch},
    {"POST", "/api/v1/users/{id}/password", .with_id = ch_http_user_password},
    {"GET", "/api/v1/users/{id}/out-of-office", .with_id = ch_http_user_out_of_office},
    {"GET", "/api/v1/tokens", .plain = ch_http_tokens_list},
    {"POST", "/api/v1/tokens", .plain = ch_http_tokens_create},
    {"DELETE", "/api/v1/tokens/{id}", .with_id = ch_http_token_delete},
    {"POST", "/api/v1/people", .plain = ch_http_people_create},
    {"GET", "/api/v1/people", .plain = ch_http_people_list},
    {"GET", "/api/v1/people/{id}", .with_id = ch_http_person_get},
    /* People and safeguards: relationships, consents, who may be told. */
    {"POST", "/api/v1/people/{id}/relationships", .with_id = ch_http_relationships_create},
    {"DELETE", "/api/v1/relationships/{id}", .with_id = ch_http_relationship_delete},
    {"POST", "/api/v1/people/{id}/consents", .with_id = ch_http_consents_create},
    {"POST", "/api/v1/consents/{id}/withdraw", .with_id = ch_http_consent_withdraw},
    {"GET", "/api/v1/cases/{id}/contacts-allowed", .with_id = ch_http_contacts_allowed},
    {"PATCH", "/api/v1/people/{id}", .with_id = ch_http_person_patch},
    {"POST", "/api/v1/people/{id}/merge", .with_id = ch_http_person_merge},
    {"POST", "/api/v1/people/{id}/attachments", .raw = true, .with_id = ch_http_person_attach},
    {"POST", "/api/v1/cases/{id}/attachments", .raw = true, .with_id = ch_http_case_attach},
    {"GET", "/api/v1/attachments/{id}", .with_id = ch_http_attachment_get},
    /* Safeguards on a person: incidents and restrictions (behaviour.c). */
    {"GET", "/api/v1/people/{id}/incidents", .with_id = ch_http_incidents_list},
    {"POST", "/api/v1/people/{id}/incidents", .with_id = ch_http_incidents_create},
    {"GET", "/api/v1/people/{id}/restrictions", .with_id = ch_http_restrictions_list},
    {"POST", "/api/v1/people/{id}/restrictions", .with_id = ch_http_restrictions_create},
    {"GET", "/api/v1/restrictions/{id}", .with_id = ch_http_restriction_get},
    {"GET", "/api/v1/restrictions/{id}/notice", .with_id = ch_http_restriction_notice},
    {"POST", "/api/v1/restrictions/{id}/notice-sent", .with_id = ch_http_restriction_notice_sent},
    {"POST", "/api/v1/restrictions/{id}/review", .with_id = ch_http_restriction_review},
    {"POST", "/api/v1/restrictions/{id}/end", .with_id = ch_http_restriction_end},
    {"POST", "/api/v1/organisations", .plain = ch_http_organisations_create},
    {"GET", "/api/v1/organisations/{id}", .with_id = ch_http_organisation_get},
    {"GET", "/api/v1/reports/compliance", .plain = ch_http_report},
    /* Purchased hours: contracts, visits, statements and capacity. */
    {"GET", "/api/v1/contracts", .plain = ch_http_contracts_list},
    {"POST", "/api/v1/contracts", .plain = ch_http_contracts_create},
    {"GET", "/api/v1/contracts/{id}", .with_id = ch_http_contract_get},
    {"PATCH", "/api/v1/contracts/{id}", .with_id = ch_http_contract_patch},
    {"POST", "/api/v1/contracts/{id}/entries", .with_id = ch_http_entries_create},
    {"POST", "/api/v1/contracts/{id}/visits", .with_id = ch_http_visits_create},
    {"GET", "/api/v1/contracts/{id}/statement", .with_id = ch_http_statement},
    {"GET", "/api/v1/contracts/{id}/school-view", .with_id = ch_http_school_preview},
    {"POST", "/api/v1/contracts/{id}/statement/sent", .with_id = ch_http_statement_sent},
    {"POST", "/api/v1/contracts/{id}/statement/send", .with_id = ch_http_statement_send},
    {"GET", "/api/v1/contracts/{id}/year-end", .with_id = year_end_read},
    {"POST", "/api/v1/contracts/{id}/year-end", .with_id = year_end_confirm},
    {"GET", "/api/v1/visits", .plain = ch_http_visits_list},
    {"GET", "/api/v1/visits/{id}", .with_id = ch_http_visit_get},
    {"PATCH", "/api/v1/visits/{id}", .with_id = ch_http_visit_patch},
    {"GET", "/api/v1/capacity", .plain = ch_http_capacity},
    {"GET", "/api/v1/year-end", .plain = ch_http_year_end_report},
    {"GET", "/api/v1/statements", .plain = ch_http_statements_due},
    {"POST", "/api/v1/statements/send", .plain = ch_http_statements_send},
    /* Email out and notifications (replies.c, notifications.c). */
    {"POST", "/api/v1/cases/{id}/replies", .with_id = ch_http_replies_create},
    {"GET", "/api/v1/cases/{id}/outbox", .with_id = ch_http_case_outbox},
    {"GET", "/api/v1/outbox", .plain = ch_http_outbox_list},
    {"GET", "/api/v1/notifications", .plain = ch_http_notifications_list},
    {"POST", "/api/v1/notifications/read", .plain = ch_http_notifications_read_all},
    {"POST", "/api/v1/notifications/{id}/read", .with_id = ch_http_notification_read},
    /* Complaints and compliments (complaints.c). */
    {"GET", "/api/v1/cases/{id}/complaint", .with_id = ch_http_complaint_get},
    {"POST", "/api/v1/cases/{id}/complaint/stage", .with_id = ch_http_complaint_stage},
    {"POST", "/api/v1/cases/{id}/staff", .with_id = ch_http_case_staff_set},
    {"GET", "/api/v1/reports/complaints", .plain = ch_http_complaints_report},
    /* Themes on cases and the themes report (themes.c). */
    {"GET", "/api/v1/cases/{id}/themes", .with_id = ch_http_case_themes_get},
    {"PUT", "/api/v1/cases/{id}/themes", .with_id = ch_http_case_themes_put},
    {"GET", "/api/v1/reports/themes", .plain = ch_http_themes_report},
    /* Customer surveys (surveys.c): the one-time public form and the report. */
    {"GET", "/public/{name}/survey/{name}", .open = true, .with_rest = ch_http_survey_public},
    {"POST", "/public/{name}/survey/{name}", .open = true, .with_rest = ch_http_survey_public},
    {"GET", "/api/v1/reports/surveys", .plain = ch_http_survey_report},
    /* Behaviour audits (audits.c). */
    {"GET", "/api/v1/audit-templates", .plain = ch_http_audit_templates},
    {"GET", "/api/v1/audits", .plain = ch_http_school_audits_list},
    {"POST", "/api/v1/audits", .plain = ch_http_school_audits_create},
    {"GET", "/api/v1/audits/{id}", .with_id = ch_http_school_audit_get},
    {"PATCH", "/api/v1/audits/{id}", .with_id = ch_http_school_audit_patch},
    {"GET", "/api/v1/audits/{id}/results", .with_id = ch_http_school_audit_results},
    {"GET", "/api/v1/audits/{id}/compare", .with_id = ch_http_school_audit_compare},
    /* Subject access (sar.c). */
    {"GET", "/api/v1/people/{id}/export", .with_id = ch_http_person_export},
    {"GET", "/api/v1/cases/{id}/sar", .with_id = ch_http_sar_get},
    {"GET", "/api/v1/cases/{id}/sar/export", .with_id = ch_http_sar_preview},
    {"POST", "/api/v1/cases/{id}/sar/extend", .with_id = ch_http_sar_extend},
    {"POST", "/api/v1/cases/{id}/sar/release", .with_id = ch_http_sar_release},
    /* Retention and erasure (erasure.c). */
    {"GET", "/api/v1/people/{id}/hold", .with_id = ch_http_person_hold},
    {"PUT", "/api/v1/people/{id}/hold", .with_id = ch_http_person_hold},
    {"DELETE", "/api/v1/people/{id}/hold", .with_id = ch_http_person_hold},
    {"GET", "/api/v1/cases/{id}/hold", .with_id = ch_http_case_hold},
    {"PUT", "/api/v1/cases/{id}/hold", .with_id = ch_http_case_hold},
    {"DELETE", "/api/v1/cases/{id}/hold", .with_id = ch_http_case_hold},
    {"POST", "/api/v1/people/{id}/erase", .with_id = ch_http_person_erase},
    {"GET", "/api/v1/retention", .plain = ch_http_retention},
};

/* Whether url fits pattern; *id gets the {id} and *rest the url from the
 * first placeholder on (the url itself when there is none). */
static bool pattern_match(const char *pattern, const char *url, int64_t *id, const char **rest)
{
    const char *p = pattern, *u = url;
    *rest = NULL;
    while (*p) {
        if ((*p == '{' || *p == '*') && !*rest)
            *rest = u;
        if (*p == '*')
            return true;
        if (strncmp(p, "{id}", 4) == 0) {
            int64_t v = 0;
            if (*u < '0' || *u > '9')
                return false;
            for (; *u >= '0' && *u <= '9'; u++) {
                if (v > (INT64_MAX - (*u - '0')) / 10)
                    return false;
                v = v * 10 + (*u - '0');
            }
            if (v <= 0)
                return false;
            *id = v;
            p += 4;
        } else if (strncmp(p, "{name}", 6) == 0) {
            const char *end = strchr(u, '/');
            end = end ? end : u + strlen(u);
            if (end == u)
                return false;
            u = end;
            p += 6;
        } else if (*p++ != *u++) {
            return false;
        }
    }
    if (!*rest)
        *rest = url;
    return *u == '\0';
}

/* The route for the request, or NULL. Either way allow lists the methods
 * the path answers to ("" when none) and *guarded says whether any of them
 * needs a signed-in user. A GET route answers HEAD too. */
static const endpoint *route_find(const ch_req *r, int64_t *id, const char **rest, char *allow,
                                  size_t size, bool *guarded)
{
    const endpoint *found = NULL;
    size_t used = 0;
    *guarded = false;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++) {
        const endpoint *rt = &routes[i];
        int64_t v = 0;
        const char *tail;
        if (!pattern_match(rt->pattern, r->url, &v, &tail))
            continue;
        bool get = strcmp(rt->method, "GET") == 0;
        *guarded = *guarded || !rt->open;
        if (!found &&
            (strcmp(rt->method, r->method) == 0 || (get && strcmp(r->method, "HEAD") == 0))) {
            found = rt;
            *id = v;
            *rest = tail;
        }
        bool listed = false;
        for (size_t k = 0; k < i && !listed; k++) {
            const char *t;
            int64_t w;
            listed = strcmp(routes[k].method, rt->method) == 0 &&
                     pattern_match(routes[k].pattern, r->url, &w, &t);
        }
        if (!listed) {
            int n = snprintf(allow + used, size - used, "%s%s", used ? ", " : "",
                             get ? "GET, HEAD" : rt->method);
            used = n < 0 || used + (size_t)n >= size ? size - 1 : used + (size_t)n;
        }
    }
    return found;
}

static enum MHD_Result method_not_allowed(ch_req *r, const char *allow)
{
    char detail[300];
    snprintf(detail, sizeof(detail), "%.20s is not used at this address; it answers %s.", r->method,
             allow);
    return problem_with(r, 405, "Method not allowed", detail, NULL, "Allow", allow);
}

/* application/json, with any parameters such as charset. */
static bool json_media_type(const char *type)
{
    static const char want[] = "application/json";
    if (!type || strncasecmp(type, want, sizeof(want) - 1) != 0)
        return false;
    type += sizeof(want) - 1;
    while (*type == ' ' || *type == '\t')
        type++;
    return *type == '\0' || *type == ';';
}

/* An API change reads JSON only: a body sent as a form or as text would
 * otherwise be read as if it were JSON. A change with no body stays fine. */
static bool body_acceptable(ch_req *r, const endpoint *rt, enum MHD_Result *res)
{
    if (!r->len || rt->raw || strncmp(rt->pattern, "/api/", 5) != 0 ||
        strcmp(r->method, "GET") == 0)
        return true;
    if (json_media_type(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type")))
        return true;
    bool patch = strcmp(r->method, "PATCH") == 0;
    *res = problem_with(r, 415, "Send JSON",
                        "This endpoint reads a JSON body: send it with Content-Type: "
                        "application/json.",
                        NULL, patch ? "Accept-Patch" : "Accept-Post", "application/json");
    return false;
}

/* One look-up in the route table decides between a handler, 405 (the path
 * is known, the method is not) and 404. Open routes are answered before
 * authentication; anything else under /api/ needs a signed-in user first,
 * even to learn that it does not exist. */
static enum MHD_Result dispatch(ch_req *r)
{
    int64_t id = 0;
    const char *rest = NULL;
    char allow[64];
    bool guarded;
    enum MHD_Result res;
    const endpoint *rt = route_find(r, &id, &rest, allow, sizeof(allow), &guarded);
    if (!rt && !*allow && strncmp(r->url, "/api/", 5) != 0) {
        if (strncmp(r->url, "/public/", 8) == 0)
            return ch_http_public(r, r->url + 8); /* its own page says not found */
        return ch_http_problem(r, 404, "Not found", "There is nothing at this address.", NULL);
    }
    bool sign_in = rt ? !rt->open : !*allow || guarded;
    if (sign_in && !ch_http_authenticate(r, &res))
        return res;
    if (!rt)
        return *allow ? method_not_allowed(r, allow) : not_found(r);
    if (!body_acceptable(r, rt, &res))
        return res;
    /* libmicrohttpd sends a HEAD answer without its body, so a HEAD is the
     * GET it asks about. */
    if (strcmp(r->method, "HEAD") == 0)
        r->method = "GET";
    if (rt->with_id)
        return rt->with_id(r, id);
    if (rt->with_rest)
        return rt->with_rest(r, rest);
    return rt->plain(r);
}

/* Every request reads the policies under the read lock, so a reload never
 * frees a policy a handler is using. */
static enum MHD_Result route(ch_req *r)
{
    pthread_rwlock_rdlock(&r->desk->policies_lock);
    enum MHD_Result res = dispatch(r);
    pthread_rwlock_unlock(&r->desk->policies_lock);
    return res;
}

static void remote_of(struct MHD_Connection *c, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(buf, size, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                  (socklen_t)size);
}

static enum MHD_Result file_too_large(ch_req *r)
{
    return ch_http_problem(r, 413, "File too large",
                           "A file can be at most 5 MB (5,242,880 bytes) and this one is larger; "
                           "save it smaller (a PDF, or a photo at a lower resolution) and attach "
                           "it again.",
                           NULL);
}

static enum MHD_Result body_too_large(ch_req *r, size_t limit)
{
    char detail[160];
    snprintf(detail, sizeof(detail),
             "The request body is over the limit of %zu bytes; send less at a time.", limit);
    return ch_http_problem(r, 413, "Request too large", detail, NULL);
}

/* libmicrohttpd answers a head too large for its buffer with a page of its
 * own, which carries none of the protective headers; its buffer is made
 * roomy (CH_HEAD_BUFFER) so any head a browser sends reaches the desk,
 * which refuses the oversized ones itself, worded and with the headers. */
enum { CH_URL_MAX = 8192, CH_HEADERS_MAX = 16384, CH_HEAD_BUFFER = 64 * 1024 };

static enum MHD_Result add_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* Whether the head is past the desk's limits; then *res is the answer. */
static bool head_too_large(ch_req *r, enum MHD_Result *res)
{
    size_t url = strlen(r->url), headers = 0;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_length, &url);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_length, &headers);
    if (url > CH_URL_MAX)
        *res = ch_http_problem(r, 414, "That address is too long",
                               "The address and its query are over 8 KB; no page of the desk "
                               "needs one so long. Check the link you followed.",
                               NULL);
    else if (headers > CH_HEADERS_MAX)
        *res = ch_http_problem(r, 431, "The request's headers are too large",
                               "The request's headers are over 16 KB, more than the desk takes. "
                               "Clear this site's cookies in the browser and try again.",
                               NULL);
    else
        return false;
    return true;
}

static bool trusted(const ch_desk *d, const char *addr, size_t len)
{
    for (size_t i = 0; i < d->ntrusted; i++)
        if (strlen(d->trusted_proxies[i]) == len && strncmp(d->trusted_proxies[i], addr, len) == 0)
            return true;
    return false;
}

/* From a trusted proxy, the client is the right-most X-Forwarded-For entry
 * that is not itself one of the proxies (entries to its left are whatever
 * the client claimed). Anything not an IP address is ignored. */
static void forwarded_for(const ch_desk *d, struct MHD_Connection *c, char *remote, size_t size)
{
    const char *xff = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff || !trusted(d, remote, strlen(remote)))
        return;
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *a = start, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        size_t len = (size_t)(b - a);
        if (len && !trusted(d, a, len)) {
            char addr[64];
            unsigned char bin[sizeof(struct in6_addr)];
            if (len < sizeof(addr) && len < size) {
                memcpy(addr, a, len);
                addr[len] = '\0';
                if (inet_pton(AF_INET, addr, bin) == 1 || inet_pton(AF_INET6, addr, bin) == 1)
                    snprintf(remote, size, "%s", addr);
            }
            return;
        }
        end = start > xff ? start - 1 : xff;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    ch_desk *d = cls;
    ch_req *r = *state;
    (void)version;
    if (!r) {
        ch_headwatch_head_done(conn);
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        r->desk = d;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->now = (ch_time)time(NULL);
        r->upload = ch_http_is_upload(method, url);
        remote_of(conn, r->remote, sizeof(r->remote));
        forwarded_for(d, conn, r->remote, sizeof(r->remote));
        *state = r;
        enum MHD_Result res;
        if (head_too_large(r, &res))
            return res;
        /* A body declared larger than the limit is refused before a byte
         * of it is read, not drained for as long as the client sends. */
        const char *length =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        size_t limit = r->upload ? CH_ATTACHMENT_MAX : d->body_limit;
        char *end;
        if (length) {
            errno = 0;
            unsigned long long n = strtoull(length, &end, 10);
            if ((errno == ERANGE || n > limit) && r->upload)
                return file_too_large(r);
            if (errno == ERANGE || n > limit)
                return body_too_large(r, limit);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        size_t limit = r->upload ? CH_ATTACHMENT_MAX : d->body_limit;
        if (r->too_big || r->len + n > limit) {
            r->too_big = true; /* keep reading, answer 413 at the end */
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1)
                cap *= 2;
            char *p = realloc(r->body, cap);
            if (!p)
                return MHD_NO;
            r->body = p;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->too_big && r->upload)
        return file_too_large(r);
    if (r->too_big)
        return body_too_large(r, d->body_limit);
    return route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    ch_req *r = *state;
    (void)cls, (void)code;
    ch_headwatch_answered(conn);
    if (!r)
        return;
    ch_arena_free(&r->arena);
    free(r->body);
    free(r);
    *state = NULL;
}

/* The breach sweep: every sweep_seconds, obligations past due and not kept
 * become breached, until the server stops. */
typedef struct sweeper {
    ch_desk *desk;
    pthread_mutex_t mu;
    pthread_cond_t stop_cond;
    bool stop;
} sweeper;

static void *sweep_main(void *arg)
{
    sweeper *sw = arg;
    ch_time retention_last = 0;
    pthread_mutex_lock(&sw->mu);
    while (!sw->stop) {
        ch_error err;
        int64_t count = 0;
        pthread_mutex_unlock(&sw->mu);
        if (ch_store_breach_sweep(sw->desk->store, (ch_time)time(NULL), &count, &err))
            fprintf(stderr, "charter serve: breach sweep: %s\n", err.msg);
        ch_desk_survey_sweep(sw->desk, (ch_time)time(NULL));
        /* Retention once a day (and when the desk starts). */
        if ((ch_time)time(NULL) - retention_last >= 86400) {
            retention_last = (ch_time)time(NULL);
            ch_desk_retention_sweep(sw->desk, retention_last);
        }
        pthread_mutex_lock(&sw->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += sw->desk->sweep_seconds;
        while (!sw->stop && pthread_cond_timedwait(&sw->stop_cond, &sw->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&sw->mu);
    return NULL;
}

/* SIGHUP: load the policy files again; swap them in only if all are valid. */
static void reload(ch_desk *d)
{
    ch_desk_policy *fresh = NULL, *old;
    size_t n = 0, nold;
    if (!d->reload || d->reload(d, &fresh, &n)) {
        fprintf(stderr, "charter serve: the policies were not reloaded; the ones in use stay\n");
        return;
    }
    pthread_rwlock_wrlock(&d->policies_lock);
    old = d->policies;
    nold = d->npolicies;
    d->policies = fresh;
    d->npolicies = n;
    pthread_rwlock_unlock(&d->policies_lock);
    d->release(old, nold);
    printf("charter serve: reloaded %zu policies\n", n);
    fflush(stdout);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, fp) : 0;
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int ch_desk_serve(ch_desk *d, const char *listen, const char *tls_cert, const char *tls_key,
                  ch_error *err)
{
    char host[64];
    unsigned port;
    struct sockaddr_in addr = {0};
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host) ||
        sscanf(colon + 1, "%5u", &port) != 1 || port > 65535)
        return ch_error_set(err, CH_E_INVALID,
                            "--listen '%s' must be ADDRESS:PORT, e.g. "
                            "127.0.0.1:8080",
                            listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return ch_error_set(err, CH_E_INVALID, "--listen: '%s' is not an IPv4 address", host);
    char *cert = NULL, *key = NULL;
    /* epoll, not select: select caps a server thread at FD_SETSIZE
     * connections in all (63 each across a pool of 16), so a few hundred
     * slow clients crowded out everyone else. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_EPOLL;
    if (tls_cert || tls_key) {
        if (!tls_cert || !tls_key)
            return ch_error_set(err, CH_E_INVALID, "give both --tls-cert and --tls-key");
        cert = slurp(tls_cert);
        key = slurp(tls_key);
        if (!cert || !key) {
            free(cert);
            free(key);
            return ch_error_set(err, CH_E_IO, "cannot read the TLS certificate or key");
        }
        flags |= MHD_USE_TLS;
        d->tls = true;
    }
    /* Signals go to the thread that waits for them, never to a server
     * thread, so the mask is set before any thread starts. */
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned threads = d->threads ? d->threads : ch_desk_threads();
    conn_limits limits = connection_limits();
    ch_headwatch *watch;
    if (ch_headwatch_start(&watch, CH_HEAD_SECONDS, err)) {
        free(cert);
        free(key);
        return err->code;
    }
    struct MHD_Daemon *daemon =
        tls_cert
            ? MHD_start_daemon(flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR, &addr,
                               MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                               on_completed, d, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                               MHD_OPTION_CONNECTION_LIMIT, limits.total,
                               MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.per_address,
                               MHD_OPTION_NOTIFY_CONNECTION, ch_headwatch_notify, watch,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CH_HEAD_BUFFER,
                               MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                               /* TLS 1.2 or later only: older versions have known attacks. */
                               MHD_OPTION_HTTPS_PRIORITIES,
                               "NORMAL:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1", MHD_OPTION_END)
            : MHD_start_daemon(
                  flags, 0, NULL, NULL, on_request, d, MHD_OPTION_SOCK_ADDR, &addr,
                  MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                  d, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, limits.total,
                  MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.per_address,
                  MHD_OPTION_NOTIFY_CONNECTION, ch_headwatch_notify, watch,
                  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CH_HEAD_BUFFER, MHD_OPTION_END);
    if (!daemon) {
        ch_headwatch_stop(watch);
        free(cert);
        free(key);
        return ch_error_set(err, CH_E_IO,
                            "cannot listen on %s: the port may be in use or the address not "
                            "this machine's",
                            listen);
    }
    /* Port 0 lets the system choose (the tests do): say which it chose. */
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!d->site[0])
        snprintf(d->site, sizeof(d->site), "%s://%s:%u", d->tls ? "https" : "http", host,
                 info ? (unsigned)info->port : port);
    printf("Charter is listening on %s://%s:%u/\n", d->tls ? "https" : "http", host,
           info ? (unsigned)info->port : port);
    fflush(stdout);
    sweeper sw = {d, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    pthread_t sweep_thread;
    bool sweeping = pthread_create(&sweep_thread, NULL, sweep_main, &sw) == 0;
    /* Mail leaves from its own thread, never from a request's. */
    ch_outbox_config oc = {.store = d->store,
                           .smtp_url = d->smtp_url,
                           .ca_file = d->smtp_ca,
                           .poll_seconds = d->outbox_seconds,
                           .retry_seconds = d->retry_seconds,
                           .before = ch_desk_notify_round,
                           .ctx = d};
    ch_outbox_worker *outbox = NULL;
    ch_error oerr = {0};
    if (ch_outbox_start(&oc, &outbox, &oerr))
        fprintf(stderr, "charter serve: %s; mail will wait in the outbox\n", oerr.msg);
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
        reload(d);
    MHD_stop_daemon(daemon);
    ch_headwatch_stop(watch);
    ch_outbox_stop(outbox);
    if (sweeping) {
        pthread_mutex_lock(&sw.mu);
        sw.stop = true;
        pthread_cond_signal(&sw.stop_cond);
        pthread_mutex_unlock(&sw.mu);
        pthread_join(sweep_thread, NULL);
    }
    free(cert);
    free(key);
    return CH_OK;
}
