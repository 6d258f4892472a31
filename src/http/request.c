/* Reading requests: JSON bodies held to each endpoint's declared members,
 * bounded string fields gathered into one 400 answer, versions from
 * If-Match, and cases the user may see. */
#include "core/text.h"
#include "http/request.h"
#include "http/complaints.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ch_req_bad(problems *p, const char *field, const char *fmt, ...)
{
    size_t used = strlen(p->detail);
    va_list ap;
    if (!p->fields)
        p->fields = json_array();
    json_array_append_new(p->fields, json_string(field));
    if (used && used + 2 < sizeof(p->detail))
        p->detail[used++] = ' ', p->detail[used] = '\0';
    va_start(ap, fmt);
    vsnprintf(p->detail + used, sizeof(p->detail) - used, fmt, ap);
    va_end(ap);
}

/* An optional string member no longer than max; NULL when absent. */
const char *ch_req_text(problems *p, json_t *obj, const char *key, size_t max, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            ch_req_bad(p, key, "%s is required.", key);
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!s) {
        ch_req_bad(p, key, "%s must be a string.", key);
        return NULL;
    }
    if (strlen(s) > max || (required && !*s)) {
        ch_req_bad(p, key, "%s must be 1 to %zu characters.", key, max);
        return NULL;
    }
    return s;
}

bool ch_req_one_line(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if (*p < ' ' || *p == 0x7f)
            return false;
    return true;
}

bool ch_req_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

typedef struct unknown_scan {
    const char *const *known;
    const char *first;
} unknown_scan;

static enum MHD_Result unknown_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    unknown_scan *u = cls;
    (void)kind, (void)value;
    for (size_t i = 0; u->known[i]; i++)
        if (strcmp(key, u->known[i]) == 0)
            return MHD_YES;
    if (!u->first)
        u->first = key;
    return MHD_YES;
}

const char *ch_req_unknown_arg(ch_req *r, const char *const *known)
{
    unknown_scan u = {known, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, unknown_arg, &u);
    return u.first;
}

bool ch_req_int(problems *p, json_t *obj, const char *key, int64_t min, int64_t max, bool required,
                int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            ch_req_bad(p, key, "%s is required.", key);
        return false;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        ch_req_bad(p, key, "%s must be a whole number from %lld to %lld.", key, (long long)min,
                   (long long)max);
        return false;
    }
    *out = (int64_t)json_integer_value(v);
    return true;
}

void ch_req_bool(problems *p, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return;
    if (!json_is_boolean(v))
        ch_req_bad(p, key, "%s must be true or false.", key);
    else
        *out = json_is_true(v);
}

/* printf onto the end of buf, used so far; stops quietly at the end. */
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    va_list ap;
    if (*used >= size - 1)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 || *used + (size_t)n >= size ? size - 1 : *used + (size_t)n;
}

/* Appends "a, b and c" (the last joined by last: " and " or " or "). */
static void words_append(char *buf, size_t size, size_t *used, const char *const *words, size_t n,
                         const char *last)
{
    for (size_t i = 0; i < n; i++)
        appendf(buf, size, used, "%s%.*s",
                i == 0       ? ""
                : i + 1 == n ? last
                             : ", ",
                (int)ch_utf8_prefix(words[i], 40), words[i]);
}

