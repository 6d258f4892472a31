/* A person's needs as JSON and back, their alerts, and attached files as
 * listed (see person_json.h). The sentences come from core/person.c. */
#include "http/person_json.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ch_req_key ch_http_needs_keys[] = {
    {"preferred_channel", NULL}, {"avoid_channels", NULL}, {"format", NULL},
    {"language", NULL},          {"interpreter", NULL},    {"bsl", NULL},
    {"avoid_times", NULL},       {"note", NULL},           {NULL, NULL}};

static const char channels_sentence[] =
    "must be phone, voicemail, email, letter, web, in-person or social";

/* A one-line string member of needs no longer than max, or NULL. */
static const char *needs_text(problems *p, json_t *needs, const char *key, size_t max,
                              bool one_line)
{
    json_t *v = json_object_get(needs, key);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    size_t len = s ? strlen(s) : 0;
    if (!s || len == 0 || len > max || (one_line && !ch_req_one_line(s))) {
        ch_req_bad(p, key, "needs.%s must be text of 1 to %zu characters%s.", key, max,
                   one_line ? " on one line" : "");
        return NULL;
    }
    return s;
}

static void needs_bool(problems *p, json_t *needs, const char *key, bool *out)
{
    json_t *v = json_object_get(needs, key);
    if (!v)
        return;
    if (!json_is_boolean(v))
        ch_req_bad(p, key, "needs.%s must be true or false.", key);
    else
        *out = json_is_true(v);
}

void ch_http_needs_parse(ch_req *r, problems *p, json_t *needs, ch_person_needs *out,
                         const char **text)
{
    memset(out, 0, sizeof(*out));
    *text = NULL;
    if (!json_is_object(needs)) {
        ch_req_bad(p, "needs",
                   "needs must be an object such as {\"preferred_channel\": \"email\"}.");
        return;
    }
    problems mine = {0};
    json_t *pref = json_object_get(needs, "preferred_channel");
    if (pref) {
        ch_channel c;
        if (!json_is_string(pref) || ch_channel_parse(json_string_value(pref), &c))
            ch_req_bad(&mine, "preferred_channel", "needs.preferred_channel %s.",
                       channels_sentence);
        else
            out->set_preferred = true, out->preferred = c;
    }
    json_t *avoid = json_object_get(needs, "avoid_channels");
    if (avoid && !json_is_array(avoid))
        ch_req_bad(&mine, "avoid_channels",
                   "needs.avoid_channels must be a list such as [\"phone\"].");
    for (size_t i = 0; avoid && json_is_array(avoid) && i < json_array_size(avoid); i++) {
        ch_channel c;
        const char *s = json_string_value(json_array_get(avoid, i));
        if (!s || ch_channel_parse(s, &c)) {
            ch_req_bad(&mine, "avoid_channels", "each of needs.avoid_channels %s.",
                       channels_sentence);
            break;
        }
        if (out->set_preferred && c == out->preferred) {
            ch_req_bad(&mine, "avoid_channels",
                       "needs.avoid_channels holds %s, the preferred channel; a channel cannot be "
                       "both.",
                       s);
            break;
        }
        out->avoid |= 1u << c;
    }
    out->format = needs_text(&mine, needs, "format", 16, true);
    if (out->format && !ch_person_format_known(out->format)) {
        ch_req_bad(&mine, "format",
                   "needs.format must be large-print, easy-read, braille or audio.");
        out->format = NULL;
    }
    out->language = needs_text(&mine, needs, "language", 60, true);
    needs_bool(&mine, needs, "interpreter", &out->interpreter);
    needs_bool(&mine, needs, "bsl", &out->bsl);
    out->avoid_times = needs_text(&mine, needs, "avoid_times", 200, true);
    out->note = needs_text(&mine, needs, "note", 500, false);
    /* Faults are named needs.<member>, as the strict reader names them. */
    for (size_t i = 0; mine.fields && i < json_array_size(mine.fields); i++) {
        char name[64];
        snprintf(name, sizeof(name), "needs.%s", json_string_value(json_array_get(mine.fields, i)));
        if (!p->fields)
            p->fields = json_array();
        json_array_append_new(p->fields, json_string(name));
    }
    if (mine.fields) {
        size_t used = strlen(p->detail);
        snprintf(p->detail + used, sizeof(p->detail) - used, "%s%s", used ? " " : "", mine.detail);
        json_decref(mine.fields);
        return;
    }
    if (json_object_size(needs) == 0)
        return;
    char *dump = json_dumps(needs, JSON_COMPACT | JSON_SORT_KEYS);
    *text = dump ? ch_arena_strdup(&r->arena, dump) : NULL;
    free(dump);
}

