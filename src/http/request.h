/* Helpers for request handlers: JSON bodies, field validation gathered into
 * a single 400 answer, If-Match versions and visible cases. */
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

/* An integer member of obj in [min, max] into *out (left alone when
 * absent); false when absent or bad (bad ones are recorded in p). */
bool ch_req_int(problems *p, json_t *obj, const char *key, int64_t min, int64_t max, bool required,
                int64_t *out);

/* A boolean member of obj into *out (left alone when absent). */
void ch_req_bool(problems *p, json_t *obj, const char *key, bool *out);

/* The request body as a JSON object (new reference), or NULL after
 * queuing a 400. */
json_t *ch_req_body(ch_req *r, enum MHD_Result *res);

/* "N" as an ETag string in the request's arena. */
const char *ch_req_etag(ch_req *r, int64_t version);

/* The version in If-Match, 0 when absent, -1 when unreadable. */
int64_t ch_req_if_match(ch_req *r);

/* The "policy/service" names the user may see, in the request's arena, or
 * NULL for an administrator, who sees them all. */
const char **ch_req_services(ch_req *r, size_t *n);

/* Loads case id into the request's arena if the user may see it; queues a
 * 404 otherwise (another team's case is not admitted to exist). */
bool ch_req_case(ch_req *r, int64_t id, ch_case_row *c, enum MHD_Result *res);

#endif
