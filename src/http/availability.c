/* Staff availability on the desk: working patterns and absences read from
 * requests and the store, checked (a real time range, from before to, a
 * colleague who exists and shares a service), shown on a user's JSON with
 * the out-of-office sentence and signature, and the warning given when
 * work is assigned to someone away. core/availability.c decides. */
#include "http/availability.h"

#include "core/calendar.h"
#include "core/policy.h"
#include "http/json_case.h"

#include <stdio.h>
#include <string.h>

enum { COVER_TEXT_MAX = 300, NOTE_MAX = 300 };

static const char *const day_keys[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Reads a pattern (an object, or null for none) into out; faults into p. */
static bool pattern_read(problems *p, json_t *j, ch_work_pattern *out)
{
    static const char *const keys[] = {"days", "start", "end", "term_time_only"};
    ch_error err = {0};
    *out = (ch_work_pattern){0};
    if (json_is_null(j))
        return true;
    if (!json_is_object(j)) {
        ch_req_bad(p, "working_pattern",
                   "working_pattern must be an object such as {\"days\": [\"mon\", \"tue\"], "
                   "\"start\": \"09:00\", \"end\": \"15:00\", \"term_time_only\": true}, or null.");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
            known = known || strcmp(key, keys[i]) == 0;
        if (!known) {
            ch_req_bad(p, "working_pattern",
                       "working_pattern takes days, start, end and term_time_only, not %.40s.",
                       key);
            return false;
        }
    }
    json_t *days = json_object_get(j, "days");
    if (!json_is_array(days) || json_array_size(days) == 0 || json_array_size(days) > 7) {
        ch_req_bad(p, "working_pattern",
                   "working_pattern.days must list the days worked: mon, tue, wed, thu, fri, "
                   "sat, sun.");
        return false;
    }
    for (size_t i = 0; i < json_array_size(days); i++) {
        const char *d = json_string_value(json_array_get(days, i));
        int found = -1;
        for (int k = 0; d && k < 7; k++)
            if (strcmp(d, day_keys[k]) == 0)
                found = k;
        if (found < 0 || (out->days >> found) & 1u) {
            ch_req_bad(p, "working_pattern",
                       "working_pattern.days must list each day once, as mon, tue, wed, thu, "
                       "fri, sat or sun.");
            return false;
        }
        out->days |= 1u << found;
    }
    json_t *js = json_object_get(j, "start"), *je = json_object_get(j, "end");
    bool has_s = js && !json_is_null(js), has_e = je && !json_is_null(je);
    if (has_s != has_e) {
        ch_req_bad(p, "working_pattern",
                   "working_pattern needs both start and end for its hours, or neither.");
        return false;
    }
    if (has_s) {
        const char *s = json_string_value(js), *e = json_string_value(je);
        if (!s || !e || strlen(s) > 5 || strlen(e) > 5 ||
            ch_clock_parse(s, strlen(s), &out->start, &err) ||
            ch_clock_parse(e, strlen(e), &out->end, &err)) {
            ch_req_bad(p, "working_pattern",
                       "working_pattern.start and end are times of day such as 09:00 and 15:00.");
            return false;
        }
    }
    json_t *tt = json_object_get(j, "term_time_only");
    if (tt && !json_is_boolean(tt)) {
        ch_req_bad(p, "working_pattern", "working_pattern.term_time_only must be true or false.");
        return false;
    }
    out->term_time = json_is_true(tt);
    if (ch_pattern_check(out, &err)) {
        ch_req_bad(p, "working_pattern", "working_pattern: %s.", err.msg);
        return false;
    }
    return true;
}

static bool date_member(problems *p, json_t *item, const char *key, size_t i, bool required,
                        ch_date *out, bool *present)
{
    json_t *v = json_object_get(item, key);
    ch_error err = {0};
    *present = v && !json_is_null(v);
    if (!*present) {
        if (required)
            ch_req_bad(p, "absences", "absence %zu needs %s, a date such as 2026-12-21.", i + 1,
                       key);
        return !required;
    }
    const char *s = json_string_value(v);
    if (!s || ch_date_parse(s, strlen(s), out, &err)) {
        ch_req_bad(p, "absences", "absence %zu: %s must be a real date written YYYY-MM-DD.", i + 1,
                   key);
        return false;
    }
    return true;
}

static const char *text_member(ch_arena *a, problems *p, json_t *item, const char *key, size_t i,
                               size_t max, bool *ok)
{
    json_t *v = json_object_get(item, key);
    *ok = true;
    if (!v || json_is_null(v))
        return NULL;
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > max || !ch_req_one_line(s)) {
        ch_req_bad(p, "absences", "absence %zu: %s must be one line of 1 to %zu characters.", i + 1,
                   key, max);
        *ok = false;
        return NULL;
    }
    return ch_arena_strdup(a, s);
}

