/* /api/v1/audits: behaviour audits of schools from the charter's templates:
 * set up with a code per group, listed with each group's responses, results
 * as JSON or a workbook, and a follow-up beside its baseline. */
#include "core/timefmt.h"
#include "export/audit_xlsx.h"
#include "export/statement.h"
#include "http/audits.h"
#include "http/hours.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ch_audit_policy(const ch_desk *d, const ch_school_audit *a, const ch_policy **policy,
                     const ch_audit_template **t)
{
    const char *slash = a->service ? strchr(a->service, '/') : NULL;
    size_t len = slash ? (size_t)(slash - a->service) : 0;
    for (size_t i = 0; slash && i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        if (strlen(p->id) != len || strncmp(p->id, a->service, len) != 0 || !p->audits)
            continue;
        *policy = p;
        *t = ch_audit_template_find(p->audits, a->template_id);
        return *t != NULL;
    }
    return false;
}

void ch_audit_form_path(const ch_policy *p, const char *code, char *buf, size_t size)
{
    snprintf(buf, size, "/public/%s/audit/%s", p->id, code);
}

char *ch_audit_answers_json(const ch_audit_template *t, const ch_audit_answer *answers)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->nquestions; i++) {
        const ch_audit_question *q = &t->questions[i];
        const ch_audit_answer *a = &answers[i];
        json_t *v = NULL;
        if (!a->given)
            continue;
        switch (q->kind) {
        case CH_AUDIT_SCALE:
            v = json_integer(a->value);
            break;
        case CH_AUDIT_SINGLE:
            v = json_string(q->options[a->value]);
            break;
        case CH_AUDIT_MULTIPLE:
            v = json_array();
            for (size_t k = 0; v && k < q->noptions; k++)
                if ((a->choices >> k) & 1u)
                    json_array_append_new(v, json_string(q->options[k]));
            break;
        case CH_AUDIT_TEXT:
            v = json_string(a->text ? a->text : "");
            break;
        }
        json_object_set_new(o, q->id, v);
    }
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return text;
}

static int option_index(const ch_audit_question *q, const char *s)
{
    for (size_t k = 0; s && k < q->noptions; k++)
        if (strcmp(q->options[k], s) == 0)
            return (int)k;
    return -1;
}

int ch_audit_answers_parse(const ch_audit_template *t, const char *json, ch_arena *arena,
                           ch_audit_answer **out, ch_error *err)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    ch_audit_answer *list =
        ch_arena_alloc(arena, (t->nquestions ? t->nquestions : 1) * sizeof(*list));
    if (!list) {
        json_decref(o);
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; json_is_object(o) && i < t->nquestions; i++) {
        const ch_audit_question *q = &t->questions[i];
        json_t *v = json_object_get(o, q->id);
        ch_audit_answer *a = &list[i];
        int k;
        if (!v)
            continue;
        switch (q->kind) {
        case CH_AUDIT_SCALE:
            if (json_is_integer(v) && json_integer_value(v) >= 1 &&
                json_integer_value(v) <= q->points)
                *a = (ch_audit_answer){.given = true, .value = (int)json_integer_value(v)};
            break;
        case CH_AUDIT_SINGLE:
            if ((k = option_index(q, json_string_value(v))) >= 0)
                *a = (ch_audit_answer){.given = true, .value = k};
            break;
        case CH_AUDIT_MULTIPLE:
            for (size_t j = 0; json_is_array(v) && j < json_array_size(v); j++)
                if ((k = option_index(q, json_string_value(json_array_get(v, j)))) >= 0)
                    a->choices |= 1u << k;
            a->given = json_is_array(v);
            break;
        case CH_AUDIT_TEXT:
            if (json_is_string(v)) {
                a->text = ch_arena_strdup(arena, json_string_value(v));
                a->given = a->text != NULL;
            }
            break;
        }
    }
    json_decref(o);
    *out = list;
    return CH_OK;
}

