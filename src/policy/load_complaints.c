/* The policy loader's part for complaints: the stages of the complaints
 * procedure (`complaints: stages:`) with the escalation each closing letter
 * gives, and the `applies_to: stages:` that ties a promise to some of them. */
#include "policy/load_internal.h"

#include <string.h>

static const char *const complaints_keys[] = {"stages", "notes", NULL};
static const char *const stage_keys[] = {"id", "name", "escalation", "notes", NULL};

/* Whether the stage has a misspelling of key (reported already, with the
 * right spelling, so "has no key" would say the same mistake twice). */
static bool misspelt(struct fy_node *m, const char *key)
{
    void *it = NULL;
    struct fy_node_pair *pair;
    while ((pair = fy_node_mapping_iterate(m, &it))) {
        const char *name = fy_node_get_scalar0(fy_node_pair_key(pair));
        if (name && strcmp(name, key) != 0) {
            const char *near = ld_suggest(name, stage_keys);
            if (near && strcmp(near, key) == 0)
                return true;
        }
    }
    return false;
}

/* A required one-line or block text under key of a stage. */
static const char *stage_text(loader *ld, struct fy_node *m, const char *key, const char *id,
                              const char *example)
{
    struct fy_node *v = ld_get(m, key);
    if (!v && misspelt(m, key))
        return NULL;
    if (!v) {
        ld_problem(ld, m, "stage '%s' has no %s; add e.g. \"%s: %s\"", id ? id : "?", key, key,
                   example);
        return NULL;
    }
    const char *s = ld_scalar(ld, v, key);
    if (s && !*s) {
        ld_problem(ld, v, "stage '%s' has an empty %s; write what it says", id ? id : "?", key);
        return NULL;
    }
    return s;
}

void ld_complaints(loader *ld, struct fy_node *map, ch_policy *pol)
{
    if (!ld_check_keys(ld, map, complaints_keys, "complaints"))
        return;
    struct fy_node *seq = ld_get(map, "stages");
    if (!seq || !fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq ? seq : map,
                   "complaints needs a list of stages, first to last, each with id, name and "
                   "escalation");
        return;
    }
    int count = fy_node_sequence_item_count(seq);
    if (count > CH_POLICY_MAX_STAGES) {
        ld_problem(ld, seq, "a complaints procedure may have at most %d stages; this one has %d",
                   CH_POLICY_MAX_STAGES, count);
        return;
    }
    pol->stages = ch_arena_alloc(ld->arena, (size_t)count * sizeof(*pol->stages));
    if (!pol->stages) {
        ld_problem(ld, seq, "out of memory");
        return;
    }
    for (int i = 0; i < count; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i);
        /* A misspelt key is reported, but the stage is kept, so promises
         * naming it do not report it as unknown as well. */
        if (!ld_check_keys(ld, m, stage_keys, "a complaint stage") && !fy_node_is_mapping(m))
            continue;
        ch_stage st = {0};
        struct fy_node *v = ld_get(m, "id");
        if (!v) {
            ld_problem(ld, m, "a complaint stage has no id; add e.g. \"id: stage-1\"");
            continue;
        }
        if (!(st.id = ld_scalar(ld, v, "id")))
            continue;
        if (!ch_name_ok(st.id)) {
            ld_problem(ld, v, "stage id '%s' must be lower-case letters, digits or hyphens", st.id);
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < pol->nstages; k++)
            seen = seen || strcmp(pol->stages[k].id, st.id) == 0;
        if (seen) {
            ld_problem(ld, v, "a complaint stage with id '%s' is already defined", st.id);
            continue;
        }
        st.name = stage_text(ld, m, "name", st.id, "Formal investigation");
        st.escalation = stage_text(ld, m, "escalation", st.id,
                                   "If you are not satisfied, ask for a review within 20 "
                                   "working days.");
        /* Kept even when name or escalation is missing (reported above):
         * the policy does not load, but later references still resolve. */
        if (!st.name)
            st.name = st.id;
        if (!st.escalation)
            st.escalation = "";
        pol->stages[pol->nstages++] = st;
    }
}

void ld_promise_stages(loader *ld, struct fy_node *seq, ch_promise *p, const ch_policy *pol)
{
    if (!fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq, "stages must be a list of the complaint stages the promise keeps");
        return;
    }
    if (!(p->kinds & (1u << CH_KIND_COMPLAINT)) || p->kinds != (1u << CH_KIND_COMPLAINT)) {
        ld_problem(ld, seq,
                   "promise '%s' names stages, which only complaints have; add \"kinds: "
                   "[complaint]\" to its applies_to",
                   p->id);
        return;
    }
    if (!pol->nstages) {
        ld_problem(ld, seq,
                   "promise '%s' names stages but the policy has none; add a complaints: "
                   "stages: list before the promises",
                   p->id);
        return;
    }
    int count = fy_node_sequence_item_count(seq);
    for (int i = 0; i < count; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, "stage");
        if (!s)
            continue;
        size_t k = 0;
        while (k < pol->nstages && strcmp(pol->stages[k].id, s) != 0)
            k++;
        if (k == pol->nstages) {
            const char *names[CH_POLICY_MAX_STAGES + 1] = {NULL};
            for (size_t j = 0; j < pol->nstages; j++)
                names[j] = pol->stages[j].id;
            const char *near = ld_suggest(s, names);
            ld_problem(ld, item,
                       "unknown stage '%s'%s%s%s; the stages are defined under complaints", s,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            continue;
        }
        p->stage_bits |= 1u << k;
    }
}
