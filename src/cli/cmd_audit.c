/* `charter audit verify`: walks the audit log's hash chain (core/auditlog.h)
 * and says whether it is whole or names the first row changed, removed or
 * reordered, so an operator can prove the log was not rewritten. */
#include "cli/cli.h"
#include "core/auditlog.h"
#include "store/store.h"

#include <stdio.h>

static int walk_row(void *ctx, const ch_audit_row *row, ch_error *err)
{
    (void)err;
    ch_auditlog_entry e = {.id = row->id,
                           .seq = row->seq,
                           .at = row->at,
                           .user_id = row->user_id,
                           .action = row->action,
                           .object = row->object,
                           .object_id = row->object_id,
                           .remote = row->remote,
                           .prev_hash = row->prev_hash,
                           .hash = row->hash};
    /* The first fault ends the walk: later rows cannot be judged after it. */
    return ch_auditlog_walk_step(ctx, &e) ? CH_OK : CH_E_CONFLICT;
}

int ch_cmd_audit_verify(int argc, char **argv)
{
    const char *db = NULL;
    ch_store *store = NULL;
    ch_error err = {0};
    int rc = CH_EXIT_USAGE;
    const ch_opt opts[] = {{"--db", CH_OPT_ONE, &db}};
    if (!ch_args_parse("audit verify", argc, argv, opts, sizeof(opts) / sizeof(*opts), NULL, &rc))
        return rc;
    if (!db)
        db = "charter.db";
    if (!ch_arg_db("audit verify", "--db", db, false))
        return CH_EXIT_USAGE;
    if (ch_store_open(&store, db, &err)) {
        fprintf(stderr, "charter audit verify: cannot open the desk: %s\n", err.msg);
        return CH_EXIT_USAGE;
    }
    ch_auditlog_walk w;
    ch_auditlog_walk_init(&w);
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
