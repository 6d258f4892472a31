/* `charter audit verify`: walks the audit log's hash chain (core/auditlog.h)
 * and says whether it is whole or names the first row changed, removed or
 * reordered, so an operator can prove the log was not rewritten. */
#include "cli/cli.h"
#include "core/auditlog.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* SEQ:HASH as an earlier run printed it: a whole number from 1, a colon,
 * 64 lowercase hex digits. */
static bool parse_recorded(const char *v, int64_t *seq, char hash[CH_AUDITLOG_HEX])
{
    const char *colon = strchr(v, ':');
    if (!colon || colon == v || colon - v > 18 || strlen(colon + 1) != CH_AUDITLOG_HEX - 1)
        return false;
    int64_t n = 0;
    for (const char *p = v; p < colon; p++) {
        if (*p < '0' || *p > '9')
            return false;
        n = n * 10 + (*p - '0');
    }
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    if (n < 1)
        return false;
    *seq = n;
    memcpy(hash, colon + 1, CH_AUDITLOG_HEX);
    return true;
}

static int walk_row(void *ctx, const ch_audit_row *row, ch_error *err)
{
    (void)err;
    ch_auditlog_entry e = ch_store_audit_entry(row);
    /* The first fault ends the walk: later rows cannot be judged after it. */
    return ch_auditlog_walk_step(ctx, &e) ? CH_OK : CH_E_CONFLICT;
}

int ch_cmd_audit_verify(int argc, char **argv)
{
    const char *db = NULL, *recorded = NULL;
    int64_t recorded_seq = 0;
    char recorded_hash[CH_AUDITLOG_HEX];
    ch_store *store = NULL;
    ch_error err = {0};
    int rc = CH_EXIT_USAGE;
    const ch_opt opts[] = {{"--db", CH_OPT_ONE, &db}, {"--recorded", CH_OPT_ONE, &recorded}};
    if (!ch_args_parse("audit verify", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    if (!db)
        db = "charter.db";
    if (recorded && !parse_recorded(recorded, &recorded_seq, recorded_hash))
        return ch_usage_error("audit verify",
                              "--recorded '%.100s' must be SEQ:HASH as an earlier run printed it"
                              " (a whole number, a colon, 64 lowercase hex digits)",
                              recorded);
    if (!ch_arg_db("audit verify", "--db", db, false))
        return CH_EXIT_USAGE;
    if (ch_store_open(&store, db, &err)) {
        fprintf(stderr, "charter audit verify: cannot open the desk: %s\n", err.msg);
        return CH_EXIT_USAGE;
    }
    ch_auditlog_walk w;
    ch_auditlog_walk_init(&w);
    if (recorded)
        ch_auditlog_walk_expect(&w, recorded_seq, recorded_hash);
    int64_t unchained = 0, unchained_max = 0;
    int st = ch_store_audit_chain(store, walk_row, &w, &unchained, &unchained_max, &err);
    if (st && st != CH_E_CONFLICT) {
        fprintf(stderr, "charter audit verify: %s\n", err.msg);
        rc = CH_EXIT_FAIL;
        goto out;
    }
    if (ch_auditlog_walk_end(&w, unchained, unchained_max) == CH_AUDITLOG_WHOLE) {
        printf("%s\n", w.msg);
        rc = CH_EXIT_OK;
    } else {
        fprintf(stderr, "charter audit verify: the audit log was tampered with: %s\n", w.msg);
        rc = CH_EXIT_FAIL;
    }
out:
    ch_store_close(store);
    return rc;
}
