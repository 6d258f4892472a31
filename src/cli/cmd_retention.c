/* `charter retention run [--dry-run]`: the retention schedule of the desk's
 * policies applied to its store, with a count per kind of record; the same
 * run serve makes once a day. */
#include "cli/cli.h"
#include "cli/desk_setup.h"
#include "core/retention.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int ch_cmd_retention_run(int argc, char **argv)
{
    const char *db = NULL, *now_s = NULL;
    bool dry = false;
    const char *policies[CH_MAX_DESK_POLICIES];
    ch_opt_list plist = {policies, 0, CH_MAX_DESK_POLICIES};
    int status;
    const ch_opt opts[] = {
        {"--db", CH_OPT_ONE, &db},
        {"--dry-run", CH_OPT_FLAG, &dry},
        {"--now", CH_OPT_ONE, &now_s},
        {"--policy", CH_OPT_MANY, &plist},
    };
    if (!ch_args_parse("retention run", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL,
                       &status))
        return status;
    db = db ? db : "charter.db";
    ch_time now = (ch_time)time(NULL);
    if (now_s) {
        ch_date day;
        ch_error perr = {0};
        if (ch_date_parse(now_s, strlen(now_s), &day, &perr))
            return ch_usage_error("retention run", "--now: %s", perr.msg);
        now = (ch_time)day * 86400;
    }
    if (!ch_arg_db("retention run", "--db", db, false) || !ch_arg_policies("retention run", &plist))
        return CH_EXIT_USAGE;
    ch_error err = {0};
    ch_desk d = {0};
    int64_t counts[CH_RETAIN_COUNT];
    int rc = CH_EXIT_FAIL;
    pthread_rwlock_init(&d.policies_lock, NULL);
    if (ch_cli_desk_policies(&d, policies, plist.n))
        goto out;
    if (ch_store_open(&d.store, db, &err) || ch_desk_retention_run(&d, now, dry, 0, counts, &err))
        goto out;
    for (int k = 0; k < CH_RETAIN_COUNT; k++) {
        bool anon = ch_retention_action_of((ch_retention_kind)k) == CH_RETAIN_ANONYMISE;
        printf("%s %lld %s\n",
               dry ? (anon ? "would anonymise" : "would delete")
                   : (anon ? "anonymised" : "deleted"),
               (long long)counts[k], ch_retention_noun_n((ch_retention_kind)k, counts[k]));
    }
    rc = CH_EXIT_OK;
out:
    if (err.code)
        fprintf(stderr, "charter retention run: %s\n", err.msg);
    ch_store_close(d.store);
    ch_cli_desk_free(&d);
    pthread_rwlock_destroy(&d.policies_lock);
    return rc;
}
