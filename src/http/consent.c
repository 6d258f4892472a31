/* Relationships between people, written consents (recorded, withdrawn,
 * listed on the person), and who may be spoken to about a case. The rules
 * are the core's (core/consent.h); here requests are read, records loaded
 * and answers written. Every change and every refusal is audited. */
#include "http/complaints.h"
#include "http/consent.h"

#include <stdio.h>
#include <string.h>

#include "core/timefmt.h"
#include "core/tz.h"
#include "http/json_case.h"
#include "http/request.h"

/* The civil day of instant t in the service's zone (UTC when the service
 * is not loaded). */
static ch_date service_day(ch_req *r, const char *service, ch_time t)
{
    ch_desk_service ds;
    ch_error err;
    ch_date d = ch_time_utc_date(t);
    int32_t secs;
    if (service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK)
        ch_tz_to_local(ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service)), t, &d,
                       &secs);
    return d;
}

/* Today where the desk works: the zone of the first service loaded. */
static ch_date desk_today(ch_req *r)
{
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        if (p->nservices) {
            ch_date d;
            int32_t secs;
            ch_tz_to_local(ch_calendar_tz(ch_policy_service_calendar(p, &p->services[0])), r->now,
                           &d, &secs);
            return d;
        }
    }
    return ch_time_utc_date(r->now);
}

/* A person records may be added to: visible and not merged away (what is
 * added to a merged record would guard nobody). */
static int person_live(ch_req *r, int64_t id, ch_person *out, ch_error *err)
{
    int rc = ch_http_person_visible(r, id, out, err);
    if (rc == CH_OK && out->merged_into)
        rc = ch_error_set(err, CH_E_CONFLICT,
                          "person %lld was merged into person %lld; record this under person %lld",
                          (long long)id, (long long)out->merged_into, (long long)out->merged_into);
    return rc;
}

/* Whether the user may see person id, into *seen. */
static int can_see_person(ch_req *r, int64_t id, bool *seen, ch_error *err)
{
    ch_person p;
    ch_error quiet = {0};
    int rc = ch_http_person_visible(r, id, &p, &quiet);
    *seen = rc == CH_OK;
    if (rc && rc != CH_E_NOTFOUND)
        return ch_error_set(err, rc, "%s", quiet.msg);
    return CH_OK;
}

static bool parent_kind(const char *kind)
{
    return strcmp(kind, "parent") == 0 || strcmp(kind, "carer") == 0;
}

/* The consents that could count for subject: their own, and those of
 * their parents and carers (for while they are under 18). */
static int consents_for(ch_req *r, int64_t subject, const ch_relationship *rels, size_t nrels,
                        ch_consent **out, size_t *n, ch_error *err)
{
    ch_consent *all, *more;
    size_t nall, nmore;
    int rc = ch_store_consents(r->desk->store, 0, subject, &r->arena, &all, &nall, err);
    for (size_t i = 0; !rc && i < nrels; i++) {
        if (rels[i].other_id != subject || !parent_kind(rels[i].kind))
            continue;
        if ((rc = ch_store_consents(r->desk->store, 0, rels[i].person_id, &r->arena, &more, &nmore,
                                    err)))
            break;
        if (nmore == 0)
            continue;
        ch_consent *grown = ch_arena_grow(&r->arena, all, nall, nall + nmore, sizeof(*all));
        if (!grown)
            return ch_error_set(err, CH_E_NOMEM, "out of memory");
        memcpy(grown + nall, more, nmore * sizeof(*more));
        all = grown;
        nall += nmore;
    }
    *out = all;
    *n = nall;
    return rc;
}

static ch_consent_party party(const ch_person *p)
{
    ch_consent_party out = {p->id, p->name, false, 0};
    ch_error err;
    if (p->date_of_birth &&
        ch_date_parse(p->date_of_birth, strlen(p->date_of_birth), &out.dob, &err) == CH_OK)
        out.has_dob = true;
    return out;
}

/* What the check needs about case c's subject, loaded once. */
typedef struct safeguards {
    ch_person subject;
    ch_relationship *rels;
    size_t nrels;
    ch_consent *consents;
    size_t nconsents;
} safeguards;

