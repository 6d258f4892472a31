/* Whether a promise was kept: the one rule every report of performance uses
 * (the desk's compliance report and charts, the public standards page), so
 * an obligation not yet due is never counted as a failure. */
#ifndef CH_COMPLIANCE_H
#define CH_COMPLIANCE_H

#include <stdbool.h>

#include "core/civil.h"

typedef enum ch_outcome {
    CH_OUTCOME_ON_TIME,   /* met by its due time */
    CH_OUTCOME_LATE,      /* met after its due time */
    CH_OUTCOME_NOT_MET,   /* its due time passed and it was not met */
    CH_OUTCOME_PENDING,   /* not met, not yet due (or its clock is stopped) */
    CH_OUTCOME_WITHDRAWN, /* settled otherwise when the case closed: left out */
} ch_outcome;

/* What an obligation's outcome was as at the instant at, from its stored
 * state ("pending", "met", "breached", "paused", "withdrawn"), due time and
 * met time (0 when not met). The stored state may lag behind at (the breach
 * sweep runs every so often) or run ahead of it (a report as at a past
 * instant), so the times decide: met counts only from met_at, and a due time
 * counts as passed once at is later than it, as the breach sweep does. A
 * paused obligation is pending: its due time moves when the clock restarts. */
ch_outcome ch_outcome_at(const char *state, ch_time due, ch_time met_at, ch_time at);

/* Obligations counted by outcome; due is every one not withdrawn. */
typedef struct ch_tally {
    long due, on_time, late, not_met, pending, withdrawn;
} ch_tally;

void ch_tally_add(ch_tally *t, ch_outcome o);

/* How many have a known outcome: kept on time, kept late or not kept. */
long ch_tally_known(const ch_tally *t);

/* The share kept on time among those with a known outcome, into *rate;
 * false (and *rate 0) when none has one yet. */
bool ch_tally_rate(const ch_tally *t, double *rate);

/* Whether a period's figures are final: it has ended and nothing in it is
 * still pending. Otherwise they are "so far". */
bool ch_tally_complete(const ch_tally *t, bool period_ended);

#endif
