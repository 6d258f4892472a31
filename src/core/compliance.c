/* The outcome of an obligation at an instant and the tallies reports are
 * made of; see compliance.h. */
#include "core/compliance.h"

#include <string.h>

ch_outcome ch_outcome_at(const char *state, ch_time due, ch_time met_at, ch_time at)
{
    if (state && strcmp(state, "withdrawn") == 0)
        return CH_OUTCOME_WITHDRAWN;
    bool met = state && strcmp(state, "met") == 0;
    if (met && met_at > 0 && met_at <= at)
        return met_at <= due ? CH_OUTCOME_ON_TIME : CH_OUTCOME_LATE;
    if (met && met_at <= 0)
        return CH_OUTCOME_LATE; /* kept, but when is unknown: never claimed as on time */
    if (state && strcmp(state, "paused") == 0)
        return CH_OUTCOME_PENDING;
    return due < at ? CH_OUTCOME_NOT_MET : CH_OUTCOME_PENDING;
}

void ch_tally_add(ch_tally *t, ch_outcome o)
{
    switch (o) {
    case CH_OUTCOME_ON_TIME:
        t->on_time++;
        break;
    case CH_OUTCOME_LATE:
        t->late++;
        break;
    case CH_OUTCOME_NOT_MET:
        t->not_met++;
        break;
    case CH_OUTCOME_PENDING:
        t->pending++;
        break;
    case CH_OUTCOME_WITHDRAWN:
        t->withdrawn++;
        return;
    }
    t->due++;
}

long ch_tally_known(const ch_tally *t)
{
    return t->on_time + t->late + t->not_met;
}

bool ch_tally_rate(const ch_tally *t, double *rate)
{
    long known = ch_tally_known(t);
    *rate = known > 0 ? (double)t->on_time / (double)known : 0;
    return known > 0;
}

bool ch_tally_complete(const ch_tally *t, bool period_ended)
{
    return period_ended && t->pending == 0;
}
