/* The subject access export's JSON and zip (jansson, libzip). Every name
 * and free text passes through core/sar.h's decisions on its way in, so
 * the JSON, the PDF made from it and the zip all show the same thing. */
#include "export/sar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/civil.h"
#include "core/sar.h"
#include "core/timefmt.h"

/* What the document is built with: the bundle, the names to scrub and
 * each member of staff's label. */
typedef struct sar_ctx {
    const ch_sar_bundle *b;
    ch_arena *arena;
    ch_sar_name *names;
    size_t nnames, cap;
    ch_sar_scrubber scrubber; /* the names, prepared once gathered */
    bool nomem;
} sar_ctx;

static json_t *when(ch_time t)
{
    if (!t)
        return json_null();
    char buf[40];
    ch_time_format_utc(t, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *scrub(sar_ctx *x, const char *s)
{
    const char *out = ch_sar_scrub(x->arena, s, &x->scrubber);
    if (s && !out)
        x->nomem = true;
    return out;
}

static json_t *text(sar_ctx *x, const char *s)
{
    return str(scrub(x, s));
}

static const char *staff(sar_ctx *x, int64_t user_id)
{
    for (size_t i = 0; i < x->b->nstaff; i++) {
        const ch_user *u = &x->b->staff[i];
        if (u->id != user_id)
            continue;
        /* Only the services this copy covers: the rest of a colleague's
         * work is no part of the person's records. */
        const char *within[16];
        size_t n = 0;
        for (size_t k = 0; k < u->nservices && n < 16; k++) {
            bool covered = !x->b->services;
            for (size_t j = 0; !covered && j < x->b->nservices; j++)
                covered = strcmp(u->services[k], x->b->services[j]) == 0;
            if (covered)
                within[n++] = u->services[k];
        }
        char buf[300];
        ch_sar_staff_label(u->id, ch_role_name(u->role), within, n, buf, sizeof(buf));
        return ch_arena_strdup(x->arena, buf);
    }
    return user_id ? "a member of staff" : "the desk (automatic)";
}

static void name_add(sar_ctx *x, const char *name, const char *label)
{
    if (!name || strlen(name) < 3 || (x->b->person.name && strcmp(name, x->b->person.name) == 0))
        return;
    if (!(x->names = ch_arena_room(x->arena, x->names, x->nnames, &x->cap, sizeof(*x->names)))) {
        x->nomem = true;
        return;
    }
    x->names[x->nnames++] = (ch_sar_name){name, label};
}

/* Who is taken out of free text: every member of staff (by role) and
 * every other person the records name. */
static void names_gather(sar_ctx *x)
{
    const ch_sar_bundle *b = x->b;
    int64_t me = b->person.id;
    for (size_t i = 0; i < b->nstaff; i++)
        name_add(x, b->staff[i].name, staff(x, b->staff[i].id));
    for (size_t i = 0; i < b->nrelationships; i++) {
        const ch_relationship *r = &b->relationships[i];
        if (r->person_id != me)
            name_add(x, r->person_name, CH_SAR_WITHHELD);
        if (r->other_id && r->other_id != me)
            name_add(x, r->other_name, CH_SAR_WITHHELD);
    }
    for (size_t i = 0; i < b->nconsents; i++) {
        const ch_consent *c = &b->consents[i];
        if (c->grantor_id != me)
            name_add(x, c->grantor_name, CH_SAR_WITHHELD);
        if (c->grantee_id != me)
            name_add(x, c->grantee_name, CH_SAR_WITHHELD);
    }
    for (size_t i = 0; i < b->ncases; i++)
        for (size_t k = 0; k < b->cases[i].ncontacts; k++) {
            const ch_contact_row *c = &b->cases[i].contacts[k];
            if (ch_sar_contact_withheld(c->with_person_id, me))
                name_add(x, c->who, CH_SAR_WITHHELD);
        }
    /* Staff emails, and everyone else on record: an officer's note may name
     * a person the subject has no recorded link with. */
    for (size_t i = 0; i < b->nstaff; i++)
        if (b->staff[i].email)
            name_add(x, b->staff[i].email, staff(x, b->staff[i].id));
    for (size_t i = 0; i < b->nothers; i++) {
        if (ch_sar_other_scrubbed(b->others[i].name, b->person.name))
            name_add(x, b->others[i].name, CH_SAR_WITHHELD);
        const char *email = b->others[i].email;
        if (email && !(b->person.email && strcasecmp(email, b->person.email) == 0) &&
            ch_sar_other_scrubbed(email, NULL))
            name_add(x, email, CH_SAR_WITHHELD);
    }
    if (ch_sar_scrubber_init(&x->scrubber, x->arena, x->names, x->nnames))
        x->nomem = true;
}

static json_t *person_json(sar_ctx *x)
{
    const ch_person *p = &x->b->person;
    json_t *needs = p->needs ? json_loads(p->needs, 0, NULL) : NULL;
    return json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)p->id, "name", str(p->name),
        "email", str(p->email), "phone", str(p->phone), "date_of_birth", str(p->date_of_birth),
        "organisation", str(x->b->organisation.id ? x->b->organisation.name : NULL),
        "communication_needs", needs ? needs : json_null(), "recorded_at", when(p->created_at));
}

