/* Setting up a desk for `charter serve` and `charter admin`: its policies
 * (given files, or every YAML file in policies/) and its store. */
#ifndef CH_DESK_SETUP_H
#define CH_DESK_SETUP_H

#include "http/desk.h"

enum { CH_MAX_DESK_POLICIES = 64 };

/* Loads the named policy files and every YAML file in the posted/ folder
 * beside the first (or, when n is 0, every YAML file in policies/) into d,
 * printing problems on stderr, and sets d->policy_dir to the folder where
 * a charter with a new id loaded through the API belongs. */
int ch_cli_desk_policies(ch_desk *d, const char *const *paths, size_t n);

/* Prints a warning for each route to a service that is not on the desk. */
void ch_cli_desk_warn_routes(const ch_desk *d);

/* Frees what ch_cli_desk_policies loaded. */
void ch_cli_desk_free(ch_desk *d);

#endif
