/* Reading requests: JSON bodies, bounded string fields gathered into one
 * 400 answer, versions from If-Match, and cases the user may see. */
#include "http/request.h"

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

json_t *ch_req_body(ch_req *r, enum MHD_Result *res)
{
    json_error_t jerr;
    json_t *body = r->len ? json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!body || !json_is_object(body)) {
        char detail[300];
        if (!body && r->len)
            snprintf(detail, sizeof(detail), "The body is not valid JSON (line %d, column %d: %s).",
                     jerr.line, jerr.column, jerr.text);
        else
            snprintf(detail, sizeof(detail), "Send a JSON object as the request body.");
        json_decref(body);
        *res = ch_http_problem(r, 400, "The request body is not a JSON object", detail, NULL);
        return NULL;
    }
    return body;
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
    if (rc == CH_OK && !ch_desk_can_see(r, c->service))
        rc = ch_error_set(&err, CH_E_NOTFOUND, "there is no case %lld", (long long)id);
    if (rc) {
        *res = ch_http_error(r, &err);
        return false;
    }
    return true;
}

/* If-Match: "N" (or N) into a version; 0 when absent, -1 when unreadable. */
int64_t ch_req_if_match(ch_req *r)
{
    const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-Match");
    long long v;
    if (!h)
        return 0;
    if (sscanf(h, "\"%lld\"", &v) == 1 || sscanf(h, "%lld", &v) == 1)
        return v > 0 ? v : -1;
    return -1;
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