static int safeguards_load(ch_req *r, const ch_case_row *c, safeguards *s, ch_error *err)
{
    int rc;
    memset(s, 0, sizeof(*s));
    if (!c->person_id)
        return CH_OK;
    if ((rc = ch_store_person_get(r->desk->store, c->person_id, &r->arena, &s->subject, err)) ||
        (rc = ch_store_relationships(r->desk->store, 0, c->person_id, &r->arena, &s->rels,
                                     &s->nrels, err)))
        return rc;
    return consents_for(r, c->person_id, s->rels, s->nrels, &s->consents, &s->nconsents, err);
}

static int ask(ch_req *r, const ch_case_row *c, const safeguards *s, const ch_person *with,
               ch_time at, ch_consent_answer *out, ch_error *err)
{
    ch_consent_question q = {0};
    q.case_id = c->id;
    q.subject = c->person_id ? party(&s->subject) : (ch_consent_party){0};
    q.with = party(with);
    q.at = at;
    q.on = service_day(r, c->service, at);
    q.rels = s->rels;
    q.nrels = s->nrels;
    q.consents = s->consents;
    q.nconsents = s->nconsents;
    return ch_consent_check(&q, out, err);
}

int ch_http_consent_ask(ch_req *r, const ch_case_row *c, int64_t with, ch_time at,
                        ch_consent_answer *out, ch_error *err)
{
    safeguards s;
    ch_person person;
    int rc = ch_store_person_get(r->desk->store, with, &r->arena, &person, err);
    if (!rc)
        rc = safeguards_load(r, c, &s, err);
    return rc ? rc : ask(r, c, &s, &person, at, out, err);
}

enum MHD_Result ch_http_consent_refuse(ch_req *r, int64_t case_id, int64_t with,
                                       const ch_consent_answer *a, const char *field)
{
    if (ch_desk_audit(r, "consent-refused", "case", case_id) ||
        ch_desk_audit(r, "consent-refused", "person", with)) {
        ch_error err;
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    return ch_http_problem_typed(r, 409, "/problems/consent-required", "Consent is needed",
                                 a->sentence, json_pack("[s]", field));
}

static void relationship_json(ch_jw *w, const ch_relationship *k)
{
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, k->id);
    ch_jw_key(w, "kind");
    ch_jw_str(w, k->kind);
    ch_jw_key(w, "person_id");
    ch_jw_int(w, k->person_id);
    ch_jw_key(w, "person_name");
    ch_jw_str(w, k->person_name);
    ch_jw_key(w, "other_id");
    ch_jw_id(w, k->other_id);
    ch_jw_key(w, "other_name");
    ch_jw_str(w, k->other_name);
    ch_jw_key(w, "organisation_id");
    ch_jw_id(w, k->organisation_id);
    ch_jw_key(w, "organisation_name");
    ch_jw_str(w, k->organisation_name);
    ch_jw_key(w, "note");
    ch_jw_str(w, k->note);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, k->created_at);
    ch_jw_obj_end(w);
}

static void date_json(ch_jw *w, ch_date d)
{
    char buf[16];
    ch_date_format(d, buf, sizeof(buf));
    ch_jw_str(w, buf);
}

static void consent_json(ch_req *r, ch_jw *w, const ch_consent *k)
{
    ch_date today = desk_today(r);
    ch_jw_obj(w);
    ch_jw_key(w, "id");
    ch_jw_int(w, k->id);
    ch_jw_key(w, "grantor_id");
    ch_jw_int(w, k->grantor_id);
    ch_jw_key(w, "grantor_name");
    ch_jw_str(w, k->grantor_name);
    ch_jw_key(w, "grantee_id");
    ch_jw_int(w, k->grantee_id);
    ch_jw_key(w, "grantee_name");
    ch_jw_str(w, k->grantee_name);
    ch_jw_key(w, "scope");
    ch_jw_str(w, k->case_id ? "case" : "all");
    ch_jw_key(w, "case_id");
    ch_jw_id(w, k->case_id);
    ch_jw_key(w, "evidence");
    ch_jw_str(w, k->evidence);
    ch_jw_key(w, "given_on");
    date_json(w, k->given_on);
    ch_jw_key(w, "expires_on");
    if (k->expires)
        date_json(w, k->expires_on);
    else
        ch_jw_str(w, NULL);
    ch_jw_key(w, "state");
    ch_jw_str(w, ch_consent_state_name(ch_consent_state_at(k, r->now, today)));
    ch_jw_key(w, "withdrawn_at");
    ch_jw_time(w, k->withdrawn_at);
    ch_jw_key(w, "withdrawn_reason");
    ch_jw_str(w, k->withdrawn_reason);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, k->created_at);
    ch_jw_obj_end(w);
}