/* Reads a list of absences; faults into p. */
static bool absences_read(ch_arena *a, problems *p, json_t *j, ch_absence **out, size_t *n)
{
    static const char *const keys[] = {"from", "to", "cover_user_id", "cover_text", "note"};
    *out = NULL;
    *n = 0;
    if (!json_is_array(j) || json_array_size(j) > CH_ABSENCES_MAX) {
        ch_req_bad(p, "absences",
                   "absences must be a list of at most %d absences, each {\"from\", \"to\", "
                   "\"cover_user_id\", \"cover_text\", \"note\"}.",
                   CH_ABSENCES_MAX);
        return false;
    }
    size_t count = json_array_size(j);
    ch_absence *list = ch_arena_alloc(a, (count + 1) * sizeof(*list));
    if (!list) {
        ch_req_bad(p, "absences", "out of memory reading absences.");
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        json_t *item = json_array_get(j, i);
        ch_absence *ab = &list[i];
        *ab = (ch_absence){0};
        if (!json_is_object(item)) {
            ch_req_bad(p, "absences", "absence %zu must be an object.", i + 1);
            return false;
        }
        const char *key;
        json_t *v;
        json_object_foreach(item, key, v)
        {
            bool known = false;
            for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
                known = known || strcmp(key, keys[k]) == 0;
            if (!known) {
                ch_req_bad(p, "absences",
                           "absence %zu: an absence takes from, to, cover_user_id, cover_text "
                           "and note, not %.40s.",
                           i + 1, key);
                return false;
            }
        }
        bool has_to, has_from, ok1, ok2;
        if (!date_member(p, item, "from", i, true, &ab->from, &has_from) ||
            !date_member(p, item, "to", i, false, &ab->to, &has_to))
            return false;
        ab->open = !has_to;
        json_t *cover = json_object_get(item, "cover_user_id");
        if (cover && !json_is_null(cover)) {
            if (!json_is_integer(cover) || json_integer_value(cover) <= 0) {
                ch_req_bad(p, "absences", "absence %zu: cover_user_id must be a colleague's id.",
                           i + 1);
                return false;
            }
            ab->cover_id = (int64_t)json_integer_value(cover);
        }
        ab->cover_text = text_member(a, p, item, "cover_text", i, COVER_TEXT_MAX, &ok1);
        ab->note = text_member(a, p, item, "note", i, NOTE_MAX, &ok2);
        if (!ok1 || !ok2)
            return false;
    }
    *out = list;
    *n = count;
    return true;
}

int ch_avail_load(ch_store *store, ch_arena *arena, ch_avail_set *set, ch_error *err)
{
    ch_availability_row *rows = NULL;
    size_t n = 0;
    *set = (ch_avail_set){0};
    if (ch_store_user_list(store, arena, &set->users, &set->nusers, err) ||
        ch_store_availability_list(store, arena, &rows, &n, err))
        return err->code ? err->code : CH_E_STORE;
    set->items = ch_arena_alloc(arena, (n + 1) * sizeof(*set->items));
    if (!set->items)
        return ch_error_set(err, CH_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        ch_staff_avail *it = &set->items[set->n];
        problems p = {0};
        bool good = true;
        *it = (ch_staff_avail){.user_id = rows[i].user_id};
        /* What the desk stored it checked; a row that no longer reads is
         * shown as no pattern and no absences rather than failing the page. */
        if (rows[i].pattern) {
            json_t *j = json_loads(rows[i].pattern, 0, NULL);
            good = j && pattern_read(&p, j, &it->pattern);
            json_decref(j);
        }
        if (good && rows[i].absences) {
            json_t *j = json_loads(rows[i].absences, 0, NULL);
            good = j && absences_read(arena, &p, j, &it->absences, &it->nabsences);
            json_decref(j);
        }
        json_decref(p.fields);
        if (good)
            set->n++;
    }
    return CH_OK;
}

const ch_staff_avail *ch_avail_find(const ch_avail_set *set, int64_t user_id)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->items[i].user_id == user_id)
            return &set->items[i];
    return NULL;
}

