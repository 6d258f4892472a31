/* Cases as JSON, the shape every endpoint returns. */
#include "http/json_case.h"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *ch_json_case(const ch_case_row *c, bool full)
{
    json_t *o = json_object(), *flags = json_array();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "service", json_string(c->service));
    json_object_set_new(o, "kind", json_string(c->kind));
    json_object_set_new(o, "channel", json_string(c->channel));
    json_object_set_new(o, "received_at", ch_json_time(c->received_at));
    json_object_set_new(o, "deemed_received_at", ch_json_time(c->deemed_at));
    json_object_set_new(o, "subject", json_string(c->subject));
    json_object_set_new(o, "requester",
                        json_pack("{s:o, s:o}", "name", str_or_null(c->requester_name), "email",
                                  str_or_null(c->requester_email)));
    json_object_set_new(o, "organisation", str_or_null(c->organisation));
    json_object_set_new(o, "person_id", c->person_id ? json_integer(c->person_id) : json_null());
    json_object_set_new(o, "organisation_id",
                        c->organisation_id ? json_integer(c->organisation_id) : json_null());
    json_object_set_new(o, "officer_id", c->officer_id ? json_integer(c->officer_id) : json_null());
    for (size_t i = 0; i < c->nflags; i++)
        json_array_append_new(flags, json_string(c->flags[i]));
    json_object_set_new(o, "flags", flags);
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "version", json_integer(c->version));
    json_object_set_new(o, "next_due_at", ch_json_time(c->next_due_at));
    json_object_set_new(o, "created_at", ch_json_time(c->created_at));
    json_object_set_new(o, "updated_at", ch_json_time(c->updated_at));
    if (!full)
        return o;
    json_t *obs = json_array(), *contacts = json_array(), *events = json_array();
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *b = &c->obligations[i];
        json_array_append_new(obs,
                              json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:s}", "id",
                                        (json_int_t)b->id, "promise", b->promise, "kind", b->kind,
                                        "due_at", ch_json_time(b->due_at), "state", b->state,
                                        "met_at", ch_json_time(b->met_at), "text", b->text));
    }
    for (size_t i = 0; i < c->ncontacts; i++) {
        const ch_contact_row *k = &c->contacts[i];
        json_array_append_new(
            contacts, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)k->id,
                                "direction", k->direction, "channel", k->channel, "at",
                                ch_json_time(k->at), "who", str_or_null(k->who), "summary",
                                str_or_null(k->summary), "outcome", str_or_null(k->outcome)));
    }
    for (size_t i = 0; i < c->nevents; i++) {
        const ch_event_row *e = &c->events[i];
        json_array_append_new(events,
                              json_pack("{s:o, s:o, s:s, s:o}", "at", ch_json_time(e->at), "actor",
                                        e->actor ? json_integer(e->actor) : json_null(), "what",
                                        e->what, "detail", str_or_null(e->detail)));
    }
    json_object_set_new(o, "obligations", obs);
    json_object_set_new(o, "contacts", contacts);
    json_object_set_new(o, "events", events);
    return o;
}