int ch_http_person_safeguards(ch_req *r, ch_jw *w, int64_t id, ch_error *err)
{
    ch_relationship *rels;
    ch_consent *cons;
    size_t nrels, ncons;
    int rc = ch_store_relationships(r->desk->store, 0, id, &r->arena, &rels, &nrels, err);
    if (!rc)
        rc = ch_store_consents(r->desk->store, 0, id, &r->arena, &cons, &ncons, err);
    if (rc)
        return rc;
    /* Someone on the other side whom the user may not see (another team's
     * client) is not named; the page says how many are left out. */
    int64_t hidden_rels = 0, hidden_cons = 0;
    ch_jw_key(w, "relationships");
    ch_jw_arr(w);
    for (size_t i = 0; !rc && i < nrels; i++) {
        int64_t other = rels[i].person_id == id ? rels[i].other_id : rels[i].person_id;
        bool seen = true;
        if (other && (rc = can_see_person(r, other, &seen, err)))
            break;
        if (seen)
            relationship_json(w, &rels[i]);
        else
            hidden_rels++;
    }
    ch_jw_arr_end(w);
    ch_jw_key(w, "consents");
    ch_jw_arr(w);
    for (size_t i = 0; !rc && i < ncons; i++) {
        int64_t other = cons[i].grantor_id == id ? cons[i].grantee_id : cons[i].grantor_id;
        bool seen = true;
        if ((rc = can_see_person(r, other, &seen, err)))
            break;
        if (seen)
            consent_json(r, w, &cons[i]);
        else
            hidden_cons++;
    }
    ch_jw_arr_end(w);
    ch_jw_key(w, "hidden_relationships");
    ch_jw_int(w, hidden_rels);
    ch_jw_key(w, "hidden_consents");
    ch_jw_int(w, hidden_cons);
    return rc;
}