void ch_http_needs_read(const char *text, ch_arena *arena, ch_person_needs *out)
{
    memset(out, 0, sizeof(*out));
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!j)
        return;
    ch_channel c;
    const char *pref = json_string_value(json_object_get(j, "preferred_channel"));
    if (pref && ch_channel_parse(pref, &c) == CH_OK)
        out->set_preferred = true, out->preferred = c;
    json_t *avoid = json_object_get(j, "avoid_channels");
    for (size_t i = 0; i < json_array_size(avoid); i++) {
        const char *s = json_string_value(json_array_get(avoid, i));
        if (s && ch_channel_parse(s, &c) == CH_OK)
            out->avoid |= 1u << c;
    }
    const char *s;
    if ((s = json_string_value(json_object_get(j, "format"))))
        out->format = ch_arena_strdup(arena, s);
    if ((s = json_string_value(json_object_get(j, "language"))))
        out->language = ch_arena_strdup(arena, s);
    if ((s = json_string_value(json_object_get(j, "avoid_times"))))
        out->avoid_times = ch_arena_strdup(arena, s);
    if ((s = json_string_value(json_object_get(j, "note"))))
        out->note = ch_arena_strdup(arena, s);
    out->interpreter = json_is_true(json_object_get(j, "interpreter"));
    out->bsl = json_is_true(json_object_get(j, "bsl"));
    json_decref(j);
}

void ch_jw_needs(ch_jw *w, const char *text, ch_arena *arena)
{
    ch_person_needs needs;
    ch_person_alerts alerts;
    ch_http_needs_read(text, arena, &needs);
    ch_person_alerts_make(&needs, &alerts);
    /* Written again through jansson, so the answer is JSON whatever the
     * column holds. */
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    char *dump = json_is_object(j) ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    ch_jw_key(w, "needs");
    ch_jw_number(w, dump ? dump : "{}");
    free(dump);
    json_decref(j);
    ch_jw_key(w, "alerts");
    ch_jw_arr(w);
    for (size_t i = 0; i < alerts.n; i++)
        ch_jw_str(w, alerts.text[i]);
    ch_jw_arr_end(w);
}

int ch_jw_attachments(ch_jw *w, ch_req *r, int64_t person_id, int64_t case_id, ch_error *err)
{
    ch_attachment *files = NULL;
    size_t n = 0;
    int rc =
        ch_store_attachment_list(r->desk->store, person_id, case_id, &r->arena, &files, &n, err);
    if (rc)
        return rc;
    ch_jw_key(w, "attachments");
    ch_jw_arr(w);
    for (size_t i = 0; i < n; i++) {
        const ch_attachment *f = &files[i];
        ch_jw_obj(w);
        ch_jw_key(w, "id");
        ch_jw_int(w, f->id);
        ch_jw_key(w, "filename");
        ch_jw_str(w, f->filename);
        ch_jw_key(w, "content_type");
        ch_jw_str(w, f->content_type);
        ch_jw_key(w, "size");
        ch_jw_int(w, f->size);
        ch_jw_key(w, "contact_id");
        ch_jw_id(w, f->contact_id);
        ch_jw_key(w, "uploaded_by");
        ch_jw_id(w, f->uploaded_by);
        ch_jw_key(w, "uploaded_by_name");
        ch_jw_str(w, f->uploader);
        ch_jw_key(w, "uploaded_at");
        ch_jw_time(w, f->uploaded_at);
        ch_jw_key(w, "href");
        char href[64];
        snprintf(href, sizeof(href), "/api/v1/attachments/%lld", (long long)f->id);
        ch_jw_str(w, href);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    return CH_OK;
}

bool ch_http_channel_check(ch_req *r, const ch_case_row *c, ch_channel channel, const char *reason,
                           enum MHD_Result *res)
{
    ch_error err = {0};
    ch_person person = {0};
    ch_person_needs needs;
    if (!c->person_id)
        return true;
    if (ch_store_person_get(r->desk->store, c->person_id, &r->arena, &person, &err)) {
        *res = ch_http_error(r, &err);
        return false;
    }
    ch_http_needs_read(person.needs, &r->arena, &needs);
    if (!ch_person_channel_avoided(&needs, channel))
        return true;
    bool stated = ch_text_said(reason);
    if (ch_desk_audit(r, stated ? "channel-override" : "channel-refused", "case", c->id)) {
        ch_error_set(&err, CH_E_STORE, CH_DESK_AUDIT_FAILED);
        *res = ch_http_error(r, &err);
        return false;
    }
    if (stated)
        return true;
    char detail[600];
    ch_person_channel_advice(&needs, channel, detail, sizeof(detail));
    *res = ch_http_problem_typed(r, 409, "/problems/channel-avoided",
                                 "The person asked us not to use this channel", detail,
                                 json_pack("[s]", "channel_reason"));
    return false;
}
