/* Cases as the API's JSON, written in one pass (the desk's hottest
 * responses are queue pages of cases). */
#ifndef CH_JSON_CASE_H
#define CH_JSON_CASE_H

#include "http/desk.h"
#include "http/jsonw.h"

/* Writes c as a JSON object; full adds obligations, contacts and events.
 * left (may be NULL) gives, per obligation, the working days from today to
 * its due day (negative when past), or CH_NO_DAYS where it does not apply. */
#define CH_NO_DAYS INT64_MIN
void ch_jw_case(ch_jw *w, const ch_case_row *c, bool full, const int64_t *left);

/* Writes "cases": [...] summaries as a member of the current object. */
void ch_jw_cases(ch_jw *w, const ch_case_row *rows, size_t n);

/* Sends what w holds as application/json and frees it. */
enum MHD_Result ch_http_jw(ch_req *r, unsigned status, ch_jw *w, const char *etag);

/* Sends one full case. */
enum MHD_Result ch_http_case(ch_req *r, unsigned status, const ch_case_row *c, const char *etag);

#endif
