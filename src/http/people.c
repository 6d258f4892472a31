/* /api/v1/people and /api/v1/organisations: the customers and schools cases
 * are about. A person is visible to staff who can see one of their cases
 * (so a SEND service's clients stay invisible to other teams), or while they
 * have no case at all; every read and change of a person is audited. */
#include "core/person.h"
#include "core/timefmt.h"
#include "http/consent.h"
#include "http/behaviour.h"
#include "http/json_case.h"
#include "http/person_json.h"
#include "http/complaints.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
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
    ch_jw_key(w, "merged_into");
    ch_jw_id(w, p->merged_into);
    ch_jw_key(w, "service");
    ch_jw_str(w, p->service);
}

/* The person's age today, or null without a date of birth. */
static void age_member(ch_jw *w, const ch_person *p, ch_time now)
{
    ch_date dob;
    ch_error err;
    ch_jw_key(w, "age");
    if (p->date_of_birth &&
        ch_date_parse(p->date_of_birth, strlen(p->date_of_birth), &dob, &err) == CH_OK)
        ch_jw_int(w, ch_person_age_on(dob, ch_time_utc_date(now)));
    else
        ch_jw_str(w, NULL);
}

static enum MHD_Result send_person(ch_req *r, unsigned status, const ch_person *p,
                                   const ch_case_row *rows, size_t n, bool with_cases)
{
    ch_error err = {0};
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    person_members(&w, p);
    age_member(&w, p, r->now);
    ch_jw_needs(&w, p->needs, &r->arena);
    if (with_cases) {
        /* An erased record says so, so the desk offers no edit or erasure
         * of what is already gone. */
        ch_time erased_at = 0;
        int erased = ch_store_person_erased(r->desk->store, p->id, &erased_at, &err);
        if (erased && erased != CH_E_NOTFOUND) {
            ch_jw_free(&w);
            return ch_http_error(r, &err);
        }
        err = (ch_error){0};
        ch_jw_key(&w, "erased_at");
        ch_jw_time(&w, erased == CH_OK ? erased_at : 0);
        ch_jw_cases(&w, rows, n);
        if (ch_jw_attachments(&w, r, p->id, 0, &err) ||
            ch_http_person_safeguards(r, &w, p->id, &err) ||
            ch_http_person_restrictions(r, &w, p->id, &err)) {
            ch_jw_free(&w);
            return ch_http_error(r, &err);
        }
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

/* An administrator sees every person; other staff one in their services
 * (recorded by one, or with a case, incident or restriction there;
 * ch_store_person_in). CH_E_NOTFOUND otherwise, so another team's client is
 * not admitted to exist. Only the yes or no: no cases are read. */
int ch_http_person_visible(ch_req *r, int64_t id, ch_person *person, ch_error *err)
{
    size_t nservices;
    const char **services = ch_req_services(r, &nservices);
    bool in = true;
    if (ch_store_person_get(r->desk->store, id, &r->arena, person, err) ||
        (services && ch_store_person_in(r->desk->store, id, (const char *const *)services,
                                        nservices, &in, err)))
        return err->code;
    if (!in)
        return ch_error_set(err, CH_E_NOTFOUND, "there is no person %lld", (long long)id);
    return CH_OK;
}

/* ch_http_person_visible, with the cases of theirs the user may see (at
 * most 200), for the person's own page. */
static int person_visible(ch_req *r, int64_t id, ch_person *person, ch_case_row **rows, size_t *n,
                          ch_error *err)
{
    size_t nservices;
    const char **services = ch_req_services(r, &nservices);
    *rows = NULL;
    *n = 0;
    if (ch_http_person_visible(r, id, person, err) ||
        ch_store_cases_of(r->desk->store, id, 0, (const char *const *)services, nservices, 200,
                          &r->arena, rows, n, err))
        return err->code;
    return ch_http_complaints_unhidden(r, *rows, n, err);
}

enum MHD_Result ch_http_people_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    static const ch_req_key keys[] = {{"name", NULL},
                                      {"email", NULL},
                                      {"phone", NULL},
                                      {"date_of_birth", NULL},
                                      {"organisation_id", NULL},
                                      {"service", NULL},
                                      {NULL, NULL}};
    json_t *body = ch_req_body(r, keys, &res);
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
         dob > ch_time_utc_date(r->now) || dob < ch_time_utc_date(r->now) - 130 * 366))
        ch_req_bad(&p, "date_of_birth",
                   "date_of_birth must be a real date in the past (and within 130 years), "
                   "YYYY-MM-DD.");
    if (org && !json_is_null(org) && (!json_is_integer(org) || json_integer_value(org) <= 0))
        ch_req_bad(&p, "organisation_id", "organisation_id must be an organisation's id.");
    /* The service decides who else sees the person; an administrator may
     * give none, and then only administrators do until a case or a
     * safeguard links them to a service. */
    person.service = ch_req_record_service(r, &p, body, NULL);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    person.organisation_id = org && json_is_integer(org) ? (int64_t)json_integer_value(org) : 0;
    person.created_at = r->now;
    ch_desk_audit_attach(r, "create", "person", &person.id);
    if (ch_desk_audit_finish(r, ch_store_person_insert(r->desk->store, &person, &err), &err)) {
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
    ch_case_row *rows = NULL;
    size_t n = 0;
    if (person_visible(r, id, &person, &rows, &n, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "read", "person", id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    return send_person(r, 200, &person, rows, n, true);
}

enum MHD_Result ch_http_organisations_create(ch_req *r)
{
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    static const ch_req_key keys[] = {{"name", NULL}, {"kind", NULL}, {NULL, NULL}};
    json_t *body = ch_req_body(r, keys, &res);
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
                          &r->arena, &rows, &n, &err) ||
        ch_http_complaints_unhidden(r, rows, &n, &err))
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

/* A non-negative whole-number query argument, def when absent, -1 when bad. */
static long arg_long(ch_req *r, const char *name, long def, long max)
{
    const char *s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    char *end;
    if (!s)
        return def;
    long v = strtol(s, &end, 10);
    return (end == s || *end || v < 0 || v > max) ? -1 : v;
}

enum MHD_Result ch_http_people_list(ch_req *r)
{
    ch_error err = {0};
    const char *q = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "q");
    long limit = arg_long(r, "limit", 50, 200), offset = arg_long(r, "offset", 0, 1000000);
    if (limit < 1 || offset < 0)
        return ch_http_problem(r, 400, "Bad query", "limit is 1-200 and offset 0 or more.",
                               json_pack("[s]", limit < 1 ? "limit" : "offset"));
    const char *words[CH_STORE_FIND_WORDS];
    size_t nwords = 0;
    if (q && *q) {
        const char *fault = ch_http_words_fault(q);
        if (fault)
            return ch_http_problem(r, 400, "Cannot search for that", fault, json_pack("[s]", "q"));
        int rc = ch_http_words_split(&r->arena, q, words, &nwords, &err);
        if (rc == CH_E_INVALID)
            return ch_http_problem(r, 400, "Too many words", err.msg, json_pack("[s]", "q"));
        if (rc)
            return ch_http_error(r, &err);
    }
    size_t nservices, n = 0;
    const char **services = ch_req_services(r, &nservices);
    ch_people_query pq = {words,     nwords,        (const char *const *)services,
                          nservices, (size_t)limit, (size_t)offset};
    ch_person *people = NULL;
    int64_t total = 0;
    if (ch_store_people_list(r->desk->store, &pq, &r->arena, &people, &n, &total, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "limit");
    ch_jw_int(&w, limit);
    ch_jw_key(&w, "offset");
    ch_jw_int(&w, offset);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, total);
    ch_jw_key(&w, "people");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        ch_jw_obj(&w);
        person_members(&w, &people[i]);
        ch_jw_needs(&w, people[i].needs, &r->arena);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* A text member of a change: *out is set when the member is present (to
 * NULL when it is null, which clears it). */
static void change_text(problems *p, json_t *body, const char *key, size_t max, bool required,
                        const char **out)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return;
    if (json_is_null(v) && required) {
        ch_req_bad(p, key, "%s cannot be cleared.", key);
        return;
    }
    const char *s = ch_req_text(p, body, key, max, required);
    if (s && !ch_req_one_line(s)) {
        ch_req_bad(p, key, "%s must be one line.", key);
        return;
    }
    if (s || json_is_null(v))
        *out = s;
}

