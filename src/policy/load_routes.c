/* The policy loader's parts for where requests go: a promise marked as an
 * internal target rather than a public promise, and the routes that send
 * kinds of request to another service (another body's, often). */
#include "core/transfer.h"
#include "policy/load_internal.h"

#include <string.h>

static const char *const route_keys[] = {"kinds", "services", "to", "text", "notes", NULL};
static const char *const kind_words[] = {"enquiry", "service-order", "complaint",  "feedback",
                                         "foi",     "sar",           "compliment", NULL};

void ld_promise_internal(loader *ld, struct fy_node *v, ch_promise *p)
{
    const char *s = ld_scalar(ld, v, "internal");
    if (!s)
        return;
    if (strcmp(s, "true") && strcmp(s, "false")) {
        ld_problem(ld, v,
                   "internal must be true (a target the desk tracks but does not publish as a "
                   "promise) or false");
        return;
    }
    p->internal = strcmp(s, "true") == 0;
}

static unsigned route_kinds(loader *ld, struct fy_node *seq)
{
    unsigned bits = 0;
    if (!fy_node_is_sequence(seq) || fy_node_sequence_item_count(seq) == 0) {
        ld_problem(ld, seq, "a route's kinds must be a list of case kinds, e.g. [foi, sar]");
        return 0;
    }
    for (int i = 0; i < fy_node_sequence_item_count(seq); i++) {
        struct fy_node *item = fy_node_sequence_get_by_index(seq, i);
        const char *s = ld_scalar(ld, item, "case kind");
        ch_case_kind k;
        if (!s)
            continue;
        if (ch_case_kind_parse(s, &k) == CH_OK) {
            bits |= 1u << k;
            continue;
        }
        const char *near = ld_suggest(s, kind_words);
        ld_problem(ld, item, "unknown case kind '%s'%s%s%s", s, near ? "; did you mean '" : "",
                   near ? near : "", near ? "'?" : "");
    }
    return bits;
}

/* "policy/service", each part a name. */
static bool dest_ok(const char *s)
{
    const char *slash = strchr(s, '/');
    char policy[80];
    if (!slash || (size_t)(slash - s) >= sizeof(policy))
        return false;
    memcpy(policy, s, (size_t)(slash - s));
    policy[slash - s] = '\0';
    return ch_name_ok(policy) && ch_name_ok(slash + 1);
}

static void parse_route(loader *ld, struct fy_node *m, ch_route *r, const ch_policy *pol)
{
    struct fy_node *v;
    const char *s;
    if ((v = ld_get(m, "kinds")))
        r->kinds = route_kinds(ld, v);
    else
        ld_problem(ld, m,
                   "a route has no kinds; say which requests go elsewhere, e.g. "
                   "\"kinds: [foi, sar]\"");
    if ((v = ld_get(m, "services"))) {
        int n = fy_node_is_sequence(v) ? fy_node_sequence_item_count(v) : -1;
        if (n < 0)
            ld_problem(ld, v, "a route's services must be a list of this policy's services");
        r->services = ch_arena_alloc(ld->arena, (size_t)(n > 0 ? n : 1) * sizeof(*r->services));
        for (int i = 0; r->services && i < n; i++) {
            struct fy_node *item = fy_node_sequence_get_by_index(v, i);
            if (!(s = ld_scalar(ld, item, "service")))
                continue;
            if (!ch_policy_service(pol, s))
                ld_problem(ld, item,
                           "a route names service '%s', which is not defined under "
                           "services",
                           s);
            else
                r->services[r->nservices++] = s;
        }
    }
    if (!(v = ld_get(m, "to"))) {
        ld_problem(ld, m,
                   "a route has no \"to\"; name the service that handles these requests, "
                   "e.g. \"to: sutton/information-requests\"");
    } else if ((s = ld_scalar(ld, v, "to"))) {
        size_t own = strlen(pol->id ? pol->id : "");
        if (!dest_ok(s))
            ld_problem(ld, v,
                       "to '%s' must name a service as POLICY/SERVICE, e.g. "
                       "\"sutton/information-requests\"",
                       s);
        else if (pol->id && strncmp(s, pol->id, own) == 0 && s[own] == '/' &&
                 !ch_policy_service(pol, s + own + 1))
            ld_problem(ld, v, "to names service '%s', which is not defined under services",
                       s + own + 1);
        else
            r->to = s;
    }
    if (!(v = ld_get(m, "text")))
        ld_problem(ld, m,
                   "a route has no text; say in plain English who handles these requests "
                   "and how to reach them");
    else if ((s = ld_scalar(ld, v, "text")) && !*s)
        ld_problem(ld, v, "text is empty");
    else
        r->text = s;
}

void ld_routes(loader *ld, struct fy_node *seq, ch_policy *pol)
{
    if (!fy_node_is_sequence(seq)) {
        ld_problem(ld, seq, "routes must be a list, each with kinds, to and text");
        return;
    }
    int n = fy_node_sequence_item_count(seq);
    if (n > CH_POLICY_MAX_PROMISES) {
        ld_problem(ld, seq, "a policy may hold at most %d routes", CH_POLICY_MAX_PROMISES);
        return;
    }
    pol->routes = ch_arena_alloc(ld->arena, (size_t)(n ? n : 1) * sizeof(*pol->routes));
    for (int i = 0; pol->routes && i < n; i++) {
        struct fy_node *m = fy_node_sequence_get_by_index(seq, i);
        ch_route *r = &pol->routes[pol->nroutes];
        memset(r, 0, sizeof(*r));
        if (!ld_check_keys(ld, m, route_keys, "a route"))
            continue;
        parse_route(ld, m, r, pol);
        pol->nroutes++;
    }
}
