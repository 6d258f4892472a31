/* Complaints and compliments over HTTP: stages closed with an outcome, lessons
 * and a letter and escalated with their own clock, the staff a case names,
 * and the report. The rules are core/complaint.h's; here requests are read. */
#include "http/complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/complaint.h"
#include "core/timefmt.h"
#include "core/tz.h"
#include "export/notice.h"
#include "http/jsonw.h"
#include "http/request.h"

enum { MAX_NAMED = 64, LETTER_MAX = 12000, TEXT_MAX = 4000 };

bool ch_http_complaint_hidden(ch_req *r, const ch_case_row *c)
{
    if (r->user.role != CH_ROLE_OFFICER || strcmp(c->kind, "complaint") != 0)
        return false;
    bool named = false;
    ch_error err = {0};
    if (ch_store_cases_staff_named(r->desk->store, &c->id, 1, &named, &err)) {
        fprintf(stderr, "charter serve: case %lld: %s\n", (long long)c->id, err.msg);
        return true;
    }
    return ch_complaint_managers_only(CH_KIND_COMPLAINT, named ? 1 : 0);
}

int ch_http_complaints_unhidden(ch_req *r, ch_case_row *rows, size_t *n, ch_error *err)
{
    if (r->user.role != CH_ROLE_OFFICER || !*n)
        return CH_OK;
    int64_t *ids = ch_arena_alloc(&r->arena, *n * sizeof(*ids));
    bool *named = ch_arena_alloc(&r->arena, *n * sizeof(*named));
    if (!ids || !named)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++)
        ids[i] = rows[i].id;
    int rc = ch_store_cases_staff_named(r->desk->store, ids, *n, named, err);
    if (rc)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++)
        if (!named[i])
            rows[kept++] = rows[i];
    *n = kept;
    return CH_OK;
}

/* Where a complaint stands: the stages it has been through (at least the
 * first, open since the case arrived when none is stored), the current
 * one's index in the policy and whether it is closed. */
typedef struct standing {
    ch_stage_row *rows;
    size_t n;
    size_t current; /* index into the policy's stages */
    bool closed;
    ch_time started;
} standing;

/* The policy's index of a stored stage: by its id, else by its place. */
static size_t stage_index(const ch_policy *pol, const ch_stage_row *row)
{
    for (size_t k = 0; row->stage && k < pol->nstages; k++)
        if (strcmp(pol->stages[k].id, row->stage) == 0)
            return k;
    return (size_t)row->seq;
}

static int standing_of(ch_req *r, const ch_case_row *c, const ch_policy *pol, standing *out,
                       ch_error *err)
{
    memset(out, 0, sizeof(*out));
    out->started = c->received_at;
    int rc = ch_store_stages(r->desk->store, c->id, &r->arena, &out->rows, &out->n, err);
    if (rc || !out->n)
        return rc;
    const ch_stage_row *last = &out->rows[out->n - 1];
    out->current = stage_index(pol, last);
    out->closed = last->closed_at != 0;
    out->started = last->started_at;
    return CH_OK;
}

int ch_http_complaint_facts(ch_req *r, const ch_case_row *c, ch_contact *out, ch_error *err)
{
    ch_desk_service ds;
    standing st;
    ch_error gone = {0};
    if (out->kind != CH_KIND_COMPLAINT || ch_desk_service_find(r->desk, c->service, &ds, &gone))
        return CH_OK; /* not a complaint, or the service is gone: the first stage */
    int rc = standing_of(r, c, ds.policy, &st, err);
    if (rc || !st.n || st.current == 0)
        return rc;
    out->stage = st.current;
    out->stage_started = st.started;
    return CH_OK;
}