static json_t *relationships_json(sar_ctx *x)
{
    json_t *a = json_array();
    int64_t me = x->b->person.id;
    for (size_t i = 0; i < x->b->nrelationships; i++) {
        const ch_relationship *r = &x->b->relationships[i];
        bool mine = r->person_id == me;
        json_array_append_new(
            a,
            json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "kind", r->kind, "person",
                      str(ch_sar_party(r->person_id, me, r->person_name)), "other",
                      str(r->other_id ? ch_sar_party(r->other_id, me, r->other_name) : NULL),
                      "organisation", str(r->organisation_name), "note",
                      /* A note on another's record about them is theirs. */
                      mine ? text(x, r->note) : json_null(), "recorded_at", when(r->created_at)));
    }
    return a;
}

static json_t *date_json(ch_date d, bool set)
{
    if (!set)
        return json_null();
    char buf[16];
    ch_date_format(d, buf, sizeof(buf));
    return json_string(buf);
}

static json_t *consents_json(sar_ctx *x)
{
    json_t *a = json_array();
    int64_t me = x->b->person.id;
    for (size_t i = 0; i < x->b->nconsents; i++) {
        const ch_consent *c = &x->b->consents[i];
        json_array_append_new(
            a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "given_by",
                         str(ch_sar_party(c->grantor_id, me, c->grantor_name)), "given_to",
                         str(ch_sar_party(c->grantee_id, me, c->grantee_name)), "case_id",
                         c->case_id ? json_integer(c->case_id) : json_null(), "evidence",
                         text(x, c->evidence), "given_on", date_json(c->given_on, true),
                         "expires_on", date_json(c->expires_on, c->expires), "withdrawn_at",
                         when(c->withdrawn_at), "withdrawn_reason", text(x, c->withdrawn_reason)));
    }
    return a;
}

static json_t *case_json(sar_ctx *x, const ch_case_row *c)
{
    int64_t me = x->b->person.id;
    json_t *obl = json_array(), *con = json_array(), *ev = json_array();
    for (size_t i = 0; i < c->nobligations; i++) {
        const ch_obligation_row *o = &c->obligations[i];
        json_array_append_new(obl, json_pack("{s:s, s:o, s:o, s:s, s:o}", "promise", o->promise,
                                             "text", str(o->text), "due_at", when(o->due_at),
                                             "state", o->state, "met_at", when(o->met_at)));
    }
    for (size_t i = 0; i < c->ncontacts; i++) {
        const ch_contact_row *k = &c->contacts[i];
        bool withheld = ch_sar_contact_withheld(k->with_person_id, me);
        json_array_append_new(
            con, json_pack("{s:I, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:b}", "id", (json_int_t)k->id,
                           "at", when(k->at), "direction", k->direction, "channel", k->channel,
                           "who", withheld ? json_string(CH_SAR_WITHHELD) : text(x, k->who),
                           "summary", withheld ? json_null() : text(x, k->summary), "outcome",
                           withheld ? json_null() : text(x, k->outcome), "recorded_by",
                           staff(x, k->created_by), "withheld", withheld));
    }
    for (size_t i = 0; i < c->nevents; i++) {
        const ch_event_row *e = &c->events[i];
        json_array_append_new(ev,
                              json_pack("{s:o, s:s, s:o, s:s}", "at", when(e->at), "what", e->what,
                                        "detail", text(x, e->detail), "by", staff(x, e->actor)));
    }
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)c->id, "service", c->service, "kind", c->kind, "channel",
                     c->channel, "subject", text(x, c->subject), "status", c->status, "received_at",
                     when(c->received_at), "requester_name", str(c->requester_name),
                     "requester_email", str(c->requester_email), "handled_by",
                     c->officer_id ? json_string(staff(x, c->officer_id)) : json_null(), "promises",
                     obl, "contacts", con, "timeline", ev, "organisation", str(c->organisation));
}

/* The file's name inside the zip: its id first, so two files of one name
 * stay apart, and nothing that could climb out of attachments/. */
