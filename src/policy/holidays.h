/* Bank holidays by UK nation, read from the gov.uk bank-holidays JSON format.
 * Charter ships its own file in that format (2020 to 2030, substitute days
 * included) compiled into the binary; a policy may name a newer feed. */
#ifndef CH_HOLIDAYS_H
#define CH_HOLIDAYS_H

#include "core/civil.h"

typedef enum ch_region {
    CH_REGION_ENGLAND_WALES,
    CH_REGION_SCOTLAND,
    CH_REGION_NORTHERN_IRELAND,
    CH_REGION_UK_ANY, /* a holiday in any part of the UK (the FOI rule) */
    CH_REGION_NONE,
} ch_region;

#define CH_DIVISIONS 3

typedef struct ch_holidays {
    ch_date *dates[CH_DIVISIONS];
    size_t n[CH_DIVISIONS];
    ch_date first[CH_DIVISIONS], last[CH_DIVISIONS]; /* whole years covered */
} ch_holidays;

/* Parses gov.uk JSON (len bytes). On success the caller frees *out's arrays
 * with ch_holidays_free. */
int ch_holidays_parse_govuk(ch_holidays *out, const char *json, size_t len, ch_error *err);
void ch_holidays_free(ch_holidays *h);

/* The shipped data, parsed on first use; borrowed, lives until exit. */
int ch_holidays_builtin(const ch_holidays **out, ch_error *err);

/* The holidays of region, as a new array the caller frees (NULL when empty),
 * and the dates they are known for. */
int ch_holidays_select(const ch_holidays *h, ch_region r, ch_date **dates, size_t *n,
                       ch_date *first, ch_date *last, ch_error *err);

int ch_region_parse(const char *s, ch_region *out);
const char *ch_region_name(ch_region r);

#endif