/* The complaint view: its procedure, the stages so far, the staff named. */
static json_t *complaint_json(ch_req *r, const ch_case_row *c, ch_error *err)
{
    ch_desk_service ds;
    standing st = {0};
    ch_staff_named *staff = NULL;
    size_t nstaff = 0;
    bool complaint = strcmp(c->kind, "complaint") == 0;
    const ch_policy *pol = NULL;
    ch_error gone = {0}; /* a service no longer loaded shows no procedure */
    if (ch_desk_service_find(r->desk, c->service, &ds, &gone) == CH_OK)
        pol = ds.policy;
    if ((complaint && pol && standing_of(r, c, pol, &st, err)) ||
        ch_store_case_staff(r->desk->store, c->id, &r->arena, &staff, &nstaff, err))
        return NULL;
    json_t *procedure = json_array(), *stages = json_array(), *named = json_array();
    size_t count = pol ? ch_complaint_stage_count(pol) : 0;
    for (size_t k = 0; complaint && pol && k < count; k++)
        json_array_append_new(procedure,
                              json_pack("{s:s, s:s, s:s}", "id", ch_complaint_stage_id(pol, k),
                                        "name", ch_complaint_stage_name(pol, k), "escalation",
                                        ch_complaint_stage_escalation(pol, k)));
    if (complaint && pol) {
        ch_stage_row first = {
            .case_id = c->id, .stage = ch_complaint_stage_id(pol, 0), .started_at = c->received_at};
        size_t n = st.n ? st.n : 1;
        for (size_t i = 0; i < n; i++) {
            const ch_stage_row *s = st.n ? &st.rows[i] : &first;
            const char *name = ch_complaint_stage_name(pol, stage_index(pol, s));
            json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:b}", "seq", (json_int_t)s->seq, "id",
                                  s->stage, "name", name ? name : s->stage, "started_at",
                                  ch_json_time(s->started_at), "closed_at",
                                  ch_json_time(s->closed_at), "current", i + 1 == n);
            json_object_set_new(o, "outcome", s->outcome ? json_string(s->outcome) : json_null());
            json_object_set_new(o, "lessons", s->lessons ? json_string(s->lessons) : json_null());
            json_object_set_new(o, "findings",
                                s->findings ? json_string(s->findings) : json_null());
            json_object_set_new(o, "letter_id",
                                s->letter_id ? json_integer(s->letter_id) : json_null());
            json_array_append_new(stages, o);
        }
    }
    for (size_t i = 0; i < nstaff; i++)
        json_array_append_new(named,
                              json_pack("{s:I, s:s, s:s?, s:o}", "id", (json_int_t)staff[i].user_id,
                                        "name", staff[i].name, "email", staff[i].email, "named_at",
                                        ch_json_time(staff[i].named_at)));
    json_t *next = json_null();
    if (complaint && pol && st.current + 1 < count)
        next = json_pack("{s:s, s:s}", "id", ch_complaint_stage_id(pol, st.current + 1), "name",
                         ch_complaint_stage_name(pol, st.current + 1));
    return json_pack(
        "{s:I, s:s, s:b, s:o, s:o, s:o, s:o, s:b, s:b, s:[sss]}", "case_id", (json_int_t)c->id,
        "kind", c->kind, "single_stage", complaint && pol && !pol->nstages, "procedure", procedure,
        "stages", stages, "next_stage", next, "staff", named, "managers_only",
        ch_complaint_managers_only(complaint ? CH_KIND_COMPLAINT : CH_KIND_ENQUIRY, nstaff),
        "current_closed", st.closed, "outcomes", "upheld", "partly-upheld", "not-upheld");
}

static enum MHD_Result answer_view(ch_req *r, int64_t id, int64_t version)
{
    ch_error err = {0};
    ch_case_row c;
    if (ch_store_case_get(r->desk->store, id, &r->arena, &c, &err))
        return ch_http_error(r, &err);
    json_t *view = complaint_json(r, &c, &err);
    if (!view)
        return ch_http_error(r, &err);
    return ch_http_json(r, 200, view, ch_req_etag(r, version ? version : c.version));
}

enum MHD_Result ch_http_complaint_get(ch_req *r, int64_t id)
{
    enum MHD_Result res;
    ch_case_row c;
    ch_error err = {0};
    if (!ch_req_case(r, id, &c, &res))
        return res;
    if (ch_desk_audit(r, "read", "case", id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        return ch_http_error(r, &err);
    }
    return answer_view(r, id, c.version);
}

/* The case's closed pauses, for counting a new stage's clock. */
static ch_pause *closed_pauses(ch_req *r, const ch_case_row *c, size_t *n)
{
    ch_pause *out = ch_arena_alloc(&r->arena, (c->npauses + 1) * sizeof(*out));
    *n = 0;
    for (size_t i = 0; out && i < c->npauses; i++)
        if (c->pauses[i].to)
            out[(*n)++] = (ch_pause){c->pauses[i].from, c->pauses[i].to};
    return out;
}

/* The letter's date in words, in the service's zone. */
static void letter_date(const ch_policy *pol, const ch_service *svc, ch_time now, char *buf,
                        size_t size)
{
    ch_date d;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(ch_policy_service_calendar(pol, svc)), now, &d, &secs);
    ch_date_format_long(d, buf, size);
}

/* What a stage request asks, read from its body. */
typedef struct stage_ask {
    ch_finding finding;
    const char *outcome, *lessons, *findings;
    bool escalate;
    const char *began; /* when the complainant asked for the next stage, as sent */
    ch_time began_at;  /* that instant, or now */
} stage_ask;

static void read_ask(problems *p, json_t *body, stage_ask *a)
{
    memset(a, 0, sizeof(*a));
    a->outcome = ch_req_text(p, body, "outcome", 32, false);
    if (a->outcome && ch_finding_parse(a->outcome, &a->finding))
        ch_req_bad(p, "outcome", "outcome must be upheld, partly-upheld or not-upheld.");
    a->lessons = ch_req_text(p, body, "lessons", TEXT_MAX, false);
    a->findings = ch_req_text(p, body, "findings", TEXT_MAX, false);
    ch_req_bool(p, body, "escalate", &a->escalate);
    a->began = ch_req_text(p, body, "began_at", 40, false);
}

