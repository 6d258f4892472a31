/* Cases as JSON, the shape every endpoint returns; see json_case.h. */
#include "http/json_case.h"
#include "http/person_json.h"

#include <stdlib.h>
#include <string.h>

/* The case's members, into the object the caller opened and closes. */
static void case_members(ch_jw *w, const ch_case_row *c, bool full, const int64_t *left,
                         const bool *internal)
{
    ch_jw_key(w, "id");
    ch_jw_int(w, c->id);
    ch_jw_key(w, "service");
    ch_jw_str(w, c->service);
    ch_jw_key(w, "kind");
    ch_jw_str(w, c->kind);
    ch_jw_key(w, "channel");
    ch_jw_str(w, c->channel);
    ch_jw_key(w, "received_at");
    ch_jw_time(w, c->received_at);
    ch_jw_key(w, "deemed_received_at");
    ch_jw_time(w, c->deemed_at);
    ch_jw_key(w, "subject");
    ch_jw_str(w, c->subject);
    ch_jw_key(w, "requester");
    ch_jw_obj(w);
    ch_jw_key(w, "name");
    ch_jw_str(w, c->requester_name);
    ch_jw_key(w, "email");
    ch_jw_str(w, c->requester_email);
    ch_jw_obj_end(w);
    ch_jw_key(w, "organisation");
    ch_jw_str(w, c->organisation);
    ch_jw_key(w, "person_id");
    ch_jw_id(w, c->person_id);
    ch_jw_key(w, "organisation_id");
    ch_jw_id(w, c->organisation_id);
    ch_jw_key(w, "officer_id");
    ch_jw_id(w, c->officer_id);
    ch_jw_key(w, "flags");
    ch_jw_arr(w);
    for (size_t i = 0; i < c->nflags; i++)
        ch_jw_str(w, c->flags[i]);
    ch_jw_arr_end(w);
    ch_jw_key(w, "status");
    ch_jw_str(w, c->status);
    ch_jw_key(w, "version");
    ch_jw_int(w, c->version);
    ch_jw_key(w, "next_due_at");
    ch_jw_time(w, c->next_due_at);
    ch_jw_key(w, "created_at");
    ch_jw_time(w, c->created_at);
    ch_jw_key(w, "updated_at");
    ch_jw_time(w, c->updated_at);
    if (!full)
        return;
    ch_jw_key(w, "obligations");
    ch_jw_arr(w);
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *b = &c->obligations[i];
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, b->id);
        ch_jw_key(w, "promise");
        ch_jw_str(w, b->promise);
        ch_jw_key(w, "kind");
        ch_jw_str(w, b->kind);
        ch_jw_key(w, "due_at");
        ch_jw_time(w, b->due_at);
        ch_jw_key(w, "state");
        ch_jw_str(w, b->state);
        ch_jw_key(w, "met_at");
        ch_jw_time(w, b->met_at);
        ch_jw_key(w, "met_by_contact");
        ch_jw_id(w, b->met_by_contact);
        ch_jw_key(w, "reason");
        ch_jw_str(w, b->reason);
        ch_jw_key(w, "text");
        ch_jw_str(w, b->text);
        if (internal && internal[i]) { /* present only on internal targets */
            ch_jw_key(w, "internal");
            ch_jw_bool(w, true);
        }
        if (b->service) { /* another service's promise, left behind by a move */
            ch_jw_key(w, "service");
            ch_jw_str(w, b->service);
        }
        if (left && left[i] != CH_NO_DAYS) {
            ch_jw_key(w, "working_days_left");
            ch_jw_int(w, left[i]);
        }
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    ch_jw_key(w, "contacts");
    ch_jw_arr(w);
    for (size_t i = 0; i < c->ncontacts; i++) {
        const ch_contact_row *k = &c->contacts[i];
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, k->id);
        ch_jw_key(w, "direction");
        ch_jw_str(w, k->direction);
        ch_jw_key(w, "channel");
        ch_jw_str(w, k->channel);
        ch_jw_key(w, "at");
        ch_jw_time(w, k->at);
        ch_jw_key(w, "who");
        ch_jw_str(w, k->who);
        ch_jw_key(w, "summary");
        ch_jw_str(w, k->summary);
        ch_jw_key(w, "outcome");
        ch_jw_str(w, k->outcome);
        ch_jw_key(w, "handed_to");
        ch_jw_id(w, k->handed_to);
        ch_jw_key(w, "logged_by");
        ch_jw_id(w, k->created_by);
        ch_jw_key(w, "with_person_id");
        ch_jw_id(w, k->with_person_id);
        if (k->channel_reason) { /* present only where the person's wishes were overridden */
            ch_jw_key(w, "channel_reason");
            ch_jw_str(w, k->channel_reason);
        }
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    ch_jw_key(w, "events");
    ch_jw_arr(w);
    for (size_t i = 0; i < c->nevents; i++) {
        const ch_event_row *e = &c->events[i];
        ch_jw_obj(w);
        ch_jw_key(w, "at");
        ch_jw_time(w, e->at);
        ch_jw_key(w, "actor");
        ch_jw_id(w, e->actor);
        ch_jw_key(w, "what");
        ch_jw_str(w, e->what);
        ch_jw_key(w, "detail");
        ch_jw_str(w, e->detail);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
}