static const ch_req_key *key_find(const ch_req_key *keys, const char *name)
{
    for (const ch_req_key *k = keys; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* Records in p each member of obj that keys does not name, as where.member,
 * with one sentence saying what obj takes; then looks the same way inside
 * each nested object that has a list of its own. */
static void members_check(const char *method, const char *url, problems *p, json_t *obj,
                          const char *where, const ch_req_key *keys)
{
    enum { MAX_WORDS = 24 };
    const char *unknown[MAX_WORDS], *taken[MAX_WORDS];
    size_t nunknown = 0, ntaken = 0, extra = 0;
    const char *name;
    json_t *value;
    char path[160];
    json_object_foreach(obj, name, value)
    {
        if (key_find(keys, name))
            continue;
        snprintf(path, sizeof(path), "%s%s%.*s", where, *where ? "." : "",
                 (int)ch_utf8_prefix(name, 100), name);
        if (!p->fields)
            p->fields = json_array();
        json_array_append_new(p->fields, json_string(path));
        if (nunknown < MAX_WORDS)
            unknown[nunknown++] = name;
        else
            extra++;
    }
    if (nunknown) {
        size_t used = strlen(p->detail);
        char *d = p->detail;
        const size_t size = sizeof(p->detail);
        for (const ch_req_key *k = keys; k->name && ntaken < MAX_WORDS; k++)
            taken[ntaken++] = k->name;
        if (*where)
            appendf(d, size, &used, "%sInside %.60s there is no ", used ? " " : "", where);
        else
            appendf(d, size, &used, "%sThis request does not take ", used ? " " : "");
        words_append(d, size, &used, unknown, nunknown, " or ");
        if (extra)
            appendf(d, size, &used, " (nor %zu more)", extra);
        if (*where)
            appendf(d, size, &used, "; %.60s takes ", where);
        else
            appendf(d, size, &used, "; %s %.100s takes ", method, url);
        if (ntaken)
            words_append(d, size, &used, taken, ntaken, " and ");
        else
            appendf(d, size, &used, "no fields");
        appendf(d, size, &used, ".");
    }
    json_object_foreach(obj, name, value)
    {
        const ch_req_key *k = key_find(keys, name);
        if (!k || !k->members)
            continue;
        snprintf(path, sizeof(path), "%s%s%.100s", where, *where ? "." : "", name);
        if (json_is_object(value))
            members_check(method, url, p, value, path, k->members);
        /* A list of objects (settle: [{...}]) holds each to the same members. */
        for (size_t i = 0; json_is_array(value) && i < json_array_size(value); i++) {
            json_t *item = json_array_get(value, i);
            char at[sizeof(path) + 24];
            snprintf(at, sizeof(at), "%s[%zu]", path, i);
            if (json_is_object(item))
                members_check(method, url, p, item, at, k->members);
        }
    }
}

void ch_req_members_check(problems *p, json_t *body, const ch_req_key *keys, const char *method,
                          const char *url)
{
    members_check(method, url, p, body, "", keys);
}

/* Parses the body as one JSON object; NULL after queuing a 400. */
static json_t *body_object(ch_req *r, enum MHD_Result *res)
{
    json_error_t jerr;
    json_t *body = r->len ? json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!body || !json_is_object(body)) {
        char detail[300];
        /* jansson names its own flag for a NUL; a person needs what it is. */
        const char *why = strstr(jerr.text, "JSON_ALLOW_NUL")
                              ? "text holds a NUL character (\\u0000), which the desk does not "
                                "accept"
                              : jerr.text;
        if (!body && r->len)
            snprintf(detail, sizeof(detail), "The body is not valid JSON (line %d, column %d: %s).",
                     jerr.line, jerr.column, why);
        else
            snprintf(detail, sizeof(detail), "Send a JSON object as the request body.");
        json_decref(body);
        *res = ch_http_problem(r, 400, "The request body is not a JSON object", detail, NULL);
        return NULL;
    }
    return body;
}

/* A member the endpoint does not read would be dropped without a word, so
 * the whole request is refused before anything is read from it. */
json_t *ch_req_body_hint(ch_req *r, const ch_req_key *keys, const char *hint, enum MHD_Result *res)
{
    problems p = {0};
    json_t *body = body_object(r, res);
    if (!body)
        return NULL;
    ch_req_members_check(&p, body, keys, r->method, r->url);
    if (p.fields) {
        size_t used = strlen(p.detail);
        if (hint)
            appendf(p.detail, sizeof(p.detail), &used, " %s", hint);
        json_decref(body);
        *res = ch_http_problem(r, 400, "Unknown fields", p.detail, p.fields);
        return NULL;
    }
    return body;
}

json_t *ch_req_body(ch_req *r, const ch_req_key *keys, enum MHD_Result *res)
{
    return ch_req_body_hint(r, keys, NULL, res);
}

bool ch_req_empty(ch_req *r, enum MHD_Result *res)
{
    static const ch_req_key none[] = {{NULL, NULL}};
    if (!r->len)
        return true;
    json_t *body = ch_req_body(r, none, res);
    json_decref(body);
    return body != NULL;
}

const char *ch_req_etag(ch_req *r, int64_t version)
{
    char *e = ch_arena_alloc(&r->arena, 32);
    if (e)
        snprintf(e, 32, "\"%lld\"", (long long)version);
    return e;
}

/* Loads a case the user may see; queues 404 otherwise (a case in another
 * team's service is not admitted to exist). */
bool ch_req_case(ch_req *r, int64_t id, ch_case_row *c, enum MHD_Result *res)
{
    ch_error err = {0};
    int rc = ch_store_case_get(r->desk->store, id, &r->arena, c, &err);
    if (rc == CH_OK && (!ch_desk_can_see(r, c->service) || ch_http_complaint_hidden(r, c)))
        rc = ch_error_set(&err, CH_E_NOTFOUND, "there is no case %lld", (long long)id);
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    return true;
}

/* If-Match: "N" (or N) into a version; 0 when absent, -1 when unreadable.
 * Only digits, at most 18 of them, and nothing after: a number too large
 * for a version is malformed, never clamped into one that exists. */
int64_t ch_req_if_match(ch_req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
    if (!h)
        return 0;
    bool quoted = *h == '"';
    const char *p = h + quoted;
    size_t digits = strspn(p, "0123456789");
    if (digits == 0 || digits > 18 || strcmp(p + digits, quoted ? "\"" : "") != 0)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < digits; i++)
        v = v * 10 + (p[i] - '0');
    return v > 0 ? v : -1;
}

