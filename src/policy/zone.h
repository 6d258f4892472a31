/* Time-zone names (Europe/London) to POSIX rules, read from the system's
 * tzdata: the TZif file's footer holds the rule in force today. */
#ifndef CH_ZONE_H
#define CH_ZONE_H

#include "core/tz.h"

/* Fills tz with the current rule of zone name. Looks in $TZDIR, else
 * /usr/share/zoneinfo. */
int ch_zone_load(ch_tz *tz, const char *name, ch_error *err);

#endif