void ch_jw_case(ch_jw *w, const ch_case_row *c, bool full, const int64_t *left,
                const bool *internal)
{
    ch_jw_obj(w);
    case_members(w, c, full, left, internal);
    ch_jw_obj_end(w);
}

void ch_jw_cases(ch_jw *w, const ch_case_row *rows, size_t n)
{
    ch_jw_key(w, "cases");
    ch_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        ch_jw_case(w, &rows[i], false, NULL, NULL);
    ch_jw_arr_end(w);
}

enum MHD_Result ch_http_jw(ch_req *r, unsigned status, ch_jw *w, const char *etag)
{
    size_t len;
    char *text = ch_jw_take(w, &len);
    if (!text)
        return ch_http_problem(r, 500, "Something went wrong on our side",
                               "The desk ran out of memory writing the answer; try again.", NULL);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (etag)
        MHD_add_response_header(resp, "ETag", etag);
    enum MHD_Result ok = ch_http_respond(r, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Working days from today to each open obligation's due day, on the
 * case's service calendar: what an officer reads as "2 working days left". */
static int64_t *days_left(ch_req *r, const ch_case_row *c)
{
    ch_desk_service ds;
    ch_error err;
    size_t today, due;
    int64_t *left = ch_arena_alloc(&r->arena, (c->nobligations + 1) * sizeof(*left));
    if (!left || ch_desk_service_find(r->desk, c->service, &ds, &err))
        return NULL;
    const ch_calendar *cal = ch_policy_service_calendar(ds.policy, ds.service);
    bool have_today = ch_calendar_day_at(cal, r->now, true, &today, &err) == CH_OK;
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        left[i] = CH_NO_DAYS;
        if (!have_today || o->service || strcmp(o->state, "met") == 0 ||
            strcmp(o->state, "withdrawn") == 0 ||
            ch_calendar_day_at(cal, o->due_at, true, &due, &err))
            continue;
        left[i] = (int64_t)due - (int64_t)today;
    }
    return left;
}

/* Which obligations are internal targets, by their promise in the case's
 * policy; one the policy no longer holds (or another service's, before the
 * case moved) counts as public. */
static bool *internal_targets(ch_req *r, const ch_case_row *c)
{
    ch_desk_service ds;
    ch_error err;
    bool *out = ch_arena_alloc(&r->arena, (c->nobligations + 1) * sizeof(*out));
    if (!out || ch_desk_service_find(r->desk, c->service, &ds, &err))
        return NULL;
    for (size_t i = 0; i < c->nobligations; i++) {
        out[i] = false;
        for (size_t k = 0; k < ds.policy->npromises && !out[i]; k++)
            out[i] = ds.policy->promises[k].internal && !c->obligations[i].service &&
                     strcmp(ds.policy->promises[k].id, c->obligations[i].promise) == 0;
    }
    return out;
}

enum MHD_Result ch_http_case(ch_req *r, unsigned status, const ch_case_row *c, const char *etag)
{
    ch_error err = {0};
    ch_person person = {0};
    /* The person's needs travel with every case of theirs, so no one
     * phones a person who asked not to be phoned. */
    if (c->person_id && ch_store_person_get(r->desk->store, c->person_id, &r->arena, &person, &err))
        return ch_http_error(r, &err);
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    case_members(&w, c, true, days_left(r, c), internal_targets(r, c));
    ch_jw_needs(&w, person.needs, &r->arena);
    if (ch_jw_attachments(&w, r, 0, c->id, &err)) {
        ch_jw_free(&w);
        return ch_http_error(r, &err);
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, status, &w, etag);
}

enum MHD_Result ch_http_case_with(ch_req *r, unsigned status, const ch_case_row *c,
                                  const char *etag, json_t *extra)
{
    if (!extra)
        return ch_http_case(r, status, c, etag);
    ch_jw w;
    size_t len;
    ch_jw_init(&w);
    ch_jw_case(&w, c, true, days_left(r, c), internal_targets(r, c));
    char *text = ch_jw_take(&w, &len);
    json_t *body = text ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    if (!body) {
        json_decref(extra);
        ch_error err;
        ch_error_set(&err, CH_E_NOMEM, "out of memory writing the case");
        return ch_http_error(r, &err);
    }
    json_object_update(body, extra);
    json_decref(extra);
    return ch_http_json(r, status, body, etag);
}