/* The obligations the closing letter keeps: every acknowledgement, reply
 * and resolution still open (the letter is the stage's answer). */
static size_t letter_meets(const ch_case_row *c, ch_obligation_row *changed, ch_time now)
{
    const unsigned meets = (1u << CH_OBLIGATION_ACKNOWLEDGE) | (1u << CH_OBLIGATION_RESPOND) |
                           (1u << CH_OBLIGATION_RESOLVE);
    size_t n = 0;
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        ch_obligation_kind k;
        ch_ostate s;
        if (o->service || ch_obligation_kind_parse(o->kind, &k) || ch_ostate_parse(o->state, &s) ||
            !ch_contact_meets(true, false, meets, k, s))
            continue;
        changed[n] = *o;
        changed[n].state = "met";
        changed[n].met_at = now;
        changed[n++].met_by_contact = CH_CONTACT_NEW;
    }
    return n;
}

/* The soonest due time still to keep once changed and added apply. */
static ch_time soonest_after(const ch_case_row *c, const ch_obligation_row *changed,
                             size_t nchanged, const ch_obligation_row *added, size_t nadded)
{
    ch_time best = 0;
    for (size_t i = 0; i < c->nobligations + nadded; i++) {
        const ch_obligation_row *o =
            i < c->nobligations ? &c->obligations[i] : &added[i - c->nobligations];
        for (size_t k = 0; i < c->nobligations && k < nchanged; k++)
            if (changed[k].id == o->id)
                o = &changed[k];
        if ((strcmp(o->state, "pending") == 0 || strcmp(o->state, "breached") == 0) &&
            (!best || o->due_at < best))
            best = o->due_at;
    }
    return best;
}

/* The new stage's obligations as rows (room for CH_POLICY_MAX_PROMISES). */
static int next_stage_rows(ch_req *r, const ch_desk_service *ds, const ch_case_row *c, size_t next,
                           ch_time began, ch_obligation_row *rows, size_t *nrows, ch_error *err)
{
    ch_contact facts = {0};
    ch_obligation ob[CH_POLICY_MAX_PROMISES];
    size_t n = 0;
    if (ch_channel_parse(c->channel, &facts.channel))
        return ch_error_set(err, CH_E_INVALID, "case %lld has an unknown channel",
                            (long long)c->id);
    facts.kind = CH_KIND_COMPLAINT;
    facts.flags = (const char *const *)c->flags;
    facts.nflags = c->nflags;
    facts.received = c->received_at;
    facts.pauses = closed_pauses(r, c, &facts.npauses);
    facts.stage = next;
    facts.stage_started = began;
    if (!facts.pauses)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    int rc = ch_complaint_stage_obligations(ds->policy, ds->service, &facts, ob,
                                            CH_POLICY_MAX_PROMISES, &n, err);
    bool paused = strcmp(c->status, "paused") == 0;
    for (size_t i = 0; !rc && i < n; i++)
        rows[i] = ch_obligation_row_for(ob[i].promise, ob[i].due,
                                        ch_ostate_at(paused, ob[i].due, r->now));
    *nrows = rc ? 0 : n;
    return rc;
}

/* Builds and stores one step of a complaint: the letter closing the
 * current stage and the stage after it, as the step says. */
