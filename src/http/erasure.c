/* Retention and erasure on the desk: legal holds on a person or a case
 * (managers and administrators), the erasure of a person (administrators),
 * the retention page's schedule and dry run (administrators), and the run
 * that `charter retention run` and the daily sweep share. */
#include "core/retention.h"
#include "http/desk.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REASON_MAX = 500 };

bool ch_desk_retention_audit(const ch_desk *d, ch_time now, ch_time *cutoff, char *why,
                             size_t why_size)
{
    size_t n = d->npolicies;
    const ch_retention_rules **rules = calloc(n ? n : 1, sizeof(*rules));
    const char **ids = calloc(n ? n : 1, sizeof(*ids));
    bool purged = false;
    if (!rules || !ids) {
        snprintf(why, why_size, "Audit rows are kept: out of memory.");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rules[i] = d->policies[i].policy->retention;
        ids[i] = d->policies[i].policy->id;
    }
    purged = ch_retention_audit_cutoff(rules, ids, n, now, cutoff, why, why_size);
out:
    free(rules);
    free(ids);
    return purged;
}

int ch_desk_retention_run(ch_desk *d, ch_time now, bool dry_run, int64_t by, int64_t counts[],
                          ch_error *err)
{
    /* Files before the cases they are on: anonymising a case removes its
     * files too, and a run should count them as the dry run did. The
     * audit log, one chain for every service, comes last. */
    static const ch_retention_kind order[] = {CH_RETAIN_CASE_ATTACHMENTS, CH_RETAIN_CLOSED_CASES,
                                              CH_RETAIN_SURVEY_RESPONSES, CH_RETAIN_INBOUND_MAIL,
                                              CH_RETAIN_NOTIFICATIONS};
    _Static_assert(sizeof(order) / sizeof(*order) == CH_RETAIN_COUNT - 1,
                   "every kind but the audit log is applied per service");
    for (int k = 0; k < CH_RETAIN_COUNT; k++)
        counts[k] = 0;
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        for (size_t j = 0; j < sizeof(order) / sizeof(*order); j++) {
            int k = (int)order[j];
            ch_time cutoff;
            if (!ch_retention_cutoff(p->retention, (ch_retention_kind)k, now, &cutoff))
                continue;
            for (size_t s = 0; s < p->nservices; s++) {
                char name[140];
                int64_t n = 0;
                snprintf(name, sizeof(name), "%s/%s", p->id, p->services[s].id);
                int rc =
                    ch_store_retention_apply(d->store, k, name, cutoff, dry_run, now, by, &n, err);
                if (rc)
                    return rc;
                counts[k] += n;
            }
        }
    }
    ch_time cutoff;
    char why[300];
    if (ch_desk_retention_audit(d, now, &cutoff, why, sizeof(why)))
        return ch_store_audit_purge(d->store, cutoff, dry_run, now, by, &counts[CH_RETAIN_AUDIT],
                                    err);
    return CH_OK;
}

void ch_desk_retention_sweep(ch_desk *d, ch_time now)
{
    int64_t counts[CH_RETAIN_COUNT];
    ch_error err = {0};
    pthread_rwlock_rdlock(&d->policies_lock);
    int rc = ch_desk_retention_run(d, now, false, 0, counts, &err);
    pthread_rwlock_unlock(&d->policies_lock);
    if (rc) {
        fprintf(stderr, "charter serve: retention sweep: %s\n", err.msg);
        return;
    }
    for (int k = 0; k < CH_RETAIN_COUNT; k++)
        if (counts[k])
            fprintf(stderr, "charter serve: retention: %s %lld %s\n",
                    ch_retention_action_of((ch_retention_kind)k) == CH_RETAIN_ANONYMISE
                        ? "anonymised"
                        : "deleted",
                    (long long)counts[k], ch_retention_noun_n((ch_retention_kind)k, counts[k]));
}

