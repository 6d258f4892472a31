/* Customer surveys on the desk (surveys.c): the sweep that invites the
 * requesters of closed cases, the public survey form, the report, and the
 * lines the public standards page shows. */
#ifndef CH_HTTP_SURVEYS_H
#define CH_HTTP_SURVEYS_H

#include "http/html.h"

/* Queues the invitations now due (cases closed at least the policy's delay
 * ago, in the last week); failures are logged and tried again next time. */
void ch_desk_survey_sweep(ch_desk *d, ch_time now);

/* GET and POST /public/{policy}/survey/{token}; rest is "{policy}/survey/{token}". */
enum MHD_Result ch_http_survey_public(ch_req *r, const char *rest);

/* GET /api/v1/reports/surveys?from=&to=&service=&format=json|csv|xlsx */
enum MHD_Result ch_http_survey_report(ch_req *r);

/* "Satisfaction last quarter" for policy p's standards page, one line per
 * surveyed service (nothing when p surveys none), written into h. */
void ch_public_survey_summary(ch_req *r, const ch_policy *p, ch_html *h);

#endif
