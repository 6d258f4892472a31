/* Loading a desk's policies; see desk_setup.h. */
#include "cli/desk_setup.h"
#include "cli/cli.h"
#include "core/transfer.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Said once, when the desk starts: a route to a service not on this desk
 * still tells the public where to go, but no case can be referred along it. */
void ch_cli_desk_warn_routes(const ch_desk *d)
{
    for (size_t i = 0; i < d->npolicies; i++) {
        const ch_policy *p = d->policies[i].policy;
        for (size_t k = 0; k < p->nroutes; k++) {
            ch_desk_service ds;
            ch_error err;
            if (ch_desk_service_find(d, p->routes[k].to, &ds, &err))
                fprintf(stderr,
                        "charter: %s: a route goes to %s, which is not on this desk; its "
                        "public text still shows, but cases cannot be referred there\n",
                        d->policies[i].path, p->routes[k].to);
        }
    }
}

/* Loads paths[0..n) onto the end of d's policies; an id twice is an error. */
static int load_paths(ch_desk *d, const char *const *paths, size_t n)
{
    if (d->npolicies + n > CH_MAX_DESK_POLICIES) {
        fprintf(stderr, "charter: at most %d policies on one desk\n", CH_MAX_DESK_POLICIES);
        return CH_E_INVALID;
    }
    ch_desk_policy *grown = realloc(d->policies, (d->npolicies + n) * sizeof(*grown));
    if (!grown && d->npolicies + n > 0)
        return CH_E_NOMEM;
    d->policies = grown;
    for (size_t i = 0; i < n; i++) {
        ch_policy *pol = NULL;
        if (ch_cli_load_policy(paths[i], &pol))
            return CH_E_INVALID;
        for (size_t k = 0; k < d->npolicies; k++) {
            if (strcmp(d->policies[k].policy->id, pol->id) == 0) {
                fprintf(stderr,
                        "charter: %s and %s both have the id '%s'; each policy on a "
                        "desk needs its own\n",
                        d->policies[k].path, paths[i], pol->id);
                ch_policy_free(pol);
                return CH_E_INVALID;
            }
        }
        char *path = strdup(paths[i]);
        if (!path) {
            ch_policy_free(pol);
            return CH_E_NOMEM;
        }
        d->policies[d->npolicies++] = (ch_desk_policy){pol, path, 0};
    }
    return CH_OK;
}

/* Every *.yaml in dir, loaded; none is no error unless required. */
static int load_dir(ch_desk *d, const char *dir, bool required)
{
    char pattern[sizeof(d->policy_dir) + 16];
    glob_t g = {0};
    snprintf(pattern, sizeof(pattern), "%s/*.yaml", dir);
    int found = glob(pattern, 0, NULL, &g);
    int rc = CH_OK;
    if (found == 0)
        rc = load_paths(d, (const char *const *)g.gl_pathv, g.gl_pathc);
    else if (required) {
        fprintf(stderr, "charter: no policies: give --policy FILE, or run where a "
                        "policies/ folder holds *.yaml charters\n");
        rc = CH_E_NOTFOUND;
    }
    globfree(&g);
    return rc;
}

int ch_cli_desk_policies(ch_desk *d, const char *const *paths, size_t n)
{
    if (n == 0) {
        snprintf(d->policy_dir, sizeof(d->policy_dir), "policies");
        return load_dir(d, d->policy_dir, true);
    }
    /* Named files, and the charters loaded through the API beside them. */
    const char *slash = strrchr(paths[0], '/');
    if (slash && (size_t)(slash - paths[0]) + sizeof("/posted") > sizeof(d->policy_dir)) {
        fprintf(stderr, "charter: the path %s is too long\n", paths[0]);
        return CH_E_INVALID;
    }
    if (slash)
        snprintf(d->policy_dir, sizeof(d->policy_dir), "%.*s/posted", (int)(slash - paths[0]),
                 paths[0]);
    else
        snprintf(d->policy_dir, sizeof(d->policy_dir), "posted");
    int rc = load_paths(d, paths, n);
    return rc ? rc : load_dir(d, d->policy_dir, false);
}

void ch_cli_desk_free(ch_desk *d)
{
    for (size_t i = 0; i < d->npolicies; i++) {
        ch_policy_free(d->policies[i].policy);
        free(d->policies[i].path);
    }
    free(d->policies);
    d->policies = NULL;
    d->npolicies = 0;
}
