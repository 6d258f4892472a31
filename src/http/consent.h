/* People and safeguards over HTTP: the consent check every disclosure
 * calls, and a person's relationships and consents as JSON. */
#ifndef CH_HTTP_CONSENT_H
#define CH_HTTP_CONSENT_H

#include "http/desk.h"
#include "http/jsonw.h"

/* May we speak to person with about case c at instant at? Loads the
 * case's subject, their relationships and the consents that could count,
 * and asks the core (core/consent.h); the day is at's in the service's
 * zone. CH_E_NOTFOUND when with is not a person. */
int ch_http_consent_ask(ch_req *r, const ch_case_row *c, int64_t with, ch_time at,
                        ch_consent_answer *out, ch_error *err);

/* Audits a refusal on the case and on the person (action
 * "consent-refused") and queues the 409 consent-required problem, naming
 * field, the request member that named the person, as the one to change. */
enum MHD_Result ch_http_consent_refuse(ch_req *r, int64_t case_id, int64_t with,
                                       const ch_consent_answer *a, const char *field);

/* Writes "relationships" and "consents" of person id as members of the
 * current object, leaving out (and counting, in "hidden_relationships" and
 * "hidden_consents") those whose other party the user may not see. */
int ch_http_person_safeguards(ch_req *r, ch_jw *w, int64_t id, ch_error *err);

#endif
