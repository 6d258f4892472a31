/* The policy loader's part for customer surveys: a service's survey:
 * block (how long after closing the invitation goes, how long its link
 * stays open, which kinds of case are surveyed, whether answers may be
 * anonymous, and the address the public reaches the desk at). */
#include "core/survey.h"
#include "policy/load_internal.h"

#include <string.h>

static const char *const survey_keys[] = {"delay", "expires", "kinds", "anonymous", "site", NULL};
static const char *const kind_words[] = {"enquiry", "service-order", "complaint",  "feedback",
                                         "foi",     "sar",           "compliment", NULL};

static bool span(loader *ld, struct fy_node *v, const char *key, int64_t *out)
{
    const char *s = ld_scalar(ld, v, key);
    ch_error err = {0};
    if (!s)
        return false;
    if (ch_survey_span_parse(s, out, &err)) {
        ld_problem(ld, v, "survey %s: %s", key, err.msg);
        return false;
    }
    return true;
}

static unsigned kinds(loader *ld, struct fy_node *seq)
{
    unsigned bits = 0;
    if (!fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq,
                   "survey kinds must be a list of kinds of case, e.g. [enquiry, "
                   "service-order]");
        return 0;
    }
    for (int i = 0; i < fy_node_sequence_item_count(seq); i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, "survey kind");
        int found = -1;
        for (int k = 0; s && kind_words[k] && found < 0; k++)
            if (strcmp(s, kind_words[k]) == 0)
                found = k;
        if (found >= 0) {
            bits |= 1u << found;
        } else if (s) {
            const char *near = ld_suggest(s, kind_words);
            ld_problem(ld, item, "unknown survey kind '%s'%s%s%s", s,
                       near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        }
    }
    return bits;
}

/* An https:// (or, for a desk on this machine, http://) address with no
 * path, query or anything a mail could be tricked with. */
static bool site_ok(const char *s)
{
    size_t skip = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    size_t n = strlen(s);
    if (!skip || n == skip || n > 200)
        return false;
    for (size_t i = skip; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':'))
            return false;
    }
    return true;
}

void ld_service_survey(loader *ld, struct fy_node *map, ch_service *svc)
{
    struct fy_node *v;
    if (!ld_check_keys(ld, map, survey_keys, "a service's survey"))
        return;
    ch_survey_rule *rule = ch_arena_alloc(ld->arena, sizeof(*rule));
    if (!rule)
        return;
    memset(rule, 0, sizeof(*rule));
    rule->expires = CH_SURVEY_DEFAULT_EXPIRES;
    rule->kinds = 1u << CH_KIND_ENQUIRY;
    bool ok = true;
    if (!(v = ld_get(map, "delay"))) {
        ld_problem(ld, map,
                   "a survey needs delay: how long after a case closes the invitation goes, "
                   "e.g. \"delay: 2 days\"");
        ok = false;
    } else {
        ok = span(ld, v, "delay", &rule->delay) && ok;
    }
    if ((v = ld_get(map, "expires"))) {
        ok = span(ld, v, "expires", &rule->expires) && ok;
        if (ok && rule->expires < 86400) {
            ld_problem(ld, v,
                       "survey expires must give people at least a day, e.g. "
                       "\"expires: 28 days\"");
            ok = false;
        }
    }
    if ((v = ld_get(map, "kinds"))) {
        rule->kinds = kinds(ld, v);
        ok = rule->kinds != 0 && ok;
    }
    if ((v = ld_get(map, "anonymous"))) {
        const char *s = ld_scalar(ld, v, "anonymous");
        if (s && strcmp(s, "true") && strcmp(s, "false")) {
            ld_problem(ld, v,
                       "survey anonymous must be true (people may keep their answer "
                       "apart from their name) or false");
            ok = false;
        }
        rule->anonymous = s && strcmp(s, "true") == 0;
    }
    if (!(v = ld_get(map, "site"))) {
        ld_problem(ld, map,
                   "a survey needs site: the address the public reaches this desk at, for the "
                   "link in the invitation, e.g. \"site: https://desk.cognus.example\"");
        ok = false;
    } else {
        const char *s = ld_scalar(ld, v, "site");
        if (s && !site_ok(s)) {
            ld_problem(ld, v,
                       "survey site '%.80s' must be an address such as "
                       "https://desk.cognus.example (a host and optional port, no path)",
                       s);
            ok = false;
        }
        rule->site = s;
    }
    if (ok)
        svc->survey = rule;
}
