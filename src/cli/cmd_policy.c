/* `charter policy check FILE...`: validates charter policy files, printing
 * every problem as FILE:LINE:COL: sentence. */
#include "cli/cli.h"
#include "core/mailrule.h"
#include "core/review.h"
#include "core/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int ch_cmd_policy_check(int argc, char **argv)
{
    const char *files[256];
    ch_opt_list list = {files, 0, sizeof(files) / sizeof(*files)};
    int status;
    if (!ch_args_parse("policy check", argc, argv, NULL, 0, &list, &status))
        return status;
    if (list.n == 0)
        return ch_usage_error("policy check", "name at least one policy file to check");
    if (!ch_arg_files("policy check", "the file", &list))
        return CH_EXIT_USAGE;
    int rc = CH_EXIT_OK;
    ch_date today = ch_time_utc_date((ch_time)time(NULL));
    /* The valid ones are kept to check what they claim together: an email
     * address may reach only one service on a desk. */
    ch_policy *loaded[256];
    const char *names[256];
    size_t nloaded = 0;
    for (size_t i = 0; i < list.n; i++) {
        ch_policy *pol = NULL;
        if (ch_cli_load_policy(files[i], &pol)) {
            rc = CH_EXIT_FAIL;
            continue;
        }
        printf("%s: ok: %s, %zu calendar(s), %zu service(s), %zu promise(s)\n", files[i],
               pol->organisation, pol->ncalendars, pol->nservices, pol->npromises);
        char warning[400];
        if (ch_policy_review_overdue(pol->organisation, pol->review_by, today, warning,
                                     sizeof(warning)))
            fprintf(stderr, "%s: warning: %s\n", files[i], warning);
        names[nloaded] = files[i];
        loaded[nloaded++] = pol;
    }
    ch_error err;
    size_t later;
    if (ch_mail_routes_check((const ch_policy *const *)loaded, nloaded, &later, &err)) {
        fprintf(stderr, "%s: %s\n", names[later], err.msg);
        rc = CH_EXIT_FAIL;
    }
    for (size_t i = 0; i < nloaded; i++)
        ch_policy_free(loaded[i]);
    return rc;
}