/* An id member: a positive whole number, or absent (0). */
static int64_t id_member(problems *p, json_t *body, const char *key, const char *what)
{
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        ch_req_bad(p, key, "%s must be %s's id.", key, what);
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

enum MHD_Result ch_http_relationships_create(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {
        {"kind", NULL}, {"other_id", NULL}, {"organisation_id", NULL}, {"note", NULL}, {NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person person, other;
    ch_organisation org;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (person_live(r, id, &person, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_relationship k = {0};
    k.person_id = id;
    k.kind = ch_req_text(&p, body, "kind", 16, true);
    k.note = ch_req_text(&p, body, "note", 1000, false);
    k.other_id = id_member(&p, body, "other_id", "a person");
    k.organisation_id = id_member(&p, body, "organisation_id", "an organisation");
    ch_relation kind;
    bool at_org = k.kind && strcmp(k.kind, "contact-at") == 0;
    if (k.kind && ch_relation_parse(k.kind, &kind))
        ch_req_bad(&p, "kind",
                   "kind must be parent, carer, advocate, professional (acting for someone) or "
                   "contact-at (a contact at a school or organisation).");
    else if (at_org && !k.organisation_id)
        ch_req_bad(&p, "organisation_id",
                   "a contact-at relationship names the organisation: "
                   "organisation_id.");
    else if (at_org && k.other_id)
        ch_req_bad(&p, "other_id",
                   "a contact-at relationship names an organisation, not a "
                   "person: leave other_id out.");
    else if (k.kind && !at_org && !k.other_id)
        ch_req_bad(&p, "other_id", "a %s relationship names the person it is for: other_id.",
                   k.kind);
    else if (k.kind && !at_org && k.organisation_id)
        ch_req_bad(&p, "organisation_id",
                   "only a contact-at relationship names an organisation; leave organisation_id "
                   "out.");
    if (k.other_id && k.other_id == id)
        ch_req_bad(&p, "other_id", "a person cannot be related to themselves.");
    if (!p.fields && k.other_id && person_live(r, k.other_id, &other, &err)) {
        if (err.code != CH_E_NOTFOUND) {
            res = ch_http_error(r, &err);
            goto out;
        }
        ch_req_bad(&p, "other_id", "there is no person %lld you can see.", (long long)k.other_id);
    }
    if (!p.fields && k.organisation_id &&
        ch_store_organisation_get(r->desk->store, k.organisation_id, &r->arena, &org, &err)) {
        if (err.code != CH_E_NOTFOUND) {
            res = ch_http_error(r, &err);
            goto out;
        }
        ch_req_bad(&p, "organisation_id", "there is no organisation %lld.",
                   (long long)k.organisation_id);
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    /* The same relationship twice would only be removed once. */
    ch_relationship *have;
    size_t nhave;
    if (ch_store_relationships(r->desk->store, 0, id, &r->arena, &have, &nhave, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    for (size_t i = 0; i < nhave; i++) {
        if (have[i].person_id == id && strcmp(have[i].kind, k.kind) == 0 &&
            have[i].other_id == k.other_id && have[i].organisation_id == k.organisation_id) {
            char detail[200];
            snprintf(detail, sizeof(detail),
                     "%s already has this relationship (number %lld); there is nothing to add.",
                     person.name, (long long)have[i].id);
            res = ch_http_problem(r, 409, "Already recorded", detail, NULL);
            goto out;
        }
    }
    k.created_by = r->user.id;
    k.created_at = r->now;
    ch_desk_audit_attach(r, "create", "relationship", &k.id);
    if (ch_desk_audit_finish(r, ch_store_relationship_insert(r->desk->store, &k, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_relationship *back;
    size_t nback;
    if (ch_store_relationships(r->desk->store, k.id, 0, &r->arena, &back, &nback, &err) ||
        nback != 1) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, "the relationship could not be read back");
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_jw w;
    ch_jw_init(&w);
    relationship_json(&w, back);
    res = ch_http_jw(r, 201, &w, NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_relationship_delete(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_relationship *k;
    size_t n;
    ch_person person;
    if (!ch_req_empty(r, &res))
        return res;
    if (ch_store_relationships(r->desk->store, id, 0, &r->arena, &k, &n, &err))
        return ch_http_error(r, &err);
    if (n == 0 || ch_http_person_visible(r, k->person_id, &person, &err)) {
        if (err.code && err.code != CH_E_NOTFOUND)
            return ch_http_error(r, &err);
        ch_error_set(&err, CH_E_NOTFOUND, "there is no relationship %lld", (long long)id);
        return ch_http_error(r, &err);
    }
    ch_desk_audit_attach(r, "delete", "relationship", &id);
    if (ch_desk_audit_finish(r, ch_store_relationship_delete(r->desk->store, id, &err), &err)) {
        return ch_http_error(r, &err);
    }
    /* 204 carries no body, so no Content-Type either. */
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    res = ch_http_respond(r, 204, resp);
    MHD_destroy_response(resp);
    return res;
}

/* A YYYY-MM-DD member into *out; false when absent or bad (noted in p). */
static bool date_member(problems *p, json_t *body, const char *key, bool required, ch_date *out)
{
    ch_error err;
    const char *s = ch_req_text(p, body, key, 10, required);
    if (!s)
        return false;
    if (ch_date_parse(s, strlen(s), out, &err)) {
        ch_req_bad(p, key, "%s must be a real date, YYYY-MM-DD.", key);
        return false;
    }
    return true;
}

static enum MHD_Result send_consent(ch_req *r, unsigned status, int64_t id)
{
    ch_consent *k;
    size_t n;
    ch_error err = {0};
    if (ch_store_consents(r->desk->store, id, 0, &r->arena, &k, &n, &err) || n != 1) {
        if (!err.code)
            ch_error_set(&err, CH_E_STORE, "the consent could not be read back");
        return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    consent_json(r, &w, k);
    return ch_http_jw(r, status, &w, NULL);
}

enum MHD_Result ch_http_consents_create(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"grantee_id", NULL},
                                      {"scope", NULL},
                                      {"case_id", NULL},
                                      {"evidence", NULL},
                                      {"given_on", NULL},
                                      {"expires_on", NULL},
                                      {NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person grantor, grantee;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (person_live(r, id, &grantor, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_consent k = {0};
    k.grantor_id = id;
    k.grantee_id = id_member(&p, body, "grantee_id", "a person");
    if (!k.grantee_id && !p.fields)
        ch_req_bad(&p, "grantee_id", "grantee_id is required: the person we may speak to.");
    const char *scope = ch_req_text(&p, body, "scope", 8, true);
    k.case_id = id_member(&p, body, "case_id", "a case");
    k.evidence = ch_req_text(&p, body, "evidence", 2000, true);
    bool given = date_member(&p, body, "given_on", true, &k.given_on);
    k.expires = date_member(&p, body, "expires_on", false, &k.expires_on);
    bool whole = scope && strcmp(scope, "all") == 0, one = scope && strcmp(scope, "case") == 0;
    if (scope && !whole && !one)
        ch_req_bad(&p, "scope", "scope must be all (every matter) or case (the one in case_id).");
    if (one && !k.case_id)
        ch_req_bad(&p, "case_id", "consent for one case names it: case_id.");
    if (whole && k.case_id)
        ch_req_bad(&p, "case_id",
                   "consent for every matter names no case; leave case_id out or "
                   "give scope case.");
    if (k.grantee_id && k.grantee_id == id)
        ch_req_bad(&p, "grantee_id", "a person needs no consent to be told about themselves.");
    if (given && k.given_on > desk_today(r))
        ch_req_bad(&p, "given_on", "given_on is in the future; give the date on the document.");
    if (given && k.expires && k.expires_on <= k.given_on)
        ch_req_bad(&p, "expires_on", "expires_on must be after given_on.");
    if (!p.fields && person_live(r, k.grantee_id, &grantee, &err)) {
        if (err.code != CH_E_NOTFOUND) {
            res = ch_http_error(r, &err);
            goto out;
        }
        ch_req_bad(&p, "grantee_id", "there is no person %lld you can see.",
                   (long long)k.grantee_id);
    }
    if (!p.fields && k.case_id) {
        ch_case_row c;
        int rc = ch_store_case_get(r->desk->store, k.case_id, &r->arena, &c, &err);
        if (rc && rc != CH_E_NOTFOUND) {
            res = ch_http_error(r, &err);
            goto out;
        }
        if (rc || !ch_desk_can_see(r, c.service) || ch_http_complaint_hidden(r, &c)) {
            ch_req_bad(&p, "case_id", "there is no case %lld you can see.", (long long)k.case_id);
        } else if (c.person_id != id) {
            /* A parent or carer may consent about their child's case. */
            ch_relationship *rels;
            size_t n;
            bool parent = false;
            if (ch_store_relationships(r->desk->store, 0, id, &r->arena, &rels, &n, &err)) {
                res = ch_http_error(r, &err);
                goto out;
            }
            for (size_t i = 0; i < n && !parent; i++)
                parent = rels[i].person_id == id && rels[i].other_id == c.person_id &&
                         c.person_id && parent_kind(rels[i].kind);
            if (!parent)
                ch_req_bad(&p, "case_id",
                           "case %lld is not about %s (nor about a child of theirs); record "
                           "consent for it under the record of the person it is about.",
                           (long long)k.case_id, grantor.name);
        }
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    k.created_by = r->user.id;
    k.created_at = r->now;
    ch_desk_audit_attach(r, "create", "consent", &k.id);
    if (ch_desk_audit_finish(r, ch_store_consent_insert(r->desk->store, &k, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_consent(r, 201, k.id);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_consent_withdraw(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"reason", NULL}, {NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_consent *k;
    size_t n;
    ch_person grantor;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (ch_store_consents(r->desk->store, id, 0, &r->arena, &k, &n, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (n == 0 || ch_http_person_visible(r, k->grantor_id, &grantor, &err)) {
        if (err.code && err.code != CH_E_NOTFOUND) {
            res = ch_http_error(r, &err);
            goto out;
        }
        ch_error_set(&err, CH_E_NOTFOUND, "there is no consent %lld", (long long)id);
        res = ch_http_error(r, &err);
        goto out;
    }
    const char *reason = ch_req_text(&p, body, "reason", 1000, true);
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    ch_desk_audit_attach(r, "withdraw", "consent", &id);
    if (ch_desk_audit_finish(
            r, ch_store_consent_withdraw(r->desk->store, id, r->now, r->user.id, reason, &err),
            &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = send_consent(r, 200, id);
out:
    json_decref(body);
    return res;
}

/* One person the list names, once. */
static bool listed(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static void allowed_json(ch_jw *w, const ch_person *who, const char *role,
                         const ch_consent_answer *a)
{
    static const char *const basis[] = {"subject", "parent-of-child", "consent", "none"};
    ch_jw_obj(w);
    ch_jw_key(w, "person_id");
    ch_jw_int(w, who->id);
    ch_jw_key(w, "name");
    ch_jw_str(w, who->name);
    ch_jw_key(w, "role");
    ch_jw_str(w, role);
    ch_jw_key(w, "allowed");
    ch_jw_bool(w, a->allowed);
    ch_jw_key(w, "basis");
    ch_jw_str(w, basis[a->basis]);
    ch_jw_key(w, "consent_id");
    ch_jw_id(w, a->consent_id);
    ch_jw_key(w, "reason");
    ch_jw_str(w, a->reason);
    ch_jw_key(w, "sentence");
    ch_jw_str(w, a->allowed ? NULL : a->sentence);
    ch_jw_obj_end(w);
}

enum MHD_Result ch_http_contacts_allowed(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_error err = {0};
    ch_case_row c;
    safeguards s;
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (safeguards_load(r, &c, &s, &err))
        return ch_http_error(r, &err);
    if (ch_desk_audit(r, "read", "case", id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    size_t cap = s.nrels + s.nconsents + 1, n = 0;
    int64_t *ids = ch_arena_alloc(&r->arena, cap * sizeof(*ids));
    if (!ids) {
        ch_error_set(&err, CH_E_NOMEM, "out of memory");
        return ch_http_error(r, &err);
    }
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "case_id");
    ch_jw_int(&w, id);
    ch_jw_key(&w, "at");
    ch_jw_time(&w, r->now);
    ch_jw_key(&w, "people");
    ch_jw_arr(&w);
    ch_consent_answer a;
    int rc = CH_OK;
    if (c.person_id) {
        ids[n++] = c.person_id;
        if (!(rc = ask(r, &c, &s, &s.subject, r->now, &a, &err)))
            allowed_json(&w, &s.subject, "the person the case is about", &a);
    }
    /* Everyone related to the subject, then anyone a consent names. */
    for (size_t i = 0; !rc && i < s.nrels + s.nconsents; i++) {
        int64_t other = 0;
        char role[300];
        if (i < s.nrels) {
            const ch_relationship *k = &s.rels[i];
            if (k->other_id == c.person_id) {
                other = k->person_id;
                snprintf(role, sizeof(role), "%s",
                         strcmp(k->kind, "professional") == 0 ? "professional acting for them"
                                                              : k->kind);
            } else if (k->person_id == c.person_id && k->other_id) {
                other = k->other_id;
                snprintf(role, sizeof(role), "%s is their %s", s.subject.name, k->kind);
            }
        } else {
            const ch_consent *k = &s.consents[i - s.nrels];
            other = k->grantee_id;
            snprintf(role, sizeof(role), "named in a consent from %s", k->grantor_name);
        }
        if (!other || listed(ids, n, other))
            continue;
        ids[n++] = other;
        ch_person who;
        if ((rc = ch_store_person_get(r->desk->store, other, &r->arena, &who, &err)) ||
            (rc = ask(r, &c, &s, &who, r->now, &a, &err)))
            break;
        allowed_json(&w, &who, role, &a);
    }
    ch_jw_arr_end(&w);
    ch_jw_obj_end(&w);
    if (rc) {
        ch_jw_free(&w);
        return ch_http_error(r, &err);
    }
    return ch_http_jw(r, 200, &w, NULL);
}
