/* Case rows as the API's JSON. */
#ifndef CH_JSON_CASE_H
#define CH_JSON_CASE_H

#include "http/desk.h"

/* A new JSON object for c; full adds obligations, contacts and events. */
json_t *ch_json_case(const ch_case_row *c, bool full);

#endif