static const char *zip_name(ch_arena *arena, const ch_attachment *f)
{
    char buf[300];
    int n = snprintf(buf, sizeof(buf), "attachments/%lld-", (long long)f->id);
    size_t used = n > 0 ? (size_t)n : 0;
    for (const char *p = f->filename; p && *p && used + 1 < sizeof(buf); p++)
        buf[used++] = (*p == '/' || *p == '\\' || (unsigned char)*p < ' ') ? '_' : *p;
    buf[used] = '\0';
    return ch_arena_strdup(arena, buf);
}

static json_t *files_json(sar_ctx *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->b->nfiles; i++) {
        const ch_attachment *f = &x->b->files[i];
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:o, s:s, s:I, s:o, s:o, s:s}", "id", (json_int_t)f->id,
                         "file", zip_name(x->arena, f), "filename", text(x, f->filename),
                         "content_type", f->content_type, "size", (json_int_t)f->size, "case_id",
                         f->case_id ? json_integer(f->case_id) : json_null(), "uploaded_at",
                         when(f->uploaded_at), "uploaded_by", staff(x, f->uploaded_by)));
    }
    return a;
}

static json_t *ids_staff(sar_ctx *x, const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(staff(x, ids[i])));
    return a;
}

static json_t *strings(const char *const *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

static json_t *incidents_json(sar_ctx *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->b->nincidents; i++) {
        const ch_incident *n = &x->b->incidents[i];
        json_array_append_new(
            a, json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:b, s:s}", "at", when(n->at),
                         "case_id", n->case_id ? json_integer(n->case_id) : json_null(), "channel",
                         n->channel, "kind", n->kind, "what", text(x, n->what), "staff_affected",
                         ids_staff(x, n->staff, n->nstaff), "actions",
                         strings(n->actions, n->nactions), "health_and_safety",
                         n->health_and_safety, "recorded_by", staff(x, n->created_by)));
    }
    return a;
}

static json_t *restrictions_json(sar_ctx *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->b->nrestrictions; i++) {
        const ch_restriction *r = &x->b->restrictions[i];
        char review[16] = "";
        if (r->review_on)
            ch_date_format(r->review_on, review, sizeof(review));
        /* The point of contact stays named: the written notice the person
         * was sent already named them, and they need to know whom to
         * write to. */
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "status", r->status,
                         "channels", strings(r->channels, r->nchannels), "point_of_contact",
                         str(r->point_of_contact_name), "refuse_service", r->refuse_service,
                         "reason", text(x, r->reason), "review_on",
                         review[0] ? json_string(review) : json_null(), "notice_sent_at",
                         when(r->notice_sent_at), "ended_at", when(r->ended_at), "end_reason",
                         text(x, r->end_reason), "recorded_at", when(r->created_at)));
    }
    return a;
}

static json_t *access_json(sar_ctx *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->b->naudit; i++) {
        const ch_audit_row *r = &x->b->audit[i];
        /* Staff's addresses are theirs, not the subject's: left out. */
        json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:I, s:s}", "at", when(r->at), "action",
                                           r->action, "record", r->object, "record_id",
                                           (json_int_t)r->object_id, "by", staff(x, r->user_id)));
    }
    return a;
}

/* Which records the copy holds, in words: a released copy is the
 * organisation's answer (each organisation on a shared desk is its own
 * controller), a preview what the manager's services hold. */
static json_t *coverage(const ch_sar_bundle *b, int64_t case_id, const ch_sar_zone *zone)
{
    char buf[600];
    const char *org = zone && zone->organisation ? zone->organisation : "the organisation";
    if (!b->services)
        snprintf(buf, sizeof(buf),
                 "This preview holds the records of every service on this desk. A copy released "
                 "on a subject access request holds only the records of the organisation asked.");
    else if (case_id)
        snprintf(buf, sizeof(buf),
                 "This copy holds the records of %s, to which the request was made: the services "
                 "listed under \"services\". Other organisations using the same system keep "
                 "their own records; ask each of them for a copy of theirs.",
                 org);
    else
        snprintf(buf, sizeof(buf),
                 "This preview holds the records of the services listed under \"services\", the "
                 "ones its maker works in. A copy released on a subject access request holds the "
                 "records of the organisation asked.");
    return json_string(buf);
}

static json_t *services_json(const ch_sar_bundle *b)
{
    if (!b->services)
        return json_null();
    json_t *a = json_array();
    for (size_t i = 0; i < b->nservices; i++)
        json_array_append_new(a, json_string(b->services[i]));
    return a;
}

