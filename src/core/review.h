/* Whether a charter is past its review date, and the sentence that says
 * so: the desk, the policy check and the load all give the same warning. */
#ifndef CH_REVIEW_H
#define CH_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/civil.h"

/* True when review_by is before today; then buf holds the
 * sentence for a person ("The Cognus Limited charter was due for review by
 * 1 December 2025; review it and set a new review_by."). */
bool ch_policy_review_overdue(const char *organisation, ch_date review_by, ch_date today, char *buf,
                              size_t size);

#endif
