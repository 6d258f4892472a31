/* The policy loader's part for behaviour audits: `audits:` with whether
 * answers need HTTPS, the service a reported technical problem opens on,
 * and the survey templates with their questions, each checked in place. */
#include "core/audit.h"
#include "policy/load_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const audits_keys[] = {"require_tls", "problem_service", "templates", "notes",
                                          NULL};
static const char *const template_keys[] = {"id",        "title", "intro", "groups",
                                            "questions", "notes", NULL};
static const char *const question_keys[] = {
    "id", "text", "type", "points", "low", "high", "options", "groups", "required", "notes", NULL};
static const char *const type_words[] = {"scale", "single", "multiple", "text", NULL};
static const char *const group_words[] = {"pupils", "parents", "teachers", "governors", NULL};

static bool read_bool(loader *ld, struct fy_node *v, const char *key, bool *out)
{
    const char *s = ld_scalar(ld, v, key);
    if (!s)
        return false;
    if (strcmp(s, "true") && strcmp(s, "false")) {
        ld_problem(ld, v, "%s must be true or false", key);
        return false;
    }
    *out = strcmp(s, "true") == 0;
    return true;
}

static const char *read_text(loader *ld, struct fy_node *map, const char *key, const char *what,
                             bool required)
{
    struct fy_node *v = ld_get(map, key);
    if (!v) {
        if (required)
            ld_problem(ld, map, "%s has no %s", what, key);
        return NULL;
    }
    const char *s = ld_scalar(ld, v, key);
    if (s && !*s) {
        ld_problem(ld, v, "%s is empty", key);
        return NULL;
    }
    return s;
}

static const char *read_id(loader *ld, struct fy_node *map, const char *what)
{
    const char *id = read_text(ld, map, "id", what, true);
    if (id && !ch_name_ok(id)) {
        ld_problem(ld, ld_get(map, "id"),
                   "id '%s' must be 1-64 lower-case letters, digits or hyphens", id);
        return NULL;
    }
    return id;
}

/* [pupils, parents] into a bit set; at least one group. */
static unsigned read_groups(loader *ld, struct fy_node *seq)
{
    unsigned bits = 0;
    if (!fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq,
                   "groups must be a list of at least one of pupils, parents, teachers "
                   "and governors");
        return 0;
    }
    for (int i = 0; i < fy_node_sequence_item_count(seq); i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, "group");
        ch_audit_group g;
        if (!s)
            continue;
        if (ch_audit_group_parse(s, &g) == CH_OK) {
            bits |= 1u << g;
            continue;
        }
        const char *near = ld_suggest(s, group_words);
        ld_problem(ld, item, "unknown group '%s'%s%s%s; use pupils, parents, teachers or governors",
                   s, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    return bits;
}

static void read_options(loader *ld, struct fy_node *m, ch_audit_question *q)
{
    struct fy_node *seq = ld_get(m, "options");
    if (!seq) {
        ld_problem(ld, m,
                   "question '%s' is a choice but has no options; add e.g. "
                   "\"options: [Yes, No]\"",
                   q->id);
        return;
    }
    int n = fy_node_is_sequence(seq) ? fy_node_sequence_item_count(seq) : 0;
    if (n < 2 || n > CH_AUDIT_MAX_OPTIONS) {
        ld_problem(ld, seq, "options must be a list of 2 to %d answers", CH_AUDIT_MAX_OPTIONS);
        return;
    }
    q->options = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*q->options));
    for (int i = 0; q->options && i < n; i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, "option");
        if (s && !*s)
            ld_problem(ld, item, "an option is empty");
        for (size_t k = 0; s && k < q->noptions; k++)
            if (strcmp(q->options[k], s) == 0)
                ld_problem(ld, item, "option '%s' is listed twice", s);
        if (s)
            q->options[q->noptions++] = s;
    }
}

