/* Cases as the API's JSON, written in one pass (the desk's hottest
 * responses are queue pages of cases). */
#ifndef CH_JSON_CASE_H
#define CH_JSON_CASE_H

#include "http/desk.h"
#include "http/jsonw.h"

/* Writes c as a JSON object; full adds obligations, contacts and events.
 * left (may be NULL) gives, per obligation, the working days from today to
 * its due day (negative when past), or CH_NO_DAYS where it does not apply;
 * internal (may be NULL) marks the obligations that are internal targets
 * rather than promises made to the public. */
#define CH_NO_DAYS INT64_MIN
void ch_jw_case(ch_jw *w, const ch_case_row *c, bool full, const int64_t *left,
                const bool *internal);

/* Writes "cases": [...] summaries as a member of the current object. */
void ch_jw_cases(ch_jw *w, const ch_case_row *rows, size_t n);

/* Sends what w holds as application/json and frees it. */
enum MHD_Result ch_http_jw(ch_req *r, unsigned status, ch_jw *w, const char *etag);

/* Sends one full case. */
enum MHD_Result ch_http_case(ch_req *r, unsigned status, const ch_case_row *c, const char *etag);
/* ch_http_case with the members of extra (a reference it takes; NULL for
 * none) added: a warning that goes with the change just made. */
enum MHD_Result ch_http_case_with(ch_req *r, unsigned status, const ch_case_row *c,
                                  const char *etag, json_t *extra);

#endif