const ch_user *ch_avail_user(const ch_avail_set *set, int64_t user_id)
{
    for (size_t i = 0; i < set->nusers; i++)
        if (set->users[i].id == user_id)
            return &set->users[i];
    return NULL;
}

ch_date ch_http_today(ch_req *r, const char *service)
{
    ch_desk_service ds;
    ch_error err = {0};
    const ch_calendar *cal = NULL;
    if (service && ch_desk_service_find(r->desk, service, &ds, &err) == CH_OK)
        cal = ch_policy_service_calendar(ds.policy, ds.service);
    else if (r->desk->npolicies && r->desk->policies[0].policy->nservices)
        cal = ch_policy_service_calendar(r->desk->policies[0].policy,
                                         &r->desk->policies[0].policy->services[0]);
    if (!cal)
        return ch_time_utc_date(r->now);
    ch_date today;
    int32_t secs;
    ch_tz_to_local(ch_calendar_tz(cal), r->now, &today, &secs);
    return today;
}

static void date_str(ch_jw *w, ch_date d)
{
    char buf[11];
    ch_date_format(d, buf, sizeof(buf));
    ch_jw_str(w, buf);
}

/* The out-of-office sentence for u on today into buf; false when not away. */
static bool ooo_text(const ch_avail_set *set, const ch_user *u, ch_date today, ch_away *away,
                     char *buf, size_t size)
{
    const ch_staff_avail *a = ch_avail_find(set, u->id);
    *away = (ch_away){0};
    buf[0] = '\0';
    if (!a)
        return false;
    ch_away_on(a->absences, a->nabsences, &a->pattern, today, away);
    if (!away->away)
        return false;
    const ch_user *cover =
        away->absence->cover_id ? ch_avail_user(set, away->absence->cover_id) : NULL;
    ch_out_of_office_text(u->name, away, cover ? cover->name : NULL, cover ? cover->email : NULL,
                          buf, size);
    return true;
}

/* {until, back_on, cover_user_id} while away, else null. */
static void away_json(ch_jw *w, const ch_away *away)
{
    if (!away->away) {
        ch_jw_str(w, NULL);
        return;
    }
    ch_jw_obj(w);
    ch_jw_key(w, "until");
    if (away->back_known)
        date_str(w, away->last);
    else
        ch_jw_str(w, NULL);
    ch_jw_key(w, "back_on");
    if (away->back_known)
        date_str(w, away->back);
    else
        ch_jw_str(w, NULL);
    ch_jw_key(w, "cover_user_id");
    ch_jw_id(w, away->absence->cover_id);
    ch_jw_obj_end(w);
}

void ch_jw_availability(ch_jw *w, const ch_avail_set *set, const ch_user *u, ch_date today)
{
    const ch_staff_avail *a = ch_avail_find(set, u->id);
    ch_jw_key(w, "working_pattern");
    if (a && a->pattern.days) {
        ch_jw_obj(w);
        ch_jw_key(w, "days");
        ch_jw_arr(w);
        for (int d = 0; d < 7; d++)
            if ((a->pattern.days >> d) & 1u)
                ch_jw_str(w, day_keys[d]);
        ch_jw_arr_end(w);
        char t[16];
        ch_jw_key(w, "start");
        ch_clock_format(a->pattern.start, t, sizeof(t));
        ch_jw_str(w, a->pattern.start || a->pattern.end ? t : NULL);
        ch_jw_key(w, "end");
        ch_clock_format(a->pattern.end, t, sizeof(t));
        ch_jw_str(w, a->pattern.start || a->pattern.end ? t : NULL);
        ch_jw_key(w, "term_time_only");
        ch_jw_bool(w, a->pattern.term_time);
        ch_jw_obj_end(w);
    } else {
        ch_jw_str(w, NULL);
    }
    ch_jw_key(w, "absences");
    ch_jw_arr(w);
    for (size_t i = 0; a && i < a->nabsences; i++) {
        const ch_absence *ab = &a->absences[i];
        const ch_user *cover = ab->cover_id ? ch_avail_user(set, ab->cover_id) : NULL;
        ch_jw_obj(w);
        ch_jw_key(w, "from");
        date_str(w, ab->from);
        ch_jw_key(w, "to");
        if (ab->open)
            ch_jw_str(w, NULL);
        else
            date_str(w, ab->to);
        ch_jw_key(w, "cover_user_id");
        ch_jw_id(w, ab->cover_id);
        ch_jw_key(w, "cover_name");
        ch_jw_str(w, cover ? cover->name : NULL);
        ch_jw_key(w, "cover_text");
        ch_jw_str(w, ab->cover_text);
        ch_jw_key(w, "note");
        ch_jw_str(w, ab->note);
        ch_jw_obj_end(w);
    }
    ch_jw_arr_end(w);
    ch_away away;
    char buf[800];
    bool is_away = ooo_text(set, u, today, &away, buf, sizeof(buf));
    ch_jw_key(w, "away");
    away_json(w, &away);
    ch_jw_key(w, "out_of_office");
    ch_jw_str(w, is_away ? buf : NULL);
    ch_signature_text(u->name, a ? &a->pattern : NULL, buf, sizeof(buf));
    ch_jw_key(w, "signature");
    ch_jw_str(w, buf);
}

