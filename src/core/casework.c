/* Obligation states and what meets them; see casework.h. */
#include "core/casework.h"

#include <stdio.h>
#include <string.h>

static const char *const names[] = {"pending", "met", "breached", "paused", "withdrawn"};

const char *ch_ostate_name(ch_ostate s)
{
    return (unsigned)s <= CH_OSTATE_WITHDRAWN ? names[s] : "?";
}

int ch_ostate_parse(const char *s, ch_ostate *out)
{
    for (int i = 0; i <= CH_OSTATE_WITHDRAWN; i++) {
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
        meets |= CH_MET_BY_RESOLUTION;
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

/* When the last kept instance of a promise was kept, 0 for never. */
static ch_time latest_met(const ch_held *held, size_t n, const char *promise)
{
    ch_time last = 0;
    for (size_t i = 0; i < n; i++)
        if (held[i].state == CH_OSTATE_MET && held[i].met_at > last &&
            strcmp(held[i].promise, promise) == 0)
            last = held[i].met_at;
    return last;
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
        if (held[i].state == CH_OSTATE_WITHDRAWN)
            continue; /* settled when the case moved on; it stays as it was */
        if (k < nfresh)
            used[k] = true;
        if (held[i].state == CH_OSTATE_MET || held[i].state == CH_OSTATE_WITHDRAWN)
            continue; /* settled promises stay settled, against the time they were due */
        if (k == nfresh) {
            removed[i] = true;
            continue;
        }
        due[i] = fresh[k].due;
        /* A recurring update after one already made counts from that one. */
        ch_time last = latest_met(held, n, held[i].promise);
        if (fresh[k].promise->recurs && last &&
            (rc = ch_promise_recurrence_due(policy, svc, fresh[k].promise, last, contact->pauses,
                                            contact->npauses, &due[i], err)))
            return rc;
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

int ch_settle_parse(const char *s, ch_settle *out)
{
    static const char *const words[] = {"", "met", "breached", "withdrawn"};
    for (int i = CH_SETTLE_MET; i <= CH_SETTLE_WITHDRAWN; i++) {
        if (strcmp(s, words[i]) == 0) {
            *out = (ch_settle)i;
            return CH_OK;
        }
    }
    return CH_E_NOTFOUND;
}

/* Appends one obligation's trouble to the sentence in err. */
static void close_problem(ch_error *err, const ch_closing *o, const char *what)
{
    size_t used = strlen(err->msg);
    if (used + 2 >= sizeof(err->msg))
        return;
    snprintf(err->msg + used, sizeof(err->msg) - used, "%sobligation %lld (%s) %s",
             used ? "; " : "", (long long)o->id, o->promise, what);
}

int ch_case_close(const ch_closing *o, size_t n, ch_time now, ch_ostate *state, const char **reason,
                  bool *changed, ch_error *err)
{
    err->code = CH_OK;
    err->msg[0] = '\0';
    size_t trouble = 0;
    for (size_t i = 0; i < n; i++) {
        bool open = o[i].state == CH_OSTATE_PENDING || o[i].state == CH_OSTATE_BREACHED ||
                    o[i].state == CH_OSTATE_PAUSED;
        bool said = o[i].reason && *o[i].reason;
        state[i] = o[i].state;
        reason[i] = NULL;
        changed[i] = false;
        if (!open) {
            if (o[i].asked != CH_SETTLE_NONE) {
                close_problem(err, &o[i], "is already settled; leave it out");
                trouble++;
            }
            continue;
        }
        switch (o[i].asked) {
        case CH_SETTLE_MET:
            if (!said) {
                close_problem(err, &o[i], "is met: say by what in its reason");
                trouble++;
            }
            state[i] = CH_OSTATE_MET;
            reason[i] = o[i].reason;
            break;
        case CH_SETTLE_WITHDRAWN:
            if (!said) {
                close_problem(err, &o[i], "is withdrawn: say why in its reason");
                trouble++;
            }
            state[i] = CH_OSTATE_WITHDRAWN;
            reason[i] = o[i].reason;
            break;
        case CH_SETTLE_BREACHED:
            state[i] = CH_OSTATE_BREACHED;
            reason[i] = said ? o[i].reason : "not kept; the case was closed without it";
            break;
        case CH_SETTLE_NONE:
            if (o[i].kind == CH_OBLIGATION_RESOLVE) {
                state[i] = CH_OSTATE_MET;
                reason[i] = "met by closing the case";
            } else if (o[i].state == CH_OSTATE_BREACHED ||
                       (o[i].state == CH_OSTATE_PENDING && o[i].due < now)) {
                state[i] = CH_OSTATE_BREACHED;
                reason[i] = "not kept by its due time; the case was closed without it";
            } else {
                close_problem(err, &o[i],
                              "is not yet due: say whether it was met (and by what), breached "
                              "or withdrawn (and why)");
                trouble++;
            }
            break;
        }
        changed[i] = true;
    }
    if (trouble)
        err->code = CH_E_INVALID;
    return err->code;
}

bool ch_case_answered(const ch_obligation_kind *kinds, const ch_ostate *states, size_t n)
{
    bool answers = false;
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] != CH_OBLIGATION_RESPOND && kinds[i] != CH_OBLIGATION_RESOLVE)
            continue;
        if (states[i] == CH_OSTATE_PENDING || states[i] == CH_OSTATE_BREACHED ||
            states[i] == CH_OSTATE_PAUSED)
            return false;
        answers = true;
    }
    return answers;
}