static enum MHD_Result refused(ch_req *r, const char *action, const char *object, int64_t id,
                               const char *title, const char *detail)
{
    if (ch_desk_audit(r, action, object, id))
        return ch_http_error(r, &(ch_error){CH_E_STORE, CH_DESK_AUDIT_FAILED});
    return ch_http_problem(r, 403, title, detail, NULL);
}

static json_t *hold_json(const ch_legal_hold *h, bool held)
{
    if (!held)
        return json_pack("{s:b}", "held", 0);
    return json_pack("{s:b,s:s,s:o,s:o}", "held", 1, "reason", h->reason ? h->reason : "",
                     "placed_by", h->placed_by ? json_integer(h->placed_by) : json_null(),
                     "placed_at", ch_json_time(h->placed_at));
}

/* GET, PUT and DELETE on the hold of a person (person_id) or a case. */
static enum MHD_Result hold(ch_req *r, int64_t person_id, int64_t case_id)
{
    static const ch_req_key keys[] = {{"reason", NULL}, {NULL, NULL}};
    const char *object = person_id ? "person" : "case";
    int64_t id = person_id ? person_id : case_id;
    enum MHD_Result res;
    ch_error err = {0};
    ch_person person;
    ch_case_row kase;
    ch_legal_hold h = {0};
    json_t *body = NULL;
    bool get = strcmp(r->method, "GET") == 0, put = strcmp(r->method, "PUT") == 0;
    if (person_id && ch_http_person_visible(r, person_id, &person, &err))
        return ch_http_error(r, &err);
    if (case_id && !ch_req_case(r, case_id, &kase, &res))
        return res;
    if (get) {
        int rc = ch_store_hold_get(r->desk->store, person_id, case_id, &r->arena, &h, &err);
        if (rc && rc != CH_E_NOTFOUND)
            return ch_http_error(r, &err);
        return ch_http_json(r, 200, hold_json(&h, rc == CH_OK), NULL);
    }
    if (put && !(body = ch_req_body(r, keys, &res)))
        return res;
    if (!put && !ch_req_empty(r, &res))
        return res;
    if (r->user.role == CH_ROLE_OFFICER) {
        res = refused(r, put ? "hold-refused" : "release-refused", object, id,
                      "Managers place legal holds",
                      "Only a manager or an administrator can place or release a legal hold; "
                      "ask your manager.");
        goto out;
    }
    if (put) {
        problems p = {0};
        h.reason = ch_req_text(&p, body, "reason", REASON_MAX, true);
        if (h.reason && ch_req_blank(h.reason))
            ch_req_bad(&p, "reason",
                       "reason must say why the records are held, e.g. \"tribunal claim "
                       "2026/114\".");
        if (p.fields) {
            res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
            goto out;
        }
        h.person_id = person_id;
        h.case_id = case_id;
        h.placed_by = r->user.id;
        h.placed_at = r->now;
        ch_desk_audit_attach(r, "hold", object, &id);
        if (ch_desk_audit_finish(r, ch_store_hold_place(r->desk->store, &h, &err), &err)) {
            res = ch_http_error(r, &err);
            goto out;
        }
        res = ch_http_json(r, 200, hold_json(&h, true), NULL);
        goto out;
    }
    ch_desk_audit_attach(r, "hold-release", object, &id);
    if (ch_desk_audit_finish(r, ch_store_hold_release(r->desk->store, person_id, case_id, &err),
                             &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_json(r, 200, hold_json(&h, false), NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_person_hold(ch_req *r, int64_t id)
{
    return hold(r, id, 0);
}

enum MHD_Result ch_http_case_hold(ch_req *r, int64_t id)
{
    return hold(r, 0, id);
}

enum MHD_Result ch_http_person_erase(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"reason", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_person person;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    if (r->user.role != CH_ROLE_ADMIN) {
        res = refused(r, "erase-refused", "person", id, "Administrators erase people",
                      "Only an administrator can erase a person's records; ask your data "
                      "protection officer or an administrator.");
        goto out;
    }
    ch_erasure e = {.person_id = id, .by = r->user.id, .at = r->now};
    e.reason = ch_req_text(&p, body, "reason", REASON_MAX, true);
    if (e.reason && ch_req_blank(e.reason))
        ch_req_bad(&p, "reason",
                   "reason must say why the person is erased, e.g. \"erasure request of "
                   "2026-11-30\".");
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    /* The audit keeps that an erasure happened and by whom, never what. */
    if (ch_http_person_visible(r, id, &person, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    ch_desk_audit_attach(r, "erase", "person", &id);
    if (ch_desk_audit_finish(r, ch_store_person_erase(r->desk->store, &e, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = ch_http_json(r, 200,
                       json_pack("{s:I,s:o,s:I}", "person_id", (json_int_t)id, "erased_at",
                                 ch_json_time(e.at), "cases_anonymised", (json_int_t)e.cases),
                       NULL);
out:
    json_decref(body);
    return res;
}

enum MHD_Result ch_http_retention(ch_req *r)
{
    int64_t counts[CH_RETAIN_COUNT];
    ch_error err = {0};
    if (r->user.role != CH_ROLE_ADMIN)
        return refused(r, "retention-refused", "retention", 0, "Administrators see retention",
                       "Only an administrator can see the retention schedule and what is due.");
    static const char *const none[] = {NULL};
    const char *unknown = ch_req_unknown_arg(r, none);
    if (unknown) {
        char detail[300];
        snprintf(detail, sizeof(detail),
                 "The retention page shows every charter's schedule as of now; leave out "
                 "'%.40s'. To reckon as of another day, run charter retention run --dry-run "
                 "--now DATE.",
                 unknown);
        return ch_http_problem(r, 400, "The retention page takes no parameters", detail,
                               json_pack("[s]", unknown));
    }
    if (ch_desk_retention_run(r->desk, r->now, true, 0, counts, &err))
        return ch_http_error(r, &err);
    json_t *policies = json_array(), *due = json_array();
    for (size_t i = 0; i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        json_t *rows = json_array();
        for (int k = 0; p->retention && k < CH_RETAIN_COUNT; k++) {
            char period[32];
            if (!p->retention->set[k])
                continue;
            ch_retention_span_format(&p->retention->span[k], period, sizeof(period));
            json_array_append_new(
                rows,
                json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", ch_retention_key((ch_retention_kind)k),
                          "noun", ch_retention_noun((ch_retention_kind)k), "period", period,
                          "counted_from", ch_retention_counted_from((ch_retention_kind)k), "action",
                          ch_retention_action_of((ch_retention_kind)k) == CH_RETAIN_ANONYMISE
                              ? "anonymise"
                              : "delete"));
        }
        json_array_append_new(policies, json_pack("{s:s,s:s,s:o}", "id", p->id, "organisation",
                                                  p->organisation, "schedule", rows));
    }
    for (int k = 0; k < CH_RETAIN_COUNT; k++)
        json_array_append_new(
            due, json_pack("{s:s,s:s,s:s,s:I}", "kind", ch_retention_key((ch_retention_kind)k),
                           "noun", ch_retention_noun((ch_retention_kind)k), "action",
                           ch_retention_action_of((ch_retention_kind)k) == CH_RETAIN_ANONYMISE
                               ? "anonymise"
                               : "delete",
                           "count", (json_int_t)counts[k]));
    ch_time cutoff;
    char why[300];
    bool purged = ch_desk_retention_audit(r->desk, r->now, &cutoff, why, sizeof(why));
    json_t *audit = json_pack("{s:b,s:s,s:o}", "purged", purged, "rule", why, "cutoff",
                              purged ? ch_json_time(cutoff) : json_null());
    return ch_http_json(r, 200,
                        json_pack("{s:o,s:o,s:o,s:o}", "as_of", ch_json_time(r->now), "policies",
                                  policies, "due", due, "audit", audit),
                        NULL);
}