static void read_question(loader *ld, struct fy_node *m, ch_audit_question *q, unsigned groups)
{
    struct fy_node *v;
    const char *type = read_text(ld, m, "type", "a question", true);
    q->text = read_text(ld, m, "text", "a question", true);
    q->groups = groups;
    if ((v = ld_get(m, "groups"))) {
        unsigned own = read_groups(ld, v);
        if (own & ~groups)
            ld_problem(ld, v, "question '%s' asks a group its template does not ask", q->id);
        q->groups = own & groups;
    }
    int k = -1;
    for (int i = 0; type && type_words[i]; i++)
        if (strcmp(type, type_words[i]) == 0)
            k = i;
    if (type && k < 0) {
        const char *near = ld_suggest(type, type_words);
        ld_problem(ld, ld_get(m, "type"),
                   "unknown question type '%s'%s%s%s; use scale, single, multiple or text", type,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    q->kind = k < 0 ? CH_AUDIT_TEXT : (ch_audit_qkind)k;
    q->required = q->kind == CH_AUDIT_SCALE || q->kind == CH_AUDIT_SINGLE;
    if ((v = ld_get(m, "required")))
        read_bool(ld, v, "required", &q->required);
    bool scale = k == CH_AUDIT_SCALE, choice = k == CH_AUDIT_SINGLE || k == CH_AUDIT_MULTIPLE;
    if (scale) {
        q->points = 5;
        const char *s;
        if ((v = ld_get(m, "points")) && (s = ld_scalar(ld, v, "points"))) {
            char *end;
            long p = strtol(s, &end, 10);
            if (end == s || *end || p < 2 || p > CH_AUDIT_MAX_POINTS)
                ld_problem(ld, v, "points '%s' must be a whole number from 2 to %d, e.g. 5", s,
                           CH_AUDIT_MAX_POINTS);
            else
                q->points = (int)p;
        }
        q->low = read_text(ld, m, "low", "a question", false);
        q->high = read_text(ld, m, "high", "a question", false);
    }
    if (choice)
        read_options(ld, m, q);
    static const char *const scale_only[] = {"points", "low", "high", NULL};
    for (int i = 0; scale_only[i]; i++)
        if (!scale && k >= 0 && ld_get(m, scale_only[i]))
            ld_problem(ld, ld_get(m, scale_only[i]),
                       "%s belongs to a scale question; question '%s' is %s", scale_only[i], q->id,
                       type);
    if (!choice && k >= 0 && ld_get(m, "options"))
        ld_problem(ld, ld_get(m, "options"),
                   "options belong to a single or multiple choice; question '%s' is %s", q->id,
                   type);
}

static void read_template(loader *ld, struct fy_node *m, ch_audit_template *t)
{
    struct fy_node *v;
    t->title = read_text(ld, m, "title", "a survey template", true);
    t->intro = read_text(ld, m, "intro", "a survey template", false);
    t->groups = (1u << CH_AUDIT_GROUPS) - 1;
    if ((v = ld_get(m, "groups")))
        t->groups = read_groups(ld, v);
    struct fy_node *seq = ld_get(m, "questions");
    int n = seq && fy_node_is_sequence(seq) ? fy_node_sequence_item_count(seq) : 0;
    if (n < 1 || n > CH_AUDIT_MAX_QUESTIONS) {
        ld_problem(ld, seq ? seq : m,
                   "survey template '%s' needs questions: a list of 1 to %d questions", t->id,
                   CH_AUDIT_MAX_QUESTIONS);
        return;
    }
    t->questions = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*t->questions));
    for (int i = 0; t->questions && i < n; i++) {
        struct fy_node *qm = fy_node_sequence_get_by_index(seq, i);
        ch_audit_question *q = &t->questions[t->nquestions];
        if (!ld_check_keys(ld, qm, question_keys, "a question"))
            continue;
        if (!(q->id = read_id(ld, qm, "a question")))
            continue;
        bool twice = false;
        for (size_t k = 0; k < t->nquestions; k++)
            twice = twice || strcmp(t->questions[k].id, q->id) == 0;
        if (twice) {
            ld_problem(ld, ld_get(qm, "id"), "a question with id '%s' is already in template '%s'",
                       q->id, t->id);
            continue;
        }
        read_question(ld, qm, q, t->groups);
        t->nquestions++;
    }
}

void ld_audits(loader *ld, struct fy_node *map, ch_policy *pol)
{
    struct fy_node *v;
    if (!ld_check_keys(ld, map, audits_keys, "audits"))
        return;
    ch_audit_rules *rules = ch_arena_alloc(ld->arena, sizeof(*rules));
    if (!rules)
        return;
    pol->audits = rules;
    if ((v = ld_get(map, "require_tls")))
        read_bool(ld, v, "require_tls", &rules->require_tls);
    rules->problem_service = read_text(ld, map, "problem_service", "audits", true);
    if (rules->problem_service && !ch_policy_service(pol, rules->problem_service)) {
        const char *ids[65];
        size_t k = 0;
        for (; k < pol->nservices && k < 64; k++)
            ids[k] = pol->services[k].id;
        ids[k] = NULL;
        const char *near = ld_suggest(rules->problem_service, ids);
        ld_problem(ld, ld_get(map, "problem_service"),
                   "problem_service names '%s', which is not defined under services%s%s%s",
                   rules->problem_service, near ? "; did you mean '" : "", near ? near : "",
                   near ? "'?" : "");
    }
    struct fy_node *seq = ld_get(map, "templates");
    int n = seq && fy_node_is_sequence(seq) ? fy_node_sequence_item_count(seq) : 0;
    if (n < 1 || n > 64) {
        ld_problem(ld, seq ? seq : map,
                   "audits needs templates: a list of 1 to 64 survey templates, each with an id");
        return;
    }
    rules->templates = ch_arena_alloc(ld->arena, (size_t)n * sizeof(*rules->templates));
    for (int i = 0; rules->templates && i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i);
        ch_audit_template *t = &rules->templates[rules->ntemplates];
        if (!ld_check_keys(ld, m, template_keys, "a survey template"))
            continue;
        if (!(t->id = read_id(ld, m, "a survey template")))
            continue;
        if (ch_audit_template_find(rules, t->id)) {
            ld_problem(ld, ld_get(m, "id"), "a survey template with id '%s' is already defined",
                       t->id);
            continue;
        }
        read_template(ld, m, t);
        rules->ntemplates++;
    }
}