int ch_audit_load_responses(ch_desk *d, const ch_school_audit *a, const ch_audit_template *t,
                            ch_arena *arena, ch_audit_response **out, size_t *n, ch_error *err)
{
    ch_audit_response_row *rows;
    size_t nrows;
    int rc = ch_store_audit_responses(d->store, a->id, arena, &rows, &nrows, err);
    if (rc)
        return rc;
    ch_audit_response *list = ch_arena_alloc(arena, (nrows ? nrows : 1) * sizeof(*list));
    if (!list)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < nrows; i++) {
        ch_audit_response *resp = &list[k];
        if (ch_audit_group_parse(rows[i].group, &resp->group))
            continue;
        resp->id = rows[i].id;
        resp->submitted_at = rows[i].submitted_at;
        resp->nanswers = t->nquestions;
        if ((rc = ch_audit_answers_parse(t, rows[i].answers, arena, &resp->answers, err)))
            return rc;
        k++;
    }
    *out = list;
    *n = k;
    return CH_OK;
}

/* The audit if the user may see its service; queues a 404 otherwise, as for
 * another team's case, or a 409 when no loaded charter runs it any more. */
static bool visible_audit(ch_req *r, int64_t id, ch_school_audit *a, const ch_policy **p,
                          const ch_audit_template **t, enum MHD_Result *res)
{
    ch_error err = {0};
    int rc = ch_store_school_audit_get(r->desk->store, id, &r->arena, a, &err);
    if (rc == CH_E_NOTFOUND || (!rc && !ch_desk_can_see(r, a->service))) {
        *res = ch_http_problem(r, 404, "No such audit",
                               "There is no audit with this number that you can see; check the "
                               "number, or ask a manager of the service that runs it.",
                               NULL);
        return false;
    }
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    if (!ch_audit_policy(r->desk, a, p, t)) {
        *res = ch_http_problem(r, 409, "The audit's template is gone",
                               "The charter that ran this audit no longer has its survey "
                               "template; put the template back in the policy to read it.",
                               NULL);
        return false;
    }
    return true;
}

static void date_member(ch_jw *w, const char *key, ch_date d)
{
    char buf[16];
    ch_date_format(d, buf, sizeof(buf));
    ch_jw_key(w, key);
    ch_jw_str(w, buf);
}

static void number(ch_jw *w, double v)
{
    char buf[32];
    /* A change too small to show is no change, not "-0.00". */
    snprintf(buf, sizeof(buf), "%.2f", fabs(v) < 0.005 ? 0.0 : v);
    ch_jw_number(w, buf);
}

static ch_date today_for(const ch_req *r, const ch_policy *p, const ch_school_audit *a)
{
    const char *slash = strchr(a->service, '/');
    const ch_service *svc = slash ? ch_policy_service(p, slash + 1) : NULL;
    return ch_hours_local_date(ch_policy_service_calendar(p, svc ? svc : &p->services[0]), r->now);
}

static void audit_members(ch_req *r, ch_jw *w, const ch_school_audit *a, const ch_policy *p,
                          const ch_audit_template *t)
{
    ch_jw_key(w, "id");
    ch_jw_int(w, a->id);
    ch_jw_key(w, "service");
    ch_jw_str(w, a->service);
    ch_jw_key(w, "template");
    ch_jw_str(w, a->template_id);
    ch_jw_key(w, "title");
    ch_jw_str(w, t ? t->title : NULL);
    ch_jw_key(w, "school");
    ch_jw_str(w, a->school);
    ch_jw_key(w, "organisation_id");
    ch_jw_id(w, a->organisation_id);
    ch_jw_key(w, "intervention");
    ch_jw_str(w, a->intervention);
    ch_jw_key(w, "baseline_id");
    ch_jw_id(w, a->baseline_id);
    date_member(w, "opens_on", a->opens_on);
    date_member(w, "closes_on", a->closes_on);
    ch_jw_key(w, "state");
    ch_jw_str(w, p ? ch_audit_state(a, today_for(r, p, a)) : NULL);
    /* The charter takes answers only over HTTPS and this server has no
     * certificate: every link will refuse answers until it has one. */
    ch_jw_key(w, "refused_here");
    ch_jw_bool(w, p && p->audits && p->audits->require_tls && !r->desk->tls);
    int64_t total = 0;
    ch_jw_key(w, "groups");
    ch_jw_arr(w);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
        if (!a->codes[g])
            continue;
        char path[200];
        total += a->responses[g];
        ch_jw_obj(w);
        ch_jw_key(w, "group");
        ch_jw_str(w, ch_audit_group_name((ch_audit_group)g));
        ch_jw_key(w, "code");
        ch_jw_str(w, a->codes[g]);
        ch_jw_key(w, "form");
        if (p) {
            ch_audit_form_path(p, a->codes[g], path, sizeof(path));
            ch_jw_str(w, path);
        } else {
            ch_jw_str(w, NULL);
        }
        ch_jw_key(w, "responses");
        ch_jw_int(w, a->responses[g]);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    ch_jw_key(w, "responses");
    ch_jw_int(w, total);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, a->created_at);
}

