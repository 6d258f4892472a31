/* `charter policy check FILE...`: validates charter policy files, printing
 * every problem as FILE:LINE:COL: sentence. */
#include "cli/cli.h"
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: charter policy check FILE...\n"
    "\n"
    "Checks each charter policy file. Exits 0 when all are valid; otherwise\n"
    "prints every problem as FILE:LINE:COL: what is wrong and how to fix it,\n"
    "and exits 1. A review_by date that has passed is a warning, not an error.\n";

int ch_cmd_policy(int argc, char **argv)
{
    if (argc < 2 || ch_arg_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CH_EXIT_USAGE : CH_EXIT_OK;
    }
    if (strcmp(argv[1], "check") != 0)
        return ch_usage_error("policy", "unknown subcommand '%s'; use check", argv[1]);
    if (argc >= 3 && ch_arg_is_help(argv[2])) {
        fputs(usage, stdout);
        return CH_EXIT_OK;
    }
    if (argc < 3)
        return ch_usage_error("policy", "name at least one policy file to check");
    int rc = CH_EXIT_OK;
    ch_date today = ch_time_utc_date((ch_time)time(NULL));
    for (int i = 2; i < argc; i++) {
        ch_policy *pol = NULL;
        if (ch_cli_load_policy(argv[i], &pol)) {
            rc = CH_EXIT_FAIL;
            continue;
        }
        printf("%s: ok: %s, %zu calendar(s), %zu service(s), %zu promise(s)\n", argv[i],
               pol->organisation, pol->ncalendars, pol->nservices, pol->npromises);
        if (pol->review_by < today) {
            char d[11];
            ch_date_format(pol->review_by, d, sizeof(d));
            fprintf(stderr,
                    "%s: warning: the review date %s has passed; review the charter and "
                    "set a new review_by\n",
                    argv[i], d);
        }
        ch_policy_free(pol);
    }
    return rc;
}
