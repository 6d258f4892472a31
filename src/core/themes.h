/* Themes on cases, and the rule that lets a count of them leave the
 * service: small numbers hidden, totals that never give a hidden one away.
 * Pure: the caller brings the counts and prints the figures. */
#ifndef CH_THEMES_H
#define CH_THEMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* A theme a policy lets cases carry: an id (a name: lower-case letters,
 * digits, hyphens) and the words people read. Borrowed from the policy. */
typedef struct ch_theme {
    const char *id, *name;
} ch_theme;

enum {
    CH_THEMES_MAX = 40,     /* in one policy */
    CH_THEMES_PER_CASE = 8, /* on one case */
    CH_THEME_SMALL = 5,     /* a count below this (and above 0) is never shown */
};

/* The theme called id among themes, or NULL. */
const ch_theme *ch_theme_find(const ch_theme *themes, size_t n, const char *id);

/* Checks a case's themes against the policy's list: each known, none
 * twice, at most CH_THEMES_PER_CASE. CH_E_INVALID with a sentence naming
 * the allowed ids otherwise. */
int ch_themes_check(const ch_theme *themes, size_t n, const char *const *ids, size_t nids,
                    ch_error *err);

/* A figure as it may be published. */
typedef enum ch_figure_kind {
    CH_FIGURE_EXACT,  /* value is the count */
    CH_FIGURE_FEWER,  /* a theme's total from 1 to CH_THEME_SMALL - 1: "fewer than 5" */
    CH_FIGURE_HIDDEN, /* a count in a breakdown, hidden: "hidden to protect small numbers" */
} ch_figure_kind;

typedef struct ch_figure {
    ch_figure_kind kind;
    int64_t value; /* 0 unless exact, so nothing hidden is ever carried */
} ch_figure;

/* A theme's total as published: exact when 0 or CH_THEME_SMALL or more,
 * otherwise "fewer than 5" (and then it is not broken down). */
ch_figure ch_figure_total(int64_t total);

/* Whether a theme's breakdown may be shown at all: not when its total is
 * itself hidden (every count under it would be, and their number would
 * say more). */
bool ch_figure_breakdown_shown(ch_figure total);

/* One margin of a theme's breakdown (its cases by channel, or by outcome:
 * counts[0..n), summing to the theme's total, which is published exact)
 * as published, into out[0..n). Primary: a count from 1 to 4 is hidden.
 * Secondary, because the hidden counts add up to the total less the shown
 * ones: while exactly one count is hidden, or the k hidden ones add up to
 * k or to 4k (which would make each 1, or each 4), the smallest count
 * still shown (the first of equals; never a 0) is hidden too, until that
 * is no longer so or nothing is left to hide. Every hidden count reads
 * alike, whichever way it came to be hidden: telling them apart would say
 * which are small and, with the total, could give one away. */
void ch_figure_margin(const int64_t *counts, size_t n, ch_figure *out);

/* The figure in words ("12", "fewer than 5", "hidden to protect small
 * numbers") into buf. */
void ch_figure_text(ch_figure f, char *buf, size_t size);

/* The calendar quarter ("2026-Q3") that local date y-m-d falls in, as
 * year * 4 + quarter - 1. */
int ch_quarter_of(int y, int m);

/* "2026-Q3" (or "2026-q3"), "2026-07" or "2026-07-15" as year * 4 + quarter - 1 (the
 * quarter it falls in), or -1 when it is none of these. */
int ch_quarter_parse(const char *s);

/* year * 4 + quarter - 1 as "2026-Q3" into buf (at least 8 bytes). */
void ch_quarter_format(int q, char *buf, size_t size);

#endif
