/* /api/v1/people and /api/v1/organisations: the customers and schools cases
 * are about. A person is visible to staff who can see one of their cases
 * (so a SEND service's clients stay invisible to other teams), or while they
 * have no case at all; every read and change of a person is audited. */
#include "core/timefmt.h"
#include "http/json_case.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

/* A person's fields as members of the current object. */
static void person_members(ch_jw *w, const ch_person *p)
{
    ch_jw_key(w, "id");
    ch_jw_int(w, p->id);
    ch_jw_key(w, "name");
    ch_jw_str(w, p->name);
    ch_jw_key(w, "email");
    ch_jw_str(w, p->email);
    ch_jw_key(w, "phone");
    ch_jw_str(w, p->phone);
    ch_jw_key(w, "date_of_birth");
    ch_jw_str(w, p->date_of_birth);
    ch_jw_key(w, "organisation_id");
    ch_jw_id(w, p->organisation_id);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, p->created_at);
}

static enum MHD_Result send_person(ch_req *r, unsigned status, const ch_person *p,
                                   const ch_case_row *rows, size_t n, bool with_cases)
{
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    person_members(&w, p);
    if (with_cases)
        ch_jw_cases(&w, rows, n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

enum MHD_Result ch_http_people_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    json_t *body = ch_req_body(r, &res);
    if (!body)
        return res;
    ch_person person = {0};
    person.name = ch_req_text(&p, body, "name", 200, true);
    person.email = ch_req_text(&p, body, "email", 254, false);
    person.phone = ch_req_text(&p, body, "phone", 40, false);
    person.date_of_birth = ch_req_text(&p, body, "date_of_birth", 10, false);
    json_t *org = json_object_get(body, "organisation_id");
    if (person.email && !strchr(person.email, '@'))
        ch_req_bad(&p, "email", "email must be an email address.");
    ch_date dob;
    if (person.date_of_birth &&
        (ch_date_parse(person.date_of_birth, strlen(person.date_of_birth), &dob, &err) ||
         dob > ch_time_utc_date(r->now)))
        ch_req_bad(&p, "date_of_birth",
                   "date_of_birth must be a real date in the past, "
                   "YYYY-MM-DD.");
    if (org && !json_is_null(org) && (!json_is_integer(org) || json_integer_value(org) <= 0))
        ch_req_bad(&p, "organisation_id", "organisation_id must be an organisation's id.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    person.organisation_id = org && json_is_integer(org) ? (int64_t)json_integer_value(org) : 0;
    person.created_at = r->now;
    if (ch_store_person_insert(r->desk->store, &person, &err) ||
        ch_desk_audit(r, "create", "person", person.id)) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_person(r, 201, &person, NULL, 0, false);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_person_get(ch_req *r, int64_t id)
{
    ch_error err = {0};
    ch_person person;
    ch_case_row *rows = NULL, *any = NULL;
    size_t n = 0, nany = 0, nservices;
    const char **services = ch_req_services(r, &nservices);
    if (ch_store_person_get(r->desk->store, id, &r->arena, &person, &err) ||
        ch_store_cases_of(r->desk->store, id, 0, (const char *const *)services, nservices, 200,
                          &r->arena, &rows, &n, &err) ||
        ch_store_cases_of(r->desk->store, id, 0, NULL, 0, 1, &r->arena, &any, &nany, &err))
        return ch_http_error(r, &err);
    if (n == 0 && nany > 0) {
        ch_error_set(&err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
        return ch_http_error(r, &err);
    }
    if (ch_desk_audit(r, "read", "person", id)) {
        ch_error_set(&err, CH_E_STORE, "the audit log could not be written");
        return ch_http_error(r, &err);
    }
    return send_person(r, 200, &person, rows, n, true);
}

enum MHD_Result ch_http_organisations_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    json_t *body = ch_req_body(r, &res);
    if (!body)
        return res;
    ch_organisation org = {0};
    org.name = ch_req_text(&p, body, "name", 200, true);
    org.kind = ch_req_text(&p, body, "kind", 16, false);
    if (!org.kind)
        org.kind = "school";
    if (strcmp(org.kind, "school") && strcmp(org.kind, "agency") && strcmp(org.kind, "other"))
        ch_req_bad(&p, "kind", "kind must be school, agency or other.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    org.created_at = r->now;
    if (ch_store_organisation_insert(r->desk->store, &org, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_json(
        r, 201,
        json_pack("{s:I, s:s, s:s}", "id", (json_int_t)org.id, "name", org.name, "kind", org.kind),
        NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_organisation_get(ch_req *r, int64_t id)
{
    ch_error err = {0};
    ch_organisation org;
    ch_case_row *rows = NULL;
    size_t n = 0, nservices;
    const char **services = ch_req_services(r, &nservices);
    if (ch_store_organisation_get(r->desk->store, id, &r->arena, &org, &err) ||
        ch_store_cases_of(r->desk->store, 0, id, (const char *const *)services, nservices, 200,
                          &r->arena, &rows, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "id");
    ch_jw_int(&w, org.id);
    ch_jw_key(&w, "name");
    ch_jw_str(&w, org.name);
    ch_jw_key(&w, "kind");
    ch_jw_str(&w, org.kind);
    ch_jw_key(&w, "created_at");
    ch_jw_time(&w, org.created_at);
    ch_jw_cases(&w, rows, n);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
