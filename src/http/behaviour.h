/* Restrictions on contact as the case handlers meet them: the one in
 * force on a person, the refusal of an outbound contact it does not allow,
 * and a new case routed and paced by it; and the person's safeguards in
 * their JSON. The decisions are core/restriction.h's. */
#ifndef CH_HTTP_BEHAVIOUR_H
#define CH_HTTP_BEHAVIOUR_H

#include "core/restriction.h"
#include "http/jsonw.h"
#include "http/request.h"

/* The restriction in force on person_id (active: its notice sent, not
 * ended) that binds a case of service (ch_restriction_binds) into *rs and
 * *lim; lim->active is false when there is none. */
int ch_http_person_limits(ch_req *r, int64_t person_id, const char *service, ch_restriction *rs,
                          ch_contact_limits *lim, ch_error *err);

/* Whether a contact on case c is refused by the person's restriction: true
 * after queuing the 409 (and auditing the refusal). Otherwise, for an
 * inbound contact under a restriction, *route_to is the point of contact
 * the case passes to (0 for none) and *note a few words for the timeline
 * (NULL when there is nothing to say). */
bool ch_http_contact_refused(ch_req *r, const ch_case_row *c, bool outbound, ch_channel channel,
                             unsigned meets, int64_t *route_to, const char **note,
                             enum MHD_Result *res);

/* A new case of a restricted person: assigned to the point of contact, and
 * its respond promises due no sooner than the next reply slot. Re-reads
 * *c when it changes it. */
int ch_http_case_restrict(ch_req *r, ch_case_row *c, ch_error *err);

/* The person's restrictions (everyone who may see the person) and, for
 * managers, their incidents, as members of the current object. */
int ch_http_person_restrictions(ch_req *r, ch_jw *w, int64_t person_id, ch_error *err);

#endif
