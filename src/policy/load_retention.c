/* The policy loader's part for the retention schedule: the `retention:`
 * block, one period per kind of record ("closed_cases: 6 years"), a kind
 * not named being kept for ever. */
#include "core/retention.h"
#include "policy/load_internal.h"

#include <string.h>

void ld_retention(loader *ld, struct fy_node *map, ch_policy *pol)
{
    /* audit is "known" only to be refused below with its own sentence. */
    const char *known[CH_RETAIN_COUNT + 2];
    for (int k = 0; k < CH_RETAIN_COUNT; k++)
        known[k] = ch_retention_key((ch_retention_kind)k);
    known[CH_RETAIN_COUNT] = "audit";
    known[CH_RETAIN_COUNT + 1] = NULL;
    if (!map || !fy_node_is_mapping(map)) {
        ld_problem(ld, map,
                   "retention must be a mapping of kinds of record to periods, e.g. "
                   "\"closed_cases: 6 years\"");
        return;
    }
    if (!ld_check_keys(ld, map, known, "retention"))
        return;
    bool ok = true;
    /* The audit log is kept whole for its hash chain: said plainly rather
     * than as an unknown key, since a DPO will look for it here. */
    struct fy_node *audit = ld_get(map, "audit");
    if (audit) {
        void *it = NULL;
        struct fy_node_pair *pair;
        while ((pair = fy_node_mapping_iterate(map, &it)))
            if (fy_node_pair_value(pair) == audit)
                audit = fy_node_pair_key(pair);
        ld_problem(ld, audit,
                   "retention cannot name audit: audit rows are kept whole so the hash chain "
                   "can be verified; remove this line");
        ok = false;
    }
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
        rules->set[k] = true;
    }
    if (ok)
        pol->retention = rules;
}
