/* Helpers for request handlers: JSON bodies held to the members each
 * endpoint declares, field validation gathered into a single 400 answer,
 * If-Match versions and visible cases. */
#ifndef CH_REQUEST_H
#define CH_REQUEST_H

#include "http/desk.h"

typedef struct problems {
    json_t *fields;    /* names of the fields at fault */
    char detail[1024]; /* one sentence per fault */
} problems;

void ch_req_bad(problems *p, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A string member of obj no longer than max (borrowed from obj), or NULL
 * when absent or bad (bad ones are recorded in p). */
const char *ch_req_text(problems *p, json_t *obj, const char *key, size_t max, bool required);

/* Whether s is one line of text: no control characters (a name or an
 * address that will be printed, mailed or put in a header). */
bool ch_req_one_line(const char *s);
/* Whether s says nothing: empty, or only spaces, tabs and line breaks. */
bool ch_req_blank(const char *s);

/* The first query parameter of r not named in known (NULL-terminated), or
 * NULL when every one is known: an endpoint refuses what it would
 * otherwise silently ignore, such as "form=" for "from=". */
/* The service a new record is kept under (a person, an incident, a
 * restriction), which decides who else sees it: body's "service" when it
 * names one of the user's (a problem on "service" when it names none of
 * theirs), else fallback when the user works in it, else the user's first
 * service; NULL for an administrator who gave none. */
const char *ch_req_record_service(ch_req *r, problems *p, json_t *body, const char *fallback);
const char *ch_req_unknown_arg(ch_req *r, const char *const *known);

/* An integer member of obj in [min, max] into *out (left alone when
 * absent); false when absent or bad (bad ones are recorded in p). */
bool ch_req_int(problems *p, json_t *obj, const char *key, int64_t min, int64_t max, bool required,
                int64_t *out);

/* A boolean member of obj into *out (left alone when absent). */
void ch_req_bool(problems *p, json_t *obj, const char *key, bool *out);

/* One member an endpoint takes. When members is set and the member's value
 * is an object, or a list of objects, each may hold only those members in
 * turn. A list of keys ends with {NULL}. */
typedef struct ch_req_key {
    const char *name;
    const struct ch_req_key *members;
} ch_req_key;

/* The request body as a JSON object (new reference) holding only members
 * named in keys, nested objects included; NULL after queuing a 400 (not
 * JSON, not an object, or a member the endpoint does not take, named in
 * fields with the members it does take in the detail). */
json_t *ch_req_body(ch_req *r, const ch_req_key *keys, enum MHD_Result *res);

/* Records in p every member of body (and of its nested objects that keys
 * lists members for) that keys does not name, with one sentence saying
 * what is taken; method and url name the request in it. The check every
 * JSON body passes before a handler reads it. */
void ch_req_members_check(problems *p, json_t *body, const ch_req_key *keys, const char *method,
                          const char *url);

/* ch_req_body, with hint (a sentence, or NULL) added to the detail of an
 * unknown member's 400: where a change the endpoint refuses is made. */
json_t *ch_req_body_hint(ch_req *r, const ch_req_key *keys, const char *hint, enum MHD_Result *res);

/* Whether the request has no body or an empty JSON object (an endpoint that
 * takes nothing); false after queuing a 400. */
bool ch_req_empty(ch_req *r, enum MHD_Result *res);

/* "N" as an ETag string in the request's arena. */
const char *ch_req_etag(ch_req *r, int64_t version);

/* The version in If-Match, 0 when absent, -1 when unreadable. */
int64_t ch_req_if_match(ch_req *r);

/* The case version a change is made against, from If-Match, into *expect
 * (0 when absent and not required); false after queuing 400 for an
 * unreadable one, or 428 when required and absent. */
bool ch_req_case_version(ch_req *r, bool required, int64_t *expect, enum MHD_Result *res);

/* Whether the case (id, now at version) is still at expect (0: not
 * checked); false after queuing the 409 that says to reload. */
bool ch_req_case_current(ch_req *r, int64_t id, int64_t version, int64_t expect,
                         enum MHD_Result *res);

/* The "policy/service" names the user may see, in the request's arena, or
 * NULL for an administrator, who sees them all. */
const char **ch_req_services(ch_req *r, size_t *n);

/* Loads case id into the request's arena if the user may see it; queues a
 * 404 otherwise (another team's case is not admitted to exist). */
bool ch_req_case(ch_req *r, int64_t id, ch_case_row *c, enum MHD_Result *res);

#endif