enum MHD_Result ch_http_person_patch(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"name", NULL},
                                      {"email", NULL},
                                      {"phone", NULL},
                                      {"date_of_birth", NULL},
                                      {"organisation_id", NULL},
                                      {"needs", ch_http_needs_keys},
                                      {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person person;
    ch_case_row *rows = NULL;
    size_t n = 0;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (person_visible(r, id, &person, &rows, &n, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (person.merged_into) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "Person %lld was merged into person %lld; change that record instead.",
                 (long long)id, (long long)person.merged_into);
        res = ch_http_problem(r, 409, "Merged into another record", detail, NULL);
        goto out;
    }
    ch_time erased_at;
    int erased = ch_store_person_erased(r->desk->store, id, &erased_at, &err);
    if (erased == CH_OK) {
        char day[16], detail[300];
        ch_date_format(ch_time_utc_date(erased_at), day, sizeof(day));
        snprintf(detail, sizeof(detail),
                 "Person %lld was erased on %s and their record stays empty. If they come back, "
                 "add them as a new person.",
                 (long long)id, day);
        res = ch_http_problem(r, 409, "This person was erased", detail, NULL);
        goto out;
    }
    if (erased != CH_E_NOTFOUND) {
        res = ch_http_error(r, &err);
        goto out;
    }
    err = (ch_error){0};
    if (json_object_size(body) == 0) {
        res = ch_http_problem(r, 400, "Nothing to change",
                              "Send at least one of name, email, phone, date_of_birth, "
                              "organisation_id and needs.",
                              NULL);
        goto out;
    }
    ch_person next = person;
    change_text(&p, body, "name", 200, true, &next.name);
    change_text(&p, body, "email", 254, false, &next.email);
    change_text(&p, body, "phone", 40, false, &next.phone);
    change_text(&p, body, "date_of_birth", 10, false, &next.date_of_birth);
    if (json_object_get(body, "email") && next.email && !strchr(next.email, '@'))
        ch_req_bad(&p, "email", "email must be an email address.");
    ch_date dob;
    if (json_object_get(body, "date_of_birth") && next.date_of_birth &&
        (ch_date_parse(next.date_of_birth, strlen(next.date_of_birth), &dob, &err) ||
         dob > ch_time_utc_date(r->now) || dob < ch_time_utc_date(r->now) - 130 * 366))
        ch_req_bad(&p, "date_of_birth",
                   "date_of_birth must be a real date, not in the future and within 130 years, "
                   "as YYYY-MM-DD.");
    json_t *org = json_object_get(body, "organisation_id");
    if (org && !json_is_null(org) && (!json_is_integer(org) || json_integer_value(org) <= 0))
        ch_req_bad(&p, "organisation_id", "organisation_id must be an organisation's id or null.");
    else if (org)
        next.organisation_id = json_is_null(org) ? 0 : (int64_t)json_integer_value(org);
    json_t *needs = json_object_get(body, "needs");
    if (needs && json_is_null(needs)) {
        next.needs = NULL;
    } else if (needs) {
        ch_person_needs parsed;
        ch_http_needs_parse(r, &p, needs, &parsed, &next.needs);
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    err = (ch_error){0};
    ch_desk_audit_attach(r, "update", "person", &id);
    if (ch_desk_audit_finish(r, ch_store_person_update(r->desk->store, &next, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_person(r, 200, &next, rows, n, true);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_person_merge(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"duplicate_id", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person keep, dup;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (r->user.role == CH_ROLE_OFFICER) {
        ch_desk_audit(r, "merge-refused", "person", id);
        res = ch_http_problem(r, 403, "Managers merge people",
                              "Only a manager or an administrator can merge two people's records; "
                              "ask your manager to do it.",
                              NULL);
        goto out;
    }
    int64_t dup_id = 0;
    ch_req_int(&p, body, "duplicate_id", 1, INT64_MAX, true, &dup_id);
    if (!p.fields && dup_id == id)
        ch_req_bad(&p, "duplicate_id", "duplicate_id must be another person, not this one.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    int64_t moved = 0;
    if (ch_http_person_visible(r, id, &keep, &err) ||
        ch_http_person_visible(r, dup_id, &dup, &err) ||
        (ch_desk_audit_attach(r, "merge", "person", &dup_id),
         ch_desk_audit_attach(r, "merge-into", "person", &id),
         ch_desk_audit_finish(r, ch_store_person_merge(r->desk->store, id, dup_id, &moved, &err),
                              &err))) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_case_row *rows = NULL;
    size_t n = 0;
    if (person_visible(r, id, &keep, &rows, &n, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_person(r, 200, &keep, rows, n, true);
out:
    json_decref(body);
    return res;
}
