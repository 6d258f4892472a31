/* Loading a desk's policies; see desk_setup.h. */
#include "cli/desk_setup.h"
#include "cli/cli.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ch_cli_desk_policies(ch_desk *d, const char *const *paths, size_t n)
{
    glob_t g = {0};
    int rc = CH_OK;
    if (n == 0) {
        if (glob("policies/*.yaml", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
            fprintf(stderr, "charter: no policies: give --policy FILE, or run where a "
                            "policies/ folder holds *.yaml charters\n");
            globfree(&g);
            return CH_E_NOTFOUND;
        }
        paths = (const char *const *)g.gl_pathv;
        n = g.gl_pathc;
    }
    if (n > CH_MAX_DESK_POLICIES) {
        fprintf(stderr, "charter: at most %d policies on one desk\n", CH_MAX_DESK_POLICIES);
        rc = CH_E_INVALID;
        goto out;
    }
    d->policies = calloc(n, sizeof(*d->policies));
    if (!d->policies) {
        rc = CH_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        ch_policy *pol = NULL;
        if (ch_cli_load_policy(paths[i], &pol)) {
            rc = CH_E_INVALID;
            goto out;
        }
        for (size_t k = 0; k < d->npolicies; k++) {
            if (strcmp(d->policies[k].policy->id, pol->id) == 0) {
                fprintf(stderr,
                        "charter: %s and %s both have the id '%s'; each policy on a "
                        "desk needs its own\n",
                        d->policies[k].path, paths[i], pol->id);
                ch_policy_free(pol);
                rc = CH_E_INVALID;
                goto out;
            }
        }
        d->policies[d->npolicies].policy = pol;
        d->policies[d->npolicies++].path = strdup(paths[i]);
    }
out:
    globfree(&g);
    return rc;
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
