/* The policy loader's part for the retention schedule: the `retention:`
 * block, one period per kind of record ("closed_cases: 6 years"), a kind
 * not named being kept for ever. */
#include "core/retention.h"
#include "policy/load_internal.h"

#include <string.h>

void ld_retention(loader *ld, struct fy_node *map, ch_policy *pol)
{
    const char *known[CH_RETAIN_COUNT + 1];
    for (int k = 0; k < CH_RETAIN_COUNT; k++)
        known[k] = ch_retention_key((ch_retention_kind)k);
    known[CH_RETAIN_COUNT] = NULL;
    if (!map || !fy_node_is_mapping(map)) {
        ld_problem(ld, map,
                   "retention must be a mapping of kinds of record to periods, e.g. "
                   "\"closed_cases: 6 years\"");
        return;
    }
    if (!ld_check_keys(ld, map, known, "retention"))
        return;
    bool ok = true;
    ch_retention_rules *rules = ch_arena_alloc(ld->arena, sizeof(*rules));
    if (!rules)
        return;
    memset(rules, 0, sizeof(*rules));
    for (int k = 0; k < CH_RETAIN_COUNT; k++) {
        struct fy_node *v = ld_get(map, known[k]);
        const char *s;
        ch_error err = {0};
        if (!v)
            continue;
        if (!(s = ld_scalar(ld, v, known[k]))) {
            ok = false;
            continue;
        }
        if (ch_retention_span_parse(s, &rules->span[k], &err)) {
            ld_problem(ld, v, "retention %s: %s", known[k], err.msg);
            ok = false;
            continue;
        }
        /* A typo of "days" for "years" must not purge the access log
         * that answers next month's subject access request. */
        const ch_retention_span *sp = &rules->span[k];
        if (k == CH_RETAIN_AUDIT &&
            sp->years * 12 + sp->months + sp->days / 31 < CH_RETENTION_AUDIT_MIN_YEARS * 12) {
            ld_problem(ld, v,
                       "retention audit: %s is too short; audit rows answer subject access "
                       "requests and complaints, so keep them at least %d year, e.g. \"7 years\"",
                       s, CH_RETENTION_AUDIT_MIN_YEARS);
            ok = false;
            continue;
        }
        rules->set[k] = true;
    }
    if (ok)
        pol->retention = rules;
}