static bool shares_service(const ch_user *a, const ch_user *b)
{
    if (a->nservices == 0 || b->role == CH_ROLE_ADMIN)
        return true;
    for (size_t i = 0; i < a->nservices; i++)
        for (size_t k = 0; k < b->nservices; k++)
            if (strcmp(a->services[i], b->services[k]) == 0)
                return true;
    return false;
}

static char *dump(ch_req *r, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    char *out = s ? ch_arena_strdup(&r->arena, s) : NULL;
    free(s);
    return out;
}

void ch_http_availability_read(ch_req *r, problems *p, json_t *body, const ch_user *target,
                               const ch_avail_set *set, ch_availability_row *row, bool *given)
{
    json_t *jp = json_object_get(body, "working_pattern");
    json_t *ja = json_object_get(body, "absences");
    const ch_staff_avail *now = ch_avail_find(set, target->id);
    ch_error err = {0};
    *given = jp || ja;
    *row = (ch_availability_row){.user_id = target->id, .updated_at = r->now};
    if (!*given)
        return;
    ch_work_pattern pattern;
    if (jp && pattern_read(p, jp, &pattern) && pattern.days)
        row->pattern = dump(r, jp);
    ch_absence *list = NULL;
    size_t n = 0;
    if (ja && absences_read(&r->arena, p, ja, &list, &n)) {
        if (ch_absences_check(list, n, target->id, &err)) {
            ch_req_bad(p, "absences", "%s.", err.msg);
        } else {
            for (size_t i = 0; i < n; i++) {
                const ch_user *cover =
                    list[i].cover_id ? ch_avail_user(set, list[i].cover_id) : NULL;
                if (list[i].cover_id && (!cover || cover->inactive)) {
                    ch_req_bad(p, "absences",
                               "absence %zu: there is no active colleague %lld to cover; GET "
                               "/api/v1/colleagues?service= lists them.",
                               i + 1, (long long)list[i].cover_id);
                    break;
                }
                if (cover && !shares_service(target, cover)) {
                    ch_req_bad(p, "absences",
                               "absence %zu: %s shares no service with %s; choose a colleague "
                               "of the same service.",
                               i + 1, cover->name, target->name);
                    break;
                }
            }
            row->absences = dump(r, ja);
        }
    }
    /* What was not sent stays as it is. */
    if (!jp && now && now->pattern.days) {
        json_t *keep = json_pack("{s:[]}", "days");
        json_t *days = json_object_get(keep, "days");
        for (int d = 0; d < 7; d++)
            if ((now->pattern.days >> d) & 1u)
                json_array_append_new(days, json_string(day_keys[d]));
        if (now->pattern.start || now->pattern.end) {
            char t[16];
            ch_clock_format(now->pattern.start, t, sizeof(t));
            json_object_set_new(keep, "start", json_string(t));
            ch_clock_format(now->pattern.end, t, sizeof(t));
            json_object_set_new(keep, "end", json_string(t));
        }
        json_object_set_new(keep, "term_time_only", json_boolean(now->pattern.term_time));
        row->pattern = dump(r, keep);
        json_decref(keep);
    }
    if (!ja && now && now->nabsences) {
        json_t *keep = json_array();
        for (size_t i = 0; i < now->nabsences; i++) {
            const ch_absence *ab = &now->absences[i];
            char f[11], t[11];
            ch_date_format(ab->from, f, sizeof(f));
            ch_date_format(ab->to, t, sizeof(t));
            json_t *o = json_pack("{s:s}", "from", f);
            if (!ab->open)
                json_object_set_new(o, "to", json_string(t));
            if (ab->cover_id)
                json_object_set_new(o, "cover_user_id", json_integer(ab->cover_id));
            if (ab->cover_text)
                json_object_set_new(o, "cover_text", json_string(ab->cover_text));
            if (ab->note)
                json_object_set_new(o, "note", json_string(ab->note));
            json_array_append_new(keep, o);
        }
        row->absences = dump(r, keep);
        json_decref(keep);
    }
}

