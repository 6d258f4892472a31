/* Obligation states and what meets them; see casework.h. */
#include "core/casework.h"

#include <string.h>

static const char *const names[] = {"pending", "met", "breached", "paused"};

const char *ch_ostate_name(ch_ostate s)
{
    return (unsigned)s <= CH_OSTATE_PAUSED ? names[s] : "?";
}

int ch_ostate_parse(const char *s, ch_ostate *out)
{
    for (int i = 0; i <= CH_OSTATE_PAUSED; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (ch_ostate)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

bool ch_contact_meets(bool outbound, bool resolved, unsigned meets, ch_obligation_kind k,
                      ch_ostate s)
{
    if (resolved)
        meets = CH_MEETABLE;
    else if (!outbound)
        return false;
    if (!(meets & CH_MEETABLE & (1u << k)))
        return false;
    return s == CH_OSTATE_PENDING || s == CH_OSTATE_BREACHED;
}

ch_time ch_next_due(const ch_time *due, const ch_ostate *state, size_t n)
{
    ch_time best = 0;
    for (size_t i = 0; i < n; i++)
        if ((state[i] == CH_OSTATE_PENDING || state[i] == CH_OSTATE_BREACHED) &&
            (best == 0 || due[i] < best))
            best = due[i];
    return best;
}

ch_ostate ch_ostate_at(bool paused, ch_time due, ch_time now)
{
    if (paused)
        return CH_OSTATE_PAUSED;
    return due < now ? CH_OSTATE_BREACHED : CH_OSTATE_PENDING;
}

int ch_case_recompute(const ch_policy *policy, const ch_service *svc, const ch_contact *contact,
                      bool paused, ch_time now, const ch_held *held, size_t n, ch_time *due,
                      ch_ostate *state, bool *removed, ch_obligation *added, size_t cap,
                      size_t *nadded, ch_error *err)
{
    ch_obligation fresh[CH_POLICY_MAX_PROMISES];
    size_t nfresh;
    ch_time deemed;
    int rc = ch_policy_obligations(policy, svc, contact, fresh, CH_POLICY_MAX_PROMISES, &nfresh,
                                   &deemed, err);
    if (rc)
        return rc;
    bool used[CH_POLICY_MAX_PROMISES] = {false};
    for (size_t i = 0; i < n; i++) {
        due[i] = held[i].due;
        state[i] = held[i].state;
        removed[i] = false;
        size_t k = 0;
        while (k < nfresh && strcmp(fresh[k].promise->id, held[i].promise) != 0)
            k++;
        if (k < nfresh)
            used[k] = true;
        if (held[i].state == CH_OSTATE_MET)
            continue; /* kept promises stay kept, against the time they were kept by */
        if (k == nfresh) {
            removed[i] = true;
            continue;
        }
        due[i] = fresh[k].due;
        state[i] = ch_ostate_at(paused, due[i], now);
    }
    *nadded = 0;
    for (size_t k = 0; k < nfresh; k++) {
        if (used[k])
            continue;
        if (*nadded == cap)
            return ch_error_set(err, CH_E_INVALID, "more new obligations than room for them");
        added[(*nadded)++] = fresh[k];
    }
    return CH_OK;
}
