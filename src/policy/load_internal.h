/* Shared by the policy loader's files: the loading context and the helpers
 * that read YAML nodes and report problems at their position. */
#ifndef CH_LOAD_INTERNAL_H
#define CH_LOAD_INTERNAL_H

#include <libfyaml.h>

#include "policy/holidays.h"
#include "policy/load.h"

typedef struct cal_src {
    const char *id;
    struct fy_node *node, *key;
    const char *based_on;
    int state; /* 0 not resolved, 1 resolving, 2 resolved */
    bool ok;
    bool has_hours, has_region, has_cutoff;
    ch_week week;
    ch_region region;
    int32_t cutoff;
    ch_closure *closures;
    size_t nclosures, capclosures;
    bool term_time;
    ch_date_range *terms;
    size_t nterms, capterms;
} cal_src;

typedef struct loader {
    const char *file, *base_dir;
    const char *src; /* the policy's text, to place a problem inside a block scalar */
    size_t srclen;
    ch_diags *diags;
    int errors;
    ch_arena *arena;
    ch_tz tz;
    bool tz_ok;
    ch_holidays custom; /* from holidays_file, when given */
    bool has_custom;
    cal_src *cals;
    size_t ncals;
} loader;

/* Reports a problem at node (or, when node is NULL, at the file level). */
void ld_problem(loader *ld, struct fy_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The scalar text of node copied into the arena, or NULL after reporting
 * that what should be a single value is not. */
const char *ld_scalar(loader *ld, struct fy_node *node, const char *what);

/* Reports every key of map not in known (NULL-terminated), suggesting the
 * nearest known key; returns false when map is not a mapping. */
bool ld_check_keys(loader *ld, struct fy_node *map, const char *const *known, const char *where);

struct fy_node *ld_get(struct fy_node *map, const char *key);

/* Reads a file named in the policy (relative to base_dir) into a malloc'd
 * buffer the caller frees; reports at node on failure. */
char *ld_read_file(loader *ld, struct fy_node *node, const char *name, size_t max, size_t *len);

/* Nearest of candidates to s within a small edit distance, or NULL. */
const char *ld_suggest(const char *s, const char *const *candidates);

bool ld_date(loader *ld, struct fy_node *node, const char *what, ch_date *out);

/* Parses every calendar under the "calendars" mapping into ld->cals. */
void ld_calendars(loader *ld, struct fy_node *map);

/* Builds calendar i; returns NULL (after reporting) on failure. */
ch_calendar *ld_calendar_build(loader *ld, size_t i);

/* Index of calendar id, or -1. */
int ld_calendar_find(loader *ld, const char *id);

/* "internal: true" on a promise (load_routes.c). */
void ld_promise_internal(loader *ld, struct fy_node *v, ch_promise *p);

/* The policy's routes: which kinds of request another service handles. */
void ld_routes(loader *ld, struct fy_node *seq, ch_policy *pol);

/* The restriction notice's template, its placeholders checked
 * (load_notices.c). */
void ld_notices(loader *ld, struct fy_node *map, ch_policy *pol);

/* A span of time ("3 working days", "same working day") under key. */
bool ld_within(loader *ld, struct fy_node *v, const char *key, ch_target *t);

/* A service's mail: block and a promise's warn_before: (load_mail.c). */
void ld_service_mail(loader *ld, struct fy_node *map, ch_service *svc, const ch_policy *pol);
void ld_promise_warn(loader *ld, struct fy_node *v, ch_promise *p);

/* The complaints procedure's stages, and a promise's `applies_to: stages:`
 * (load_complaints.c); the stages are read before the promises. */
void ld_complaints(loader *ld, struct fy_node *map, ch_policy *pol);
void ld_promise_stages(loader *ld, struct fy_node *seq, ch_promise *p, const ch_policy *pol);

/* The public page's contact: list and privacy_notice: link, either node
 * NULL when absent (load_contact.c); after the services. */
void ld_public(loader *ld, struct fy_node *contact, struct fy_node *privacy, ch_policy *pol);

/* The themes its cases may carry (load_themes.c). */
void ld_themes(loader *ld, struct fy_node *seq, ch_policy *pol);

/* A service's survey: block (load_surveys.c). */
void ld_service_survey(loader *ld, struct fy_node *map, ch_service *svc);

/* The behaviour audits' templates and rules (load_audits.c). */
void ld_audits(loader *ld, struct fy_node *map, ch_policy *pol);

/* The retention schedule (`retention:`, load_retention.c). */
void ld_retention(loader *ld, struct fy_node *map, ch_policy *pol);

#endif