json_t *ch_http_away_warning(ch_req *r, const ch_avail_set *set, int64_t user_id, ch_date today)
{
    (void)r;
    const ch_user *u = ch_avail_user(set, user_id);
    ch_away away;
    char buf[800];
    if (!u || !ooo_text(set, u, today, &away, buf, sizeof(buf)))
        return NULL;
    const ch_user *cover =
        away.absence->cover_id ? ch_avail_user(set, away.absence->cover_id) : NULL;
    json_t *alt = cover ? json_pack("{s:I, s:s}", "id", (json_int_t)cover->id, "name", cover->name)
                        : json_null();
    return json_pack("{s:s, s:o}", "warning", buf, "alternative", alt);
}

json_t *ch_http_assign_warning(ch_req *r, int64_t user_id, const char *service)
{
    ch_avail_set set;
    ch_error err = {0};
    if (ch_avail_load(r->desk->store, &r->arena, &set, &err))
        return NULL;
    return ch_http_away_warning(r, &set, user_id, ch_http_today(r, service));
}

bool ch_http_away_text(ch_req *r, int64_t user_id, ch_date day, char *buf, size_t size)
{
    ch_avail_set set;
    ch_error err = {0};
    ch_away away;
    buf[0] = '\0';
    if (ch_avail_load(r->desk->store, &r->arena, &set, &err))
        return false;
    const ch_user *u = ch_avail_user(&set, user_id);
    return u && ooo_text(&set, u, day, &away, buf, size);
}

enum MHD_Result ch_http_user_out_of_office(ch_req *r, int64_t id)
{
    ch_avail_set set;
    ch_error err = {0};
    if (ch_avail_load(r->desk->store, &r->arena, &set, &err))
        return ch_http_error(r, &err);
    const ch_user *u = ch_avail_user(&set, id);
    if (!u)
        return ch_http_problem(r, 404, "No such person",
                               "There is no member of staff with that id.", NULL);
    ch_date today = ch_http_today(r, u->nservices ? u->services[0] : NULL);
    /* Colleagues see what the public is told (the sentence and the
     * signature); the person, managers and administrators see the pattern,
     * the absences with their notes, and whom they may name as cover. */
    bool full = id == r->user.id || r->user.role != CH_ROLE_OFFICER;
    ch_jw w;
    ch_jw_init(&w);
    ch_jw_obj(&w);
    ch_jw_key(&w, "user_id");
    ch_jw_int(&w, u->id);
    ch_jw_key(&w, "name");
    ch_jw_str(&w, u->name);
    if (full) {
        ch_jw_availability(&w, &set, u, today);
        ch_jw_key(&w, "colleagues");
        ch_jw_arr(&w);
        for (size_t i = 0; i < set.nusers; i++) {
            const ch_user *c = &set.users[i];
            if (c->id == u->id || c->inactive || !shares_service(u, c))
                continue;
            ch_jw_obj(&w);
            ch_jw_key(&w, "id");
            ch_jw_int(&w, c->id);
            ch_jw_key(&w, "name");
            ch_jw_str(&w, c->name);
            ch_jw_obj_end(&w);
        }
        ch_jw_arr_end(&w);
    } else {
        ch_away away;
        char buf[800];
        bool is_away = ooo_text(&set, u, today, &away, buf, sizeof(buf));
        const ch_staff_avail *a = ch_avail_find(&set, u->id);
        ch_jw_key(&w, "away");
        away_json(&w, &away);
        ch_jw_key(&w, "out_of_office");
        ch_jw_str(&w, is_away ? buf : NULL);
        ch_signature_text(u->name, a ? &a->pattern : NULL, buf, sizeof(buf));
        ch_jw_key(&w, "signature");
        ch_jw_str(&w, buf);
    }
    ch_jw_obj_end(&w);
    return ch_http_jw(r, 200, &w, NULL);
}
