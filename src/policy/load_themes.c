/* The policy loader's part for themes: the list of subjects a service's
 * cases may be tagged with (an EHCP assessment, school transport), which
 * the themes report counts without names or free text. */
#include "core/themes.h"
#include "core/policy.h"
#include "policy/load_internal.h"

#include <string.h>

static const char *const theme_keys[] = {"id", "name", "notes", NULL};

void ld_themes(loader *ld, struct fy_node *seq, ch_policy *pol)
{
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq,
                   "themes must be a list, each with an id and a name, e.g. \"- id: "
                   "school-transport\" and \"name: School transport\"");
        return;
    }
    int n = fy_node_sequence_item_count(seq);
    if (n > CH_THEMES_MAX) {
        ld_problem(ld, seq, "a policy lists at most %d themes; merge the rarer ones",
                   CH_THEMES_MAX);
        return;
    }
    ch_theme *themes = ch_arena_alloc(ld->arena, (size_t)(n > 0 ? n : 1) * sizeof(*themes));
    if (!themes) {
        ld_problem(ld, seq, "out of memory reading the themes");
        return;
    }
    size_t kept = 0;
    for (int i = 0; i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i), *v;
        if (!ld_check_keys(ld, m, theme_keys, "a theme"))
            continue;
        const char *id = (v = ld_get(m, "id")) ? ld_scalar(ld, v, "id") : NULL;
        const char *name = (v = ld_get(m, "name")) ? ld_scalar(ld, v, "name") : NULL;
        if (!ld_get(m, "id")) {
            ld_problem(ld, m, "a theme has no id; give one such as \"school-transport\"");
            continue;
        }
        if (!id)
            continue;
        if (!ch_name_ok(id) || strlen(id) > 60) {
            ld_problem(ld, ld_get(m, "id"),
                       "a theme's id is lower-case letters, digits and hyphens, at most 60, "
                       "e.g. \"school-transport\"");
            continue;
        }
        if (ch_theme_find(themes, kept, id)) {
            ld_problem(ld, ld_get(m, "id"), "the theme '%s' is listed twice; list it once", id);
            continue;
        }
        if (!name || !*name || strlen(name) > 80) {
            ld_problem(ld, v ? v : m,
                       "the theme '%s' needs a name of at most 80 characters, the words the "
                       "report shows",
                       id);
            continue;
        }
        themes[kept++] = (ch_theme){id, name};
    }
    pol->themes = themes;
    pol->nthemes = kept;
}
