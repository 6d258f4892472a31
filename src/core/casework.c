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

bool ch_contact_meets(bool outbound, unsigned meets, ch_obligation_kind k, ch_ostate s)
{
    if (!outbound || !(meets & CH_MEETABLE & (1u << k)))
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