static int stage_commit(ch_req *r, const ch_desk_service *ds, const ch_case_row *c,
                        const standing *st, const ch_stage_step *step, const stage_ask *a,
                        int64_t *version, ch_error *err)
{
    const ch_policy *pol = ds->policy;
    size_t cur = st->current, n = c->nobligations + 1;
    const char *cur_id = ch_complaint_stage_id(pol, cur),
               *cur_name = ch_complaint_stage_name(pol, cur);
    /* The stage left ends when the next was asked for, if that is earlier
     * than it was (or is now) recorded as closed: stages never overlap. */
    ch_time close_at = step->open_next && a->began_at < r->now ? a->began_at : r->now;
    ch_obligation_row *changed = ch_arena_alloc(&r->arena, n * sizeof(*changed));
    ch_obligation_row *added = ch_arena_alloc(&r->arena, CH_POLICY_MAX_PROMISES * sizeof(*added));
    char *text = ch_arena_alloc(&r->arena, LETTER_MAX);
    char detail[600], date[64], title[300], filename[96];
    char *pdf = NULL;
    size_t pdf_len = 0, nchanged = 0, nadded = 0;
    int rc = CH_OK;
    if (!changed || !added || !text)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    ch_case_update u = {.case_id = c->id, .expect = c->version, .status = c->status, .now = r->now};
    ch_contact_row letter = {0};
    ch_attachment file = {0};
    ch_stage_row close = {0}, open = {0}, back = {0};
    ch_stage_change m = {.update = &u};
    int dl = snprintf(detail, sizeof(detail), "%s", "");
    if (step->close) {
        ch_complaint_letter(pol, cur, c->id, c->subject, c->requester_name, a->finding, a->findings,
                            r->user.name, text, LETTER_MAX);
        letter_date(pol, ds->service, r->now, date, sizeof(date));
        snprintf(title, sizeof(title), "%s: our answer to your complaint", cur_name);
        if ((rc = ch_notice_pdf(pol->organisation, date, title, text, &pdf, &pdf_len, err)))
            goto out;
        letter = (ch_contact_row){.direction = "outbound",
                                  .channel = "letter",
                                  .who = c->requester_name,
                                  .summary = text,
                                  .at = r->now,
                                  .created_by = r->user.id,
                                  .with_person_id = c->person_id};
        u.contact = &letter;
        nchanged = letter_meets(c, changed, r->now);
        snprintf(filename, sizeof(filename), "case-%lld-%s-letter.pdf", (long long)c->id, cur_id);
        file = (ch_attachment){.case_id = c->id,
                               .filename = filename,
                               .content_type = "application/pdf",
                               .size = (int64_t)pdf_len,
                               .data = (const unsigned char *)pdf,
                               .uploaded_by = r->user.id,
                               .uploaded_at = r->now};
        m.letter = &file;
        close = (ch_stage_row){.case_id = c->id,
                               .seq = st->n ? st->rows[st->n - 1].seq : 0,
                               .stage = cur_id,
                               .started_at = st->started,
                               .closed_at = close_at,
                               .outcome = a->outcome,
                               .lessons = a->lessons,
                               .findings = a->findings && *a->findings ? a->findings : NULL,
                               .closed_by = r->user.id};
        m.close = &close;
        dl = snprintf(detail, sizeof(detail), "%s closed: %s; closing letter sent", cur_name,
                      ch_finding_words(a->finding));
    } else if (step->open_next && st->n && st->rows[st->n - 1].closed_at > a->began_at) {
        back = st->rows[st->n - 1];
        back.closed_at = a->began_at;
        m.backdate = &back;
    }
    if (step->open_next) {
        if ((rc = next_stage_rows(r, ds, c, cur + 1, a->began_at, added, &nadded, err)))
            goto out;
        open = (ch_stage_row){.case_id = c->id,
                              .seq = (st->n ? st->rows[st->n - 1].seq : 0) + 1,
                              .stage = ch_complaint_stage_id(pol, cur + 1),
                              .started_at = a->began_at};
        m.open = &open;
        if (dl >= 0 && (size_t)dl < sizeof(detail))
            dl += snprintf(detail + dl, sizeof(detail) - (size_t)dl, "%s%s began",
                           step->close ? "; " : "", ch_complaint_stage_name(pol, cur + 1));
        if ((m.backdate || close_at < r->now) && dl >= 0 && (size_t)dl < sizeof(detail)) {
            char when[40];
            ch_time_format_utc(a->began_at, when, sizeof(when));
            snprintf(detail + dl, sizeof(detail) - (size_t)dl,
                     "; %s is recorded as closed at %s, when the next stage was asked for",
                     cur_name, when);
        }
    }
    ch_event_row event = {0, r->now, r->user.id, "stage", detail};
    u.event = &event;
    u.changed = changed;
    u.nchanged = nchanged;
    u.added = added;
    u.nadded = nadded;
    u.next_due_at =
        strcmp(c->status, "paused") == 0 ? 0 : soonest_after(c, changed, nchanged, added, nadded);
    rc = ch_store_stage_change(r->desk->store, &m, version, err);
out:
    free(pdf);
    return rc;
}