static void question_members(ch_jw *w, const ch_audit_question *q)
{
    ch_jw_key(w, "id");
    ch_jw_str(w, q->id);
    ch_jw_key(w, "text");
    ch_jw_str(w, q->text);
    ch_jw_key(w, "type");
    ch_jw_str(w, ch_audit_qkind_name(q->kind));
    if (q->kind == CH_AUDIT_SCALE) {
        ch_jw_key(w, "points");
        ch_jw_int(w, q->points);
        ch_jw_key(w, "low");
        ch_jw_str(w, q->low);
        ch_jw_key(w, "high");
        ch_jw_str(w, q->high);
    }
    if (q->noptions) {
        ch_jw_key(w, "options");
        ch_jw_arr(w);
        for (size_t k = 0; k < q->noptions; k++)
            ch_jw_str(w, q->options[k]);
        ch_jw_arr_end(w);
    }
    ch_jw_key(w, "groups");
    ch_jw_arr(w);
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        if (ch_audit_asks(q, (ch_audit_group)g))
            ch_jw_str(w, ch_audit_group_name((ch_audit_group)g));
    ch_jw_arr_end(w);
    ch_jw_key(w, "required");
    ch_jw_bool(w, q->required);
}

enum MHD_Result ch_http_audit_templates(ch_req *r)
{
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "services");
    ch_jw_arr(&w);
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t s = 0; p->audits && s < p->nservices; s++) {
            char name[140];
            snprintf(name, sizeof(name), "%s/%s", p->id, p->services[s].id);
            if (!ch_desk_can_see(r, name))
                continue;
            ch_jw_obj(&w);
            ch_jw_key(&w, "service");
            ch_jw_str(&w, name);
            ch_jw_key(&w, "name");
            ch_jw_str(&w, p->services[s].name);
            ch_jw_key(&w, "policy");
            ch_jw_str(&w, p->id);
            ch_jw_obj_end(&w);
        }
    }
    ch_jw_arr_end(&w);
    ch_jw_key(&w, "templates");
    ch_jw_arr(&w);
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t k = 0; p->audits && k < p->audits->ntemplates; k++) {
            const ch_audit_template *t = &p->audits->templates[k];
            ch_jw_obj(&w);
            ch_jw_key(&w, "policy");
            ch_jw_str(&w, p->id);
            ch_jw_key(&w, "id");
            ch_jw_str(&w, t->id);
            ch_jw_key(&w, "title");
            ch_jw_str(&w, t->title);
            ch_jw_key(&w, "groups");
            ch_jw_arr(&w);
            for (int g = 0; g < CH_AUDIT_GROUPS; g++)
                if (t->groups & (1u << g))
                    ch_jw_str(&w, ch_audit_group_name((ch_audit_group)g));
            ch_jw_arr_end(&w);
            ch_jw_key(&w, "questions");
            ch_jw_arr(&w);
            for (size_t q = 0; q < t->nquestions; q++) {
                ch_jw_obj(&w);
                question_members(&w, &t->questions[q]);
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
            ch_jw_obj_end(&w);
        }
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

enum MHD_Result ch_http_school_audits_list(ch_req *r)
{
    ch_error err = {0};
    ch_school_audit *list;
    size_t n;
    if (ch_store_school_audit_list(r->desk->store, 1000, &r->arena, &list, &n, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "audits");
    ch_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        const ch_policy *p = NULL;
        const ch_audit_template *t = NULL;
        if (!ch_desk_can_see(r, list[i].service))
            continue;
        if (!ch_audit_policy(r->desk, &list[i], &p, &t))
            p = NULL, t = NULL;
        ch_jw_obj(&w);
        audit_members(r, &w, &list[i], p, t);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* A random code for one group's link: 12 URL-safe characters (72 bits),
 * too many to guess, few enough to read out in a staff meeting. */
static void new_code(char *buf, size_t size)
{
    unsigned char raw[9];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(buf, size, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool date_field(problems *p, json_t *body, const char *key, ch_date *out)
{
    const char *s = ch_req_text(p, body, key, 10, true);
    ch_error err;
    if (!s)
        return false;
    if (ch_date_parse(s, strlen(s), out, &err)) {
        ch_req_bad(p, key, "%s must be a date written like 2026-10-05.", key);
        return false;
    }
    return true;
}

static enum MHD_Result send_audit(ch_req *r, unsigned status, const ch_school_audit *a,
                                  const ch_policy *p, const ch_audit_template *t)
{
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    audit_members(r, &w, a, p, t);
    ch_jw_key(&w, "questions");
    ch_jw_arr(&w);
    for (size_t q = 0; q < t->nquestions; q++) {
        ch_jw_obj(&w);
        question_members(&w, &t->questions[q]);
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, NULL);
}

/* The baseline a follow-up names must be one the user can see, of the same
 * school and template, and opened before it, or the comparison says nothing. */
static void check_baseline(ch_req *r, problems *p, ch_school_audit *a, const char *service)
{
    ch_school_audit b;
    ch_error err = {0};
    if (ch_store_school_audit_get(r->desk->store, a->baseline_id, &r->arena, &b, &err) ||
        !ch_desk_can_see(r, b.service)) {
        ch_req_bad(p, "baseline_id", "baseline_id names no audit you can see.");
        return;
    }
    if (strcmp(b.service, service) || strcmp(b.template_id, a->template_id) ||
        (a->school && strcmp(b.school, a->school)))
        ch_req_bad(p, "baseline_id",
                   "the baseline must be an audit of the same school, from the same template "
                   "and service (it is of %s, from %s).",
                   b.school, b.template_id);
    else if (a->opens_on <= b.opens_on) {
        char opened[16];
        ch_date_format(b.opens_on, opened, sizeof(opened));
        ch_req_bad(p, "opens_on", "a follow-up must open after its baseline opened (%s).", opened);
    }
    if (!a->intervention)
        a->intervention = b.intervention;
    if (!a->school)
        a->school = b.school;
    if (!a->organisation_id)
        a->organisation_id = b.organisation_id;
}

enum MHD_Result ch_http_school_audits_create(ch_req *r)
{
    static const ch_req_key keys[] = {
        {"service", NULL},     {"template", NULL},  {"school", NULL}, {"organisation_id", NULL},
        {"opens_on", NULL},    {"closes_on", NULL}, {"groups", NULL}, {"intervention", NULL},
        {"baseline_id", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_desk_service ds;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    ch_school_audit a = {0};
    char codes[CH_AUDIT_GROUPS][24];
    const char *service = ch_req_text(&p, body, "service", 140, true);
    a.template_id = ch_req_text(&p, body, "template", 64, true);
    a.school = ch_req_text(&p, body, "school", 200, false);
    a.intervention = ch_req_text(&p, body, "intervention", 500, false);
    ch_req_int(&p, body, "organisation_id", 1, INT64_MAX, false, &a.organisation_id);
    ch_req_int(&p, body, "baseline_id", 1, INT64_MAX, false, &a.baseline_id);
    bool dates = date_field(&p, body, "opens_on", &a.opens_on);
    dates = date_field(&p, body, "closes_on", &a.closes_on) && dates;
    if (dates && a.closes_on < a.opens_on)
        ch_req_bad(&p, "closes_on", "closes_on must be on or after opens_on.");
    else if (dates && a.closes_on - a.opens_on > 366)
        ch_req_bad(&p, "closes_on", "an audit may stay open for a year at most.");
    else if (dates && a.closes_on < ch_time_utc_date(r->now))
        /* Nobody could answer it: a date was most likely mistyped. */
        ch_req_bad(&p, "closes_on",
                   "closes_on is in the past, so nobody could answer this audit; give a closing "
                   "date from today on.");
    if (!ch_req_one_line(a.school))
        ch_req_bad(&p, "school", "school must be one line of text.");
    if (!ch_req_one_line(a.intervention))
        ch_req_bad(&p, "intervention", "intervention must be one line of text.");
    const ch_audit_template *t = NULL;
    bool have_service = service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK;
    if (service && !have_service)
        ch_req_bad(&p, "service", "%s", err.msg);
    else if (have_service && !ds.policy->audits)
        ch_req_bad(&p, "service",
                   "the charter of %s runs no behaviour audits; add an audits: block to its "
                   "policy first.",
                   ds.name);
    else if (have_service && a.template_id &&
             !(t = ch_audit_template_find(ds.policy->audits, a.template_id))) {
        char list[400] = "";
        size_t used = 0;
        for (size_t k = 0; k < ds.policy->audits->ntemplates && used < sizeof(list); k++) {
            int w = snprintf(list + used, sizeof(list) - used, "%s%s", k ? ", " : "",
                             ds.policy->audits->templates[k].id);
            used = w < 0 ? sizeof(list) : used + (size_t)w;
        }
        ch_req_bad(&p, "template", "template must be one of the charter's survey templates: %s.",
                   list);
    }
    unsigned groups = t ? t->groups : 0;
    json_t *jg = json_object_get(body, "groups");
    if (jg && t) {
        groups = 0;
        if (!json_is_array(jg) || json_array_size(jg) == 0)
            ch_req_bad(&p, "groups", "groups must be a list such as [\"pupils\", \"parents\"].");
        for (size_t i = 0; json_is_array(jg) && i < json_array_size(jg); i++) {
            ch_audit_group g;
            if (ch_audit_group_parse(json_string_value(json_array_get(jg, i)), &g) ||
                !(t->groups & (1u << g))) {
                ch_req_bad(&p, "groups",
                           "groups may hold only the groups the template asks: pupils, parents, "
                           "teachers or governors.");
                break;
            }
            groups |= 1u << g;
        }
    }
    if (a.organisation_id) {
        ch_organisation o;
        if (ch_store_organisation_get(r->desk->store, a.organisation_id, &r->arena, &o, &err))
            ch_req_bad(&p, "organisation_id", "organisation_id names no organisation.");
        else if (!a.school)
            a.school = o.name;
    }
    if (a.baseline_id && have_service && t && dates)
        check_baseline(r, &p, &a, ds.name);
    if (!a.school && !json_object_get(body, "school") && !p.fields)
        ch_req_bad(&p, "school", "name the school (school) or give its organisation_id.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    if (!ch_desk_can_see(r, ds.name)) {
        res = ch_http_problem(r, 403, "Not your service",
                              "Only staff of the service that runs an audit can set one up; ask "
                              "an administrator to add you to it.",
                              NULL);
        goto out;
    }
    a.service = ds.name;
    a.created_by = r->user.id;
    a.created_at = r->now;
    for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
        if (!(groups & (1u << g)))
            continue;
        new_code(codes[g], sizeof(codes[g]));
        a.codes[g] = codes[g];
    }
    ch_desk_audit_attach(r, "create", "school_audit", &a.id);
    if (ch_desk_audit_finish(r, ch_store_school_audit_insert(r->desk->store, &a, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_school_audit saved;
    if (ch_store_school_audit_get(r->desk->store, a.id, &r->arena, &saved, &err))
        res = ch_http_error(r, &err);
    else
        res = send_audit(r, 201, &saved, ds.policy, t);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_school_audit_get(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_school_audit a;
    const ch_policy *p;
    const ch_audit_template *t;
    if (!visible_audit(r, id, &a, &p, &t, &res))
        return res;
    if (ch_desk_audit(r, "read", "school_audit", id))
        return ch_http_error(r, &(ch_error){CH_E_STORE, CH_DESK_AUDIT_FAILED});
    return send_audit(r, 200, &a, p, t);
}

static void tally_members(ch_jw *w, const ch_audit_question *q, const ch_audit_tally *t)
{
    double v;
    ch_jw_key(w, "answered");
    ch_jw_int(w, t->answered);
    if (q->kind == CH_AUDIT_SCALE) {
        ch_jw_key(w, "mean");
        if (ch_audit_mean(t, &v))
            number(w, v);
        else
            ch_jw_str(w, NULL);
        ch_jw_key(w, "counts");
        ch_jw_arr(w);
        for (int k = 0; k < q->points; k++)
            ch_jw_int(w, t->counts[k]);
        ch_jw_arr_end(w);
    } else if (q->noptions) {
        ch_jw_key(w, "counts");
        ch_jw_arr(w);
        for (size_t k = 0; k < q->noptions; k++)
            ch_jw_int(w, t->counts[k]);
        ch_jw_arr_end(w);
    }
}

static int write_xlsx(const void *doc, const char *path, ch_error *err)
{
    return ch_audit_xlsx(doc, path, err);
}

/* The workbook in memory; *out is malloc'd, the caller frees it. */
static int xlsx_bytes(const ch_audit_doc *doc, char **out, size_t *len, ch_error *err)
{
    return ch_export_to_memory("audit", write_xlsx, doc, out, len, err);
}

static enum MHD_Result send_workbook(ch_req *r, int64_t id, char *data, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    char disposition[96];
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"audit-%lld-results.xlsx\"",
             (long long)id);
    MHD_add_response_header(resp, "Content-Type",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ok = ch_http_respond(r, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The audit's tallies, after checking it may be seen; false after queuing
 * the answer. */
static bool audit_results(ch_req *r, int64_t id, ch_school_audit *a, const ch_policy **p,
                          const ch_audit_template **t, ch_audit_response **resp, size_t *nresp,
                          ch_audit_results *res_out, enum MHD_Result *res)
{
    ch_error err = {0};
    if (!visible_audit(r, id, a, p, t, res))
        return false;
    if (ch_audit_load_responses(r->desk, a, *t, &r->arena, resp, nresp, &err) ||
        ch_audit_results_build(*t, *resp, *nresp, &r->arena, res_out, &err) ||
        ch_desk_audit(r, "read", "school_audit", id)) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        *res = ch_http_error(r, &err);
        return false;
    }
    return true;
}

enum MHD_Result ch_http_school_audit_results(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    if (format && strcmp(format, "json") && strcmp(format, "xlsx"))
        return ch_http_problem(r, 400, "Unknown format",
                               "format must be json (the default) or xlsx.", NULL);
    ch_school_audit a;
    const ch_policy *p;
    const ch_audit_template *t;
    ch_audit_response *resp;
    size_t nresp;
    ch_audit_results results;
    if (!audit_results(r, id, &a, &p, &t, &resp, &nresp, &results, &res))
        return res;
    if (format && strcmp(format, "xlsx") == 0) {
        ch_audit_doc doc = {&a, t, p->organisation, &results, resp, nresp, today_for(r, p, &a)};
        char *data = NULL;
        size_t len = 0;
        ch_error err = {0};
        if (xlsx_bytes(&doc, &data, &len, &err))
            return ch_http_error(r, &err);
        return send_workbook(r, id, data, len);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "audit");
    ch_jw_obj(&w);
    audit_members(r, &w, &a, p, t);
    ch_jw_obj_end(&w);
    ch_jw_key(&w, "total");
    ch_jw_int(&w, results.total);
    ch_jw_key(&w, "questions");
    ch_jw_arr(&w);
    for (size_t q = 0; q < t->nquestions; q++) {
        const ch_audit_question *qq = &t->questions[q];
        ch_jw_obj(&w);
        question_members(&w, qq);
        ch_jw_key(&w, "all");
        ch_jw_obj(&w);
        tally_members(&w, qq, ch_audit_tally_of(&results, q, CH_AUDIT_GROUPS));
        ch_jw_obj_end(&w);
        ch_jw_key(&w, "by_group");
        ch_jw_obj(&w);
        for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
            if (!a.codes[g] || !ch_audit_asks(qq, (ch_audit_group)g))
                continue;
            ch_jw_key(&w, ch_audit_group_name((ch_audit_group)g));
            ch_jw_obj(&w);
            tally_members(&w, qq, ch_audit_tally_of(&results, q, g));
            ch_jw_obj_end(&w);
        }
        ch_jw_obj_end(&w);
        if (qq->kind == CH_AUDIT_TEXT) {
            ch_jw_key(&w, "answers");
            ch_jw_arr(&w);
            for (size_t i = 0; i < nresp; i++) {
                const ch_audit_answer *ans = &resp[i].answers[q];
                if (!ans->given || !ans->text || !*ans->text)
                    continue;
                ch_jw_obj(&w);
                ch_jw_key(&w, "group");
                ch_jw_str(&w, ch_audit_group_name(resp[i].group));
                ch_jw_key(&w, "text");
                ch_jw_str(&w, ans->text);
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
        }
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* A mean before, after and the change, each null when either side has no
 * answer to it. */
static void change_members(ch_jw *w, const ch_audit_tally *before, const ch_audit_tally *after)
{
    double b = 0, f = 0;
    bool hb = ch_audit_mean(before, &b), hf = ch_audit_mean(after, &f);
    ch_jw_key(w, "baseline_answered");
    ch_jw_int(w, before->answered);
    ch_jw_key(w, "follow_up_answered");
    ch_jw_int(w, after->answered);
    ch_jw_key(w, "baseline_mean");
    hb ? number(w, b) : ch_jw_str(w, NULL);
    ch_jw_key(w, "follow_up_mean");
    hf ? number(w, f) : ch_jw_str(w, NULL);
    ch_jw_key(w, "change");
    hb &&hf ? number(w, f - b) : ch_jw_str(w, NULL);
}

static void side_members(ch_jw *w, const ch_school_audit *a, const ch_audit_results *res)
{
    ch_jw_key(w, "id");
    ch_jw_int(w, a->id);
    date_member(w, "opens_on", a->opens_on);
    date_member(w, "closes_on", a->closes_on);
    ch_jw_key(w, "responses");
    ch_jw_int(w, res->total);
}

enum MHD_Result ch_http_school_audit_compare(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_school_audit a, b;
    const ch_policy *p, *pb;
    const ch_audit_template *t, *tb;
    ch_audit_response *resp, *bresp;
    size_t nresp, nb;
    ch_audit_results after, before;
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    if (format && strcmp(format, "json"))
        return ch_http_problem(r, 400, "Unknown format",
                               "The comparison comes as JSON only (format=json, or leave format "
                               "out); the follow-up's own results come as xlsx.",
                               json_pack("[s]", "format"));
    if (!audit_results(r, id, &a, &p, &t, &resp, &nresp, &after, &res))
        return res;
    if (!a.baseline_id)
        return ch_http_problem(r, 409, "Not a follow-up",
                               "This audit follows up no baseline, so there is nothing to compare "
                               "it with; open the follow-up audit (the one made with "
                               "baseline_id) instead.",
                               NULL);
    if (!audit_results(r, a.baseline_id, &b, &pb, &tb, &bresp, &nb, &before, &res))
        return res;
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "school");
    ch_jw_str(&w, a.school);
    ch_jw_key(&w, "intervention");
    ch_jw_str(&w, a.intervention);
    ch_jw_key(&w, "title");
    ch_jw_str(&w, t->title);
    ch_jw_key(&w, "baseline");
    ch_jw_obj(&w);
    side_members(&w, &b, &before);
    ch_jw_obj_end(&w);
    ch_jw_key(&w, "follow_up");
    ch_jw_obj(&w);
    side_members(&w, &a, &after);
    ch_jw_obj_end(&w);
    ch_jw_key(&w, "questions");
    ch_jw_arr(&w);
    for (size_t q = 0; q < t->nquestions; q++) {
        const ch_audit_question *qq = &t->questions[q];
        if (qq->kind == CH_AUDIT_TEXT)
            continue; /* free text has no measure to compare */
        ch_jw_obj(&w);
        ch_jw_key(&w, "id");
        ch_jw_str(&w, qq->id);
        ch_jw_key(&w, "text");
        ch_jw_str(&w, qq->text);
        ch_jw_key(&w, "type");
        ch_jw_str(&w, ch_audit_qkind_name(qq->kind));
        const ch_audit_tally *ta = ch_audit_tally_of(&after, q, CH_AUDIT_GROUPS);
        const ch_audit_tally *tb0 = ch_audit_tally_of(&before, q, CH_AUDIT_GROUPS);
        if (qq->kind == CH_AUDIT_SCALE) {
            change_members(&w, tb0, ta);
            ch_jw_key(&w, "by_group");
            ch_jw_arr(&w);
            for (int g = 0; g < CH_AUDIT_GROUPS; g++) {
                if (!ch_audit_asks(qq, (ch_audit_group)g) || (!a.codes[g] && !b.codes[g]))
                    continue;
                ch_jw_obj(&w);
                ch_jw_key(&w, "group");
                ch_jw_str(&w, ch_audit_group_name((ch_audit_group)g));
                change_members(&w, ch_audit_tally_of(&before, q, g),
                               ch_audit_tally_of(&after, q, g));
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
        } else {
            ch_jw_key(&w, "baseline_answered");
            ch_jw_int(&w, tb0->answered);
            ch_jw_key(&w, "follow_up_answered");
            ch_jw_int(&w, ta->answered);
            ch_jw_key(&w, "options");
            ch_jw_arr(&w);
            for (size_t k = 0; k < qq->noptions; k++) {
                double sb = 0, sf = 0;
                bool hb = ch_audit_share(tb0, k, &sb), hf = ch_audit_share(ta, k, &sf);
                ch_jw_obj(&w);
                ch_jw_key(&w, "option");
                ch_jw_str(&w, qq->options[k]);
                ch_jw_key(&w, "baseline_share");
                hb ? number(&w, sb) : ch_jw_str(&w, NULL);
                ch_jw_key(&w, "follow_up_share");
                hf ? number(&w, sf) : ch_jw_str(&w, NULL);
                ch_jw_key(&w, "change");
                hb &&hf ? number(&w, sf - sb) : ch_jw_str(&w, NULL);
                ch_jw_obj_end(&w);
            }
            ch_jw_arr_end(&w);
        }
        ch_jw_obj_end(&w);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}

/* An optional date member; false when absent or bad (bad ones recorded). */
static bool date_given(problems *p, json_t *body, const char *key, ch_date *out)
{
    if (!json_object_get(body, key))
        return false;
    return date_field(p, body, key, out);
}

enum MHD_Result ch_http_school_audit_patch(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"opens_on", NULL}, {"closes_on", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_school_audit a;
    const ch_policy *pol;
    const ch_audit_template *t;
    if (!visible_audit(r, id, &a, &pol, &t, &res))
        return res;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    ch_date opens = a.opens_on, closes = a.closes_on;
    bool moved_open = date_given(&p, body, "opens_on", &opens) && opens != a.opens_on;
    date_given(&p, body, "closes_on", &closes);
    if (!json_object_get(body, "opens_on") && !json_object_get(body, "closes_on"))
        ch_req_bad(&p, "closes_on", "give closes_on (or opens_on) to change.");
    else if (closes < opens)
        ch_req_bad(&p, "closes_on", "closes_on must be on or after opens_on.");
    else if (closes - opens > 366)
        ch_req_bad(&p, "closes_on", "an audit may stay open for a year at most.");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    int64_t answered = 0;
    for (int g = 0; g < CH_AUDIT_GROUPS; g++)
        answered += a.responses[g];
    if (moved_open && answered) {
        char detail[300];
        snprintf(detail, sizeof(detail),
                 "This audit has %lld answers already, so the day it opened stays; change "
                 "closes_on only (to close it early or keep it open longer).",
                 (long long)answered);
        res = ch_http_problem(r, 409, "The audit has answers", detail, NULL);
        goto out;
    }
    ch_desk_audit_attach(r, "update", "school_audit", &id);
    if (ch_desk_audit_finish(
            r, ch_store_school_audit_dates(r->desk->store, id, opens, closes, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (ch_store_school_audit_get(r->desk->store, id, &r->arena, &a, &err))
        res = ch_http_error(r, &err);
    else
        res = send_audit(r, 200, &a, pol, t);
out:
    json_decref(body);
    return res;
}
