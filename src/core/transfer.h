/* Moving a case to another service: a transfer within one organisation, or
 * a referral to another body's service (Cognus passes FOI requests to the
 * council). A policy's routes say which kinds of request are handled
 * elsewhere; this module decides who may move a case and what it owes
 * afterwards. The edges ask and the store records. */
#ifndef CH_TRANSFER_H
#define CH_TRANSFER_H

#include "core/casework.h"

/* "Requests of these kinds are handled by that service", as a policy
 * declares it; text is what the public reads, with how to reach it. */
typedef struct ch_route {
    unsigned kinds; /* bit per ch_case_kind */
    const char **services;
    size_t nservices; /* the policy's services it covers; empty means all */
    const char *to;   /* "policy/service" */
    const char *text;
} ch_route;

/* The route policy declares for a case of kind on svc, or NULL; borrowed.
 * The first route that covers it wins. */
const ch_route *ch_policy_route(const ch_policy *policy, const ch_service *svc, ch_case_kind kind);

/* Whether a member of staff may move a case (one they can see) to dest
 * ("policy/service"): a manager may send it anywhere; anyone else only to
 * a service they belong to (sees_dest), or along route (may be NULL), the
 * way the charter itself says such requests go. */
bool ch_move_allowed(bool manager, bool sees_dest, const ch_route *route, const char *dest);

/* What moving a case from from_svc (of from) to to_svc (of to) does to the
 * obligations it holds, decided at now (paused: the case's clocks are
 * stopped). The new service's promises count from the contact's original
 * receipt, so a statutory clock runs from when the request first arrived;
 * *deemed is the deemed receipt on the new service's calendar.
 *
 * For each held obligation i, state[i] and due[i] are its new state and due
 * time, and carried[i] whether it goes with the case (otherwise it stays
 * behind as the old service's history). Within one policy the organisation's promises go with the
 * case: one that still applies keeps its row, counted again on the new service's calendar; one that
 * does not is withdrawn. At another body every open obligation (pending or paused) is withdrawn and
 * its promises start afresh. Either way a promise met stays met and one broken (breached) stays
 * broken, as history. Promises the case newly owes are written to added (room for cap), their count
 * in *nadded. Refuses (CH_E_INVALID) a move to the service the case is in, and (CH_E_CONFLICT)
 * moving a closed case. */
int ch_case_move(const ch_policy *from, const ch_service *from_svc, const ch_policy *to,
                 const ch_service *to_svc, const ch_contact *contact, bool closed, bool paused,
                 ch_time now, const ch_held *held, size_t n, ch_ostate *state, ch_time *due,
                 bool *carried, ch_obligation *added, size_t cap, size_t *nadded, ch_time *deemed,
                 ch_error *err);

#endif