enum MHD_Result ch_http_complaint_stage(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"outcome", NULL},  {"lessons", NULL},  {"findings", NULL},
                                      {"escalate", NULL}, {"began_at", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    problems p = {0};
    ch_error err = {0};
    ch_case_row c;
    ch_desk_service ds;
    standing st;
    stage_ask a;
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect, version = 0;
    if (!ch_req_case_version(r, false, &expect, &res) || !ch_req_case(r, id, &c, &res))
        goto out;
    if (strcmp(c.kind, "complaint") != 0) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "Case %lld is a %s; only complaints have stages. Change its kind to complaint "
                 "first if it is one.",
                 (long long)id, c.kind);
        res = ch_http_problem(r, 409, "Not a complaint", detail, NULL);
        goto out;
    }
    if (ch_desk_service_find(r->desk, c.service, &ds, &err) ||
        standing_of(r, &c, ds.policy, &st, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    read_ask(&p, body, &a);
    size_t count = ch_complaint_stage_count(ds.policy);
    if (!st.closed && strcmp(c.status, "closed") != 0 && st.current < count) {
        const char *name =
            ch_complaint_stage_name(ds.policy, st.current); /* open: it closes first */
        if (!a.outcome)
            ch_req_bad(&p, "outcome",
                       "To close %s, choose its outcome: upheld, partly upheld or not upheld.",
                       name);
        if (!a.lessons || !*a.lessons)
            ch_req_bad(&p, "lessons",
                       "To close %s, say what the service has learned (or \"None\").", name);
    }
    if (st.closed && !a.outcome && st.current < count &&
        (a.lessons || a.findings)) { /* nothing closes: they would be lost */
        if (a.lessons)
            ch_req_bad(&p, "lessons", "lessons are kept when a stage closes; %s is closed already.",
                       ch_complaint_stage_name(ds.policy, st.current));
        if (a.findings)
            ch_req_bad(&p, "findings",
                       "findings go on the letter closing a stage; %s is closed already.",
                       ch_complaint_stage_name(ds.policy, st.current));
    }
    /* The next stage begins when the complainant asked for it, which may be
     * before it is logged, but not before this stage began nor in future. */
    a.began_at = r->now;
    if (a.began) {
        const ch_tz *tz = ch_calendar_tz(ch_policy_service_calendar(ds.policy, ds.service));
        ch_error terr = {0};
        if (!a.escalate)
            ch_req_bad(&p, "began_at",
                       "began_at goes with escalate: true (when the next stage "
                       "was asked for).");
        else if (ch_time_parse(a.began, tz, &a.began_at, &terr))
            ch_req_bad(&p, "began_at", "began_at: %s", terr.msg);
        else if (a.began_at > r->now || a.began_at < st.started)
            ch_req_bad(&p, "began_at",
                       "began_at must be a time from when the current stage began up to now.");
    }
    if (p.fields) {
        res = ch_http_problem(r, 400, "Some fields need attention", p.detail, p.fields);
        goto out;
    }
    ch_stage_step step;
    if (ch_complaint_step(ds.policy, st.current, st.closed, a.finding != CH_FINDING_NONE,
                          a.escalate, strcmp(c.status, "closed") == 0, &step, &err)) {
        if (err.code == CH_E_INVALID)
            res = ch_http_problem(r, 400, "The stage cannot change like that", err.msg,
                                  json_pack("[s]", a.finding ? "escalate" : "outcome"));
        else
            res = ch_http_problem(r, 409, "The stage cannot change now", err.msg, NULL);
        goto out;
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(r, stage_commit(r, &ds, &c, &st, &step, &a, &version, &err), &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    res = answer_view(r, id, version);
out:
    json_decref(body);
    return res;
}

/* Tells user_id something of kind about case_id (0: no case to link, as
 * for one they may no longer open); failures are logged and never undo the
 * naming. */
static void notify(ch_req *r, int64_t case_id, int64_t user_id, const char *kind, const char *text)
{
    ch_notification n = {
        .user_id = user_id, .case_id = case_id, .kind = kind, .text = text, .created_at = r->now};
    ch_error err = {0};
    if (ch_store_notification_insert(r->desk->store, &n, NULL, &err))
        fprintf(stderr, "charter serve: notification for user %lld: %s\n", (long long)user_id,
                err.msg);
}

static bool shares_service(const ch_user *a, const ch_user *b)
{
    for (size_t i = 0; i < a->nservices; i++)
        for (size_t k = 0; k < b->nservices; k++)
            if (strcmp(a->services[i], b->services[k]) == 0)
                return true;
    return false;
}

/* A compliment is passed on: each member of staff newly praised, and each
 * manager of theirs (one who shares a service with them), is told once. */
static void pass_on(ch_req *r, const ch_case_row *c, const ch_user *praised, size_t n)
{
    ch_user *all = NULL;
    size_t nall = 0;
    ch_error err = {0};
    char text[700];
    if (ch_store_user_list(r->desk->store, &r->arena, &all, &nall, &err)) {
        fprintf(stderr, "charter serve: compliment on case %lld: %s\n", (long long)c->id, err.msg);
        return;
    }
    bool *told = ch_arena_alloc(&r->arena, (nall + 1) * sizeof(*told));
    for (size_t i = 0; told && i < nall; i++)
        told[i] = all[i].id == r->user.id; /* the one naming them knows */
    for (size_t i = 0; told && i < n; i++) {
        snprintf(text, sizeof(text), "A compliment on case #%lld praises you: \"%.300s\".",
                 (long long)c->id, c->subject ? c->subject : "");
        for (size_t k = 0; k < nall; k++)
            if (all[k].id == praised[i].id && !told[k]) {
                notify(r, c->id, praised[i].id, "compliment", text);
                told[k] = true;
            }
        snprintf(text, sizeof(text), "A compliment on case #%lld praises %.200s: \"%.300s\".",
                 (long long)c->id, praised[i].name, c->subject ? c->subject : "");
        for (size_t k = 0; k < nall; k++) {
            if (told[k] || all[k].inactive || all[k].role != CH_ROLE_MANAGER ||
                all[k].id == praised[i].id || !shares_service(&all[k], &praised[i]))
                continue;
            notify(r, c->id, all[k].id, "compliment", text);
            told[k] = true;
        }
    }
}

enum MHD_Result ch_http_case_staff_set(ch_req *r, int64_t id)
{
    static const ch_req_key keys[] = {{"staff", NULL}, {NULL, NULL}};
    enum MHD_Result res;
    ch_error err = {0};
    ch_case_row c;
    ch_staff_named *before = NULL;
    size_t nbefore = 0, n = 0;
    int64_t ids[MAX_NAMED];
    ch_user users[MAX_NAMED], fresh[MAX_NAMED];
    size_t nfresh = 0;
    char detail[900];
    json_t *body = ch_req_body(r, keys, &res);
    if (!body)
        return res;
    int64_t expect, version = 0;
    if (!ch_req_case_version(r, false, &expect, &res) || !ch_req_case(r, id, &c, &res))
        goto out;
    if (strcmp(c.kind, "complaint") != 0 && strcmp(c.kind, "compliment") != 0) {
        snprintf(detail, sizeof(detail),
                 "Case %lld is a %s; only a complaint or a compliment names members of staff.",
                 (long long)id, c.kind);
        res = ch_http_problem(r, 409, "Not a complaint or compliment", detail, NULL);
        goto out;
    }
    json_t *list = json_object_get(body, "staff"), *v;
    size_t i;
    if (!json_is_array(list) || json_array_size(list) > MAX_NAMED) {
        snprintf(detail, sizeof(detail),
                 "staff must be a list of up to %d staff ids (an empty list names nobody).",
                 MAX_NAMED);
        res = ch_http_problem(r, 400, "Some fields need attention", detail,
                              json_pack("[s]", "staff"));
        goto out;
    }
    json_array_foreach(list, i, v)
    {
        json_int_t uid = json_is_integer(v) ? json_integer_value(v) : 0;
        bool again = false;
        for (size_t k = 0; k < n; k++)
            again = again || ids[k] == uid;
        if (uid <= 0 || again ||
            ch_store_user_by_id(r->desk->store, uid, &r->arena, &users[n], &err) ||
            users[n].inactive) {
            if (err.code && err.code != CH_E_NOTFOUND) {
                res = ch_http_error(r, &err);
                goto out;
            }
            snprintf(detail, sizeof(detail),
                     "staff[%zu] must be the id of an active member of staff, named once; see "
                     "GET /api/v1/users or the colleagues list.",
                     i);
            res = ch_http_problem(r, 400, "Some fields need attention", detail,
                                  json_pack("[s]", "staff"));
            goto out;
        }
        ids[n++] = uid;
    }
    if (ch_store_case_staff(r->desk->store, id, &r->arena, &before, &nbefore, &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    int dl = snprintf(detail, sizeof(detail), "%s", n ? "Names " : "Names no member of staff");
    for (size_t k = 0; k < n; k++) {
        bool known = false;
        for (size_t b = 0; b < nbefore; b++)
            known = known || before[b].user_id == ids[k];
        if (!known)
            fresh[nfresh++] = users[k];
        if (dl >= 0 && (size_t)dl < sizeof(detail))
            dl += snprintf(detail + dl, sizeof(detail) - (size_t)dl, "%s%.120s", k ? ", " : "",
                           users[k].name);
    }
    if (!ch_req_case_current(r, id, c.version, expect, &res))
        goto out;
    ch_case_update u = {.case_id = id,
                        .expect = c.version,
                        .status = c.status,
                        .next_due_at = c.next_due_at,
                        .now = r->now};
    /* A complaint about staff goes to managers: an officer working it hands
     * it back, so no officer is left holding a case they cannot open. */
    ch_user holder;
    if (strcmp(c.kind, "complaint") == 0 && n && c.officer_id &&
        ch_store_user_by_id(r->desk->store, c.officer_id, &r->arena, &holder, &err) == CH_OK &&
        holder.role == CH_ROLE_OFFICER) {
        u.set_officer = true;
        u.officer_id = 0;
        if (dl >= 0 && (size_t)dl < sizeof(detail))
            snprintf(detail + dl, sizeof(detail) - (size_t)dl,
                     "; unassigned from %.120s, as a complaint about staff is for managers",
                     holder.name);
    }
    ch_error_clear(&err);
    ch_event_row event = {0, r->now, r->user.id, "staff", detail};
    u.event = &event;
    ch_desk_audit_attach(r, "update", "case", &id);
    if (ch_desk_audit_finish(
            r, ch_store_case_staff_set(r->desk->store, &u, ids, n, r->user.id, &version, &err),
            &err)) {
        res = ch_http_error(r, &err);
        goto out;
    }
    if (strcmp(c.kind, "compliment") == 0)
        pass_on(r, &c, fresh, nfresh);
    if (u.set_officer) {
        /* Their earlier "assigned to you" now leads to a 404: say why. */
        char text[200];
        snprintf(text, sizeof(text),
                 "Case #%lld was taken off you: it is now a complaint about staff, which only "
                 "managers may see. Nothing more is needed from you.",
                 (long long)id);
        notify(r, 0, holder.id, "unassigned", text);
    }
    res = answer_view(r, id, version);
out:
    json_decref(body);
    return res;
}

/* One count of the report: cases of a kind on a service, at a stage with an
 * outcome, or praising a member of staff. */
typedef struct tally {
    const char *service, *kind, *stage, *outcome, *staff;
    int64_t staff_id, count;
    int64_t seq; /* the stage's place, for the order */
} tally;

static tally *tally_of(ch_req *r, tally **t, size_t *n, size_t *cap, const tally *key)
{
    for (size_t i = 0; i < *n; i++) {
        tally *x = &(*t)[i];
        if (strcmp(x->service, key->service) == 0 && strcmp(x->kind, key->kind) == 0 &&
            strcmp(x->stage, key->stage) == 0 && strcmp(x->outcome, key->outcome) == 0 &&
            x->staff_id == key->staff_id)
            return x;
    }
    if (!(*t = ch_arena_room(&r->arena, *t, *n, cap, sizeof(**t))))
        return NULL;
    (*t)[*n] = *key;
    (*t)[*n].count = 0;
    return &(*t)[(*n)++];
}

/* Report order: by service and kind, the cases received first, then the
 * stages in their order, then the staff by name. */
static int tally_cmp(const void *a, const void *b)
{
    const tally *x = a, *y = b;
    int c = strcmp(x->service, y->service);
    if (!c)
        c = strcmp(x->kind, y->kind);
    if (!c)
        c = (x->staff_id != 0) - (y->staff_id != 0);
    if (!c)
        c = (x->seq > y->seq) - (x->seq < y->seq);
    if (!c)
        c = strcmp(x->stage, y->stage);
    if (!c)
        c = strcmp(x->outcome, y->outcome);
    if (!c)
        c = strcmp(x->staff, y->staff);
    return c ? c : (x->staff_id > y->staff_id) - (x->staff_id < y->staff_id);
}

/* What a report row counts, so each says what it is: the cases received,
 * the complaints that reached a stage (by outcome), or the staff praised. */
static const char *row_of(const tally *t)
{
    return t->staff_id ? "praised" : *t->stage ? "stage" : "received";
}

/* A stage's outcome in words, as the desk shows it. */
static const char *outcome_words(const char *outcome)
{
    ch_finding f;
    if (ch_finding_parse(outcome, &f) == CH_OK)
        return ch_finding_words(f);
    return strcmp(outcome, "open") == 0 ? "still open" : "closed, no outcome recorded";
}

/* The stage as the service's charter names it now, or NULL. */
static const char *stage_name_of(ch_req *r, const char *service, const char *stage)
{
    ch_desk_service ds;
    ch_error gone = {0};
    if (!*stage || ch_desk_service_find(r->desk, service, &ds, &gone))
        return NULL;
    for (size_t k = 0; k < ch_complaint_stage_count(ds.policy); k++)
        if (strcmp(ch_complaint_stage_id(ds.policy, k), stage) == 0)
            return ch_complaint_stage_name(ds.policy, k);
    return NULL;
}

/* A date query argument (YYYY-MM-DD) as the instant its day starts, UTC. */
static bool query_day(ch_req *r, const char *name, ch_time *out)
{
    const char *s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    ch_date d;
    ch_error err;
    if (!s)
        return true;
    if (strlen(s) != 10 || ch_date_parse(s, 10, &d, &err))
        return false;
    *out = (ch_time)d * CH_DAY_SECS;
    return true;
}

static void csv_text(ch_jw *w, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        ch_jw_raw(w, s, strlen(s));
        return;
    }
    ch_jw_raw(w, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ch_jw_raw(w, "\"", 1);
        ch_jw_raw(w, p, 1);
    }
    ch_jw_raw(w, "\"", 1);
}

enum MHD_Result ch_http_complaints_report(ch_req *r)
{
    ch_error err = {0};
    ch_time to = (r->now / CH_DAY_SECS + 1) * CH_DAY_SECS, from = 0;
    const char *format = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "format");
    bool csv = format && strcmp(format, "csv") == 0;
    if (r->user.role == CH_ROLE_OFFICER)
        return ch_http_problem(r, 403, "Managers only",
                               "The complaints and compliments report is for managers; ask a "
                               "manager of your service.",
                               NULL);
    bool have_to = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "to") != NULL;
    if (!query_day(r, "to", &to) || !query_day(r, "from", &from) ||
        (format && !csv && strcmp(format, "json") != 0))
        return ch_http_problem(r, 400, "The report cannot be made like that",
                               "from and to are days as YYYY-MM-DD (to included, from not after "
                               "it); format is json or csv.",
                               json_pack("[sss]", "from", "to", "format"));
    if (have_to)
        to += CH_DAY_SECS; /* the last day named is included */
    if (!MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "from"))
        from = to - 365 * (ch_time)CH_DAY_SECS;
    if (from >= to)
        return ch_http_problem(r, 400, "The report cannot be made like that",
                               "from must not be after to.", json_pack("[ss]", "from", "to"));
    ch_complaint_line *lines = NULL;
    size_t nlines = 0, ntally = 0, cap = 0;
    tally *t = NULL;
    if (ch_store_complaint_lines(r->desk->store, from, to, &r->arena, &lines, &nlines, &err))
        return ch_http_error(r, &err);
    int64_t last_case = 0, complaints = 0, compliments = 0;
    for (size_t i = 0; i < nlines; i++) {
        const ch_complaint_line *l = &lines[i];
        if (!ch_desk_can_see(r, l->service))
            continue;
        bool complaint = strcmp(l->kind, "complaint") == 0;
        tally key = {
            .service = l->service, .kind = l->kind, .stage = "", .outcome = "", .staff = ""};
        if (l->case_id != last_case) { /* a case's lines come together */
            last_case = l->case_id;
            if (complaint)
                complaints++;
            else
                compliments++;
            tally *x = tally_of(r, &t, &ntally, &cap, &key);
            if (!x)
                return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
            x->count++;
        }
        if (l->staff_id && complaint)
            continue; /* who a complaint is about is not reported */
        if (l->staff_id) {
            key.staff_id = l->staff_id;
            key.staff = l->staff_name ? l->staff_name : "";
        } else if (complaint) {
            ch_desk_service ds;
            ch_error gone = {0}; /* a service no longer loaded: its first stage unnamed */
            const char *first = ch_desk_service_find(r->desk, l->service, &ds, &gone) == CH_OK
                                    ? ch_complaint_stage_id(ds.policy, 0)
                                    : CH_COMPLAINT_ONE_STAGE;
            key.stage = l->stage ? l->stage : first;
            key.seq = l->stage ? l->seq : 0;
            /* A stage without an outcome on a closed case was closed without
             * one: it is not open any more. */
            key.outcome = l->outcome                                      ? l->outcome
                          : l->status && strcmp(l->status, "closed") == 0 ? "closed-no-outcome"
                                                                          : "open";
        } else {
            continue;
        }
        tally *x = tally_of(r, &t, &ntally, &cap, &key);
        if (!x)
            return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        x->count++;
    }
    if (ntally > 1)
        qsort(t, ntally, sizeof(*t), tally_cmp);
    char f[24], e[24];
    ch_time_format_utc(from, f, sizeof(f));
    ch_time_format_utc(to, e, sizeof(e));
    if (csv) {
        ch_jw out;
        ch_jw_init(&out);
        static const char head[] = "row,service,kind,stage,outcome,staff,count\r\n";
        ch_jw_raw(&out, head, sizeof(head) - 1);
        for (size_t i = 0; i < ntally; i++) {
            char num[32];
            csv_text(&out, row_of(&t[i]));
            ch_jw_raw(&out, ",", 1);
            csv_text(&out, t[i].service);
            ch_jw_raw(&out, ",", 1);
            csv_text(&out, t[i].kind);
            ch_jw_raw(&out, ",", 1);
            csv_text(&out, t[i].stage);
            ch_jw_raw(&out, ",", 1);
            csv_text(&out, t[i].outcome);
            ch_jw_raw(&out, ",", 1);
            csv_text(&out, t[i].staff);
            int k = snprintf(num, sizeof(num), ",%lld\r\n", (long long)t[i].count);
            ch_jw_raw(&out, num, (size_t)k);
        }
        size_t len;
        char *text = ch_jw_take(&out, &len);
        if (!text)
            return ch_http_error(r, (ch_error_set(&err, CH_E_NOMEM, "out of memory"), &err));
        enum MHD_Result res = ch_http_bytes(r, 200, "text/csv; charset=utf-8", text, len);
        free(text);
        return res;
    }
    json_t *rows = json_array();
    for (size_t i = 0; i < ntally; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "row", row_of(&t[i]), "service", t[i].service,
                              "kind", t[i].kind, "count", (json_int_t)t[i].count);
        json_object_set_new(o, "stage", *t[i].stage ? json_string(t[i].stage) : json_null());
        const char *stage_name = stage_name_of(r, t[i].service, t[i].stage);
        json_object_set_new(o, "stage_name", stage_name ? json_string(stage_name) : json_null());
        json_object_set_new(o, "outcome", *t[i].outcome ? json_string(t[i].outcome) : json_null());
        json_object_set_new(o, "outcome_words",
                            *t[i].outcome ? json_string(outcome_words(t[i].outcome)) : json_null());
        json_object_set_new(o, "staff_id",
                            t[i].staff_id ? json_integer(t[i].staff_id) : json_null());
        json_object_set_new(o, "staff", *t[i].staff ? json_string(t[i].staff) : json_null());
        json_array_append_new(rows, o);
    }
    return ch_http_json(r, 200,
                        json_pack("{s:s, s:s, s:I, s:I, s:o}", "from", f, "to", e, "complaints",
                                  (json_int_t)complaints, "compliments", (json_int_t)compliments,
                                  "rows", rows),
                        NULL);
}
