/* The case desk's decisions about obligations: which states exist, what an
 * outbound contact meets, and what a case's soonest due time is. The edges
 * ask; the store records the answer. */
#ifndef CH_CASEWORK_H
#define CH_CASEWORK_H

#include "core/policy.h"

typedef enum ch_ostate {
    CH_OSTATE_PENDING,
    CH_OSTATE_MET,
    CH_OSTATE_BREACHED,
    CH_OSTATE_PAUSED,
} ch_ostate;

const char *ch_ostate_name(ch_ostate s);
int ch_ostate_parse(const char *s, ch_ostate *out);

/* Whether a contact meets an obligation of kind k now in state s. An
 * outbound contact marked as meeting that kind does; so does any contact
 * resolved there and then ("resolved at first contact": a call answered and
 * settled live owes no reply). Only an obligation not already met is met (a
 * breached one can still be met, late). */
bool ch_contact_meets(bool outbound, bool resolved, unsigned meets, ch_obligation_kind k,
                      ch_ostate s);

/* Obligation kinds that a contact may say it meets. */
#define CH_MEETABLE                                                                                \
    ((1u << CH_OBLIGATION_ACKNOWLEDGE) | (1u << CH_OBLIGATION_RESPOND) |                           \
     (1u << CH_OBLIGATION_RESOLVE))

/* The state of an obligation not yet kept: paused while the case's clocks
 * are stopped, breached once its due time has passed, pending before. The
 * store's breach sweep applies the same rule to many rows at once. */
ch_ostate ch_ostate_at(bool paused, ch_time due, ch_time now);

/* The soonest due time among the obligations still to be kept (pending or
 * breached), or 0 when there is none: the case's place in every queue. */
ch_time ch_next_due(const ch_time *due, const ch_ostate *state, size_t n);

/* An obligation a case already holds, as the recompute sees it. */
typedef struct ch_held {
    const char *promise;
    ch_ostate state;
    ch_time due;
} ch_held;

/* What a change to a case (a flag, a resumed pause) means for its
 * obligations. For each held obligation i: its new due time and state, or
 * removed[i] when its promise no longer applies (kept ones that were met
 * stay met). Promises that now apply but were not held are written to added
 * (room for cap). paused says whether the case's clocks are stopped now. */
int ch_case_recompute(const ch_policy *policy, const ch_service *svc, const ch_contact *contact,
                      bool paused, ch_time now, const ch_held *held, size_t n, ch_time *due,
                      ch_ostate *state, bool *removed, ch_obligation *added, size_t cap,
                      size_t *nadded, ch_error *err);

#endif
