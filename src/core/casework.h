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
    /* Settled without being kept or broken (the requester withdrew, the case
     * moved elsewhere), with a reason; outside every on-time figure. */
    CH_OSTATE_WITHDRAWN,
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

/* Obligation kinds that a contact may say it meets: every kind a policy
 * may name, so no promise is left that nothing can keep. */
#define CH_MEETABLE ((1u << CH_OBLIGATION_COUNT) - 1u)

/* What a contact resolved there and then gives: every reply owed, and no
 * further update; a service order is still to be processed. */
#define CH_MET_BY_RESOLUTION (CH_MEETABLE & ~(1u << CH_OBLIGATION_PROCESS))

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
    ch_time met_at; /* when it was kept, 0 if not */
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

/* Whether the case's answer has been given: it holds a respond or resolve
 * obligation and none of them is still open (pending, breached, paused).
 * A recurring update ("until the answer is ready") ends then. */
bool ch_case_answered(const ch_obligation_kind *kinds, const ch_ostate *states, size_t n);

/* How an obligation still open is settled when its case is closed. */
typedef enum ch_settle {
    CH_SETTLE_NONE, /* not said: the default applies, or the close is refused */
    CH_SETTLE_MET,  /* kept, in a way the desk did not log (say by what) */
    CH_SETTLE_BREACHED,
    CH_SETTLE_WITHDRAWN, /* say why */
} ch_settle;

int ch_settle_parse(const char *s, ch_settle *out);

/* An obligation of the case being closed, with what the officer asked. */
typedef struct ch_closing {
    int64_t id;
    const char *promise;
    ch_obligation_kind kind;
    ch_ostate state;
    ch_time due;
    ch_settle asked;
    const char *reason; /* the officer's words, or NULL */
} ch_closing;

/* Decides how each obligation of a case being closed at now ends, so none
 * stays pending on a closed case: what the officer asked, or else a resolve
 * promise is met by the closing and one already breached stays breached.
 * Writes each one's new state to state[i] and a reason a manager can read to
 * reason[i] (borrowed: the officer's words or a fixed sentence), and sets
 * changed[i] when it differs from before. Fails with CH_E_INVALID and a
 * sentence naming every obligation that still needs a decision, or one
 * that was settled in a way that does not fit. */
int ch_case_close(const ch_closing *o, size_t n, ch_time now, ch_ostate *state, const char **reason,
                  bool *changed, ch_error *err);

#endif
