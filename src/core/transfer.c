/* Routes, and the rules for moving a case between services; see
 * transfer.h. */
#include "core/transfer.h"

#include <string.h>

const ch_route *ch_policy_route(const ch_policy *policy, const ch_service *svc, ch_case_kind kind)
{
    for (size_t i = 0; i < policy->nroutes; i++) {
        const ch_route *r = &policy->routes[i];
        if (!(r->kinds & (1u << kind)))
            continue;
        if (!r->nservices)
            return r;
        for (size_t k = 0; k < r->nservices; k++)
            if (strcmp(r->services[k], svc->id) == 0)
                return r;
    }
    return NULL;
}

bool ch_move_allowed(bool manager, bool sees_dest, const ch_route *route, const char *dest)
{
    return manager || sees_dest || (route && strcmp(route->to, dest) == 0);
}

/* The fresh obligation for promise id, or -1. */
static int fresh_find(const ch_obligation *fresh, size_t n, const char *id)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(fresh[k].promise->id, id) == 0)
            return (int)k;
    return -1;
}

int ch_case_move(const ch_policy *from, const ch_service *from_svc, const ch_policy *to,
                 const ch_service *to_svc, const ch_contact *contact, bool closed, bool paused,
                 ch_time now, const ch_held *held, size_t n, ch_ostate *state, ch_time *due,
                 bool *carried, ch_obligation *added, size_t cap, size_t *nadded, ch_time *deemed,
                 ch_error *err)
{
    ch_obligation fresh[CH_POLICY_MAX_PROMISES];
    bool used[CH_POLICY_MAX_PROMISES] = {false};
    size_t nfresh;
    if (from == to && from_svc == to_svc)
        return ch_error_set(err, CH_E_INVALID,
                            "the case is already with %s/%s; choose another service", to->id,
                            to_svc->id);
    if (closed)
        return ch_error_set(err, CH_E_CONFLICT,
                            "a closed case cannot be moved; reopen it first if it needs work");
    int rc = ch_policy_obligations(to, to_svc, contact, fresh, CH_POLICY_MAX_PROMISES, &nfresh,
                                   deemed, err);
    if (rc)
        return rc;
    bool same = from == to;
    for (size_t i = 0; i < n; i++) {
        ch_ostate s = held[i].state;
        int k = same && s != CH_OSTATE_WITHDRAWN ? fresh_find(fresh, nfresh, held[i].promise) : -1;
        state[i] = s;
        due[i] = held[i].due;
        carried[i] = false;
        if (k >= 0)
            used[k] = true;
        if (s == CH_OSTATE_MET || s == CH_OSTATE_WITHDRAWN)
            continue;
        if (k >= 0) { /* the organisation's promise goes with the case */
            carried[i] = true;
            due[i] = fresh[k].due;
            state[i] = ch_ostate_at(paused, due[i], now);
        } else if (s != CH_OSTATE_BREACHED) {
            state[i] = CH_OSTATE_WITHDRAWN;
        }
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