json_t *ch_sar_document(const ch_sar_bundle *b, int64_t case_id, ch_time now,
                        const ch_sar_zone *zone, ch_arena *arena)
{
    sar_ctx x = {.b = b, .arena = arena};
    names_gather(&x);
    json_t *cases = json_array();
    for (size_t i = 0; i < b->ncases; i++)
        json_array_append_new(cases, case_json(&x, &b->cases[i]));
    json_t *redactions = json_pack(
        "[s, s, s, s]",
        "Members of staff are named by their role and service, not by name, except the point of "
        "contact a restriction's written notice already named.",
        "Other people's names and email addresses, wherever they appear, are shown "
        "as " CH_SAR_WITHHELD
        "; what was said with or by another person on a shared case is withheld, though the "
        "contact's date, direction and channel are listed.",
        "Staff's network addresses are left out of the access log.",
        "Earlier copies of this export are not included again.");
    json_t *doc = json_pack(
        "{s:{s:o, s:o, s:s, s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "about",
        "made_at", when(now), "request_case", case_id ? json_integer(case_id) : json_null(), "what",
        "A copy of the personal data held about you (UK GDPR Article 15).", "organisation",
        zone && zone->organisation ? json_string(zone->organisation) : json_null(), "covers",
        coverage(b, case_id, zone), "services", services_json(b), "redactions", redactions,
        "person", person_json(&x), "relationships", relationships_json(&x), "consents",
        consents_json(&x), "cases", cases, "attachments", files_json(&x), "incidents",
        incidents_json(&x), "restrictions", restrictions_json(&x), "access_log", access_json(&x));
    if (x.nomem) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static int zip_fail(zip_error_t *ze, ch_error *err)
{
    return ch_error_set(err, CH_E_IO, "the export's zip could not be made: %s",
                        zip_error_strerror(ze));
}

/* Adds len bytes at data (borrowed until the zip is closed) as name. */
static bool zip_put(zip_t *z, const char *name, const void *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 0);
    if (!src)
        return false;
    if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(src);
        return false;
    }
    return true;
}

int ch_sar_zip(const ch_sar_bundle *b, int64_t case_id, ch_time now, const ch_sar_zone *zone,
               ch_arena *arena, char **out, size_t *len, ch_error *err)
{
    int rc = CH_OK;
    char *json = NULL, *pdf = NULL;
    size_t npdf = 0;
    zip_t *z = NULL;
    zip_source_t *mem = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    *out = NULL;
    *len = 0;
    json_t *doc = ch_sar_document(b, case_id, now, zone, arena);
    if (!doc || !(json = json_dumps(doc, JSON_INDENT(2)))) {
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = ch_sar_pdf(doc, zone, &pdf, &npdf, err)))
        goto out;
    /* The zip is made in memory: a source buffer kept after closing. */
    if (!(mem = zip_source_buffer_create(NULL, 0, 0, &ze))) {
        rc = zip_fail(&ze, err);
        goto out;
    }
    zip_source_keep(mem);
    if (!(z = zip_open_from_source(mem, ZIP_TRUNCATE, &ze))) {
        zip_source_free(mem); /* the reference the archive would have taken */
        rc = zip_fail(&ze, err);
        goto out;
    }
    bool put = zip_put(z, "subject-access.json", json, strlen(json)) &&
               zip_put(z, "subject-access.pdf", pdf, npdf);
    json_t *files = json_object_get(doc, "attachments");
    for (size_t i = 0; put && i < b->nfiles; i++)
        put = zip_put(z, json_string_value(json_object_get(json_array_get(files, i), "file")),
                      b->files[i].data, (size_t)b->files[i].size);
    if (!put) {
        rc = ch_error_set(err, CH_E_IO, "the export's zip could not be made: %s", zip_strerror(z));
        zip_discard(z);
        z = NULL;
        goto out;
    }
    if (zip_close(z) < 0) {
        rc = ch_error_set(err, CH_E_IO, "the export's zip could not be made: %s", zip_strerror(z));
        zip_discard(z);
        z = NULL;
        goto out;
    }
    z = NULL;
    zip_stat_t st;
    if (zip_source_stat(mem, &st) < 0 || zip_source_open(mem) < 0) {
        rc = ch_error_set(err, CH_E_IO, "the export's zip could not be read back");
        goto out;
    }
    *out = malloc(st.size ? st.size : 1);
    if (!*out) {
        zip_source_close(mem);
        rc = ch_error_set(err, CH_E_NOMEM, "out of memory");
        goto out;
    }
    zip_int64_t got = zip_source_read(mem, *out, st.size);
    zip_source_close(mem);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(*out);
        *out = NULL;
        rc = ch_error_set(err, CH_E_IO, "the export's zip could not be read back");
        goto out;
    }
    *len = (size_t)st.size;
out:
    if (z)
        zip_discard(z);
    if (mem)
        zip_source_free(mem);
    zip_error_fini(&ze);
    free(pdf);
    free(json);
    json_decref(doc);
    return rc;
}