const char **ch_req_services(ch_req *r, size_t *n)
{
    size_t total = 0;
    *n = 0;
    if (r->user.role == CH_ROLE_ADMIN)
        return NULL;
    for (size_t i = 0; i < r->desk->npolicies; i++)
        total += r->desk->policies[i].policy->nservices;
    const char **names = ch_arena_alloc(&r->arena, (total + 1) * sizeof(*names));
    for (size_t i = 0; names && i < r->desk->npolicies; i++) {
        const ch_policy *p = r->desk->policies[i].policy;
        for (size_t k = 0; k < p->nservices; k++) {
            char full[140];
            snprintf(full, sizeof(full), "%s/%s", p->id, p->services[k].id);
            if (ch_desk_can_see(r, full))
                names[(*n)++] = ch_arena_strdup(&r->arena, full);
        }
    }
    return names;
}

bool ch_req_case_current(ch_req *r, int64_t id, int64_t version, int64_t expect,
                         enum MHD_Result *res)
{
    if (!expect || expect == version)
        return true;
    char detail[200];
    snprintf(detail, sizeof(detail),
             "Case %lld has changed since version %lld (it is now at %lld); reload it and try "
             "again.",
             (long long)id, (long long)expect, (long long)version);
    *res = ch_http_problem(r, 409, "Changed by someone else", detail, NULL);
    return false;
}

bool ch_req_case_version(ch_req *r, bool required, int64_t *expect, enum MHD_Result *res)
{
    *expect = ch_req_if_match(r);
    if (*expect < 0) {
        *res = ch_http_problem(r, 400, "Unreadable If-Match",
                               "If-Match must be the case's ETag, e.g. \"3\".", NULL);
        return false;
    }
    if (*expect == 0 && required) {
        *res = ch_http_problem(r, 428, "If-Match needed",
                               "Send If-Match with the case's ETag so that no one else's change "
                               "is overwritten.",
                               NULL);
        return false;
    }
    return true;
}

const char *ch_req_record_service(ch_req *r, problems *p, json_t *body, const char *fallback)
{
    const char *given = ch_req_text(p, body, "service", 140, false);
    ch_desk_service ds;
    ch_error err = {0};
    if (given) {
        if (ch_desk_service_find(r->desk, given, &ds, &err) || !ch_desk_can_see(r, ds.name)) {
            ch_req_bad(p, "service",
                       "service must be one of your services (GET /api/v1/services lists them).");
            return NULL;
        }
        return ch_arena_strdup(&r->arena, ds.name);
    }
    if (fallback && ch_desk_can_see(r, fallback))
        return fallback;
    size_t n;
    const char **mine = ch_req_services(r, &n);
    if (mine && n == 0)
        ch_req_bad(p, "service", "You work in no service, so there is nowhere to record this.");
    return mine && n ? mine[0] : NULL;
}
