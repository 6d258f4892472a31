/* The review warning for a charter past its review_by date (SENDIASS: the
 * policy is reviewed every year), worded once for every place it shows. */
#include "core/review.h"

#include <stdio.h>

#include "core/availability.h"

bool ch_policy_review_overdue(const char *organisation, ch_date review_by, ch_date today, char *buf,
                              size_t size)
{
    if (size)
        buf[0] = '\0';
    if (review_by >= today)
        return false;
    char when[40];
    ch_date_format_full(review_by, when, sizeof(when));
    snprintf(buf, size,
             "The %s charter was due for review by %s; review it and set a new review_by.",
             organisation, when);
    return true;
}
